"""Looking at a report folder the way a user would: its reports, provcheck's manifest, leftovers.

A folder that ``assess -o DIR`` wrote holds the reports, one hidden manifest
(``.provcheck-reports.json``) and nothing else of provcheck's once a run has
finished; while a run is at work, or after one was killed, it may also hold
hidden ``.provcheck-tmp-*`` files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

MANIFEST = ".provcheck-reports.json"
TEMP_PREFIX = ".provcheck-tmp-"


def report_files(folder: Path) -> list[Path]:
    """The visible files in ``folder``, sorted by name (reports, index, summary, the user's own files)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.is_file())


def report_names(folder: Path) -> list[str]:
    return [p.name for p in report_files(folder)]


def temp_files(folder: Path) -> list[str]:
    """Names of temporary files provcheck left (recognised by their prefix)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


def hidden_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every visible file, by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in report_files(folder)}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_complete_set(folder: Path, fmt: str) -> str:
    """The manifest's set for ``fmt`` is complete and every file it records of this run is on disk as recorded; return the run."""
    data = manifest(folder)
    assert data is not None and data["tool"] == "provcheck", hidden_files(folder)
    entry = data["sets"][fmt]
    assert entry["state"] == "complete", entry
    run = entry["run"]
    for name, record in entry["files"].items():
        if record["run"] == run:
            assert sha256_of(folder / name) == record["sha256"], name
    return str(run)
