"""What flows between the evidence modules: frozen dataclasses, no printing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

# Link statuses: what fetching a URL found today.
OK = "ok"
REDIRECTED = "redirected"
BROKEN = "broken"
UNREACHABLE = "unreachable"
LINK_STATUSES = (OK, REDIRECTED, BROKEN, UNREACHABLE)

# Drift statuses: today's page against the snapshot in the lock file.
UNCHANGED = "unchanged"
CHANGED = "changed"
REMOVED = "removed"
NEW = "new"
DRIFT_STATUSES = (UNCHANGED, CHANGED, REMOVED, NEW)

DRIFT_FINDINGS = frozenset({CHANGED, REMOVED})
"""Finding statuses meaning "the page the assessment relied on is not what it was"."""
LINK_FINDINGS = frozenset({BROKEN, UNREACHABLE})
"""Finding statuses meaning "the evidence cannot be opened"."""

NETWORK_FAILURES = frozenset({"dns", "refused", "connect", "timeout"})
"""Failure kinds that say nothing about the page, only that we could not get there."""


def utc_now() -> datetime:
    """Now in UTC to the second, the precision lock files and reports record."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second; None stays None."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class FetchOptions:
    """Limits for one run of fetching; every one is a command-line option."""

    timeout: float = 20.0
    """Seconds allowed for each request, from connecting to the last byte."""
    deadline: float = 60.0
    """Seconds allowed for one URL in all: its redirects, retries and the waits between them."""
    retries: int = 2
    """Extra attempts after a 429 or 5xx answer or a reset connection (never after a timeout or a refusal)."""
    backoff: float = 0.5
    """Seconds before the first retry when the server sends no ``Retry-After``; doubled each time, with jitter."""
    concurrency: int = 32
    """URLs fetched at the same time, overall."""
    per_host: int = 4
    """Requests in flight to one host (scheme, host and port) at a time."""
    max_redirects: int = 5
    """Redirects followed before giving up on a URL."""
    max_bytes: int = 5 * 1024 * 1024
    """Largest response body read; a larger one makes the URL unreachable."""
    trust_env: bool = True
    """Honour HTTP(S)_PROXY / NO_PROXY and the system's certificate settings."""


@dataclass(frozen=True)
class FetchResult:
    """What fetching one evidence URL found."""

    url: str
    """The URL as cited in the dossier."""
    status: str
    """ok, redirected, broken or unreachable."""
    checked_at: datetime
    """When the fetch started (UTC)."""
    detail: str = ""
    """Human explanation: the redirect target, the HTTP status line or why it failed."""
    http_status: int | None = None
    """Status code of the last response, if one arrived."""
    final_url: str | None = None
    """Where the redirects ended (the URL itself when there were none)."""
    failure: str | None = None
    """For unreachable: timeout, dns, refused, connect, tls, too_large, scheme,
    redirects, protocol (a broken exchange, or a body that does not decode as its
    Content-Encoding says) or invalid."""
    content_sha256: str | None = None
    """sha256 of the normalised page text (ok and redirected only)."""
    content_type: str | None = None
    size: int | None = None
    """Body size in bytes after transfer decoding."""

    @property
    def reachable(self) -> bool:
        """True when the page was read (ok or redirected), so it has a digest to compare with the lock."""
        return self.status in (OK, REDIRECTED)


@dataclass(frozen=True)
class LockEntry:
    """One URL as recorded by ``evidence snapshot``."""

    url: str
    retrieved_at: datetime
    status: str
    """Link status at snapshot time."""
    final_url: str | None
    http_status: int | None
    content_sha256: str | None
    """None when the page could not be read at snapshot time."""
    content_type: str | None
    size: int | None
    questions: tuple[str, ...]
    """Question ids citing the URL, sorted."""
    detail: str = ""


@dataclass(frozen=True)
class EvidenceLock:
    """The contents of a ``<dossier>.evidence.lock.yaml`` file."""

    dossier: str
    """The dossier's file name (no folder), as a reminder of what the lock belongs to."""
    dossier_sha256: str
    """Digest of the dossier file when the snapshot was taken."""
    normaliser: int
    """Version of the text normalisation used for the digests."""
    created_by: str
    entries: dict[str, LockEntry]
    """Keyed by URL as cited."""


@dataclass(frozen=True)
class UrlCheck:
    """One cited URL of one dossier: today's fetch and its comparison with the lock."""

    url: str
    questions: tuple[str, ...]
    result: FetchResult
    drift: str | None
    """unchanged, changed, removed or new; None when there is no lock file or the
    page could not be compared (unreachable, a server error)."""
    drift_detail: str = ""
    snapshot_at: datetime | None = None


@dataclass(frozen=True)
class DossierCheck:
    """Every cited URL of one dossier, in the order the dossier cites them."""

    source: str
    lock_path: str
    lock_found: bool
    urls: tuple[UrlCheck, ...]


@dataclass(frozen=True)
class EvidenceFinding:
    """Something wrong with one piece of evidence of one answer, for ``assess``."""

    question_id: str
    """The answer citing the URL."""
    url: str
    """The URL as cited."""
    status: str
    """changed, removed, broken, unreachable or new (not snapshotted yet)."""
    detail: str
    """One sentence for a reviewer."""
    snapshot_at: datetime | None
    """When the lock file recorded the page; None when it never did."""
    checked_at: datetime | None
    """When the page was fetched for this finding; None when offline."""

    @property
    def is_finding(self) -> bool:
        """True for changed, removed, broken and unreachable; False for new (not snapshotted)."""
        return self.status in DRIFT_FINDINGS or self.status in LINK_FINDINGS

    def describe(self) -> str:
        """One line for a report: the answer, the URL and what is wrong."""
        return f"{self.question_id}: {self.url}: {self.status}: {self.detail}"

    def as_dict(self) -> dict[str, str | None]:
        """The finding as report JSON, times as ISO 8601 UTC."""
        return {
            "question_id": self.question_id,
            "url": self.url,
            "status": self.status,
            "detail": self.detail,
            "snapshot_at": iso(self.snapshot_at),
            "checked_at": iso(self.checked_at),
        }
