"""Rules are refused at load time, with file:line:col, when they are unsafe or break monotonicity."""

from __future__ import annotations

import pytest

HEAD = """id: demo
version: 1.0.0
title: Demo
description: A questionnaire for rule tests.
questions:
  - id: demo.verification
    text: How are accounts verified?
    help: Verification makes mass extraction harder.
    type: single_choice
    choices:
      - {value: strong, label: Strong, risk: 0}
      - {value: partial, label: Partial, risk: 1}
      - {value: none, label: None, risk: 2}
  - id: demo.retention_days
    text: How long are prompts kept?
    help: Longer retention widens exposure.
    type: number
    unit: days
    risk_direction: higher
  - id: demo.measures
    text: Which measures are in place?
    help: Each protective measure lowers risk.
    type: multiple_choice
    choices:
      - {value: watermarking, label: Watermarking, risk: 0}
      - {value: resale, label: Resells outputs, risk: 2}
rules:
"""
H = HEAD.count("\n")
"""Lines before the first rule: its id is on line H + 1, its question on H + 3, its condition on H + 4."""


def rule(when: str, *, rule_id: str = "DEM-01", question: str = "demo.verification") -> str:
    return f"""  - id: {rule_id}
    version: 1
    question: {question}
    when: {when}
    points: 10
    severity: medium
    message: Something is risky.
    recommendation: Ask the vendor.
"""


CASES = [
    (
        rule("{answer: demo.verification, in: [partial]}"),
        H + 4,
        "rule DEM-01: fires for 'partial' (risk 1) but not for the riskier or equal 'none' (risk 2), 'undisclosed' (risk 2)",
    ),
    (rule("{not: {answer: demo.verification, in: [strong]}}"), H + 4, "rule DEM-01: 'not' is not supported"),
    (rule("{answer: demo.verfication, in: [none]}"), H + 4, "unknown question 'demo.verfication' (did you mean 'demo.verification'?)"),
    (
        rule("{answer: demo.retention_days, lte: 30}", question="demo.retention_days"),
        H + 4,
        "'lte' on demo.retention_days needs risk_direction: lower",
    ),
    (
        rule("{answer: demo.measures, contains_any: [watermarking]}", question="demo.measures"),
        H + 4,
        "contains_any may only name exposure options (risk > 0); 'watermarking' has risk 0",
    ),
    (rule("{answer: demo.verification, in: [none]}", question="other.question"), H + 3, "rule DEM-01 scores 'other.question'"),
    (
        rule("{answer: demo.verification, in: [none, undisclosed]}", question="demo.retention_days"),
        H + 4,
        "its condition never looks at its own question demo.retention_days",
    ),
    (rule("\"__import__('os').system('id')\""), H + 4, "rules.0.when: expected a mapping"),
    (rule("{answer: demo.verification, in: [none, undisclosed]}") * 2, H + 9, "rule id 'DEM-01' is already used"),
]


@pytest.mark.parametrize(("rules", "line", "message"), CASES, ids=[m[:40] for _, _, m in CASES])
def test_bad_rule_is_refused_with_its_location(cli, write, rules: str, line: int, message: str) -> None:
    write("demo.yaml", HEAD + rules)
    result = cli("validate", "demo.yaml")
    assert result.returncode == 2, result.output
    problems = [out for out in result.lines if out.startswith("demo.yaml:")]
    assert any(out.startswith(f"demo.yaml:{line}:") and message in out for out in problems), (message, result.output)


def test_monotone_rules_load(cli, write) -> None:
    good = (
        rule("{answer: demo.verification, in: [partial, none, undisclosed]}")
        + rule("{answer: demo.retention_days, gte: 30}", rule_id="DEM-02", question="demo.retention_days")
        + rule("{answer: demo.measures, lacks_any: [watermarking]}", rule_id="DEM-03", question="demo.measures")
        + rule(
            "{all: [{answer: demo.verification, in: [none, undisclosed]}, {vendor: headquarters, in: [XX]}]}",
            rule_id="DEM-04",
        )
    )
    write("demo.yaml", HEAD + good)
    result = cli("validate", "demo.yaml")
    assert result.returncode == 0, result.output


def test_applies_if_may_only_look_back(cli, write) -> None:
    text = HEAD.replace(
        "    type: single_choice\n",
        "    type: single_choice\n    applies_if: {answer: demo.retention_days, gte: 1}\n",
        1,
    )
    write("demo.yaml", text + rule("{answer: demo.verification, in: [none, undisclosed]}"))
    result = cli("validate", "demo.yaml")
    assert result.returncode == 2
    expected = "applies_if: unknown question 'demo.retention_days'"
    assert any(expected in out and "earlier questions" in out for out in result.lines), result.output


def severe_rule(severity: str, extra: str = "", *, rule_id: str = "DEM-09") -> str:
    """A rule of ``severity`` with optional knock-out lines; its severity is on line H + 7."""
    return f"""  - id: {rule_id}
    version: 1
    question: demo.verification
    when: {{answer: demo.verification, in: [none, undisclosed]}}
    points: 10
    severity: {severity}
{extra}    message: Something is very risky.
    recommendation: Stop.
"""


SEVERITY_CASES = [
    (severe_rule("critical"), H + 6, "rule DEM-09: severity critical needs a knock-out of at least that tier (knockout: critical)"),
    (severe_rule("high"), H + 6, "rule DEM-09: severity high needs a knock-out of at least that tier (knockout: high or critical)"),
    (severe_rule("critical", "    knockout: high\n"), H + 6, "severity critical needs a knock-out of at least that tier"),
    (severe_rule("high", "    knockout: none\n"), H + 7, "rule DEM-09: knockout: none needs a knockout_reason saying why"),
    (severe_rule("medium", "    knockout_reason: not a stop\n"), H + 7, "rule DEM-09: knockout_reason goes with knockout: none only"),
]


@pytest.mark.parametrize(("rules", "line", "message"), SEVERITY_CASES, ids=[m[:50] for _, _, m in SEVERITY_CASES])
def test_severity_and_knockout_must_agree(cli, write, rules: str, line: int, message: str) -> None:
    """A high or critical finding may never sit under a lower tier: refused at load time, with its line."""
    write("demo.yaml", HEAD + rules)
    result = cli("validate", "demo.yaml")
    assert result.returncode == 2, result.output
    assert "Traceback" not in result.output
    assert any(out.startswith(f"demo.yaml:{line}:") and message in out for out in result.lines), (message, result.output)


def test_severe_rules_with_matching_knockouts_or_reasons_load(cli, write) -> None:
    good = (
        severe_rule("critical", "    knockout: critical\n")
        + severe_rule("high", "    knockout: critical\n", rule_id="DEM-10")
        + severe_rule("high", "    knockout: none\n    knockout_reason: An allegation is not a finding.\n", rule_id="DEM-11")
        + rule(
            "{all: [{buyer: dod_contractor}, {engagement: data_classes, contains_any: [personal]}, "
            "{vendor: headquarters, in_list: embargoed}, {answer: demo.verification, in: [none, undisclosed]}]}",
            rule_id="DEM-12",
        )
    )
    write("demo.yaml", HEAD + good)
    result = cli("validate", "demo.yaml")
    assert result.returncode == 0, result.output


ATOM_CASES = [
    ("{all: [{buyer: dod_contracter}, {answer: demo.verification, in: [none]}]}", "(did you mean 'dod_contractor'?)"),
    ("{all: [{engagement: data_class, contains_any: [personal]}, {answer: demo.verification, in: [none]}]}", "unknown engagement fact"),
    ("{all: [{engagement: data_classes, contains_any: [persona]}, {answer: demo.verification, in: [none]}]}", "'persona' is not a value"),
    ("{all: [{vendor: headquarters, in_list: embargo}, {answer: demo.verification, in: [none]}]}", "unknown jurisdiction list 'embargo'"),
    ("{all: [{screening: {lists: [sdnn]}}, {answer: demo.verification, in: [none]}]}", "unknown list key 'sdnn' (did you mean 'sdn'?)"),
]


@pytest.mark.parametrize(("when", "message"), ATOM_CASES, ids=[m[:30] for _, m in ATOM_CASES])
def test_buyer_engagement_and_list_atoms_are_checked(cli, write, when: str, message: str) -> None:
    write("demo.yaml", HEAD + rule(when))
    result = cli("validate", "demo.yaml")
    assert result.returncode == 2, result.output
    assert any(out.startswith(f"demo.yaml:{H + 4}:") and message in out for out in result.lines), (message, result.output)


def test_a_policy_may_not_raise_a_rule_to_high_without_a_knockout(cli, write) -> None:
    write("policy.yaml", "policy: 2\nrule_overrides:\n  - rule: RET-01\n    severity: critical\n")
    result = cli("validate", "policy.yaml")
    assert result.returncode == 2, result.output
    expected = "policy.yaml:4:15: RET-01: severity critical needs a knock-out of at least that tier"
    assert any(out.startswith(expected) for out in result.lines), result.output
