"""The user's provcheck cache folder, shared by every cache provcheck keeps.

``PROVCHECK_CACHE_DIR`` moves it (tests, CI caches, read-only homes);
otherwise it is the platform's per-user cache folder. Screening lists live
in ``lists/`` below it, the compiled questionnaire catalogue in
``catalogue/``, the checked policy in ``policy/``, the bundled list's index
in ``screening/``, dataclasses' compiled methods in ``code/``.
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path


def cache_root() -> Path:
    """The folder all of provcheck's caches live under.

    Asked several times per dossier (each list's cache, the compiled
    caches); the answer is worked out once per value of the variables that
    decide it, so a test or caller that changes them still gets the new folder.
    """
    env = os.environ
    return _cache_root(env.get("PROVCHECK_CACHE_DIR", ""), env.get("XDG_CACHE_HOME"), env.get("HOME"), env.get("LOCALAPPDATA"))


@lru_cache(maxsize=8)
def _cache_root(moved: str, xdg: str | None, home: str | None, local_app_data: str | None) -> Path:
    """:func:`cache_root` for one state of its variables (the last three only decide the platform's own folder)."""
    del xdg, home, local_app_data  # part of the cache key: platformdirs reads them itself
    if moved.strip():
        return Path(moved.strip()).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("provcheck"))


PRIVATE_FILE_MODE = 0o600
"""Mode of a cache file holding code (pickle, marshal): what :func:`private` accepts whatever the umask."""


def private(status: os.stat_result) -> bool:
    """Owned by the current user and writable by nobody else: safe to load code (a pickle, marshal data) from."""
    mine = not hasattr(os, "geteuid") or status.st_uid == os.geteuid()
    return mine and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_private(path: Path) -> bytes | None:
    """The bytes of ``path`` when it and its folder are :func:`private`; None when absent, unreadable or not private.

    The one way a cache holding code is read: the file is checked on the
    handle it is read from, so it cannot be swapped in between.
    """
    try:
        if not private(path.parent.stat()):
            return None
        with path.open("rb") as stream:
            if not private(os.fstat(stream.fileno())):
                return None
            return stream.read()
    except (OSError, ValueError):  # absent, unreadable, or a path the system refuses
        return None


def write_private(path: Path, data: bytes) -> bool:
    """Store ``data`` at ``path`` for :func:`read_private` (file 0600, new folder 0700); whether it was written.

    A cache folder that cannot be written, or that others may write (nothing
    would ever be read from it), is skipped silently: a cache never stops a run.
    """
    from provenance_cli.util.files import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not private(path.parent.stat()):
            return False
        atomic_write(path, data, mode=PRIVATE_FILE_MODE)
    except Exception:  # a read-only or full cache folder
        return False
    return True
