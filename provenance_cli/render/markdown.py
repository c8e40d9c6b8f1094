"""Markdown reports (CommonMark + GFM tables) for procurement reviewers.

Dossier text is untrusted. The Markdown jinja2 environment escapes every
printed value (``finalize``), so a ``|``, a newline, raw HTML or a link in an
answer stays inert text. The tables and the citations are assembled here from
escaped cells, row by row, for speed; a custom ``report.md.j2`` may use them
(``rows``), the reader's views (``brief``, ``groups``, ``owners``,
``clauses``) or the raw report (``r``), which is escaped on output either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from provenance_cli.render.interface import RenderContext, Renderer

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult

TEMPLATE = "report.md.j2"


def _num(value: Any, places: int = 1) -> str:
    return f"{float(value):.{places}f}"


def _link(title: Any, url: Any) -> str:
    """An escaped Markdown link when ``url`` is http(s), else the title and the address as text."""
    from provenance_cli.render.templating import md_finalize as e
    from provenance_cli.render.templating import md_url

    href = md_url(url)
    label = e(title or url)
    return f"[{label}]({href})" if href else f"{label} ({e(url)}, not a web link)"


def citation(cite: dict[str, Any] | None) -> str:
    """'Source: [title](url), retrieved D; answer as of D.' for a finding that must cite its evidence."""
    from provenance_cli.render.templating import md_finalize as e

    if not cite:
        return ""
    sources = [_link(s["title"], s["url"]) + (f", retrieved {e(s['retrieved'])}" if s.get("retrieved") else "") for s in cite["sources"]]
    text = "Source: " + ("; ".join(sources) if sources else "none cited")
    if cite.get("as_of"):
        text += f"; answer as of {e(cite['as_of'])}"
    return text + "."


def hits_citation(hits: list[dict[str, Any]]) -> str:
    """'Listed: owner X as Y on the Z list (list date D); copy from [Z](url), fetched D.' for each screening hit."""
    from provenance_cli.render.templating import md_finalize as e

    out = []
    for h in hits:
        text = f"Listed: {e(h['role'])} {e(h['name'])} as {e(h['entry'])} on the {e(h['list_name'])}"
        if h.get("list_date"):
            text += f" (list date {e(h['list_date'])})"
        text += "; copy from " + (_link(h["list_name"], h["source"]) if h.get("source") else "the bundled data")
        if h.get("retrieved"):
            text += f", fetched {e(h['retrieved'])}"
        out.append(text + ".")
    return " ".join(out)


def _actions(actions: list[dict[str, Any]]) -> str:
    return " • ".join(_action(a["owner_label"], a["type"], a["text"]) for a in actions)


@lru_cache(maxsize=2048)
def _action(owner_label: str, kind: str | None, text: str) -> str:
    """One action as Markdown, built once: the same few hundred recur in every report."""
    from provenance_cli.render.templating import md_finalize as e

    return f"**{e(owner_label)}**{' (contract clause)' if kind == 'contract_clause' else ''}: {e(text)}"


def table_rows(
    document: dict[str, Any], groups: list[dict[str, Any]], labels: dict[str, str], in_words: Callable[[str], str] = str
) -> dict[str, Any]:
    """Pre-escaped table rows (MdSafe strings) for the report template."""
    from provenance_cli.render.document import framework_rows
    from provenance_cli.render.templating import MdSafe, md_finalize

    e = md_finalize

    def row(cells: list[str]) -> MdSafe:
        return MdSafe("| " + " | ".join(cells) + " |")

    findings: dict[str, list[MdSafe]] = {}
    for group in groups:
        lines = findings.setdefault(group["id"], [])
        for r in group["rows"]:
            finding = e(r["message"]) + "".join(f" {e(m)}" for m in r["also"])
            if r["knockout"]:
                finding += f" **Knock-out: at least {e(str(r['knockout']).upper())}.**"
            if r["waiver"]:
                w = r["waiver"]
                finding += f" *Waived by {e(w['approver'])} until {e(w['expires'])}: {e(w['reason'])}*"
            finding += "".join(f" *({e(source)})*" for source in r.get("inherited", []))
            for extra in (citation(r["cite"]), hits_citation(r["hits"])):
                if extra:
                    finding += " " + extra
            cells = [e(r["question"]), e(r["answer"]), finding, e(str(r["severity"]).upper()), _num(r["points"]), _actions(r["actions"])]
            lines.append(row(cells))

    answers = []
    for a in document["answers"]:
        links = [
            _link(ev.get("title") or ev["url"], ev["url"]) + (f", retrieved {e(ev['retrieved'])}" if ev.get("retrieved") else "")
            for ev in a["evidence"]
        ]
        answer = e(a.get("label", a["answer"])) + ("" if a["status"] == "answered" else f" ({e(a['status'])})")
        cells = [f"{e(a['text'])} ({e(a['question_id'])})", answer, e(a.get("as_of")), "; ".join(links), e(a.get("note"))]
        answers.append(row(cells))

    trace: dict[str, list[str]] = {}
    for t in document["trace"]:
        contribution = f"{t['contribution']}" + (" (waived)" if t.get("waiver") else "")
        message = e(t["message"]) + (" (a stronger finding on the same question counts instead)" if t.get("superseded_by") else "")
        answer = labels.get(t["question_id"], t["answer"]) if t.get("question_id") else in_words(t["answer"])
        cells = [f"{e(t['rule_id'])} v{t['rule_version']}", message, e(answer), f"{t['points']} × {t['weight']}", contribution]
        trace.setdefault(t["category"], []).append(row(cells))

    frameworks = [row([e(m["name"]), e(m["ref"]), str(len(m["questions"])), str(len(m["rules"]))]) for m in framework_rows(document)]
    questions = [row([e(q["text"]), e(q["why"])]) for q in document["open_questions"]]
    buyer = [row([e(q["text"]), e(q["why"])]) for q in document.get("buyer_tasks", [])]
    return {
        "findings": findings,
        "answers": answers,
        "trace": trace,
        "frameworks": frameworks,
        "questions": questions,
        "buyer": buyer,
        "models": model_rows(document),
    }


def model_rows(document: dict[str, Any]) -> list[Any]:
    """Rows of the per-model table (issue 17), from escaped cells; none when the table would say nothing new.

    One model with nothing of its own (answers, developer, inherited findings, links) is the vendor itself.
    """
    from provenance_cli.render.templating import MdSafe, md_finalize

    e = md_finalize
    models = document.get("models") or []
    links = (document.get("supply_chain") or {}).get("links")
    if not models or (len(models) == 1 and not (links or any(models[0][k] for k in ("own_answers", "inherited", "developer")))):
        return []
    rows = []
    for m in models:
        name = e(m["name"]) + (f" {e(m['version'])}" if m.get("version") else "") + (f" ({e(m['access'])})" if m.get("access") else "")
        scope = ("yes" if m["in_scope"] else "no") + (", governs the verdict" if m.get("governing") else "")
        families, labs = e(", ".join(m["families"])), e(", ".join(m["labs"]))
        origin = f"{e(m.get('developer') or document['vendor']['name'])}; family {families}; lab {labs}"
        notes = [f"{e(q)} = {e(a)}" for q, a in m["own_answers"]]
        notes += [f"{e(str(sev).upper())} {e(message)} *({e(source)})*" for _, sev, message, source in m["inherited"]]
        inherited = {message for _, _, message, _ in m["inherited"]}
        notes += [e(reason) for reason in m["reasons"] if not any(reason.startswith(told) for told in inherited)]
        decision, tier = e(str(m["decision"]).replace("_", " ")), e(str(m["tier"]).upper())
        cells = [name, scope, decision, tier, _num(m["overall"]), origin, " · ".join(notes)]
        rows.append(MdSafe("| " + " | ".join(cells) + " |"))
    return rows


def render_document(document: dict[str, Any], context: RenderContext) -> str:
    """The Markdown text for one report document."""
    from provenance_cli.render import summary
    from provenance_cli.render.templating import MdSafe, template

    views = summary.reader_views(document)
    brief, groups = views["brief"], views["rows"]
    cites = {
        "reasons": [MdSafe(" ".join(x for x in (citation(i["cite"]), hits_citation(i["hits"])) if x)) for i in brief["reasons"]],
        "conditions": [MdSafe(" ".join(x for x in (citation(i["cite"]), hits_citation(i["hits"])) if x)) for i in brief["conditions"]],
        "condition_actions": [MdSafe(_actions(i["actions"])) for i in brief["conditions"]],
        "hits": MdSafe(hits_citation(brief["screening"]["hits"])),
    }
    return template("md", TEMPLATE, context.template_dir).render(
        r=document,
        brief=brief,
        groups=groups,
        owners=views["owners"],
        clauses=views["clauses"],
        cites=cites,
        messages={t["rule_id"]: t["message"] for t in document["trace"]},
        rows=table_rows(document, groups, views["labels"], views["in_words"]),
    )


INDEX_TEMPLATE = "index.md.j2"


def render_index(rows: Sequence[tuple[dict[str, Any], str]], context: RenderContext) -> str:
    """The Markdown portfolio page: (report document, relative link) pairs in, vendors riskiest first,
    the concentration tables and the dependency graph as a Mermaid block out."""
    from provenance_cli.render.document import sort_documents
    from provenance_cli.render.portfolio import build_portfolio, mermaid
    from provenance_cli.render.templating import MdSafe, template

    links = {id(document): href for document, href in rows}
    ordered = sort_documents(document for document, _ in rows)
    portfolio = build_portfolio(ordered, [links[id(d)] for d in ordered])
    # The report beside it is named, not linked: a Markdown report links only to http(s) pages.
    listed = [{"document": document, "link": links[id(document)]} for document in ordered]
    return template("md", INDEX_TEMPLATE, context.template_dir).render(
        rows=listed, portfolio=portfolio, graph=MdSafe(mermaid(portfolio)), generated_at=context.generated_at
    )


class MarkdownRenderer(Renderer):
    """One Markdown report per vendor; every value is escaped for Markdown on output."""

    name = "md"
    suffix = ".md"

    def render(self, result: VendorResult, context: RenderContext) -> str:
        from provenance_cli.render.document import cached_document

        return render_document(cached_document(result, context), context)

    def render_many(self, results, context):  # type: ignore[no-untyped-def]
        return "\n---\n\n".join(self.render(result, context) for result in results)
