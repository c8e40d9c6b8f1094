"""Files provcheck writes: atomic, and with the mode the user expects."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from provenance_cli.util.files import atomic_write


def test_a_new_file_follows_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        fresh = tmp_path / "report.json"
        atomic_write(fresh, "{}")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # not mkstemp's 0600
        shared = tmp_path / "shared.md"
        shared.write_text("old", encoding="utf-8")
        shared.chmod(0o664)
        atomic_write(shared, "new")
        assert stat.S_IMODE(shared.stat().st_mode) == 0o664
        assert shared.read_text(encoding="utf-8") == "new"
        os.umask(0o077)
        private = tmp_path / "private.json"
        atomic_write(private, "{}")
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file is left behind"
