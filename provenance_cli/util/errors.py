"""Error types that map onto provcheck's exit-code contract.

The CLI catches :class:`ProvcheckError` and turns it into readable lines and
an exit code; nothing below the CLI prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_GATE = 1
EXIT_INPUT = 2
EXIT_SERVICE = 3


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, with the place to fix it."""

    source: str
    """The file as the user named it."""
    line: int
    """1-based line; 0 when the problem concerns the whole file."""
    column: int
    """1-based column; 0 when the problem concerns the whole file."""
    message: str
    """What was expected, in words a dossier author understands."""

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.source}: {self.message}"
        return f"{self.source}:{self.line}:{self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The problem as JSON output gives it: ``file``, ``line``, ``column``, ``message``."""
        return {"file": self.source, "line": self.line, "column": self.column, "message": self.message}


class ProvcheckError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = EXIT_INPUT


class InputError(ProvcheckError):
    """Bad input or usage: one or more problems, each with a file position."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(ProvcheckError):
    """A command was asked for something it cannot do (exit 2)."""

    exit_code = EXIT_INPUT


class GateTripped(ProvcheckError):
    """A risk gate the user set (``--fail-on``, ``--fail-on-worse``...) tripped (exit 1)."""

    exit_code = EXIT_GATE

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("gate tripped: " + "; ".join(self.reasons))


class ServiceError(ProvcheckError):
    """An outside service failed and no usable cache exists (exit 3)."""

    exit_code = EXIT_SERVICE
