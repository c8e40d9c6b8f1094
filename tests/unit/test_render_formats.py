"""Every report format for every example dossier, and the guarantees each one makes."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re

import pytest
from support import REPO
from support.markdown import check_markdown, to_html
from support.reports import CONTEXT, XSS, assess, example_paths, hostile_dossier

from provenance_cli.assessment.results import EvidenceRef
from provenance_cli.render.document import report_document
from provenance_cli.render.interface import formats, get_renderer
from provenance_cli.render.templating import md_text, md_url, safe_url

EXAMPLES = example_paths()


@pytest.fixture(scope="module")
def example_results():
    return assess(EXAMPLES)


@pytest.fixture(scope="module")
def hostile_result(tmp_path_factory):
    return assess([hostile_dossier(tmp_path_factory.mktemp("hostile"))])[0]


def test_examples_exist():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_every_format_renders_every_example(example_results, fmt):
    renderer = get_renderer(fmt)
    assert renderer.name == fmt and renderer.suffix.startswith(".")
    for result in example_results:
        text = renderer.render(result, CONTEXT)
        assert text.strip()
        if fmt != "csv":
            assert result.vendor.split()[0] in text
    assert fmt in formats()


def test_unknown_format_is_a_key_error():
    with pytest.raises(KeyError):
        get_renderer("docx")


def test_markdown_alias():
    assert get_renderer("markdown").name == "md"


# --------------------------------------------------------------------------- escaping helpers


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.com/a", True),
        ("http://example.com", True),
        ("HTTPS://EXAMPLE.COM/x", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("file:///etc/passwd", False),
        ("//evil.example/x", False),
        ("https:/no-host", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_url(url, ok):
    assert (safe_url(url) is not None) is ok


def test_md_text_neutralises_markup():
    text = md_text("a|b\nc <script>x</script> [l](javascript:x) *e* `c` # h")
    assert "\n" not in text
    assert "|" not in text.replace("\\|", "")
    assert "<" not in text.replace("\\<", "")
    assert "[" not in text.replace("\\[", "")


def test_md_url_cannot_break_out():
    url = md_url("https://evil.example/a)b|c<d>e f")
    assert url is None  # whitespace makes it no URL at all
    url = md_url("https://evil.example/a)b|c<d>e")
    assert url is not None and not set(url) & set(")|<> ")


# --------------------------------------------------------------------------- Markdown structure


def test_markdown_tables_hold_for_examples(example_results):
    for result in example_results:
        assert check_markdown(get_renderer("md").render(result, CONTEXT)) >= 5


def test_markdown_hostile_text_cannot_break_tables_or_inject(hostile_result):
    markdown = get_renderer("md").render(hostile_result, CONTEXT)
    assert check_markdown(markdown) >= 5
    assert "<script>" not in markdown
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)
    # the payload is still shown, as text
    assert "window.\\_\\_xss" in markdown or "window.__xss" in markdown.replace("\\", "")


def test_markdown_hostile_renders_payload_as_text(hostile_result):
    html = to_html(get_renderer("md").render(hostile_result, CONTEXT))
    assert "<script>" not in html and "<img" not in html and "<svg" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def _with_evidence_url(result, url: str):
    answers = list(result.answers)
    answers[0] = dataclasses.replace(answers[0], evidence=(EvidenceRef(url, "Bad link", None, "third_party"),))
    return dataclasses.replace(result, answers=tuple(answers))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>", "vbscript:x"])
def test_non_http_evidence_is_never_a_link(example_results, url):
    result = _with_evidence_url(example_results[0], url)
    markdown = get_renderer("md").render(result, CONTEXT)
    check_markdown(markdown)
    assert f"]({url}" not in markdown
    assert "not a web link" in markdown
    html = get_renderer("html").render(result, CONTEXT)
    assert f'href="{url}' not in html and "href='" not in html
    assert "not a web link" in html


# --------------------------------------------------------------------------- HTML


def test_html_is_self_contained(example_results):
    for result in example_results:
        html = get_renderer("html").render(result, CONTEXT)
        assert "Content-Security-Policy" in html and "default-src 'none'" in html
        assert "<script" not in html
        assert not re.search(r"""\b(src|srcset)\s*=""", html)
        assert "@import" not in html and "url(" not in html
        for href in re.findall(r'href="([^"]*)"', html):
            assert href.startswith(("http://", "https://", "#")), href
        assert '<th scope="col"' in html and '<th scope="row"' in html
        assert f">{result.tier.upper()}<" in html  # tier as a word, not only a colour
        assert "@media print" in html


def test_html_escapes_hostile_text(hostile_result):
    html = get_renderer("html").render(hostile_result, CONTEXT)
    assert "<script" not in html and "<img" not in html and "<svg onload" not in html
    assert "&lt;script&gt;" in html
    assert "javascript:" not in "".join(re.findall(r'href="([^"]*)"', html))


# --------------------------------------------------------------------------- JSON


def test_json_report_validates_against_its_schema(example_results, hostile_result):
    from provenance_cli.util.thirdparty import jsonschema_for_own_schemas

    jsonschema = jsonschema_for_own_schemas()

    from provenance_cli.formats.report_schema import REPORT_VERSION, report_schema
    from provenance_cli.formats.schemas import DRAFT, SCHEMA_BASE

    validator = jsonschema.Draft202012Validator(report_schema(SCHEMA_BASE, DRAFT), format_checker=jsonschema.FormatChecker())
    for result in [*example_results, hostile_result]:
        document = json.loads(get_renderer("json").render(result, CONTEXT))
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, errors[0]
        assert document["report_version"] == REPORT_VERSION == 4
        assert document["provenance"]["inputs"][0]["role"] == "dossier"
        assert document["provenance"]["inputs"][0]["sha256"] == result.sha256
        assert [q["id"] for q in document["provenance"]["questionnaires"]] == [q for q, _ in result.questionnaires]
        assert document["provenance"]["policy"]["sha256"] == result.policy_sha256


def test_published_schema_is_current():
    from provenance_cli.formats.report_schema import REPORT_SCHEMA_FILE, report_schema
    from provenance_cli.formats.schemas import DRAFT, SCHEMA_BASE, render

    published = REPO / "schemas" / REPORT_SCHEMA_FILE
    assert published.read_text(encoding="utf-8") == render(report_schema(SCHEMA_BASE, DRAFT))


def test_json_is_deterministic(example_results):
    renderer = get_renderer("json")
    for result in example_results:
        assert renderer.render(result, CONTEXT) == renderer.render(result, CONTEXT)
    fresh = assess(EXAMPLES)
    for a, b in zip(example_results, fresh, strict=True):
        assert renderer.render(a, CONTEXT) == renderer.render(b, CONTEXT)


def test_json_trace_adds_up(example_results):
    for result in example_results:
        document = report_document(result, CONTEXT)
        for category in document["categories"]:
            total = sum(t["contribution"] for t in document["trace"] if t["category"] == category["id"])
            assert abs(total - category["raw"]) < 1e-3


def _screening_extras(text: dict[str, str]):
    """Real screening and evidence results (as ``assess --screen --evidence`` makes them)."""
    from datetime import datetime, timezone

    from provenance_cli.assessment.results import EvidenceReview
    from provenance_cli.evidence import EvidenceFinding
    from provenance_cli.screening.model import ListVersion, Match, ScreeningResult

    match = Match(
        list_key=text["list_key"],
        list_name=text["list_name"],
        entry_id=text["entry_id"],
        entry_name=text["entry_name"],
        matched_name=text["matched_name"],
        screened_name=text["screened_name"],
        role=text["role"],
        score=97,
        reason=text["reason"],
        list_date=text["list_date"],
        parent_index=0,
        parent_name=text["parent_name"],
    )
    version = ListVersion(
        key=text["list_key"],
        name=text["list_name"],
        list_date=text["list_date"],
        fetched_at=text["fetched_at"],
        sha256=text["sha256"],
        record_count=3,
        source_url=text["source_url"],
    )
    finding = EvidenceFinding(
        question_id=text["question_id"],
        url=text["url"],
        status="changed",
        detail=text["detail"],
        snapshot_at=datetime(2026, 6, 1, tzinfo=timezone.utc),
        checked_at=datetime(2026, 6, 9, tzinfo=timezone.utc),
    )
    review = EvidenceReview((finding,), "kestrel-ai.evidence.lock.yaml", "cd" * 32)
    return {"screening": ScreeningResult(matches=(match,), list_versions=(version,)), "evidence": review}


PLAIN_EXTRAS = {
    "list_key": "el",
    "list_name": "Example List",
    "entry_id": "el-1",
    "entry_name": "Kestrel AI Ltd",
    "matched_name": "Kestrel AI Ltd",
    "screened_name": "Kestrel <b>AI</b>",
    "role": "vendor",
    "reason": "exact",
    "list_date": "2026-06-09",
    "parent_name": "Kestrel Holdings",
    "fetched_at": "2026-06-10T08:00:00+00:00",
    "sha256": "ab" * 32,
    "source_url": "https://lists.example/el.json",
    "question_id": "retention.policy",
    "url": "https://x.example/p",
    "detail": "changed since 2026-06-01",
}


def test_screening_and_evidence_extras_are_rendered(example_results):
    result = dataclasses.replace(example_results[0], **_screening_extras(PLAIN_EXTRAS))
    document = report_document(result, CONTEXT)
    # The report cites the lock the result was scored with, by the digest read then: no file I/O at render time.
    assert {"role": "evidence_lock", "path": "kestrel-ai.evidence.lock.yaml", "sha256": "cd" * 32} in document["provenance"]["inputs"]
    assert document["screening"]["matches"][0]["description"] == "listed on Example List (2026-06-09)"
    assert document["screening"]["matches"][0]["screened_name"] == "Kestrel <b>AI</b>"
    assert document["provenance"]["screening_lists"][0]["name"] == "Example List"
    assert document["evidence_checks"][0]["is_finding"] is True
    for fmt in ("md", "html"):
        text = get_renderer(fmt).render(result, CONTEXT)
        assert "listed on Example List" in text
        assert "changed since 2026" in text
    html = get_renderer("html").render(result, CONTEXT)
    assert "Kestrel <b>" not in html
    assert "Kestrel &lt;b&gt;AI&lt;/b&gt;" in _section(html, SCREENING_HTML, "<h3")


SCREENING_HTML = '<h3 id="screening">B. Sanctions and export-list screening</h3>'


def _section(text: str, start: str, end: str) -> str:
    """The part of ``text`` from the heading ``start`` up to the next ``end``."""
    assert start in text, start
    after = text.split(start, 1)[1]
    return after.split(end, 1)[0]


# Every field of the screening and evidence results carries the payload behind a
# label, so each escaped field can be found in the output.
PAYLOAD = "<script>window.__xss=1</script><img src=x onerror=alert(1)> a|b [x](javascript:alert(1)) <b>bold</b>"
HOSTILE_EXTRAS = {field: f"{field.upper()} {PAYLOAD}" for field in PLAIN_EXTRAS}


def test_screening_section_escapes_hostile_text_in_every_field(example_results):
    result = dataclasses.replace(example_results[0], **_screening_extras(HOSTILE_EXTRAS))

    html = get_renderer("html").render(result, CONTEXT)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    screening = _section(html, SCREENING_HTML, "<h3")
    assert '<th scope="row">SCREENED_NAME &lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;' in screening
    assert '<td data-label="Role">ROLE &lt;script&gt;' in screening
    assert '<td data-label="Result">listed on LIST_NAME &lt;script&gt;' in screening
    assert "(LIST_DATE &lt;script&gt;" in screening
    evidence = _section(html, "<h2>Evidence checks</h2>", "<h2>")
    assert "<li>QUESTION_ID &lt;script&gt;" in evidence and "DETAIL &lt;script&gt;" in evidence
    assert "Screening list: LIST_NAME &lt;script&gt;" in html
    assert 'href="javascript:' not in html

    markdown = get_renderer("md").render(result, CONTEXT)
    assert check_markdown(markdown) >= 1  # every table row keeps its three cells; no raw HTML
    assert "<script>" not in markdown and "<b>" not in markdown
    screening = _section(markdown, "### B. Sanctions and export-list screening", "\n### ")
    (row,) = [line for line in screening.splitlines() if line.startswith("| SCREENED")]
    assert row.startswith("| SCREENED\\_NAME \\<script\\>window.\\_\\_xss=1\\</script\\>\\<img src=x onerror=alert(1)\\> a\\|b ")
    assert "| ROLE \\<script\\>" in row and "| listed on LIST\\_NAME \\<script\\>" in row
    assert "QUESTION\\_ID \\<script\\>" in _section(markdown, "## Evidence checks", "\n## ")
    shown = to_html(markdown)
    assert "<script" not in shown and "<img" not in shown and 'href="javascript:' not in shown
    assert "SCREENED_NAME &lt;script&gt;window.__xss=1" in shown


# --------------------------------------------------------------------------- CSV


def test_csv_one_row_per_vendor_sorted_by_risk(example_results):
    text = get_renderer("csv").render_many(example_results, CONTEXT)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(example_results)
    assert rows[0]["tier"] in ("critical", "high")
    assert {r["vendor"] for r in rows} == {r.vendor for r in example_results}


def test_csv_guards_formula_injection(example_results):
    evil = dataclasses.replace(example_results[0], vendor='=HYPERLINK("http://x")', legal_name="+cmd|' /C calc'!A0")
    rows = list(csv.reader(io.StringIO(get_renderer("csv").render(evil, CONTEXT))))
    assert rows[1][0].startswith("'=") and rows[1][1].startswith("'+")
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in rows[1])


def test_hostile_vendor_name_in_xss_payload_kept(hostile_result):
    assert XSS.split("\n")[0][:20] in hostile_result.vendor
    # Assessing keeps the name exactly; JSON and CSV carry it as data, the
    # Markdown and HTML titles show it as escaped text.
    assert hostile_result.vendor == f"Evil {XSS}"
    assert hostile_result.legal_name == f"Evil Legal {XSS}"
    assert json.loads(get_renderer("json").render(hostile_result, CONTEXT))["vendor"]["name"] == f"Evil {XSS}"
    rows = list(csv.reader(io.StringIO(get_renderer("csv").render(hostile_result, CONTEXT))))
    assert rows[1][:2] == [f"Evil {XSS}", f"Evil Legal {XSS}"]
    markdown = get_renderer("md").render(hostile_result, CONTEXT)
    assert markdown.startswith("# Provenance report: Evil \\<script\\>window.\\_\\_xss=1;document.title='pwned'\\</script\\>")
    html = get_renderer("html").render(hostile_result, CONTEXT)
    assert "<title>Provenance report: Evil &lt;script&gt;window.__xss=1;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
