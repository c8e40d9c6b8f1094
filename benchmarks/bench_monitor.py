"""Monitoring benchmark: prints figures, asserts nothing.

    python benchmarks/bench_monitor.py              # list delta on a CSL-sized list, monitor over 200 dossiers
    python benchmarks/bench_monitor.py --million    # the list delta on a 1,000,000-name list as well

Part 1 caches a synthetic CSL-format list (the shape ``bench_screening.py``
writes), then updates it to a second version in which 1% of the records
were added, removed or given an alias, and reports the time of that second
``lists update`` against the first (the difference is the delta: reading the
previous copy's entries back and comparing them) and the delta's counts.
Part 2 copies the five examples 40 times (200 dossiers) and times
``provcheck monitor`` in a fresh process: the first run (everything new) and
the second (nothing new).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_screening import company, synthetic_csl  # noqa: E402


def _next_version(source: Path, target: Path, rng: random.Random) -> None:
    """The list a day later: 1% of records removed, as many added, as many with a new alias."""
    data = json.loads(source.read_text())
    results = data["results"]
    share = max(1, len(results) // 100)
    removed = set(rng.sample(range(len(results)), share))
    kept = [r for i, r in enumerate(results) if i not in removed]
    for record in rng.sample(kept, share):
        record["alt_names"] = [*(record.get("alt_names") or []), company(rng)]
    added = [{**kept[0], "id": f"new{i:06d}", "name": company(rng), "alt_names": None} for i in range(share)]
    data["results"] = kept + added
    target.write_text(json.dumps(data))


def part_delta(work: Path, records: int) -> None:
    from provenance_cli.screening.fetch import update_source

    rng = random.Random(18)
    os.environ["PROVCHECK_CACHE_DIR"] = str(work / "cache")
    os.environ["PROVCHECK_CONFIG"] = str(work / "config.yaml")
    (work / "config.yaml").write_text("screening: {}\n")
    first, second = work / "a.json", work / "b.json"
    names, _ = synthetic_csl(first, records, rng)
    _next_version(first, second, rng)
    started = time.perf_counter()
    update_source("csl", url=str(first), max_bytes=2 * 1024**3)
    plain = time.perf_counter() - started
    started = time.perf_counter()
    outcome = update_source("csl", url=str(second), max_bytes=2 * 1024**3)
    with_delta = time.perf_counter() - started
    delta = outcome.delta
    assert delta is not None
    print(f"list of {records:,} records ({names:,} names):")
    print(f"  first lists update (no previous copy): {plain:.2f} s")
    print(f"  second lists update, delta included: {with_delta:.2f} s; {delta.summary()}")


def part_monitor(work: Path, copies: int = 40) -> None:
    examples = HERE.parent / "examples"
    folder = work / "vendors"
    folder.mkdir()
    for number in range(copies):
        for dossier in examples.glob("*.yaml"):
            shutil.copy(dossier, folder / f"{dossier.stem}-{number:02d}.yaml")
    (work / "config.yaml").write_text("screening: {}\n")
    env = {
        **os.environ,
        "PROVCHECK_OFFLINE": "1",
        "COLUMNS": "200",
        "PROVCHECK_CACHE_DIR": str(work / "cache"),
        "PROVCHECK_CONFIG": str(work / "config.yaml"),
    }
    csl = HERE.parent / "tests" / "fixtures" / "csl" / "consolidated.json"
    subprocess.run(
        [sys.executable, "-m", "provenance_cli", "lists", "update", "csl", "--url", str(csl)], env=env, check=True, capture_output=True
    )
    for label in ("first run (everything new)", "second run (nothing new)"):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "provenance_cli", "monitor", str(folder), "--as-of", "2026-11-20", "-f", "json"],
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        report = json.loads(done.stdout)
        changes = len(report["changes"])
        print(f"  monitor over {report['dossiers']} dossiers, {label}: {wall:.2f} s wall, exit {done.returncode}, {changes} changes")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        part_delta(Path(folder), 13_000)
    if "--million" in sys.argv:
        with tempfile.TemporaryDirectory() as folder:
            part_delta(Path(folder), 292_000)
    with tempfile.TemporaryDirectory() as folder:
        part_monitor(Path(folder))


if __name__ == "__main__":
    main()
