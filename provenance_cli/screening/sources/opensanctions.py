"""OpenSanctions ``targets.simple.csv`` (licensed for business use; URL must be configured).

Columns used: ``id``, ``schema``, ``name``, ``aliases`` (";"-separated),
``last_change``, and for people ``birth_date`` and ``countries``; the rest
is ignored. People are kept (``kind="person"``); vessels and aircraft are
left out. The list date is the newest ``last_change`` in the file.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import tidy
from provenance_cli.screening.source import ListFormatError, ListInfo, Parsed, Source

KEY = "opensanctions"
NOT_SCREENED = frozenset({"Vessel", "Airplane", "Aircraft"})
NOT_COMPANIES = NOT_SCREENED  # kept for callers of the old name


class OpenSanctionsSource(Source):
    """OpenSanctions ``targets.simple.csv``; the data is licensed, so there is no default URL."""

    key = KEY
    title = "OpenSanctions targets.simple.csv"
    default_url = None
    default_max_bytes = 2 * 1024 * 1024 * 1024
    content_types = ("csv", "text/plain", "octet-stream")

    def parse(self, path: Path, url: str) -> Parsed:
        """Companies and people, streamed row by row with the CSV field-size limit lifted; the list date is the newest ``last_change``."""
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        entries: list[Entry] = []
        skipped = 0
        newest = ""
        try:
            with open(path, encoding="utf-8-sig", newline="") as stream:
                reader = csv.DictReader(stream)
                if not {"id", "schema", "name"} <= set(reader.fieldnames or []):
                    raise ListFormatError(f"{url} is not targets.simple.csv (needs columns id, schema, name)")
                for row in reader:
                    name = tidy(row.get("name") or "")
                    if not row.get("id") or not name or row.get("schema") in NOT_SCREENED:
                        skipped += 1
                        continue
                    aliases = tuple(a for a in (tidy(x) for x in (row.get("aliases") or "").split(";")) if a)
                    changed = (row.get("last_change") or "")[:10]
                    newest = max(newest, changed)
                    if row.get("schema") == "Person":
                        births = tuple(b.strip() for b in (row.get("birth_date") or "").split(";") if b.strip())
                        countries = tuple(c.strip().upper() for c in (row.get("countries") or "").split(";") if len(c.strip()) == 2)
                        entries.append(Entry(KEY, row["id"], name, aliases, kind="person", birth_dates=births, countries=countries))
                    else:
                        entries.append(Entry(list_key=KEY, entry_id=row["id"], name=name, aliases=aliases))
        except UnicodeDecodeError:
            raise ListFormatError(f"{url} is not UTF-8 text") from None
        except csv.Error as exc:
            raise ListFormatError(f"{url} is not valid CSV: {exc}") from None
        if not entries:
            raise ListFormatError(f"{url} holds no company or person records")
        info = ListInfo(key=KEY, name=LIST_NAMES[KEY], list_date=newest or None, count=len(entries))
        return Parsed(entries=entries, lists={KEY: info}, skipped=skipped)
