"""Reading one answer cell back: labels or values, the spreadsheet's own types, checked as a dossier answer is."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from provenance_cli.formats.answer_sheet import Cell, CellProblem, column_letter, parse_answer
from provenance_cli.formats.questionnaires import load_catalogue

catalogue = load_catalogue()

READ = [
    ("retention.dpa_available", "Yes", "yes"),
    ("retention.dpa_available", True, "yes"),
    ("retention.zero_data_retention", "Offered, but not enabled for the buyer", "available_not_enabled"),
    ("retention.zero_data_retention", "  not_offered ", "not_offered"),
    ("retention.processing_regions", "EU / EEA; United States", frozenset({"eu_eea", "us"})),
    ("retention.processing_regions", "eu_eea, uk", frozenset({"eu_eea", "uk"})),
    ("retention.processing_regions", "us\nOther locations the vendor does not name", frozenset({"us", "other_unnamed"})),
    ("retention.prompt_retention_days", 30, 30.0),
    ("retention.prompt_retention_days", "0", 0.0),
    ("extraction.last_defence_review", datetime(2026, 3, 15), date(2026, 3, 15)),
    ("extraction.last_defence_review", "2026-03-15", date(2026, 3, 15)),
    ("export_control.export_classification", "EAR99 for the hosted service", "EAR99 for the hosted service"),
]


@pytest.mark.parametrize(("question_id", "cell", "expected"), READ, ids=[f"{q}={c!r}" for q, c, _ in READ])
def test_cells_read_back(question_id: str, cell, expected) -> None:
    assert parse_answer(catalogue.questions[question_id], Cell(cell, "Questions", 2, 9)) == expected


@pytest.mark.parametrize(
    "question_id",
    ["retention.dpa_available", "retention.processing_regions", "retention.prompt_retention_days", "extraction.last_defence_review"],
)
def test_the_undisclosed_label_reads_as_undisclosed_for_every_type(question_id: str) -> None:
    assert parse_answer(catalogue.questions[question_id], Cell("We do not disclose this", "Questions", 2, 9)) == "undisclosed"


REFUSED = [
    ("retention.dpa_available", "Probably", "'Probably' is not an allowed answer; expected one of: Yes; No; We do not disclose this"),
    ("retention.dpa_available", 1, "expected yes or no, got the number 1"),
    ("retention.processing_regions", "us; mars", "'mars' is not an option"),
    ("retention.prompt_retention_days", "-3", "expected at least 0 days, got -3"),
    ("retention.prompt_retention_days", datetime(2026, 1, 1), "expected a number, got the date 2026-01-01"),
    ("extraction.last_defence_review", "2026-02-30", "is not a real calendar date"),
    ("extraction.last_defence_review", datetime(2026, 1, 1, 9, 30), "got a date and time 2026-01-01 09:30:00"),
]


@pytest.mark.parametrize(("question_id", "cell", "message"), REFUSED, ids=[f"{q}={c!r}" for q, c, _ in REFUSED])
def test_cells_refused_say_what_was_expected(question_id: str, cell, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_answer(catalogue.questions[question_id], Cell(cell, "Questions", 2, 9))


def test_cell_problems_name_sheet_and_cell_and_sort_in_reading_order() -> None:
    assert [column_letter(n) for n in (1, 9, 26, 27, 52)] == ["A", "I", "Z", "AA", "AZ"]
    problems = sorted([CellProblem("a.xlsx", 12, 9, "later", "Questions"), CellProblem("a.xlsx", 3, 1, "first", "Questions")])
    assert [str(p) for p in problems] == ["a.xlsx:Questions!A3: first", "a.xlsx:Questions!I12: later"]
    assert str(CellProblem("a.csv", 7, 10, "in a CSV file")) == "a.csv:J7: in a CSV file"
    assert problems[0].as_dict()["cell"] == "A3"
