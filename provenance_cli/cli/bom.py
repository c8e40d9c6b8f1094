"""``provcheck import-bom``: prefill a dossier's lineage answers from an AI-BOM, comments and layout kept."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add ``import-bom`` to the app (called through :mod:`provenance_cli.cli.registry`)."""

    @app.command("import-bom")
    def import_bom(
        dossier: Annotated[Path, typer.Argument(help="The dossier to prefill.")],
        bom: Annotated[Path, typer.Argument(help="A CycloneDX 1.6 ML-BOM (JSON) or an SPDX 3.0 AI package (JSON-LD).")],
        model: Annotated[
            str | None, typer.Option("--model", "-m", help="The dossier's model to fill (default: the one named like the BOM's model).")
        ] = None,
        bom_model: Annotated[str | None, typer.Option("--bom-model", help="The BOM's model, when it describes several.")] = None,
        bom_url: Annotated[
            str | None,
            typer.Option("--bom-url", help="Where the BOM is published (http/https), cited as evidence; default: what the BOM says."),
        ] = None,
        kind: Annotated[
            str | None,
            typer.Option("--kind", help="Evidence kind: vendor_attestation or third_party (default: by who wrote the BOM)."),
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace answers the dossier already has.")] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the diff only; write nothing.")] = False,
        as_of: Annotated[str | None, typer.Option("--as-of", help="The import date, recorded as the evidence's retrieved date.")] = None,
    ) -> None:
        """Prefill lineage answers a BOM supports (base model, training data, licence, model card): diff shown, written atomically.

        Each answer is proposed with evidence pointing at the BOM (the JSON pointer of the fact in its title) and a note
        to review it; nothing already answered is replaced without --force. A malformed BOM is exit 2 with the JSON
        pointer of each problem.
        """
        from provenance_cli.cli import terminal
        from provenance_cli.cli.answers import _diff, _read, _write_if_unchanged
        from provenance_cli.cli.assess import _parse_day
        from provenance_cli.cli.terminal import visible
        from provenance_cli.formats.aibom import read_bom
        from provenance_cli.formats.bom_import import evidence_kind, plan_bom_import, target_model
        from provenance_cli.formats.dossier import parse_dossier
        from provenance_cli.formats.dossier_edit import apply_changes
        from provenance_cli.formats.models import check_url
        from provenance_cli.formats.questionnaires import load_catalogue
        from provenance_cli.util.errors import InputError, Problem

        if kind is not None and kind not in ("vendor_attestation", "third_party"):
            terminal.fail_usage(f"--kind: unknown evidence kind '{kind}'", ["vendor_attestation", "third_party"])
        today = _parse_day(as_of)
        catalogue = load_catalogue()
        raw, text = _read(dossier)
        current = parse_dossier(raw, str(dossier), catalogue)
        found = read_bom(bom, bom_model)
        url = bom_url or found.location
        if url is None:
            terminal.fail_usage(f"{bom} does not say where it is published: give --bom-url so the answers can cite it")
        try:
            url = check_url(url)
        except ValueError as exc:
            terminal.fail_usage(f"--bom-url: {exc}")
        index, name, problem = target_model(found, current, model)
        if problem is not None:
            raise InputError([Problem(str(dossier), 0, 0, problem)])
        plan = plan_bom_import(
            found,
            current,
            catalogue,
            model=name if index is not None else None,
            bom_url=url,
            kind=kind or evidence_kind(found, current),
            today=today,
            force=force,
        )
        for message in (*plan.notices, *plan.kept):
            terminal.warn(message)
        where = f"model {name}" if index is not None else "the vendor's answers"
        if not plan.changes:
            terminal.note(f"nothing to prefill in {dossier} ({where}) from {bom}")
            return
        new_text, _ = apply_changes(text, str(dossier), plan.changes, catalogue, model=index)
        sys.stdout.write(visible(_diff(text, new_text, str(dossier)), multiline=True))
        if dry_run:
            terminal.note(f"dry run: {len(plan.changes)} answer(s) would be prefilled ({where}); {dossier} was not written")
            return
        _write_if_unchanged(dossier, raw, new_text)
        terminal.note(f"updated {dossier} ({where}): {len(plan.changes)} answer(s) prefilled from {bom}")
