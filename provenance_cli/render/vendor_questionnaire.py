"""The questionnaire to send a vendor: an .xlsx workbook, a CSV file or Markdown.

One row per open vendor question, most points at stake first, put to the
vendor in the second person, with why it is asked, the allowed answers (a
drop-down in the workbook), the evidence asked for, the current answer and
the reasons it is open; the vendor fills the answer, evidence and note
columns. A hidden record sheet (``#`` rows in CSV) says which dossier the
file belongs to, by sha256, with the questionnaire versions and the export
time, so ``provcheck import`` can refuse a file meant for another dossier.
The layout is defined once, in :mod:`provenance_cli.formats.answer_sheet`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance_cli.assessment.results import FollowUp, VendorResult
from provenance_cli.formats.answer_sheet import (
    COLUMNS,
    EXPORT_MARKER,
    EXPORT_VERSION,
    LISTS_SHEET,
    META_AS_OF,
    META_DOSSIER,
    META_EXPORTED_AT,
    META_LEGAL_NAME,
    META_MODEL,
    META_PROVCHECK,
    META_QUESTIONNAIRE,
    META_SHA256,
    META_VENDOR,
    QUESTIONS_SHEET,
    RECORD_SHEET,
    UNDISCLOSED_LABEL,
    allowed_answers_text,
    answer_options,
    column_letter,
)
from provenance_cli.formats.models import Question
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import UNDISCLOSED

EXPORT_FORMATS = ("xlsx", "csv", "md")
"""The questionnaire formats ``provcheck questions -f`` writes to a file."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts a spreadsheet could read as a formula (CSV injection); such text is written so it stays text."""


@dataclass(frozen=True)
class ExportRecord:
    """What the hidden record sheet says about an export."""

    vendor: str
    legal_name: str
    dossier: str
    sha256: str
    exported_at: str
    """UTC time of the export, ISO 8601."""
    as_of: str
    questionnaires: tuple[tuple[str, str], ...]
    provcheck_version: str
    model: str = ""
    """The model the open questions were read for, when that model answers some questions differently from the
    vendor (its own answers replace the vendor's); empty when the questions are the vendor's. Import writes an
    answer where the answer it replaces lives."""

    @classmethod
    def of(cls, result: VendorResult, exported_at: str) -> ExportRecord:
        """The record of exporting ``result``'s open questions at ``exported_at``."""
        from provenance_cli import __version__

        return cls(
            result.vendor,
            result.legal_name,
            result.source,
            result.sha256,
            exported_at,
            result.as_of.isoformat(),
            result.questionnaires,
            __version__,
            _own_answers_model(result),
        )

    def rows(self) -> list[tuple[str, str]]:
        """(key, value) rows, the marker first."""
        return [
            (EXPORT_MARKER, str(EXPORT_VERSION)),
            (META_VENDOR, self.vendor),
            (META_LEGAL_NAME, self.legal_name),
            (META_DOSSIER, self.dossier),
            (META_SHA256, self.sha256),
            (META_EXPORTED_AT, self.exported_at),
            (META_AS_OF, self.as_of),
            (META_PROVCHECK, self.provcheck_version),
            *((f"{META_QUESTIONNAIRE}{qid}", version) for qid, version in self.questionnaires),
            *([(META_MODEL, self.model)] if self.model else []),
        ]


def _own_answers_model(result: VendorResult) -> str:
    """The model that decides the vendor's verdict, when it has answers of its own (its questions are then its own)."""
    supply = result.supply
    if supply is None or supply.governing_model is None:
        return ""
    governing = next((m for m in supply.models if m.name == supply.governing_model), None)
    return governing.name if governing is not None and governing.own_answers else ""


def is_export(path: Path) -> bool:
    """True for a workbook provcheck exported (it has the record sheet), so a new export may replace it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return f'name="{RECORD_SHEET}"'.encode() in workbook


def _current(question: Question, item: FollowUp) -> str:
    """The current answer with choice values shown as their labels."""
    if item.answer is None:
        return ""
    labels = dict(answer_options(question))
    if item.answer == UNDISCLOSED:
        return UNDISCLOSED_LABEL
    if question.type == "multiple_choice":
        return "; ".join(labels.get(part, part) for part in item.answer.split(", "))
    return labels.get(item.answer, item.answer)


def question_rows(result: VendorResult, catalogue: Catalogue) -> list[tuple[Question, dict[str, Any]]]:
    """One row per question to send the vendor, in the order of ``result.vendor_questions`` (most points at stake first)."""
    rows: list[tuple[Question, dict[str, Any]]] = []
    for item in result.vendor_questions:
        question = catalogue.questions[item.question_id]
        values = {
            "id": item.question_id,
            "question": item.text,
            "help": " ".join(question.help.split()),
            "allowed": allowed_answers_text(question),
            "evidence_request": " ".join((question.evidence_request or "").split()),
            "current": _current(question, item),
            "why": item.why,
            "points": item.points_at_stake,
        }
        rows.append((question, values))
    return rows


def _text(value: Any) -> Any:
    """Text that must stay text in a spreadsheet: a leading formula character is neutralised with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(result: VendorResult, catalogue: Catalogue, record: ExportRecord) -> str:
    """The questionnaire as CSV: the record in ``#`` rows, the header, one row per question."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for key, value in record.rows():
        writer.writerow([f"#{key}", _text(value)])
    writer.writerow([column.header for column in COLUMNS])
    for _, values in question_rows(result, catalogue):
        writer.writerow([_text(values.get(column.key)) if values.get(column.key) is not None else "" for column in COLUMNS])
    return buffer.getvalue()


def to_xlsx(result: VendorResult, catalogue: Catalogue, record: ExportRecord) -> bytes:
    """The questionnaire as a workbook: the questions sheet with drop-downs, and hidden lists and record sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = QUESTIONS_SHEET
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    about = workbook.create_sheet(RECORD_SHEET)
    about.sheet_state = "hidden"
    for row, (key, value) in enumerate(record.rows(), start=1):
        _put(about, row, 1, key)
        _put(about, row, 2, value)

    header_fill = PatternFill("solid", fgColor="DDDDDD")
    vendor_fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(COLUMNS, start=1):
        cell = _put(sheet, 1, index, column.header)
        cell.font = Font(bold=True)
        cell.fill = vendor_fill if column.vendor_fills else header_fill
        sheet.column_dimensions[column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    answer_column = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == "answer")

    list_column = 0
    for row, (question, values) in enumerate(question_rows(result, catalogue), start=2):
        for index, column in enumerate(COLUMNS, start=1):
            cell = _put(sheet, row, index, values.get(column.key))
            cell.alignment = wrap
            if column.vendor_fills:
                cell.fill = vendor_fill
                cell.number_format = "@"
        answer_cell = sheet.cell(row=row, column=answer_column)
        options = answer_options(question)
        if question.type == "date":
            answer_cell.number_format = "yyyy-mm-dd"
        elif question.type == "number":
            answer_cell.number_format = "General"
        if options and question.type != "multiple_choice":
            list_column += 1
            letter = column_letter(list_column)
            for option_row, (_, label) in enumerate(options, start=1):
                _put(lists, option_row, list_column, label)
            validation = DataValidation(
                type="list",
                formula1=f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(options)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not an allowed answer",
                error="Pick one of the answers in the list.",
            )
            sheet.add_data_validation(validation)
            validation.add(answer_cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` into a cell so that text is always stored as text, never read as a formula."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def to_markdown(result: VendorResult, catalogue: Catalogue, record: ExportRecord) -> str:
    """The questionnaire as Markdown, to read or paste into a message (answers come back through the .xlsx or .csv)."""
    from provenance_cli.render.templating import md_text

    e = md_text
    rows = question_rows(result, catalogue)
    versions = ", ".join(f"{qid} {version}" for qid, version in record.questionnaires)
    lines = [
        f"# Questions for {e(record.vendor)}" + (f", model {e(record.model)}" if record.model else ""),
        "",
        f"Exported by provcheck {e(record.provcheck_version)} at {e(record.exported_at)} for the dossier "
        f"{e(record.dossier)} (sha256 {e(record.sha256)}); questionnaires {e(versions)}.",
        "",
    ]
    if not rows:
        lines.append("Nothing to ask: every question for the vendor is answered, evidenced and current.")
        return "\n".join(lines) + "\n"
    lines += [
        f"{len(rows)} question(s), most points at stake first. Please choose one of the allowed answers for each, "
        "send the evidence asked for, and add a note where it helps.",
    ]
    for number, (question, values) in enumerate(rows, start=1):
        stake = f" · up to {values['points']:.1f} points at stake" if values["points"] is not None else ""
        lines += ["", f"## {number}. {e(values['question'])}", "", f"{e(values['id'])} · open because: {e(values['why'])}{stake}", ""]
        lines.append(f"Why we ask: {e(values['help'])}")
        lines += ["", "Allowed answers:", ""]
        options = answer_options(question)
        if options:
            if question.type == "multiple_choice":
                lines.append("Any of these:")
                lines.append("")
            lines += [f"- {e(label)}" for _, label in options]
        else:
            lines.append(f"- {e(allowed_answers_text(question))}")
        if values["evidence_request"]:
            lines += ["", f"Evidence we ask for: {e(values['evidence_request'])}"]
        if values["current"]:
            lines += ["", f"Current answer on file: {e(values['current'])}"]
    return "\n".join(lines) + "\n"
