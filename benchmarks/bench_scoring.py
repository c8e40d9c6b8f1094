"""Parse time vs scoring time for many synthetic dossiers.

Scoring (no rendering) must be a small fraction of the time it takes to
parse the dossiers. Both are measured on the real code paths:

* parse: provcheck's loader (libyaml events, validation, normalisation),
  and, for reference, plain ``yaml.load`` with PyYAML's C loader;
* score: ``scoring.score_dossier`` with the bundled catalogue and policy.

provcheck's own stages run under ``util.parallel.bulk_gc()`` exactly as
folder work does in the product, and so does the C-loader reference.

The machine is shared and noisy, so the C-loader parse and the scoring run
in alternating pairs (A B A B ...) and the ratio reported is the median of
the per-pair ratios, beside the median times.

Run:  python benchmarks/bench_scoring.py [N] [ROUNDS]
"""

from __future__ import annotations

import random
import statistics
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
from provenance_cli.util.parallel import bulk_gc


def paired(parse_once, score_once, rounds: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Median parse time, median score time and median per-pair ratio over ``rounds`` A B pairs."""
    parses: list[float] = []
    scores: list[float] = []
    for _ in range(rounds):
        # Both sides under bulk_gc(): the parsed dossiers kept for scoring must not slow the C loader's
        # garbage collections, or the floor would look higher than it is.
        with bulk_gc():
            started = time.perf_counter()
            parse_once()
            parses.append(time.perf_counter() - started)
        with bulk_gc():
            started = time.perf_counter()
            score_once()
            scores.append(time.perf_counter() - started)
    ratio = statistics.median(s / p for s, p in zip(scores, parses, strict=True))
    return statistics.median(parses), statistics.median(scores), ratio


def main(count: int, rounds: int) -> None:
    catalogue = load_catalogue()
    policy = load_policy(None, catalogue)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index in range(count):
            path = Path(folder) / f"vendor-{index:05d}.yaml"
            path.write_text(dossier_yaml(catalogue, random.Random(index), index), encoding="utf-8")
            paths.append(path)
        size = sum(p.stat().st_size for p in paths)

        # provcheck's own stages run under bulk_gc(), as its folder work does (util.parallel).
        with bulk_gc():
            started = time.perf_counter()
            dossiers = [load_dossier(path, catalogue) for path in paths]
            parse = time.perf_counter() - started
        today = date(2026, 11, 23)
        results: list = []

        def c_parse() -> None:
            for path in paths:
                yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

        def scoring() -> None:
            results[:] = [score_dossier(d, catalogue, policy, today=today) for d in dossiers]

        c_loader, score, ratio = paired(c_parse, scoring, rounds)

    tiers: dict[str, int] = {}
    for result in results:
        tiers[result.tier] = tiers.get(result.tier, 0) + 1
    fired = sum(len(r.trace) for r in results) / len(results)
    print(f"synthetic dossiers: {count} ({size / 1e6:.1f} MB of YAML; random answers fire {fired:.0f} rules each)")
    print(f"  yaml.load CSafeLoader : {c_loader:7.3f} s (median of {rounds})")
    print(f"  provcheck parse+check : {parse:7.3f} s")
    print(f"  scoring (no render)   : {score:7.3f} s (median)  = {score / parse:.1%} of provcheck parse")
    print(f"  scoring / C-loader parse, median of paired ratios: {ratio:.1%} (goal: at most 20%)")
    print(f"  tiers: {dict(sorted(tiers.items()))}")
    examples(count, catalogue, policy, rounds)


def examples(count: int, catalogue, policy, rounds: int) -> None:  # type: ignore[no-untyped-def]
    """The same measure on the bundled example dossiers, repeated to ``count`` files."""
    from provenance_cli.formats.dossier import parse_dossier

    folder = Path(__file__).resolve().parent.parent / "examples"
    sources = [p.read_bytes() for p in sorted(folder.glob("*.yaml"))]
    texts = [sources[i % len(sources)] for i in range(count)]
    with bulk_gc():
        started = time.perf_counter()
        dossiers = [parse_dossier(text, f"example-{i}.yaml", catalogue) for i, text in enumerate(texts)]
        parse = time.perf_counter() - started
    results: list = []

    def c_parse() -> None:
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)

    def scoring() -> None:
        results[:] = [score_dossier(d, catalogue, policy, today=date(2026, 11, 23)) for d in dossiers]

    c_loader, score, ratio = paired(c_parse, scoring, rounds)
    fired = sum(len(r.trace) for r in results) / len(results)
    print(f"bundled examples x{count // len(sources)}: {count} dossiers ({fired:.0f} rules fired each on average)")
    print(f"  yaml.load CSafeLoader : {c_loader:7.3f} s (median of {rounds})")
    print(f"  provcheck parse+check : {parse:7.3f} s")
    print(f"  scoring (no render)   : {score:7.3f} s (median)  = {score / parse:.1%} of provcheck parse")
    print(f"  scoring / C-loader parse, median of paired ratios: {ratio:.1%} (goal: at most 20%)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, int(sys.argv[2]) if len(sys.argv) > 2 else 5)
