"""What a reader acts on, worked out once from a report document for every format.

The JSON report is the record; this module turns it into what a procurement
reviewer reads: the executive summary (page one), one row per question,
actions grouped by owner, the contract clause checklist, and the evidence cited
inline where a finding needs it. Markdown, HTML (and so PDF) and the terminal
all show these same views, so a reason, a confidence figure or an action never
reads differently from one format to another.

Everything here works on report documents (plain data), so an archived JSON
report renders the same way; reports older than version 3 carry no answer
labels or actions, and the bundled questionnaires fill in the labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from provenance_cli.formats.vocabulary import ACTION_OWNER_NAMES, ACTION_OWNERS, ACTION_TYPE_NAMES, SEVERITY_RANK, TIER_RANK

FACTS_QUESTION = "Vendor facts, screening and dates"
"""What the question column says for a finding that reads vendor facts, screening hits or dates rather than one answer."""
UNSTATED_OWNER = "Owner not stated"
"""The heading for actions from format 1 questionnaires, which name no owner."""
CONFIDENCE_BASIS = "the weighted mean of the category confidences"
"""What the one confidence figure is, said wherever it is shown."""
STATUS_WORDS = {
    "undisclosed": "undisclosed by the vendor",
    "unanswered": "not answered",
    "unknown": "answered as not known yet",
    "engagement": "not stated in the engagement",
    "not_screened": "list not screened",
}
"""How an open question's status reads."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --------------------------------------------------------------------------- labels and citations


def answer_labels(document: dict[str, Any]) -> dict[str, str]:
    """Question id -> the answer in the questionnaire's words.

    Reports of version 3 carry the labels; for older ones the bundled
    questionnaires give choice labels where the question still exists, and the
    stored answer stands otherwise.
    """
    labels: dict[str, str] = {}
    missing = []
    for answer in document.get("answers", []):
        if "label" in answer:
            labels[answer["question_id"]] = str(answer["label"])
        else:
            missing.append(answer)
    if missing:
        labels.update(_catalogue_labels(missing))
    return labels


def _catalogue_labels(answers: Iterable[dict[str, Any]]) -> dict[str, str]:
    from provenance_cli.formats.questionnaires import load_catalogue

    catalogue = load_catalogue()
    labels: dict[str, str] = {}
    for answer in answers:
        question = catalogue.questions.get(answer["question_id"])
        value = str(answer.get("answer", ""))
        status = answer.get("status")
        if status in ("undisclosed", "unanswered"):
            labels[answer["question_id"]] = str(status).capitalize()
        elif question is not None and question.choices:
            names = {c.value: c.label for c in question.choices}
            parts = [part.strip() for part in value.split(",")]
            labels[answer["question_id"]] = (
                "; ".join(names.get(p, p) for p in parts) if question.type == "multiple_choice" else names.get(value, value)
            )
        elif question is not None and question.type == "yes_no":
            labels[answer["question_id"]] = value.capitalize()
        else:
            labels[answer["question_id"]] = value
    return labels


def _day(value: Any) -> str | None:
    return str(value)[:10] if value else None


_QUESTION_ID = re.compile(r"\b[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\b")
"""What a question id looks like (``export_control.ownership_chain_disclosed``)."""


class Citations(dict):  # type: ignore[type-arg]
    """Question id -> what the answer rests on: its evidence (title, link, retrieved date) and its as-of date.

    Worked out on first use: a report cites the few answers behind its
    knock-outs and allegations, not all eighty.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__()
        self.answers = {a["question_id"]: a for a in document.get("answers", [])}

    def __missing__(self, question_id: str) -> dict[str, Any]:
        from provenance_cli.render.templating import safe_url

        answer = self.answers[question_id]
        sources = [
            {
                "title": e.get("title") or e["url"],
                "url": e["url"],
                "href": safe_url(e["url"]),
                "retrieved": _day(e.get("retrieved")),
                "kind": e.get("kind"),
            }
            for e in answer.get("evidence", [])
        ]
        cited = {"sources": sources, "as_of": _day(answer.get("as_of")), "question": answer.get("text", "")}
        self[question_id] = cited
        return cited

    def get(self, question_id: Any, default: Any = None) -> Any:
        """The citation of ``question_id``, or ``default`` when the report has no such answer."""
        return self[question_id] if question_id in self.answers else default

    def question(self, question_id: str) -> str:
        """The question's text, without working out its citation."""
        answer = self.answers.get(question_id)
        return str(answer.get("text", "")) if answer else ""

    def in_words(self, text: str) -> str:
        """``text`` with every question id it names (a date trigger's "X was confirmed ...") replaced by the question, quoted."""
        return _QUESTION_ID.sub(lambda m: f"“{self.question(m.group())}”" if m.group() in self.answers else m.group(), text)


def answer_citations(document: dict[str, Any]) -> Citations:
    """Question id -> what the answer rests on (see :class:`Citations`)."""
    return Citations(document)


def screening_hits(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every screening match with the list it was found on, cited: list name and date, the copy's source and when it was fetched."""
    from provenance_cli.render.templating import safe_url

    screening = document.get("screening") or {}
    versions = {str(v.get("key")): v for v in screening.get("list_versions", [])}
    hits = []
    for match in screening.get("matches", []):
        version = versions.get(str(match.get("list")), {})
        source = version.get("source_url")
        hits.append(
            {
                "name": match.get("parent_name") or match.get("screened_name") or "",
                "role": "owner" if match.get("role") == "parent" else str(match.get("role", "")),
                "description": match.get("description", ""),
                "entry": match.get("entry_name", ""),
                "entry_id": match.get("entry_id", ""),
                "list_name": match.get("list_name", ""),
                "list_date": match.get("list_date") or version.get("list_date"),
                "source": source,
                "href": safe_url(source),
                "retrieved": _day(version.get("fetched_at")),
            }
        )
    return hits


# --------------------------------------------------------------------------- one row per question


def _action_view(action: dict[str, Any]) -> dict[str, Any]:
    clause = action.get("clause")
    clause_id = clause.get("id") if isinstance(clause, dict) else clause
    return _action_view_of(action["text"], action.get("owner"), action.get("type"), clause_id)


@lru_cache(maxsize=2048)
def _action_view_of(text: str, owner: str | None, kind: str | None, clause_id: str | None) -> dict[str, Any]:
    """One action as the views show it; the same few hundred recur in every report, so each is built once (read-only)."""
    return {
        "text": text,
        "owner": owner,
        "owner_label": ACTION_OWNER_NAMES.get(owner, UNSTATED_OWNER) if owner else UNSTATED_OWNER,
        "type": kind,
        "type_label": ACTION_TYPE_NAMES.get(kind or "", ""),
        "clause": clause_id,
    }


def finding_actions(finding: dict[str, Any]) -> list[dict[str, Any]]:
    """A finding's actions (version 3), or its recommendations without owners (older reports)."""
    if "actions" in finding:
        return [_action_view(a) for a in finding["actions"]]
    texts = finding.get("recommendations") or [finding.get("recommendation", "")]
    return [_action_view({"text": t, "owner": None, "type": None, "clause": None}) for t in texts if t]


def _needs_citation(finding: dict[str, Any], allegations: set[str]) -> bool:
    return bool(finding.get("knockout")) or finding.get("question_id") in allegations


def question_rows(document: dict[str, Any], shared: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Findings grouped by category, one row per question (or per vendor or screening fact), riskiest first.

    A row shows the question, the answer's label, the strongest rule's message,
    the points of every counting rule on it, the highest severity, and the
    actions that apply to that answer, each once. Allegations, knock-outs and
    screening hits carry their evidence inline.
    """
    labels, citations, hits = _shared(document, shared)
    allegations = {a["question_id"] for a in document.get("answers", []) if a.get("allegation")}
    rows_by_category: dict[str, dict[str, dict[str, Any]]] = {}
    for finding in document.get("findings", []):
        question_id = finding.get("question_id")
        key = question_id or f"fact:{finding['rule_id']}"
        by_question = rows_by_category.setdefault(finding["category"], {})
        row = by_question.get(key)
        if row is None:
            row = by_question[key] = _new_row(finding, labels, citations)
        _add_finding(row, finding)
        if question_id is not None and _needs_citation(finding, allegations):
            row["cite"] = citations.get(question_id)
        elif question_id is None:
            row["hits"] += [h for h in hits if h["entry_id"] and f"entry {h['entry_id']}," in str(finding.get("answer", ""))]
    groups = []
    for category in document.get("categories", []):
        rows = list(rows_by_category.get(category["id"], {}).values())
        rows.sort(key=lambda r: (-r["points"], -SEVERITY_RANK.get(r["severity"], 0), r["question"]))
        groups.append({**category, "rows": rows})
    return groups


def _new_row(finding: dict[str, Any], labels: dict[str, str], citations: Citations) -> dict[str, Any]:
    question_id = finding.get("question_id")
    if question_id is None:
        question, answer = FACTS_QUESTION, citations.in_words(str(finding.get("answer", "")))
    else:
        question = citations.question(question_id) or question_id
        answer = finding.get("answer_label") or labels.get(question_id, str(finding.get("answer", "")))
    return {
        "question_id": question_id,
        "question": question,
        "answer": answer,
        "message": finding["message"],
        "also": [],
        "points": 0.0,
        "severity": finding["severity"],
        "knockout": None,
        "waiver": None,
        "actions": [],
        "cite": None,
        "hits": [],
        "rules": [],
        "lead": 0.0,
        "inherited": [],
    }


def _add_finding(row: dict[str, Any], finding: dict[str, Any]) -> None:
    """Fold one counting finding into its question's row: the strongest message leads, points add up, actions once each."""
    contribution = float(finding.get("contribution", 0))
    if not row["rules"]:
        row["lead"] = contribution
    elif contribution > row["lead"]:
        row["also"].insert(0, row["message"])
        row["message"], row["lead"] = finding["message"], contribution
    else:
        row["also"].append(finding["message"])
    row["rules"].append(finding["rule_id"])
    row["points"] += contribution
    source = finding.get("inherited_from")
    if source and source not in row["inherited"]:
        row["inherited"].append(source)
    if SEVERITY_RANK.get(finding["severity"], 0) > SEVERITY_RANK.get(row["severity"], 0):
        row["severity"] = finding["severity"]
    knockout = finding.get("knockout")
    if knockout and (row["knockout"] is None or TIER_RANK.get(knockout, 0) > TIER_RANK.get(row["knockout"], 0)):
        row["knockout"] = knockout
    if finding.get("waiver"):
        row["waiver"] = finding["waiver"]
    seen = {a["text"] for a in row["actions"]}
    row["actions"] += [a for a in finding_actions(finding) if a["text"] not in seen]


# --------------------------------------------------------------------------- actions by owner, clause checklist


def _acting_findings(document: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Findings whose actions are still to do, with those actions: a waived finding is accepted risk and calls for nothing."""
    return [(f, finding_actions(f)) for f in document.get("findings", []) if not f.get("waiver")]


def actions_by_owner(
    document: dict[str, Any], acting: list[tuple[dict[str, Any], list[dict[str, Any]]]] | None = None
) -> list[dict[str, Any]]:
    """Every action the findings call for, each once, grouped by who acts (contract clauses go to the checklist)."""
    by_owner: dict[str | None, dict[str, dict[str, Any]]] = {}
    for _, actions in _acting_findings(document) if acting is None else acting:
        for action in actions:
            if action["type"] != "contract_clause":
                by_owner.setdefault(action["owner"], {}).setdefault(action["text"], action)
    order = [*ACTION_OWNERS, None]
    return [
        {
            "owner": owner,
            "title": ACTION_OWNER_NAMES.get(owner, UNSTATED_OWNER) if owner else UNSTATED_OWNER,
            "actions": list(by_owner[owner].values()),
        }
        for owner in sorted(by_owner, key=lambda o: order.index(o) if o in order else len(order))
    ]


def clause_checklist(
    document: dict[str, Any], acting: list[tuple[dict[str, Any], list[dict[str, Any]]]] | None = None
) -> list[dict[str, Any]]:
    """The contract clauses the findings call for, each once with its rationale, what to ask for, and the findings behind it."""
    known = document.get("contract_clauses", {})
    clauses: dict[str, dict[str, Any]] = {}
    for finding, actions in _acting_findings(document) if acting is None else acting:
        for action in actions:
            clause_id = action.get("clause")
            if action["type"] != "contract_clause" or not clause_id or clause_id not in known:
                continue
            entry = clauses.setdefault(clause_id, {"id": clause_id, **known[clause_id], "asks": [], "because": []})
            if action["text"] not in entry["asks"]:
                entry["asks"].append(action["text"])
            if finding["message"] not in entry["because"]:
                entry["because"].append(finding["message"])
    return list(clauses.values())


# --------------------------------------------------------------------------- page one


def screening_status(document: dict[str, Any]) -> dict[str, Any]:
    """What was screened (list, entries, date), what was not and why, and the hits, in words."""
    screening = document.get("screening")
    if screening is None:
        return {
            "ran": False,
            "screened": [],
            "not_screened": [],
            "hits": [],
            "sentence": "Not screened: screening did not run for this report.",
        }
    coverage = screening.get("coverage", [])
    screened = [c for c in coverage if c.get("screened")]
    not_screened = [c for c in coverage if not c.get("screened")]
    hits = screening_hits(document)
    if hits:
        sentence = f"{_plural(len(hits), 'listed name')} found; see the reasons and the screening section."
    elif not_screened:
        sentence = "No match on the lists screened; the lists marked not screened were not checked."
    else:
        sentence = "No screened name matched a listed entry on any list."
    return {"ran": True, "screened": screened, "not_screened": not_screened, "hits": hits, "sentence": sentence}


def confidence_view(document: dict[str, Any]) -> dict[str, Any]:
    """The one confidence figure, what it is, and what lowers it."""
    summary = document.get("summary", {})
    lowered = []
    for key, one, many in (
        ("undisclosed", "undisclosed answer", "undisclosed answers"),
        ("unanswered", "unanswered question", "unanswered questions"),
        ("missing_evidence", "answer without the evidence it needs", "answers without the evidence they need"),
        ("stale", "stale answer", "stale answers"),
    ):
        count = len(document.get(key, []))
        if count:
            lowered.append(f"{count} {one if count == 1 else many}")
    categories = document.get("categories", [])
    lowest = min(categories, key=lambda c: float(c.get("confidence", 100)), default=None)
    return {
        "value": float(summary.get("confidence", 100.0)),
        "basis": CONFIDENCE_BASIS,
        "lowered_by": lowered,
        "lowest": None if lowest is None else {"title": lowest["title"], "value": float(lowest.get("confidence", 100))},
    }


def _reason(item: dict[str, Any], labels: dict[str, str], citations: Citations, hits: list[dict[str, Any]]) -> dict[str, Any]:
    question_id = item.get("question")
    cite = citations.get(question_id) if question_id else None
    answer = item.get("answer_label") or (labels.get(question_id, item.get("answer", "")) if question_id else item.get("answer", ""))
    return {
        "message": item["text"],
        "question": cite["question"] if cite else FACTS_QUESTION,
        "answer": answer,
        "severity": item.get("severity"),
        "cite": cite,
        "hits": [] if question_id else [h for h in hits if h["entry_id"] and f"entry {h['entry_id']}," in str(item.get("answer", ""))],
    }


def _shared(document: dict[str, Any], shared: dict[str, Any] | None) -> tuple[dict[str, str], Citations, list[dict[str, Any]]]:
    """Labels, citations and screening hits, worked out once when several views of one report are built together."""
    if shared is None:
        shared = {}
    if "labels" not in shared:
        shared.update(labels=answer_labels(document), citations=answer_citations(document), hits=screening_hits(document))
    return shared["labels"], shared["citations"], shared["hits"]


def reader_views(document: dict[str, Any]) -> dict[str, Any]:
    """Everything the reader sees beside the document itself, built once for one report (Markdown and HTML both use it)."""
    if _last_views[0] is document:
        return _last_views[1]  # type: ignore[no-any-return]
    shared: dict[str, Any] = {}
    acting = _acting_findings(document)
    views = {
        "brief": executive_summary(document, shared),
        "rows": question_rows(document, shared),
        "owners": actions_by_owner(document, acting),
        "clauses": clause_checklist(document, acting),
        "labels": shared["labels"],
        "in_words": shared["citations"].in_words,
    }
    _last_views[:] = [document, views]
    return views


_last_views: list[Any] = [None, None]
"""The views of the last report document asked for: a report is rendered to several formats in a row."""


def executive_summary(document: dict[str, Any], shared: dict[str, Any] | None = None) -> dict[str, Any]:
    """Page one: the decision and tier, the reasons in words, the conditions, what is open, screening, confidence, the next review."""
    decision = document["decision"]
    labels, citations, hits = _shared(document, shared)
    findings = {f["rule_id"]: f for f in document.get("findings", [])}
    reasons = [_reason(item, labels, citations, hits) for item in decision.get("reasons", [])]
    conditions = []
    for item in decision.get("conditions", []):
        finding = findings.get(item["rule"], {"recommendations": [item.get("recommendation", "")]})
        conditions.append({**_reason(item, labels, citations, hits), "actions": finding_actions(finding)})
    open_questions = [
        {
            "text": q["text"],
            "status": STATUS_WORDS.get(q["status"], q["status"]),
            "could_mean": list(q.get("messages", [])),
        }
        for q in decision.get("open_questions", [])
    ]
    vendor = document["vendor"]
    return {
        "vendor": vendor["name"],
        "legal_name": vendor.get("legal_name"),
        "models": [_model(m) for m in vendor.get("models", [])],
        "engagement": document.get("engagement", {}),
        "outcome": decision["outcome"],
        "summary": decision["summary"],
        "tier": document["summary"]["tier"],
        "tier_basis": str(document["summary"].get("tier_basis", "")).rstrip("."),
        "overall": document["summary"].get("overall"),
        "reasons": reasons if decision["outcome"] == "reject" else [],
        "conditions": conditions,
        "open_questions": open_questions,
        "screening": screening_status(document),
        "confidence": confidence_view(document),
        "assessment": document.get("assessment", {}),
        "assessor": vendor.get("assessor"),
    }


def _model(model: dict[str, Any]) -> str:
    access = {"api": "API", "open_weights": "open weights", "aggregator": "through an aggregator", "on_premises": "on premises"}
    text = str(model.get("name", ""))
    if model.get("version"):
        text += f" {model['version']}"
    if model.get("access"):
        text += f" ({access.get(model['access'], model['access'])})"
    return text


# --------------------------------------------------------------------------- portfolio index

PORTFOLIO_KEYS = ("vendor", "decision", "tier", "knockout", "screening", "confidence", "reassess")
"""The index's sortable columns, in display order."""


def _screening_rank(document: dict[str, Any], status: dict[str, Any]) -> tuple[int, str]:
    """A screening status as a rank (riskier higher) and a few words."""
    required = [q for q in document.get("decision", {}).get("open_questions", []) if q.get("status") == "not_screened"]
    if status["hits"]:
        return 4, _plural(len(status["hits"]), "listed name")
    if not status["ran"]:
        return 3, "not screened"
    if required:
        return 2, f"{_plural(len(required), 'required list')} not screened"
    words = f"no match ({_plural(len(status['screened']), 'list')} screened"
    return (1 if status["not_screened"] else 0), words + (f", {len(status['not_screened'])} not)" if status["not_screened"] else ")")


def portfolio_rows(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per vendor for the index, in the given (riskiest-first) order, each with its position under every sort key."""
    from provenance_cli.formats.vocabulary import DECISION_RANK

    rows = []
    for document in documents:
        knockouts = [t for t in document.get("findings", []) if t.get("knockout") and not t.get("waiver")]
        screening = screening_status(document)
        screening_rank, screening_words = _screening_rank(document, screening)
        summary = document["summary"]
        rows.append(
            {
                "document": document,
                "name": document["vendor"]["name"],
                "outcome": document["decision"]["outcome"],
                "tier": summary["tier"],
                "tier_basis": str(summary.get("tier_basis", "")).rstrip("."),
                "knockouts": [t["message"] for t in knockouts],
                "screening": screening_words,
                "screening_rank": screening_rank,
                "confidence": float(summary.get("confidence", 100.0)),
                "reassess": document.get("assessment", {}).get("reassessment_due") or "",
                "overdue": bool(document.get("assessment", {}).get("overdue")),
            }
        )
    keys = {
        "vendor": lambda r: (str(r["name"]).casefold(),),
        "decision": lambda r: (-DECISION_RANK.get(r["outcome"], 0), str(r["name"]).casefold()),
        "tier": lambda r: (-TIER_RANK.get(r["tier"], 0), -float(r["document"]["summary"].get("overall", 0))),
        "knockout": lambda r: (-len(r["knockouts"]), str(r["name"]).casefold()),
        "screening": lambda r: (-r["screening_rank"], str(r["name"]).casefold()),
        "confidence": lambda r: (r["confidence"], str(r["name"]).casefold()),
        "reassess": lambda r: (r["reassess"], str(r["name"]).casefold()),
    }
    for key, sort_key in keys.items():
        for position, row in enumerate(sorted(rows, key=sort_key), start=1):
            row.setdefault("order", {})[key] = position
    return rows
