"""Screening results as facts for scoring (stage two of the assess pipeline).

Scoring rules see screening as (list key, role) facts, e.g. ("sdn",
"parent"); the trace shows the words behind each fact, in the only
language a list match allows: "listed on <list> (<date>)".
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance_cli.assessment.ownership import apply_fifty_percent_rule, blocked_owner_indices
from provenance_cli.assessment.reconcile import Contradiction, reconcile
from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.policy import Policy
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.formats.vocabulary import BLOCKING_LISTS
from provenance_cli.screening import AllowEntry, ScreeningResult, ScreeningSettings
from provenance_cli.util.errors import ServiceError


@dataclass(frozen=True)
class Screened:
    """One dossier's screening, and the facts and wording scoring takes from it."""

    result: ScreeningResult
    listings: frozenset[tuple[str, str]]
    notes: dict[tuple[str, str], str]
    warnings: tuple[str, ...]
    ownership: frozenset[str] = frozenset()
    """What the 50 percent rule found over the ownership chain (see assessment/ownership.py)."""
    contradictions: tuple[Contradiction, ...] = ()
    """Answers the screen contradicts or cannot confirm (see assessment/reconcile.py)."""


def settings_from(policy: Policy) -> ScreeningSettings:
    """The policy's threshold and confirmed false positives, for the screening engine."""
    screening = policy.model.screening
    return ScreeningSettings(
        threshold=round(screening.threshold),
        allow=tuple(
            AllowEntry(
                name=item.name,
                list_key=item.list or "*",
                entry_id=item.entry_id or "*",
                reason=item.reason,
                approver=item.approver,
            )
            for item in screening.allow
        ),
        required=policy.required_sources,
    )


def screen_for_scoring(dossier: Dossier, policy: Policy) -> Screened:
    """Screen against cached and bundled lists only.

    ``assess`` never downloads lists as a side effect (``provcheck lists
    update`` does, e.g. nightly), so screening here is always offline.
    """
    from provenance_cli.screening import screen_dossier

    try:
        result = screen_dossier(dossier, settings_from(policy), offline=True)
    except ServiceError as exc:
        return Screened(ScreeningResult(), frozenset(), {}, (f"names not screened: {exc}",))
    notes: dict[tuple[str, str], list[str]] = {}
    for match in result.matches:
        who = f"{'owner' if match.role == 'parent' else match.role} {(match.parent_name or match.screened_name)!r}"
        notes.setdefault((match.list_key, match.role), []).append(
            f"{who} {match.describe()} as {match.matched_name!r} (entry {match.entry_id}, score {match.score}, {match.reason})"
        )
    vendor_listed = any(m.list_key in BLOCKING_LISTS and m.role in ("vendor", "alias") for m in result.matches)
    ownership = apply_fifty_percent_rule(dossier, blocked_owner_indices(result.matches), vendor_listed=vendor_listed)
    for fact in ownership.facts:
        notes.setdefault(("ownership", fact), []).append(ownership.explanation)
    return Screened(
        result=result,
        listings=result.listings(),
        notes={key: "; ".join(lines) for key, lines in notes.items()},
        warnings=result.warnings,
        ownership=ownership.facts,
        contradictions=reconcile(dossier, load_catalogue(), result),
    )
