"""Fuzz: mutated JSON reports (written now, and archived ones of versions 1 to 4) through diff and compare.

A report is read back only after it passes its version's schema, so for
every case: no traceback, exit 0 or 2 (1 when --fail-on-worse trips), a
refusal names the file, and a report that the published schema
(schemas/report.schema.json, read here with jsonschema) refuses is never
read.
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st
from support import REPO
from support.fuzzing import Seed, Workspace, budget, problem_lines
from support.mutations import DrawChooser, dump_json, mutate

from provenance_cli.util.thirdparty import jsonschema_for_own_schemas

jsonschema = jsonschema_for_own_schemas()

PUBLISHED = {
    4: REPO / "schemas" / "report.schema.json",  # the current version: the schema the project publishes
    3: REPO / "provenance_cli" / "formats" / "data" / "report-v3.schema.json",  # frozen when version 4 replaced it
    2: REPO / "provenance_cli" / "formats" / "data" / "report-v2.schema.json",  # frozen when version 3 replaced it
}


@cache
def published(version: int) -> jsonschema.Draft202012Validator:
    schema = json.loads(PUBLISHED[version].read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker(formats=("date",)))


def schema_refuses(content: bytes) -> bool:
    """True when the text is not RFC 8259 JSON, or is a version 2 to 4 report its version's published schema refuses."""

    def refuse(token: str) -> Any:
        raise ValueError(token)

    try:
        data = json.loads(content.decode("utf-8").removeprefix("\ufeff"), parse_constant=refuse)
    except (ValueError, RecursionError):
        return True
    if any(isinstance(v, float) and not math.isfinite(v) for v in _numbers(data)):
        return True
    version = data.get("report_version") if isinstance(data, dict) else None
    if type(version) is not int or version not in PUBLISHED:
        return not isinstance(data, dict) or version not in (1, 2, 3, 4) or type(version) is not int
    return not published(version).is_valid(data)


def _numbers(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [n for v in node.values() for n in _numbers(v)]
    if isinstance(node, list):
        return [n for v in node for n in _numbers(v)]
    return [node] if isinstance(node, (int, float)) and not isinstance(node, bool) else []


@pytest.mark.slow
def test_report_seeds_are_readable(space: Workspace, reports: list[Seed]) -> None:
    folder = space.folder("report-seeds")
    paths = []
    for seed in reports:
        paths.append(folder / seed.name)
        paths[-1].write_bytes(dump_json(seed.tree))
    assert {seed.tree["report_version"] for seed in reports} == {1, 2, 3, 4}
    result = space.run("compare", *paths, "-f", "md")
    assert result.returncode == 0, result.output


def check_report_case(data: st.DataObject, space: Workspace, reports: list[Seed]) -> None:
    chooser = DrawChooser(data)
    seed = chooser.pick(reports)
    mutant = mutate(seed.tree, chooser, dump=dump_json, weights={"retype": 3, "drop": 2, "nest": 2, "duplicate": 2, "number": 2})
    note(f"seed {seed.name}: {mutant.describe()}")
    folder = space.folder("report")
    path, other = folder / "mutant.json", folder / "other.json"
    path.write_bytes(mutant.content)
    other.write_bytes(dump_json(chooser.pick(reports).tree))

    gate = chooser.pick(((), ("--fail-on-worse",)))
    command = chooser.pick(
        (
            ("diff", path, other, "-f", chooser.pick(("text", "md", "json")), *gate),
            ("diff", other, path, "-f", chooser.pick(("text", "md", "json")), *gate),
            ("compare", path, other, "-f", chooser.pick(("terminal", "md", "html"))),
            ("compare", other, path, other, "-f", "html", "-o", folder / "compare.html"),
        )
    )
    note(" ".join(map(str, command)))
    result = space.run(*command)
    event(f"{command[0]} exit {result.returncode}")
    assert result.returncode in ((0, 1, 2) if gate else (0, 2)), result.output[-2000:]
    if schema_refuses(mutant.content):
        assert result.returncode == 2, f"read a report the published schema refuses:\n{result.output[-2000:]}"
    if result.returncode == 2:
        lines = problem_lines(result)
        assert lines and all(line.startswith(f"{path}:") for line in lines), result.output[-2000:]


@pytest.mark.slow
@budget(300)
@given(data=st.data())
def test_mutated_reports(data: st.DataObject, space: Workspace, reports: list[Seed]) -> None:
    check_report_case(data, space, reports)


@budget(15)
@given(data=st.data())
def test_mutated_reports_smoke(data: st.DataObject, space: Workspace, reports: list[Seed]) -> None:
    check_report_case(data, space, reports)
