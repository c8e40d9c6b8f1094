"""Reports streamed into a folder: written as rendered, by the process that scored them; the index from slim summaries.

``assess DIR -f FMT -o OUT`` keeps one :class:`ReportSummary` per vendor in
memory, never a result or a report's text. These tests check that what the
user gets is what the whole documents give: the portfolio page rendered from
the slim rows is byte for byte the page rendered from whole report documents
(on the examples, which link to each other, and on a synthetic folder), and
reports written by real worker processes are the bytes one process writes.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import shutil
from pathlib import Path

import pytest
from support import EXAMPLES
from support.cli import run_cli
from support.folders import MANIFEST, assert_one_complete_set, digests, hidden_files
from support.reports import AS_OF, CONTEXT, TODAY
from support.synthetic import dossier_yaml

from provenance_cli.assessment.pipeline import AssessOptions, assess_paths
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.render.document import report_document
from provenance_cli.render.output import index_row, render_index_page, report_names

FIXED = ["--as-of", AS_OF, "--no-screen", "--no-evidence", "--offline"]
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
"""The run's time, the one thing that differs between two runs' reports."""


def synthetic_folder(folder: Path, count: int) -> Path:
    catalogue = load_catalogue()
    folder.mkdir()
    for i in range(count):
        (folder / f"v{i:03}.yaml").write_text(dossier_yaml(catalogue, random.Random(i), i), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_folder(tmp_path_factory.mktemp("synthetic") / "in", 24)


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("which", ["examples", "synthetic"])
def test_the_index_from_slim_rows_is_the_index_from_whole_documents(which: str, fmt: str, synthetic: Path) -> None:
    folder = EXAMPLES if which == "examples" else synthetic
    run = assess_paths([folder], AssessOptions(today=TODAY, screen=False, evidence=False, offline=True))
    results = list(run.results)
    assert len(results) >= 5
    names = report_names(results)
    whole = render_index_page([report_document(r, CONTEXT) for r in results], names, CONTEXT, fmt)
    slim_rows = [index_row(r, CONTEXT) for r in results]
    slim = render_index_page(slim_rows, names, CONTEXT, fmt)
    assert slim == whole
    assert all("trace" not in row and "open_questions" not in row for row in slim_rows)
    if which == "examples":  # the examples link to each other: the dependency graph is drawn from the slim rows too
        assert ("routes to" in slim) if fmt == "html" else ("mermaid" in slim)


def normalised(folder: Path) -> dict[str, str]:
    """Every visible file's text with the run's time blanked out."""
    return {p.name: STAMP.sub("TIME", p.read_text(encoding="utf-8")) for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.fixture()
def writers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Note which process writes each streamed report (one file per pid)."""
    import provenance_cli.util.fileset as fileset

    pids = tmp_path / "pids"
    pids.mkdir()
    real = fileset.write_synced

    def noting(path, data, *, mode, sync=True):  # type: ignore[no-untyped-def]
        (pids / str(os.getpid())).touch()
        real(path, data, mode=mode, sync=sync)

    monkeypatch.setattr(fileset, "write_synced", noting)
    return pids


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_worker_processes_write_their_own_reports(
    synthetic: Path, tmp_path: Path, writers: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    if multiprocessing.get_start_method(allow_none=True) not in (None, "fork") or os.name != "posix":
        pytest.skip("the spy reaches worker processes only when they are forked")
    shutil.copytree(synthetic, tmp_path / "in")
    one = run_cli(["assess", "in", "-f", fmt, "-o", "one", "--jobs", "1", *FIXED], tmp_path)
    assert one.returncode in (0, 1), one.output
    parent_only = {p.name for p in writers.iterdir()}
    assert parent_only == {str(os.getpid())}  # --jobs 1: the reports are written here
    for pid in writers.iterdir():
        pid.unlink()

    monkeypatch.setattr("provenance_cli.util.parallel.PARALLEL_THRESHOLD", 1)  # real workers even for a small folder
    two = run_cli(["assess", "in", "-f", fmt, "-o", "two", "--jobs", "2", *FIXED], tmp_path)
    assert two.returncode == one.returncode, two.output
    report_writers = {p.name for p in writers.iterdir()} - {str(os.getpid())}
    assert len(report_writers) == 2, "each of the two workers writes the reports it rendered"

    assert normalised(tmp_path / "two") == normalised(tmp_path / "one")
    assert hidden_files(tmp_path / "two") == [MANIFEST]
    assert_one_complete_set(tmp_path / "two", fmt)


def test_a_failing_template_leaves_the_old_set_and_no_temporaries(synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(synthetic, tmp_path / "in")
    first = run_cli(["assess", "in", "-f", "html", "-o", "out", *FIXED], tmp_path)
    assert first.returncode in (0, 1), first.output
    before = digests(tmp_path / "out")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html.j2").write_text("{{ r.vendor.name }}{% if r.vendor.name.endswith('7') %}{{ 1 / 0 }}{% endif %}")
    monkeypatch.setattr("provenance_cli.util.parallel.PARALLEL_THRESHOLD", 1)
    broken = run_cli(["assess", "in", "-f", "html", "-o", "out", "--template-dir", "templates", "--jobs", "2", *FIXED], tmp_path)
    assert broken.returncode == 2, broken.output
    assert "cannot render the html report: ZeroDivisionError" in broken.output
    assert digests(tmp_path / "out") == before
    assert hidden_files(tmp_path / "out") == [MANIFEST]


def test_a_run_that_assesses_nothing_leaves_no_folder(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "broken.yaml").write_text("provcheck: 2\nvendor: [unclosed\n", encoding="utf-8")
    result = run_cli(["assess", "in", "-f", "html", "-o", "out", *FIXED], tmp_path)
    assert result.returncode == 2, result.output
    assert not (tmp_path / "out").exists()
