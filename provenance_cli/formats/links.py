"""Links between dossiers: what they declare, and the graph they make across a run.

A model can name its base model (``base_model``), an aggregator the upstream
models it routes to (``routes_to``), an owner its own dossier (``parents[].dossier``).
Every link names a stable **vendor id** (``vendor.id``, by default the slug of
the vendor's name) and, for models, the model's name as the target dossier
lists it. Links are resolved among the dossiers of one run (the folders given
on the command line, and the folder of each file named): a target that is
not there, a model the target does not list, two dossiers claiming one id,
or a circle of links is a problem with the file, line and column of the link
(exit 2), because a verdict that silently ignored an upstream would be wrong.

Nodes of the graph are ``(vendor id, model name)`` pairs; ``(vendor id, None)``
stands for the vendor as a whole (its own facts, and its ownership links).
Every model node leads to its vendor's node, so what is true of a vendor is
true of each model it serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from provenance_cli.formats.vocabulary import did_you_mean
from provenance_cli.util.errors import Problem

Node = tuple[str, str | None]
"""(vendor id, model name as the target lists it) or (vendor id, None) for the vendor as a whole."""

LINK_WORDS = {"base_model": "base model", "routes_to": "routing", "parent": "ownership"}
"""How each kind of link reads in a provenance line ("via Switchboard Router's routing")."""


def model_key(name: str) -> str:
    """Model names compare without regard to case or surrounding spaces."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class LinkDecl:
    """One link as a dossier writes it, with its position for messages."""

    kind: str
    """base_model, routes_to or parent."""
    source_model: str | None
    """The model the link belongs to (None for an owner's dossier: it concerns the whole vendor)."""
    target_vendor: str
    """The vendor id of the target dossier (this dossier's own id when the link leaves it out)."""
    target_model: str | None
    """The target model's name, or None for the target vendor as a whole."""
    line: int
    column: int


@dataclass(frozen=True)
class LinkSubject:
    """What the graph needs to know about one dossier of the run (small and picklable)."""

    vendor_id: str
    vendor_name: str
    source: str
    models: tuple[str, ...]
    """Model names as the dossier lists them."""
    links: tuple[LinkDecl, ...] = ()
    id_line: int = 0
    id_column: int = 0
    context_only: bool = False
    """Found beside a file the user named, to resolve its links; it gets no verdict of its own."""


@dataclass(frozen=True)
class Edge:
    """A resolved link: from one node to another, of one kind."""

    kind: str
    source: Node
    target: Node


@dataclass
class LinkGraph:
    """The resolved links of a run: nodes, edges out of each, and names to show."""

    subjects: dict[str, LinkSubject] = field(default_factory=dict)
    """Vendor id -> the one dossier that has it (ids with problems are left out)."""
    edges: dict[Node, list[Edge]] = field(default_factory=dict)

    def label(self, node: Node) -> str:
        """``Northwind Frontier / Gale 4`` for a model, ``Northwind Frontier`` for a vendor."""
        subject = self.subjects.get(node[0])
        name = subject.vendor_name if subject is not None else node[0]
        return f"{name} / {node[1]}" if node[1] is not None else name

    def out(self, node: Node) -> list[Edge]:
        """The explicit links out of ``node`` (a model node also leads to its vendor node, see :meth:`reachable`)."""
        return self.edges.get(node, [])

    def reachable(self, start: Node) -> list[tuple[Node, tuple[Edge, ...]]]:
        """Every node reachable from ``start`` over explicit links, with the path of links that reaches it.

        A model node also stands on its vendor's links (an owner's dossier
        concerns every model the vendor serves). The graph has no circles
        (resolution refuses them), and each node is reported once, by the
        first path found (breadth first, so the shortest).
        """
        found: list[tuple[Node, tuple[Edge, ...]]] = []
        seen = {start}
        frontier: list[tuple[Node, tuple[Edge, ...]]] = [(start, ())]
        while frontier:
            following: list[tuple[Node, tuple[Edge, ...]]] = []
            for node, path in frontier:
                for edge in self._leaving(node):
                    if edge.target in seen:
                        continue
                    seen.add(edge.target)
                    step = (edge.target, (*path, edge))
                    found.append(step)
                    following.append(step)
            frontier = following
        return found

    def _leaving(self, node: Node) -> list[Edge]:
        edges = list(self.out(node))
        if node[1] is not None:
            edges.extend(self.out((node[0], None)))
        return edges

    def describe_path(self, path: Sequence[Edge]) -> str:
        """``Switchboard Router's routing`` or ``TinyWeights / Wren 32B Instruct's base model and ...``."""
        steps = []
        for edge in path:
            owner = self.label(edge.source) if edge.kind == "base_model" else self.label((edge.source[0], None))
            steps.append(f"{owner}'s {LINK_WORDS[edge.kind]}")
        return " and ".join(steps)


def _problem(subject: LinkSubject, decl: LinkDecl, message: str) -> Problem:
    return Problem(subject.source, decl.line, decl.column, message)


def resolve_links(subjects: Iterable[LinkSubject]) -> tuple[LinkGraph, dict[str, list[Problem]]]:
    """The graph of the run's links, and the problems of each dossier (by source) whose links do not resolve.

    A dossier with a problem keeps it (it cannot be judged without its
    upstreams); a dossier two files claim is a problem only for the files that
    link to it, and for the claimants themselves when someone does.
    """
    claimants: dict[str, list[LinkSubject]] = {}
    for subject in subjects:
        claimants.setdefault(subject.vendor_id, []).append(subject)
    graph = LinkGraph()
    problems: dict[str, list[Problem]] = {}
    for vendor_id, found in claimants.items():
        if len(found) == 1:
            graph.subjects[vendor_id] = found[0]
    linked_ids = {decl.target_vendor for many in claimants.values() for s in many for decl in s.links}
    for vendor_id in sorted(linked_ids):
        found = claimants.get(vendor_id, [])
        if len(found) > 1:
            where = ", ".join(f"{s.source}:{s.id_line}" for s in found)
            for subject in found:
                problems.setdefault(subject.source, []).append(
                    Problem(
                        subject.source,
                        subject.id_line,
                        subject.id_column,
                        f"vendor id {vendor_id!r} is claimed by more than one dossier ({where}); give each its own vendor.id",
                    )
                )
    for many in claimants.values():
        for subject in many:
            for decl in subject.links:
                edge, message = _resolve(graph, claimants, subject, decl)
                if message is not None:
                    problems.setdefault(subject.source, []).append(_problem(subject, decl, message))
                elif edge is not None and len(many) == 1:
                    graph.edges.setdefault(edge.source, []).append(edge)
    for subject, decl, message in _cycles(graph):
        problems.setdefault(subject.source, []).append(_problem(subject, decl, message))
    return graph, problems


def _resolve(
    graph: LinkGraph, claimants: dict[str, list[LinkSubject]], subject: LinkSubject, decl: LinkDecl
) -> tuple[Edge | None, str | None]:
    """The edge a declaration makes, or why it cannot be made."""
    what = {"base_model": "base_model", "routes_to": "routes_to", "parent": "the owner's dossier"}[decl.kind]
    found = claimants.get(decl.target_vendor, [])
    if not found:
        known = sorted(claimants)
        return None, (
            f"{what} names vendor id {decl.target_vendor!r}, but no dossier among the files and folders given has that id"
            f"{did_you_mean(decl.target_vendor, known)}; give its dossier on the command line or put it in the same folder"
        )
    if len(found) > 1:
        return None, f"{what} names vendor id {decl.target_vendor!r}, which more than one dossier claims"
    target = found[0]
    target_model: str | None = None
    if decl.target_model is not None:
        by_key = {model_key(m): m for m in target.models}
        target_model = by_key.get(model_key(decl.target_model))
        if target_model is None:
            listed = ", ".join(target.models) or "none"
            return None, (
                f"{what} names model {decl.target_model!r} of {target.vendor_name}, which its dossier ({target.source}) does not list "
                f"(its models: {listed}){did_you_mean(decl.target_model, list(target.models))}"
            )
    source: Node = (subject.vendor_id, decl.source_model)
    target_node: Node = (target.vendor_id, target_model)
    if source == target_node or (decl.kind == "parent" and target.vendor_id == subject.vendor_id):
        return None, f"{what} points at itself"
    return Edge(decl.kind, source, target_node), None


def _cycles(graph: LinkGraph) -> list[tuple[LinkSubject, LinkDecl, str]]:
    """Every link that lies on a circle, with the circle in words (each circle reported at each of its links)."""
    nodes = set(graph.edges) | {e.target for edges in graph.edges.values() for e in edges}
    colour: dict[Node, int] = {}
    stack: list[tuple[Node, Edge | None]] = []
    circles: list[list[Edge]] = []

    def leaving(node: Node) -> list[Edge]:
        edges = list(graph.out(node))
        if node[1] is not None:
            edges.append(Edge("self", node, (node[0], None)))
        return edges

    for start in sorted(nodes, key=lambda n: (n[0], n[1] or "")):
        if colour.get(start):
            continue
        work: list[tuple[Node, int]] = [(start, 0)]
        colour[start] = 1
        stack.append((start, None))
        while work:
            node, index = work.pop()
            out = leaving(node)
            if index < len(out):
                work.append((node, index + 1))
                edge = out[index]
                state = colour.get(edge.target, 0)
                if state == 0:
                    colour[edge.target] = 1
                    stack.append((edge.target, edge))
                    work.append((edge.target, 0))
                elif state == 1:
                    at = next(i for i, (n, _) in enumerate(stack) if n == edge.target)
                    circles.append([e for _, e in stack[at + 1 :] if e is not None] + [edge])
                continue
            colour[node] = 2
            stack.pop()
    found: list[tuple[LinkSubject, LinkDecl, str]] = []
    for circle in circles:
        real = [e for e in circle if e.kind != "self"]
        words = " -> ".join([graph.label(real[0].source), *(graph.label(e.target) for e in real)])
        for edge in real:
            subject = graph.subjects[edge.source[0]]
            decl = _declaration(subject, edge)
            if decl is not None:
                found.append((subject, decl, f"links run in a circle: {words}; a model cannot depend on itself"))
    return found


def _declaration(subject: LinkSubject, edge: Edge) -> LinkDecl | None:
    """The declaration that made ``edge`` (for its line)."""
    for decl in subject.links:
        if decl.kind != edge.kind or decl.source_model != edge.source[1] or decl.target_vendor != edge.target[0]:
            continue
        if decl.target_model is None or edge.target[1] is None or model_key(decl.target_model) == model_key(edge.target[1]):
            return decl
    return None
