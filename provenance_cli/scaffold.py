"""The empty dossier ``provcheck init`` writes: every question, help as comments.

The text is assembled by hand rather than dumped, because the comments are
the point: an assessor fills the file in an editor with each question's
purpose and allowed answers in front of them.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date

from provenance_cli.catalogue import Catalogue
from provenance_cli.models import UNDISCLOSED, Question


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _comment_block(text: str, indent: str, width: int = 88) -> list[str]:
    lines: list[str] = []
    for paragraph in text.strip().split("\n\n"):
        wrapped = textwrap.wrap(" ".join(paragraph.split()), width=width - len(indent) - 2) or [""]
        lines.extend(f"{indent}# {line}".rstrip() for line in wrapped)
    return lines


def allowed_answers(question: Question) -> str:
    """One line naming what a question accepts, for comments and help."""
    if question.type == "yes_no":
        options = ["yes", "no"]
    elif question.type in ("single_choice", "multiple_choice"):
        options = [choice.value for choice in question.choices or []]
    elif question.type == "number":
        return f"a number of {question.unit}, or {UNDISCLOSED}"
    elif question.type == "date":
        return f"a date YYYY-MM-DD, or {UNDISCLOSED}"
    else:
        return f"free text, or {UNDISCLOSED}"
    joined = " | ".join([*options, UNDISCLOSED])
    return f"a list of: {joined}" if question.type == "multiple_choice" else joined


def scaffold_dossier(
    vendor_name: str,
    catalogue: Catalogue,
    *,
    assessor: str,
    today: date,
    schema_ref: str,
) -> str:
    lines = [
        f"# yaml-language-server: $schema={schema_ref}",
        f"# provcheck dossier for: {' '.join(vendor_name.split())}",
        "# Fill in each answer; leave it empty if not yet known, write 'undisclosed' when",
        "# the vendor will not say. Cite evidence for every answer that needs it.",
        "provcheck: 1",
        "vendor:",
        f"  name: {_quote(vendor_name)}",
        f"  legal_name: {_quote(vendor_name)}  # full registered name",
        "  aliases: []  # other names, including native-script names",
        "  headquarters:  # ISO 3166-1 alpha-2 code, e.g. US, CN, FR",
        "  parents: []  # ownership chain, nearest first: - {name: ..., jurisdiction: ..}",
        "  hosting_regions: []  # where the vendor serves from: ISO codes or EU",
        "models: []  # models in scope: - {name: ..., version: ..., access: api}",
        "assessment:",
        f"  assessor: {_quote(assessor)}",
        f"  date: {today.isoformat()}",
        "answers:",
    ]
    for questionnaire in catalogue.questionnaires:
        lines.append("")
        lines.append(f"  # ==== {questionnaire.title} ({questionnaire.id} {questionnaire.version}) ====")
        for question in questionnaire.questions:
            lines.append("")
            lines.extend(_comment_block(question.text, "  "))
            lines.extend(_comment_block(question.help, "  "))
            lines.append(f"  # answers: {allowed_answers(question)}")
            if question.evidence_required:
                lines.append("  # evidence required")
            if question.applies_if is not None:
                from provenance_cli.dossier import describe_condition

                lines.append(f"  # applies only when {describe_condition(question.applies_if)}")
            lines.append(f"  {question.id}:")
            lines.append("    answer:")
            lines.append("    evidence: []  # - {url: https://..., title: ..., retrieved: YYYY-MM-DD, kind: public_document}")
            lines.append("    note:")
            lines.append("    as_of:")
    return "\n".join(lines) + "\n"
