"""From what an AI-BOM says to proposed dossier answers (``provcheck import-bom``).

Only answers the BOM can support are proposed, each with evidence pointing
at the BOM (its published location, the JSON pointer of the fact in the
title), the BOM's date as ``as_of`` and a note that says it was prefilled and
should be reviewed:

* ancestors (``pedigree``, ``ancestorOf``): the base model is disclosed,
  the model was derived from another organisation's base (or the vendor's
  own, when the ancestor's supplier is the vendor), and which one;
* the licence: ``permissive_open`` for plainly permissive SPDX ids,
  ``open_with_restrictions`` for licences that name use restrictions (RAIL,
  non-commercial, community licences); any other licence is named in a
  notice and left for a reviewer;
* training data described (datasets, training notes): documented at least
  by category (``category_summary``), with the descriptions in the note;
* a model card (an external reference, or model-card sections in the BOM):
  ``full`` when parameters, metrics and limitations are all there, else
  ``partial``.

Nothing already answered is replaced unless ``force`` says so; such answers
are listed as kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from provenance_cli.formats.aibom import BomModel, Fact
from provenance_cli.formats.dossier import Dossier
from provenance_cli.formats.dossier_edit import AnswerChange
from provenance_cli.formats.links import model_key
from provenance_cli.formats.questionnaires import Catalogue

PERMISSIVE = frozenset(
    {"apache-2.0", "mit", "bsd-2-clause", "bsd-3-clause", "isc", "0bsd", "unlicense", "cc0-1.0", "cc-by-4.0", "zlib", "bsl-1.0", "upl-1.0"}
)
"""SPDX licence ids that grant use without restrictions on purpose or users."""
RESTRICTED = re.compile(r"rail|(^|[-_ ])nc([-_ ]|$)|non-?commercial|community|acceptable[- ]use", re.IGNORECASE)
"""Names that say a licence restricts use (OpenRAIL, CC BY-NC, community licences with use or user limits)."""
NOTE_LIMIT = 600


@dataclass(frozen=True)
class BomPlan:
    """What an import would change, and what it leaves alone."""

    changes: tuple[AnswerChange, ...]
    kept: tuple[str, ...] = ()
    """Answers the dossier already has, left as they are (``--force`` replaces them)."""
    notices: tuple[str, ...] = field(default=())
    """What the BOM says that provcheck does not turn into an answer (a licence it cannot classify, a link to add)."""


def _same_party(name: str | None, dossier: Dossier) -> bool:
    if not name:
        return False
    vendor = dossier.model.vendor
    wanted = " ".join(name.split()).casefold()
    return any(wanted == " ".join(n.split()).casefold() for n in (vendor.name, vendor.legal_name, *vendor.aliases))


def evidence_kind(bom: BomModel, dossier: Dossier) -> str:
    """``vendor_attestation`` when the vendor wrote (or supplies the model of) the BOM, else ``third_party``."""
    return "vendor_attestation" if any(_same_party(who, dossier) for who in (*bom.authors, bom.supplier)) else "third_party"


def licence_answer(licences: tuple[Fact, ...]) -> tuple[str | None, Fact | None]:
    """The ``lineage.weights_licence`` answer the BOM's licences support, and the licence it rests on."""
    for fact in licences:
        ids = [part for part in re.split(r"\s+(?:AND|OR|WITH)\s+|[()]", fact.value) if part.strip()]
        if ids and all(part.strip().casefold() in PERMISSIVE for part in ids):
            return "permissive_open", fact
        if RESTRICTED.search(fact.value):
            return "open_with_restrictions", fact
    return None, licences[0] if licences else None


def _card_answer(bom: BomModel) -> str | None:
    if len(bom.card_sections) >= 3:
        return "full"
    if bom.card_sections or bom.model_card_url is not None:
        return "partial"
    return None


def plan_bom_import(
    bom: BomModel,
    dossier: Dossier,
    catalogue: Catalogue,
    *,
    model: str | None,
    bom_url: str,
    kind: str,
    today: date,
    force: bool = False,
) -> BomPlan:
    """The answers ``bom`` supports for ``dossier`` (for ``model``'s own answers, or the vendor's when None)."""
    label = f"{bom.format} BOM of {bom.name}{f' {bom.version}' if bom.version else ''}"
    as_of = date.fromisoformat(bom.created) if bom.created else today
    proposals: list[tuple[str, Any, Fact, str, tuple[dict[str, Any], ...]]] = []
    notices: list[str] = []

    def propose(question: str, answer: Any, fact: Fact, said: str, extra: tuple[dict[str, Any], ...] = ()) -> None:
        proposals.append((question, answer, fact, said, extra))

    if bom.ancestors:
        first = bom.ancestors[0]
        origin = Fact(", ".join(_ancestor(a) for a in bom.ancestors), first.pointer)
        own = all(_same_party(a.supplier, dossier) for a in bom.ancestors)
        propose("lineage.base_model_disclosed", "yes", origin, f"the BOM names the base model: {origin.value}")
        propose(
            "lineage.derivation", "fine_tuned_own_base" if own else "fine_tuned_third_party_base", origin, f"derived from {origin.value}"
        )
        if not own:
            propose("lineage.base_model_origin", f"{origin.value} (from the {bom.format} BOM's pedigree)", origin, "the BOM's ancestors")
        notices.append(
            f"the BOM names the base model {origin.value}: if a dossier describes it, link it with "
            f"base_model: {{vendor: <its vendor id>, model: {first.name}}} on the model entry"
        )
    answer, licence = licence_answer(bom.licences)
    if answer is not None and licence is not None:
        propose("lineage.weights_licence", answer, licence, f"licence {licence.value}")
    elif licence is not None:
        notices.append(f"the BOM names the licence {licence.value!r} ({licence.pointer}); classify it in lineage.weights_licence yourself")
    if bom.training:
        described = "; ".join(f.value.rstrip(".") for f in bom.training)
        if len(described) > NOTE_LIMIT:
            described = described[: NOTE_LIMIT - 1] + "…"
        propose(
            "lineage.training_data_documentation",
            "category_summary",
            bom.training[0],
            f"training data as the BOM describes it: {described}",
        )
    card = _card_answer(bom)
    if card is not None:
        fact = bom.model_card_url or Fact(", ".join(bom.card_sections), bom.pointer)
        extra: tuple[dict[str, Any], ...] = ()
        if bom.model_card_url is not None and bom.model_card_url.value.startswith(("https://", "http://")):
            extra = ({"url": bom.model_card_url.value, "title": f"Model card of {bom.name}", "kind": kind},)
        sections = ", ".join(bom.card_sections) or "none in the BOM"
        propose(
            "lineage.model_card", card, fact, f"model card {'linked' if bom.model_card_url else 'in the BOM'}; sections: {sections}", extra
        )

    current = {**dossier.answers, **(dossier.model_answers.get(model, {}) if model is not None else {})}
    changes: list[AnswerChange] = []
    kept: list[str] = []
    effective = dict(current)
    for question, value, fact, said, cited in proposals:
        if current.get(question) is not None and not force:
            kept.append(
                f"{question}: kept the dossier's answer ({_shown(current[question])}); the BOM would say {value} (--force replaces it)"
            )
            continue
        effective[question] = value
        evidence = ({"url": bom_url, "title": f"{label}, {fact.pointer}", "retrieved": today, "kind": kind}, *cited)
        note = f"Proposed from the {label} ({fact.pointer}): {said.rstrip('.')}. Review before relying on it."
        changes.append(AnswerChange(question, value, add_evidence=evidence, note=note, as_of=as_of))
    applicable = _still_applies(changes, effective, catalogue)
    dropped = [c.question_id for c in changes if c.question_id not in applicable]
    notices += [f"{qid}: not proposed, it does not apply with the dossier's other answers" for qid in dropped]
    return BomPlan(tuple(c for c in changes if c.question_id in applicable), tuple(kept), tuple(notices))


def _ancestor(ancestor: Any) -> str:
    version = f" {ancestor.version}" if ancestor.version else ""
    by = f" by {ancestor.supplier}" if ancestor.supplier else ""
    return f"{ancestor.name}{version}{by}"


def _shown(value: Any) -> str:
    if isinstance(value, frozenset):
        return ", ".join(sorted(value))
    return str(value)


def _still_applies(changes: list[AnswerChange], answers: dict[str, Any], catalogue: Catalogue) -> set[str]:
    """The changed questions whose ``applies_if`` holds once every change is made."""
    from provenance_cli.formats.conditions import Facts

    facts = Facts(answers=answers)
    return {c.question_id for c in changes if c.question_id not in catalogue.applies_if or catalogue.applies_if[c.question_id].holds(facts)}


def target_model(bom: BomModel, dossier: Dossier, chosen: str | None) -> tuple[int | None, str | None, str | None]:
    """(index, name) of the model entry whose answers the import fills, or (None, None) for the vendor's; and a problem, if any.

    ``chosen`` (``--model``) names it; otherwise the BOM's model is matched by
    name. A dossier with one model or none takes the vendor's answers when the
    name matches (or when it lists none).
    """
    models = dossier.model.models
    names = [m.name for m in models]
    wanted = chosen or bom.name
    found = next((i for i, name in enumerate(names) if model_key(name) == model_key(wanted)), None)
    if found is None and chosen is None:
        found = next(
            (i for i, name in enumerate(names) if model_key(bom.name) in model_key(name) or model_key(name) in model_key(bom.name)), None
        )
    if found is None:
        if chosen is None and not models:
            return None, None, None
        listed = ", ".join(names) or "none"
        return None, None, f"the dossier lists no model {wanted!r} (its models: {listed}); name the model to fill with --model"
    if len(models) == 1:
        return None, names[found], None
    return found, names[found], None
