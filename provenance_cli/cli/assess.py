"""``provcheck assess`` and ``provcheck questions``: score dossiers, gate CI."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provenance_cli.cli.options import Annotations, Quiet, Verbose, jobs_option
from provenance_cli.cli.organisation import QuestionnaireDirs

if TYPE_CHECKING:
    from provenance_cli.assessment.pipeline import AssessRun, Finisher
    from provenance_cli.render.output import WrittenReports

FORMAT_HELP = (
    "text (alias terminal), md, html, json, csv, pdf (needs: pip install 'provcheck[pdf]'), sarif (SARIF 2.1.0) or junit (JUnit XML)."
)


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
    questionnaires: list[Path] | None = None,
    weigh_questions: bool = False,
) -> AssessRun:
    """Shared by assess, questions, compare and diff: the core run, with a progress bar and its warnings printed.

    Each distinct warning (e.g. "list X is not cached") is said once with how
    many files it concerns; every problem is printed as file:line:col.
    """
    import sys

    from provenance_cli.assessment.pipeline import AssessOptions, assess_paths
    from provenance_cli.cli import terminal
    from provenance_cli.cli.organisation import dirs
    from provenance_cli.cli.progress import progress_bar
    from provenance_cli.util.net import is_offline

    options = AssessOptions(
        today=_parse_day(as_of),
        policy_path=str(policy) if policy else None,
        screen=screen,
        evidence=evidence,
        offline=offline or is_offline(),
        require_screening=require_screening,
        questionnaire_dirs=dirs(questionnaires),
        weigh_questions=weigh_questions,
    )
    import time

    from provenance_cli.cli.options import detail

    started = time.perf_counter()
    with progress_bar("assessing") as bar:
        run = assess_paths(paths, options, jobs=jobs, progress=bar, finish=finish)
    detail(
        f"assessed {len(run.reports)} dossier(s), {len(run.problems)} problem(s), in {time.perf_counter() - started:.2f} s; "
        f"policy: {policy or 'bundled default'}; screening {'on' if screen else 'off'}, evidence {'on' if evidence else 'off'}"
    )
    for result in run.results:
        detail(f"{result.source}: {result.vendor}: {result.decision.outcome} (tier {result.tier}, score {result.overall:.1f})")
    if not run.results:  # reports streamed to a folder: their summaries say the same
        for summary in run.reports:
            source, vendor, outcome = getattr(summary, "source", ""), getattr(summary, "vendor", ""), getattr(summary, "outcome", "")
            detail(f"{source}: {vendor}: {outcome} (tier {getattr(summary, 'tier', '')}, score {getattr(summary, 'overall', 0.0):.1f})")
    for warning, where in run.warnings:
        scope = where[0] if len(where) == 1 else f"{len(where)} dossiers"
        terminal.warn(f"{scope}: {warning}")
    for problem in run.problems:
        sys.stderr.write(f"{terminal.visible(problem)}\n")
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
        jobs: Annotated[int | None, jobs_option()] = None,
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
        questionnaires: QuestionnaireDirs = None,
        prune: Annotated[
            bool,
            typer.Option(
                "--prune",
                help="With -o FOLDER: remove the reports provcheck wrote there earlier for vendors no longer in the input "
                "(without it they stay, and the run lists them).",
            ),
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
        if prune and (output is None or fmt == "text"):
            terminal.warn("--prune applies to report folders (-f html, md or json with -o FOLDER); nothing to prune here")
        context = None
        finish = None
        if fmt != "text":
            from provenance_cli.assessment.catalogue import organisation_dirs
            from provenance_cli.cli.organisation import dirs
            from provenance_cli.render.output import ReportJob, run_inputs

            get_renderer(fmt).check()
            context = RenderContext(
                template_dir=str(template_dir) if template_dir else None,
                inputs=run_inputs(policy),
                gate=gate,
                catalogue_dirs=organisation_dirs(policy, dirs(questionnaires)),
            )
            if output is not None and not get_renderer(fmt).combined:
                finish = ReportJob(fmt, context)
        if skip_other_yaml:
            paths = _dossiers_only(paths)
        if context is not None and output is not None and finish is not None and streams_to_folder(output):
            _assess_into_folder(
                paths,
                output,
                fmt,
                context,
                gate,
                policy=policy,
                force=force,
                prune=prune,
                annotate=wants_annotations(annotations),
                run_options={
                    "policy": policy,
                    "as_of": as_of,
                    "screen": screen,
                    "evidence": evidence,
                    "offline": offline,
                    "jobs": jobs,
                    "require_screening": require_screening,
                    "questionnaires": questionnaires,
                    "weigh_questions": questions,
                },
            )
            return
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
            questionnaires=questionnaires,
            weigh_questions=questions,
        )
        ranked = sort_by_risk(run.results)
        inputs = [Path(r.source) for r in run.results] + ([policy] if policy else [])
        if wants_annotations(annotations):
            print_annotations(ranked, run.problems, stdout_free=fmt == "text" or output is not None)
        if fmt == "text":
            _show_terminal(
                ranked, questions, output, inputs=inputs, force=force, show_all=show_all, policy=policy, questionnaires=questionnaires
            )
        elif context is not None and (run.results or (run.problems and get_renderer(fmt).combined)):
            from provenance_cli.render.output import write_reports

            context = dataclasses.replace(context, problems=run.problems)
            rendered = [r if isinstance(r, (str, bytes)) else None for r in run.reports] if finish is not None else None
            failed = [p.source for p in run.problems]
            done = write_reports(
                run.results,
                fmt,
                context,
                output,
                rendered=rendered,
                folder_input=any(p.is_dir() for p in paths),
                inputs=inputs,
                force=force,
                prune=prune,
                failed=failed,
            )
            if output is not None:
                _say_written(done, output)

        if run.problems:
            raise typer.Exit(EXIT_INPUT)
        enforce(gate.tripped(ranked))

    @app.command("questions")
    def questions_command(
        paths: Annotated[list[Path], typer.Argument(help="Dossier files or folders of them; - reads one dossier from stdin.")],
        policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file (default: the bundled policy).")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Judge staleness as of this date (default today).")] = None,
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="text or json; xlsx, csv or md write a questionnaire for the vendor to fill in.")
        ] = "text",
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Questionnaire file (one dossier) or folder (one file per dossier). Default: stdout."),
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace an output file provcheck did not write.")] = False,
        questionnaires: QuestionnaireDirs = None,
    ) -> None:
        """Per vendor, the questions worth sending it, most points at stake first; the buyer's own open questions apart.

        Each question is listed once with all its reasons (unanswered, undisclosed, stale, evidence missing),
        put to the vendor in the second person with its allowed answers and the evidence asked for.
        -f xlsx|csv|md -o FILE writes a questionnaire the vendor fills in; provcheck import reads it back.
        """
        _questions(
            paths, policy=policy, as_of=as_of, output_format=output_format, output=output, force=force, questionnaires=questionnaires
        )


def _questions(
    paths: list[Path],
    *,
    policy: Path | None,
    as_of: str | None,
    output_format: str,
    output: Path | None,
    force: bool,
    questionnaires: list[Path] | None = None,
) -> None:
    """``provcheck questions``: weigh each vendor's open questions, then print them or write questionnaires."""
    from provenance_cli.cli import terminal
    from provenance_cli.cli.options import check_stdin_paths
    from provenance_cli.cli.options import output_format as canonical_format
    from provenance_cli.cli.organisation import run_catalogue
    from provenance_cli.cli.views import show_questions
    from provenance_cli.render.vendor_questionnaire import EXPORT_FORMATS
    from provenance_cli.util.errors import EXIT_INPUT

    fmt = canonical_format(output_format, ("text", "json", *EXPORT_FORMATS))
    check_stdin_paths(paths)
    if fmt == "xlsx" and output is None:
        terminal.fail_usage("-f xlsx writes a workbook: give its file name with -o FILE")
    run = run_assessment(
        paths,
        policy=policy,
        as_of=as_of,
        screen=False,
        evidence=False,
        offline=True,
        jobs=None,
        weigh_questions=True,
        questionnaires=questionnaires,
    )
    catalogue = run_catalogue(policy, questionnaires)
    if fmt in EXPORT_FORMATS:
        _export_questionnaires(list(run.results), catalogue, fmt, output, force=force)
    elif fmt == "json":
        terminal.print_json([_questions_json(r, catalogue) for r in run.results])
    else:
        for result in run.results:
            show_questions(result, catalogue, terminal.console())
    if run.problems:
        raise typer.Exit(EXIT_INPUT)


def _questions_json(result: Any, catalogue: Any) -> dict[str, Any]:
    """One vendor's questions as ``questions -f json`` prints them."""
    from provenance_cli.formats.answer_sheet import answer_options

    def item(follow_up: Any) -> dict[str, Any]:
        question = catalogue.questions.get(follow_up.question_id)
        return {
            "id": follow_up.question_id,
            "why": follow_up.why,
            "text": follow_up.text,
            "audience": follow_up.audience,
            "reasons": list(follow_up.reasons),
            "points_at_stake": follow_up.points_at_stake,
            "answer": follow_up.answer,
            "allowed_answers": [value for value, _ in answer_options(question)] if question else [],
            "evidence_request": " ".join(question.evidence_request.split()) if question and question.evidence_request else None,
            "could_decide": list(follow_up.decides),
        }

    return {
        "vendor": result.vendor,
        "file": result.source,
        "sha256": result.sha256,
        "questions": [item(f) for f in result.vendor_questions],
        "buyer_tasks": [item(f) for f in result.buyer_tasks],
    }


def _export_questionnaires(results: list[Any], catalogue: Any, fmt: str, output: Path | None, *, force: bool) -> None:
    """Write each vendor's questionnaire (stdout for one CSV or Markdown without -o); never replace a file provcheck did not write."""
    import sys
    from datetime import datetime, timezone

    from provenance_cli.cli import terminal
    from provenance_cli.formats.answer_sheet import EXPORT_MARKER
    from provenance_cli.render import vendor_questionnaire as export
    from provenance_cli.util.files import atomic_write, check_replaceable

    if not results:
        return
    exported_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    renderers: dict[str, Callable[..., str | bytes]] = {"xlsx": export.to_xlsx, "csv": export.to_csv, "md": export.to_markdown}
    render = renderers[fmt]
    if output is None:
        if len(results) > 1 and fmt == "csv":
            terminal.fail_usage("several dossiers: give a folder with -o, one CSV file is written per dossier")
        for result in results:
            sys.stdout.write(str(render(result, catalogue, export.ExportRecord.of(result, exported_at))))
        return
    folder = output.is_dir() or len(results) > 1
    if folder and not output.is_dir() and (output.exists() or output.suffix):
        terminal.fail_usage(
            f"-o {output} names a file, but {len(results)} dossiers make {len(results)} questionnaires; "
            "give a folder (an existing one, or a name without a suffix)"
        )
    inputs = [Path(r.source) for r in results]
    targets = [output / f"{_questionnaire_stem(r)}.questions.{fmt}" if folder else output for r in results]
    for target in targets:
        check_replaceable(target, markers=(EXPORT_MARKER, "Exported by provcheck"), inputs=inputs, force=force, recognise=export.is_export)
    for result, target in zip(results, targets, strict=True):
        atomic_write(target, render(result, catalogue, export.ExportRecord.of(result, exported_at)))
        terminal.note(f"wrote {target} ({len(result.vendor_questions)} question(s) for {result.vendor})")


def _questionnaire_stem(result: Any) -> str:
    """The file stem of a vendor's questionnaire in a folder: its dossier's, or the vendor's name for a dossier read from stdin."""
    from provenance_cli.cli.options import STDIN
    from provenance_cli.util.slug import slugify

    return slugify(result.vendor) if result.source == STDIN else Path(result.source).stem


def streams_to_folder(output: Path) -> bool:
    """Whether ``-o`` is a folder whatever the number of vendors (an existing one, or a new name without a suffix).

    Reports into such a folder are streamed to disk as they are rendered; a
    name with a suffix may be one vendor's file (or a usage error for several)
    and is written once the run is done.
    """
    return output.is_dir() or not (output.exists() or output.suffix)


def _assess_into_folder(
    paths: list[Path],
    output: Path,
    fmt: str,
    context: Any,
    gate: Any,
    *,
    policy: Path | None,
    force: bool,
    prune: bool,
    annotate: bool,
    run_options: dict[str, Any],
) -> None:
    """``assess -f FMT -o FOLDER``: each report written as it is rendered (by the worker that scored it), one commit at the end.

    The folder is locked from before the first report until the commit, so
    no other run's clean-up takes this run's temporaries. Only each vendor's
    :class:`~provenance_cli.render.output.ReportSummary` stays in memory: the
    index page, the gates and the annotations are made from those.
    """
    import dataclasses

    from provenance_cli.assessment.gates import enforce
    from provenance_cli.assessment.scoring import sort_by_risk
    from provenance_cli.cli.options import print_annotation_lines
    from provenance_cli.render.interface import get_renderer
    from provenance_cli.render.output import (
        INDEXED,
        OUTPUT_MARKERS,
        FolderUpdate,
        ReportSummary,
        StreamJob,
        commit_streamed,
        custom_index,
    )
    from provenance_cli.util.errors import EXIT_INPUT
    from provenance_cli.util.fileset import FileSet

    created = not output.exists()
    done = None
    with FileSet(output, markers=OUTPUT_MARKERS, force=force) as fileset:
        indexed = fmt in INDEXED
        job = StreamJob(str(output), fileset.run, fmt, context, indexed, indexed and custom_index(context, fmt), annotate)
        run = run_assessment(paths, finish=job, **run_options)
        summaries = [s for s in run.reports if isinstance(s, ReportSummary)]
        inputs = [Path(s.source) for s in summaries] + ([policy] if policy else [])
        if summaries:
            update = FolderUpdate(
                output, fmt, get_renderer(fmt).suffix, inputs=inputs, force=force, prune=prune, failed=[p.source for p in run.problems]
            )
            done = commit_streamed(summaries, fmt, dataclasses.replace(context, problems=run.problems), fileset, update)
    if done is None and created:
        with contextlib.suppress(OSError):
            output.rmdir()  # made only to hold the lock: a run that wrote nothing leaves no folder behind
    ranked = sort_by_risk(summaries)
    if annotate:
        print_annotation_lines([line for s in ranked for line in s.annotations], run.problems, stdout_free=True)
    if done is not None:
        _say_written(done, output)
    if run.problems:
        raise typer.Exit(EXIT_INPUT)
    enforce([reason for name in gate.names for s in ranked for reason in s.gate.get(name, [])])


def _say_written(done: WrittenReports, output: Path) -> None:
    """What a report run did to its output: files written, an interrupted run finished, earlier reports kept or removed."""
    from provenance_cli.cli import terminal

    for note in done.notes:
        terminal.note(note)
    for warning in done.warnings:
        terminal.warn(warning)
    terminal.note(f"wrote {len(done.written)} file(s) to {output}" if output.is_dir() else f"wrote {output}")
    if done.pruned:
        terminal.note(f"removed {len(done.pruned)} report(s) of vendors not in this run: {', '.join(p.name for p in done.pruned)}")
    if done.stale:
        names = ", ".join(p.name for p in done.stale)
        terminal.warn(f"{output}: {len(done.stale)} report(s) of vendors not in this run were kept: {names} (--prune removes them)")


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


def _show_terminal(
    ranked: list[Any],
    questions: bool,
    output: Path | None,
    *,
    inputs: list[Path],
    force: bool,
    show_all: bool = False,
    policy: Path | None = None,
    questionnaires: list[Path] | None = None,
) -> None:
    from provenance_cli.cli import terminal
    from provenance_cli.cli.organisation import run_catalogue
    from provenance_cli.cli.views import show_concentration, show_questions, show_summary, show_vendor

    catalogue = run_catalogue(policy, questionnaires)
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
        show_concentration(ranked, out)
    if questions:
        for result in ranked:
            show_questions(result, catalogue, out)
    if output is not None:
        from provenance_cli.render.output import write_report_file

        target = output / "summary.txt" if output.is_dir() else output
        write_report_file(target, buffer.getvalue(), inputs=inputs, force=force)
        terminal.note(f"wrote {target}")
