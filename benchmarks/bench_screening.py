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


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory() as folder:
        part_csl(Path(folder))
    if "--quick" not in sys.argv:
        part_million()


if __name__ == "__main__":
    main()
