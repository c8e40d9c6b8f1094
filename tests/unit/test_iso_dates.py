"""Dates in dossiers: texts already read are reused, and every refusal is still worded each time it happens."""

from __future__ import annotations

from datetime import date

import pytest

from provenance_cli.formats.models import parse_iso_date


def test_a_date_read_twice_is_the_same_day() -> None:
    """The second reading comes from the texts already read and gives the same value (with or without spaces)."""
    assert parse_iso_date("2026-02-21") == date(2026, 2, 21)
    assert parse_iso_date("2026-02-21") == date(2026, 2, 21)
    assert parse_iso_date(" 2026-02-21 ") == date(2026, 2, 21)
    assert parse_iso_date(date(2025, 1, 2)) == date(2025, 1, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "'2026-02-30' is not a real calendar date (expected YYYY-MM-DD)"),
        ("2026-02-21T10:00:00", "expected a date as YYYY-MM-DD, got '2026-02-21T10:00:00'"),
        ("21/02/2026", "expected a date as YYYY-MM-DD, got '21/02/2026'"),
    ],
)
def test_a_bad_date_is_refused_every_time(text: str, message: str) -> None:
    """Only valid dates are remembered: reading a bad one again raises the same words again."""
    for _ in range(2):
        with pytest.raises(ValueError) as caught:
            parse_iso_date(text)
        assert str(caught.value) == message
