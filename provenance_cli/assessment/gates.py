"""Every risk gate in one place: what trips it, said in words.

A gate is the user's own line in the sand (``--fail-on high``,
``--fail-on-stale``, ``--fail-on-worse``, ``--fail-on-broken``...). Each
function returns the reasons it tripped, empty when it did not; the CLI
raises :class:`~provenance_cli.util.errors.GateTripped` with them, which
leaves as exit 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from provenance_cli.formats.vocabulary import DECISION_RANK, TIER_RANK, TIERS
from provenance_cli.util.errors import GateTripped

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult


FAIL_ON_LEVELS = (*TIERS, "approve_with_conditions", "incomplete", "reject")
"""What ``--fail-on`` accepts: a tier, or a decision (it then trips on that decision or a worse one)."""


def assessment_gate(
    results: Sequence[VendorResult], *, fail_on: str | None, fail_on_stale: bool, allow_incomplete: bool = False
) -> list[str]:
    """``assess --fail-on TIER|DECISION`` and ``--fail-on-stale``.

    A tier gate also trips on an ``incomplete`` decision: a vendor whose
    knock-out questions are unanswered has not passed, it has not been
    judged. ``allow_incomplete`` lets such vendors through a tier gate.
    """
    reasons: list[str] = []
    if fail_on in DECISION_RANK:
        threshold = DECISION_RANK[fail_on]
        reasons += [f"{r.vendor}: {r.decision.outcome}" for r in results if DECISION_RANK[r.decision.outcome] >= threshold]
    elif fail_on is not None:
        threshold = TIER_RANK[fail_on]
        for r in results:
            if TIER_RANK[r.tier] >= threshold:
                reasons.append(f"{r.vendor} is {r.tier}")
            elif r.decision.outcome == "incomplete" and not allow_incomplete:
                reasons.append(f"{r.vendor} is incomplete (knock-out questions unanswered; --allow-incomplete lets it pass)")
    if fail_on_stale:
        reasons += [f"{r.vendor} has {len(r.stale)} stale answer(s)" for r in results if r.stale]
    return reasons


def worse_gate(changes: dict[str, Any]) -> list[str]:
    """``diff --fail-on-worse``: the later assessment is riskier."""
    return ["risk went up"] if changes["worse"] else []


def evidence_gate(broken: int, changed: int, *, fail_on_broken: bool, fail_on_changed: bool) -> list[str]:
    """``evidence check --fail-on-broken`` / ``--fail-on-changed``."""
    reasons: list[str] = []
    if fail_on_broken and broken:
        reasons.append(f"{broken} broken, unreachable or removed evidence link(s) (--fail-on-broken)")
    if fail_on_changed and changed:
        reasons.append(f"{changed} evidence page(s) changed or removed since snapshot (--fail-on-changed)")
    return reasons


def enforce(reasons: Sequence[str]) -> None:
    """Raise :class:`GateTripped` when any gate gave a reason."""
    if reasons:
        raise GateTripped(list(reasons))
