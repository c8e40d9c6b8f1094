"""Framework mappings are an open, documented set: every reference is checked when questionnaires load."""

from __future__ import annotations

import re

import pytest

from provenance_cli.formats.frameworks import load_frameworks
from provenance_cli.formats.questionnaires import load_catalogue

HEAD = """id: demo
version: 1.0.0
title: Demo
description: A questionnaire for mapping tests.
questions:
  - id: demo.check
    text: Is it checked?
    help: Checking matters.
    type: yes_no
    risky_answer: no
    frameworks:
"""
LINE = HEAD.count("\n") + 1
"""The line of the first mapping under ``frameworks:``."""

CASES = [
    ("      nist_ai_rfm: {buyer: [GOVERN 6.1]}\n", "nist_ai_rfm", "unknown framework 'nist_ai_rfm' (did you mean 'nist_ai_rmf'?)"),
    (
        "      csa_aicm: {vendor: [DSP]}\n",
        "DSP",
        "malformed control id 'DSP' for CSA AI Controls Matrix (AICM v1.0 (2025), control ids); expected an id like 'DSP-16'",
    ),
    ("      iso_42001: {buyer: [A.11.3]}\n", "A.11.3", "'A.11.3' is not a control of ISO/IEC 42001 (ISO/IEC 42001:2023, Annex A controls)"),
    ("      nist_ai_rmf: {buyer: [GOVERN 6.3]}\n", "GOVERN", "malformed control id 'GOVERN 6.3' for NIST AI Risk Management Framework"),
    ("      owasp_llm: {vendor: [LLM10]}\n", "LLM10", "malformed control id 'LLM10' for OWASP Top 10 for LLM Applications"),
    ("      eu_ai_act: {vendor: [Art. 114]}\n", "Art.", "malformed control id 'Art. 114' for EU AI Act"),
    ("      mitre_atlas: {vendor: [T0024]}\n", "T0024", "malformed control id 'T0024' for MITRE ATLAS"),
    ("      iso_42001: {}\n", "iso_42001", "the mapping to ISO/IEC 42001 names no control"),
    ("      iso_42001: {supplier: [A.10.3]}\n", "supplier", "unknown key 'supplier'; expected one of vendor, buyer"),
]


@pytest.mark.parametrize(("mapping", "token", "message"), CASES, ids=[m[:30] for _, _, m in CASES])
def test_a_bad_mapping_is_refused_at_its_line_and_column(expect_invalid, mapping, token, message):
    expect_invalid("demo.yaml", HEAD + mapping, LINE, mapping.index(token) + 1, message, prefix=True)


def test_a_plain_list_is_still_read_with_its_party_unstated(cli, write):
    write("demo.yaml", HEAD + "      iso_42001: [A.10.3]\n")
    assert cli("validate", "demo.yaml").returncode == 0


def test_every_bundled_mapping_names_a_known_control_and_whose_control_it_is():
    catalogue = load_catalogue()
    frameworks = load_frameworks()
    refs = [(q.id, *ref) for q in catalogue.questions.values() for ref in q.framework_refs()]
    assert len(refs) > 150
    for question_id, framework, control, party in refs:
        assert party in ("vendor", "buyer"), (question_id, framework, control)
        known = frameworks.get(framework)
        assert known is not None and known.check(control) is None, (question_id, framework, control)
        assert known.title(control), f"{question_id}: {framework} {control} has no title in frameworks.yaml"
    used = {framework for _, framework, _, _ in refs}
    assert used == set(frameworks.frameworks), "every bundled framework is used and no other"


def test_the_corrected_mappings_stay_corrected():
    questions = load_catalogue().questions

    def refs(question_id: str, framework: str) -> set[str]:
        return {ref for name, ref, _ in questions[question_id].framework_refs() if name == framework}

    # Public disclosure of incidents is communication to interested parties, not A.8.3 (external reporting channel).
    assert "A.8.3" not in refs("extraction.public_incident_disclosure", "iso_42001")
    # A.7.2 is data for developing AI systems, not the retention of inference logs.
    assert "A.7.2" not in refs("retention.prompt_retention_days", "iso_42001")
    # Art. 10 governs high-risk systems' data; a model vendor's training data falls under Art. 53 and Annex XI.
    assert not any(ref.startswith("Art. 10") for ref in refs("lineage.training_data_documentation", "eu_ai_act"))
    assert {"Art. 53(1)(a)", "Annex XI"} <= refs("lineage.training_data_documentation", "eu_ai_act")
    assert refs("lineage.copyright_policy", "eu_ai_act") == {"Art. 53(1)(c)"}
    # The CSA AICM is mapped at control level, never by domain alone.
    domain_only = [(q, r) for q in questions for n, r, _ in questions[q].framework_refs() if n == "csa_aicm" and "-" not in r]
    assert not domain_only


def test_titles_and_examples_match_their_frameworks_patterns():
    for framework in load_frameworks():
        assert framework.pattern.fullmatch(framework.example)
        assert framework.url.startswith("https://")
        for control in framework.controls:
            assert framework.pattern.fullmatch(control), (framework.id, control)
    rmf = load_frameworks().get("nist_ai_rmf")
    assert rmf is not None
    subcategories = [f"{fn} {c}.{s}" for fn, cats in RMF.items() for c, n in cats.items() for s in range(1, n + 1)]
    assert len(subcategories) == 72
    assert all(rmf.pattern.fullmatch(s) for s in subcategories)
    assert not any(rmf.pattern.fullmatch(f"{fn} {c}.{n + 1}") for fn, cats in RMF.items() for c, n in cats.items())


RMF = {
    "GOVERN": {1: 7, 2: 3, 3: 2, 4: 3, 5: 2, 6: 2},
    "MAP": {1: 6, 2: 3, 3: 5, 4: 2, 5: 2},
    "MEASURE": {1: 3, 2: 13, 3: 3, 4: 3},
    "MANAGE": {1: 4, 2: 4, 3: 2, 4: 3},
}
"""Subcategories per category of the AI RMF 1.0 core, for checking the pattern admits exactly these."""


FRAMEWORKS_FILE = """\
frameworks:
  - id: acme_controls
    name: Acme controls
    edition: "2026"
    url: https://controls.acme.example/
    pattern: 'ACME-\\d{3}'
    example: ACME-001
"""


def test_an_organisation_frameworks_file_is_checked_at_its_lines(cli, write):
    write("org/demo.yaml", HEAD + "      acme_controls: {buyer: [ACME-001]}\n")
    write("org/controls.yaml", FRAMEWORKS_FILE)
    assert cli("validate", "--questionnaires", "org", "org/demo.yaml").returncode == 0, "an organisation framework is usable"
    write("org/controls.yaml", FRAMEWORKS_FILE.replace("'ACME-\\d{3}'", "'ACME-(\\d'"))
    result = cli("validate", "org/controls.yaml")
    assert result.returncode == 2
    assert any(re.match(r"org/controls\.yaml:6:14: pattern of 'acme_controls' is not a regular expression", line) for line in result.lines)
    write("org/controls.yaml", FRAMEWORKS_FILE.replace("id: acme_controls", "id: gdpr"))
    clash = cli("validate", "--questionnaires", "org", "org/demo.yaml")
    assert clash.returncode == 2
    assert any(line.startswith("org/controls.yaml:2:9: framework id 'gdpr' is already defined in") for line in clash.lines), clash.output
    write("org/controls.yaml", FRAMEWORKS_FILE.replace("example: ACME-001", "example: ACME-1"))
    example = cli("validate", "org/controls.yaml")
    assert "org/controls.yaml:7:14: example 'ACME-1' does not match the pattern of 'acme_controls'" in example.lines, example.output
