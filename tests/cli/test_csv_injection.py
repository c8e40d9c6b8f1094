"""CSV reports never hand a spreadsheet a formula (OWASP's CSV-injection advice).

A cell that begins with ``= + - @``, a tab, a carriage return or a line feed,
or with the full-width (＝ ＋ － ＠) or small (﹦ ﹢ ﹣ ﹫) forms of the
four signs, is written with a single quote in front: text, never a formula.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support.cli import run_cli
from support.dossiers import DOSSIER_HEAD

from provenance_cli.render.csv_report import FORMULA_TRIGGERS

TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫"]
ARGS = ["--no-screen", "--no-evidence", "--offline", "--as-of", "2026-09-01"]


def _dossiers(folder: Path) -> dict[str, str]:
    """One dossier per trigger, its vendor and legal names starting with it; file name -> vendor name."""
    folder.mkdir()
    names = {}
    for number, trigger in enumerate(TRIGGERS):
        name = f'{trigger}HYPERLINK("http://evil.example/?{number}","x")'
        text = DOSSIER_HEAD.replace("  name: Acme AI\n", f"  name: {json.dumps(name)}\n").replace(
            "  legal_name: Acme AI, Inc.\n", f"  legal_name: {json.dumps(trigger + 'cmd|calc')}\n"
        )
        (folder / f"v{number:02d}.yaml").write_text(text, encoding="utf-8")
        names[f"v{number:02d}.yaml"] = name
    return names


def test_every_trigger_is_neutralised(tmp_path: Path) -> None:
    names = _dossiers(tmp_path / "vendors")
    (tmp_path / "=1+1.yaml").write_text(DOSSIER_HEAD, encoding="utf-8")
    done = run_cli(["assess", "vendors", "=1+1.yaml", "-f", "csv", *ARGS], tmp_path)
    assert done.returncode == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout, newline="")))
    assert len(rows) == len(TRIGGERS) + 1
    by_file = {Path(row["dossier"].lstrip("'")).name: row for row in rows}
    for file, name in names.items():
        row = by_file[file]
        assert row["vendor"] == "'" + name, (file, row["vendor"])
        assert row["legal_name"].startswith("'") and row["legal_name"][1:].endswith("cmd|calc")
    assert by_file["=1+1.yaml"]["dossier"] == "'=1+1.yaml"
    for row in rows:
        assert not any(cell.startswith(tuple(TRIGGERS)) for cell in row.values() if cell), row
    assert set(TRIGGERS) == set(FORMULA_TRIGGERS)


def test_ordinary_text_and_numbers_are_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "acme.yaml").write_text(DOSSIER_HEAD.replace("  name: Acme AI\n", "  name: Acme = AI - Labs\n"), encoding="utf-8")
    done = run_cli(["assess", "plain", "-f", "csv", *ARGS], tmp_path)
    assert done.returncode == 0, done.output
    row = next(csv.DictReader(io.StringIO(done.stdout, newline="")))
    assert row["vendor"] == "Acme = AI - Labs"
    assert float(row["overall"]) >= 0


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_every_guarded_cell_back_as_text(tmp_path: Path) -> None:
    """LibreOffice Calc opens the report (formulas evaluated on import) and writes it back: no cell was run."""
    _dossiers(tmp_path / "vendors")
    done = run_cli(["assess", "vendors", "-f", "csv", "-o", "reports", *ARGS], tmp_path)
    assert done.returncode == 0, done.output
    report = tmp_path / "reports" / "summary.csv"
    out = tmp_path / "calc"
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"
    subprocess.run(
        ["soffice", "--headless", profile, "--convert-to", "csv", "--outdir", str(out), str(report)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    written = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8"), newline="")))
    reread = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"), newline="")))
    assert len(reread) == len(written) == len(TRIGGERS)
    for before, after in zip(written, reread, strict=True):
        for column in ("vendor", "legal_name", "dossier"):
            assert after[column] == before[column], (column, before[column], after[column])
