"""End to end: the installed ``provcheck`` against its floors, as a user runs it.

Every figure comes from running the installed console script in a child
process, exactly the command a user types, next to a floor run the same
way, in interleaved pairs (floor, provcheck, floor, provcheck...), median of
``--repeat`` (default 7). Each run goes through a tiny wrapper process that
reports its child's CPU time and peak RSS (``resource.getrusage`` of
children), so neither the wrapper nor this script is counted; CPU time is
the main figure because the machine may be shared, wall time is printed too.

Rows (the goals of issue 20):

* start-up: ``provcheck assess examples/kestrel-ai.yaml`` against a 14-line
  typer app that loads the same file with PyYAML's C loader and prints a
  rich table (goal <= 1.15x), and against ``import typer, rich.console, yaml, jinja2``;
* portfolio: ``assess DIR -f json -o OUT --jobs 1`` over N synthetic dossiers
  against parsing the same files with the C loader in one process (goal <= 1.5x);
* memory: peak RSS of ``assess DIR -f html -o OUT`` over N and N/10 dossiers
  (goal <= 200 MiB and flat in N);
* both cores: wall time of ``--jobs 1`` over ``--jobs 2`` (goal >= 1.7x on a quiet machine, never below 1x).

The 1M-name ``screen`` row needs a million-name list in the cache; it is
measured by ``benchmarks/bench_screening.py``, not here.

Run:  python benchmarks/bench_e2e.py [--dossiers 2000] [--memory-dossiers 5000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

PEER_APP = """\
import typer
import yaml
from rich.console import Console
from rich.table import Table
app = typer.Typer()
@app.command()
def show(path: str, verbose: bool = False) -> None:
    with open(path, "rb") as stream:
        data = yaml.load(stream, Loader=yaml.CSafeLoader)
    table = Table("key", "value")
    for key, value in data.items():
        table.add_row(str(key), str(value)[:60])
    Console().print(table)
app()
"""
"""The floor of a typer command that reads one YAML file and prints a table (14 lines of code)."""

PARSE_FLOOR = """\
import sys, pathlib, yaml
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.yaml")):
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
"""
"""The floor of a portfolio run: parse every dossier with the C loader in one process."""

MEASURE = """\
import resource, subprocess, sys, time, json
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kib": usage.ru_maxrss}))
"""
"""Runs one command and reports its CPU time, wall time and peak RSS (the child's alone)."""


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    cpu: float
    wall: float
    rss_mib: float


def measure(command: list[str], *, ok_codes: tuple[int, ...] = (0, 1)) -> Sample:
    """Run ``command`` through the wrapper; fail loudly when it fails (a benchmark of an error is worthless)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    if data["code"] not in ok_codes:
        raise SystemExit(f"command failed with exit {data['code']}: {' '.join(command)}")
    return Sample(data["cpu"], data["wall"], data["rss_kib"] / 1024)


def paired(floor: list[str], subject: list[str], repeat: int, before: list[str] | None = None) -> tuple[list[Sample], list[Sample]]:
    """Floor and subject alternately, ``repeat`` times each (``before`` runs ahead of every subject run, untimed)."""
    floors, subjects = [], []
    for _ in range(repeat):
        floors.append(measure(floor))
        if before:
            subprocess.run(before, check=True)
        subjects.append(measure(subject))
    return floors, subjects


def median(samples: list[Sample], field: str) -> float:
    """Median of one field over the samples."""
    return statistics.median(getattr(s, field) for s in samples)


def row(what: str, measured: str, goal: str, met: bool) -> None:
    """One printed row of the table in issue 20."""
    print(f"| {what} | {measured} | {goal} | {'met' if met else 'NOT met'} |", flush=True)


def write_dossiers(folder: Path, count: int) -> None:
    """``count`` synthetic dossiers (fixed seed) in ``folder``."""
    from support.synthetic import dossier_yaml

    from provenance_cli.formats.questionnaires import load_catalogue

    catalogue = load_catalogue()
    rng = random.Random(20)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"vendor-{i:05d}.yaml").write_text(dossier_yaml(catalogue, rng, i), encoding="utf-8")


def main() -> int:
    """Print the issue's table with goals, from the installed command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=2000, help="portfolio size for the throughput rows (default 2000)")
    parser.add_argument("--memory-dossiers", type=int, default=5000, help="portfolio size for the memory row (default 5000)")
    parser.add_argument("--repeat", type=int, default=7, help="pairs per row (default 7)")
    args = parser.parse_args()

    provcheck = shutil.which("provcheck", path=str(Path(sys.executable).parent)) or shutil.which("provcheck")
    if provcheck is None:
        print("the provcheck command is not installed in this environment", file=sys.stderr)
        return 2
    fixed = ["--as-of", "2026-11-23", "--offline"]
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as temp:
        work = Path(temp)
        peer = work / "peer.py"
        peer.write_text(PEER_APP, encoding="utf-8")
        example = str(ROOT / "examples" / "kestrel-ai.yaml")
        print(f"provcheck: {provcheck}; repeat {args.repeat}; medians; CPU time unless a row says wall\n")
        print("| what | measured | goal | |")
        print("| --- | --- | --- | --- |")

        subject = [provcheck, "assess", example, *fixed]
        floors, subjects = paired([sys.executable, str(peer), example], subject, args.repeat)
        imports = [measure([sys.executable, "-c", "import typer, rich.console, yaml, jinja2"]) for _ in range(args.repeat)]
        ratio = median(subjects, "cpu") / median(floors, "cpu")
        row(
            "cold `assess examples/kestrel-ai.yaml` vs a typer+CSafeLoader+rich peer",
            f"{ratio:.2f}x: {median(subjects, 'cpu'):.3f} s CPU vs {median(floors, 'cpu'):.3f} s; "
            f"{median(subjects, 'cpu') / median(imports, 'cpu'):.2f}x the bare imports",
            "<= 1.15x",
            ratio <= 1.15,
        )

        portfolio = work / "portfolio"
        write_dossiers(portfolio, args.dossiers)
        out = work / "out"
        clear = [sys.executable, "-c", f"import shutil; shutil.rmtree({str(out)!r}, ignore_errors=True)"]
        subject = [provcheck, "assess", str(portfolio), "-f", "json", "-o", str(out), "--jobs", "1", *fixed]
        floors, subjects = paired([sys.executable, "-c", PARSE_FLOOR, str(portfolio)], subject, args.repeat, before=clear)
        ratio = median(subjects, "cpu") / median(floors, "cpu")
        per = median(subjects, "cpu") / args.dossiers * 1000
        row(
            f"`assess DIR -f json -o OUT --jobs 1`, {args.dossiers} dossiers, vs CSafeLoader parse",
            f"{ratio:.2f}x: {per:.2f} ms CPU per dossier; wall {median(subjects, 'wall'):.1f} s vs {median(floors, 'wall'):.1f} s",
            "<= 1.5x",
            ratio <= 1.5,
        )

        ones, twos = [], []
        for _ in range(args.repeat):
            subprocess.run(clear, check=True)
            ones.append(measure(subject))
            subprocess.run(clear, check=True)
            twos.append(measure([*subject[: -len(fixed) - 1], "2", *fixed]))
        ratio = median(ones, "wall") / median(twos, "wall")
        row(
            f"`--jobs 2` vs `--jobs 1`, {args.dossiers} dossiers (wall)",
            f"{ratio:.2f}x: {median(ones, 'wall'):.2f} s vs {median(twos, 'wall'):.2f} s wall; "
            f"CPU {median(twos, 'cpu'):.2f} s vs {median(ones, 'cpu'):.2f} s",
            ">= 1.7x quiet, never < 1x",
            ratio >= 1.7,
        )

        big = work / "memory"
        write_dossiers(big, args.memory_dossiers)
        small = work / "memory-small"
        small.mkdir()
        for path in sorted(big.glob("*.yaml"))[: max(1, args.memory_dossiers // 10)]:
            shutil.copy(path, small / path.name)
        peaks = {}
        for folder, count in ((small, args.memory_dossiers // 10), (big, args.memory_dossiers)):
            html = work / f"html-{count}"
            peaks[count] = max(
                measure([provcheck, "assess", str(folder), "-f", "html", "-o", str(html), "--jobs", "1", *fixed]).rss_mib for _ in range(2)
            )
            shutil.rmtree(html, ignore_errors=True)
        growth = (peaks[args.memory_dossiers] - peaks[args.memory_dossiers // 10]) / (args.memory_dossiers * 0.9) * 1024
        row(
            f"peak memory, `-f html -o DIR`, {args.memory_dossiers} dossiers",
            f"{peaks[args.memory_dossiers]:.0f} MiB; {peaks[args.memory_dossiers // 10]:.0f} MiB over "
            f"{args.memory_dossiers // 10}: {growth:.1f} KiB more per dossier",
            "<= 200 MiB, flat",
            peaks[args.memory_dossiers] <= 200,
        )
        print("| fresh `screen` of one name, 1M-name cache | not measured here | <= 1 s, <= 300 MiB | see bench_screening.py |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
