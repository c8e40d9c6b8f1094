"""The ``--questionnaires DIR`` option every dossier-reading command shares.

An organisation's own questionnaires (and frameworks files) sit in folders
beside the bundled ones; the policy can name them too. Commands take the
option here and resolve their catalogue through
:func:`provenance_cli.assessment.catalogue.catalogue_for`, so they all agree
on what a dossier may answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from provenance_cli.formats.questionnaires import Catalogue

QuestionnaireDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--questionnaires",
        metavar="DIR",
        help="A folder of your organisation's own questionnaires (and frameworks files), used beside the bundled ones; repeatable.",
    ),
]


def dirs(folders: list[Path] | None) -> tuple[str, ...]:
    """The option's folders as text, for options that travel to worker processes."""
    return tuple(str(folder) for folder in folders or ())


def run_catalogue(policy: Path | None, folders: list[Path] | None) -> Catalogue:
    """The catalogue of this run: bundled questionnaires, the policy's folders and ``--questionnaires``."""
    from provenance_cli.assessment.catalogue import catalogue_for

    return catalogue_for(policy, dirs(folders))
