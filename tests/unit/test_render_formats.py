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

from provenance_cli.assessment.scoring import EvidenceRef
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
        get_renderer("pdf")


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
    import jsonschema

    from provenance_cli.render.report_schema import report_schema

    validator = jsonschema.Draft202012Validator(report_schema(), format_checker=jsonschema.FormatChecker())
    for result in [*example_results, hostile_result]:
        document = json.loads(get_renderer("json").render(result, CONTEXT))
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, errors[0]
        assert document["report_version"] == 1
        assert document["provenance"]["inputs"][0]["role"] == "dossier"
        assert document["provenance"]["inputs"][0]["sha256"] == result.sha256
        assert [q["id"] for q in document["provenance"]["questionnaires"]] == [q for q, _ in result.questionnaires]
        assert document["provenance"]["policy"]["sha256"] == result.policy_sha256


def test_published_schema_is_current():
    from provenance_cli.formats.schemas import render
    from provenance_cli.render.report_schema import REPORT_SCHEMA_FILE, report_schema

    published = REPO / "schemas" / REPORT_SCHEMA_FILE
    assert published.read_text(encoding="utf-8") == render(report_schema())


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


def test_screening_and_evidence_extras_are_rendered(example_results):
    class Match:
        screened_name = "Kestrel <b>AI</b>"
        role = "vendor"

        def describe(self):
            return "listed on Example List (2026-06-09)"

    class Version:
        def __init__(self):
            self.key, self.name, self.list_date, self.sha256 = "el", "Example List", "2026-06-09", "ab" * 32

    class Screening:
        matches = (Match(),)
        list_versions = (Version(),)

    class Finding:
        is_finding = True

        def describe(self):
            return "https://x.example/p changed since 2026-06-01"

    result = dataclasses.replace(example_results[0], extras={"screening": Screening(), "evidence": [Finding()]})
    document = report_document(result, CONTEXT)
    assert document["screening"]["matches"][0]["description"] == "listed on Example List (2026-06-09)"
    assert document["provenance"]["screening_lists"][0]["name"] == "Example List"
    assert document["evidence_checks"][0]["is_finding"] is True
    for fmt in ("md", "html"):
        text = get_renderer(fmt).render(result, CONTEXT)
        assert "listed on Example List" in text
        assert "changed since 2026" in text
    assert "Kestrel <b>" not in get_renderer("html").render(result, CONTEXT)


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
