"""Screening results in the shape scoring needs (filled in with the screening work)."""

from __future__ import annotations

from typing import Any


def screen_for_scoring(dossier: Any, policy: Any, *, offline: bool) -> Any:
    return None
