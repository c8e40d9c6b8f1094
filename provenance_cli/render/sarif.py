"""SARIF 2.1.0: findings as code-scanning results, for GitHub code scanning and every CI that reads SARIF.

One run for the whole assessment; one result per finding (the strongest rule
on a question or fact), placed at the dossier line and column of the answer
it read (the vendor's name for rules over screening or vendor facts). Rule
metadata comes from the questionnaire (its rule, or its date trigger): the
message as the short description, the question and its help as the full
description, the recommendation as help, framework mappings and the
category as tags.
Severities map to SARIF levels (critical and high are ``error``, medium
``warning``, low and info ``note``) and to GitHub's ``security-severity``
scores. A waived finding keeps its place with an accepted suppression that
names the approver, the reason and the expiry. Files that could not be
assessed are tool notifications, so the run says it was not complete.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import PurePath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from provenance_cli.render.interface import CombinedRenderer, RenderContext

if TYPE_CHECKING:
    from provenance_cli.assessment.results import TraceEntry, VendorResult
    from provenance_cli.formats.models import Rule, Trigger
    from provenance_cli.formats.questionnaires import Catalogue

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
"""The OASIS standard's schema (2.1.0 with errata 01), which a test validates every log against."""

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
"""SARIF level of each finding severity."""
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.5"}
"""GitHub code scanning's score per severity (it ranks 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, below low)."""
FINGERPRINT = "provcheck/v1"
"""Key of the partial fingerprint that keeps a finding the same alert across runs: vendor, rule and question."""


def artifact_uri(source: str) -> str | None:
    """A dossier path as a SARIF artifact URI: relative paths stay relative (code scanning resolves them against the
    checkout), absolute ones become ``file:`` URIs; None for stdin (``-``), which has no file to point at."""
    if source == "-":
        return None
    windows = PureWindowsPath(source)
    path = PurePath(source)
    if path.is_absolute() or windows.drive:
        return (path if path.is_absolute() else windows).as_uri()
    return quote(windows.as_posix() if "\\" in source else path.as_posix(), safe="/")


def _words(text: str) -> str:
    """Text from a folded YAML scalar as one line."""
    return " ".join(text.split())


def _definition(rule_id: str, catalogue: Catalogue | None) -> tuple[Rule | Trigger | None, str | None]:
    """The questionnaire rule or date trigger with id ``rule_id`` and the file it came from; (None, None) for engine checks."""
    if catalogue is None:
        return None, None
    compiled = catalogue.rule(rule_id)
    if compiled is not None:
        return compiled.rule, compiled.source
    trigger = catalogue.trigger(rule_id)
    if trigger is not None:
        return trigger.trigger, trigger.source
    return None, None


def _rule_metadata(entry: TraceEntry, catalogue: Catalogue | None) -> dict[str, Any]:
    """The reportingDescriptor of the rule (or date trigger) behind ``entry``, from its questionnaire when it has one."""
    definition, source = _definition(entry.rule_id, catalogue)
    question = catalogue.questions.get(entry.question_id) if catalogue is not None and entry.question_id else None
    message = _words(definition.message) if definition else entry.message
    recommendation = entry.recommendation  # a format 2 rule's actions, joined (its questionnaire lists them with owners)
    severity = definition.severity if definition else entry.severity
    full = message
    tags = ["security", "provenance", entry.category]
    if question is not None:
        full = f"{message} Question {question.id}: {_words(question.text)} {_words(question.help)}"
        tags.extend(f"{framework}:{ref}" for framework, ref, _ in sorted(question.framework_refs()))
    descriptor: dict[str, Any] = {
        "id": entry.rule_id,
        "name": entry.rule_id.replace("-", ""),
        "shortDescription": {"text": message},
        "fullDescription": {"text": full},
        "help": {"text": recommendation or message},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": list(dict.fromkeys(tags)),
            "security-severity": SECURITY_SEVERITY[severity],
            "category": entry.category,
            "question": entry.question_id,
            "knockout": entry.knockout,
        },
    }
    if definition is not None:
        descriptor["properties"]["rule_version"] = definition.version
        descriptor["properties"]["questionnaire_source"] = source
        trigger_kind = getattr(definition, "kind", None)  # rules have no kind; date triggers do
        if trigger_kind is not None:
            descriptor["properties"]["date_trigger"] = trigger_kind
    return descriptor


def _result(result: VendorResult, entry: TraceEntry, rule_index: int) -> dict[str, Any]:
    line, column = result.position_of(entry.question_id)
    where = f" ({entry.question_id} = {entry.answer})" if entry.question_id else f" ({entry.answer})"
    sarif: dict[str, Any] = {
        "ruleId": entry.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[entry.severity],
        "message": {"text": f"{result.vendor}: {entry.message}{where} Recommendation: {entry.recommendation}"},
        "partialFingerprints": {
            FINGERPRINT: hashlib.sha256(f"{result.vendor}\0{entry.rule_id}\0{entry.question_id}".encode()).hexdigest()[:32]
        },
        "properties": {
            "vendor": result.vendor,
            "severity": entry.severity,
            "points": entry.points,
            "contribution": entry.contribution,
            "answer": entry.answer,
            "decision": result.decision.outcome,
            "tier": result.tier,
        },
    }
    uri = artifact_uri(result.source)
    if uri is not None:
        sarif["locations"] = [
            {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line, "startColumn": column}}}
        ]
    if entry.waiver is not None:
        waiver = entry.waiver
        sarif["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"Waived by {waiver.approver} until {waiver.expires.isoformat()}: {waiver.reason}",
            }
        ]
    return sarif


def _notifications(context: RenderContext) -> list[dict[str, Any]]:
    """Files that could not be assessed, each at its problem's position."""
    notes = []
    for problem in context.problems:
        note: dict[str, Any] = {"level": "error", "message": {"text": problem.message}, "descriptor": {"id": "input-problem"}}
        uri = artifact_uri(problem.source)
        if uri is not None:
            region = {"startLine": problem.line, "startColumn": max(problem.column, 1)} if problem.line > 0 else None
            location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
            if region:
                location["region"] = region
            note["locations"] = [{"physicalLocation": location}]
        notes.append(note)
    return notes


def sarif_log(results: Sequence[VendorResult], context: RenderContext) -> dict[str, Any]:
    """The SARIF log of an assessment: one run, one result per finding of every vendor."""
    from provenance_cli import __version__

    try:
        catalogue = context.catalogue()
    except Exception:  # a result scored elsewhere: the trace carries what SARIF needs
        catalogue = None
    rules: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    sarif_results = []
    for result in results:
        for entry in result.findings:
            if entry.rule_id not in index_of:
                index_of[entry.rule_id] = len(rules)
                rules.append(_rule_metadata(entry, catalogue))
            sarif_results.append(_result(result, entry, index_of[entry.rule_id]))
    artifacts = [uri for uri in dict.fromkeys(artifact_uri(r.source) for r in results) if uri is not None]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "provcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": "provcheck/assess/"},
        "columnKind": "unicodeCodePoints",
        "artifacts": [{"location": {"uri": uri}} for uri in artifacts],
        "invocations": [
            {
                "executionSuccessful": not context.problems,
                "startTimeUtc": context.generated_at.replace("+00:00", "Z"),
                "toolExecutionNotifications": _notifications(context),
            }
        ],
        "results": sarif_results,
        "properties": {
            "vendors": [
                {
                    "name": r.vendor,
                    "file": r.source,
                    "decision": r.decision.outcome,
                    "summary": r.decision.summary,
                    "tier": r.tier,
                    "score": round(r.overall, 1),
                    "findings": len(r.findings),
                }
                for r in results
            ]
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


class SarifRenderer(CombinedRenderer):
    """The ``sarif`` format: every vendor's findings in one SARIF 2.1.0 log."""

    name = "sarif"
    suffix = ".sarif"

    def render_many(self, results: Sequence[VendorResult], context: RenderContext) -> str:
        """One log for every vendor: SARIF consumers take one file per tool run."""
        return json.dumps(sarif_log(results, context), indent=2, ensure_ascii=False) + "\n"
