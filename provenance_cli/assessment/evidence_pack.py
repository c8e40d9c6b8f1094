"""An auditor's evidence pack: one framework's controls, with every vendor's answers, evidence and findings.

``provcheck frameworks FRAMEWORK DIR`` assesses the dossiers of a folder and
regroups what the reports say by control: for each control of the
framework that a question maps to, the questions (and whose control it is),
and for each vendor its answer, the evidence it cites and the findings the
rules raised on that question. Nothing is scored twice: the pack is built
from the same results the reports are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from provenance_cli.assessment.results import EvidenceRef, TraceEntry, VendorResult
from provenance_cli.formats.frameworks import Framework
from provenance_cli.formats.questionnaires import Catalogue

NOT_APPLICABLE = "does not apply"
"""The status of a question whose ``applies_if`` is not met for a vendor."""


@dataclass(frozen=True)
class PackFinding:
    """A finding on one question, as the pack shows it."""

    rule_id: str
    severity: str
    message: str
    recommendation: str
    """What to do, each action led by who acts (``legal: ...``) when the questionnaire says (format 2)."""
    knockout: str | None
    waived_by: str | None
    """The approver of a waiver in force (the finding then adds nothing and decides nothing)."""


@dataclass(frozen=True)
class PackEntry:
    """One vendor's answer to one question, with its evidence and findings."""

    vendor: str
    dossier: str
    answer: str
    status: str
    """answered, undisclosed, unanswered or "does not apply"."""
    as_of: date | None
    note: str | None
    evidence: tuple[EvidenceRef, ...]
    findings: tuple[PackFinding, ...]


@dataclass(frozen=True)
class PackQuestion:
    """A question mapped to the control, whose control it is, and every vendor's entry."""

    question_id: str
    category: str
    text: str
    party: str | None
    """vendor or buyer: who operates the control this answer is evidence for; None when the questionnaire does not say."""
    entries: tuple[PackEntry, ...]


@dataclass(frozen=True)
class PackControl:
    """One control of the framework and the questions that are evidence for it."""

    control: str
    title: str
    questions: tuple[PackQuestion, ...]


@dataclass(frozen=True)
class PackVendor:
    """A vendor in the pack, with the decision its report states."""

    name: str
    dossier: str
    sha256: str
    decision: str
    tier: str
    assessed_on: date


@dataclass(frozen=True)
class EvidencePack:
    """The whole pack for one framework."""

    framework: Framework
    as_of: date
    vendors: tuple[PackVendor, ...]
    controls: tuple[PackControl, ...]


def _findings(trace: Sequence[TraceEntry], question_id: str) -> tuple[PackFinding, ...]:
    """The findings of one question: each rule that counts (the strongest on its question, or one that adds)."""
    return tuple(
        PackFinding(
            t.rule_id,
            t.severity,
            t.message,
            _actions_text(t),
            t.knockout,
            t.waiver.approver if t.waiver else None,
        )
        for t in trace
        if t.question_id == question_id and t.counts
    )


def _actions_text(entry: TraceEntry) -> str:
    """The rule's recommendations in words, each with its owner when the questionnaire names one."""
    if not entry.actions:
        return entry.recommendation
    return " ".join(f"{a.owner}: {' '.join(a.text.split())}" if a.owner else " ".join(a.text.split()) for a in entry.actions)


def _entry(result: VendorResult, question_id: str) -> PackEntry:
    record = next((a for a in result.answers if a.question_id == question_id), None)
    if record is None:
        return PackEntry(result.vendor, result.source, "", NOT_APPLICABLE, None, None, (), ())
    return PackEntry(
        result.vendor,
        result.source,
        record.answer,
        record.status,
        record.as_of,
        record.note,
        record.evidence,
        _findings(result.trace, question_id),
    )


def build_evidence_pack(framework: Framework, catalogue: Catalogue, results: Sequence[VendorResult], *, as_of: date) -> EvidencePack:
    """The pack for ``framework`` over ``results`` (in the order given), controls in the framework's order."""
    mapped: dict[str, list[tuple[str, str | None]]] = {}
    for question in catalogue.questions.values():
        for name, control, party in question.framework_refs():
            if name == framework.id:
                mapped.setdefault(control, []).append((question.id, party))
    controls = []
    for control in sorted(mapped, key=framework.sort_key):
        questions = tuple(
            PackQuestion(
                question_id,
                catalogue.category_of[question_id],
                " ".join(catalogue.questions[question_id].text.split()),
                party,
                tuple(_entry(result, question_id) for result in results),
            )
            for question_id, party in mapped[control]
        )
        controls.append(PackControl(control, framework.title(control), questions))
    vendors = tuple(PackVendor(r.vendor, r.source, r.sha256, r.decision.outcome, r.tier, r.assessed_on) for r in results)
    return EvidencePack(framework, as_of, vendors, tuple(controls))
