"""The one small interface every list source implements, and the registry.

A source knows its default URL, what a good response looks like (content
types, size cap) and how to turn a downloaded file into entries. Fetching,
caching and matching are the same for every source and live elsewhere.
Adding a source is one new module and one line in :data:`SOURCES`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from provenance_cli.screening.model import Entry
from provenance_cli.util.errors import ServiceError


class ListFormatError(ServiceError):
    """A downloaded list is not in the shape its source promises."""


@dataclass(frozen=True)
class ListInfo:
    """One list inside a source file."""

    key: str
    name: str
    list_date: str | None
    count: int


@dataclass
class Parsed:
    """What a source made of a file."""

    entries: list[Entry]
    lists: dict[str, ListInfo]
    skipped: int = 0
    """Records left out (no name, people, vessels, malformed)."""
    notes: list[str] = field(default_factory=list)


class Source(ABC):
    """One kind of screening list: where it comes from, what a good download looks like, and how to parse it."""

    key: str
    """Source key: csl, dod_1260h, opensanctions, custom."""
    title: str
    default_url: str | None = None
    default_max_bytes: int = 50 * 1024 * 1024
    content_types: tuple[str, ...] = ()
    """Acceptable Content-Type fragments; empty accepts any. A missing header is accepted."""
    required: bool = False
    """Screening warns (and ``screen`` exits 3) when a required source has no cache."""
    updated_by_default: bool = False
    """``lists update`` with no SOURCE downloads it even before it is cached (the US lists); the others once cached or configured."""

    @abstractmethod
    def parse(self, path: Path, url: str) -> Parsed:
        """Read a downloaded file; :class:`ListFormatError` when it is not this kind of list."""

    def bundled(self) -> Parsed | None:
        """Data shipped inside the package, used when nothing is cached."""
        return None

    def bundled_gap(self) -> str | None:
        """Why the bundled copy is not the whole list (reports must say so), or None when it is complete."""
        return None

    def bundled_path(self) -> Path | None:
        """The file :meth:`bundled` reads, or None; its modification time keys the in-process cache."""
        return None


def get_source(key: str) -> Source:
    """A new instance of source ``key``; an unknown key is a UsageError listing the known ones."""
    from provenance_cli.screening.sources import SOURCES

    try:
        return SOURCES[key]()
    except KeyError:
        from provenance_cli.util.errors import UsageError

        raise UsageError(f"unknown list source {key!r}; expected one of {', '.join(SOURCES)}") from None


def source_keys() -> list[str]:
    """Every registered source key, in registry order."""
    from provenance_cli.screening.sources import SOURCES

    return list(SOURCES)
