"""Screening results as facts for scoring (stage two of the assess pipeline).

Scoring rules see screening as (list key, role) facts, e.g. ("sdn",
"parent"); the trace shows the words behind each fact, in the only
language a list match allows: "listed on <list> (<date>)".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provenance_cli.assessment.ownership import apply_fifty_percent_rule, blocked_owner_indices
from provenance_cli.assessment.reconcile import Contradiction, reconcile
from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.policy import Policy
from provenance_cli.formats.questionnaires import Catalogue, load_catalogue
from provenance_cli.formats.vocabulary import BLOCKING_LISTS
from provenance_cli.screening import AllowEntry, Entry, ScreeningResult, ScreeningSettings
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
    model_listings: dict[int, frozenset[tuple[str, str]]] = field(default_factory=dict)
    """Hits on the developer of one model (by its position in ``models``): they concern that model only."""

    model_notes: dict[int, dict[tuple[str, str], str]] = field(default_factory=dict)
    """The words of those hits, per model."""

    def listings_for(self, model_index: int | None) -> frozenset[tuple[str, str]]:
        """What rules see for one model: the vendor's own hits and its developer's."""
        if model_index is None:
            return self.listings
        return self.listings | self.model_listings.get(model_index, frozenset())

    def notes_for(self, model_index: int | None) -> dict[tuple[str, str], str]:
        """The words behind :meth:`listings_for`."""
        if model_index is None or model_index not in self.model_notes:
            return self.notes
        return {**self.notes, **self.model_notes[model_index]}


def settings_from(policy: Policy, extra: tuple[Entry, ...] = ()) -> ScreeningSettings:
    """The policy's threshold and confirmed false positives, for the screening engine (and a simulation's added entries)."""
    screening = policy.model.screening
    return ScreeningSettings(
        extra=extra,
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


def screen_for_scoring(dossier: Dossier, policy: Policy, extra: tuple[Entry, ...] = (), catalogue: Catalogue | None = None) -> Screened:
    """Screen against cached and bundled lists only.

    ``assess`` never downloads lists as a side effect (``provcheck lists
    update`` does, e.g. nightly), so screening here is always offline.
    """
    from provenance_cli.screening import screen_dossier

    try:
        result = screen_dossier(dossier, settings_from(policy, extra), offline=True)
    except ServiceError as exc:
        return Screened(ScreeningResult(), frozenset(), {}, (f"names not screened: {exc}",))
    notes: dict[tuple[str, str], list[str]] = {}
    model_listings: dict[int, set[tuple[str, str]]] = {}
    model_notes: dict[int, dict[tuple[str, str], list[str]]] = {}
    for match in result.matches:
        who = f"{'owner' if match.role == 'parent' else match.role} {(match.parent_name or match.screened_name)!r}"
        said = f"{who} {match.describe()} as {match.matched_name!r} (entry {match.entry_id}, score {match.score}, {match.reason})"
        if match.role == "developer" and match.parent_index is not None:
            model_listings.setdefault(match.parent_index, set()).add((match.list_key, match.role))
            model_notes.setdefault(match.parent_index, {}).setdefault((match.list_key, match.role), []).append(said)
            continue
        notes.setdefault((match.list_key, match.role), []).append(said)
    vendor_listed = any(m.list_key in BLOCKING_LISTS and m.role in ("vendor", "alias") for m in result.matches)
    ownership = apply_fifty_percent_rule(dossier, blocked_owner_indices(result.matches), vendor_listed=vendor_listed)
    for fact in ownership.facts:
        notes.setdefault(("ownership", fact), []).append(ownership.explanation)
    return Screened(
        result=result,
        listings=frozenset(pair for pair in result.listings() if pair[1] != "developer"),
        notes={key: "; ".join(lines) for key, lines in notes.items()},
        warnings=result.warnings,
        ownership=ownership.facts,
        contradictions=reconcile(dossier, catalogue or load_catalogue(), result),
        model_listings={index: frozenset(pairs) for index, pairs in model_listings.items()},
        model_notes={index: {key: "; ".join(lines) for key, lines in found.items()} for index, found in model_notes.items()},
    )
