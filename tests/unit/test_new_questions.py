"""Every question added in this round of questionnaire versions has rules, and each rule really fires.

For each rule on a question marked ``added_in`` (and each new fact rule),
the test builds a dossier from the Northwind example, sets the answers the
rule's condition asks for (and the answers that make its question apply),
scores it, and finds the rule in the trace; then it gives the question its
most favourable answer and checks the rule is gone. Conditions are solved
from the compiled rule itself, so a rule that can never fire, or fires on a
favourable answer, fails here.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from support import REPO

from provenance_cli.assessment.scoring import score_dossier
from provenance_cli.formats.conditions import (
    AllOf,
    AnswerCompare,
    AnswerContains,
    AnswerIn,
    AnyOf,
    BuyerIs,
    Condition,
    EngagementIn,
    VendorIn,
    answer_ranks,
)
from provenance_cli.formats.dossier import load_dossier
from provenance_cli.formats.models import Engagement, Parent, Question
from provenance_cli.formats.policy import load_policy
from provenance_cli.formats.questionnaires import compare_versions, load_catalogue
from provenance_cli.formats.vocabulary import UNDISCLOSED

catalogue = load_catalogue()
policy = load_policy(None, catalogue)
BASE = load_dossier(REPO / "examples" / "northwind-frontier.yaml", catalogue)
AS_OF = date(2026, 11, 15)

VERSIONS = {q.id: q.version for q in catalogue.questionnaires}
NEW_QUESTIONS = [q for q in catalogue.questions.values() if q.added_in == VERSIONS[catalogue.category_of[q.id]]]
"""The questions the current version of each bundled questionnaire adds (questionnaires v2, issue 16)."""
NEW_RULES = [c for c in catalogue.rules if c.rule.question in {q.id for q in NEW_QUESTIONS}]
FACT_RULES = ["EXP-45", "EXP-46", "LIN-27", "LIN-28"]


def test_every_new_question_has_a_rule_and_a_framework_mapping():
    assert len(NEW_QUESTIONS) >= 35
    scored = {c.rule.question for c in catalogue.rules} | {c.trigger.question for c in catalogue.triggers}
    for question in NEW_QUESTIONS:
        assert question.id in scored, f"{question.id} has no rule"
        assert question.framework_refs(), f"{question.id} maps to no framework"
    assert all(
        q.added_in is None or compare_versions(q.added_in, VERSIONS[catalogue.category_of[q.id]]) <= 0 for q in catalogue.questions.values()
    )


def _firing_value(question: Question, condition: Condition) -> Any:
    """An answer to ``question`` for which the atom ``condition`` holds, not 'undisclosed' where a real answer does."""
    if isinstance(condition, AnswerIn):
        ranks = answer_ranks(question) or {}
        real = sorted((v for v in condition.values if v != UNDISCLOSED), key=lambda v: ranks.get(v, 0))
        return real[0] if real else UNDISCLOSED
    if isinstance(condition, AnswerCompare):
        step = 1.0
        return condition.threshold + (step if condition.operator in ("gt", "gte") else -step)
    if isinstance(condition, AnswerContains):
        options = [c.value for c in question.choices or []]
        if condition.lacks:
            return frozenset(
                o for o in options if o not in condition.values and dict((c.value, c.risk) for c in question.choices or [])[o] == 0
            )
        return frozenset({sorted(condition.values)[0]})
    raise AssertionError(f"not an answer condition: {condition!r}")


def _solve(condition: Condition, answers: dict[str, Any], setting: dict[str, Any]) -> None:
    """Fill ``answers`` (and engagement, buyer and vendor settings) so that ``condition`` holds."""
    if isinstance(condition, AllOf):
        for item in condition.items:
            _solve(item, answers, setting)
    elif isinstance(condition, AnyOf):
        _solve(condition.items[0], answers, setting)
    elif isinstance(condition, (AnswerIn, AnswerCompare, AnswerContains)):
        answers[condition.question] = _firing_value(catalogue.questions[condition.question], condition)
    elif isinstance(condition, EngagementIn):
        setting.setdefault("engagement", {})[condition.fact] = sorted(condition.values)
    elif isinstance(condition, BuyerIs):
        setting.setdefault("buyer", set()).add(condition.flag)
    elif isinstance(condition, VendorIn):
        setting.setdefault("vendor", []).append(condition)
    else:
        raise AssertionError(f"cannot solve {condition!r}")


def _favourable(question: Question) -> Any:
    if question.type == "yes_no":
        return "no" if question.risky_answer == "yes" else "yes"
    if question.type == "single_choice":
        return min(question.choices or [], key=lambda c: c.risk).value
    if question.type == "multiple_choice":
        return frozenset(c.value for c in question.choices or [] if c.risk == 0)
    if question.type == "number":
        low = question.minimum if question.minimum is not None else 0.0
        return low if question.risk_direction == "higher" else (question.maximum or 1_000_000.0)
    raise AssertionError(question.type)


def _score(answers: dict[str, Any], setting: dict[str, Any]):
    model = BASE.model
    engagement = setting.get("engagement")
    if engagement:
        model = model.model_copy(update={"engagement": Engagement(use_case="test", **engagement)})
    for condition in setting.get("vendor", []):
        model = _with_vendor_fact(model, condition)
    dossier = dataclasses.replace(BASE, model=model, answers={**BASE.answers, **answers})
    run_policy = dataclasses.replace(policy, buyer_flags=frozenset(setting.get("buyer", ())))
    return score_dossier(dossier, catalogue, run_policy, today=AS_OF)


def _with_vendor_fact(model, condition: VendorIn):  # type: ignore[no-untyped-def]
    """A dossier model whose ownership record or models make the vendor fact of ``condition`` hold."""
    concern = sorted(policy.jurisdiction_lists.get(condition.list_name or "of_concern", frozenset()))
    if condition.fact == "ownership_gaps":
        parents = [Parent(name="Unknown Share Holdings Ltd.", jurisdiction="US")]
    elif condition.fact == "concern_owner_controls":
        kind = sorted(condition.values)[0].lower()
        parents = [Parent(name="State Holding Co.", jurisdiction=concern[0], control=[kind])]  # type: ignore[list-item]
    elif condition.fact == "developer_jurisdictions":
        from provenance_cli.formats.models import Developer, ModelInScope

        developer = Developer(name="Base Model Developer Co.", jurisdiction=concern[0])
        models = [ModelInScope(name="Derived 1", access="api", developer=developer)]
        return model.model_copy(update={"models": models})
    else:
        raise AssertionError(condition.fact)
    vendor = model.vendor.model_copy(update={"parents": parents})
    return model.model_copy(update={"vendor": vendor})


def _fired(result, rule_id: str) -> bool:
    return any(t.rule_id == rule_id for t in result.trace)


@pytest.mark.parametrize("compiled", NEW_RULES, ids=[c.rule.id for c in NEW_RULES])
def test_each_new_rule_fires_on_its_answer_and_not_on_the_favourable_one(compiled):
    answers: dict[str, Any] = {}
    setting: dict[str, Any] = {}
    question = catalogue.questions[compiled.rule.question]
    applies = catalogue.applies_if.get(question.id)
    if applies is not None:
        _solve(applies, answers, setting)
    _solve(compiled.condition, answers, setting)
    result = _score(answers, setting)
    assert _fired(result, compiled.rule.id), (compiled.rule.id, answers, setting)
    answers[question.id] = _favourable(question)
    assert not _fired(_score(answers, setting), compiled.rule.id), (compiled.rule.id, "fires on the most favourable answer")


@pytest.mark.parametrize("rule_id", FACT_RULES)
def test_the_new_fact_rules_fire_on_the_dossier_record(rule_id):
    compiled = catalogue.rule(rule_id)
    assert compiled is not None
    answers: dict[str, Any] = {}
    setting: dict[str, Any] = {}
    vendor_atom = compiled.condition
    while isinstance(vendor_atom, (AnyOf, AllOf)):
        vendor_atom = next(i for i in vendor_atom.items if isinstance(i, VendorIn))
    if compiled.rule.question:
        applies = catalogue.applies_if.get(compiled.rule.question)
        if applies is not None:
            _solve(applies, answers, setting)
        answers[compiled.rule.question] = _favourable(catalogue.questions[compiled.rule.question])
    assert not _fired(_score(answers, setting), rule_id), "nothing in the Northwind record triggers it"
    setting["vendor"] = [vendor_atom]
    assert _fired(_score(answers, setting), rule_id)


def test_allegation_status_decides_how_much_an_allegation_weighs():
    base = {"lineage.disputed_provenance_allegation": "yes"}
    withdrawn = _score({**base, "lineage.allegation_status": "withdrawn"}, {})
    denied = _score({**base, "lineage.allegation_status": "denied"}, {})
    upheld = _score({**base, "lineage.allegation_status": "upheld"}, {})
    assert not _fired(withdrawn, "LIN-17") and _fired(withdrawn, "LIN-16")
    litigated = _score({**base, "lineage.allegation_status": "litigated"}, {})
    assert _fired(denied, "LIN-17") and not _fired(denied, "LIN-26") and not _fired(denied, "LIN-39")
    assert _fired(litigated, "LIN-39") and not litigated.knockouts
    assert _fired(upheld, "LIN-26") and "LIN-26" in upheld.knockouts


def test_pending_legislation_is_informational_until_a_bill_is_introduced():
    proposed = {"export_control.pending_legislation": frozenset({"output_access_sanctions_bill"})}
    announced = _score({**proposed, "export_control.output_access_bill_status": "not_introduced"}, {})
    severities = {t.rule_id: t.severity for t in announced.trace}
    assert severities.get("EXP-19") == "info" and "EXP-31" not in severities and "EXP-32" not in severities
    passed = _score({**proposed, "export_control.output_access_bill_status": "passed_one_chamber"}, {})
    assert {"EXP-19", "EXP-31", "EXP-32"} <= {t.rule_id for t in passed.trace}
    assert passed.decision.outcome != "reject", "a bill is not law: no knock-out"
