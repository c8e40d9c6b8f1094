"""Screening benchmark: prints figures, asserts nothing.

    python benchmarks/bench_screening.py            # both parts
    python benchmarks/bench_screening.py --quick    # CSL-sized part only

Part 1 writes a synthetic Consolidated Screening List in the real bulk-JSON
shape (about 13,000 records, about 40,000 names with aliases), caches it
through the real parser and index (``update_source`` from a local file),
then, in a fresh process, screens 1,000 names through the public API with
the cache loaded from disk: the figure is that process's wall time.
Part 2 builds an index of 1,000,000 synthetic names and screens 1,000
names against it; memory is the resident-set growth of the build.
Part 3 writes a CSL-format list of about 1,000,000 names, times ``lists
update`` from it (parse, index, JSON copy and SQLite index), then runs
``provcheck screen -n NAME --offline`` in fresh processes against that cache
and reports each run's wall time and peak RSS (``ru_maxrss`` of the child).

    python benchmarks/bench_screening.py --million-cache [--before SRC]

runs part 3 only; with ``--before SRC`` (another provcheck source tree, for
example ``git archive <commit> | tar -x -C SRC``) the fresh-process runs
alternate between SRC and this tree (A B A B ...) and medians are compared.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SYLLABLES = """
zhong hua xin tian guo hai long feng kang jin bao da hong ming sheng yuan tai heng rui
chang an kai xing fu de shun hui jia li wei tong yu bo cheng ke neng yi ling han zhi
volga neva ural sib tech rostek kalin avto aero energo neft gaz prom mash stroi opt
pars sina arya kavir tosan sepah noor fajr saba
"""
SYLLABLES = _SYLLABLES.split()
_CITIES = """
Beijing Shanghai Shenzhen Guangzhou Hangzhou Chengdu Wuhan Xi'an Tianjin Nanjing Harbin
Chongqing Suzhou Dalian Qingdao Moscow Novosibirsk Yekaterinburg Kazan Tehran Isfahan
Minsk Dubai Sharjah Karachi Lahore Damascus Caracas
"""
CITIES = _CITIES.split()
DESCRIPTORS = [
    "Technology", "Electronics", "Aerospace", "Trading", "Industrial", "Precision Instruments",
    "Machinery", "Semiconductor", "Optical", "Shipping", "Logistics", "Import and Export",
    "Research Institute", "Engineering", "Chemical", "Petroleum", "Energy", "Investment",
    "Communications", "Photonics", "Microelectronics", "Software", "Intelligent Systems",
    "Navigation", "Materials",
]  # fmt: skip
FORMS = ["Co., Ltd.", "Limited", "LLC", "JSC", "OOO", "Company", "Corporation", "Group Co., Ltd.", "FZE", "Inc."]
CSL_SOURCES = [
    "Entity List (EL) - Bureau of Industry and Security",
    "Specially Designated Nationals (SDN) - Treasury Department",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department",
    "Military End User (MEU) List - Bureau of Industry and Security",
    "Unverified List (UVL) - Bureau of Industry and Security",
    "Nonproliferation Sanctions (ISN) - State Department",
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
]


def company(rng: random.Random) -> str:
    core = "".join(rng.sample(SYLLABLES, rng.choice((2, 2, 3)))).capitalize()
    parts = [rng.choice(CITIES)] if rng.random() < 0.6 else []
    parts += [core, rng.choice(DESCRIPTORS)]
    if rng.random() < 0.3:
        parts.append(rng.choice(DESCRIPTORS))
    return " ".join(parts) + " " + rng.choice(FORMS)


def variant(rng: random.Random, name: str) -> str:
    """A realistic way a dossier writes a listed name: other legal form, case, punctuation, a typo."""
    words = name.replace(",", "").split()
    roll = rng.random()
    if roll < 0.4:
        return " ".join(words[:-1] if words[-1] in ("Limited", "LLC", "JSC", "OOO", "Inc.") else words) + " Ltd"
    if roll < 0.6:
        return name.upper()
    if roll < 0.8:
        position = rng.randrange(len(name))
        return name[:position] + rng.choice("aeiou") + name[position + 1 :]
    return name.replace(" ", "  ").replace(".", "")


def synthetic_csl(path: Path, records: int, rng: random.Random) -> tuple[int, list[str]]:
    results = []
    names = 0
    primary = []
    for number in range(records):
        name = company(rng)
        primary.append(name)
        aliases = [company(rng).rsplit(" ", 1)[0] for _ in range(rng.choice((0, 1, 2, 2, 3, 4, 5)))]
        names += 1 + len(aliases)
        source = rng.choice(CSL_SOURCES)
        record = {
            "id": f"{number:08x}", "name": name, "alt_names": aliases or None, "source": source,
            "source_list_url": "https://example.test", "source_information_url": "https://example.test",
            "addresses": [{"address": "", "city": "X", "country": "CN", "postal_code": None, "state": None}],
        }  # fmt: skip
        if "Treasury" in source:
            record["type"] = "Entity"
        results.append(record)
    stamp = "2026-06-10T00:00:00+00:00"
    sources_used = [{"source": s, "source_last_updated": stamp, "last_imported": stamp, "import_rate": "Hourly"} for s in CSL_SOURCES]
    envelope = {"results": results, "search_performed_at": "2026-06-11T14:03:27.512388+00:00",
                "sources_used": sources_used, "offset": 0, "total": len(results)}  # fmt: skip
    path.write_text(json.dumps(envelope))
    return names, primary


def queries(rng: random.Random, listed: list[str], count: int = 1000) -> list[tuple[str, str | None]]:
    """(name, listed name it was derived from or None): 30% variants of listed names, 70% other names."""
    out: list[tuple[str, str | None]] = []
    for _ in range(count):
        if rng.random() < 0.3:
            source = rng.choice(listed)
            out.append((variant(rng, source), source))
        else:
            out.append((company(rng), None))
    return out


SCREEN_CHILD = """
import json, sys, time
start = time.perf_counter()
from provenance_cli.screening import ScreeningSettings, screen_names
pairs = json.load(open(sys.argv[1]))
result = screen_names([name for name, _ in pairs], ScreeningSettings(), offline=True)
seconds = time.perf_counter() - start
found = {(m.screened_name, m.entry_name) for m in result.matches}
planted = [(n, e) for n, e in pairs if e]
recall = sum(1 for pair in planted if tuple(pair) in found) / len(planted)
print(json.dumps({"seconds": seconds, "matches": len(result.matches), "recall": recall, "planted": len(planted)}))
"""


def part_csl(work: Path) -> None:
    from provenance_cli.screening.fetch import update_source

    rng = random.Random(1260)
    os.environ["PROVCHECK_CACHE_DIR"] = str(work / "cache")
    os.environ["PROVCHECK_CONFIG"] = str(work / "config.yaml")
    (work / "config.yaml").write_text("screening: {}\n")
    source = work / "consolidated.json"
    names, listed = synthetic_csl(source, 13_000, rng)
    started = time.perf_counter()
    meta = update_source("csl", url=str(source)).meta
    build = time.perf_counter() - started
    index_size = (work / "cache" / "lists" / "csl" / meta.index_file).stat().st_size
    print(f"CSL-sized list: {meta.record_count:,} records, {names:,} names; file {source.stat().st_size / 1e6:.1f} MB")
    print(f"  parse + normalise + index + save: {build:.2f} s; cached index {index_size / 1e6:.1f} MB")
    query_file = work / "queries.json"
    query_file.write_text(json.dumps(queries(rng, listed)))
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", SCREEN_CHILD, str(query_file)], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
        runs.append((wall, json.loads(done.stdout)))
    wall, inner = min(runs, key=lambda r: r[0])
    print(
        f"  1,000 names, fresh process, cache loaded from disk: {wall:.2f} s wall "
        f"({inner['seconds']:.2f} s from import of provenance_cli.screening to result; {inner['matches']} matches; "
        f"{inner['recall']:.1%} of {inner['planted']} planted variants found)"
    )
    from statistics import median

    tree = Path(__file__).resolve().parent.parent
    probe = variant(rng, rng.choice(listed))
    single = [_measure_in_fresh_parent(tree, {**os.environ, "COLUMNS": "250"}, probe)[:2] for _ in range(5)]
    print(
        f"  1 name, fresh process (provcheck screen -n NAME --offline): median {median(w for w, _ in single):.2f} s wall, "
        f"peak RSS median {median(p for _, p in single):.0f} MB (5 runs)"
    )


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def part_million() -> None:
    from provenance_cli.screening.index import NameIndex
    from provenance_cli.screening.model import Entry

    rng = random.Random(7)
    started = time.perf_counter()
    entries = [Entry("opensanctions", f"E{i}", company(rng)) for i in range(1_000_000)]
    generate = time.perf_counter() - started
    before = rss_mb()
    started = time.perf_counter()
    index = NameIndex.build(entries)
    build = time.perf_counter() - started
    after = rss_mb()
    print(f"1,000,000 names (generated in {generate:.1f} s): index build {build:.1f} s, {len(index):,} distinct names")
    print(f"  memory: RSS {before:.0f} MB before build, {after:.0f} MB after (+{after - before:.0f} MB, entries excluded)")
    sample = [e.name for e in rng.sample(entries, 2_000)]
    batch = [name for name, _ in queries(rng, sample)]
    started = time.perf_counter()
    hits = sum(1 for name in batch if index.search(name, 88))
    per_name = (time.perf_counter() - started) / len(batch) * 1000
    print(f"  1,000 names screened: {per_name:.2f} ms per name ({hits} with matches)")


def _fresh_screen(tree: Path, env: dict[str, str], name: str) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MB) of one ``provcheck screen -n NAME --offline`` process run from source tree ``tree``."""
    child_env = {**env, "PYTHONPATH": str(tree)}
    code = "import sys; from provenance_cli.cli.app import main; sys.argv[0] = 'provcheck'; main()"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "screen", "-n", name, "--offline"], capture_output=True, text=True, env=child_env)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        # ru_maxrss of children is the largest child so far; run the biggest first or measure in a fresh parent
        peak = before
    return wall, peak / 1024, done.stdout + done.stderr


def _measure_in_fresh_parent(tree: Path, env: dict[str, str], name: str) -> tuple[float, float, str]:
    """One measurement in its own parent process, so RUSAGE_CHILDREN's maximum is this run's alone."""
    here = Path(__file__).resolve()
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_screening as b; from pathlib import Path; "
        "print(json.dumps(b._fresh_screen(Path(sys.argv[2]), dict(__import__('os').environ), sys.argv[3])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(here.parent), str(tree), name], capture_output=True, text=True, env=env, check=True
    )
    wall, peak, output = json.loads(done.stdout)
    return wall, peak, output


def part_million_cache(work: Path, before: Path | None, rounds: int = 3) -> None:
    from statistics import median

    from provenance_cli.screening.fetch import update_source

    tree = Path(__file__).resolve().parent.parent
    rng = random.Random(1_000_000)
    env = {**os.environ, "COLUMNS": "250", "PROVCHECK_CACHE_DIR": str(work / "cache"), "PROVCHECK_CONFIG": str(work / "config.yaml")}
    os.environ.update({k: env[k] for k in ("PROVCHECK_CACHE_DIR", "PROVCHECK_CONFIG")})
    (work / "config.yaml").write_text("screening: {}\n")
    source = work / "consolidated.json"
    names, listed = synthetic_csl(source, 292_000, rng)
    started = time.perf_counter()
    meta = update_source("csl", url=str(source), max_bytes=2 * 1024**3).meta
    update = time.perf_counter() - started
    folder = work / "cache" / "lists" / "csl"
    sizes = ", ".join(f"{p.suffix[1:]} {p.stat().st_size / 1e6:.0f} MB" for p in sorted(folder.glob("index-*")))
    print(f"CSL-format list of {names:,} names ({meta.record_count:,} records, file {source.stat().st_size / 1e6:.0f} MB)")
    print(f"  lists update (parse + normalise + index + JSON copy + SQLite index): {update:.1f} s; {sizes}")
    probes = [("a listed name's variant", variant(rng, rng.choice(listed))), ("an unlisted name", company(rng))]
    trees = [("before", before), ("after", tree)] if before else [("after", tree)]
    for what, probe in probes:
        runs: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in trees}
        outputs: dict[str, set[str]] = {label: set() for label, _ in trees}
        for _ in range(rounds):
            for label, path in trees:
                assert path is not None
                wall, peak, output = _measure_in_fresh_parent(path, env, probe)
                runs[label].append((wall, peak))
                outputs[label].add(output)
        print(f"  1 name, {what} ({probe!r}), fresh process, offline, {rounds} paired runs:")
        for label, measured in runs.items():
            walls = ", ".join(f"{w:.2f}" for w, _ in measured)
            peaks = ", ".join(f"{p:.0f}" for _, p in measured)
            listings = max(output.count("listed on") for output in outputs[label])
            print(
                f"    {label}: median {median(w for w, _ in measured):.2f} s wall ({walls}); "
                f"peak RSS median {median(p for _, p in measured):.0f} MB ({peaks}); {listings} listing row(s)"
            )
        if before:
            same = outputs["before"] == outputs["after"] and len(outputs["after"]) == 1
            print(f"    output identical before and after: {same}")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if "--million-cache" in sys.argv:
        before = Path(sys.argv[sys.argv.index("--before") + 1]).resolve() if "--before" in sys.argv else None
        with tempfile.TemporaryDirectory() as folder:
            part_million_cache(Path(folder), before)
        return
    with tempfile.TemporaryDirectory() as folder:
        part_csl(Path(folder))
    if "--quick" not in sys.argv:
        part_million()
        with tempfile.TemporaryDirectory() as folder:
            part_million_cache(Path(folder), None)


if __name__ == "__main__":
    main()
