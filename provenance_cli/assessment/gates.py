"""Every risk gate in one place: what trips it, said in words.

A gate is the user's own line in the sand (``--fail-on high``,
``--fail-on-stale``, ``--fail-on-worse``, ``--fail-on-broken``...). Each
function returns the reasons it tripped, empty when it did not; the CLI
raises :class:`~provenance_cli.util.errors.GateTripped` with them, which
leaves as exit 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provenance_cli.formats.vocabulary import DECISION_RANK, TIER_RANK, TIERS
from provenance_cli.util.errors import GateTripped

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult


FAIL_ON_LEVELS = (*TIERS, "approve_with_conditions", "incomplete", "reject")
"""What ``--fail-on`` accepts: a tier, or a decision (it then trips on that decision or a worse one)."""


@dataclass(frozen=True)
class AssessmentGate:
    """The gates ``assess`` was given (``--fail-on``, ``--fail-on-stale``, ``--allow-incomplete``), picklable for renderers.

    JUnit reports one test case per vendor and gate, so the gates are judged
    per vendor here and the run-wide verdict is the union of those.
    """

    fail_on: str | None = None
    fail_on_stale: bool = False
    allow_incomplete: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """Each gate set, as the command line spells it (empty when none is set)."""
        names = []
        if self.fail_on is not None:
            names.append(f"--fail-on {self.fail_on}" + (" --allow-incomplete" if self.allow_incomplete else ""))
        if self.fail_on_stale:
            names.append("--fail-on-stale")
        return tuple(names)

    def tripped(self, results: Sequence[VendorResult]) -> list[str]:
        """Every reason any vendor trips any gate, gate by gate (empty: the run passes)."""
        verdicts = [self.reasons(r) for r in results]
        return [reason for name in self.names for verdict in verdicts for reason in verdict[name]]

    def reasons(self, result: VendorResult) -> dict[str, list[str]]:
        """Per gate name, why ``result`` trips it (an empty list when it passes)."""
        verdict: dict[str, list[str]] = {}
        if self.fail_on is not None:
            verdict[self.names[0]] = _fail_on_reasons(result, self.fail_on, self.allow_incomplete)
        if self.fail_on_stale:
            verdict["--fail-on-stale"] = [f"{result.vendor} has {len(result.stale)} stale answer(s)"] if result.stale else []
        return verdict


def _fail_on_reasons(result: VendorResult, fail_on: str, allow_incomplete: bool) -> list[str]:
    if fail_on in DECISION_RANK:
        return [f"{result.vendor}: {result.decision.outcome}"] if DECISION_RANK[result.decision.outcome] >= DECISION_RANK[fail_on] else []
    if TIER_RANK[result.tier] >= TIER_RANK[fail_on]:
        return [f"{result.vendor} is {result.tier}"]
    if result.decision.outcome == "incomplete" and not allow_incomplete:
        return [f"{result.vendor} is incomplete (knock-out questions unanswered; --allow-incomplete lets it pass)"]
    return []


def assessment_gate(
    results: Sequence[VendorResult], *, fail_on: str | None, fail_on_stale: bool, allow_incomplete: bool = False
) -> list[str]:
    """``assess --fail-on TIER|DECISION`` and ``--fail-on-stale``.

    A tier gate also trips on an ``incomplete`` decision: a vendor whose
    knock-out questions are unanswered has not passed, it has not been
    judged. ``allow_incomplete`` lets such vendors through a tier gate.
    """
    return AssessmentGate(fail_on, fail_on_stale, allow_incomplete).tripped(results)


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
