"""The one Markdown checker: tables keep their shape, no raw HTML, links only http(s).

Parsed with markdown-it (CommonMark plus GFM tables, raw HTML enabled so
that any HTML that slips through shows up as an HTML token).
"""

from __future__ import annotations

from markdown_it import MarkdownIt


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def to_html(markdown: str) -> str:
    """What a Markdown viewer would show, as HTML."""
    return parser().render(markdown)


def check_markdown(markdown: str) -> int:
    """Assert every table row has its header's column count, no raw HTML, links only http(s).

    Returns the number of tables.
    """
    tables = 0
    header_cells = row_cells = 0
    in_head = False
    for token in parser().parse(markdown):
        assert token.type not in ("html_block", "html_inline"), token
        if token.type == "table_open":
            tables += 1
        elif token.type == "thead_open":
            in_head, header_cells = True, 0
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row_cells = 0
        elif token.type in ("th_open", "td_open"):
            if in_head:
                header_cells += 1
            else:
                row_cells += 1
        elif token.type == "tr_close" and not in_head:
            assert row_cells == header_cells, f"row has {row_cells} cells, header {header_cells}"
        elif token.type == "inline":
            for child in token.children or ():
                assert child.type != "html_inline", child
                if child.type == "link_open":
                    href = child.attrGet("href") or ""
                    assert href.startswith(("http://", "https://")), href
    return tables
