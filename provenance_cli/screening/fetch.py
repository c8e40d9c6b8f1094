"""Downloading a list and committing it to the cache.

One request path for every source: conditional GET (ETag and
Last-Modified), bounded retries with exponential backoff on transient
failures (5xx, 429, connection errors, resets, timeouts, bodies cut
short), connect and read timeouts, a size cap checked against the declared
length and while streaming, and the body streamed to a temporary file in the
cache folder while its sha256 is computed, so the raw file is never held in
memory twice. Parsing, indexing and the meta file come after; the old cache
stays in place until the new one is complete.
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
from typing import Any, Protocol

from provenance_cli.screening.cache import (
    CacheMeta,
    now_iso,
    read_meta,
    remove_stale_files,
    source_dir,
    sqlite_name,
    write_meta,
)
from provenance_cli.screening.config import FetchSettings, ScreeningConfig, load_config
from provenance_cli.screening.delta import ListDelta, Version, compute_delta, write_delta
from provenance_cli.screening.model import Entry
from provenance_cli.screening.source import Source, get_source
from provenance_cli.util.errors import ServiceError, UsageError

CHUNK = 256 * 1024
MAX_BACKOFF = 30.0


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


class _Transient(Exception):
    """A failure worth retrying."""


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


def _download(
    source: Source,
    url: str,
    previous: CacheMeta | None,
    fetch: FetchSettings,
    cap: int,
    folder: Path,
    progress: Progress,
) -> tuple[Path, dict[str, str | None], str, int] | None:
    """Stream ``url`` into a temp file; ``None`` when the server says 304 Not Modified."""
    import httpx

    from provenance_cli.util import net
    from provenance_cli.util.net import ResponseTooLarge

    headers: dict[str, str] = {"Accept-Encoding": "gzip"}
    if previous is not None and previous.url == url:
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    attempts = max(0, fetch.retries) + 1
    last: BaseException | None = None
    with net.client(connect=fetch.connect_timeout, read=fetch.read_timeout) as client:
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(MAX_BACKOFF, fetch.backoff * (2 ** (attempt - 1))))
            handle, temp_name = tempfile.mkstemp(prefix=".download-", dir=folder)
            temp = Path(temp_name)
            keep = False
            try:
                with (
                    os.fdopen(handle, "wb") as out,
                    client.stream("GET", url, headers=headers) as response,
                ):
                    if response.status_code == 304 and previous is not None:
                        return None
                    if response.status_code >= 500 or response.status_code == 429:
                        raise _Transient(f"the server answered HTTP {response.status_code}")
                    if response.status_code != 200:
                        raise ServiceError(f"the server answered HTTP {response.status_code} {response.reason_phrase}".rstrip())
                    kind = response.headers.get("content-type", "").lower()
                    if kind and source.content_types and not any(t in kind for t in source.content_types):
                        raise ServiceError(f"the server sent {kind.split(';')[0]}, not a {source.title} file (a login or error page?)")
                    declared = response.headers.get("content-length")
                    total = int(declared) if declared and declared.isdigit() else None
                    if total is not None and total > cap and "content-encoding" not in response.headers:
                        raise ResponseTooLarge(f"the file is {total:,} bytes; the limit is {cap:,} (raise it with --max-bytes)")
                    digest = hashlib.sha256()
                    size = 0
                    progress.start(source.key, total)
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > cap:
                            raise ResponseTooLarge(
                                f"the server sent more than {cap:,} bytes; stopped reading (raise the limit with --max-bytes)"
                            )
                        digest.update(chunk)
                        out.write(chunk)
                        progress.advance(len(chunk))
                    out.flush()
                    validators = {
                        "etag": response.headers.get("etag"),
                        "last_modified": response.headers.get("last-modified"),
                    }
                keep = True
                return temp, validators, digest.hexdigest(), size
            except _Transient as exc:
                last = exc
            except httpx.TransportError as exc:
                last = exc
            finally:
                progress.stop()
                if not keep:
                    temp.unlink(missing_ok=True)
    raise ServiceError(f"{_describe(last) if last else 'failed'} (after {attempts} attempt" + ("s)" if attempts > 1 else ")"))


def _copy_local(url: str, cap: int, folder: Path) -> tuple[Path, dict[str, str | None], str, int]:
    path = _local_path(url)
    try:
        size = path.stat().st_size
        if size > cap:
            raise ServiceError(f"{path} is {size:,} bytes; the limit is {cap:,}")
        handle, temp_name = tempfile.mkstemp(prefix=".download-", dir=folder)
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out, open(path, "rb") as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, expected a list file") from None
    return Path(temp_name), {"etag": None, "last_modified": None}, digest.hexdigest(), size


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One update per source at a time (a second ``lists update`` waits); no-op without fcntl."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
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
) -> UpdateOutcome:
    """Fetch one source and commit it to the cache; the old cache survives any failure.

    A list with no records, or one that shrank to less than half of the
    cached one, is refused (the cache stays) unless ``allow_shrink``: a
    truncated or emptied download must never silently stop screening.
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
        raise UsageError(f"cannot create the cache folder {folder}: {exc.strerror}") from None
    with _locked(folder):
        return _update(source, key, chosen, cap, fetch, folder, progress or _Quiet(), allow_shrink)


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


def _check_size(key: str, count: int, previous: CacheMeta | None, allow_shrink: bool) -> None:
    """Refuse an empty list, and one that shrank suspiciously, before anything is written."""
    if count == 0:
        raise ServiceError(f"the downloaded {key} list holds no records; refusing to use it")
    if previous is None or allow_shrink or previous.record_count <= 0:
        return
    if count < previous.record_count * SHRINK_LIMIT:
        raise ServiceError(
            f"the downloaded {key} list has {count} records against {previous.record_count} in the cached copy; "
            "a list that loses more than half its entries is more likely a broken download than a government decision "
            "(check the source, then run again with --allow-shrink to accept it)"
        )


def _update(
    source: Source, key: str, chosen: str, cap: int, fetch: FetchSettings, folder: Path, progress: Progress, allow_shrink: bool = False
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
        _check_size(key, sum(info.count for info in parsed.lists.values()), previous, allow_shrink)
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
