"""The US Consolidated Screening List (ITA), bulk JSON.

The file is an envelope (``results``, ``search_performed_at``,
``sources_used``, ``offset``, ``total``) around records whose keys differ by
list. Strict about what screening needs (``id``, ``name``, ``source``),
lenient about everything else. Dirty rows are expected: unsplit or null
``alt_names``, Nonproliferation aliases split on ", " (so "X Co." and
"Ltd." arrive as two items), empty names, doubled spaces, ``?`` for
apostrophes. People are kept (``kind="person"``, with dates of birth and
nationalities when the row gives them: SDN writes them ``LAST, First``, the
other Treasury lists ``First LAST``); vessels and aircraft are left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import LEGAL_FORMS, tidy
from provenance_cli.screening.source import ListFormatError, ListInfo, Parsed, Source

CSL_URL = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json"

_ABBREVIATIONS = {
    "EL": "el",
    "MEU": "meu",
    "UVL": "uvl",
    "DPL": "dpl",
    "ISN": "isn",
    "DTC": "dtc",
    "SDN": "sdn",
    "SSI": "ssi",
    "CMIC": "cmic",
    "FSE": "fse",
    "MBS": "mbs",
    "PLC": "plc",
    "CAP": "cap",
    "CAPTA": "cap",
}
_PAREN = re.compile(r"\(([^()]*)\)")
_WORD = re.compile(r"[A-Z]+")
NOT_SCREENED = frozenset({"vessel", "aircraft"})
NOT_COMPANIES = NOT_SCREENED  # kept for callers of the old name
_AKA = re.compile(
    r"^\s*(?:a\.?k\.?a\.?|f\.?k\.?a\.?)[,:]?\s*(?:the\s+following\s+\w+\s+alias(?:es)?\s*:)?\s*",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r";|\s--\s|^--\s")


def list_key(source: str) -> str | None:
    """The stable key of a CSL ``source`` value, e.g. 'Entity List (EL) - Bureau ...' -> 'el'."""
    for group in _PAREN.findall(source):
        for word in _WORD.findall(group.upper()):
            if word in _ABBREVIATIONS:
                return _ABBREVIATIONS[word]
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _strings(value: Any) -> tuple[str, ...]:
    """A CSL field that is a string, a ", "/";"-joined string or a list of strings, as a tuple."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.extend(p.strip() for p in re.split(r"[;,]\s*", item) if p.strip())
    return tuple(dict.fromkeys(out))


def _countries(record: dict[str, Any]) -> tuple[str, ...]:
    found = [*_strings(record.get("nationalities")), *_strings(record.get("citizenships"))]
    for address in record.get("addresses") or []:
        if isinstance(address, dict) and isinstance(address.get("country"), str) and address["country"].strip():
            found.append(address["country"].strip())
    return tuple(dict.fromkeys(c.upper() for c in found if len(c) == 2))


def split_alt_names(value: Any) -> list[str]:
    """Alt names as a clean list: null, unsplit text and ", "-split legal forms repaired."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    pieces: list[str] = []
    for item in items:
        for piece in _SEPARATORS.split(item):
            piece = tidy(_AKA.sub("", piece))
            if not piece:
                continue
            words = piece.replace(".", " ").replace(",", " ").lower().split()
            if pieces and words and all(w in LEGAL_FORMS for w in words):
                pieces[-1] = f"{pieces[-1]}, {piece}"
            else:
                pieces.append(piece)
    return pieces


class CslSource(Source):
    """The ITA's Consolidated Screening List (bulk JSON): the one required source."""

    key = "csl"
    title = "US Consolidated Screening List (ITA)"
    default_url = CSL_URL
    default_max_bytes = 200 * 1024 * 1024
    content_types = ("json", "octet-stream")
    required = True
    updated_by_default = True

    def parse(self, path: Path, url: str) -> Parsed:
        """Parse the bulk JSON; over 1% (and over 10) of records without an id or known list is a changed format, so the file is refused."""
        import json

        try:
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
            data = json.loads(text)
        except UnicodeDecodeError:
            raise ListFormatError(f"{url} did not send UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise ListFormatError(f"{url} did not send valid JSON ({exc.msg} at character {exc.pos:,})") from None
        del text
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise ListFormatError(f"{url} is JSON but not the Consolidated Screening List (no 'results' list)")
        dates: dict[str, str | None] = {}
        names: dict[str, str] = {}
        for used in data.get("sources_used") or []:
            if isinstance(used, dict) and isinstance(used.get("source"), str):
                key = list_key(used["source"])
                if key:
                    dates[key] = _text(used.get("source_last_updated"))[:10] or None
                    names[key] = tidy(used["source"])
        entries: list[Entry] = []
        counts: dict[str, int] = {}
        skipped = malformed = 0
        results = data.pop("results")
        del data
        for record in results:
            if not isinstance(record, dict) or not isinstance(record.get("source"), str) or record.get("id") in (None, ""):
                malformed += 1
                continue
            key = list_key(record["source"])
            if key is None:
                malformed += 1
                continue
            names.setdefault(key, tidy(record["source"]))
            counts[key] = counts.get(key, 0) + 1
            kind = _text(record.get("type")).lower()
            name = tidy(_text(record.get("name")))
            if kind in NOT_SCREENED or not name:
                skipped += 1
                continue
            person = kind == "individual"
            entries.append(
                Entry(
                    list_key=key,
                    entry_id=str(record["id"]),
                    name=name,
                    aliases=tuple(split_alt_names(record.get("alt_names"))),
                    list_date=dates.get(key),
                    kind="person" if person else "company",
                    birth_dates=_strings(record.get("dates_of_birth")) if person else (),
                    countries=_countries(record) if person else (),
                )
            )
        total = len(results)
        if total and malformed > max(10, total // 100):
            raise ListFormatError(f"{url}: {malformed:,} of {total:,} records lack an id or a known source; refusing the file")
        if not entries and total:
            raise ListFormatError(f"{url}: no usable company records among {total:,}")
        lists = {
            key: ListInfo(
                key=key,
                name=LIST_NAMES.get(key, names.get(key, key)),
                list_date=dates.get(key),
                count=counts.get(key, 0),
            )
            for key in sorted(set(counts) | set(dates))
        }
        notes = [f"{malformed:,} malformed records ignored"] if malformed else []
        return Parsed(entries=entries, lists=lists, skipped=skipped + malformed, notes=notes)
