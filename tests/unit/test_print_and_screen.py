"""Print and screen: Kestrel's report on A4 from WeasyPrint and from Chromium, and every page at 390 and 1280 pixels.

Paper: at most 8 pages before the appendix and 20 in all, the vendor's name
and "Page N of M" on every page, no word broken mid-word (pdftotext's text,
read against the report's own vocabulary), no table row split across pages.
Screen: in real Chromium, no element is wider than the viewport (checked in
the DOM), the screenshot is not blank, the trace is collapsed until opened,
and the portfolio index sorts by every column with no script.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from support.browser import NEEDS_CHROMIUM, launch, png_colours
from support.reports import CONTEXT, assess, example_paths

from provenance_cli.render.compare import compare_documents, render_html
from provenance_cli.render.document import report_document
from provenance_cli.render.html import render_index
from provenance_cli.render.interface import get_renderer
from provenance_cli.render.summary import question_rows

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
    pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdfinfo"), reason="needs poppler (pdftotext, pdfinfo)"),
]

BEFORE_APPENDIX = 8
IN_ALL = 20
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5))
      wide.push(`${element.tagName}.${element.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return {width, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 5), count: wide.length};
}"""


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every example's HTML report, the portfolio index and a comparison, written to one folder."""
    folder = tmp_path_factory.mktemp("reports")
    results = assess(example_paths())
    rows, pages = [], {}
    for result in results:
        name = result.vendor.split()[0].lower()
        path = folder / f"{name}.html"
        path.write_text(get_renderer("html").render(result, CONTEXT), encoding="utf-8")
        rows.append((report_document(result, CONTEXT), path.name))
        pages[name] = path
    pages["index"] = folder / "index.html"
    pages["index"].write_text(render_index(rows, CONTEXT), encoding="utf-8")
    pages["compare"] = folder / "compare.html"
    pages["compare"].write_text(render_html(compare_documents([d for d, _ in rows]), CONTEXT), encoding="utf-8")
    return pages


@pytest.fixture(scope="module")
def kestrel():
    (result,) = [r for r in assess(example_paths()) if r.vendor == "Kestrel AI"]
    return result


# --------------------------------------------------------------------------- reading a PDF


def pdf_pages(path: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info), info
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return [
        unicodedata.normalize(
            "NFKC",
            subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True, check=True).stdout,
        )
        for n in range(1, count + 1)
    ]


def vocabulary(html: str) -> set[str]:
    """Every word the report prints, lower-cased: what a broken word is read against."""
    import html as html_module

    text = html_module.unescape(re.sub(r"<[^>]+>", " ", html.split("</style>", 1)[1]))
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def broken_words(text: str, words: set[str]) -> list[str]:
    """Line ends that cut a word in two without a hyphen: the two pieces are not words, but together they are one.

    A URL may break anywhere (it is not a word): a line ending inside one is passed over.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    broken = []
    for first, second in zip(lines, lines[1:], strict=False):
        left, right = re.search(r"([A-Za-z]+)$", first), re.match(r"([a-z]+)", second)
        if not left or not right or "/" in first.split()[-1]:
            continue
        head, tail = left.group(1).lower(), right.group(1)
        if head + tail in words and head not in words and tail not in words:
            broken.append(f"{left.group(1)}|{tail}")
    return broken


def test_the_broken_word_reader_finds_a_broken_word():
    words = {"headquarters", "the", "vendor"}
    assert broken_words("the vendor headquarte\nrs in CN", words) == ["headquarte|rs"]
    assert broken_words("the vendor\nheadquarters", words) == []
    assert broken_words("see https://vendor.example/headquarte\nrs today", words) == []  # a URL may break anywhere


def check_paper(pdf: Path, html: str, vendor: str, rows: list[dict]) -> None:
    pages = pdf_pages(pdf)
    starts = [n for n, text in enumerate(pages, 1) if re.search(r"^Appendix$", text, re.MULTILINE) and "The audit record" in text]
    assert starts, "the appendix starts on a page of its own"
    assert starts[0] - 1 <= BEFORE_APPENDIX, f"{starts[0] - 1} pages before the appendix"
    assert len(pages) <= IN_ALL, f"{len(pages)} pages in all"
    for number, text in enumerate(pages, 1):
        assert vendor in text.splitlines()[0:4] or vendor in text[:200], f"running header missing on page {number}"
        assert f"Page {number} of {len(pages)}" in text, f"page number missing on page {number}"
    words = vocabulary(html)
    for number, text in enumerate(pages, 1):
        assert broken_words(text, words) == [], f"page {number}: {broken_words(text, words)}"
    # A findings row is never split: its question and its last action are on one page.
    flowing = [" ".join(text.split()) for text in pages]
    for row in rows:
        first = " ".join(row["question"].split()[:6])
        last = " ".join(row["actions"][-1]["text"].split()[-5:])
        assert any(first in page and last in page for page in flowing), (row["question"], row["actions"][-1]["text"])
    assert "EXT-23 v" in " ".join(flowing), "the collapsed trace is printed"


def test_kestrel_prints_within_budget_with_weasyprint(reports, kestrel, tmp_path: Path):
    pytest.importorskip("weasyprint")
    from provenance_cli.render.pdf import html_to_pdf

    html = reports["kestrel"].read_text(encoding="utf-8")
    pdf = tmp_path / "kestrel.pdf"
    pdf.write_bytes(html_to_pdf(html))
    rows = [row for group in question_rows(report_document(kestrel, CONTEXT)) for row in group["rows"]]
    check_paper(pdf, html, "Kestrel AI", rows)


def test_kestrel_prints_within_budget_from_chromium(browser, reports, kestrel, tmp_path: Path):
    html = reports["kestrel"].read_text(encoding="utf-8")
    page = browser.new_page()
    page.goto(reports["kestrel"].as_uri())
    pdf = tmp_path / "kestrel-chromium.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.close()
    rows = [row for group in question_rows(report_document(kestrel, CONTEXT)) for row in group["rows"]]
    check_paper(pdf, html, "Kestrel AI", rows)


# --------------------------------------------------------------------------- screens


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", ["kestrel", "aurora", "northwind", "switchboard", "tinyweights", "index", "compare"])
def test_nothing_is_wider_than_the_screen(browser, reports, tmp_path: Path, name: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(reports[name].as_uri())
    page.wait_for_load_state("load")
    facts = page.evaluate(OVERFLOW)
    shot = tmp_path / f"{name}-{width}.png"
    page.screenshot(path=str(shot))
    page.close()
    assert facts["count"] == 0 and facts["scroll"] <= facts["width"], facts
    assert png_colours(shot.read_bytes()) > 8, "screenshot looks blank"


def test_the_overflow_check_sees_an_element_wider_than_the_screen(browser, tmp_path: Path):
    wide = tmp_path / "wide.html"
    wide.write_text("<!DOCTYPE html><html><body><table><tr><td>" + "x" * 400 + "</td></tr></table></body></html>", encoding="utf-8")
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(wide.as_uri())
    facts = page.evaluate(OVERFLOW)
    page.close()
    assert facts["count"] > 0


def test_the_trace_is_collapsed_on_screen_and_opens(browser, reports):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(reports["kestrel"].as_uri())
    table = page.locator("details.trace table").first
    assert not table.is_visible()
    page.locator("details.trace > summary").click()
    assert table.is_visible()
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_index_sorts_by_every_column_without_a_script(browser, reports, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(reports["index"].as_uri())
    assert page.evaluate("() => document.scripts.length") == 0

    def shown() -> list[str]:
        rows = page.evaluate(
            """() => Array.from(document.querySelectorAll('table.portfolio tbody tr'))
                 .map(r => [r.getBoundingClientRect().top, r.querySelector('th').innerText.trim()])"""
        )
        return [name for _, name in sorted(rows)]

    default = shown()
    keys = {
        "vendor": lambda r: r["name"].casefold(),
        "confidence": lambda r: r["confidence"],
        "reassess": lambda r: r["reassess"],
    }
    data = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.portfolio tbody tr')).map(r => ({
             name: r.querySelector('th').innerText.trim(),
             confidence: parseFloat(r.querySelector('[data-label=Confidence]').innerText),
             reassess: r.querySelector('[data-label="Reassess by"]').innerText.slice(0, 10)}))"""
    )
    for key in ("vendor", "decision", "tier", "knockout", "screening", "confidence", "reassess"):
        page.locator(f"label[for=sort-{key}-asc]").click()
        ascending = shown()
        page.locator(f"label[for=sort-{key}-desc]").click()
        assert shown() == list(reversed(ascending)), key
        if key in keys:
            by = keys[key]
            expected = [r["name"] for r in sorted(data, key=lambda r: (by(r), r["name"].casefold()))]
            assert ascending == expected, (key, ascending)
    page.locator("label[for=sort-risk]").click()
    assert shown() == default
    assert requests == [reports["index"].as_uri()]
    page.close()


def test_every_example_as_pdf_leads_with_the_decision_in_words(tmp_path: Path):
    """Each example's PDF: page one names the decision and its reasons; no rule id before the appendix, and in the
    appendix every rule id with its message's words (the HTML test checks them row by row); no machine answer value."""
    pytest.importorskip("weasyprint")
    from test_reader_reports import check_no_machine_values, machine_values, reasons_in_words

    from provenance_cli.formats.questionnaires import load_catalogue
    from provenance_cli.render.templating import decision_label

    ids = re.compile(
        r"(?<![\w-])(" + "|".join(sorted((re.escape(c.rule.id) for c in load_catalogue().rules), key=len, reverse=True)) + r")(?![\w-])"
    )
    for result in assess(example_paths()):
        document = report_document(result, CONTEXT)
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(get_renderer("pdf").render(result, CONTEXT))
        pages = [" ".join(text.split()) for text in pdf_pages(pdf)]
        assert f"Decision: {decision_label(result.decision.outcome)}" in pages[0]
        for reason in reasons_in_words(document):
            assert " ".join(reason.split()) in pages[0] + pages[1], (result.vendor, reason)
        appendix = next(n for n, text in enumerate(pages) if "Appendix The audit record" in text)
        reader, audit = " ".join(pages[:appendix]), " ".join(pages[appendix:])
        assert not ids.findall(reader), (result.vendor, ids.findall(reader)[:3])
        messages = {t["rule_id"]: " ".join(t["message"].split()) for t in document["trace"]}
        words = set(re.findall(r"[\w']+", audit))
        for rule in set(ids.findall(audit)):
            assert set(re.findall(r"[\w']+", messages[rule])) <= words, (result.vendor, rule)
        check_no_machine_values(reader + audit, machine_values(document))
