"""Small hand-written dossiers for the validate/init/YAML tests.

Questions are picked from the bundled catalogue by type rather than by id,
so the tests keep working while the questionnaires evolve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

# The first line of an answer in DOSSIER_HEAD-based files: the header below is
# exactly eight lines long, so the first question key is on line 9.
DOSSIER_HEAD = """\
provcheck: 2
vendor:
  name: Acme AI
  legal_name: Acme AI, Inc.
assessment:
  assessor: Jane Doe
  date: 2026-07-01
answers:
"""
FIRST_ANSWER_LINE = 9


def pick_question(catalogue, kind: str, *, conditional: bool = False):
    """The first bundled question of a type (unconditional unless asked otherwise)."""
    for question in catalogue.questions.values():
        if question.type == kind and (question.applies_if is not None) == conditional:
            return question
    pytest.skip(f"no bundled {'conditional ' if conditional else ''}{kind} question")


def valid_answer(question) -> str:
    """A YAML fragment that is an acceptable answer to ``question``."""
    if question.type == "yes_no":
        return "yes"
    if question.type == "single_choice":
        return question.choices[0].value
    if question.type == "multiple_choice":
        return f"[{question.choices[0].value}]"
    if question.type == "number":
        return f"{(question.minimum or 0) + 5:g}"
    if question.type == "date":
        return "2026-01-15"
    return "free text answer"


def answer_block(question_id: str, answer: str, extra: str = "") -> str:
    """Lines for one entry under ``answers:``; the answer value sits at column 13."""
    return f"  {question_id}:\n    answer: {answer}\n{extra}"


def dossier(*answer_blocks: str) -> str:
    """A minimal valid dossier with the given answer entries appended."""
    if not answer_blocks:
        return DOSSIER_HEAD.replace("answers:\n", "answers: {}\n")
    return DOSSIER_HEAD + "".join(answer_blocks)


@dataclass(frozen=True)
class Builders:
    """The helpers above, as the ``build`` fixture."""

    head: str = DOSSIER_HEAD
    first_answer_line: int = FIRST_ANSWER_LINE
    dossier: Callable[..., str] = staticmethod(dossier)  # type: ignore[assignment]
    answer_block: Callable[..., str] = staticmethod(answer_block)  # type: ignore[assignment]
    valid_answer: Callable[..., str] = staticmethod(valid_answer)  # type: ignore[assignment]
