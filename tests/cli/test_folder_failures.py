"""One dossier that fails never costs the other vendors their reports.

A folder mixes good dossiers, a file that is not valid YAML, a dossier that
breaks the schema, and one whose scoring raises an unexpected exception (a
stand-in for a provcheck bug that only one vendor's answers hit). For every
report format written to a folder, in one process and with real worker
processes, each failure is reported against its own file, the run ends with
exit 2, and every other vendor gets its report.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from support.cli import run_cli
from support.dossiers import DOSSIER_HEAD
from support.folders import MANIFEST, assert_one_complete_set, hidden_files, report_names
from support.reports import AS_OF, example_paths

GOOD = {"aurora-models": "Aurora Models", "northwind-frontier": "Northwind Frontier", "tinyweights-host": "TinyWeights"}
REPORT_STEMS = ["aurora-models", "northwind-frontier", "tinyweights"]
BROKEN_YAML = "provcheck: 2\nvendor: [unclosed\n"
SCHEMA_ERRORS = "provcheck: 2\nvendor:\n  name: Odd Co\nassessment:\n  assessor: J\n  date: 2026-07-01\nanswers: {}\n"
BOOM = DOSSIER_HEAD.replace("Acme AI", "Boom Labs").replace("answers:\n", "answers: {}\n")


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in example_paths():
        if path.stem in GOOD:
            shutil.copy(path, folder / path.name)
    (folder / "broken.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    (folder / "odd.yaml").write_text(SCHEMA_ERRORS, encoding="utf-8")
    (folder / "boom.yaml").write_text(BOOM, encoding="utf-8")
    return folder


@pytest.fixture()
def scoring_bug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make scoring raise for Boom Labs, and note which process scored each dossier (one file per pid)."""
    import provenance_cli.assessment.scoring as scoring

    pids = tmp_path / "pids"
    pids.mkdir()
    real = scoring.score_dossier

    def score_or_fail(dossier, *args, **kwargs):  # type: ignore[no-untyped-def]
        (pids / str(os.getpid())).touch()
        if dossier.vendor_name == "Boom Labs":
            raise KeyError("simulated scoring bug")
        return real(dossier, *args, **kwargs)

    monkeypatch.setattr(scoring, "score_dossier", score_or_fail)
    return pids


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("fmt", ["html", "md", "json", "csv"])
def test_every_other_vendor_gets_its_report(
    mixed: Path, tmp_path: Path, scoring_bug: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, jobs: str
) -> None:
    if jobs == "2":
        if multiprocessing.get_start_method() != "fork":
            pytest.skip("the simulated bug reaches worker processes only when they are forked")
        # Real workers even for six files (the pool normally starts from PARALLEL_THRESHOLD files).
        monkeypatch.setattr("provenance_cli.util.parallel.PARALLEL_THRESHOLD", 1)
    args = ["assess", "in", "-f", fmt, "-o", "out", "--jobs", jobs, "--as-of", AS_OF, "--no-screen", "--no-evidence", "--offline"]
    result = run_cli(args, tmp_path)  # a traceback anywhere in the output fails the test

    assert result.returncode == 2, result.output
    problems = [line for line in result.lines if line.startswith("in/")]
    assert problems[0].startswith("in/boom.yaml: could not be assessed: internal error KeyError: 'simulated scoring bug' at ")
    assert problems[0].endswith("(a bug in provcheck, please report it; the other files were assessed)")
    assert problems[1].startswith("in/broken.yaml:3:1: YAML syntax error")
    assert problems[2:] == ["in/odd.yaml:3:3: missing required key 'legal_name'"]

    out = tmp_path / "out"
    if fmt == "csv":
        assert report_names(out) == ["summary.csv"]
        rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"))))
        assert sorted(row["vendor"] for row in rows) == sorted(GOOD.values())
    else:
        suffix = f".{fmt}"
        index = [f"index{suffix}"] if fmt in ("html", "md") else []  # html and md folders get a portfolio page
        assert report_names(out) == sorted([f"{stem}{suffix}" for stem in REPORT_STEMS] + index)
        for stem, vendor in zip(REPORT_STEMS, GOOD.values(), strict=True):
            assert vendor in (out / f"{stem}{suffix}").read_text(encoding="utf-8")
        if fmt == "html":
            index = (out / "index.html").read_text(encoding="utf-8")
            assert all(f'href="{stem}.html"' in index for stem in REPORT_STEMS) and "Boom Labs" not in index
    assert hidden_files(out) == [MANIFEST]
    assert_one_complete_set(out, fmt)

    scored_in = {int(p.name) for p in scoring_bug.iterdir()}
    if jobs == "1":
        assert scored_in == {os.getpid()}
    else:
        # The first round scores in worker processes; a dossier with links (Northwind's Gale 4 Mini names Gale 4 as its
        # base model) is scored in a second round, which runs in this process when it is the only one.
        assert scored_in - {os.getpid()}
