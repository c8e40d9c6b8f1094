"""From scores, knock-outs and open questions to the decision procurement signs.

A review ends in a decision, not a score (``docs/SCORING.md``):

1. **reject** when an unwaived knock-out at or above the policy's
   ``decision.reject_on_knockout`` tier fired, or the overall tier reached
   ``decision.reject_at``;
2. **incomplete** when an unknown fact (an undisclosed or unanswered answer,
   an engagement fact the dossier does not state) could trigger a knock-out
   that the known facts do not: "we cannot decide until the vendor answers X";
3. **approve_with_conditions** when the overall tier reached
   ``decision.conditions_at`` or an unwaived finding is at least
   ``decision.condition_severity``; the conditions are those findings'
   recommendations, strongest first;
4. **approve** otherwise.

Reject wins over incomplete: an answer still to come cannot undo a stop that
known facts already force. Every reason is words (the rule's message and the
answer), never a bare rule id.
"""

from __future__ import annotations

from collections.abc import Sequence

from provenance_cli.assessment.results import Decision, DecisionItem, OpenQuestion, TraceEntry
from provenance_cli.formats.policy import Policy
from provenance_cli.formats.vocabulary import SEVERITY_RANK, TIER_RANK


def _item(entry: TraceEntry) -> DecisionItem:
    return DecisionItem(
        text=entry.message,
        rule=entry.rule_id,
        question=entry.question_id,
        answer=entry.answer,
        severity=entry.severity,
        recommendation=entry.recommendation,
    )


def decide(
    policy: Policy,
    *,
    tier: str,
    findings: Sequence[TraceEntry],
    knockouts: Sequence[TraceEntry],
    open_questions: Sequence[OpenQuestion],
) -> Decision:
    """The decision for one vendor; ``findings`` are unwaived and strongest per question first."""
    rules = policy.model.decision
    hard_stops = [k for k in knockouts if k.knockout and TIER_RANK[k.knockout] >= TIER_RANK[rules.reject_on_knockout]]
    if hard_stops or TIER_RANK[tier] >= TIER_RANK[rules.reject_at]:
        if hard_stops:
            reasons = tuple(_item(k) for k in hard_stops)
            count = f"{len(hard_stops)} hard stops" if len(hard_stops) > 1 else "a hard stop"
            summary = f"Reject: {count} (knock-out at tier {max((k.knockout or 'low' for k in hard_stops), key=TIER_RANK.__getitem__)})."
        else:
            worst = [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK["medium"]] or list(findings)
            reasons = tuple(_item(f) for f in worst[:5])
            summary = f"Reject: the overall risk tier is {tier}, at or above the policy's rejection tier ({rules.reject_at})."
        return Decision("reject", summary, reasons, (), tuple(open_questions))
    if open_questions:
        first = open_questions[0].text.rstrip(".")
        more = f" (and {len(open_questions) - 1} more)" if len(open_questions) > 1 else ""
        summary = f"Incomplete: cannot decide until this is answered or screened: {first}{more}."
        return Decision("incomplete", summary, (), (), tuple(open_questions))
    conditional = [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[rules.condition_severity]]
    if conditional or TIER_RANK[tier] >= TIER_RANK[rules.conditions_at]:
        if not conditional:
            conditional = [f for f in findings if f.contribution > 0][:5]
        conditions = tuple(_item(f) for f in conditional)
        summary = f"Approve with conditions: {len(conditions)} condition(s) must be met (tier {tier})."
        return Decision("approve_with_conditions", summary, conditions, conditions, ())
    return Decision("approve", f"Approve: tier {tier}, no finding of {rules.condition_severity} severity or above.", (), (), ())
