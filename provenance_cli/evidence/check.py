"""Comparing today's evidence pages with the lock file, and the findings for ``assess``.

The rules, in one place:

* a page readable today and in the lock: **unchanged** when the normalised
  text digest matches, **changed** when it does not;
* a page that answered 404 or 410 today but was readable at snapshot time:
  **removed**;
* a URL with no entry in the lock (or no lock at all), or one that could
  not be read when the snapshot was taken: **new**, meaning there is no
  recorded content to compare with, so a change could not be noticed;
* a page that cannot be read today for another reason (timeout, 5xx) is
  not compared: its link status already says what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from provenance_cli.evidence.lock import (
    NORMALISER_VERSION,
    entry_from_result,
    lock_to_read,
    read_lock,
)
from provenance_cli.evidence.results import (
    BROKEN,
    CHANGED,
    NEW,
    REMOVED,
    UNCHANGED,
    UNREACHABLE,
    DossierCheck,
    EvidenceFinding,
    EvidenceLock,
    FetchOptions,
    FetchResult,
    LockEntry,
    UrlCheck,
    iso,
)

if TYPE_CHECKING:
    from provenance_cli.evidence.fetch import OnResult
    from provenance_cli.formats.dossier import Dossier

GONE_CODES = frozenset({404, 410})


def citations(dossier: Dossier) -> dict[str, tuple[str, ...]]:
    """Every evidence URL of the dossier (in citing order) with the question ids citing it.

    A model's own answers (``models[].answers``) cite evidence too: it is checked
    like the vendor's, under the same question ids.
    """
    cited: dict[str, list[str]] = {}
    blocks = [dossier.model.answers, *(m.answers for m in dossier.model.models)]
    for question_id, entry in ((qid, e) for block in blocks for qid, e in block.items()):
        for evidence in entry.evidence:
            url = evidence.url.strip()
            ids = cited.setdefault(url, [])
            if question_id not in ids:
                ids.append(question_id)
    return {url: tuple(ids) for url, ids in cited.items()}


def compare(
    source: str,
    cited: dict[str, tuple[str, ...]],
    results: dict[str, FetchResult],
    lock: EvidenceLock | None,
    lock_path: Path,
) -> DossierCheck:
    """Today's results for one dossier set against its lock (None: no lock file)."""
    checks = [_compare_one(url, questions, results[url], lock, lock_path) for url, questions in cited.items()]
    return DossierCheck(source, str(lock_path), lock is not None, tuple(checks))


def _compare_one(
    url: str,
    questions: tuple[str, ...],
    result: FetchResult,
    lock: EvidenceLock | None,
    lock_path: Path,
) -> UrlCheck:
    if lock is None:
        return UrlCheck(url, questions, result, None, f"no lock file ({lock_path.name})")
    entry = lock.entries.get(url)
    if entry is None:
        return UrlCheck(url, questions, result, NEW, f"not snapshotted yet (no entry in {lock_path.name})")
    since = f"since snapshot at {iso(entry.retrieved_at)}"
    if result.reachable:
        if entry.content_sha256 is None:
            was = entry.detail or entry.status
            return UrlCheck(
                url,
                questions,
                result,
                NEW,
                f"readable now, but not at snapshot ({was}); snapshot again to record it",
                entry.retrieved_at,
            )
        if lock.normaliser != NORMALISER_VERSION:
            return UrlCheck(
                url,
                questions,
                result,
                None,
                f"snapshot used text normalisation {lock.normaliser}, this provcheck uses {NORMALISER_VERSION}; snapshot again to compare",
                entry.retrieved_at,
            )
        moved = ""
        if entry.final_url and result.final_url and entry.final_url != result.final_url:
            moved = f"; now at {result.final_url} (was {entry.final_url})"
        if result.content_sha256 == entry.content_sha256:
            return UrlCheck(url, questions, result, UNCHANGED, f"unchanged {since}{moved}", entry.retrieved_at)
        return UrlCheck(url, questions, result, CHANGED, f"content changed {since}{moved}", entry.retrieved_at)
    if result.status == BROKEN and result.http_status in GONE_CODES:
        if entry.content_sha256 is not None:
            return UrlCheck(
                url,
                questions,
                result,
                REMOVED,
                f"page removed (HTTP {result.http_status}) {since}",
                entry.retrieved_at,
            )
        if entry.http_status == result.http_status:
            return UrlCheck(
                url,
                questions,
                result,
                UNCHANGED,
                f"already HTTP {entry.http_status} at snapshot {iso(entry.retrieved_at)}",
                entry.retrieved_at,
            )
    return UrlCheck(url, questions, result, None, "not compared: the page could not be read", entry.retrieved_at)


def check_dossiers(
    dossiers: Iterable[Dossier],
    options: FetchOptions | None = None,
    on_result: OnResult | None = None,
) -> list[DossierCheck]:
    """Fetch every URL of every dossier once (concurrently) and compare each with its lock.

    Lock files are read before any fetching, so a malformed lock fails fast
    (InputError) without touching the network.
    """
    from provenance_cli.evidence.fetch import fetch_urls

    plans = []
    for dossier in dossiers:
        path = lock_to_read(dossier.source)
        plans.append((dossier, citations(dossier), read_lock(path), path))
    urls = [url for _, cited, _, _ in plans for url in cited]
    results = {r.url: r for r in fetch_urls(urls, options, on_result)}
    return [compare(d.source, cited, results, lock, path) for d, cited, lock, path in plans]


def findings_from(check: DossierCheck) -> list[EvidenceFinding]:
    """One finding per (answer, URL) whose evidence is changed, removed, unreadable or new."""
    findings: list[EvidenceFinding] = []
    for item in check.urls:
        status, detail = _finding_status(item)
        if status is None:
            continue
        for question_id in item.questions:
            findings.append(EvidenceFinding(question_id, item.url, status, detail, item.snapshot_at, item.result.checked_at))
    return findings


def _finding_status(item: UrlCheck) -> tuple[str | None, str]:
    if item.drift in (REMOVED, CHANGED):
        return item.drift, item.drift_detail
    if item.result.status in (BROKEN, UNREACHABLE):
        return item.result.status, item.result.detail
    if item.drift == NEW or (item.drift is None and item.snapshot_at is None):
        return NEW, item.drift_detail or "not snapshotted yet"
    return None, ""


def offline_findings(dossier: Dossier, lock: EvidenceLock | None, lock_path: Path) -> list[EvidenceFinding]:
    """What the lock alone can say: URLs never snapshotted, and pages unreadable at snapshot."""
    findings: list[EvidenceFinding] = []
    for url, questions in citations(dossier).items():
        entry: LockEntry | None = lock.entries.get(url) if lock is not None else None
        if entry is None:
            where = f"no entry in {lock_path.name}" if lock is not None else f"no lock file ({lock_path.name})"
            status, detail, at = NEW, f"not snapshotted ({where}); offline, so not checked", None
        elif entry.content_sha256 is None:
            status = entry.status if entry.status in (BROKEN, UNREACHABLE) else UNREACHABLE
            detail = f"{entry.detail or entry.status} at snapshot {iso(entry.retrieved_at)}; offline, so not re-checked"
            at = entry.retrieved_at
        else:
            continue
        for question_id in questions:
            findings.append(EvidenceFinding(question_id, url, status, detail, at, None))
    return findings


def drift_findings(
    dossier: Dossier,
    *,
    offline: bool,
    options: FetchOptions | None = None,
    lock_path: Path | None = None,
    lock: EvidenceLock | None = None,
) -> list[EvidenceFinding]:
    """Evidence findings for one dossier, for ``assess`` and reports.

    Reads the lock beside the dossier (:func:`lock_to_read`). Online, every
    cited URL is fetched and compared: changed, removed, broken, unreachable
    and new (not snapshotted) evidence each give one finding per citing
    answer. Offline (``offline=True`` or provcheck's offline mode) nothing
    touches the network: only the lock is read, and the findings are URLs
    never snapshotted and pages that were unreadable when snapshotted.
    Findings come in dossier order. Raises InputError for a malformed lock.
    """
    from provenance_cli.util.net import is_offline

    path = lock_path or lock_to_read(dossier.source)
    if lock is None:
        lock = read_lock(path)
    if offline or is_offline():
        return offline_findings(dossier, lock, path)
    from provenance_cli.evidence.fetch import fetch_urls

    cited = citations(dossier)
    results = {r.url: r for r in fetch_urls(cited, options)}
    return findings_from(compare(dossier.source, cited, results, lock, path))


def reassessment_reason(findings: Iterable[EvidenceFinding]) -> str | None:
    """Why a reassessment is due now because of evidence drift, or None.

    Changed and removed pages count (what the assessment relied on is no
    longer what the vendor says); broken links and new URLs do not.
    """
    urls = list(dict.fromkeys(f.url for f in findings if f.status in (CHANGED, REMOVED)))
    if not urls:
        return None
    more = f" and {len(urls) - 1} more" if len(urls) > 1 else ""
    return f"cited evidence changed since its snapshot: {urls[0]}{more}"


def build_lock(
    dossier: Dossier,
    results: dict[str, FetchResult],
    previous: EvidenceLock | None,
    *,
    missing_only: bool = False,
) -> tuple[EvidenceLock, list[str]]:
    """The new lock for ``dossier`` and notes on entries kept from ``previous``.

    An entry is kept from the previous lock (instead of being replaced) when
    ``missing_only`` is set, or when the page was readable then but cannot be
    read now: a passing outage must not erase the record of what was assessed.
    URLs the dossier no longer cites are dropped.
    """
    from provenance_cli import __version__
    from provenance_cli.util.errors import UsageError

    if previous is not None and previous.normaliser != NORMALISER_VERSION:
        if missing_only:
            raise UsageError(
                f"the evidence lock of {dossier.source} was made with text normalisation "
                f"{previous.normaliser} (this provcheck uses {NORMALISER_VERSION}); "
                "snapshot every URL again (without --missing-only)"
            )
        previous = None
    notes: list[str] = []
    entries: dict[str, LockEntry] = {}
    for url, questions in citations(dossier).items():
        old = previous.entries.get(url) if previous is not None else None
        result = results.get(url)
        if old is not None and (missing_only or result is None):
            entries[url] = _with_questions(old, questions)
            continue
        assert result is not None
        if old is not None and old.content_sha256 is not None and not result.reachable:
            notes.append(f"kept the snapshot of {url} from {iso(old.retrieved_at)}: now {result.detail}")
            entries[url] = _with_questions(old, questions)
            continue
        entries[url] = entry_from_result(result, questions)
    lock = EvidenceLock(
        dossier=Path(dossier.source).name,
        dossier_sha256=dossier.sha256,
        normaliser=NORMALISER_VERSION,
        created_by=f"provcheck {__version__}",
        entries=entries,
    )
    return lock, notes


def _with_questions(entry: LockEntry, questions: tuple[str, ...]) -> LockEntry:
    from dataclasses import replace

    return replace(entry, questions=tuple(sorted(questions)))
