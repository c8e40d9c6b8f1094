"""The vendor questionnaire file: what ``provcheck questions -f xlsx|csv`` writes and ``provcheck import`` reads back.

Procurement teams send questionnaires as spreadsheets and get them back
filled in. One sheet holds one row per question (the columns below); a
hidden sheet records which dossier the file was exported for (its sha256),
the questionnaire versions and the export time, so answers are never
merged into the wrong dossier or read against questions that changed
meaning. A CSV export carries the same record in ``#`` rows above the
header.

Reading is strict the way the dossier loader is: every answer cell is
checked against its question as a dossier answer would be, and every
problem names its cell (``answers.xlsx:Questions!I12: ...``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from provenance_cli.formats.models import Question
from provenance_cli.formats.vocabulary import UNDISCLOSED
from provenance_cli.util.errors import InputError, Problem

EXPORT_MARKER = "provcheck vendor questionnaire"
"""The first cell of the record sheet (and of a CSV export): how provcheck recognises its own files."""
EXPORT_VERSION = 1
"""Version of this file layout; a reader refuses a version it does not know."""
QUESTIONS_SHEET = "Questions"
LISTS_SHEET = "Answers"
"""Hidden sheet holding each question's allowed answers, which the drop-downs read."""
RECORD_SHEET = "provcheck"
"""Hidden sheet recording the dossier's sha256, the questionnaire versions and the export time."""
UNDISCLOSED_LABEL = "We do not disclose this"
"""How ``undisclosed`` is offered to a vendor."""
MAX_SHEET_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 5000

META_VENDOR = "vendor"
META_LEGAL_NAME = "legal_name"
META_DOSSIER = "dossier"
META_SHA256 = "dossier_sha256"
META_EXPORTED_AT = "exported_at"
META_AS_OF = "as_of"
META_MODEL = "model"
"""The model whose answers the questions were read from, when it answers some questions differently from the vendor."""
META_PROVCHECK = "provcheck_version"
META_QUESTIONNAIRE = "questionnaire "
"""Prefix of one record row per questionnaire: ``questionnaire extraction`` -> ``1.2.0``."""


@dataclass(frozen=True)
class Column:
    """One column of the questions sheet."""

    key: str
    header: str
    width: int
    """Display width in characters."""
    vendor_fills: bool = False
    """True for the columns the vendor fills in (shaded in the workbook)."""


COLUMNS: tuple[Column, ...] = (
    Column("id", "Question id", 30),
    Column("question", "Question", 60),
    Column("help", "Why we ask", 60),
    Column("allowed", "Allowed answers", 40),
    Column("evidence_request", "Evidence we ask for", 40),
    Column("current", "Current answer", 24),
    Column("why", "Open because", 24),
    Column("points", "Points at stake", 10),
    Column("answer", "Your answer", 36, vendor_fills=True),
    Column("evidence_url", "Evidence URL", 40, vendor_fills=True),
    Column("evidence_title", "Evidence title", 30, vendor_fills=True),
    Column("note", "Note", 40, vendor_fills=True),
)
"""The questions sheet, left to right. Import finds columns by header, so a vendor may reorder or add columns."""
REQUIRED_COLUMNS = ("id", "answer")


def column_letter(index: int) -> str:
    """``1`` -> ``A``, ``27`` -> ``AA``: how spreadsheets name a column."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True, order=True)
class CellProblem(Problem):
    """A problem in one cell of a spreadsheet: ``FILE:Sheet!C12: message`` (``FILE:C12`` for a CSV file).

    ``line`` is the row and ``column`` the column number, so problems sort in
    reading order.
    """

    sheet: str | None = None

    def __str__(self) -> str:
        cell = f"{column_letter(self.column)}{self.line}" if self.line > 0 else ""
        where = f"{self.sheet}!{cell}" if self.sheet else cell
        return f"{self.source}:{where}: {self.message}" if where else f"{self.source}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """As JSON output gives it, with the sheet and the cell name."""
        cell = f"{column_letter(self.column)}{self.line}" if self.line > 0 else None
        return {**super().as_dict(), "sheet": self.sheet, "cell": cell}


@dataclass(frozen=True)
class Cell:
    """One cell's value and where it is."""

    value: Any
    """Text, a number, a date or None, as the spreadsheet stored it."""
    sheet: str | None
    row: int
    column: int

    @property
    def blank(self) -> bool:
        """True when the cell holds nothing but whitespace."""
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def text(self) -> str:
        """The value as trimmed text ('' for a blank cell)."""
        return "" if self.value is None else str(self.value).strip()


@dataclass(frozen=True)
class AnswerSheet:
    """A questionnaire file as read back: its export record and its question rows."""

    source: str
    record: dict[str, Cell]
    """Export record by key (see the ``META_*`` names)."""
    rows: tuple[dict[str, Cell], ...]
    """One mapping per non-empty question row, by column key."""
    sheet: str | None
    """The questions sheet's name (None for CSV)."""

    def problem(self, cell: Cell, message: str) -> CellProblem:
        """A problem pointing at ``cell``."""
        return CellProblem(self.source, cell.row, cell.column, message, cell.sheet)

    def record_problem(self, key: str, message: str) -> CellProblem:
        """A problem pointing at the record row ``key`` (or at the start of the record when it is missing)."""
        cell = self.record.get(key) or self.record.get(EXPORT_MARKER)
        if cell is None:
            return CellProblem(self.source, 0, 0, message, None)
        return self.problem(cell, message)

    def questionnaire_versions(self) -> dict[str, tuple[str, Cell]]:
        """Questionnaire id -> (version, cell) as recorded at export."""
        return {
            key[len(META_QUESTIONNAIRE) :]: (cell.text, cell) for key, cell in self.record.items() if key.startswith(META_QUESTIONNAIRE)
        }


# --------------------------------------------------------------------------- answers offered and read back


def answer_options(question: Question) -> list[tuple[str, str]]:
    """(value, label) of every answer a choice or yes/no question allows, ``undisclosed`` last; [] for other types."""
    if question.type == "yes_no":
        options = [("yes", "Yes"), ("no", "No")]
    elif question.type in ("single_choice", "multiple_choice"):
        options = [(choice.value, " ".join(choice.label.split())) for choice in question.choices or []]
    else:
        return []
    return [*options, (UNDISCLOSED, UNDISCLOSED_LABEL)]


def allowed_answers_text(question: Question) -> str:
    """The allowed answers as the sheet states them, one per line."""
    options = answer_options(question)
    if question.type == "multiple_choice":
        listed = "\n".join(label for value, label in options if value != UNDISCLOSED)
        return f"Any of these, separated by ';':\n{listed}\nor: {UNDISCLOSED_LABEL}"
    if options:
        return "\n".join(label for _, label in options)
    if question.type == "number":
        bounds = []
        if question.minimum is not None:
            bounds.append(f"at least {question.minimum:g}")
        if question.maximum is not None:
            bounds.append(f"at most {question.maximum:g}")
        limits = f" ({', '.join(bounds)})" if bounds else ""
        return f"A number of {question.unit}{limits}, or: {UNDISCLOSED_LABEL}"
    if question.type == "date":
        return f"A date as YYYY-MM-DD, or: {UNDISCLOSED_LABEL}"
    return f"Free text, or: {UNDISCLOSED_LABEL}"


def _option_value(question: Question, text: str) -> str | None:
    """The value a cell names, by value or by label, ignoring case and spacing."""
    wanted = " ".join(text.split()).casefold()
    for value, label in answer_options(question):
        if wanted in (value.casefold(), label.casefold()):
            return value
    return None


def _multiple(question: Question, text: str) -> list[str]:
    """Multiple-choice parts separated by ';' or new lines (a part that matches nothing may list values with commas)."""
    if _option_value(question, text) == UNDISCLOSED:
        return [UNDISCLOSED]
    values: list[str] = []
    for part in (p.strip() for chunk in text.split("\n") for p in chunk.split(";")):
        if not part:
            continue
        found = _option_value(question, part)
        if found is not None:
            values.append(found)
            continue
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        resolved = [_option_value(question, p) for p in pieces]
        values.extend(v if v is not None else p for v, p in zip(resolved, pieces, strict=True))
    return values


def yaml_value(question: Question, value: Any) -> Any:
    """A normalised answer as a dossier writes it: text, an int where the number is whole, a date, or a list."""
    if value == UNDISCLOSED:
        return UNDISCLOSED
    if isinstance(value, frozenset):
        order = [choice.value for choice in question.choices or []]
        return sorted(value, key=order.index)
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return value


def parse_answer(question: Question, cell: Cell) -> Any:
    """The normalised answer in ``cell``, checked exactly as a dossier answer is; ValueError says what was expected."""
    from provenance_cli.formats.dossier import normalise_answer

    raw = cell.value
    if isinstance(raw, bool):
        raw = "yes" if raw else "no"
    if isinstance(raw, datetime):
        if raw.time() != datetime.min.time():
            raise ValueError(f"expected a date as YYYY-MM-DD, got a date and time {raw.isoformat(sep=' ')}")
        raw = raw.date()
    if isinstance(raw, date):
        if question.type not in ("date", "text"):
            raise ValueError(f"expected {_expected(question)}, got the date {raw.isoformat()}")
        raw = raw.isoformat()
    elif isinstance(raw, (int, float)):
        if question.type not in ("number", "text"):
            raise ValueError(f"expected {_expected(question)}, got the number {raw:g}")
        raw = repr(raw) if isinstance(raw, float) else str(raw)
    text = str(raw).strip()
    if " ".join(text.split()).casefold() == UNDISCLOSED_LABEL.casefold():
        text = UNDISCLOSED
    if question.type == "multiple_choice":
        values = _multiple(question, text)
        return normalise_answer(question, UNDISCLOSED if values == [UNDISCLOSED] else values)
    found = _option_value(question, text)
    if found is not None:
        return normalise_answer(question, found)
    if answer_options(question):
        labels = [label for _, label in answer_options(question)]
        raise ValueError(f"{text!r} is not an allowed answer; expected one of: {'; '.join(labels)}")
    return normalise_answer(question, text)


def _expected(question: Question) -> str:
    return {"yes_no": "yes or no", "single_choice": "one of the listed answers", "multiple_choice": "listed answers"}.get(
        question.type, f"a {question.type.replace('_', ' ')}"
    )


# --------------------------------------------------------------------------- reading a file back


def read_answer_sheet(path: Path) -> AnswerSheet:
    """Read a filled questionnaire (.xlsx or .csv); InputError when it is unreadable or not a provcheck export."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError([Problem(source, 0, 0, f"cannot read file: {exc.strerror}")]) from None
    if size > MAX_SHEET_BYTES:
        raise InputError([Problem(source, 0, 0, f"file is {size:,} bytes; the limit is {MAX_SHEET_BYTES:,} bytes")])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise InputError([Problem(source, 0, 0, "expected a questionnaire exported by provcheck: an .xlsx or .csv file")])


def _read_xlsx(path: Path) -> AnswerSheet:
    source = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise InputError([Problem(source, 0, 0, "not a readable .xlsx workbook")]) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError([Problem(source, 0, 0, f"workbook unpacks to {unpacked:,} bytes; the limit is {MAX_UNPACKED_BYTES:,}")])
    import warnings

    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # a dependency; refuse rather than parse untrusted XML without it
        raise InputError(
            [Problem(source, 0, 0, "cannot read workbooks safely: the defusedxml package is missing (pip install defusedxml)")]
        )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read (e.g. LibreOffice's)
            workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError([Problem(source, 0, 0, f"not a readable .xlsx workbook ({type(exc).__name__})")]) from None
    try:
        if RECORD_SHEET not in workbook.sheetnames or QUESTIONS_SHEET not in workbook.sheetnames:
            raise InputError(
                [Problem(source, 0, 0, f"not a questionnaire exported by provcheck (no '{RECORD_SHEET}' sheet recording the export)")]
            )
        record = _record(_sheet_rows(workbook[RECORD_SHEET], RECORD_SHEET), source)
        rows = _question_rows(_sheet_rows(workbook[QUESTIONS_SHEET], QUESTIONS_SHEET), source, QUESTIONS_SHEET)
    finally:
        workbook.close()
    return AnswerSheet(source, record, rows, QUESTIONS_SHEET)


def _sheet_rows(sheet: Any, name: str) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for row_number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if row_number > MAX_ROWS:
            break
        rows.append([Cell(value, name, row_number, column) for column, value in enumerate(values, start=1)])
    return rows


def _record(rows: list[list[Cell]], source: str) -> dict[str, Cell]:
    """The export record: key in the first column, value in the second; the marker row comes first."""
    record: dict[str, Cell] = {}
    for row in rows:
        if len(row) < 2 or row[0].blank:
            continue
        key = row[0].text.lstrip("#").strip()
        record[key] = Cell(row[1].value, row[1].sheet, row[1].row, row[1].column)
    marker = record.get(EXPORT_MARKER)
    if marker is None:
        raise InputError([Problem(source, 0, 0, "not a questionnaire exported by provcheck (its export record is missing)")])
    if marker.text != str(EXPORT_VERSION):
        raise InputError(
            [
                CellProblem(
                    source,
                    marker.row,
                    marker.column,
                    f"file layout version {marker.text!r}; this provcheck reads {EXPORT_VERSION}",
                    marker.sheet,
                )
            ]
        )
    return record


def _question_rows(rows: list[list[Cell]], source: str, sheet: str | None) -> tuple[dict[str, Cell], ...]:
    """Rows below the header, by column key; blank rows are skipped."""
    if not rows:
        raise InputError([CellProblem(source, 1, 1, "no header row; expected the columns provcheck exported", sheet)])
    by_header = {column.header.casefold(): column.key for column in COLUMNS}
    header = rows[0]
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = by_header.get(" ".join(cell.text.split()).casefold())
        if key is not None and key not in positions:
            positions[key] = index
    missing = [column for column in COLUMNS if column.key in REQUIRED_COLUMNS and column.key not in positions]
    if missing:
        names = ", ".join(repr(column.header) for column in missing)
        raise InputError([CellProblem(source, header[0].row if header else 1, 1, f"no {names} column in the header row", sheet)])
    out: list[dict[str, Cell]] = []
    for row in rows[1:]:
        cells = {key: row[index] if index < len(row) else Cell(None, sheet, row[0].row, index + 1) for key, index in positions.items()}
        if all(cell.blank for cell in cells.values()):
            continue
        out.append(cells)
    return tuple(out)


def _read_csv(path: Path) -> AnswerSheet:
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(source, 0, 0, "file is not UTF-8 text; save the CSV as UTF-8")]) from None
    except OSError as exc:
        raise InputError([Problem(source, 0, 0, f"cannot read file: {exc.strerror}")]) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise InputError([Problem(source, 0, 0, f"not readable as CSV: {exc}")]) from None
    rows = [
        [Cell(value, None, number, column) for column, value in enumerate(values, start=1)]
        for number, values in enumerate(table[:MAX_ROWS], start=1)
    ]
    record_rows = [row for row in rows if row and row[0].text.startswith("#")]
    body = [row for row in rows if row and not row[0].text.startswith("#") and not all(c.blank for c in row)]
    record = _record(record_rows, source)
    return AnswerSheet(source, record, _question_rows(body, source, None), None)
