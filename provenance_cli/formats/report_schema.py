"""The published JSON Schema of the JSON report (``report_version`` 4: each fact once, findings refer to trace entries).

Written as data, apart from :mod:`provenance_cli.render.document`, which
builds the report; a test validates real reports against it, and
``provcheck schema export`` writes it to ``schemas/report.schema.json``.
Screening and evidence entries carry more keys than listed here, so those
objects stay open (``additionalProperties`` allowed); everything the
report itself defines is closed.

``compare`` and ``diff`` read reports back (:mod:`provenance_cli.formats.report_check`):
version 4 against this schema, versions 2 and 3 against their schemas as
frozen in ``formats/data`` when the next version replaced them, version 1
against :func:`report_schema_v1`, the subset of a version 1 report that they
read. :mod:`provenance_cli.formats.report_shape` turns the compact version 4
layout into the full one readers use.
"""

from __future__ import annotations

from typing import Any

from provenance_cli.formats.report_shape import ANSWER_DEFAULTS, TRACE_DEFAULTS
from provenance_cli.formats.vocabulary import ACTION_OWNERS, ACTION_TYPES, DECISIONS, SEVERITIES, TIERS

REPORT_SCHEMA_FILE = "report.schema.json"
REPORT_VERSION = 4
"""Version 4 states each fact once: a finding names its trace entry by index, question texts, categories and
framework references sit once in a ``questions`` table, and what can be derived is left out (about 32% smaller
for the same facts; :mod:`provenance_cli.formats.report_shape`). Version 3 added each finding's actions (owner,
type, clause), answer labels and allegation flags; version 2 the decision, each category's tier and superseded
trace entries, and, later and additively, each finding's ``location``. Versions 1 to 3 are still read."""
READABLE_VERSIONS = (1, 2, 3, 4)

_TIERS = list(TIERS)
_SEVERITIES = list(SEVERITIES)
_DAY = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_TEXT = {"type": "string"}
_OPT_TEXT = {"type": ["string", "null"]}
_NUMBER = {"type": "number"}
_IDS = {"type": "array", "items": {"type": "string"}}


def _closed(properties: dict[str, Any], description: str | None = None, *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these keys; ``optional`` ones were added within a report version, so older reports lack them."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _open(required: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": required,
        "required": list(required),
        "additionalProperties": True,
    }


def report_schema(base: str, draft: str) -> dict[str, Any]:
    """The schema, published at ``base`` + REPORT_SCHEMA_FILE under JSON Schema ``draft``."""
    waiver = _closed({"rule": _TEXT, "vendor": _TEXT, "reason": _TEXT, "approver": _TEXT, "expires": _DAY})
    entry_fields: dict[str, Any] = {
        "category": _TEXT,
        "rule_id": _TEXT,
        "rule_version": {"type": "integer"},
        "question_id": _OPT_TEXT,
        "answer": {"type": "string", "description": "The answer or screening fact that fired."},
        "points": _NUMBER,
        "weight": _NUMBER,
        "contribution": {"type": "number", "description": "points x weight; 0 when waived."},
        "severity": {"enum": _SEVERITIES},
        "message": _TEXT,
        "knockout": {"enum": [*_TIERS, None]},
        "waiver": {"anyOf": [{"$ref": "#/$defs/waiver"}, {"type": "null"}]},
        "overridden": {"type": "boolean"},
        "superseded_by": {
            "type": ["string", "null"],
            "description": "The rule whose stronger finding on the same question or fact counts instead (contribution 0 here).",
        },
        "inherited_from": {
            "type": ["string", "null"],
            "description": "For a rule over a linked dossier: where the finding comes from, e.g. "
            '"inherited from Northwind Frontier / Gale 4 via Switchboard Router\'s routing" (added in provcheck 0.2).',
        },
    }
    entry = _closed(
        entry_fields,
        "One term of a category sum (the explanation trace). knockout, waiver, superseded_by and inherited_from are "
        "left out when null, overridden when false.",
        optional=tuple(TRACE_DEFAULTS),
    )
    action = _closed(
        {
            "text": _TEXT,
            "owner": {"enum": [*ACTION_OWNERS, None], "description": "Who acts; null when the questionnaire (format 1) does not say."},
            "type": {
                "enum": [*ACTION_TYPES, None],
                "description": "What kind of act; null when the questionnaire (format 1) does not say.",
            },
            "clause": {"type": ["string", "null"], "description": "A contract_clause action's clause, by id (see contract_clauses)."},
        },
        "One recommended action.",
    )
    finding = _closed(
        {
            "trace": {
                "type": "integer",
                "minimum": 0,
                "description": "The index in `trace` of the entry that fired: the finding's rule, answer, contribution, "
                "severity and message are that entry's. Its answer in the questionnaire's words is the label of its "
                "question's answer (the fact itself for a rule over screening or vendor facts).",
            },
            "recommendations": {
                **_IDS,
                "description": "Every recommendation that applies, the finding's own first; left out when they are the "
                "actions' texts in order.",
            },
            "actions": {
                "type": "array",
                "items": action,
                "description": "The finding's actions, then the superseded rules' (each text once).",
            },
            "location": _closed(
                {"file": _TEXT, "line": {"type": "integer", "minimum": 1}, "column": {"type": "integer", "minimum": 1}},
                "Where the finding points in the dossier: the answer's value (its key when unanswered; the answers block for "
                "a question the dossier leaves out; the vendor's name for a rule over screening or vendor facts). Lines and "
                "columns count from 1; `file` is left out when it is the dossier input.",
                optional=("file",),
            ),
        },
        "The strongest fired rule on one question or fact: its trace entry, with every recommendation and action.",
        optional=("recommendations",),
    )
    decision_item = _closed(
        {
            "text": _TEXT,
            "rule": _TEXT,
            "question": _OPT_TEXT,
            "answer": {"type": "string", "description": "Its label in `answers` (or the fact itself) gives it in words."},
            "severity": {"enum": _SEVERITIES},
            "recommendation": _TEXT,
        },
        "One reason for the decision, or one condition of approval, in words.",
    )
    decision = _closed(
        {
            "outcome": {"enum": list(DECISIONS)},
            "summary": _TEXT,
            "reasons": {"type": "array", "items": decision_item},
            "conditions": {"type": "array", "items": decision_item},
            "open_questions": {
                "type": "array",
                "items": _closed(
                    {
                        "question": {
                            "type": "string",
                            "description": "A question id, or engagement.<fact> for an unstated engagement fact.",
                        },
                        "text": _TEXT,
                        "status": {"enum": ["undisclosed", "unanswered", "unknown", "engagement", "not_screened"]},
                        "could_trigger": _IDS,
                        "messages": _IDS,
                    }
                ),
            },
        },
        "What procurement signs, with its reasons in words (docs/SCORING.md).",
    )
    evidence = _closed(
        {
            "url": {"type": "string", "description": "As cited; only http(s) URLs are ever links."},
            "title": _OPT_TEXT,
            "retrieved": {"anyOf": [_DAY, {"type": "null"}]},
            "kind": _TEXT,
        }
    )
    answer = _closed(
        {
            "question_id": {"type": "string", "description": "The question, in `questions` (its text, category and frameworks)."},
            "answer": {"type": "string", "description": "The machine value as the dossier states it (a choice's value)."},
            "label": {
                "type": "string",
                "description": "The answer in the questionnaire's words (a choice's label, Yes, 1 vendor); left out when it is `answer`.",
            },
            "status": {"enum": ["answered", "undisclosed", "unanswered"]},
            "evidence": {"type": "array", "items": {"$ref": "#/$defs/evidence"}},
            "note": _OPT_TEXT,
            "as_of": {"anyOf": [_DAY, {"type": "null"}]},
            "allegation": {"type": "boolean", "description": "The answer reports a public allegation (cite its source and date)."},
        },
        "One answer; note and as_of are left out when null, evidence when empty, allegation when false.",
        optional=("label", *ANSWER_DEFAULTS),
    )
    question = _closed(
        {
            "text": _TEXT,
            "category": _TEXT,
            "frameworks": {
                "type": "object",
                "additionalProperties": _IDS,
                "description": "Framework id -> the references the question maps to.",
            },
        },
        "One question of the questionnaires, once, for every answer, open question and buyer task that refers to it.",
    )
    follow_up = _closed(
        {
            "question_id": _TEXT,
            "why": _TEXT,
            "text": {"type": "string", "description": "As put; left out when it is the question's text in `questions`."},
        },
        optional=("text",),
    )
    list_version = _open({}, "A screening list as used (key, name, list_date, sha256...).")
    model_result = _closed(
        {
            "name": _TEXT,
            "version": _OPT_TEXT,
            "access": _OPT_TEXT,
            "in_scope": {"type": "boolean", "description": "The engagement uses it (every model counts when it names none)."},
            "governing": {"type": "boolean", "description": "The model whose findings the report shows: the worst in scope."},
            "tier": {"enum": _TIERS},
            "decision": {"enum": list(DECISIONS)},
            "summary": _TEXT,
            "overall": {"type": "number", "minimum": 0, "maximum": 100},
            "confidence": {"type": "number", "minimum": 0, "maximum": 100},
            "tier_basis": _TEXT,
            "developer": _OPT_TEXT,
            "families": _IDS,
            "labs": _IDS,
            "own_answers": {
                "type": "array",
                "description": "[question id, the answer in the questionnaire's words] of the answers that differ for this model.",
                "items": {"type": "array", "items": _TEXT, "minItems": 2, "maxItems": 2},
            },
            "inherited": {
                "type": "array",
                "description": "[rule id, severity, message, where from] of the findings it inherits over links.",
                "items": {"type": "array", "items": _TEXT, "minItems": 4, "maxItems": 4},
            },
            "reasons": _IDS,
        },
        "One model's own verdict (per-model answers, developer screening, inherited findings).",
    )
    supply_link = _closed(
        {
            "kind": {"enum": ["base_model", "routes_to", "parent"]},
            "model": _OPT_TEXT,
            "target_id": _TEXT,
            "target_model": _OPT_TEXT,
            "target": _TEXT,
        },
        "One resolved link to another dossier.",
    )
    properties: dict[str, Any] = {
        "report_version": {"const": REPORT_VERSION},
        "decision": decision,
        "engagement": {
            "type": "object",
            "description": "The engagement as the dossier states it (use_case, data_classes, criticality, users); empty when unstated.",
            "additionalProperties": _TEXT,
        },
        "generated_at": {
            "type": "string",
            "format": "date-time",
            "description": "When the report was written; the only field that differs between runs.",
        },
        "provenance": _closed(
            {
                "tool": {"const": "provcheck"},
                "provcheck_version": _TEXT,
                "questionnaires": {
                    "type": "array",
                    "items": _closed(
                        {
                            "id": _TEXT,
                            "version": _TEXT,
                            "origin": {
                                "enum": ["bundled", "organisation"],
                                "description": "Bundled with provcheck, or the organisation's own.",
                            },
                            "path": {
                                **_TEXT,
                                "description": "questionnaires/<file> for a bundled one; the file as found for an organisation's.",
                            },
                            "sha256": _SHA256,
                        },
                        optional=("origin", "path", "sha256"),
                    ),
                },
                "policy": _closed({"name": _TEXT, "sha256": _SHA256}),
                "inputs": {
                    "type": "array",
                    "items": _closed(
                        {
                            "role": {"enum": ["dossier", "policy", "evidence_lock"]},
                            "path": _TEXT,
                            "sha256": _SHA256,
                        }
                    ),
                },
                "screening_lists": {
                    "anyOf": [{"type": "array", "items": list_version}, {"type": "null"}],
                    "description": "Lists screened against; null when screening did not run.",
                },
            },
            "What produced this report, for the audit record.",
        ),
        "vendor": _closed(
            {
                "id": {"type": "string", "description": "The stable vendor id other dossiers link to (added in provcheck 0.2)."},
                "name": _TEXT,
                "legal_name": _TEXT,
                "aliases": _IDS,
                "headquarters": _OPT_TEXT,
                "parents": {
                    "type": "array",
                    "items": _closed({"name": _TEXT, "jurisdiction": _OPT_TEXT}),
                },
                "hosting_regions": _IDS,
                "models": {
                    "type": "array",
                    "items": _closed({"name": _TEXT, "version": _OPT_TEXT, "access": _OPT_TEXT}),
                },
                "website": _OPT_TEXT,
                "assessor": _TEXT,
            },
            optional=("id",),
        ),
        "assessment": _closed(
            {
                "assessed_on": _DAY,
                "as_of": _DAY,
                "reassessment_due": _DAY,
                "reassessment_reason": _TEXT,
                "overdue": {"type": "boolean"},
            }
        ),
        "summary": _closed(
            {
                "overall": {"type": "number", "minimum": 0, "maximum": 100},
                "tier": {"enum": _TIERS},
                "tier_rank": {"type": "integer", "minimum": 0, "maximum": 3},
                "tier_basis": _TEXT,
                "confidence": {"type": "number", "minimum": 0, "maximum": 100},
                "min_confidence": {"type": "number", "minimum": 0, "maximum": 100},
                "knockouts": _IDS,
                "rules_fired": {"type": "integer", "minimum": 0},
            }
        ),
        "categories": {
            "type": "array",
            "items": _closed(
                {
                    "id": _TEXT,
                    "title": _TEXT,
                    "version": _TEXT,
                    "weight": _NUMBER,
                    "score": {"type": "number", "minimum": 0, "maximum": 100},
                    "raw": _NUMBER,
                    "confidence": {"type": "number", "minimum": 0, "maximum": 100},
                    "applicable": {"type": "integer"},
                    "answered": {"type": "integer"},
                    "tier": {"enum": _TIERS},
                }
            ),
        },
        "findings": {
            "type": "array",
            "items": {"$ref": "#/$defs/finding"},
            "description": "Fired rules (staleness excluded), largest contribution first.",
        },
        "contract_clauses": {
            "type": "object",
            "description": "The contract clauses the findings' actions call for, by id: each clause's title and one-line rationale.",
            "additionalProperties": _closed({"title": _TEXT, "rationale": _TEXT}),
        },
        "trace": {
            "type": "array",
            "items": {"$ref": "#/$defs/trace_entry"},
            "description": "Every term of every category sum, in rule order.",
        },
        "stale": {
            "type": "array",
            "items": _closed(
                {
                    "question_id": _TEXT,
                    "as_of": _DAY,
                    "age_days": {"type": "integer"},
                    "max_age_days": {"type": "integer"},
                }
            ),
        },
        "undisclosed": {**_IDS, "description": "Vendor and either questions the vendor did not disclose (never a buyer question)."},
        "unanswered": _IDS,
        "missing_evidence": _IDS,
        "waivers_applied": {"type": "array", "items": {"$ref": "#/$defs/waiver"}},
        "waivers_expired": {"type": "array", "items": {"$ref": "#/$defs/waiver"}},
        "disabled_rules": {
            "type": "array",
            "items": _closed({"rule_id": _TEXT, "reason": _TEXT}),
        },
        "open_questions": {
            "type": "array",
            "description": "Questions to send the vendor (vendor and either questions), each once with all its reasons.",
            "items": follow_up,
        },
        "buyer_tasks": {
            "type": "array",
            "description": "The buyer's own open questions (its use, reviews, exit exercises), never sent to the vendor.",
            "items": follow_up,
        },
        "questions": {
            "type": "object",
            "description": "Every question the answers refer to, by id: its text, category and framework references.",
            "additionalProperties": {"$ref": "#/$defs/question"},
        },
        "answers": {"type": "array", "items": {"$ref": "#/$defs/answer"}},
        "screening": {
            "anyOf": [
                _closed(
                    {
                        "matches": {
                            "type": "array",
                            "items": _open({"description": _TEXT}, "One list match."),
                        },
                        "list_versions": {"type": "array", "items": list_version},
                        "coverage": {
                            "type": "array",
                            "description": "Every list source, screened or not, and why: a report says what was not screened.",
                            "items": _closed(
                                {
                                    "source": _TEXT,
                                    "title": _TEXT,
                                    "screened": {"type": "boolean"},
                                    "reason": _TEXT,
                                    "entries": {"type": "integer", "minimum": 0},
                                    "list_date": _OPT_TEXT,
                                }
                            ),
                        },
                    },
                ),
                {"type": "null"},
            ]
        },
        "models": {
            "type": "array",
            "items": {"$ref": "#/$defs/model_result"},
            "description": "Each model's own verdict; the report's decision and tier are the worst model's in scope "
            "(added in provcheck 0.2).",
        },
        "supply_chain": {
            "anyOf": [
                _closed(
                    {
                        "vendor_id": _TEXT,
                        "ultimate_parent": _OPT_TEXT,
                        "governing_model": _OPT_TEXT,
                        "engagement_models": {"anyOf": [_IDS, {"type": "null"}]},
                        "links": {"type": "array", "items": supply_link},
                    }
                ),
                {"type": "null"},
            ],
            "description": "Where the vendor sits in the supply chain: id, owner, links (added in provcheck 0.2).",
        },
        "evidence_checks": {
            "anyOf": [
                {
                    "type": "array",
                    "items": _open(
                        {"description": _TEXT, "is_finding": {"type": "boolean"}},
                        "One evidence drift check.",
                    ),
                },
                {"type": "null"},
            ]
        },
    }
    report = _closed(properties)
    return {
        "$schema": draft,
        "$id": base + REPORT_SCHEMA_FILE,
        "title": "provcheck vendor report",
        "description": "One vendor's assessment as written by `provcheck assess -f json`. Version 4 states each fact "
        "once: a finding gives the index of its entry in `trace`, answers and open questions refer to `questions` by id, "
        "and fields holding their usual value (null, false, empty) are left out where a definition says so "
        "(docs/FORMATS.md, 'Version 4: each fact once', shows how to read each version 3 value back).",
        **report,
        "$defs": {
            "waiver": waiver,
            "trace_entry": entry,
            "finding": finding,
            "evidence": evidence,
            "answer": answer,
            "question": question,
            "model_result": model_result,
        },
    }


def readable_schema(version: int) -> dict[str, Any]:
    """The schema a report of ``version`` (one of READABLE_VERSIONS) is checked against before compare or diff reads it.

    When the report format changes, the schema of the version it replaces
    must stay here for reading (tests/fixtures/reports/ holds archived
    reports of every version, which must keep reading).
    """
    if version == REPORT_VERSION:
        return report_schema("", "https://json-schema.org/draft/2020-12/schema")
    if version in (2, 3):
        return _archived_schema(f"report-v{version}.schema.json")
    if version == 1:
        return report_schema_v1()
    raise KeyError(f"no schema to read report_version {version}")


def _archived_schema(name: str) -> dict[str, Any]:
    """A schema of a report version provcheck no longer writes, frozen as data when the next version replaced it.

    Version 2's schema was generated by this module until version 3, version 3's until 4; keeping
    the generated file rather than a second copy of the generator means it
    can never drift as the current schema evolves.
    """
    import json

    from provenance_cli.util.resources import package_file

    return json.loads(package_file(name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def report_schema_v1() -> dict[str, Any]:
    """What ``compare`` and ``diff`` need of a version 1 report: the keys they read, typed as version 1 wrote them.

    Version 1 changed shape during its life (findings gained their own
    definition), so rather than one closed schema this is the subset every
    version 1 report has; any other key is allowed and ignored.
    """
    answer = _open(
        {
            "question_id": _TEXT,
            "category": _TEXT,
            "text": _TEXT,
            "answer": _TEXT,
            "status": {"enum": ["answered", "undisclosed", "unanswered"]},
        },
        "One answer as compared and diffed.",
    )
    trace_entry = _open(
        {
            "category": _TEXT,
            "rule_id": _TEXT,
            "question_id": _OPT_TEXT,
            "severity": {"enum": _SEVERITIES},
            "contribution": _NUMBER,
            "message": _TEXT,
        },
        "One term of a category sum, as diffed.",
    )
    score = {"type": "number", "minimum": 0, "maximum": 100}
    properties: dict[str, Any] = {
        "report_version": {"const": 1},
        "vendor": _open({"name": _TEXT}, "The vendor as named in the dossier."),
        "summary": _open({"overall": score, "tier": {"enum": _TIERS}, "confidence": score}, "Scores and tier."),
        "assessment": _open({"assessed_on": _DAY, "reassessment_due": _DAY}, "Dates of the assessment."),
        "provenance": _open(
            {"inputs": {"type": "array", "items": _open({"role": _TEXT, "path": _TEXT}, "One input file.")}},
            "What produced the report.",
        ),
        "categories": {"type": "array", "items": _open({"id": _TEXT, "title": _TEXT, "score": score}, "One category.")},
        "answers": {"type": "array", "items": answer},
        "trace": {"type": "array", "items": trace_entry},
    }
    return {
        "title": "provcheck vendor report, version 1 (the subset compare and diff read)",
        **_open(properties, "A version 1 report as compare and diff read it."),
    }
