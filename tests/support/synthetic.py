"""Random but valid dossiers, for benchmarks and property tests.

They are generated from the questionnaires themselves, so they always use
real question ids and allowed answers, respect ``applies_if`` and exercise
every answer type, evidence and as-of dates: the same parsing and scoring
paths as a hand-written dossier.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

from provenance_cli.formats.conditions import Facts
from provenance_cli.formats.dossier import normalise_answer
from provenance_cli.formats.models import Question
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import UNDISCLOSED

_WORDS = ("Nimbus", "Kestrel", "Aurora", "Lumen", "Harbor", "Vector", "Quill", "Cinder", "Meridian", "Sable")
_FORMS = ("Inc.", "Ltd.", "GmbH", "Co., Ltd.", "S.A.", "LLC")


def random_answer(question: Question, rng: random.Random, undisclosed_rate: float = 0.08) -> Any:
    """A raw (text) answer for ``question`` as an assessor would type it."""
    if rng.random() < undisclosed_rate:
        return UNDISCLOSED
    if question.type == "yes_no":
        return rng.choice(["yes", "no"])
    if question.type == "single_choice":
        return rng.choice([c.value for c in question.choices or []])
    if question.type == "multiple_choice":
        options = [c.value for c in question.choices or []]
        return rng.sample(options, rng.randint(0, len(options)))
    if question.type == "number":
        low = question.minimum if question.minimum is not None else 0
        high = question.maximum if question.maximum is not None else 400
        return str(rng.randint(int(low), int(high)))
    if question.type == "date":
        return (date(2026, 1, 1) + timedelta(days=rng.randint(0, 300))).isoformat()
    return f"Free-text answer {rng.randint(1, 10_000)} with detail."


def random_answers(catalogue: Catalogue, rng: random.Random, answer_rate: float = 0.95) -> dict[str, Any]:
    """Raw answers for applicable questions, filled in questionnaire order."""
    raw: dict[str, Any] = {}
    normal: dict[str, Any] = {}
    for question in catalogue.questions.values():
        condition = catalogue.applies_if.get(question.id)
        if condition is not None and not condition.holds(Facts(answers=normal)):
            continue
        if rng.random() > answer_rate:
            continue
        value = random_answer(question, rng)
        raw[question.id] = value
        normal[question.id] = normalise_answer(question, value)
    # Later answers may have switched an earlier-decided condition; drop what no longer applies.
    facts = Facts(answers=normal)
    return {qid: v for qid, v in raw.items() if qid not in catalogue.applies_if or catalogue.applies_if[qid].holds(facts)}


def dossier_data(catalogue: Catalogue, rng: random.Random, index: int = 0) -> dict[str, Any]:
    name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {index}"
    assessed = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300))
    answers: dict[str, Any] = {}
    for question_id, value in random_answers(catalogue, rng).items():
        entry: dict[str, Any] = {"answer": value}
        if rng.random() < 0.8:
            entry["evidence"] = [
                {
                    "url": f"https://vendor{index}.example/docs/{question_id.replace('.', '/')}",
                    "title": "Vendor documentation",
                    "retrieved": assessed.isoformat(),
                    "kind": rng.choice(["vendor_attestation", "public_document", "third_party"]),
                }
            ]
        if rng.random() < 0.3:
            entry["note"] = "Confirmed on a call with the vendor's trust team."
        # Most answers are gathered around the assessment; a few are carried over from older reviews.
        age = rng.randint(0, 90) if rng.random() < 0.9 else rng.randint(200, 500)
        entry["as_of"] = (assessed - timedelta(days=age)).isoformat()
        answers[question_id] = entry
    return {
        "provcheck": 1,
        "vendor": {
            "name": name,
            "legal_name": f"{name} {rng.choice(_FORMS)}",
            "aliases": [name.replace(" ", "")],
            "headquarters": rng.choice(["US", "GB", "FR", "CN", "SG", "NO", "DE"]),
            "parents": [{"name": f"{rng.choice(_WORDS)} Holdings Ltd.", "jurisdiction": rng.choice(["KY", "US", "HK"])}],
            "hosting_regions": rng.sample(["US", "EU", "SG", "JP", "IE"], 2),
        },
        "models": [{"name": f"{rng.choice(_WORDS)}-{rng.randint(1, 9)}", "access": "api"}],
        "assessment": {"assessor": "Synthetic Assessor", "date": assessed.isoformat()},
        "answers": answers,
    }


def dossier_yaml(catalogue: Catalogue, rng: random.Random, index: int = 0) -> str:
    """Block-style YAML text of a random dossier (JSON-quoted scalars are valid YAML)."""
    lines: list[str] = []

    def emit(value: Any, indent: int) -> None:
        pad = "  " * indent
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, (dict, list)) and item:
                    lines.append(f"{pad}{key}:")
                    emit(item, indent + 1)
                else:
                    lines.append(f"{pad}{key}: {scalar(item)}")
        else:
            for item in value:
                if isinstance(item, dict):
                    first = True
                    for key, sub in item.items():
                        prefix = f"{pad}- " if first else f"{pad}  "
                        lines.append(f"{prefix}{key}: {scalar(sub)}")
                        first = False
                else:
                    lines.append(f"{pad}- {scalar(item)}")

    def scalar(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(scalar(v) for v in value) + "]"
        if isinstance(value, dict):
            return "{}"
        if isinstance(value, str) and not value.replace("_", "").replace("-", "").isalnum():
            return json.dumps(str(value), ensure_ascii=False)
        return str(value)

    emit(dossier_data(catalogue, rng, index), 0)
    return "\n".join(lines) + "\n"
