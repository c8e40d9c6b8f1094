"""Every command, the module that defines it, and the lazy group that builds only the one invoked.

Typer turns each command into a click command by inspecting its signature;
doing that for all fifteen on every run cost about as much as the work of a
small command. :class:`LazyGroup` knows every command's name from
:data:`COMMANDS` and imports and builds a command's module only when click
asks for that command: ``provcheck assess x.yaml`` never imports the
screening or evidence command modules, and ``provcheck --help`` (which asks
for every command's help) still lists them all.

Add a command: define it in a module's ``register(app)`` (or on
``app.core_app``) and add one line per top-level name here.
``tests/unit/test_cli_registry.py`` checks the table against what the
modules really define.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

COMMANDS: dict[str, str] = {
    "init": "provenance_cli.cli.app:core_app",
    "validate": "provenance_cli.cli.app:core_app",
    "upgrade": "provenance_cli.cli.app:core_app",
    "assess": "provenance_cli.cli.assess:register",
    "questions": "provenance_cli.cli.assess:register",
    "screen": "provenance_cli.cli.screening:register",
    "compare": "provenance_cli.cli.reports:register",
    "diff": "provenance_cli.cli.reports:register",
    "monitor": "provenance_cli.cli.monitor:register",
    "simulate": "provenance_cli.cli.simulate:register",
    "import": "provenance_cli.cli.answers:register",
    "fill": "provenance_cli.cli.answers:register",
    "import-bom": "provenance_cli.cli.bom:register",
    "questionnaires": "provenance_cli.cli.app:core_app",
    "schema": "provenance_cli.cli.app:core_app",
    "evidence": "provenance_cli.cli.evidence:register",
    "lists": "provenance_cli.cli.screening:register",
}
"""Top-level command name -> ``module:attribute`` defining it: a ``register(app)`` function or a ``typer.Typer``; in help order."""


def build_source(source: str) -> TyperGroup:
    """Import the module behind ``source`` and turn what it defines into a click group."""
    module_name, attribute = source.split(":")
    target = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(target, typer.Typer):
        holder = typer.Typer()
        target(holder)
        target = holder
    return typer.main.get_group(target)


class LazyCommands(MutableMapping[str, Any]):
    """The root group's commands: names known up front, each built the first time it is looked up."""

    def __init__(self, sources: Mapping[str, str], eager: Mapping[str, Any]) -> None:
        self._sources = dict(sources)
        self._built: dict[str, Any] = dict(eager)
        self._groups: dict[str, TyperGroup] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            source = self._sources[name]  # KeyError: no such command
            if source not in self._groups:
                self._groups[source] = build_source(source)
            self._built[name] = self._groups[source].commands[name]
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._sources.pop(name, None)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._sources, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._sources, *self._built]))

    def __contains__(self, name: object) -> bool:
        return name in self._sources or name in self._built


class LazyGroup(TyperGroup):
    """The ``provcheck`` group: builds a command (and imports its module) only when it is invoked or its help is shown."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(COMMANDS, eager=self.commands)
