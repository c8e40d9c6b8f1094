"""The portfolio view: concentration shares, the graph's layout, and Mermaid text that user data cannot break."""

from __future__ import annotations

import re

import pytest
from support.reports import CONTEXT, assess, example_paths

from provenance_cli.render.document import report_document
from provenance_cli.render.portfolio import NODE_HEIGHT, NODE_WIDTH, build_portfolio, concentration, mermaid, mermaid_text


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return [report_document(r, CONTEXT) for r in assess(example_paths())]


def test_concentration_counts_vendors_once_and_models_in_scope(documents: list[dict]) -> None:
    labs = {row.key: row for row in concentration(documents, "lab")}
    northwind = labs["Northwind Frontier"]
    # Northwind's two models, and Switchboard's routed Gale 4 (its auto router is out of scope).
    assert set(northwind.vendors) == {"Switchboard Router", "Northwind Frontier"}
    assert northwind.models == 3
    assert northwind.vendor_share == pytest.approx(40.0)
    assert northwind.model_share == pytest.approx(30.0)  # 10 models in scope in all
    assert "Aurora Models" in labs and labs["Aurora Models"].vendors == ("Aurora Models",)
    headquarters = concentration(documents, "headquarters")
    assert (headquarters[0].key, len(headquarters[0].vendors)) == ("US", 3)
    parents = {row.key for row in concentration(documents, "ultimate_parent")}
    assert {"Northwind Frontier Holdings, Inc.", "Jadecliff Technology Group Co., Ltd."} <= parents
    families = {row.key: row for row in concentration(documents, "family")}
    assert set(families["Wren"].vendors) == {"Switchboard Router", "TinyWeights"}


def test_the_highlights_name_shared_dependencies(documents: list[dict]) -> None:
    portfolio = build_portfolio(documents)
    assert portfolio.vendors == 5 and portfolio.models == 10
    assert any(h.startswith("2 of 5 vendors (40%) depend on the lab Northwind Frontier") for h in portfolio.highlights)


def test_the_graph_puts_every_box_apart_and_dependents_right_of_what_they_depend_on(documents: list[dict]) -> None:
    portfolio = build_portfolio(documents)
    boxes = {n.id: n for n in portfolio.nodes}
    assert {"switchboard-router", "northwind-frontier", "tinyweights", "aurora-models"} <= set(boxes)
    assert "lab:Bramble Labs Inc." in boxes and boxes["lab:Bramble Labs Inc."].kind == "external"
    for a, b in ((a, b) for a in portfolio.nodes for b in portfolio.nodes if a.id < b.id):
        apart = a.x + NODE_WIDTH <= b.x or b.x + NODE_WIDTH <= a.x or a.y + NODE_HEIGHT <= b.y or b.y + NODE_HEIGHT <= a.y
        assert apart, (a, b)
    for arrow in portfolio.arrows:
        assert boxes[arrow.source].x > boxes[arrow.target].x, arrow
        assert re.fullmatch(r"M [\d.-]+ [\d.-]+ C( [\d.-]+){6}", arrow.path), arrow.path
    kinds = {(a.source, a.target, a.kind) for a in portfolio.arrows}
    assert ("switchboard-router", "aurora-models", "routes_to") in kinds
    assert ("tinyweights", "lab:Bramble Labs Inc.", "developer") in kinds
    assert all(0 <= n.x <= portfolio.width - NODE_WIDTH and 0 <= n.y <= portfolio.height - NODE_HEIGHT for n in portfolio.nodes)


def test_mermaid_labels_cannot_break_out() -> None:
    hostile = 'Evil"] --> x[pwn\n```\n<script>|a|'
    text = mermaid_text(hostile)
    assert not set(text) & set('"[]<>|`\n')
    assert text.startswith("Evil#34;#93; --#62; x#91;pwn")


def test_mermaid_block_has_every_node_and_arrow(documents: list[dict]) -> None:
    portfolio = build_portfolio(documents)
    text = mermaid(portfolio)
    lines = text.splitlines()
    assert lines[0] == "graph LR"
    assert len([line for line in lines if re.fullmatch(r'  n\d+\[".*"\]', line)]) == len(portfolio.nodes)
    assert len([line for line in lines if " -->|" in line]) == len(portfolio.arrows)
    assert "```" not in text
