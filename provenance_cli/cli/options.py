"""Options several commands share, checked in one place.

``--jobs`` is the first: every command that takes it refuses 0 and negative
numbers (exit 2) and brings a number above the CPUs this process may use
down to that number, with a warning. More workers than CPUs cannot make
CPU-bound work faster, only use more memory; the results are the same
either way, so a CI file written for a larger machine still runs on a
smaller one instead of failing.
"""

from __future__ import annotations

import typer

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
