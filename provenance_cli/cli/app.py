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
from provenance_cli.cli.options import jobs_option
from provenance_cli.util.errors import EXIT_INPUT, ProvcheckError

app = typer.Typer(
    name="provcheck",
    help="Provenance due diligence for AI model vendors: dossiers, risk rules, sanctions screening, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
questionnaires_app = typer.Typer(help="List and show the bundled questionnaires.", no_args_is_help=True)
schema_app = typer.Typer(help="Print or export the published JSON Schemas.", no_args_is_help=True)
app.add_typer(questionnaires_app, name="questionnaires")
app.add_typer(schema_app, name="schema")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"provcheck {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Never touch the network; use caches and lock files only.")] = False,
) -> None:
    """Provenance due diligence for AI model vendors."""
    if offline:
        from provenance_cli.util.net import set_offline

        set_offline(True)


# --------------------------------------------------------------------------- questionnaires


@questionnaires_app.command("list")
def questionnaires_list(
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """List the bundled questionnaires with their versions."""
    from provenance_cli.cli import terminal
    from provenance_cli.formats.questionnaires import load_catalogue

    catalogue = load_catalogue()
    rows = [
        {"id": q.id, "version": q.version, "title": q.title, "questions": len(q.questions), "rules": len(q.rules)}
        for q in catalogue.questionnaires
    ]
    if terminal.wants_json(output_format):
        terminal.print_json(rows)
        return
    terminal.print_table(
        ["id", "version", "title", "questions", "rules"], [list(map(str, r.values())) for r in rows], title="Bundled questionnaires"
    )


@questionnaires_app.command("show")
def questionnaires_show(
    questionnaire_id: Annotated[str, typer.Argument(metavar="ID", help="Questionnaire id, e.g. retention")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Show every question of one questionnaire, its answers, weight and help."""
    from provenance_cli.cli import terminal
    from provenance_cli.formats.questionnaires import load_catalogue

    catalogue = load_catalogue()
    try:
        questionnaire = catalogue.questionnaire(questionnaire_id)
    except KeyError:
        terminal.fail_usage(f"no questionnaire {questionnaire_id!r}", [q.id for q in catalogue.questionnaires])
    if terminal.wants_json(output_format):
        terminal.print_json(questionnaire.model_dump(mode="json", exclude_none=True))
        return
    terminal.show_questionnaire(questionnaire)


# --------------------------------------------------------------------------- init / validate


@app.command()
def init(
    vendor: Annotated[str, typer.Argument(help="The vendor's name, as it should appear in reports.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: <vendor-slug>.yaml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    assessor: Annotated[str | None, typer.Option(help="Your name (default: your login name).")] = None,
    schema_ref: Annotated[str | None, typer.Option("--schema-ref", help="Path or URL the editor header points to.")] = None,
) -> None:
    """Write a new dossier with every question, its help as comments, answers unset."""
    import getpass
    import os
    from datetime import date

    from provenance_cli.cli import terminal
    from provenance_cli.formats.questionnaires import load_catalogue
    from provenance_cli.formats.scaffold import scaffold_dossier
    from provenance_cli.formats.schemas import DOSSIER_SCHEMA_FILE, SCHEMA_BASE, find_schema_upwards
    from provenance_cli.util.files import atomic_write
    from provenance_cli.util.slug import slugify

    if not vendor.strip():
        terminal.fail_usage("the vendor name is empty")
    target = output or Path(f"{slugify(vendor)}.yaml")
    if schema_ref is None:
        local = find_schema_upwards(target.parent if str(target.parent) else Path("."))
        if local is not None:
            # A separate variable: mypy picks relpath's bytes overload for the inline `or` expression.
            base = (target.parent or Path(".")).resolve()
            schema_ref = os.path.relpath(local, base)
        else:
            schema_ref = SCHEMA_BASE + DOSSIER_SCHEMA_FILE
    try:
        who = assessor or getpass.getuser()
    except Exception:
        who = "assessor"
    text = scaffold_dossier(vendor, load_catalogue(), assessor=who, today=date.today(), schema_ref=schema_ref)
    atomic_write(target, text, overwrite=force)
    terminal.note(f"wrote {target}")


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Dossier, questionnaire or policy files, or folders of them.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    jobs: Annotated[int | None, jobs_option()] = None,
) -> None:
    """Check files; print every problem as file:line:col: message (exit 2 if any)."""
    from provenance_cli.assessment.validate import FileCheck, check_file, check_links, check_questionnaire_set
    from provenance_cli.cli import terminal
    from provenance_cli.util.files import discover
    from provenance_cli.util.parallel import parallel_map

    files, missing = discover(paths)
    checks: list[FileCheck] = list(parallel_map(check_file, files, jobs=jobs))
    questionnaire_files = [Path(c.path) for c in checks if c.kind == "questionnaire"]
    if len(questionnaire_files) > 1:
        together = {c.path: c for c in check_questionnaire_set(questionnaire_files)}
        checks = [together.get(c.path, c) for c in checks]
    checks = check_links(checks, [p for p in paths if not p.is_dir()])
    terminal.report_validation(checks, missing, output_format)
    if missing or any(not c.valid for c in checks):
        raise typer.Exit(EXIT_INPUT)


@app.command()
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
    name: Annotated[str, typer.Argument(help="dossier, questionnaire or report")] = "dossier",
) -> None:
    """Print a published JSON Schema."""
    from provenance_cli.cli import terminal
    from provenance_cli.formats.questionnaires import load_catalogue
    from provenance_cli.formats.schemas import all_schemas

    schemas = all_schemas(load_catalogue())
    key = f"{name}.schema.json"
    if key not in schemas:
        terminal.fail_usage(f"no schema {name!r}", [k.split(".")[0] for k in schemas])
    sys.stdout.write(schemas[key])


@schema_app.command("export")
def schema_export(
    folder: Annotated[Path, typer.Argument(help="Folder to write the schemas into, e.g. schemas/")],
    force: Annotated[bool, typer.Option("--force", help="Replace schema files provcheck did not write.")] = False,
) -> None:
    """Write the JSON Schemas into a folder; `init` then points new dossiers at it."""
    from provenance_cli.cli import terminal
    from provenance_cli.formats.questionnaires import load_catalogue
    from provenance_cli.formats.schemas import all_schemas
    from provenance_cli.render.output import OUTPUT_MARKERS
    from provenance_cli.util.files import atomic_write, check_replaceable

    schemas = all_schemas(load_catalogue())
    for name in schemas:
        check_replaceable(folder / name, markers=OUTPUT_MARKERS, force=force)
    for name, text in schemas.items():
        atomic_write(folder / name, text)
        terminal.note(f"wrote {folder / name}")


# --------------------------------------------------------------------------- command modules
# Larger command groups live in provenance_cli/commands/, one module each,
# registered here with one line. They import only typer at module level.


def _register_command_modules() -> None:
    from provenance_cli.cli.registry import REGISTERED

    for register in REGISTERED:
        register(app)


_register_command_modules()


# --------------------------------------------------------------------------- entry point


def main() -> None:
    """Console-script entry point: run the app, map core errors to exit codes."""
    try:
        app()
    except ProvcheckError as exc:
        from provenance_cli.cli import terminal

        terminal.report_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
