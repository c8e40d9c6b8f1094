"""``compare`` and ``diff`` read a JSON report only after checking all of it: every problem as file:line:col: /pointer: expected.

Reports are written pretty-printed here, so problems land on different
lines; each expected position is found in the file's text by the test
(the line and column where the offending value or key starts), never taken
from provcheck's output.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import REPO
from support.cli import CliResult, run_cli
from support.reports import AS_OF

ARCHIVED = REPO / "tests" / "fixtures" / "reports"
NORTHWIND = REPO / "examples" / "northwind-frontier.yaml"
BASE = ["--as-of", AS_OF, "--no-screen", "--no-evidence", "--offline"]


def cli(*args: str | Path) -> CliResult:
    return run_cli([str(a) for a in args], REPO)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real report of an example (the current version), written by assess."""
    out = tmp_path_factory.mktemp("report") / "northwind.json"
    written = cli("assess", NORTHWIND, "-f", "json", "-o", out, *BASE)
    assert written.returncode == 0, written.output
    return out


@pytest.fixture(scope="module")
def report(good: Path) -> dict[str, Any]:
    """That report as data."""
    return json.loads(good.read_text(encoding="utf-8"))


def place(text: str, needle: str, *, at: int = 0) -> str:
    """``line:column`` (1-based) of ``needle`` in ``text``, plus ``at`` characters."""
    offset = text.index(needle) + at
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - text.rfind(chr(10), 0, offset)}"


@pytest.fixture
def refused(tmp_path: Path, good: Path) -> Callable[[str], CliResult]:
    """Write ``text`` as bad.json, diff it against a good report, and insist on exit 2 with problem lines only."""

    def run(text: str | bytes) -> CliResult:
        bad = tmp_path / "bad.json"
        if isinstance(text, bytes):
            bad.write_bytes(text)
        else:
            bad.write_text(text, encoding="utf-8")
        result = cli("diff", bad, good)
        assert result.returncode == 2, result.output
        assert result.stdout == ""
        assert all(line.startswith(f"{bad}:") for line in result.stderr.splitlines()), result.stderr
        return result

    return run


def pretty(data: Any) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False)


def test_every_archived_report_is_read(good: Path):
    archived = sorted(ARCHIVED.glob("*.json"))
    assert {json.loads(p.read_text(encoding="utf-8"))["report_version"] for p in archived} == {1, 2, 3, 4}
    compared = cli("compare", *archived, "-f", "md")
    assert compared.returncode == 0, compared.output
    for old in archived:
        changed = cli("diff", old, good, "-f", "json")
        assert changed.returncode == 0, changed.output
        assert changed.json()["new"]["vendor"] == "Northwind Frontier"


def test_a_wrong_type_names_its_place_and_what_was_expected(report, refused, tmp_path):
    data = json.loads(json.dumps(report))
    data["summary"]["overall"] = "high"
    text = pretty(data)
    result = refused(text)
    where = place(text, '"overall": "high"', at=len('"overall": '))
    assert result.stderr == f"{tmp_path / 'bad.json'}:{where}: /summary/overall: expected a number, got the string 'high'\n"


@pytest.mark.parametrize(
    ("change", "needle", "at", "message"),
    [
        (
            lambda d: d["summary"].update(tier="severe"),
            '"tier": "severe"',
            8,
            "/summary/tier: expected one of 'low', 'medium', 'high', 'critical'; got 'severe'",
        ),
        (
            lambda d: d["assessment"].update(assessed_on="2026-02-30"),
            '"2026-02-30"',
            0,
            "/assessment/assessed_on: expected a calendar date YYYY-MM-DD, got '2026-02-30'",
        ),
        (
            lambda d: d["answers"][3].update(status=None),
            '"status": null',
            10,
            "/answers/3/status: expected one of 'answered', 'undisclosed', 'unanswered'; got null",
        ),
        (
            lambda d: d["categories"][0].update(score=101),
            '"score": 101',
            9,
            "/categories/0/score: expected a number from 0 to 100, got 101",
        ),
        (lambda d: d["trace"][0].update(waiver=[]), '"waiver": []', 10, "/trace/0/waiver: expected an object or null, got an array"),
        (lambda d: d.update(findings={}), '"findings": {}', 12, "/findings: expected an array, got an object"),
    ],
)
def test_values_the_schema_refuses(report, refused, tmp_path, change, needle, at, message):
    data = json.loads(json.dumps(report))
    change(data)
    text = pretty(data)
    result = refused(text)
    assert result.stderr == f"{tmp_path / 'bad.json'}:{place(text, needle, at=at)}: {message}\n"


def test_missing_and_misspelt_keys(report, refused, tmp_path):
    data = json.loads(json.dumps(report))
    data["sumary"] = data.pop("summary")
    del data["trace"]
    text = pretty(data)
    result = refused(text)
    bad = tmp_path / "bad.json"
    assert result.stderr.splitlines() == [
        f"{bad}:1:1: /: missing keys 'summary', 'trace'",
        f"{bad}:{place(text, chr(34) + 'sumary')}: /: unexpected key 'sumary' (did you mean 'summary'?)",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"overall": 12.5', '"overall": NaN', "/summary/overall: NaN is not a JSON number"),
        ('"overall": 12.5', '"overall": -Infinity', "/summary/overall: -Infinity is not a JSON number"),
        ('"overall": 12.5', '"overall": 1e999', "/summary/overall: 1e999 is too large for a number"),
        ('"rules_fired": 7', '"rules_fired": ' + "9" * 500, "/summary/rules_fired: a whole number of 500 digits is too large"),
        ('"rules_fired": 7', '"rules_fired": 7, "rules_fired": 8', "/summary/rules_fired: key 'rules_fired' appears twice in one object"),
    ],
)
def test_what_json_parsers_disagree_on_is_refused(report, refused, tmp_path, old, new, message):
    data = json.loads(json.dumps(report))
    data["summary"].update(overall=12.5, rules_fired=7)
    text = pretty(data).replace(old, new, 1)
    assert new in text
    needle = new.split(", ")[-1] if "appears twice" in message else new
    at = 0 if "appears twice" in message else len(new.split(": ")[0]) + 2
    result = refused(text)
    assert result.stderr == f"{tmp_path / 'bad.json'}:{place(text, needle, at=at)}: {message}\n"


def test_half_a_surrogate_pair_is_refused_and_escaped(report, refused, tmp_path):
    data = json.loads(json.dumps(report))
    data["vendor"]["name"] = "Northwind \ud800 Frontier"
    text = json.dumps(data, indent=1)  # ASCII: the lone surrogate stays an escape, as a tool writing it would leave it
    result = refused(text)
    where = place(text, '"Northwind \\ud800')
    assert result.stderr == f"{tmp_path / 'bad.json'}:{where}: /vendor/name: half of a UTF-16 surrogate pair, not a character\n"


def test_two_answers_to_one_question_are_refused(report, refused, tmp_path):
    data = json.loads(json.dumps(report))
    data["answers"].append(json.loads(json.dumps(data["answers"][0])))
    question = data["answers"][0]["question_id"]
    text = pretty(data)
    result = refused(text)
    last = text.rindex(f'"question_id": "{question}"') + len('"question_id": ')
    where = f"{text.count(chr(10), 0, last) + 1}:{last - text.rfind(chr(10), 0, last)}"
    index = len(data["answers"]) - 1
    message = f"/answers/{index}/question_id: question '{question}' appears twice (first at /answers/0)"
    assert result.stderr == f"{tmp_path / 'bad.json'}:{where}: {message}\n"


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"", "1:1: not a JSON report: Expecting value"),
        (b'{"report_version": 2,\n "vendor": {"na', "2:13: not a JSON report: Unterminated string starting at"),
        (b'{"report_version": 2, "vendor": "\xff"}', "1:34: not UTF-8 (byte 0xff): not a provcheck JSON report"),
        (b"[1, 2]", "1:1: not a provcheck JSON report (expected an object, got an array)"),
        (b"[" * 100_000 + b"]" * 100_000, "not a provcheck JSON report: nested too deeply"),
        (b'{"vendor": {}}', "1:1: /: missing key 'report_version' (1, 2, 3 or 4): not a provcheck JSON report"),
        (b'{"report_version": 99}', "1:20: /report_version: 99 is not supported (expected 1, 2, 3 or 4)"),
        (b'{"report_version": true}', "1:20: /report_version: true is not supported (expected 1, 2, 3 or 4)"),
        (b'{"report_version": "2"}', "1:20: /report_version: '2' is not supported (expected 1, 2, 3 or 4)"),
    ],
)
def test_what_is_not_a_report_at_all(refused, tmp_path, content, line):
    result = refused(content)
    separator = ":" if line[0].isdigit() else ": "
    assert result.stderr == f"{tmp_path / 'bad.json'}{separator}{line}\n"


def test_a_byte_order_mark_is_not_a_problem(report, good, tmp_path):
    marked = tmp_path / "marked.json"
    marked.write_bytes(b"\xef\xbb\xbf" + json.dumps(report).encode("utf-8"))
    result = cli("diff", marked, good)
    assert result.returncode == 0, result.output


def test_a_report_broken_everywhere_lists_twenty_problems_and_a_count(report, refused, tmp_path):
    data = json.loads(json.dumps(report))
    for answer in data["answers"][:30]:
        answer["status"] = "maybe"
    result = refused(pretty(data))
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    assert lines[0] == f"{tmp_path / 'bad.json'}: 10 more problems not shown"
    assert all("expected one of 'answered', 'undisclosed', 'unanswered'; got 'maybe'" in line for line in lines[1:])


def test_every_bad_input_is_reported_at_once(report, tmp_path):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text('{"report_version": 7}', encoding="utf-8")
    two.write_text("{", encoding="utf-8")
    result = cli("compare", one, two, NORTHWIND, *BASE)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{one}:1:20: /report_version: 7 is not supported (expected 1, 2, 3 or 4)",
        f"{two}:1:2: not a JSON report: Expecting property name enclosed in double quotes",
    ]


def test_version_1_is_read_by_the_subset_compare_and_diff_use(tmp_path):
    old = json.loads((ARCHIVED / "v1-c11a153-tinyweights.json").read_text(encoding="utf-8"))
    old["something_only_v1_had"] = {"kept": True}  # other keys of a version 1 report are not checked
    del old["findings"]
    loose = tmp_path / "loose.json"
    loose.write_text(pretty(old), encoding="utf-8")
    assert cli("diff", loose, NORTHWIND, *BASE).returncode == 0
    answer = old["answers"][2]
    del answer["status"]
    old["answers"][2] = {"question_id": answer.pop("question_id"), **answer}  # first, so the object's brace is the one before it
    text = pretty(old)
    loose.write_text(text, encoding="utf-8")
    result = cli("diff", loose, NORTHWIND, *BASE)
    assert result.returncode == 2
    question = old["answers"][2]["question_id"]
    brace = text.rindex("{", 0, text.index(f'"question_id": "{question}"'))
    where = f"{text.count(chr(10), 0, brace) + 1}:{brace - text.rfind(chr(10), 0, brace)}"
    assert result.stderr == f"{loose}:{where}: /answers/2: missing key 'status'\n"


def test_a_report_too_large_to_be_one_is_not_read(tmp_path, monkeypatch):
    from provenance_cli.formats import report_check
    from provenance_cli.util.errors import InputError

    monkeypatch.setattr(report_check, "MAX_REPORT_BYTES", 1024)
    big = tmp_path / "big.json"
    big.write_text('{"report_version": 2, "pad": "' + "x" * 2000 + '"}', encoding="utf-8")
    with pytest.raises(InputError) as refused:
        report_check.read_report(big)
    assert [str(p) for p in refused.value.problems] == [f"{big}:1:1: file is {big.stat().st_size:,} bytes; the limit is 1,024 bytes"]


def test_every_readable_version_has_its_schema():
    from provenance_cli.formats.report_schema import READABLE_VERSIONS, REPORT_VERSION, readable_schema

    assert REPORT_VERSION in READABLE_VERSIONS
    for version in READABLE_VERSIONS:
        assert readable_schema(version)["properties"]["report_version"] == {"const": version}
    archived = {json.loads(p.read_text(encoding="utf-8"))["report_version"] for p in ARCHIVED.glob("*.json")}
    assert archived == set(READABLE_VERSIONS), "keep an archived report of every version compare and diff read"


def test_a_version_4_reference_that_points_nowhere_is_refused_at_its_place(report, refused, tmp_path):
    """Version 4 refers instead of repeating: a finding's trace index or an answer's question must exist, or nothing is read."""
    data = json.loads(json.dumps(report))
    entries = len(data["trace"])
    data["findings"][0]["trace"] = entries + 5
    question = data["answers"][1]["question_id"]
    del data["questions"][question]
    text = pretty(data)
    result = refused(text)
    bad = tmp_path / "bad.json"
    answer_at = text.index(f'"question_id": "{question}"') + len('"question_id": ')
    where = f"{text.count(chr(10), 0, answer_at) + 1}:{answer_at - text.rfind(chr(10), 0, answer_at)}"
    lines = result.stderr.splitlines()
    trace_at = place(text, f'"trace": {entries + 5}', at=len('"trace": '))
    assert f"{bad}:{trace_at}: /findings/0/trace: no trace entry {entries + 5} (the trace has {entries})" in lines
    assert f"{bad}:{where}: /answers/1/question_id: question '{question}' is not in /questions" in lines
