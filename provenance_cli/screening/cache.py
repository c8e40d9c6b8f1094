"""The list cache: one folder per source, committed by one atomic rename.

Layout under ``cache_dir()``::

    csl/meta.json                 what was fetched, when, from where, digest, list dates
    csl/index-<sha256[:16]>.json  the parsed, normalised names (compact JSON), the durable copy
    csl/index-<sha256[:16]>.sqlite  the same index as ready-made lookup tables, read lazily

The SQLite file is written at ``lists update`` before ``meta.json``; when it
is missing, of another format version or unreadable, the next screening
rebuilds it from the JSON copy (atomically: temporary name, then rename).

``meta.json`` names its index file and is written last, atomically, so a
run killed at any moment leaves the previous meta pointing at the previous
index, which is only deleted after the new meta is in place.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from provenance_cli.screening.config import cache_dir
from provenance_cli.util.errors import ServiceError

META_FORMAT = 1


@dataclass(frozen=True)
class CacheMeta:
    """What ``meta.json`` records about one source's cached list; written last, it is the commit point of an update."""

    source: str
    url: str
    fetched_at: str
    """ISO 8601 UTC time of the download that produced the index."""
    checked_at: str
    """Last time the server confirmed the copy (304) or sent it."""
    sha256: str
    size: int
    record_count: int
    skipped: int
    lists: dict[str, dict[str, Any]]
    """List key -> {name, list_date, count}."""
    index_file: str
    etag: str | None = None
    last_modified: str | None = None
    previous: dict[str, Any] | None = None
    """The copy this one replaced, kept on disk until the next update: {index_file, sha256, fetched_at, lists}."""

    def as_dict(self) -> dict[str, Any]:
        """The meta as written to ``meta.json``, with its format version."""
        return {"format": META_FORMAT, **vars(self)}

    def age_days(self, now: datetime | None = None) -> float:
        """Days since the download; infinite when ``fetched_at`` cannot be read, so a damaged meta counts as stale."""
        now = now or datetime.now(timezone.utc)
        try:
            fetched = datetime.fromisoformat(self.fetched_at)
        except ValueError:
            return float("inf")
        return (now - fetched).total_seconds() / 86400

    @property
    def fetched_date(self) -> str:
        """``fetched_at`` to the minute, for messages (``2026-06-01 09:30 UTC``)."""
        return self.fetched_at[:16].replace("T", " ") + " UTC"


def source_dir(key: str) -> Path:
    """The cache folder of source ``key``."""
    return cache_dir() / key


def now_iso() -> str:
    """Now as ISO 8601 UTC to the second, the form in which cache and list-version times are stored."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def read_meta(key: str) -> CacheMeta | None:
    """The committed cache metadata of a source, or ``None`` when there is no usable cache.

    A cache that exists but cannot be read (a folder without read or search
    permission, an unreadable ``meta.json``) is not the same as no cache: it
    raises :class:`ServiceError` (exit 3) saying where and why, so nobody
    reads "not cached" and runs an update that cannot fix it.
    """
    folder = source_dir(key)
    try:
        data = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        data.pop("format")
        meta = CacheMeta(**data)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise unusable_cache(exc) from None
    except (ValueError, TypeError, KeyError):
        return None
    if not (folder / meta.index_file).is_file():
        return None
    return meta


def unusable_cache(exc: OSError) -> ServiceError:
    """The error for a list cache the file system refuses (permissions, a file where a folder should be...)."""
    where = f" ({exc.filename})" if exc.filename else ""
    return ServiceError(
        f"the list cache cannot be used: {exc.strerror or exc}{where}; "
        "fix the folder's permissions, or move the cache with PROVCHECK_CACHE_DIR"
    )


def write_meta(meta: CacheMeta) -> None:
    """Commit an update: ``meta.json`` is replaced atomically and last, so a reader sees the old index or the new one."""
    from provenance_cli.util.files import atomic_write

    atomic_write(
        source_dir(meta.source) / "meta.json",
        json.dumps(meta.as_dict(), indent=1, ensure_ascii=False),
    )


def remove_stale_files(key: str, keep: str | tuple[str, ...]) -> None:
    """Delete index files other than ``keep`` (the current copy and the previous one) and hour-old leftovers of killed downloads."""
    folder = source_dir(key)
    kept = (keep,) if isinstance(keep, str) else keep
    names = {name for index_file in kept for name in (index_file, sqlite_name(index_file))}
    for pattern in ("index-*.json", "index-*.sqlite", ".index-*.tmp"):
        for path in folder.glob(pattern):
            if path.name not in names:
                if pattern.startswith(".") and _young(path):
                    continue
                path.unlink(missing_ok=True)
    import time

    for path in folder.glob(".download-*"):
        try:
            if time.time() - path.stat().st_mtime > 3600:
                path.unlink(missing_ok=True)
        except OSError:
            pass


def _young(path: Path) -> bool:
    import time

    try:
        return time.time() - path.stat().st_mtime < 3600
    except OSError:
        return False


def sqlite_name(index_file: str) -> str:
    """The SQLite file beside the JSON index ``index_file``."""
    return index_file.rsplit(".", 1)[0] + ".sqlite"


_loaded: dict[tuple[str, str], Any] = {}


def load_index(meta: CacheMeta, warn: Callable[[str], None] | None = None) -> Any:
    """The cached NameIndex of a source (opened once per process), read from its SQLite file.

    A missing SQLite file is built from the JSON copy; one of another format
    version, truncated or unreadable is rebuilt, with a message to ``warn``.
    If it cannot be written, the JSON copy is loaded into memory instead. A
    broken index never reads as an empty one: what cannot be read raises.
    """
    import sqlite3

    from provenance_cli.screening.index import NameIndex

    key = (meta.source, meta.index_file)
    if key in _loaded:
        return _loaded[key]
    folder = source_dir(meta.source)
    path = folder / sqlite_name(meta.index_file)
    problem: str | None = None
    if path.is_file():
        try:
            index = NameIndex.open_sqlite(path)
        except (OSError, ValueError, sqlite3.Error) as exc:
            problem = str(exc) or type(exc).__name__
        else:
            _loaded[key] = index
            return index
    built = NameIndex.load(folder / meta.index_file)
    try:
        built.save_sqlite(path)
        index = NameIndex.open_sqlite(path)
    except (OSError, ValueError, sqlite3.Error) as exc:
        if warn is not None:
            warn(f"{meta.source}: the index file {path.name} cannot be written ({exc}); screening from the JSON copy in memory")
        index = built
    else:
        if problem is not None and warn is not None:
            warn(f"{meta.source}: the index file {path.name} was unreadable ({problem}) and has been rebuilt")
    _loaded[key] = index
    return index
