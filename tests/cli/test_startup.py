"""``provcheck --help`` stays light: heavy libraries load only when a command runs.

Checked with ``python -X importtime``, which lists every module imported; no
timing is asserted here (performance goals live in benchmarks/).
"""

from __future__ import annotations

import sys

import pytest
from support import REPO
from support.cli import run_cli

HEAVY = ("pydantic", "yaml", "jinja2", "httpx", "rapidfuzz", "jsonschema", "provenance_cli.formats.models")
# typer >= 0.16 builds parameter converters with pydantic when it renders one
# *command's* help, so pydantic is exempt there (it is typer's import, not ours).
HEAVY_BUT_TYPER = tuple(name for name in HEAVY if name != "pydantic")


def imported_modules(*argv: str) -> set[str]:
    proc = run_cli(argv, REPO, command=[sys.executable, "-X", "importtime"], timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    assert "provenance_cli" in modules  # the probe really saw our imports
    return modules


def heavy_in(modules: set[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "provenance_cli", "--help"],
        ["-m", "provenance_cli", "--version"],
        ["-c", "import provenance_cli.cli.app"],
    ],
    ids=["--help", "--version", "import-cli"],
)
def test_help_imports_no_heavy_library(argv):
    assert heavy_in(imported_modules(*argv), HEAVY) == []


@pytest.mark.parametrize("command", ["init", "validate", "questionnaires", "schema"])
def test_command_help_imports_no_heavy_library_of_ours(command):
    modules = imported_modules("-m", "provenance_cli", command, "--help")
    assert heavy_in(modules, HEAVY_BUT_TYPER) == []


def test_diff_of_dossiers_does_not_import_jsonschema():
    """jsonschema checks JSON reports only; commands that read none never pay for it."""
    dossier = str(REPO / "examples" / "tinyweights-host.yaml")
    offline = ["--as-of", "2026-09-01", "--no-screen", "--no-evidence", "--offline"]
    assert heavy_in(imported_modules("-m", "provenance_cli", "diff", dossier, dossier, *offline), ("jsonschema",)) == []
