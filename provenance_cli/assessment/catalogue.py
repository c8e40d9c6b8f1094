"""Which questionnaires a run uses: the bundled ones plus an organisation's own.

An organisation adds questionnaires (and frameworks) from folders named on
the command line (``--questionnaires DIR``) or in its policy
(``questionnaires: [DIR]``, relative to the policy file). Every command that
reads dossiers resolves its catalogue here, so ``assess``, ``validate``,
``questions``, ``frameworks`` and the rest agree on what a dossier may answer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from provenance_cli.formats.questionnaires import Catalogue


def organisation_dirs(policy_path: str | Path | None, extra: Sequence[str | Path] = ()) -> tuple[str, ...]:
    """The policy's questionnaire folders, then ``extra``, each once, as the user wrote them (messages show them so)."""
    from provenance_cli.formats.policy import policy_questionnaire_dirs

    named = [*policy_questionnaire_dirs(Path(policy_path) if policy_path else None), *(str(p) for p in extra)]
    unique: dict[Path, str] = {}
    for folder in named:
        unique.setdefault(Path(folder).resolve(), os.path.normpath(folder))
    return tuple(unique.values())


def catalogue_for(policy_path: str | Path | None = None, extra: Sequence[str | Path] = ()) -> Catalogue:
    """The catalogue of a run: the bundled questionnaires plus the organisation folders of the policy and ``extra``."""
    from provenance_cli.formats.questionnaires import load_catalogue

    return load_catalogue(None, organisation_dirs(policy_path, extra))
