"""The bundled questionnaires and their rules, loaded and cross-checked once.

A questionnaire file is checked in two passes: its shape (pydantic), then
its meaning: question ids belong to the questionnaire, choice questions
have choices, conditions refer only to earlier questions and respect the
risk order, rule ids are unique across all questionnaires. A broken rule is
refused here, at load time, with its file and line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from provenance_cli.formats.conditions import Condition, ConditionError, compile_condition
from provenance_cli.formats.models import Clause, Question, Questionnaire, Rule, Trigger
from provenance_cli.formats.problems import problems_from
from provenance_cli.formats.safeyaml import Document, PathKey, load_file
from provenance_cli.formats.vocabulary import LIST_NAMES, SEVERITY_RANK, TIER_RANK, TIERS, UNDISCLOSED, VENDOR_AUDIENCES, did_you_mean
from provenance_cli.util.errors import InputError, Problem


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to evaluate, remembering which questionnaire it came from."""

    rule: Rule
    condition: Condition
    category: str
    source: str
    line: int


@dataclass(frozen=True)
class CompiledTrigger:
    """A date trigger checked against its questionnaire, remembering where it came from."""

    trigger: Trigger
    category: str
    source: str
    line: int


@dataclass(frozen=True, eq=False)
class Catalogue:
    """All questionnaires in order, with fast look-ups by question and rule id."""

    questionnaires: tuple[Questionnaire, ...]
    questions: dict[str, Question]
    category_of: dict[str, str]
    applies_if: dict[str, Condition]
    rules: tuple[CompiledRule, ...]
    sources: dict[str, str]
    """Questionnaire id -> file it was read from."""
    triggers: tuple[CompiledTrigger, ...] = ()
    """Date triggers of every questionnaire, in order."""
    clauses: dict[str, Clause] = field(default_factory=dict)
    """Contract clauses by id, from every questionnaire (format 2)."""

    def questionnaire(self, questionnaire_id: str) -> Questionnaire:
        """The questionnaire with id ``questionnaire_id``; KeyError when there is none."""
        for questionnaire in self.questionnaires:
            if questionnaire.id == questionnaire_id:
                return questionnaire
        raise KeyError(questionnaire_id)

    @property
    def rule_ids(self) -> frozenset[str]:
        """Every rule id of every questionnaire, which policy overrides and waivers must name."""
        return frozenset(compiled.rule.id for compiled in self.rules)

    @property
    def finding_ids(self) -> frozenset[str]:
        """Rule and trigger ids: what a policy may override, disable or waive."""
        return self.rule_ids | {compiled.trigger.id for compiled in self.triggers}

    def trigger(self, trigger_id: str) -> CompiledTrigger | None:
        """The date trigger ``trigger_id``, or None."""
        for compiled in self.triggers:
            if compiled.trigger.id == trigger_id:
                return compiled
        return None

    def rule(self, rule_id: str) -> CompiledRule | None:
        """The compiled rule ``rule_id``, or None."""
        for compiled in self.rules:
            if compiled.rule.id == rule_id:
                return compiled
        return None


def knockout_mismatch(severity: str, knockout: str | None) -> str | None:
    """Why a rule's severity and knock-out disagree, or None when they agree.

    A high or critical finding under a low tier discredits the whole report,
    so such a rule must force at least its own tier, or say ``knockout: none``
    with a written reason.
    """
    if SEVERITY_RANK[severity] < SEVERITY_RANK["high"] or knockout == "none":
        return None
    if knockout is None or TIER_RANK[knockout] < TIER_RANK[severity]:
        wanted = " or ".join(t for t in TIERS if TIER_RANK[t] >= TIER_RANK[severity])
        return f"severity {severity} needs a knock-out of at least that tier (knockout: {wanted}), or knockout: none with a knockout_reason"
    return None


def _screening_list_problems(question: Question, document: Document, path: PathKey) -> list[Problem]:
    """``screening_lists`` names real list keys, on a yes/no question whose risky answer is "yes" (listed)."""
    problems: list[Problem] = []
    if question.screening_lists and (question.type != "yes_no" or question.risky_answer != "yes"):
        problems.append(document.problem(path + ("screening_lists",), "screening_lists needs a yes/no question with risky_answer: yes"))
    for index, key in enumerate(question.screening_lists):
        if key not in LIST_NAMES:
            problems.append(document.problem(path + ("screening_lists", index), f"unknown list key {key!r}{did_you_mean(key, LIST_NAMES)}"))
    return problems


def _audience_problems(question: Question, document: Document, path: PathKey) -> list[Problem]:
    """``vendor_text`` is how the vendor is asked, so it belongs to questions sent to the vendor only."""
    if question.vendor_text is None or question.audience in VENDOR_AUDIENCES:
        return []
    message = "'vendor_text' is how the vendor is asked; a buyer question is not sent to the vendor (audience: vendor or either)"
    return [document.problem(path + ("vendor_text",), message)]


def _knockout_problems(rule: Rule, document: Document, rule_path: PathKey) -> list[Problem]:
    """Severity and knock-out must agree; ``knockout: none`` needs its reason, and only it has one."""
    problems: list[Problem] = []
    mismatch = knockout_mismatch(rule.severity, rule.knockout)
    if mismatch:
        problems.append(document.problem(rule_path + ("severity",), f"rule {rule.id}: {mismatch}"))
    if rule.knockout == "none" and not rule.knockout_reason:
        problems.append(document.problem(rule_path + ("knockout",), f"rule {rule.id}: knockout: none needs a knockout_reason saying why"))
    if rule.knockout_reason and rule.knockout != "none":
        problems.append(
            document.problem(rule_path + ("knockout_reason",), f"rule {rule.id}: knockout_reason goes with knockout: none only")
        )
    return problems


def _format_problems(questionnaire: Questionnaire, document: Document) -> list[Problem]:
    """What each format allows: format 1 rules carry one ``recommendation`` text; format 2 rules a list of
    ``recommendations`` with owners and types, and only format 2 has clauses and allegation questions."""
    problems: list[Problem] = []
    if questionnaire.questionnaire == 1:
        needs_v2 = "needs 'questionnaire: 2' at the top of the file (format 1 has no owners, types, clauses or allegation flags)"
        if questionnaire.clauses:
            problems.append(document.problem(("clauses",), f"clauses {needs_v2}"))
        for index, question in enumerate(questionnaire.questions):
            if question.allegation:
                problems.append(document.problem(("questions", index, "allegation"), f"allegation {needs_v2}"))
        for key, index, rule in _advised(questionnaire):
            if rule.recommendations:
                problems.append(document.problem((key, index, "recommendations"), f"{_kind(key)} {rule.id}: recommendations {needs_v2}"))
            elif rule.recommendation is None:
                problems.append(document.problem((key, index), f"{_kind(key)} {rule.id} needs a recommendation"))
        return problems
    for key, index, rule in _advised(questionnaire):
        if rule.recommendation is not None:
            problems.append(
                document.problem(
                    (key, index, "recommendation"),
                    f"{_kind(key)} {rule.id}: format 2 lists 'recommendations' (text, owner, type), not one 'recommendation' text",
                )
            )
        elif not rule.recommendations:
            problems.append(document.problem((key, index), f"{_kind(key)} {rule.id} needs recommendations (text, owner, type)"))
    return problems


def _advised(questionnaire: Questionnaire) -> list[tuple[str, int, Rule | Trigger]]:
    """Every rule and date trigger, with where it sits: both say what to do, in the same format."""
    return [
        *(("rules", index, rule) for index, rule in enumerate(questionnaire.rules)),
        *(("triggers", index, trigger) for index, trigger in enumerate(questionnaire.triggers)),
    ]


def _kind(key: str) -> str:
    return "rule" if key == "rules" else "trigger"


def _clause_problems(loaded: list[tuple[Questionnaire, Document]]) -> tuple[dict[str, Clause], list[Problem]]:
    """Clause ids are unique across questionnaires; a contract-clause recommendation names a known clause, and only it names one."""
    problems: list[Problem] = []
    clauses: dict[str, Clause] = {}
    origin: dict[str, str] = {}
    for questionnaire, document in loaded:
        for index, clause in enumerate(questionnaire.clauses):
            if clause.id in clauses:
                problems.append(
                    document.problem(("clauses", index, "id"), f"clause id {clause.id!r} is already used in {origin[clause.id]}")
                )
            clauses.setdefault(clause.id, clause)
            origin.setdefault(clause.id, document.source)
    for questionnaire, document in loaded:
        for key, index, rule in _advised(questionnaire):
            for number, recommendation in enumerate(rule.recommendations):
                path: PathKey = (key, index, "recommendations", number)
                if recommendation.type == "contract_clause" and recommendation.clause is None:
                    problems.append(
                        document.problem(path + ("type",), f"rule {rule.id}: a contract_clause recommendation names its clause")
                    )
                elif recommendation.type != "contract_clause" and recommendation.clause is not None:
                    problems.append(
                        document.problem(path + ("clause",), f"rule {rule.id}: only a contract_clause recommendation names a clause")
                    )
                elif recommendation.clause is not None and recommendation.clause not in clauses:
                    hint = did_you_mean(recommendation.clause, clauses)
                    problems.append(document.problem(path + ("clause",), f"rule {rule.id}: unknown clause {recommendation.clause!r}{hint}"))
    return clauses, problems


DATE_KINDS = ("date_reached", "date_older_than")
"""Trigger kinds that read a date answer and need its question."""


def _trigger_problems(
    trigger: Trigger, questionnaire_id: str, questions: dict[str, Question], document: Document, path: PathKey
) -> list[Problem]:
    """A trigger names a question of its own questionnaire, a date question where it reads a date, and the days its kind needs."""
    problems: list[Problem] = []
    question = questions.get(trigger.question) if trigger.question else None
    if trigger.question is not None and (question is None or not trigger.question.startswith(questionnaire_id + ".")):
        problems.append(
            document.problem(
                path + ("question",), f"trigger {trigger.id} watches {trigger.question!r}, which is not a question of '{questionnaire_id}'"
            )
        )
        return problems
    if trigger.kind in DATE_KINDS and question is None:
        problems.append(
            document.problem(path + ("kind",), f"trigger {trigger.id}: {trigger.kind} needs the date question it watches (question: ...)")
        )
    if trigger.kind in (*DATE_KINDS, "list_newer") and question is not None and question.type != "date":
        problems.append(
            document.problem(
                path + ("question",), f"trigger {trigger.id}: {trigger.kind} reads a date, but {question.id} is a {question.type} question"
            )
        )
    if trigger.kind == "date_older_than" and trigger.days is None:
        problems.append(document.problem(path + ("kind",), f"trigger {trigger.id}: date_older_than needs 'days', the age limit"))
    if trigger.kind == "list_newer" and trigger.days is not None:
        problems.append(document.problem(path + ("days",), f"trigger {trigger.id}: 'days' does not apply to list_newer"))
    return problems


def _check_question(question: Question, qn_id: str, index: int, document: Document) -> list[Problem]:
    path = ("questions", index)
    problems: list[Problem] = []

    def add(suffix: tuple[str | int, ...], message: str) -> None:
        problems.append(document.problem(path + suffix, message))

    if not question.id.startswith(qn_id + "."):
        add(("id",), f"question id {question.id!r} must start with the questionnaire id '{qn_id}.'")
    choice_types = ("single_choice", "multiple_choice")
    if question.type in choice_types:
        if not question.choices:
            add(("type",), f"{question.type} questions need 'choices'")
        else:
            values = [choice.value for choice in question.choices]
            for i, value in enumerate(values):
                if value == UNDISCLOSED:
                    add(("choices", i, "value"), "'undisclosed' is reserved; every question accepts it already")
                elif values.index(value) != i:
                    add(("choices", i, "value"), f"choice {value!r} appears twice")
    elif question.choices is not None:
        add(("choices",), f"'choices' only apply to single_choice and multiple_choice, not {question.type}")
    if question.type == "yes_no" and question.risky_answer is None:
        add(("type",), "yes_no questions need 'risky_answer: yes' or 'risky_answer: no'")
    if question.type != "yes_no" and question.risky_answer is not None:
        add(("risky_answer",), "'risky_answer' only applies to yes_no questions")
    if question.type == "number":
        if question.unit is None:
            add(("type",), "number questions need a 'unit'")
    else:
        for key in ("unit", "risk_direction", "minimum", "maximum"):
            if getattr(question, key) is not None:
                add((key,), f"'{key}' only applies to number questions")
    if question.undisclosed_risk is not None and question.type not in ("yes_no", "single_choice"):
        add(("undisclosed_risk",), "'undisclosed_risk' only applies to yes_no and single_choice questions")
    return problems


def load_questionnaire(path: Path) -> tuple[Questionnaire, Document]:
    """Parse and shape-check one questionnaire file; the document comes back so later checks can point at lines."""
    document = load_file(path)
    try:
        questionnaire = Questionnaire.model_validate(document.data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, document, Questionnaire)) from None
    return questionnaire, document


def build_catalogue(paths: Iterable[Path]) -> Catalogue:  # noqa: C901 - load, compile and cross-check in one pass so every problem carries its line
    """Load, check and compile questionnaires; all problems are reported together."""
    problems: list[Problem] = []
    loaded: list[tuple[Questionnaire, Document]] = []
    for path in paths:
        try:
            loaded.append(load_questionnaire(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)

    questions: dict[str, Question] = {}
    category_of: dict[str, str] = {}
    applies_if: dict[str, Condition] = {}
    rules: list[CompiledRule] = []
    triggers: list[CompiledTrigger] = []
    rule_origin: dict[str, str] = {}
    sources: dict[str, str] = {}
    seen_ids: dict[str, str] = {}

    for questionnaire, document in loaded:
        if questionnaire.id in seen_ids:
            problems.append(
                document.problem(("id",), f"questionnaire id {questionnaire.id!r} is also used by {seen_ids[questionnaire.id]}")
            )
        seen_ids[questionnaire.id] = document.source
        sources[questionnaire.id] = document.source
        problems.extend(_format_problems(questionnaire, document))
        for index, question in enumerate(questionnaire.questions):
            problems.extend(_check_question(question, questionnaire.id, index, document))
            problems.extend(_screening_list_problems(question, document, ("questions", index)))
            problems.extend(_audience_problems(question, document, ("questions", index)))
            if question.id in questions:
                problems.append(document.problem(("questions", index, "id"), f"question id {question.id!r} is used twice"))
            if question.applies_if is not None:
                try:
                    condition = compile_condition(question.applies_if, questions)
                    applies_if[question.id] = condition
                except ConditionError as exc:
                    problems.append(
                        document.problem(
                            ("questions", index, "applies_if", *exc.path),
                            f"applies_if: {exc.message} (a condition may only refer to earlier questions)",
                        )
                    )
            questions[question.id] = question
            category_of[question.id] = questionnaire.id

    for questionnaire, document in loaded:
        for index, rule in enumerate(questionnaire.rules):
            rule_path: PathKey = ("rules", index)
            if rule.id in rule_origin:
                problems.append(document.problem(rule_path + ("id",), f"rule id {rule.id!r} is already used in {rule_origin[rule.id]}"))
            rule_origin[rule.id] = document.source
            problems.extend(_knockout_problems(rule, document, rule_path))
            if rule.question is not None and (rule.question not in questions or category_of[rule.question] != questionnaire.id):
                problems.append(
                    document.problem(
                        rule_path + ("question",),
                        f"rule {rule.id} scores {rule.question!r}, which is not a question of '{questionnaire.id}'",
                    )
                )
                continue
            try:
                condition = compile_condition(rule.when, questions)
            except ConditionError as exc:
                problems.append(document.problem(rule_path + ("when", *exc.path), f"rule {rule.id}: {exc.message}"))
                continue
            if rule.question is None and condition.questions():
                problems.append(
                    document.problem(rule_path + ("question",), f"rule {rule.id} looks at answers, so it must name the question it scores")
                )
                continue
            if rule.question is not None and rule.question not in condition.questions():
                problems.append(
                    document.problem(
                        rule_path + ("when",), f"rule {rule.id}: its condition never looks at its own question {rule.question}"
                    )
                )
                continue
            line, _ = document.locate(rule_path)
            rules.append(CompiledRule(rule, condition, questionnaire.id, document.source, line))
        for index, trigger in enumerate(questionnaire.triggers):
            trigger_path: PathKey = ("triggers", index)
            if trigger.id in rule_origin:
                problems.append(
                    document.problem(trigger_path + ("id",), f"trigger id {trigger.id!r} is already used in {rule_origin[trigger.id]}")
                )
            rule_origin[trigger.id] = document.source
            found = _trigger_problems(trigger, questionnaire.id, questions, document, trigger_path)
            problems.extend(found)
            if not found:
                line, _ = document.locate(trigger_path)
                triggers.append(CompiledTrigger(trigger, questionnaire.id, document.source, line))

    clauses, clause_problems = _clause_problems(loaded)
    problems.extend(clause_problems)
    if problems:
        raise InputError(problems)
    return Catalogue(
        questionnaires=tuple(q for q, _ in loaded),
        questions=questions,
        category_of=category_of,
        applies_if=applies_if,
        rules=tuple(rules),
        sources=sources,
        triggers=tuple(triggers),
        clauses=clauses,
    )


QUESTIONNAIRE_ORDER = ("extraction", "retention", "export_control", "lineage", "portability")


def questionnaire_files(folder: Path) -> list[Path]:
    """Files of a questionnaire folder, bundled ones in their canonical order."""
    files = sorted(folder.glob("*.yaml"))
    rank = {name: i for i, name in enumerate(QUESTIONNAIRE_ORDER)}
    return sorted(files, key=lambda p: (rank.get(p.stem, len(rank)), p.stem))


@lru_cache(maxsize=4)
def load_catalogue(folder: str | None = None) -> Catalogue:
    """The catalogue of ``folder`` (default: the bundled questionnaires), cached in this process and on disk.

    See :mod:`provenance_cli.formats.catalogue_cache` for the on-disk cache.
    """
    from provenance_cli.formats.catalogue_cache import cached_build
    from provenance_cli.util.resources import data_dir

    base = Path(folder) if folder else data_dir("questionnaires")
    catalogue: Catalogue = cached_build(questionnaire_files(base), build_catalogue, Catalogue)
    return catalogue
