"""Monitoring benchmark: prints figures, asserts nothing.

    python benchmarks/bench_monitor.py              # list delta on a CSL-sized list, monitor over 200 dossiers
    python benchmarks/bench_monitor.py --million    # the delta of a 1,000,000-name list as well

Part 1 indexes a synthetic list (company names as ``bench_screening.py``
makes them; 13,000 records, about 44,000 names, or 292,000 records and
about 1,000,000 names with ``--million``) as ``lists update`` saves it, then
times what an update adds for the delta: reading the previous copy's
entries back from its SQLite index and comparing them with a second version
in which 1% of the records were added, removed or given an alias.
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

from bench_screening import company  # noqa: E402

from provenance_cli.screening.delta import Version, compute_delta  # noqa: E402
from provenance_cli.screening.index import NameIndex, stored_entries  # noqa: E402
from provenance_cli.screening.model import Entry  # noqa: E402


def _versions(records: int, rng: random.Random) -> tuple[list[Entry], list[Entry], int]:
    """A list and the same list a day later: 1% of records removed, as many added, as many given an alias."""
    old = [
        Entry("el", f"{i:08x}", company(rng), tuple(company(rng) for _ in range(rng.choice((0, 1, 2, 2, 3, 4, 5))))) for i in range(records)
    ]
    share = max(1, records // 100)
    new = old[share:] + [Entry("el", f"n{i:07d}", company(rng)) for i in range(share)]
    for i in range(share):
        entry = new[i]
        new[i] = Entry(entry.list_key, entry.entry_id, entry.name, (*entry.aliases, company(rng)))
    return old, new, sum(1 + len(e.aliases) for e in old)


def part_delta(work: Path, records: int) -> None:
    """The delta ``lists update`` computes: the previous copy read back from its SQLite index, then compared."""
    rng = random.Random(18)
    old, new, names = _versions(records, rng)
    index = NameIndex.build(old)
    index.save(work / "index-old.json")
    index.save_sqlite(work / "index-old.sqlite")
    del index
    started = time.perf_counter()
    count = sum(1 for _ in stored_entries(work / "index-old.json"))
    read = time.perf_counter() - started
    started = time.perf_counter()
    before, after = Version("a" * 64, "2026-11-19T06:00:00+00:00"), Version("b" * 64, "2026-11-20T06:00:00+00:00")
    delta = compute_delta("csl", before, stored_entries(work / "index-old.json"), after, new)
    total = time.perf_counter() - started
    print(f"list delta, {records:,} records ({names:,} names), 1% changed each way:")
    print(f"  reading the previous copy's {count:,} entries back: {read:.2f} s; delta with the read-back: {total:.2f} s")
    print(f"  {delta.summary()}")


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
