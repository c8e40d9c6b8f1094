"""The EU consolidated list of persons, groups and entities subject to financial sanctions (FSF).

The European Commission publishes the list (the "Financial Sanctions
Files") as XML and as CSV; both are read, told apart by their first bytes.

XML (``xmlFullSanctionsList_1_1``): an ``export`` root in the
``http://eu.europa.ec/fpi/fsd/export`` namespace whose ``generationDate``
attribute dates the file, and one ``sanctionEntity`` per listing with the
attributes ``euReferenceNumber`` (``EU.27.28``), ``logicalId``,
``unitedNationId`` and ``designationDate``, and the children
``regulation`` (``publicationDate``, ``programme``), ``subjectType``
(``code`` ``person`` or ``enterprise``), ``nameAlias`` (``wholeName``,
``firstName``, ``middleName``, ``lastName``, ``strong``, ``nameLanguage``:
the same name in several languages and scripts), ``citizenship``
(``countryIso2Code``) and ``birthdate`` (``birthdate``, ``year``).

CSV (``csvFullSanctionsList_1_1``): ";"-separated, one row per name,
address, birth date, citizenship or identification of a listing, each row
repeating the listing's ``Entity_*`` columns; the first column,
``fileGenerationDate``, is written day first (``08/06/2026``).

Dirty rows are expected: listings without a reference number (only a
``logicalId``), names with an empty ``wholeName`` but first and last
names, weak aliases (``strong="false"``, left out of matching), a country
code ``00`` for "unknown", birth dates known only by the year, and the odd
listing with no subject type (counted as malformed).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import tidy
from provenance_cli.screening.source import ListFormatError, ListInfo, Parsed, Source
from provenance_cli.screening.sources.xmlrecords import XmlRecords, iso_day

if TYPE_CHECKING:  # only in annotations: parsing an XML list loads it through xmlrecords
    import xml.etree.ElementTree as ET

KEY = "eu_fsf"
EU_URL = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"
SUBJECT_KINDS = {"person": "person", "enterprise": "company"}


@dataclass
class _Listing:
    """One listing gathered from its XML element or its CSV rows."""

    reference: str
    logical_id: str
    subject: str = ""
    designated: str = ""
    published: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    weak: int = 0
    births: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)

    def add_name(self, whole: str, first: str, middle: str, last: str, strong: str) -> None:
        """One name alias; a weak one (``strong`` false) is counted, not matched."""
        name = tidy(whole) or tidy(" ".join(part for part in (first, middle, last) if part.strip()))
        if not name:
            return
        if strong.strip().lower() == "false":
            self.weak += 1
        elif name not in self.names:
            self.names.append(name)

    def add_country(self, code: str) -> None:
        """A citizenship's ISO-2 code; ``00`` and blanks mean unknown."""
        code = code.strip().upper()
        if len(code) == 2 and code.isalpha() and code not in self.countries:
            self.countries.append(code)

    def add_birth(self, full: str, year: str) -> None:
        """A date of birth, or its year when that is all the list knows."""
        day = iso_day(full) or iso_day(year)
        if day and day not in self.births:
            self.births.append(day)

    def entry(self) -> Entry | None:
        """The listing as a screening entry; None when it has no usable name."""
        if not self.names:
            return None
        dates = [d for d in (iso_day(p) for p in self.published) if d]
        person = SUBJECT_KINDS[self.subject] == "person"
        return Entry(
            list_key=KEY,
            entry_id=self.reference or f"logicalId {self.logical_id}",
            name=self.names[0],
            aliases=tuple(self.names[1:]),
            list_date=iso_day(self.designated) or (min(dates) if dates else None),
            kind="person" if person else "company",
            birth_dates=tuple(self.births) if person else (),
            countries=tuple(self.countries) if person else (),
        )


def _from_xml(element: ET.Element) -> _Listing:
    listing = _Listing(reference=element.get("euReferenceNumber", "").strip(), logical_id=element.get("logicalId", "").strip())
    listing.designated = element.get("designationDate", "")
    subject = element.find("subjectType")
    listing.subject = (subject.get("code", "") if subject is not None else "").strip().lower()
    for regulation in element.iterfind("regulation"):
        listing.published.append(regulation.get("publicationDate", ""))
    for name in element.iterfind("nameAlias"):
        listing.add_name(
            name.get("wholeName", ""),
            name.get("firstName", ""),
            name.get("middleName", ""),
            name.get("lastName", ""),
            name.get("strong", ""),
        )
    for citizenship in element.iterfind("citizenship"):
        listing.add_country(citizenship.get("countryIso2Code", ""))
    for birth in element.iterfind("birthdate"):
        listing.add_birth(birth.get("birthdate", ""), birth.get("year", ""))
    return listing


def _xml_listings(path: Path, url: str, title: str) -> tuple[list[_Listing], str | None]:
    reader = XmlRecords(path, url, roots=("export",), records=frozenset({"sanctionEntity"}), title=title)
    listings = [_from_xml(element) for element in reader]
    return listings, iso_day(reader.root_attributes.get("generationDate", ""))


def _csv_listings(path: Path, url: str) -> tuple[list[_Listing], str | None]:
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ListFormatError(f"{url} is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(content), delimiter=";")
    if "Entity_LogicalId" not in (reader.fieldnames or []):
        raise ListFormatError(f"{url} is CSV but not the EU financial sanctions file (no Entity_LogicalId column)")
    listings: dict[str, _Listing] = {}
    generated: str | None = None
    for row in reader:
        cell = {key: (value or "") for key, value in row.items() if isinstance(key, str) and isinstance(value, str)}
        logical = cell.get("Entity_LogicalId", "").strip()
        if not logical:
            continue
        generated = generated or iso_day(cell.get("fileGenerationDate", ""))
        listing = listings.get(logical)
        if listing is None:
            listing = listings[logical] = _Listing(reference=cell.get("Entity_EU_ReferenceNumber", "").strip(), logical_id=logical)
            listing.designated = cell.get("Entity_DesignationDate", "")
            listing.subject = cell.get("Entity_SubjectType", "").strip().lower()
        if cell.get("Entity_Regulation_PublicationDate"):
            listing.published.append(cell["Entity_Regulation_PublicationDate"])
        listing.add_name(
            cell.get("NameAlias_WholeName", ""),
            cell.get("NameAlias_FirstName", ""),
            cell.get("NameAlias_MiddleName", ""),
            cell.get("NameAlias_LastName", ""),
            cell.get("NameAlias_Strong", "true"),
        )
        listing.add_country(cell.get("Citizenship_CountryIso2Code", ""))
        listing.add_birth(cell.get("BirthDate_BirthDate", ""), cell.get("BirthDate_Year", ""))
    return list(listings.values()), generated


class EuFsfSource(Source):
    """The EU consolidated list of financial sanctions (FSF), XML or CSV, as the Commission publishes it."""

    key = KEY
    title = "EU consolidated list of financial sanctions (FSF)"
    default_url = EU_URL
    default_max_bytes = 100 * 1024 * 1024
    content_types = ("xml", "csv", "octet-stream", "text/plain")

    def parse(self, path: Path, url: str) -> Parsed:
        """XML or CSV by the first bytes; a listing without a subject type is malformed, and too many of them refuse the file."""
        with open(path, "rb") as stream:
            head = stream.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"<"):
            listings, generated = _xml_listings(path, url, self.title)
        elif head.startswith(b"fileGenerationDate") or b"Entity_LogicalId" in head:
            listings, generated = _csv_listings(path, url)
        else:
            raise ListFormatError(f"{url} is neither the XML nor the CSV form of the EU financial sanctions file")
        entries: list[Entry] = []
        malformed = nameless = weak = 0
        for listing in listings:
            weak += listing.weak
            if listing.subject not in SUBJECT_KINDS:
                malformed += 1
                continue
            entry = listing.entry()
            if entry is None:
                nameless += 1
                continue
            entries.append(entry)
        total = len(listings)
        if total and malformed > max(10, total // 100):
            raise ListFormatError(f"{url}: {malformed:,} of {total:,} listings have no known subject type; refusing the file")
        counts = (
            (nameless, "listings without a name"),
            (malformed, "listings without a subject type"),
            (weak, "weak aliases not screened"),
        )
        notes = [f"{count:,} {what}" for count, what in counts if count]
        info = ListInfo(key=KEY, name=LIST_NAMES[KEY], list_date=generated, count=total - malformed)
        return Parsed(entries=entries, lists={KEY: info}, skipped=nameless + malformed, notes=notes)
