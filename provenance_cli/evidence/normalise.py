"""Page text that changes only when the page's substance changes.

A vendor's policy page is re-rendered on every request: a build timestamp in
the footer, a CSRF token, a nonce in an inline script, a "generated 3
minutes ago" line. Hashing the raw bytes would report all of that as a
change. Here the HTML is reduced to its visible text (scripts, styles,
templates and comments dropped; attributes never read), whitespace is
collapsed, and tokens that are volatile by nature are masked: times of day,
ISO timestamps, Unix epoch stamps, UUIDs, long hex or base64 runs with
digits in them, CSRF tokens and "N minutes ago". Plain numbers, dates
without a time ("effective 2026-07-01") and phrases like "30 days" are
kept, because a change to them is a change of policy.
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

_DROPPED = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)

MASK = "\u2400"
"""What a masked token becomes (the symbol for NUL): never in real prose."""

_VOLATILE = [
    # ISO 8601 date-times: 2026-06-30T10:32:05.123Z, 2026-06-30 10:32 +02:00
    re.compile(
        r"\b\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
        r"(?:\s?Z|\s?[+-]\d{2}:?\d{2})?\b"
    ),
    # RFC 7231 / RFC 2822 dates with a time: Tue, 30 Jun 2026 10:32:05 GMT
    re.compile(
        r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+"
        r"\d{1,2}:\d{2}(?::\d{2})?(?:\s+(?:GMT|UTC|[+-]\d{4}))?"
    ),
    # Times of day, with optional seconds, fraction, am/pm and zone.
    re.compile(
        r"\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[AaPp]\.?[Mm]\.?)?"
        r"(?:\s?(?:UTC|GMT|Z|[A-Z]{3}|[+-]\d{2}:?\d{2}))?\b"
    ),
    # "3 minutes ago", "an hour ago", "yesterday"-style relative stamps.
    re.compile(
        r"\b(?:\d+|an?|a few)\s+(?:second|sec|minute|min|hour|hr|day|week)s?\s+ago\b",
        re.IGNORECASE,
    ),
    # UUIDs.
    re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    # CSRF / nonce / token labels followed by a value.
    re.compile(
        r"\b(?:csrf|xsrf|nonce|token|request[ _-]?id|trace[ _-]?id|session[ _-]?id)"
        r"(?:[ _-]?token)?\s*[:=]\s*[\w+/=.-]{8,}",
        re.IGNORECASE,
    ),
    # Unix epoch seconds or milliseconds (2001..2286), with any fraction.
    re.compile(r"\b1\d{9}(?:\d{3})?(?:\.\d+)?\b"),
    # Long hex runs with at least one digit (hashes, build ids).
    re.compile(r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{16,}\b"),
    # Long base64/base64url runs mixing digits, upper and lower case (nonces, tokens).
    re.compile(
        r"(?<![\w/+=-])(?=[\w+/=-]*\d)(?=[\w+/=-]*[a-z])(?=[\w+/=-]*[A-Z])"
        r"[A-Za-z0-9+/_-]{20,}={0,2}(?![\w/+=-])"
    ),
]
_SPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Visible text of an HTML document; attributes and comments never read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.parts.append(" ")
            return
        if self._skip:
            if tag in _DROPPED:
                self._skip.append(tag)
            return
        if tag in _DROPPED:
            self._skip.append(tag)
        self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag in self._skip:
                # Close up to the matching tag; tolerate unclosed children.
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of ``html`` with whitespace collapsed (no masking)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return _SPACE.sub(" ", "".join(parser.parts)).strip()


def mask_volatile(text: str) -> str:
    """``text`` with timestamps, nonces and tokens replaced by one mask symbol."""
    for pattern in _VOLATILE:
        text = pattern.sub(MASK, text)
    return text


def normalise(body: bytes, content_type: str | None) -> str:
    """Comparable text of a response body.

    HTML is reduced to visible text; other text types have their whitespace
    collapsed; both are masked. Anything else (PDF, images) is compared
    byte for byte, so this returns "" and :func:`content_digest` hashes the
    raw bytes instead.
    """
    mime, charset = _parse_content_type(content_type)
    if not _is_text(mime, body):
        return ""
    text = body.decode(charset or "utf-8", errors="replace")
    if mime in ("text/html", "application/xhtml+xml") or (not mime and _looks_like_html(text)):
        text = html_text(text)
    else:
        text = _SPACE.sub(" ", text).strip()
    return mask_volatile(text)


def content_digest(body: bytes, content_type: str | None) -> str:
    """sha256 (hex) of the normalised text, or of the raw bytes for binary types."""
    mime, _ = _parse_content_type(content_type)
    if _is_text(mime, body):
        return hashlib.sha256(normalise(body, content_type).encode("utf-8")).hexdigest()
    return hashlib.sha256(body).hexdigest()


def _parse_content_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    mime, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    if charset:
        try:
            "".encode(charset)
        except LookupError:
            charset = None
    return mime.strip().lower(), charset


def _is_text(mime: str, body: bytes) -> bool:
    if mime.startswith("text/") or mime in (
        "application/xhtml+xml",
        "application/xml",
        "application/json",
        "application/ld+json",
    ):
        return True
    if not mime:
        return b"\x00" not in body[:4096]
    return False


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head
