"""``provcheck frameworks FRAMEWORK DIR``: an auditor's evidence pack, control by control."""

from __future__ import annotations

import csv
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path

from support.markdown import check_markdown, parser

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-15"


def _sections(markdown: str) -> dict[str, list]:
    """Level-2 heading text -> the tokens up to the next level-2 heading."""
    sections: dict[str, list] = {}
    current: str | None = None
    tokens = parser().parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            current = tokens[index + 1].content
            sections[current] = []
        elif current is not None:
            sections[current].append(token)
    return sections


def _text(inline) -> str:  # type: ignore[no-untyped-def]
    """What an inline token shows, Markdown escapes resolved."""
    return "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline"))


def _tables(tokens: list) -> list[list[list[str]]]:
    """Each table in ``tokens`` as rows of cell texts (header row first)."""
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("td_open", "th_open") and row is not None:
            row.append(_text(tokens[index + 1]) if tokens[index + 1].type == "inline" else "")
        elif token.type == "tr_close" and row is not None:
            tables[-1].append(row)
            row = None
    return tables


def test_the_iso_42001_pack_lists_each_vendors_answers_and_findings_under_a_10_3(cli):
    result = cli("frameworks", "iso_42001", str(REPO / "examples"), "--as-of", AS_OF, "--offline")
    assert result.returncode == 0, result.output
    check_markdown(result.stdout)
    sections = _sections(result.stdout)
    supplier = next(tokens for heading, tokens in sections.items() if heading.startswith("A.10.3"))
    assert "A.10.3 Suppliers" in sections
    tables = _tables(supplier)
    assert len(tables) >= 5, "several questions are evidence for the supplier control"

    reports = cli("assess", str(REPO / "examples"), "-f", "json", "--as-of", AS_OF, "--offline")
    by_vendor = {r["vendor"]["name"]: r for r in reports.report()}
    assert len(by_vendor) == 5
    headings = [_text(t) for i, t in enumerate(supplier) if t.type == "inline" and supplier[i - 1].type == "heading_open"]
    questions = [h.split(" ")[0] for h in headings]
    assert "retention.trains_on_customer_data" in questions and "lineage.licence_compatibility" in questions
    seen_findings = 0
    for question_id, table in zip(questions, tables, strict=True):
        header, *rows = table
        assert header == ["Vendor", "Answer", "Status", "As of", "Evidence", "Note", "Findings"]
        assert [r[0] for r in rows] == sorted(by_vendor), f"{question_id}: one row per vendor"
        for vendor, answer, status, _as_of, _evidence, _note, findings in rows:
            report = by_vendor[vendor]
            recorded = next((a for a in report["answers"] if a["question_id"] == question_id), None)
            if recorded is None:
                assert status == "does not apply"
                continue
            assert (answer, status) == (recorded["answer"], recorded["status"])
            fired = [f["rule_id"] for f in report["findings"] if f["question_id"] == question_id]
            if fired:
                assert all(rule in findings for rule in fired), (vendor, question_id, findings)
                seen_findings += len(fired)
            else:
                assert findings == "none"
    assert seen_findings >= 3, "the examples raise findings on supplier questions (Kestrel, Switchboard)"


def test_the_pack_in_html_is_one_escaped_page_without_outside_links(cli, tmp_path):
    text = (REPO / "examples" / "kestrel-ai.yaml").read_text(encoding="utf-8")
    note = '    note: The policy allows use of content "to improve services"'
    assert note in text
    hostile = "    note: '<script>alert(1)</script><img src=\"https://tracker.example/x.png\">' # was:"
    (tmp_path / "kestrel-ai.yaml").write_text(text.replace(note, hostile, 1), encoding="utf-8")
    result = cli("frameworks", "iso_42001", "kestrel-ai.yaml", "-f", "html", "-o", "pack.html", "--as-of", AS_OF, "--offline")
    assert result.returncode == 0, result.output
    page = (tmp_path / "pack.html").read_text(encoding="utf-8")

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))

    collected = Collect()
    collected.feed(page)
    tags = [tag for tag, _ in collected.tags]
    assert "script" not in tags and "img" not in tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    hrefs = [attrs.get("href") or "" for tag, attrs in collected.tags if tag == "a"]
    assert all(h.startswith(("https://", "http://", "#")) for h in hrefs), hrefs
    assert 'name="generator" content="provcheck' in page
    assert "default-src &#39;none&#39;" in page or "default-src 'none'" in page
    again = cli("frameworks", "iso_42001", "kestrel-ai.yaml", "-f", "html", "-o", "pack.html", "--as-of", AS_OF, "--offline")
    assert again.returncode == 0, "provcheck replaces its own pack"


def test_the_pack_in_csv_never_starts_a_formula_and_has_a_row_per_control_question_and_vendor(cli, tmp_path):
    target = tmp_path / "tinyweights-host.yaml"
    shutil.copy(REPO / "examples" / "tinyweights-host.yaml", target)
    text = target.read_text(encoding="utf-8")
    marker = "\n  retention.dpa_available:\n"
    assert marker in text
    target.write_text(text.replace(marker, marker + "    note: '=HYPERLINK(\"https://evil.example\")'\n", 1), encoding="utf-8")
    result = cli("frameworks", "gdpr", "tinyweights-host.yaml", "-f", "csv", "--as-of", AS_OF, "--offline")
    assert result.returncode == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["framework"] for r in rows} == {"gdpr"}
    dpa = [r for r in rows if r["question_id"] == "retention.dpa_available"]
    assert dpa and all(r["note"].startswith("'=") for r in dpa)
    assert all(r["party"] in ("vendor", "buyer") for r in rows)
    assert {r["control"] for r in rows} >= {"Art. 28(3)(a)", "Art. 44"}
    advised = [r["recommendations"] for r in rows if r["findings"]]
    assert advised and all(text.split(":")[0] in ("vendor", "procurement", "legal", "security", "engineering") for text in advised)


def test_the_frameworks_list_and_bad_usage(cli):
    listed = cli("frameworks", "-f", "json").json()
    assert {f["id"] for f in listed} >= {
        "nist_ai_rmf",
        "nist_ai_600_1",
        "eu_ai_act",
        "iso_42001",
        "csa_aicm",
        "mitre_atlas",
        "owasp_llm",
        "gdpr",
    }
    assert all(f["controls_mapped"] > 0 and f["url"].startswith("https://") for f in listed)
    unknown = cli("frameworks", "iso_4201", str(REPO / "examples"))
    assert unknown.returncode == 2 and "unknown framework 'iso_4201'" in unknown.output
    no_paths = cli("frameworks", "iso_42001")
    assert no_paths.returncode == 2
    bad_format = cli("frameworks", "iso_42001", str(REPO / "examples"), "-f", "pdf")
    assert bad_format.returncode == 2
    assert cli("frameworks", "-f", "md").returncode == 2  # the list is text or json
    assert cli("frameworks", "-f", "terminal").output == cli("frameworks").output


def test_the_example_organisation_folder_adds_its_framework_and_pack(cli):
    organisation = str(REPO / "examples" / "organisation")
    listed = cli("frameworks", "-f", "json", "--questionnaires", organisation).json()
    own = next(f for f in listed if f["id"] == "org_controls")
    assert own["controls_mapped"] == 2 and own["source"].endswith("frameworks.yaml")
    assert "org_controls" not in {f["id"] for f in cli("frameworks", "-f", "json").json()}
    result = cli(
        "frameworks", "org_controls", str(REPO / "examples"), "-f", "csv", "--questionnaires", organisation, "--as-of", AS_OF, "--offline"
    )
    assert result.returncode == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["control"] for r in rows} == {"AIG-001", "AIG-004"}
    assert {r["question_id"] for r in rows} == {"org_governance.inventory_registered", "org_governance.board_review_days"}
    assert all(r["party"] == "buyer" for r in rows)
    assert len({r["vendor"] for r in rows}) == 5
