"""GitHub Actions annotations: findings, decisions and input problems as workflow commands.

Under ``GITHUB_ACTIONS=true`` the CLI prints these lines, and GitHub shows
each one on the dossier line it names (in the pull request's changed files
and the run's summary). The text is escaped as the runner expects (``%``,
carriage return and newline in messages; ``:`` and ``,`` in properties
too), so a vendor name cannot end the command early or add properties.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult
    from provenance_cli.util.errors import Problem

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}
"""Annotation level of each finding severity."""
DECISION_LEVELS = {"reject": "error", "incomplete": "warning", "approve_with_conditions": "warning", "approve": "notice"}
"""Annotation level of each decision."""


_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape_data(text: str) -> str:
    """A message as a workflow command carries it; other control characters become U+FFFD so none reaches the log raw."""
    return _CONTROL.sub("\ufffd", text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A property value (file, title) as a workflow command carries it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(level: str, message: str, *, file: str | None = None, line: int = 0, column: int = 0, title: str = "") -> str:
    """One ``::level file=...,line=...,col=...,title=...::message`` line; positions of 0 are left out."""
    properties = []
    if file and file != "-":
        properties.append(f"file={escape_property(file)}")
        if line > 0:
            properties.append(f"line={line}")
            if column > 0:
                properties.append(f"col={column}")
    if title:
        properties.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{escape_data(message)}"


def assessment_annotations(results: Sequence[VendorResult]) -> list[str]:
    """Per vendor: its decision at the vendor's name, then each finding at its answer."""
    lines = []
    for result in results:
        line, column = result.position_of(None)
        lines.append(
            workflow_command(
                DECISION_LEVELS.get(result.decision.outcome, "warning"),
                f"{result.decision.summary} Tier {result.tier}, overall score {result.overall:.1f}/100.",
                file=result.source,
                line=line,
                column=column,
                title=f"provcheck: {result.vendor}: {result.decision.outcome}",
            )
        )
        for entry in result.findings:
            line, column = result.position_of(entry.question_id)
            waived = f" Waived by {entry.waiver.approver} until {entry.waiver.expires}." if entry.waiver is not None else ""
            lines.append(
                workflow_command(
                    "notice" if entry.waiver is not None else LEVELS.get(entry.severity, "warning"),
                    f"{entry.message} (answer: {entry.answer}){waived} Recommendation: {entry.recommendation}",
                    file=result.source,
                    line=line,
                    column=column,
                    title=f"provcheck {entry.rule_id} ({entry.severity}): {result.vendor}",
                )
            )
    return lines


def problem_annotations(problems: Sequence[Problem]) -> list[str]:
    """Each input problem as an error at its file, line and column."""
    return [
        workflow_command("error", p.message, file=p.source, line=p.line, column=p.column, title="provcheck: invalid input")
        for p in problems
    ]
