"""``--jobs``: from 1 to the CPUs this process may use; never more workers than CPUs or files."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli import cli_env, run_cli
from support.reports import AS_OF, example_paths
from support.synthetic import dossier_yaml

from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.util.parallel import PARALLEL_THRESHOLD, default_jobs, pool_size, worker_count

COMMANDS = {
    "assess": ["assess", "in", "-f", "json", "-o", "out", "--as-of", AS_OF, "--no-screen", "--no-evidence", "--offline"],
    "validate": ["validate", "in"],
    "monitor": ["monitor", "in", "--dry-run", "--baseline", "--as-of", AS_OF],
}


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in example_paths()[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("jobs", ["0", "-5"])
def test_no_workers_is_a_usage_error(small: Path, tmp_path: Path, command: str, jobs: str) -> None:
    result = run_cli([*COMMANDS[command], "--jobs", jobs], tmp_path)
    assert result.returncode == 2, result.output
    assert result.lines == [f"provcheck: error: --jobs must be 1 or more, not {jobs}; leave it out to use every CPU"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # nothing written


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_more_workers_than_cpus_are_brought_down_with_a_warning(small: Path, tmp_path: Path, command: str) -> None:
    result = run_cli([*COMMANDS[command], "-j", "100000"], tmp_path)
    assert result.returncode in ((0, 3) if command == "monitor" else (0,)), result.output  # monitor: 3 without cached lists
    cpus = default_jobs()
    assert f"warning: --jobs 100000: this process may run on {cpus} CPU(s); using {cpus} worker(s)" in result.lines


def test_worker_count_never_exceeds_cpus_or_work() -> None:
    cpus = default_jobs()
    assert worker_count(None, 10_000) == cpus
    assert worker_count(10**6, 10_000) == cpus
    assert worker_count(None, 1) == 1 and worker_count(8, 1) == 1
    assert worker_count(1, 10_000) == 1
    assert worker_count(None, 0) == 1
    for bad in (0, -5):
        with pytest.raises(ValueError):
            worker_count(bad, 10)


def test_workers_follow_the_number_of_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("provenance_cli.util.parallel.default_jobs", lambda: 8)
    threshold = PARALLEL_THRESHOLD
    assert pool_size(None, threshold - 1) == 1  # below the break-even: in-process
    assert pool_size(None, threshold) == 2  # two workers exactly where two pay
    assert pool_size(None, threshold + threshold // 2) == 3  # one more per half of the threshold
    assert pool_size(None, 100 * threshold) == 8 and pool_size(3, 100 * threshold) == 3  # never more than CPUs or --jobs
    assert pool_size(None, 100, threshold=256) == 1 and pool_size(None, 256, threshold=256) == 2  # validate's own threshold


def _children(pid: int) -> set[int]:
    """Direct children of ``pid``, read from /proc (Linux)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counts processes through /proc")
@pytest.mark.parametrize("command", ["assess", "validate"])
def test_a_large_jobs_value_starts_no_more_workers_than_cpus(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    catalogue = load_catalogue()
    from provenance_cli.assessment.validate import VALIDATE_THRESHOLD
    from provenance_cli.util.parallel import PARALLEL_THRESHOLD

    files = 2 * (VALIDATE_THRESHOLD if command == "validate" else PARALLEL_THRESHOLD) + 8  # well above where workers start
    for i in range(files):
        (folder / f"d{i:03}.yaml").write_text(dossier_yaml(catalogue, random.Random(i), i), encoding="utf-8")
    script = Path(sys.executable).with_name("provcheck")
    proc = subprocess.Popen(
        [str(script), *COMMANDS[command], "--jobs", "40"],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    most = 0
    while proc.poll() is None:
        most = max(most, len(_children(proc.pid)))
        time.sleep(0.01)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.returncode == 0, stderr
    assert 0 < most <= default_jobs(), (most, os.cpu_count())
