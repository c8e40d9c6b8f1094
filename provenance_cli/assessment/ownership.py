"""OFAC's 50 percent rule over the dossier's ownership chain.

OFAC guidance (2014): an entity owned 50% or more, directly or indirectly,
individually or in the aggregate, by one or more blocked persons is itself
blocked, whether or not it is listed. Below 50% it is not blocked by that
rule, but control without ownership is a red flag for counsel.

The chain is the dossier's ``vendor.parents``: each owner (company or
person) holds ``share`` percent of ``holds_in`` (the vendor, or another owner
by name). An owner is *blocked* when screening found it on a blocking list
(:data:`~provenance_cli.formats.vocabulary.BLOCKING_LISTS`, the SDN list) or
when blocked owners hold 50% or more of it in the aggregate. Shares of
blocked holders are added up level by level; a blocked holder whose share is
unknown leaves the answer open, and provcheck says so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from provenance_cli.formats.dossier import Dossier, holding_targets
from provenance_cli.formats.vocabulary import BLOCKING_LISTS
from provenance_cli.screening.model import Match

MAJORITY = 50.0
"""The share at which blocked owners block what they own."""


@dataclass(frozen=True)
class Holding:
    """What blocked owners hold of one entity, in the aggregate."""

    known: float
    """Percent held by blocked owners whose share is known."""
    unknown: tuple[str, ...]
    """Blocked (or possibly blocked) holders whose share is unknown."""
    holders: tuple[str, ...]
    """How each blocked share was reached, in words."""


@dataclass(frozen=True)
class OwnershipFinding:
    """The 50 percent rule applied to the vendor, as facts for rules and words for the report."""

    facts: frozenset[str]
    """majority_blocked, minority_blocked, unknown_share_blocked, control_blocked (see OwnershipFact)."""
    explanation: str
    """The arithmetic, in words (empty when no blocked owner was found)."""


class _Chain:
    """The ownership chain with the owners screening found listed, answering "who is blocked?"."""

    def __init__(self, dossier: Dossier, listed: set[int]) -> None:
        self.parents = dossier.model.vendor.parents
        self.listed = listed
        self.held_in = holding_targets(dossier.model.vendor)
        self.memo: dict[int | None, Holding] = {}

    def holding(self, entity: int | None, depth: int = 0) -> Holding:
        """What blocked owners hold of ``entity`` (None: the vendor)."""
        if entity in self.memo:
            return self.memo[entity]
        known = 0.0
        unknown: list[str] = []
        holders: list[str] = []
        owners = [i for i, target in self.held_in.items() if target == entity] if depth <= len(self.parents) else []
        for i in owners:  # the loader refuses cycles; the depth bound is a second guard
            parent = self.parents[i]
            status = self.blocked(i, depth + 1)
            if status is False:
                continue
            if parent.share is None or status is None:
                unknown.append(parent.name)
                continue
            known += parent.share
            why = "listed" if i in self.listed else "owned 50% or more by blocked persons"
            holders.append(f"{parent.name} ({why}) holds {parent.share:g}%")
        self.memo[entity] = Holding(known, tuple(unknown), tuple(holders))
        return self.memo[entity]

    def blocked(self, i: int, depth: int) -> bool | None:
        """True, False, or None when unknown shares leave it open."""
        if i in self.listed:
            return True
        below = self.holding(i, depth)
        if below.known >= MAJORITY:
            return True
        return None if below.unknown else False


def apply_fifty_percent_rule(dossier: Dossier, blocked_owner_indices: Iterable[int], *, vendor_listed: bool) -> OwnershipFinding:
    """What blocked owners hold of the vendor, directly and through the entities they own."""
    listed = set(blocked_owner_indices)
    if not listed:
        return OwnershipFinding(frozenset(), "")
    chain = _Chain(dossier, listed)
    vendor = chain.holding(None)
    facts: set[str] = set()
    if vendor.known >= MAJORITY or vendor_listed:
        facts.add("majority_blocked")
    elif vendor.known > 0:
        facts.add("minority_blocked")
    if vendor.unknown and "majority_blocked" not in facts:
        facts.add("unknown_share_blocked")
    if any(kind != "equity" for i in listed for kind in chain.parents[i].control):
        facts.add("control_blocked")
    if not facts:  # a listed owner higher up, below 50% at every level: still for counsel to review
        facts.add("minority_blocked")
    parts = list(vendor.holders)
    if vendor.unknown:
        parts.append(f"share unknown for {', '.join(vendor.unknown)}")
    total = f"blocked persons hold {vendor.known:g}% of the vendor in the aggregate"
    return OwnershipFinding(frozenset(facts), f"{total}: {'; '.join(parts)}" if parts else total)


def blocked_owner_indices(matches: Iterable[Match]) -> set[int]:
    """Owners in the chain that screening found on a blocking list."""
    return {m.parent_index for m in matches if m.list_key in BLOCKING_LISTS and m.role == "parent" and m.parent_index is not None}
