"""The lazy command table names exactly the commands each module defines, in help order."""

from __future__ import annotations

from provenance_cli.cli.registry import COMMANDS, build_source


def test_every_source_defines_exactly_the_names_the_table_gives_it():
    for source in dict.fromkeys(COMMANDS.values()):
        defined = set(build_source(source).commands)
        listed = {name for name, where in COMMANDS.items() if where == source}
        assert defined == listed, source


def test_help_lists_every_command_in_table_order(cli):
    result = cli("--help")
    assert result.returncode == 0
    first_words = [line.strip("│ ").split(" ")[0] for line in result.stdout.splitlines()]
    listed = [word for word in first_words if word in COMMANDS]
    assert listed == list(COMMANDS)
