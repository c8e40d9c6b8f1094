"""The portfolio page in a real headless Chromium: the dependency graph renders as SVG and nothing leaves the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import NEEDS_CHROMIUM, launch, png_colours
from support.reports import CONTEXT, assess, example_paths, hostile_dossier

from provenance_cli.render.document import report_document
from provenance_cli.render.html import render_index
from provenance_cli.render.output import report_names

pytestmark = [pytest.mark.slow, NEEDS_CHROMIUM]


@pytest.fixture(scope="module")
def browser():
    yield from launch()


def _index(folder: Path, paths: list[Path]) -> Path:
    results = assess(paths)
    names = report_names(results)
    rows = [(report_document(r, CONTEXT), f"{name}.html") for r, name in zip(results, names, strict=True)]
    page = folder / "index.html"
    page.write_text(render_index(rows, CONTEXT), encoding="utf-8")
    return page


def test_the_dependency_graph_renders_and_no_request_leaves_the_file(browser, tmp_path: Path) -> None:
    hostile = hostile_dossier(tmp_path)
    page_path = _index(tmp_path, [*example_paths(), hostile])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    facts = page.evaluate(
        """() => {
        const svg = document.querySelector('svg.graph');
        const box = svg.getBoundingClientRect();
        const nodes = Array.from(svg.querySelectorAll('g.node'));
        const paths = Array.from(svg.querySelectorAll('g.edge path'));
        return {
          width: box.width, height: box.height,
          nodes: nodes.length,
          drawn: nodes.filter(g => { const r = g.getBoundingClientRect(); return r.width > 100 && r.height > 30; }).length,
          labels: nodes.map(g => g.querySelector('text').textContent),
          pathLengths: paths.map(p => p.getTotalLength()),
          scripts: document.scripts.length,
          xss: window.__xss === undefined ? null : window.__xss,
          tables: document.querySelectorAll('table.concentration').length,
        };
    }"""
    )
    page.locator("svg.graph").screenshot(path=str(tmp_path / "graph.png"))
    page.close()
    assert requests == [page_path.as_uri()], requests
    assert errors == [] and facts["scripts"] == 0 and facts["xss"] is None
    assert facts["width"] > 600 and facts["height"] > 200
    assert facts["nodes"] == facts["drawn"] >= 7  # five vendors, the hostile one, and the labs without a dossier
    assert {"Switchboard Router", "Northwind Frontier", "Aurora Models", "Bramble Labs Inc."} <= set(facts["labels"])
    assert facts["pathLengths"] and min(facts["pathLengths"]) > 50
    assert facts["tables"] == 4
    assert png_colours((tmp_path / "graph.png").read_bytes()) > 8, "the graph looks blank"
