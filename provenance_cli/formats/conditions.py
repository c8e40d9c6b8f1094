"""The condition language of rules and ``applies_if``: YAML data, never code.

A condition is a small tree of mappings (``all``/``any`` of atoms such as
``{answer: Q, in: [...]}``). Compiling it checks every name against the
questionnaires and refuses, at load time, any answer condition that would
fire for one answer but not for a riskier one. Because atoms are
upward-closed in each question's risk order and the only combinators are
``all`` and ``any``, every compiled condition is monotone: a riskier answer
can only make more rules fire and more questions apply. Scoring relies on
that for its "a worse answer never lowers risk" guarantee.

There is deliberately no ``not``: negation is what breaks monotonicity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from provenance_cli.formats.models import Question
from provenance_cli.formats.vocabulary import (
    BUYER_FLAGS,
    CONTROL_KINDS,
    ENGAGEMENT_VALUES,
    JURISDICTION_LISTS,
    LINK_KINDS,
    LIST_NAMES,
    OWNERSHIP_FACTS,
    ROLES,
    UNDISCLOSED,
    did_you_mean,
)

PathKey = tuple[str | int, ...]

VENDOR_FACTS = (
    "headquarters",
    "parent_jurisdictions",
    "hosting_regions",
    "developer_jurisdictions",
    "concern_owner_controls",
    "ownership_gaps",
)
"""Facts about the vendor rules read with ``{vendor: FACT, in: [...]}``: jurisdictions (ISO codes; ``in_list`` reads a
policy list), the jurisdictions of the developers of the models in scope (``models[].developer``), how owners in a jurisdiction on the
policy's embargoed or of-concern list hold their stake (control kinds), and gaps in the ownership record."""
VENDOR_FACT_VALUES: dict[str, tuple[str, ...]] = {"ownership_gaps": ("share_unknown",)}
"""The values a non-jurisdiction vendor fact can take (``concern_owner_controls`` takes the control kinds)."""
JURISDICTION_FACTS = ("headquarters", "parent_jurisdictions", "hosting_regions", "developer_jurisdictions")
"""The vendor facts that are jurisdictions, the only ones ``in_list`` reads."""
_COMPARATORS = ("gte", "gt", "lte", "lt")


class ConditionError(Exception):
    """A condition that cannot be compiled; ``path`` is relative to the condition."""

    def __init__(self, path: PathKey, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Facts:
    """Everything a condition may look at for one vendor."""

    answers: Mapping[str, Any]
    """Normalised answers by question id; a missing id is treated as undisclosed."""
    vendor: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Vendor identity facts (see VENDOR_FACTS), as sets of codes."""
    listings: frozenset[tuple[str, str]] = frozenset()
    """Screening hits as (list key, role) pairs, e.g. ("sdn", "parent")."""
    buyer: frozenset[str] = frozenset()
    """The buyer flags that are true (see BUYER_FLAGS), from the policy's buyer profile."""
    jurisdiction_lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """The policy's named jurisdiction lists (embargoed, of_concern), as sets of codes."""
    engagement: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Engagement facts the dossier states (data_classes, criticality, users); a missing key is unknown."""
    ownership: frozenset[str] = frozenset()
    """What the 50 percent rule found over the ownership chain (OWNERSHIP_FACTS), from screening."""
    assume_unknown: bool = False
    """When True, an engagement condition on an unknown fact holds: used to ask "could this knock-out fire?"."""
    linked: tuple[LinkedFacts, ...] = ()
    """What the dossiers this one links to say (base models, upstreams, owners), one entry per model or vendor reached."""

    def answer(self, question_id: str) -> Any:
        value = self.answers.get(question_id)
        return UNDISCLOSED if value is None else value


@dataclass(frozen=True)
class LinkedFacts:
    """The facts of one model (or vendor) reached over links, and how it was reached, for ``{linked: ...}`` rules."""

    kinds: frozenset[str]
    """The kinds of link on the way (base_model, routes_to, parent): a rule follows only the kinds it names."""
    source: str
    """What was reached, in words: ``Northwind Frontier / Gale 4``."""
    via: str
    """How it was reached, in words: ``Switchboard Router's routing``."""
    facts: Facts
    """Its answers, vendor facts and screening, as its own dossier gives them."""
    notes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """Its screening hits in words (``listed on ...``), by (list key, role), for the trace."""

    @property
    def provenance(self) -> str:
        """``inherited from Northwind Frontier / Gale 4 via Switchboard Router's routing``."""
        return f"inherited from {self.source} via {self.via}"


class Condition(Protocol):
    """A compiled condition: monotone in every answer's risk rank."""

    def holds(self, facts: Facts) -> bool:
        """Whether the condition is true for these facts."""

    def questions(self) -> frozenset[str]:
        """The questions whose answers it reads."""

    def facts_read(self) -> frozenset[str]:
        """The other facts it reads, as ``vendor:headquarters``, ``screening``, ``buyer:...`` or ``engagement:...``."""


@dataclass(frozen=True)
class AllOf:
    """Every item holds (``all:``)."""

    items: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return all(item.holds(facts) for item in self.items)

    def questions(self) -> frozenset[str]:
        return frozenset().union(*(item.questions() for item in self.items))

    def facts_read(self) -> frozenset[str]:
        return frozenset().union(*(item.facts_read() for item in self.items))


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds (``any:``)."""

    items: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return any(item.holds(facts) for item in self.items)

    def questions(self) -> frozenset[str]:
        return frozenset().union(*(item.questions() for item in self.items))

    def facts_read(self) -> frozenset[str]:
        return frozenset().union(*(item.facts_read() for item in self.items))


@dataclass(frozen=True)
class AnswerIn:
    """The answer is one of the values (``{answer: Q, in: [...]}``), upward-closed in risk rank."""

    question: str
    values: frozenset[str]

    def holds(self, facts: Facts) -> bool:
        # Facts.answer inlined: the most frequent check of scoring's hot loop.
        value = facts.answers.get(self.question)
        return (UNDISCLOSED if value is None else value) in self.values

    def questions(self) -> frozenset[str]:
        return frozenset({self.question})

    def facts_read(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True)
class AnswerCompare:
    """Numeric comparison; an undisclosed number is taken as the worst case."""

    question: str
    operator: str
    threshold: float

    def holds(self, facts: Facts) -> bool:
        value = facts.answer(self.question)
        if value == UNDISCLOSED:
            return True
        if self.operator == "gte":
            return bool(value >= self.threshold)
        if self.operator == "gt":
            return bool(value > self.threshold)
        if self.operator == "lte":
            return bool(value <= self.threshold)
        return bool(value < self.threshold)

    def questions(self) -> frozenset[str]:
        return frozenset({self.question})

    def facts_read(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True)
class AnswerContains:
    """Multiple choice: holds when any exposure option is present (``contains_any``)
    or any protective option is missing (``lacks_any``); undisclosed is the worst case."""

    question: str
    values: frozenset[str]
    lacks: bool

    def holds(self, facts: Facts) -> bool:
        value = facts.answer(self.question)
        if value == UNDISCLOSED:
            return True
        chosen = frozenset(value)
        if self.lacks:
            return not self.values <= chosen
        return bool(self.values & chosen)

    def questions(self) -> frozenset[str]:
        return frozenset({self.question})

    def facts_read(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True)
class VendorIn:
    """A vendor fact (headquarters, parents' or hosting jurisdictions) is in a set of codes or a policy list."""

    fact: str
    values: frozenset[str]
    list_name: str | None = None
    """A policy jurisdiction list (``in_list: embargoed``) read at scoring time, beside any literal codes."""

    def holds(self, facts: Facts) -> bool:
        codes = self.values
        if self.list_name is not None:
            codes = codes | facts.jurisdiction_lists.get(self.list_name, frozenset())
        return bool(facts.vendor.get(self.fact, frozenset()) & codes)

    def questions(self) -> frozenset[str]:
        return frozenset()

    def facts_read(self) -> frozenset[str]:
        return frozenset({f"vendor:{self.fact}"})


@dataclass(frozen=True)
class OwnershipIs:
    """Screening of the ownership chain found one of these (``{ownership: [majority_blocked]}``)."""

    values: frozenset[str]

    def holds(self, facts: Facts) -> bool:
        return bool(facts.ownership & self.values)

    def questions(self) -> frozenset[str]:
        return frozenset()

    def facts_read(self) -> frozenset[str]:
        return frozenset({"screening"})


@dataclass(frozen=True)
class BuyerIs:
    """A buyer-profile flag is set in the policy (``{buyer: dod_contractor}``)."""

    flag: str

    def holds(self, facts: Facts) -> bool:
        return self.flag in facts.buyer

    def questions(self) -> frozenset[str]:
        return frozenset()

    def facts_read(self) -> frozenset[str]:
        return frozenset({f"buyer:{self.flag}"})


@dataclass(frozen=True)
class EngagementIn:
    """An engagement fact includes any of the values (``{engagement: data_classes, contains_any: [personal]}``).

    An unknown fact never holds when judging what is known, and always holds
    when asking what could happen (``Facts.assume_unknown``): the decision
    then says "incomplete" instead of guessing either way.
    """

    fact: str
    values: frozenset[str]

    def holds(self, facts: Facts) -> bool:
        known = facts.engagement.get(self.fact)
        if known is None:
            return facts.assume_unknown
        return bool(known & self.values)

    def questions(self) -> frozenset[str]:
        return frozenset()

    def facts_read(self) -> frozenset[str]:
        return frozenset({f"engagement:{self.fact}"})


@dataclass(frozen=True)
class Listed:
    """Screening found the vendor (or one of its names or parents) on a list."""

    lists: frozenset[str] | None
    roles: frozenset[str] | None

    def holds(self, facts: Facts) -> bool:
        return any(
            (self.lists is None or list_key in self.lists) and (self.roles is None or role in self.roles)
            for list_key, role in facts.listings
        )

    def questions(self) -> frozenset[str]:
        return frozenset()

    def facts_read(self) -> frozenset[str]:
        return frozenset({"screening"})


@dataclass(frozen=True)
class Linked:
    """Something holds in a dossier this one links to (``{linked: {via: [routes_to], where: {...}}}``).

    It is monotone because ``where`` is: a riskier answer in the upstream can
    only make more links match. It reads none of this dossier's own answers.
    """

    via: frozenset[str]
    where: Condition

    def holds(self, facts: Facts) -> bool:
        return any(item.kinds <= self.via and self.where.holds(item.facts) for item in facts.linked)

    def questions(self) -> frozenset[str]:
        return frozenset()

    def facts_read(self) -> frozenset[str]:
        route = "+".join(sorted(self.via))
        inner = sorted(self.where.questions() | self.where.facts_read())
        return frozenset(f"linked:{route}:{item}" for item in inner) or frozenset({f"linked:{route}"})


# --------------------------------------------------------------------------- compiling


def answer_ranks(question: Question) -> dict[str, int] | None:
    """Risk rank of every possible answer of a yes/no or single-choice question."""
    if question.type == "yes_no":
        risky = question.risky_answer or "no"
        ranks = {"yes": 0, "no": 0}
        ranks[risky] = 2
    elif question.type == "single_choice":
        ranks = {choice.value: choice.risk for choice in question.choices or []}
    else:
        return None
    worst = max(ranks.values(), default=0)
    ranks[UNDISCLOSED] = question.undisclosed_risk if question.undisclosed_risk is not None else worst
    return ranks


def _as_list(raw: Any, path: PathKey, what: str) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        raise ConditionError(path, f"expected a non-empty list of {what}")
    return raw


def _number(raw: Any, path: PathKey) -> float:
    try:
        value = float(str(raw))
    except ValueError:
        raise ConditionError(path, f"expected a number, got {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConditionError(path, f"expected a finite number, got {raw!r}")
    return value


def compile_condition(
    raw: Any,
    questions: Mapping[str, Question],
    path: PathKey = (),
) -> Condition:
    """Turn a YAML condition into a Condition, or raise ConditionError with its path."""
    if not isinstance(raw, dict) or not raw:
        raise ConditionError(path, "a condition must be a mapping such as {answer: ID, in: [...]}")
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        if len(raw) != 1:
            raise ConditionError(path, f"'{key}' must stand alone in its mapping")
        items = tuple(
            compile_condition(item, questions, path + (key, index))
            for index, item in enumerate(_as_list(raw[key], path + (key,), "conditions"))
        )
        return AllOf(items) if key == "all" else AnyOf(items)
    if "not" in raw:
        raise ConditionError(path, "'not' is not supported: it would let a riskier answer lower a score")
    if "answer" in raw:
        return _compile_answer(raw, questions, path)
    if "vendor" in raw:
        return _compile_vendor(raw, path)
    if "screening" in raw:
        return _compile_screening(raw, path)
    if "buyer" in raw:
        return _compile_buyer(raw, path)
    if "ownership" in raw:
        return _compile_ownership(raw, path)
    if "engagement" in raw:
        return _compile_engagement(raw, path)
    if "linked" in raw:
        return _compile_linked(raw, questions, path)
    raise ConditionError(
        path,
        f"unknown condition keys {sorted(raw)}; expected one of all, any, answer, vendor, screening, ownership, buyer, engagement, linked",
    )


def _compile_linked(raw: dict[str, Any], questions: Mapping[str, Question], path: PathKey) -> Condition:
    """``{linked: {via: [kinds], where: condition}}``: the inner condition is read in the linked dossier."""
    spec = raw["linked"]
    if len(raw) != 1 or not isinstance(spec, dict):
        raise ConditionError(path, "expected {linked: {via: [...], where: {...}}} alone in its mapping")
    unknown = sorted(set(spec) - {"via", "where"})
    if unknown or "via" not in spec or "where" not in spec:
        raise ConditionError(path + ("linked",), f"expected the keys via and where{f', not {unknown}' if unknown else ''}")
    kinds = [str(v) for v in _as_list(spec["via"], path + ("linked", "via"), "link kinds")]
    for index, kind in enumerate(kinds):
        if kind not in LINK_KINDS:
            raise ConditionError(
                path + ("linked", "via", index),
                f"unknown link kind {kind!r}{did_you_mean(kind, LINK_KINDS)}; expected one of {', '.join(LINK_KINDS)}",
            )
    where = compile_condition(spec["where"], questions, path + ("linked", "where"))
    reads = where.facts_read()
    if any(item.startswith("linked:") for item in reads):
        raise ConditionError(path + ("linked", "where"), "a linked condition cannot hold another: 'via' already follows links of links")
    if any(item.startswith("engagement:") for item in reads):
        raise ConditionError(path + ("linked", "where"), "the engagement is this dossier's own; read it outside 'linked'")
    return Linked(frozenset(kinds), where)


def _single_operator(raw: dict[str, Any], subject: str, allowed: tuple[str, ...], path: PathKey) -> str:
    operators = [key for key in raw if key != subject]
    if len(operators) != 1 or operators[0] not in allowed:
        raise ConditionError(path, f"expected exactly one of {', '.join(allowed)} beside '{subject}', found {operators}")
    return operators[0]


def _compile_answer(raw: dict[str, Any], questions: Mapping[str, Question], path: PathKey) -> Condition:
    question_id = raw["answer"]
    if not isinstance(question_id, str) or question_id not in questions:
        raise ConditionError(path + ("answer",), f"unknown question {question_id!r}{did_you_mean(str(question_id), list(questions))}")
    question = questions[question_id]
    operator = _single_operator(raw, "answer", ("in", *_COMPARATORS, "contains_any", "lacks_any"), path)
    operand_path = path + (operator,)
    operand = raw[operator]

    if operator == "in":
        ranks = answer_ranks(question)
        if ranks is None:
            raise ConditionError(operand_path, f"'in' needs a yes/no or single-choice question; {question_id} is {question.type}")
        values = [str(v) for v in _as_list(operand, operand_path, "answers")]
        for index, value in enumerate(values):
            if value not in ranks:
                raise ConditionError(
                    operand_path + (index,),
                    f"{value!r} is not an answer of {question_id}; expected one of {', '.join(ranks)}" + did_you_mean(value, list(ranks)),
                )
        chosen = frozenset(values)
        lowest = min(ranks[v] for v in chosen)
        missing = sorted(v for v, rank in ranks.items() if rank >= lowest and v not in chosen)
        if missing:
            fires_for = min(chosen, key=lambda v: ranks[v])
            raise ConditionError(
                operand_path,
                f"fires for {fires_for!r} (risk {ranks[fires_for]}) but not for the riskier or equal "
                f"{', '.join(repr(m) + f' (risk {ranks[m]})' for m in missing)}; include them so that a worse "
                "answer can never lower the score",
            )
        return AnswerIn(question_id, chosen)

    if operator in _COMPARATORS:
        if question.type != "number":
            raise ConditionError(operand_path, f"'{operator}' needs a number question; {question_id} is {question.type}")
        needed = "higher" if operator in ("gte", "gt") else "lower"
        if question.risk_direction != needed:
            raise ConditionError(
                operand_path,
                f"'{operator}' on {question_id} needs risk_direction: {needed} (it is "
                f"{question.risk_direction or 'unset'}); otherwise a riskier number could stop the rule firing",
            )
        threshold = _number(operand, operand_path)
        low, high = question.minimum, question.maximum
        if (low is not None and threshold < low) or (high is not None and threshold > high):
            bounds = f"{'-inf' if low is None else f'{low:g}'} to {'+inf' if high is None else f'{high:g}'}"
            raise ConditionError(
                operand_path,
                f"threshold {threshold:g} lies outside the answers {question_id} allows ({bounds} {question.unit}); "
                "the rule would fire for every answer or for none",
            )
        return AnswerCompare(question_id, operator, threshold)

    # contains_any / lacks_any
    if question.type != "multiple_choice":
        raise ConditionError(operand_path, f"'{operator}' needs a multiple-choice question; {question_id} is {question.type}")
    risks = {choice.value: choice.risk for choice in question.choices or []}
    values = [str(v) for v in _as_list(operand, operand_path, "options")]
    for index, value in enumerate(values):
        if value not in risks:
            raise ConditionError(operand_path + (index,), f"{value!r} is not an option of {question_id}{did_you_mean(value, list(risks))}")
        if operator == "contains_any" and risks[value] == 0:
            raise ConditionError(operand_path + (index,), f"contains_any may only name exposure options (risk > 0); {value!r} has risk 0")
        if operator == "lacks_any" and risks[value] != 0:
            raise ConditionError(
                operand_path + (index,), f"lacks_any may only name protective options (risk 0); {value!r} has risk {risks[value]}"
            )
    return AnswerContains(question_id, frozenset(values), lacks=operator == "lacks_any")


def _compile_vendor(raw: dict[str, Any], path: PathKey) -> Condition:
    fact = raw["vendor"]
    if fact not in VENDOR_FACTS:
        raise ConditionError(path + ("vendor",), f"unknown vendor fact {fact!r}; expected one of {', '.join(VENDOR_FACTS)}")
    operator = _single_operator(raw, "vendor", ("in", "in_list"), path)
    if operator == "in_list" and fact not in JURISDICTION_FACTS:
        raise ConditionError(path + ("in_list",), f"in_list reads jurisdictions; {fact} is not one (use in: [...])")
    if operator == "in_list":
        name = str(raw["in_list"])
        if name not in JURISDICTION_LISTS:
            raise ConditionError(
                path + ("in_list",),
                f"unknown jurisdiction list {name!r}{did_you_mean(name, JURISDICTION_LISTS)}; "
                f"expected one of {', '.join(JURISDICTION_LISTS)}",
            )
        return VendorIn(fact, frozenset(), name)
    values = _as_list(raw["in"], path + ("in",), "codes")
    allowed = CONTROL_KINDS if fact == "concern_owner_controls" else VENDOR_FACT_VALUES.get(fact)
    for index, value in enumerate(values):
        if allowed is not None and str(value) not in allowed:
            raise ConditionError(
                path + ("in", index),
                f"{value!r} is not a value of {fact}; expected one of {', '.join(allowed)}{did_you_mean(str(value), allowed)}",
            )
    return VendorIn(fact, frozenset(str(v).upper() for v in values))


def _compile_ownership(raw: dict[str, Any], path: PathKey) -> Condition:
    if len(raw) != 1:
        raise ConditionError(path, "expected {ownership: [facts]} alone in its mapping")
    values = [str(v) for v in _as_list(raw["ownership"], path + ("ownership",), "ownership facts")]
    for index, value in enumerate(values):
        if value not in OWNERSHIP_FACTS:
            raise ConditionError(
                path + ("ownership", index),
                f"unknown ownership fact {value!r}{did_you_mean(value, OWNERSHIP_FACTS)}; expected one of {', '.join(OWNERSHIP_FACTS)}",
            )
    return OwnershipIs(frozenset(values))


def _compile_buyer(raw: dict[str, Any], path: PathKey) -> Condition:
    flag = raw["buyer"]
    if len(raw) != 1 or not isinstance(flag, str) or flag not in BUYER_FLAGS:
        raise ConditionError(
            path + ("buyer",), f"expected {{buyer: FLAG}} with FLAG one of {', '.join(BUYER_FLAGS)}{did_you_mean(str(flag), BUYER_FLAGS)}"
        )
    return BuyerIs(flag)


def _compile_engagement(raw: dict[str, Any], path: PathKey) -> Condition:
    fact = raw["engagement"]
    if not isinstance(fact, str) or fact not in ENGAGEMENT_VALUES:
        raise ConditionError(
            path + ("engagement",),
            f"unknown engagement fact {fact!r}{did_you_mean(str(fact), ENGAGEMENT_VALUES)}; expected one of {', '.join(ENGAGEMENT_VALUES)}",
        )
    operator = _single_operator(raw, "engagement", ("in", "contains_any"), path)
    allowed = ENGAGEMENT_VALUES[fact]
    values = [str(v) for v in _as_list(raw[operator], path + (operator,), "values")]
    for index, value in enumerate(values):
        if value not in allowed:
            raise ConditionError(
                path + (operator, index),
                f"{value!r} is not a value of {fact}; expected one of {', '.join(allowed)}{did_you_mean(value, allowed)}",
            )
    return EngagementIn(fact, frozenset(values))


def _compile_screening(raw: dict[str, Any], path: PathKey) -> Condition:
    if len(raw) != 1 or not isinstance(raw["screening"], dict):
        raise ConditionError(path, "expected {screening: {lists: [...], roles: [...]}}")
    spec = raw["screening"]
    unknown = sorted(set(spec) - {"lists", "roles"})
    if unknown:
        raise ConditionError(path + ("screening",), f"unknown keys {unknown}; expected lists and roles")
    lists = spec.get("lists")
    roles = spec.get("roles")
    list_set = None
    if lists is not None:
        list_set = frozenset(str(v) for v in _as_list(lists, path + ("screening", "lists"), "list keys"))
        for key in sorted(list_set - set(LIST_NAMES)):
            raise ConditionError(
                path + ("screening", "lists"),
                f"unknown list key {key!r}{did_you_mean(key, LIST_NAMES)}; expected one of {', '.join(LIST_NAMES)}",
            )
    role_set = None
    if roles is not None:
        role_set = frozenset(str(v) for v in _as_list(roles, path + ("screening", "roles"), "roles"))
        bad = sorted(role_set - set(ROLES))
        if bad:
            raise ConditionError(path + ("screening", "roles"), f"unknown roles {bad}; expected {', '.join(ROLES)}")
    return Listed(list_set, role_set)
