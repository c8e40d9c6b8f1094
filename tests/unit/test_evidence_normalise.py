"""Page-text normalisation: noise must not count as a change, substance must."""

from __future__ import annotations

import pytest

from provenance_cli.evidence.normalise import (
    MASK,
    content_digest,
    html_text,
    mask_volatile,
    normalise,
)

PAGE = """<!doctype html>
<html><head><title>Data retention</title>
<meta name="csrf-token" content="{token}">
<style>.x {{ color: red }}</style>
<script nonce="{nonce}">window.__BUILD__ = "{nonce}"; var t = {epoch};</script>
</head>
<body class="{nonce}">
  <!-- rendered {stamp} by node {nonce} -->
  <h1>Retention policy</h1>
  <p>We keep prompts and outputs for <b>{days} days</b>, then delete them.</p>
  <noscript>Enable JavaScript {nonce}</noscript>
  <template><p>hidden {nonce}</p></template>
  <footer>Page generated {stamp} &middot; request id: {request_id} &middot;
    {ago} minutes ago</footer>
</body></html>
"""


def page(**overrides: object) -> bytes:
    values: dict[str, object] = {
        "token": "a8f5f167f44f4964e6c998dee827110c",
        "nonce": "r4nd0mN0nceAbCdEfGh12",
        "epoch": 1782810000,
        "stamp": "2026-06-30T10:32:05.123Z",
        "days": 30,
        "request_id": "9b2c4e1a-7f3d-4c2b-9a8e-1d2c3b4a5e6f",
        "ago": 3,
    }
    values.update(overrides)
    return PAGE.format(**values).encode("utf-8")


HTML = "text/html; charset=utf-8"


def test_visible_text_only() -> None:
    text = html_text(page().decode())
    assert text.startswith("Data retention Retention policy We keep prompts and outputs for 30 days")
    for hidden in ("color: red", "__BUILD__", "rendered", "Enable JavaScript", "hidden", "csrf"):
        assert hidden not in text


def test_volatile_tokens_do_not_change_the_digest() -> None:
    base = content_digest(page(), HTML)
    noisy = page(
        token="ffffffffffffffffffffffffffffffff",
        nonce="Zq9XkLmN0pQrStUvWxYz77",
        epoch=1782899999,
        stamp="2026-07-01 08:00:59+02:00",
        request_id="00000000-1111-4222-8333-444444444444",
        ago=47,
    )
    assert content_digest(noisy, HTML) == base


def test_whitespace_and_markup_attributes_do_not_change_the_digest() -> None:
    base = page().decode()
    reflowed = base.replace("\n  ", "\n\n\t    ").replace("<h1>", '<h1 class="title big">')
    assert content_digest(reflowed.encode(), HTML) == content_digest(base.encode(), HTML)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("for 30 days", "for 90 days"),
        ("effective 2026-07-01", "effective 2026-08-01"),
        ("about 28.8 million exchanges", "about 16 million exchanges"),
        ("We do not train on customer data.", "We may train on customer data."),
        ("Processed in the US and IE.", "Processed in the US, IE and SG."),
        ("Version 2.1 of the terms", "Version 2.2 of the terms"),
    ],
)
def test_substantive_changes_change_the_digest(before: str, after: str) -> None:
    one = f"<html><body><p>Policy: {before}</p></body></html>".encode()
    two = f"<html><body><p>Policy: {after}</p></body></html>".encode()
    assert content_digest(one, HTML) != content_digest(two, HTML)


@pytest.mark.parametrize(
    "kept",
    [
        "30 days",
        "retained for 365 days",
        "2026-07-01",
        "ISO/IEC 42001",
        "Section 4.2",
        "$1,000,000",
        "1-800-555-0199",
        "EU-US Data Privacy Framework",
    ],
)
def test_substantive_tokens_are_not_masked(kept: str) -> None:
    assert mask_volatile(f"Policy text {kept} here") == f"Policy text {kept} here"


@pytest.mark.parametrize(
    "noise",
    [
        "2026-06-30T10:32:05Z",
        "10:32:05",
        "10:32 PM",
        "Tue, 30 Jun 2026 10:32:05 GMT",
        "1782810000",
        "1782810000.123456",
        "d41d8cd98f00b204e9800998ecf8427e",
        "csrf_token=abcdef0123456789",
        "5 minutes ago",
        "9b2c4e1a-7f3d-4c2b-9a8e-1d2c3b4a5e6f",
        "dGhpcyBpcyBhIG5vbmNlIDEyMw==",
    ],
)
def test_volatile_tokens_are_masked(noise: str) -> None:
    assert noise not in mask_volatile(f"Updated {noise} today")
    assert MASK in mask_volatile(f"Updated {noise} today")


def test_plain_text_and_binary() -> None:
    assert normalise(b"  line one\n\n line   two ", "text/plain") == "line one line two"
    pdf = b"%PDF-1.7\x00\x01binary"
    assert normalise(pdf, "application/pdf") == ""
    assert content_digest(pdf, "application/pdf") != content_digest(pdf + b"x", "application/pdf")


def test_declared_charset_and_unknown_charset() -> None:
    latin = "<p>Données conservées 30 jours</p>".encode("latin-1")
    assert "Données" in normalise(latin, "text/html; charset=ISO-8859-1")
    assert "30 jours" in normalise(latin, "text/html; charset=no-such-charset")
