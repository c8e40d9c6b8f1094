"""Conventions every command shares: format names, how much to say, stdin, CI annotations.

* **One name per format.** ``text`` is the terminal format in every command;
  ``terminal`` is accepted for it everywhere (``assess`` and ``compare`` used
  to call it that), and ``markdown`` for ``md``.
* **How much to say.** ``--quiet`` / ``-q`` drops progress bars and notes
  (what was written, summaries); problems, warnings and errors still show.
  ``--verbose`` / ``-v`` adds a line per file judged and the settings in
  effect. Both work before the command (``provcheck -q assess ...``) and on
  the commands that print progress.
* **Standard input.** ``-`` in place of a dossier path reads the dossier
  from stdin (``cat vendor.yaml | provcheck assess -``); problems then name
  the file ``-``.
* **Worker counts.** ``--jobs`` / ``-j`` refuses 0 and negative numbers
  (exit 2) and brings a number above the CPUs this process may use down to
  that number, with a warning. More workers than CPUs cannot make CPU-bound
  work faster, only use more memory; the results are the same either way, so
  a CI file written for a larger machine still runs on a smaller one.
* **GitHub annotations.** Under ``GITHUB_ACTIONS=true`` assess and validate
  print workflow commands so findings and problems appear on the dossier
  lines in the pull request (``--no-annotations`` turns them off).

Only typer is imported here at module level, so ``--help`` stays light.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult
    from provenance_cli.util.errors import Problem

# --------------------------------------------------------------------------- format names

FORMAT_ALIASES = {"terminal": "text", "markdown": "md"}
"""Other names accepted for a format, mapped to its one name."""


def output_format(given: str, allowed: Sequence[str]) -> str:
    """The canonical name of ``given`` (aliases resolved, any case); exit 2 naming the choices when it is not one of ``allowed``."""
    name = FORMAT_ALIASES.get(given.lower(), given.lower())
    if name not in allowed:
        from provenance_cli.cli.terminal import fail_usage

        fail_usage(f"--format: unknown format '{given}'", list(allowed))
    return name


# --------------------------------------------------------------------------- verbosity

_level = [0]
"""-1 quiet, 0 normal, 1 verbose; set by the root callback for every run, then by a command's own flags."""

Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bars or notes on stderr; problems, warnings and errors still show.")
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Also say what each file came to and which settings were used.")]


def set_verbosity(quiet: bool, verbose: bool, *, reset: bool = False) -> None:
    """Apply ``--quiet``/``--verbose``; ``reset`` (the root callback) starts each run from normal."""
    if quiet and verbose:
        from provenance_cli.cli.terminal import fail_usage

        fail_usage("--quiet and --verbose contradict each other; give one")
    if reset:
        _level[0] = 0
    if quiet:
        _level[0] = -1
    elif verbose:
        _level[0] = 1


def is_quiet() -> bool:
    """True under ``--quiet``: no progress, no notes."""
    return _level[0] < 0


def is_verbose() -> bool:
    """True under ``--verbose``."""
    return _level[0] > 0


def detail(message: str) -> None:
    """A note on stderr under ``--verbose`` only."""
    if is_verbose():
        from provenance_cli.cli.terminal import note

        note(message)


# --------------------------------------------------------------------------- standard input

STDIN = "-"
"""The path that means "read the dossier from standard input"."""


def check_stdin_paths(paths: Sequence[Path]) -> None:
    """``-`` must stand alone: stdin holds one dossier, read once in this process (exit 2 otherwise)."""
    dashes = sum(1 for p in paths if str(p) == STDIN)
    if dashes and len(paths) > 1:
        from provenance_cli.cli.terminal import fail_usage

        fail_usage("'-' (a dossier on standard input) must be the only path given")


def provcheck_files(paths: Sequence[Path], skip_other_yaml: bool, *, kinds: frozenset[str] | None) -> tuple[list[Path], list[Problem]]:
    """The files under ``paths``; with ``skip_other_yaml``, only those whose marker key says they are provcheck files of ``kinds``.

    Other YAML (workflows, compose files, pre-commit configs) is passed over
    by its text, never parsed, so YAML the strict loader would refuse cannot
    fail the run. Skipped files are named under --verbose.
    """
    from provenance_cli.formats.dossier import declared_kind
    from provenance_cli.formats.safeyaml import read_bytes
    from provenance_cli.util.errors import InputError
    from provenance_cli.util.files import discover

    files, missing = discover(paths)
    if not skip_other_yaml:
        return files, missing
    kept: list[Path] = []
    for path in files:
        try:
            kind = declared_kind(read_bytes(path))
        except InputError as exc:  # unreadable or too large: say so, as for any file
            missing.extend(exc.problems)
            continue
        if kind is not None and (kinds is None or kind in kinds):
            kept.append(path)
        else:
            detail(f"{path}: skipped ({'not a provcheck file' if kind is None else f'a {kind}'})")
    return kept, missing


# --------------------------------------------------------------------------- GitHub annotations

Annotations = Annotated[
    bool | None,
    typer.Option(
        "--annotations/--no-annotations",
        help="Print GitHub workflow-command annotations for findings and problems (default: on when GITHUB_ACTIONS=true).",
        show_default=False,
    ),
]


def wants_annotations(flag: bool | None) -> bool:
    """The ``--annotations`` flag, or whether this runs in GitHub Actions."""
    return flag if flag is not None else os.environ.get("GITHUB_ACTIONS", "").lower() == "true"


def print_annotations(results: Sequence[VendorResult], problems: Sequence[Problem], *, stdout_free: bool) -> None:
    """Findings, decisions and problems as workflow commands.

    On stdout, where GitHub's documentation says the runner reads them,
    unless stdout carries a machine-readable report (JSON, SARIF... without
    ``-o``): then on stderr, which the runner reads as well, so the report
    stays parseable. Each line goes through the terminal's :func:`visible`
    like every other view: a bidi override or zero-width character in a
    vendor's text is shown as its escape in the log, never acted on.
    """
    from provenance_cli.render.annotations import assessment_annotations

    print_annotation_lines(assessment_annotations(results), problems, stdout_free=stdout_free)


def print_annotation_lines(assessed: Sequence[str], problems: Sequence[Problem], *, stdout_free: bool) -> None:
    """:func:`print_annotations` from the vendors' workflow commands made already (in the workers that streamed their reports)."""
    from provenance_cli.cli.terminal import visible
    from provenance_cli.render.annotations import problem_annotations

    lines = [*problem_annotations(problems), *assessed]
    if lines:
        stream = sys.stdout if stdout_free else sys.stderr
        stream.write("\n".join(visible(line) for line in lines) + "\n")
        stream.flush()


# --------------------------------------------------------------------------- worker counts

JOBS_HELP = "Worker processes, from 1 to the number of CPUs (more are brought down to it, with a warning). Default: all CPUs."


def check_jobs(value: int | None) -> int | None:
    """The ``--jobs`` callback: None (all CPUs) or a number of workers from 1 to the CPUs this process may run on."""
    if value is None:
        return None
    from provenance_cli.cli import terminal
    from provenance_cli.util.parallel import default_jobs

    if value < 1:
        terminal.fail_usage(f"--jobs must be 1 or more, not {value}; leave it out to use every CPU")
    cpus = default_jobs()
    if value > cpus:
        terminal.warn(f"--jobs {value}: this process may run on {cpus} CPU(s); using {cpus} worker(s)")
        return cpus
    return value


def jobs_option(help_text: str = JOBS_HELP) -> typer.models.OptionInfo:
    """The shared ``--jobs``/``-j`` option, checked by :func:`check_jobs`."""
    info: typer.models.OptionInfo = typer.Option("--jobs", "-j", help=help_text, callback=check_jobs)
    return info
