"""The frameworks questionnaire mappings cite: an open, documented set read from data.

``provenance_cli/formats/data/frameworks.yaml`` defines each framework once:
its id, name, edition, address, the form of its control ids (a regular
expression) and, for closed frameworks, the list of controls that exist. An
organisation adds its own with a file of the same shape in its questionnaire
folder. Questionnaires are checked against the set when they load, so an
auditor can rely on every mapping naming a real control of a named edition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from provenance_cli.formats.models import Slug, StrictModel, Text, Url
from provenance_cli.formats.problems import problems_from
from provenance_cli.formats.safeyaml import Document, load_file
from provenance_cli.formats.vocabulary import did_you_mean
from provenance_cli.util.errors import InputError, Problem

BUNDLED_FRAMEWORKS = "frameworks.yaml"
"""The bundled set, in ``provenance_cli/formats/data``."""


class FrameworkSpec(StrictModel):
    """One framework as the data file describes it."""

    id: Slug
    """What questionnaire mappings name, e.g. ``iso_42001``."""
    name: Text
    edition: Text
    """What the control ids refer to: ids change between editions, so the edition is part of every record."""
    url: Url
    applies: Text | None = None
    """When the framework is relevant (e.g. GDPR only where personal data is sent)."""
    pattern: Text
    """A regular expression every control id must match in full."""
    example: Text
    """One valid control id, for error messages."""
    closed: bool = False
    """True when only the ids listed under ``controls`` exist."""
    controls: dict[Annotated[str, Field(min_length=1)], str] = {}
    """Control id -> short title (shown in evidence packs)."""


class FrameworkFile(StrictModel):
    """A file of framework definitions (the bundled set, or an organisation's additions)."""

    frameworks: Annotated[list[FrameworkSpec], Field(min_length=1)]


@dataclass(frozen=True)
class Framework:
    """A checked framework: its description and a compiled control-id form."""

    id: str
    name: str
    edition: str
    url: str
    applies: str | None
    pattern: re.Pattern[str]
    example: str
    closed: bool
    controls: dict[str, str]
    source: str
    """The file it was defined in."""

    def title(self, control: str) -> str:
        """The control's short title, or an empty string when the data file gives none."""
        return self.controls.get(control, "")

    def check(self, control: str) -> str | None:
        """Why ``control`` is not a control id of this framework, or None when it is."""
        if not self.pattern.fullmatch(control):
            return f"malformed control id {control!r} for {self.name} ({self.edition}); expected an id like {self.example!r}"
        if self.closed and control not in self.controls:
            return f"{control!r} is not a control of {self.name} ({self.edition}){did_you_mean(control, self.controls)}"
        return None

    def sort_key(self, control: str) -> tuple[object, ...]:
        """Controls in natural order (A.2.10 after A.2.9), titled ones in file order first."""
        order = list(self.controls)
        if control in self.controls:
            return (0, order.index(control))
        return (1, tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", control)))


@dataclass(frozen=True)
class FrameworkSet:
    """Every framework mappings may name, by id."""

    frameworks: dict[str, Framework] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Framework]:
        return iter(self.frameworks.values())

    def __contains__(self, framework_id: object) -> bool:
        return framework_id in self.frameworks

    def get(self, framework_id: str) -> Framework | None:
        """The framework ``framework_id``, or None."""
        return self.frameworks.get(framework_id)

    def name(self, framework_id: str) -> str:
        """The display name of a framework (its id when unknown)."""
        framework = self.frameworks.get(framework_id)
        return framework.name if framework else framework_id

    def unknown(self, framework_id: str) -> str:
        """The message for a mapping that names a framework outside the set."""
        known = list(self.frameworks)
        return (
            f"unknown framework {framework_id!r}{did_you_mean(framework_id, known)}; "
            f"expected one of {', '.join(known)} (provcheck frameworks lists them; an organisation adds its own in a frameworks file)"
        )


def _compile(spec: FrameworkSpec, document: Document, index: int) -> tuple[Framework | None, list[Problem]]:
    path = ("frameworks", index)
    try:
        pattern = re.compile(spec.pattern)
    except re.error as exc:
        return None, [document.problem(path + ("pattern",), f"pattern of {spec.id!r} is not a regular expression: {exc}")]
    framework = Framework(
        id=spec.id,
        name=spec.name,
        edition=spec.edition,
        url=spec.url,
        applies=spec.applies,
        pattern=pattern,
        example=spec.example,
        closed=spec.closed,
        controls=dict(spec.controls),
        source=document.source,
    )
    problems: list[Problem] = []
    if not pattern.fullmatch(spec.example):
        problems.append(document.problem(path + ("example",), f"example {spec.example!r} does not match the pattern of {spec.id!r}"))
    for control in spec.controls:
        if not pattern.fullmatch(control):
            problems.append(
                document.problem(
                    path + ("controls", control), f"control {control!r} does not match the pattern of {spec.id!r}", prefer_key=True
                )
            )
    if spec.closed and not spec.controls:
        problems.append(document.problem(path + ("closed",), f"closed framework {spec.id!r} must list its controls"))
    return framework, problems


def read_framework_file(path: Path, document: Document | None = None) -> tuple[list[Framework], list[Problem]]:
    """The frameworks one file defines, and the problems with it (each at its line)."""
    document = document or load_file(path)
    try:
        model = FrameworkFile.model_validate(document.data)
    except ValidationError as exc:
        return [], problems_from(exc, document, FrameworkFile)
    frameworks: list[Framework] = []
    problems: list[Problem] = []
    for index, spec in enumerate(model.frameworks):
        framework, found = _compile(spec, document, index)
        problems.extend(found)
        if framework is not None:
            frameworks.append(framework)
    return frameworks, problems


def build_framework_set(paths: Iterable[Path]) -> FrameworkSet:
    """The bundled set plus the frameworks of ``paths``; a repeated id is refused at its line."""
    from provenance_cli.util.resources import package_file

    problems: list[Problem] = []
    found: dict[str, Framework] = {}
    for path in (package_file(BUNDLED_FRAMEWORKS), *paths):
        document = load_file(path)
        frameworks, file_problems = read_framework_file(path, document)
        problems.extend(file_problems)
        for index, framework in enumerate(frameworks):
            if framework.id in found:
                where = found[framework.id].source
                problems.append(
                    document.problem(("frameworks", index, "id"), f"framework id {framework.id!r} is already defined in {where}")
                )
                continue
            found[framework.id] = framework
    if problems:
        raise InputError(problems)
    return FrameworkSet(found)


def load_frameworks(extra: tuple[str, ...] = ()) -> FrameworkSet:
    """The bundled frameworks plus those of the files in ``extra``, loaded once per process (keyed by where the files are)."""
    return _load_frameworks(tuple((_file_signature(p), p) for p in extra))


def _file_signature(path: str) -> tuple[object, ...]:
    """Where a file really is, with its modification time and size: a cache key that changes when the file does."""
    try:
        stat = Path(path).stat()
    except OSError:
        return (str(Path(path).resolve()),)
    return (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_frameworks(extra: tuple[tuple[tuple[object, ...], str], ...]) -> FrameworkSet:
    return build_framework_set([Path(given) for _, given in extra])
