"""A control character YAML refuses is reported where it is, not at line 1, column 1.

libyaml reports such a character by byte offset, PyYAML's own reader by
character offset; provcheck finds the character itself and says its line
and column in characters, in ``validate`` and ``assess`` alike.
"""

from __future__ import annotations

import pytest
from support.dossiers import DOSSIER_HEAD


@pytest.mark.parametrize(
    ("character", "line", "column", "escape"),
    [
        ("\x1b", 3, 18, "\\x1b"),
        ("\x07", 3, 18, "\\x07"),
        ("\x7f", 3, 18, "\\x7f"),
        ("\x9b", 3, 18, "\\x9b"),
        ("\x00", 3, 18, "\\x00"),
    ],
    ids=["ESC", "BEL", "DEL", "C1-CSI", "NUL"],
)
def test_control_character_is_located(cli, write, character, line, column, escape):
    write("vendor.yaml", _with_name_ending(character))
    validated = cli("validate", "vendor.yaml")
    assert validated.returncode == 2
    assert validated.stdout.splitlines() == [_expected(character, line, column, escape)]


def test_assess_reports_the_same_position(cli, write):
    write("vendor.yaml", _with_name_ending("\x1b"))
    assessed = cli("assess", "vendor.yaml", "--no-screen", "--no-evidence", "--offline")
    assert assessed.returncode == 2
    assert assessed.stderr.splitlines() == [_expected("\x1b", 3, 18, "\\x1b")]


def _with_name_ending(character: str) -> str:
    # Multi-byte characters before it on its line and the lines above: columns count characters, not bytes.
    return DOSSIER_HEAD.replace("  name: Acme AI\n", f"  name: Äcmé AI 😀{character}x\n").replace("assessor: Jane Doe", "assessor: Jöhn Dœ")


def _expected(character: str, line: int, column: int, escape: str) -> str:
    return (
        f"vendor.yaml:{line}:{column}: control character U+{ord(character):04X} is not allowed in YAML; "
        f"delete it, or write it as the escape {escape} inside double quotes"
    )


def test_control_character_after_crlf_lines_and_in_a_later_document_part(cli, write):
    text = DOSSIER_HEAD.replace("\n", "\r\n") + "  some.question:\r\n    note: ok\r\n    answer: a\x1bb\r\n"
    write("crlf.yaml", text)
    validated = cli("validate", "crlf.yaml")
    assert validated.returncode == 2
    assert validated.stdout.startswith("crlf.yaml:11:14: control character U+001B is not allowed in YAML")


def test_escaped_control_characters_in_double_quotes_are_accepted(cli, write):
    write("quoted.yaml", DOSSIER_HEAD.replace("  name: Acme AI\n", '  name: "Acme \\e[31m AI"\n'))
    validated = cli("validate", "quoted.yaml")
    assert validated.returncode == 0, validated.output
