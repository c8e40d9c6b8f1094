"""Which open questions are worth sending first: the points each answer could still move.

A reviewer sending a vendor twenty questions wants the one that can move
the verdict by sixteen points before the one worth two. For every open
question this module re-scores the dossier with each answer the question
allows (the rest of the dossier unchanged, the answer fresh as of the
scoring day) and keeps the largest change of the overall score against the
current state: the question's *points at stake* (docs/SCORING.md).

Because scoring is monotone in every answer's risk rank, the extremes
bound every other answer: for yes/no and single-choice questions every
value is tried (``undisclosed`` may rank below the worst choice); for
multiple-choice questions the favourable set and ``undisclosed`` (the
worst case); for numbers the favourable end of the range and
``undisclosed``; dates and free text only matter through staleness and
conditions, so one known value and ``undisclosed`` are tried.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from provenance_cli.assessment.results import FollowUp, VendorResult
from provenance_cli.formats.conditions import answer_ranks
from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.models import AnswerEntry, Question
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import UNDISCLOSED

Rescore = Callable[[Dossier], float]
"""The overall score of a dossier, scored exactly like the result being weighed (same policy, day and facts)."""


def candidate_answers(question: Question, today: date) -> list[Any]:
    """The answers whose scores bound every answer the question allows (normalised values, ``undisclosed`` last)."""
    if question.type in ("yes_no", "single_choice"):
        return list((answer_ranks(question) or {}).keys())
    if question.type == "multiple_choice":
        return [frozenset(choice.value for choice in question.choices or [] if choice.risk == 0), UNDISCLOSED]
    if question.type == "number":
        if question.risk_direction == "lower":
            favourable = question.maximum if question.maximum is not None else 1e12
        else:
            favourable = question.minimum if question.minimum is not None else 0.0
        return [float(favourable), UNDISCLOSED]
    if question.type == "date":
        return [today, UNDISCLOSED]
    return ["stated", UNDISCLOSED]


def with_answer(dossier: Dossier, question_id: str, value: Any, today: date) -> Dossier:
    """``dossier`` as if ``question_id`` had just been answered ``value`` (as of ``today``, its evidence kept)."""
    old = dossier.model.answers.get(question_id)
    raw: str | list[str] = sorted(value) if isinstance(value, frozenset) else str(value)
    entry = AnswerEntry.model_construct(answer=raw, evidence=list(old.evidence) if old else [], note=None, as_of=today)
    model = dossier.model.model_copy(update={"answers": {**dossier.model.answers, question_id: entry}})
    return dataclasses.replace(dossier, model=model, answers={**dossier.answers, question_id: value})


def points_at_stake(question: Question, dossier: Dossier, rescore: Rescore, current: float, today: date) -> float:
    """The largest change of the overall score any allowed answer to ``question`` would make, against ``current``."""
    moves = [abs(rescore(with_answer(dossier, question.id, value, today)) - current) for value in candidate_answers(question, today)]
    return round(max(moves, default=0.0), 4)


def weigh_open_items(result: VendorResult, dossier: Dossier, catalogue: Catalogue, rescore: Rescore) -> VendorResult:
    """``result`` with each open question's points at stake, most points first (ties keep questionnaire order)."""
    weighed: list[FollowUp] = []
    for item in result.open_items:
        question = catalogue.questions[item.question_id]
        stake = points_at_stake(question, dossier, rescore, result.overall, result.as_of)
        weighed.append(dataclasses.replace(item, points_at_stake=stake))
    weighed.sort(key=lambda item: -(item.points_at_stake or 0.0))
    return dataclasses.replace(result, open_items=tuple(weighed))
