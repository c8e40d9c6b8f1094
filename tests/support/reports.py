"""Report-test helpers: the example dossiers assessed, and a hostile dossier."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import yaml

from provenance_cli.assessment.pipeline import AssessOptions, assess_files
from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.render.interface import RenderContext

from . import EXAMPLES
from .synthetic import dossier_data

AS_OF = "2026-09-01"
TODAY = date(2026, 9, 1)
CONTEXT = RenderContext(generated_at="2026-09-01T12:00:00+00:00")

XSS = (
    "<script>window.__xss=1;document.title='pwned'</script>"
    '<img src=x onerror="window.__xss=1;alert(1)">'
    '"><svg onload=alert(1)> [click](javascript:window.__xss=1) '
    "a|b||c\nsecond line\r\n# heading <b>bold</b> `code` *em* </td></tr></table> {{ 7*7 }} =1+1"
)


def example_paths() -> list[Path]:
    """The example dossiers (the example policies beside them are not dossiers)."""
    return sorted(EXAMPLES.glob("*.yaml"))


def assess(paths: list[Path], **options):  # type: ignore[no-untyped-def]
    opts = AssessOptions(today=TODAY, screen=False, evidence=False, offline=True, **options)
    outcomes = assess_files(paths, opts, jobs=1)
    bad = [p for o in outcomes for p in o.problems]
    assert not bad, bad
    return [o.result for o in outcomes]


def hostile_dossier(folder: Path, name: str = "hostile") -> Path:
    """A real, valid dossier whose every free-text field is an XSS / Markdown payload."""
    catalogue = load_catalogue()
    data = dossier_data(catalogue, random.Random(7), 7)
    data["vendor"]["name"] = f"Evil {XSS}"
    data["vendor"]["legal_name"] = f"Evil Legal {XSS}"
    data["vendor"]["aliases"] = [XSS, "javascript:alert(1)"]
    data["vendor"]["parents"] = [{"name": f"Parent {XSS}", "jurisdiction": "KY", "relationship": XSS}]
    data["models"] = [{"name": f"Model {XSS}", "version": XSS, "access": "api"}]
    data["assessment"]["assessor"] = XSS
    for question_id, question in catalogue.questions.items():
        entry = data["answers"].get(question_id)
        if entry is None:
            continue
        if question.type == "text":
            entry["answer"] = XSS
        entry["note"] = XSS
        entry["evidence"] = [
            {"url": "https://evil.example/a?b=<script>&c=|x|", "title": XSS, "retrieved": "2026-06-01", "kind": "third_party"}
        ]
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def full_report(data):  # type: ignore[no-untyped-def]
    """A JSON report (or an array of them) as parsed, in the full shape readers use: version 4's references resolved.

    Tests that look up a finding's message or an answer's question text read
    what ``compare`` and ``diff`` read (:func:`provenance_cli.formats.report_shape.to_internal`).
    """
    from provenance_cli.formats.report_shape import to_internal

    if isinstance(data, list):
        return [to_internal(item) for item in data]
    return to_internal(data)
