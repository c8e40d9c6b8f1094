"""Everything provcheck prints to a terminal: tables, problems, errors.

Kept apart from the core so that the core can be used as a library and
tested without a terminal. rich honours ``NO_COLOR`` and plain output when
stdout is not a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from provenance_cli.util.errors import EXIT_INPUT, GateTripped, InputError, Problem, ProvcheckError

if TYPE_CHECKING:
    from rich.console import Console

    from provenance_cli.assessment.validate import FileCheck
    from provenance_cli.formats.models import Questionnaire

_consoles: dict[bool, Console] = {}


def console(stderr: bool = False) -> Console:
    """The shared rich console for stdout or stderr; piped output gets 160 columns so CI logs keep the summary table whole."""
    if stderr not in _consoles:
        import os

        from rich.console import Console

        made = Console(stderr=stderr, highlight=False, soft_wrap=False)
        if not made.is_terminal and "COLUMNS" not in os.environ:
            # Piped or captured output (CI logs, files): wide enough for the summary table.
            made = Console(stderr=stderr, highlight=False, soft_wrap=False, width=160)
        _consoles[stderr] = made
    return _consoles[stderr]


def wants_json(output_format: str) -> bool:
    """True for ``json``, False for ``text``; any other format is a usage error (exit 2) with a did-you-mean hint."""
    fmt = output_format.lower()
    if fmt not in ("text", "json"):
        fail_usage(f"unknown format {output_format!r}", ["text", "json"])
    return fmt == "json"


def print_json(data: Any) -> None:
    """Indented JSON on stdout, names kept readable (no ASCII escapes); dates and other non-JSON values are written as text."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def note(message: str) -> None:
    """A plain message on stderr, off stdout so piped JSON and reports stay clean; printed literally, never as markup."""
    console(stderr=True).print(message, markup=False)


def warn(message: str) -> None:
    """A ``warning:`` line on stderr; the message is escaped so brackets in a file or vendor name cannot become markup."""
    console(stderr=True).print(f"[yellow]warning:[/yellow] {_escape(message)}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def fail_usage(message: str, choices: Sequence[str] = ()) -> NoReturn:
    """Report a bad option on stderr and exit 2, suggesting the nearest of ``choices`` to the last quoted value in ``message``."""
    from provenance_cli.formats.vocabulary import did_you_mean

    text = message
    if choices:
        given = message.split("'")[-2] if "'" in message else ""
        text += did_you_mean(given, choices) or f"; expected one of {', '.join(choices)}"
    sys.stderr.write(f"provcheck: error: {text}\n")
    raise typer.Exit(EXIT_INPUT)


def report_error(error: ProvcheckError) -> None:
    """Print a core error the way scripts and editors expect, without a traceback.

    Input problems come one ``file:line:col: message`` per line, a tripped gate as its reasons, anything else as ``provcheck: error:``.
    """
    if isinstance(error, InputError):
        for problem in error.problems:
            sys.stderr.write(f"{problem}\n")
        return
    if isinstance(error, GateTripped):
        sys.stderr.write(f"{error}\n")
        return
    sys.stderr.write(f"provcheck: error: {error}\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None) -> None:
    """A rich table on stdout; every cell is escaped because cells carry text that vendors and users wrote.

    Cells wrap and fold rather than end in "…": a URL or an id stays whole, on as many lines as it needs.
    """
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(_escape(cell) for cell in row))
    console().print(table)


def show_questionnaire(questionnaire: Questionnaire) -> None:
    """A questionnaire as a dossier author needs it: each question's weight, condition, help, allowed answers and frameworks."""
    from rich.markup import escape

    from provenance_cli.formats.scaffold import allowed_answers

    out = console()
    out.print(f"[bold]{escape(questionnaire.title)}[/bold]  ({questionnaire.id} {questionnaire.version})")
    out.print(escape(questionnaire.description.strip()))
    for question in questionnaire.questions:
        out.print()
        flags = [f"weight {question.weight:g}"]
        if question.evidence_required:
            flags.append("evidence required")
        if question.applies_if is not None:
            from provenance_cli.formats.dossier import describe_condition

            flags.append(f"applies when {describe_condition(question.applies_if)}")
        out.print(f"[bold cyan]{escape(question.id)}[/bold cyan]  [dim]{escape('; '.join(flags))}[/dim]")
        out.print(f"  {escape(question.text)}")
        out.print(f"  [dim]{escape(' '.join(question.help.split()))}[/dim]")
        out.print(f"  answers: {escape(allowed_answers(question))}")
        if question.frameworks:
            maps = [f"{name}: {', '.join(refs)}" for name, refs in question.frameworks.model_dump().items() if refs]
            if maps:
                out.print(f"  [dim]frameworks: {escape('; '.join(maps))}[/dim]")


def report_validation(checks: Sequence[FileCheck], missing: Sequence[Problem], output_format: str) -> None:
    """The ``validate`` verdicts: problems on stdout (one per line, or one JSON document), the text summary on stderr."""
    if wants_json(output_format):
        print_json(
            {
                "valid": not missing and all(c.valid for c in checks),
                "files": [
                    {
                        "file": c.path,
                        "kind": c.kind,
                        "format_version": c.format_version,
                        "valid": c.valid,
                        "problems": [p.as_dict() for p in c.problems],
                    }
                    for c in checks
                ],
                "errors": [p.as_dict() for p in missing],
            }
        )
        return
    for problem in missing:
        sys.stdout.write(f"{problem}\n")
    bad = 0
    for check in checks:
        for problem in check.problems:
            sys.stdout.write(f"{problem}\n")
        bad += not check.valid
        if check.valid and check.outdated:
            sys.stderr.write(
                f"{check.path}: {check.kind} format {check.format_version}, read as the current format "
                f"(provcheck upgrade {check.path} rewrites it, keeping comments)\n"
            )
    total = len(checks)
    summary = f"{total - bad} of {total} file{'s' if total != 1 else ''} valid"
    if bad or missing:
        sys.stderr.write(f"{summary}; {sum(len(c.problems) for c in checks) + len(missing)} problem(s)\n")
    else:
        sys.stderr.write(f"{summary}\n")
