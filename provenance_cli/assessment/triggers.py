"""Date triggers: a date passing makes a finding, with the dates behind it in words.

Government decisions come with dates: an export suspension is expected to
lift on a given day, a bill has a vote scheduled, a contract renews, a list
publishes a new edition. The questionnaires declare which dates matter
(``triggers:``, see :class:`~provenance_cli.formats.models.Trigger`); this
module checks them for one dossier on the day of the assessment and
returns one trace entry per trigger that fired.

A fired trigger adds no points (a passing date is a reason to look again,
not evidence of more risk) and is never a knock-out; its severity (info,
low or medium) still sets the category's tier floor and a medium one
becomes a condition of approval, so severity and verdict agree. The policy
may disable a trigger, change its severity within that range, or waive it
for a vendor, as for rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from provenance_cli.assessment.results import TraceEntry, VendorResult, WaiverRef, actions_of
from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.policy import Policy, Waiver
from provenance_cli.formats.questionnaires import Catalogue, CompiledTrigger

MAX_NAMED = 5
"""A reason names at most this many answers or lists, then says how many more."""


@dataclass(frozen=True)
class ListEdition:
    """A screened list and the date of the edition screened, as the list states it."""

    name: str
    day: date


def _days(count: int) -> str:
    return f"{count} day" + ("" if count == 1 else "s")


def _more(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_NAMED])
    return shown + (f" and {len(items) - MAX_NAMED} more" if len(items) > MAX_NAMED else "")


class _Check:
    """The facts one dossier offers its triggers on the day of the assessment."""

    def __init__(
        self, catalogue: Catalogue, policy: Policy, dossier: Dossier, applicable: set[str], today: date, editions: Sequence[ListEdition]
    ):
        self.catalogue = catalogue
        self.policy = policy
        self.dossier = dossier
        self.applicable = applicable
        self.today = today
        self.editions = editions

    def date_answer(self, question_id: str | None) -> date | None:
        """The date answered to ``question_id`` when it applies and is known."""
        if question_id is None or question_id not in self.applicable:
            return None
        value = self.dossier.answers.get(question_id)
        return value if isinstance(value, date) else None

    def date_reached(self, compiled: CompiledTrigger) -> str | None:
        trigger = compiled.trigger
        day = self.date_answer(trigger.question)
        ahead = trigger.days or 0
        if day is None or (day - self.today).days > ahead:
            return None
        left = (day - self.today).days
        if left < 0:
            return f"{trigger.question} is {day}, {_days(-left)} before {self.today}"
        if left == 0:
            return f"{trigger.question} is {day}, the day of the assessment"
        return f"{trigger.question} is {day}, in {_days(left)} (the trigger fires {_days(ahead)} ahead)"

    def date_older_than(self, compiled: CompiledTrigger) -> str | None:
        trigger = compiled.trigger
        day = self.date_answer(trigger.question)
        limit = trigger.days or 0
        if day is None or (self.today - day).days <= limit:
            return None
        return f"{trigger.question} is {day}, {_days((self.today - day).days)} before {self.today} (limit {_days(limit)})"

    def answer_older_than(self, compiled: CompiledTrigger) -> str | None:
        trigger = compiled.trigger
        limit = trigger.days if trigger.days is not None else self.policy.max_age_days(compiled.category)
        assessed = self.dossier.model.assessment.date
        watched = [trigger.question] if trigger.question else [q.id for q in self.catalogue.questionnaire(compiled.category).questions]
        old: list[tuple[date, str]] = []
        for question_id in watched:
            entry = self.dossier.model.answers.get(question_id)
            if entry is None or entry.answer is None or question_id not in self.applicable:
                continue
            as_of = entry.as_of or assessed
            if (self.today - as_of).days > limit:
                old.append((as_of, question_id))
        if not old:
            return None
        oldest_day, oldest = min(old)
        if len(old) == 1:
            return f"{oldest} was confirmed {oldest_day}, more than {_days(limit)} before {self.today}"
        return f"{len(old)} answers confirmed more than {_days(limit)} before {self.today}; the oldest, {oldest}, on {oldest_day}"

    def list_newer(self, compiled: CompiledTrigger) -> str | None:
        trigger = compiled.trigger
        answered = self.date_answer(trigger.question)
        reference = answered or self.dossier.model.assessment.date
        label = f"{trigger.question} ({reference})" if answered else f"the assessment ({reference})"
        newer = sorted((e for e in self.editions if e.day > reference), key=lambda e: (-e.day.toordinal(), e.name))
        if not newer:
            return None
        return f"newer than {label}: " + _more([f"{e.name} edition {e.day}" for e in newer])


def fired_triggers(result: VendorResult, catalogue: Catalogue) -> list[TraceEntry]:
    """The date triggers that fired in ``result``, waived ones included, in questionnaire order."""
    ids = {compiled.trigger.id for compiled in catalogue.triggers}
    return [entry for entry in result.trace if entry.rule_id in ids]


def list_editions(versions: Sequence[tuple[str, str | None]]) -> tuple[ListEdition, ...]:
    """Screened lists as (display name, list date) pairs, those whose date reads as a day."""
    editions: list[ListEdition] = []
    for name, list_date in versions:
        try:
            editions.append(ListEdition(name, date.fromisoformat((list_date or "")[:10])))
        except ValueError:
            continue
    return tuple(editions)


def fire_triggers(
    catalogue: Catalogue,
    policy: Policy,
    dossier: Dossier,
    applicable: set[str],
    today: date,
    editions: Sequence[ListEdition],
    waivers: dict[str, Waiver],
) -> list[TraceEntry]:
    """One finding (trace entry, no points) per trigger that fired, in questionnaire order."""
    check = _Check(catalogue, policy, dossier, applicable, today, editions)
    kinds: dict[str, Callable[[CompiledTrigger], str | None]] = {
        "date_reached": check.date_reached,
        "date_older_than": check.date_older_than,
        "answer_older_than": check.answer_older_than,
        "list_newer": check.list_newer,
    }
    fired: list[TraceEntry] = []
    for compiled in catalogue.triggers:
        trigger = compiled.trigger
        override = policy.overrides.get(trigger.id)
        if override is not None and override.disabled:
            continue
        reason = kinds[trigger.kind](compiled)
        if reason is None:
            continue
        waiver = waivers.get(trigger.id)
        actions = actions_of(trigger.recommendation, trigger.recommendations, catalogue.clauses)
        fired.append(
            TraceEntry(
                compiled.category,
                trigger.id,
                trigger.version,
                trigger.question,
                reason,
                0.0,
                1.0,
                0.0,
                override.severity if override is not None and override.severity else trigger.severity,
                " ".join(trigger.message.split()),
                " ".join(a.text for a in actions),
                None,
                WaiverRef.of(waiver) if waiver else None,
                override is not None,
                None,
                (),
                actions,
            )
        )
    return fired
