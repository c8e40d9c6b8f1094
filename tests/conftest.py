"""Shared fixtures: real files in tmp_path, the real CLI, the loopback HTTP server.

The helpers behind them live in ``tests/support/`` (importable as
``support.*``: pytest puts ``tests/`` on ``sys.path``, see pyproject.toml).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.cli import CliResult, run_cli
from support.dossiers import Builders, pick_question
from support.evidence import serve_evidence_site
from support.http import Server, closed_port


def pytest_configure(config: pytest.Config) -> None:
    """Let Python keep compiled modules, in this process, its xdist workers and every provcheck child process.

    Some machines (this project's CI image among them) set PYTHONDONTWRITEBYTECODE:
    then every worker recompiles and re-rewrites every test module (about
    5 s of collection each) and every child ``provcheck`` compiles the whole
    package again before its first line runs. __pycache__ is git-ignored.
    """
    del config
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., CliResult]:
    """``cli("validate", "x.yaml")`` runs provcheck (in this process) with tmp_path as the working folder.

    ``process=True`` runs ``python -m provenance_cli`` in a child process instead.
    """

    def run(*args: str | bytes | os.PathLike[str], cwd: Path | None = None, process: bool = False, stdin: bytes = b"") -> CliResult:
        return run_cli(args, cwd or tmp_path, process=process, stdin=stdin)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write("a/b.yaml", text_or_bytes)`` creates a real file under tmp_path."""

    def make(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return make


@pytest.fixture
def expect_invalid(cli: Callable[..., CliResult], write: Callable[[str, str | bytes], Path]) -> Callable[..., CliResult]:
    """Write ``content`` to ``name``, validate it, and insist on one exact problem line.

    The line must read ``name:line:col: message`` (or start with it when
    ``prefix=True``); the exit code must be 2.
    """

    def check(
        name: str,
        content: str | bytes,
        line: int,
        column: int,
        message: str,
        *,
        prefix: bool = False,
    ) -> CliResult:
        write(name, content)
        result = cli("validate", name)
        assert result.returncode == 2, result.output
        expected = f"{name}:{line}:{column}: {message}"
        if prefix:
            assert any(out.startswith(expected) for out in result.lines), (expected, result.output)
        else:
            assert expected in result.lines, (expected, result.output)
        return result

    return check


@pytest.fixture(scope="session")
def catalogue():
    from provenance_cli.formats.questionnaires import load_catalogue

    return load_catalogue()


@pytest.fixture
def question_of(catalogue) -> Callable[..., object]:
    return lambda kind, conditional=False: pick_question(catalogue, kind, conditional=conditional)


@pytest.fixture(scope="session")
def build() -> Builders:
    return Builders()


@pytest.fixture
def server() -> Iterator[Server]:
    """The loopback HTTP server (127.0.0.1 only), stopped after the test."""
    with Server() as running:
        yield running


@pytest.fixture
def site(server: Server) -> Server:
    """The loopback server serving the evidence pages of ``support.evidence``."""
    return serve_evidence_site(server)


@pytest.fixture(name="closed_port")
def closed_port_fixture() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    return closed_port()


@pytest.fixture(scope="session")
def question_ids(catalogue) -> list[str]:
    """Ids of the unconditional bundled questions, for dossiers that cite evidence."""
    ids = [q.id for q in catalogue.questions.values() if q.applies_if is None]
    assert len(ids) >= 3
    return ids
