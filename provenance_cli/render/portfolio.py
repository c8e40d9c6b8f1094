"""The portfolio view: where a folder of vendors concentrates its risk, and how the vendors depend on each other.

Built from report documents only (so archived JSON reports work too):

* **concentration** by headquarters jurisdiction, ultimate parent, base-model
  family and upstream lab, each with the share of vendors and the share of
  models in scope ("3 of 5 vendors depend on one lab");
* the **dependency graph**: vendors, and the labs they depend on, with the
  links between them (routing, base model, ownership, developer). It is laid
  out here, in layers (every node to the right of what it depends on), and
  drawn as inline SVG in ``index.html`` (no script, no request) and as a
  Mermaid block in ``index.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DIMENSIONS = (
    ("headquarters", "Headquarters jurisdiction"),
    ("ultimate_parent", "Ultimate parent"),
    ("family", "Base-model family"),
    ("lab", "Upstream lab"),
)
"""The concentration tables, in the order they are shown."""

NODE_WIDTH = 230
NODE_HEIGHT = 46
COLUMN_GAP = 170
LANE = 28
"""Vertical distance between the lanes of arrows that arc over the boxes."""
ROW_GAP = 26
MARGIN = 16
LINK_WORDS = {"routes_to": "routes to", "base_model": "base model", "parent": "owned by", "developer": "serves models of"}


@dataclass(frozen=True)
class Share:
    """One row of a concentration table."""

    key: str
    vendors: tuple[str, ...]
    vendor_share: float
    """Percent of the portfolio's vendors."""
    models: int
    model_share: float
    """Percent of the portfolio's models in scope."""


@dataclass(frozen=True)
class Node:
    """A box of the graph: a vendor of the portfolio, or a lab it depends on that has no dossier here."""

    id: str
    label: str
    detail: str
    """Decision and tier for a vendor; "no dossier" for a lab outside the portfolio."""
    kind: str
    """decision outcome (approve, reject...) or ``external``."""
    href: str | None = None
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Arrow:
    """From a dependent to what it depends on, with what the link says."""

    source: str
    target: str
    kind: str
    label: str
    path: str = ""
    """The SVG path once laid out (a cubic curve from the dependent's left edge to the target's right edge)."""
    label_at: tuple[float, float] = (0.0, 0.0)
    """Where the label sits: the curve's midpoint."""
    shown: str = ""
    """The label as drawn: shortened to the room it has (the full label is in the SVG's description)."""


@dataclass(frozen=True)
class Portfolio:
    """What the portfolio page shows beside the vendor table."""

    vendors: int
    models: int
    tables: tuple[tuple[str, str, tuple[Share, ...]], ...]
    """(dimension key, title, rows) per concentration table."""
    highlights: tuple[str, ...]
    """The sentences procurement reads first: the largest concentrations shared by two vendors or more."""
    nodes: tuple[Node, ...] = ()
    arrows: tuple[Arrow, ...] = ()
    width: float = 0.0
    height: float = 0.0
    notes: tuple[str, ...] = field(default=())


def _scope_models(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The models in scope, or the vendor as one model when its dossier lists none."""
    models = [m for m in document.get("models") or [] if m.get("in_scope", True)]
    if models:
        return models
    name = document["vendor"]["name"]
    return [{"name": name, "families": [name], "labs": [name]}]


def _keys(document: dict[str, Any], dimension: str, model: dict[str, Any]) -> list[str]:
    vendor = document["vendor"]
    if dimension == "headquarters":
        return [vendor.get("headquarters") or "not stated"]
    if dimension == "ultimate_parent":
        supply = document.get("supply_chain") or {}
        return [supply.get("ultimate_parent") or f"{vendor['name']} (itself)"]
    if dimension == "family":
        return list(model.get("families") or [model["name"]])
    return list(model.get("labs") or [vendor["name"]])


def concentration(documents: Sequence[dict[str, Any]], dimension: str) -> tuple[Share, ...]:
    """One concentration table: each key with the vendors and in-scope models that depend on it, largest first."""
    vendors: dict[str, list[str]] = {}
    models: dict[str, int] = {}
    total_models = 0
    for document in documents:
        name = document["vendor"]["name"]
        for model in _scope_models(document):
            total_models += 1
            for key in dict.fromkeys(_keys(document, dimension, model)):
                models[key] = models.get(key, 0) + 1
                if name not in vendors.setdefault(key, []):
                    vendors[key].append(name)
    count = len(documents) or 1
    rows = [
        Share(key, tuple(names), 100.0 * len(names) / count, models[key], 100.0 * models[key] / (total_models or 1))
        for key, names in vendors.items()
    ]
    return tuple(sorted(rows, key=lambda r: (-len(r.vendors), -r.models, r.key.casefold())))


def build_portfolio(documents: Sequence[dict[str, Any]], hrefs: Sequence[str | None] | None = None) -> Portfolio:
    """The concentration tables, the highlights and the laid-out dependency graph of a folder's reports."""
    tables = tuple((key, title, concentration(documents, key)) for key, title in DIMENSIONS)
    highlights = []
    for key, _, rows in tables:
        shared = [r for r in rows if len(r.vendors) >= 2]
        if shared:
            top = shared[0]
            what = {"headquarters": "are headquartered in", "ultimate_parent": "belong to", "family": "use models of the family"}.get(
                key, "depend on the lab"
            )
            highlights.append(
                f"{len(top.vendors)} of {len(documents)} vendors ({top.vendor_share:.0f}%) {what} {top.key}, "
                f"{top.models} of the models in scope ({top.model_share:.0f}%): {', '.join(top.vendors)}."
            )
    nodes, arrows = _graph(documents, hrefs or [None] * len(documents))
    laid_nodes, laid_arrows, width, height = layout(nodes, arrows)
    total = sum(len(_scope_models(d)) for d in documents)
    return Portfolio(len(documents), total, tables, tuple(highlights), laid_nodes, laid_arrows, width, height)


def _graph(documents: Sequence[dict[str, Any]], hrefs: Sequence[str | None]) -> tuple[list[Node], list[Arrow]]:
    """Vendors and the labs outside the portfolio, and the links between them (one arrow per pair and kind)."""
    by_id: dict[str, Node] = {}
    names: dict[str, str] = {}
    for document, href in zip(documents, hrefs, strict=True):
        vendor = document["vendor"]
        node_id = vendor.get("id") or vendor["name"]
        outcome = document["decision"]["outcome"]
        detail = f"{outcome.replace('_', ' ')} · {document['summary']['tier']}"
        by_id.setdefault(node_id, Node(node_id, vendor["name"], detail, outcome, href))
        names[vendor["name"].casefold()] = node_id
    labels: dict[tuple[str, str, str], list[str]] = {}
    for document in documents:
        source = document["vendor"].get("id") or document["vendor"]["name"]
        for link in (document.get("supply_chain") or {}).get("links") or []:
            target = link["target_id"]
            if target not in by_id:
                by_id[target] = Node(target, link["target"].split(" / ")[0], "not in this portfolio", "external")
            words = link["model"] or ""
            if link.get("target_model"):
                words = f"{words} → {link['target_model']}" if words else str(link["target_model"])
            labels.setdefault((source, target, link["kind"]), []).append(words)
        for model in document.get("models") or []:
            developer = model.get("developer")
            if not developer:
                continue
            lab = str(developer).rsplit(" (", 1)[0]
            target = names.get(lab.casefold(), f"lab:{lab}")
            if target not in by_id:
                by_id[target] = Node(target, lab, "developer, no dossier here", "external")
            labels.setdefault((source, target, "developer"), []).append(model["name"])
    arrows = [
        Arrow(source, target, kind, f"{LINK_WORDS.get(kind, kind)}: {'; '.join(w for w in dict.fromkeys(words) if w)}".rstrip(": "))
        for (source, target, kind), words in labels.items()
        if source != target
    ]
    return list(by_id.values()), arrows


def _levels(nodes: Sequence[Node], arrows: Sequence[Arrow]) -> dict[str, int]:
    """Column of each node: 0 for what depends on nothing here, else one right of the furthest thing it depends on.

    Links between vendors can run both ways (each model-level chain is
    acyclic, the vendor-level picture need not be), so the relaxation stops
    after as many rounds as there are nodes.
    """
    level = {n.id: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for arrow in arrows:
            wanted = level[arrow.target] + 1
            if wanted > level[arrow.source] and wanted < len(nodes):
                level[arrow.source] = wanted
                changed = True
        if not changed:
            break
    return level


def _rows(nodes: Sequence[Node], arrows: Sequence[Arrow], level: dict[str, int]) -> dict[int, list[Node]]:
    """Nodes per column, each column ordered by where the nodes that depend on it sit (fewer crossings), then by name."""
    columns: dict[int, list[Node]] = {}
    for node in sorted(nodes, key=lambda n: (n.kind == "external", n.label.casefold())):
        columns.setdefault(level[node.id], []).append(node)
    position: dict[str, float] = {}
    for column in sorted(columns, reverse=True):

        def pull(node: Node) -> float:
            sources = [position[a.source] for a in arrows if a.target == node.id and a.source in position]
            return sum(sources) / len(sources) if sources else float("inf")

        columns[column].sort(key=lambda n: (pull(n), n.kind == "external", n.label.casefold()))
        for row, node in enumerate(columns[column]):
            position[node.id] = row
    return columns


def layout(nodes: Sequence[Node], arrows: Sequence[Arrow]) -> tuple[tuple[Node, ...], tuple[Arrow, ...], float, float]:
    """Nodes in columns by level (what others depend on to the left), arrows as curves; the size of the drawing.

    An arrow between neighbouring columns is an S-curve across the gap; one
    that skips columns arcs above every box (each in its own lane), and one
    within a column bows out to the right, so no arrow runs through a box.
    """
    import dataclasses

    level = _levels(nodes, arrows)
    columns = _rows(nodes, arrows, level)
    long_arrows = [a for a in arrows if level[a.source] - level[a.target] > 1]
    top = MARGIN + LANE * len(long_arrows) + (10 if long_arrows else 0)
    placed: dict[str, Node] = {}
    for column, members in columns.items():
        for row, node in enumerate(members):
            placed[node.id] = dataclasses.replace(
                node, x=float(MARGIN + column * (NODE_WIDTH + COLUMN_GAP)), y=float(top + row * (NODE_HEIGHT + ROW_GAP))
            )
    laid: list[Arrow] = []
    for arrow in arrows:
        source, target = placed[arrow.source], placed[arrow.target]
        if source.x > target.x:
            x1, y1 = source.x, source.y + NODE_HEIGHT / 2
            x2, y2 = target.x + NODE_WIDTH, target.y + NODE_HEIGHT / 2
            if arrow in long_arrows:
                lane = float(MARGIN + LANE * long_arrows.index(arrow) - 30)
                c1, c2 = (x1 - 40.0, lane), (x2 + 40.0, lane)
            else:
                c1, c2 = (x1 - COLUMN_GAP / 2, y1), (x2 + COLUMN_GAP / 2, y2)
        else:  # within one column (links that run both ways): bow out to the right
            x1, y1 = source.x + NODE_WIDTH, source.y + NODE_HEIGHT / 2
            x2, y2 = target.x + NODE_WIDTH, target.y + NODE_HEIGHT / 2
            c1, c2 = (x1 + COLUMN_GAP * 0.6, y1), (x2 + COLUMN_GAP * 0.6, y2)
        path = f"M {x1:.1f} {y1:.1f} C {c1[0]:.1f} {c1[1]:.1f} {c2[0]:.1f} {c2[1]:.1f} {x2:.1f} {y2:.1f}"
        middle = ((x1 + 3 * c1[0] + 3 * c2[0] + x2) / 8, (y1 + 3 * c1[1] + 3 * c2[1] + y2) / 8 - 4)
        room = 64 if arrow in long_arrows else 26
        shown = arrow.label if len(arrow.label) <= room else arrow.label[: room - 1] + "…"
        laid.append(dataclasses.replace(arrow, path=path, label_at=(round(middle[0], 1), round(middle[1], 1)), shown=shown))
    last = max(columns, default=0)
    width = MARGIN * 2 + (last + 1) * NODE_WIDTH + last * COLUMN_GAP + (COLUMN_GAP if any(a.source == a.target for a in arrows) else 0)
    height = top + MARGIN + max((len(m) for m in columns.values()), default=1) * (NODE_HEIGHT + ROW_GAP) - ROW_GAP
    return tuple(placed[n.id] for n in nodes), tuple(laid), float(width), float(height)


# --------------------------------------------------------------------------- Mermaid

_MERMAID_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_/():'+")


def mermaid_text(value: str) -> str:
    """Text for a Mermaid label: every character outside a small safe set becomes a numeric entity (``#35;``).

    So a name cannot close the label, start a new statement, or end the
    Markdown code fence (backticks and newlines are entities too).
    """
    return "".join(ch if ch in _MERMAID_SAFE else f"#{ord(ch)};" for ch in " ".join(value.split()))


def mermaid(portfolio: Portfolio) -> str:
    """The dependency graph as a Mermaid flowchart (``graph LR``), dependents pointing at what they depend on."""
    ids = {node.id: f"n{index}" for index, node in enumerate(portfolio.nodes)}
    lines = ["graph LR"]
    for node in portfolio.nodes:
        lines.append(f'  {ids[node.id]}["{mermaid_text(node.label)}<br/>{mermaid_text(node.detail)}"]')
    for arrow in portfolio.arrows:
        lines.append(f'  {ids[arrow.source]} -->|"{mermaid_text(arrow.label)}"| {ids[arrow.target]}')
    return "\n".join(lines)
