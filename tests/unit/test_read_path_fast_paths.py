"""The read path's fast paths decide exactly as the full checks they stand in front of.

``check_url`` accepts a plain http(s) address on one regex match and sends
everything else through ``urlsplit``; the YAML loader counts the values an
anchor stands for with one running counter and decides "empty file" from the
first non-blank character. Each test here puts the fast decision beside the
rule written out in full, so a fast path that starts accepting (or refusing)
something the full rule would not fails here rather than in a report.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from provenance_cli.formats.models import check_url
from provenance_cli.formats.safeyaml import MAX_EXPANDED_NODES, load_text
from provenance_cli.util.errors import InputError

TRICKY_URLS = [
    "https://vendor.example/docs/a?b=c#d",
    "http://vendor.example",
    "https://vendor.example:8443/x",
    "https://vendor.example:/x",
    "https://vendor.example:80x/y",
    "HTTPS://VENDOR.EXAMPLE/",
    "Http://vendor.example/",
    "https://user:pass@vendor.example/",
    "https://[::1]/",
    "https://[::1/",
    "https://]x/",
    "https://",
    "http:///path/only",
    "https://?q",
    "https://#frag",
    "https://vendör.example/",
    "https://-/",
    "https://a..b/",
    "ftp://vendor.example/",
    "javascript:alert(1)",
    "vendor.example/policy",
    "https:vendor.example",
    "  https://vendor.example/padded  ",
]


def _full_rule(text: str) -> bool:
    """The URL rule spelled out with urlsplit: http(s) scheme (any case) and a host; urlsplit's own refusals refuse."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


@pytest.mark.parametrize("url", TRICKY_URLS)
def test_check_url_agrees_with_the_full_rule(url: str) -> None:
    try:
        accepted = check_url(url) == url.strip()
    except ValueError:
        accepted = False
    assert accepted == _full_rule(url)


def _anchored_list_aliased(items: int, aliases: int) -> str:
    """An anchored flow list of ``items`` values (``items + 1`` values with the list) and ``aliases`` aliases to it."""
    return "a: &x [" + ", ".join(["v"] * items) + "]\n" + "".join(f"b{i}: *x\n" for i in range(aliases))


def test_alias_expansion_counts_the_anchored_list_and_its_items() -> None:
    # 100 aliases of a list of 1,999 values expand to exactly the cap (2,000 each): allowed.
    exact = load_text(_anchored_list_aliased(MAX_EXPANDED_NODES // 100 - 1, 100), "ok.yaml")
    assert exact.data["b99"] is exact.data["a"]
    # One more value in the list puts the 100th alias (line 101, column 6) over it.
    with pytest.raises(InputError) as refused:
        load_text(_anchored_list_aliased(MAX_EXPANDED_NODES // 100, 100), "bomb.yaml")
    problem = refused.value.problems[0]
    assert (problem.line, problem.column, problem.message) == (101, 6, "aliases expand to too many values; refusing to expand")


def _nested(padding: int) -> str:
    """An anchored list of 970 values aliased twice inside an anchored mapping (with ``padding`` more values), aliased 98 times."""
    inner = "inner: &i [" + ", ".join(["v"] * 970) + "]\n"
    outer = "outer: &o {l: *i, m: *i, pad: [" + ", ".join(["v"] * padding) + "]}\n"
    return inner + outer + "".join(f"c{n}: *o\n" for n in range(98))


def test_nested_anchor_counts_reach_enclosing_anchors() -> None:
    # The mapping counts itself, both aliases (971 each) and its padding list (padding + 1): 2,021 with 77 values;
    # 2 * 971 + 98 * 2,021 is exactly the cap.
    exact = load_text(_nested(77), "ok.yaml")
    assert exact.data["c97"]["m"] is exact.data["inner"]
    assert exact.positions[("outer", "m")] == (2, 22)
    assert exact.key_positions[("outer", "pad")] == (2, 26)
    assert exact.positions[("outer", "pad", 1)] == (2, 35)
    with pytest.raises(InputError) as refused:
        load_text(_nested(78), "bomb.yaml")
    problem = refused.value.problems[0]
    assert (problem.line, problem.column, problem.message) == (100, 6, "aliases expand to too many values; refusing to expand")


@pytest.mark.parametrize(
    ("text", "empty"),
    [
        ("# a comment\n\n   # another\n", True),
        ("\n \t\n", True),
        ("# header comment\nprovcheck: 1\n", False),
        ("  \n  key: value\n", False),
        ("\u2028# after a line separator\n", True),
    ],
)
def test_empty_file_is_blank_lines_and_comments_only(text: str, empty: bool) -> None:
    try:
        load_text(text, "f.yaml")
        refused = False
    except InputError as exc:
        refused = exc.problems[0].message == "file is empty; expected a YAML mapping"
    assert refused == empty
