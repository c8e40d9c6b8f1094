"""``provcheck frameworks``: the frameworks mappings may cite, and an evidence pack per framework."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance_cli.cli.options import Quiet, Verbose
from provenance_cli.cli.organisation import QuestionnaireDirs


def register(app: typer.Typer) -> None:
    """Add ``frameworks`` to ``app`` (called through :mod:`provenance_cli.cli.registry`)."""

    @app.command()
    def frameworks(
        framework: Annotated[
            str | None, typer.Argument(metavar="[FRAMEWORK]", help="A framework id, e.g. iso_42001 (omit to list them).")
        ] = None,
        paths: Annotated[list[Path] | None, typer.Argument(metavar="[DIR]...", help="Dossier files or folders of them.")] = None,
        output_format: Annotated[
            str | None,
            typer.Option(
                "--format", "-f", help="The pack: md (default), html or csv. The list: text (default) or json.", show_default=False
            ),
        ] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
        policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file (default: the bundled policy).")] = None,
        questionnaires: QuestionnaireDirs = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Assess as of this date (YYYY-MM-DD; default today).")] = None,
        screen: Annotated[bool, typer.Option("--screen/--no-screen", help="Screen names against cached lists.")] = True,
        evidence: Annotated[bool, typer.Option("--evidence/--no-evidence", help="Compare cited evidence with its lock file.")] = True,
        offline: Annotated[bool, typer.Option("--offline", help="Never touch the network.")] = False,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes for folders (default: all cores).")] = None,
        template_dir: Annotated[
            Path | None, typer.Option("--template-dir", help="Your own templates, used before the bundled ones.")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace an output file provcheck did not write, a read-only one, or an input.")
        ] = False,
        quiet: Quiet = False,
        verbose: Verbose = False,
    ) -> None:
        """List the frameworks questions map to, or write FRAMEWORK's evidence pack for the dossiers in DIR.

        The pack has a section per control with the questions mapped to it,
        whose control it is, and each vendor's answer, evidence and findings.
        """
        from provenance_cli.cli import terminal
        from provenance_cli.cli.options import output_format as canonical_format
        from provenance_cli.cli.options import set_verbosity
        from provenance_cli.cli.organisation import run_catalogue
        from provenance_cli.render.evidence_pack import PACK_FORMATS

        set_verbosity(quiet, verbose)
        if framework is None:
            _list(run_catalogue(policy, questionnaires), canonical_format(output_format or "text", ("text", "json")))
            return
        fmt = canonical_format(output_format or "md", PACK_FORMATS)
        catalogue = run_catalogue(policy, questionnaires)
        known = catalogue.frameworks.get(framework)
        if known is None:
            terminal.fail_usage(f"unknown framework {framework!r}", list(catalogue.frameworks.frameworks))
        if not paths:
            terminal.fail_usage("give the dossiers (files or folders) the evidence pack is for")
        if template_dir is not None and not template_dir.is_dir():
            terminal.fail_usage(f"--template-dir: {template_dir} is not a folder")
        _write_pack(
            known,
            catalogue,
            list(paths or ()),
            fmt=fmt,
            output=output,
            policy=policy,
            questionnaires=questionnaires,
            as_of=as_of,
            screen=screen,
            evidence=evidence,
            offline=offline,
            jobs=jobs,
            template_dir=template_dir,
            force=force,
        )


def _list(catalogue, output_format: str) -> None:  # type: ignore[no-untyped-def]
    """Every framework with its edition, address and how many of its controls questions map to."""
    from provenance_cli.cli import terminal

    rows = []
    for framework in catalogue.frameworks:
        controls = {ref for q in catalogue.questions.values() for name, ref, _ in q.framework_refs() if name == framework.id}
        rows.append(
            {
                "id": framework.id,
                "name": framework.name,
                "edition": framework.edition,
                "url": framework.url,
                "controls_mapped": len(controls),
                "source": framework.source if not framework.source.endswith("formats/data/frameworks.yaml") else "bundled",
            }
        )
    if output_format == "json":
        terminal.print_json(rows)
        return
    columns = ["id", "name", "edition", "controls_mapped"]
    terminal.print_table(columns, [[str(r[c]) for c in columns] for r in rows], title="Frameworks")


def _write_pack(  # type: ignore[no-untyped-def]
    framework,
    catalogue,
    paths: list[Path],
    *,
    fmt: str,
    output: Path | None,
    policy: Path | None,
    questionnaires: list[Path] | None,
    as_of: str | None,
    screen: bool,
    evidence: bool,
    offline: bool,
    jobs: int | None,
    template_dir: Path | None,
    force: bool,
) -> None:
    """Assess the dossiers, build the pack and write it (atomically, never over a file provcheck did not write)."""
    import sys

    from provenance_cli.assessment.evidence_pack import build_evidence_pack
    from provenance_cli.cli import terminal
    from provenance_cli.cli.assess import _parse_day, run_assessment
    from provenance_cli.render.evidence_pack import render_pack
    from provenance_cli.render.interface import RenderContext
    from provenance_cli.render.output import OUTPUT_MARKERS, guard_render
    from provenance_cli.util.errors import EXIT_INPUT
    from provenance_cli.util.files import atomic_write, check_replaceable

    run = run_assessment(
        paths,
        policy=policy,
        as_of=as_of,
        screen=screen,
        evidence=evidence,
        offline=offline,
        jobs=jobs,
        questionnaires=questionnaires,
    )
    if run.results:
        pack = build_evidence_pack(framework, catalogue, run.results, as_of=_parse_day(as_of))
        context = RenderContext(template_dir=str(template_dir) if template_dir else None)
        text = guard_render(lambda: render_pack(pack, fmt, context), fmt)
        if output is None:
            sys.stdout.write(text if isinstance(text, str) else text.decode("utf-8"))
        else:
            inputs = [Path(r.source) for r in run.results] + ([policy] if policy else [])
            check_replaceable(output, markers=OUTPUT_MARKERS, inputs=inputs, force=force)
            atomic_write(output, text)
            terminal.note(f"wrote {output}")
    if run.problems:
        raise typer.Exit(EXIT_INPUT)
