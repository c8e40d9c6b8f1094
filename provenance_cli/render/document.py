"""The report document: one vendor's result as plain, versioned data.

Every format renders this one shape (the JSON report *is* it), and compare
and diff read it back from JSON reports, so a report archived last year can
still be compared with today's. The same inputs give the same document
apart from ``generated_at``: lists keep questionnaire or trace order, floats
are rounded to a fixed number of places and keys are sorted when dumped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from provenance_cli.assessment.results import (
    Action,
    AnswerRecord,
    Decision,
    DecisionItem,
    EvidenceRef,
    ModelResult,
    SupplyChain,
    TraceEntry,
    VendorResult,
    WaiverRef,
)
from provenance_cli.formats.report_schema import REPORT_VERSION
from provenance_cli.formats.report_shape import (
    ANSWER_DEFAULTS,
    TRACE_DEFAULTS,
    Fired,
    compact_report,
    findings_from_trace,
    refer_to_questions,
)
from provenance_cli.formats.vocabulary import TIERS
from provenance_cli.render.interface import InputFile, RenderContext

DIGITS = 4
"""Places every float is rounded to, so re-runs give byte-identical numbers."""


def num(value: float) -> float:
    """A number rounded for the report, so re-runs are byte-identical."""
    rounded = round(float(value), DIGITS)
    return rounded + 0.0 if rounded else 0.0


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _waiver(w: WaiverRef | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {"rule": w.rule, "vendor": w.vendor, "reason": w.reason, "approver": w.approver, "expires": _day(w.expires)}


@lru_cache(maxsize=1024)
def _frameworks(refs: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[str]]:
    """Framework mappings are per question, identical in every report: built once and
    shared (report documents are read-only)."""
    return {key: list(items) for key, items in refs}


def _entry(t: TraceEntry, *, compact: bool = False) -> dict[str, Any]:
    """A trace term. Recommendations live on findings only: the trace repeats
    every fired rule, and duplicating the longest text made reports a third larger.

    ``compact``: without the fields that hold their default (version 4, :data:`TRACE_DEFAULTS`), built so rather
    than copied and trimmed afterwards; every default there is None or False, so "holds it" is identity, and a
    field is only looked at, and a waiver only turned into its row, when it is there to be written.
    """
    row = {
        "category": t.category,
        "rule_id": t.rule_id,
        "rule_version": t.rule_version,
        "question_id": t.question_id,
        "answer": t.answer,
        "points": num(t.points),
        "weight": num(t.weight),
        "contribution": num(t.contribution),
        "severity": t.severity,
        "message": t.message,
    }
    if not compact:
        row.update(
            knockout=t.knockout,
            waiver=_waiver(t.waiver),
            overridden=t.overridden,
            superseded_by=t.superseded_by,
            inherited_from=t.inherited_from,
        )
        return row
    for key, default in TRACE_DEFAULTS.items():  # about a hundred entries per report: most hold every default
        value = getattr(t, key)
        if value is not default:
            row[key] = _waiver(value) if key == "waiver" else value
    return row


def _compact_answer(a: AnswerRecord) -> dict[str, Any]:
    """An answer in version 4's form, built so rather than trimmed from the full one (``report_shape._compact_answer``):
    without its question's fields (the ``questions`` table holds them), a label equal to the answer, or the fields that
    hold their default (:data:`ANSWER_DEFAULTS`: no evidence, note, date or allegation; None or False but the list)."""
    row: dict[str, Any] = {"question_id": a.question_id, "answer": a.answer, "status": a.status}
    label = a.label or a.answer
    if label != a.answer:
        row["label"] = label
    if a.evidence:
        row["evidence"] = [_evidence_item(e) for e in a.evidence]
    if a.note is not ANSWER_DEFAULTS["note"]:
        row["note"] = a.note
    if a.as_of is not None:  # a date's text is never the default (None)
        row["as_of"] = a.as_of.isoformat()
    if a.allegation is not ANSWER_DEFAULTS["allegation"]:
        row["allegation"] = a.allegation
    return row


def _evidence_item(e: EvidenceRef) -> dict[str, Any]:
    return {"url": e.url, "title": e.title, "retrieved": _day(e.retrieved), "kind": e.kind}


def _location(result: VendorResult, question_id: str | None) -> dict[str, Any]:
    """Where a finding points in the dossier: the answer's line and column (see ``VendorResult.position_of``)."""
    line, column = result.position_of(question_id)
    return {"file": result.source, "line": line, "column": column}


@lru_cache(maxsize=1024)
def _action(action: Action) -> dict[str, Any]:
    """An action as the report carries it (its clause by id: ``contract_clauses`` holds each clause once); the same few
    hundred actions recur in every report, so each is built once (report documents are read-only)."""
    return {"text": action.text, "owner": action.owner, "type": action.type, "clause": action.clause.id if action.clause else None}


def _contract_clauses(findings: Iterable[TraceEntry]) -> dict[str, dict[str, str]]:
    """Every clause the findings' actions name: id -> title and one-line rationale."""
    return {
        action.clause.id: {"title": action.clause.title, "rationale": action.clause.rationale}
        for entry in findings
        for action in (*entry.actions, *entry.also_actions)
        if action.clause is not None
    }


def _actions(entry: TraceEntry) -> list[dict[str, Any]]:
    """The finding's own actions, then those of the weaker rules it supersedes (each text once)."""
    return [_action(a) for a in (*entry.actions, *entry.also_actions)]


def _decision_item(item: DecisionItem, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "text": item.text,
        "rule": item.rule,
        "question": item.question,
        "answer": item.answer,
        "answer_label": labels.get(item.question, item.answer) if item.question else item.answer,
        "severity": item.severity,
        "recommendation": item.recommendation,
    }


def _decision(decision: Decision, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "outcome": decision.outcome,
        "summary": decision.summary,
        "reasons": [_decision_item(i, labels) for i in decision.reasons],
        "conditions": [_decision_item(i, labels) for i in decision.conditions],
        "open_questions": [
            {
                "question": q.question,
                "text": q.text,
                "status": q.status,
                "could_trigger": list(q.could_trigger),
                "messages": list(q.messages),
            }
            for q in decision.open_questions
        ],
    }


def _plain(value: Any) -> Any:
    """Duck-typed extras (screening, evidence) as JSON-safe data."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return num(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return _plain(as_dict())
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


def _screening(result: VendorResult) -> dict[str, Any] | None:
    screening = result.screening
    if screening is None:
        return None
    matches = [{**_plain(match.as_dict()), "description": match.describe()} for match in screening.matches]
    versions = [_plain(version) for version in screening.list_versions]
    versions.sort(key=lambda v: (str(v.get("key", "")), str(v.get("name", ""))))
    coverage = [
        {
            "source": c.source,
            "title": c.title,
            "screened": c.screened,
            "reason": c.reason,
            "entries": c.entries,
            "list_date": c.list_date,
        }
        for c in screening.coverage
    ]
    return {"matches": matches, "list_versions": versions, "coverage": coverage}


def _evidence(result: VendorResult) -> list[dict[str, Any]] | None:
    if result.evidence is None:
        return None
    return [
        {**_plain(finding.as_dict()), "description": finding.describe(), "is_finding": finding.is_finding}
        for finding in result.evidence.findings
    ]


def _model(row: ModelResult, governing: str | None) -> dict[str, Any]:
    return {
        "name": row.name,
        "version": row.version,
        "access": row.access,
        "in_scope": row.in_scope,
        "governing": row.name == governing,
        "tier": row.tier,
        "decision": row.decision,
        "summary": row.summary,
        "overall": num(row.overall),
        "confidence": num(row.confidence),
        "tier_basis": row.tier_basis,
        "developer": row.developer,
        "families": list(row.families),
        "labs": list(row.labs),
        "own_answers": [list(pair) for pair in row.own_answers],
        "inherited": [list(item) for item in row.inherited],
        "reasons": list(row.reasons),
    }


def _supply(supply: SupplyChain | None) -> dict[str, Any] | None:
    if supply is None:
        return None
    return {
        "vendor_id": supply.vendor_id,
        "ultimate_parent": supply.ultimate_parent,
        "governing_model": supply.governing_model,
        "engagement_models": list(supply.engagement_models) if supply.engagement_models is not None else None,
        "links": [
            {"kind": link.kind, "model": link.model, "target_id": link.target_id, "target_model": link.target_model, "target": link.target}
            for link in supply.links
        ],
    }


def _dossier_inputs(result: VendorResult) -> list[InputFile]:
    """The dossier and the lock file the result was scored with (their digests as read then)."""
    inputs = [InputFile("dossier", result.source, result.sha256)]
    if result.evidence is not None:
        inputs.append(InputFile("evidence_lock", result.evidence.lock_path, result.evidence.lock_sha256))
    return inputs


def _questionnaires(result: VendorResult) -> list[dict[str, str]]:
    """Each questionnaire the result was scored with: id and version, and where it came from with its file digest."""
    sources = {source.id: source for source in result.questionnaire_sources}
    listed: list[dict[str, str]] = []
    for questionnaire_id, version in result.questionnaires:
        entry = {"id": questionnaire_id, "version": version}
        source = sources.get(questionnaire_id)
        if source is not None:
            entry.update(origin=source.origin, path=source.path, sha256=source.sha256)
        listed.append(entry)
    return listed


def open_questions(result: VendorResult, context: RenderContext) -> list[dict[str, str]]:
    """The questions to send the vendor, each once with all its reasons, as put to the vendor."""
    return [{"question_id": item.question_id, "why": item.why, "text": item.text} for item in result.vendor_questions]


def buyer_tasks(result: VendorResult) -> list[dict[str, str]]:
    """The buyer's own open questions (its use, reviews, exit exercises): never sent to the vendor."""
    return [{"question_id": item.question_id, "why": item.why, "text": item.text} for item in result.buyer_tasks]


def report_document(result: VendorResult, context: RenderContext) -> dict[str, Any]:
    """The versioned report for one vendor (see ``report_schema``)."""
    return _document(result, context, compact=False)


def compact_document(result: VendorResult, context: RenderContext) -> dict[str, Any]:
    """The JSON report's document: ``compact_report(report_document(result, context))``, without building the full findings first.

    A portfolio writes thousands of these; a version 4 finding is a reference
    to its trace entry, so it is made straight from the entry's row
    (:func:`~provenance_cli.formats.report_shape.findings_from_trace`).
    tests/unit/test_report_v4.py checks both ways give the same document.
    """
    return _document(result, context, compact=True)


def _document(result: VendorResult, context: RenderContext, *, compact: bool) -> dict[str, Any]:
    """The report document in the full shape, or (``compact``) in version 4's."""
    screening = _screening(result)
    inputs = [*_dossier_inputs(result), *context.inputs]
    profile = result.profile
    labels = {a.question_id: a.label or a.answer for a in result.answers}
    trace = [_entry(t, compact=compact) for t in result.trace]
    # Findings are trace entries (the same objects): each is turned into a row once, here, not again for its finding.
    rows = {id(t): row for t, row in zip(result.trace, trace, strict=True)}
    fired = result.findings
    findings: list[dict[str, Any]] = []
    fired_rows: list[Fired] = []
    for t in fired:
        row = rows.get(id(t)) or _entry(t, compact=compact)
        recommendations = [t.recommendation, *t.also_recommended]
        if compact:
            fired_rows.append((row, _actions(t), recommendations, _location(result, t.question_id)))
            continue
        findings.append(
            {
                **row,
                "answer_label": labels.get(t.question_id, t.answer) if t.question_id else t.answer,
                "recommendation": t.recommendation,
                "recommendations": recommendations,
                "actions": _actions(t),
                "location": _location(result, t.question_id),
            }
        )
    document = {
        "report_version": REPORT_VERSION,
        "generated_at": context.generated_at,
        "decision": _decision(result.decision, labels),
        "provenance": {
            "tool": "provcheck",
            "provcheck_version": _version(),
            "questionnaires": _questionnaires(result),
            "policy": {"name": result.policy_name, "sha256": result.policy_sha256},
            "inputs": [{"role": i.role, "path": i.path, "sha256": i.sha256} for i in inputs],
            "screening_lists": screening["list_versions"] if screening is not None else None,
        },
        "vendor": {
            **({"id": result.supply.vendor_id} if result.supply is not None else {}),
            "name": result.vendor,
            "legal_name": result.legal_name,
            "aliases": list(profile.aliases),
            "headquarters": profile.headquarters,
            "parents": [{"name": n, "jurisdiction": j} for n, j in profile.parents],
            "hosting_regions": list(profile.hosting_regions),
            "models": [{"name": n, "version": v, "access": a} for n, v, a in profile.models],
            "website": profile.website,
            "assessor": profile.assessor,
        },
        "engagement": dict(profile.engagement),
        "assessment": {
            "assessed_on": _day(result.assessed_on),
            "as_of": _day(result.as_of),
            "reassessment_due": _day(result.reassessment_due),
            "reassessment_reason": result.reassessment_reason,
            "overdue": result.overdue,
        },
        "summary": {
            "overall": num(result.overall),
            "tier": result.tier,
            "tier_rank": TIERS.index(result.tier),
            "tier_basis": result.tier_basis,
            "confidence": num(result.confidence),
            "min_confidence": num(min((c.confidence for c in result.categories), default=100.0)),
            "knockouts": list(result.knockouts),
            "rules_fired": len(fired),
        },
        "categories": [
            {
                "id": c.id,
                "title": c.title,
                "version": c.version,
                "weight": num(c.weight),
                "score": num(c.score),
                "raw": num(c.raw),
                "confidence": num(c.confidence),
                "applicable": c.applicable,
                "answered": c.answered,
                "tier": c.tier,
            }
            for c in result.categories
        ],
        "findings": findings,
        "contract_clauses": _contract_clauses(fired),
        "trace": trace,
        "stale": [
            {"question_id": s.question_id, "as_of": _day(s.as_of), "age_days": s.age_days, "max_age_days": s.max_age_days}
            for s in result.stale
        ],
        "undisclosed": list(result.undisclosed),
        "unanswered": list(result.unanswered),
        "missing_evidence": list(result.missing_evidence),
        "waivers_applied": [_waiver(w) for w in result.waivers_applied],
        "waivers_expired": [_waiver(w) for w in result.waivers_expired],
        "disabled_rules": [{"rule_id": d.rule_id, "reason": d.reason} for d in result.disabled_rules],
        "open_questions": open_questions(result, context),
        "buyer_tasks": buyer_tasks(result),
        "answers": [_compact_answer(a) for a in result.answers]
        if compact
        else [
            {
                "question_id": a.question_id,
                "category": a.category,
                "text": a.text,
                "answer": a.answer,
                "label": a.label or a.answer,
                "status": a.status,
                "evidence": [_evidence_item(e) for e in a.evidence],
                "note": a.note,
                "as_of": _day(a.as_of),
                "frameworks": _frameworks(a.frameworks),
                "allegation": a.allegation,
            }
            for a in result.answers
        ],
        "screening": screening,
        "evidence_checks": _evidence(result),
        "models": [_model(row, result.supply.governing_model) for row in result.supply.models] if result.supply is not None else [],
        "supply_chain": _supply(result.supply),
    }
    if not compact:
        return document
    dossier = next((str(i.path) for i in inputs if i.role == "dossier"), None)
    questions = {a.question_id: {"text": a.text, "category": a.category, "frameworks": _frameworks(a.frameworks)} for a in result.answers}
    return refer_to_questions(document, questions, labels, findings_from_trace(trace, fired_rows, dossier))


_last: list[Any] = [None, None, None]


def json_document(result: VendorResult, context: RenderContext) -> dict[str, Any]:
    """The JSON report's (version 4) document: compacted from the full one when another format has just built it, else built directly."""
    if _last[0] is result and _last[1] is context:
        return compact_report(_last[2])
    return compact_document(result, context)


def cached_document(result: VendorResult, context: RenderContext) -> dict[str, Any]:
    """``report_document``, reused when the same result is rendered to several formats in a row.

    The document is read-only for renderers; only the most recent one is kept.
    """
    if _last[0] is result and _last[1] is context:
        return _last[2]  # type: ignore[no-any-return]
    document = report_document(result, context)
    _last[:] = [result, context, document]
    return document


def _version() -> str:
    from provenance_cli import __version__

    return __version__


def dumps(data: Any) -> str:
    """Canonical JSON text: sorted keys, compact separators, UTF-8 kept readable.

    Compact on purpose: Python's C encoder only runs without ``indent``, which
    makes large portfolios render several times faster (``jq .`` pretty-prints).
    The text is exactly ``json.dumps(data, sort_keys=True, ensure_ascii=False,
    separators=(",", ":"))`` plus a newline. orjson and the checks below take
    about a third of ``json``'s time (some 1.2 ms less CPU per dossier in a
    portfolio run), so orjson writes it whenever that provably gives the same
    text (:func:`_orjson_bytes`), and ``json`` writes the rest.
    """
    raw = _orjson_bytes(data)
    if raw is None:
        return _json_text(data) + "\n"
    return raw.decode("utf-8") + "\n"


def dumps_bytes(data: Any) -> bytes:
    """:func:`dumps` as the UTF-8 bytes written to a file, without decoding orjson's bytes to text and encoding them back."""
    raw = _orjson_bytes(data)
    if raw is None:
        return (_json_text(data) + "\n").encode("utf-8")
    return raw + b"\n"


def _json_text(data: Any) -> str:
    """The canonical report text as Python's ``json`` writes it: what orjson's bytes must equal to be used instead."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_ORJSON_OPTIONS: list[int] = []
"""orjson's option flags once it is imported (empty before; -1 when it cannot be, then ``json`` writes everything)."""


def _orjson_bytes(data: Any) -> bytes | None:
    """``data`` as orjson writes it (UTF-8), or None where that could differ from ``json.dumps`` (then ``json`` writes it).

    orjson writes the same text for everything a report holds (strings in any
    script with the same escapes, ints, floats' shortest digits, keys sorted
    by code point) except floats under 1e-4 in size, which it writes as
    ``0.00001`` or ``1e-7`` where Python writes ``1e-05`` and ``1e-07``: a
    text with either form anywhere (even inside a string) goes to ``json``.
    What orjson refuses (ints over 64 bits, keys that are not strings, deep
    nesting, lone surrogates) goes to ``json`` as well, which writes it or
    raises as it always did; dates and dataclasses are refused on purpose
    for the same reason. An orjson older than 3.12 (which wrote ``1e16``) is
    not used at all. tests/unit/test_report_dumps.py checks all of this.
    """
    if not _ORJSON_OPTIONS:
        _ORJSON_OPTIONS.append(_orjson_options())
    if _ORJSON_OPTIONS[0] < 0:
        return None
    import orjson

    try:
        raw = orjson.dumps(data, option=_ORJSON_OPTIONS[0])
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if b"0.0000" in raw or _has_short_exponent(raw):
        return None
    return raw


_FLOAT_PROBE = [1e16, 1.5e22, 1.7976931348623157e308, 1e15, 123456789012345.6, 0.1, 0.0001, -0.0, 5e-324, 2.5e-300]
"""Floats whose text changed between orjson releases (before 3.12 it wrote ``1e16`` for Python's ``1e+16``)."""


def _orjson_options() -> int:
    """orjson's flags, or -1 when it is missing or writes floats other than Python does (an older release than the dependency's floor)."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        return -1
    if orjson.dumps(_FLOAT_PROBE) != json.dumps(_FLOAT_PROBE, separators=(",", ":")).encode():
        return -1
    return int(orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)


_EXPONENT_MINUS = re.compile(rb"e-[0-9]")
"""``e-`` and a digit: the regex engine looks for its literal start at C speed (a report holds some thirty ``e-`` in words)."""


def _has_short_exponent(raw: bytes) -> bool:
    """Whether ``raw`` holds a digit, ``e-`` and a digit (orjson's ``1e-7``), looking only where ``e-`` and a digit occur."""
    return any(raw[found.start() - 1 : found.start()].isdigit() for found in _EXPONENT_MINUS.finditer(raw))


# --------------------------------------------------------------------------- reading reports back


def load_report(path: Path) -> dict[str, Any]:
    """A JSON report written by ``provcheck assess -f json``, checked against its version's schema, in the full shape readers use.

    Version 4's references (findings to trace entries, answers to questions)
    are resolved here, once (:func:`provenance_cli.formats.report_shape.to_internal`).
    """
    from provenance_cli.formats.report_check import read_report
    from provenance_cli.formats.report_shape import to_internal

    return to_internal(read_report(path))


def tier_rank(document: dict[str, Any]) -> int:
    """A report's tier as a rank (0 low ... 3 critical), for sorting."""
    tier = str(document.get("summary", {}).get("tier", "low"))
    return TIERS.index(tier) if tier in TIERS else 0


def sort_documents(documents: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Riskiest first, like ``scoring.sort_by_risk``."""
    return sorted(
        documents,
        key=lambda d: (-tier_rank(d), -float(d["summary"].get("overall", 0)), str(d["vendor"].get("name", "")).casefold()),
    )


def trace_by_category(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A report's trace entries grouped by category, in report order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in document["trace"]:
        grouped.setdefault(entry["category"], []).append(entry)
    return grouped


def framework_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """(framework, reference) -> the questions mapped to it and the rules that fired on them."""
    fired: dict[str, list[str]] = {}
    for entry in document["findings"]:
        if entry.get("question_id"):
            fired.setdefault(entry["question_id"], []).append(entry["rule_id"])
    mapped = _framework_map(tuple((a["question_id"], _frozen_refs(a.get("frameworks", {}))) for a in document["answers"]))
    rows = []
    for framework, name, ref, questions in mapped:
        rules: list[str] = []
        for question_id in questions:
            rules.extend(r for r in fired.get(question_id, ()) if r not in rules)
        rows.append({"framework": framework, "name": name, "ref": ref, "questions": list(questions), "rules": rules})
    return rows


def framework_name(framework: str) -> str:
    """A framework's display name from the bundled set (``formats/data/frameworks.yaml``); its id when it is an organisation's."""
    from provenance_cli.formats.frameworks import load_frameworks

    return load_frameworks().name(framework)


def _frozen_refs(frameworks: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((key, tuple(refs)) for key, refs in sorted(frameworks.items()))


@lru_cache(maxsize=64)
def _framework_map(
    answers: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...],
) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """The static part of :func:`framework_rows`: it depends only on which questions apply,
    which is the same for most vendors, so it is worked out once per set of questions."""
    rows: dict[tuple[str, str], list[str]] = {}
    for question_id, frameworks in answers:
        for framework, refs in frameworks:
            for ref in refs:
                rows.setdefault((framework, ref), []).append(question_id)
    return tuple((framework, framework_name(framework), ref, tuple(rows[(framework, ref)])) for framework, ref in sorted(rows))
