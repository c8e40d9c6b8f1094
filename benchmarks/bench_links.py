"""What links between dossiers cost: ``assess DIR`` with and without them, for many synthetic dossiers.

Half the dossiers route their model to a model of the other half (``routes_to``), so
half are judged in the second round of the pipeline, with the facts of what they reach.
The same dossiers without the links are timed the same way.

Run:  python benchmarks/bench_links.py [N] [--jobs N]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.synthetic import dossier_data

from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.util.slug import slugify


def write(folder: Path, count: int, *, linked: bool) -> None:
    catalogue = load_catalogue()
    rng = random.Random(17)
    dossiers = [dossier_data(catalogue, rng, index) for index in range(count)]
    half = count // 2
    for index, data in enumerate(dossiers):
        if linked and index < half:
            target = dossiers[half + index % (count - half)]
            data["models"][0]["routes_to"] = [{"vendor": slugify(target["vendor"]["name"]), "model": target["models"][0]["name"]}]
        (folder / f"d{index:05d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def seconds(folder: Path, jobs: int) -> float:
    command = [sys.executable, "-m", "provenance_cli", "assess", str(folder), "-f", "json", "--jobs", str(jobs)]
    command += ["--as-of", "2026-11-23", "--no-screen", "--no-evidence", "--offline"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain, linked = Path(tmp, "plain"), Path(tmp, "linked")
        plain.mkdir()
        linked.mkdir()
        write(plain, args.count, linked=False)
        write(linked, args.count, linked=True)
        runs = [(seconds(plain, args.jobs), seconds(linked, args.jobs)) for _ in range(3)]
    without = sorted(r[0] for r in runs)[1]
    with_links = sorted(r[1] for r in runs)[1]
    print(
        f"{args.count} dossiers, --jobs {args.jobs}: without links {without:.2f} s, half of them linked {with_links:.2f} s "
        f"({with_links / without:.2f}x; medians of 3)"
    )


if __name__ == "__main__":
    main()
