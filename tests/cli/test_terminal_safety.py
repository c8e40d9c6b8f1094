"""Terminal safety: nothing a dossier, a list or a file name says acts on the terminal.

Escape sequences (OSC set-title, SGR colours, erase line), C1 controls,
BEL, backspace, carriage return, bidi overrides and isolates and zero-width
characters reach every terminal view, on stdout and stderr, written as
visible escapes (``\\x1b``, ``\\u202e``...). Each view is run through the
real command line; the exit code, the escaped text and the absence of every
raw control character are checked together.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import yaml
from support import REPO
from support.cli import CliResult, cli_env, run_cli
from support.screening import CSL
from support.synthetic import dossier_data

from provenance_cli.formats.questionnaires import load_catalogue

PAYLOAD = (
    "Evil\x1b]0;pwned\x07 \x1b[31mred\x1b[0m \x1b[2K\rerased \x9b31mC1 bell\x07 back\x08\x08space "
    "\u202eright-to-left\u202c \u2066isolate\u2069 \u2067rtl\u2069 \u2068first\u2069 zero\u200bwidth"
)
"""What a hostile vendor name looks like: every kind of character that acts on a terminal or hides text."""
SHOWN = (
    "Evil\\x1b]0;pwned\\x07 \\x1b[31mred\\x1b[0m \\x1b[2K\\rerased \\x9b31mC1 bell\\x07 back\\x08\\x08space "
    "\\u202eright-to-left\\u202c \\u2066isolate\\u2069 \\u2067rtl\\u2069 \\u2068first\\u2069 zero\\u200bwidth"
)
"""The same name as the terminal must show it."""
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Characters that must never reach the terminal raw (newline and tab are the views' own)."""
BASE = ["--as-of", "2026-09-01", "--no-evidence", "--offline"]
EVIL_FILE = "evil\x1b]0;t\x07\u202e.yaml"
EVIL_FILE_SHOWN = "evil\\x1b]0;t\\x07\\u202e.yaml"


def hostile(folder: Path, name: str = "hostile.yaml", *, seed: int = 3, payload: str = PAYLOAD, only_name: bool = False) -> Path:
    """A valid dossier whose vendor name, legal name, aliases, text answers and notes all carry ``payload`` (or its name only)."""
    catalogue = load_catalogue()
    data = dossier_data(catalogue, random.Random(seed), seed)
    data["vendor"]["name"] = payload
    for question_id, question in catalogue.questions.items():
        entry = data["answers"].get(question_id)
        if entry is None:
            continue
        entry.pop("evidence", None)
        if not only_name:
            entry["note"] = payload
            if question.type == "text":
                entry["answer"] = payload
    if not only_name:
        data["vendor"]["legal_name"] = f"Legal {payload}"
        data["vendor"]["aliases"] = [payload]
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def assert_inert(result: CliResult) -> None:
    """No raw control, bidi or zero-width character anywhere on stdout or stderr."""
    found = RAW.search(result.output)
    assert found is None, (repr(found.group()) if found else None, result.output[:2000])


def run(args: list[str | Path], cwd: Path, **env: str) -> CliResult:
    result = run_cli(args, cwd, env=cli_env(**env) if env else None)
    assert_inert(result)
    return result


def test_assess_views_show_escapes(tmp_path: Path) -> None:
    hostile(tmp_path)
    one = run(["assess", "hostile.yaml", "--no-screen", *BASE], tmp_path)
    assert one.returncode == 0, one.output
    assert one.stdout.splitlines()[1].startswith(f"{SHOWN}  (")  # the vendor, then its legal name
    assert any(line.startswith("Decision: ") and "  tier " in line for line in one.stdout.splitlines())
    with_questions = run(["assess", "hostile.yaml", "--questions", "--no-screen", *BASE], tmp_path, COLUMNS="400")
    assert with_questions.returncode == 0 and f"Questions for {SHOWN}" in with_questions.stdout
    hostile(tmp_path, "second.yaml", seed=4)
    summary = run(["assess", "hostile.yaml", "second.yaml", "--no-screen", *BASE], tmp_path, COLUMNS="400")
    assert summary.returncode == 0, summary.output
    rows = [row for row in summary.stdout.splitlines() if row.startswith("│ Evil")]
    assert len(rows) == 2 and all(row.startswith(f"│ {SHOWN} │") for row in rows), summary.stdout


def test_warnings_and_file_names_on_stderr_are_escaped(tmp_path: Path) -> None:
    hostile(tmp_path, EVIL_FILE)
    # Screening with no list cached: one warning, scoped by the file name.
    screened = run(["assess", EVIL_FILE, *BASE], tmp_path, PROVCHECK_CACHE_DIR=str(tmp_path / "cache"))
    assert screened.returncode == 0, screened.output
    assert f"warning: {EVIL_FILE_SHOWN}: US Consolidated Screening List" in screened.stderr
    (tmp_path / "two\nlines.yaml").write_text("provcheck: 2\nvendor: [\n", encoding="utf-8")
    broken = run(["validate", EVIL_FILE, "two\nlines.yaml"], tmp_path)
    assert broken.returncode == 2
    # A newline in a file name cannot start a forged problem line.
    syntax = "YAML syntax error: did not find expected node content (while parsing a flow node)"
    assert broken.stdout.splitlines() == [f"two\\nlines.yaml:3:1: {syntax}"]
    problem = run(["assess", "two\nlines.yaml", "--no-screen", *BASE], tmp_path)
    assert problem.returncode == 2 and problem.stderr.startswith("two\\nlines.yaml:3:1: YAML syntax error")
    usage = run(["assess", EVIL_FILE, "--format", "\x1b[31mhtml"], tmp_path)
    assert usage.returncode == 2 and "provcheck: error: --format: unknown format '\\x1b[31mhtml'" in usage.stderr
    made = run(["init", "Acme", "-o", "new\x1b[2K.yaml"], tmp_path)
    # The first line says what was written (a second one may say where the editor header points: no schemas/ folder here).
    assert made.returncode == 0 and made.stderr.splitlines()[0] == "wrote new\\x1b[2K.yaml" and "\x1b" not in made.stderr


def test_questions_text_and_json(tmp_path: Path) -> None:
    hostile(tmp_path)
    text = run(["questions", "hostile.yaml"], tmp_path, COLUMNS="400")
    assert text.returncode == 0, text.output
    assert text.stdout.splitlines()[1].startswith(f"Questions for {SHOWN} (")
    as_json = run(["questions", "hostile.yaml", "-f", "json"], tmp_path)
    assert as_json.returncode == 0
    # JSON writes the same data, every such character as a \\u escape.
    assert json.loads(as_json.stdout)[0]["vendor"] == PAYLOAD
    assert "\\u202e" in as_json.stdout and "\\u001b" in as_json.stdout and "\\u009b" in as_json.stdout


def test_screen_and_lists_status(tmp_path: Path) -> None:
    hostile(tmp_path, EVIL_FILE)
    cache = tmp_path / "cache\x1b[41m"
    env = {"PROVCHECK_CACHE_DIR": str(cache)}
    updated = run(["lists", "update", "csl", "--url", str(CSL)], tmp_path, **env)
    assert updated.returncode == 0, updated.output
    screened = run(["screen", EVIL_FILE], tmp_path, COLUMNS="400", **env)
    assert screened.returncode == 0, screened.output
    assert f"{SHOWN} ({EVIL_FILE_SHOWN}): no matches" in screened.stdout
    status = run(["lists", "status"], tmp_path, COLUMNS="400", **env)
    assert status.returncode == 0
    assert f"Screening lists in {tmp_path}/cache\\x1b[41m/lists" in status.stdout


def test_compare_and_diff(tmp_path: Path) -> None:
    hostile(tmp_path)
    hostile(tmp_path, "later.yaml", seed=5)
    compared = run(["compare", "hostile.yaml", "later.yaml", "--no-screen", *BASE], tmp_path, COLUMNS="600")
    assert compared.returncode == 0, compared.output
    header = next(row for row in compared.stdout.splitlines() if "question / category" in row)
    assert header.count(SHOWN) == 2
    assert any(f"│ {SHOWN}" in row for row in compared.stdout.splitlines() if "text" in row or SHOWN in row)
    changed = run(["diff", "hostile.yaml", "later.yaml", "--no-screen", *BASE], tmp_path)
    assert changed.returncode == 0, changed.output
    assert changed.stdout.startswith(f"{SHOWN} (hostile.yaml, assessed ")
    assert f" -> {SHOWN} (later.yaml, assessed " in changed.stdout.splitlines()[0]


def test_evidence_check_title_and_notes(tmp_path: Path) -> None:
    hostile(tmp_path, EVIL_FILE)
    checked = run(["evidence", "check", EVIL_FILE], tmp_path, PROVCHECK_OFFLINE="")
    assert checked.returncode == 0, checked.output
    assert checked.stderr.strip() == f"{EVIL_FILE_SHOWN}: no evidence URLs cited"


def test_questionnaires_show_keeps_its_paragraphs() -> None:
    """Bundled text goes through the same function: its line breaks stay line breaks, nothing is shown as an escape."""
    questionnaire = load_catalogue().questionnaire("retention")
    shown = run(["questionnaires", "show", "retention"], REPO)
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == f"{questionnaire.title}  ({questionnaire.id} {questionnaire.version})"
    assert all(f"{question.id}  answered by " in shown.stdout for question in questionnaire.questions)
    assert "\\n" not in shown.stdout and "\\x" not in shown.stdout


# --------------------------------------------------------------------------- backslashes


def test_forty_thousand_backslashes_in_a_vendor_name(tmp_path: Path) -> None:
    """Rich's markup escaper and parser are quadratic on runs of backslashes; views take user data as Text, so this stays linear."""
    name = "\\" * 40_000
    hostile(tmp_path, payload=name, only_name=True)
    one = run(["assess", "hostile.yaml", "--no-screen", *BASE], tmp_path)
    assert one.returncode == 0, one.output
    # The name wraps over many lines; joined again it is exactly the name, followed by the legal name.
    joined = one.stdout.replace("\n", "")
    assert f"{name}  (" in joined and "\\" * 40_001 not in joined
    as_json = run(["assess", "hostile.yaml", "--no-screen", "-f", "json", *BASE], tmp_path)
    assert json.loads(as_json.stdout)["vendor"]["name"] == name
    questions = run(["questions", "hostile.yaml"], tmp_path)
    assert questions.returncode == 0 and f"Questions for {name} (" in questions.stdout.replace("\n", "")
