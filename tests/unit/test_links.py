"""Links between dossiers, and the ``linked`` condition that reads across them."""

from __future__ import annotations

import pytest
from support import EXAMPLES

from provenance_cli.evidence.check import citations
from provenance_cli.formats.conditions import ConditionError, Facts, LinkedFacts, compile_condition
from provenance_cli.formats.dossier import load_dossier
from provenance_cli.formats.links import LinkDecl, LinkSubject, resolve_links
from provenance_cli.formats.questionnaires import load_catalogue

catalogue = load_catalogue()


def subject(vendor_id: str, models: tuple[str, ...], *links: LinkDecl) -> LinkSubject:
    return LinkSubject(vendor_id, vendor_id.title(), f"{vendor_id}.yaml", models, links, 1, 1)


def test_paths_are_followed_and_described_in_words() -> None:
    graph, problems = resolve_links(
        [
            subject("router", ("auto",), LinkDecl("routes_to", "auto", "host", "wren", 7, 9)),
            subject("host", ("wren",), LinkDecl("base_model", "wren", "lab", "base", 5, 5)),
            subject("lab", ("base",), LinkDecl("parent", None, "holding", None, 3, 3)),
            subject("holding", ()),
        ]
    )
    assert problems == {}
    reached = {node: path for node, path in graph.reachable(("router", "auto"))}
    assert set(reached) == {("host", "wren"), ("lab", "base"), ("holding", None)}  # a model stands on its vendor's owner link
    assert graph.describe_path(reached[("lab", "base")]) == "Router's routing and Host / wren's base model"
    assert graph.describe_path(reached[("holding", None)]) == "Router's routing and Host / wren's base model and Lab's ownership"
    assert {e.kind for e in reached[("holding", None)]} == {"routes_to", "base_model", "parent"}


def test_a_circle_is_reported_at_each_of_its_links_and_only_there() -> None:
    _, problems = resolve_links(
        [
            subject("a", ("m",), LinkDecl("base_model", "m", "b", "n", 4, 5)),
            subject("b", ("n", "o"), LinkDecl("routes_to", "n", "a", "m", 6, 7)),
            subject("c", ("p",), LinkDecl("routes_to", "p", "a", "m", 8, 9)),
        ]
    )
    assert set(problems) == {"a.yaml", "b.yaml"}
    (first,) = problems["a.yaml"]
    assert (first.line, first.column) == (4, 5)
    assert "links run in a circle: A / m -> B / n -> A / m" in first.message
    assert (problems["b.yaml"][0].line, problems["b.yaml"][0].column) == (6, 7)


def test_a_link_within_one_dossier_and_one_to_itself() -> None:
    _, problems = resolve_links([subject("a", ("m", "n"), LinkDecl("base_model", "n", "a", "m", 2, 3))])
    assert problems == {}
    _, problems = resolve_links([subject("a", ("m",), LinkDecl("base_model", "m", "a", "m", 2, 3))])
    assert "points at itself" in problems["a.yaml"][0].message


def test_linked_conditions_are_checked_when_questionnaires_load() -> None:
    questions = catalogue.questions
    with pytest.raises(ConditionError, match="unknown link kind 'route_to'"):
        compile_condition(
            {"linked": {"via": ["route_to"], "where": {"answer": "lineage.derivation", "in": ["merged_or_unknown"]}}}, questions
        )
    nested = {"linked": {"via": ["routes_to"], "where": {"linked": {"via": ["base_model"], "where": {"buyer": "eu_market"}}}}}
    with pytest.raises(ConditionError, match="cannot hold another"):
        compile_condition(nested, questions)
    engagement = {"linked": {"via": ["routes_to"], "where": {"engagement": "users", "in": ["public"]}}}
    with pytest.raises(ConditionError, match="the engagement is this dossier's own"):
        compile_condition(engagement, questions)
    with pytest.raises(ConditionError, match="include them so that a worse"):
        compile_condition({"linked": {"via": ["routes_to"], "where": {"answer": "lineage.weights_licence", "in": ["unclear"]}}}, questions)


def test_a_linked_condition_follows_only_the_links_it_names_and_is_monotone() -> None:
    condition = compile_condition(
        {"linked": {"via": ["routes_to"], "where": {"answer": "export_control.model_export_suspension", "in": ["yes"]}}},
        catalogue.questions,
    )
    assert condition.questions() == frozenset()  # it reads none of this dossier's answers

    def seen(kinds: frozenset[str], answer: str) -> Facts:
        upstream = Facts(answers={"export_control.model_export_suspension": answer})
        return Facts(answers={}, linked=(LinkedFacts(kinds, "Up / m", "X's routing", upstream),))

    assert condition.holds(seen(frozenset({"routes_to"}), "yes"))
    assert not condition.holds(seen(frozenset({"routes_to"}), "no"))
    assert not condition.holds(seen(frozenset({"routes_to", "base_model"}), "yes"))  # a path through a base model is not routing


def test_evidence_cited_by_a_models_own_answers_is_checked_too() -> None:
    cited = citations(load_dossier(EXAMPLES / "aurora-models.yaml", catalogue))
    assert cited["https://aurora-models.example/trust/lumen-5-verification"] == ("export_control.access_identity_verification",)
