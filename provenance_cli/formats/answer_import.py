"""Bringing a vendor's filled questionnaire back into its dossier.

Every check happens before anything is written, and every problem names
its cell: a file exported for another dossier or for other questionnaire
versions is refused (unless forced), each answer is checked as a dossier
answer is, and answers that would make the dossier invalid (a question
that does not apply, an answer that makes another answered question stop
applying) are refused too. What passes becomes a list of
:class:`~provenance_cli.formats.dossier_edit.AnswerChange`: the vendor's
answer, its evidence as a ``vendor_attestation`` retrieved on the import
date, the import date as ``as_of`` and a note saying where it came from.

An answer the buyer verified itself after the export (evidence of another
kind, retrieved or dated on or after the export day) is not replaced by a
different vendor answer unless forced: the buyer's own check is newer than
anything the vendor saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from provenance_cli.formats.answer_sheet import (
    META_EXPORTED_AT,
    META_LEGAL_NAME,
    META_SHA256,
    META_VENDOR,
    AnswerSheet,
    Cell,
    yaml_value,
)
from provenance_cli.formats.conditions import Facts
from provenance_cli.formats.dossier import Dossier, describe_condition
from provenance_cli.formats.dossier_edit import AnswerChange
from provenance_cli.formats.models import AnswerEntry, Question, check_url
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import VENDOR_AUDIENCES, did_you_mean
from provenance_cli.util.errors import InputError, Problem

VENDOR_EVIDENCE_KIND = "vendor_attestation"
"""The evidence kind of what a vendor states about itself."""


@dataclass(frozen=True)
class ImportPlan:
    """What importing a filled questionnaire will change, and what it leaves alone and why."""

    changes: tuple[AnswerChange, ...]
    kept: tuple[str, ...]
    """Answers the buyer verified after the export, left as they are (without --force), in words."""
    notices: tuple[str, ...]
    """Things the user should know (the dossier changed since the export, checks overridden by --force)."""
    answered: int
    """Rows the vendor answered."""


@dataclass(frozen=True)
class _Row:
    question: Question
    value: Any
    answer_cell: Cell
    url: str | None
    title: str | None
    note: str | None


def plan_import(sheet: AnswerSheet, dossier: Dossier, catalogue: Catalogue, *, today: date, force: bool = False) -> ImportPlan:
    """Check ``sheet`` against ``dossier`` and say what importing it changes; InputError lists every problem by cell."""
    problems: list[Problem] = []
    notices: list[str] = []
    exported_on = _check_record(sheet, dossier, catalogue, force, problems, notices)
    rows = _read_rows(sheet, catalogue, problems)
    problems += _applicability_problems(sheet, rows, dossier, catalogue)
    if problems:
        raise InputError(problems)
    changes: list[AnswerChange] = []
    kept: list[str] = []
    for row in rows:
        entry = dossier.model.answers.get(row.question.id)
        current = dossier.answers.get(row.question.id)
        verified = _verified_since(entry, exported_on)
        if verified is not None and current != row.value:
            if not force:
                kept.append(
                    f"{row.question.id}: kept {_shown(current)!r}, which the buyer verified on {verified} (after the export); "
                    f"the vendor answered {_shown(row.value)!r} (--force replaces it)"
                )
                continue
            notices.append(f"{row.question.id}: replacing the answer the buyer verified on {verified} (--force)")
        if _already_recorded(row, entry, current, Path(sheet.source).name):
            continue
        changes.append(_change(row, entry, current, Path(sheet.source).name, today))
    return ImportPlan(tuple(changes), tuple(kept), tuple(notices), len(rows))


def _already_recorded(row: _Row, entry: AnswerEntry | None, current: Any, file_name: str) -> bool:
    """True when an earlier import of this file recorded this answer, evidence and note already: importing twice changes nothing."""
    if entry is None or current != row.value or not entry.note or f"by the vendor in {file_name}," not in entry.note:
        return False
    if row.url is not None and row.url not in {item.url for item in entry.evidence}:
        return False
    return not row.note or " ".join(row.note.split()) in entry.note


def _shown(value: Any) -> str:
    if value is None:
        return "unanswered"
    if isinstance(value, frozenset):
        return ", ".join(sorted(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _check_record(
    sheet: AnswerSheet, dossier: Dossier, catalogue: Catalogue, force: bool, problems: list[Problem], notices: list[str]
) -> date | None:
    """The file must have been exported for this dossier and these questionnaire versions; returns the export day."""
    record = sheet.record
    recorded_sha = record[META_SHA256].text if META_SHA256 in record else ""
    vendor = record[META_VENDOR].text if META_VENDOR in record else ""
    legal = record[META_LEGAL_NAME].text if META_LEGAL_NAME in record else ""
    names = {dossier.model.vendor.name.casefold(), dossier.model.vendor.legal_name.casefold()}
    if recorded_sha != dossier.sha256:
        same_vendor = vendor.casefold() in names and (not legal or legal.casefold() in names)
        if same_vendor:
            notices.append(f"{dossier.source} changed since the export (sha256 then {recorded_sha[:12]}..., now {dossier.sha256[:12]}...)")
        elif force:
            notices.append(f"importing answers exported for {vendor or 'another dossier'} into {dossier.vendor_name}'s dossier (--force)")
        else:
            problems.append(
                sheet.record_problem(
                    META_SHA256,
                    f"this file was exported for the dossier of {vendor or 'an unnamed vendor'} (sha256 {recorded_sha[:12] or '?'}...), "
                    f"not {dossier.source} ({dossier.vendor_name}, sha256 {dossier.sha256[:12]}...); "
                    "export the questions of this dossier, or use --force",
                )
            )
    for questionnaire_id, (version, cell) in sheet.questionnaire_versions().items():
        try:
            current = catalogue.questionnaire(questionnaire_id).version
        except KeyError:
            current = None
        if version == current:
            continue
        now = f"this provcheck has {current}" if current else "this provcheck does not have it"
        message = f"exported with questionnaire {questionnaire_id} {version}; {now}, whose questions may not mean the same"
        if force:
            notices.append(f"{message} (--force)")
        else:
            problems.append(sheet.problem(cell, f"{message}: export the questions again, or use --force"))
    exported = record.get(META_EXPORTED_AT)
    if exported is None or len(exported.text) < 10:
        problems.append(sheet.record_problem(META_EXPORTED_AT, "the export time is missing from the file's record"))
        return None
    try:
        return date.fromisoformat(exported.text[:10])
    except ValueError:
        problems.append(sheet.problem(exported, f"expected the export time as YYYY-MM-DDTHH:MM:SSZ, got {exported.text!r}"))
        return None


def _read_rows(sheet: AnswerSheet, catalogue: Catalogue, problems: list[Problem]) -> list[_Row]:
    """The answered rows, each cell checked; problems name their cells."""
    rows: list[_Row] = []
    seen: dict[str, Cell] = {}
    for cells in sheet.rows:
        id_cell, answer = cells["id"], cells["answer"]
        extras = [cells[key] for key in ("evidence_url", "evidence_title", "note") if key in cells and not cells[key].blank]
        question_id = id_cell.text
        if not question_id:
            if not answer.blank or extras:
                problems.append(sheet.problem(id_cell, "an answer in a row without a question id"))
            continue
        question = catalogue.questions.get(question_id)
        if question is None:
            problems.append(
                sheet.problem(
                    id_cell, f"unknown question id {question_id!r}{did_you_mean(question_id, list(catalogue.questions), cutoff=0.5)}"
                )
            )
            continue
        if question.audience not in VENDOR_AUDIENCES:
            problems.append(sheet.problem(id_cell, f"{question_id} is the buyer's own question; the vendor does not answer it"))
            continue
        if question_id in seen:
            first = seen[question_id]
            problems.append(sheet.problem(id_cell, f"{question_id} appears twice (first in row {first.row})"))
            continue
        seen[question_id] = id_cell
        if answer.blank:
            if extras:
                problems.append(
                    sheet.problem(
                        answer,
                        f"{question_id}: evidence or a note without an answer; write the answer they support (it may be the current one)",
                    )
                )
            continue
        row = _row(sheet, question, cells, problems)
        if row is not None:
            rows.append(row)
    return rows


def _row(sheet: AnswerSheet, question: Question, cells: dict[str, Cell], problems: list[Problem]) -> _Row | None:
    from provenance_cli.formats.answer_sheet import parse_answer

    before = len(problems)
    answer = cells["answer"]
    value: Any = None
    try:
        value = parse_answer(question, answer)
    except ValueError as exc:
        problems.append(sheet.problem(answer, f"{question.id}: {exc}"))
    url_cell, title_cell, note_cell = cells.get("evidence_url"), cells.get("evidence_title"), cells.get("note")
    url = url_cell.text if url_cell is not None and not url_cell.blank else None
    title = " ".join(title_cell.text.split()) if title_cell is not None and not title_cell.blank else None
    if url is not None and url_cell is not None:
        try:
            url = check_url(url)
        except ValueError as exc:
            problems.append(sheet.problem(url_cell, f"{question.id}: {exc}"))
    elif title is not None and title_cell is not None:
        problems.append(sheet.problem(title_cell, f"{question.id}: an evidence title needs its URL in the evidence URL column"))
    note = note_cell.text if note_cell is not None and not note_cell.blank else None
    if len(problems) > before:
        return None
    return _Row(question, value, answer, url, title, note)


def _applicability_problems(sheet: AnswerSheet, rows: list[_Row], dossier: Dossier, catalogue: Catalogue) -> list[Problem]:
    """Imported answers must apply, and must not make a question the dossier answers stop applying."""
    problems: list[Problem] = []
    merged = {**dossier.answers, **{row.question.id: row.value for row in rows}}
    facts = Facts(answers=merged)
    cell_of = {row.question.id: row.answer_cell for row in rows}
    for question_id, condition in catalogue.applies_if.items():
        if question_id not in merged or condition.holds(facts):
            continue
        raw = describe_condition(catalogue.questions[question_id].applies_if)
        if question_id in cell_of:
            problems.append(
                sheet.problem(cell_of[question_id], f"{question_id} applies only when {raw}; leave it blank or correct that answer")
            )
            continue
        causes = [qid for qid in condition.questions() if qid in cell_of]
        for cause in causes or list(cell_of)[:1]:
            problems.append(
                sheet.problem(
                    cell_of[cause],
                    f"{cause}: this answer makes {question_id}, which the dossier answers, stop applying (it applies only when {raw}); "
                    "remove that answer from the dossier first",
                )
            )
    return problems


def _verified_since(entry: AnswerEntry | None, exported_on: date | None) -> date | None:
    """The day the buyer verified this answer itself, if that was on or after the export day (else None)."""
    if entry is None or entry.answer is None or exported_on is None:
        return None
    days = [item.retrieved or entry.as_of for item in entry.evidence if item.kind != VENDOR_EVIDENCE_KIND]
    newest = max((d for d in days if d is not None), default=None)
    return newest if newest is not None and newest >= exported_on else None


def _change(row: _Row, entry: AnswerEntry | None, current: Any, file_name: str, today: date) -> AnswerChange:
    """The dossier change for one vendor answer: the answer, its evidence, the import date and where it came from."""
    if current is None:
        said = f"Answered by the vendor in {file_name}, imported {today}."
    elif current == row.value:
        said = f"Confirmed by the vendor in {file_name}, imported {today}."
    else:
        said = f"Answered by the vendor in {file_name}, imported {today} (was: {_shown(current)})."
    parts = [said]
    if row.note:
        parts.append(f"Vendor's note: {' '.join(row.note.split())}")
    if entry is not None and entry.note:
        parts.append(f"Earlier note: {' '.join(entry.note.split())}")
    evidence: tuple[dict[str, Any], ...] = ()
    if row.url is not None:
        evidence = ({"url": row.url, "title": row.title, "retrieved": today, "kind": VENDOR_EVIDENCE_KIND},)
    return AnswerChange(row.question.id, yaml_value(row.question, row.value), evidence, " ".join(parts), today)
