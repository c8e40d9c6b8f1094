"""Reports a procurement reviewer can act on: every example, every format, screened.

For each example dossier, assessed with screening on (the CSL test fixture in
a private cache), and each format (Markdown, HTML, JSON, CSV, the terminal):

* the summary comes first and names the decision and its reasons in words;
* no rule id appears without its rule's message beside it (same table row,
  list item or line);
* no machine answer value appears where the questionnaire has a label
  (JSON and CSV keep the ids and values: they are the data).

The checks are functions, and each is shown to fail on a report that breaks
its rule, so none of them can pass vacuously.
"""

from __future__ import annotations

import csv
import html as html_module
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import REPO
from support.cli import cli_env, run_cli
from support.markdown import check_markdown
from support.reports import CONTEXT, TODAY, example_paths, full_report

from provenance_cli.assessment.pipeline import AssessOptions, assess_files
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.render.document import report_document
from provenance_cli.render.interface import get_renderer
from provenance_cli.render.templating import decision_label, md_text

EXAMPLES = example_paths()
CSL = REPO / "tests" / "fixtures" / "csl" / "consolidated.json"


def assess_screened(paths: list[Path]) -> list:
    outcomes = assess_files(paths, AssessOptions(today=TODAY, screen=True, evidence=False, offline=True), jobs=1)
    assert not [p for o in outcomes for p in o.problems]
    return [o.result for o in outcomes]


@pytest.fixture(scope="module")
def screened_cache(tmp_path_factory: pytest.TempPathFactory):
    """A private screening cache holding the CSL fixture (and the bundled 1260H starter set), for the whole module."""
    folder = tmp_path_factory.mktemp("cache")
    env = cli_env(PROVCHECK_CACHE_DIR=str(folder / "cache"))
    (folder / "config.yaml").write_text("screening: {}\n", encoding="utf-8")
    env["PROVCHECK_CONFIG"] = str(folder / "config.yaml")
    done = run_cli(["lists", "update", "csl", "--url", str(CSL)], folder, env=env)
    assert done.returncode == 0, done.output
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROVCHECK_CACHE_DIR", str(folder / "cache"))
        patch.setenv("PROVCHECK_CONFIG", str(folder / "config.yaml"))
        yield folder


@pytest.fixture(scope="module")
def examples(screened_cache):
    results = assess_screened(EXAMPLES)
    assert all(r.screening is not None and any(c.screened for c in r.screening.coverage) for r in results)
    return results


def terminal_view(result, width: int = 1000, *, all_findings: bool = True) -> str:
    """The single-vendor terminal view as plain text; wide enough that every item is one line (one unit to check)."""
    from rich.console import Console

    from provenance_cli.cli.views import show_vendor

    buffer = io.StringIO()
    show_vendor(result, load_catalogue(), Console(file=buffer, width=width, no_color=True, highlight=False), all_findings=all_findings)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the checks


class Units(HTMLParser):
    """An HTML page as its reading units: each table row, list item, paragraph, definition or heading as text."""

    UNIT = {"tr", "li", "p", "dd", "dt", "h1", "h2", "h3", "h4", "caption", "summary"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[list[str]] = []
        self.units: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in ("style", "title"):
            self.skip += 1
        if tag in self.UNIT:
            self.stack.append([])

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("style", "title"):
            self.skip -= 1
        if tag in self.UNIT and self.stack:
            text = " ".join("".join(self.stack.pop()).split())
            self.units.append(text)
            if self.stack:
                self.stack[-1].append(" " + text + " ")

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self.stack and not self.skip:
            self.stack[-1].append(data)


def html_units(page: str) -> list[str]:
    parser = Units()
    parser.feed(page)
    return parser.units


def rule_messages(document: dict) -> dict[str, str]:
    return {t["rule_id"]: " ".join(t["message"].split()) for t in document["trace"]}


def check_rule_ids_have_messages(units: list[str], messages: dict[str, str], escape=lambda text: text) -> int:
    """Every unit that names a rule id also carries that rule's message; returns how many ids were seen."""
    ids = set(messages) | {c.rule.id for c in load_catalogue().rules}
    pattern = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, ids), key=len, reverse=True)) + r")(?![\w-])")
    seen = 0
    for unit in units:
        for rule in pattern.findall(unit):
            seen += 1
            assert rule in messages, f"{rule} is named but did not fire: {unit[:200]}"
            assert escape(messages[rule]) in unit, f"{rule} appears without its message: {unit[:300]}"
    return seen


def machine_values(document: dict) -> set[str]:
    """Answer values the questionnaire gives a different label: what a reader must never see."""
    catalogue = load_catalogue()
    values = set()
    for answer in document["answers"]:
        question = catalogue.questions.get(answer["question_id"])
        if question is None or not question.choices or answer["status"] != "answered":
            continue
        labels = {c.value: c.label for c in question.choices}
        for value in str(answer["answer"]).split(", "):
            if "_" in value and labels.get(value, value) != value:
                values.add(value)
    return values


def check_no_machine_values(text: str, values: set[str], escape=lambda text: text) -> None:
    found = [v for v in values if re.search(r"(?<![\w.])" + re.escape(escape(v)) + r"(?![\w])", text)]
    assert not found, f"machine answer values shown instead of their labels: {sorted(found)}"


def reasons_in_words(document: dict) -> list[str]:
    """What page one must say for the decision: the reasons that reject, the conditions, or the open questions."""
    decision = document["decision"]
    if decision["outcome"] == "reject":
        return [r["text"] for r in decision["reasons"]]
    if decision["outcome"] == "approve_with_conditions":
        return [c["text"] for c in decision["conditions"]]
    if decision["outcome"] == "incomplete":
        return [" ".join(q["text"].split()) for q in decision["open_questions"]]
    return ["Conditions for approval:"]


# --------------------------------------------------------------------------- every example, every format


def test_the_examples_cover_every_decision(examples):
    # Since issue 17 Switchboard's upstreams are linked and answered, so no example is "incomplete" once screened;
    # the incomplete outcome is covered by the unscreened runs (tests/fixtures/reports/*northwind-frontier.json).
    assert {r.decision.outcome for r in examples} == {"approve", "approve_with_conditions", "reject"}


def test_markdown_summary_first_ids_with_messages_labels_not_values(examples):
    renderer = get_renderer("md")
    for result in examples:
        document = report_document(result, CONTEXT)
        text = renderer.render(result, CONTEXT)
        check_markdown(text)
        headings = [line for line in text.splitlines() if line.startswith("## ")]
        assert headings[0] == f"## Decision: {decision_label(result.decision.outcome)} · tier {result.tier.upper()}", headings[:2]
        summary = text.split("\n## Findings by category", 1)[0]
        for reason in reasons_in_words(document):
            assert md_text(reason) in summary, (result.vendor, reason)
        assert check_rule_ids_have_messages(text.splitlines(), rule_messages(document), md_text) > 0
        check_no_machine_values(text, machine_values(document), md_text)


def test_html_summary_first_ids_with_messages_labels_not_values(examples):
    renderer = get_renderer("html")
    for result in examples:
        document = report_document(result, CONTEXT)
        page = renderer.render(result, CONTEXT)
        body = page.split("<main", 1)[1]
        first = body.split("<h1>", 1)[1].split("</h1>", 1)[1].lstrip()
        assert first.startswith('<section class="summary-page"'), first[:80]
        summary = html_module.unescape(first.split("</section>", 1)[0])
        assert f"Decision: {decision_label(result.decision.outcome)}" in summary
        for reason in reasons_in_words(document):
            assert reason in " ".join(summary.split()), (result.vendor, reason)
        units = html_units(page)
        assert check_rule_ids_have_messages(units, rule_messages(document)) > 0
        check_no_machine_values(" ".join(units), machine_values(document))


def test_terminal_summary_first_ids_with_messages_labels_not_values(examples):
    for result in examples:
        document = report_document(result, CONTEXT)
        text = terminal_view(result)
        lines = text.splitlines()
        first = next(i for i, line in enumerate(lines) if line.strip())
        decision = next(i for i, line in enumerate(lines) if line.startswith("Decision: "))
        assert decision <= first + 2 and decision_label(result.decision.outcome) in lines[decision]
        table = next(i for i, line in enumerate(lines) if line.startswith("category "))
        flowing = " ".join(" ".join(lines[:table]).split())
        for reason in reasons_in_words(document):
            assert reason in flowing, (result.vendor, reason)
        check_rule_ids_have_messages(lines, rule_messages(document))
        check_no_machine_values(text, machine_values(document))


def test_csv_leads_with_the_decision_and_gives_knockouts_in_words(examples):
    text = get_renderer("csv").render_many(examples, CONTEXT)
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    assert header[:5] == ["vendor", "legal_name", "decision", "decision_summary", "decision_reasons"]
    for result in examples:
        row = next(r for r in rows if r["vendor"] == result.vendor)
        document = report_document(result, CONTEXT)
        if result.decision.outcome == "reject":
            assert all(reason in row["decision_reasons"] for reason in reasons_in_words(document))
        messages = rule_messages(document)
        assert check_rule_ids_have_messages([",".join(row.values())], messages) == len(result.knockouts)


def test_json_carries_labels_actions_and_the_reasons_in_words(examples):
    import json

    for result in examples:
        document = full_report(json.loads(get_renderer("json").render(result, CONTEXT)))
        assert document["report_version"] == 4
        for reason in document["decision"]["reasons"]:
            assert reason["text"] and reason["answer_label"]
        for finding in document["findings"]:
            assert finding["actions"], finding["rule_id"]
            assert all(a["owner"] and a["type"] for a in finding["actions"]), finding["rule_id"]
        labelled = {a["question_id"]: a["label"] for a in document["answers"]}
        assert all(labelled.values())


# --------------------------------------------------------------------------- the checks can fail


def test_each_check_fails_on_a_report_that_breaks_its_rule(examples):
    kestrel = next(r for r in examples if r.vendor == "Kestrel AI")
    document = report_document(kestrel, CONTEXT)
    messages = rule_messages(document)
    rule = next(iter(messages))
    with pytest.raises(AssertionError, match="without its message"):
        check_rule_ids_have_messages([f"| {rule} | 12.0 |"], messages)
    values = machine_values(document)
    assert "heightened_controls" in values
    with pytest.raises(AssertionError, match="machine answer values"):
        check_no_machine_values("Answer: heightened_controls", values)
    page = get_renderer("html").render(kestrel, CONTEXT)
    broken = page.replace("Heightened controls (for example a US Country Group D:5", "heightened_controls (for example", 1)
    with pytest.raises(AssertionError):
        check_no_machine_values(" ".join(html_units(broken)), values)


# --------------------------------------------------------------------------- one row per question, citations, owners, clauses


def test_one_row_per_question_with_deduplicated_actions(examples):
    from provenance_cli.render.summary import question_rows

    kestrel = next(r for r in examples if r.vendor == "Kestrel AI")
    document = report_document(kestrel, CONTEXT)
    groups = question_rows(document)
    assert [g["id"] for g in groups] == [c.id for c in kestrel.categories]
    rows = [row for g in groups for row in g["rows"]]
    questions = [row["question_id"] for row in rows if row["question_id"]]
    assert len(questions) == len(set(questions)), "one row per question"
    for row in rows:
        texts = [a["text"] for a in row["actions"]]
        assert len(texts) == len(set(texts)), row["question"]
        assert all(a["owner_label"] != "Owner not stated" for a in row["actions"])
    # The 1260H question: the listing's message leads, not the weaker "no clean screen" rule on the same answer.
    listed = next(row for row in rows if row["question_id"] == "export_control.dod_1260h")
    assert listed["message"].startswith("The vendor or an entity in its ownership chain is named on the DoD 1260H list")
    assert not any("No clean 1260H screen" in m for m in [listed["message"], *listed["also"]])
    assert sum(len(g["rows"]) for g in groups) < len(kestrel.trace)


def test_allegations_knockouts_and_hits_cite_their_evidence_inline(examples, screened_cache, tmp_path):
    kestrel = next(r for r in examples if r.vendor == "Kestrel AI")
    page = get_renderer("html").render(kestrel, CONTEXT)
    findings = page.split("Findings by category", 1)[1].split("Actions by owner", 1)[0]
    allegation = findings.split("publicly alleged to have been trained", 1)[1].split("</tr>", 1)[0]
    assert 'href="https://harborlight-labs.example/policy/letter-2026-07-02"' in allegation
    assert (
        'retrieved <span class="nowrap">2026-08-14</span>' in allegation
        and 'answer as of <span class="nowrap">2026-07-02</span>' in allegation
    )
    knockout = findings.split("named on the DoD 1260H list", 1)[1].split("</tr>", 1)[0]
    assert 'href="https://screening.buyer.example/reports/kestrel-2026-08-18"' in knockout and "answer as of" in knockout
    markdown = get_renderer("md").render(kestrel, CONTEXT)
    row = next(line for line in markdown.splitlines() if "publicly alleged to have been trained" in line and line.startswith("| "))
    assert "[Harborlight Labs letter" in row and "(https://harborlight-labs.example/policy/letter-2026-07-02)" in row
    assert "retrieved 2026-08-14" in row and "answer as of 2026-07-02" in row

    # A screening hit cites the list, its date, the copy's source and when it was fetched.
    listed = tmp_path / "listed.yaml"
    text = next(p for p in EXAMPLES if "northwind" in p.name).read_text(encoding="utf-8")
    listed.write_text(text.replace("name: Northwind Frontier", 'name: "Kavir Electronics Trading Company"', 1), encoding="utf-8")
    (result,) = assess_screened([listed])
    assert result.screening.matches, "the CSL fixture lists Kavir Electronics Trading Company (Denied Persons List)"
    page = get_renderer("html").render(result, CONTEXT)
    reasons = page.split('<ol class="reasons">', 1)[1].split("</ol>", 1)[0]
    assert "Listed:</span> vendor Kavir Electronics Trading Company as Kavir Electronics Trading Company on the Denied Persons" in reasons
    assert '(list date <span class="nowrap">2026-05-28</span>)' in reasons and "fetched" in reasons


def test_actions_by_owner_and_the_clause_checklist(examples):
    from provenance_cli.render.summary import actions_by_owner, clause_checklist

    kestrel = next(r for r in examples if r.vendor == "Kestrel AI")
    document = report_document(kestrel, CONTEXT)
    owners = actions_by_owner(document)
    assert [o["owner"] for o in owners] == [
        o for o in ("vendor", "procurement", "legal", "security", "engineering") if o in {g["owner"] for g in owners}
    ]
    everywhere = [a["text"] for o in owners for a in o["actions"]]
    assert len(everywhere) == len(set(everywhere)), "each action once"
    assert sum("alternative" in text and "tested" in text for text in everywhere) <= 1, everywhere
    clauses = clause_checklist(document)
    titles = {c["title"] for c in clauses}
    assert {"Notice of government action", "Deletion on request and at exit", "Transition assistance"} <= titles, titles
    assert all(c["rationale"] and c["asks"] and c["because"] for c in clauses)
    markdown = get_renderer("md").render(kestrel, CONTEXT)
    section = markdown.split("## Contract clause checklist", 1)[1].split("\n## ", 1)[0]
    for clause in clauses:
        assert md_text(clause["title"]) in section and md_text(clause["rationale"]) in section


def test_confidence_is_one_figure_said_the_same_everywhere(examples):
    from rich.console import Console

    from provenance_cli.cli.views import show_summary

    buffer = io.StringIO()
    show_summary(examples, Console(file=buffer, width=200, no_color=True, highlight=False))
    summary = buffer.getvalue()
    assert "min conf" not in summary and "weighted mean of the category confidences" in summary
    for result in examples:
        figure = f"{result.confidence:.0f}%"
        assert next(line for line in summary.splitlines() if result.vendor in line).count(figure) == 1
        assert f"Confidence {figure}, the weighted mean" in " ".join(terminal_view(result).split())
        assert f"<strong>{figure}</strong>, the weighted mean of the category confidences" in get_renderer("html").render(result, CONTEXT)
        assert f"**Confidence:** {figure}, the weighted mean" in get_renderer("md").render(result, CONTEXT)


def test_archived_version_2_reports_still_compare_and_diff_in_words(examples):
    """A report written before labels existed (version 2) is read; its labels come from the questionnaires."""
    from provenance_cli.render.compare import compare_documents
    from provenance_cli.render.diff import diff_documents

    kestrel = next(r for r in examples if r.vendor == "Kestrel AI")
    current = report_document(kestrel, CONTEXT)
    old = {**current, "report_version": 2}
    old["answers"] = [{k: v for k, v in a.items() if k not in ("label", "allegation")} for a in current["answers"]]
    old["findings"] = [{k: v for k, v in f.items() if k not in ("actions", "answer_label")} for f in current["findings"]]
    old["decision"] = {
        **current["decision"],
        "reasons": [{k: v for k, v in r.items() if k != "answer_label"} for r in current["decision"]["reasons"]],
        "conditions": [{k: v for k, v in r.items() if k != "answer_label"} for r in current["decision"]["conditions"]],
    }
    comparison = compare_documents([old, current])
    row = next(q for q in comparison["questions"] if q["question_id"] == "export_control.headquarters_jurisdiction")
    assert row["cells"][0]["label"] == row["cells"][1]["label"] and row["cells"][0]["label"].startswith("Heightened controls")
    assert diff_documents(old, current)["answers_changed"] == []
    page = get_renderer("md").render(kestrel, CONTEXT)  # the current report renders; the old one feeds the same views
    from provenance_cli.render.markdown import render_document

    assert render_document(old, CONTEXT).split("## Actions by owner")[0] == page.split("## Actions by owner")[0]
