"""``provcheck compare`` and ``provcheck diff``: side by side, and what changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import REPO
from support.cli import CliResult, cli_env, run_cli
from support.markdown import check_markdown
from support.reports import AS_OF, XSS, example_paths, hostile_dossier

BASE = ["--as-of", AS_OF, "--no-screen", "--no-evidence", "--offline"]
EXAMPLES = example_paths()


def cli(*args: str) -> CliResult:
    return run_cli([*args, *BASE], REPO)


@pytest.fixture()
def kestrel() -> Path:
    return next(p for p in EXAMPLES if "kestrel" in p.name)


@pytest.fixture()
def worse(tmp_path: Path, kestrel: Path) -> Path:
    """The same vendor a year on: no account verification, longer retention."""
    text = kestrel.read_text(encoding="utf-8")
    text = text.replace("answer: payment_only", "answer: none", 1)
    text = re.sub(r"(retention.prompt_retention_days:\n\s+answer:) \d+", r"\1 400", text)
    path = tmp_path / "kestrel-later.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_compare_terminal_marks_differences():
    result = cli("compare", *map(str, EXAMPLES))
    assert result.returncode == 0, result.output
    assert "◆" in result.stdout
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "question / category" in line)
    for vendor in ("Aurora Models", "Kestrel AI", "Northwind Frontier", "Switchboard Router", "TinyWeights"):
        assert vendor in header, header
    # The title counts the answers that differ; exactly those question rows carry the marker (a row starts
    # with a question's text, which ends on a later line with "?").
    title = next(line for line in lines if "answers differ, marked ◆" in line)
    differ = int(re.search(r"\((\d+) answers differ", title).group(1))
    section = lines[next(i for i, line in enumerate(lines) if line.startswith("├")) :]
    marked = [line for line in section if line.startswith("│ ◆ │")]
    assert len(marked) == differ > 0
    # Questions by their text, answers by their labels: every example has a signed DPA (unmarked);
    # account verification differs (marked).
    assert next(line for line in lines if "│ Does the vendor sign a data processing" in line).startswith("│   │")
    assert next(line for line in lines if "│ How does the vendor verify who holds each" in line).startswith("│ ◆ │")
    from provenance_cli.formats.questionnaires import load_catalogue

    values = {c.value for q in load_catalogue().questions.values() for c in q.choices or [] if "_" in c.value}
    assert not [v for v in values if v in result.stdout], "answers are shown by their labels"
    assert "retention.dpa_available" not in result.stdout


def test_compare_fits_80_columns_by_wrapping_never_cutting():
    """At 80 columns the comparison becomes one block per question: every line fits, nothing ends in an ellipsis."""
    result = run_cli(["compare", *map(str, EXAMPLES), *BASE], REPO, env=cli_env(columns=80))
    assert result.returncode == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert "…" not in result.stdout
    # The longest question text is there whole, across wrapped lines that keep their indent.
    from provenance_cli.formats.questionnaires import load_catalogue

    longest = max((" ".join(q.text.split()) for q in load_catalogue().questions.values()), key=len)
    flowing = " ".join(line.strip() for line in lines)
    assert longest in flowing
    block = next(i for i, line in enumerate(lines) if longest.split()[0] in line and longest.split()[1] in line)
    assert all(line.startswith("  ") for line in lines[block + 1 : block + 3]), lines[block : block + 3]
    for vendor in ("Aurora Models", "Kestrel AI", "Northwind Frontier", "Switchboard Router", "TinyWeights"):
        assert f"  {vendor}: " in result.stdout


def test_compare_markdown_has_vendor_columns_and_markers():
    result = cli("compare", *map(str, EXAMPLES), "-f", "md")
    assert result.returncode == 0, result.output
    check_markdown(result.stdout)
    header = next(line for line in result.stdout.splitlines() if line.startswith("| Question |"))
    assert header.count("|") == len(EXAMPLES) + 2
    assert "◆ differs" in result.stdout  # marker and word, not colour


def test_compare_html_marks_with_symbol_and_word(tmp_path: Path):
    out = tmp_path / "compare.html"
    result = cli("compare", *map(str, EXAMPLES[:3]), "-f", "html", "-o", str(out))
    assert result.returncode == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert 'class="differs"' in html and "◆" in html and "<span>differs</span>" in html
    assert "default-src 'none'" in html and "<script" not in html


def test_compare_accepts_json_reports_and_hostile_text(tmp_path: Path):
    hostile = hostile_dossier(tmp_path)
    report = tmp_path / "hostile.json"
    assert cli("assess", str(hostile), "-f", "json", "-o", str(report)).returncode == 0
    md = cli("compare", str(report), str(EXAMPLES[0]), "-f", "md")
    assert md.returncode == 0, md.output
    check_markdown(md.stdout)
    html = cli("compare", str(report), str(EXAMPLES[0]), "-f", "html")
    assert "<script>" not in html.stdout and "&lt;script&gt;" in html.stdout
    assert XSS[:5] not in html.stdout


def test_compare_needs_two():
    assert cli("compare", str(EXAMPLES[0])).returncode == 2


def test_diff_reports_changes_and_gates(kestrel: Path, worse: Path):
    result = cli("diff", str(kestrel), str(worse), "-f", "json", "--fail-on-worse")
    assert result.returncode == 1
    changes = json.loads(result.stdout)
    changed = {a["question_id"]: (a["old"], a["new"]) for a in changes["answers_changed"]}
    assert changed["extraction.account_verification"] == ("payment_only", "none")
    assert changed["retention.prompt_retention_days"][1] == "400 days"
    started = {r["rule_id"] for r in changes["rules_started"]}
    assert "EXT-03" in started
    assert changes["overall"]["delta"] > 0 and changes["worse"] is True
    assert {c["id"] for c in changes["categories"]} >= {"extraction", "retention"}
    # the other way round risk went down: no gate, and rules stopped firing
    back = cli("diff", str(worse), str(kestrel), "-f", "json", "--fail-on-worse")
    assert back.returncode == 0, back.output
    assert "EXT-03" in {r["rule_id"] for r in json.loads(back.stdout)["rules_stopped"]}


def test_diff_without_gate_exits_zero(kestrel: Path, worse: Path):
    result = cli("diff", str(kestrel), str(worse))
    assert result.returncode == 0
    assert "risk went UP" in result.stdout
    lines = result.stdout.splitlines()
    at = lines.index("  How does the vendor verify who holds each API account?")
    assert lines[at + 1] == "      A payment card or billing address only -> No verification beyond an e-mail address"
    assert "payment_only" not in result.stdout and "extraction.account_verification" not in result.stdout


def test_diff_of_json_reports_matches_diff_of_dossiers(tmp_path: Path, kestrel: Path, worse: Path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert cli("assess", str(kestrel), "-f", "json", "-o", str(old)).returncode == 0
    assert cli("assess", str(worse), "-f", "json", "-o", str(new)).returncode == 0
    from_reports = json.loads(cli("diff", str(old), str(new), "-f", "json").stdout)
    from_dossiers = json.loads(cli("diff", str(kestrel), str(worse), "-f", "json").stdout)
    assert from_reports == from_dossiers
    mixed = cli("diff", str(old), str(worse), "-f", "md", "--fail-on-worse")
    assert mixed.returncode == 1
    check_markdown(mixed.stdout)
    assert "Risk went up" in mixed.stdout


def test_diff_tier_up_counts_as_worse():
    from provenance_cli.render.diff import diff_documents

    def doc(overall: float, tier: str) -> dict:
        return {
            "vendor": {"name": "A"},
            "summary": {"overall": overall, "tier": tier},
            "categories": [],
            "trace": [],
            "answers": [],
        }

    assert diff_documents(doc(40, "medium"), doc(39, "critical"))["worse"] is True
    assert diff_documents(doc(40, "medium"), doc(40, "medium"))["worse"] is False
    assert diff_documents(doc(40, "high"), doc(30, "medium"))["tier"]["moved"] == "down"


def test_diff_refuses_what_is_not_a_report(tmp_path: Path, kestrel: Path):
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"report_version": 99}', encoding="utf-8")
    result = cli("diff", str(bogus), str(kestrel))
    assert result.returncode != 0
    assert "report_version" in result.stderr
