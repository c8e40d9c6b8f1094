"""The terminal view of assessment results (rich).

Tier is always spelled out as a word beside its colour, so the view reads
the same with NO_COLOR, on a monochrome terminal or piped into a file.
Whatever a dossier, policy or list says enters a view through
:func:`~provenance_cli.cli.terminal.safe` or :func:`escape` (text, never
markup, control characters shown escaped); markup strings here are
provcheck's own. Long lines wrap with their indent kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table

from provenance_cli.assessment.results import FollowUp, VendorResult
from provenance_cli.cli.terminal import line, safe
from provenance_cli.render.summary import CONFIDENCE_BASIS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from provenance_cli.formats.questionnaires import Catalogue

TIER_STYLE = {"low": "green", "medium": "yellow", "high": "red", "critical": "bold white on red"}
SEVERITY_STYLE = {"info": "dim", "low": "cyan", "medium": "yellow", "high": "red", "critical": "bold red"}
TOP_FINDINGS = 8
WIDE_VENDOR = 100
"""Below this many columns the single-vendor view leaves out the score bars rather than squeeze the category names."""


def bar(score: float, width: int = 20) -> str:
    """A 0-100 score as a bar of block characters, readable without colour."""
    filled = round(score / 100 * width)
    return "█" * filled + "░" * (width - filled)


def tier_label(tier: str) -> str:
    """The tier spelled out in capitals and coloured: the word carries the meaning, the colour only repeats it."""
    return f"[{TIER_STYLE[tier]}]{tier.upper()}[/]"


def _hanging(console: Console, marker: str | Text, body: str | Text, *, indent: int = 2, label_width: int | None = None) -> None:
    """Print ``marker`` then ``body``, wrapped to the console so every wrapped line starts under the text, not at column 0.

    ``str`` parts are provcheck's own markup; user data arrives as ``Text``
    (from :func:`~provenance_cli.cli.terminal.safe`). Lines are printed as
    they are, without the trailing spaces a padded layout would add.
    """
    from rich.text import Text

    head = marker if isinstance(marker, Text) else Text.from_markup(marker)
    text = body if isinstance(body, Text) else Text.from_markup(body)
    gap = max(label_width or 0, head.cell_len) + (1 if head.cell_len else 0)
    width = max(20, console.width - indent - gap)
    lines: list[Text] = []
    for number, wrapped in enumerate(text.wrap(console, width, overflow="fold")):
        wrapped.rstrip()
        row = Text(" " * indent)
        if number == 0:
            row.append_text(head)
            row.append(" " * (gap - head.cell_len))
        else:
            row.append(" " * gap)
        row.append_text(wrapped)
        lines.append(row)
    # One print for the whole item: each console.print costs far more than the text it prints (the terminal view's main cost).
    if lines:
        console.print(Text("\n").join(lines), soft_wrap=True, overflow="ignore", crop=False)


def _item(console: Console, marker: str | Text, body: str | Text, *, indent: int = 2) -> None:
    """One list item whose wrapped lines keep their indent (a hanging indent under the marker)."""
    _hanging(console, marker, body, indent=indent)


def _line(console: Console, body: str | Text, *, indent: int = 2) -> None:
    """A paragraph indented as a whole: wrapped lines start under its first word, not at column 0."""
    _hanging(console, "", body, indent=indent)


def _fact(console: Console, label: str, body: str | Text) -> None:
    """A labelled fact ("Screening  ...") whose wrapped lines line up after the label."""
    _hanging(console, f"[bold]{label}[/bold]", body, indent=0, label_width=12)


def _cite(cite: dict[str, Any] | None, hits: list[dict[str, Any]]) -> list[Text]:
    """A finding's evidence in words: each source's title, link and retrieval date, the answer's as-of date; each listing."""
    lines = []
    if cite:
        parts: list[str | Text] = ["Source: "]
        for number, source in enumerate(cite["sources"]):
            retrieved = f", retrieved {source['retrieved']}" if source["retrieved"] else ""
            parts += ["; " if number else "", safe(f"{source['title']} <{source['href'] or source['url']}>{retrieved}")]
        if not cite["sources"]:
            parts.append("none cited")
        parts.append(safe(f"; answer as of {cite['as_of']}." if cite.get("as_of") else "."))
        lines.append(line(*parts, style="dim"))
    for h in hits:
        where = f" <{h['source']}>" if h.get("source") else " (bundled copy)"
        fetched = f", fetched {h['retrieved']}" if h.get("retrieved") else ""
        date = f" (list date {h['list_date']})" if h.get("list_date") else ""
        words = f"Listed: {h['role']} {h['name']} as {h['entry']} on the {h['list_name']}{date}{where}{fetched}."
        lines.append(line(safe(words), style="dim"))
    return lines


def show_vendor(result: VendorResult, catalogue: Catalogue, console: Console, *, all_findings: bool = False) -> None:
    """One vendor: the decision and its reasons first, then category scores, findings by question, screening and the next review.

    ``all_findings`` shows every finding and every unanswered, undisclosed or unevidenced question, not the strongest few.
    """
    from provenance_cli.render.document import report_document
    from provenance_cli.render.interface import RenderContext
    from provenance_cli.render.summary import executive_summary, question_rows

    document = report_document(result, RenderContext(generated_at=""))
    brief = executive_summary(document)
    console.print()
    _line(console, line(safe(result.vendor, "bold"), "  ", safe(f"({result.legal_name})", "dim")), indent=0)
    show_decision(result, console, brief=brief)

    console.print()
    table = Table(show_edge=False, pad_edge=False, box=None)
    with_bar = console.width >= WIDE_VENDOR
    columns = (
        ("category", "left"),
        ("tier", "left"),
        ("score", "right"),
        *((("", "left"),) if with_bar else ()),
        ("confidence", "right"),
        ("answered", "right"),
    )
    for header, justify in columns:
        table.add_column(header, justify=justify, overflow="fold", no_wrap=header != "category")  # type: ignore[arg-type]
    for category in result.categories:
        table.add_row(
            safe(category.title),
            tier_label(category.tier),
            f"{category.score:.1f}",
            *((bar(category.score),) if with_bar else ()),
            f"{category.confidence:.0f}%",
            f"{category.answered}/{category.applicable}",
        )
    console.print(table)
    show_models(result, console)

    rows = sorted((row for group in question_rows(document) for row in group["rows"]), key=lambda r: (-r["points"], r["question"]))
    if rows:
        shown = rows if all_findings else rows[:TOP_FINDINGS]
        more = "" if len(shown) == len(rows) else f"; --all shows all {len(rows)}"
        console.print()
        _line(console, f"[bold]Findings by question[/bold] ({len(shown)} of {len(rows)}, most points first{more})", indent=0)
        for row in shown:
            _show_row(row, console)

    def listing(title: str, items: Sequence[str]) -> None:
        if items:
            console.print()
            _line(console, f"[bold]{title}[/bold] ({len(items)})", indent=0)
            for item in items:
                _item(console, "-", safe(item))

    texts = {a.question_id: a.text for a in result.answers}
    listing(
        "Stale answers",
        [
            f"{texts.get(s.question_id, s.question_id)} As of {s.as_of}, {s.age_days} days old (limit {s.max_age_days})."
            for s in result.stale
        ],
    )
    from provenance_cli.assessment.triggers import fired_triggers

    listing(
        "Date triggers fired",
        [
            f"{t.severity.upper()} {t.message} ({t.answer}){' [waived]' if t.waiver else ''} -> {t.recommendation} ({t.rule_id})"
            for t in fired_triggers(result, catalogue)
        ],
    )
    if all_findings:
        listing("Undisclosed by the vendor", [texts.get(q, q) for q in result.undisclosed])
        listing(
            "Not yet established by the buyer",
            [texts.get(i.question_id, i.question_id) for i in result.buyer_tasks if "not_established" in i.reasons],
        )
        listing("Unanswered", [texts.get(q, q) for q in result.unanswered])
        listing("Evidence missing", [texts.get(q, q) for q in result.missing_evidence])
    elif result.undisclosed or result.unanswered or result.missing_evidence:
        console.print()
        _line(
            console,
            "[dim]Undisclosed, unanswered and unevidenced questions: --all lists them, --questions gives the questions to send.[/dim]",
            indent=0,
        )
    messages = {t.rule_id: t.message for t in result.trace}
    listing(
        "Waivers applied",
        [
            f"{messages.get(w.rule, w.rule)} ({w.rule}) for {w.vendor}: {w.reason} (approved by {w.approver}, expires {w.expires})"
            for w in result.waivers_applied
        ],
    )
    listing(
        "Waivers expired (not applied)",
        [f"{messages.get(w.rule, w.rule)} ({w.rule}) for {w.vendor}: expired {w.expires}" for w in result.waivers_expired],
    )
    listing("Rules disabled by policy", [f"{d.rule_id}: {d.reason}" for d in result.disabled_rules])
    for line_title, lines in extra_sections(result):
        listing(line_title, lines)

    console.print()
    overdue = " [bold red](OVERDUE)[/]" if result.overdue else ""
    _line(
        console,
        line(f"Reassessment due [bold]{result.reassessment_due}[/bold]{overdue} ", safe(f"({result.reassessment_reason})", "dim")),
        indent=0,
    )
    where = f"{result.source} · assessed {result.assessed_on} by {result.profile.assessor} · scored as of {result.as_of}"
    _line(console, safe(where, "dim"), indent=0)


def _show_row(row: dict[str, Any], console: Console) -> None:
    """One question's finding: severity and points, the message, the answer to the question, evidence where needed, the actions."""
    style = SEVERITY_STYLE.get(row["severity"], "")
    head = f"[{style}]{row['severity'].upper():8}[/] +{row['points']:.1f}"
    parts: list[str | Text] = [safe(row["message"])]
    parts += [safe(f" {message}", "dim") for message in row["also"]]
    if row["knockout"]:
        parts.append(safe(f" (knock-out: at least {str(row['knockout']).upper()})", "bold red"))
    if row["waiver"]:
        parts.append(safe(f" (waived by {row['waiver']['approver']} until {row['waiver']['expires']})", "dim"))
    _item(console, head, line(*parts))
    _line(console, line(safe(f"Answer: {row['answer']}, to “{row['question']}”"), style="dim"), indent=6)
    for source in row.get("inherited", []):
        _line(console, safe(source, "dim"), indent=6)
    for cited in _cite(row["cite"], row["hits"]):
        _line(console, cited, indent=6)
    for action in row["actions"]:
        kind = " (contract clause)" if action["type"] == "contract_clause" else ""
        _item(console, "→", safe(f"{action['owner_label']}{kind}: {action['text']}"), indent=6)


def show_models(result: VendorResult, console: Console) -> None:
    """Each model's own verdict (issue 17), when the dossier lists more than one or one has facts of its own."""
    from rich.text import Text

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
    _line(console, line("[bold]Models[/bold] ", safe(f"({scope}; the findings below are {supply.governing_model}'s)", "dim")), indent=0)
    table = Table(show_edge=False, pad_edge=False, box=None)
    for header in ("model", "in scope", "decision", "tier", "developer / lab", "own answers, inherited findings"):
        table.add_column(header)
    for row in rows:
        notes = [f"{q} = {a}" for q, a in row.own_answers] + [f"{message} ({source})" for _, _, message, source in row.inherited]
        table.add_row(
            safe(row.name),
            "yes" if row.in_scope else "no",
            decision_label(row.decision),
            tier_label(row.tier),
            safe(f"{row.developer or result.vendor} / {', '.join(row.labs)}"),
            safe("; ".join(notes) or "as the vendor"),
        )
    with console.capture() as captured:
        console.print(table)
    for text in captured.get().splitlines():  # a wrapped table pads its last column: no trailing spaces
        console.print(Text.from_ansi(text.rstrip()), soft_wrap=True)
    for link in supply.links:
        _line(console, safe(f"{link.model or result.vendor} → {link.target} ({link.kind.replace('_', ' ')})", "dim"))


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


def show_decision(result: VendorResult, console: Console, *, brief: dict[str, Any] | None = None) -> None:
    """The decision first: tier and why, the reasons in words with their evidence, the conditions or open questions,
    screening, the one confidence figure and what lowers it."""
    if brief is None:
        from provenance_cli.render.document import report_document
        from provenance_cli.render.interface import RenderContext
        from provenance_cli.render.summary import executive_summary

        brief = executive_summary(report_document(result, RenderContext(generated_at="")))
    decision = result.decision
    console.print()
    _line(
        console,
        line(
            "[bold]Decision:[/bold] ",
            decision_label(decision.outcome),
            f"  tier {tier_label(result.tier)}  overall [bold]{result.overall:.1f}[/bold]/100",
        ),
        indent=0,
    )
    _line(console, safe(decision.summary))
    _line(console, safe(f"Why this tier: {brief['tier_basis']}.", "dim"))
    for number, reason in enumerate(brief["reasons"], start=1):
        _item(console, f"{number}.", safe(reason["message"]))
        _line(console, safe(f"Answer: {reason['answer']}, to “{reason['question']}”", "dim"), indent=5)
        for cited in _cite(reason["cite"], reason["hits"]):
            _line(console, cited, indent=5)
    if decision.outcome == "reject":
        _line(console, "Conditions for approval: none; the reasons above rule out approval while they stand.")
    elif decision.outcome == "approve":
        _line(console, "Conditions for approval: none.")
    for number, condition in enumerate(brief["conditions"], start=1):
        _item(console, f"{number}.", line(safe(condition["message"]), safe(f" (answer: {condition['answer']})", "dim")))
        for action in condition["actions"]:
            _item(console, "→", safe(f"{action['owner_label']}: {action['text']}"), indent=5)
    for question in brief["open_questions"]:
        could = f"; could mean: {' '.join(question['could_mean'])}" if question["could_mean"] else ""
        _item(console, "?", line(safe(question["text"]), safe(f" ({question['status']}{could})", "dim")))
    screening = brief["screening"]
    screened = "; ".join(f"{c['title']} ({c['entries']} entries)" for c in screening["screened"])
    not_screened = "; ".join(c["title"] for c in screening["not_screened"])
    words = (
        screening["sentence"]
        + (f" Screened: {screened}." if screened else "")
        + (f" Not screened: {not_screened}." if not_screened else "")
    )
    _fact(console, "Screening", safe(words))
    confidence = brief["confidence"]
    lowest = f" (lowest: {confidence['lowest']['title']}, {confidence['lowest']['value']:.0f}%)" if confidence["lowest"] else ""
    lowered = f" Lowered by {', '.join(confidence['lowered_by'])}." if confidence["lowered_by"] else ""
    _fact(console, "Confidence", safe(f"{confidence['value']:.0f}%, {confidence['basis']}{lowest}.{lowered}"))


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
    table.add_column("confidence", justify="right", no_wrap=True)
    table.add_column("stale", justify="right", no_wrap=True)
    table.add_column("reassess by", no_wrap=True)
    for result in results:
        table.add_row(
            safe(result.vendor),
            decision_label(result.decision.outcome),
            tier_label(result.tier),
            f"{result.overall:.1f}",
            *((f"{c.score:.0f}" for c in result.categories) if wide else ()),
            f"{result.confidence:.0f}%",
            str(len(result.stale)),
            f"{result.reassessment_due}{' overdue' if result.overdue else ''}",
        )
    console.print(table)
    console.print(f"[dim]Confidence is {CONFIDENCE_BASIS}, as in every report.[/dim]")
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


COMPARE_COLUMN = 24
"""Columns a vendor needs in the side-by-side table; narrower terminals get one block per question instead."""


def show_comparison(comparison: dict[str, Any], console: Console) -> None:
    """Vendors side by side: decisions, scores, then every question by its text with each vendor's answer label; differing rows marked.

    Nothing is ever cut: a table when the terminal is wide enough for every
    vendor, otherwise one block per question whose lines wrap with their indent.
    """
    from rich.text import Text

    from provenance_cli.render.compare import MARKER

    vendors = comparison["vendors"]
    title = f"Side by side ({comparison['differing_questions']} answers differ, marked {MARKER})"
    measures: list[tuple[str, list[str | Text], bool]] = [
        ("decision", [safe(str(v.get("decision") or "n/a").replace("_", " ").upper()) for v in vendors], False),
        ("tier", [safe(str(v["tier"]).upper(), TIER_STYLE.get(v["tier"], "")) for v in vendors], False),
        ("overall", [f"{float(v['overall']):.1f}" for v in vendors], False),
        ("confidence", ["n/a" if v.get("confidence") is None else f"{float(v['confidence']):.0f}%" for v in vendors], False),
    ]
    measures += [
        (c["title"], ["-" if x is None else f"{float(x):.1f}" for x in c["scores"]], c["differs"]) for c in comparison["categories"]
    ]
    answers: list[tuple[str, list[str | Text], bool]] = [
        (
            question["text"],
            [
                "[dim]n/a[/]" if c is None else safe(c.get("label", c["answer"]), "bold" if question["differs"] else "")
                for c in question["cells"]
            ],
            question["differs"],
        )
        for question in comparison["questions"]
    ]
    if console.width >= 40 + COMPARE_COLUMN * len(vendors):
        from rich.measure import Measurement

        def visible_width(name: str) -> int:
            return safe(name).cell_len

        table = Table(title=title)
        table.add_column("", no_wrap=True)
        table.add_column("question / category", overflow="fold")
        for vendor in vendors:
            table.add_column(safe(vendor["name"]), overflow="fold")
        for name, cells, differs in measures:
            table.add_row(MARKER if differs else "", safe(name, "bold"), *cells)
        table.add_section()
        for text, cells, differs in answers:
            table.add_row(MARKER if differs else "", safe(text), *cells)
        if Measurement.get(console, console.options.update_width(10**6), table).maximum > console.width:
            # Too wide at its natural width: each vendor gets a column as wide as its name (at least COMPARE_COLUMN,
            # at most its share), the questions the rest, and every cell wraps, rather than the table being cropped.
            table.expand = True
            share = (console.width - 40) // len(vendors)
            table.columns[1].ratio = 1
            for column, vendor in zip(table.columns[2:], vendors, strict=True):
                column.width = min(max(visible_width(vendor["name"]), COMPARE_COLUMN), share)
        console.print(table)
        return
    console.print(safe(title, "bold"))
    for name, cells, differs in [*measures, *answers]:
        console.print()
        _item(console, MARKER if differs else " ", line(safe(name, "bold"), " [dim](differs)[/dim]" if differs else ""), indent=0)
        for vendor, cell in zip(vendors, cells, strict=True):
            _item(console, "", line(safe(f"{vendor['name']}: "), cell if isinstance(cell, Text) else Text.from_markup(cell)), indent=2)
