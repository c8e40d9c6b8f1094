"""Date triggers in questionnaire data: checked when questionnaires load, fired by assess with their dates in words."""

from __future__ import annotations

import pytest
from support import EXAMPLES
from test_rules import HEAD

TRIGGER_HEAD = HEAD.replace(
    "rules:\n",
    """  - id: demo.restored_on
    text: From what date is access expected back?
    help: A restoration date sets the continuity plan.
    type: date
rules: []
triggers:
""",
)
T = TRIGGER_HEAD.count("\n")
"""Lines before the first trigger: its id is on line T + 1."""


def trigger(
    kind: str, *, question: str | None = "demo.restored_on", days: int | None = None, trigger_id: str = "DEM-T1", severity: str = "low"
) -> str:
    lines = [f"  - id: {trigger_id}", "    version: 1", f"    kind: {kind}"]
    if question:
        lines.append(f"    question: {question}")
    if days is not None:
        lines.append(f"    days: {days}")
    lines += [f"    severity: {severity}", "    message: A date passed.", "    recommendation: Look again.", ""]
    return "\n".join(lines)


CASES = [
    (
        trigger("date_reached", question="demo.retention_days"),
        T + 4,
        "trigger DEM-T1: date_reached reads a date, but demo.retention_days is a number question",
    ),
    (trigger("date_reached", question="other.when"), T + 4, "trigger DEM-T1 watches 'other.when', which is not a question of 'demo'"),
    (trigger("date_reached", question=None), T + 3, "trigger DEM-T1: date_reached needs the date question it watches"),
    (trigger("date_older_than"), T + 3, "trigger DEM-T1: date_older_than needs 'days', the age limit"),
    (trigger("list_newer", days=3), T + 5, "trigger DEM-T1: 'days' does not apply to list_newer"),
    (trigger("date_reached", severity="high"), T + 5, "triggers.0.severity"),
    (trigger("when_i_feel_like_it"), T + 3, "triggers.0.kind"),
    (trigger("date_reached") + trigger("date_reached"), T + 8, "trigger id 'DEM-T1' is already used"),
]


@pytest.mark.parametrize(("triggers", "line", "message"), CASES, ids=[m[:40] for _, _, m in CASES])
def test_bad_trigger_is_refused_with_its_location(cli, write, triggers: str, line: int, message: str) -> None:
    write("demo.yaml", TRIGGER_HEAD + triggers)
    result = cli("validate", "demo.yaml")
    assert result.returncode == 2, result.output
    assert any(out.startswith(f"demo.yaml:{line}:") and message in out for out in result.lines), (message, result.output)


def test_good_triggers_load_and_a_questionnaire_without_triggers_still_does(cli, write) -> None:
    good = (
        trigger("date_reached", days=30)
        + trigger("answer_older_than", question=None, trigger_id="DEM-T2")
        + trigger("list_newer", trigger_id="DEM-T3")
    )
    write("demo.yaml", TRIGGER_HEAD + good)
    assert cli("validate", "demo.yaml").returncode == 0
    write("old.yaml", HEAD.replace("rules:\n", "rules: []\n"))
    assert cli("validate", "old.yaml").returncode == 0


def _assess(cli, *args: str) -> dict:
    done = cli("assess", str(EXAMPLES / "aurora-models.yaml"), "--no-screen", *args, "-f", "json")
    assert done.returncode == 0, done.output
    return done.report()


def _trace(report: dict, rule_id: str) -> dict | None:
    return next((t for t in report["trace"] if t["rule_id"] == rule_id), None)


def test_a_restoration_date_in_the_past_fires_in_assess(cli) -> None:
    before = _assess(cli, "--as-of", "2026-07-07")
    assert _trace(before, "EXP-T01") is None  # Aurora expects access back on 2026-07-08
    after = _assess(cli, "--as-of", "2026-07-20")
    fired = _trace(after, "EXP-T01")
    assert fired is not None, after["trace"]
    assert fired["answer"] == "export_control.restoration_date is 2026-07-08, 12 days before 2026-07-20"
    assert fired["severity"] == "medium" and fired["contribution"] == 0
    finding = next(f for f in after["findings"] if f["rule_id"] == "EXP-T01")
    assert "Ask the vendor whether access was restored" in finding["recommendation"]
    assert [(a["owner"], a["type"]) for a in finding["actions"]] == [("vendor", "ask"), ("procurement", "review")]
    assert after["summary"]["overall"] == before["summary"]["overall"]  # a passing date adds no points
    text = cli("assess", str(EXAMPLES / "aurora-models.yaml"), "--no-screen", "--as-of", "2026-07-20")
    assert "Date triggers fired" in text.stdout and "EXP-T01" in text.stdout and "2026-07-08, 12 days before 2026-07-20" in text.stdout


def test_a_renewal_fires_ahead_and_the_last_screen_ages(cli) -> None:
    report = _assess(cli, "--as-of", "2026-12-15")
    renewal = _trace(report, "POR-T01")
    assert (
        renewal is not None
        and renewal["answer"] == "portability.contract_renewal_date is 2027-01-31, in 47 days (the trigger fires 60 days ahead)"
    )
    screen = _trace(report, "EXP-T03")
    assert (
        screen is not None and screen["answer"] == "export_control.last_screened is 2026-07-03, 165 days before 2026-12-15 (limit 90 days)"
    )
    early = _assess(cli, "--as-of", "2026-07-10")
    assert _trace(early, "POR-T01") is None and _trace(early, "EXP-T03") is None


def test_policy_disables_waives_and_bounds_triggers(cli, write) -> None:
    write(
        "off.yaml",
        "policy: 2\nrule_overrides:\n  - rule: EXP-T01\n    disabled: true\n    reason: Tracked in the continuity plan instead\n",
    )
    assert _trace(_assess(cli, "--as-of", "2026-07-20", "--policy", "off.yaml"), "EXP-T01") is None
    write(
        "waive.yaml",
        "policy: 2\nwaivers:\n  - rule: EXP-T01\n    vendor: Aurora Models\n    reason: Restoration confirmed by phone\n"
        "    approver: Dana Whitfield\n    expires: 2026-12-31\n",
    )
    waived = _trace(_assess(cli, "--as-of", "2026-07-20", "--policy", "waive.yaml"), "EXP-T01")
    assert waived is not None and waived["waiver"]["approver"] == "Dana Whitfield"
    write("high.yaml", "policy: 2\nrule_overrides:\n  - rule: EXP-T01\n    severity: high\n")
    refused = cli("validate", "high.yaml")
    assert refused.returncode == 2
    assert any("high.yaml:4:15: EXP-T01 is a date trigger: its severity is one of info, low, medium" in out for out in refused.lines), (
        refused.output
    )


def test_a_list_edition_newer_than_the_last_screen_fires(tmp_path) -> None:
    from datetime import date

    from provenance_cli.assessment.scoring import score_dossier
    from provenance_cli.assessment.triggers import list_editions
    from provenance_cli.formats.dossier import load_dossier
    from provenance_cli.formats.policy import load_policy
    from provenance_cli.formats.questionnaires import load_catalogue

    catalogue = load_catalogue()
    policy = load_policy(None, catalogue)
    dossier = load_dossier(EXAMPLES / "northwind-frontier.yaml", catalogue)  # last screened 2026-10-30
    editions = list_editions(
        [("UN Security Council Consolidated List", "2026-11-20T08:00:00"), ("Entity List (BIS)", "2026-06-05"), ("Undated", None)]
    )
    result = score_dossier(dossier, catalogue, policy, today=date(2026, 11, 25), list_editions=editions)
    fired = next(t for t in result.trace if t.rule_id == "EXP-T04")
    assert fired.answer == "newer than export_control.last_screened (2026-10-30): UN Security Council Consolidated List edition 2026-11-20"
    quiet = score_dossier(dossier, catalogue, policy, today=date(2026, 11, 25), list_editions=editions[1:])
    assert not any(t.rule_id == "EXP-T04" for t in quiet.trace)
