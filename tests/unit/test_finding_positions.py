"""Findings point at the answer in the dossier: line and column, as CI tools (SARIF, annotations) need them.

The expected positions come from PyYAML's node graph (``yaml.compose``), an
oracle independent of provcheck's own event-walking loader.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from support.reports import CONTEXT, assess, example_paths

from provenance_cli.formats.report_schema import report_schema
from provenance_cli.formats.schemas import DRAFT, SCHEMA_BASE
from provenance_cli.render.document import load_report, report_document
from provenance_cli.util.thirdparty import jsonschema_for_own_schemas

jsonschema = jsonschema_for_own_schemas()


def _child(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key_node, value_node in node.value:
        if key_node.value == key:
            return key_node, value_node
    return None


def _at(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@lru_cache(maxsize=16)
def _compose(path: Path) -> yaml.Node:
    return yaml.compose(path.read_text(encoding="utf-8"))


def _model_entry(root: yaml.Node, model: str | None, question_id: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The model's own answer to the question, when the model that decides the report overrides it."""
    models = _child(root, "models")
    for item in models[1].value if models is not None and model is not None else ():
        name, own = _child(item, "name"), _child(item, "answers")
        if name is not None and name[1].value == model and own is not None:
            return _child(own[1], question_id)
    return None


def expected_position(path: Path, question_id: str | None, model: str | None = None) -> tuple[int, int]:
    root = _compose(path)
    vendor_name = _child(_child(root, "vendor")[1], "name")[1]
    if question_id is None:
        return _at(vendor_name)
    answers_key, answers = _child(root, "answers")
    entry = _model_entry(root, model, question_id) or _child(answers, question_id)
    if entry is None:
        return _at(answers_key)
    answer = _child(entry[1], "answer")
    if answer is None or (answer[1].tag.endswith(":null") and answer[1].value in ("", "~", "null")):
        return _at(entry[0])
    return _at(answer[1])


@pytest.fixture(scope="module")
def documents():
    return [(Path(r.source), report_document(r, CONTEXT)) for r in assess(example_paths())]


def test_every_finding_points_at_its_answer(documents):
    checked = 0
    for path, document in documents:
        assert document["findings"], path
        for finding in document["findings"]:
            location = finding["location"]
            assert location["file"] == str(path)
            want = expected_position(path, finding["question_id"], (document.get("supply_chain") or {}).get("governing_model"))
            assert (location["line"], location["column"]) == want, (path.name, finding["rule_id"], finding["question_id"])
            checked += 1
    assert checked > 50, checked  # rules over screening facts: tests/cli/test_assess_screening.py


def test_a_finding_on_a_question_the_dossier_leaves_out_points_at_the_answers_block(tmp_path):
    source = example_paths()[0].read_text(encoding="utf-8")
    root = yaml.compose(source)
    answers_key, answers = _child(root, "answers")
    first_key, first_value = answers.value[0]
    # Cut the first answer out of the file: its rules now read "unanswered".
    lines = source.splitlines(keepends=True)
    start, end = first_key.start_mark.line, first_value.end_mark.line
    trimmed = tmp_path / "trimmed.yaml"
    trimmed.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    (result,) = assess([trimmed])
    assert result.position_of(first_key.value) == _at(answers_key)
    assert result.position_of(None) == expected_position(trimmed, None)


def test_reports_without_locations_stay_readable(documents, tmp_path):
    """location was added within report_version 2 (kept in 3): version 3 reports written before it validate and load as before.

    Version 4 writes it on every finding; a location of line 0 is refused there too.
    """
    from provenance_cli.formats.report_schema import readable_schema
    from provenance_cli.formats.report_shape import compact_report

    validator = jsonschema.Draft202012Validator(readable_schema(3))
    path, document = documents[0]
    old = json.loads(json.dumps({**document, "report_version": 3}))
    for finding in old["findings"]:
        del finding["location"]
    assert not list(validator.iter_errors(old))
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(old), encoding="utf-8")
    assert load_report(saved) == old
    broken = compact_report(json.loads(json.dumps(document)))
    current = jsonschema.Draft202012Validator(report_schema(SCHEMA_BASE, DRAFT))
    assert not list(current.iter_errors(broken))
    broken["findings"][0]["location"]["line"] = 0
    assert list(current.iter_errors(broken))
