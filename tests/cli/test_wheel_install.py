"""The built wheel works on its own: fresh venv, no checkout, bundled data inside.

Builds with ``pip wheel`` (isolated build; hatchling comes from the package
index), installs into a new virtual environment *without* system site
packages, and runs the installed ``provcheck`` from a folder outside the
checkout, so nothing can silently fall back to the repository's files.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from support import REPO
from support.cli import CliResult, run_cli

from provenance_cli.formats.questionnaires import QUESTIONNAIRE_ORDER


def _env() -> dict[str, str]:
    # proxies kept: pip fetches hatchling for the isolated build
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PROVCHECK_OFFLINE": "1"}


def _run(argv: list[str], cwd: Path, timeout: float = 240) -> CliResult:
    """A program in a child process (pip, the venv's python, the installed provcheck)."""
    return run_cli(argv[1:], cwd, env=_env(), command=argv[:1], timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ folder of a fresh venv with the freshly built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-w", str(dist), "-q"], root)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("provcheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for questionnaire_id in QUESTIONNAIRE_ORDER:
        assert f"provenance_cli/_data/questionnaires/{questionnaire_id}.yaml" in names
    assert "provenance_cli/_data/schemas/dossier.schema.json" in names

    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    install = _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], root)
    assert install.returncode == 0, install.stderr
    return bin_dir


@pytest.mark.slow
def test_installed_wheel_lists_the_bundled_questionnaires(installed, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = _run([str(installed / "provcheck"), "questionnaires", "list", "-f", "json"], outside)
    assert result.returncode == 0, result.stderr
    ids = [row["id"] for row in json.loads(result.stdout)]
    assert set(QUESTIONNAIRE_ORDER) <= set(ids), ids
    text = _run([str(installed / "provcheck"), "questionnaires", "list"], outside)
    for questionnaire_id in QUESTIONNAIRE_ORDER:
        assert questionnaire_id in text.stdout


@pytest.mark.slow
def test_installed_wheel_validates_outside_the_checkout(installed, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    provcheck = str(installed / "provcheck")
    made = _run([provcheck, "init", "Wheel Test AI", "--assessor", "T"], outside)
    assert made.returncode == 0, made.stderr
    assert _run([provcheck, "validate", "wheel-test-ai.yaml"], outside).returncode == 0
    for example in sorted((REPO / "examples").glob("*.yaml"))[:2]:
        shutil.copy(example, outside / example.name)
        checked = _run([provcheck, "validate", example.name], outside)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    bad = outside / "bad.yaml"
    bad.write_text("provcheck: 1\nprovcheck: 1\n")
    refused = _run([provcheck, "validate", "bad.yaml"], outside)
    assert refused.returncode == 2
    assert refused.stdout.startswith("bad.yaml:2:1: duplicate key 'provcheck'")


@pytest.mark.slow
def test_installed_wheel_never_imports_from_the_checkout(installed, tmp_path):
    probe = _run(
        [str(installed / "python"), "-c", "import provenance_cli, sys; print(provenance_cli.__file__)"],
        tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    assert not Path(probe.stdout.strip()).is_relative_to(REPO)
