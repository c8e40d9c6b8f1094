"""The evidence pack in Markdown, HTML and CSV (``provcheck frameworks FRAMEWORK DIR``).

The pack's text comes from dossiers, so it is untrusted like every report:
the Markdown environment escapes every printed value and the table rows are
assembled here from escaped cells; HTML is autoescaped, and evidence
addresses become links only when they are http(s); CSV cells never start a
formula.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provenance_cli.render.interface import RenderContext

if TYPE_CHECKING:
    from provenance_cli.assessment.evidence_pack import EvidencePack, PackEntry, PackFinding

PACK_FORMATS = ("md", "html", "csv")
MD_TEMPLATE = "evidence-pack.md.j2"
HTML_TEMPLATE = "evidence-pack.html.j2"
CSV_HEADER = (
    "framework",
    "edition",
    "control",
    "control_title",
    "party",
    "question_id",
    "question",
    "vendor",
    "dossier",
    "answer",
    "status",
    "as_of",
    "evidence",
    "note",
    "findings",
    "recommendations",
)
PARTY_WORDS = {"vendor": "vendor's control", "buyer": "buyer's control", None: "party not stated"}
"""How each party reads next to a question."""


def finding_text(finding: PackFinding) -> str:
    """One finding in words: rule, severity, knock-out and waiver, then what was found."""
    flags = [finding.severity.upper()]
    if finding.knockout:
        flags.append(f"knock-out {finding.knockout}")
    if finding.waived_by:
        flags.append(f"waived by {finding.waived_by}")
    return f"{finding.rule_id} ({', '.join(flags)}): {' '.join(finding.message.split())}"


def _md_rows(entries: tuple[PackEntry, ...]) -> list[Any]:
    """Escaped Markdown table rows, one per vendor: answer, status, as-of date, evidence links, note, findings."""
    from provenance_cli.render.templating import MdSafe, md_finalize, md_url

    e = md_finalize
    rows = []
    for entry in entries:
        links = []
        for evidence in entry.evidence:
            href = md_url(evidence.url)
            label = e(evidence.title or evidence.url)
            link = f"[{label}]({href})" if href else f"{label} ({e(evidence.url)}, not a web link)"
            if evidence.retrieved:
                link += f", retrieved {e(evidence.retrieved.isoformat())}"
            links.append(link)
        findings = "; ".join(e(finding_text(f)) for f in entry.findings) or "none"
        cells = [e(entry.vendor), e(entry.answer), e(entry.status), e(entry.as_of), "; ".join(links), e(entry.note), findings]
        rows.append(MdSafe("| " + " | ".join(cells) + " |"))
    return rows


def render_markdown(pack: EvidencePack, context: RenderContext) -> str:
    """The pack as CommonMark with GFM tables: a section per control, a table per question."""
    from provenance_cli.render.templating import template

    rows = {(c.control, q.question_id): _md_rows(q.entries) for c in pack.controls for q in c.questions}
    return template("md", MD_TEMPLATE, context.template_dir).render(
        p=pack, rows=rows, parties=PARTY_WORDS, generated_at=context.generated_at
    )


def render_html(pack: EvidencePack, context: RenderContext) -> str:
    """The pack as one self-contained HTML page (no outside requests; the CSP forbids them)."""
    from provenance_cli.render.templating import template

    return template("html", HTML_TEMPLATE, context.template_dir).render(
        p=pack, parties=PARTY_WORDS, finding_text=finding_text, generated_at=context.generated_at
    )


def render_csv(pack: EvidencePack, context: RenderContext) -> str:
    """One row per control, question and vendor; every cell safe to open in a spreadsheet."""
    import csv
    import io

    from provenance_cli.render.csv_report import cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    framework = pack.framework
    for control in pack.controls:
        for question in control.questions:
            for entry in question.entries:
                writer.writerow(
                    [
                        cell(framework.id),
                        cell(framework.edition),
                        cell(control.control),
                        cell(control.title),
                        cell(question.party or ""),
                        cell(question.question_id),
                        cell(question.text),
                        cell(entry.vendor),
                        cell(entry.dossier),
                        cell(entry.answer),
                        cell(entry.status),
                        cell(entry.as_of.isoformat() if entry.as_of else ""),
                        cell(" | ".join(e.url for e in entry.evidence)),
                        cell(entry.note or ""),
                        cell("; ".join(finding_text(f) for f in entry.findings)),
                        cell(" / ".join(" ".join(f.recommendation.split()) for f in entry.findings)),
                    ]
                )
    return buffer.getvalue()


def render_pack(pack: EvidencePack, fmt: str, context: RenderContext) -> str:
    """The pack in ``fmt`` (md, html or csv)."""
    renderers = {"md": render_markdown, "html": render_html, "csv": render_csv}
    return renderers[fmt](pack, context)
