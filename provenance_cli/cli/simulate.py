"""``provcheck simulate``: what would move if the world changed, without touching a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance_cli.cli.organisation import QuestionnaireDirs


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the app (called through :mod:`provenance_cli.cli.registry`)."""

    @app.command()
    def simulate(
        paths: Annotated[list[Path], typer.Argument(help="Dossier files or folders of them (their links are followed as in assess).")],
        scenario_file: Annotated[
            Path | None, typer.Option("--scenario", "-s", help="A scenario file (scenario: 1) listing the changes.")
        ] = None,
        add_to_list: Annotated[
            list[str] | None, typer.Option("--add-to-list", help="LIST:NAME, e.g. 'dod_1260h:Example Holdings Ltd.' (repeatable).")
        ] = None,
        suspend: Annotated[
            list[str] | None, typer.Option("--suspend", help="VENDOR[:MODEL]: the model (or every model) suspended from export.")
        ] = None,
        confirm_allegation: Annotated[
            list[str] | None, typer.Option("--confirm-allegation", help="VENDOR[:MODEL]: an allegation upheld against the model.")
        ] = None,
        jurisdiction: Annotated[
            list[str] | None,
            typer.Option("--jurisdiction", help="CODE=embargoed|of_concern|none: move a jurisdiction between the policy's lists."),
        ] = None,
        answer: Annotated[
            list[str] | None, typer.Option("--answer", help="VENDOR[:MODEL]=QUESTION:VALUE: any answer set (a list as a,b).")
        ] = None,
        fail_on_worse: Annotated[
            bool, typer.Option("--fail-on-worse", help="Exit 1 when any vendor's decision or tier would get worse.")
        ] = False,
        output_format: Annotated[str, typer.Option("--format", "-f", help="text, md or json.")] = "text",
        policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file (default: the bundled policy).")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Score as of this date (YYYY-MM-DD; default today).")] = None,
        screen: Annotated[bool, typer.Option("--screen/--no-screen", help="Screen names against cached lists.")] = True,
        evidence: Annotated[bool, typer.Option("--evidence/--no-evidence", help="Compare cited evidence with its lock file.")] = True,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes for folders (default: all cores).")] = None,
        questionnaires: QuestionnaireDirs = None,
    ) -> None:
        """Re-assess in memory with a changed world and show each vendor whose decision or tier would move, and why."""
        from provenance_cli.assessment.catalogue import organisation_dirs
        from provenance_cli.assessment.gates import enforce
        from provenance_cli.assessment.pipeline import AssessOptions
        from provenance_cli.assessment.simulate import simulate as run_simulation
        from provenance_cli.cli import terminal
        from provenance_cli.cli.assess import _parse_day
        from provenance_cli.cli.organisation import dirs, run_catalogue
        from provenance_cli.formats.scenario import Scenario, check_scenario, from_flags, load_scenario
        from provenance_cli.render.interface import RenderContext
        from provenance_cli.render.simulate import render_json, render_markdown, render_text, simulation_document
        from provenance_cli.util.errors import EXIT_INPUT, InputError

        renderers = {"text": render_text, "md": render_markdown, "markdown": render_markdown, "json": render_json}
        fmt = output_format.lower()
        if fmt not in renderers:
            terminal.fail_usage(f"--format: unknown format '{output_format}'", ["text", "md", "json"])
        catalogue = run_catalogue(policy, questionnaires)
        scenario = load_scenario(scenario_file, catalogue) if scenario_file is not None else Scenario()
        flags, problems = from_flags(
            add_to_list=add_to_list or [],
            suspend=suspend or [],
            confirm_allegation=confirm_allegation or [],
            jurisdiction=jurisdiction or [],
            answer=answer or [],
        )
        problems += check_scenario(flags, catalogue)
        if problems:
            raise InputError(problems)
        scenario = scenario.merged(flags)
        if scenario.empty:
            terminal.fail_usage(
                "nothing to simulate: give --scenario FILE or a change "
                "(--add-to-list, --suspend, --confirm-allegation, --jurisdiction, --answer)"
            )
        options = AssessOptions(
            today=_parse_day(as_of),
            policy_path=str(policy) if policy else None,
            screen=screen,
            evidence=evidence,
            offline=True,  # a simulation never downloads anything
            questionnaire_dirs=organisation_dirs(policy, dirs(questionnaires)),
        )
        result = run_simulation(paths, options, scenario, jobs=jobs)
        for problem in result.problems:
            terminal.warn(str(problem))
        document = simulation_document(result, RenderContext())
        shown = terminal.visible_data(document) if fmt == "text" else document
        typer.echo(renderers[fmt](shown), nl=False)
        if result.problems:
            raise typer.Exit(EXIT_INPUT)
        if fail_on_worse:
            enforce(
                [
                    f"{m.after.vendor}: {m.before.decision.outcome}/{m.before.tier} -> {m.after.decision.outcome}/{m.after.tier}"
                    for m in result.worse
                ]
            )
