"""The terminal view of assessment results (rich).

Tier is always spelled out as a word beside its colour, so the view reads
the same with NO_COLOR, on a monochrome terminal or piped into a file.
Whatever a dossier, policy or list says enters a view through
:func:`~provenance_cli.cli.terminal.safe` (text, never markup, control
characters shown escaped); markup strings here are provcheck's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table

from provenance_cli.assessment.results import FollowUp, VendorResult
from provenance_cli.cli.terminal import line, safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from provenance_cli.formats.questionnaires import Catalogue

TIER_STYLE = {"low": "green", "medium": "yellow", "high": "red", "critical": "bold white on red"}
SEVERITY_STYLE = {"info": "dim", "low": "cyan", "medium": "yellow", "high": "red", "critical": "bold red"}
TOP_FINDINGS = 8


def bar(score: float, width: int = 20) -> str:
    """A 0-100 score as a bar of block characters, readable without colour."""
    filled = round(score / 100 * width)
    return "█" * filled + "░" * (width - filled)


def tier_label(tier: str) -> str:
    """The tier spelled out in capitals and coloured: the word carries the meaning, the colour only repeats it."""
    return f"[{TIER_STYLE[tier]}]{tier.upper()}[/]"


def show_vendor(result: VendorResult, catalogue: Catalogue, console: Console) -> None:
    """One vendor's full view: category scores, knock-outs, top findings, every list a reviewer must work through, the next review."""
    console.print()
    console.print(line(safe(result.vendor, "bold"), f"  tier {tier_label(result.tier)}  overall [bold]{result.overall:.1f}[/bold]/100"))
    console.print(safe(f"{result.source} · assessed {result.assessed_on} · scored as of {result.as_of} · {result.tier_basis}", "dim"))
    show_decision(result, console)

    table = Table(show_edge=False, pad_edge=False, box=None)
    columns = (("category", "left"), ("tier", "left"), ("score", "right"), ("", "left"), ("confidence", "right"), ("answered", "right"))
    for header, justify in columns:
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for category in result.categories:
        table.add_row(
            safe(category.title),
            tier_label(category.tier),
            f"{category.score:.1f}",
            bar(category.score),
            f"{category.confidence:.0f}%",
            f"{category.answered}/{category.applicable}",
        )
    console.print(table)
    show_models(result, console)

    if result.knockouts:
        console.print(line("[bold red]knock-out:[/] ", safe(", ".join(result.knockouts)), " [dim](reasons in words under Decision)[/dim]"))

    findings = [f for f in result.findings if f.contribution > 0 or f.waiver]
    if findings:
        console.print()
        console.print(f"[bold]Top findings[/bold] ({len(findings)} rules fired)")
        for finding in findings[:TOP_FINDINGS]:
            style = SEVERITY_STYLE[finding.severity]
            waived = safe(f" (waived by {finding.waiver.approver} until {finding.waiver.expires})", "dim") if finding.waiver else ""
            console.print(
                line(
                    f"  [{style}]{finding.severity.upper():8}[/] ",
                    safe(finding.rule_id),
                    f" +{finding.contribution:.1f}  ",
                    safe(finding.message, multiline=True),
                    waived,
                )
            )
            where = f"{finding.question_id} = {finding.answer}" if finding.question_id else finding.answer
            console.print(line("           ", safe(where, "dim")))
            if finding.inherited_from:
                console.print(line("           ", safe(finding.inherited_from, "dim")))
            console.print(line("           → ", safe(finding.recommendation, multiline=True)))

    def listing(title: str, items: Sequence[str]) -> None:
        if items:
            console.print()
            console.print(f"[bold]{title}[/bold] ({len(items)})")
            for item in items:
                console.print(line("  ", safe(item)))

    from provenance_cli.assessment.triggers import fired_triggers

    listing(
        "Date triggers fired",
        [
            f"{t.severity.upper()} {t.rule_id}: {t.message} ({t.answer}){' [waived]' if t.waiver else ''} -> {t.recommendation}"
            for t in fired_triggers(result, catalogue)
        ],
    )
    listing("Stale answers", [f"{s.question_id}: as of {s.as_of}, {s.age_days} days old (limit {s.max_age_days})" for s in result.stale])
    listing("Undisclosed by the vendor", list(result.undisclosed))
    listing("Not yet established by the buyer", [i.question_id for i in result.buyer_tasks if "not_established" in i.reasons])
    listing("Unanswered", list(result.unanswered))
    listing("Evidence missing", list(result.missing_evidence))
    listing(
        "Waivers applied",
        [f"{w.rule} for {w.vendor}: {w.reason} (approved by {w.approver}, expires {w.expires})" for w in result.waivers_applied],
    )
    listing("Waivers expired (not applied)", [f"{w.rule} for {w.vendor}: expired {w.expires}" for w in result.waivers_expired])
    listing("Rules disabled by policy", [f"{d.rule_id}: {d.reason}" for d in result.disabled_rules])
    for line_title, lines in extra_sections(result):
        listing(line_title, lines)

    console.print()
    overdue = " [bold red](OVERDUE)[/]" if result.overdue else ""
    console.print(
        line(f"Reassessment due [bold]{result.reassessment_due}[/bold]{overdue} ", safe(f"({result.reassessment_reason})", "dim"))
    )


def show_models(result: VendorResult, console: Console) -> None:
    """Each model's own verdict (issue 17), when the dossier lists more than one or one has facts of its own."""
    supply = result.supply
    if supply is None or not supply.models:
        return
    rows = supply.models
    if len(rows) == 1 and not (supply.links or rows[0].own_answers or rows[0].inherited or rows[0].developer):
        return
    console.print()
    scope = (
        f"the engagement uses {', '.join(supply.engagement_models)}"
        if supply.engagement_models is not None
        else "the engagement names no model, so all are in scope"
    )
    console.print(line("[bold]Models[/bold] ", safe(f"({scope}; the findings below are {supply.governing_model}'s)", "dim")))
    table = Table(show_edge=False, pad_edge=False, box=None)
    for header in ("model", "in scope", "decision", "tier", "developer / lab", "own answers, inherited findings"):
        table.add_column(header)
    for row in rows:
        notes = [f"{q} = {a}" for q, a in row.own_answers] + [f"{rule}: {source}" for rule, _, _, source in row.inherited]
        table.add_row(
            safe(row.name),
            "yes" if row.in_scope else "no",
            decision_label(row.decision),
            tier_label(row.tier),
            safe(f"{row.developer or result.vendor} / {', '.join(row.labs)}"),
            safe("; ".join(notes) or "as the vendor"),
        )
    console.print(table)
    for link in supply.links:
        console.print(line("  ", safe(f"{link.model or result.vendor} → {link.target} ({link.kind.replace('_', ' ')})", "dim")))


def show_concentration(results: Sequence[VendorResult], console: Console) -> None:
    """Below a folder's summary: the dependencies two vendors or more share (issue 17's portfolio view, in words)."""
    from provenance_cli.render.document import report_document
    from provenance_cli.render.interface import RenderContext
    from provenance_cli.render.portfolio import build_portfolio

    context = RenderContext()
    portfolio = build_portfolio([report_document(result, context) for result in results])
    if portfolio.highlights:
        console.print("[bold]Concentration[/bold] [dim](the portfolio view in index.html or index.md has the tables and the graph)[/dim]")
        for sentence in portfolio.highlights:
            console.print(line("  ", safe(sentence)))


DECISION_STYLE = {"approve": "green", "approve_with_conditions": "yellow", "incomplete": "bold yellow", "reject": "bold white on red"}


def decision_label(outcome: str) -> Text:
    """The decision in words, coloured, readable without colour too."""
    return safe(outcome.replace("_", " ").upper(), DECISION_STYLE.get(outcome, ""))


def show_decision(result: VendorResult, console: Console) -> None:
    """The decision first, with its reasons, conditions and open questions in words."""
    decision = result.decision
    console.print()
    console.print(line("[bold]Decision:[/bold] ", decision_label(decision.outcome), "  ", safe(decision.summary, multiline=True)))
    for item in decision.reasons if decision.outcome == "reject" else ():
        console.print(line("  ✗ ", safe(item.text, multiline=True), safe(f" (answer: {item.answer})", "dim")))
    for number, item in enumerate(decision.conditions, start=1):
        console.print(line(f"  {number}. ", safe(item.recommendation, multiline=True)))
    for question in decision.open_questions:
        console.print(line("  ? ", safe(question.text, multiline=True), safe(f" ({question.question}: {question.status})", "dim")))


def extra_sections(result: VendorResult) -> list[tuple[str, list[str]]]:
    """Screening hits and evidence drift, when the pipeline attached them."""
    sections: list[tuple[str, list[str]]] = []
    screening = result.screening
    if screening is None:
        sections.append(("Screening", ["not screened: screening did not run for this report (--no-screen)"]))
    else:
        sections.append(
            (
                "Screening coverage",
                [
                    f"screened: {c.title} ({c.entries} entries{f', list date {c.list_date}' if c.list_date else ''}; {c.reason})"
                    if c.screened
                    else f"NOT SCREENED: {c.title}: {c.reason}"
                    for c in screening.coverage
                ],
            )
        )
        sections.append(
            (
                "Screening: listed names",
                [
                    f"{m.role} {(m.parent_name or m.screened_name)!r}: {m.describe()}, entry {m.entry_name!r} "
                    f"({m.entry_id}), score {m.score}, {m.reason}"
                    for m in screening.matches
                ],
            )
        )
    if result.evidence is not None and result.evidence.findings:
        sections.append(("Evidence changed or broken", [f.describe() for f in result.evidence.findings if f.is_finding]))
    return sections


WIDE_SUMMARY = 180
"""Below this many columns the summary leaves out per-category scores rather than truncate numbers."""


def show_summary(results: Sequence[VendorResult], console: Console) -> None:
    """Vendors by risk in one table; below :data:`WIDE_SUMMARY` columns category scores are left out rather than truncated."""
    if not results:
        return
    wide = console.width >= WIDE_SUMMARY
    table = Table(title="Vendors by risk")
    table.add_column("vendor", overflow="fold", min_width=12)
    table.add_column("decision", no_wrap=True, min_width=8)
    table.add_column("tier", no_wrap=True, min_width=8)
    table.add_column("overall", justify="right", no_wrap=True, min_width=7)
    if wide:
        for category in results[0].categories:
            table.add_column(category.id.replace("_", " "), justify="right", no_wrap=True)
    table.add_column("min conf.", justify="right", no_wrap=True)
    table.add_column("stale", justify="right", no_wrap=True)
    table.add_column("reassess by", no_wrap=True)
    for result in results:
        table.add_row(
            safe(result.vendor),
            decision_label(result.decision.outcome),
            tier_label(result.tier),
            f"{result.overall:.1f}",
            *((f"{c.score:.0f}" for c in result.categories) if wide else ()),
            f"{min(c.confidence for c in result.categories):.0f}%",
            str(len(result.stale)),
            f"{result.reassessment_due}{' overdue' if result.overdue else ''}",
        )
    console.print(table)
    if not wide:
        console.print("[dim]Category scores: widen the terminal, or assess one vendor for its full view.[/dim]")


def show_questions(result: VendorResult, catalogue: Catalogue, console: Console) -> None:
    """The questions worth sending the vendor, each once with all its reasons, then the buyer's own open questions apart.

    Weighed results (``provcheck questions``) come most points at stake
    first; each question is put to the vendor in the second person, with
    its allowed answers and the evidence asked for.
    """
    vendor, buyer = result.vendor_questions, result.buyer_tasks
    console.print()
    console.print(line(safe(f"Questions for {result.vendor}", "bold"), f" ({len(vendor)} to send the vendor, {len(buyer)} for the buyer)"))
    if vendor and vendor[0].points_at_stake is not None:
        console.print(line(safe("Most points at stake first: how far the overall score could move with the answer.", "dim")))
    for number, item in enumerate(vendor, start=1):
        _show_follow_up(item, catalogue, console, f"{number}.")
    if buyer:
        console.print()
        console.print(line(safe("The buyer's own open questions", "bold"), f" ({len(buyer)}, not sent to the vendor)"))
        for item in buyer:
            _show_follow_up(item, catalogue, console, "-")


def _show_follow_up(item: FollowUp, catalogue: Catalogue, console: Console, marker: str) -> None:
    """One open question: id, stake and reasons, the question as asked, its answers, the evidence wanted."""
    from provenance_cli.formats.scaffold import allowed_answers

    stake = f"up to {item.points_at_stake:.1f} points · " if item.points_at_stake is not None else ""
    console.print(line(f"  {marker} ", safe(item.question_id, "bold"), "  ", safe(stake + item.why, SEVERITY_STYLE["medium"])))
    console.print(line("      ", safe(item.text, multiline=True)))
    question = catalogue.questions.get(item.question_id)
    if question is not None:
        console.print(line("      ", safe(f"answers: {allowed_answers(question)}", "dim")))
        if question.evidence_request:
            console.print(line("      ", safe(f"evidence: {' '.join(question.evidence_request.split())}", "dim")))
    if item.answer is not None:
        console.print(line("      ", safe(f"current answer: {item.answer}", "dim")))
    if item.decides:
        console.print(line("      ", safe(f"could decide: knock-out {', '.join(item.decides)}", "dim")))


def show_comparison(comparison: dict[str, Any], console: Console) -> None:
    """Vendors side by side in one table; differing answers marked."""
    from provenance_cli.render.compare import MARKER

    table = Table(title=f"Side by side ({comparison['differing_questions']} answers differ, marked {MARKER})")
    table.add_column("", no_wrap=True)
    table.add_column("question / category")
    for vendor in comparison["vendors"]:
        table.add_column(safe(vendor["name"]))
    tiers = [safe(str(v["tier"]).upper(), TIER_STYLE.get(v["tier"], "")) for v in comparison["vendors"]]
    table.add_row("", "[bold]tier[/]", *tiers)
    table.add_row("", "[bold]overall[/]", *(f"{float(v['overall']):.1f}" for v in comparison["vendors"]))
    for category in comparison["categories"]:
        mark = MARKER if category["differs"] else ""
        table.add_row(mark, safe(category["title"]), *("-" if s is None else f"{float(s):.1f}" for s in category["scores"]))
    table.add_section()
    for question in comparison["questions"]:
        mark = MARKER if question["differs"] else ""
        style = "bold" if question["differs"] else ""
        cells = ["[dim]n/a[/]" if c is None else safe(c["answer"], style) for c in question["cells"]]
        table.add_row(mark, safe(question["question_id"]), *cells)
    console.print(table)
