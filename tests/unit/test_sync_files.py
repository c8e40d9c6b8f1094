"""Report temporaries are made durable with one file-system sync, or one fsync each where there is none."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from provenance_cli.util import fileset


def write_some(folder: Path) -> list[Path]:
    paths = []
    for i in range(5):
        path = folder / f"report-{i}.json"
        fileset.write_synced(path, f'{{"n":{i}}}\n'.encode(), mode=0o644, sync=False)
        paths.append(path)
    return paths


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is Linux's")
def test_linux_syncs_the_file_system_once(tmp_path):
    assert fileset._syncfs(tmp_path) is True
    paths = write_some(tmp_path)
    fileset.sync_files(tmp_path, paths)
    assert [p.read_text() for p in paths] == [f'{{"n":{i}}}\n' for i in range(5)]
    assert paths[0].stat().st_mode & 0o777 == 0o644  # the mode asked for (fchmod, not the umask)


def test_without_syncfs_every_file_is_fsynced(tmp_path, monkeypatch):
    synced: list[int] = []
    real_fsync = fileset.os.fsync
    monkeypatch.setattr(fileset, "_syncfs", lambda folder: False)
    monkeypatch.setattr(fileset.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    paths = write_some(tmp_path)
    assert synced == []  # sync=False wrote without syncing
    fileset.sync_files(tmp_path, paths)
    assert len(synced) == len(paths)
