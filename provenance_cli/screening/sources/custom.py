"""A user's own deny list, CSV or YAML, from a local path or a URL.

CSV: a header row with ``name`` (required) and optionally ``id``,
``aliases`` (";"-separated), ``list_date``. YAML: a mapping with
``entries:``, each ``{name, id, aliases, list_date}`` (the strict YAML
reader accepts only a mapping at the top of a file).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import tidy
from provenance_cli.screening.source import ListFormatError, ListInfo, Parsed, Source

KEY = "custom"


class CustomSource(Source):
    """An organisation's own deny list, CSV or YAML, from a path or URL."""

    key = KEY
    title = "Internal deny list (CSV or YAML)"
    default_max_bytes = 50 * 1024 * 1024
    content_types = ("csv", "yaml", "text/plain", "octet-stream")

    def parse(self, path: Path, url: str) -> Parsed:
        """CSV or YAML by the URL's suffix; a list with no named entries is refused, as it would screen nothing."""
        name = url.lower().split("?")[0]
        entries = self._yaml(path, url) if name.endswith((".yaml", ".yml")) else self._csv(path, url)
        if not entries:
            raise ListFormatError(f"{url} holds no named entries")
        dates = [e.list_date for e in entries if e.list_date]
        info = ListInfo(
            key=KEY,
            name=LIST_NAMES[KEY],
            list_date=max(dates) if dates else None,
            count=len(entries),
        )
        return Parsed(entries=entries, lists={KEY: info})

    def _csv(self, path: Path, url: str) -> list[Entry]:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ListFormatError(f"{url} is not UTF-8 text") from None
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "name" not in fields:
            raise ListFormatError(f"{url}: a deny-list CSV needs a header row with a 'name' column")
        entries = []
        for line, row in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "") for k, v in row.items() if isinstance(v, str)}
            entry_name = tidy(row.get("name", ""))
            if not entry_name:
                continue
            aliases = tuple(a for a in (tidy(x) for x in row.get("aliases", "").split(";")) if a)
            entries.append(
                Entry(
                    KEY,
                    row.get("id", "").strip() or f"line-{line}",
                    entry_name,
                    aliases,
                    list_date=row.get("list_date", "").strip() or None,
                )
            )
        return entries

    def _yaml(self, path: Path, url: str) -> list[Entry]:
        from provenance_cli.formats.safeyaml import load_file
        from provenance_cli.util.errors import InputError

        try:
            document = load_file(path)
        except InputError as exc:
            raise ListFormatError(f"{url}: {exc.problems[0]}") from None
        data = document.data
        items = data.get("entries")
        if not isinstance(items, list):
            raise ListFormatError(f"{url}: expected a mapping with 'entries:', a list of {{name, id, aliases, list_date}}")
        entries = []
        for position, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                line, column = document.locate(("entries", position))
                raise ListFormatError(f"{url}:{line}:{column}: each entry needs a name")
            aliases = item.get("aliases") or []
            aliases = tuple(tidy(a) for a in aliases if isinstance(a, str) and a.strip()) if isinstance(aliases, list) else ()
            entries.append(
                Entry(
                    KEY,
                    str(item.get("id") or f"entry-{position + 1}"),
                    tidy(item["name"]),
                    aliases,
                    list_date=item.get("list_date") or None,
                )
            )
        return entries
