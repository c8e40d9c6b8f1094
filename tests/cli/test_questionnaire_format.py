"""Questionnaire format 2: every recommendation has an owner and a type, contract clauses are named and defined.

Format 1 questionnaires (one ``recommendation`` text per rule) keep loading; the
new fields are refused there, and format 2 refuses the old shape, each with
file:line:col.
"""

from __future__ import annotations

import pytest

HEAD = """questionnaire: 2
id: demo
version: 1.0.0
title: Demo
description: A questionnaire for format tests.
questions:
  - id: demo.deletion
    text: Does the vendor delete data on request?
    help: Deletion limits what a breach can expose.
    type: yes_no
    risky_answer: no
    allegation: true
clauses:
  - id: deletion
    title: Deletion on request
    rationale: Limits what the vendor keeps.
rules:
  - id: DEM-01
    version: 1
    question: demo.deletion
    when: {answer: demo.deletion, in: [no, undisclosed]}
    points: 10
    severity: medium
    message: No deletion on request.
"""
R = HEAD.count("\n") + 1
"""The line of the first recommendation's first key."""

GOOD = """    recommendations:
      - text: Put deletion on request into the contract.
        owner: procurement
        type: contract_clause
        clause: deletion
      - text: Ask the vendor how backups are purged.
        owner: vendor
        type: ask
"""


def test_format_2_loads_with_owners_types_and_clauses(cli, write, tmp_path) -> None:
    write("demo.yaml", HEAD + GOOD)
    assert cli("validate", "demo.yaml").returncode == 0

    from pathlib import Path

    from provenance_cli.formats.questionnaires import build_catalogue

    catalogue = build_catalogue([Path(tmp_path / "demo.yaml")])
    assert catalogue.clauses["deletion"].title == "Deletion on request"
    (rule,) = catalogue.rules
    assert [(r.owner, r.type, r.clause) for r in rule.rule.recommendations] == [
        ("procurement", "contract_clause", "deletion"),
        ("vendor", "ask", None),
    ]
    assert catalogue.questions["demo.deletion"].allegation is True


CASES = [
    (
        GOOD.replace("owner: procurement", "owner: counsel"),
        R + 2,
        "owner: input should be 'vendor', 'procurement', 'legal', 'security' or 'engineering', got 'counsel'",
    ),
    (
        GOOD.replace("type: ask", "type: email"),
        R + 7,
        "type: input should be 'ask', 'contract_clause', 'review' or 'engineering_change', got 'email'",
    ),
    (GOOD.replace("        clause: deletion\n", ""), R + 3, "rule DEM-01: a contract_clause recommendation names its clause"),
    (GOOD.replace("clause: deletion", "clause: deleton"), R + 4, "rule DEM-01: unknown clause 'deleton' (did you mean 'deletion'?)"),
    (
        GOOD.replace("        type: ask\n", "        type: ask\n        clause: deletion\n"),
        R + 8,
        "rule DEM-01: only a contract_clause recommendation names a clause",
    ),
    ("    recommendation: Ask the vendor.\n", R, "rule DEM-01: format 2 lists 'recommendations' (text, owner, type)"),
    ("", R - 7, "rule DEM-01 needs recommendations (text, owner, type)"),
    (GOOD.replace("        owner: vendor\n", ""), R + 5, "owner"),
]


@pytest.mark.parametrize(("recommendations", "line", "message"), CASES, ids=[m[:40] for _, _, m in CASES])
def test_format_2_is_strict(cli, write, recommendations: str, line: int, message: str) -> None:
    write("demo.yaml", HEAD + recommendations)
    result = cli("validate", "demo.yaml")
    assert result.returncode == 2, result.output
    assert any(out.startswith(f"demo.yaml:{line}:") and message in out for out in result.lines), (line, message, result.output)


def test_format_1_keeps_loading_and_refuses_format_2_fields(cli, write) -> None:
    format_1 = HEAD.replace("questionnaire: 2\n", "").replace("    allegation: true\n", "")
    format_1 = format_1.replace(
        "clauses:\n  - id: deletion\n    title: Deletion on request\n    rationale: Limits what the vendor keeps.\n", ""
    )
    write("old.yaml", format_1 + "    recommendation: Ask the vendor.\n")
    assert cli("validate", "old.yaml").returncode == 0

    write("mixed.yaml", HEAD.replace("questionnaire: 2\n", "questionnaire: 1\n") + GOOD)
    result = cli("validate", "mixed.yaml")
    assert result.returncode == 2
    needs = "needs 'questionnaire: 2' at the top of the file"
    assert any(out.startswith("mixed.yaml:12:") and "allegation " + needs in out for out in result.lines), result.output
    assert any(out.startswith("mixed.yaml:14:") and "clauses " + needs in out for out in result.lines), result.output
    assert any("rule DEM-01: recommendations " + needs in out for out in result.lines), result.output


def test_clause_ids_are_unique_across_questionnaires(cli, write) -> None:
    write("qs/demo.yaml", HEAD + GOOD)
    other = HEAD.replace("id: demo\n", "id: other\n").replace("demo.deletion", "other.deletion").replace("DEM-01", "OTH-01")
    write("qs/other.yaml", other + GOOD)
    result = cli("validate", "qs")
    assert result.returncode == 2
    assert any("qs/other.yaml:14:" in out and "clause id 'deletion' is already used in" in out for out in result.lines), result.output


def test_every_bundled_rule_has_owned_typed_actions(catalogue) -> None:
    """The bundled questionnaires are format 2: every recommendation says who acts and how, every clause has its rationale."""
    assert all(q.questionnaire == 2 for q in catalogue.questionnaires)
    used = set()
    for compiled in catalogue.rules:
        assert compiled.rule.recommendations, compiled.rule.id
        for recommendation in compiled.rule.recommendations:
            assert recommendation.text.strip() and recommendation.owner and recommendation.type
            if recommendation.clause:
                used.add(recommendation.clause)
    assert used == set(catalogue.clauses), "every clause is called for by some rule, and only defined clauses are"
    assert len(catalogue.clauses) >= 6
