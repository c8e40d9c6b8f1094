"""``provcheck simulate``: the assess pipeline in a changed world, held in memory; nothing is written."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from support import EXAMPLES
from support.cli import CliResult, run_cli
from support.screening import csl_cached_env

AS_OF = "2026-11-15"
PARENT_LISTED = "dod_1260h:Northwind Frontier Holdings, Inc."


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return csl_cached_env(tmp_path_factory.mktemp("simulate-env"))


def simulate(env: dict[str, str], cwd: Path, *args: str | Path) -> CliResult:
    return run_cli(["simulate", *args, "--as-of", AS_OF, "--no-evidence"], cwd, env=env)


COMPILED_CACHES = ("catalogue", "policy", "code", "screening")
"""Cache subfolders of compiled bundled data (like .pyc files): any command may warm them, a simulation too."""


def fingerprint(*folders: Path) -> dict[str, tuple[str, int]]:
    """Every file under the folders (compiled caches aside): its digest and its mode."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.relative_to(folder).parts[0] not in COMPILED_CACHES:
                found[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode)
    return found


def test_northwinds_parent_on_the_1260h_list_moves_northwind_and_switchboard_and_writes_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    cache = Path(env["PROVCHECK_CACHE_DIR"])
    before = fingerprint(folder, cache)
    done = simulate(env, tmp_path, folder, "--add-to-list", PARENT_LISTED, "-f", "json")
    assert done.returncode == 0, done.output
    assert fingerprint(folder, cache) == before, "a simulation changed a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["examples"]
    document = json.loads(done.stdout)
    moved = {v["vendor"]: v for v in document["vendors"] if v["moved"]}
    assert set(moved) == {"Northwind Frontier", "Switchboard Router"}
    assert all(v["worse"] for v in moved.values()) and document["worse"] == 2 and document["files_written"] == 0
    northwind, switchboard = moved["Northwind Frontier"], moved["Switchboard Router"]
    assert northwind["before"]["decision"] == "approve" and northwind["after"]["decision"] == "reject"
    assert switchboard["before"]["decision"] == "approve_with_conditions" and switchboard["after"]["decision"] == "reject"
    routed = next(m for m in switchboard["models"] if m["model"] == "northwind/gale-4 (routed)")
    assert routed["after"] == {"decision": "reject", "tier": "high"}
    assert routed["inherited"][0][0] == "EXP-L04"
    assert routed["inherited"][0][3] == "inherited from Northwind Frontier / Gale 4 via Switchboard Router's routing"
    gale = next(m for m in northwind["models"] if m["model"] == "Gale 4")
    assert any("owner 'Northwind Frontier Holdings, Inc.' listed on DoD Section 1260H list (simulated)" in r for r in gale["reasons"])
    assert document["scenario"]["changes"] == ["Northwind Frontier Holdings, Inc. added to the DoD Section 1260H list"]


def test_fail_on_worse_is_exit_1_and_the_text_view_says_why(env: dict[str, str], tmp_path: Path) -> None:
    done = simulate(env, tmp_path, EXAMPLES, "--add-to-list", PARENT_LISTED, "--fail-on-worse")
    assert done.returncode == 1, done.output
    assert "2 of 5 vendor(s) would move (2 worse):" in done.stdout
    assert "Switchboard Router (" in done.stdout and "APPROVE WITH CONDITIONS / HIGH -> REJECT / HIGH (worse)" in done.stdout
    assert "inherited from Northwind Frontier / Gale 4 via Switchboard Router's routing" in done.stdout
    assert "Unchanged: Aurora Models, Kestrel AI, TinyWeights." in done.stdout
    assert "gate tripped: Northwind Frontier: approve/low -> reject/high" in done.stderr
    # A scenario that makes nothing worse passes the gate.
    better = simulate(
        env, tmp_path, EXAMPLES, "--answer", "aurora-models:Lumen 5=export_control.model_export_suspension:no", "--fail-on-worse"
    )
    assert better.returncode == 0, better.output
    assert "Aurora Models (" in better.stdout and "REJECT / HIGH -> APPROVE WITH CONDITIONS / HIGH" in better.stdout


def test_a_scenario_file_suspends_a_model_confirms_an_allegation_and_moves_a_jurisdiction(env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "what-if.yaml"
    scenario.write_text(
        "scenario: 1\n"
        "name: A bad month\n"
        "changes:\n"
        "  - suspend_export: {vendor: northwind-frontier, model: Gale 4 Mini}\n"
        "  - confirm_allegation: {vendor: Kestrel AI}\n"
        "  - jurisdiction: {code: DE, status: embargoed}\n",
        encoding="utf-8",
    )
    done = simulate(env, tmp_path, EXAMPLES, "--scenario", scenario, "-f", "json")
    assert done.returncode == 0, done.output
    document = json.loads(done.stdout)
    assert document["scenario"]["name"] == "A bad month"
    moved = {v["vendor"]: v for v in document["vendors"] if v["moved"]}
    assert moved["Northwind Frontier"]["after"]["decision"] == "reject"
    mini = next(m for m in moved["Northwind Frontier"]["models"] if m["model"] == "Gale 4 Mini")
    assert mini["after"]["decision"] == "reject"
    assert "Gale 4" not in {m["model"] for m in moved["Northwind Frontier"]["models"]}  # only Mini was suspended
    assert moved["TinyWeights"]["after"] == {"decision": "reject", "tier": "critical", "overall": moved["TinyWeights"]["after"]["overall"]}
    assert any(r["rule_id"] == "EXP-02" for r in moved["TinyWeights"]["rules_started"])  # headquarters now embargoed
    kestrel = next(v for v in document["vendors"] if v["vendor"] == "Kestrel AI")
    assert kestrel["after"]["decision"] == "reject"  # it was already; the upheld allegation adds a hard stop
    # The allegation upheld on Kestrel's models does not touch anyone else.
    assert {"Aurora Models", "Kestrel AI"} & set(moved) == set()


def test_a_bad_scenario_file_is_exit_2_with_its_line(env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(
        "scenario: 1\nchanges:\n  - suspend_export: {vendor: northwind-frontier}\n  - add_to_list: {list: dod_1260x, name: X}\n"
        "  - answer: {vendor: tinyweights, question: lineage.licence_compatibility, value: maybe}\n  - colour: red\n",
        encoding="utf-8",
    )
    done = simulate(env, tmp_path, EXAMPLES, "--scenario", scenario)
    assert done.returncode == 2
    assert "bad.yaml:6:5:" in done.stderr  # the unknown change kind
    assert "Traceback" not in done.output
    fixed = scenario.read_text(encoding="utf-8").replace("  - colour: red\n", "")
    scenario.write_text(fixed, encoding="utf-8")
    done = simulate(env, tmp_path, EXAMPLES, "--scenario", scenario)
    assert done.returncode == 2
    assert "bad.yaml:4:5: unknown list key 'dod_1260x' (did you mean 'dod_1260h'?)" in done.stderr
    assert "bad.yaml:5:5: lineage.licence_compatibility: 'maybe' is not an allowed answer" in done.stderr
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("scenario: 1\nchanges:\n  - suspend_export: {vendor: northwind, model: Gale 4}\n", encoding="utf-8")
    done = simulate(env, tmp_path, EXAMPLES, "--scenario", unknown)
    assert done.returncode == 2
    assert "unknown.yaml:3:5: names vendor 'northwind', which no dossier of the run has (did you mean 'northwind-frontier'?)" in done.stderr
    version = tmp_path / "v2.yaml"
    version.write_text("scenario: 2\nchanges:\n  - jurisdiction: {code: SG, status: of_concern}\n", encoding="utf-8")
    assert "v2.yaml:1:11:" in simulate(env, tmp_path, EXAMPLES, "--scenario", version).stderr


def test_bad_flags_and_no_change_are_usage_errors(env: dict[str, str], tmp_path: Path) -> None:
    done = simulate(env, tmp_path, EXAMPLES)
    assert done.returncode == 2 and "nothing to simulate" in done.stderr
    done = simulate(env, tmp_path, EXAMPLES, "--jurisdiction", "XX=embargoed", "--add-to-list", "sdn")
    assert done.returncode == 2
    assert "--jurisdiction 'XX=embargoed': expected an ISO 3166-1 alpha-2 country code" in done.stderr
    assert "--add-to-list 'sdn': expected LIST:NAME" in done.stderr
    done = simulate(env, tmp_path, EXAMPLES, "--suspend", "aurora-models:Lumen 9")
    assert done.returncode == 2 and "--suspend 'aurora-models:Lumen 9': names model 'Lumen 9'" in done.stderr
