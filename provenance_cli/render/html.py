"""Self-contained HTML reports: inline CSS and SVG, no outside requests.

jinja2 autoescapes every value; evidence URLs become links only when they
are http(s) (:func:`~provenance_cli.render.templating.safe_url`), and a
Content-Security-Policy meta tag forbids scripts, fonts, frames and remote
images even if a template an organisation supplies forgets to escape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from provenance_cli.render.interface import RenderContext, Renderer

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult

TEMPLATE = "report.html.j2"
INDEX_TEMPLATE = "index.html.j2"


def _globals(generated_at: str) -> dict[str, Any]:
    return {"generated_at": generated_at}


def views(document: dict[str, Any]) -> dict[str, Any]:
    """What the report templates show beside the document itself: page one, one row per question, actions by owner,
    the clause checklist, answer labels and each rule's message (so no rule id is ever shown alone)."""
    from provenance_cli.render import summary
    from provenance_cli.render.document import framework_rows, trace_by_category

    return {
        **summary.reader_views(document),
        "messages": {t["rule_id"]: t["message"] for t in document.get("trace", [])},
        "trace_by_category": trace_by_category(document),
        "frameworks": framework_rows(document),
    }


def render_document(document: dict[str, Any], context: RenderContext) -> str:
    """The self-contained HTML page for one report document."""
    from provenance_cli.render.templating import template

    return template("html", TEMPLATE, context.template_dir).render(
        r=document,
        **views(document),
        **_globals(str(document.get("generated_at", context.generated_at))),
    )


def render_index(rows: Sequence[tuple[dict[str, Any], str]], context: RenderContext) -> str:
    """The portfolio page: (report document, relative link) pairs, riskiest first, sortable by every column without a script."""
    from provenance_cli.render.document import sort_documents
    from provenance_cli.render.portfolio import build_portfolio
    from provenance_cli.render.summary import CONFIDENCE_BASIS, portfolio_rows
    from provenance_cli.render.templating import template

    links = {id(document): href for document, href in rows}
    ordered = portfolio_rows(sort_documents(document for document, _ in rows))
    return template("html", INDEX_TEMPLATE, context.template_dir).render(
        rows=[{**row, "href": links[id(row["document"])]} for row in ordered],
        portfolio=build_portfolio([row["document"] for row in ordered], [links[id(row["document"])] for row in ordered]),
        confidence_basis=CONFIDENCE_BASIS,
        **_globals(context.generated_at),
    )


class HtmlRenderer(Renderer):
    """One self-contained HTML page per vendor: inline CSS and SVG, strict CSP, no requests."""

    name = "html"
    suffix = ".html"

    def render(self, result: VendorResult, context: RenderContext) -> str:
        from provenance_cli.render.document import cached_document

        return render_document(cached_document(result, context), context)

    def render_many(self, results, context):  # type: ignore[no-untyped-def]
        if len(results) == 1:
            return self.render(results[0], context)
        raise ValueError("several HTML reports need an output folder (-o DIR)")
