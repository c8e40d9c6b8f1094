"""``provcheck assess`` and ``provcheck questions`` as a CI job and a reviewer use them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import REPO

EXAMPLES = REPO / "examples"
HIGH = EXAMPLES / "kestrel-ai.yaml"
LOW = EXAMPLES / "northwind-frontier.yaml"
PINNED = ["--as-of", "2026-11-23", "--no-screen", "--no-evidence"]


def test_fail_on_high_trips_on_a_high_risk_dossier(cli) -> None:
    result = cli("assess", HIGH, "--fail-on", "high", *PINNED)
    assert result.returncode == 1, result.output
    assert "gate tripped: Kestrel AI is critical" in result.stderr


def test_fail_on_high_passes_a_low_risk_dossier_only_once_screened(cli) -> None:
    """Unscreened, even a low-risk vendor is not passed: "no match" without the required lists means nothing."""
    unscreened = cli("assess", LOW, "--fail-on", "high", *PINNED)
    assert unscreened.returncode == 1, unscreened.output
    assert "Northwind Frontier is incomplete" in unscreened.stderr
    assert "screening was switched off for this run (--no-screen)" in unscreened.stdout
    allowed = cli("assess", LOW, "--fail-on", "high", "--allow-incomplete", *PINNED)
    assert allowed.returncode == 0, allowed.output
    assert "tier LOW" in allowed.stdout


def test_bad_dossier_exits_2_even_with_a_gate(cli, write) -> None:
    write("broken.yaml", "provcheck: 1\nvendor: [\n")
    result = cli("assess", "broken.yaml", "--fail-on", "critical", *PINNED)
    assert result.returncode == 2
    assert any(line.startswith("broken.yaml:3:1: YAML syntax error") for line in result.lines), result.output


def test_missing_path_and_unknown_tier_are_usage_errors(cli) -> None:
    assert cli("assess", "nowhere.yaml", *PINNED).returncode == 2
    unknown = cli("assess", LOW, "--fail-on", "severe", *PINNED)
    assert unknown.returncode == 2
    assert "unknown tier or decision 'severe'" in unknown.stderr


def test_bad_as_of_date_is_a_usage_error(cli) -> None:
    result = cli("assess", LOW, "--as-of", "23/11/2026", "--no-screen")
    assert result.returncode == 2
    assert "--as-of" in result.stderr


def test_single_vendor_view_shows_what_a_reviewer_needs(cli) -> None:
    out = cli("assess", HIGH, *PINNED).stdout
    for expected in (
        "Kestrel AI",
        "tier CRITICAL",
        "overall",
        "Extraction and distillation detection",
        "confidence",
        "Findings by question",
        "→",
        "Stale answers",
        "Reassessment due",
    ):
        assert expected in out, expected
    # The decision and its reasons come first, before the category table.
    assert out.index("Decision: REJECT") < out.index("Extraction and distillation detection")
    assert out.index("The buyer keeps this vendor's outputs for training") < out.index("Findings by question")
    assert "\x1b[" not in out, "NO_COLOR and a pipe mean plain text"


def test_folder_gives_a_summary_sorted_by_risk(cli, tmp_path: Path) -> None:
    folder = tmp_path / "vendors"
    shutil.copytree(EXAMPLES, folder)
    result = cli("assess", folder, *PINNED)
    assert result.returncode == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    names = ("Kestrel AI", "Aurora Models", "Switchboard Router", "TinyWeights", "Northwind Frontier")
    order = [name for line in rows for name in names if name in line]
    assert order[0] == "Kestrel AI" and order[-1] in ("Northwind Frontier", "TinyWeights"), result.stdout


def test_fail_on_stale(cli) -> None:
    stale = cli("assess", HIGH, "--fail-on-stale", *PINNED)
    assert stale.returncode == 1
    assert "stale answer" in stale.stderr
    fresh = cli("assess", EXAMPLES / "aurora-models.yaml", "--fail-on-stale", "--as-of", "2026-07-10", "--no-screen", "--no-evidence")
    assert fresh.returncode == 0, fresh.output


@pytest.mark.parametrize("command", [("assess", "--questions"), ("questions",)])
def test_questions_for_the_vendor(cli, command) -> None:
    result = cli(*command, HIGH, "--as-of", "2026-11-23", *(("--no-screen", "--no-evidence") if command[0] == "assess" else ()))
    assert result.returncode == 0, result.output
    assert "Questions for Kestrel AI" in result.stdout
    assert "undisclosed" in result.stdout or "stale" in result.stdout


def test_questions_as_json(cli) -> None:
    import json

    result = cli("questions", HIGH, LOW, "--as-of", "2026-11-23", "-f", "json")
    data = json.loads(result.stdout)
    assert {v["vendor"] for v in data} == {"Kestrel AI", "Northwind Frontier"}
    kestrel = next(v for v in data if v["vendor"] == "Kestrel AI")
    assert kestrel["questions"] and all({"id", "why", "text"} <= set(q) for q in kestrel["questions"])


def test_a_tier_gate_trips_on_incomplete_unless_allowed(cli, tmp_path) -> None:
    """A vendor whose answer on training with other labs' outputs is undisclosed is not judged, so not passed.

    (Switchboard's auto router was the example once; since answers are per model, the routed models the
    buyer pins carry their upstreams' declarations, so a Northwind that keeps silent stands in.)
    """
    text = (REPO / "examples" / "northwind-frontier.yaml").read_text(encoding="utf-8")
    silent = text.replace(
        "  lineage.third_party_outputs_in_training:\n    answer: declared_none",
        "  lineage.third_party_outputs_in_training:\n    answer: undisclosed",
    )
    assert silent != text
    (tmp_path / "silent.yaml").write_text(silent, encoding="utf-8")
    silent_path = str(tmp_path / "silent.yaml")
    common = ("--as-of", "2026-11-15", "--no-evidence")
    report = json.loads(cli("assess", silent_path, "-f", "json", *common).stdout)
    assert report["decision"]["outcome"] == "incomplete"
    assert report["decision"]["open_questions"][0]["question"] == "lineage.third_party_outputs_in_training"
    gate = cli("assess", silent_path, "--fail-on", "critical", *common)
    assert gate.returncode == 1, gate.output
    assert "gate tripped: Northwind Frontier is incomplete (knock-out questions unanswered; --allow-incomplete lets it pass)" in gate.stderr
    allowed = cli("assess", silent_path, "--fail-on", "critical", "--allow-incomplete", *common)
    assert allowed.returncode == 0, allowed.output
    decision_gate = cli("assess", silent_path, "--fail-on", "reject", *common)
    assert decision_gate.returncode == 0, decision_gate.output
    incomplete_gate = cli("assess", silent_path, "--fail-on", "incomplete", *common)
    assert incomplete_gate.returncode == 1 and "Northwind Frontier: incomplete" in incomplete_gate.stderr


@pytest.mark.parametrize(("assessed", "as_of"), [("9999-12-30", "9999-12-31"), ("2026-08-20", "0001-01-01"), ("0001-01-01", "9999-12-31")])
def test_extreme_but_valid_dates_get_a_verdict(cli, tmp_path, assessed: str, as_of: str) -> None:
    """Valid input always gets a verdict: dates at the ends of the calendar never overflow."""
    path = tmp_path / "far.yaml"
    path.write_text(HIGH.read_text(encoding="utf-8").replace("  date: 2026-08-20", f"  date: {assessed}"), encoding="utf-8")
    result = cli("assess", path, "-f", "json", "--as-of", as_of, "--no-evidence")
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["decision"]["outcome"] == "reject"


def test_periods_over_a_hundred_years_are_refused_with_their_place(cli, write) -> None:
    write("policy.yaml", "policy: 2\nreassessment_days:\n  low: 99999999\nstaleness:\n  max_age_days: 40000\n")
    result = cli("validate", "policy.yaml")
    assert result.returncode == 2
    assert "policy.yaml:3:8: reassessment_days.low: input should be less than or equal to 36500, got '99999999'" in result.lines
    assert any(line.startswith("policy.yaml:5:17: staleness.max_age_days:") for line in result.lines), result.output


def test_terminal_wraps_with_indent_at_80_columns(tmp_path: Path) -> None:
    """At 80 columns every line fits, and a wrapped line continues under its text, never back at column 0."""
    from support.cli import cli_env, run_cli

    result = run_cli(["assess", str(HIGH), *PINNED], tmp_path, env=cli_env(columns=80))
    assert result.returncode == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert all(line == line.rstrip() for line in lines), "no trailing spaces"
    first = next(i for i, line in enumerate(lines) if line.startswith("  1. The buyer keeps this vendor's outputs"))
    assert lines[first + 1].startswith("     ") and lines[first + 1].strip(), lines[first : first + 3]
    finding = next(i for i, line in enumerate(lines) if line.startswith("  HIGH     +"))
    assert lines[finding + 1].startswith(" " * 17), lines[finding : finding + 2]  # under the message, not under HIGH
    action = next(
        i for i, line in enumerate(lines) if line.lstrip().startswith("→ ") and i + 1 < len(lines) and lines[i + 1].startswith(" " * 8)
    )
    assert len(lines[action]) - len(lines[action].lstrip()) == 6


def test_all_shows_every_finding(cli) -> None:
    short = cli("assess", HIGH, *PINNED).stdout
    every = cli("assess", HIGH, "--all", *PINNED).stdout
    heading = next(line for line in short.splitlines() if line.startswith("Findings by question"))
    shown, total = (int(n.strip(",")) for n in heading.split("(")[1].split()[0:3:2])
    assert shown == 8 < total and "--all shows all" in heading
    assert f"Findings by question ({total} of {total}" in every
    count = sum(
        1 for line in every.splitlines() if line.startswith("  ") and line.split()[0] in ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO")
    )
    assert count == total
    assert "Undisclosed by the vendor" in every and "Undisclosed by the vendor" not in short
    assert "--all lists them" in short
