"""Reading a vendor dossier and checking it against the questionnaires.

Shape errors come from the pydantic model; meaning errors (unknown question
ids, answers outside the allowed set, answers to questions that do not
apply) are checked here with the questionnaire in hand. Either way every
problem carries the dossier's file, line and column, and all problems in a
file are reported at once so an author can fix them in one pass.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from provenance_cli.formats.conditions import Facts
from provenance_cli.formats.links import LinkDecl, LinkSubject, model_key
from provenance_cli.formats.models import DossierModel, ModelInScope, Question, Vendor, parse_iso_date
from provenance_cli.formats.policy import PolicyModel
from provenance_cli.formats.problems import problems_from
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.safeyaml import Document, decode_utf8, load_text, read_bytes
from provenance_cli.formats.vocabulary import UNDISCLOSED, did_you_mean
from provenance_cli.util.errors import InputError, Problem


@dataclass(frozen=True)
class Dossier:
    """A validated dossier with its answers normalised for scoring."""

    source: str
    """The file as the user named it."""
    sha256: str
    """Digest of the file's bytes, for report provenance."""
    model: DossierModel
    answers: dict[str, Any]
    """Normalised answer per answered question: str, float, date, frozenset or 'undisclosed'."""
    lines: dict[str, int]
    """Line of each answer in the file, for messages that point back at it."""
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) in the file of each answer's value (its key when unanswered), by question id,
    and of ``vendor`` (the vendor's name) and ``answers`` (the block): where a finding points in SARIF and CI annotations."""
    model_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Normalised answers that differ for one model, by the model's name as the dossier lists it."""
    model_positions: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    """Positions of each model's own answers (as :attr:`positions`), by the model's name."""
    links: tuple[LinkDecl, ...] = ()
    """The links the dossier declares (base models, upstreams, owners' dossiers), with their positions."""
    id_position: tuple[int, int] = (0, 0)
    """Where the vendor id (or, without one, the vendor's name) is written, for messages about the id."""

    @property
    def vendor_name(self) -> str:
        """The display name reports and messages use."""
        return self.model.vendor.name

    @property
    def vendor_id(self) -> str:
        """The stable id other dossiers link to: ``vendor.id``, or the slug of the vendor's name."""
        return vendor_id_of(self.model.vendor)

    def link_subject(self, *, context_only: bool = False) -> LinkSubject:
        """What the link graph needs to know about this dossier."""
        return LinkSubject(
            vendor_id=self.vendor_id,
            vendor_name=self.vendor_name,
            source=self.source,
            models=tuple(m.name for m in self.model.models),
            links=self.links,
            id_line=self.id_position[0],
            id_column=self.id_position[1],
            context_only=context_only,
        )

    def in_scope(self) -> tuple[ModelInScope, ...]:
        """The models the engagement uses: those it names, or every model listed when it names none."""
        engagement = self.model.engagement
        named = engagement.models if engagement is not None else None
        if named is None:
            return tuple(self.model.models)
        wanted = {model_key(name) for name in named}
        return tuple(m for m in self.model.models if model_key(m.name) in wanted)

    def answer_home(self, model: str | None) -> tuple[int | None, frozenset[str]]:
        """Where answers for ``model`` are written: its index in ``models`` and the questions it answers itself.

        An answer read for a model goes where the answer it replaces lives: into the model's own ``answers:``
        when the model overrides that question, into the vendor's otherwise (so shared answers stay shared).
        (None, empty) for the vendor's own answers. ValueError names the models when ``model`` is not listed.
        """
        if model is None:
            return None, frozenset()
        names = [m.name for m in self.model.models]
        if model not in names:
            listed = ", ".join(repr(name) for name in names) or "none"
            raise ValueError(f"the dossier lists no model {model!r} (its models: {listed})")
        index = names.index(model)
        return index, frozenset(self.model.models[index].answers or {})

    def for_model(self, name: str) -> Dossier:
        """This dossier as it reads for one model: the model's own answers replace the vendor's.

        Scoring the result gives the model's own tier and decision; a model
        with no answers of its own reads exactly like the vendor.
        """
        own = self.model_answers.get(name)
        entry = next((m for m in self.model.models if m.name == name), None)
        if not own and (entry is None or not entry.answers):
            return self
        merged_entries = {**self.model.answers, **(entry.answers if entry is not None else {})}
        own_positions = self.model_positions.get(name, {})
        return Dossier(
            source=self.source,
            sha256=self.sha256,
            model=self.model.model_copy(update={"answers": merged_entries}),
            answers={**self.answers, **(own or {})},
            lines={**self.lines, **{qid: line for qid, (line, _) in own_positions.items()}},
            positions={**self.positions, **own_positions},
            model_answers=self.model_answers,
            model_positions=self.model_positions,
            links=self.links,
            id_position=self.id_position,
        )

    def facts(
        self,
        listings: frozenset[tuple[str, str]] = frozenset(),
        *,
        buyer: frozenset[str] = frozenset(),
        jurisdiction_lists: dict[str, frozenset[str]] | None = None,
        ownership: frozenset[str] = frozenset(),
    ) -> Facts:
        """Everything rules may read about this vendor, with the buyer's profile and lists from the policy."""
        vendor = self.model.vendor
        lists = jurisdiction_lists or {}
        return Facts(
            answers=self.answers,
            vendor={
                "headquarters": frozenset({vendor.headquarters}) if vendor.headquarters else frozenset(),
                "parent_jurisdictions": frozenset(p.jurisdiction for p in vendor.parents if p.jurisdiction),
                "hosting_regions": frozenset(vendor.hosting_regions),
                "developer_jurisdictions": frozenset(
                    m.developer.jurisdiction for m in self.in_scope() if m.developer and m.developer.jurisdiction
                ),
                **ownership_chain_facts(vendor, lists),
            },
            listings=listings,
            buyer=buyer,
            jurisdiction_lists=lists,
            engagement=self.engagement_facts(),
            ownership=ownership,
        )

    def engagement_facts(self) -> dict[str, frozenset[str]]:
        """The engagement facts the dossier states; one it leaves out is unknown (absent here)."""
        engagement = self.model.engagement
        if engagement is None:
            return {}
        known: dict[str, frozenset[str]] = {}
        if engagement.data_classes is not None:
            known["data_classes"] = frozenset(engagement.data_classes)
        if engagement.criticality is not None:
            known["criticality"] = frozenset({engagement.criticality})
        if engagement.users is not None:
            known["users"] = frozenset({engagement.users})
        return known


def _choices_hint(options: list[str], given: str) -> str:
    return f"expected one of {', '.join(options)}{did_you_mean(given, options)}"


def normalise_answer(question: Question, raw: Any) -> Any:  # noqa: C901 - one branch per answer type, each with its own message
    """The typed value of ``raw`` for ``question``; ValueError says what was expected."""
    if isinstance(raw, str) and raw.strip() == UNDISCLOSED:
        return UNDISCLOSED
    kind = question.type
    if kind == "multiple_choice":
        if not isinstance(raw, list):
            raise ValueError(f"expected a list of options or 'undisclosed', got {raw!r}")
        options = [choice.value for choice in question.choices or []]
        chosen: list[str] = []
        for item in raw:
            if not isinstance(item, str) or item not in options:
                raise ValueError(f"{item!r} is not an option; {_choices_hint(options, str(item))}")
            if item in chosen:
                raise ValueError(f"{item!r} is listed twice")
            chosen.append(item)
        return frozenset(chosen)
    if isinstance(raw, (list, dict)):
        label = {"yes_no": "yes/no", "single_choice": "single-choice"}.get(kind, kind)
        raise ValueError(f"expected a single value for this {label} question, got a {'list' if isinstance(raw, list) else 'mapping'}")
    text = str(raw).strip()
    if kind == "yes_no":
        if text not in ("yes", "no"):
            raise ValueError(f"expected yes, no or undisclosed, got {raw!r}")
        return text
    if kind == "single_choice":
        options = [choice.value for choice in question.choices or []]
        if text not in options:
            raise ValueError(f"{raw!r} is not an allowed answer; {_choices_hint(options + [UNDISCLOSED], text)}")
        return text
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number of {question.unit} or 'undisclosed', got {raw!r}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"expected a finite number, got {raw!r}")
        if question.minimum is not None and number < question.minimum:
            raise ValueError(f"expected at least {question.minimum:g} {question.unit}, got {text}")
        if question.maximum is not None and number > question.maximum:
            raise ValueError(f"expected at most {question.maximum:g} {question.unit}, got {text}")
        return number
    if kind == "date":
        parsed: date = parse_iso_date(text)
        return parsed
    if not text:
        raise ValueError("expected text or 'undisclosed', got an empty string")
    return text


def describe_condition(raw: Any) -> str:
    """A short human rendering of a YAML condition for messages."""
    if isinstance(raw, dict):
        if "all" in raw or "any" in raw:
            key = "all" if "all" in raw else "any"
            joiner = " and " if key == "all" else " or "
            return "(" + joiner.join(describe_condition(item) for item in raw[key]) + ")"
        subject = raw.get("answer") or f"vendor {raw.get('vendor')}" if "vendor" in raw or "answer" in raw else "screening"
        operators = {k: v for k, v in raw.items() if k not in ("answer", "vendor")}
        parts = [f"{k.replace('_', ' ')} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in operators.items()]
        return f"{subject} {' '.join(parts)}"
    return str(raw)


def check_answers(
    document: Document,
    model: DossierModel,
    catalogue: Catalogue,
    *,
    entries: dict[str, Any] | None = None,
    prefix: tuple[str | int, ...] = ("answers",),
    base: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Normalise every answer and collect problems of meaning.

    ``entries`` and ``prefix`` check another block of answers (a model's own,
    under ``models[i].answers``); ``base`` holds the answers they replace, so
    that ``applies_if`` is judged on what the model reads as a whole.
    """
    problems: list[Problem] = []
    answers: dict[str, Any] = {}
    known = list(catalogue.questions)
    given_entries = model.answers if entries is None else entries
    for question_id, entry in given_entries.items():
        path = (*prefix, question_id)
        question = catalogue.questions.get(question_id)
        if question is None:
            hint = did_you_mean(question_id, known, cutoff=0.5)
            problems.append(document.problem(path, f"unknown question id {question_id!r}{hint}", prefer_key=True))
            continue
        if entry.answer is None:
            continue
        try:
            answers[question_id] = normalise_answer(question, entry.answer)
        except ValueError as exc:
            problems.append(document.problem(path + ("answer",), f"{question_id}: {exc}"))

    facts = Facts(answers={**(base or {}), **answers})
    for question_id, condition in catalogue.applies_if.items():
        given = given_entries.get(question_id)
        if given is None or given.answer is None or question_id not in answers:
            continue
        if not condition.holds(facts):
            raw = catalogue.questions[question_id].applies_if
            problems.append(
                document.problem(
                    (*prefix, question_id, "answer"),
                    f"{question_id} applies only when {describe_condition(raw)}; remove this answer or correct the earlier one",
                )
            )
    return answers, problems


def parse_dossier(raw: bytes, source: str, catalogue: Catalogue) -> Dossier:
    """Validate dossier bytes; raises InputError listing every problem found."""
    return dossier_from_document(load_text(decode_utf8(raw, source), source), hashlib.sha256(raw).hexdigest(), catalogue)


def dossier_from_document(document: Document, digest: str, catalogue: Catalogue) -> Dossier:
    """Validate an already parsed dossier (``digest`` is the sha256 of its file's bytes)."""
    source = document.source
    try:
        model = DossierModel.model_validate(document.data)
    except ValidationError as exc:
        problems = problems_from(exc, document, DossierModel)
        # Still check answer meaning where the answers block itself is sound.
        raw_answers = document.data.get("answers")
        if isinstance(raw_answers, dict):
            problems.extend(_answer_problems_without_model(document, raw_answers, catalogue))
        raise InputError(problems) from None
    answers, problems = check_answers(document, model, catalogue)
    problems += ownership_problems(document, model)
    model_answers, model_problems = check_models(document, model, catalogue, answers)
    problems += model_problems
    if problems:
        raise InputError(problems)
    lines = {qid: document.locate(("answers", qid), prefer_key=True)[0] for qid in model.answers}
    id_path = ("vendor", "id") if model.vendor.id is not None else ("vendor", "name")
    return Dossier(
        source,
        digest,
        model,
        answers,
        lines,
        answer_positions(document, model),
        model_answers=model_answers,
        model_positions=model_answer_positions(document, model),
        links=declared_links(document, model),
        id_position=document.locate(id_path),
    )


def vendor_id_of(vendor: Vendor) -> str:
    """``vendor.id``, or the slug of the vendor's display name (``Northwind Frontier`` -> ``northwind-frontier``)."""
    if vendor.id is not None:
        return vendor.id
    from provenance_cli.util.slug import slugify

    return slugify(vendor.name)


def check_models(
    document: Document, model: DossierModel, catalogue: Catalogue, answers: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """Each model's own answers (normalised), and problems: duplicate names, unknown models named by the engagement."""
    problems: list[Problem] = []
    by_model: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for index, entry in enumerate(model.models):
        key = model_key(entry.name)
        if key in seen:
            first = f"first as models[{seen[key]}]"
            problems.append(document.problem(("models", index, "name"), f"model {entry.name!r} is listed twice ({first})"))
            continue
        seen[key] = index
        if entry.base_model is not None and entry.base_model.model is None:
            problems.append(document.problem(("models", index, "base_model"), "base_model needs the base model's name (model: ...)"))
        if entry.answers:
            own, found = check_answers(document, model, catalogue, entries=entry.answers, prefix=("models", index, "answers"), base=answers)
            problems.extend(found)
            by_model[entry.name] = own
    engagement = model.engagement
    for index, name in enumerate(engagement.models or [] if engagement is not None else []):
        if model_key(name) not in seen:
            listed = [m.name for m in model.models]
            problems.append(
                document.problem(
                    ("engagement", "models", index),
                    f"the engagement names model {name!r}, which the dossier's models do not list "
                    f"(listed: {', '.join(listed) or 'none'}){did_you_mean(name, listed)}",
                )
            )
    return by_model, problems


def declared_links(document: Document, model: DossierModel) -> tuple[LinkDecl, ...]:
    """Every link the dossier declares, with its position; a link that leaves out the vendor points into this dossier."""
    own = vendor_id_of(model.vendor)
    found: list[LinkDecl] = []
    for index, entry in enumerate(model.models):
        if entry.base_model is not None and entry.base_model.model is not None:
            line, column = document.locate(("models", index, "base_model"))
            found.append(LinkDecl("base_model", entry.name, entry.base_model.vendor or own, entry.base_model.model, line, column))
        for position, route in enumerate(entry.routes_to):
            line, column = document.locate(("models", index, "routes_to", position))
            found.append(LinkDecl("routes_to", entry.name, route.vendor or own, route.model, line, column))
    for index, parent in enumerate(model.vendor.parents):
        if parent.dossier is not None:
            line, column = document.locate(("vendor", "parents", index, "dossier"))
            found.append(LinkDecl("parent", None, parent.dossier, None, line, column))
    return tuple(found)


def answer_positions(document: Document, model: DossierModel) -> dict[str, tuple[int, int]]:
    """Where each answer stands in the file (see :attr:`Dossier.positions`)."""
    positions = {
        "vendor": document.locate(("vendor", "name")),
        "answers": document.locate(("answers",), prefer_key=True),
    }
    positions.update(_entry_positions(document, model.answers, ("answers",)))
    return positions


def model_answer_positions(document: Document, model: DossierModel) -> dict[str, dict[str, tuple[int, int]]]:
    """Where each model's own answers stand, by the model's name, so a model's findings point at its override."""
    return {
        entry.name: _entry_positions(document, entry.answers, ("models", index, "answers"))
        for index, entry in enumerate(model.models)
        if entry.answers
    }


def _entry_positions(document: Document, entries: Mapping[str, Any], prefix: tuple[str | int, ...]) -> dict[str, tuple[int, int]]:
    """The answer value's (line, column) of each entry under ``prefix``; the question's key when it has no answer."""
    positions = {}
    for question_id, entry in entries.items():
        value_path = prefix + (question_id, "answer")
        if getattr(entry, "answer", None) is not None and value_path in document.positions:
            positions[question_id] = document.positions[value_path]
        else:
            positions[question_id] = document.locate(prefix + (question_id,), prefer_key=True)
    return positions


def ownership_chain_facts(vendor: Vendor, lists: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """What the ownership record itself says, for rules (upper-cased like every vendor fact).

    ``concern_owner_controls``: how owners in a jurisdiction on the policy's
    embargoed or of-concern list hold their stake (golden shares, VIEs, board
    control...); ``ownership_gaps``: SHARE_UNKNOWN when an owner's share is not
    recorded, so the 50 percent rule cannot be applied with certainty.
    """
    concern = lists.get("embargoed", frozenset()) | lists.get("of_concern", frozenset())
    controls = frozenset(kind.upper() for p in vendor.parents if p.jurisdiction in concern for kind in p.control)
    gaps = frozenset({"SHARE_UNKNOWN"}) if any(p.share is None for p in vendor.parents) else frozenset()
    return {"concern_owner_controls": controls, "ownership_gaps": gaps}


VENDOR_HOLDING = "vendor"
"""What ``holds_in`` may say for the vendor itself (its name and legal name work too)."""


def holding_targets(vendor: Vendor) -> dict[int, int | None]:
    """Where each owner holds its share: None for the vendor, else the index of the owner ``holds_in`` names.

    Names compare case-insensitively; the first owner of a name wins. An owner
    whose ``holds_in`` names nobody is left out (the loader reports it).
    """
    vendor_names = {VENDOR_HOLDING, vendor.name.casefold().strip(), vendor.legal_name.casefold().strip()}
    index_of: dict[str, int] = {}
    for index, parent in enumerate(vendor.parents):
        index_of.setdefault(parent.name.casefold().strip(), index)
    targets: dict[int, int | None] = {}
    for index, parent in enumerate(vendor.parents):
        target = (parent.holds_in or VENDOR_HOLDING).casefold().strip()
        if target in vendor_names:
            targets[index] = None
        elif target in index_of:
            targets[index] = index_of[target]
    return targets


def ownership_problems(document: Document, model: DossierModel) -> list[Problem]:
    """Each owner holds its share in the vendor or in another named owner; no cycles; no more than 100% of anything."""
    problems: list[Problem] = []
    vendor = model.vendor
    held: dict[str, float] = {}
    target_of = holding_targets(vendor)
    for index, parent in enumerate(vendor.parents):
        if index in target_of:
            if target_of[index] == index:
                problems.append(document.problem(("vendor", "parents", index, "holds_in"), f"{parent.name!r} cannot hold shares in itself"))
                continue
        else:
            known = [VENDOR_HOLDING, *(p.name for p in vendor.parents)]
            problems.append(
                document.problem(
                    ("vendor", "parents", index, "holds_in"),
                    f"holds_in {parent.holds_in!r} names neither the vendor nor another owner{did_you_mean(str(parent.holds_in), known)}",
                )
            )
            continue
        if parent.share is not None:
            key = str(target_of[index])
            held[key] = held.get(key, 0.0) + parent.share
            if held[key] > 100.0 + 1e-9:
                name = "the vendor" if target_of[index] is None else repr(vendor.parents[target_of[index] or 0].name)
                problems.append(
                    document.problem(("vendor", "parents", index, "share"), f"owners' shares of {name} add up to more than 100%")
                )
    for start in target_of:
        seen = {start}
        current = target_of.get(start)
        while current is not None:
            if current in seen:
                problems.append(
                    document.problem(
                        ("vendor", "parents", start, "holds_in"), f"ownership of {vendor.parents[start].name!r} runs in a circle"
                    )
                )
                break
            seen.add(current)
            current = target_of.get(current)
    return problems


def _answer_problems_without_model(document: Document, raw_answers: dict[str, Any], catalogue: Catalogue) -> list[Problem]:
    """Unknown ids and bad answers, even when another part of the file is broken."""
    from provenance_cli.formats.models import AnswerEntry

    entries = {}
    for question_id, entry in raw_answers.items():
        try:
            entries[question_id] = AnswerEntry.model_validate(entry)
        except ValidationError:
            continue
    stub = DossierModel.model_construct(answers=entries)
    _, problems = check_answers(document, stub, catalogue)
    return problems


def read_dossier(path: Path, catalogue: Catalogue) -> Dossier | str:
    """The dossier in ``path``, or the kind of file it is instead (questionnaire, policy, evidence lock).

    Folders of dossiers often hold policies and lock files too; callers skip
    those quietly and refuse them only when the user named the file.
    """
    source = str(path)
    raw = read_bytes(path)
    document = load_text(decode_utf8(raw, source), source)
    kind = file_kind(document.data)
    if kind != "dossier":
        return kind
    return dossier_from_document(document, hashlib.sha256(raw).hexdigest(), catalogue)


def load_dossier(path: Path, catalogue: Catalogue | None = None) -> Dossier:
    """Read and validate one dossier file against the (bundled) questionnaires."""
    if catalogue is None:
        from provenance_cli.formats.questionnaires import load_catalogue

        catalogue = load_catalogue()
    return parse_dossier(read_bytes(path), str(path), catalogue)


def file_kind(data: dict[str, object]) -> str:
    """What a parsed provcheck YAML file is, from its top-level keys.

    dossier, questionnaire, frameworks (a frameworks file), policy or evidence
    lock: folders of dossiers often hold the others too, and each command must
    know which files are its own.
    A policy written without its ``policy:`` version line (format 1 allowed
    that) is still a policy when it has keys only policies have, so
    ``validate`` checks it as the policy ``assess --policy`` reads.
    """
    if "provcheck_evidence_lock" in data:  # the lock's own format key: a stray key beside it does not make it a policy
        return "evidence lock"
    if "questions" in data:
        return "questionnaire"
    if "frameworks" in data and "vendor" not in data:
        return "frameworks"
    if "policy" in data:
        return "policy"
    if "provcheck_evidence_lock" in data:
        return "evidence lock"
    if "provcheck" not in data and not POLICY_ONLY_KEYS.isdisjoint(data):
        return "policy"
    return "dossier"


POLICY_ONLY_KEYS = frozenset(PolicyModel.model_fields) - {"policy", "name"} - frozenset(DossierModel.model_fields)
"""Top-level keys a policy has and a dossier never has (``name`` is too common in other YAML to tell anything)."""

MARKER_KEYS = {
    "questions": "questionnaire",
    "policy": "policy",
    "provcheck_evidence_lock": "evidence lock",
    "provcheck": "dossier",
    "frameworks": "frameworks",
}
"""The top-level key that marks each kind of provcheck file; a dossier's ``provcheck:`` wins over ``frameworks:``."""

_MARKER_LINE = re.compile(r"""^["']?(questions|policy|provcheck_evidence_lock|provcheck|frameworks)["']?[ \t]*:""", re.MULTILINE)


def declared_kind(raw: bytes) -> str | None:
    """The kind of provcheck file ``raw`` declares by a top-level marker key, or None for any other YAML.

    Read from the text, not parsed: tools such as pre-commit hand provcheck
    every YAML file of a repository (workflows, compose files with merge
    keys, multi-document manifests) and those must be passed over, never
    refused by the strict loader. A dossier says ``provcheck:``, a policy
    ``policy:``, a questionnaire ``questions:``, an evidence lock
    ``provcheck_evidence_lock:``, a frameworks file ``frameworks:``, each at
    the start of a line.
    """
    found = {match.group(1) for match in _MARKER_LINE.finditer(raw.decode("utf-8", "replace"))}
    for key, kind in MARKER_KEYS.items():
        if key in found:
            return kind
    return None


def load_dossiers(paths: Iterable[Path], catalogue: Catalogue | None = None) -> list[Dossier]:
    """Every dossier named or found under ``paths``, each parsed once.

    Questionnaires, policies and lock files found in folders are skipped; one
    named explicitly is a problem. All problems of all files are raised
    together (exit 2) before the caller does any work.
    """
    from provenance_cli.util.files import discover

    if catalogue is None:
        from provenance_cli.formats.questionnaires import load_catalogue

        catalogue = load_catalogue()
    paths = list(paths)
    files, problems = discover(paths)
    named = {str(p) for p in paths}
    dossiers: list[Dossier] = []
    for path in files:
        try:
            found = read_dossier(path, catalogue)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if isinstance(found, Dossier):
            dossiers.append(found)
        elif str(path) in named:
            problems.append(Problem(str(path), 0, 0, f"is a {found}, not a dossier"))
    if problems:
        raise InputError(problems)
    if not dossiers:
        raise InputError([Problem(str(p), 0, 0, "no dossiers found") for p in paths])
    return dossiers


def peek_vendor_id(path: Path) -> str | None:
    """The vendor id a file claims, read without validating the rest (None for a file that is not a readable dossier).

    Used to find a link's target beside a file the user named, without
    judging every neighbour of it.
    """
    from provenance_cli.formats.safeyaml import load_file
    from provenance_cli.util.slug import slugify

    try:
        document = load_file(path)
    except InputError:
        return None
    vendor = document.data.get("vendor")
    if file_kind(document.data) != "dossier" or not isinstance(vendor, dict):
        return None
    given = vendor.get("id")
    if isinstance(given, str) and given.strip():
        return given.strip()
    name = vendor.get("name")
    return slugify(name) if isinstance(name, str) and name.strip() else None
