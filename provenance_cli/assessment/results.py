"""What an assessment produces: typed results the renderers and gates read.

Everything here is a frozen dataclass built by :mod:`~provenance_cli.assessment.scoring`
and the pipeline, and read (never recomputed) by the render layer and the CLI.
Screening and evidence arrive typed too, together with the exact lock file
digest the result was scored with, so a report can never cite a different
lock from the one that produced its verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from provenance_cli.formats.vocabulary import SEVERITY_RANK, VENDOR_AUDIENCES

if TYPE_CHECKING:
    from provenance_cli.evidence.results import EvidenceFinding
    from provenance_cli.formats.policy import Waiver
    from provenance_cli.screening.model import ScreeningResult

STALE_RULE_ID = "CORE-STALE"
STALE_RULE_VERSION = 1


@dataclass(frozen=True)
class EvidenceReview:
    """Evidence drift for one dossier, against the lock file beside it."""

    findings: tuple[EvidenceFinding, ...]
    """One per cited URL: unchanged, changed, removed, new or unreadable."""
    lock_path: str
    """The lock file read."""
    lock_sha256: str
    """Digest of the lock file's bytes when it was read, for the report's provenance."""


@dataclass(frozen=True)
class WaiverRef:
    """A policy waiver as the result records it: accepted risk, by whom, until when."""

    rule: str
    vendor: str
    reason: str
    approver: str
    expires: date

    @classmethod
    def of(cls, waiver: Waiver) -> WaiverRef:
        """The record of a policy waiver."""
        return cls(waiver.rule, waiver.vendor, waiver.reason, waiver.approver, waiver.expires)


@dataclass(frozen=True)
class ClauseRef:
    """A contract clause a recommendation puts in the contract, as the clause checklist shows it."""

    id: str
    title: str
    rationale: str
    """Why the contract needs it, in one line."""


@dataclass(frozen=True)
class Action:
    """One recommended action: what to do, who does it, and what kind of act it is.

    Questionnaires of format 1 give neither owner nor type (both None); the
    reports then list the action under "owner not stated".
    """

    text: str
    owner: str | None
    """vendor, procurement, legal, security or engineering (formats/vocabulary.py ACTION_OWNERS)."""
    type: str | None
    """ask, contract_clause, review or engineering_change."""
    clause: ClauseRef | None = None
    """The clause a ``contract_clause`` action puts in the contract."""


def actions_of(recommendation: str | None, recommendations: Sequence[Any], clauses: Mapping[str, Any]) -> tuple[Action, ...]:
    """A rule's or trigger's recommendations as actions: format 2 gives each an owner and a type (and a contract
    clause its clause); format 1 has one text without them."""
    if not recommendations:
        return (Action(" ".join((recommendation or "").split()), None, None),)
    actions = []
    for item in recommendations:
        clause = clauses.get(item.clause) if item.clause else None
        ref = ClauseRef(clause.id, clause.title, " ".join(clause.rationale.split())) if clause else None
        actions.append(Action(" ".join(item.text.split()), item.owner, item.type, ref))
    return tuple(actions)


@dataclass(slots=True)
class TraceEntry:
    """One term of a category sum: which rule, on which answer, worth what.

    Read-only by convention, not frozen: scoring builds about a hundred of
    these per dossier, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) cost a quarter of scoring time
    (``benchmarks/bench_scoring.py``). Nothing in provcheck assigns to one
    after it is built.
    """

    category: str
    rule_id: str
    rule_version: int
    question_id: str | None
    answer: str
    """The answer (or the screening fact) that made the rule fire, as text."""
    points: float
    """The rule's points after policy overrides, before the weight."""
    weight: float
    contribution: float
    """points x weight, or 0 when waived."""
    severity: str
    message: str
    recommendation: str
    knockout: str | None = None
    """The tier the rule forces when it fires, or None (``none`` in the questionnaire reads as None here)."""
    waiver: WaiverRef | None = None
    overridden: bool = False
    superseded_by: str | None = None
    """The rule whose stronger finding on the same question or fact counts instead (contribution 0 here)."""
    also_recommended: tuple[str, ...] = ()
    """Recommendations of the weaker rules this entry supersedes, so none is lost from the report."""
    actions: tuple[Action, ...] = ()
    """The rule's own recommendations as actions, with owner and type (``recommendation`` is their text)."""
    also_actions: tuple[Action, ...] = ()
    """The actions of the weaker rules this entry supersedes that the rule's own do not repeat (``also_recommended`` is their text)."""
    inherited_from: str | None = None
    """For a rule that reads a linked dossier: where the finding comes from, in words
    (``inherited from Northwind Frontier / Gale 4 via Switchboard Router's routing``)."""

    @property
    def counts(self) -> bool:
        """A finding of its own: not superseded by a stronger rule on the same question or fact."""
        return self.superseded_by is None


@dataclass(frozen=True)
class CategoryScore:
    """One questionnaire's score, confidence and own tier for one vendor."""

    id: str
    title: str
    version: str
    weight: float
    """The category's weight in the overall score."""
    score: float
    """0-100, higher is riskier."""
    raw: float
    """Sum of contributions before the cap at 100."""
    confidence: float
    """0-100: share of the weighted answers that are present, evidenced and fresh."""
    applicable: int
    answered: int
    tier: str = "low"
    """The category's own tier: its score against the thresholds, raised by its knock-outs."""


@dataclass(frozen=True)
class StaleAnswer:
    """An answer older than the policy allows for its category: lowers confidence, brings reassessment forward."""

    question_id: str
    as_of: date
    age_days: int
    max_age_days: int


@dataclass(frozen=True)
class DisabledRule:
    """A rule the policy switched off, with the reason it gives (for the audit trail)."""

    rule_id: str
    reason: str


@dataclass(slots=True)
class EvidenceRef:
    """One piece of evidence cited for an answer, as reports show it.

    Read-only by convention, not frozen: scoring builds about a hundred of
    these per dossier, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) cost a quarter of scoring time
    (``benchmarks/bench_scoring.py``). Nothing in provcheck assigns to one
    after it is built.
    """

    url: str
    title: str | None
    retrieved: date | None
    kind: str


@dataclass(slots=True)
class AnswerRecord:
    """One question as answered in the dossier, for reports, compare and diff.

    Read-only by convention, not frozen: scoring builds about a hundred of
    these per dossier, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) cost a quarter of scoring time
    (``benchmarks/bench_scoring.py``). Nothing in provcheck assigns to one
    after it is built.
    """

    question_id: str
    category: str
    text: str
    answer: str
    """Display form; 'unanswered' when empty."""
    status: str
    """answered, undisclosed or unanswered."""
    evidence: tuple[EvidenceRef, ...]
    note: str | None
    as_of: date | None
    frameworks: tuple[tuple[str, tuple[str, ...]], ...]
    """(framework key, references) pairs, e.g. ("nist_ai_rmf", ("GOVERN 6.1",))."""
    label: str = ""
    """The answer in the questionnaire's words (a choice's label, "Yes", "1 vendor"); ``answer`` keeps the machine value."""
    allegation: bool = False
    """The question reports a public allegation: findings on it cite their source and dates inline."""


REASON_WORDS = {
    "unanswered": "unanswered",
    "undisclosed": "undisclosed by the vendor",
    "not_established": "not established yet",
    "unknown": "answer says it is not known yet",
    "evidence_missing": "evidence missing",
    "stale": "stale",
}
"""Why a question is still open, in words (``stale`` gains its date)."""


@dataclass(slots=True)
class FollowUp:
    """One question still open for a vendor, listed once with every reason it is open.

    Vendor and either questions are what to send the vendor; buyer questions
    are the buyer's own to-do list and are never "undisclosed by the vendor".
    Read-only by convention, not frozen, for the same reason as
    :class:`TraceEntry`: scoring builds dozens per dossier (weighing makes
    changed copies with ``dataclasses.replace``).
    """

    question_id: str
    category: str
    audience: str
    """vendor, buyer or either (see formats/vocabulary.py ``Audience``)."""
    text: str
    """The question as put to whoever answers it: the vendor's second-person wording for vendor and either questions."""
    reasons: tuple[str, ...]
    """Codes of :data:`REASON_WORDS`, in that order: unanswered, undisclosed, not_established, unknown, evidence_missing, stale."""
    answer: str | None
    """The current answer as a reviewer reads it; None when unanswered."""
    stale_as_of: date | None = None
    """The date of a stale answer."""
    points_at_stake: float | None = None
    """How far the overall score could move with the answer (docs/SCORING.md); None when not computed."""
    decides: tuple[str, ...] = ()
    """Knock-out rules an answer could still trigger: the question is one of the decision's open questions."""

    @property
    def to_vendor(self) -> bool:
        """True when the question is sent to the vendor (vendor and either questions)."""
        return self.audience in VENDOR_AUDIENCES

    @property
    def why(self) -> str:
        """Every reason in words, e.g. "undisclosed by the vendor; stale (as of 2026-07-03)"."""
        words = [REASON_WORDS[r] + (f" (as of {self.stale_as_of})" if r == "stale" and self.stale_as_of else "") for r in self.reasons]
        return "; ".join(words)


@dataclass(frozen=True)
class VendorProfile:
    """Who the vendor is, as the dossier states it."""

    legal_name: str
    aliases: tuple[str, ...]
    headquarters: str | None
    parents: tuple[tuple[str, str | None], ...]
    """Ownership chain, nearest first: (name, jurisdiction)."""
    hosting_regions: tuple[str, ...]
    models: tuple[tuple[str, str | None, str | None], ...]
    """(name, version, access)."""
    assessor: str
    website: str | None
    engagement: tuple[tuple[str, str], ...] = ()
    """The engagement as the dossier states it: (fact, value) pairs, e.g. ("data_classes", "personal, internal")."""


@dataclass(frozen=True)
class DecisionItem:
    """One reason for the decision, or one condition of approval, in words."""

    text: str
    """The rule's message: what was found."""
    rule: str
    """The rule that found it (for the audit trail; never shown alone)."""
    question: str | None
    """The question it reads, when it reads one."""
    answer: str
    """The answer or screening fact behind it."""
    severity: str
    recommendation: str
    """What to do about it: the clause, control or action approval depends on."""


@dataclass(frozen=True)
class OpenQuestion:
    """An unknown fact that could trigger a knock-out: "we cannot decide until this is answered"."""

    question: str
    """The question id, or ``engagement.<fact>`` for an engagement fact the dossier does not state."""
    text: str
    """The question as asked."""
    status: str
    """undisclosed, unanswered, unknown (an answer such as "not reviewed"), engagement, or not_screened (a required list)."""
    could_trigger: tuple[str, ...]
    """The knock-out rules an unfavourable answer would trigger."""
    messages: tuple[str, ...] = ()
    """What those rules would find, in words."""


@dataclass(frozen=True)
class Decision:
    """What procurement signs: approve, approve_with_conditions, reject or incomplete, with its reasons."""

    outcome: str
    summary: str
    """One sentence in words."""
    reasons: tuple[DecisionItem, ...] = ()
    """Why: the knock-outs that reject, or the findings behind conditions."""
    conditions: tuple[DecisionItem, ...] = ()
    """For approve_with_conditions: the clauses and actions approval depends on."""
    open_questions: tuple[OpenQuestion, ...] = ()
    """For incomplete (and listed with reject too): what must be answered before the decision can stand."""


@dataclass(frozen=True)
class ModelResult:
    """One model's own verdict: its answers replace the vendor's where they differ, and what its links bring."""

    name: str
    version: str | None
    access: str | None
    in_scope: bool
    """The engagement uses it (every model listed counts when the engagement names none)."""
    tier: str
    decision: str
    """approve, approve_with_conditions, incomplete or reject."""
    summary: str
    """The model's decision in one sentence."""
    overall: float
    confidence: float
    tier_basis: str
    developer: str | None = None
    """Who built it, when not the vendor (screened like the vendor's names)."""
    families: tuple[str, ...] = ()
    """The base-model families it belongs to (its own, its base model's, or what it routes to)."""
    labs: tuple[str, ...] = ()
    """The labs whose models answer its requests: the vendor, the developer, or the upstreams it routes to."""
    own_answers: tuple[tuple[str, str], ...] = ()
    """(question id, answer) of the answers that differ for this model."""
    inherited: tuple[tuple[str, str, str, str], ...] = ()
    """(rule id, severity, message, where from) of the findings it inherits over links."""
    reasons: tuple[str, ...] = ()
    """Why the decision, in words: its hard stops, conditions or open questions (the first few)."""


@dataclass(frozen=True)
class SupplyLink:
    """One resolved link of the dossier, for reports and the portfolio graph."""

    kind: str
    """base_model, routes_to or parent."""
    model: str | None
    """The model the link belongs to (None for an owner's dossier)."""
    target_id: str
    """The vendor id of the dossier linked to."""
    target_model: str | None
    target: str
    """The target in words: ``Northwind Frontier / Gale 4``."""


@dataclass(frozen=True)
class SupplyChain:
    """Where the vendor sits in the supply chain: its id, owner, links and a verdict per model."""

    vendor_id: str
    ultimate_parent: str | None
    """The top of the ownership chain (the vendor itself when it names no company owner)."""
    links: tuple[SupplyLink, ...] = ()
    models: tuple[ModelResult, ...] = ()
    governing_model: str | None = None
    """The model in scope whose findings the vendor's result shows: the worst one."""
    engagement_models: tuple[str, ...] | None = None
    """The models the engagement names; None when it names none (every model listed is in scope)."""


@dataclass(frozen=True)
class VendorResult:
    """Everything the reports render for one vendor."""

    vendor: str
    legal_name: str
    source: str
    sha256: str
    assessed_on: date
    """The dossier's assessment date."""
    as_of: date
    """The day the scoring was done for (staleness and waivers are judged then)."""
    overall: float
    tier: str
    tier_basis: str
    """Why this tier: the threshold, or the knock-out rule(s) that forced it."""
    categories: tuple[CategoryScore, ...]
    trace: tuple[TraceEntry, ...]
    knockouts: tuple[str, ...]
    """Rules whose knock-out forced a tier (decided by known facts, not waived)."""
    stale: tuple[StaleAnswer, ...]
    undisclosed: tuple[str, ...]
    """Vendor and either questions the vendor did not disclose (a buyer question is never undisclosed by the vendor)."""
    unanswered: tuple[str, ...]
    missing_evidence: tuple[str, ...]
    waivers_applied: tuple[WaiverRef, ...]
    waivers_expired: tuple[WaiverRef, ...]
    disabled_rules: tuple[DisabledRule, ...]
    reassessment_due: date
    reassessment_reason: str
    policy_name: str
    policy_sha256: str
    questionnaires: tuple[tuple[str, str], ...]
    """(id, version) of every questionnaire used."""
    profile: VendorProfile
    answers: tuple[AnswerRecord, ...]
    """Every applicable question in questionnaire order."""
    decision: Decision = Decision("incomplete", "Not decided.")
    """The decision and its reasons in words."""
    confidence: float = 100.0
    """0-100, one definition everywhere: the category confidences' weighted mean (undisclosed answers count as unknown)."""
    screening: ScreeningResult | None = None
    """The screening this result was scored with; None when screening was off."""
    evidence: EvidenceReview | None = None
    """Evidence drift against the lock file this result was scored with; None without a lock."""
    supply: SupplyChain | None = None
    """The vendor's id, links and per-model verdicts; the tier and decision above are the worst model's in scope."""
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Where answers stand in the dossier (``Dossier.positions``), so findings can point at a line and column."""

    open_items: tuple[FollowUp, ...] = ()
    """Every applicable question still open (unanswered, undisclosed, unknown, unevidenced or stale), once each,
    in questionnaire order, or most points at stake first once the pipeline has weighed them."""

    def position_of(self, question_id: str | None) -> tuple[int, int]:
        """The dossier (line, column) a finding on ``question_id`` points at.

        The answer's value; for a question the dossier leaves out, the
        ``answers:`` block; for a rule over screening or vendor facts (no
        question), the vendor's name. (1, 1) when nothing is known.
        """
        if question_id is not None and question_id in self.positions:
            return self.positions[question_id]
        fallback = "answers" if question_id is not None else "vendor"
        return self.positions.get(fallback) or self.positions.get("vendor") or (1, 1)

    @property
    def vendor_questions(self) -> tuple[FollowUp, ...]:
        """The open questions to send the vendor (vendor and either questions)."""
        return tuple(item for item in self.open_items if item.to_vendor)

    @property
    def buyer_tasks(self) -> tuple[FollowUp, ...]:
        """The buyer's own open questions, shown apart from the vendor's."""
        return tuple(item for item in self.open_items if not item.to_vendor)

    @property
    def findings(self) -> tuple[TraceEntry, ...]:
        """One entry per question or fact (the strongest rule), most contributing first (ties: severity, then id).

        Weaker rules on the same question stay in the trace, marked superseded,
        and their recommendations travel with the strongest entry.
        """
        fired = [t for t in self.trace if t.rule_id != STALE_RULE_ID and t.counts]
        return tuple(sorted(fired, key=lambda t: (-t.contribution, -SEVERITY_RANK[t.severity], t.rule_id)))

    @property
    def overdue(self) -> bool:
        """True when the reassessment date is today or already past."""
        return self.reassessment_due <= self.as_of
