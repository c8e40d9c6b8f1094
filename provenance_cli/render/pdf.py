"""PDF reports, printed from the same HTML as the HTML report by WeasyPrint.

Why WeasyPrint: it is a maintained, pure-Python HTML/CSS layout engine
(BSD-licensed, on PyPI, with Pango as its only system library) that implements
CSS Paged Media: ``@page`` margin boxes for the running header and "page N of
M", ``break-inside: avoid`` on table rows, repeated table headers. So the PDF
comes from the HTML report's own print stylesheet, and a browser's "print to
PDF" of the HTML gives the same pages; there is one layout to keep right, not
two. It runs no script and, here, fetches nothing: every URL it is asked for
is refused, so a report can never make a request.

WeasyPrint is an optional extra (``pip install 'provcheck[pdf]'``); without
it ``-f pdf`` stops before any work with exit 2 and says how to install it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from provenance_cli.render.interface import RenderContext, Renderer
from provenance_cli.util.errors import UsageError

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult

PDF_MARKER = b"provcheck-report"
"""Written as the PDF's document identifier (in the trailer, near the end of the file), so provcheck knows its own PDFs."""
MISSING = "PDF output needs WeasyPrint, which is an optional extra: pip install 'provcheck[pdf]' (it also needs the Pango library)"


def require_weasyprint() -> Any:
    """The weasyprint module, or a UsageError (exit 2) naming the extra that provides it."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the module is there but Pango is not
        raise UsageError(f"{MISSING}; {type(exc).__name__}: {exc}") from None
    return weasyprint


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's URL fetcher: a report fetches nothing (the HTML is self-contained; anything else is refused)."""
    raise ValueError(f"a provcheck report fetches nothing (refused {url[:80]!r})")


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page, laid out by its print stylesheet."""
    import logging

    weasyprint = require_weasyprint()
    # WeasyPrint reports CSS it does not implement (the browser-only rules of the stylesheet) as warnings; they are expected.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, url_fetcher=_refuse)
    data: bytes = document.write_pdf(pdf_identifier=PDF_MARKER)
    return data


class PdfRenderer(Renderer):
    """One PDF per vendor, from the HTML report (A4, running header with the vendor's name, page numbers)."""

    name = "pdf"
    suffix = ".pdf"
    binary = True

    def check(self) -> None:
        """Fail early, before any assessment, when WeasyPrint is missing."""
        require_weasyprint()

    def render(self, result: VendorResult, context: RenderContext) -> bytes:  # type: ignore[override]
        from provenance_cli.render.html import HtmlRenderer

        html = HtmlRenderer().render(result, context)
        return html_to_pdf(html)

    def render_many(self, results: Sequence[VendorResult], context: RenderContext) -> bytes:  # type: ignore[override]
        if len(results) == 1:
            return self.render(results[0], context)
        raise UsageError("several PDF reports need an output folder (-o DIR)")
