"""HTML reports in a real headless Chromium: no requests, no script, not blank."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from support.browser import NEEDS_CHROMIUM, launch, png_colours
from support.reports import CONTEXT, assess, example_paths, hostile_dossier

from provenance_cli.assessment.results import EvidenceRef
from provenance_cli.render.compare import compare_documents, render_html
from provenance_cli.render.document import report_document
from provenance_cli.render.html import render_index
from provenance_cli.render.interface import get_renderer

pytestmark = [pytest.mark.slow, NEEDS_CHROMIUM]


@pytest.fixture(scope="module")
def browser():
    yield from launch()


def open_page(browser, path: Path, shot: Path):  # type: ignore[no-untyped-def]
    """Load a report; return (console errors, requested URLs, dialogs, page facts)."""
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors, requests, dialogs = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    facts = {
        "xss": page.evaluate("() => window.__xss === undefined ? null : window.__xss"),
        "title": page.title(),
        "scripts": page.evaluate("() => document.scripts.length"),
        "h1": page.evaluate("() => document.querySelectorAll('h1').length"),
        "links": page.evaluate("() => Array.from(document.links).map(a => a.href)"),
    }
    page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 480, "height": 360})
    page.close()
    return errors, requests, dialogs, facts


def check(browser, path: Path, tmp_path: Path) -> dict:
    shot = tmp_path / f"{path.stem}.png"
    errors, requests, dialogs, facts = open_page(browser, path, shot)
    assert errors == []
    assert requests == [path.as_uri()], requests
    assert dialogs == []
    assert facts["xss"] is None and facts["title"] != "pwned"  # the payloads set title to exactly 'pwned'
    assert facts["scripts"] == 0 and facts["h1"] == 1
    for link in facts["links"]:
        assert link.startswith(("http://", "https://", path.parent.as_uri() + "/")), link
    assert png_colours(shot.read_bytes()) > 8, "screenshot looks blank"
    return facts


def test_png_reader_sees_a_blank_page_as_blank(browser, tmp_path: Path):
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body style='background:#fff'></body></html>", encoding="utf-8")
    shot = tmp_path / "blank.png"
    open_page(browser, blank, shot)
    assert png_colours(shot.read_bytes()) <= 2


def test_example_reports_and_index(browser, tmp_path: Path):
    results = assess(example_paths())
    renderer = get_renderer("html")
    rows = []
    for i, result in enumerate(results):
        path = tmp_path / f"r{i}.html"
        path.write_text(renderer.render(result, CONTEXT), encoding="utf-8")
        check(browser, path, tmp_path)
        rows.append((report_document(result, CONTEXT), path.name))
    index = tmp_path / "index.html"
    index.write_text(render_index(rows, CONTEXT), encoding="utf-8")
    facts = check(browser, index, tmp_path)
    assert len([link for link in facts["links"] if link.endswith(".html")]) == len(results)
    compare = tmp_path / "compare.html"
    compare.write_text(render_html(compare_documents([r for r, _ in rows]), CONTEXT), encoding="utf-8")
    check(browser, compare, tmp_path)


def test_hostile_dossier_runs_no_script(browser, tmp_path: Path):
    result = assess([hostile_dossier(tmp_path)])[0]
    path = tmp_path / "hostile.html"
    path.write_text(get_renderer("html").render(result, CONTEXT), encoding="utf-8")
    facts = check(browser, path, tmp_path)
    assert "<script>" in facts["title"]  # the vendor name is shown as text


def test_javascript_evidence_url_is_not_a_link(browser, tmp_path: Path):
    result = assess(example_paths()[:1])[0]
    answers = list(result.answers)
    answers[0] = dataclasses.replace(
        answers[0],
        evidence=(
            EvidenceRef("javascript:window.__xss=1;alert(1)", "<img src=x onerror=alert(1)>", None, "third_party"),
            EvidenceRef("data:text/html,<script>alert(1)</script>", "data link", None, "third_party"),
        ),
    )
    result = dataclasses.replace(result, answers=tuple(answers))
    path = tmp_path / "js-url.html"
    path.write_text(get_renderer("html").render(result, CONTEXT), encoding="utf-8")
    facts = check(browser, path, tmp_path)
    assert not [link for link in facts["links"] if link.startswith(("javascript:", "data:"))]
