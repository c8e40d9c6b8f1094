"""The JSON report's size and cost: version 3 against version 4, and json against msgspec.

Three measurements, each printed with what it ran:

* size: every example and N synthetic dossiers (fixed seed, the
  end-to-end benchmark's), each report written as version 3 (the full
  document) and as version 4 (the compact one), in bytes;
* serializer: the version 4 documents of those N dossiers dumped with the
  standard library (``json.dumps(sort_keys=True)``, whose bytes provcheck's dumps keeps) and
  with msgspec (``msgspec.json.encode(order="sorted")``, when installed),
  best of 5, the bytes compared for identity, and the share of the
  portfolio run's CPU the difference would save;
* end to end (``--base PROVCHECK``): ``assess DIR -f json -o OUT --jobs 1``
  over the N dossiers with another installed provcheck (say, main's) and
  with this one, in interleaved pairs, median child CPU.

Run:  python benchmarks/bench_json_report.py [--dossiers 2000] [--base /path/to/provcheck] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

FIXED = ["--as-of", "2026-11-23", "--offline"]


def documents(paths: list[Path]) -> list[dict[str, Any]]:
    """The full (version 3 layout) report documents of ``paths``, as ``assess`` builds them."""
    from datetime import date

    from provenance_cli.assessment.pipeline import AssessOptions, assess_files
    from provenance_cli.render.document import report_document
    from provenance_cli.render.interface import RenderContext

    options = AssessOptions(today=date(2026, 11, 23), screen=False, evidence=False, offline=True)
    context = RenderContext(generated_at="2026-11-23T12:00:00+00:00")
    return [report_document(o.result, context) for o in assess_files(paths, options, jobs=1) if o.result is not None]


def sizes(examples: list[dict[str, Any]], synthetic: list[dict[str, Any]]) -> None:
    """Bytes of each report as version 3 and as version 4."""
    from provenance_cli.formats.report_shape import compact_report
    from provenance_cli.render.document import dumps

    def both(document: dict[str, Any]) -> tuple[int, int]:
        old = len(dumps({**document, "report_version": 3}).encode())
        return old, len(dumps(compact_report(document)).encode())

    print("| report | version 3 | version 4 | saved |")
    print("| --- | ---: | ---: | ---: |")
    for document in examples:
        old, new = both(document)
        print(f"| {Path(document['provenance']['inputs'][0]['path']).name} | {old:,} | {new:,} | {1 - new / old:.0%} |")
    pairs = [both(d) for d in synthetic]
    old = statistics.mean(p[0] for p in pairs)
    new = statistics.mean(p[1] for p in pairs)
    print(f"| synthetic portfolio, mean of {len(pairs)} | {old:,.0f} | {new:,.0f} | {1 - new / old:.0%} |")


def serializers(synthetic: list[dict[str, Any]]) -> float:
    """Seconds per report for json.dumps, and msgspec's (identical bytes or not); returns json's seconds for all reports."""
    from provenance_cli.formats.report_shape import compact_report
    from provenance_cli.render.document import dumps

    compact = [compact_report(d) for d in synthetic]

    def best(encode: Any) -> float:
        times = []
        for _ in range(5):
            started = time.process_time()
            for document in compact:
                encode(document)
            times.append(time.process_time() - started)
        return min(times)

    stdlib = best(dumps)
    print(f"json.dumps(sort_keys=True): {stdlib:.3f} s CPU for {len(compact)} reports ({stdlib / len(compact) * 1000:.2f} ms each)")
    try:
        import msgspec
    except ImportError:
        print("msgspec: not installed (pip install msgspec) - not measured")
        return stdlib
    encoder = msgspec.json.Encoder(order="sorted")

    def fast(document: dict[str, Any]) -> bytes:
        return encoder.encode(document) + b"\n"

    quick = best(fast)
    same = sum(dumps(d).encode() == fast(d) for d in compact)
    print(
        f"msgspec.json.encode(order='sorted'): {quick:.3f} s CPU ({quick / len(compact) * 1000:.2f} ms each, "
        f"{stdlib / quick:.1f}x faster); byte-identical output for {same} of {len(compact)} reports"
    )
    return stdlib - quick


def end_to_end(base: str, folder: Path, repeat: int, saving: float) -> None:
    """Interleaved runs of the base and this provcheck over ``folder``; median child CPU of each."""
    from bench_e2e import measure

    subject = shutil.which("provcheck", path=str(Path(sys.executable).parent)) or "provcheck"
    out = folder.parent / "out"
    runs: dict[str, list[float]] = {base: [], subject: []}
    for _ in range(repeat):
        for command in (base, subject):
            shutil.rmtree(out, ignore_errors=True)
            runs[command].append(measure([command, "assess", str(folder), "-f", "json", "-o", str(out), "--jobs", "1", *FIXED]).cpu)
    before, after = statistics.median(runs[base]), statistics.median(runs[subject])
    print(f"`assess DIR -f json -o OUT --jobs 1`, median of {repeat} interleaved pairs (child CPU):")
    print(f"  base {base}: {before:.2f} s; this checkout {subject}: {after:.2f} s ({after / before:.2f}x)")
    print(f"  msgspec would save {saving:.2f} s of {after:.2f} s CPU ({saving / after:.1%} of the run)")


def main() -> int:
    """Print the size table, the serializer comparison and, with --base, the end-to-end pair."""
    from bench_e2e import write_dossiers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=2000, help="synthetic dossiers (default 2000)")
    parser.add_argument("--base", help="another installed provcheck to compare end to end with (e.g. main's)")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved pairs for the end-to-end run (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-json-report-") as temp:
        folder = Path(temp) / "portfolio"
        write_dossiers(folder, args.dossiers)
        examples = documents(sorted((ROOT / "examples").glob("*.yaml")))
        synthetic = documents(sorted(folder.glob("*.yaml")))
        sizes(examples, synthetic)
        saving = serializers(synthetic)
        del synthetic
        if args.base:
            end_to_end(args.base, folder, args.repeat, saving)
    return 0


if __name__ == "__main__":
    sys.exit(main())
