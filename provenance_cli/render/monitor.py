"""``provcheck monitor`` reports: JSON for machines, Markdown for a GitHub job summary or an issue body.

The JSON is versioned (``monitor_version``) and carries everything the
Markdown shows. The Markdown is CommonMark with GFM tables; every value is
escaped (:func:`~provenance_cli.render.templating.md_text`), so a list
entry or a vendor name can neither split a table nor inject HTML or links.
It is kept under a size budget (GitHub caps a job summary at 1 MiB; the
default budget is far below): past it, rows are left out and the report
says how many and where to find them (``-f json``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance_cli.assessment.monitor import MonitorReport

MONITOR_VERSION = 1
"""Version of the ``monitor -f json`` document."""
MARKDOWN_BUDGET = 60_000
"""Bytes of Markdown above which change rows are left out (the examples stay far below 64 KB)."""


def monitor_document(report: MonitorReport) -> dict[str, Any]:
    """The report as plain data, the JSON output."""
    return {
        "tool": "provcheck",
        "kind": "monitor",
        "monitor_version": MONITOR_VERSION,
        "folder": report.folder,
        "as_of": report.as_of.isoformat(),
        "checked_at": report.checked_at,
        "previous_run": report.previous_run,
        "baseline": report.baseline,
        "exit_code": report.exit_code,
        "verdict": report.verdict(),
        "dossiers": report.dossiers,
        "worse": len(report.worse),
        "changes": [c.as_dict() for c in report.changes],
        "lists": [
            {
                "source": s.source,
                "title": s.title,
                "cached": s.state is not None,
                "sha256": s.state.sha256 if s.state else None,
                "fetched_at": s.state.fetched_at if s.state else None,
                "list_dates": s.state.list_dates if s.state else {},
                "changed_since_last_run": s.changed_since_last_run,
                "last_update": s.delta.summary() if s.delta else None,
            }
            for s in report.lists
        ],
        "unchecked": [{"source": source, "reason": reason} for source, reason in report.unchecked],
        "problems": [p.as_dict() for p in report.problems],
        "warnings": list(report.warnings),
    }


def render_json(report: MonitorReport) -> str:
    """The JSON document, indented, names kept readable."""
    return json.dumps(monitor_document(report), indent=2, ensure_ascii=False) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_markdown(report: MonitorReport, budget: int = MARKDOWN_BUDGET) -> str:
    """The report as Markdown: verdict, changes (worse first per dossier), lists, what was not checked."""
    from provenance_cli.render.templating import md_text as e

    worse = len(report.worse)
    head = [
        f"## provcheck monitor: {len(report.changes)} change(s), {worse} worse",
        "",
        f"**{e(report.verdict())}** (exit {report.exit_code})",
        "",
        f"Folder {e(report.folder)}; {report.dossiers} dossier(s) assessed as of {report.as_of}; "
        + (f"previous run {e(report.previous_run)}." if report.previous_run else "first run: everything is new."),
        "",
    ]
    tail: list[str] = []
    if report.unchecked:
        tail += ["### Not checked", ""] + [f"- **{e(source)}**: {e(reason)}" for source, reason in report.unchecked] + [""]
    if report.problems:
        tail += ["### Could not be assessed", ""] + [f"- {e(str(p))}" for p in report.problems] + [""]
    cached = [s for s in report.lists if s.state is not None]
    if cached:
        tail += ["### Lists", "", _row(["list", "list dates", "fetched", "last update"]), _row(["---"] * 4)]
        for s in cached:
            assert s.state is not None
            dates = ", ".join(f"{k} {v or '?'}" for k, v in s.state.list_dates.items())
            last = (s.delta.summary() if s.delta else "no delta recorded") + (
                " (since the previous run)" if s.changed_since_last_run else ""
            )
            tail.append(_row([e(s.title), e(dates), e(s.state.fetched_at[:16].replace("T", " ") + " UTC"), e(last)]))
        tail.append("")
    if report.warnings:
        tail += ["### Warnings", ""] + [f"- {e(w)}" for w in report.warnings] + [""]
    rows: list[str] = []
    if report.changes:
        rows = [_row(["", "dossier", "vendor", "change", "details"]), _row(["---"] * 5)]
        for change in report.changes:
            mark = "**worse**" if change.worse and not report.baseline else ""
            rows.append(_row([mark, e(change.dossier or "(lists)"), e(change.vendor or ""), e(change.summary), e(change.detail)]))
    fixed = len("\n".join(head + ["### What changed", ""] + tail).encode("utf-8")) + 200
    kept = 2
    size = fixed
    for index, line in enumerate(rows[2:], start=2):
        size += len(line.encode("utf-8")) + 1
        if size > budget:
            break
        kept = index + 1
    body = ["### What changed", ""] + rows[:kept]
    if rows and kept < len(rows):
        body += ["", f"{len(rows) - kept} more change(s) not shown to keep this summary short; `provcheck monitor -f json` lists them all."]
    if not rows:
        body = ["Nothing new since the last run."]
    return "\n".join(head + body + [""] + tail).rstrip("\n") + "\n"
