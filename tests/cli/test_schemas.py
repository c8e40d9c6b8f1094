"""The published JSON Schemas: up to date, valid Draft 2020-12, and true to the files.

A dossier is checked two ways: as an editor sees it (YAML 1.2 core typing,
which yaml-language-server uses: ``1`` is a number, ``NO`` and
``2026-06-01`` are text) and as provcheck reads it (every scalar is text).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from support import REPO

from provenance_cli.formats.safeyaml import load_file
from provenance_cli.formats.schemas import all_schemas
from provenance_cli.util.thirdparty import jsonschema_for_own_schemas

jsonschema = jsonschema_for_own_schemas()

SCHEMAS = REPO / "schemas"
REGENERATE = "regenerate with: provcheck schema export schemas"


class Core12Loader(yaml.SafeLoader):
    """PyYAML with the YAML 1.2 core schema's implicit types (no yes/no, no dates)."""


Core12Loader.yaml_implicit_resolvers = {}
for _tag, _regex, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    Core12Loader.add_implicit_resolver(_tag, re.compile(_regex), list(_first))
Core12Loader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node)))


def _editor_view(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Core12Loader)


def _provcheck_view(path: Path):
    return json.loads(json.dumps(load_file(path).data))


def _errors(schema: dict, instance) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:160]}" for error in sorted(validator.iter_errors(instance), key=str)
    ]


@pytest.fixture(scope="module")
def generated(catalogue) -> dict[str, str]:
    return all_schemas(catalogue)


@pytest.fixture(scope="module")
def dossier_schema(generated) -> dict:
    return json.loads(generated["dossier.schema.json"])


@pytest.fixture(scope="module")
def questionnaire_schema(generated) -> dict:
    return json.loads(generated["questionnaire.schema.json"])


@pytest.fixture
def dossier_files(cli, write, build, catalogue, tmp_path) -> list[Path]:
    """Every example dossier, a fresh ``init`` output, and one with every kind of answer."""
    result = cli("init", "Schema Check Ltd", "-o", "scaffold.yaml", "--assessor", "T")
    assert result.returncode == 0, result.output
    evidence = (
        "    evidence:\n      - url: https://example.com/policy\n        title: Policy\n"
        "        retrieved: 2026-06-30\n        kind: public_document\n"
        "    note: yes\n    as_of: 2026-06-30\n"
    )
    answered = write(
        "answered.yaml",
        build.dossier(
            *(build.answer_block(q.id, build.valid_answer(q), evidence) for q in catalogue.questions.values() if q.applies_if is None)
        ).replace("vendor:\n", "vendor:\n  headquarters: NO\n  hosting_regions: [EU, US]\n"),
    )
    assert cli("validate", "answered.yaml").returncode == 0
    examples = sorted((REPO / "examples").glob("*.yaml"))
    return [*examples, tmp_path / "scaffold.yaml", answered]


def test_committed_schemas_are_up_to_date(generated):
    for name, text in generated.items():
        path = SCHEMAS / name
        assert path.is_file(), f"schemas/{name} is missing; {REGENERATE}"
        assert path.read_text(encoding="utf-8") == text, f"schemas/{name} is out of date; {REGENERATE}"


def test_no_stale_schema_files(generated):
    extra = sorted(p.name for p in SCHEMAS.glob("*.schema.json") if p.name not in generated)
    assert extra == [], f"schemas/ holds files provcheck no longer generates: {extra}"


def test_schema_export_writes_the_generated_files(cli, tmp_path, generated):
    result = cli("schema", "export", "out")
    assert result.returncode == 0, result.output
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()}
    assert written == generated


@pytest.mark.parametrize("name", ["dossier.schema.json", "questionnaire.schema.json", "policy.schema.json", "report.schema.json"])
def test_schemas_are_valid_draft_2020_12(generated, name):
    schema = json.loads(generated[name])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/" + name)
    jsonschema.Draft202012Validator.check_schema(schema)


def test_dossiers_validate_against_the_schema_as_an_editor_reads_them(dossier_schema, dossier_files):
    for path in dossier_files:
        assert _errors(dossier_schema, _editor_view(path)) == [], path


# The schemas describe YAML as an editor types it (numbers are numbers, flags
# are booleans). provcheck's own loader reads every value as text first and
# converts by field type, so it also accepts quoted forms such as weight: "1.5";
# that leniency is deliberate and is not something an editor needs to know.


def test_dossier_schema_rejects_what_provcheck_rejects(dossier_schema, dossier_files, catalogue):
    base = _editor_view(dossier_files[-2])
    question = next(q for q in catalogue.questions.values() if q.type == "single_choice")
    wrong_answer = json.loads(json.dumps(base))
    wrong_answer["answers"][question.id]["answer"] = "not_a_choice"
    assert _errors(dossier_schema, wrong_answer)
    unknown_id = json.loads(json.dumps(base))
    unknown_id["answers"]["nosuch.question"] = {"answer": "yes"}
    assert _errors(dossier_schema, unknown_id)
    typo = json.loads(json.dumps(base))
    typo["vendor"]["legl_name"] = "x"
    assert _errors(dossier_schema, typo)


def _questionnaire_files() -> list[Path]:
    return sorted((REPO / "questionnaires").glob("*.yaml"))


@pytest.mark.parametrize("path", _questionnaire_files(), ids=lambda p: p.stem)
def test_questionnaires_validate_against_the_schema_as_an_editor_reads_them(questionnaire_schema, path):
    assert _errors(questionnaire_schema, _editor_view(path)) == []


def test_answer_labels_are_offered_with_each_value(dossier_schema, catalogue):
    """Editors show a const's description beside it: every choice carries its label, in questionnaire order."""
    answers = dossier_schema["properties"]["answers"]["properties"]
    for question in catalogue.questions.values():
        options = answers[question.id]["properties"]["answer"]
        if question.type == "single_choice":
            offered = [(o["const"], o["description"]) for o in options["oneOf"] if "const" in o]
            assert offered == [
                *((c.value, c.label) for c in question.choices or []),
                ("undisclosed", "The vendor will not or did not say."),
            ]
        elif question.type == "multiple_choice":
            (array,) = [o for o in options["oneOf"] if o.get("type") == "array"]
            assert [(o["const"], o["description"]) for o in array["items"]["oneOf"]] == [(c.value, c.label) for c in question.choices or []]
        elif question.type == "yes_no":
            labels = {o["const"]: o["description"] for o in options["oneOf"] if "const" in o}
            assert set(labels) == {"yes", "no", "undisclosed"}
            assert labels[question.risky_answer].endswith("(the riskier answer)")


# --------------------------------------------------------------------------- policy schema


@pytest.fixture(scope="module")
def policy_schema(generated) -> dict:
    return json.loads(generated["policy.schema.json"])


def _policy_files() -> list[Path]:
    from provenance_cli.util.resources import package_file

    return [
        *sorted((REPO / "examples" / "policies").glob("*.yaml")),
        package_file("default-policy.yaml"),
        REPO / "tests/fixtures/v1/policy.yaml",
    ]


@pytest.mark.parametrize("path", _policy_files(), ids=lambda p: p.stem)
def test_policies_validate_against_the_policy_schema(policy_schema, path):
    assert _errors(policy_schema, _editor_view(path)) == []


def test_policy_schema_agrees_with_provcheck(policy_schema, cli, write):
    """A partial policy (only what differs from the default) passes both; a typo or a missing version line is caught by both."""
    partial = "policy: 2\njurisdictions:\n  embargoed:\n    codes: [CU, IR, KP, SY]\nwaivers: []\n"
    assert _errors(policy_schema, yaml.load(partial, Loader=Core12Loader)) == []
    write("partial.yaml", partial)
    assert cli("validate", "partial.yaml").returncode == 0

    typo = "policy: 2\ntiers:\n  hihg: 40\n"
    assert _errors(policy_schema, yaml.load(typo, Loader=Core12Loader))
    write("typo.yaml", typo)
    refused = cli("validate", "typo.yaml")
    assert refused.returncode == 2 and refused.stdout.startswith("typo.yaml:3:3:"), refused.output

    incomplete_waiver = "policy: 2\nwaivers:\n  - rule: EXT-01\n"
    assert _errors(policy_schema, yaml.load(incomplete_waiver, Loader=Core12Loader))
    assert _errors(policy_schema, yaml.load("tiers: {high: 40}\n", Loader=Core12Loader))  # no 'policy:' line
