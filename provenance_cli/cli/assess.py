"""``provcheck assess`` and ``provcheck questions``: score dossiers, gate CI."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from provenance_cli.assessment.pipeline import AssessRun, Finisher

from provenance_cli.cli.options import Annotations, Quiet, Verbose

FORMAT_HELP = "text (alias terminal), md, html, json, csv, sarif (SARIF 2.1.0) or junit (JUnit XML)."


def report_formats() -> tuple[str, ...]:
    """What ``assess -f`` accepts: the terminal view and every registered report format."""
    from provenance_cli.render.interface import formats

    return ("text", *formats())


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
    import time

    from provenance_cli.cli.options import detail

    started = time.perf_counter()
    with progress_bar("assessing") as bar:
        run = assess_paths(paths, options, jobs=jobs, progress=bar, finish=finish)
    detail(
        f"assessed {len(run.results)} dossier(s), {len(run.problems)} problem(s), in {time.perf_counter() - started:.2f} s; "
        f"policy: {policy or 'bundled default'}; screening {'on' if screen else 'off'}, evidence {'on' if evidence else 'off'}"
    )
    for result in run.results:
        detail(f"{result.source}: {result.vendor}: {result.decision.outcome} (tier {result.tier}, score {result.overall:.1f})")
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
        paths: Annotated[list[Path], typer.Argument(help="Dossier files or folders of them; - reads one dossier from stdin.")],
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
        output_format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "text",
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                "-o",
                help="Report file (one vendor, or a combined format: csv, sarif, junit) or folder (one report per vendor; "
                "html adds index.html). Default: stdout.",
            ),
        ] = None,
        template_dir: Annotated[
            Path | None, typer.Option("--template-dir", help="Your own report templates, used before the bundled ones.")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace output files provcheck did not write, read-only ones, or this run's inputs.")
        ] = False,
        skip_other_yaml: Annotated[
            bool,
            typer.Option(
                "--skip-other-yaml",
                help="Assess only files with a top-level provcheck: key; pass over policies, questionnaires, lock files and "
                "any other YAML (for pre-commit and tools that hand over every YAML file).",
            ),
        ] = False,
        annotations: Annotations = None,
        quiet: Quiet = False,
        verbose: Verbose = False,
    ) -> None:
        """Score dossiers into category and overall risk; write reports; gate CI with --fail-on."""
        import dataclasses

        from provenance_cli.assessment.gates import FAIL_ON_LEVELS, AssessmentGate, enforce
        from provenance_cli.assessment.scoring import sort_by_risk
        from provenance_cli.cli import terminal
        from provenance_cli.cli.options import check_stdin_paths, print_annotations, set_verbosity, wants_annotations
        from provenance_cli.cli.options import output_format as canonical_format
        from provenance_cli.render.interface import RenderContext, get_renderer
        from provenance_cli.util.errors import EXIT_INPUT

        set_verbosity(quiet, verbose)
        if fail_on is not None and fail_on.lower() not in FAIL_ON_LEVELS:
            terminal.fail_usage(f"--fail-on: unknown tier or decision '{fail_on}'", FAIL_ON_LEVELS)
        fmt = canonical_format(output_format, report_formats())
        if template_dir is not None and not template_dir.is_dir():
            terminal.fail_usage(f"--template-dir: {template_dir} is not a folder")
        check_stdin_paths(paths)
        gate = AssessmentGate(fail_on.lower() if fail_on else None, fail_on_stale, allow_incomplete)
        context = None
        finish = None
        if fmt != "text":
            from provenance_cli.render.output import ReportJob, run_inputs

            context = RenderContext(template_dir=str(template_dir) if template_dir else None, inputs=run_inputs(policy), gate=gate)
            if output is not None and not get_renderer(fmt).combined:
                finish = ReportJob(fmt, context)
        if skip_other_yaml:
            paths = _dossiers_only(paths)
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
        if wants_annotations(annotations):
            print_annotations(ranked, run.problems, stdout_free=fmt == "text" or output is not None)
        if fmt == "text":
            _show_terminal(ranked, questions, output, inputs=inputs, force=force)
        elif context is not None and (run.results or (run.problems and get_renderer(fmt).combined)):
            from provenance_cli.render.output import write_reports

            context = dataclasses.replace(context, problems=run.problems)
            rendered = run.reports if finish is not None else None
            written = write_reports(run.results, fmt, context, output, rendered=rendered, inputs=inputs, force=force)
            if output is not None:
                terminal.note(f"wrote {len(written)} file(s) to {output}" if output.is_dir() else f"wrote {output}")

        if run.problems:
            raise typer.Exit(EXIT_INPUT)
        enforce(gate.tripped(ranked))

    @app.command("questions")
    def questions_command(
        paths: Annotated[list[Path], typer.Argument(help="Dossier files or folders of them; - reads one dossier from stdin.")],
        policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file (default: the bundled policy).")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Judge staleness as of this date (default today).")] = None,
        output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    ) -> None:
        """Print, per vendor, the questions to send: undisclosed, unanswered, missing evidence, stale."""
        from provenance_cli.assessment.scoring import follow_up_questions
        from provenance_cli.cli import terminal
        from provenance_cli.cli.options import check_stdin_paths
        from provenance_cli.cli.views import show_questions
        from provenance_cli.formats.questionnaires import load_catalogue
        from provenance_cli.util.errors import EXIT_INPUT

        as_json = terminal.wants_json(output_format)
        check_stdin_paths(paths)
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


def _dossiers_only(paths: list[Path]) -> list[Path]:
    """The dossier files among ``paths`` (by their ``provcheck:`` key); every other file is passed over, said under --verbose."""
    from provenance_cli.cli.options import provcheck_files
    from provenance_cli.util.errors import InputError

    files, problems = provcheck_files(paths, True, kinds=frozenset({"dossier"}))
    if problems:
        raise InputError(problems)
    if not files:
        from provenance_cli.cli.terminal import note

        note("no dossiers among the files given (none has a top-level provcheck: key); nothing to assess")
    return files


def _show_terminal(ranked: list[Any], questions: bool, output: Path | None, *, inputs: list[Path], force: bool) -> None:
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
        show_vendor(ranked[0], catalogue, out)
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
