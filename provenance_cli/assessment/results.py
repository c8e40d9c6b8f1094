"""What an assessment produces: typed results the renderers and gates read.

Everything here is a frozen dataclass built by :mod:`~provenance_cli.assessment.scoring`
and the pipeline, and read (never recomputed) by the render layer and the CLI.
Screening and evidence arrive typed too, together with the exact lock file
digest the result was scored with, so a report can never cite a different
lock from the one that produced its verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from provenance_cli.formats.vocabulary import SEVERITY_RANK

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
    rule: str
    vendor: str
    reason: str
    approver: str
    expires: date

    @classmethod
    def of(cls, waiver: Waiver) -> WaiverRef:
        return cls(waiver.rule, waiver.vendor, waiver.reason, waiver.approver, waiver.expires)


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One term of a category sum: which rule, on which answer, worth what."""

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
    waiver: WaiverRef | None = None
    overridden: bool = False


@dataclass(frozen=True)
class CategoryScore:
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


@dataclass(frozen=True)
class StaleAnswer:
    question_id: str
    as_of: date
    age_days: int
    max_age_days: int


@dataclass(frozen=True)
class DisabledRule:
    rule_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    url: str
    title: str | None
    retrieved: date | None
    kind: str


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One question as answered in the dossier, for reports, compare and diff."""

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
    stale: tuple[StaleAnswer, ...]
    undisclosed: tuple[str, ...]
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
    screening: ScreeningResult | None = None
    """The screening this result was scored with; None when screening was off."""
    evidence: EvidenceReview | None = None
    """Evidence drift against the lock file this result was scored with; None without a lock."""

    @property
    def findings(self) -> tuple[TraceEntry, ...]:
        """Fired rule entries, most contributing first (ties: severity, then id)."""
        fired = [t for t in self.trace if t.rule_id != STALE_RULE_ID]
        return tuple(sorted(fired, key=lambda t: (-t.contribution, -SEVERITY_RANK[t.severity], t.rule_id)))

    @property
    def overdue(self) -> bool:
        return self.reassessment_due <= self.as_of
