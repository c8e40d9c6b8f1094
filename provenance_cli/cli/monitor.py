"""``provcheck monitor DIR``: what is new since the last run, for cron and scheduled CI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from provenance_cli.cli.options import Quiet, Verbose, jobs_option

if TYPE_CHECKING:
    from provenance_cli.assessment.monitor import MonitorReport

FORMATS = ("text", "md", "json")
"""``text`` (alias ``terminal``), ``md`` (alias ``markdown``) or ``json``: the names every command uses (cli/options)."""


def _show(report: MonitorReport) -> None:
    """The report on a terminal: the verdict, the changes, the lists, what could not be checked."""
    from provenance_cli.cli import terminal

    out = terminal.console()
    first = "first run: everything is new" if report.previous_run is None else f"previous run {report.previous_run}"
    out.print(terminal.safe(f"{report.folder}: {report.dossiers} dossier(s) as of {report.as_of}; {first}"))
    if report.changes:
        rows = [
            ["WORSE" if c.worse and not report.baseline else "", c.dossier or "(lists)", c.vendor or "", c.summary, c.detail]
            for c in report.changes
        ]
        terminal.print_table(["", "dossier", "vendor", "change", "details"], rows, title="What changed since the last run")
    cached = [s for s in report.lists if s.state is not None]
    if cached:
        rows = [
            [
                s.source,
                ", ".join(f"{k} {v or '?'}" for k, v in s.state.list_dates.items()) if s.state else "",
                s.state.fetched_at[:16].replace("T", " ") if s.state else "",
                (s.delta.summary() if s.delta else "no delta recorded")
                + (" (new since the previous run)" if s.changed_since_last_run else ""),
            ]
            for s in cached
        ]
        terminal.print_table(["source", "list dates", "fetched (UTC)", "last update"], rows, title="Lists")
    for source, reason in report.unchecked:
        terminal.warn(f"not checked: {source}: {reason}")
    out.print(terminal.safe(report.verdict()))


def register(app: typer.Typer) -> None:
    """Add ``monitor`` to the app."""

    @app.command()
    def monitor(
        folder: Annotated[Path, typer.Argument(metavar="DIR", help="The folder of dossiers to watch.")],
        policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file (default: the bundled policy).")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Judge dates as of this day (YYYY-MM-DD; default today).")] = None,
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="text (alias terminal), md (a GitHub job summary) or json.")
        ] = "text",
        update: Annotated[bool, typer.Option("--update", help="Run lists update first (the only way monitor downloads lists).")] = False,
        evidence: Annotated[
            bool, typer.Option("--evidence", help="Fetch cited pages and compare them with the lock files (default: read the locks only).")
        ] = False,
        state: Annotated[
            Path | None, typer.Option("--state", help="The state file (default: DIR/provcheck-monitor.lock.json, written atomically).")
        ] = None,
        baseline: Annotated[
            bool, typer.Option("--baseline", help="Record the state without counting anything as worse (a first run in CI).")
        ] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, but do not write the state.")] = False,
        force: Annotated[bool, typer.Option("--force", help="Replace a state file provcheck did not write.")] = False,
        jobs: Annotated[int | None, jobs_option()] = None,
        quiet: Quiet = False,
        verbose: Verbose = False,
    ) -> None:
        """What is new since the last run: hits from list updates, moved decisions, fired date triggers, stale answers, evidence drift.

        Exit 0 nothing new or only improvements, 1 something got worse, 2 a
        file could not be read, 3 a required list could not be checked (no
        usable cache). Nothing is downloaded unless --update (lists) or
        --evidence (cited pages) asks for it.
        """
        import sys

        from provenance_cli.assessment.monitor import MonitorOptions, refresh_lists, run_monitor
        from provenance_cli.assessment.monitor_state import STATE_NAME, write_state
        from provenance_cli.assessment.pipeline import policy_for
        from provenance_cli.cli import terminal
        from provenance_cli.cli.assess import _parse_day
        from provenance_cli.cli.options import output_format as canonical_format
        from provenance_cli.cli.options import set_verbosity

        set_verbosity(quiet, verbose)
        fmt = canonical_format(output_format, FORMATS)
        day = _parse_day(as_of)
        unchecked: list[tuple[str, str]] = []
        notes: list[str] = []
        if update:
            notes, unchecked = refresh_lists(policy_for(str(policy) if policy else None).required_sources)
            for note in notes:
                terminal.note(note)
        options = MonitorOptions(
            today=day, policy_path=str(policy) if policy else None, check_evidence=evidence, jobs=jobs, baseline=baseline
        )
        report, new_state = run_monitor(folder, options, state_path=state, unchecked=unchecked)
        if fmt == "json":
            from provenance_cli.render.monitor import render_json

            sys.stdout.write(render_json(report))
        elif fmt == "md":
            from provenance_cli.render.monitor import render_markdown

            sys.stdout.write(render_markdown(report))
        else:
            _show(report)
        for problem in report.problems:
            sys.stderr.write(f"{terminal.visible(problem)}\n")
        if not dry_run:
            write_state(state or folder / STATE_NAME, new_state, force=force)
        raise typer.Exit(report.exit_code)
