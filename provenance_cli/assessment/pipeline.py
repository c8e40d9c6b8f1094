"""The assess pipeline: dossier files in, scored vendor results out.

Each file is independent, so folders are spread over worker processes
(``batch.parallel_map``); a worker loads the catalogue and policy once and
keeps them. Screening and evidence drift are optional stages that feed
facts into scoring; they never print, and report problems as warnings
attached to the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from provenance_cli.assessment.scoring import VendorResult
from provenance_cli.formats.policy import Policy
from provenance_cli.util.errors import InputError, Problem


@dataclass(frozen=True)
class AssessOptions:
    """What every worker needs to know, in a picklable form."""

    today: date
    policy_path: str | None = None
    screen: bool = True
    """Screen names against cached lists when a cache exists."""
    evidence: bool = True
    """Compare cited evidence with its lock file when one exists."""
    offline: bool = False


@dataclass(frozen=True)
class Outcome:
    """One file's result, or the problems that kept it from being assessed."""

    path: str
    result: VendorResult | None = None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = field(default=())


@lru_cache(maxsize=4)
def policy_for(path: str | None) -> Policy:
    """The policy at ``path`` (or the default), loaded once per process."""
    from provenance_cli.formats.policy import load_policy
    from provenance_cli.formats.questionnaires import load_catalogue

    return load_policy(Path(path) if path else None, load_catalogue())


def assess_file(job: tuple[str, AssessOptions]) -> Outcome:
    """Assess one dossier file (module-level so worker processes can run it)."""
    from provenance_cli.assessment.scoring import score_dossier
    from provenance_cli.formats.dossier import load_dossier
    from provenance_cli.formats.questionnaires import load_catalogue

    path, options = job
    catalogue = load_catalogue()
    policy = policy_for(options.policy_path)
    try:
        dossier = load_dossier(Path(path), catalogue)
    except InputError as exc:
        return Outcome(path, problems=tuple(exc.problems))

    warnings: list[str] = []
    extras: dict[str, object] = {}
    listings: frozenset[tuple[str, str]] = frozenset()
    notes: dict[tuple[str, str], str] = {}
    reassess_now: str | None = None

    try:
        if options.screen:
            from provenance_cli.assessment.screening_facts import screen_for_scoring

            screened = screen_for_scoring(dossier, policy, offline=options.offline)
            if screened is not None:
                listings, notes = screened.listings, screened.notes
                extras["screening"] = screened.result
                warnings.extend(screened.warnings)

        if options.evidence:
            from provenance_cli.assessment.evidence_facts import evidence_for_scoring

            drift = evidence_for_scoring(dossier, offline=options.offline)
            if drift is not None:
                extras["evidence"] = drift.findings
                extras["evidence_lock"] = (drift.lock_path, drift.lock_sha256)
                warnings.extend(drift.warnings)
                if drift.changed and policy.model.evidence.changed_triggers_reassessment:
                    reassess_now = drift.changed
    except InputError as exc:  # a malformed lock file or custom list
        return Outcome(path, problems=tuple(exc.problems))

    result = score_dossier(
        dossier,
        catalogue,
        policy,
        today=options.today,
        listings=listings,
        listing_notes=notes,
        reassess_now=reassess_now,
    )
    result.extras.update(extras)
    return Outcome(path, result=result, warnings=tuple(warnings))


def assess_files(paths: list[Path], options: AssessOptions, *, jobs: int | None = None, on_done=None) -> list[Outcome]:  # type: ignore[no-untyped-def]
    """Assess many files, in order, across ``jobs`` processes."""
    from provenance_cli.util.parallel import parallel_map

    policy_for(options.policy_path)  # refuse a bad policy once, before any work starts
    return list(parallel_map(assess_file, [(str(p), options) for p in paths], jobs=jobs, on_done=on_done))
