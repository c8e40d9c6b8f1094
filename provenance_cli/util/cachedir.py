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
