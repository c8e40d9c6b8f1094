"""SIGKILL ``provcheck assess DIR -f html -o OUT`` at many moments; the folder is never a mix.

The installed console script runs in a child process and is killed at moments
found by watching the folder (the first temporary file, half of them, the
first report renamed into place) or at fractions of a whole run's duration.
After each kill the folder must hold the complete old set, or the new set
with a manifest that says, file by file, whether it is already in place or
waits under its temporary name. A rerun must then leave no temporary file,
finish a killed commit (and say so), and write the complete set. The user's
own file in the folder is never touched. Reports are streamed to disk by the
worker processes that render them; none of them outlives a killed run.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from support import EXAMPLES
from support.cli import cli_env
from support.folders import (
    MANIFEST,
    TEMP_PREFIX,
    assert_one_complete_set,
    digests,
    manifest,
    sha256_of,
    temp_files,
)
from support.synthetic import dossier_yaml

from provenance_cli.formats.questionnaires import load_catalogue

pytestmark = pytest.mark.slow

SCRIPT = Path(sys.executable).with_name("provcheck")
USER_FILE = "notes.txt"
USER_TEXT = "the user's own notes\n"
RUN_TEMP = TEMP_PREFIX + "2"  # a set temporary: .provcheck-tmp-<run id starting with the year>-<name>
DATES = iter(f"2026-{month:02}-{day:02}" for month in range(1, 13) for day in range(1, 29))


def command(source: Path, out: Path) -> list[str]:
    return [str(SCRIPT), "assess", str(source), "-f", "html", "-o", str(out), "--as-of", next(DATES), "--no-screen", "--no-evidence"]


def run_to_end(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command(source, out), env=cli_env(), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def set_temporaries(out: Path) -> list[str]:
    return [name for name in temp_files(out) if name.startswith(RUN_TEMP)]


def inodes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in out.iterdir() if not p.name.startswith(".")}


Moment = Callable[[Path, float], bool]
"""Given the folder and the seconds since the start, whether to kill now."""


def first_temporary(out: Path, _: float) -> bool:
    return bool(set_temporaries(out))


def half_the_temporaries(count: int) -> Moment:
    return lambda out, _: len(set_temporaries(out)) >= count // 2


def first_rename(before: dict[str, int]) -> Moment:
    def moved(out: Path, _: float) -> bool:
        try:
            return any(p.stat().st_ino != before[p.name] for p in out.iterdir() if p.name in before)
        except FileNotFoundError:
            return False

    return moved


def after(seconds: float) -> Moment:
    return lambda _, elapsed: elapsed >= seconds


def kill_at(source: Path, out: Path, moment: Moment) -> bool:
    """Start a run, SIGKILL it at ``moment``; False if it finished first."""
    proc = subprocess.Popen(command(source, out), env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    try:
        while proc.poll() is None:
            if moment(out, time.monotonic() - started):
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.0005)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def folder_state(out: Path, old: dict[str, str], old_run: str, names: list[str]) -> str:
    """Assert the folder invariant after a kill; return 'old', 'committing' or 'new'."""
    assert (out / USER_FILE).read_text(encoding="utf-8") == USER_TEXT
    visible = {name: digest for name, digest in digests(out).items() if name != USER_FILE}
    data = manifest(out)
    assert data is not None
    entry = data["sets"]["html"]
    if entry["run"] == old_run:  # killed before its commit point: the old set, whole
        assert entry["state"] == "complete"
        assert visible == old, "a report changed before the new set was committed"
        return "old"
    files = entry["files"]
    assert sorted(files) == names
    assert {record["run"] for record in files.values()} == {entry["run"]}
    if entry["state"] == "complete":
        assert visible == {name: record["sha256"] for name, record in files.items()}
        return "new"
    assert entry["state"] == "committing"
    for name, record in files.items():
        if visible[name] != record["sha256"]:  # not moved yet: the old file, and the new one waits under its temporary
            assert visible[name] == old[name]
            assert sha256_of(out / entry["pending"][name]) == record["sha256"]
    return "committing"


def rerun_repairs(source: Path, out: Path, state: str, names: list[str]) -> tuple[dict[str, str], str]:
    """A full rerun: no temporary left, a killed commit finished first, the complete set; returns the new digests and run."""
    killed_run = manifest(out)["sets"]["html"]["run"]  # type: ignore[index]
    done = run_to_end(source, out)
    if state == "committing":
        assert f"that run {killed_run} was killed in:" in done.stderr, done.stderr
    assert temp_files(out) == []
    run = assert_one_complete_set(out, "html")
    assert sorted(name for name in digests(out) if name != USER_FILE) == names
    assert (out / USER_FILE).read_text(encoding="utf-8") == USER_TEXT
    return {name: d for name, d in digests(out).items() if name != USER_FILE}, run


def kill_many(source: Path, out: Path, moments: list[Callable[[dict[str, int]], Moment]], *, retries: int = 3) -> Counter[str]:
    """Kill a run at each moment (a watched one that the run outlived is tried again, up to ``retries`` times)."""
    run_to_end(source, out)
    (out / USER_FILE).write_text(USER_TEXT, encoding="utf-8")
    names = sorted(name for name in digests(out) if name != USER_FILE)
    old = {name: d for name, d in digests(out).items() if name != USER_FILE}
    old_run = assert_one_complete_set(out, "html")
    seen: Counter[str] = Counter()
    for make in moments:
        for _ in range(retries):
            if kill_at(source, out, make(inodes(out))):
                left = set_temporaries(out)
                time.sleep(0.5)
                assert set_temporaries(out) == left, "a worker outlived the killed run and went on writing into the folder"
                break
            seen["finished"] += 1
            old, old_run = rerun_repairs(source, out, "new", names)
        else:
            continue
        state = folder_state(out, old, old_run, names)
        seen[state] += 1
        if state == "old" and set_temporaries(out):
            seen["old with temporaries"] += 1
        old, old_run = rerun_repairs(source, out, state, names)
    return seen


def test_killing_assess_examples_never_leaves_a_mix(tmp_path: Path) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    run_to_end(EXAMPLES, out)
    whole = time.monotonic() - started
    rng = random.Random(13)
    fractions = [0.3, 0.6, 0.8, 0.9, 1.0, rng.uniform(0.7, 1.2), rng.uniform(0.7, 1.2)]
    timed = [lambda _, f=fraction: after(whole * f) for fraction in fractions]
    watched = [lambda _: first_temporary, first_rename, first_rename]
    seen = kill_many(EXAMPLES, tmp_path / "out2", timed, retries=1) + kill_many(EXAMPLES, tmp_path / "out3", watched)
    print(f"examples/, whole run {whole:.2f} s: {dict(seen)}")
    assert seen["old"] + seen["committing"] + seen["new"] >= len(watched)
    assert seen["committing"] + seen["new"] >= 2, seen  # the first_rename kills land after the commit point


def test_killing_a_large_folder_at_every_phase(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    catalogue = load_catalogue()
    count = 60  # above the parallel threshold: two worker processes render the reports and stream them into the folder
    for i in range(count):
        (source / f"d{i:03}.yaml").write_text(dossier_yaml(catalogue, random.Random(i), i), encoding="utf-8")
    out = tmp_path / "out"
    moments: list[Callable[[dict[str, int]], Moment]] = [
        lambda _: first_temporary,
        lambda _: half_the_temporaries(count),
        first_rename,
        first_rename,
    ]
    seen = kill_many(source, out, moments)
    print(f"{count} dossiers: {dict(seen)}")
    assert seen["old with temporaries"] >= 1, seen  # killed while writing: leftovers the rerun had to remove
    assert seen["committing"] + seen["new"] >= 2, seen
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["sets"]["html"]["state"] == "complete"
