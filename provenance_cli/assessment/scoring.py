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

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar
from weakref import WeakKeyDictionary

from provenance_cli.assessment.decision import decide
from provenance_cli.assessment.reconcile import Contradiction
from provenance_cli.assessment.results import (
    STALE_RULE_ID,
    STALE_RULE_VERSION,
    Action,
    AnswerRecord,
    CategoryScore,
    DisabledRule,
    EvidenceRef,
    FollowUp,
    OpenQuestion,
    StaleAnswer,
    TraceEntry,
    VendorProfile,
    VendorResult,
    WaiverRef,
    actions_of,
)
from provenance_cli.assessment.triggers import ListEdition, fire_triggers
from provenance_cli.formats.conditions import AllOf, AnyOf, Condition, Facts, Linked, LinkedFacts, answer_ranks
from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.models import AnswerEntry, Question
from provenance_cli.formats.policy import Policy, Waiver
from provenance_cli.formats.questionnaires import Catalogue, CompiledRule
from provenance_cli.formats.vocabulary import SCREENING_SOURCES, SEVERITY_RANK, TIER_RANK, TIERS, UNDISCLOSED, VENDOR_AUDIENCES


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


def answer_label(question: Question | None, value: Any, choice_labels: dict[str, str] | None = None) -> str:
    """An answer in the questionnaire's own words: a choice's label, "Yes", "1 vendor", never a machine value.

    ``choice_labels`` (value -> label, in questionnaire order) saves building it again for every dossier.
    """
    if value is None:
        return "Unanswered"
    if value == UNDISCLOSED:
        return "Undisclosed"
    if question is None:
        return display_answer(question, value)
    if question.type == "yes_no":
        return str(value).capitalize()
    if question.choices:
        labels = choice_labels if choice_labels is not None else {c.value: c.label for c in question.choices}
        if isinstance(value, frozenset):
            named = [label for choice, label in labels.items() if choice in value]
            return "; ".join(named + sorted(v for v in value if v not in labels)) or "None"
        return labels.get(str(value), str(value))
    if isinstance(value, float) and question.unit:
        unit = question.unit[:-1] if value == 1 and question.unit.endswith("s") else question.unit
        return f"{value:g} {unit}"
    return display_answer(question, value)


STALE_ACTION = Action("Ask the vendor to confirm or update this answer and cite current evidence.", "vendor", "ask")
"""What a stale answer calls for."""


def _vendor_matches(waiver: Waiver, dossier: Dossier) -> bool:
    wanted = waiver.vendor.casefold().strip()
    vendor = dossier.model.vendor
    return wanted in {vendor.name.casefold().strip(), vendor.legal_name.casefold().strip()}


def _applicable(plan: _Plan, facts: Facts) -> set[str]:
    """The questions whose ``applies_if`` holds for these facts (all others are not asked of this vendor).

    Only the questions with ``applies_if`` are checked per dossier; the plan knows the rest apply.
    """
    applicable = set(plan.unconditional)
    applicable.update(question_id for question_id, holds in plan.conditional if holds(facts))
    return applicable


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
    actions: tuple[Action, ...]
    """The rule's recommendations with owner and type, built once per plan."""
    overridden: bool
    knockout: str | None
    """The tier the rule forces, or None (no knock-out, or ``knockout: none``)."""
    contribution: float
    """points x weight, computed once per policy."""
    answer_basis: str | None
    """``question:<id>`` for a rule on a question: what it counts once against when its answer fires it."""
    fact_basis: str | None
    """``facts:<...>`` for a rule that reads vendor or screening facts: what it counts once against when they fire it."""
    reads_questions: tuple[str, ...]
    """The questions the condition reads, sorted (for open questions)."""
    reads_engagement: tuple[str, ...]
    """The engagement facts the condition reads, sorted (for open questions)."""
    strength: tuple[float, int, str]
    """:func:`_strength` when no waiver applies to the rule, worked out once per policy."""
    linked: tuple[Linked, ...] = ()
    """The ``linked`` parts of the condition: what the rule reads in dossiers this one links to."""
    linked_questions: tuple[tuple[str, Question], ...] = ()
    """The questions those parts read (in the linked dossier), to say their answers in words."""


@dataclass(frozen=True)
class _Plan:
    rules: tuple[_PlannedRule, ...]
    by_id: dict[str, _PlannedRule]
    knockout_rules: tuple[_PlannedRule, ...]
    """The rules that force a tier: the ones an unknown answer can leave undecided."""
    firing: tuple[tuple[_PlannedRule, str | None, Callable[[Facts], bool], str | None, str | None], ...]
    """Per rule, what the hot loop reads: (rule, its question id, its condition's ``holds``,
    its group when the answer fires it, its group when facts do); groups are None for ``combine: add``."""
    unknown_answers: dict[str, frozenset[str]]
    """Per question, the choices that say the fact is not known (``unknown: true``)."""
    disabled: tuple[DisabledRule, ...]
    frameworks: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    max_age: dict[str, int]
    scored: frozenset[str]
    """Questions some rule scores; only their stale answers cost points."""
    answer_specs: tuple[tuple[str, str, str, tuple[tuple[str, tuple[str, ...]], ...], Question], ...]
    """(id, category, text, frameworks, question) of every question, in order."""
    confidence_specs: dict[str, tuple[tuple[str, float, bool], ...]]
    """Per category: (question id, weight, evidence required) in order."""
    choice_labels: dict[str, dict[str, str]]
    """Per choice question: value -> label, in questionnaire order."""
    buyer_questions: frozenset[str]
    """Questions only the buyer answers: their ``undisclosed`` is a fact not established yet, never the vendor's silence."""
    asked: dict[str, str]
    """Per question, its text as put to whoever answers it (the vendor's wording for vendor and either questions)."""
    audience: dict[str, str]
    """Per question, who answers it."""
    few_answers: frozenset[str]
    """Choice and yes/no questions: few possible answers, so their wording is worth keeping (``labels``)."""
    unconditional: frozenset[str]
    """Questions without ``applies_if``: asked of every vendor."""
    conditional: tuple[tuple[str, Callable[[Facts], bool]], ...]
    """(question id, its ``applies_if`` condition's ``holds``) of every other question."""
    favourable: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Per question, its most favourable answer (:func:`_favourable`), filled the first time a knock-out asks."""
    candidates: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    """Per question, the answers worth trying when it is unknown (:func:`_candidates`), filled on first use."""
    labels: dict[tuple[str, Any], tuple[str, str]] = dataclasses.field(default_factory=dict)
    """Per (choice or yes/no question, answer): the answer as displayed and as labelled, filled on first use.

    Those questions have a handful of possible answers, so this stays small however many dossiers are scored."""


_plans: WeakKeyDictionary[Policy, WeakKeyDictionary[Catalogue, _Plan]] = WeakKeyDictionary()
"""Plans by policy, then catalogue, held only while both objects live.

Keyed on the objects themselves (both compare by identity), never on
``id()``: an id can be reused by a new object once the old one is freed,
which would hand a new policy a plan built for another.
"""


def _fact_basis(compiled: CompiledRule) -> str | None:
    """``facts:vendor:headquarters,...`` for a rule that reads vendor or screening facts, else None."""
    read = sorted(f for f in compiled.condition.facts_read() if f.startswith(("vendor:", "screening", "linked:")))
    return "facts:" + ",".join(read) if read else None


def linked_parts(condition: Condition) -> list[Linked]:
    """The ``linked`` conditions inside ``condition`` (through ``all`` and ``any``)."""
    if isinstance(condition, Linked):
        return [condition]
    if isinstance(condition, (AllOf, AnyOf)):
        return [part for item in condition.items for part in linked_parts(item)]
    return []


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
        points = override.points if override and override.points is not None else rule.points
        weight = question.weight if question else 1.0
        severity = override.severity if override and override.severity else rule.severity
        actions = actions_of(rule.recommendation, rule.recommendations, catalogue.clauses)
        rules.append(
            _PlannedRule(
                compiled=compiled,
                question=question,
                points=points,
                severity=severity,
                weight=weight,
                message=" ".join(rule.message.split()),
                recommendation=" ".join(a.text for a in actions),
                actions=actions,
                overridden=override is not None,
                knockout=rule.knockout if rule.knockout != "none" else None,
                contribution=points * weight,
                answer_basis=f"question:{rule.question}" if rule.question else None,
                fact_basis=_fact_basis(compiled),
                reads_questions=tuple(sorted(compiled.condition.questions())),
                reads_engagement=tuple(sorted(f.split(":", 1)[1] for f in compiled.condition.facts_read() if f.startswith("engagement:"))),
                strength=(points * weight, SEVERITY_RANK[severity], rule.id),
                linked=tuple(linked_parts(compiled.condition)),
                linked_questions=tuple(
                    (qid, catalogue.questions[qid]) for part in linked_parts(compiled.condition) for qid in sorted(part.where.questions())
                ),
            )
        )
    frameworks = {}
    for qid, question in catalogue.questions.items():
        grouped: dict[str, list[str]] = {}
        for name, ref, _party in question.framework_refs():
            grouped.setdefault(name, []).append(ref)
        frameworks[qid] = tuple((name, tuple(dict.fromkeys(refs))) for name, refs in grouped.items())
    max_age = {q.id: policy.max_age_days(q.id) for q in catalogue.questionnaires}
    scored = frozenset(c.rule.question for c in catalogue.rules if c.rule.question)
    specs = tuple((qid, catalogue.category_of[qid], " ".join(q.text.split()), frameworks[qid], q) for qid, q in catalogue.questions.items())
    confidence = {q.id: tuple((x.id, x.weight, x.evidence_required) for x in q.questions) for q in catalogue.questionnaires}
    plan = _Plan(
        rules=tuple(rules),
        by_id={planned.compiled.rule.id: planned for planned in rules},
        knockout_rules=tuple(planned for planned in rules if planned.knockout is not None),
        firing=tuple(
            (
                planned,
                planned.question.id if planned.question else None,
                planned.compiled.condition.holds,
                None
                if planned.compiled.rule.combine == "add" or planned.answer_basis is None
                else f"{planned.compiled.category}|{planned.answer_basis}",
                None
                if planned.compiled.rule.combine == "add" or planned.fact_basis is None
                else f"{planned.compiled.category}|{planned.fact_basis}",
            )
            for planned in rules
        ),
        unknown_answers={
            qid: frozenset(c.value for c in q.choices or [] if c.unknown)
            for qid, q in catalogue.questions.items()
            if any(c.unknown for c in q.choices or [])
        },
        disabled=disabled,
        frameworks=frameworks,
        max_age=max_age,
        scored=scored,
        answer_specs=specs,
        confidence_specs=confidence,
        choice_labels={qid: {c.value: c.label for c in q.choices} for qid, q in catalogue.questions.items() if q.choices},
        buyer_questions=frozenset(qid for qid, q in catalogue.questions.items() if q.audience not in VENDOR_AUDIENCES),
        asked={
            qid: " ".join((q.vendor_text if q.audience in VENDOR_AUDIENCES and q.vendor_text else q.text).split())
            for qid, q in catalogue.questions.items()
        },
        audience={qid: q.audience for qid, q in catalogue.questions.items()},
        few_answers=frozenset(qid for qid, q in catalogue.questions.items() if q.choices or q.type == "yes_no"),
        unconditional=frozenset(qid for qid in catalogue.questions if qid not in catalogue.applies_if),
        conditional=tuple((qid, catalogue.applies_if[qid].holds) for qid in catalogue.questions if qid in catalogue.applies_if),
    )
    by_catalogue[catalogue] = plan
    return plan


def score_dossier(
    dossier: Dossier,
    catalogue: Catalogue,
    policy: Policy,
    *,
    today: date,
    listings: frozenset[tuple[str, str]] = frozenset(),
    listing_notes: dict[tuple[str, str], str] | None = None,
    reassess_now: str | None = None,
    ownership: frozenset[str] = frozenset(),
    screening_gaps: tuple[tuple[str, str], ...] = (),
    contradictions: tuple[Contradiction, ...] = (),
    linked: tuple[LinkedFacts, ...] = (),
    list_editions: Sequence[ListEdition] = (),
) -> VendorResult:
    """Score one dossier and decide. Pure: same inputs, same result.

    ``listings`` are screening hits as (list key, role) pairs and
    ``listing_notes`` their wording for the trace; ``reassess_now`` is a
    reason (e.g. evidence changed) that makes reassessment due today;
    ``linked`` is what the dossiers this one links to say (``{linked: ...}`` rules);
    ``list_editions`` are the screened lists' edition dates, which date
    triggers compare with the last screen.
    """
    plan = _plan(catalogue, policy)
    facts = dossier.facts(listings, buyer=policy.buyer_flags, jurisdiction_lists=policy.jurisdiction_lists, ownership=ownership)
    if linked:
        facts = dataclasses.replace(facts, linked=linked)
    applicable = _applicable(plan, facts)
    model = dossier.model
    waivers_applied, waivers_expired = _waivers(policy, dossier, today)

    shown: dict[str, str] = {}
    fired = _fire_rules(plan, facts, applicable, dossier.answers, listing_notes or {}, waivers_applied, shown)
    trace = [*fired, *(_contradiction_entry(c, catalogue) for c in contradictions)]
    stale, stale_entries = _staleness(plan, catalogue, dossier, applicable, today, policy.model.staleness.penalty_points)
    trace.extend(stale_entries)
    trace.extend(fire_triggers(catalogue, policy, dossier, applicable, today, list_editions, waivers_applied))

    knockouts, undecided, open_questions = _knockouts(plan, catalogue, facts, applicable, fired, policy)
    open_questions += tuple(_not_screened(source, reason) for source, reason in screening_gaps)
    criticality = model.engagement.criticality if model.engagement else None
    # Tiers count every knock-out that fired (a riskier answer never lowers a tier); the decision
    # rejects only on those decided by known facts, and asks about the rest.
    categories, decided_floors, (undisclosed, unanswered, missing, not_established) = _categories(
        plan, catalogue, policy, dossier, applicable, trace, stale, knockouts, undecided
    )
    weight_sum = sum(c.weight for c in categories)
    overall = sum(c.weight * c.score for c in categories) / weight_sum if weight_sum else 0.0
    confidence = sum(c.weight * c.confidence for c in categories) / weight_sum if weight_sum else 100.0
    findings = sorted(
        (t for t in trace if t.rule_id != STALE_RULE_ID and t.counts and t.waiver is None),
        key=lambda t: (-SEVERITY_RANK[t.severity], -t.contribution, t.rule_id),
    )
    tiers = [(c.title, c.tier, c.score) for c in categories]
    tier, tier_basis = _overall_tier(policy, overall, criticality, tiers, [*knockouts, *undecided], findings)
    decided_tier = tier
    if undecided:
        decided = [(c.title, floor, c.score) for c, floor in zip(categories, decided_floors, strict=True)]
        decided_tier = _overall_tier(policy, overall, criticality, decided, knockouts, findings)[0]
    decision = decide(policy, tier=decided_tier, findings=findings, knockouts=knockouts, open_questions=open_questions)
    records = _answer_records(dossier, applicable, plan, shown)

    assessed = model.assessment.date
    cadence = policy.reassess_after_days(tier)
    due = _days_after(assessed, cadence)
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
        knockouts=tuple(dict.fromkeys(k.rule_id for k in knockouts)),
        stale=tuple(stale),
        undisclosed=tuple(undisclosed),
        unanswered=tuple(unanswered),
        missing_evidence=tuple(missing),
        waivers_applied=tuple(WaiverRef.of(waivers_applied[r]) for r in sorted({t.rule_id for t in trace if t.waiver})),
        waivers_expired=tuple(waivers_expired),
        disabled_rules=plan.disabled,
        reassessment_due=due,
        reassessment_reason=reason,
        policy_name=policy.model.name,
        policy_sha256=policy.sha256,
        questionnaires=tuple((q.id, q.version) for q in catalogue.questionnaires),
        questionnaire_sources=tuple(catalogue.provenance[q.id] for q in catalogue.questionnaires if q.id in catalogue.provenance),
        profile=_profile(dossier),
        answers=records,
        decision=decision,
        confidence=confidence,
        positions=dossier.positions,
        open_items=_open_items(
            plan, dossier, applicable, (undisclosed, unanswered, missing, not_established), stale, open_questions, records
        ),
    )


def _open_items(
    plan: _Plan,
    dossier: Dossier,
    applicable: set[str],
    lists: tuple[list[str], list[str], list[str], list[str]],
    stale: list[StaleAnswer],
    open_questions: tuple[OpenQuestion, ...],
    records: tuple[AnswerRecord, ...],
) -> tuple[FollowUp, ...]:
    """Every applicable question still open, once, with all its reasons, in questionnaire order (answers as the records show them)."""
    undisclosed, unanswered, missing, not_established = lists
    reasons: dict[str, list[str]] = {}
    for code, ids in (("unanswered", unanswered), ("undisclosed", undisclosed), ("not_established", not_established)):
        for question_id in ids:
            reasons.setdefault(question_id, []).append(code)
    for question_id, unknown_choices in plan.unknown_answers.items():
        if question_id in applicable and dossier.answers.get(question_id) in unknown_choices:
            reasons.setdefault(question_id, []).append("unknown")
    for question_id in missing:
        reasons.setdefault(question_id, []).append("evidence_missing")
    stale_as_of = {s.question_id: s.as_of for s in stale}
    for question_id in stale_as_of:
        reasons.setdefault(question_id, []).append("stale")
    if not reasons:
        return ()
    decides = {q.question: q.could_trigger for q in open_questions}
    items: list[FollowUp] = []
    for record in records:
        question_id = record.question_id
        if question_id not in reasons:
            continue
        # Positional, in FollowUp's field order: dozens of these per dossier.
        items.append(
            FollowUp(
                question_id,
                record.category,
                plan.audience[question_id],
                plan.asked[question_id],
                tuple(reasons[question_id]),
                None if record.status == "unanswered" else record.answer,
                stale_as_of.get(question_id),
                None,
                decides.get(question_id, ()),
            )
        )
    return tuple(items)


def overall_score(
    dossier: Dossier,
    catalogue: Catalogue,
    policy: Policy,
    *,
    today: date,
    listings: frozenset[tuple[str, str]] = frozenset(),
    ownership: frozenset[str] = frozenset(),
    linked: tuple[LinkedFacts, ...] = (),
) -> float:
    """The overall score :func:`score_dossier` gives, without the decision, records and lists.

    Weighing open questions re-scores a dossier once per possible answer;
    only the score matters there, and this is the same arithmetic (fired
    rules and stale penalties, each category capped at 100, the policy's
    weighted mean) at a fraction of the cost.
    """
    plan = _plan(catalogue, policy)
    facts = dossier.facts(listings, buyer=policy.buyer_flags, jurisdiction_lists=policy.jurisdiction_lists, ownership=ownership)
    if linked:
        facts = dataclasses.replace(facts, linked=linked)
    applicable = _applicable(plan, facts)
    waivers, _ = _waivers(policy, dossier, today)
    trace = _fire_rules(plan, facts, applicable, dossier.answers, {}, waivers, {})
    trace += _staleness(plan, catalogue, dossier, applicable, today, policy.model.staleness.penalty_points)[1]
    raw: dict[str, float] = {}
    for entry in trace:
        raw[entry.category] = raw.get(entry.category, 0.0) + entry.contribution
    weights = [(policy.weight(q.id), min(100.0, raw.get(q.id, 0.0))) for q in catalogue.questionnaires]
    weight_sum = sum(weight for weight, _ in weights)
    return sum(weight * score for weight, score in weights) / weight_sum if weight_sum else 0.0


def _waivers(policy: Policy, dossier: Dossier, today: date) -> tuple[dict[str, Waiver], list[WaiverRef]]:
    """The policy's waivers for this vendor: in force by rule id, and expired ones (reported, not applied)."""
    applied: dict[str, Waiver] = {}
    expired: list[WaiverRef] = []
    for waiver in policy.model.waivers:
        if not _vendor_matches(waiver, dossier):
            continue
        if waiver.expires < today:
            expired.append(WaiverRef.of(waiver))
        else:
            applied[waiver.rule] = waiver
    return applied, expired


def _fire_rules(
    plan: _Plan,
    facts: Facts,
    applicable: set[str],
    answers: dict[str, Any],
    notes: dict[tuple[str, str], str],
    waivers: dict[str, Waiver],
    shown: dict[str, str],
) -> list[TraceEntry]:
    """One trace entry per rule whose condition holds on an applicable question, each fact counted once.

    Rules on one question (or one vendor fact) combine as the strongest, not
    the sum. A rule's *basis* is its question when the answers alone make it
    fire, and otherwise the vendor or screening facts it reads (headquarters
    ``CN`` read by four rules is one fact). Within a category and basis the
    rule with the largest contribution counts; the others stay in the trace
    with contribution 0, marked superseded, and their recommendations travel
    with the strongest. Rules that say ``combine: add`` always count in full.
    Groups are settled before any entry is built, so each entry is made once.
    """
    answers_only: Facts | None = None
    fired: list[tuple[_PlannedRule, str | None]] = []
    for planned, question_id, holds, answer_basis, fact_basis in plan.firing:
        if question_id is not None and question_id not in applicable:
            continue
        if not holds(facts):
            continue
        basis = answer_basis
        if fact_basis is not None:
            if answers_only is None:
                answers_only = dataclasses.replace(facts, vendor={}, listings=frozenset(), linked=())
            if basis is None or not holds(answers_only):
                basis = fact_basis
        fired.append((planned, basis))

    winner_of, extras = _settle_groups(fired, waivers)
    trace: list[TraceEntry] = []
    for index, (planned, _) in enumerate(fired):
        rule = planned.compiled.rule
        question = planned.question
        if question is not None:
            answer = shown.get(question.id) or shown.setdefault(question.id, display_answer(question, answers.get(question.id)))
        else:
            answer = _facts_in_words(facts, notes)
        inherited = None
        if planned.linked:
            inherited, told = _inheritance(planned, facts)
            if question is None:
                answer = told
        waiver = waivers.get(rule.id)
        superseded_by = winner_of.get(index)
        also = extras.get(index, ())
        # Positional, in TraceEntry's field order: a hundred of these per dossier.
        trace.append(
            TraceEntry(
                planned.compiled.category,
                rule.id,
                rule.version,
                rule.question,
                answer,
                planned.points,
                planned.weight,
                0.0 if waiver or superseded_by else planned.contribution,
                planned.severity,
                planned.message,
                planned.recommendation,
                planned.knockout,
                WaiverRef.of(waiver) if waiver else None,
                planned.overridden,
                superseded_by,
                tuple([action.text for action in also]) if also else (),
                planned.actions,
                also,
                inherited,
            )
        )
    return trace


def _settle_groups(
    fired: list[tuple[_PlannedRule, str | None]], waivers: dict[str, Waiver]
) -> tuple[dict[int, str], dict[int, tuple[Action, ...]]]:
    """Per group of rules on one question or fact: which rule each weaker one is superseded by, and the
    weaker rules' actions (those the strongest does not already name) that travel with the strongest."""
    groups: dict[str, list[int]] = {}
    for index, (_, basis) in enumerate(fired):
        if basis is not None:
            # get, then a new list only for a new basis: setdefault would build a list for every fired rule.
            members = groups.get(basis)
            if members is None:
                groups[basis] = [index]
            else:
                members.append(index)
    winner_of: dict[int, str] = {}
    extras: dict[int, tuple[Action, ...]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        best = max(members, key=lambda i: _strength(fired[i][0], waivers))
        own = {action.text for action in fired[best][0].actions}
        weaker: dict[str, Action] = {}
        for i in members:
            if i != best:
                winner_of[i] = fired[best][0].compiled.rule.id
                for action in fired[i][0].actions:
                    if action.text and action.text not in own:
                        weaker.setdefault(action.text, action)
        extras[best] = tuple(weaker.values())
    return winner_of, extras


def _facts_in_words(facts: Facts, notes: dict[tuple[str, str], str]) -> str:
    """The screening hits (or, without any, the vendor facts) a fact rule fired on, as the trace shows them."""
    fired = [
        note for pair, note in sorted(notes.items()) if pair in facts.listings or (pair[0] == "ownership" and pair[1] in facts.ownership)
    ]
    return "; ".join(fired) if fired else "vendor facts"


def _inheritance(planned: _PlannedRule, facts: Facts) -> tuple[str, str]:
    """Where a fired ``linked`` rule's finding comes from, and what the linked dossier says, in words.

    A linked dossier is a source when the rule would fire with it alone among
    the links (the rule's other conditions still read this dossier).
    """
    holds = planned.compiled.condition.holds
    sources = [item for item in facts.linked if holds(dataclasses.replace(facts, linked=(item,)))] or list(facts.linked)
    provenance = "; ".join(dict.fromkeys(item.provenance for item in sources))
    said: list[str] = []
    for item in sources:
        details: list[str] = []
        for part in planned.linked:
            if not (item.kinds <= part.via and part.where.holds(item.facts)):
                continue
            asked = dict(planned.linked_questions)
            for question_id in sorted(part.where.questions()):
                details.append(f"{question_id} = {answer_label(asked.get(question_id), item.facts.answers.get(question_id))}")
            if "screening" in part.where.facts_read():
                details.extend(
                    note
                    for pair, note in sorted(item.notes.items())
                    if pair in item.facts.listings or (pair[0] == "ownership" and pair[1] in item.facts.ownership)
                )
        said.append(f"{item.source}: {'; '.join(dict.fromkeys(details)) or 'as its dossier states'}")
    return provenance, " | ".join(said)


def _strength(planned: _PlannedRule, waivers: dict[str, Waiver]) -> tuple[float, int, str]:
    """How strongly a fired rule counts: its contribution (0 when waived), then severity, then id."""
    if planned.compiled.rule.id not in waivers:
        return planned.strength
    return 0.0, SEVERITY_RANK[planned.severity], planned.compiled.rule.id


def _staleness(
    plan: _Plan, catalogue: Catalogue, dossier: Dossier, applicable: set[str], today: date, penalty: float
) -> tuple[list[StaleAnswer], list[TraceEntry]]:
    """Answers older than the policy allows; they cost points only when the policy opts in (``penalty_points``)."""
    stale: list[StaleAnswer] = []
    entries: list[TraceEntry] = []
    assessed = dossier.model.assessment.date
    # Compare dates against a per-category cutoff: no timedelta per answer on the hot path.
    cutoff = {category: _days_before(today, limit) for category, limit in plan.max_age.items()}
    category_of = catalogue.category_of
    answers = dossier.answers
    for question_id, entry_model in dossier.model.answers.items():
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
            entries.append(
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
                    recommendation=STALE_ACTION.text,
                    actions=(STALE_ACTION,),
                )
            )
    return stale, entries


def _days_after(day: date, days: int) -> date:
    """``day`` plus ``days``, clamped to the last representable date (an assessment dated 9999-12-30 is valid input)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max


def _days_before(day: date, days: int) -> date:
    """``day`` minus ``days``, clamped to the first representable date."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def _knockouts(
    plan: _Plan, catalogue: Catalogue, facts: Facts, applicable: set[str], fired: list[TraceEntry], policy: Policy
) -> tuple[list[TraceEntry], list[TraceEntry], tuple[OpenQuestion, ...]]:
    """Knock-outs decided by known facts, those that fired only on unknowns, and the open questions.

    A knock-out rule that fires only because an answer is undisclosed or
    unanswered (or an engagement fact is unstated) is not a finding: it
    becomes an open question and the decision says "incomplete". One that
    fires whatever the unknowns turn out to be is decided.
    """
    if not policy.model.knockouts:
        return [], [], ()
    fired_by_id = {t.rule_id: t for t in fired if t.waiver is None}
    waived = {t.rule_id for t in fired if t.waiver is not None}
    decided: list[TraceEntry] = []
    undecided: list[TraceEntry] = []
    open_by_question: dict[str, tuple[str, str, list[str], list[str]]] = {}
    # Knock-outs on one question share its unknowns: each set of them is completed favourably once.
    favourably: dict[tuple[str, ...], Facts] = {}
    for planned in plan.knockout_rules:
        rule = planned.compiled.rule
        if rule.id in waived or (planned.question is not None and planned.question.id not in applicable):
            continue
        condition = planned.compiled.condition
        unknown = [q for q in planned.reads_questions if q in applicable and _is_unknown(facts.answers.get(q), plan.unknown_answers.get(q))]
        unstated = [fact for fact in planned.reads_engagement if fact not in facts.engagement]
        entry = fired_by_id.get(rule.id)
        if not unknown and not unstated:
            if entry is not None:
                decided.append(entry)
            continue
        best = favourably.get(tuple(unknown))
        if best is None:
            best = favourably[tuple(unknown)] = _completed(
                facts, {q: _favourable_of(plan, catalogue, q) for q in unknown}, assume_unknown=False
            )
        if condition.holds(best):
            if entry is not None:
                decided.append(entry)
            continue
        if entry is not None:
            undecided.append(entry)
        elif not _could_hold(condition, plan, catalogue, facts, unknown):
            continue
        for question_id in unknown:
            value = facts.answers.get(question_id)
            # A buyer question left "undisclosed" is a fact the buyer has not established: unknown, not the vendor's silence.
            withheld = value == UNDISCLOSED and question_id not in plan.buyer_questions
            status = "unanswered" if value is None else (UNDISCLOSED if withheld else "unknown")
            _, _, rules, messages = open_by_question.setdefault(
                question_id, (" ".join(catalogue.questions[question_id].text.split()), status, [], [])
            )
            rules.append(rule.id)
            messages.append(planned.message)
        for fact in unstated:
            key = f"engagement.{fact}"
            _, _, rules, messages = open_by_question.setdefault(key, (ENGAGEMENT_QUESTIONS[fact], "engagement", [], []))
            rules.append(rule.id)
            messages.append(planned.message)
    open_questions = tuple(
        OpenQuestion(question, text, status, tuple(dict.fromkeys(rules)), tuple(dict.fromkeys(messages)))
        for question, (text, status, rules, messages) in open_by_question.items()
    )
    return decided, undecided, open_questions


ENGAGEMENT_QUESTIONS = {
    "data_classes": "Which classes of data will the engagement send to the vendor (public, internal, confidential, personal, "
    "special_category, regulated)? State them in the dossier's engagement block.",
    "criticality": "How critical is the service to the business (low, medium, high, critical)? State it in the dossier's engagement block.",
    "users": "Who will use what the engagement builds (employees, customers, public)? State it in the dossier's engagement block.",
}
"""How an unstated engagement fact is asked for, when a knock-out depends on it."""


RECONCILE_RULE_ID = "CORE-RECON"
"""The trace id of an answer the screen contradicts: an engine check, not a questionnaire rule."""


def _contradiction_entry(contradiction: Contradiction, catalogue: Catalogue) -> TraceEntry:
    """A finding with no points: its severity sets the tier floor and it becomes a condition or reason."""
    return TraceEntry(
        catalogue.category_of[contradiction.question_id],
        RECONCILE_RULE_ID,
        1,
        contradiction.question_id,
        contradiction.answer,
        0.0,
        1.0,
        0.0,
        contradiction.severity,
        contradiction.message,
        contradiction.recommendation,
        None,
        None,
        False,
        None,
        (),
        (Action(contradiction.recommendation, "procurement", "review"),),
    )


def _not_screened(source: str, reason: str) -> OpenQuestion:
    """A required list that was not screened: without it, "no match" says nothing."""
    title = SCREENING_SOURCES.get(source, source)
    return OpenQuestion(
        question=f"screening.{source}",
        text=f"Screen every name against the {title}, then assess again; it was not screened: {reason}.",
        status="not_screened",
        could_trigger=(),
        messages=(f"A listed name in the vendor's chain would be missed: the {title} was not screened.",),
    )


def _is_unknown(value: Any, unknown_choices: frozenset[str] | None) -> bool:
    """Unanswered, undisclosed, or a choice that says the fact is not known (``unknown: true``)."""
    return value is None or value == UNDISCLOSED or (unknown_choices is not None and value in unknown_choices)


def _completed(facts: Facts, answers: dict[str, Any], *, assume_unknown: bool) -> Facts:
    """``facts`` with some answers replaced, and unknown engagement facts taken to hold or not."""
    return dataclasses.replace(facts, answers={**facts.answers, **answers}, assume_unknown=assume_unknown)


def _favourable_of(plan: _Plan, catalogue: Catalogue, question_id: str) -> Any:
    """:func:`_favourable` of a question, worked out once per plan."""
    if question_id not in plan.favourable:
        plan.favourable[question_id] = _favourable(catalogue.questions[question_id])
    return plan.favourable[question_id]


def _candidates_of(plan: _Plan, catalogue: Catalogue, question_id: str) -> list[Any]:
    """:func:`_candidates` of a question, worked out once per plan."""
    if question_id not in plan.candidates:
        plan.candidates[question_id] = _candidates(catalogue.questions[question_id])
    return plan.candidates[question_id]


_MAX_COMPLETIONS = 256


def _could_hold(condition: Condition, plan: _Plan, catalogue: Catalogue, facts: Facts, unknown: list[str]) -> bool:
    """Whether some answer to the unknown questions (and unknown engagement facts) makes ``condition`` hold.

    Tries every combination of candidate answers; beyond a few hundred it
    assumes yes, because the cautious answer to "could this be a hard stop?" is yes.
    """
    options = [_candidates_of(plan, catalogue, question_id) for question_id in unknown]
    if math.prod(len(o) for o in options) > _MAX_COMPLETIONS:
        return True
    # One completed copy of the facts whose answers each combination overwrites in turn: a condition reads
    # the answers only while ``holds`` runs, so no copy of a hundred answers per combination is needed.
    trial = _completed(facts, {}, assume_unknown=True)
    answers = trial.answers
    assert isinstance(answers, dict)
    for combination in itertools.product(*options):
        answers.update(zip(unknown, combination, strict=True))
        if condition.holds(trial):
            return True
    return False


def _candidates(question: Question) -> list[Any]:
    """Every answer worth trying for an unknown question (the worst case is among them)."""
    if question.type in ("yes_no", "single_choice"):
        ranks = answer_ranks(question) or {}
        return [value for value in ranks if value != UNDISCLOSED] + [UNDISCLOSED]
    if question.type == "multiple_choice":
        return [frozenset(c.value for c in question.choices or []), UNDISCLOSED]
    return [UNDISCLOSED]


def _favourable(question: Question) -> Any:
    """The most favourable answer to a question: what the vendor could still say in its favour."""
    if question.type in ("yes_no", "single_choice"):
        ranks = answer_ranks(question) or {}
        return min((v for v in ranks if v != UNDISCLOSED), key=lambda v: ranks[v])
    if question.type == "multiple_choice":
        return frozenset(c.value for c in question.choices or [] if c.risk == 0)
    if question.type == "number":
        if question.risk_direction == "higher":
            return question.minimum if question.minimum is not None else 0.0
        return question.maximum if question.maximum is not None else 1e12
    return "unknown"


def _categories(
    plan: _Plan,
    catalogue: Catalogue,
    policy: Policy,
    dossier: Dossier,
    applicable: set[str],
    trace: list[TraceEntry],
    stale: list[StaleAnswer],
    knockouts: list[TraceEntry],
    undecided: list[TraceEntry],
) -> tuple[list[CategoryScore], list[str], tuple[list[str], list[str], list[str], list[str]]]:
    """Each category's score, confidence and own tier; and the undisclosed, unanswered, unevidenced and unestablished questions.

    The tiers count every fired knock-out; the second list gives each
    category's tier counting only knock-outs decided by known facts (what the
    decision may reject on).
    """
    raw_by_category: dict[str, float] = {}
    # A category's tier is never below its strongest unwaived finding's severity, nor below its knock-outs:
    # a "high" finding under a LOW tier would discredit the whole report.
    forced: dict[str, str] = {}
    for entry in trace:
        raw_by_category[entry.category] = raw_by_category.get(entry.category, 0.0) + entry.contribution
        if entry.waiver is None and entry.rule_id != STALE_RULE_ID:
            floor = SEVERITY_TIER[entry.severity]
            if TIER_RANK[floor] > TIER_RANK[forced.get(entry.category, "low")]:
                forced[entry.category] = floor
    for entry in knockouts:
        if entry.knockout and TIER_RANK[entry.knockout] > TIER_RANK[forced.get(entry.category, "low")]:
            forced[entry.category] = entry.knockout
    forced_decided = dict(forced)
    for entry in undecided:
        if entry.knockout and TIER_RANK[entry.knockout] > TIER_RANK[forced.get(entry.category, "low")]:
            forced[entry.category] = entry.knockout
    decided_tiers: list[str] = []
    criticality = dossier.model.engagement.criticality if dossier.model.engagement else None
    stale_ids = {s.question_id for s in stale}
    undisclosed: list[str] = []
    unanswered: list[str] = []
    missing: list[str] = []
    not_established: list[str] = []
    buyer_questions = plan.buyer_questions
    categories: list[CategoryScore] = []
    entries = dossier.model.answers
    answers = dossier.answers
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
            if value == UNDISCLOSED:
                # An undisclosed answer is not knowledge: it adds nothing to confidence. Only the
                # vendor can withhold an answer; on a buyer question it is a fact not established yet.
                (not_established if question_id in buyer_questions else undisclosed).append(question_id)
                continue
            factor = 1.0
            if evidence_required and not _has_evidence(entries.get(question_id)):
                missing.append(question_id)
                factor *= 0.5
            if question_id in stale_ids:
                factor *= 0.5
            confidence_sum += weight * factor
        raw = raw_by_category.get(questionnaire.id, 0.0)
        score = min(100.0, raw)
        by_score = policy.tier_for(score, criticality)
        tier = _higher(by_score, forced.get(questionnaire.id, "low"))
        decided_tiers.append(_higher(by_score, forced_decided.get(questionnaire.id, "low")))
        categories.append(
            CategoryScore(
                id=questionnaire.id,
                title=questionnaire.title,
                version=questionnaire.version,
                weight=policy.weight(questionnaire.id),
                score=score,
                raw=raw,
                confidence=100.0 * confidence_sum / total_weight if total_weight else 100.0,
                applicable=scored,
                answered=answered,
                tier=tier,
            )
        )
    return categories, decided_tiers, (undisclosed, unanswered, missing, not_established)


SEVERITY_TIER = {"info": "low", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
"""The lowest tier a finding of each severity allows: severity and tier must agree."""


def _higher(a: str, b: str) -> str:
    return a if TIER_RANK[a] >= TIER_RANK[b] else b


def _overall_tier(
    policy: Policy,
    overall: float,
    criticality: str | None,
    categories: list[tuple[str, str, float]],
    knockouts: list[TraceEntry],
    findings: list[TraceEntry],
) -> tuple[str, str]:
    """The overall tier and why: the highest of the weighted mean's tier, the worst category's and any knock-out's.

    The weighted mean ranks vendors; it may never hide a category (the policy
    may let the overall tier sit ``category_relax_steps`` below the worst one).
    """
    thresholds = policy.model.tiers
    stricter = f"; stricter for a {criticality}-criticality engagement" if criticality in thresholds.by_criticality else ""
    candidates = [
        (
            policy.tier_for(overall, criticality),
            1,
            f"overall score {overall:.1f} (thresholds: medium {thresholds.medium:g}, high {thresholds.high:g}, "
            f"critical {thresholds.critical:g}{stricter})",
        )
    ]
    severe = [t for t in findings if TIER_RANK[SEVERITY_TIER[t.severity]] > 0]
    if severe:
        strongest = max(severe, key=lambda t: SEVERITY_RANK[t.severity])
        candidates.append((SEVERITY_TIER[strongest.severity], 2, f"a {strongest.severity}-severity finding: {strongest.message}"))
    worst = max(categories, key=lambda c: TIER_RANK[c[1]], default=None)
    if worst is not None:
        title, worst_tier, score = worst
        floor = TIERS[max(0, TIER_RANK[worst_tier] - thresholds.category_relax_steps)]
        candidates.append((floor, 0, f"the {title} category is {worst_tier} (score {score:.1f}); no category hides under the mean"))
    for entry in knockouts:
        if entry.knockout:
            candidates.append((entry.knockout, 3, f"knock-out: {entry.message} (forces at least {entry.knockout})"))
    # Ties are explained by the most telling cause: a knock-out, a severe finding, the score, then the category floor.
    tier, _, basis = max(candidates, key=lambda c: (TIER_RANK[c[0]], c[1]))
    return tier, basis


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
        engagement=_engagement(dossier),
    )


def _engagement(dossier: Dossier) -> tuple[tuple[str, str], ...]:
    engagement = dossier.model.engagement
    if engagement is None:
        return ()
    stated = (
        ("use_case", engagement.use_case),
        ("data_classes", ", ".join(engagement.data_classes) if engagement.data_classes is not None else None),
        ("criticality", engagement.criticality),
        ("users", engagement.users),
    )
    return tuple((fact, value) for fact, value in stated if value is not None)


def _answer_records(dossier: Dossier, applicable: set[str], plan: _Plan, shown: dict[str, str]) -> tuple[AnswerRecord, ...]:
    """Every applicable question as answered, for reports (answers already shown by a rule are not formatted again)."""
    records: list[AnswerRecord] = []
    entries = dossier.model.answers
    values = dossier.answers
    assessed = dossier.model.assessment.date
    for question_id, category, text, frameworks, question in plan.answer_specs:
        if question_id not in applicable:
            continue
        entry = entries.get(question_id)
        value = values.get(question_id)
        allegation = question.allegation
        if entry is None:
            records.append(
                AnswerRecord(question_id, category, text, "unanswered", "unanswered", (), None, None, frameworks, "Unanswered", allegation)
            )
            continue
        if question_id in plan.few_answers and type(value) in (str, frozenset):
            worded = plan.labels.get((question_id, value))
            if worded is None:
                worded = plan.labels[question_id, value] = (
                    display_answer(question, value),
                    answer_label(question, value, plan.choice_labels.get(question_id)),
                )
            displayed, label = worded
        else:
            displayed = shown.get(question_id) or display_answer(question, value)
            label = answer_label(question, value, plan.choice_labels.get(question_id))
        records.append(
            AnswerRecord(
                question_id,
                category,
                text,
                displayed,
                "unanswered" if value is None else ("undisclosed" if value == UNDISCLOSED else "answered"),
                tuple([EvidenceRef(e.url, e.title, e.retrieved, e.kind) for e in entry.evidence]) if entry.evidence else (),
                entry.note,
                (entry.as_of or assessed) if entry.answer is not None else None,
                frameworks,
                label,
                allegation,
            )
        )
    return tuple(records)


def follow_up_questions(result: VendorResult, catalogue: Catalogue | None = None) -> list[tuple[str, str, str]]:
    """(question id, why, question as put to the vendor) for every question to send the vendor, each once.

    Unanswered, undisclosed, unevidenced and stale vendor and either
    questions, with all their reasons in ``why``; buyer questions are the
    buyer's own (``result.buyer_tasks``). ``catalogue`` is no longer needed:
    the result carries the texts it was scored with.
    """
    return [(item.question_id, item.why, item.text) for item in result.vendor_questions]


class Ranked(Protocol):
    """What ranking by risk reads: a full result, or the slim summary a streamed report run keeps of it."""

    @property
    def tier(self) -> str:
        """The overall tier."""

    @property
    def overall(self) -> float:
        """The overall score."""

    @property
    def vendor(self) -> str:
        """The vendor's name."""


RankedT = TypeVar("RankedT", bound=Ranked)


def sort_by_risk(results: Sequence[RankedT]) -> list[RankedT]:
    """Riskiest first: tier, then overall score, then name (deterministic)."""
    return sorted(results, key=lambda r: (-TIERS.index(r.tier), -r.overall, r.vendor.casefold()))
