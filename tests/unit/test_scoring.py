"""Scoring: pinned tiers of the examples, the trace adds up, and monotonicity.

The monotonicity property is the promise a reviewer relies on: changing any
answer to a riskier one never lowers a category score, the overall score or
the tier. Hypothesis searches for a counter-example over real dossiers and
every bundled question.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import REPO
from support.synthetic import dossier_yaml

from provenance_cli.assessment.results import STALE_RULE_ID
from provenance_cli.assessment.scoring import score_dossier
from provenance_cli.assessment.supply_chain import ScoringInputs, score_vendor
from provenance_cli.formats.conditions import answer_ranks
from provenance_cli.formats.dossier import load_dossier, parse_dossier
from provenance_cli.formats.models import Question
from provenance_cli.formats.policy import load_policy
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.formats.vocabulary import TIERS, UNDISCLOSED

EXAMPLES = REPO / "examples"
AS_OF = date(2026, 11, 23)

catalogue = load_catalogue()
policy = load_policy(None, catalogue)


def score(path: Path, on: date = AS_OF):
    """The vendor's verdict: each model scored with its own answers, the worst model in scope standing for the vendor."""
    return score_vendor(load_dossier(path, catalogue), catalogue, policy, ScoringInputs(on, None, None, ()))


def tier_index(tier: str) -> int:
    return TIERS.index(tier)


# --------------------------------------------------------------------------- pinned tiers


def test_strong_detection_lab_is_not_high() -> None:
    result = score(EXAMPLES / "northwind-frontier.yaml")
    assert tier_index(result.tier) < tier_index("high"), result.tier_basis
    assert result.tier == "low"


def test_alleged_distillation_vendor_with_listed_parent_is_not_low() -> None:
    result = score(EXAMPLES / "kestrel-ai.yaml")
    assert tier_index(result.tier) >= tier_index("high"), result.tier_basis
    assert result.knockouts, "a parent on the 1260H list is a knock-out in the bundled rules"


def test_aggregator_is_not_low() -> None:
    result = score(EXAMPLES / "switchboard-router.yaml")
    assert result.tier != "low", result.tier_basis


def test_export_suspended_vendor_is_forced_to_at_least_high() -> None:
    result = score(EXAMPLES / "aurora-models.yaml")
    assert tier_index(result.tier) >= tier_index("high")
    assert "knock-out" in result.tier_basis


def test_open_weights_host_is_not_critical() -> None:
    result = score(EXAMPLES / "tinyweights-host.yaml")
    assert tier_index(result.tier) <= tier_index("medium")


# --------------------------------------------------------------------------- arithmetic and trace


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_trace_adds_up_to_every_score(path: Path) -> None:
    result = score(path)
    for category in result.categories:
        terms = [t.contribution for t in result.trace if t.category == category.id]
        assert sum(terms) == pytest.approx(category.raw)
        assert category.score == pytest.approx(min(100.0, category.raw))
        assert 0 <= category.confidence <= 100
    weights = sum(c.weight for c in result.categories)
    assert result.overall == pytest.approx(sum(c.weight * c.score for c in result.categories) / weights)
    for entry in result.trace:
        assert entry.contribution == pytest.approx(0 if entry.waiver or entry.superseded_by else entry.points * entry.weight)
        assert entry.rule_version >= 1
        if entry.rule_id != STALE_RULE_ID and entry.question_id:
            assert entry.question_id in catalogue.questions


def test_scoring_is_deterministic() -> None:
    path = EXAMPLES / "switchboard-router.yaml"
    assert score(path) == score(path)


def test_undisclosed_is_reported_apart_from_no_and_scores_worse_than_favourable() -> None:
    dossier = load_dossier(EXAMPLES / "northwind-frontier.yaml", catalogue)
    for question in catalogue.questions.values():
        ranks = answer_ranks(question)
        if question.type != "yes_no" or ranks is None or question.id not in dossier.answers:
            continue
        favourable = "yes" if question.risky_answer == "no" else "no"
        good = _with_answer(dossier, question, favourable)
        hidden = _with_answer(dossier, question, UNDISCLOSED)
        good_result = score_dossier(good, catalogue, policy, today=AS_OF)
        hidden_result = score_dossier(hidden, catalogue, policy, today=AS_OF)
        category = catalogue.category_of[question.id]
        assert _category(hidden_result, category) > _category(good_result, category), question.id
        assert question.id in hidden_result.undisclosed
        assert question.id not in good_result.undisclosed
        break
    else:
        pytest.fail("no yes/no question answered in the example")


def test_missing_evidence_lowers_confidence_but_still_counts() -> None:
    dossier = load_dossier(EXAMPLES / "northwind-frontier.yaml", catalogue)
    question = next(
        q
        for q in catalogue.questions.values()
        if q.evidence_required and dossier.model.answers.get(q.id) and dossier.model.answers[q.id].evidence
    )
    entry = dossier.model.answers[question.id]
    stripped = dataclasses.replace(
        dossier,
        model=dossier.model.model_copy(
            update={"answers": {**dossier.model.answers, question.id: entry.model_copy(update={"evidence": []})}}
        ),
    )
    before = score_dossier(dossier, catalogue, policy, today=AS_OF)
    after = score_dossier(stripped, catalogue, policy, today=AS_OF)
    category = catalogue.category_of[question.id]
    assert _confidence(after, category) < _confidence(before, category)
    assert _category(after, category) == _category(before, category)
    assert question.id in after.missing_evidence


def test_stale_answers_lower_confidence_and_make_reassessment_due_but_add_no_risk() -> None:
    path = EXAMPLES / "aurora-models.yaml"  # assessed 2026-07-06, oldest answer 2026-05-31
    fresh = score(path, on=date(2026, 7, 10))
    later = score(path, on=date(2027, 9, 1))
    assert not fresh.stale
    assert later.stale
    # Stale is not risky: no points, same scores and tiers, lower confidence, reassessment now.
    assert not [t for t in later.trace if t.rule_id == STALE_RULE_ID]
    assert later.overall == fresh.overall and later.tier == fresh.tier
    assert [c.tier for c in later.categories] == [c.tier for c in fresh.categories]
    assert later.confidence < fresh.confidence
    assert later.reassessment_due <= date(2027, 9, 1)
    assert fresh.reassessment_due > date(2026, 7, 10)


def test_a_policy_can_opt_in_to_stale_penalties(tmp_path: Path) -> None:
    path = EXAMPLES / "aurora-models.yaml"
    strict = tmp_path / "strict.yaml"
    strict.write_text("policy: 2\nstaleness:\n  penalty_points: 3\n", encoding="utf-8")
    policy = load_policy(strict, catalogue)
    fresh = score_dossier(load_dossier(path, catalogue), catalogue, policy, today=date(2026, 7, 10))
    later = score_dossier(load_dossier(path, catalogue), catalogue, policy, today=date(2027, 9, 1))
    penalties = [t for t in later.trace if t.rule_id == STALE_RULE_ID]
    assert penalties and all(t.question_id in {s.question_id for s in later.stale} for t in penalties)
    unscored = {q.id for q in catalogue.questions.values() if not any(r.rule.question == q.id for r in catalogue.rules)}
    assert not unscored & {t.question_id for t in penalties}, "informational answers are flagged, not penalised"
    assert later.overall > fresh.overall


def test_reassessment_cadence_depends_on_tier(tmp_path: Path) -> None:
    patient = tmp_path / "policy.yaml"
    patient.write_text("policy: 1\nstaleness:\n  triggers_reassessment: false\n", encoding="utf-8")
    lenient = load_policy(patient, catalogue)
    results = {
        name: score_dossier(load_dossier(EXAMPLES / f"{name}.yaml", catalogue), catalogue, lenient, today=AS_OF)
        for name in ("northwind-frontier", "kestrel-ai")
    }
    assert results["northwind-frontier"].tier == "low"
    assert results["kestrel-ai"].tier == "critical"
    for result in results.values():
        cadence = lenient.reassess_after_days(result.tier)
        assert (result.reassessment_due - result.assessed_on).days == cadence
    assert lenient.reassess_after_days("critical") < lenient.reassess_after_days("low")
    # With the default policy, stale answers make reassessment due at once...
    early = date(2026, 9, 1)
    strict = score(EXAMPLES / "kestrel-ai.yaml", on=early)
    assert strict.stale and strict.reassessment_due == early and "stale" in strict.reassessment_reason
    # ...and a due date already passed stays in the past, flagged overdue.
    late = score(EXAMPLES / "kestrel-ai.yaml")
    assert late.reassessment_due < AS_OF and late.overdue


# --------------------------------------------------------------------------- monotonicity


def _with_answer(dossier, question: Question, value):
    answers = dict(dossier.answers)
    answers[question.id] = value
    return dataclasses.replace(dossier, answers=answers)


def _category(result, category: str) -> float:
    return next(c.score for c in result.categories if c.id == category)


def _confidence(result, category: str) -> float:
    return next(c.confidence for c in result.categories if c.id == category)


def _ordered_pair(question: Question, data: st.DataObject):
    """Two answers (a, b) where b is at least as risky as a."""
    ranks = answer_ranks(question)
    if ranks is not None:
        values = sorted(ranks, key=ranks.get)
        a = data.draw(st.sampled_from(values))
        b = data.draw(st.sampled_from([v for v in values if ranks[v] >= ranks[a]]))
        return a, b
    if question.type == "number":
        low = question.minimum if question.minimum is not None else 0.0
        a = data.draw(st.floats(min_value=low, max_value=10_000, allow_nan=False))
        if data.draw(st.booleans()):
            return a, UNDISCLOSED
        step = data.draw(st.floats(min_value=0, max_value=10_000, allow_nan=False))
        b = a + step if question.risk_direction != "lower" else max(low, a - step)
        return a, b
    if question.type == "multiple_choice":
        options = question.choices or []
        exposure = [c.value for c in options if c.risk > 0]
        protective = [c.value for c in options if c.risk == 0]
        a = frozenset(data.draw(st.sets(st.sampled_from([c.value for c in options])))) if options else frozenset()
        if data.draw(st.booleans()):
            return a, UNDISCLOSED
        added = frozenset(data.draw(st.sets(st.sampled_from(exposure)))) if exposure else frozenset()
        removed = frozenset(data.draw(st.sets(st.sampled_from(protective)))) if protective else frozenset()
        return a, (a | added) - removed
    # dates and free text carry no risk order; only "becomes undisclosed" is riskier... or not comparable
    return None


SCORED = [q for q in catalogue.questions.values() if q.type not in ("date", "text")]
BUYER_POLICIES = [policy] + [load_policy(p, catalogue) for p in sorted((EXAMPLES / "policies").glob("*.yaml"))]
"""The default buyer, a DoD contractor and an EU-market buyer: rules that read the buyer profile are exercised too."""
BASES = [load_dossier(p, catalogue) for p in sorted(EXAMPLES.glob("*.yaml"))] + [
    parse_dossier(dossier_yaml(catalogue, random.Random(seed), seed).encode(), f"synthetic-{seed}", catalogue) for seed in range(6)
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_riskier_answer_never_lowers_any_score(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(BASES), label="dossier")
    question = data.draw(st.sampled_from(SCORED), label="question")
    pair = _ordered_pair(question, data)
    assert pair is not None
    safer, riskier = pair
    buyer = data.draw(st.sampled_from(BUYER_POLICIES), label="policy")
    low = score_dossier(_with_answer(base, question, safer), catalogue, buyer, today=AS_OF)
    high = score_dossier(_with_answer(base, question, riskier), catalogue, buyer, today=AS_OF)
    assert high.overall >= low.overall - 1e-9, (question.id, safer, riskier)
    for before, after in zip(low.categories, high.categories, strict=True):
        assert after.score >= before.score - 1e-9, (question.id, before.id, safer, riskier)
        assert tier_index(after.tier) >= tier_index(before.tier), (question.id, before.id, safer, riskier)
    assert tier_index(high.tier) >= tier_index(low.tier)
    _assert_decision_never_improves(low, high, _silent(safer), _silent(riskier), (question.id, safer, riskier))


DECISION_ORDER = ("approve", "approve_with_conditions", "incomplete", "reject")
UNKNOWN_CHOICES = {c.value for q in catalogue.questions.values() for c in q.choices or [] if c.unknown}
"""Answers such as "not_reviewed" that say a fact is not known: like silence, they leave a knock-out undecided."""


def _silent(value: object) -> bool:
    return value == UNDISCLOSED or (isinstance(value, str) and value in UNKNOWN_CHOICES)


def _assert_decision_never_improves(low, high, safer_silent: bool, riskier_silent: bool, context) -> None:  # type: ignore[no-untyped-def]
    """A riskier disclosed answer never improves the decision; going silent can only make it "incomplete".

    An undisclosed answer to a knock-out question is not a finding: the vendor
    is neither rejected nor approved on silence, so a reject may become
    incomplete, but nothing ever becomes approve or approve_with_conditions.
    When the *safer* side is the silent one, disclosing resolves "incomplete"
    either way (an HQ disclosed as "heightened controls" rules the embargo
    out), so only the tiers are compared there.
    """
    before, after = DECISION_ORDER.index(low.decision.outcome), DECISION_ORDER.index(high.decision.outcome)
    if safer_silent:
        return
    if riskier_silent:
        assert after >= min(before, DECISION_ORDER.index("incomplete")), (context, low.decision, high.decision)
    else:
        assert after >= before, (context, low.decision, high.decision)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_many_answers_made_riskier_at_once_never_lower_the_score(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(BASES), label="dossier")
    questions = data.draw(st.lists(st.sampled_from(SCORED), min_size=2, max_size=12, unique_by=lambda q: q.id))
    safer, riskier = base, base
    for question in questions:
        pair = _ordered_pair(question, data)
        assert pair is not None
        safer = _with_answer(safer, question, pair[0])
        riskier = _with_answer(riskier, question, pair[1])
    low = score_dossier(safer, catalogue, policy, today=AS_OF)
    high = score_dossier(riskier, catalogue, policy, today=AS_OF)
    assert high.overall >= low.overall - 1e-9
    assert tier_index(high.tier) >= tier_index(low.tier)
    changed = [q.id for q in questions if riskier.answers.get(q.id) != safer.answers.get(q.id)]
    safer_silent = any(_silent(safer.answers.get(q)) for q in changed)
    riskier_silent = any(_silent(riskier.answers.get(q)) for q in changed)
    _assert_decision_never_improves(low, high, safer_silent, riskier_silent, [q.id for q in questions])


def test_plan_cache_follows_the_policy_objects_lifetime(tmp_path):
    """A new policy never gets the plan of a freed one, even at the same address."""
    import gc

    from provenance_cli.assessment import scoring

    catalogue = load_catalogue()
    dossier = load_dossier(EXAMPLES / "northwind-frontier.yaml", catalogue)
    strict = tmp_path / "strict.yaml"
    # Every rule's points count ten times as much under this policy.
    strict.write_text("policy: 1\nrule_overrides:\n" + "".join(f"  - rule: {r}\n    points: 100\n" for r in sorted(catalogue.rule_ids)))
    baseline = score_dossier(dossier, catalogue, load_policy(None, catalogue), today=date(2026, 9, 1))
    gc.collect()
    alive = len(scoring._plans)  # plans of policies other tests keep alive
    for _ in range(4):  # freed policies' addresses are reused quickly; each new one must get its own plan
        policy = load_policy(strict, catalogue)
        assert score_dossier(dossier, catalogue, policy, today=date(2026, 9, 1)).overall > baseline.overall
        del policy
        gc.collect()
        default = load_policy(None, catalogue)
        assert score_dossier(dossier, catalogue, default, today=date(2026, 9, 1)).overall == baseline.overall
        del default
        gc.collect()
    assert len(scoring._plans) <= alive  # plans of freed policies are gone with them


def test_knockout_completion_keeps_every_fact() -> None:
    """Knock-outs build completed facts field by field (for speed): each field must survive as ``dataclasses.replace`` keeps it.

    A field added to Facts later and left out of ``_completed`` would silently read its default here.
    """
    from provenance_cli.assessment.scoring import _completed
    from provenance_cli.formats.conditions import Facts, LinkedFacts

    facts = Facts(
        answers={"a": "yes", "b": "no"},
        vendor={"headquarters": frozenset({"CN"})},
        listings=frozenset({("sdn", "parent")}),
        buyer=frozenset({"dod_contractor"}),
        jurisdiction_lists={"embargoed": frozenset({"KP"})},
        engagement={"criticality": frozenset({"high"})},
        ownership=frozenset({"majority_blocked"}),
        linked=(LinkedFacts(frozenset({"parent"}), "Upstream", "its parent", Facts(answers={})),),
    )
    for assume in (True, False):
        expected = dataclasses.replace(facts, answers={"a": "yes", "b": UNDISCLOSED}, assume_unknown=assume)
        assert _completed(facts, {"b": UNDISCLOSED}, assume_unknown=assume) == expected
    every_field = {"answers", "vendor", "listings", "buyer", "jurisdiction_lists", "engagement", "ownership", "assume_unknown", "linked"}
    assert {f.name for f in dataclasses.fields(Facts)} == every_field, "a new Facts field: set it in scoring._completed and here"
