"""Evidence drift in the shape scoring needs (filled in with the evidence work)."""

from __future__ import annotations

from typing import Any


def evidence_for_scoring(dossier: Any, *, offline: bool) -> Any:
    return None
