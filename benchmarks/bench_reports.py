"""Report rendering against parsing, for many synthetic dossiers.

Rendering every dossier to JSON *and* Markdown must take at most 1.25x the
time PyYAML's C loader needs just to parse the same files (single process).
Then ``provcheck assess DIR -f json -o OUT`` is timed with ``--jobs 1`` and
``--jobs 2`` to show the speed-up from rendering in the worker processes.

Run:  python benchmarks/bench_reports.py [N] [--jobs N] [--no-cli]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.synthetic import dossier_yaml

from provenance_cli.assessment.scoring import score_dossier
from provenance_cli.formats.dossier import load_dossier
from provenance_cli.formats.policy import load_policy
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.render.interface import RenderContext, get_renderer

LIMIT = 1.25


def _cli_seconds(folder: Path, out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "provenance_cli", "assess", str(folder), "-f", "json", "-o", str(out)]
    command += ["--jobs", str(jobs), "--as-of", "2026-11-23", "--no-screen", "--no-evidence", "--offline"]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2, help="workers for the CLI comparison (default 2)")
    parser.add_argument("--no-cli", action="store_true", help="skip the provcheck assess timing")
    args = parser.parse_args()

    catalogue = load_catalogue()
    policy = load_policy(None, catalogue)
    context = RenderContext(generated_at="2026-11-23T00:00:00+00:00")
    as_json, as_md = get_renderer("json"), get_renderer("md")
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "dossiers"
        folder.mkdir()
        paths = []
        for index in range(args.count):
            path = folder / f"vendor-{index:05d}.yaml"
            path.write_text(dossier_yaml(catalogue, random.Random(index), index), encoding="utf-8")
            paths.append(path)
        texts = [p.read_text(encoding="utf-8") for p in paths]

        started = time.perf_counter()
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)
        parse = time.perf_counter() - started

        dossiers = [load_dossier(path, catalogue) for path in paths]
        started = time.perf_counter()
        results = [score_dossier(d, catalogue, policy, today=date(2026, 11, 23)) for d in dossiers]
        score = time.perf_counter() - started

        as_md.render(results[0], context)  # template compilation is a one-off, like the C loader's import
        # Each result goes to JSON and then Markdown, as when both reports are
        # written for a vendor; the report document built for the JSON is reused
        # by the Markdown renderer, so its cost is counted once, under JSON.
        render_json = render_md = 0.0
        json_bytes = md_bytes = 0
        clock = time.perf_counter
        for result in results:
            started = clock()
            json_bytes += len(as_json.render(result, context))
            middle = clock()
            md_bytes += len(as_md.render(result, context))
            render_json += middle - started
            render_md += clock() - middle

        ratio = (render_json + render_md) / parse
        print(f"dossiers              : {args.count}")
        print(f"parse (CSafeLoader)   : {parse:7.3f} s")
        print(f"score                 : {score:7.3f} s")
        print(f"render JSON           : {render_json:7.3f} s  ({json_bytes / 1e6:.1f} MB)")
        print(f"render Markdown       : {render_md:7.3f} s  ({md_bytes / 1e6:.1f} MB)")
        print(f"ratio (JSON+MD)/parse : {ratio:7.3f}  (limit {LIMIT})")

        if not args.no_cli:
            out = Path(temp) / "out"
            one = _cli_seconds(folder, out, 1)
            many = _cli_seconds(folder, out, args.jobs)
            print(f"assess -f json -o, jobs=1        : {one:7.3f} s")
            print(f"assess -f json -o, jobs={args.jobs:<9}: {many:7.3f} s  (speed-up {one / many:.2f}x)")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
