"""The UK Sanctions List, the Foreign, Commonwealth & Development Office's XML file.

Shape (``sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml``): a
``Designations`` root with a ``DateGenerated`` element (day first,
``20/08/2026``) and one ``Designation`` per listing: ``UniqueID``
(``RUS0001``), ``DateDesignated``, ``LastUpdated``, ``UNReferenceNumber``,
``RegimeName``, ``IndividualEntityShip`` (``Individual``, ``Entity`` or
``Ship``), ``DesignationSource`` (``UK`` or ``UN``), ``Names/Name`` with
the parts ``Name1`` to ``Name6`` (``Name6`` is the surname, or an entity's
whole name), ``NameType`` and ``AliasStrength``, ``NonLatinNames/
NonLatinName/NameNonLatinScript``, and ``IndividualDetails/Individual``
with ``DOBs/DOB`` and ``Nationalities/Nationality``.

Dirty rows are expected: ``NameType`` in any casing ("Primary name",
"ALias"), dates of birth with unknown parts written ``dd/mm/1945``,
designations without names (counted), low-quality aliases (left out of
matching), and ships, which are not screened (a vendor is never a ship).
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

KEY = "uk_sanctions"
UK_URL = "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"
KINDS = {"individual": "person", "entity": "company"}


def _names(designation: ET.Element) -> tuple[list[str], int]:
    """The designation's names, primary ones first, and how many low-quality aliases were left out."""
    primary: list[str] = []
    others: list[str] = []
    weak = 0
    for name in designation.iterfind("Names/Name"):
        whole = tidy(" ".join(text(name, f"Name{i}") for i in range(1, 7)))
        if not whole:
            continue
        kind = " ".join(text(name, "NameType").lower().split())
        if kind == "alias" and "low" in text(name, "AliasStrength").lower():
            weak += 1
            continue
        (primary if kind == "primary name" else others).append(whole)
    for script in designation.iterfind("NonLatinNames/NonLatinName"):
        native = tidy(text(script, "NameNonLatinScript"))
        if native:
            others.append(native)
    return list(dict.fromkeys(primary + others)), weak


def _births(designation: ET.Element) -> tuple[str, ...]:
    days = [iso_day(dob.text or "") for dob in designation.iterfind("IndividualDetails/Individual/DOBs/DOB")]
    return tuple(dict.fromkeys(day for day in days if day))


class UkSanctionsSource(Source):
    """The UK Sanctions List (FCDO) XML."""

    key = KEY
    title = "UK Sanctions List (FCDO)"
    default_url = UK_URL
    default_max_bytes = 100 * 1024 * 1024
    content_types = ("xml", "octet-stream", "text/plain")

    def parse(self, path: Path, url: str) -> Parsed:
        """Stream the XML; ships are counted and left out, a designation without UniqueID is malformed."""
        reader = XmlRecords(path, url, roots=("Designations",), records=frozenset({"Designation"}), title=self.title)
        entries: list[Entry] = []
        total = malformed = nameless = ships = weak = 0
        for designation in reader:
            total += 1
            unique_id = text(designation, "UniqueID")
            kind = KINDS.get(text(designation, "IndividualEntityShip").lower())
            if text(designation, "IndividualEntityShip").lower() == "ship":
                ships += 1
                continue
            if not unique_id or kind is None:
                malformed += 1
                continue
            names, left_out = _names(designation)
            weak += left_out
            if not names:
                nameless += 1
                continue
            entries.append(
                Entry(
                    list_key=KEY,
                    entry_id=unique_id,
                    name=names[0],
                    aliases=tuple(names[1:]),
                    list_date=iso_day(text(designation, "DateDesignated")),
                    kind=kind,
                    birth_dates=_births(designation) if kind == "person" else (),
                )
            )
        if total and malformed > max(10, total // 100):
            raise ListFormatError(f"{url}: {malformed:,} of {total:,} designations have no UniqueID or type; refusing the file")
        counts = (
            (ships, "ships not screened"),
            (nameless, "designations without a name"),
            (malformed, "malformed designations"),
            (weak, "low-quality aliases not screened"),
        )
        notes = [f"{count:,} {what}" for count, what in counts if count]
        generated = iso_day(reader.header.get("DateGenerated", ""))
        info = ListInfo(key=KEY, name=LIST_NAMES[KEY], list_date=generated, count=total - malformed)
        return Parsed(entries=entries, lists={KEY: info}, skipped=ships + nameless + malformed, notes=notes)
