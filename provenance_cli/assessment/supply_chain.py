"""Per-model verdicts and what travels along links between dossiers.

Exposure is per model and per route, not per vendor. Each model listed in a
dossier is scored on its own: its own answers (``models[].answers``) replace
the vendor's, its developer's screening hits and what its links bring count
for it alone. The vendor's tier and decision are those of the worst model in
scope (the models the engagement names, or every model listed).

What travels along a link is not decided here: questionnaire rules read it
with ``{linked: {via: [...], where: ...}}`` conditions. This module only
gathers, for every dossier of a run, what each model and vendor says
(:class:`DossierExport`), and hands every dossier the facts of everything it
reaches over links (:class:`SupplyContext`), with the path in words, so a
finding can say "inherited from Northwind Frontier / Gale 4 via Switchboard
Router's routing".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from provenance_cli.assessment.reconcile import Contradiction
from provenance_cli.assessment.results import ModelResult, SupplyChain, SupplyLink, VendorResult
from provenance_cli.assessment.screening_facts import Screened
from provenance_cli.assessment.triggers import ListEdition
from provenance_cli.formats.conditions import Facts, LinkedFacts
from provenance_cli.formats.dossier import Dossier, holding_targets
from provenance_cli.formats.links import LinkGraph, Node, model_key
from provenance_cli.formats.models import ModelInScope, Vendor
from provenance_cli.formats.policy import Policy
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import DECISION_RANK, TIER_RANK

MAX_REASONS = 3
"""Reasons shown per model in the per-model table."""


@dataclass(frozen=True)
class NodeExport:
    """What one model (or the vendor as a whole) of a dossier says, for the dossiers that link to it."""

    answers: dict[str, Any]
    vendor: dict[str, frozenset[str]]
    listings: frozenset[tuple[str, str]]
    ownership: frozenset[str]
    notes: dict[tuple[str, str], str]
    developer: str | None = None
    family: str | None = None


@dataclass(frozen=True)
class DossierExport:
    """One dossier's facts as its links' targets see them (small and picklable)."""

    vendor_id: str
    vendor_name: str
    vendor: NodeExport
    models: dict[str, NodeExport]
    """By model name as the dossier lists it."""


@dataclass(frozen=True)
class SupplyContext:
    """What the rest of the run tells one dossier: the facts it reaches over links, and its models' lineage."""

    linked: dict[str | None, tuple[LinkedFacts, ...]] = field(default_factory=dict)
    """By model name (None: the vendor's own links, which every model stands on)."""
    families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    links: tuple[SupplyLink, ...] = ()


def export_dossier(dossier: Dossier, screened: Screened | None) -> DossierExport:
    """The facts of ``dossier`` (as screened) for every dossier that links to it."""
    base_facts = dossier.facts()
    listings = screened.listings if screened is not None else frozenset()
    ownership = screened.ownership if screened is not None else frozenset()
    notes = dict(screened.notes) if screened is not None else {}
    vendor = NodeExport(dict(dossier.answers), dict(base_facts.vendor), listings, ownership, notes)
    models: dict[str, NodeExport] = {}
    for index, entry in enumerate(dossier.model.models):
        models[entry.name] = NodeExport(
            answers={**dossier.answers, **dossier.model_answers.get(entry.name, {})},
            vendor=vendor.vendor,
            listings=screened.listings_for(index) if screened is not None else frozenset(),
            ownership=ownership,
            notes=screened.notes_for(index) if screened is not None else notes,
            developer=entry.developer.name if entry.developer is not None else None,
            family=entry.family,
        )
    return DossierExport(dossier.vendor_id, dossier.vendor_name, vendor, models)


def _node_export(exports: Mapping[str, DossierExport], node: Node) -> NodeExport:
    export = exports[node[0]]
    return export.models[node[1]] if node[1] is not None else export.vendor


def reached_facts(graph: LinkGraph, exports: Mapping[str, DossierExport], start: Node, policy: Policy) -> tuple[LinkedFacts, ...]:
    """Every model and vendor reachable from ``start``, as facts rules can read, with the path in words."""
    reached: list[LinkedFacts] = []
    for target, path in graph.reachable(start):
        if target[0] not in exports:
            continue
        found = _node_export(exports, target)
        facts = Facts(
            answers=found.answers,
            vendor=found.vendor,
            listings=found.listings,
            buyer=policy.buyer_flags,
            jurisdiction_lists=policy.jurisdiction_lists,
            ownership=found.ownership,
        )
        reached.append(LinkedFacts(frozenset(e.kind for e in path), graph.label(target), graph.describe_path(path), facts, found.notes))
    return tuple(reached)


def lineage(graph: LinkGraph, exports: Mapping[str, DossierExport]) -> dict[Node, tuple[tuple[str, ...], tuple[str, ...]]]:
    """(families, labs) of every model node of the run.

    A model's family is the one it declares, else its base model's, else that
    of what it routes to, else its own name. Its labs are its developer (or
    its vendor), or for an aggregator the labs of the upstreams it routes to.
    """
    memo: dict[Node, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def visit(node: Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if node in memo:
            return memo[node]
        memo[node] = ((), ())  # the graph has no circles; this only guards a half-resolved one
        export = exports.get(node[0])
        own = export.models.get(node[1]) if export is not None and node[1] is not None else None
        edges = graph.out(node)
        bases = [e.target for e in edges if e.kind == "base_model"]
        routes = [e.target for e in edges if e.kind == "routes_to"]
        vendor_name = export.vendor_name if export is not None else node[0]
        families: tuple[str, ...]
        if own is not None and own.family:
            families = (own.family,)
        elif bases:
            families = _union(visit(b)[0] for b in bases)
        elif routes:
            families = _union(visit(r)[0] for r in routes)
        else:
            families = (node[1] or vendor_name,)
        labs = _union(visit(r)[1] for r in routes) if routes else ((own.developer if own and own.developer else vendor_name),)
        memo[node] = (families, labs)
        return memo[node]

    for vendor_id, export in exports.items():
        for name in export.models:
            visit((vendor_id, name))
    return memo


def _union(groups: Any) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for group in groups:
        found.update(dict.fromkeys(group))
    return tuple(found)


def build_context(
    graph: LinkGraph,
    exports: Mapping[str, DossierExport],
    vendor_id: str,
    policy: Policy,
    found_lineage: Mapping[Node, tuple[tuple[str, ...], tuple[str, ...]]],
) -> SupplyContext:
    """What dossier ``vendor_id`` reaches over links, per model, and its models' families and labs."""
    export = exports[vendor_id]
    linked: dict[str | None, tuple[LinkedFacts, ...]] = {None: reached_facts(graph, exports, (vendor_id, None), policy)}
    links: list[SupplyLink] = []
    for edge in graph.out((vendor_id, None)):
        links.append(SupplyLink(edge.kind, None, edge.target[0], edge.target[1], graph.label(edge.target)))
    for name in export.models:
        own = graph.out((vendor_id, name))
        if own:
            linked[name] = reached_facts(graph, exports, (vendor_id, name), policy)
        links.extend(SupplyLink(e.kind, name, e.target[0], e.target[1], graph.label(e.target)) for e in own)
    return SupplyContext(
        linked=linked,
        families={name: found_lineage.get((vendor_id, name), ((), ()))[0] for name in export.models},
        labs={name: found_lineage.get((vendor_id, name), ((), ()))[1] for name in export.models},
        links=tuple(links),
    )


def ultimate_parent(vendor: Vendor) -> str | None:
    """The top company of the ownership chain: an owner that nobody else in the chain holds shares in.

    People are left out (a founder is not a parent company); with no company
    owner the vendor is its own ultimate parent (None is returned).
    """
    companies = [index for index, parent in enumerate(vendor.parents) if parent.kind == "company"]
    if not companies:
        return None
    held = set(holding_targets(vendor).values())
    tops = [index for index in companies if index not in held]
    return vendor.parents[(tops or companies)[-1]].name


@dataclass(frozen=True)
class ScoringInputs:
    """Everything besides the dossier that scoring takes, the same for every model of one dossier."""

    today: date
    screened: Screened | None
    reassess_now: str | None
    gaps: tuple[tuple[str, str], ...]
    contradictions: tuple[Contradiction, ...] = ()
    list_editions: Sequence[ListEdition] = ()
    """The screened lists' edition dates, for date triggers."""
    weigh_questions: bool = False
    """Work out each open question's points at stake for the deciding model (``provcheck questions``)."""


def score_vendor(
    dossier: Dossier,
    catalogue: Catalogue,
    policy: Policy,
    inputs: ScoringInputs,
    context: SupplyContext | None = None,
) -> VendorResult:
    """Score every model of the dossier on its own, and the vendor as the worst model in scope.

    A model with no answers, developer hits or links of its own reads exactly
    like the vendor, so it shares one scoring: a dossier without per-model
    facts costs what it always did.
    """
    from provenance_cli.assessment.scoring import score_dossier

    screened = inputs.screened
    linked = context.linked if context is not None else {}

    def score(view: Dossier, index: int | None, links: tuple[LinkedFacts, ...]) -> VendorResult:
        return score_dossier(
            view,
            catalogue,
            policy,
            today=inputs.today,
            listings=screened.listings_for(index) if screened is not None else frozenset(),
            listing_notes=screened.notes_for(index) if screened is not None else None,
            reassess_now=inputs.reassess_now,
            ownership=screened.ownership if screened is not None else frozenset(),
            screening_gaps=inputs.gaps,
            contradictions=inputs.contradictions,
            linked=links,
            list_editions=inputs.list_editions,
        )

    vendor_links = linked.get(None, ())
    models = dossier.model.models
    shared: VendorResult | None = None
    scored: list[tuple[ModelInScope, VendorResult]] = []
    for index, entry in enumerate(models):
        own_hits = screened is not None and index in screened.model_listings
        if entry.name in dossier.model_answers or own_hits or entry.name in linked:
            scored.append((entry, score(dossier.for_model(entry.name), index, linked.get(entry.name, vendor_links))))
            continue
        if shared is None:
            shared = score(dossier, None, vendor_links)
        scored.append((entry, shared))
    if not scored:
        shared = score(dossier, None, vendor_links)
    result = _merge(dossier, scored, shared, context)
    if inputs.weigh_questions and result.open_items:
        result = _weighed(result, dossier, catalogue, policy, inputs, linked)
    return result


def _weighed(
    result: VendorResult,
    dossier: Dossier,
    catalogue: Catalogue,
    policy: Policy,
    inputs: ScoringInputs,
    linked: Mapping[str | None, tuple[LinkedFacts, ...]],
) -> VendorResult:
    """The open questions with their points at stake, re-scored as the deciding model reads (its answers, hits, links)."""
    import functools

    from provenance_cli.assessment.followups import weigh_open_items
    from provenance_cli.assessment.scoring import overall_score

    governing = result.supply.governing_model if result.supply is not None else None
    names = [m.name for m in dossier.model.models]
    index = names.index(governing) if governing in names else None
    view = dossier.for_model(governing) if governing is not None else dossier
    screened = inputs.screened
    rescore = functools.partial(
        overall_score,
        catalogue=catalogue,
        policy=policy,
        today=inputs.today,
        listings=screened.listings_for(index) if screened is not None else frozenset(),
        ownership=screened.ownership if screened is not None else frozenset(),
        linked=linked.get(governing, linked.get(None, ())),
    )
    return weigh_open_items(result, view, catalogue, rescore)


def _badness(result: VendorResult) -> tuple[int, int, float]:
    return (DECISION_RANK[result.decision.outcome], TIER_RANK[result.tier], result.overall)


def _merge(
    dossier: Dossier, scored: list[tuple[ModelInScope, VendorResult]], shared: VendorResult | None, context: SupplyContext | None
) -> VendorResult:
    """The vendor's result: the worst model in scope's, with every model's verdict beside it."""
    vendor = dossier.model.vendor
    engagement = dossier.model.engagement
    named = tuple(engagement.models) if engagement is not None and engagement.models is not None else None
    scope = {model_key(m.name) for m in dossier.in_scope()}
    supply = SupplyChain(
        vendor_id=dossier.vendor_id,
        ultimate_parent=ultimate_parent(vendor),
        links=context.links if context is not None else (),
        engagement_models=named,
    )
    if not scored:
        assert shared is not None
        return dataclasses.replace(shared, supply=supply)
    rows = [_model_result(entry, result, model_key(entry.name) in scope, context) for entry, result in scored]
    in_scope = [(entry, result) for entry, result in scored if model_key(entry.name) in scope] or scored
    worst_entry, worst = max(in_scope, key=lambda pair: _badness(pair[1]))
    result = worst
    verdicts = {(r.decision, r.tier) for r in rows if r.in_scope}
    if len(verdicts) > 1:
        decision = dataclasses.replace(
            worst.decision,
            summary=f"{worst.decision.summary} This is the verdict for {worst_entry.name}, the riskiest of the "
            f"{len([r for r in rows if r.in_scope])} models in scope; each model's own verdict is in the per-model table.",
        )
        result = dataclasses.replace(result, decision=decision)
    top_tier = max((r.tier for r in rows if r.in_scope), key=TIER_RANK.__getitem__)
    if TIER_RANK[top_tier] > TIER_RANK[result.tier]:
        top = next(r for r in rows if r.in_scope and r.tier == top_tier)
        result = dataclasses.replace(result, tier=top_tier, tier_basis=f"the model {top.name} is {top_tier}: {top.tier_basis}")
    supply = dataclasses.replace(supply, models=tuple(rows), governing_model=worst_entry.name)
    return dataclasses.replace(result, supply=supply)


def _model_result(entry: ModelInScope, result: VendorResult, in_scope: bool, context: SupplyContext | None) -> ModelResult:
    decision = result.decision
    reasons = [f"{item.text} (answer: {item.answer})" for item in decision.reasons] if decision.outcome == "reject" else []
    reasons += [item.recommendation for item in decision.conditions]
    reasons += [question.text for question in decision.open_questions]
    inherited = tuple(
        (t.rule_id, t.severity, t.message, t.inherited_from) for t in result.trace if t.inherited_from and t.counts and t.waiver is None
    )
    developer = entry.developer
    families = context.families.get(entry.name) if context is not None else None
    labs = context.labs.get(entry.name) if context is not None else None
    return ModelResult(
        name=entry.name,
        version=entry.version,
        access=entry.access,
        in_scope=in_scope,
        tier=result.tier,
        decision=decision.outcome,
        summary=decision.summary,
        overall=result.overall,
        confidence=result.confidence,
        tier_basis=result.tier_basis,
        developer=(f"{developer.name} ({developer.jurisdiction})" if developer.jurisdiction else developer.name) if developer else None,
        families=families or ((entry.family or entry.name),),
        labs=labs or ((developer.name if developer else result.vendor),),
        own_answers=_own_answers(entry, result),
        inherited=inherited,
        reasons=tuple(dict.fromkeys(reasons))[:MAX_REASONS],
    )


def _own_answers(entry: ModelInScope, result: VendorResult) -> tuple[tuple[str, str], ...]:
    if not entry.answers:
        return ()  # most models answer nothing of their own: no table of a hundred answers to build
    shown = {a.question_id: a.label or a.answer for a in result.answers}  # the questionnaire's words, not machine values
    return tuple((qid, shown.get(qid, "not applicable")) for qid in entry.answers)
