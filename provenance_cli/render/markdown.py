"""Markdown reports (CommonMark + GFM tables) for procurement reviewers.

Dossier text is untrusted. The Markdown jinja2 environment escapes every
printed value (``finalize``), so a ``|``, a newline, raw HTML or a link in an
answer stays inert text. The long tables (findings, answers, trace,
framework mappings) are assembled here from escaped cells, row by row, for
speed; a custom ``report.md.j2`` may use them (``rows``) or the raw report
(``r``), which is escaped on output either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from provenance_cli.render.interface import RenderContext, Renderer

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult

TEMPLATE = "report.md.j2"


def _num(value: Any, places: int = 1) -> str:
    return f"{float(value):.{places}f}"


def table_rows(document: dict[str, Any]) -> dict[str, Any]:
    """Pre-escaped table rows (MdSafe strings) for the report template."""
    from provenance_cli.render.document import framework_rows
    from provenance_cli.render.templating import MdSafe, md_finalize, md_url

    e = md_finalize

    def row(cells: list[str]) -> MdSafe:
        return MdSafe("| " + " | ".join(cells) + " |")

    findings = []
    for i, f in enumerate(document["findings"], 1):
        rule = e(f["rule_id"]) + (f" (knock-out: {e(f['knockout'])})" if f.get("knockout") else "")
        message = e(f["message"])
        if f.get("inherited_from"):
            message += f" *({e(f['inherited_from'])})*"
        waiver = f.get("waiver")
        if waiver:
            message += f" *Waived by {e(waiver['approver'])} until {e(waiver['expires'])}: {e(waiver['reason'])}*"
        answer = (e(f["question_id"]) + " = " if f.get("question_id") else "") + e(f["answer"])
        advice = e(" / ".join(f.get("recommendations") or [f["recommendation"]]))
        cells = [str(i), e(str(f["severity"]).upper()), rule, _num(f["contribution"]), message, answer, advice]
        findings.append(row(cells))

    answers = []
    for a in document["answers"]:
        links = []
        for ev in a["evidence"]:
            href = md_url(ev["url"])
            label = e(ev.get("title") or ev["url"])
            link = f"[{label}]({href})" if href else f"{label} ({e(ev['url'])}, not a web link)"
            if ev.get("retrieved"):
                link += f", retrieved {e(ev['retrieved'])}"
            links.append(link)
        cells = [e(a["question_id"]), e(a["answer"]), e(a["status"]), e(a.get("as_of")), "; ".join(links), e(a.get("note"))]
        answers.append(row(cells))

    trace: dict[str, list[str]] = {}
    for t in document["trace"]:
        contribution = f"{t['contribution']}" + (" (waived)" if t.get("waiver") else "")
        cells = [
            e(t["rule_id"]),
            str(t["rule_version"]),
            e(t.get("question_id")),
            e(t["answer"]),
            f"{t['points']}",
            f"{t['weight']}",
            contribution,
        ]
        trace.setdefault(t["category"], []).append(row(cells))

    frameworks = [
        row([e(m["name"]), e(m["ref"]), e(", ".join(m["questions"])), e(", ".join(m["rules"]))]) for m in framework_rows(document)
    ]
    questions = [row([e(q["question_id"]), e(q["why"]), e(q["text"])]) for q in document["open_questions"]]
    buyer = [row([e(q["question_id"]), e(q["why"]), e(q["text"])]) for q in document.get("buyer_tasks", [])]
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
        notes += [f"{e(str(sev).upper())} {e(rule)}: {e(message)} *({e(source)})*" for rule, sev, message, source in m["inherited"]]
        inherited = {message for _, _, message, _ in m["inherited"]}
        notes += [e(reason) for reason in m["reasons"] if not any(reason.startswith(told) for told in inherited)]
        decision, tier = e(str(m["decision"]).replace("_", " ")), e(str(m["tier"]).upper())
        cells = [name, scope, decision, tier, _num(m["overall"]), origin, " · ".join(notes)]
        rows.append(MdSafe("| " + " | ".join(cells) + " |"))
    return rows


def render_document(document: dict[str, Any], context: RenderContext) -> str:
    """The Markdown text for one report document."""
    from provenance_cli.render.templating import template

    return template("md", TEMPLATE, context.template_dir).render(r=document, rows=table_rows(document))


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
