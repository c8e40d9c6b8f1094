"""An organisation's own questionnaires beside the bundled ones (--questionnaires DIR, or the policy's folders).

The organisation questionnaire below is written for these tests: it asks
whether the model is registered in the buyer's AI inventory, and one of its
rules also reads a bundled answer (the buyer keeping outputs for training),
which only works because organisation questionnaires load after the bundled
ones.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

ORG_QUESTIONNAIRE = """\
id: acme_governance
version: 1.1.0
title: Acme AI governance
description: Questions Acme's AI board asks of every model vendor.
questions:
  - id: acme_governance.inventory_registered
    text: Is the model registered in Acme's AI system inventory?
    help: The inventory is how Acme's AI board sees every model in use.
    type: yes_no
    risky_answer: no
    weight: 1.0
    evidence_required: false
    frameworks:
      iso_42001: {buyer: [A.4.2]}
      acme_controls: {buyer: [ACME-007]}

  - id: acme_governance.board_review_days
    text: How many days ago did Acme's AI board last review the vendor?
    help: The board reviews every vendor at least once a year.
    added_in: 1.1.0
    type: number
    unit: days
    risk_direction: higher
    minimum: 0
    maximum: 3650
    weight: 1.0
    evidence_required: false

rules:
  - id: ACME-01
    version: 1
    question: acme_governance.inventory_registered
    when:
      answer: acme_governance.inventory_registered
      in: [no, undisclosed]
    points: 10
    severity: medium
    message: The model is not registered in Acme's AI inventory.
    recommendation: Register the model before production use.

  - id: ACME-02
    version: 1
    question: acme_governance.inventory_registered
    when:
      all:
        - answer: acme_governance.inventory_registered
          in: [no, undisclosed]
        - answer: extraction.buyer_stores_outputs_for_training
          in: [yes, undisclosed]
    points: 5
    severity: low
    combine: add
    message: An unregistered model's outputs may be kept for training.
    recommendation: Record the training use in the inventory entry.

  - id: ACME-03
    version: 1
    question: acme_governance.board_review_days
    when:
      answer: acme_governance.board_review_days
      gt: 365
    points: 4
    severity: low
    message: The AI board has not reviewed this vendor for more than a year.
    recommendation: Put the vendor on the next board agenda.
"""

ORG_FRAMEWORKS = """\
frameworks:
  - id: acme_controls
    name: Acme internal control set
    edition: "2026"
    url: https://controls.acme.example/
    pattern: 'ACME-\\d{3}'
    example: ACME-001
    controls:
      ACME-007: AI inventory
"""


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """An organisation folder with one questionnaire and one frameworks file."""
    folder = tmp_path / "org"
    folder.mkdir()
    (folder / "acme.yaml").write_text(ORG_QUESTIONNAIRE, encoding="utf-8")
    (folder / "controls.yaml").write_text(ORG_FRAMEWORKS, encoding="utf-8")
    return folder


def _example(tmp_path: Path, name: str, extra_answers: str = "") -> Path:
    """A copy of a bundled example, with extra answers appended to its answers block."""
    target = tmp_path / f"{name}.yaml"
    text = (REPO / "examples" / f"{name}.yaml").read_text(encoding="utf-8")
    target.write_text(text.rstrip("\n") + "\n" + extra_answers, encoding="utf-8")
    return target


ANSWERS = """\
  acme_governance.inventory_registered:
    answer: no
  acme_governance.board_review_days:
    answer: 400
"""


def test_assess_with_an_organisation_questionnaire_traces_its_rules_and_records_it(cli, tmp_path, org):
    _example(tmp_path, "northwind-frontier", ANSWERS)
    result = cli("assess", "northwind-frontier.yaml", "--questionnaires", "org", "-f", "json", "--as-of", "2026-11-15")
    assert result.returncode in (0, 1), result.output
    report = result.report()
    fired = {t["rule_id"]: t for t in report["trace"]}
    assert {"ACME-01", "ACME-03"} <= set(fired)
    assert fired["ACME-01"]["question_id"] == "acme_governance.inventory_registered"
    assert fired["ACME-01"]["contribution"] == 10.0
    categories = {c["id"]: c for c in report["categories"]}
    assert categories["acme_governance"]["score"] == 14.0
    listed = {q["id"]: q for q in report["provenance"]["questionnaires"]}
    acme = listed["acme_governance"]
    assert acme["version"] == "1.1.0"
    assert acme["origin"] == "organisation"
    assert acme["sha256"] == hashlib.sha256((org / "acme.yaml").read_bytes()).hexdigest()
    assert acme["path"].endswith("acme.yaml")
    assert listed["extraction"]["origin"] == "bundled"
    assert listed["extraction"]["path"] == "questionnaires/extraction.yaml"
    answered = {a["question_id"]: a for a in report["answers"]}
    assert answered["acme_governance.inventory_registered"]["frameworks"] == {"iso_42001": ["A.4.2"], "acme_controls": ["ACME-007"]}


def test_the_markdown_report_lists_the_organisation_questionnaire_in_its_provenance(cli, tmp_path, org):
    from support.markdown import check_markdown

    _example(tmp_path, "northwind-frontier", ANSWERS)
    result = cli("assess", "northwind-frontier.yaml", "--questionnaires", "org", "-f", "md", "--as-of", "2026-11-15")
    assert result.returncode in (0, 1), result.output
    digest = hashlib.sha256((org / "acme.yaml").read_bytes()).hexdigest()
    assert any(line.startswith("- Organisation questionnaire acme\\_governance 1.1.0:") and digest in line for line in result.lines)
    check_markdown(result.stdout)


def test_a_rule_reading_a_bundled_answer_fires_only_when_both_hold(cli, tmp_path, org):
    # Northwind does not keep outputs for training; Kestrel does (see the examples' README table).
    _example(tmp_path, "northwind-frontier", ANSWERS)
    _example(tmp_path, "kestrel-ai", ANSWERS)
    result = cli("assess", "northwind-frontier.yaml", "kestrel-ai.yaml", "--questionnaires", "org", "-f", "json", "--as-of", "2026-11-15")
    reports = {r["vendor"]["name"]: r for r in result.report()}
    northwind = {t["rule_id"] for t in reports["Northwind Frontier"]["trace"]}
    kestrel = {t["rule_id"] for t in reports["Kestrel AI"]["trace"]}
    assert "ACME-02" not in northwind
    assert "ACME-02" in kestrel


def test_the_policy_names_organisation_folders_relative_to_itself(cli, tmp_path, org):
    _example(tmp_path, "northwind-frontier", ANSWERS)
    (tmp_path / "policies").mkdir()
    shutil.move(str(org), tmp_path / "policies" / "org")
    (tmp_path / "policies" / "acme.yaml").write_text(
        "policy: 2\nname: Acme policy\nquestionnaires: [org]\ncategory_weights: {acme_governance: 0.5}\nwaivers:\n"
        "  - {rule: ACME-03, vendor: Northwind Frontier, reason: board meets in December, approver: J. Roe, expires: 2027-01-31}\n",
        encoding="utf-8",
    )
    result = cli("assess", "northwind-frontier.yaml", "--policy", "policies/acme.yaml", "-f", "json", "--as-of", "2026-11-15")
    assert result.returncode in (0, 1), result.output
    report = result.report()
    waived = [t for t in report["trace"] if t["rule_id"] == "ACME-03"]
    assert waived and waived[0]["contribution"] == 0.0 and waived[0]["waiver"]["approver"] == "J. Roe"
    assert {c["id"]: c["weight"] for c in report["categories"]}["acme_governance"] == 0.5


def test_a_policy_naming_a_missing_folder_is_refused_at_its_line(cli, tmp_path):
    _example(tmp_path, "northwind-frontier")
    (tmp_path / "policy.yaml").write_text("policy: 2\nname: P\nquestionnaires:\n  - nowhere\n", encoding="utf-8")
    result = cli("assess", "northwind-frontier.yaml", "--policy", "policy.yaml")
    assert result.returncode == 2
    assert any(line.startswith("nowhere: ") and "is not a folder of questionnaires" in line for line in result.lines), result.output


def test_a_bundled_id_is_refused_with_file_and_line(cli, tmp_path, org):
    _example(tmp_path, "northwind-frontier")
    (org / "clash.yaml").write_text(ORG_QUESTIONNAIRE.replace("acme_governance", "retention").replace("ACME-", "RET-"), encoding="utf-8")
    result = cli("assess", "northwind-frontier.yaml", "--questionnaires", "org")
    assert result.returncode == 2
    assert any(
        line.startswith("org/clash.yaml:1:5: questionnaire id 'retention' is already used by the bundled questionnaire")
        for line in result.lines
    ), result.output
    rule_line = ORG_QUESTIONNAIRE.splitlines().index("  - id: ACME-01") + 1
    assert any(
        line.startswith(f"org/clash.yaml:{rule_line}:9: rule id 'RET-01' is already used by the bundled questionnaire")
        for line in result.lines
    ), result.output


def test_format_2_organisation_rules_name_bundled_clauses_but_cannot_redefine_them(cli, tmp_path, org):
    _example(tmp_path, "northwind-frontier", ANSWERS)
    actions = """    recommendations:
      - text: Make deletion of the inventory entry's data a term of the contract.
        owner: procurement
        type: contract_clause
        clause: deletion
"""
    v2 = "questionnaire: 2\n" + ORG_QUESTIONNAIRE.replace(
        "    recommendation: Register the model before production use.\n", actions
    ).replace("    recommendation: Record the training use in the inventory entry.\n", actions).replace(
        "    recommendation: Put the vendor on the next board agenda.\n", actions
    )
    assert "recommendation:" not in v2
    (org / "acme.yaml").write_text(v2, encoding="utf-8")
    result = cli("assess", "northwind-frontier.yaml", "--questionnaires", "org", "-f", "json", "--as-of", "2026-11-15")
    assert result.returncode in (0, 1), result.output
    finding = next(f for f in result.report()["findings"] if f["rule_id"] == "ACME-01")
    assert finding["actions"][0]["owner"] == "procurement"
    assert finding["actions"][0]["clause"] == "deletion"
    clash = v2.replace("rules:\n", "clauses:\n  - id: deletion\n    title: Deletion\n    rationale: Ours.\n\nrules:\n", 1)
    (org / "acme.yaml").write_text(clash, encoding="utf-8")
    refused = cli("assess", "northwind-frontier.yaml", "--questionnaires", "org")
    assert refused.returncode == 2
    line = clash.splitlines().index("  - id: deletion") + 1
    assert any(
        out.startswith(
            f"org/acme.yaml:{line}:9: clause id 'deletion' is already used by the bundled questionnaire questionnaires/retention.yaml"
        )
        for out in refused.lines
    ), refused.output


def test_organisation_questionnaires_get_the_same_monotonicity_checks(cli, tmp_path, org):
    broken = ORG_QUESTIONNAIRE.replace("      in: [no, undisclosed]\n    points: 10", "      in: [no]\n    points: 10")
    (org / "acme.yaml").write_text(broken, encoding="utf-8")
    result = cli("validate", "--questionnaires", "org", "org/acme.yaml")
    assert result.returncode == 2
    line = broken.splitlines().index("      in: [no]") + 1
    assert any(out.startswith(f"org/acme.yaml:{line}:11: rule ACME-01: fires for 'no'") for out in result.lines), result.output


def test_an_unknown_framework_or_malformed_control_in_an_organisation_file_is_refused(cli, tmp_path, org):
    text = ORG_QUESTIONNAIRE.replace("iso_42001: {buyer: [A.4.2]}", "iso_4201: {buyer: [A.4.2]}").replace("[ACME-007]", "[ACME-7]")
    (org / "acme.yaml").write_text(text, encoding="utf-8")
    result = cli("validate", "org/acme.yaml", "--questionnaires", "org")
    assert result.returncode == 2
    lines = text.splitlines()
    unknown = next(i for i, line in enumerate(lines, 1) if "iso_4201" in line)
    malformed = next(i for i, line in enumerate(lines, 1) if "ACME-7]" in line)
    column = lines[malformed - 1].index("ACME-7") + 1
    assert any(
        out.startswith(f"org/acme.yaml:{unknown}:7: unknown framework 'iso_4201' (did you mean 'iso_42001'?)") for out in result.lines
    ), result.output
    assert (
        f"org/acme.yaml:{malformed}:{column}: malformed control id 'ACME-7' for Acme internal control set (2026); "
        "expected an id like 'ACME-001'"
    ) in result.lines, result.output


def test_questionnaires_list_init_and_validate_know_the_organisation_questionnaire(cli, tmp_path, org):
    listed = cli("questionnaires", "list", "--questionnaires", "org", "-f", "json").json()
    acme = next(row for row in listed if row["id"] == "acme_governance")
    assert acme["origin"] == "organisation" and acme["questions"] == 2 and acme["rules"] == 3
    made = cli("init", "Vendor X", "-o", "vendor-x.yaml", "--questionnaires", "org")
    assert made.returncode == 0, made.output
    text = (tmp_path / "vendor-x.yaml").read_text(encoding="utf-8")
    assert "  acme_governance.inventory_registered:" in text
    assert "acme_governance: 1.1.0" in next(line for line in text.splitlines() if line.startswith("questionnaires: {"))
    assert cli("validate", "vendor-x.yaml", "--questionnaires", "org").returncode == 0
    without = cli("validate", "vendor-x.yaml")
    assert without.returncode == 2
    assert "unknown question id 'acme_governance.inventory_registered'" in without.output


def test_validate_names_the_questions_added_since_the_version_a_dossier_answered(cli, tmp_path, org):
    made = cli("init", "Vendor X", "-o", "vendor-x.yaml", "--questionnaires", "org")
    assert made.returncode == 0
    path = tmp_path / "vendor-x.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("acme_governance: 1.1.0", "acme_governance: 1.0.0"), encoding="utf-8")
    result = cli("validate", "vendor-x.yaml", "--questionnaires", "org")
    assert result.returncode == 0, result.output
    assert (
        "vendor-x.yaml: note: answered against acme_governance 1.0.0; 1.1.0 adds 1 question, it has not answered yet: "
        "acme_governance.board_review_days (How many days ago did Acme's AI board last review the vendor?)"
    ) in result.lines
    as_json = cli("validate", "vendor-x.yaml", "--questionnaires", "org", "-f", "json").json()
    assert as_json["files"][0]["notes"][0].startswith("answered against acme_governance 1.0.0; 1.1.0 adds 1 question")
    answered = path.read_text(encoding="utf-8").replace(
        "  acme_governance.board_review_days:\n    answer:\n", "  acme_governance.board_review_days:\n    answer: 30\n"
    )
    assert "answer: 30" in answered
    path.write_text(answered, encoding="utf-8")
    done = cli("validate", "vendor-x.yaml", "--questionnaires", "org")
    assert "adds 1 question, all answered; update the version in the dossier's questionnaires line" in done.output, done.output
    path.write_text(path.read_text(encoding="utf-8").replace("acme_governance: 1.0.0", "acme_governance: 2.0.0"), encoding="utf-8")
    newer = cli("validate", "vendor-x.yaml", "--questionnaires", "org")
    assert "vendor-x.yaml: note: answered against acme_governance 2.0.0, newer than this provcheck's 1.1.0" in newer.output


def test_a_question_cannot_be_added_after_its_questionnaire_version(cli, tmp_path, org):
    text = ORG_QUESTIONNAIRE.replace("added_in: 1.1.0", "added_in: 1.2.0")
    (org / "acme.yaml").write_text(text, encoding="utf-8")
    result = cli("validate", "--questionnaires", "org", "org/acme.yaml")
    line = text.splitlines().index("    added_in: 1.2.0") + 1
    assert (
        f"org/acme.yaml:{line}:15: acme_governance.board_review_days says it was added in 1.2.0, after this questionnaire's version 1.1.0"
    ) in result.lines, result.output
