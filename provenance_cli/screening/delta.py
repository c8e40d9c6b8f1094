"""What changed in a list between two cached versions: added, removed and changed entries.

``lists update`` computes the delta when a new copy replaces the cached one
and writes it beside the cache (``<source>/delta.json``); the previous copy
stays on disk until the next update replaces it in turn, so the delta can
always be recomputed. ``lists diff SOURCE`` shows it again; ``monitor``
uses it to say why a dossier newly hits (an entry was added, or gained an
alias) or no longer does (the entry was removed).

Entries are compared by list and entry id. Some lists give records a new
id on every rebuild (the CSL's Military End User and ITAR lists): a
removed and an added entry of the same list with the same name and the
same details are one entry that was *re-identified*, counted but not
reported as a removal and an addition. The same name with other details
is reported as changed, the id change said in words.

The delta file is versioned (``format``) and names the digests of both
copies, so a delta that does not describe the cached copy is never shown
as if it did.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance_cli.screening.model import Entry

DELTA_FORMAT = 1
DELTA_FILE = "delta.json"


@dataclass(frozen=True)
class DeltaEntry:
    """One entry that was added, removed or changed, with what changed in words."""

    list_key: str
    entry_id: str
    name: str
    aliases: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    """For a changed entry: each change in words, e.g. ``alias added: X``."""

    def as_dict(self) -> dict[str, Any]:
        """The entry as the delta file and ``lists diff -f json`` write it."""
        return {
            "list": self.list_key,
            "entry_id": self.entry_id,
            "name": self.name,
            "aliases": list(self.aliases),
            "changes": list(self.changes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeltaEntry:
        """An entry read back from a delta file."""
        return cls(
            str(data["list"]),
            str(data["entry_id"]),
            str(data["name"]),
            tuple(str(a) for a in data.get("aliases") or ()),
            tuple(str(c) for c in data.get("changes") or ()),
        )


@dataclass(frozen=True)
class Version:
    """One cached copy of a list, as a delta names it."""

    sha256: str
    fetched_at: str
    list_dates: dict[str, str | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The version as the delta file writes it."""
        return {"sha256": self.sha256, "fetched_at": self.fetched_at, "list_dates": dict(self.list_dates)}


@dataclass(frozen=True)
class ListDelta:
    """What one update changed in one source's list."""

    source: str
    previous: Version | None
    """The copy replaced; None on the first download (everything is new, nothing is reported as added)."""
    current: Version
    added: tuple[DeltaEntry, ...] = ()
    removed: tuple[DeltaEntry, ...] = ()
    changed: tuple[DeltaEntry, ...] = ()
    reidentified: int = 0
    """Entries that only got a new id (lists that renumber on every rebuild)."""

    @property
    def empty(self) -> bool:
        """True when nothing was added, removed or changed."""
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        """One line for ``lists update``: ``+3 added, 1 removed, 2 changed since the copy of 2026-06-01``."""
        if self.previous is None:
            return "first download: no previous copy to compare with"
        since = f"since the copy fetched {self.previous.fetched_at[:16].replace('T', ' ')} UTC"
        if self.empty:
            text = f"no entry added, removed or changed {since}"
        else:
            text = f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed {since}"
        if self.reidentified:
            text += f" ({self.reidentified} only renumbered)"
        return text

    def by_key(self) -> dict[tuple[str, str], tuple[str, DeltaEntry]]:
        """(list key, entry id) -> ("added" | "removed" | "changed", entry)."""
        found: dict[tuple[str, str], tuple[str, DeltaEntry]] = {}
        for kind, entries in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
            for entry in entries:
                found[(entry.list_key, entry.entry_id)] = (kind, entry)
        return found

    def as_dict(self) -> dict[str, Any]:
        """The delta as ``delta.json`` and ``lists diff -f json`` write it."""
        return {
            "format": DELTA_FORMAT,
            "source": self.source,
            "previous": self.previous.as_dict() if self.previous else None,
            "current": self.current.as_dict(),
            "summary": self.summary(),
            "counts": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
                "reidentified": self.reidentified,
            },
            "added": [e.as_dict() for e in self.added],
            "removed": [e.as_dict() for e in self.removed],
            "changed": [e.as_dict() for e in self.changed],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListDelta:
        """A delta read back from ``delta.json``; ValueError when it is of another format."""
        if not isinstance(data, dict) or data.get("format") != DELTA_FORMAT:
            raise ValueError("the delta file was written by another provcheck version")

        def version(value: Any) -> Version | None:
            if not isinstance(value, dict):
                return None
            return Version(str(value["sha256"]), str(value["fetched_at"]), dict(value.get("list_dates") or {}))

        current = version(data.get("current"))
        if current is None:
            raise ValueError("the delta file names no current copy")
        return cls(
            source=str(data["source"]),
            previous=version(data.get("previous")),
            current=current,
            added=tuple(DeltaEntry.from_dict(e) for e in data.get("added") or ()),
            removed=tuple(DeltaEntry.from_dict(e) for e in data.get("removed") or ()),
            changed=tuple(DeltaEntry.from_dict(e) for e in data.get("changed") or ()),
            reidentified=int((data.get("counts") or {}).get("reidentified") or 0),
        )


def _details(entry: Entry) -> tuple[Any, ...]:
    """What an entry says apart from its id; equal details mean the same record."""
    return (entry.name, tuple(sorted(entry.aliases)), entry.parent, entry.list_date, entry.kind, entry.birth_dates, entry.countries)


def _unique_key(entry: Entry, taken: set[tuple[str, str]] | dict[tuple[str, str], Entry]) -> tuple[str, str]:
    """(list key, entry id); a repeated id gets ``#2``, ``#3``... so no record is lost."""
    key = (entry.list_key, entry.entry_id)
    number = 2
    while key in taken:
        key = (entry.list_key, f"{entry.entry_id}#{number}")
        number += 1
    return key


def _keyed(entries: Iterable[Entry]) -> dict[tuple[str, str], Entry]:
    """Entries by their unique key, in order."""
    keyed: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        keyed[_unique_key(entry, keyed)] = entry
    return keyed


def describe_changes(before: Entry, after: Entry) -> tuple[str, ...]:
    """What changed from ``before`` to ``after``, in words."""
    changes: list[str] = []
    if before.entry_id != after.entry_id:
        changes.append(f"id {before.entry_id} -> {after.entry_id}")
    if before.name != after.name:
        changes.append(f"name {before.name!r} -> {after.name!r}")
    old_aliases, new_aliases = set(before.aliases), set(after.aliases)
    changes += [f"alias added: {a}" for a in after.aliases if a not in old_aliases]
    changes += [f"alias removed: {a}" for a in before.aliases if a not in new_aliases]
    for label, old, new in (
        ("parent", before.parent, after.parent),
        ("listing date", before.list_date, after.list_date),
        ("kind", before.kind, after.kind),
        ("dates of birth", ", ".join(before.birth_dates), ", ".join(after.birth_dates)),
        ("countries", ", ".join(before.countries), ", ".join(after.countries)),
    ):
        if old != new:
            changes.append(f"{label} {old or 'none'} -> {new or 'none'}")
    return tuple(changes)


def _short(entry: Entry, key: tuple[str, str], changes: tuple[str, ...] = ()) -> DeltaEntry:
    return DeltaEntry(key[0], key[1], entry.name, entry.aliases, changes)


def compute_delta(
    source: str, previous: Version | None, old_entries: Iterable[Entry] | None, current: Version, new_entries: Iterable[Entry]
) -> ListDelta:
    """The delta from the previous copy's entries to the new copy's.

    The previous entries are streamed once and only those that turn out
    removed or changed are kept, so a list of a million names is compared
    without holding two copies of it.
    """
    new = _keyed(new_entries)
    if previous is None or old_entries is None:
        return ListDelta(source, None, current)
    new_details = {key: _details(entry) for key, entry in new.items()}
    old_kept: dict[tuple[str, str], Entry] = {}
    seen: set[tuple[str, str]] = set()
    for entry in old_entries:
        key = _unique_key(entry, seen)
        seen.add(key)
        if new_details.get(key) != _details(entry):
            old_kept[key] = entry
    added = {key: new[key] for key in new if key not in seen}
    removed = {key: entry for key, entry in old_kept.items() if key not in new}
    changed = [_short(new[key], key, describe_changes(entry, new[key])) for key, entry in old_kept.items() if key in new]
    reidentified = 0
    by_name: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, entry in added.items():
        by_name.setdefault((entry.list_key, entry.name.casefold()), []).append(key)
    for key, entry in list(removed.items()):
        candidates = by_name.get((entry.list_key, entry.name.casefold()))
        if not candidates:
            continue
        match = next((k for k in candidates if _details(added[k]) == _details(entry)), candidates[0])
        candidates.remove(match)
        successor = added.pop(match)
        del removed[key]
        if _details(successor) == _details(entry):
            reidentified += 1
        else:
            changed.append(_short(successor, match, describe_changes(entry, successor)))
    return ListDelta(
        source,
        previous,
        current,
        added=tuple(_short(added[key], key) for key in sorted(added)),
        removed=tuple(_short(removed[key], key) for key in sorted(removed)),
        changed=tuple(sorted(changed, key=lambda e: (e.list_key, e.entry_id))),
        reidentified=reidentified,
    )


def write_delta(folder: Path, delta: ListDelta) -> None:
    """Write ``delta.json`` atomically (before the meta that commits the update)."""
    from provenance_cli.util.files import atomic_write

    atomic_write(folder / DELTA_FILE, json.dumps(delta.as_dict(), ensure_ascii=False, indent=1))


def read_delta(folder: Path, current_sha256: str | None = None) -> ListDelta | None:
    """The delta in ``folder``, or None when there is none, it is unreadable, or it does not end at ``current_sha256``."""
    try:
        delta = ListDelta.from_dict(json.loads((folder / DELTA_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if current_sha256 is not None and delta.current.sha256 != current_sha256:
        return None
    return delta
