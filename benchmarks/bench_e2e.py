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

* screen: ``provcheck screen -n NAME --offline`` in a fresh process against a
  cache holding a synthetic CSL-format list of about 1,000,000 names, put there
  by ``provcheck lists update csl --url FILE`` (the command a user runs), for a
  listed name (in capitals) and a generated name not drawn from the list (goal <= 1 s, <= 300 MiB);
  CPU (what the goal is judged on), wall and peak RSS, medians.

Before measuring, the installed package is byte-compiled (as ``pip install``
does for a wheel), so an editable install run under PYTHONDONTWRITEBYTECODE
is not timed compiling its own source on every start.

Run:  python benchmarks/bench_e2e.py [--dossiers 2000] [--memory-dossiers 5000] [--screen-names 1000000] [--repeat 7]
      python benchmarks/bench_e2e.py --only startup,screen     # some rows only
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
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
sys.path.insert(0, str(ROOT / "benchmarks"))

ROWS = ("startup", "portfolio", "jobs", "memory", "screen")
"""The rows ``--only`` can pick, in the order they are printed."""

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


def measure(command: list[str], *, ok_codes: tuple[int, ...] = (0, 1), env: dict[str, str] | None = None) -> Sample:
    """Run ``command`` through the wrapper; fail loudly when it fails (a benchmark of an error is worthless)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], check=True, capture_output=True, text=True, env=env).stdout
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


FIXED = ["--as-of", "2026-11-23", "--offline"]
"""Options every assess row passes: a fixed day and no network."""


def startup_row(provcheck: str, work: Path, repeat: int) -> None:
    """Cold ``assess`` of one example against the typer peer and the bare imports."""
    peer = work / "peer.py"
    peer.write_text(PEER_APP, encoding="utf-8")
    example = str(ROOT / "examples" / "kestrel-ai.yaml")
    subject = [provcheck, "assess", example, *FIXED]
    floors, subjects = paired([sys.executable, str(peer), example], subject, repeat)
    imports = [measure([sys.executable, "-c", "import typer, rich.console, yaml, jinja2"]) for _ in range(repeat)]
    ratio = median(subjects, "cpu") / median(floors, "cpu")
    row(
        "cold `assess examples/kestrel-ai.yaml` vs a typer+CSafeLoader+rich peer",
        f"{ratio:.2f}x: {median(subjects, 'cpu'):.3f} s CPU vs {median(floors, 'cpu'):.3f} s; "
        f"{median(subjects, 'cpu') / median(imports, 'cpu'):.2f}x the bare imports",
        "<= 1.15x",
        ratio <= 1.15,
    )


def portfolio_rows(provcheck: str, work: Path, dossiers: int, repeat: int, rows: set[str]) -> None:
    """``assess DIR -f json -o OUT`` against the C loader's parse, then ``--jobs 2`` against ``--jobs 1``."""
    portfolio = work / "portfolio"
    write_dossiers(portfolio, dossiers)
    out = work / "out"
    clear = [sys.executable, "-c", f"import shutil; shutil.rmtree({str(out)!r}, ignore_errors=True)"]
    subject = [provcheck, "assess", str(portfolio), "-f", "json", "-o", str(out), "--jobs", "1", *FIXED]
    if "portfolio" in rows:
        floors, subjects = paired([sys.executable, "-c", PARSE_FLOOR, str(portfolio)], subject, repeat, before=clear)
        ratio = median(subjects, "cpu") / median(floors, "cpu")
        per = median(subjects, "cpu") / dossiers * 1000
        row(
            f"`assess DIR -f json -o OUT --jobs 1`, {dossiers} dossiers, vs CSafeLoader parse",
            f"{ratio:.2f}x: {per:.2f} ms CPU per dossier; wall {median(subjects, 'wall'):.1f} s vs {median(floors, 'wall'):.1f} s",
            "<= 1.5x",
            ratio <= 1.5,
        )
    if "jobs" in rows:
        ones, twos = [], []
        for _ in range(repeat):
            subprocess.run(clear, check=True)
            ones.append(measure(subject))
            subprocess.run(clear, check=True)
            twos.append(measure([*subject[: -len(FIXED) - 1], "2", *FIXED]))
        ratio = median(ones, "wall") / median(twos, "wall")
        row(
            f"`--jobs 2` vs `--jobs 1`, {dossiers} dossiers (wall)",
            f"{ratio:.2f}x: {median(ones, 'wall'):.2f} s vs {median(twos, 'wall'):.2f} s wall; "
            f"CPU {median(twos, 'cpu'):.2f} s vs {median(ones, 'cpu'):.2f} s",
            ">= 1.7x quiet, never < 1x",
            ratio >= 1.7,
        )


def memory_row(provcheck: str, work: Path, dossiers: int) -> None:
    """Peak RSS of ``assess DIR -f html -o OUT`` over ``dossiers`` and a tenth of them."""
    big = work / "memory"
    write_dossiers(big, dossiers)
    small = work / "memory-small"
    small.mkdir()
    for path in sorted(big.glob("*.yaml"))[: max(1, dossiers // 10)]:
        shutil.copy(path, small / path.name)
    peaks = {}
    for folder, count in ((small, dossiers // 10), (big, dossiers)):
        html = work / f"html-{count}"
        peaks[count] = max(
            measure([provcheck, "assess", str(folder), "-f", "html", "-o", str(html), "--jobs", "1", *FIXED]).rss_mib for _ in range(2)
        )
        shutil.rmtree(html, ignore_errors=True)
    growth = (peaks[dossiers] - peaks[dossiers // 10]) / (dossiers * 0.9) * 1024
    row(
        f"peak memory, `-f html -o DIR`, {dossiers} dossiers",
        f"{peaks[dossiers]:.0f} MiB; {peaks[dossiers // 10]:.0f} MiB over {dossiers // 10}: {growth:.1f} KiB more per dossier",
        "<= 200 MiB, flat",
        peaks[dossiers] <= 200,
    )


NAMES_PER_RECORD = 1_000_963 / 292_000
"""Names (primary plus aliases) per record of ``bench_screening.synthetic_csl``, measured at its fixed seed."""


def listings(provcheck: str, name: str, env: dict[str, str]) -> int:
    """How many list entries ``provcheck screen`` reports for ``name`` (so the row says what the timed runs found)."""
    out = subprocess.run([provcheck, "screen", "-n", name, "--offline", "-f", "json"], capture_output=True, text=True, env=env).stdout
    return sum(len(result["matches"]) for result in json.loads(out)["results"])


def screen_row(provcheck: str, work: Path, names: int, repeat: int) -> None:
    """``provcheck screen -n NAME --offline`` in fresh processes against a cache of about ``names`` names."""
    from bench_screening import company, synthetic_csl

    env = {**os.environ, "PROVCHECK_CACHE_DIR": str(work / "screen-cache"), "PROVCHECK_CONFIG": str(work / "screen-config.yaml")}
    (work / "screen-config.yaml").write_text("screening: {}\n", encoding="utf-8")
    rng = random.Random(1_000_000)
    source = work / "consolidated.json"
    written, listed = synthetic_csl(source, max(1, round(names / NAMES_PER_RECORD)), rng)
    cap = str(max(source.stat().st_size * 2, 50 * 1024 * 1024))
    update = measure([provcheck, "lists", "update", "csl", "--url", str(source), "--max-bytes", cap], ok_codes=(0,), env=env)
    source.unlink()
    probes = {"a listed name in capitals": rng.choice(listed).upper(), "a generated name not drawn from the list": company(rng)}
    found = {what: listings(provcheck, name, env) for what, name in probes.items()}
    runs: dict[str, list[Sample]] = {what: [] for what in probes}
    for _ in range(repeat):
        for what, name in probes.items():
            runs[what].append(measure([provcheck, "screen", "-n", name, "--offline"], ok_codes=(0, 1), env=env))
    parts = [
        f"{what} ({found[what]} match(es)): {median(samples, 'wall'):.2f} s wall, {median(samples, 'cpu'):.2f} s CPU, "
        f"{median(samples, 'rss_mib'):.0f} MiB"
        for what, samples in runs.items()
    ]
    # Judged on CPU time like the other rows (the machine may be shared); wall time is printed beside it.
    worst_cpu = max(median(samples, "cpu") for samples in runs.values())
    worst_rss = max(median(samples, "rss_mib") for samples in runs.values())
    row(
        f"fresh `screen -n NAME --offline`, {written:,}-name cache",
        "; ".join(parts) + f" (`lists update` of that list: {update.wall:.0f} s wall, {update.rss_mib:.0f} MiB peak)",
        "<= 1 s CPU, <= 300 MiB",
        worst_cpu <= 1 and worst_rss <= 300,
    )


def byte_compile() -> None:
    """Byte-compile the installed package, as installing a wheel does, so no run pays for compiling provcheck's source."""
    import provenance_cli

    compileall.compile_dir(str(Path(provenance_cli.__file__).parent), quiet=1)


def main() -> int:
    """Print the issue's table with goals, from the installed command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=2000, help="portfolio size for the throughput rows (default 2000)")
    parser.add_argument("--memory-dossiers", type=int, default=5000, help="portfolio size for the memory row (default 5000)")
    parser.add_argument("--screen-names", type=int, default=1_000_000, help="names in the screening row's list (default 1000000)")
    parser.add_argument("--repeat", type=int, default=7, help="pairs per row (default 7)")
    parser.add_argument("--only", default=",".join(ROWS), help=f"comma-separated rows to run, of {', '.join(ROWS)} (default all)")
    args = parser.parse_args()
    rows = {name.strip() for name in args.only.split(",") if name.strip()}
    if not rows or rows - set(ROWS):
        parser.error(f"--only: expected some of {', '.join(ROWS)}, got {args.only!r}")

    provcheck = shutil.which("provcheck", path=str(Path(sys.executable).parent)) or shutil.which("provcheck")
    if provcheck is None:
        print("the provcheck command is not installed in this environment", file=sys.stderr)
        return 2
    byte_compile()
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as temp:
        work = Path(temp)
        print(f"provcheck: {provcheck}; repeat {args.repeat}; medians; CPU time unless a row says wall\n")
        print("| what | measured | goal | |")
        print("| --- | --- | --- | --- |")
        if "startup" in rows:
            startup_row(provcheck, work, args.repeat)
        if rows & {"portfolio", "jobs"}:
            portfolio_rows(provcheck, work, args.dossiers, args.repeat, rows)
        if "memory" in rows:
            memory_row(provcheck, work, args.memory_dossiers)
        if "screen" in rows:
            screen_row(provcheck, work, args.screen_names, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
