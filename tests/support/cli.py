"""The one way the tests run provcheck's command line.

``run_cli(args, cwd)`` runs the command in this process by default: the
real ``provenance_cli.cli.app.main`` entry point with ``sys.argv``, the
environment and the working folder set as for a child process, stdout and
stderr captured as bytes behind non-terminal text streams, and the exit
code taken from ``SystemExit``. Process-global state that a fresh process
would not carry over (offline flag, cached rich consoles, screening caches
of "already tried" downloads and parsed config files) is reset before and
after each run.

``process=True`` runs ``python -m provenance_cli`` (or any ``command``, such
as an installed console script) in a real child process instead, for the
tests that are about the entry point itself: exit codes through the
interpreter, bytes in argv, signals, the installed wheel.

Either way a traceback in the output fails the test.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# State a new process would start without. The offline flag and the consoles
# must exist. Caches are cleared when present: dicts of "already tried"
# downloads and parsed config files, and caches keyed by a user's file name
# (a policy "policy.yaml" in one test's folder is not the one in the next).
# Caches of bundled data (questionnaires, templates) are kept: they are the
# same for every run, and reloading them would cost most of the speed-up.
# Template caches are keyed by --template-dir too, so runs given one clear them.
_REQUIRED_STATE = ("provenance_cli.cli.terminal", "_consoles")
_OPTIONAL_STATE = (
    ("provenance_cli.formats.safeyaml", "_stdin"),
    ("provenance_cli.screening.screen", "_fetch_failures"),
    ("provenance_cli.screening.config", "_configs"),
    ("provenance_cli.screening.cache", "_loaded"),
    ("provenance_cli.screening.screen", "_offline_lists"),
    ("provenance_cli.assessment.pipeline", "policy_for"),
    ("provenance_cli.assessment.scoring", "_plans"),
)
_TEMPLATE_STATE = (
    ("provenance_cli.render.templating", "environment"),
    ("provenance_cli.render.templating", "_template"),
)


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

    def json(self) -> Any:
        return json.loads(self.stdout)

    def report(self) -> Any:
        """The JSON report(s) on stdout in the full shape (findings with their trace fields, answers with their question's text)."""
        from .reports import full_report

        return full_report(self.json())


def cli_env(*, offline: bool = True, columns: int = 200, **extra: str) -> dict[str, str]:
    """The environment provcheck runs in: plain text, fixed width, UTF-8, no proxies.

    ``offline=True`` sets ``PROVCHECK_OFFLINE=1``; tests that talk to the
    loopback server pass ``offline=False``. ``extra`` adds or overrides
    variables.
    """
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.pop("FORCE_COLOR", None)
    env.pop("PROVCHECK_OFFLINE", None)
    env.update(NO_COLOR="1", COLUMNS=str(columns), PYTHONIOENCODING="utf-8")
    if offline:
        env["PROVCHECK_OFFLINE"] = "1"
    env.update(extra)
    return env


def _argv(args: Sequence[str | bytes | os.PathLike[str]]) -> list[str | bytes]:
    return [a if isinstance(a, bytes) else os.fspath(a) for a in args]


def run_cli(
    args: Sequence[str | bytes | os.PathLike[str]],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    process: bool = False,
    command: Sequence[str] | None = None,
    timeout: float = 120,
    stdin: bytes = b"",
) -> CliResult:
    """Run provcheck with ``args`` in ``cwd``; a traceback always fails the test.

    ``env`` defaults to :func:`cli_env`. ``process=True`` (implied by
    ``command``) runs a child process; ``timeout`` bounds it as a safety net
    only, never as an assertion. ``stdin`` is what the command reads as its
    standard input (typed answers for ``provcheck fill``).
    """
    environment = dict(cli_env() if env is None else env)
    if process or command is not None:
        result = _run_process(_argv(args), cwd, environment, command, timeout, stdin)
    else:
        result = _run_in_process(_argv(args), cwd, environment, stdin)
    assert "Traceback" not in result.output, result.output
    return result


def _run_process(
    args: list[str | bytes], cwd: Path, env: dict[str, str], command: Sequence[str] | None, timeout: float, stdin: bytes = b""
) -> CliResult:
    argv: list[str | bytes] = [*(command or (sys.executable, "-m", "provenance_cli")), *args]
    proc = subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=timeout, check=False)
    return CliResult(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def _reset_process_state(argv: list[str]) -> None:
    from provenance_cli.util import net

    net.set_offline(False)
    module, name = _REQUIRED_STATE
    __import__(module)
    getattr(sys.modules[module], name).clear()
    optional = [*_OPTIONAL_STATE, *(_TEMPLATE_STATE if "--template-dir" in argv else ())]
    for module, name in optional:
        state = getattr(sys.modules.get(module), name, None)
        clear = getattr(state, "cache_clear", None) or getattr(state, "clear", None)
        if clear is not None:
            clear()


class _Captured(io.BytesIO):
    """Bytes written to a standard stream; survives the text wrapper closing it."""

    def close(self) -> None:
        pass


@contextlib.contextmanager
def _process_like(argv: list[str], cwd: Path, env: dict[str, str], stdin: bytes = b"") -> Iterator[tuple[_Captured, _Captured]]:
    """sys.argv, os.environ, the working folder and the standard streams as a child would see them."""
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_argv = sys.argv
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    out, err = _Captured(), _Captured()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        sys.argv = ["provcheck", *argv]
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
        sys.stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True)
        _reset_process_state(argv)
        yield out, err
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(ValueError):
                stream.flush()
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        _reset_process_state(argv)


def _run_in_process(args: list[str | bytes], cwd: Path, env: dict[str, str], stdin: bytes = b"") -> CliResult:
    from provenance_cli.cli.app import main

    # A child process decodes bytes in argv with the file-system encoding and
    # surrogateescape; do the same here.
    argv = [os.fsdecode(a) if isinstance(a, bytes) else a for a in args]
    code: int = 0
    with _process_like(argv, cwd, env, stdin) as (out, err):
        try:
            main()
        except SystemExit as exit_:
            if exit_.code is None:
                code = 0
            elif isinstance(exit_.code, int):
                code = exit_.code
            else:
                sys.stderr.write(f"{exit_.code}\n")
                code = 1
        except Exception:  # what a child would print before dying with status 1
            sys.stderr.write(traceback.format_exc())
            code = 1
    return CliResult(code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"))
