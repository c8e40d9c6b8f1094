"""What-if scenarios for ``provcheck simulate``: changes to the world, applied in memory, never to a file.

A scenario says what would be different: a name added to a screening list,
a model's export suspended, an allegation upheld, a jurisdiction's status
changed, or any answer set for a vendor or one of its models. It comes from
command-line flags or a small YAML file read by the strict loader
(``scenario: 1``); every problem carries its file, line and column, or the
flag it came from.

The frozen dataclasses here travel to worker processes with the assess
options; the pipeline applies them after reading each dossier and before
screening and scoring (:mod:`provenance_cli.assessment.simulate`).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from provenance_cli.formats.models import Jurisdiction, StrictModel, Text, check_jurisdiction, format_version
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import LIST_NAMES, did_you_mean
from provenance_cli.util.errors import InputError, Problem

SCENARIO_FORMAT = 1
JURISDICTION_STATUSES = ("embargoed", "of_concern", "none")
"""What a jurisdiction can be made: on one of the policy's lists, or on neither."""
SUSPENSION = ("export_control.model_export_suspension", "yes")
UPHELD = (("lineage.disputed_provenance_allegation", "yes"), ("lineage.allegation_status", "upheld"))


@dataclass(frozen=True)
class Origin:
    """Where a change was written: a file position, or the flag and its value."""

    source: str
    line: int = 0
    column: int = 0

    def problem(self, message: str) -> Problem:
        """A problem at this origin."""
        return Problem(self.source, self.line, self.column, message)


@dataclass(frozen=True)
class ListAddition:
    """A name listed on a screening list, as if the next edition named it."""

    list_key: str
    name: str
    aliases: tuple[str, ...] = ()
    origin: Origin = Origin("scenario")


@dataclass(frozen=True)
class AnswerSet:
    """An answer given a new value, for a vendor as a whole (every model) or for one model."""

    vendor: str
    """A vendor id or a vendor's name, resolved against the run's dossiers."""
    model: str | None
    question_id: str
    value: str | tuple[str, ...]
    why: str
    """What the change stands for, in words (``export suspended``)."""
    origin: Origin = Origin("scenario")


@dataclass(frozen=True)
class JurisdictionChange:
    """A jurisdiction moved onto one of the policy's lists (embargoed, of_concern) or off both (none)."""

    code: str
    status: str
    origin: Origin = Origin("scenario")


@dataclass(frozen=True)
class Scenario:
    """Everything a simulation changes; applied in memory only."""

    name: str = "scenario"
    additions: tuple[ListAddition, ...] = ()
    answers: tuple[AnswerSet, ...] = ()
    jurisdictions: tuple[JurisdictionChange, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to simulate."""
        return not (self.additions or self.answers or self.jurisdictions)

    def describe(self) -> list[str]:
        """Each change in words, for the report."""
        said = [f"{a.name} added to the {LIST_NAMES.get(a.list_key, a.list_key)}" for a in self.additions]
        said += [f"{a.vendor}{f' / {a.model}' if a.model else ''}: {a.why}" for a in self.answers]
        said += [
            f"{j.code} made {'neither embargoed nor of concern' if j.status == 'none' else j.status.replace('_', ' ')}"
            for j in self.jurisdictions
        ]
        return said

    def merged(self, other: Scenario) -> Scenario:
        """This scenario and ``other`` together (flags on top of a file)."""
        return Scenario(
            self.name if self.name != "scenario" else other.name,
            (*self.additions, *other.additions),
            (*self.answers, *other.answers),
            (*self.jurisdictions, *other.jurisdictions),
        )


# --------------------------------------------------------------------------- the YAML file


class _Listing(StrictModel):
    list: Text
    """The list key (dod_1260h, sdn, el...)."""
    name: Text
    aliases: builtins.list[Text] = []


class _Target(StrictModel):
    vendor: Text
    """Vendor id (or name) of a dossier in the run."""
    model: Text | None = None


class _Answer(_Target):
    question: Text
    value: Text | list[Text]


class _Jurisdiction(StrictModel):
    code: Jurisdiction
    status: Literal["embargoed", "of_concern", "none"]


class ScenarioChange(StrictModel):
    """One change: exactly one of the keys below."""

    add_to_list: _Listing | None = None
    suspend_export: _Target | None = None
    confirm_allegation: _Target | None = None
    jurisdiction: _Jurisdiction | None = None
    answer: _Answer | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ScenarioChange:
        given = [key for key in type(self).model_fields if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(f"each change has exactly one of {', '.join(type(self).model_fields)} (found {', '.join(given) or 'none'})")
        return self


class ScenarioFile(StrictModel):
    """A scenario file (``scenario: 1``)."""

    scenario: Annotated[int, format_version(SCENARIO_FORMAT)]
    """Scenario format version (1)."""
    name: Text = "scenario"
    changes: Annotated[list[ScenarioChange], Field(min_length=1)]


def load_scenario(path: Path, catalogue: Catalogue) -> Scenario:
    """The scenario in ``path``; InputError with file:line:col for every problem."""
    from provenance_cli.formats.problems import problems_from
    from provenance_cli.formats.safeyaml import load_file

    document = load_file(path)
    try:
        parsed = ScenarioFile.model_validate(document.data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, document, ScenarioFile)) from None
    additions: list[ListAddition] = []
    answers: list[AnswerSet] = []
    jurisdictions: list[JurisdictionChange] = []
    problems: list[Problem] = []
    for index, change in enumerate(parsed.changes):
        line, column = document.locate(("changes", index))
        origin = Origin(document.source, line, column)
        if change.add_to_list is not None:
            listing = change.add_to_list
            additions.append(ListAddition(listing.list, listing.name, tuple(listing.aliases), origin))
        elif change.jurisdiction is not None:
            jurisdictions.append(JurisdictionChange(change.jurisdiction.code, change.jurisdiction.status, origin))
        elif change.suspend_export is not None:
            answers.append(suspension(change.suspend_export.vendor, change.suspend_export.model, origin))
        elif change.confirm_allegation is not None:
            answers.extend(upheld(change.confirm_allegation.vendor, change.confirm_allegation.model, origin))
        elif change.answer is not None:
            value = tuple(change.answer.value) if isinstance(change.answer.value, list) else change.answer.value
            answers.append(
                AnswerSet(
                    change.answer.vendor, change.answer.model, change.answer.question, value, f"{change.answer.question} = {value}", origin
                )
            )
    scenario = Scenario(parsed.name, tuple(additions), tuple(answers), tuple(jurisdictions))
    problems.extend(check_scenario(scenario, catalogue))
    if problems:
        raise InputError(problems)
    return scenario


def suspension(vendor: str, model: str | None, origin: Origin) -> AnswerSet:
    """``suspend_export``: the model (or every model of the vendor) under an export suspension."""
    question, value = SUSPENSION
    return AnswerSet(vendor, model, question, value, "export suspended", origin)


def upheld(vendor: str, model: str | None, origin: Origin) -> tuple[AnswerSet, ...]:
    """``confirm_allegation``: a public allegation exists and has been upheld."""
    return tuple(AnswerSet(vendor, model, question, value, "allegation upheld", origin) for question, value in UPHELD)


def check_scenario(scenario: Scenario, catalogue: Catalogue) -> list[Problem]:
    """List keys, question ids and answers that do not exist, each at its origin."""
    from provenance_cli.formats.dossier import normalise_answer

    problems: list[Problem] = []
    for addition in scenario.additions:
        if addition.list_key not in LIST_NAMES:
            problems.append(
                addition.origin.problem(
                    f"unknown list key {addition.list_key!r}{did_you_mean(addition.list_key, LIST_NAMES)}; "
                    f"expected one of {', '.join(LIST_NAMES)}"
                )
            )
    for change in scenario.answers:
        question = catalogue.questions.get(change.question_id)
        if question is None:
            problems.append(
                change.origin.problem(
                    f"unknown question id {change.question_id!r}{did_you_mean(change.question_id, list(catalogue.questions), cutoff=0.5)}"
                )
            )
            continue
        try:
            normalise_answer(question, list(change.value) if isinstance(change.value, tuple) else change.value)
        except ValueError as exc:
            problems.append(change.origin.problem(f"{change.question_id}: {exc}"))
    return problems


# --------------------------------------------------------------------------- command-line flags


def _target(text: str) -> tuple[str, str | None]:
    vendor, _, model = text.partition(":")
    return vendor.strip(), (model.strip() or None)


def from_flags(
    *,
    add_to_list: list[str],
    suspend: list[str],
    confirm_allegation: list[str],
    jurisdiction: list[str],
    answer: list[str],
) -> tuple[Scenario, list[Problem]]:
    """A scenario from ``simulate``'s flags; malformed values are problems naming the flag."""
    problems: list[Problem] = []
    additions: list[ListAddition] = []
    for value in add_to_list:
        origin = Origin(f"--add-to-list {value!r}")
        key, _, name = value.partition(":")
        if not name.strip():
            problems.append(origin.problem("expected LIST:NAME, such as dod_1260h:Example Holdings Ltd."))
            continue
        additions.append(ListAddition(key.strip(), name.strip(), (), origin))
    answers: list[AnswerSet] = []
    for value in suspend:
        vendor, model = _target(value)
        answers.append(suspension(vendor, model, Origin(f"--suspend {value!r}")))
    for value in confirm_allegation:
        vendor, model = _target(value)
        answers.extend(upheld(vendor, model, Origin(f"--confirm-allegation {value!r}")))
    for value in answer:
        origin = Origin(f"--answer {value!r}")
        target, _, rest = value.partition("=")
        question, _, given = rest.partition(":")
        if not target.strip() or not question.strip() or not given.strip():
            problems.append(
                origin.problem("expected VENDOR[:MODEL]=QUESTION:VALUE, such as tinyweights=lineage.licence_compatibility:incompatible")
            )
            continue
        vendor, model = _target(target)
        items = tuple(v.strip() for v in given.split(",")) if "," in given else given.strip()
        answers.append(AnswerSet(vendor, model, question.strip(), items, f"{question.strip()} = {given.strip()}", origin))
    jurisdictions: list[JurisdictionChange] = []
    for value in jurisdiction:
        origin = Origin(f"--jurisdiction {value!r}")
        code, _, status = value.partition("=")
        status = status.strip().lower()
        try:
            checked = check_jurisdiction(code)
        except ValueError as exc:
            problems.append(origin.problem(str(exc)))
            continue
        if status not in JURISDICTION_STATUSES:
            problems.append(
                origin.problem(f"expected CODE=STATUS with STATUS one of {', '.join(JURISDICTION_STATUSES)}, such as SG=of_concern")
            )
            continue
        jurisdictions.append(JurisdictionChange(checked, status, origin))
    return Scenario("scenario from the command line", tuple(additions), tuple(answers), tuple(jurisdictions)), problems
