"""Markdown reports (CommonMark + GFM tables) for procurement reviewers.

Dossier text is untrusted: the template receives a copy of the report in
which every string is inert Markdown (no raw HTML, no links, no table
breaks), and evidence links only for http(s) URLs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provenance_cli.render.interface import RenderContext, Renderer

if TYPE_CHECKING:
    from provenance_cli.scoring import VendorResult

TEMPLATE = "report.md.j2"


def render_document(document: dict[str, Any], context: RenderContext) -> str:
    from provenance_cli.render.document import framework_rows, trace_by_category
    from provenance_cli.render.templating import md_view, template

    view = md_view(document)
    return template("md", TEMPLATE, context.template_dir).render(
        r=view,
        trace_by_category=trace_by_category(view),
        frameworks=md_view(framework_rows(document)),
    )


class MarkdownRenderer(Renderer):
    name = "md"
    suffix = ".md"

    def render(self, result: VendorResult, context: RenderContext) -> str:
        from provenance_cli.render.document import report_document

        return render_document(report_document(result, context), context)

    def render_many(self, results, context):  # type: ignore[no-untyped-def]
        return "\n---\n\n".join(self.render(result, context) for result in results)
