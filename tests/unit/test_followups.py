"""Points at stake: the shortcut score agrees with full scoring, and the tried answers bound every other answer."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest
from support import REPO
from support.synthetic import dossier_yaml

from provenance_cli.assessment.followups import candidate_answers, points_at_stake, with_answer
from provenance_cli.assessment.scoring import overall_score, score_dossier
from provenance_cli.formats.dossier import load_dossier, parse_dossier
from provenance_cli.formats.policy import load_policy
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.formats.vocabulary import UNDISCLOSED

AS_OF = date(2026, 11, 15)
catalogue = load_catalogue()
POLICIES = [None, REPO / "examples" / "policies" / "dod-contractor.yaml", REPO / "examples" / "policies" / "eu-market-buyer.yaml"]


def _stale_penalty_policy(tmp_path):
    path = tmp_path / "penalty.yaml"
    path.write_text("policy: 2\nname: stale costs\nstaleness:\n  penalty_points: 3\n", encoding="utf-8")
    return path


def _dossiers():
    rng = random.Random(15)
    examples = [load_dossier(path, catalogue) for path in sorted((REPO / "examples").glob("*.yaml"))]
    synthetic = [parse_dossier(dossier_yaml(catalogue, rng, i).encode(), f"synthetic-{i}.yaml", catalogue) for i in range(12)]
    return examples + synthetic


@pytest.mark.parametrize("policy_path", [*POLICIES, "penalty"], ids=lambda p: getattr(p, "stem", str(p)))
def test_the_shortcut_score_is_the_overall_score(policy_path, tmp_path) -> None:
    policy = load_policy(_stale_penalty_policy(tmp_path) if policy_path == "penalty" else policy_path, catalogue)
    for dossier in _dossiers():
        full = score_dossier(dossier, catalogue, policy, today=AS_OF).overall
        assert overall_score(dossier, catalogue, policy, today=AS_OF) == pytest.approx(full, abs=1e-9), dossier.source


def _every_answer(question):
    """Every answer a question allows, or a spread of them for numbers, dates and text."""
    if question.type == "multiple_choice":
        values = [choice.value for choice in question.choices or []]
        subsets = itertools.chain.from_iterable(itertools.combinations(values, n) for n in range(len(values) + 1))
        return [frozenset(s) for s in subsets] + [UNDISCLOSED]
    if question.type == "number":
        return [0.0, 1.0, 7.0, 8.0, 30.0, 31.0, 90.0, 180.0, 365.0, 10_000.0, UNDISCLOSED]
    if question.type == "date":
        return [date(2020, 1, 1), AS_OF, UNDISCLOSED]
    if question.type == "text":
        return ["anything", UNDISCLOSED]
    return candidate_answers(question, AS_OF)


def test_the_answers_tried_bound_every_answer_a_question_allows() -> None:
    """Scoring is monotone, so the extremes tried give the largest move any allowed answer gives."""
    policy = load_policy(None, catalogue)
    rng = random.Random(7)
    dossiers = _dossiers()
    for dossier in dossiers[:5] + rng.sample(dossiers[5:], 4):
        current = overall_score(dossier, catalogue, policy, today=AS_OF)

        def rescore(changed, policy=policy):
            return overall_score(changed, catalogue, policy, today=AS_OF)

        for question in rng.sample(list(catalogue.questions.values()), 25):
            stake = points_at_stake(question, dossier, rescore, current, AS_OF)
            widest = max(abs(rescore(with_answer(dossier, question.id, value, AS_OF)) - current) for value in _every_answer(question))
            assert stake == pytest.approx(widest, abs=1e-4), (dossier.source, question.id)
