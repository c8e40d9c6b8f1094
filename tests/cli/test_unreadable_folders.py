"""A config or cache folder provcheck may not read is a clear error, never a traceback.

The user's config folder (``$XDG_CONFIG_HOME/provcheck``) that cannot be
read is bad input: exit 2, naming the folder. A list cache that cannot be
read or written is an unusable cache: exit 3 for the commands that need it
(``lists status``, ``lists update``, ``screen``), and ``assess`` still gives
its verdict, saying in words that the list could not be screened and why.
Commands that need neither keep working.

Permissions are real (``chmod 000``). As root, which ignores them, the
command runs in a child process without the capabilities that bypass file
permissions (``setpriv``); those runs are marked slow.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import REPO
from support.cli import CliResult, cli_env, run_cli
from support.screening import CSL

EXAMPLE = REPO / "examples" / "kestrel-ai.yaml"
DROP = ["--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]
ROOT = os.geteuid() == 0

pytestmark = [
    pytest.mark.skipif(ROOT and shutil.which("setpriv") is None, reason="root without setpriv cannot be refused a read"),
    # As root every run is a child process (about 0.7 s each): part of the full suite, not of the inner loop.
    *([pytest.mark.slow] if ROOT else []),
]


def provcheck(*args: str | Path, cwd: Path, **env: str) -> CliResult:
    """The command as an ordinary user would run it: permissions apply."""
    environment = cli_env(**env)
    if ROOT:
        return run_cli(args, cwd, env=environment, command=["setpriv", *DROP, sys.executable, "-m", "provenance_cli"])
    return run_cli(args, cwd, env=environment)


def error_lines(result: CliResult) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("provcheck: error:")]


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[list[Path]]:
    """Folders to chmod 000 for the test; given back their permissions afterwards so tmp_path can be cleaned."""
    folders: list[Path] = []
    yield folders
    for folder in folders:
        folder.chmod(0o755)


def lock(folders: list[Path], folder: Path) -> None:
    folder.chmod(0o000)
    folders.append(folder)


def test_unreadable_cache_is_exit_3_where_needed(tmp_path: Path, locked: list[Path]) -> None:
    cache = tmp_path / "cache"
    env = {"PROVCHECK_CACHE_DIR": str(cache)}
    filled = provcheck("lists", "update", "csl", "--url", CSL, cwd=tmp_path, **env)
    assert filled.returncode == 0, filled.output
    lock(locked, cache)
    reason = "the list cache cannot be used: Permission denied"

    status = provcheck("lists", "status", cwd=tmp_path, **env)
    assert status.returncode == 3, status.output
    assert "│ csl " in status.stdout and "unreadable" in status.stdout
    assert len(error_lines(status)) == 1 and reason in error_lines(status)[0]

    screened = provcheck("screen", "--offline", "-n", "Acme Trading", cwd=tmp_path, **env)
    assert screened.returncode == 3, screened.output
    assert f"warning: US Consolidated Screening List (ITA): not screened; {reason}" in screened.stderr.replace("\n", " ")

    assessed = provcheck("assess", EXAMPLE, "--offline", "--no-evidence", "-f", "json", cwd=tmp_path, **env)
    assert assessed.returncode == 0, assessed.output
    coverage = {c["source"]: c for c in assessed.json()["screening"]["coverage"]}
    assert not coverage["csl"]["screened"] and reason in coverage["csl"]["reason"]
    assert assessed.json()["decision"]["outcome"] in ("incomplete", "reject")

    update = provcheck("lists", "update", "csl", "--url", CSL, cwd=tmp_path, **env)
    assert update.returncode == 3 and len(error_lines(update)) == 1 and reason in error_lines(update)[0]

    for untouched in (["validate", EXAMPLE], ["assess", EXAMPLE, "--no-screen", "--no-evidence", "--offline"], ["questionnaires", "list"]):
        done = provcheck(*untouched, cwd=tmp_path, **env)
        assert done.returncode == 0, (untouched, done.output)


def test_unreadable_source_folder_inside_the_cache(tmp_path: Path, locked: list[Path]) -> None:
    cache = tmp_path / "cache"
    env = {"PROVCHECK_CACHE_DIR": str(cache)}
    assert provcheck("lists", "update", "csl", "--url", CSL, cwd=tmp_path, **env).returncode == 0
    lock(locked, cache / "lists" / "csl")
    update = provcheck("lists", "update", "csl", "--url", CSL, cwd=tmp_path, **env)
    assert update.returncode == 3, update.output
    assert error_lines(update) == [
        f"provcheck: error: the list cache cannot be used: Permission denied ({cache / 'lists' / 'csl' / '.lock'}); "
        "fix the folder's permissions, or move the cache with PROVCHECK_CACHE_DIR"
    ]


def test_unreadable_config_folder_is_exit_2_and_spares_other_commands(tmp_path: Path, locked: list[Path]) -> None:
    config = tmp_path / "xdg" / "provcheck"
    config.mkdir(parents=True)
    (config / "config.yaml").write_text("screening: {}\n", encoding="utf-8")
    lock(locked, config)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "PROVCHECK_CACHE_DIR": str(tmp_path / "cache")}
    expected = (
        f"provcheck: error: cannot read the config folder {config}: Permission denied; "
        "fix its permissions, or point PROVCHECK_CONFIG at a config file"
    )
    for needs_config in (["lists", "status"], ["screen", "--offline", "-n", "Acme"], ["assess", EXAMPLE, "--offline", "--no-evidence"]):
        done = provcheck(*needs_config, cwd=tmp_path, **env)
        assert done.returncode == 2, (needs_config, done.output)
        assert error_lines(done) == [expected], (needs_config, done.output)
    spared = (["validate", EXAMPLE], ["assess", EXAMPLE, "--no-screen", "--no-evidence", "--offline"], ["init", "Acme", "-o", "acme.yaml"])
    for untouched in spared:
        done = provcheck(*untouched, cwd=tmp_path, **env)
        assert done.returncode == 0, (untouched, done.output)
    (tmp_path / "unreadable.yaml").write_text("screening: {}\n", encoding="utf-8")
    (tmp_path / "unreadable.yaml").chmod(0o000)
    named = provcheck("lists", "status", cwd=tmp_path, PROVCHECK_CONFIG=str(tmp_path / "unreadable.yaml"))
    assert named.returncode == 2 and named.stderr.strip() == f"{tmp_path / 'unreadable.yaml'}: cannot read file: Permission denied"
