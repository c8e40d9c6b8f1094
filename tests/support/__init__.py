"""Shared test support: one CLI runner, one loopback HTTP server, one Markdown checker, data builders."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The checkout: examples/, questionnaires/, schemas/."""
EXAMPLES = REPO / "examples"
