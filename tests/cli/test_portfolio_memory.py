"""Peak memory of ``assess -f html -o DIR`` must not grow with the number of dossiers (issue 20).

Real child processes of the installed entry point (``python -m
provenance_cli``), real synthetic dossiers, peak RSS from the kernel
(``resource.getrusage`` of the children, through a fresh wrapper process per
run so one run's peak cannot hide another's). Nothing is timed.

Each report is streamed to disk as soon as it is rendered and only a slim
summary per vendor (what the index page and the gates read) stays in memory,
so 900 more dossiers may cost little more memory than the first 100.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO
from support.cli import cli_env
from support.synthetic import dossier_yaml

from provenance_cli.formats.questionnaires import load_catalogue

MEASURE = """\
import json, resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
print(json.dumps({"code": code, "rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def write_portfolio(folder: Path, count: int) -> Path:
    catalogue = load_catalogue()
    rng = random.Random(1000)
    folder.mkdir()
    for i in range(count):
        (folder / f"vendor-{i:04d}.yaml").write_text(dossier_yaml(catalogue, rng, i), encoding="utf-8")
    return folder


def peak_mib(folder: Path, out: Path, tmp_path: Path) -> float:
    command = [sys.executable, "-m", "provenance_cli", "assess", str(folder), "-f", "html", "-o", str(out)]
    command += ["--jobs", "1", "--as-of", "2026-11-23", "--offline"]
    env = cli_env(PROVCHECK_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    data = json.loads(proc.stdout)
    assert data["code"] in (0, 1), proc.stderr[-2000:]
    assert len(list(out.glob("*.html"))) == len(list(folder.glob("*.yaml"))) + 1  # every report and the index
    return float(data["rss_kib"]) / 1024


@pytest.mark.slow
def test_peak_memory_over_1000_dossiers_stays_within_50_mib_of_100(tmp_path):
    small = write_portfolio(tmp_path / "small", 100)
    large = write_portfolio(tmp_path / "large", 1000)
    small_peak = peak_mib(small, tmp_path / "out-small", tmp_path)
    large_peak = peak_mib(large, tmp_path / "out-large", tmp_path)
    assert large_peak - small_peak <= 50, f"100 dossiers: {small_peak:.0f} MiB, 1,000: {large_peak:.0f} MiB"
