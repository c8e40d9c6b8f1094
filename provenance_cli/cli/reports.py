"""``provcheck compare`` and ``provcheck diff``: vendors side by side, and what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def load_documents(
    paths: list[Path],
    *,
    policy: Path | None,
    as_of: str | None,
    screen: bool,
    evidence: bool,
    offline: bool,
) -> list[dict[str, Any]]:
    """Report documents for JSON reports and dossiers alike, in the order given.

    Every JSON report is checked against its version's schema before any is
    read, and the problems of all of them are said together (exit 2).
    """
    from provenance_cli.cli.assess import run_assessment
    from provenance_cli.render.document import load_report, report_document
    from provenance_cli.render.interface import RenderContext
    from provenance_cli.render.output import run_inputs
    from provenance_cli.util.errors import InputError, Problem
    from provenance_cli.util.files import refusal, special_file_kind

    for path in paths:
        if not path.exists():
            raise InputError([Problem(str(path), 0, 0, "no such file (give dossier files or JSON reports)")])
        kind = special_file_kind(path)
        if kind is not None:
            raise InputError([Problem(str(path), 0, 0, refusal(kind, "a dossier or a JSON report"))])
    documents: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for path in paths:
        if path.suffix.lower() == ".json" and str(path) not in documents:
            try:
                documents[str(path)] = load_report(path)
            except InputError as exc:
                problems.extend(exc.problems)
    dossiers = [p for p in paths if p.suffix.lower() != ".json"]
    if dossiers:
        context = RenderContext(inputs=run_inputs(policy))
        # Each dossier is its own run: diff and compare often take two versions of one vendor's dossier,
        # which in a single run would claim the same vendor id twice (a link error for assess).
        for dossier in dict.fromkeys(dossiers):
            run = run_assessment([dossier], policy=policy, as_of=as_of, screen=screen, evidence=evidence, offline=offline, jobs=1)
            if run.problems and not problems:
                raise typer.Exit(2)
            for result in run.results:
                documents[result.source] = report_document(result, context)
    if problems:
        raise InputError(problems)
    return [documents[str(p)] for p in paths]


def _write(text: str, output: Path | None, *, inputs: list[Path], force: bool) -> None:
    import sys

    if output is None:
        sys.stdout.write(text)
        return
    from provenance_cli.cli.terminal import note
    from provenance_cli.render.output import OUTPUT_MARKERS
    from provenance_cli.util.files import atomic_write, check_replaceable

    check_replaceable(output, markers=OUTPUT_MARKERS, inputs=inputs, force=force)
    atomic_write(output, text)
    note(f"wrote {output}")


_POLICY = typer.Option("--policy", "-p", help="Policy file for dossiers (default: the bundled policy).")
_AS_OF = typer.Option("--as-of", help="Score dossiers as of this date (YYYY-MM-DD; default today).")
_SCREEN = typer.Option("--screen/--no-screen", help="Screen dossier names against cached lists.")
_EVIDENCE = typer.Option("--evidence/--no-evidence", help="Compare cited evidence with its lock file.")
_OFFLINE = typer.Option("--offline", help="Never touch the network.")
_FORCE = typer.Option("--force", help="Replace an output file provcheck did not write, a read-only one, or an input.")


def register(app: typer.Typer) -> None:
    """Add ``compare`` and ``diff`` to ``app`` (called through :mod:`provenance_cli.cli.registry`)."""

    @app.command()
    def compare(
        paths: Annotated[list[Path], typer.Argument(help="Two or more dossiers or JSON reports, one per vendor.")],
        output_format: Annotated[str, typer.Option("--format", "-f", help="text (alias terminal), md or html.")] = "text",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
        template_dir: Annotated[
            Path | None, typer.Option("--template-dir", help="Your own templates, used before the bundled ones.")
        ] = None,
        policy: Annotated[Path | None, _POLICY] = None,
        as_of: Annotated[str | None, _AS_OF] = None,
        screen: Annotated[bool, _SCREEN] = True,
        evidence: Annotated[bool, _EVIDENCE] = True,
        offline: Annotated[bool, _OFFLINE] = False,
        force: Annotated[bool, _FORCE] = False,
    ) -> None:
        """Vendors side by side: scores and every answer, differing answers marked ◆."""
        from provenance_cli.cli import terminal
        from provenance_cli.cli.options import output_format as canonical_format
        from provenance_cli.cli.views import show_comparison
        from provenance_cli.render.compare import compare_documents, render_html, render_markdown
        from provenance_cli.render.interface import RenderContext
        from provenance_cli.render.output import guard_render

        fmt = canonical_format(output_format, ("text", "md", "html"))
        if len(paths) < 2:
            terminal.fail_usage("compare needs at least two dossiers or reports")
        documents = load_documents(paths, policy=policy, as_of=as_of, screen=screen, evidence=evidence, offline=offline)
        comparison = compare_documents(documents)
        if fmt == "text":
            if output is None:
                show_comparison(comparison, terminal.console())
                return
            import io

            from rich.console import Console

            buffer = io.StringIO()
            show_comparison(comparison, Console(file=buffer, width=160, no_color=True, highlight=False))
            _write(buffer.getvalue(), output, inputs=paths, force=force)
            return
        context = RenderContext(template_dir=str(template_dir) if template_dir else None)
        render = render_markdown if fmt == "md" else render_html
        text = guard_render(lambda: render(comparison, context), fmt)
        assert isinstance(text, str)  # compare renders text formats only
        _write(text, output, inputs=paths, force=force)

    @app.command()
    def diff(
        old: Annotated[Path, typer.Argument(help="The earlier dossier or JSON report.")],
        new: Annotated[Path, typer.Argument(help="The later dossier or JSON report of the same vendor.")],
        output_format: Annotated[str, typer.Option("--format", "-f", help="text (alias terminal), md or json.")] = "text",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
        fail_on_worse: Annotated[bool, typer.Option("--fail-on-worse", help="Exit 1 when risk went up (overall score or tier).")] = False,
        policy: Annotated[Path | None, _POLICY] = None,
        as_of: Annotated[str | None, _AS_OF] = None,
        screen: Annotated[bool, _SCREEN] = True,
        evidence: Annotated[bool, _EVIDENCE] = True,
        offline: Annotated[bool, _OFFLINE] = False,
        force: Annotated[bool, _FORCE] = False,
    ) -> None:
        """What changed between two assessments: answers, rules fired, scores and tier."""
        from provenance_cli.assessment.gates import enforce, worse_gate
        from provenance_cli.cli import terminal
        from provenance_cli.cli.options import output_format as canonical_format
        from provenance_cli.render.diff import diff_documents, render_json, render_markdown, render_text

        renderers = {"text": render_text, "md": render_markdown, "json": render_json}
        fmt = canonical_format(output_format, tuple(renderers))
        before, after = load_documents([old, new], policy=policy, as_of=as_of, screen=screen, evidence=evidence, offline=offline)
        changes = diff_documents(before, after)
        # The text view is for terminals and CI logs: what the dossiers say is shown with control characters escaped.
        shown = terminal.visible_data(changes) if fmt == "text" else changes
        _write(renderers[fmt](shown), output, inputs=[old, new], force=force)
        if fail_on_worse:
            enforce(worse_gate(changes))
