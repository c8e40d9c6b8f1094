"""The empty dossier ``provcheck init`` writes: every question, help as comments.

The text is assembled by hand rather than dumped, because the comments are
the point: an assessor fills the file in an editor with each question's
purpose and allowed answers in front of them.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import date

from provenance_cli.formats.models import DOSSIER_FORMAT, Question
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import UNDISCLOSED
from provenance_cli.util.errors import UsageError

# JSON escapes C0 controls but leaves these raw; a YAML reader refuses DEL and the
# C1 controls and folds NEL, LS and PS as line breaks, even inside double quotes.
_RAW_IN_JSON_UNSAFE_IN_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# Characters YAML does not allow anywhere in a file, comments included.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _quote(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``text``."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _RAW_IN_JSON_UNSAFE_IN_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _comment_text(text: str) -> str:
    """``text`` on one comment line: whitespace runs become one space, controls '?'."""
    return _NOT_PRINTABLE.sub("?", " ".join(text.split()))


def _check_text(label: str, text: str) -> None:
    # Undecodable command-line bytes arrive as lone surrogates, which no file can hold.
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise UsageError(f"the {label} contains bytes that are not UTF-8 text")


def _comment_block(text: str, indent: str, width: int = 88) -> list[str]:
    lines: list[str] = []
    for paragraph in text.strip().split("\n\n"):
        wrapped = textwrap.wrap(" ".join(paragraph.split()), width=width - len(indent) - 2, break_on_hyphens=False) or [""]
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


ENGAGEMENT_BLOCK = (
    "# What you will send this vendor and how much depends on it (inherent risk). A fact left",
    "# empty is unknown: a knock-out that depends on it makes the decision 'incomplete'.",
    "engagement:",
    "  use_case:  # what the model is used for, in a few words",
    "  data_classes:  # list of: public, internal, confidential, personal, special_category, regulated",
    "  criticality:  # low, medium, high or critical",
    "  users:  # employees, customers or public",
)
"""The engagement block of a new dossier (format 2), written by ``init`` and by ``upgrade``."""


def scaffold_dossier(
    vendor_name: str,
    catalogue: Catalogue,
    *,
    assessor: str,
    today: date,
    schema_ref: str,
) -> str:
    """A new dossier with every question, its help and allowed answers as comments, and answers left empty."""
    _check_text("vendor name", vendor_name)
    _check_text("assessor name", assessor)
    lines = [
        f"# yaml-language-server: $schema={_comment_text(schema_ref)}",
        f"# provcheck dossier for: {_comment_text(vendor_name)}",
        "# Fill in each answer; leave it empty if not yet known, write 'undisclosed' when",
        "# the vendor will not say. Cite evidence for every answer that needs it.",
        f"provcheck: {DOSSIER_FORMAT}",
        "# The questionnaire versions these answers follow; provcheck validate names the questions added since.",
        "questionnaires: {" + ", ".join(f"{q.id}: {q.version}" for q in catalogue.questionnaires) + "}",
        "vendor:",
        f"  name: {_quote(vendor_name)}",
        f"  legal_name: {_quote(vendor_name)}  # full registered name",
        "  aliases: []  # other names, including native-script names",
        "  headquarters:  # ISO 3166-1 alpha-2 code, e.g. US, CN, FR",
        "  parents: []  # ownership chain, nearest first: - {name: ..., jurisdiction: ..}",
        "  hosting_regions: []  # where the vendor serves from: ISO codes or EU",
        *ENGAGEMENT_BLOCK,
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
                from provenance_cli.formats.dossier import describe_condition

                lines.append(f"  # applies only when {describe_condition(question.applies_if)}")
            lines.append(f"  {question.id}:")
            lines.append("    answer:")
            lines.append("    evidence: []  # - {url: https://..., title: ..., retrieved: YYYY-MM-DD, kind: public_document}")
            lines.append("    note:")
            lines.append("    as_of:")
    return "\n".join(lines) + "\n"
