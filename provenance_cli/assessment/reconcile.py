"""Answers checked against the screen: a dossier may not say "not listed" while the list says otherwise.

Questions that ask "is the vendor or its chain listed on X?" name the list
keys that answer them (``screening_lists`` in the questionnaire). After
screening, each such answer is compared with what the screen found:

* answered "no" while screening matched a name on one of those lists: the
  answer contradicts the screen (a high finding: correct the answer, or
  record the match as a confirmed false positive);
* answered "yes" while the list was screened and nothing matched: the
  finding says which list (edition, entries) lacks the entry, so the
  assessor can check names, aliases and the edition.

A list that was not screened is never taken as saying anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.models import Question
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import ScreeningResult

LIST_SOURCE = {"dod_1260h": "dod_1260h", "opensanctions": "opensanctions", "custom": "custom"}
"""The source a list key comes from; every other key is one of the CSL's lists."""


@dataclass(frozen=True)
class Contradiction:
    """One answer that the screen does not bear out."""

    question_id: str
    answer: str
    severity: str
    message: str
    recommendation: str


_ListingQuestion = tuple[Question, frozenset[str], str]
"""A "listed on X?" question, the list keys that answer it, and their names in words."""

_listing_questions: WeakKeyDictionary[Catalogue, tuple[_ListingQuestion, ...]] = WeakKeyDictionary()
"""Each catalogue's "listed on X?" questions, found once while it lives (a few among a hundred and more questions,
looked for in every dossier); keyed on the catalogue itself, which compares by identity."""


def _listing_questions_of(catalogue: Catalogue) -> tuple[_ListingQuestion, ...]:
    """The catalogue's questions that name screening lists, in catalogue order, with those lists as a set and in words."""
    found = _listing_questions.get(catalogue)
    if found is None:
        found = tuple(
            (question, frozenset(question.screening_lists), ", ".join(LIST_NAMES.get(key, key) for key in question.screening_lists))
            for question in catalogue.questions.values()
            if question.screening_lists
        )
        _listing_questions[catalogue] = found
    return found


def reconcile(dossier: Dossier, catalogue: Catalogue, result: ScreeningResult) -> tuple[Contradiction, ...]:
    """Every "listed on X?" answer that the screen contradicts or cannot confirm."""
    screened_sources = {c.source: c for c in result.coverage if c.screened}
    found: list[Contradiction] = []
    for question, lists, names in _listing_questions_of(catalogue):
        answer = dossier.answers.get(question.id)
        # The developer of a model the vendor serves is not the vendor's chain: its hits are findings of that model.
        matches = [m for m in result.matches if m.list_key in lists and m.role != "developer"]
        if answer == "no" and matches:
            seen = "; ".join(f"{(m.parent_name or m.screened_name)!r} {m.describe()} as {m.matched_name!r}" for m in matches[:3])
            found.append(
                Contradiction(
                    question.id,
                    "no",
                    "high",
                    f"The dossier answers that nothing in the chain is on the {names}, but screening found {seen}.",
                    "Correct the answer, or record the match in the policy's screening allow-list as a confirmed false positive "
                    "with the reason and the approver.",
                )
            )
        elif answer == "yes" and not matches:
            covered = [screened_sources.get(LIST_SOURCE.get(key, "csl")) for key in question.screening_lists]
            if all(c is not None for c in covered):
                editions = "; ".join(f"{c.title}: {c.entries} entries, {c.reason}" for c in covered if c is not None)
                found.append(
                    Contradiction(
                        question.id,
                        "yes",
                        "medium",
                        f"The dossier answers that the vendor or its chain is on the {names}, but the list as screened "
                        f"({editions}) has no entry matching any name in the dossier.",
                        "Check the names and aliases in the dossier against the listing, and the list edition the answer relied on; "
                        "add the listed name as an alias or parent so that screening can follow it.",
                    )
                )
    return tuple(found)
