"""Downloading a list and committing it to the cache.

One request path for every source: conditional GET (ETag and
Last-Modified), redirects checked hop by hop, bounded retries on transient
failures (429 and 5xx answers, connection errors, resets, timeouts, bodies
cut short) after an exponential back-off with jitter or the server's
``Retry-After``, connect and read timeouts, an overall deadline for the
whole download (retries and waits included), a size cap checked against the
declared length and while streaming, and the body streamed to a temporary
file in the cache folder (``.provcheck-download-*``) while its sha256 is
computed, so the raw file is never held in memory twice. A local path or
``file://`` URL is copied with the same cap, and only if it is a regular
file. Parsing, indexing and the meta file come after; the old cache stays in
place until the new one is complete, and a temporary file a killed run left
behind is removed by the next run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from provenance_cli.screening.cache import (
    CacheMeta,
    now_iso,
    read_meta,
    remove_stale_files,
    source_dir,
    sqlite_name,
    unusable_cache,
    write_meta,
)
from provenance_cli.screening.config import FetchSettings, ScreeningConfig, load_config
from provenance_cli.screening.delta import ListDelta, Version, compute_delta, write_delta
from provenance_cli.screening.model import Entry
from provenance_cli.screening.source import Source, get_source
from provenance_cli.util.errors import ServiceError, UsageError

if TYPE_CHECKING:
    import httpx

CHUNK = 256 * 1024
_PROCESS_STARTED = time.time()
"""When this process began using the cache (this module is imported on first use): older temp files are not ours."""


class Progress(Protocol):
    """Progress reporting handed in by the CLI; the core never prints."""

    def start(self, label: str, total: int | None) -> None:
        """A download of ``total`` bytes (None when the server does not say) begins."""

    def advance(self, size: int) -> None:
        """``size`` more bytes arrived."""

    def stop(self) -> None:
        """The attempt ended, however it ended; called even when :meth:`start` was not, so it must be safe then."""


class _Quiet:
    def start(self, label: str, total: int | None) -> None:
        pass

    def advance(self, size: int) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass(frozen=True)
class UpdateOutcome:
    """What ``lists update`` did for one source, with the cache metadata now in force."""

    source: str
    status: str
    """``updated``, ``not modified`` or ``copied`` (local file)."""
    meta: CacheMeta
    delta: ListDelta | None = None
    """What changed since the copy this update replaced; None when nothing was replaced (not modified)."""


def _is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def _local_path(url: str) -> Path:
    if url.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return Path(unquote(urlparse(url).path))
    return Path(url).expanduser()


def resolve_url(source: Source, config: ScreeningConfig, url: str | None) -> str:
    """The URL to fetch: ``--url``, else the configured one, else the source's default; a UsageError says how to give one."""
    chosen = url or config.urls.get(source.key) or source.default_url
    if not chosen:
        hint = {
            "opensanctions": "OpenSanctions data is licensed; give your licensed URL",
            "custom": "give the path or URL of your deny list",
            "dod_1260h": "the bundled 1260H file is used; give a URL to replace it",
        }.get(source.key, "give one")
        raise UsageError(
            f"no URL configured for {source.key}: {hint} with --url or in the config file (screening.sources.{source.key}.url)"
        )
    return chosen


def _describe(error: BaseException) -> str:
    import httpx

    if isinstance(error, httpx.ConnectTimeout):
        return "timed out connecting"
    if isinstance(error, httpx.ReadTimeout):
        return "the server stopped sending (read timeout)"
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect ({error})"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"the connection broke off mid-response ({error})"
    if isinstance(error, httpx.ReadError):
        return f"the connection was reset ({error})"
    return str(error) or type(error).__name__


TEMP_PREFIX = ".provcheck-download-"
"""Name prefix of a download in progress in the cache folder; one left behind by a killed run is removed by the next."""
_OLD_TEMP_PREFIX = ".download-"
"""The prefix older versions used, cleaned up the same way."""


def _temp_file(folder: Path) -> tuple[int, Path]:
    handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".part", dir=folder)
    return handle, Path(name)


def remove_leftover_downloads(folder: Path, older_than: float) -> list[Path]:
    """Delete downloads a killed run left in ``folder``: only provcheck's temporary names, only those older than ``older_than``.

    Called with the source's lock held (:func:`_locked`), so no live run is
    writing one: every download happens under that lock. The age test keeps
    even that promise safe on a filesystem where locks are advisory only.
    """
    removed: list[Path] = []
    for pattern in (f"{TEMP_PREFIX}*", f"{_OLD_TEMP_PREFIX}*"):
        for path in folder.glob(pattern):
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime < older_than:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return removed


def _after(attempts: int) -> str:
    return f" (after {attempts} attempt" + ("s)" if attempts > 1 else ")")


def _download(
    source: Source,
    url: str,
    previous: CacheMeta | None,
    fetch: FetchSettings,
    cap: int,
    folder: Path,
    progress: Progress,
) -> tuple[Path, dict[str, str | None], str, int] | None:
    """Stream ``url`` into a temp file within the overall deadline; ``None`` when the server says 304 Not Modified.

    Redirects, retries (util.net's rules: 429 and 5xx, resets, timeouts,
    ``Retry-After`` honoured) and the waits between them all count against
    ``fetch.deadline``; every failure is a ServiceError with one line.
    """
    import httpx

    from provenance_cli.util import net

    headers: dict[str, str] = {"Accept-Encoding": "gzip"}
    if previous is not None and previous.url == url:
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    policy = net.RetryPolicy(retries=max(0, fetch.retries), backoff=fetch.backoff)
    attempts = 0

    async def fetch_all() -> tuple[Path, dict[str, str | None], str, int] | None:
        deadline = net.Deadline(fetch.deadline)
        async with net.async_client(connect=fetch.connect_timeout, read=fetch.read_timeout, follow_redirects=False) as client:

            async def attempt() -> tuple[Path, dict[str, str | None], str, int] | None:
                nonlocal attempts
                attempts += 1
                return await _attempt(client, source, url, headers, previous, cap, folder, progress)

            return await net.retrying(attempt, policy, deadline)

    try:
        return net.run(fetch_all())
    except net.RetryableAnswer as exc:
        raise ServiceError(f"the server answered HTTP {exc.status}{_after(attempts)}") from None
    except net.DeadlineExceeded:
        raise ServiceError(
            f"no complete download within the {fetch.deadline:g} s deadline{_after(attempts)}; "
            "the server is too slow or trickling (raise the limit with --deadline or screening.deadline)"
        ) from None
    except httpx.DecodingError as exc:
        raise ServiceError(f"the body does not decode as its Content-Encoding header says ({exc})") from None
    except httpx.TransportError as exc:
        raise ServiceError(f"{_describe(exc)}{_after(attempts)}") from None


async def _attempt(
    client: httpx.AsyncClient,
    source: Source,
    url: str,
    headers: dict[str, str],
    previous: CacheMeta | None,
    cap: int,
    folder: Path,
    progress: Progress,
) -> tuple[Path, dict[str, str | None], str, int] | None:
    """One try: follow checked redirects to an answer, then stream its body to a temp file."""
    from provenance_cli.util import net

    visited = [url]
    current = url
    while True:
        async with client.stream("GET", current, headers=headers) as response:
            target = net.redirect_target(current, response.status_code, response.headers.get("location"))
            if target is None:
                return await _receive(response, source, previous, cap, folder, progress)
        net.count_redirect(visited, target, net.MAX_REDIRECTS)
        visited.append(target)
        current = target


async def _receive(
    response: httpx.Response, source: Source, previous: CacheMeta | None, cap: int, folder: Path, progress: Progress
) -> tuple[Path, dict[str, str | None], str, int] | None:
    """Check the answer and stream its body to a new temp file, removed again unless the whole body arrived."""
    from provenance_cli.util.net import RETRY_STATUSES, ResponseTooLarge, RetryableAnswer

    if response.status_code == 304 and previous is not None:
        return None
    if response.status_code in RETRY_STATUSES:
        raise RetryableAnswer(response.status_code, response.headers.get("retry-after"))
    if response.status_code != 200:
        raise ServiceError(f"the server answered HTTP {response.status_code} {response.reason_phrase}".rstrip())
    kind = response.headers.get("content-type", "").lower()
    if kind and source.content_types and not any(t in kind for t in source.content_types):
        raise ServiceError(f"the server sent {kind.split(';')[0]}, not a {source.title} file (a login or error page?)")
    declared = response.headers.get("content-length")
    total = int(declared) if declared and declared.isdigit() else None
    if total is not None and total > cap and "content-encoding" not in response.headers:
        raise ResponseTooLarge(f"the file is {total:,} bytes; the limit is {cap:,} (raise it with --max-bytes)")
    handle, temp = _temp_file(folder)
    keep = False
    try:
        with os.fdopen(handle, "wb") as out:
            digest = hashlib.sha256()
            size = 0
            progress.start(source.key, total)
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLarge(f"the server sent more than {cap:,} bytes; stopped reading (raise the limit with --max-bytes)")
                digest.update(chunk)
                out.write(chunk)
                progress.advance(len(chunk))
        validators = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified")}
        keep = True
        return temp, validators, digest.hexdigest(), size
    finally:
        progress.stop()
        if not keep:
            temp.unlink(missing_ok=True)


def _copy_local(url: str, cap: int, folder: Path) -> tuple[Path, dict[str, str | None], str, int]:
    """Copy a local list file (a path or ``file://`` URL) into a temp file, with the download's size cap.

    Only a regular file is read (util.files.open_regular): a device such as
    ``/dev/zero``, a FIFO or a folder is refused (exit 2) before anything is
    copied, and the cap holds while copying, for a file that grows.
    """
    from provenance_cli.util.files import open_regular

    path = _local_path(url)
    with open_regular(path, "a list file") as source:
        size = os.fstat(source.fileno()).st_size
        if size > cap:
            raise ServiceError(f"{path} is {size:,} bytes; the limit is {cap:,} (raise it with --max-bytes)")
        handle, temp = _temp_file(folder)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise ServiceError(f"{path} grew past the limit of {cap:,} bytes while being copied")
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    return temp, {"etag": None, "last_modified": None}, digest.hexdigest(), size


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One update per source at a time (a second ``lists update`` waits); no-op without fcntl.

    Holding the lock, it first removes downloads a killed run left behind.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        handle = open(folder / ".lock", "a+b")  # noqa: SIM115 - closed by the with below, after the error is turned into words
    except OSError as exc:
        raise unusable_cache(exc) from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            remove_leftover_downloads(folder, older_than=_PROCESS_STARTED)
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def update_source(
    key: str,
    *,
    url: str | None = None,
    max_bytes: int | None = None,
    config: ScreeningConfig | None = None,
    fetch: FetchSettings | None = None,
    progress: Progress | None = None,
    allow_shrink: bool = False,
    shrink_limit: float | None = None,
) -> UpdateOutcome:
    """Fetch one source and commit it to the cache; the old cache survives any failure.

    A list with no records, or one that shrank to less than half of the
    cached one (``shrink_limit``, a policy's ``screening.shrink_limit``), is
    refused (the cache stays) unless ``allow_shrink``: a truncated or emptied
    download must never silently stop screening.
    """
    source = get_source(key)
    config = config or load_config()
    fetch = fetch or config.fetch
    chosen = resolve_url(source, config, url)
    cap = max_bytes or fetch.max_bytes or config.max_bytes.get(key) or source.default_max_bytes
    folder = source_dir(key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unusable_cache(exc) from None
    with _locked(folder):
        limit = 0.0 if allow_shrink else (SHRINK_LIMIT if shrink_limit is None else shrink_limit)
        return _update(source, key, chosen, cap, fetch, folder, progress or _Quiet(), limit)


def default_sources(config: ScreeningConfig, required: tuple[str, ...] = ()) -> list[str]:
    """What ``lists update`` with no SOURCE refreshes, in registry order.

    The US lists always; every source with a configured URL; the EU, UK and
    UN lists once they are cached (``lists update eu_fsf`` fetches one the
    first time) or when ``required`` names them (``monitor --update`` passes
    the lists the policy requires for the buyer's jurisdictions).
    """
    from provenance_cli.screening.config import SOURCE_KEYS

    chosen = []
    for key in SOURCE_KEYS:
        source = get_source(key)
        wanted = source.updated_by_default or key in required or read_meta(key) is not None
        if key in config.urls or (source.default_url and wanted):
            chosen.append(key)
    return chosen


SHRINK_LIMIT = 0.5
"""A new copy with fewer than this share of the cached copy's records is refused without --allow-shrink."""


def _check_size(key: str, count: int, previous: CacheMeta | None, shrink_limit: float) -> None:
    """Refuse an empty list, and one that shrank suspiciously, before anything is written."""
    if count == 0:
        raise ServiceError(f"the downloaded {key} list holds no records; refusing to use it")
    if previous is None or shrink_limit <= 0 or previous.record_count <= 0:
        return
    if count < previous.record_count * shrink_limit:
        raise ServiceError(
            f"the downloaded {key} list has {count} records against {previous.record_count} in the cached copy, "
            f"less than the {shrink_limit:.0%} a new copy must keep; a list that loses that many entries is more likely "
            "a broken download than a government decision "
            "(check the source, then run again with --allow-shrink to accept it)"
        )


def _update(
    source: Source,
    key: str,
    chosen: str,
    cap: int,
    fetch: FetchSettings,
    folder: Path,
    progress: Progress,
    shrink_limit: float = SHRINK_LIMIT,
) -> UpdateOutcome:
    from provenance_cli.screening.index import NameIndex
    from provenance_cli.util.net import ensure_online

    previous = read_meta(key)
    temp: Path | None = None
    try:
        if _is_local(chosen):
            temp, validators, sha256, size = _copy_local(chosen, cap, folder)
        else:
            ensure_online(f"updating {key}")
            fetched = _download(source, chosen, previous, fetch, cap, folder, progress)
            if fetched is None:
                assert previous is not None
                meta = CacheMeta(**{**vars(previous), "checked_at": now_iso()})
                write_meta(meta)
                return UpdateOutcome(key, "not modified", meta)
            temp, validators, sha256, size = fetched
        if previous is not None and previous.sha256 == sha256 and previous.url == chosen:
            meta = CacheMeta(
                **{
                    **vars(previous),
                    "checked_at": now_iso(),
                    **{k: v for k, v in validators.items() if v},
                }
            )
            write_meta(meta)
            return UpdateOutcome(key, "not modified", meta)
        parsed = source.parse(temp, chosen)
        _check_size(key, sum(info.count for info in parsed.lists.values()), previous, shrink_limit)
        stamp = now_iso()
        delta = _delta(key, folder, previous, Version(sha256, stamp, {k: v.list_date for k, v in parsed.lists.items()}), parsed.entries)
        index = NameIndex.build(parsed.entries)
        del parsed.entries[:]
        index_file = f"index-{sha256[:16]}.json"
        index.save(folder / index_file)
        index.save_sqlite(folder / sqlite_name(index_file))
        del index
        meta = CacheMeta(
            source=key,
            url=chosen,
            fetched_at=stamp,
            checked_at=stamp,
            sha256=sha256,
            size=size,
            record_count=sum(info.count for info in parsed.lists.values()),
            skipped=parsed.skipped,
            lists={k: {"name": v.name, "list_date": v.list_date, "count": v.count} for k, v in parsed.lists.items()},
            index_file=index_file,
            etag=validators.get("etag"),
            last_modified=validators.get("last_modified"),
            previous=_previous_record(previous, index_file),
        )
        write_delta(folder, delta)
        write_meta(meta)
        remove_stale_files(key, keep=(index_file, meta.previous["index_file"]) if meta.previous else index_file)
        return UpdateOutcome(key, "copied" if _is_local(chosen) else "updated", meta, delta)
    except ServiceError as exc:
        raise ServiceError(f"could not update {key} from {chosen}: {exc}; {_kept(previous)}") from None
    except UsageError:
        raise
    except OSError as exc:
        raise ServiceError(f"could not update {key}: {exc.strerror or exc}; {_kept(previous)}") from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _delta(key: str, folder: Path, previous: CacheMeta | None, current: Version, entries: list[Entry]) -> ListDelta:
    """What the new copy adds, removes and changes against the cached one (its index is still on disk)."""
    from provenance_cli.screening.index import stored_entries

    if previous is None or not (folder / previous.index_file).is_file():
        return compute_delta(key, None, None, current, entries)
    before = Version(previous.sha256, previous.fetched_at, {k: v.get("list_date") for k, v in previous.lists.items()})
    try:
        return compute_delta(key, before, stored_entries(folder / previous.index_file), current, entries)
    except (OSError, ValueError, KeyError):
        return compute_delta(key, None, None, current, entries)


def _previous_record(previous: CacheMeta | None, index_file: str) -> dict[str, Any] | None:
    """What the meta remembers of the replaced copy, whose index files stay until the next update."""
    if previous is None or previous.index_file == index_file:
        return previous.previous if previous is not None else None
    return {"index_file": previous.index_file, "sha256": previous.sha256, "fetched_at": previous.fetched_at, "lists": previous.lists}


def _kept(previous: CacheMeta | None) -> str:
    if previous is None:
        return "no previous cache exists"
    return f"the previous cache (fetched {previous.fetched_date}) is intact"
