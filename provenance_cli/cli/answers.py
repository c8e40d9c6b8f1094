"""``provcheck import`` and ``provcheck fill``: answers into a dossier, without losing a comment.

``import`` merges a questionnaire the vendor filled (exported by
``provcheck questions -f xlsx|csv``) and shows the diff; ``fill`` asks the
unanswered questions one at a time in the terminal and saves after each
answer, so it can be stopped and resumed. Both write through
:mod:`provenance_cli.formats.dossier_edit`, which changes only the answer
entries concerned, and atomically (the file keeps its mode).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provenance_cli.cli.organisation import QuestionnaireDirs
from provenance_cli.cli.terminal import line, safe, visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from provenance_cli.formats.dossier import Dossier
    from provenance_cli.formats.dossier_edit import AnswerChange
    from provenance_cli.formats.models import Question
    from provenance_cli.formats.questionnaires import Catalogue

AUDIENCE_FILTERS = ("all", "vendor", "buyer")


def _read(path: Path) -> tuple[bytes, str]:
    from provenance_cli.formats.safeyaml import decode_utf8, read_bytes

    raw = read_bytes(path)
    return raw, decode_utf8(raw, str(path))


def _write_if_unchanged(path: Path, before: bytes, text: str) -> None:
    """Write ``text`` atomically, unless the file changed since it was read (someone else edited it meanwhile)."""
    from provenance_cli.formats.safeyaml import read_bytes
    from provenance_cli.util.errors import UsageError
    from provenance_cli.util.files import atomic_write

    if read_bytes(path) != before:
        raise UsageError(f"{path} changed while provcheck was working on it; nothing was written, run the command again")
    atomic_write(path, text)


def _diff(old: str, new: str, name: str) -> str:
    import difflib

    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"{name} (before)", f"{name} (after)")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``fill`` to the app."""

    @app.command("import")
    def import_command(
        dossier: Annotated[Path, typer.Argument(help="The dossier to update.")],
        filled: Annotated[Path, typer.Argument(help="The questionnaire the vendor filled in (.xlsx or .csv from provcheck questions).")],
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                help="Import a file exported for another dossier or other questionnaire versions, "
                "and replace answers the buyer verified after the export.",
            ),
        ] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the diff only; write nothing.")] = False,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="The import date, recorded as each answer's as_of (YYYY-MM-DD; default today).")
        ] = None,
        model: Annotated[
            str | None,
            typer.Option(
                "--model",
                "-m",
                help="The model the answers are for (default: the one the file was exported for, else the vendor): an answer "
                "goes into the model's own answers where it overrides the question, into the vendor's otherwise.",
            ),
        ] = None,
        questionnaires: QuestionnaireDirs = None,
    ) -> None:
        """Merge a vendor's filled questionnaire into its dossier: diff shown, comments and layout kept, written atomically.

        Each answer is checked like a dossier answer (problems as FILE:Sheet!C12, exit 2, nothing written) and recorded
        with evidence kind vendor_attestation, the import date as as_of and a note saying where it came from.
        """
        from provenance_cli.cli import terminal
        from provenance_cli.cli.assess import _parse_day
        from provenance_cli.cli.organisation import run_catalogue
        from provenance_cli.formats.answer_import import plan_import
        from provenance_cli.formats.answer_sheet import META_MODEL, read_answer_sheet
        from provenance_cli.formats.dossier import parse_dossier

        today = _parse_day(as_of)
        catalogue = run_catalogue(None, questionnaires)
        raw, text = _read(dossier)
        current = parse_dossier(raw, str(dossier), catalogue)
        sheet = read_answer_sheet(filled)
        recorded = sheet.record.get(META_MODEL)
        target = model if model is not None else (recorded.text or None) if recorded is not None else None
        _answer_home(current, target)  # an unknown model is a usage error before the file is read any further
        view = current.for_model(target) if target is not None else current
        plan = plan_import(sheet, view, catalogue, today=today, force=force)
        for message in (*plan.notices, *plan.kept):
            terminal.warn(message)
        if not plan.changes:
            terminal.note(f"nothing to import: {plan.answered} answered row(s) in {filled}, no change to {dossier}")
            return
        new_text = _apply_at_home(text, str(dossier), plan.changes, catalogue, current, target)
        sys.stdout.write(visible(_diff(text, new_text, str(dossier)), multiline=True))
        if dry_run:
            terminal.note(f"dry run: {len(plan.changes)} answer(s) would change; {dossier} was not written")
            return
        _write_if_unchanged(dossier, raw, new_text)
        terminal.note(f"updated {dossier}: {len(plan.changes)} answer(s) from {filled}")

    @app.command("fill")
    def fill_command(
        dossier: Annotated[Path, typer.Argument(help="The dossier to fill in.")],
        audience: Annotated[
            str, typer.Option("--audience", help="Which questions: all, vendor (vendor and either questions) or buyer.")
        ] = "all",
        as_of: Annotated[str | None, typer.Option("--as-of", help="The date the answers are true (YYYY-MM-DD; default today).")] = None,
        model: Annotated[
            str | None,
            typer.Option(
                "--model",
                "-m",
                help="Ask the questions as this model reads them (its own answers replace the vendor's); an answer goes "
                "into the model's own answers where it overrides the question, into the vendor's otherwise.",
            ),
        ] = None,
        questionnaires: QuestionnaireDirs = None,
    ) -> None:
        """Ask the unanswered questions one at a time, saving after each answer; stop any time and run again to resume.

        Conditions apply as answers come in: a question appears once an answer makes it apply. Enter skips a
        question for this session, q stops.
        """
        from provenance_cli.cli import terminal
        from provenance_cli.cli.assess import _parse_day
        from provenance_cli.cli.organisation import run_catalogue

        if audience.lower() not in AUDIENCE_FILTERS:
            terminal.fail_usage(f"--audience: unknown audience '{audience}'", AUDIENCE_FILTERS)
        session = _FillSession(dossier, run_catalogue(None, questionnaires), audience.lower(), _parse_day(as_of), terminal.console(), model)
        try:
            session.run()
        except (KeyboardInterrupt, EOFError) as stop:
            session.say_stopped()
            if isinstance(stop, KeyboardInterrupt):
                raise typer.Exit(130) from None


class _Stop(Exception):
    """The user asked to stop (q)."""


class _FillSession:
    """One run of ``provcheck fill``: ask, save, recompute what applies, ask again."""

    def __init__(self, path: Path, catalogue: Catalogue, audience: str, today: Any, console: Console, model: str | None = None) -> None:
        self.path = path
        self.model = model
        self.catalogue = catalogue
        self.audience = audience
        self.today = today
        self.console = console
        self.skipped: set[str] = set()
        self.saved = 0

    def pending(self, dossier: Dossier) -> list[Question]:
        """Applicable questions without an answer, in questionnaire order (conditions read the answers saved so far)."""
        from provenance_cli.formats.conditions import Facts
        from provenance_cli.formats.vocabulary import VENDOR_AUDIENCES

        if self.model is not None:
            _answer_home(dossier, self.model)  # an unknown model is a usage error before anything is asked
            dossier = dossier.for_model(self.model)
        facts = Facts(answers=dossier.answers)
        out = []
        for question_id, question in self.catalogue.questions.items():
            entry = dossier.model.answers.get(question_id)
            if (entry is not None and entry.answer is not None) or question_id in self.skipped:
                continue
            if self.audience != "all" and (question.audience in VENDOR_AUDIENCES) != (self.audience == "vendor"):
                continue
            condition = self.catalogue.applies_if.get(question_id)
            if condition is None or condition.holds(facts):
                out.append(question)
        return out

    def run(self) -> None:
        """Ask until nothing is left, the user stops, or input ends."""
        from provenance_cli.formats.dossier import parse_dossier

        while True:
            raw, text = _read(self.path)
            dossier = parse_dossier(raw, str(self.path), self.catalogue)
            pending = self.pending(dossier)
            if not pending:
                skipped = f" ({len(self.skipped)} skipped this time)" if self.skipped else ""
                self.console.print(
                    f"Nothing left to answer in {visible(str(self.path))}{skipped}; {self.saved} answer(s) saved.", markup=False
                )
                return
            question = pending[0]
            self._show(question, len(pending))
            try:
                answer = self._ask_answer(question)
            except _Stop:
                self.say_stopped()
                return
            if answer is None:
                self.skipped.add(question.id)
                continue
            evidence = self._ask_evidence(question)
            self._save(dossier, raw, text, question, answer, evidence)

    def say_stopped(self) -> None:
        """How to resume."""
        self.console.print()
        self.console.print(
            f"Stopped; {self.saved} answer(s) saved. Run provcheck fill {visible(str(self.path))} again to continue.", markup=False
        )

    def _show(self, question: Question, left: int) -> None:
        from provenance_cli.formats.answer_sheet import answer_options

        out = self.console
        title = self.catalogue.questionnaire(self.catalogue.category_of[question.id]).title
        who = {"buyer": "the buyer", "either": "the vendor or the buyer"}.get(question.audience, "the vendor")
        out.print()
        out.print(line(safe(question.id, "bold"), "  ", safe(f"{title} · answered by {who} · {left} left", "dim")))
        out.print(line(safe(" ".join(question.text.split()))))
        out.print(line(safe(" ".join(question.help.split()), "dim")))
        options = answer_options(question)
        if options:
            several = " (several: numbers separated by commas)" if question.type == "multiple_choice" else ""
            out.print(f"Answers{several}:")
            for number, (value, label) in enumerate(options, start=1):
                out.print(line(f"  {number}. ", safe(label), " ", safe(f"({value})", "dim")))
        else:
            from provenance_cli.formats.scaffold import allowed_answers

            out.print(line("Answer: ", safe(allowed_answers(question))))
        if question.evidence_request:
            out.print(line(safe(f"Evidence: {' '.join(question.evidence_request.split())}", "dim")))

    def _prompt(self, text: str) -> str:
        self.console.print(text, end="", markup=False)
        self.console.file.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.strip()

    def _ask_answer(self, question: Question) -> Any:
        """The normalised answer, or None to skip; asks again until the answer is valid."""
        from provenance_cli.formats.answer_sheet import Cell, parse_answer

        while True:
            given = self._prompt("answer (Enter skips, q stops): ")
            if not given:
                return None
            if given.lower() in ("q", "quit"):
                raise _Stop
            try:
                return parse_answer(question, Cell(_by_number(question, given), None, 0, 0))
            except ValueError as exc:
                self.console.print(f"  not accepted: {visible(str(exc))}", markup=False)

    def _ask_evidence(self, question: Question) -> tuple[dict[str, Any], ...]:
        """An optional evidence URL, with its title and kind."""
        from provenance_cli.formats.models import check_url
        from provenance_cli.formats.vocabulary import EVIDENCE_KINDS

        if not question.evidence_required:
            return ()
        while True:
            url = self._prompt("evidence URL (Enter for none): ")
            if not url:
                return ()
            try:
                url = check_url(url)
                break
            except ValueError as exc:
                self.console.print(f"  not accepted: {visible(str(exc))}", markup=False)
        title = self._prompt("evidence title (Enter for none): ") or None
        kinds = ", ".join(f"{n} {kind}" for n, kind in enumerate(EVIDENCE_KINDS, start=1))
        while True:
            given = self._prompt(f"evidence kind ({kinds}; Enter for public_document): ") or "public_document"
            kind = EVIDENCE_KINDS[int(given) - 1] if given.isdigit() and 1 <= int(given) <= len(EVIDENCE_KINDS) else given
            if kind in EVIDENCE_KINDS:
                return ({"url": url, "title": title, "retrieved": self.today, "kind": kind},)
            self.console.print(f"  not accepted: expected one of {', '.join(EVIDENCE_KINDS)}", markup=False)

    def _save(self, dossier: Dossier, raw: bytes, text: str, question: Question, answer: Any, evidence: tuple[dict[str, Any], ...]) -> None:
        from provenance_cli.formats.answer_sheet import yaml_value
        from provenance_cli.formats.dossier_edit import AnswerChange

        as_of = self.today if self.today != dossier.model.assessment.date else None
        change = AnswerChange(question.id, yaml_value(question, answer), evidence, None, as_of)
        new_text = _apply_at_home(text, str(self.path), [change], self.catalogue, dossier, self.model)
        _write_if_unchanged(self.path, raw, new_text)
        self.saved += 1
        self.console.print(f"  saved {question.id}", markup=False)


def _answer_home(dossier: Dossier, model: str | None) -> tuple[int | None, frozenset[str]]:
    """:meth:`Dossier.answer_home`, with an unknown model as a usage error (exit 2) naming the dossier's models."""
    from provenance_cli.cli import terminal

    try:
        return dossier.answer_home(model)
    except ValueError as exc:
        terminal.fail_usage(f"--model: {exc}")


def _apply_at_home(
    text: str, source: str, changes: Sequence[AnswerChange], catalogue: Catalogue, dossier: Dossier, model: str | None
) -> str:
    """The dossier text with each change written where it takes effect for ``model``.

    Into the model's own answers when the model overrides the question, or when the question applies only
    because of the model's own answers (the vendor's answers rule it out); into the vendor's otherwise, so
    shared answers stay shared and no answer is hidden behind a model's override.
    """
    from provenance_cli.formats.conditions import Facts
    from provenance_cli.formats.dossier_edit import apply_changes

    index, own = _answer_home(dossier, model)
    vendor_facts = Facts(answers=dossier.answers)

    def for_the_model(question_id: str) -> bool:
        condition = catalogue.applies_if.get(question_id)
        return question_id in own or (condition is not None and not condition.holds(vendor_facts))

    shared = [change for change in changes if index is None or not for_the_model(change.question_id)]
    for_model = [change for change in changes if index is not None and for_the_model(change.question_id)]
    if shared:
        text, _ = apply_changes(text, source, shared, catalogue)
    if for_model:
        text, _ = apply_changes(text, source, for_model, catalogue, model=index)
    return text


def _by_number(question: Question, given: str) -> str:
    """Numbers typed for listed answers become their values (for numbers and dates a number is the answer itself)."""
    from provenance_cli.formats.answer_sheet import answer_options

    options = answer_options(question)
    if not options:
        return given

    def value(token: str) -> str:
        token = token.strip()
        return options[int(token) - 1][0] if token.isdigit() and 1 <= int(token) <= len(options) else token

    if question.type == "multiple_choice":
        return ";".join(value(token) for token in re.split(r"[,;]", given) if token.strip())
    return value(given)
