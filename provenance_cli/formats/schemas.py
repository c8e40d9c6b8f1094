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
from provenance_cli.formats.policy import PolicyModel
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.report_schema import REPORT_SCHEMA_FILE, report_schema
from provenance_cli.formats.vocabulary import UNDISCLOSED

SCHEMA_BASE = "https://provcheck.dev/schemas/"
DOSSIER_SCHEMA_FILE = "dossier.schema.json"
QUESTIONNAIRE_SCHEMA_FILE = "questionnaire.schema.json"
POLICY_SCHEMA_FILE = "policy.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _labelled(options: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """One ``const`` per allowed value with its label as the description, which editors show beside each completion."""
    return [{"const": value, "description": label} for value, label in options]


def _answer_schema(question: Question) -> dict[str, Any]:
    undisclosed = {"const": UNDISCLOSED, "description": "The vendor will not or did not say."}
    unset = {"type": "null", "description": "Not answered yet."}
    if question.type == "yes_no":
        risky = " (the riskier answer)"
        yes_no = [
            ("yes", "Yes" + (risky if question.risky_answer == "yes" else "")),
            ("no", "No" + (risky if question.risky_answer == "no" else "")),
        ]
        return {"oneOf": [*_labelled(yes_no), undisclosed, unset]}
    if question.type == "single_choice":
        return {"oneOf": [*_labelled([(c.value, c.label) for c in question.choices or []]), undisclosed, unset]}
    if question.type == "multiple_choice":
        items = {"oneOf": _labelled([(c.value, c.label) for c in question.choices or []])}
        value: dict[str, Any] = {"type": "array", "uniqueItems": True, "items": items, "description": "Every option that applies."}
        return {"oneOf": [value, undisclosed, unset]}
    if question.type == "number":
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


def policy_schema() -> dict[str, Any]:
    """The policy file schema, from the model, with what a policy *file* may leave out left optional.

    A policy file states only what differs from the bundled default and is
    merged over it mapping by mapping, so no key reached through mappings is
    required (``jurisdictions.embargoed.codes`` alone is a complete change).
    Entries of lists (waivers, overrides, allowed matches) replace the
    default's and keep their required keys. ``policy:`` (the format version)
    is required: it is how provcheck and the pre-commit hooks tell a policy
    from other YAML.
    """
    schema = PolicyModel.model_json_schema()
    _state_section_defaults(schema)
    defs = schema.get("$defs", {})
    in_lists = {item["$ref"].rsplit("/", 1)[-1] for item in _list_items(schema) if "$ref" in item}
    for name, definition in defs.items():
        if name not in in_lists:
            definition.pop("required", None)
    schema["required"] = ["policy"]
    schema["properties"]["policy"] = {
        "enum": [1, 2],
        "default": 2,
        "title": "Policy",
        "description": "Policy format version: 2 (format 1 is still read; provcheck upgrade rewrites it).",
    }
    return {"$schema": DRAFT, "$id": SCHEMA_BASE + POLICY_SCHEMA_FILE, "title": "provcheck policy", **_without(schema, "title")}


def _state_section_defaults(schema: dict[str, Any]) -> None:
    """Give each section the policy model makes with a factory (``buyer``, ``decision``...) its default, as for any other field.

    The sections are made by a factory so that importing the policy model does
    not build their validators (a cached policy never needs them); a schema
    should still tell an editor what a left-out section means.
    """
    from pydantic import BaseModel

    from provenance_cli.formats.policy import PolicyModel

    for name, field in PolicyModel.model_fields.items():
        factory = field.default_factory
        if isinstance(factory, type) and issubclass(factory, BaseModel):
            key = field.alias or name
            schema["properties"][key]["default"] = factory().model_dump(mode="json", by_alias=True)


def _list_items(node: Any) -> list[dict[str, Any]]:
    """Every ``items`` schema of an array anywhere in ``node``."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            found.append(node["items"])
        for value in node.values():
            found.extend(_list_items(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_list_items(value))
    return found


def _without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


def render(schema: dict[str, Any]) -> str:
    """A schema as the text committed in ``schemas/``: indented, key order kept, final newline, so regenerating gives the same bytes."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def all_schemas(catalogue: Catalogue) -> dict[str, str]:
    """File name -> text of every published schema."""
    schemas = {
        DOSSIER_SCHEMA_FILE: render(dossier_schema(catalogue)),
        QUESTIONNAIRE_SCHEMA_FILE: render(questionnaire_schema()),
        POLICY_SCHEMA_FILE: render(policy_schema()),
    }
    schemas[REPORT_SCHEMA_FILE] = render(report_schema(SCHEMA_BASE, DRAFT))
    return schemas


def bundled_schema(name: str = DOSSIER_SCHEMA_FILE) -> Path | None:
    """The schema file shipped with this installation (``_data/schemas`` in a wheel, ``schemas/`` in a checkout), if present."""
    from provenance_cli.util.resources import data_dir

    try:
        path = data_dir("schemas") / name
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def find_schema_upwards(start: Path) -> Path | None:
    """A ``schemas/dossier.schema.json`` in ``start`` or a parent folder, if any."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "schemas" / DOSSIER_SCHEMA_FILE
        if path.is_file():
            return path
    return None
