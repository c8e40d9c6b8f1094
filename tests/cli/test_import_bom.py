"""``provcheck import-bom``: lineage answers prefilled from a CycloneDX ML-BOM or an SPDX 3 AI package, nothing lost."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from support import EXAMPLES
from support.cli import CliResult, run_cli

CDX = EXAMPLES / "boms" / "wren-32b-instruct.cdx.json"
SPDX = EXAMPLES / "boms" / "wren-32b-instruct.spdx3.json"
EXPECTED = {
    "lineage.base_model_disclosed": "yes",
    "lineage.derivation": "fine_tuned_third_party_base",
    "lineage.base_model_origin": "Wren 32B 1.0 by Bramble Labs Inc. (from the {format} BOM's pedigree)",
    "lineage.training_data_documentation": "category_summary",
    "lineage.weights_licence": "open_with_restrictions",
    "lineage.model_card": "full",
}


def cli(cwd: Path, *args: str | Path) -> CliResult:
    return run_cli(list(args), cwd)


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A scaffolded dossier (every question with its comments) of a host serving the BOM's model."""
    path = tmp_path / "quill.yaml"
    assert cli(tmp_path, "init", "Quill Systems", "-o", path).returncode == 0
    text = path.read_text(encoding="utf-8").replace(
        "models: []  # models in scope: - {name: ..., version: ..., access: api}",
        'models:\n  - {name: Wren 32B Instruct, version: "1.2", access: open_weights}  # served as released',
    )
    path.write_text(text, encoding="utf-8")
    path.chmod(0o640)
    return path


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line and "{url: https://bramble" not in line]


def answers(path: Path) -> dict[str, dict]:
    from provenance_cli.formats.safeyaml import load_file

    loaded = load_file(path).data
    return {k: v for k, v in (loaded.get("answers") or {}).items() if v and v.get("answer") is not None}


@pytest.mark.parametrize(
    ("bom", "fmt", "pointer"), [(CDX, "CycloneDX 1.6", "/metadata/component/pedigree/ancestors/0"), (SPDX, "SPDX 3.0", "/@graph/4")]
)
def test_the_shipped_bom_prefills_the_expected_answers(host: Path, tmp_path: Path, bom: Path, fmt: str, pointer: str) -> None:
    before = host.read_text(encoding="utf-8")
    done = cli(tmp_path, "import-bom", host, bom, "--as-of", "2026-11-01")
    assert done.returncode == 0, done.output
    assert f"updated {host} (the vendor's answers): 6 answer(s) prefilled from {bom}" in done.stderr
    assert "+    answer: fine_tuned_third_party_base" in done.stdout  # the diff, shown before writing
    found = answers(host)
    assert {qid: str(entry["answer"]) for qid, entry in found.items()} == {q: v.format(format=fmt) for q, v in EXPECTED.items()}
    origin = found["lineage.base_model_origin"]
    evidence = origin["evidence"][0]
    assert evidence["kind"] == "third_party"
    assert evidence["url"].startswith("https://bramble-labs.example/models/wren-32b-instruct/bom.")
    assert evidence["title"] == f"{fmt} BOM of Wren 32B Instruct 1.2, {pointer}"
    assert str(origin["as_of"]) == "2026-03-03" and str(evidence["retrieved"]) == "2026-11-01"
    assert "Review before relying on it." in origin["note"]
    card = found["lineage.model_card"]["evidence"]
    assert card[-1]["url"] == "https://bramble-labs.example/models/wren-32b-instruct/model-card"
    after = host.read_text(encoding="utf-8")
    assert comments(after) == comments(before), "every comment kept, in order"
    assert host.stat().st_mode & 0o777 == 0o640
    assert cli(tmp_path, "validate", host).returncode == 0
    again = cli(tmp_path, "import-bom", host, bom)
    assert again.returncode == 0 and host.read_text(encoding="utf-8") == after
    assert "nothing to prefill" in again.stderr and "lineage.derivation: kept the dossier's answer" in again.stderr


def test_a_bom_written_by_the_vendor_is_its_attestation_and_its_own_base(tmp_path: Path) -> None:
    dossier = tmp_path / "bramble.yaml"
    assert cli(tmp_path, "init", "Bramble Labs Inc.", "-o", dossier).returncode == 0
    done = cli(tmp_path, "import-bom", dossier, CDX, "--dry-run")
    assert done.returncode == 0, done.output
    assert "+    answer: fine_tuned_own_base" in done.stdout and "kind: vendor_attestation" in done.stdout
    assert "lineage.base_model_origin" not in done.stdout.split("answer: fine_tuned_own_base")[1].split("lineage.")[0]
    assert "dry run: 5 answer(s) would be prefilled" in done.stderr
    assert "answer: fine_tuned_own_base" not in dossier.read_text(encoding="utf-8")  # a dry run writes nothing


def test_a_model_of_a_multi_model_dossier_gets_its_own_answers(tmp_path: Path) -> None:
    dossier = tmp_path / "tinyweights.yaml"
    shutil.copyfile(EXAMPLES / "tinyweights-host.yaml", dossier)
    before = dossier.read_text(encoding="utf-8")
    kept = cli(tmp_path, "import-bom", dossier, CDX)
    assert kept.returncode == 0 and dossier.read_text(encoding="utf-8") == before  # Wren's lineage is answered already
    assert "lineage.weights_licence: kept the dossier's answer (open_with_restrictions)" in kept.stderr
    forced = cli(tmp_path, "import-bom", dossier, CDX, "--force", "--as-of", "2026-11-01")
    assert forced.returncode == 0, forced.output
    assert "(model Wren 32B Instruct)" in forced.stderr
    after = dossier.read_text(encoding="utf-8")
    wren = after[after.index("  - name: Wren 32B Instruct") : after.index("  - name: Sparrow 8B")]
    assert "    answers:\n      lineage.base_model_disclosed:\n        answer: yes\n" in wren
    assert after.replace(wren, "") == before.replace(
        before[before.index("  - name: Wren 32B Instruct") : before.index("  - name: Sparrow 8B")], ""
    )
    assert cli(tmp_path, "validate", dossier).returncode == 0
    report = json.loads(cli(tmp_path, "assess", dossier, "-f", "json", "--no-screen", "--no-evidence", "--as-of", "2026-11-15").stdout)
    own = dict(next(m for m in report["models"] if m["name"] == "Wren 32B Instruct")["own_answers"])
    # own answers are shown in the questionnaire's words (labels), as every answer in a version 3 report
    assert own["lineage.model_card"].startswith("Yes, covering training data")
    assert own["lineage.derivation"] == "Fine-tuned or adapted from another organisation's base model"


def test_a_model_the_dossier_does_not_list_is_refused(tmp_path: Path) -> None:
    dossier = tmp_path / "aurora.yaml"
    shutil.copyfile(EXAMPLES / "aurora-models.yaml", dossier)
    done = cli(tmp_path, "import-bom", dossier, CDX)
    assert done.returncode == 2
    assert (
        "the dossier lists no model 'Wren 32B Instruct' (its models: Lumen 5, Lumen 4.5); name the model to fill with --model"
        in done.stderr
    )


def _broken(tmp_path: Path, source: Path, change) -> Path:  # type: ignore[no-untyped-def]
    data = json.loads(source.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / source.name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_a_malformed_bom_is_exit_2_with_the_json_pointer(host: Path, tmp_path: Path) -> None:
    before = host.read_bytes()

    def wrong_type(data: dict) -> None:
        data["metadata"]["component"]["pedigree"]["ancestors"][0]["type"] = "banana"

    done = cli(tmp_path, "import-bom", host, _broken(tmp_path, CDX, wrong_type))
    assert done.returncode == 2
    assert re.search(r"wren-32b-instruct\.cdx\.json: /metadata/component/pedigree/ancestors/0/type: 'banana' is not one of", done.stderr)

    def dangling(data: dict) -> None:
        data["@graph"][-1]["to"][1] = "https://bramble-labs.example/spdx/wren-32b-instruct#missing"
        data["@graph"][-2]["relationshipType"] = "grandparentOf"

    done = cli(tmp_path, "import-bom", host, _broken(tmp_path, SPDX, dangling))
    assert done.returncode == 2
    assert (
        "wren-32b-instruct.spdx3.json: /@graph/11/to/1: refers to 'https://bramble-labs.example/spdx/wren-32b-instruct#missing'"
        in done.stderr
    )
    assert (
        "wren-32b-instruct.spdx3.json: /@graph/10/relationshipType: 'grandparentOf' is not an SPDX 3.0.1 relationship type" in done.stderr
    )

    truncated = tmp_path / "cut.json"
    truncated.write_text(CDX.read_text(encoding="utf-8")[:400], encoding="utf-8")
    done = cli(tmp_path, "import-bom", host, truncated)
    assert done.returncode == 2 and re.search(r"cut\.json:\d+:\d+: not valid JSON", done.stderr)
    other = tmp_path / "other.json"
    other.write_text('{"spdxVersion": "SPDX-2.3"}', encoding="utf-8")
    done = cli(tmp_path, "import-bom", host, other)
    assert done.returncode == 2 and "other.json: /: neither a CycloneDX BOM" in done.stderr
    assert host.read_bytes() == before
    assert "Traceback" not in done.output


def test_a_bom_that_does_not_say_where_it_is_published_needs_bom_url(host: Path, tmp_path: Path) -> None:
    def unpublished(data: dict) -> None:
        data["metadata"]["component"]["externalReferences"] = [
            r for r in data["metadata"]["component"]["externalReferences"] if r["type"] != "bom"
        ]

    bom = _broken(tmp_path, CDX, unpublished)
    done = cli(tmp_path, "import-bom", host, bom)
    assert done.returncode == 2 and "give --bom-url" in done.stderr
    done = cli(tmp_path, "import-bom", host, bom, "--bom-url", "https://buyer.example/boms/wren.cdx.json", "--dry-run")
    assert done.returncode == 0 and "url: https://buyer.example/boms/wren.cdx.json" in done.stdout
    assert cli(tmp_path, "import-bom", host, bom, "--bom-url", "file:///etc/passwd").returncode == 2
