"""Report version 4 states each fact once and loses none: expanded back, it is the version 3 document of the same result.

For every example dossier, a hostile one and synthetic ones: the version 4
report validates against the published schema, the version 3 document of
the same result validates against version 3's frozen schema, and expanding
the first (as ``compare`` and ``diff`` do) gives exactly the second.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from support.cli import run_cli
from support.reports import CONTEXT, assess, example_paths, full_report, hostile_dossier
from support.synthetic import dossier_yaml

from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.formats.report_schema import REPORT_VERSION, readable_schema
from provenance_cli.formats.report_shape import TRACE_DEFAULTS, compact_report
from provenance_cli.render.document import compact_document, dumps, report_document
from provenance_cli.render.interface import get_renderer
from provenance_cli.util.thirdparty import jsonschema_for_own_schemas

jsonschema = jsonschema_for_own_schemas()

SYNTHETIC = 8
"""Synthetic dossiers (fixed seed): many more findings per report than the examples."""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    folder = tmp_path_factory.mktemp("v4")
    catalogue = load_catalogue()
    rng = random.Random(4)
    synthetic = []
    for index in range(SYNTHETIC):
        synthetic.append(folder / f"vendor-{index:02d}.yaml")
        synthetic[-1].write_text(dossier_yaml(catalogue, rng, index), encoding="utf-8")
    return assess([*example_paths(), hostile_dossier(folder), *synthetic])  # type: ignore[no-any-return]


def _validator(version: int) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(readable_schema(version), format_checker=jsonschema.FormatChecker(formats=("date",)))


def test_version_4_expanded_is_the_version_3_document(results: list[Any]) -> None:
    current, previous = _validator(4), _validator(3)
    assert REPORT_VERSION == 4
    for result in results:
        written = get_renderer("json").render(result, CONTEXT)
        compact = json.loads(written)
        assert not list(current.iter_errors(compact)), next(iter(current.iter_errors(compact))).message
        version_3_text = dumps({**report_document(result, CONTEXT), "report_version": 3})
        version_3 = json.loads(version_3_text)
        assert not list(previous.iter_errors(version_3))
        expanded = full_report(compact)
        assert expanded["report_version"] == 4
        assert {**expanded, "report_version": 3} == version_3, result.source
        assert compact_report(expanded) == compact, "writing the expanded form again gives the same report"
        assert len(written) < len(version_3_text)


def test_the_json_report_built_directly_is_the_full_document_compacted(results: list[Any]) -> None:
    """The JSON report skips the full findings (compact_document): same document, same bytes, as compacting the full one."""
    for result in results:
        direct = compact_document(result, CONTEXT)
        assert direct == compact_report(report_document(result, CONTEXT)), result.source
        assert dumps(direct) == get_renderer("json").render(result, CONTEXT)
    several = get_renderer("json").render_many(results[:3], CONTEXT)
    assert json.loads(several) == [compact_report(report_document(r, CONTEXT)) for r in results[:3]]


def test_each_fact_is_stated_once(results: list[Any]) -> None:
    """A finding is its trace entry's index plus what only a finding has; answers refer to their question."""
    findings = 0
    for result in results:
        compact = json.loads(get_renderer("json").render(result, CONTEXT))
        for finding in compact["findings"]:
            assert set(finding) <= {"trace", "actions", "recommendations", "location"}, set(finding)
            entry = compact["trace"][finding["trace"]]
            assert entry["rule_id"] in {t.rule_id for t in result.findings}
            findings += 1
        assert set(compact["questions"]) == {a["question_id"] for a in compact["answers"]}
        for answer in compact["answers"]:
            assert not {"text", "category", "frameworks"} & set(answer)
        texts = json.dumps(compact["answers"]) + json.dumps(compact["findings"])
        for question in compact["questions"].values():
            assert question["text"] not in texts
        for entry in compact["trace"]:
            assert not any(key in entry and entry[key] == default for key, default in TRACE_DEFAULTS.items())
    assert findings > 100, "the synthetic dossiers fire many rules"


def test_a_portfolio_report_is_much_smaller(results: list[Any]) -> None:
    """Same facts, far fewer bytes: version 4 against the version 3 text of the synthetic dossiers."""
    synthetic = [r for r in results if Path(r.source).name.startswith("vendor-")]
    new = sum(len(get_renderer("json").render(r, CONTEXT).encode()) for r in synthetic)
    old = sum(len(dumps({**report_document(r, CONTEXT), "report_version": 3}).encode()) for r in synthetic)
    assert new < 0.8 * old, (new, old)


def test_diff_of_a_version_3_and_a_version_4_report_of_one_result_finds_nothing(results: list[Any], tmp_path: Path) -> None:
    """compare and diff read both versions into one shape: the same assessment written either way is the same."""
    result = next(r for r in results if Path(r.source).name == "vendor-03.yaml")
    old, new = tmp_path / "v3.json", tmp_path / "v4.json"
    old.write_text(dumps({**report_document(result, CONTEXT), "report_version": 3}), encoding="utf-8")
    new.write_text(get_renderer("json").render(result, CONTEXT), encoding="utf-8")
    done = run_cli(["diff", str(old), str(new), "-f", "json"], tmp_path)
    assert done.returncode == 0, done.output
    change = done.json()
    assert change["answers_changed"] == change["rules_started"] == change["rules_stopped"] == change["rules_changed"] == []
    assert change["overall"]["delta"] == 0 and change["tier"]["moved"] == "same"
    compared = run_cli(["compare", str(old), str(new), "-f", "md"], tmp_path)
    assert compared.returncode == 0, compared.output
