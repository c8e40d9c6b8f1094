"""The two shapes of a JSON report: version 4 as written, and the full shape every reader works on.

Version 4 states each fact once. A finding names its trace entry by index
(``"trace": 3``) instead of repeating its fifteen fields; each question's
text, category and framework references sit once in a ``questions`` table
keyed by question id, and answers, open questions and buyer tasks refer to
it; anything derivable from what is already there is left out (a finding's
``recommendation`` is its first recommendation, its ``answer_label`` the
answer's label, its ``location.file`` the dossier, a label equal to the
answer), and so are the fields of trace entries and answers that hold their
usual value (:data:`TRACE_DEFAULTS`, :data:`ANSWER_DEFAULTS`: no knockout,
no waiver, no note...), which most of them do.

Renderers, ``compare`` and ``diff`` read the full shape: version 3's layout
(findings with every trace field, answers with their question's text).
:func:`to_internal` is the one place where a report read back is brought to
it; :func:`compact_report` is its exact inverse for what provcheck writes,
so ``to_internal(compact_report(doc)) == doc`` for every document
(tests/unit/test_report_v4.py checks it on every example and synthetic
dossier). Versions 1 to 3 already are in the full shape (older versions
lack some keys, which readers look up with defaults) and pass through.
"""

from __future__ import annotations

from typing import Any

COMPACT_VERSION = 4
"""The first report_version written in the compact shape."""

TRACE_DEFAULTS: dict[str, Any] = {"knockout": None, "waiver": None, "overridden": False, "superseded_by": None, "inherited_from": None}
"""Trace entry fields version 4 leaves out when they hold this value (a missing key reads as null in jq, too)."""
ANSWER_DEFAULTS: dict[str, Any] = {"note": None, "as_of": None, "evidence": [], "allegation": False}
"""Answer fields version 4 leaves out when they hold this value."""
QUESTION_FIELDS = ("text", "category", "frameworks")
"""What an answer in the full shape repeats of its question; version 4 keeps it once, in ``questions``."""

_ENTRY_FIELDS = (
    "category",
    "rule_id",
    "rule_version",
    "question_id",
    "answer",
    "points",
    "weight",
    "contribution",
    "severity",
    "message",
    "knockout",
    "waiver",
    "overridden",
    "superseded_by",
    "inherited_from",
)
"""A trace entry's fields, which a finding in the full shape repeats (``inherited_from`` may be absent in older reports)."""


# --------------------------------------------------------------------------- writing


def compact_report(document: dict[str, Any], *, findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The version 4 form of a full-shape document built for this report version: each fact once.

    Raises ValueError when a finding is not one of the trace's entries, which
    the assessment guarantees (findings are the trace's strongest entries).
    ``findings`` are the version 4 findings when the caller built them
    straight from the trace (:func:`findings_from_trace`); the document's own
    findings are then not read.
    """
    answers = document["answers"]
    questions = {a["question_id"]: {field: a[field] for field in QUESTION_FIELDS} for a in answers}
    labels = {a["question_id"]: a["label"] for a in answers}
    compact = dict(document)
    compact["answers"] = [_compact_answer(a) for a in answers]
    if findings is None:
        findings = _compact_findings(document["findings"], document["trace"], labels, _dossier_path(document))
    compact["trace"] = [_without_defaults(entry, TRACE_DEFAULTS) for entry in document["trace"]]
    return refer_to_questions(compact, questions, labels, findings)


def refer_to_questions(
    document: dict[str, Any], questions: dict[str, dict[str, Any]], labels: dict[str, str], findings: list[dict[str, Any]]
) -> dict[str, Any]:
    """Finish a version 4 document whose answers and trace are already compact: add the questions table and the
    findings, and drop what the decision, open questions and buyer tasks repeat of the questions (changes ``document``).

    :func:`compact_report` ends with this; the JSON report builds its answers and trace compact from the start and
    calls it directly (:func:`provenance_cli.render.document.compact_document`).
    """
    document["questions"] = questions
    document["findings"] = findings
    document["decision"] = _compact_decision(document["decision"], labels)
    document["open_questions"] = [_compact_follow_up(item, questions) for item in document["open_questions"]]
    if "buyer_tasks" in document:
        document["buyer_tasks"] = [_compact_follow_up(item, questions) for item in document["buyer_tasks"]]
    return document


def _compact_answer(answer: dict[str, Any]) -> dict[str, Any]:
    kept = _without_defaults(answer, ANSWER_DEFAULTS)
    for field in QUESTION_FIELDS:
        del kept[field]
    if kept["label"] == kept["answer"]:
        del kept["label"]
    return kept


def _without_defaults(row: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """``row`` without the fields that hold their usual value (``False`` is not ``0``: compared with its type).

    Copies the row and drops the few defaulted fields, rather than testing
    every field: a report has a few hundred of these rows.
    """
    kept = dict(row)
    for key, default in defaults.items():
        # Compared with the default's type first (None, bool, list), for which == is exactly "not !=".
        if key in kept and type(kept[key]) is type(default) and kept[key] == default:
            del kept[key]
    return kept


def _compact_findings(
    findings: list[dict[str, Any]], trace: list[dict[str, Any]], labels: dict[str, str], dossier: str | None
) -> list[dict[str, Any]]:
    """Each finding as its trace entry's index plus what only a finding has (actions, recommendations, location)."""
    by_rule = _by_rule(trace)
    compact = []
    for finding in findings:
        index = _trace_index(finding, trace, by_rule.get((finding["rule_id"], finding["question_id"]), ()))
        if finding["answer_label"] != _answer_label(trace[index], labels):
            raise ValueError(f"finding {finding['rule_id']}: its answer label is not the answer's")
        if finding["recommendation"] != (finding["recommendations"] or [None])[0]:
            raise ValueError(f"finding {finding['rule_id']}: its recommendation is not its first")
        compact.append(_finding_item(index, finding["actions"], finding["recommendations"], finding.get("location"), dossier))
    return compact


Fired = tuple[dict[str, Any], list[dict[str, Any]], list[Any], dict[str, Any]]
"""A finding as the JSON report builds it: its trace entry's row, its actions, its recommendations and its location."""


def findings_from_trace(trace: list[dict[str, Any]], fired: list[Fired], dossier: str | None) -> list[dict[str, Any]]:
    """Version 4 findings made straight from trace rows: what :func:`compact_report` makes of the full findings built from them.

    A full finding is its trace row plus an answer label and a recommendation
    that version 4 derives again (both made from the same values), so the
    JSON report skips building it and goes from the row to the reference.
    """
    by_rule = _by_rule(trace)
    return [
        _finding_item(
            _trace_index(row, trace, by_rule.get((row["rule_id"], row["question_id"]), ())), actions, recommendations, location, dossier
        )
        for row, actions, recommendations, location in fired
    ]


def _by_rule(trace: list[dict[str, Any]]) -> dict[tuple[Any, Any], list[int]]:
    """Trace indexes by (rule, question): a finding is one of the entries of its rule on its question."""
    by_rule: dict[tuple[Any, Any], list[int]] = {}
    for index, entry in enumerate(trace):
        by_rule.setdefault((entry["rule_id"], entry["question_id"]), []).append(index)
    return by_rule


def _finding_item(
    index: int, actions: list[dict[str, Any]], recommendations: list[Any], location: dict[str, Any] | None, dossier: str | None
) -> dict[str, Any]:
    """A version 4 finding: trace index, actions, recommendations unless they are the actions' texts, place in the dossier."""
    item: dict[str, Any] = {"trace": index, "actions": actions}
    if recommendations != [action["text"] for action in actions]:
        item["recommendations"] = recommendations
    if location is not None:
        located = dict(location)
        if located["file"] == dossier:
            del located["file"]
        item["location"] = located
    return item


def _trace_index(finding: dict[str, Any], trace: list[dict[str, Any]], candidates: Any) -> int:
    """The first of ``candidates`` whose trace entry has the finding's fields (the JSON report passes the entry's own row)."""
    wanted: list[Any] | None = None
    for index in candidates:
        entry = trace[index]
        if entry is finding:
            return int(index)
        if wanted is None:
            wanted = [finding.get(field) for field in _ENTRY_FIELDS]
        if wanted == [entry.get(field) for field in _ENTRY_FIELDS] and finding.keys() >= entry.keys():
            return int(index)
    raise ValueError(f"finding {finding['rule_id']} on {finding['question_id']} is not an entry of the trace")


def _compact_decision(decision: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Reasons and conditions without their answer label, which is the answer's (or the fact itself)."""
    compact = dict(decision)
    for key in ("reasons", "conditions"):
        items = []
        for item in decision[key]:
            if item["answer_label"] != _item_label(item, labels):
                raise ValueError(f"decision item {item['rule']}: its answer label is not the answer's")
            items.append({k: v for k, v in item.items() if k != "answer_label"})
        compact[key] = items
    return compact


def _compact_follow_up(item: dict[str, Any], questions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An open question or buyer task; its text is left out when it is the question's own (kept when put differently)."""
    question = questions.get(item["question_id"])
    if question is not None and question["text"] == item["text"]:
        return {key: value for key, value in item.items() if key != "text"}
    return item


# --------------------------------------------------------------------------- reading


def to_internal(document: dict[str, Any]) -> dict[str, Any]:
    """A report read back, in the full shape every reader works on; versions before 4 already are, and are returned as they are.

    The report must have passed :func:`provenance_cli.formats.report_check.check_report`,
    which refuses a version 4 report whose references point nowhere.
    """
    if document.get("report_version", 0) < COMPACT_VERSION:
        return document
    return expand_report(document)


def expand_report(compact: dict[str, Any]) -> dict[str, Any]:
    """The full shape of a version 4 report: every reference replaced by what it refers to."""
    questions: dict[str, dict[str, Any]] = compact["questions"]
    answers = [_full_answer(a, questions) for a in compact["answers"]]
    labels = {a["question_id"]: a["label"] for a in answers}
    trace = [{**TRACE_DEFAULTS, **entry} for entry in compact["trace"]]
    dossier = _dossier_path(compact)
    document = {key: value for key, value in compact.items() if key != "questions"}
    document["answers"] = answers
    document["trace"] = trace
    document["findings"] = [_full_finding(f, trace, labels, dossier) for f in compact["findings"]]
    decision = dict(compact["decision"])
    for key in ("reasons", "conditions"):
        decision[key] = [{**item, "answer_label": _item_label(item, labels)} for item in decision[key]]
    document["decision"] = decision
    document["open_questions"] = [_full_follow_up(item, questions) for item in compact["open_questions"]]
    if "buyer_tasks" in compact:
        document["buyer_tasks"] = [_full_follow_up(item, questions) for item in compact["buyer_tasks"]]
    return document


def _full_answer(answer: dict[str, Any], questions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    question = questions[answer["question_id"]]
    return {
        **{field: list(value) if isinstance(value, list) else value for field, value in ANSWER_DEFAULTS.items()},
        **answer,
        **{field: question[field] for field in QUESTION_FIELDS},
        "label": answer.get("label", answer["answer"]),
    }


def _full_finding(finding: dict[str, Any], trace: list[dict[str, Any]], labels: dict[str, str], dossier: str | None) -> dict[str, Any]:
    entry = trace[finding["trace"]]
    actions = finding["actions"]
    recommendations = finding.get("recommendations", [action["text"] for action in actions])
    full = {
        **entry,
        "answer_label": _answer_label(entry, labels),
        "recommendation": recommendations[0] if recommendations else None,
        "recommendations": recommendations,
        "actions": actions,
    }
    if "location" in finding:
        full["location"] = {"file": dossier, **finding["location"]}
    return full


def _full_follow_up(item: dict[str, Any], questions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if "text" in item:
        return item
    return {**item, "text": questions[item["question_id"]]["text"]}


# --------------------------------------------------------------------------- shared


def _answer_label(entry: dict[str, Any], labels: dict[str, str]) -> Any:
    """A finding's answer in the questionnaire's words: its question's answer label, or the fact itself (as version 3 wrote it)."""
    question_id = entry["question_id"]
    return labels.get(question_id, entry["answer"]) if question_id else entry["answer"]


def _item_label(item: dict[str, Any], labels: dict[str, str]) -> Any:
    question_id = item["question"]
    return labels.get(question_id, item["answer"]) if question_id else item["answer"]


def _dossier_path(document: dict[str, Any]) -> str | None:
    """The dossier the report was written from (its first dossier input), which every finding's location points into."""
    for item in document["provenance"]["inputs"]:
        if item["role"] == "dossier":
            return str(item["path"])
    return None
