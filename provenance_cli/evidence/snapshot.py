"""``evidence snapshot``: record what every cited page says now, in a lock file per dossier.

The core of the command: which URLs to fetch (all, or only those a lock
lacks), fetching them once across dossiers, refusing to write anything when
the network itself looks down, and writing each lock atomically. The CLI only
prints what :func:`snapshot_evidence` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from provenance_cli.evidence.check import build_lock, citations
from provenance_cli.evidence.lock import lock_path_for, lock_to_read, read_lock, write_lock
from provenance_cli.evidence.results import NETWORK_FAILURES, UNREACHABLE, FetchOptions, FetchResult, LockEntry
from provenance_cli.formats.dossier import Dossier
from provenance_cli.util.errors import ServiceError

if TYPE_CHECKING:
    from provenance_cli.evidence.fetch import OnResult


@dataclass(frozen=True)
class SnapshotOutcome:
    """The lock file written for one dossier."""

    dossier: str
    """The dossier file."""
    lock_path: str
    """The lock file written beside it."""
    entries: int
    """URLs recorded in the lock."""
    fetched: int
    """Of those, fetched in this run (the rest were kept from the previous lock)."""
    unreadable: tuple[LockEntry, ...]
    """Entries recorded as unreadable (status and detail say why)."""
    kept: tuple[str, ...]
    """Notes on previous entries kept through an outage."""
    replaced: str | None = None
    """An old-style lock (named before the dossier's suffix counted) that this lock replaced and that was removed."""


def network_down(results: Sequence[FetchResult]) -> bool:
    """True when every fetch failed for a connection reason: nothing was really checked."""
    return bool(results) and all(r.status == UNREACHABLE and r.failure in NETWORK_FAILURES for r in results)


def first_reason(results: Iterable[FetchResult]) -> str:
    """The detail of the first result, to say why the network looks down."""
    for result in results:
        return str(result.detail)
    return ""


def snapshot_evidence(
    dossiers: Sequence[Dossier],
    options: FetchOptions,
    *,
    missing_only: bool = False,
    on_result: OnResult | None = None,
) -> list[SnapshotOutcome]:
    """Fetch the cited pages and write each dossier's lock file; nothing is written if the network is down."""
    from provenance_cli.evidence.fetch import fetch_urls
    from provenance_cli.util.net import ensure_online

    # Which lock is each dossier's is settled before anything is written or moved.
    found = {d.source: lock_to_read(d.source) for d in dossiers}
    previous = {source: read_lock(path) for source, path in found.items()}
    wanted: list[str] = []
    for dossier in dossiers:
        old = previous[dossier.source]
        wanted += [url for url in citations(dossier) if not (missing_only and old is not None and url in old.entries)]
    wanted = list(dict.fromkeys(wanted))
    results: dict[str, FetchResult] = {}
    if wanted:
        ensure_online("evidence snapshot")
        results = {r.url: r for r in fetch_urls(wanted, options, on_result)}
    if results and network_down(list(results.values())):
        raise ServiceError(
            f"none of the {len(results)} evidence URLs could be reached ({first_reason(results.values())}); "
            "the network looks down, so no lock file was written"
        )
    outcomes: list[SnapshotOutcome] = []
    for dossier in dossiers:
        lock, notes = build_lock(dossier, results, previous[dossier.source], missing_only=missing_only)
        path = lock_path_for(dossier.source)
        write_lock(path, lock)
        old_style = found[dossier.source]
        replaced = None
        if old_style != path and old_style.is_file():
            old_style.unlink()  # its entries live on in the new lock; two names for one record would drift apart
            replaced = str(old_style)
        outcomes.append(
            SnapshotOutcome(
                dossier=dossier.source,
                lock_path=str(path),
                entries=len(lock.entries),
                fetched=sum(1 for url in lock.entries if url in results),
                unreadable=tuple(e for e in lock.entries.values() if e.content_sha256 is None),
                kept=tuple(notes),
                replaced=replaced,
            )
        )
    return outcomes


def wanted_count(dossiers: Sequence[Dossier], *, missing_only: bool) -> int:
    """How many distinct URLs :func:`snapshot_evidence` will fetch (for a progress bar)."""
    total: set[str] = set()
    for dossier in dossiers:
        old = read_lock(lock_to_read(dossier.source)) if missing_only else None
        total.update(url for url in citations(dossier) if not (old is not None and url in old.entries))
    return len(total)
