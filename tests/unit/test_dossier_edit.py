"""Changing answers touches only those answer entries: every other byte of the dossier stays as written."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

import pytest
from support import REPO

from provenance_cli.formats.dossier_edit import AnswerChange, apply_changes
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.formats.safeyaml import load_text
from provenance_cli.formats.scaffold import scaffold_dossier
from provenance_cli.util.errors import InputError

catalogue = load_catalogue()
TODAY = date(2026, 11, 20)
EVIDENCE = {"url": "https://vendor.example/terms#2", "title": "Terms, section 2", "retrieved": TODAY, "kind": "vendor_attestation"}


def _sources() -> list[tuple[str, str]]:
    examples = [(path.name, path.read_text(encoding="utf-8")) for path in sorted((REPO / "examples").glob("*.yaml"))]
    return [
        *examples,
        (
            "scaffold.yaml",
            scaffold_dossier("Edit Test", catalogue, today=TODAY, assessor="Test", schema_ref="../schemas/dossier.schema.json"),
        ),
    ]


def _changed_lines(old: str, new: str) -> list[int]:
    """1-based numbers of the old file's lines that a diff removes or that sit where lines were added."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    lines: list[int] = []
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines.extend(range(i1 + 1, max(i2, i1 + 1) + 1))
    return lines


@pytest.mark.parametrize(("name", "text"), _sources(), ids=[name for name, _ in _sources()])
def test_only_the_changed_entry_moves(name: str, text: str) -> None:
    document = load_text(text, name)
    answered = [key[1] for key in document.key_positions if len(key) == 2 and key[0] == "answers"]
    question_id = next(q for q in answered if catalogue.questions[q].type == "yes_no" and catalogue.questions[q].applies_if is None)
    change = AnswerChange(question_id, "undisclosed", (EVIDENCE,), "Changed by the test.", TODAY)
    new, dossier = apply_changes(text, name, [change], catalogue)
    assert dossier.answers[question_id] == "undisclosed"
    start = document.key_positions[("answers", question_id)][0]
    following = sorted(pos[0] for key, pos in document.key_positions.items() if len(key) == 2 and key[0] == "answers" and pos[0] > start)
    end = following[0] if following else len(text.splitlines()) + 1
    touched = _changed_lines(text, new)
    assert touched and all(start <= line < end for line in touched), (question_id, touched, start, end)
    kept = [line for line in text.splitlines() if line.strip().startswith("#")]
    assert [line for line in new.splitlines() if line.strip().startswith("#")] == kept


def test_a_new_entry_goes_after_its_questionnaire_neighbour_in_the_files_style() -> None:
    text = (REPO / "examples" / "aurora-models.yaml").read_text(encoding="utf-8")
    entry = "  extraction.threat_intel_sharing:\n    answer: undisclosed\n\n"
    assert text.count(entry) == 1
    without = text.replace(entry, "")
    new, _ = apply_changes(
        without, "aurora.yaml", [AnswerChange("extraction.threat_intel_sharing", "yes", (EVIDENCE,), None, TODAY)], catalogue
    )
    block = (
        "  extraction.customer_incident_notification:\n"
        "    answer: contractual_notice\n"
        "    evidence:\n"
        '      - {url: https://aurora-models.example/legal/security-addendum, title: "Security addendum, section 6", '
        "retrieved: 2026-07-01, kind: vendor_attestation}\n"
        "\n"
        "  extraction.threat_intel_sharing:\n"
        "    answer: yes\n"
        "    evidence:\n"
        "      - {url: https://vendor.example/terms#2, title: 'Terms, section 2', retrieved: 2026-11-20, kind: vendor_attestation}\n"
        "    as_of: 2026-11-20\n"
        "\n"
        "  extraction.buyer_stores_outputs_for_training:\n"
    )
    assert block in new


def test_windows_line_endings_and_a_flow_entry_are_kept() -> None:
    text = (
        "provcheck: 2\r\nvendor:\r\n  name: Flow\r\n  legal_name: Flow Ltd\r\nassessment:\r\n  assessor: A\r\n  date: 2026-07-01\r\n"
        "answers:\r\n  retention.dpa_available: {answer: no}   # asked in June\r\n  retention.encryption:\r\n    answer: [in_transit]\r\n"
    )
    changes = [AnswerChange("retention.dpa_available", "yes"), AnswerChange("retention.encryption", ["in_transit", "at_rest"])]
    new, _ = apply_changes(text, "flow.yaml", changes, catalogue)
    assert new.count("\r\n") == new.count("\n"), "every line still ends in CRLF"
    assert "  retention.dpa_available: {answer: yes}  # asked in June\r\n" in new, "the comment keeps its column"
    assert "    answer: [in_transit, at_rest]\r\n" in new


def test_a_change_that_breaks_the_dossier_is_refused() -> None:
    """Kestrel's allegation has a response and a status on file: "no allegation" would orphan them."""
    text = (REPO / "examples" / "kestrel-ai.yaml").read_text(encoding="utf-8")
    with pytest.raises(InputError) as caught:
        apply_changes(text, "kestrel.yaml", [AnswerChange("lineage.disputed_provenance_allegation", "no")], catalogue)
    assert "the changed dossier would not be valid: lineage.allegation_response applies only when" in str(caught.value)


def test_an_empty_answers_block_gets_its_first_entry(tmp_path: Path) -> None:
    text = "provcheck: 2\nvendor:\n  name: E\n  legal_name: E Ltd\nassessment:\n  assessor: A\n  date: 2026-07-01\nanswers: {}\n"
    new, dossier = apply_changes(text, "empty.yaml", [AnswerChange("retention.dpa_available", "yes")], catalogue)
    assert new.endswith("answers:\n  retention.dpa_available:\n    answer: yes\n")
    assert dossier.answers == {"retention.dpa_available": "yes"}
