"""The JSON report: the versioned report document in its compact form, canonically dumped.

Same inputs, same bytes (apart from ``generated_at``): keys sorted, floats
rounded, lists in questionnaire or trace order. Several vendors on one
stream become a JSON array of reports. Renderers share the full document;
only the JSON written is compacted (each fact once, see
:mod:`provenance_cli.formats.report_shape`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance_cli.render.interface import RenderContext, Renderer

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult


class JsonRenderer(Renderer):
    """The ``json`` format: the versioned report document, canonically dumped."""

    name = "json"
    suffix = ".json"

    def render(self, result: VendorResult, context: RenderContext) -> str:
        """Canonical JSON of the compact report (from the full document when the same result was just rendered to another format)."""
        from provenance_cli.render.document import dumps, json_document

        return dumps(json_document(result, context))

    def render_bytes(self, result: VendorResult, context: RenderContext) -> bytes:
        """:meth:`render` as the UTF-8 bytes of the report file, straight from the serialiser's bytes."""
        from provenance_cli.render.document import dumps_bytes, json_document

        return dumps_bytes(json_document(result, context))

    def render_many(self, results, context):  # type: ignore[no-untyped-def]
        """One vendor stays one report object; several become a JSON array, so the stream is always one JSON document."""
        from provenance_cli.render.document import compact_document, dumps

        if len(results) == 1:
            return self.render(results[0], context)
        return dumps([compact_document(result, context) for result in results])
