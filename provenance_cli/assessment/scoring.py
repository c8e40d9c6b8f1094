"""From answers to a verdict a reviewer can argue with, rule by rule.

The arithmetic (also in docs/SCORING.md):

* a rule *fires* when its condition holds and its question applies;
  its **contribution** is ``points x question weight`` (0 when waived);
* each stale answer to a scored question adds
  ``staleness.penalty_points x question weight`` (informational date and
  text answers are flagged when stale but cost nothing);
* a **category score** is ``min(100, sum of contributions)``;
* the **overall score** is the category scores' weighted mean (policy weights);
* the **tier** comes from the policy thresholds, raised to the tier of any
  fired, unwaived knock-out rule when knock-outs are on.

Every term of every sum is a :class:`TraceEntry`, so the trace adds up to
the scores exactly. Because conditions are monotone in each answer's risk
rank (checked when questionnaires load) and every step above is
non-decreasing, a riskier answer can never lower any score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from provenance_cli.assessment.results import (
    STALE_RULE_ID,
    STALE_RULE_VERSION,
    AnswerRecord,
    CategoryScore,
    DisabledRule,
    EvidenceRef,
    StaleAnswer,
    TraceEntry,
    VendorProfile,
    VendorResult,
    WaiverRef,
)
from provenance_cli.formats.conditions import Facts
from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.models import AnswerEntry, Question
from provenance_cli.formats.policy import Policy, Waiver
from provenance_cli.formats.questionnaires import Catalogue, CompiledRule
from provenance_cli.formats.vocabulary import TIERS, UNDISCLOSED


def display_answer(question: Question | None, value: Any) -> str:
    """An answer as a reviewer reads it."""
    if value is None:
        return "unanswered"
    if value == UNDISCLOSED:
        return UNDISCLOSED
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) if value else "none"
    if isinstance(value, float):
        unit = f" {question.unit}" if question is not None and question.unit else ""
        return f"{value:g}{unit}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _vendor_matches(waiver: Waiver, dossier: Dossier) -> bool:
    wanted = waiver.vendor.casefold().strip()
    vendor = dossier.model.vendor
    return wanted in {vendor.name.casefold().strip(), vendor.legal_name.casefold().strip()}


def applicable_questions(catalogue: Catalogue, facts: Facts) -> set[str]:
    return {qid for qid in catalogue.questions if qid not in catalogue.applies_if or catalogue.applies_if[qid].holds(facts)}


@dataclass(frozen=True)
class _PlannedRule:
    """A rule with the policy's overrides already applied (built once per policy)."""

    compiled: CompiledRule
    question: Question | None
    points: float
    severity: str
    weight: float
    message: str
    recommendation: str
    overridden: bool


@dataclass(frozen=True)
class _Plan:
    rules: tuple[_PlannedRule, ...]
    disabled: tuple[DisabledRule, ...]
    frameworks: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    max_age: dict[str, int]
    scored: frozenset[str]
    """Questions some rule scores; only their stale answers cost points."""
    answer_specs: tuple[tuple[str, str, str, tuple[tuple[str, tuple[str, ...]], ...], Question], ...]
    """(id, category, text, frameworks, question) of every question, in order."""
    confidence_specs: dict[str, tuple[tuple[str, float, bool], ...]]
    """Per category: (question id, weight, evidence required) in order."""


_plans: WeakKeyDictionary[Policy, WeakKeyDictionary[Catalogue, _Plan]] = WeakKeyDictionary()
"""Plans by policy, then catalogue, held only while both objects live.

Keyed on the objects themselves (both compare by identity), never on
``id()``: an id can be reused by a new object once the old one is freed,
which would hand a new policy a plan built for another.
"""


def _plan(catalogue: Catalogue, policy: Policy) -> _Plan:
    """Everything about scoring that does not depend on the dossier, computed once.

    Scoring thousands of dossiers must cost a small fraction of parsing them,
    so rule overrides, cleaned texts and framework tuples are resolved here.
    """
    by_catalogue = _plans.setdefault(policy, WeakKeyDictionary())
    plan = by_catalogue.get(catalogue)
    if plan is not None:
        return plan
    disabled = tuple(
        DisabledRule(rule_id, override.reason or "") for rule_id, override in sorted(policy.overrides.items()) if override.disabled
    )
    disabled_ids = {d.rule_id for d in disabled}
    rules: list[_PlannedRule] = []
    for compiled in catalogue.rules:
        rule = compiled.rule
        if rule.id in disabled_ids:
            continue
        override = policy.overrides.get(rule.id)
        question = catalogue.questions[rule.question] if rule.question else None
        rules.append(
            _PlannedRule(
                compiled=compiled,
                question=question,
                points=override.points if override and override.points is not None else rule.points,
                severity=override.severity if override and override.severity else rule.severity,
                weight=question.weight if question else 1.0,
                message=" ".join(rule.message.split()),
                recommendation=" ".join(rule.recommendation.split()),
                overridden=override is not None,
            )
        )
    frameworks = {}
    for qid, question in catalogue.questions.items():
        refs = question.frameworks.model_dump() if question.frameworks else {}
        frameworks[qid] = tuple((name, tuple(items)) for name, items in refs.items() if items)
    max_age = {q.id: policy.max_age_days(q.id) for q in catalogue.questionnaires}
    scored = frozenset(c.rule.question for c in catalogue.rules if c.rule.question)
    specs = tuple((qid, catalogue.category_of[qid], q.text, frameworks[qid], q) for qid, q in catalogue.questions.items())
    confidence = {q.id: tuple((x.id, x.weight, x.evidence_required) for x in q.questions) for q in catalogue.questionnaires}
    plan = _Plan(tuple(rules), disabled, frameworks, max_age, scored, specs, confidence)
    by_catalogue[catalogue] = plan
    return plan


def score_dossier(  # noqa: C901 - rewritten by the verdicts issue
    dossier: Dossier,
    catalogue: Catalogue,
    policy: Policy,
    *,
    today: date,
    listings: frozenset[tuple[str, str]] = frozenset(),
    listing_notes: dict[tuple[str, str], str] | None = None,
    reassess_now: str | None = None,
) -> VendorResult:
    """Score one dossier. Pure: same inputs, same result.

    ``listings`` are screening hits as (list key, role) pairs and
    ``listing_notes`` their wording for the trace; ``reassess_now`` is a
    reason (e.g. evidence changed) that makes reassessment due today.
    """
    plan = _plan(catalogue, policy)
    facts = dossier.facts(listings)
    applicable = applicable_questions(catalogue, facts)
    model = dossier.model
    answers = dossier.answers
    notes = listing_notes or {}

    waivers_applied: dict[str, Waiver] = {}
    waivers_expired: list[WaiverRef] = []
    for waiver in policy.model.waivers:
        if not _vendor_matches(waiver, dossier):
            continue
        if waiver.expires < today:
            waivers_expired.append(WaiverRef.of(waiver))
        else:
            waivers_applied[waiver.rule] = waiver

    trace: list[TraceEntry] = []
    knockouts: list[tuple[str, str]] = []
    used_waivers: list[str] = []
    knockouts_on = policy.model.knockouts
    for planned in plan.rules:
        compiled = planned.compiled
        rule = compiled.rule
        question = planned.question
        if question is not None and question.id not in applicable:
            continue
        if not compiled.condition.holds(facts):
            continue
        if question is not None:
            answer = display_answer(question, answers.get(question.id))
        else:
            fired_notes = [note for pair, note in sorted(notes.items()) if pair in facts.listings]
            answer = "; ".join(fired_notes) if fired_notes else "vendor facts"
        applied_waiver = waivers_applied.get(rule.id)
        trace.append(
            TraceEntry(
                category=compiled.category,
                rule_id=rule.id,
                rule_version=rule.version,
                question_id=rule.question,
                answer=answer,
                points=planned.points,
                weight=planned.weight,
                contribution=0.0 if applied_waiver else planned.points * planned.weight,
                severity=planned.severity,
                message=planned.message,
                recommendation=planned.recommendation,
                knockout=rule.knockout,
                waiver=WaiverRef.of(applied_waiver) if applied_waiver else None,
                overridden=planned.overridden,
            )
        )
        if applied_waiver is not None:
            used_waivers.append(rule.id)
        elif rule.knockout and knockouts_on:
            knockouts.append((rule.id, rule.knockout))

    stale: list[StaleAnswer] = []
    penalty = policy.model.staleness.penalty_points
    assessed = model.assessment.date
    # Compare dates against a per-category cutoff: no timedelta per answer on the hot path.
    cutoff = {category: today - timedelta(days=limit) for category, limit in plan.max_age.items()}
    category_of = catalogue.category_of
    for question_id, entry_model in model.answers.items():
        if entry_model.answer is None or question_id not in applicable:
            continue
        as_of = entry_model.as_of or assessed
        category = category_of[question_id]
        if as_of >= cutoff[category]:
            continue
        limit = plan.max_age[category]
        age = (today - as_of).days
        stale.append(StaleAnswer(question_id, as_of, age, limit))
        if penalty > 0 and question_id in plan.scored:
            question = catalogue.questions[question_id]
            trace.append(
                TraceEntry(
                    category=category,
                    rule_id=STALE_RULE_ID,
                    rule_version=STALE_RULE_VERSION,
                    question_id=question_id,
                    answer=f"{display_answer(question, answers.get(question_id))} (as of {as_of}, {age} days old)",
                    points=penalty,
                    weight=question.weight,
                    contribution=penalty * question.weight,
                    severity="low",
                    message=f"Answer is {age} days old; the policy allows {limit}.",
                    recommendation="Ask the vendor to confirm or update this answer and cite current evidence.",
                )
            )

    raw_by_category: dict[str, float] = {}
    for entry in trace:
        raw_by_category[entry.category] = raw_by_category.get(entry.category, 0.0) + entry.contribution
    stale_ids = {s.question_id for s in stale}
    undisclosed: list[str] = []
    unanswered: list[str] = []
    missing: list[str] = []
    categories: list[CategoryScore] = []
    entries = model.answers
    for questionnaire in catalogue.questionnaires:
        total_weight = confidence_sum = 0.0
        answered = scored = 0
        for question_id, weight, evidence_required in plan.confidence_specs[questionnaire.id]:
            if question_id not in applicable:
                continue
            scored += 1
            total_weight += weight
            value = answers.get(question_id)
            if value is None:
                unanswered.append(question_id)
                continue
            answered += 1
            factor = 1.0
            if value == UNDISCLOSED:
                undisclosed.append(question_id)
            elif evidence_required and not _has_evidence(entries.get(question_id)):
                missing.append(question_id)
                factor *= 0.5
            if question_id in stale_ids:
                factor *= 0.5
            confidence_sum += weight * factor
        raw = raw_by_category.get(questionnaire.id, 0.0)
        categories.append(
            CategoryScore(
                id=questionnaire.id,
                title=questionnaire.title,
                version=questionnaire.version,
                weight=policy.weight(questionnaire.id),
                score=min(100.0, raw),
                raw=raw,
                confidence=100.0 * confidence_sum / total_weight if total_weight else 100.0,
                applicable=scored,
                answered=answered,
            )
        )

    weight_sum = sum(c.weight for c in categories)
    overall = sum(c.weight * c.score for c in categories) / weight_sum if weight_sum else 0.0
    tier = policy.tier_for(overall)
    thresholds = policy.model.tiers
    tier_basis = (
        f"overall score {overall:.1f} (thresholds: medium {thresholds.medium:g}, "
        f"high {thresholds.high:g}, critical {thresholds.critical:g})"
    )
    if knockouts:
        strongest = max(knockouts, key=lambda k: TIERS.index(k[1]))[1]
        if TIERS.index(strongest) > TIERS.index(tier):
            tier = strongest
            tier_basis = f"knock-out {', '.join(r for r, k in knockouts if k == strongest)} forces at least {strongest}"

    cadence = policy.reassess_after_days(tier)
    due = assessed + timedelta(days=cadence)
    reason = f"{cadence} days after the assessment for tier {tier}"
    if stale and policy.model.staleness.triggers_reassessment and today < due:
        due, reason = today, f"{len(stale)} stale answer(s)"
    if reassess_now and today < due:
        due, reason = today, reassess_now

    return VendorResult(
        vendor=model.vendor.name,
        legal_name=model.vendor.legal_name,
        source=dossier.source,
        sha256=dossier.sha256,
        assessed_on=assessed,
        as_of=today,
        overall=overall,
        tier=tier,
        tier_basis=tier_basis,
        categories=tuple(categories),
        trace=tuple(trace),
        knockouts=tuple(rule_id for rule_id, _ in knockouts),
        stale=tuple(stale),
        undisclosed=tuple(undisclosed),
        unanswered=tuple(unanswered),
        missing_evidence=tuple(missing),
        waivers_applied=tuple(WaiverRef.of(waivers_applied[r]) for r in sorted(used_waivers)),
        waivers_expired=tuple(waivers_expired),
        disabled_rules=plan.disabled,
        reassessment_due=due,
        reassessment_reason=reason,
        policy_name=policy.model.name,
        policy_sha256=policy.sha256,
        questionnaires=tuple((q.id, q.version) for q in catalogue.questionnaires),
        profile=_profile(dossier),
        answers=_answer_records(dossier, catalogue, applicable, plan),
    )


def _has_evidence(entry: AnswerEntry | None) -> bool:
    return entry is not None and bool(entry.evidence)


def _profile(dossier: Dossier) -> VendorProfile:
    vendor = dossier.model.vendor
    return VendorProfile(
        legal_name=vendor.legal_name,
        aliases=tuple(vendor.aliases),
        headquarters=vendor.headquarters,
        parents=tuple((p.name, p.jurisdiction) for p in vendor.parents),
        hosting_regions=tuple(vendor.hosting_regions),
        models=tuple((m.name, m.version, m.access) for m in dossier.model.models),
        assessor=dossier.model.assessment.assessor,
        website=vendor.website,
    )


def _answer_records(dossier: Dossier, catalogue: Catalogue, applicable: set[str], plan: _Plan) -> tuple[AnswerRecord, ...]:
    records: list[AnswerRecord] = []
    entries = dossier.model.answers
    values = dossier.answers
    assessed = dossier.model.assessment.date
    for question_id, category, text, frameworks, question in plan.answer_specs:
        if question_id not in applicable:
            continue
        entry = entries.get(question_id)
        value = values.get(question_id)
        if entry is None:
            records.append(AnswerRecord(question_id, category, text, "unanswered", "unanswered", (), None, None, frameworks))
            continue
        records.append(
            AnswerRecord(
                question_id,
                category,
                text,
                display_answer(question, value),
                "unanswered" if value is None else ("undisclosed" if value == UNDISCLOSED else "answered"),
                tuple([EvidenceRef(e.url, e.title, e.retrieved, e.kind) for e in entry.evidence]),
                entry.note,
                (entry.as_of or assessed) if entry.answer is not None else None,
                frameworks,
            )
        )
    return tuple(records)


def follow_up_questions(result: VendorResult, catalogue: Catalogue) -> list[tuple[str, str, str]]:
    """(question id, why, question text) to send the vendor: undisclosed, unanswered, missing evidence, stale."""
    out: list[tuple[str, str, str]] = []
    for qid in result.undisclosed:
        out.append((qid, "undisclosed", catalogue.questions[qid].text))
    for qid in result.unanswered:
        out.append((qid, "unanswered", catalogue.questions[qid].text))
    for qid in result.missing_evidence:
        out.append((qid, "evidence missing", catalogue.questions[qid].text))
    for stale in result.stale:
        out.append((stale.question_id, f"stale (as of {stale.as_of})", catalogue.questions[stale.question_id].text))
    order = list(catalogue.questions)
    return sorted(out, key=lambda item: (order.index(item[0]), item[1]))


def sort_by_risk(results: Sequence[VendorResult]) -> list[VendorResult]:
    """Riskiest first: tier, then overall score, then name (deterministic)."""
    return sorted(results, key=lambda r: (-TIERS.index(r.tier), -r.overall, r.vendor.casefold()))
