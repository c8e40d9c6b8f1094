"""Everything provcheck prints to a terminal: tables, problems, errors.

Kept apart from the core so that the core can be used as a library and
tested without a terminal. rich honours ``NO_COLOR`` and plain output when
stdout is not a terminal.

Terminal safety: every value that comes from a file, a list, a web page or
a file name reaches the terminal through :func:`visible` (plain lines) or
:func:`safe` (rich views), so an escape sequence in a dossier cannot set the
window title, recolour or erase lines, and a bidi override or zero-width
character cannot reorder or hide text: they are shown as ``\\x1b``,
``\\u202e``... Rich views take user data as ``Text`` objects, never as
markup, so nothing needs markup escaping (rich's escaper and markup parser
are quadratic on runs of backslashes; ``Text`` is linear).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from provenance_cli.util.errors import EXIT_INPUT, GateTripped, InputError, Problem, ProvcheckError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from provenance_cli.assessment.validate import FileCheck
    from provenance_cli.formats.models import Questionnaire

_consoles: dict[bool, Console] = {}

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""Controls (C0, DEL, C1), format characters (bidi overrides and isolates, zero-width spaces and joiners, soft hyphen,
tags), line and paragraph separators, and lone surrogates (from undecodable file names)."""
_INVISIBLE = frozenset({0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0})
"""Letters and marks that draw nothing (Hangul fillers, the combining grapheme joiner, Khmer inherent vowels): text can hide in them."""
_INVISIBLE_FOUND = re.compile("[" + "".join(map(chr, sorted(_INVISIBLE))) + "]").search
"""Python counts those invisible letters as printable, so the fast path looks for them separately."""
_REMEMBERED = 1 << 16


def _hidden(code: int) -> bool:
    return code in _INVISIBLE or unicodedata.category(chr(code)) in _HIDDEN_CATEGORIES


class _Shown(dict[int, "int | str"]):
    """A ``str.translate`` table filled on first sight of each character: itself, or its visible escape.

    At most :data:`_REMEMBERED` characters are remembered, so a file full of
    distinct code points costs time, not memory.
    """

    def __init__(self, keep: str, escape: Callable[[int], str]) -> None:
        super().__init__()
        self._keep = frozenset(map(ord, keep))
        self._escape = escape

    def __missing__(self, code: int) -> int | str:
        shown: int | str = self._escape(code) if code not in self._keep and _hidden(code) else code
        if len(self) < _REMEMBERED:
            self[code] = shown
        return shown


_NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}


def _python_escape(code: int) -> str:
    if code in _NAMED:
        return _NAMED[code]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _json_escape(code: int) -> str:
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


_ONE_LINE = _Shown("", _python_escape)
_WRAPPED = _Shown("\n\t", _python_escape)
_JSON = _Shown("\n", _json_escape)  # JSON writes newlines only between values (indentation), never raw inside a string


def visible(text: object, *, multiline: bool = False) -> str:
    """``text`` as a terminal may show it: every control, format, separator or invisible character written as an escape.

    ESC becomes ``\\x1b``, a right-to-left override ``\\u202e``, a zero-width
    space ``\\u200b``, a newline ``\\n`` (a one-line value cannot forge the
    next line); ``multiline=True`` keeps newlines and tabs for views that
    wrap text. Everything else, every script and emoji included, is shown as
    it is. The one function through which user data reaches the terminal;
    linear in the length of ``text``.
    """
    shown = str(text)
    if shown.isprintable() and _INVISIBLE_FOUND(shown) is None:  # the common case, checked at C speed
        return shown
    return shown.translate(_WRAPPED if multiline else _ONE_LINE)


def safe(text: object, style: str = "", *, multiline: bool = False) -> Text:
    """User data for a rich view: :func:`visible` text in a ``Text`` (never parsed as markup or emoji codes), styled ``style``."""
    from rich.text import Text

    return Text(visible(text, multiline=multiline), style=style)


def line(*parts: str | Text, style: str = "") -> Text:
    """One line of a rich view: ``str`` parts are provcheck's own markup, ``Text`` parts (from :func:`safe`) are taken literally.

    Each ``str`` part must be complete markup on its own (close what it
    opens); ``style`` applies to the whole line.
    """
    from rich.text import Text

    return Text.assemble(*(part if isinstance(part, Text) else Text.from_markup(part) for part in parts), style=style)


def visible_data(value: Any) -> Any:
    """``value`` (dicts, lists, strings...) with every string passed through :func:`visible`, for text views built from plain data."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {key: visible_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [visible_data(item) for item in value]
    return value


def console(stderr: bool = False) -> Console:
    """The shared rich console for stdout or stderr; piped output gets 160 columns so CI logs keep the summary table whole."""
    if stderr not in _consoles:
        import os

        from rich.console import Console

        made = Console(stderr=stderr, highlight=False, soft_wrap=False)
        if not made.is_terminal and not made.legacy_windows:
            # Piped or captured output (CI logs, files) has no window to resize: its size is fixed once, wide enough for
            # the summary table unless COLUMNS says otherwise. (Left unset, rich works it out again for every line
            # printed, asking the operating system for a terminal size: a fifth of the terminal view's time.)
            made.size = (made.width if "COLUMNS" in os.environ else 160, made.height)
        _consoles[stderr] = made
    return _consoles[stderr]


def wants_json(output_format: str) -> bool:
    """True for ``json``, False for ``text`` (alias ``terminal``); any other format is a usage error (exit 2) with a did-you-mean hint."""
    fmt = output_format.lower()
    if fmt == "terminal":
        fmt = "text"
    if fmt not in ("text", "json"):
        fail_usage(f"unknown format {output_format!r}", ["text", "json"])
    return fmt == "json"


def print_json(data: Any) -> None:
    """Indented JSON on stdout, names kept readable; dates and other non-JSON values are written as text.

    JSON escapes C0 controls itself; DEL, C1 controls, bidi, zero-width and
    separator characters and lone surrogates are written as ``\\uXXXX``
    escapes too: the same data, but nothing that acts on a terminal.
    """
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str).translate(_JSON) + "\n")


def note(message: str) -> None:
    """A plain message on stderr, off stdout so piped JSON and reports stay clean; printed literally, never as markup; not under --quiet."""
    from provenance_cli.cli.options import is_quiet

    if not is_quiet():
        console(stderr=True).print(safe(message))


def warn(message: str) -> None:
    """A ``warning:`` line on stderr; the message is shown as text, so brackets in a file or vendor name cannot become markup."""
    console(stderr=True).print(line("[yellow]warning:[/yellow] ", safe(message)))


def fail_usage(message: str, choices: Sequence[str] = ()) -> NoReturn:
    """Report a bad option on stderr and exit 2, suggesting the nearest of ``choices`` to the last quoted value in ``message``."""
    from provenance_cli.formats.vocabulary import did_you_mean

    text = message
    if choices:
        given = message.split("'")[-2] if "'" in message else ""
        text += did_you_mean(given, choices) or f"; expected one of {', '.join(choices)}"
    sys.stderr.write(f"provcheck: error: {visible(text)}\n")
    raise typer.Exit(EXIT_INPUT)


def report_error(error: ProvcheckError) -> None:
    """Print a core error the way scripts and editors expect, without a traceback.

    Input problems come one ``file:line:col: message`` per line, a tripped gate as its reasons, anything else as ``provcheck: error:``.
    """
    if isinstance(error, InputError):
        for problem in error.problems:
            sys.stderr.write(f"{visible(problem)}\n")
        return
    if isinstance(error, GateTripped):
        sys.stderr.write(f"{visible(error)}\n")
        return
    sys.stderr.write(f"provcheck: error: {visible(error)}\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None) -> None:
    """A rich table on stdout; cells and title are shown as text (:func:`safe`) because they carry what vendors and users wrote.

    Cells wrap and fold rather than end in "…": a URL or an id stays whole, on as many lines as it needs.
    """
    from rich.table import Table

    table = Table(title=safe(title) if title is not None else None, show_lines=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(safe(cell) for cell in row))
    console().print(table)


def show_questionnaire(questionnaire: Questionnaire) -> None:
    """A questionnaire as a dossier author needs it: each question's weight, condition, help, allowed answers and frameworks."""
    from provenance_cli.formats.scaffold import allowed_answers

    out = console()
    out.print(line(safe(questionnaire.title, "bold"), "  ", safe(f"({questionnaire.id} {questionnaire.version})")))
    out.print(safe(questionnaire.description.strip(), multiline=True))
    for question in questionnaire.questions:
        out.print()
        answered_by = "vendor or buyer" if question.audience == "either" else f"the {question.audience}"
        flags = [f"answered by {answered_by}", f"weight {question.weight:g}"]
        if question.evidence_required:
            flags.append("evidence required")
        if question.applies_if is not None:
            from provenance_cli.formats.dossier import describe_condition

            flags.append(f"applies when {describe_condition(question.applies_if)}")
        out.print(line(safe(question.id, "bold cyan"), "  ", safe("; ".join(flags), "dim")))
        out.print(line("  ", safe(question.text.strip(), multiline=True)))
        if question.vendor_text:
            out.print(line("  to the vendor: ", safe(" ".join(question.vendor_text.split()))))
        out.print(line("  ", safe(" ".join(question.help.split()), "dim")))
        out.print(line("  answers: ", safe(allowed_answers(question))))
        if question.frameworks:
            grouped: dict[str, list[str]] = {}
            for name, ref, party in question.framework_refs():
                grouped.setdefault(name, []).append(f"{ref} ({party})" if party else ref)
            maps = [f"{name}: {', '.join(refs)}" for name, refs in grouped.items()]
            if maps:
                out.print(line("  ", safe(f"frameworks: {'; '.join(maps)}", "dim")))


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
                        "notes": list(c.notes),
                    }
                    for c in checks
                ],
                "errors": [p.as_dict() for p in missing],
            }
        )
        return
    for problem in missing:
        sys.stdout.write(f"{visible(problem)}\n")
    bad = 0
    for check in checks:
        for problem in check.problems:
            sys.stdout.write(f"{visible(problem)}\n")
        bad += not check.valid
        if check.valid and check.outdated:
            path = visible(check.path)
            sys.stderr.write(
                f"{path}: {check.kind} format {check.format_version}, read as the current format "
                f"(provcheck upgrade {path} rewrites it, keeping comments)\n"
            )
        for remark in check.notes:
            sys.stderr.write(f"{visible(check.path)}: note: {visible(remark)}\n")
    total = len(checks)
    summary = f"{total - bad} of {total} file{'s' if total != 1 else ''} valid"
    if bad or missing:
        note(f"{summary}; {sum(len(c.problems) for c in checks) + len(missing)} problem(s)")
    else:
        note(summary)
