"""terminal.visible: which characters are shown as escapes, and that the escape says exactly which character it was."""

from __future__ import annotations

import codecs
import json
import unicodedata

from provenance_cli.cli.terminal import _INVISIBLE, visible, visible_data

HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def test_every_bmp_character_is_shown_or_escaped_by_its_category() -> None:
    for code in range(0x10000):
        char = chr(code)
        shown = visible(char)
        if unicodedata.category(char) in HIDDEN or code in _INVISIBLE:
            assert shown != char and shown.isascii() and shown.startswith("\\"), hex(code)
            # The escape names the character: Python's own escape syntax decodes back to it.
            assert codecs.decode(shown, "unicode_escape") == char, hex(code)
        else:
            assert shown == char, hex(code)


def test_astral_format_characters_and_emoji() -> None:
    assert visible("\U000e0001\U000e0041") == "\\U000e0001\\U000e0041"  # language tags draw nothing
    assert visible("\U0001d173") == "\\U0001d173"  # musical formatting control
    assert visible("Acme 😀 中文 عربى Ελληνικά") == "Acme 😀 中文 عربى Ελληνικά"


def test_multiline_keeps_only_newline_and_tab() -> None:
    assert visible("a\nb\tc\r\x1b", multiline=True) == "a\nb\tc\\r\\x1b"
    assert visible("a\nb\tc") == "a\\nb\\tc"


def test_visible_data_maps_strings_in_nested_data() -> None:
    data = {"vendor": "A\u202eB", "rows": [{"x": "\x1b[2K"}, 3, None], "n": 1.5}
    assert visible_data(data) == {"vendor": "A\\u202eB", "rows": [{"x": "\\x1b[2K"}, 3, None], "n": 1.5}


def test_json_escapes_decode_to_the_same_data(capsys) -> None:
    from provenance_cli.cli.terminal import print_json

    value = {"name": "a\x1b\x7f\x9b\u202e\u2066\u200b\U000e0001 é 😀", "list": ["\u2028x"]}
    print_json(value)
    out = capsys.readouterr().out
    assert json.loads(out) == value
    assert all(ord(c) < 0x7F or unicodedata.category(c) not in HIDDEN for c in out if c not in "\n")
