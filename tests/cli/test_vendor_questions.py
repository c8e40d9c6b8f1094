"""provcheck questions: the vendor's questions apart from the buyer's, each once, most points at stake first."""

from __future__ import annotations

import re

import pytest
from support import REPO

from provenance_cli.formats.questionnaires import load_catalogue

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
AS_OF = "2026-11-15"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_no_buyer_question_is_sent_to_the_vendor_and_none_twice(cli, catalogue) -> None:
    """Every example, as JSON and as text: vendor and buyer questions apart, each once, most points at stake first."""
    result = cli("questions", REPO / "examples", "--as-of", AS_OF, "-f", "json")
    assert result.returncode == 0, result.output
    vendors = result.json()
    assert len(vendors) == len(EXAMPLES)
    text = cli("questions", REPO / "examples", "--as-of", AS_OF)
    assert text.returncode == 0, text.output
    sections = {chunk.split(" (", 1)[0]: chunk for chunk in text.stdout.split("Questions for ")[1:]}
    for vendor in vendors:
        sent = [q["id"] for q in vendor["questions"]]
        buyer = [q["id"] for q in vendor["buyer_tasks"]]
        assert sent, f"{vendor['vendor']}: every example has something to ask its vendor"
        assert len(sent) == len(set(sent)), f"a question listed twice: {sent}"
        assert len(buyer) == len(set(buyer))
        assert not set(sent) & set(buyer)
        assert all(catalogue.questions[q].audience in ("vendor", "either") for q in sent), sent
        assert all(catalogue.questions[q].audience == "buyer" for q in buyer), buyer
        stakes = [q["points_at_stake"] for q in vendor["questions"]]
        assert stakes == sorted(stakes, reverse=True), "most points at stake first"
        for item in vendor["questions"]:
            question = catalogue.questions[item["id"]]
            assert item["text"] == " ".join(question.vendor_text.split()), "put to the vendor in its own words"
            assert item["why"] and item["reasons"]
            assert item["allowed_answers"][-1:] == ["undisclosed"] or question.type in ("number", "date", "text")
            if question.evidence_required:
                assert item["evidence_request"], item["id"]

        section = sections[vendor["vendor"]]
        numbered = re.findall(r"^  \d+\. (\S+)", section, flags=re.MULTILINE)
        listed = re.findall(r"^  - (\S+)", section, flags=re.MULTILINE)
        assert numbered == sent, "the text lists the same questions in the same order"
        assert listed == buyer
        assert ("The buyer's own open questions" in section) == bool(buyer)


def test_a_buyer_fact_left_undisclosed_is_not_the_vendors_silence(cli) -> None:
    """Kestrel's dossier says its last switch exercise is 'undisclosed': that is the buyer's to find out."""
    kestrel = REPO / "examples" / "kestrel-ai.yaml"
    report = cli("assess", kestrel, "--as-of", AS_OF, "--no-screen", "--no-evidence", "-f", "json").json()
    assert "portability.last_switch_exercise" not in report["undisclosed"]
    assert "extraction.threat_intel_sharing" in report["undisclosed"]
    task = next(t for t in report["buyer_tasks"] if t["question_id"] == "portability.last_switch_exercise")
    assert task["why"] == "not established yet"
    assert all(q["question_id"] != "portability.last_switch_exercise" for q in report["open_questions"])
    markdown = cli("assess", kestrel, "--as-of", AS_OF, "--no-screen", "--no-evidence", "-f", "md").stdout
    # The report names questions by their text: the buyer's own list has it, the vendor's does not.
    text = "When was a switch to an alternative vendor last exercised"
    vendor_part, _, buyer_part = markdown.partition("### D. The buyer's own open questions")
    assert text in buyer_part.split("\n### ")[0]
    assert text not in vendor_part.split("### C. Questions to send the vendor")[1]


def test_points_at_stake_is_the_largest_move_of_the_overall_score(cli, write) -> None:
    """Aurora will not say whether it shares extraction indicators: re-score each answer and compare."""
    original = (REPO / "examples" / "aurora-models.yaml").read_text(encoding="utf-8")
    question = "extraction.threat_intel_sharing"
    assert f"  {question}:\n    answer: undisclosed\n" in original

    def overall(answer: str) -> float:
        path = write(
            f"aurora-{answer}.yaml", original.replace(f"  {question}:\n    answer: undisclosed\n", f"  {question}:\n    answer: {answer}\n")
        )
        report = cli("assess", path, "--as-of", AS_OF, "--no-screen", "--no-evidence", "-f", "json").json()
        return report["summary"]["overall"]

    current = overall("undisclosed")
    moves = [abs(overall(answer) - current) for answer in ("yes", "no")]
    assert max(moves) > 0
    (vendor,) = cli("questions", REPO / "examples" / "aurora-models.yaml", "--as-of", AS_OF, "-f", "json").json()
    stake = next(q["points_at_stake"] for q in vendor["questions"] if q["id"] == question)
    assert stake == pytest.approx(max(moves), abs=1e-3)


def test_export_formats_and_refusals(cli, tmp_path) -> None:
    aurora = REPO / "examples" / "aurora-models.yaml"
    markdown = cli("questions", aurora, "--as-of", AS_OF, "-f", "md")
    assert markdown.returncode == 0, markdown.output
    assert markdown.stdout.startswith("# Questions for Aurora Models, model Lumen 5\n")  # Lumen 5 decides and answers some itself
    assert "Evidence we ask for: Link the documentation or diagram of the route from our requests to the model." in markdown.stdout
    assert "sha256" in markdown.stdout

    no_file = cli("questions", aurora, "-f", "xlsx")
    assert no_file.returncode == 2
    assert "-o FILE" in no_file.stderr

    mine = tmp_path / "mine.xlsx"
    mine.write_bytes(b"the user's own workbook")
    refused = cli("questions", aurora, "-f", "xlsx", "-o", mine)
    assert refused.returncode == 2
    assert "was not written by provcheck" in refused.stderr
    assert mine.read_bytes() == b"the user's own workbook"

    first = cli("questions", aurora, "-f", "xlsx", "-o", "out.xlsx")
    assert first.returncode == 0, first.output
    again = cli("questions", aurora, "-f", "xlsx", "-o", "out.xlsx")
    assert again.returncode == 0, "provcheck replaces its own export"

    two = [REPO / "examples" / "kestrel-ai.yaml", REPO / "examples" / "northwind-frontier.yaml"]
    folder = cli("questions", *two, "-f", "csv", "-o", "exports")
    assert folder.returncode == 0, folder.output
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == ["kestrel-ai.questions.csv", "northwind-frontier.questions.csv"]
