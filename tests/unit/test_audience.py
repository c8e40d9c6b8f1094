"""Who answers each question: every bundled question says it, vendor questions are phrased to the vendor."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml

from provenance_cli.formats.questionnaires import build_catalogue, load_catalogue, questionnaire_files

REPO = Path(__file__).resolve().parents[2]
BUNDLED = questionnaire_files(REPO / "questionnaires")

# Facts only the buyer can establish, named in the issue and in PRACTICE.md: its own use of outputs,
# its legal review, its exit exercises and estimates, its screening and its classification of jurisdictions.
BUYER_FACTS = {
    "extraction.buyer_stores_outputs_for_training",
    "extraction.buyer_use_reviewed",
    "lineage.licence_compatibility",
    "portability.last_switch_exercise",
    "portability.switch_time_days",
    "portability.tested_alternatives",
    "portability.continuity_plan",
    "portability.abstraction_layer",
    "export_control.last_screened",
    "export_control.pending_legislation",
}


@functools.cache
def raw_questions() -> list[dict]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [q for path in BUNDLED for q in yaml.load(path.read_text(encoding="utf-8"), Loader=loader)["questions"]]


def test_every_bundled_question_states_its_audience() -> None:
    missing = [q["id"] for q in raw_questions() if "audience" not in q]
    assert not missing, f"questions relying on the default audience: {missing}"


def test_buyer_facts_are_buyer_questions() -> None:
    catalogue = load_catalogue()
    wrong = {qid: catalogue.questions[qid].audience for qid in BUYER_FACTS if catalogue.questions[qid].audience != "buyer"}
    assert not wrong


@pytest.mark.parametrize("question", [q for q in raw_questions() if q["audience"] != "buyer"], ids=lambda q: q["id"])
def test_vendor_questions_are_asked_in_the_second_person(question: dict) -> None:
    text = " ".join(question["vendor_text"].split())
    words = {w.strip("?,.:();").lower() for w in text.split()}
    assert words & {"you", "your", "yours"}, text
    assert text.endswith("?") or "?" in text, text
    assert "the vendor" not in text.lower(), text
    assert not re.search(r"\w- \w", text), f"a hyphenated word broken by folding: {text}"
    if question.get("evidence_required"):
        assert question.get("evidence_request"), f"{question['id']}: evidence required but no evidence_request"


def test_buyer_questions_have_no_vendor_phrasing() -> None:
    assert not [q["id"] for q in raw_questions() if q["audience"] == "buyer" and "vendor_text" in q]


def test_the_default_audience_is_vendor_and_vendor_text_is_refused_on_buyer_questions(tmp_path: Path) -> None:
    from provenance_cli.util.errors import InputError

    head = "id: demo\nversion: 1.0.0\ntitle: Demo\ndescription: Demo.\nquestions:\n"
    plain = "  - id: demo.a\n    text: Is it so?\n    help: Because.\n    type: yes_no\n    risky_answer: no\n"
    path = tmp_path / "demo.yaml"
    path.write_text(head + plain, encoding="utf-8")
    catalogue = build_catalogue([path])
    assert catalogue.questions["demo.a"].audience == "vendor"
    assert catalogue.questions["demo.a"].vendor_text is None

    buyer = plain.replace("    type:", "    audience: buyer\n    vendor_text: Is it so for you?\n    type:")
    path.write_text(head + buyer, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build_catalogue([path])
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (10, 18)
    assert "'vendor_text' is how the vendor is asked" in problem.message

    path.write_text(head + plain.replace("    type:", "    audience: seller\n    type:"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build_catalogue([path])
    assert caught.value.problems[0].line == 9
    assert "vendor" in caught.value.problems[0].message and "buyer" in caught.value.problems[0].message
