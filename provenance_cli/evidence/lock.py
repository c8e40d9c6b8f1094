"""The evidence lock file: what each cited page looked like when assessed.

``vendor.yaml`` gets ``vendor.yaml.evidence.lock.yaml`` beside it: the name
derives from the whole file name, so ``vendor.yaml`` and ``vendor.yml`` in one
folder never share a lock. Locks written under the earlier naming
(``vendor.evidence.lock.yaml``, suffix dropped) are still read when they can
only belong to one dossier (:func:`lock_to_read`), and the next snapshot
moves them to the new name. The dossier itself is never rewritten. The lock is YAML so it diffs well in review;
keys come in a fixed order and URLs are sorted, so re-running a snapshot
that found nothing new changes only the retrieval times. It is read back
with :mod:`provenance_cli.formats.safeyaml` (every value arrives as text) and
every problem is reported with its line and column.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance_cli.evidence.results import (
    LINK_STATUSES,
    EvidenceLock,
    FetchResult,
    LockEntry,
    iso,
)
from provenance_cli.formats.locknames import LOCK_SUFFIX, legacy_lock_path, lock_path_for
from provenance_cli.util.errors import InputError, Problem
from provenance_cli.util.files import YAML_SUFFIXES

if TYPE_CHECKING:
    from provenance_cli.formats.safeyaml import Document

LOCK_FORMAT = 1
"""Version of the lock file layout (``provcheck_evidence_lock``)."""
NORMALISER_VERSION = 1
"""Version of the page-text normalisation; digests from another version are not compared."""
_HEADER = (
    "# Written by `provcheck evidence snapshot`; do not edit by hand.\n"
    "# What each cited page looked like when the assessment relied on it.\n"
)


def lock_to_read(dossier_path: Path | str) -> Path:
    """The lock that records this dossier's evidence: its own when it exists, else an old-style lock that is surely its.

    An old-style lock is this dossier's when no other file in the folder
    maps to the same name (``vendor``, ``vendor.yaml``, ``vendor.yml``), or,
    when several do, when the ``dossier`` the lock records is this file. When
    neither holds, the dossier's own (not yet written) lock path comes back.
    """
    path = Path(dossier_path)
    own = lock_path_for(path)
    legacy = legacy_lock_path(path)
    if own.exists() or legacy == own or not legacy.is_file():
        return own
    stem = legacy.name[: -len(LOCK_SUFFIX)]
    claimants = [name for name in (stem, *(stem + s for s in YAML_SUFFIXES)) if path.with_name(name).is_file()]
    if claimants == [path.name]:
        return legacy
    if path.name in claimants:
        recorded = read_lock(legacy)
        if recorded is not None and recorded.dossier == path.name:
            return legacy
    return own


def entry_from_result(result: FetchResult, questions: tuple[str, ...]) -> LockEntry:
    """A fetch as a lock entry; questions are sorted so a snapshot that found nothing new changes only the times."""
    return LockEntry(
        url=result.url,
        retrieved_at=result.checked_at,
        status=result.status,
        final_url=result.final_url,
        http_status=result.http_status,
        content_sha256=result.content_sha256,
        content_type=result.content_type,
        size=result.size,
        questions=tuple(sorted(questions)),
        detail=result.detail,
    )


def dump_lock(lock: EvidenceLock) -> str:
    """The lock as YAML text, keys and URLs in a fixed order."""
    import yaml

    entries: dict[str, dict[str, Any]] = {}
    for url in sorted(lock.entries):
        entry = lock.entries[url]
        entries[url] = {
            "retrieved_at": iso(entry.retrieved_at),
            "status": entry.status,
            "http_status": entry.http_status,
            "final_url": entry.final_url,
            "content_sha256": entry.content_sha256,
            "content_type": entry.content_type,
            "size": entry.size,
            "detail": entry.detail or None,
            "questions": list(entry.questions),
        }
    data = {
        "provcheck_evidence_lock": LOCK_FORMAT,
        "dossier": lock.dossier,
        "dossier_sha256": lock.dossier_sha256,
        "normaliser": lock.normaliser,
        "created_by": lock.created_by,
        "entries": entries,
    }
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )
    return _HEADER + body


def write_lock(path: Path, lock: EvidenceLock) -> None:
    """Write the lock atomically: a reader sees the old file or the new one."""
    from provenance_cli.util.files import atomic_write

    atomic_write(path, dump_lock(lock))


def read_lock(path: Path) -> EvidenceLock | None:
    """The lock at ``path``, None if there is none; InputError with positions if malformed."""
    from provenance_cli.formats.safeyaml import load_file

    if not path.exists():
        return None
    document = load_file(path)
    return _parse(document)


def lock_from_bytes(raw: bytes, source: str) -> EvidenceLock:
    """A lock from bytes already read, so a caller can hash exactly what it parses; InputError if malformed."""
    from provenance_cli.formats.safeyaml import decode_utf8, load_text

    return _parse(load_text(decode_utf8(raw, source), source))


def _parse(document: Document) -> EvidenceLock:
    data = document.data
    problems: list[Problem] = []

    def text(value: Any, where: tuple[str | int, ...], what: str, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            problems.append(document.problem(where, f"expected {what}"))
            return None
        return value.strip()

    version = data.get("provcheck_evidence_lock")
    if version is None:
        raise InputError([document.problem((), "not an evidence lock file (no provcheck_evidence_lock key)")])
    if str(version).strip() != str(LOCK_FORMAT):
        raise InputError(
            [
                document.problem(
                    ("provcheck_evidence_lock",),
                    f"evidence lock format {version!r}; this provcheck reads format {LOCK_FORMAT}. "
                    "Run `provcheck evidence snapshot` again to rewrite it",
                )
            ]
        )
    dossier = text(data.get("dossier"), ("dossier",), "the dossier file name") or ""
    dossier_sha = text(data.get("dossier_sha256"), ("dossier_sha256",), "a sha256 digest") or ""
    normaliser = _int(data.get("normaliser"), ("normaliser",), document, problems) or 0
    created_by = text(data.get("created_by"), ("created_by",), "text", required=False) or ""
    raw_entries = data.get("entries") or {}
    entries: dict[str, LockEntry] = {}
    if not isinstance(raw_entries, dict):
        problems.append(document.problem(("entries",), "expected a mapping of URL to entry"))
        raw_entries = {}
    for url, raw in raw_entries.items():
        where: tuple[str | int, ...] = ("entries", url)
        if not isinstance(raw, dict):
            problems.append(document.problem(where, "expected a mapping with retrieved_at, status, ..."))
            continue
        retrieved = _time(raw.get("retrieved_at"), where + ("retrieved_at",), document, problems)
        status = text(raw.get("status"), where + ("status",), "a link status")
        if status is not None and status not in LINK_STATUSES:
            problems.append(
                document.problem(
                    where + ("status",),
                    f"expected one of {', '.join(LINK_STATUSES)}, got {status!r}",
                )
            )
        digest = text(
            raw.get("content_sha256"),
            where + ("content_sha256",),
            "a sha256 digest",
            required=False,
        )
        if digest is not None and (len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)):
            problems.append(document.problem(where + ("content_sha256",), "expected 64 lowercase hex digits"))
        questions_raw = raw.get("questions") or []
        if not isinstance(questions_raw, list) or not all(isinstance(q, str) for q in questions_raw):
            problems.append(document.problem(where + ("questions",), "expected a list of question ids"))
            questions_raw = []
        if retrieved is None or status is None:
            continue
        entries[url] = LockEntry(
            url=url,
            retrieved_at=retrieved,
            status=status,
            final_url=text(raw.get("final_url"), where + ("final_url",), "a URL", required=False),
            http_status=_int(raw.get("http_status"), where + ("http_status",), document, problems),
            content_sha256=digest,
            content_type=text(raw.get("content_type"), where + ("content_type",), "text", required=False),
            size=_int(raw.get("size"), where + ("size",), document, problems),
            questions=tuple(sorted(questions_raw)),
            detail=text(raw.get("detail"), where + ("detail",), "text", required=False) or "",
        )
    if problems:
        raise InputError(problems)
    return EvidenceLock(dossier, dossier_sha, normaliser, created_by, entries)


_MAX_DIGITS = 18
"""Sizes, HTTP statuses and versions fit in 18 digits; a longer number is damage (and past 4,300 digits int() refuses it)."""


def _int(value: Any, where: tuple[str | int, ...], document: Document, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    digits = value.strip() if isinstance(value, str) else ""
    if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS:  # isdigit alone lets '²' through to int()
        return int(digits)
    shown = value if not isinstance(value, str) or len(value) <= 40 else value[:37] + "..."
    problems.append(document.problem(where, f"expected a whole number, got {shown!r}"))
    return None


def _time(value: Any, where: tuple[str | int, ...], document: Document, problems: list[Problem]) -> datetime | None:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.astimezone(timezone.utc)
    problems.append(document.problem(where, f"expected a UTC time like 2026-07-01T09:30:00Z, got {value!r}"))
    return None
