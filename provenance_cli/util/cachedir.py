"""The user's provcheck cache folder, shared by every cache provcheck keeps.

``PROVCHECK_CACHE_DIR`` moves it (tests, CI caches, read-only homes);
otherwise it is the platform's per-user cache folder. Screening lists live
in ``lists/`` below it, the compiled questionnaire catalogue in
``catalogue/``.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The folder all of provcheck's caches live under."""
    moved = os.environ.get("PROVCHECK_CACHE_DIR", "").strip()
    if moved:
        return Path(moved).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("provcheck"))
