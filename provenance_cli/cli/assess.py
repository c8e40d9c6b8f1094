"""``provcheck assess`` and ``provcheck questions``: score dossiers, gate CI."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from provenance_cli.assessment.pipeline import AssessRun, Finisher

FORMATS = ("terminal", "md", "html", "json", "csv", "pdf")


def _parse_day(value: str | None) -> date:
    from provenance_cli.cli.terminal import fail_usage
    from provenance_cli.formats.models import parse_iso_date

    if value is None:
        return date.today()
    try:
        parsed: date = parse_iso_date(value)
    except ValueError as exc:
        fail_usage(f"--as-of: {exc}")
    return parsed


def run_assessment(
    paths: list[Path],
    *,
    policy: Path | None,
    as_of: str | None,
    screen: bool,
    evidence: bool,
    offline: bool,
    jobs: int | None,
    finish: Finisher | None = None,
    require_screening: bool = False,
) -> AssessRun:
    """Shared by assess, questions, compare and diff: the core run, with a progress bar and its warnings printed.

    Each distinct warning (e.g. "list X is not cached") is said once with how
    many files it concerns; every problem is printed as file:line:col.
    """
    import sys

    from provenance_cli.assessment.pipeline import AssessOptions, assess_paths
    from provenance_cli.cli import terminal
    from provenance_cli.cli.progress import progress_bar
    from provenance_cli.util.net import is_offline

    options = AssessOptions(
        today=_parse_day(as_of),
        policy_path=str(policy) if policy else None,
        screen=screen,
        evidence=evidence,
        offline=offline or is_offline(),
        require_screening=require_screening,
    )
    with progress_bar("assessing") as bar:
        run = assess_paths(paths, options, jobs=jobs, progress=bar, finish=finish)
    for warning, where in run.warnings:
        scope = where[0] if len(where) == 1 else f"{len(where)} dossiers"
        terminal.warn(f"{scope}: {warning}")
    for problem in run.problems:
        sys.stderr.write(f"{problem}\n")
    return run


def register(app: typer.Typer) -> None:
    """Add ``assess`` and ``questions`` to the app."""

    @app.command()
    def assess(
        paths: Annotated[list[Path], typer.Argument(help="Dossier files or folders of them.")],
        policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file (default: the bundled policy).")] = None,
        fail_on: Annotated[
            str | None,
            typer.Option(
                "--fail-on",
                help="Exit 1 when any vendor is at or above this tier (low, medium, high, critical; an incomplete decision trips it too) "
                "or this decision (approve_with_conditions, incomplete, reject).",
            ),
        ] = None,
        allow_incomplete: Annotated[
            bool, typer.Option("--allow-incomplete", help="Let vendors whose decision is incomplete pass a tier gate.")
        ] = False,
        fail_on_stale: Annotated[bool, typer.Option("--fail-on-stale", help="Exit 1 when any answer is stale.")] = False,
        questions: Annotated[bool, typer.Option("--questions", help="Also print the questions to send each vendor.")] = False,
        show_all: Annotated[
            bool, typer.Option("--all", help="Terminal view of one vendor: every finding and every open question, not the strongest few.")
        ] = False,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Judge staleness and waivers as of this date (YYYY-MM-DD; default today).")
        ] = None,
        screen: Annotated[bool, typer.Option("--screen/--no-screen", help="Screen names against sanctions and export lists.")] = True,
        require_screening: Annotated[
            bool,
            typer.Option(
                "--require-screening",
                help="The CSL and the 1260H list must be screened (whatever the policy says): a decision without them is incomplete.",
            ),
        ] = False,
        evidence: Annotated[bool, typer.Option("--evidence/--no-evidence", help="Compare cited evidence with its lock file.")] = True,
        offline: Annotated[bool, typer.Option("--offline", help="Never touch the network.")] = False,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes for folders (default: all cores).")] = None,
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="terminal, md, html, json, csv or pdf (pdf needs: pip install 'provcheck[pdf]').")
        ] = "terminal",
        output: Annotated[
            Path | None,
            typer.Option(
                "--output", "-o", help="Report file (one vendor) or folder (one report per vendor; html adds index.html). Default: stdout."
            ),
        ] = None,
        template_dir: Annotated[
            Path | None, typer.Option("--template-dir", help="Your own report templates, used before the bundled ones.")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace output files provcheck did not write, read-only ones, or this run's inputs.")
        ] = False,
    ) -> None:
        """Score dossiers into category and overall risk; write reports; gate CI with --fail-on."""
        from provenance_cli.assessment.gates import FAIL_ON_LEVELS, assessment_gate, enforce
        from provenance_cli.assessment.scoring import sort_by_risk
        from provenance_cli.cli import terminal
        from provenance_cli.util.errors import EXIT_INPUT

        if fail_on is not None and fail_on.lower() not in FAIL_ON_LEVELS:
            terminal.fail_usage(f"--fail-on: unknown tier or decision '{fail_on}'", FAIL_ON_LEVELS)
        fmt = "md" if output_format.lower() == "markdown" else output_format.lower()
        if fmt not in FORMATS:
            terminal.fail_usage(f"--format: unknown format '{output_format}'", FORMATS)
        if template_dir is not None and not template_dir.is_dir():
            terminal.fail_usage(f"--template-dir: {template_dir} is not a folder")
        context = None
        finish = None
        if fmt != "terminal":
            from provenance_cli.render.interface import RenderContext, get_renderer
            from provenance_cli.render.output import ReportJob, run_inputs

            get_renderer(fmt).check()
            context = RenderContext(template_dir=str(template_dir) if template_dir else None, inputs=run_inputs(policy))
            if output is not None and not get_renderer(fmt).combined:
                finish = ReportJob(fmt, context)
        run = run_assessment(
            paths,
            policy=policy,
            as_of=as_of,
            screen=screen,
            evidence=evidence,
            offline=offline,
            jobs=jobs,
            finish=finish,
            require_screening=require_screening,
        )
        ranked = sort_by_risk(run.results)
        inputs = [Path(r.source) for r in run.results] + ([policy] if policy else [])
        if fmt == "terminal":
            _show_terminal(ranked, questions, output, inputs=inputs, force=force, show_all=show_all)
        elif run.results:
            from provenance_cli.render.output import write_reports

            assert context is not None  # built above whenever fmt != "terminal"
            folder_input = any(p.is_dir() for p in paths)
            rendered = run.reports if finish is not None else None
            written = write_reports(
                run.results, fmt, context, output, rendered=rendered, folder_input=folder_input, inputs=inputs, force=force
            )
            if output is not None:
                terminal.note(f"wrote {len(written)} file(s) to {output}" if output.is_dir() else f"wrote {output}")

        if run.problems:
            raise typer.Exit(EXIT_INPUT)
        level = fail_on.lower() if fail_on else None
        enforce(assessment_gate(ranked, fail_on=level, fail_on_stale=fail_on_stale, allow_incomplete=allow_incomplete))

    @app.command("questions")
    def questions_command(
        paths: Annotated[list[Path], typer.Argument(help="Dossier files or folders of them.")],
        policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file (default: the bundled policy).")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Judge staleness as of this date (default today).")] = None,
        output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    ) -> None:
        """Print, per vendor, the questions to send: undisclosed, unanswered, missing evidence, stale."""
        from provenance_cli.assessment.scoring import follow_up_questions
        from provenance_cli.cli import terminal
        from provenance_cli.cli.views import show_questions
        from provenance_cli.formats.questionnaires import load_catalogue
        from provenance_cli.util.errors import EXIT_INPUT

        as_json = terminal.wants_json(output_format)
        run = run_assessment(paths, policy=policy, as_of=as_of, screen=False, evidence=False, offline=True, jobs=None)
        catalogue = load_catalogue()
        if as_json:
            terminal.print_json(
                [
                    {
                        "vendor": r.vendor,
                        "file": r.source,
                        "questions": [{"id": q, "why": why, "text": text} for q, why, text in follow_up_questions(r, catalogue)],
                    }
                    for r in run.results
                ]
            )
        else:
            for result in run.results:
                show_questions(result, catalogue, terminal.console())
        if run.problems:
            raise typer.Exit(EXIT_INPUT)


def _show_terminal(
    ranked: list[Any], questions: bool, output: Path | None, *, inputs: list[Path], force: bool, show_all: bool = False
) -> None:
    from provenance_cli.cli import terminal
    from provenance_cli.cli.views import show_questions, show_summary, show_vendor
    from provenance_cli.formats.questionnaires import load_catalogue

    catalogue = load_catalogue()
    if output is not None:
        import io

        from rich.console import Console

        buffer = io.StringIO()
        out = Console(file=buffer, width=140, no_color=True, highlight=False, soft_wrap=False)
    else:
        out = terminal.console()
    if len(ranked) == 1:
        show_vendor(ranked[0], catalogue, out, all_findings=show_all)
    elif ranked:
        show_summary(ranked, out)
    if questions:
        for result in ranked:
            show_questions(result, catalogue, out)
    if output is not None:
        from provenance_cli.render.output import OUTPUT_MARKERS
        from provenance_cli.util.files import atomic_write, check_replaceable

        target = output / "summary.txt" if output.is_dir() else output
        check_replaceable(target, markers=OUTPUT_MARKERS, inputs=inputs, force=force)
        atomic_write(target, buffer.getvalue())
        terminal.note(f"wrote {target}")
