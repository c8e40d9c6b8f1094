"""The JSON report: the versioned report document, canonically dumped.

Same inputs, same bytes (apart from ``generated_at``): keys sorted, floats
rounded, lists in questionnaire or trace order. Several vendors on one
stream become a JSON array of reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance_cli.render.interface import RenderContext, Renderer

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult


class JsonRenderer(Renderer):
    name = "json"
    suffix = ".json"

    def render(self, result: VendorResult, context: RenderContext) -> str:
        from provenance_cli.render.document import cached_document, dumps

        return dumps(cached_document(result, context))

    def render_many(self, results, context):  # type: ignore[no-untyped-def]
        from provenance_cli.render.document import dumps, report_document

        if len(results) == 1:
            return self.render(results[0], context)
        return dumps([report_document(result, context) for result in results])
