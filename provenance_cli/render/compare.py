"""Side-by-side comparison of vendors: one column per vendor, one row per question.

Works on report documents, so dossiers and archived JSON reports can be
compared alike. A row *differs* when its vendors do not all give the same
answer; reports mark it with a ◆ and the word "differs", never colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from provenance_cli.render.interface import RenderContext

MARKER = "◆"


def compare_documents(documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The comparison as plain data (vendors in the order given); answers carry their labels, questions their text."""
    from provenance_cli.render.summary import answer_labels

    vendors = [
        {
            "name": d["vendor"]["name"],
            "decision": d.get("decision", {}).get("outcome"),
            "tier": d["summary"]["tier"],
            "overall": d["summary"]["overall"],
            "confidence": d["summary"].get("confidence"),
            "reassessment_due": d.get("assessment", {}).get("reassessment_due"),
            "source": next((i["path"] for i in d.get("provenance", {}).get("inputs", []) if i.get("role") == "dossier"), None),
        }
        for d in documents
    ]
    category_order: dict[str, str] = {}
    for d in documents:
        for c in d["categories"]:
            category_order.setdefault(c["id"], c["title"])
    categories = []
    for cid, title in category_order.items():
        scores = [next((c["score"] for c in d["categories"] if c["id"] == cid), None) for d in documents]
        categories.append({"id": cid, "title": title, "scores": scores, "differs": len(set(scores)) > 1})
    question_order: dict[str, dict[str, Any]] = {}
    for d in documents:
        for a in d["answers"]:
            question_order.setdefault(a["question_id"], {"text": " ".join(str(a["text"]).split()), "category": a["category"]})
    by_vendor = [{a["question_id"]: a for a in d["answers"]} for d in documents]
    labels = [answer_labels(d) for d in documents]
    questions = []
    for qid, info in question_order.items():
        cells = []
        for answers, label in zip(by_vendor, labels, strict=True):
            a = answers.get(qid)
            cells.append(None if a is None else {"answer": a["answer"], "label": label.get(qid, a["answer"]), "status": a["status"]})
        values = {None if c is None else c["answer"] for c in cells}
        questions.append(
            {"question_id": qid, "text": info["text"], "category": info["category"], "cells": cells, "differs": len(values) > 1}
        )
    return {
        "vendors": vendors,
        "categories": categories,
        "questions": questions,
        "differing_questions": sum(q["differs"] for q in questions),
    }


def render_markdown(comparison: dict[str, Any], context: RenderContext) -> str:
    """The comparison as Markdown from ``compare.md.j2``; a ``--template-dir`` copy of it takes precedence."""
    from provenance_cli.render.templating import template

    return template("md", "compare.md.j2", context.template_dir).render(c=comparison, marker=MARKER, generated_at=context.generated_at)


def render_html(comparison: dict[str, Any], context: RenderContext) -> str:
    """The comparison as HTML from ``compare.html.j2``; a ``--template-dir`` copy of it takes precedence."""
    from provenance_cli.render.templating import template

    return template("html", "compare.html.j2", context.template_dir).render(c=comparison, marker=MARKER, generated_at=context.generated_at)
