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
    built = _run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(REPO)], root, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("provcheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for questionnaire_id in QUESTIONNAIRE_ORDER:
        assert f"provenance_cli/_data/questionnaires/{questionnaire_id}.yaml" in names
    assert "provenance_cli/_data/schemas/dossier.schema.json" in names
    assert "provenance_cli/_data/schemas/policy.schema.json" in names
    _check_metadata(wheel)
    (sdist,) = dist.glob("provcheck-*.tar.gz")
    _check_sdist(sdist)

    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    install = _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], root)
    assert install.returncode == 0, install.stderr
    return bin_dir


def _check_metadata(wheel: Path) -> None:
    """The licence travels with the wheel, and the metadata says who, what and for which Pythons."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode("utf-8")
        licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert licence, names
        assert archive.read(licence[0]) == (REPO / "LICENSE").read_bytes()
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata
    assert "Author: provcheck maintainers" in metadata
    assert "Classifier: Programming Language :: Python :: 3.10" in metadata
    assert "Requires-Python: >=3.10" in metadata
    from provenance_cli import __version__

    assert f"Version: {__version__}" in metadata


def _check_sdist(sdist: Path) -> None:
    """The source distribution carries the licence, the changelog, the hooks and the Action."""
    import tarfile

    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for wanted in ("LICENSE", "CHANGELOG.md", "README.md", ".pre-commit-hooks.yaml", "action.yml", "pyproject.toml"):
        assert wanted in names, wanted


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
    header = (outside / "wheel-test-ai.yaml").read_text(encoding="utf-8").splitlines()[0]
    schema = Path(header.split("$schema=", 1)[1])
    assert schema.is_file() and schema.is_relative_to(installed.parent), header  # the wheel's own copy
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
