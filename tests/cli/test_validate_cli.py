"""``provcheck validate``: problems of meaning, folders, JSON output, exit codes.

Question ids are taken from the bundled catalogue by type, so the tests
follow the questionnaires as they change. Answers written with
``build.answer_block`` put the answer value at column 13 of the line after
the question id.
"""

from __future__ import annotations

import json
import shutil

import pytest
from support import REPO

from provenance_cli.formats.dossier import describe_condition

ANSWER_COLUMN = 13


def _answer_line(build, index: int = 0) -> int:
    """Line of the ``answer:`` value of the index-th two-line answer block."""
    return build.first_answer_line + 2 * index + 1


# --------------------------------------------------------------------------- answers


def test_unknown_question_id_suggests_the_closest(expect_invalid, build, question_of):
    real = question_of("single_choice").id
    prefix, slug = real.split(".", 1)
    typo = f"{prefix}.{slug[:2]}{slug[3:]}"  # drop one letter
    expect_invalid(
        "unknown.yaml",
        build.dossier(build.answer_block(typo, "undisclosed")),
        build.first_answer_line,
        3,
        f"unknown question id {typo!r} (did you mean {real!r}?)",
    )


def test_answer_outside_the_allowed_set_suggests_a_choice(expect_invalid, build, question_of):
    question = question_of("single_choice")
    values = [choice.value for choice in question.choices]
    good = max(values, key=len)
    typo = good[:-2] + good[-1] + good[-2]  # swap the last two letters
    expect_invalid(
        "choice.yaml",
        build.dossier(build.answer_block(question.id, typo)),
        _answer_line(build),
        ANSWER_COLUMN,
        f"{question.id}: {typo!r} is not an allowed answer; expected one of {', '.join([*values, 'undisclosed'])} (did you mean {good!r}?)",
    )


def test_yes_no_answer_outside_yes_no(expect_invalid, build, question_of):
    question = question_of("yes_no")
    expect_invalid(
        "yesno.yaml",
        build.dossier(build.answer_block(question.id, "maybe")),
        _answer_line(build),
        ANSWER_COLUMN,
        f"{question.id}: expected yes, no or undisclosed, got 'maybe'",
    )


def test_multiple_choice_option_outside_the_set(expect_invalid, build, question_of):
    question = question_of("multiple_choice")
    values = [choice.value for choice in question.choices]
    expect_invalid(
        "multi.yaml",
        build.dossier(build.answer_block(question.id, f"[{values[0]}X]")),
        _answer_line(build),
        ANSWER_COLUMN,
        f"{question.id}: '{values[0]}X' is not an option; expected one of {', '.join(values)} (did you mean {values[0]!r}?)",
    )


def test_list_for_a_yes_no_question(expect_invalid, build, question_of):
    question = question_of("yes_no")
    expect_invalid(
        "types.yaml",
        build.dossier(build.answer_block(question.id, "[yes, no]")),
        _answer_line(build),
        ANSWER_COLUMN,
        f"{question.id}: expected a single value for this yes/no question, got a list",
    )


def test_text_for_a_number_question(expect_invalid, build, question_of):
    question = question_of("number")
    expect_invalid(
        "types.yaml",
        build.dossier(build.answer_block(question.id, "lots")),
        _answer_line(build),
        ANSWER_COLUMN,
        f"{question.id}: expected a number of {question.unit} or 'undisclosed', got 'lots'",
    )


def test_single_value_where_a_list_is_expected(expect_invalid, build, question_of):
    question = question_of("multiple_choice")
    expect_invalid(
        "types.yaml",
        build.dossier(build.answer_block(question.id, question.choices[0].value)),
        _answer_line(build),
        ANSWER_COLUMN,
        f"{question.id}: expected a list of options or 'undisclosed', got {question.choices[0].value!r}",
    )


def test_mapping_where_evidence_list_is_expected(expect_invalid, build, question_of):
    question = question_of("yes_no")
    extra = "    evidence: {url: https://example.com, kind: public_document}\n"
    expect_invalid(
        "types.yaml",
        build.dossier(build.answer_block(question.id, "yes", extra)),
        _answer_line(build) + 1,
        15,
        f"answers.{question.id}.evidence: expected a list, found a mapping",
    )


def test_mapping_as_an_answer_is_one_clear_problem(expect_invalid, build, question_of):
    question = question_of("multiple_choice")
    result = expect_invalid(
        "types.yaml",
        build.dossier(build.answer_block(question.id, "{a: b}")),
        _answer_line(build),
        ANSWER_COLUMN,
        f"answers.{question.id}.answer: expected text or a list, found a mapping",
    )
    assert result.stdout.count("types.yaml:") == 1, result.stdout


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13-01", "'2026-13-01' is not a real calendar date (expected YYYY-MM-DD)"),
        ("2026-02-30", "'2026-02-30' is not a real calendar date (expected YYYY-MM-DD)"),
        ("01/06/2026", "expected a date as YYYY-MM-DD, got '01/06/2026'"),
        ("2026-6-1", "expected a date as YYYY-MM-DD, got '2026-6-1'"),
        ("2026-06-01T10:00:00", "expected a date as YYYY-MM-DD, got '2026-06-01T10:00:00'"),
    ],
)
def test_malformed_date_answer(expect_invalid, build, question_of, value, message):
    question = question_of("date")
    expect_invalid(
        "dates.yaml",
        build.dossier(build.answer_block(question.id, value)),
        _answer_line(build),
        ANSWER_COLUMN,
        f"{question.id}: {message}",
    )


def test_malformed_assessment_date(expect_invalid, build):
    expect_invalid(
        "dates.yaml",
        build.dossier().replace("date: 2026-07-01", "date: 01/06/2026"),
        7,
        9,
        "assessment.date: expected a date as YYYY-MM-DD, got '01/06/2026'",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "ftp://example.com/x",
            "expected an http:// or https:// URL with a host, got 'ftp://example.com/x'",
        ),
        (
            "javascript:alert(1)",
            "expected an http:// or https:// URL with a host, got 'javascript:alert(1)'",
        ),
        ("https://", "expected an http:// or https:// URL with a host, got 'https://'"),
        (
            "http:///path/only",
            "expected an http:// or https:// URL with a host, got 'http:///path/only'",
        ),
        (
            "example.com/policy",
            "expected an http:// or https:// URL with a host, got 'example.com/policy'",
        ),
        ('"https://exa mple.com/a b"', "URL 'https://exa mple.com/a b' contains whitespace"),
    ],
    ids=["ftp", "javascript", "no-host", "empty-host", "no-scheme", "spaces"],
)
def test_malformed_evidence_url(expect_invalid, build, question_of, url, message):
    question = question_of("yes_no")
    extra = f"    evidence:\n      - url: {url}\n        kind: public_document\n"
    expect_invalid(
        "urls.yaml",
        build.dossier(build.answer_block(question.id, "yes", extra)),
        _answer_line(build) + 2,
        14,
        f"answers.{question.id}.evidence.0.url: {message}",
    )


def test_malformed_vendor_website(expect_invalid, build):
    text = build.dossier().replace("vendor:\n", "vendor:\n  website: javascript:alert(1)\n")
    expect_invalid(
        "site.yaml",
        text,
        3,
        12,
        "vendor.website: expected an http:// or https:// URL with a host, got 'javascript:alert(1)'",
    )


def test_unknown_key_inside_an_answer_suggests_evidence(expect_invalid, build, question_of):
    question = question_of("yes_no")
    expect_invalid(
        "typo.yaml",
        build.dossier(build.answer_block(question.id, "yes", "    evidnce: []\n")),
        _answer_line(build) + 1,
        5,
        "unknown key 'evidnce' (did you mean 'evidence'?)",
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "message"),
    [
        ("vendor:\n", "vendr:\n", 2, 1, "unknown key 'vendr' (did you mean 'vendor'?)"),
        (
            "  legal_name:",
            "  legl_name:",
            4,
            3,
            "unknown key 'legl_name' (did you mean 'legal_name'?)",
        ),
        ("  assessor:", "  asessor:", 6, 3, "unknown key 'asessor' (did you mean 'assessor'?)"),
    ],
)
def test_unknown_key_typo_elsewhere(expect_invalid, build, old, new, line, column, message):
    expect_invalid("typo.yaml", build.dossier().replace(old, new), line, column, message)


def test_missing_required_key(expect_invalid, build):
    text = build.dossier().replace("  legal_name: Acme AI, Inc.\n", "")
    expect_invalid("missing.yaml", text, 3, 3, "missing required key 'legal_name'")


def test_wrong_format_version(expect_invalid, build):
    text = build.dossier().replace("provcheck: 2", "provcheck: 3")
    expect_invalid("v3.yaml", text, 1, 12, "provcheck: this provcheck reads format version 1 or 2, got '3'")


def _conditional_case(catalogue):
    """A question whose applies_if names a choice/yes-no answer, and an answer that fails it."""
    for question in catalogue.questions.values():
        condition = question.applies_if
        if not condition or set(condition) != {"answer", "in"}:
            continue
        earlier = catalogue.questions[condition["answer"]]
        if earlier.type == "yes_no":
            options = ["yes", "no"]
        elif earlier.type == "single_choice":
            options = [choice.value for choice in earlier.choices]
        else:
            continue
        failing = [o for o in options if o not in condition["in"]]
        passing = [o for o in options if o in condition["in"]]
        if failing and passing:
            return question, earlier, failing[0], passing[0]
    pytest.skip("no bundled question has a simple applies_if over a choice answer")


def test_answer_to_a_question_that_does_not_apply(expect_invalid, build, catalogue):
    question, earlier, failing, _ = _conditional_case(catalogue)
    text = build.dossier(
        build.answer_block(earlier.id, failing),
        build.answer_block(question.id, build.valid_answer(question)),
    )
    # The condition is {answer: <earlier>, in: [...]}, written out by hand here
    # rather than by describe_condition, which produces the message under test.
    allowed = ", ".join(question.applies_if["in"])
    expect_invalid(
        "applies.yaml",
        text,
        _answer_line(build, 1),
        ANSWER_COLUMN,
        f"{question.id} applies only when {earlier.id} in {allowed}; remove this answer or correct the earlier one",
    )
    assert describe_condition(question.applies_if) == f"{earlier.id} in {allowed}"


def test_answer_to_a_question_that_applies_is_accepted(cli, write, build, catalogue):
    question, earlier, _, passing = _conditional_case(catalogue)
    text = build.dossier(
        build.answer_block(earlier.id, passing),
        build.answer_block(question.id, build.valid_answer(question)),
    )
    write("applies.yaml", text)
    result = cli("validate", "applies.yaml")
    assert result.returncode == 0, result.output


def test_every_question_accepts_a_typed_answer_and_undisclosed(cli, write, build, catalogue):
    blocks = [build.answer_block(q.id, build.valid_answer(q)) for q in catalogue.questions.values() if q.applies_if is None]
    write("typed.yaml", build.dossier(*blocks))
    undisclosed = [build.answer_block(q.id, "undisclosed") for q in catalogue.questions.values() if q.applies_if is None]
    write("undisclosed.yaml", build.dossier(*undisclosed))
    result = cli("validate", "typed.yaml", "undisclosed.yaml")
    assert result.returncode == 0, result.output
    assert "2 of 2 files valid" in result.stderr


def test_all_problems_of_a_file_are_reported_together(cli, write, build, question_of):
    yes_no, number = question_of("yes_no"), question_of("number")
    text = build.dossier(build.answer_block(yes_no.id, "maybe"), build.answer_block(number.id, "lots")).replace(
        "date: 2026-07-01", "date: 2026-13-01"
    )
    write("many.yaml", text)
    result = cli("validate", "many.yaml")
    assert result.returncode == 2
    located = [line for line in result.stdout.splitlines() if line.startswith("many.yaml:")]
    assert [line.split(": ", 1)[0] for line in located] == [
        "many.yaml:7:9",
        f"many.yaml:{_answer_line(build)}:{ANSWER_COLUMN}",
        f"many.yaml:{_answer_line(build, 1)}:{ANSWER_COLUMN}",
    ]
    assert "0 of 1 file valid; 3 problem(s)" in result.stderr


# --------------------------------------------------------------------------- files and folders


def test_valid_file_exits_zero(cli, write, build):
    write("ok.yaml", build.dossier())
    result = cli("validate", "ok.yaml")
    assert result.returncode == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == "1 of 1 file valid"


def test_folder_is_searched_recursively(cli, write, build):
    write("vendors/a.yaml", build.dossier())
    write("vendors/deep/b.yml", build.dossier())
    write("vendors/.hidden/broken.yaml", "not: [valid\n")
    write("vendors/a.evidence.lock.yaml", "anything: [\n")
    write("vendors/notes.txt", "ignored")
    result = cli("validate", "vendors")
    assert result.returncode == 0, result.output
    assert result.stderr.strip() == "2 of 2 files valid"


def test_folder_with_a_bad_file_exits_two(cli, write, build):
    write("vendors/a.yaml", build.dossier())
    write("vendors/b.yaml", "provcheck: 1\nvendor: [\n")
    result = cli("validate", "vendors")
    assert result.returncode == 2
    assert any(line.startswith("vendors/b.yaml:3:1: YAML syntax error") for line in result.lines)
    assert "1 of 2 files valid; 1 problem(s)" in result.stderr


def test_several_files_each_reported(cli, write, build):
    write("one.yaml", build.dossier())
    write("two.yaml", "[]\n")
    write("three.yaml", "")
    result = cli("validate", "one.yaml", "two.yaml", "three.yaml")
    assert result.returncode == 2
    assert "two.yaml:1:1: top level must be a mapping of keys to values, found a list" in result.lines
    assert "three.yaml:1:1: file is empty; expected a YAML mapping" in result.lines
    assert "1 of 3 files valid; 2 problem(s)" in result.stderr


def test_missing_path_exits_two(cli, write, build):
    write("ok.yaml", build.dossier())
    result = cli("validate", "ok.yaml", "nope.yaml")
    assert result.returncode == 2
    assert "nope.yaml: no such file or folder" in result.lines


def test_empty_folder_exits_two(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("validate", "empty")
    assert result.returncode == 2
    assert "empty: folder holds no .yaml or .yml files" in result.lines


def test_json_output(cli, write, build, question_of):
    question = question_of("yes_no")
    write("good.yaml", build.dossier())
    write("bad.yaml", build.dossier(build.answer_block(question.id, "maybe")))
    result = cli("validate", "--format", "json", "good.yaml", "bad.yaml", "gone.yaml")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert set(report) == {"valid", "files", "errors"}
    assert report["valid"] is False
    assert report["errors"] == [{"file": "gone.yaml", "line": 0, "column": 0, "message": "no such file or folder"}]
    files = {entry["file"]: entry for entry in report["files"]}
    assert files["good.yaml"] == {
        "file": "good.yaml",
        "kind": "dossier",
        "format_version": 2,
        "valid": True,
        "problems": [],
        "notes": [],
    }
    assert files["bad.yaml"]["valid"] is False
    assert files["bad.yaml"]["problems"] == [
        {
            "file": "bad.yaml",
            "line": _answer_line(build),
            "column": ANSWER_COLUMN,
            "message": f"{question.id}: expected yes, no or undisclosed, got 'maybe'",
        }
    ]


def test_json_output_all_valid(cli, write, build):
    write("good.yaml", build.dossier())
    result = cli("validate", "-f", "json", "good.yaml")
    assert result.returncode == 0
    assert json.loads(result.stdout)["valid"] is True


def test_unknown_output_format_exits_two(cli, write, build):
    write("good.yaml", build.dossier())
    result = cli("validate", "--format", "xml", "good.yaml")
    assert result.returncode == 2
    assert "provcheck: error: unknown format 'xml'; expected one of text, json" in result.lines


def test_bundled_questionnaires_validate(cli, tmp_path):
    shutil.copytree(REPO / "questionnaires", tmp_path / "questionnaires")
    result = cli("validate", "questionnaires")
    assert result.returncode == 0, result.output


EXAMPLE_DOSSIERS = ["aurora-models", "kestrel-ai", "northwind-frontier", "switchboard-router", "tinyweights-host"]


def test_examples_validate(cli):
    # The README and the scoring, report and compare tests rely on these examples:
    # a missing one is a failure, never a skip.
    examples = REPO / "examples"
    present = sorted(p.stem for p in examples.glob("*.yaml"))
    assert set(EXAMPLE_DOSSIERS) <= set(present), present
    policies = sorted(p.stem for p in (examples / "policies").glob("*.yaml"))
    assert {"dod-contractor", "eu-market-buyer"} <= set(policies), policies
    organisation = sorted(p.stem for p in (examples / "organisation").glob("*.yaml"))
    assert organisation == ["ai-governance", "frameworks"], organisation
    files = len(present) + len(policies) + len(organisation)
    result = cli("validate", "examples", cwd=REPO)
    assert result.returncode == 0, result.output
    assert result.stderr.strip() == f"{files} of {files} files valid"
