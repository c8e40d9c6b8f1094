"""Generate the published JSON Schemas from the models and questionnaires.

The schemas in ``schemas/`` are build output of this module (a test fails
when they are out of date), so editors that autocomplete dossiers always see
exactly what provcheck accepts. The dossier schema enumerates every question
id and its allowed answers, which a generic model schema could not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from provenance_cli.formats.models import DossierModel, Question, Questionnaire
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.report_schema import REPORT_SCHEMA_FILE, report_schema
from provenance_cli.formats.vocabulary import UNDISCLOSED

SCHEMA_BASE = "https://provcheck.dev/schemas/"
DOSSIER_SCHEMA_FILE = "dossier.schema.json"
QUESTIONNAIRE_SCHEMA_FILE = "questionnaire.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _answer_schema(question: Question) -> dict[str, Any]:
    undisclosed = {"const": UNDISCLOSED, "description": "The vendor will not or did not say."}
    if question.type == "yes_no":
        value: dict[str, Any] = {"enum": ["yes", "no"]}
    elif question.type == "single_choice":
        value = {"enum": [c.value for c in question.choices or []]}
    elif question.type == "multiple_choice":
        value = {"type": "array", "uniqueItems": True, "items": {"enum": [c.value for c in question.choices or []]}}
    elif question.type == "number":
        value = {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?$", "description": f"Number of {question.unit}."}
        if question.minimum is not None:
            value["minimum"] = question.minimum
    elif question.type == "date":
        value = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    else:
        value = {"type": "string", "minLength": 1}
    return {"anyOf": [value, undisclosed, {"type": "null"}]}


def dossier_schema(catalogue: Catalogue) -> dict[str, Any]:
    """The dossier schema, with ``answers`` narrowed to every question id and its allowed answers so editors can complete and check them."""
    schema = DossierModel.model_json_schema()
    defs = schema.setdefault("$defs", {})
    entry_ref = schema["properties"]["answers"]["additionalProperties"]["$ref"]
    entry_name = entry_ref.rsplit("/", 1)[-1]
    entry = defs[entry_name]
    properties: dict[str, Any] = {}
    for question in catalogue.questions.values():
        specific = json.loads(json.dumps(entry))
        specific["properties"]["answer"] = _answer_schema(question)
        specific["title"] = question.id
        specific["description"] = f"{question.text}\n\n{question.help.strip()}"
        properties[question.id] = specific
    schema["properties"]["answers"] = {
        "type": "object",
        "description": "One entry per question id; see the bundled questionnaires.",
        "properties": properties,
        "additionalProperties": False,
    }
    return {"$schema": DRAFT, "$id": SCHEMA_BASE + DOSSIER_SCHEMA_FILE, "title": "provcheck vendor dossier", **_without(schema, "title")}


def questionnaire_schema() -> dict[str, Any]:
    """The questionnaire schema, straight from the model."""
    schema = Questionnaire.model_json_schema()
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_BASE + QUESTIONNAIRE_SCHEMA_FILE,
        "title": "provcheck questionnaire",
        **_without(schema, "title"),
    }


def _without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


def render(schema: dict[str, Any]) -> str:
    """A schema as the text committed in ``schemas/``: indented, key order kept, final newline, so regenerating gives the same bytes."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def all_schemas(catalogue: Catalogue) -> dict[str, str]:
    """File name -> text of every published schema."""
    schemas = {DOSSIER_SCHEMA_FILE: render(dossier_schema(catalogue)), QUESTIONNAIRE_SCHEMA_FILE: render(questionnaire_schema())}
    schemas[REPORT_SCHEMA_FILE] = render(report_schema(SCHEMA_BASE, DRAFT))
    return schemas


def find_schema_upwards(start: Path) -> Path | None:
    """A ``schemas/dossier.schema.json`` in ``start`` or a parent folder, if any."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "schemas" / DOSSIER_SCHEMA_FILE
        if path.is_file():
            return path
    return None
