"""The UN Security Council Consolidated List, the Council's own XML file.

Shape (``scsanctions.un.org/resources/xml/en/consolidated.xml``): a
``CONSOLIDATED_LIST`` root whose ``dateGenerated`` attribute dates the file,
``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY`` records. Each record has
a ``DATAID`` and a permanent ``REFERENCE_NUMBER`` (``KPi.033``, ``QDe.001``),
the name split over ``FIRST_NAME`` to ``FOURTH_NAME`` (an entity's whole
name is in ``FIRST_NAME``), ``NAME_ORIGINAL_SCRIPT``, ``LISTED_ON``, and
``*_ALIAS`` elements whose ``QUALITY`` is ``Good``, ``a.k.a.``, ``f.k.a.``
or ``Low`` and whose ``ALIAS_NAME`` may hold several names joined by "; ".

Dirty rows are expected: empty name parts, an entity known only by its
aliases, ``LISTED_ON`` with a time-zone suffix, dates of birth as a year
or a range of years, doubled spaces. ``Low`` quality aliases (nicknames
such as "Abu Ali") are left out of matching, as they match far too much;
the count is said in the notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import tidy
from provenance_cli.screening.source import ListFormatError, ListInfo, Parsed, Source
from provenance_cli.screening.sources.xmlrecords import XmlRecords, iso_day, text

if TYPE_CHECKING:  # only in annotations: parsing an XML list loads it through xmlrecords
    import xml.etree.ElementTree as ET

KEY = "un_sc"
UN_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
WEAK_QUALITIES = frozenset({"low"})


def _aliases(record: ET.Element, tag: str) -> tuple[list[str], int]:
    """Usable aliases of a record, and how many weak ones were left out."""
    found: list[str] = []
    weak = 0
    for alias in record.iterfind(tag):
        names = [tidy(part) for part in text(alias, "ALIAS_NAME").split(";")]
        names = [name for name in names if name]
        if text(alias, "QUALITY").lower() in WEAK_QUALITIES:
            weak += len(names)
            continue
        found.extend(names)
    return found, weak


def _birth_dates(record: ET.Element) -> tuple[str, ...]:
    """Dates (or years) of birth: an exact date, a year, or both ends of a range of years."""
    dates: list[str] = []
    for birth in record.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        for path in ("DATE", "YEAR", "FROM_YEAR", "TO_YEAR"):
            day = iso_day(text(birth, path))
            if day:
                dates.append(day)
    return tuple(dict.fromkeys(dates))


def entry_from(record: ET.Element) -> tuple[Entry | None, int]:
    """One record as an entry (None when it has no name at all), and its weak aliases left out."""
    person = record.tag == "INDIVIDUAL"
    parts = [tidy(text(record, tag)) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(part for part in parts if part) if person else parts[0]
    aliases, weak = _aliases(record, "INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS")
    original = tidy(text(record, "NAME_ORIGINAL_SCRIPT"))
    if original:
        aliases.append(original)
    if not name and aliases:
        name = aliases.pop(0)
    if not name:
        return None, weak
    identifier = text(record, "REFERENCE_NUMBER") or f"DATAID {text(record, 'DATAID')}"
    return (
        Entry(
            list_key=KEY,
            entry_id=identifier,
            name=name,
            aliases=tuple(dict.fromkeys(a for a in aliases if a != name)),
            list_date=iso_day(text(record, "LISTED_ON")),
            kind="person" if person else "company",
            birth_dates=_birth_dates(record) if person else (),
        ),
        weak,
    )


class UnScSource(Source):
    """The UN Security Council Consolidated List (XML), as the Council publishes it."""

    key = KEY
    title = "UN Security Council Consolidated List"
    default_url = UN_URL
    default_max_bytes = 50 * 1024 * 1024
    content_types = ("xml", "octet-stream", "text/plain")

    def parse(self, path: Path, url: str) -> Parsed:
        """Stream the XML; a record without DATAID or REFERENCE_NUMBER is malformed, and too many of them refuse the file."""
        reader = XmlRecords(path, url, roots=("CONSOLIDATED_LIST",), records=frozenset({"INDIVIDUAL", "ENTITY"}), title=self.title)
        entries: list[Entry] = []
        total = nameless = malformed = weak = 0
        for record in reader:
            total += 1
            if not text(record, "DATAID") and not text(record, "REFERENCE_NUMBER"):
                malformed += 1
                continue
            entry, left_out = entry_from(record)
            weak += left_out
            if entry is None:
                nameless += 1
                continue
            entries.append(entry)
        if total and malformed > max(10, total // 100):
            raise ListFormatError(f"{url}: {malformed:,} of {total:,} records have no DATAID or REFERENCE_NUMBER; refusing the file")
        list_date = iso_day(reader.root_attributes.get("dateGenerated", ""))
        notes = [
            f"{count:,} {what}"
            for count, what in (
                (nameless, "records without a name"),
                (malformed, "records without an id"),
                (weak, "low-quality aliases not screened"),
            )
            if count
        ]
        info = ListInfo(key=KEY, name=LIST_NAMES[KEY], list_date=list_date, count=total - malformed)
        return Parsed(entries=entries, lists={KEY: info}, skipped=nameless + malformed, notes=notes)
