"""The ``provcheck`` command line: parse arguments, call the core, print.

Only typer is imported at start-up; every command imports what it needs when
it runs, so ``provcheck --help`` costs little more than importing typer.
Errors from the core arrive as :class:`ProvcheckError` and leave as one
message per problem and the exit code of the contract (0 ok, 1 gate, 2 bad
input, 3 outside service).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from provenance_cli import __version__
from provenance_cli.cli.options import Annotations, Quiet, Verbose, jobs_option, set_verbosity
from provenance_cli.cli.organisation import QuestionnaireDirs
from provenance_cli.cli.registry import LazyGroup
from provenance_cli.util.errors import EXIT_INPUT, ProvcheckError

app = typer.Typer(
    name="provcheck",
    help="Provenance due diligence for AI model vendors: dossiers, risk rules, sanctions screening, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # --install-completion / --show-completion for bash, zsh, fish and PowerShell.
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=LazyGroup,
)
core_app = typer.Typer()
"""The commands defined in this module; :class:`LazyGroup` builds them only when one of them is invoked."""
questionnaires_app = typer.Typer(help="List and show the bundled questionnaires.", no_args_is_help=True)
schema_app = typer.Typer(help="Print or export the published JSON Schemas.", no_args_is_help=True)
core_app.add_typer(questionnaires_app, name="questionnaires")
core_app.add_typer(schema_app, name="schema")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"provcheck {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Never touch the network; use caches and lock files only.")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Provenance due diligence for AI model vendors."""
    set_verbosity(quiet, verbose, reset=True)
    if offline:
        from provenance_cli.util.net import set_offline

        set_offline(True)


# --------------------------------------------------------------------------- questionnaires


@questionnaires_app.command("list")
def questionnaires_list(
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    questionnaires: QuestionnaireDirs = None,
    policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file whose questionnaire folders to add.")] = None,
) -> None:
    """List the questionnaires (bundled, and your organisation's with --questionnaires) with their versions."""
    from provenance_cli.cli import terminal
    from provenance_cli.cli.organisation import run_catalogue

    catalogue = run_catalogue(policy, questionnaires)
    rows: list[dict[str, object]] = []
    for q in catalogue.questionnaires:
        source = catalogue.provenance.get(q.id)
        rows.append(
            {
                "id": q.id,
                "version": q.version,
                "title": q.title,
                "questions": len(q.questions),
                "rules": len(q.rules),
                "origin": source.origin if source else "bundled",
                "path": source.path if source else catalogue.sources.get(q.id, ""),
                "sha256": source.sha256 if source else "",
            }
        )
    if terminal.wants_json(output_format):
        terminal.print_json(rows)
        return
    columns = ["id", "version", "title", "questions", "rules", "origin"]
    terminal.print_table(columns, [[str(r[c]) for c in columns] for r in rows], title="Questionnaires")


@questionnaires_app.command("show")
def questionnaires_show(
    questionnaire_id: Annotated[str, typer.Argument(metavar="ID", help="Questionnaire id, e.g. retention")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    questionnaires: QuestionnaireDirs = None,
    policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file whose questionnaire folders to add.")] = None,
) -> None:
    """Show every question of one questionnaire, its answers, weight and help."""
    from provenance_cli.cli import terminal
    from provenance_cli.cli.organisation import run_catalogue

    catalogue = run_catalogue(policy, questionnaires)
    try:
        questionnaire = catalogue.questionnaire(questionnaire_id)
    except KeyError:
        terminal.fail_usage(f"no questionnaire {questionnaire_id!r}", [q.id for q in catalogue.questionnaires])
    if terminal.wants_json(output_format):
        terminal.print_json(questionnaire.model_dump(mode="json", exclude_none=True))
        return
    terminal.show_questionnaire(questionnaire)


# --------------------------------------------------------------------------- init / validate


@core_app.command()
def init(
    vendor: Annotated[str, typer.Argument(help="The vendor's name, as it should appear in reports.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: <vendor-slug>.yaml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    assessor: Annotated[str | None, typer.Option(help="Your name (default: your login name).")] = None,
    schema_ref: Annotated[str | None, typer.Option("--schema-ref", help="Path or URL the editor header points to.")] = None,
    questionnaires: QuestionnaireDirs = None,
    policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file whose questionnaire folders to add.")] = None,
) -> None:
    """Write a new dossier with every question, its help as comments, answers unset."""
    import getpass
    import os
    from datetime import date

    from provenance_cli.cli import terminal
    from provenance_cli.cli.organisation import run_catalogue
    from provenance_cli.formats.scaffold import scaffold_dossier
    from provenance_cli.formats.schemas import DOSSIER_SCHEMA_FILE, SCHEMA_BASE, bundled_schema, find_schema_upwards
    from provenance_cli.util.files import atomic_write
    from provenance_cli.util.slug import slugify

    if not vendor.strip():
        terminal.fail_usage("the vendor name is empty")
    target = output or Path(f"{slugify(vendor)}.yaml")
    machine_specific = False
    if schema_ref is None:
        local = find_schema_upwards(target.parent if str(target.parent) else Path("."))
        if local is not None:
            # A separate variable: mypy picks relpath's bytes overload for the inline `or` expression.
            base = (target.parent or Path(".")).resolve()
            schema_ref = os.path.relpath(local, base)
        else:
            # No schemas/ folder in the project: the schema this installation ships, by absolute path
            # (editors resolve it on this machine; `provcheck schema export schemas/` makes one for the repository).
            installed = bundled_schema()
            schema_ref = str(installed) if installed is not None else SCHEMA_BASE + DOSSIER_SCHEMA_FILE
            machine_specific = installed is not None
    try:
        who = assessor or getpass.getuser()
    except Exception:
        who = "assessor"
    text = scaffold_dossier(vendor, run_catalogue(policy, questionnaires), assessor=who, today=date.today(), schema_ref=schema_ref)
    atomic_write(target, text, overwrite=force)
    terminal.note(f"wrote {target}")
    if machine_specific:
        terminal.note(
            f"its editor header points at this installation's schema ({schema_ref}); for a path that works on every machine, "
            "run provcheck schema export schemas/ in your repository before init"
        )


@core_app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Dossier, questionnaire or policy files, or folders of them; - reads stdin.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    jobs: Annotated[int | None, jobs_option()] = None,
    questionnaires: QuestionnaireDirs = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", "-p", help="Policy whose questionnaire folders dossiers are checked against.")
    ] = None,
    skip_other_yaml: Annotated[
        bool,
        typer.Option(
            "--skip-other-yaml",
            help="Pass over YAML files that are not provcheck's (no top-level provcheck:, policy:, questions:, frameworks: or "
            "provcheck_evidence_lock: key) instead of refusing them: for pre-commit and tools that hand over every YAML file.",
        ),
    ] = False,
    annotations: Annotations = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Check files; print every problem as file:line:col: message (exit 2 if any).

    For a dossier answered against an older questionnaire version, it also
    says which questions are new since then.
    """
    from provenance_cli.assessment.catalogue import organisation_dirs
    from provenance_cli.assessment.validate import (
        VALIDATE_THRESHOLD,
        FileCheck,
        check_job,
        check_links,
        check_questionnaire_set,
        preload_catalogue,
    )
    from provenance_cli.cli import terminal
    from provenance_cli.cli.options import check_stdin_paths, detail, print_annotations, provcheck_files, wants_annotations
    from provenance_cli.cli.organisation import dirs
    from provenance_cli.util.parallel import parallel_map

    set_verbosity(quiet, verbose)
    check_stdin_paths(paths)
    folders = organisation_dirs(policy, dirs(questionnaires))
    files, missing = provcheck_files(paths, skip_other_yaml, kinds=None)
    jobs_list = [(str(f), str(policy) if policy else None, folders) for f in files]
    preload_catalogue(policy, folders)
    checks: list[FileCheck] = list(parallel_map(check_job, jobs_list, jobs=jobs, threshold=VALIDATE_THRESHOLD))
    questionnaire_files = [Path(c.path) for c in checks if c.kind == "questionnaire"]
    if len(questionnaire_files) > 1:
        together = {c.path: c for c in check_questionnaire_set(questionnaire_files, questionnaire_dirs=folders)}
        checks = [together.get(c.path, c) for c in checks]
    checks = check_links(checks, [p for p in paths if not p.is_dir()])
    for check in checks:
        version = f" format {check.format_version}" if check.format_version else ""
        detail(f"{check.path}: {check.kind}{version}: {'valid' if check.valid else f'{len(check.problems)} problem(s)'}")
    if wants_annotations(annotations):
        problems = [*missing, *(p for c in checks for p in c.problems)]
        print_annotations([], problems, stdout_free=not terminal.wants_json(output_format))
    terminal.report_validation(checks, missing, output_format)
    if missing or any(not c.valid for c in checks):
        raise typer.Exit(EXIT_INPUT)


@core_app.command()
def upgrade(
    paths: Annotated[list[Path], typer.Argument(help="Dossier or policy files written for an older format.")],
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if any file needs upgrading.")] = False,
) -> None:
    """Rewrite dossiers and policies in the current format, in place, keeping every comment.

    Older formats are always read as they are; this makes the files say the
    current version (a dossier gains an empty engagement block to fill in).
    """
    from provenance_cli.cli import terminal
    from provenance_cli.formats.dossier import file_kind
    from provenance_cli.formats.safeyaml import decode_utf8, load_text, read_bytes
    from provenance_cli.formats.upgrade import VERSION_KEYS, upgrade_text
    from provenance_cli.util.errors import GateTripped, InputError, Problem
    from provenance_cli.util.files import atomic_write

    problems: list[Problem] = []
    pending: list[str] = []
    for path in paths:
        source = str(path)
        try:
            text = decode_utf8(read_bytes(path), source)
            kind = file_kind(load_text(text, source).data)
            if kind not in VERSION_KEYS:
                problems.append(Problem(source, 0, 0, f"is a {kind}; only dossiers and policies have format versions to upgrade"))
                continue
            result = upgrade_text(text, source, kind)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if not result.changed:
            terminal.note(f"{source}: {result.kind} already in format {result.to_version}")
        elif check:
            pending.append(f"{source} ({result.kind} format {result.from_version})")
        else:
            atomic_write(path, result.text)
            terminal.note(f"{source}: {result.kind} upgraded from format {result.from_version} to {result.to_version}")
    if problems:
        raise InputError(problems)
    if pending:
        raise GateTripped([f"needs upgrading: {', '.join(pending)}"])


# --------------------------------------------------------------------------- schema


@schema_app.command("show")
def schema_show(
    name: Annotated[str, typer.Argument(help="dossier, questionnaire, policy or report")] = "dossier",
    questionnaires: QuestionnaireDirs = None,
) -> None:
    """Print a published JSON Schema (the dossier schema knows your organisation's questions with --questionnaires)."""
    from provenance_cli.cli import terminal
    from provenance_cli.cli.organisation import run_catalogue
    from provenance_cli.formats.schemas import all_schemas

    schemas = all_schemas(run_catalogue(None, questionnaires))
    key = f"{name}.schema.json"
    if key not in schemas:
        terminal.fail_usage(f"no schema {name!r}", [k.split(".")[0] for k in schemas])
    sys.stdout.write(schemas[key])


@schema_app.command("export")
def schema_export(
    folder: Annotated[Path, typer.Argument(help="Folder to write the schemas into, e.g. schemas/")],
    force: Annotated[bool, typer.Option("--force", help="Replace schema files provcheck did not write.")] = False,
    questionnaires: QuestionnaireDirs = None,
) -> None:
    """Write the JSON Schemas into a folder; `init` then points new dossiers at it."""
    from provenance_cli.cli import terminal
    from provenance_cli.cli.organisation import run_catalogue
    from provenance_cli.formats.schemas import all_schemas
    from provenance_cli.render.output import OUTPUT_MARKERS
    from provenance_cli.util.files import atomic_write, check_replaceable

    schemas = all_schemas(run_catalogue(None, questionnaires))
    for name in schemas:
        check_replaceable(folder / name, markers=OUTPUT_MARKERS, force=force)
    for name, text in schemas.items():
        atomic_write(folder / name, text)
        terminal.note(f"wrote {folder / name}")


# --------------------------------------------------------------------------- entry point


EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for a writer whose reader went away (``provcheck assess dir/ | head -1``)."""


def main() -> None:
    """Console-script entry point: run the app, map core errors to exit codes.

    A reader that stops early (``| head``) closes the pipe: that leaves
    quietly with 141, never with 1, the code of a tripped gate (click would
    turn the broken pipe into 1).
    """
    import gc

    # A command is a short process that builds tens of thousands of objects that live until it exits (modules,
    # classes, pydantic models, the catalogue): the cyclic collector walking them again and again was about a tenth
    # of `provcheck assess FILE`. Reference counting still frees everything acyclic at once, and the bulk work
    # already runs with the collector paused (util/parallel.py:bulk_gc); a caller that runs main() in-process gets
    # its collector back on return.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _run()
    finally:
        if collecting:
            gc.enable()


def _run() -> None:
    """:func:`main` without the collector's pause: the app, its exit codes and the broken-pipe rule."""
    pipe = _stdout_pipe()
    try:
        app()
    except SystemExit as exc:
        if exc.code == 1 and _stdout_pipe_broke(pipe):
            _leave_for_broken_pipe()
        raise
    except BrokenPipeError:
        _leave_for_broken_pipe()
    except ProvcheckError as exc:
        from provenance_cli.cli import terminal

        try:
            terminal.report_error(exc)
        except BrokenPipeError:
            _leave_for_broken_pipe()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)


def _stdout_pipe() -> tuple[int, int] | None:
    """(device, inode) of the pipe on file descriptor 1, or None when stdout is not a pipe."""
    import os
    import stat

    try:
        info = os.fstat(1)
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISFIFO(info.st_mode) else None


def _stdout_pipe_broke(pipe: tuple[int, int] | None) -> bool:
    """True when an exit 1 came from a broken stdout pipe, not from provcheck.

    click (inside typer) wraps stdout in its ``PacifyFlushWrapper`` and exits
    1; rich points file descriptor 1 at /dev/null and exits 1. Either leaves
    a trace that no exit of provcheck's own does.
    """
    if type(sys.stdout).__name__ == "PacifyFlushWrapper":
        return True
    return pipe is not None and _stdout_pipe() != pipe


def _leave_for_broken_pipe() -> None:
    """Exit 141 without a word: later writes, and Python's flush at exit, go to /dev/null instead of the closed pipe."""
    import contextlib
    import io
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        target = sys.stdout.fileno()  # the broken pipe's descriptor (click's wrapper passes fileno through)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, target)
    sys.exit(EXIT_BROKEN_PIPE)
