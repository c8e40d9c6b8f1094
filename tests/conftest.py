"""Shared fixtures: real files in tmp_path, the real CLI in a subprocess.

Bad-input tests run ``python -m provenance_cli`` exactly as a user would, so
exit codes, stdout/stderr and the absence of tracebacks are what ships.
Questions are picked from the bundled catalogue by type rather than by id,
so the tests keep working while the questionnaires evolve.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The first line of an answer in DOSSIER_HEAD-based files: the header below is
# exactly eight lines long, so the first question key is on line 9.
DOSSIER_HEAD = """\
provcheck: 1
vendor:
  name: Acme AI
  legal_name: Acme AI, Inc.
assessment:
  assessor: Jane Doe
  date: 2026-07-01
answers:
"""
FIRST_ANSWER_LINE = 9


@dataclass(frozen=True)
class CliResult:
    """What one run of the command line produced."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def lines(self) -> list[str]:
        """Every stdout and stderr line, for exact-line assertions."""
        return self.output.splitlines()


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(NO_COLOR="1", COLUMNS="200", PYTHONIOENCODING="utf-8", PROVCHECK_OFFLINE="1")
    env.pop("FORCE_COLOR", None)
    return env


def run_cli(
    args: Sequence[str | bytes | os.PathLike[str]], cwd: Path, timeout: float = 120
) -> CliResult:
    """Run ``python -m provenance_cli ARGS`` in ``cwd``; a traceback always fails the test."""
    argv: list[str | bytes] = [sys.executable, "-m", "provenance_cli"]
    argv += [a if isinstance(a, bytes) else os.fspath(a) for a in args]
    proc = subprocess.run(
        argv, cwd=cwd, env=cli_env(), capture_output=True, timeout=timeout, check=False
    )
    result = CliResult(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., CliResult]:
    """``cli("validate", "x.yaml")`` runs provcheck with tmp_path as the working folder."""

    def run(*args: str | bytes | os.PathLike[str], cwd: Path | None = None) -> CliResult:
        return run_cli(args, cwd or tmp_path)

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
def expect_invalid(
    cli: Callable[..., CliResult], write: Callable[[str, str | bytes], Path]
) -> Callable[..., CliResult]:
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


def pick_question(catalogue, kind: str, *, conditional: bool = False):
    """The first bundled question of a type (unconditional unless asked otherwise)."""
    for question in catalogue.questions.values():
        if question.type == kind and (question.applies_if is not None) == conditional:
            return question
    pytest.skip(f"no bundled {'conditional ' if conditional else ''}{kind} question")


@pytest.fixture
def question_of(catalogue) -> Callable[..., object]:
    return lambda kind, conditional=False: pick_question(catalogue, kind, conditional=conditional)


def valid_answer(question) -> str:
    """A YAML fragment that is an acceptable answer to ``question``."""
    if question.type == "yes_no":
        return "yes"
    if question.type == "single_choice":
        return question.choices[0].value
    if question.type == "multiple_choice":
        return f"[{question.choices[0].value}]"
    if question.type == "number":
        return f"{(question.minimum or 0) + 5:g}"
    if question.type == "date":
        return "2026-01-15"
    return "free text answer"


def answer_block(question_id: str, answer: str, extra: str = "") -> str:
    """Lines for one entry under ``answers:``; the answer value sits at column 13."""
    return f"  {question_id}:\n    answer: {answer}\n{extra}"


def dossier(*answer_blocks: str) -> str:
    """A minimal valid dossier with the given answer entries appended."""
    if not answer_blocks:
        return DOSSIER_HEAD.replace("answers:\n", "answers: {}\n")
    return DOSSIER_HEAD + "".join(answer_blocks)


@dataclass(frozen=True)
class Builders:
    """The helpers above, as a fixture (tests never import conftest directly)."""

    head: str = DOSSIER_HEAD
    first_answer_line: int = FIRST_ANSWER_LINE
    dossier: Callable[..., str] = staticmethod(dossier)  # type: ignore[assignment]
    answer_block: Callable[..., str] = staticmethod(answer_block)  # type: ignore[assignment]
    valid_answer: Callable[..., str] = staticmethod(valid_answer)  # type: ignore[assignment]


@pytest.fixture(scope="session")
def build() -> Builders:
    return Builders()
