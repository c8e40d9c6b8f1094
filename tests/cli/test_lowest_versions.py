"""The dependency floors in pyproject.toml are real: provcheck works at the lowest versions it allows.

A fresh virtual environment gets provcheck with every direct dependency pinned
to its floor (a pip constraints file made from ``pyproject.toml``), and the
installed command then assesses, validates, renders and prints schemas. A
floor that is too low (typer 0.12, whose options crash; pydantic 2.7, whose
schemas differ from the published ones) fails here, not in a user's install.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import venv
from pathlib import Path

import pytest
from support import REPO
from support.cli import CliResult, run_cli

tomllib = pytest.importorskip("tomllib")

FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*$")


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def floors() -> dict[str, str]:
    """Each direct runtime dependency's lowest allowed version, from its ``>=`` bound."""
    found = {}
    for requirement in pyproject()["project"]["dependencies"]:
        match = FLOOR.match(requirement)
        assert match, f"every dependency needs a plain >= floor, got {requirement!r}"
        found[match.group(1).lower()] = match.group(2)
    return found


def test_mypy_checks_the_lowest_supported_python():
    data = pyproject()
    lowest = re.fullmatch(r">=\s*(3\.\d+)", data["project"]["requires-python"])
    assert lowest, data["project"]["requires-python"]
    assert data["tool"]["mypy"]["python_version"] == lowest.group(1)
    assert data["tool"]["ruff"]["target-version"] == "py" + lowest.group(1).replace(".", "")


def test_floors_are_the_ones_known_to_work():
    """The two floors the issue found broken stay raised."""
    found = floors()
    assert tuple(int(p) for p in found["typer"].split(".")[:2]) >= (0, 13)
    assert tuple(int(p) for p in found["pydantic"].split(".")[:2]) >= (2, 11)


def _env(cache: Path) -> dict[str, str]:
    # Proxies kept: pip needs the package index. Offline for provcheck itself.
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PROVCHECK_OFFLINE": "1", "PROVCHECK_CACHE_DIR": str(cache)}


@pytest.fixture(scope="module")
def lowest(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """bin/ of a venv holding provcheck at its dependency floors, and that environment."""
    root = tmp_path_factory.mktemp("lowest")
    env = _env(root / "cache")
    constraints = root / "constraints.txt"
    constraints.write_text("".join(f"{name}=={version}\n" for name, version in floors().items()), encoding="utf-8")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    install = run_cli(
        ["-m", "pip", "install", "-q", "-c", str(constraints), str(REPO)], root, env=env, command=[str(bin_dir / "python")], timeout=600
    )
    assert install.returncode == 0, install.stderr[-3000:]
    return bin_dir, env


def _provcheck(lowest: tuple[Path, dict[str, str]], *args: str, cwd: Path = REPO) -> CliResult:
    bin_dir, env = lowest
    return run_cli(list(args), cwd, env=env, command=[str(bin_dir / "provcheck")], timeout=180)


@pytest.mark.slow
def test_the_floors_are_what_got_installed(lowest):
    bin_dir, env = lowest
    probe = run_cli(
        ["-c", "import json, importlib.metadata as m, sys; print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))", *floors()],
        REPO,
        env=env,
        command=[str(bin_dir / "python")],
    )
    assert probe.returncode == 0, probe.stderr
    installed = json.loads(probe.stdout)
    for name, floor in floors().items():
        # "rich>=13" installs 13.0.0: compare release numbers padded with zeros
        want = [int(p) for p in floor.split(".")]
        got = [int(p) for p in re.findall(r"\d+", installed[name])[: max(3, len(want))]]
        assert got[: len(want)] == want and not any(got[len(want) :]), (name, floor, installed[name])


@pytest.mark.slow
def test_smoke_at_the_floors(lowest, tmp_path):
    assessed = _provcheck(lowest, "assess", "examples/kestrel-ai.yaml")
    assert assessed.returncode == 0, assessed.output[-3000:]
    assert "Kestrel AI" in assessed.stdout and "reject" in assessed.stdout.lower()

    gated = _provcheck(lowest, "assess", "examples/", "--fail-on", "reject")
    assert gated.returncode == 1, gated.output[-3000:]

    checked = _provcheck(lowest, "validate", "examples/")
    assert checked.returncode == 0, checked.output[-3000:]

    for fmt, suffix in (("json", ".json"), ("md", ".md"), ("html", ".html"), ("sarif", ".sarif"), ("junit", ".xml")):
        target = tmp_path / f"out{suffix}"
        written = _provcheck(lowest, "assess", "examples/kestrel-ai.yaml", "-f", fmt, "-o", str(target))
        assert written.returncode == 0, (fmt, written.output[-3000:])
        assert target.stat().st_size > 0

    # The vendor round trip: openpyxl and defusedxml write and read the workbook; ruamel.yaml makes the comment-keeping edit.
    workbook = tmp_path / "kestrel.xlsx"
    exported = _provcheck(lowest, "questions", "examples/kestrel-ai.yaml", "-f", "xlsx", "-o", str(workbook))
    assert exported.returncode == 0 and workbook.stat().st_size > 0, exported.output[-3000:]
    read_back = _provcheck(lowest, "import", "examples/kestrel-ai.yaml", str(workbook), "--dry-run")
    assert read_back.returncode == 0 and "nothing to import" in read_back.output, read_back.output[-3000:]
    sheet = tmp_path / "kestrel.csv"
    assert _provcheck(lowest, "questions", "examples/kestrel-ai.yaml", "-f", "csv", "-o", str(sheet)).returncode == 0
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    header = next(row for row in rows if row and row[0] == "Question id")
    (row,) = [row for row in rows if row and row[0] == "extraction.proxy_reseller_detection"]
    row[header.index("Your answer")] = "No"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    sheet.write_text(buffer.getvalue(), encoding="utf-8")
    planned = _provcheck(lowest, "import", "examples/kestrel-ai.yaml", str(sheet), "--dry-run")
    assert planned.returncode == 0 and "+    answer: no" in planned.stdout, planned.output[-3000:]

    for name in ("dossier", "questionnaire", "report", "policy"):
        shown = _provcheck(lowest, "schema", "show", name)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout == (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"), name
