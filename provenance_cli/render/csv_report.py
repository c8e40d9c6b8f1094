"""A CSV summary, one row per vendor, for spreadsheets.

Cells that a spreadsheet would read as a formula are prefixed with a single
quote (OWASP's advice on CSV injection), so a vendor called
``=HYPERLINK(...)`` stays text: see :func:`spreadsheet_text`, the one guard
every CSV cell provcheck writes goes through.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from provenance_cli.render.interface import CombinedRenderer, RenderContext

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62", "\ufe63", "\ufe6b")
"""First characters that make a spreadsheet read a cell as a formula (or start one after a line break):
OWASP's ``= + - @``, tab, carriage return and line feed, and their full-width (＝ ＋ － ＠) and small (﹦ ﹢ ﹣ ﹫) forms,
which spreadsheets in East Asian locales may treat like the ASCII ones."""


def spreadsheet_text(text: str) -> str:
    """``text`` prefixed with a single quote when a spreadsheet could run it as a formula; other text unchanged."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}"
    return spreadsheet_text(str(value))


def _knockout_reasons(result: VendorResult) -> str:
    """The knock-outs in words (each rule's message), beside their ids, so no rule id stands alone."""
    messages = {t.rule_id: t.message for t in result.trace}
    return " | ".join(messages.get(rule, rule) for rule in result.knockouts)


class CsvRenderer(CombinedRenderer):
    """One summary row per vendor (decision, tiers, scores, counts) for spreadsheets."""

    name = "csv"
    suffix = ".csv"

    def render_many(self, results: Sequence[VendorResult], context: RenderContext) -> str:
        from provenance_cli.assessment.scoring import sort_by_risk

        categories: list[str] = []
        for result in results:
            categories.extend(c.id for c in result.categories if c.id not in categories)
        header = [
            "vendor", "legal_name", "decision", "decision_summary", "decision_reasons", "conditions", "open_questions",
            "tier", "overall", *(f"score_{c}" for c in categories), *(f"tier_{c}" for c in categories),
            "confidence", "min_confidence", "knockouts", "knockout_reasons", "findings", "stale", "undisclosed",
            "unanswered", "missing_evidence", "assessed_on", "as_of", "reassessment_due", "overdue",
            "dossier", "dossier_sha256", "policy", "policy_sha256", "generated_at",
        ]  # fmt: skip
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for result in sort_by_risk(list(results)):
            scores = {c.id: c.score for c in result.categories}
            tiers = {c.id: c.tier for c in result.categories}
            decision = result.decision
            row = [
                result.vendor, result.legal_name, decision.outcome, decision.summary,
                " | ".join(i.text for i in decision.reasons),
                " | ".join(i.recommendation for i in decision.conditions),
                " | ".join(q.text for q in decision.open_questions),
                result.tier, result.overall,
                *(scores.get(c) for c in categories), *(tiers.get(c) for c in categories),
                result.confidence, min((c.confidence for c in result.categories), default=100.0),
                " ".join(result.knockouts), _knockout_reasons(result), len(result.findings), len(result.stale),
                len(result.undisclosed), len(result.unanswered), len(result.missing_evidence),
                result.assessed_on, result.as_of, result.reassessment_due, result.overdue,
                result.source, result.sha256, result.policy_name, result.policy_sha256,
                context.generated_at,
            ]  # fmt: skip
            writer.writerow([cell(v) for v in row])
        return out.getvalue()
