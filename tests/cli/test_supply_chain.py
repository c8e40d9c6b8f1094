"""The supply chain through the real CLI: per-model verdicts, links between dossiers, inheritance, link errors.

Every run is ``provcheck assess -f json`` on copies of the bundled examples in
a temporary folder, with the CSL test fixture cached so the required lists
are screened (no example name is on it).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from support import EXAMPLES
from support.cli import CliResult, run_cli
from support.screening import csl_cached_env

AURORA_AS_OF = "2026-07-10"
AS_OF = "2026-11-15"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return csl_cached_env(tmp_path_factory.mktemp("supply-env"))


def copy_examples(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for example in EXAMPLES.glob("*.yaml"):
        shutil.copyfile(example, folder / example.name)
    return folder


def assess(env: dict[str, str], cwd: Path, *args: str | Path, as_of: str = AS_OF) -> CliResult:
    return run_cli(["assess", *args, "-f", "json", "--no-evidence", "--as-of", as_of], cwd, env=env)


def reports(done: CliResult) -> dict[str, dict[str, Any]]:
    data = done.report()
    return {r["vendor"]["name"]: r for r in (data if isinstance(data, list) else [data])}


def model(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in report["models"] if m["name"] == name)


# ---------------------------------------------------------------------------- per-model verdicts


def test_aurora_suspension_is_lumen_5_only(env: dict[str, str], tmp_path: Path) -> None:
    done = assess(env, tmp_path, EXAMPLES / "aurora-models.yaml", as_of=AURORA_AS_OF)
    assert done.returncode == 0, done.output
    report = reports(done)["Aurora Models"]
    lumen5, lumen45 = model(report, "Lumen 5"), model(report, "Lumen 4.5")
    assert (lumen5["decision"], lumen5["tier"]) == ("reject", "high")
    assert lumen45["decision"] == "approve_with_conditions"
    assert lumen5["in_scope"] and lumen45["in_scope"]
    assert [q for q, _ in lumen5["own_answers"]][0] == "export_control.model_export_suspension"
    assert lumen45["own_answers"] == []
    # No model named by the engagement: the vendor is its worst model in scope.
    assert report["decision"]["outcome"] == "reject" and report["summary"]["tier"] == "high"
    assert report["supply_chain"]["governing_model"] == "Lumen 5"
    assert "Lumen 5, the riskiest of the 2 models in scope" in report["decision"]["summary"]


def test_a_models_own_answer_is_where_its_findings_point(env: dict[str, str], tmp_path: Path) -> None:
    """SARIF, annotations and JSON locations point at Lumen 5's override, not at the vendor-level answer it replaces."""
    source = EXAMPLES / "aurora-models.yaml"
    rows = source.read_text(encoding="utf-8").splitlines()
    keys = [i for i, row in enumerate(rows, 1) if row.strip() == "export_control.model_export_suspension:"]
    assert len(keys) == 2 and rows[keys[0]].strip() == "answer: yes"  # the model's override first, the vendor's answer later
    finding = next(
        f for f in reports(assess(env, tmp_path, source, as_of=AURORA_AS_OF))["Aurora Models"]["findings"] if f["rule_id"] == "EXP-15"
    )
    assert (finding["location"]["line"], finding["location"]["column"]) == (keys[0] + 1, rows[keys[0]].index("yes") + 1)
    sarif = run_cli(["assess", source, "-f", "sarif", "--no-evidence", "--as-of", AURORA_AS_OF], tmp_path, env=env)
    result = next(r for r in json.loads(sarif.stdout)["runs"][0]["results"] if r["ruleId"] == "EXP-15")
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == keys[0] + 1


def test_an_engagement_that_names_its_models_is_judged_by_them(env: dict[str, str], tmp_path: Path) -> None:
    text = (EXAMPLES / "aurora-models.yaml").read_text(encoding="utf-8")
    narrowed = text.replace("  users: employees\n", "  users: employees\n  models: [Lumen 4.5]\n", 1)
    assert narrowed != text
    (tmp_path / "aurora.yaml").write_text(narrowed, encoding="utf-8")
    report = reports(assess(env, tmp_path, "aurora.yaml", as_of=AURORA_AS_OF))["Aurora Models"]
    assert report["decision"]["outcome"] == "approve_with_conditions"
    assert not model(report, "Lumen 5")["in_scope"]
    assert model(report, "Lumen 5")["decision"] == "reject"  # still judged, and shown, but out of scope
    assert report["supply_chain"]["engagement_models"] == ["Lumen 4.5"]


def test_an_engagement_naming_an_unknown_model_is_refused_with_its_line(env: dict[str, str], tmp_path: Path) -> None:
    text = (EXAMPLES / "northwind-frontier.yaml").read_text(encoding="utf-8")
    (tmp_path / "nw.yaml").write_text(text.replace("  users: employees\n", "  users: employees\n  models: [Gale 5]\n", 1), encoding="utf-8")
    done = assess(env, tmp_path, "nw.yaml")
    assert done.returncode == 2
    line = next(i for i, row in enumerate((tmp_path / "nw.yaml").read_text().splitlines(), 1) if "models: [Gale 5]" in row)
    assert f"nw.yaml:{line}:" in done.stderr and "names model 'Gale 5'" in done.stderr and "did you mean 'Gale 4'" in done.stderr


# ---------------------------------------------------------------------------- links and inheritance


def test_switchboard_inherits_the_suspension_of_an_upstream_it_routes_to(env: dict[str, str], tmp_path: Path) -> None:
    folder = copy_examples(tmp_path / "examples")
    done = assess(env, tmp_path, folder)
    assert done.returncode == 0, done.output
    switchboard = reports(done)["Switchboard Router"]
    auto = model(switchboard, "switchboard/auto")
    assert not auto["in_scope"] and auto["decision"] == "reject"
    assert auto["inherited"][0][:2] == ["EXP-L01", "high"]
    assert auto["inherited"][0][3] == "inherited from Aurora Models / Lumen 5 via Switchboard Router's routing"
    assert {"Gale", "Wren", "Lumen"} == set(auto["families"])
    # The routed models the buyer pins carry their upstreams' declarations and inherit nothing adverse.
    for name in ("northwind/gale-4 (routed)", "bramble/wren-32b-instruct (routed)"):
        assert model(switchboard, name)["in_scope"] and model(switchboard, name)["inherited"] == []
    assert switchboard["decision"]["outcome"] == "approve_with_conditions"
    links = {(link["model"], link["kind"], link["target"]) for link in switchboard["supply_chain"]["links"]}
    assert ("northwind/gale-4 (routed)", "routes_to", "Northwind Frontier / Gale 4") in links
    assert ("switchboard/auto", "routes_to", "Aurora Models / Lumen 5") in links


def test_a_change_in_one_dossier_moves_every_dossier_that_depends_on_it(env: dict[str, str], tmp_path: Path) -> None:
    folder = copy_examples(tmp_path / "examples")
    northwind = folder / "northwind-frontier.yaml"
    text = northwind.read_text(encoding="utf-8")
    suspended = text.replace(
        "    family: Gale\n",
        "    family: Gale\n    answers:\n      export_control.model_export_suspension: {answer: yes}\n",
        1,
    )
    assert suspended != text
    northwind.write_text(suspended, encoding="utf-8")
    found = reports(assess(env, tmp_path, folder))
    gale = model(found["Switchboard Router"], "northwind/gale-4 (routed)")
    assert gale["decision"] == "reject"
    assert tuple(gale["inherited"][0][:2]) == ("EXP-L01", "high")
    assert gale["inherited"][0][3] == "inherited from Northwind Frontier / Gale 4 via Switchboard Router's routing"
    assert found["Switchboard Router"]["decision"]["outcome"] == "reject"
    assert model(found["Northwind Frontier"], "Gale 4")["decision"] == "reject"
    # The distilled Gale 4 Mini is not suspended; its base model's suspension is a medium finding for it (EXP-L02).
    mini = model(found["Northwind Frontier"], "Gale 4 Mini")
    assert mini["decision"] != "reject" and [i[0] for i in mini["inherited"]] == ["EXP-L02"]
    assert mini["inherited"][0][3] == "inherited from Northwind Frontier / Gale 4 via Northwind Frontier / Gale 4 Mini's base model"
    # The trace says where the inherited finding comes from, and what the upstream's dossier says.
    entry = next(t for t in found["Switchboard Router"]["trace"] if t["rule_id"] == "EXP-L01")
    assert entry["inherited_from"] == "inherited from Northwind Frontier / Gale 4 via Switchboard Router's routing"
    assert entry["answer"] == "Northwind Frontier / Gale 4: export_control.model_export_suspension = Yes"


def test_a_named_file_finds_its_upstreams_in_its_own_folder(env: dict[str, str], tmp_path: Path) -> None:
    folder = copy_examples(tmp_path / "examples")
    done = assess(env, tmp_path, folder / "switchboard-router.yaml")
    assert done.returncode == 0, done.output
    found = reports(done)
    assert list(found) == ["Switchboard Router"]  # the upstreams lend their facts, and get no report of their own
    assert model(found["Switchboard Router"], "switchboard/auto")["inherited"]


def test_tinyweights_developers_are_screened_per_model(env: dict[str, str], tmp_path: Path) -> None:
    deny = tmp_path / "deny.csv"
    deny.write_text("name,id,list_date\nBramble Labs,DENY-7,2026-09-30\n", encoding="utf-8")
    own = {**env, "PROVCHECK_CACHE_DIR": str(tmp_path / "cache")}
    shutil.copytree(Path(env["PROVCHECK_CACHE_DIR"]), tmp_path / "cache")
    done = run_cli(["lists", "update", "custom", "--url", str(deny)], tmp_path, env={**own, "PROVCHECK_OFFLINE": "0"})
    assert done.returncode == 0, done.output
    report = reports(assess(own, tmp_path, EXAMPLES / "tinyweights-host.yaml"))["TinyWeights"]
    wren, sparrow = model(report, "Wren 32B Instruct"), model(report, "Sparrow 8B")
    assert wren["developer"] == "Bramble Labs Inc. (CA)" and sparrow["developer"] == "Finch Collective B.V. (NL)"
    assert wren["decision"] == "reject" and sparrow["decision"] == "approve_with_conditions"
    hit = next(t for t in report["findings"] if t["rule_id"] == "EXP-D01")
    assert "developer 'Bramble Labs Inc.' listed on Internal deny list" in hit["answer"]
    # A developer's hit is the model's, not the vendor's chain: no contradiction with "not listed" answers.
    assert not [t for t in report["trace"] if t["rule_id"] == "CORE-RECON"]
    assert {m["role"] for m in report["screening"]["matches"]} == {"developer"}


# ---------------------------------------------------------------------------- link problems: exit 2 with file:line


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in row)


def _edit(path: Path, old: str, new: str) -> Path:
    """Replace ``old`` with ``new`` in a copied example (the text must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_dangling_link_is_exit_2_with_its_line_and_the_others_are_judged(env: dict[str, str], tmp_path: Path) -> None:
    folder = copy_examples(tmp_path / "examples")
    switchboard = folder / "switchboard-router.yaml"
    _edit(switchboard, "{vendor: aurora-models, model: Lumen 5}", "{vendor: aurora-model, model: Lumen 5}")
    done = assess(env, tmp_path, folder)
    assert done.returncode == 2
    line = _line_of(switchboard, "vendor: aurora-model, model")
    assert f"switchboard-router.yaml:{line}:9: routes_to names vendor id 'aurora-model'" in done.stderr
    assert "did you mean 'aurora-models'" in done.stderr
    assert set(reports(done)) == {"Aurora Models", "Kestrel AI", "Northwind Frontier", "TinyWeights"}


def test_a_link_to_a_model_the_target_does_not_list_is_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    folder = copy_examples(tmp_path / "examples")
    switchboard = folder / "switchboard-router.yaml"
    _edit(switchboard, "{vendor: aurora-models, model: Lumen 5}", "{vendor: aurora-models, model: Lumen 6}")
    done = assess(env, tmp_path, folder)
    assert done.returncode == 2
    assert f"switchboard-router.yaml:{_line_of(switchboard, 'model: Lumen 6')}:9: routes_to names model 'Lumen 6' of Aurora Models" in (
        done.stderr
    )


def test_a_cycle_is_exit_2_at_every_link_on_it(env: dict[str, str], tmp_path: Path) -> None:
    folder = copy_examples(tmp_path / "examples")
    tiny = folder / "tinyweights-host.yaml"
    _edit(
        tiny,
        "    family: Wren\n",
        "    family: Wren\n    routes_to: [{vendor: switchboard-router, model: bramble/wren-32b-instruct (routed)}]\n",
    )
    done = assess(env, tmp_path, folder)
    assert done.returncode == 2
    circle = "links run in a circle"
    tiny_line = _line_of(tiny, "vendor: switchboard-router")
    board_line = _line_of(folder / "switchboard-router.yaml", "routes_to: [{vendor: tinyweights")
    assert f"tinyweights-host.yaml:{tiny_line}:" in done.stderr and f"switchboard-router.yaml:{board_line}:" in done.stderr
    assert done.stderr.count(circle) >= 2
    assert "TinyWeights / Wren 32B Instruct -> Switchboard Router / bramble/wren-32b-instruct (routed)" in done.stderr
    assert set(reports(done)) == {"Aurora Models", "Kestrel AI", "Northwind Frontier"}


def test_validate_reports_link_problems_too(env: dict[str, str], tmp_path: Path) -> None:
    folder = copy_examples(tmp_path / "examples")
    board = folder / "switchboard-router.yaml"
    _edit(board, "vendor: tinyweights, model: Wren", "vendor: tinyweight, model: Wren")
    done = run_cli(["validate", folder], tmp_path, env=env)
    assert done.returncode == 2
    assert f"switchboard-router.yaml:{_line_of(board, 'vendor: tinyweight, model')}:" in done.output
    assert "names vendor id 'tinyweight'" in done.output
    assert run_cli(["validate", EXAMPLES], tmp_path, env=env).returncode == 0


def test_two_dossiers_claiming_one_id_are_refused_only_when_linked(env: dict[str, str], tmp_path: Path) -> None:
    folder = copy_examples(tmp_path / "examples")
    shutil.copyfile(folder / "northwind-frontier.yaml", folder / "northwind-copy.yaml")
    done = assess(env, tmp_path, folder)
    assert done.returncode == 2
    assert "vendor id 'northwind-frontier' is claimed by more than one dossier" in done.stderr
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in ("kestrel-ai.yaml", "northwind-frontier.yaml"):
        shutil.copyfile(folder / name, alone / name)
    shutil.copyfile(folder / "kestrel-ai.yaml", alone / "kestrel-copy.yaml")
    assert assess(env, tmp_path, alone).returncode == 0  # nobody links to Kestrel: two copies are only two reports


# ---------------------------------------------------------------------------- the per-model table in every format


def test_reports_show_a_per_model_table(env: dict[str, str], tmp_path: Path) -> None:
    aurora = EXAMPLES / "aurora-models.yaml"
    markdown = run_cli(["assess", aurora, "-f", "md", "--no-evidence", "--as-of", AURORA_AS_OF], tmp_path, env=env).stdout
    table = markdown[markdown.index("## Models") : markdown.index("## Findings")]
    rows = [row for row in table.splitlines() if row.startswith("| Lumen")]
    assert len(rows) == 2
    assert rows[0].startswith("| Lumen 5 2026-04-30 (api) | yes, governs the verdict | reject | HIGH |")
    assert "export\\_control.model\\_export\\_suspension = Yes" in rows[0]  # the answer's label, not its value
    assert rows[1].startswith("| Lumen 4.5 2025-11-18 (api) | yes | approve with conditions |")
    html = run_cli(["assess", aurora, "-f", "html", "--no-evidence", "--as-of", AURORA_AS_OF], tmp_path, env=env).stdout
    assert "<caption>Verdict per model</caption>" in html and html.count('<th scope="row">Lumen') == 2
    terminal = run_cli(["assess", aurora, "--no-evidence", "--as-of", AURORA_AS_OF], tmp_path, env=env).stdout
    assert "Models (the engagement names no model, so all are in scope; the findings below are Lumen 5's)" in terminal
    board = EXAMPLES / "switchboard-router.yaml"
    switchboard = run_cli(["assess", board, "-f", "md", "--no-evidence", "--as-of", AS_OF], tmp_path, env=env)
    assert "*(inherited from Aurora Models / Lumen 5 via Switchboard Router's routing)*" in switchboard.stdout
    assert "- switchboard/auto → Aurora Models / Lumen 5 (routes to)" in switchboard.stdout


# ---------------------------------------------------------------------------- the portfolio page


def test_a_markdown_report_folder_gets_a_portfolio_page_with_a_mermaid_graph(env: dict[str, str], tmp_path: Path) -> None:
    from support.markdown import check_markdown

    out = tmp_path / "reports"
    done = run_cli(["assess", EXAMPLES, "-f", "md", "-o", out, "--no-evidence", "--as-of", AS_OF], tmp_path, env=env)
    assert done.returncode == 0, done.output
    index = (out / "index.md").read_text(encoding="utf-8")
    check_markdown(index)
    assert "| Switchboard Router | APPROVE WITH CONDITIONS | HIGH | 33.0 | 2 | switchboard-router.md |" in index
    assert "- 2 of 5 vendors (40%) depend on the lab Northwind Frontier, 3 of the models in scope (30%)" in index
    graph = index[index.index("```mermaid\n") + 11 : index.index("\n```\n", index.index("```mermaid"))]
    assert graph.startswith("graph LR\n")
    assert '-->|"routes to: switchboard/auto #8594; Lumen 5"|' in graph
    again = run_cli(["assess", EXAMPLES, "-f", "md", "-o", out, "--no-evidence", "--as-of", AS_OF], tmp_path, env=env)
    assert again.returncode == 0, again.output  # provcheck recognises its own index.md and replaces it


def test_a_riskier_upstream_answer_never_improves_a_dependent(env: dict[str, str], tmp_path: Path) -> None:
    """Northwind's Gale 4 from not suspended, to undisclosed, to suspended: Switchboard's verdict only gets worse."""
    outcomes = ["approve", "approve_with_conditions", "incomplete", "reject"]
    tiers = ["low", "medium", "high", "critical"]
    previous = None
    for value in ("no", "undisclosed", "yes"):
        folder = copy_examples(tmp_path / value)
        northwind = folder / "northwind-frontier.yaml"
        text = northwind.read_text(encoding="utf-8")
        northwind.write_text(
            text.replace(
                "    family: Gale\n", f"    family: Gale\n    answers:\n      export_control.model_export_suspension: {{answer: {value}}}\n"
            ),
            encoding="utf-8",
        )
        found = reports(assess(env, tmp_path, folder))["Switchboard Router"]
        now = (outcomes.index(found["decision"]["outcome"]), tiers.index(found["summary"]["tier"]))
        if previous is not None:
            assert now[0] >= previous[0] and now[1] >= previous[1], (value, found["decision"]["outcome"])
        previous = now
    assert previous == (outcomes.index("reject"), tiers.index("high"))
