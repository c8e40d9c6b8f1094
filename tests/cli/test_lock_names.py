"""Evidence lock names: ``a.yaml`` and ``a.yml`` in one folder each keep their own lock.

The lock's name derives from the whole dossier file name
(``a.yaml.evidence.lock.yaml``). Locks written under the earlier naming
(``a.evidence.lock.yaml``) keep working where they can belong to one
dossier only, and the next snapshot moves them to the new name. Every case
runs the real command line against the loopback server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import CliResult, cli_env, run_cli
from support.evidence import CLI_FAST, write_dossier
from support.http import Server


def provcheck(*args: str | Path, cwd: Path, offline: bool = False) -> CliResult:
    return run_cli(args, cwd, env=cli_env(offline=offline), timeout=60)


def drift_by_url(result: CliResult) -> dict[str, dict[str, str | None]]:
    """``evidence check -f json``: per dossier file, each URL's drift."""
    report = json.loads(result.stdout)
    return {d["file"]: {u["url"]: u["drift"] for u in d["urls"]} for d in report["dossiers"]}


def test_yaml_and_yml_of_one_name_keep_separate_locks(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    write_dossier(tmp_path / "a.yaml", question_ids, {0: [site.url("/same")]})
    write_dossier(tmp_path / "a.yml", question_ids, {1: [site.url("/policy")]})
    snap = provcheck("evidence", "snapshot", "a.yaml", "a.yml", *CLI_FAST, cwd=tmp_path)
    assert snap.returncode == 0, snap.output
    assert snap.stderr.splitlines() == [
        "wrote a.yaml.evidence.lock.yaml: 1 URL, 1 readable",
        "wrote a.yml.evidence.lock.yaml: 1 URL, 1 readable",
    ]
    assert sorted(p.name for p in tmp_path.glob("*.lock.yaml")) == ["a.yaml.evidence.lock.yaml", "a.yml.evidence.lock.yaml"]

    checked = provcheck("evidence", "check", "a.yaml", "a.yml", "-f", "json", *CLI_FAST, cwd=tmp_path)
    assert checked.returncode == 0, checked.output
    # Each dossier's page is compared with its own snapshot: nothing reads as never snapshotted.
    assert drift_by_url(checked) == {"a.yaml": {site.url("/same"): "unchanged"}, "a.yml": {site.url("/policy"): "unchanged"}}

    assessed = provcheck("assess", "a.yaml", "a.yml", "--no-screen", "-f", "json", cwd=tmp_path, offline=True)
    assert assessed.returncode == 0, assessed.output
    reports = json.loads(assessed.stdout)
    assert len(reports) == 2
    for report in reports:
        inputs = {i["role"]: i["path"] for i in report["provenance"]["inputs"]}
        assert inputs["evidence_lock"] == inputs["dossier"] + ".evidence.lock.yaml"


def _old_style_lock(site: Server, tmp_path: Path, question_ids: list[str], name: str = "v.yaml") -> Path:
    """A dossier and its lock under the earlier name, as an older provcheck left them."""
    write_dossier(tmp_path / name, question_ids, {0: [site.url("/same")]})
    snap = provcheck("evidence", "snapshot", name, *CLI_FAST, cwd=tmp_path)
    assert snap.returncode == 0, snap.output
    stem = name.rsplit(".", 1)[0]
    old = tmp_path / f"{stem}.evidence.lock.yaml"
    (tmp_path / f"{name}.evidence.lock.yaml").rename(old)
    return old


def test_a_lock_of_the_old_name_keeps_working_and_moves_on_snapshot(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    old = _old_style_lock(site, tmp_path, question_ids)
    checked = provcheck("evidence", "check", "v.yaml", "-f", "json", *CLI_FAST, cwd=tmp_path)
    assert checked.returncode == 0, checked.output
    assert json.loads(checked.stdout)["dossiers"][0]["lock"] == "v.evidence.lock.yaml"
    assert drift_by_url(checked) == {"v.yaml": {site.url("/same"): "unchanged"}}

    again = provcheck("evidence", "snapshot", "v.yaml", "--missing-only", *CLI_FAST, cwd=tmp_path)
    assert again.returncode == 0, again.output
    assert again.stderr.splitlines() == [
        "wrote v.yaml.evidence.lock.yaml: 1 URL, 1 readable",
        "removed v.evidence.lock.yaml: the old-style lock name, replaced by v.yaml.evidence.lock.yaml",
    ]
    assert not old.exists()
    # --missing-only kept the old entry: the record of what was assessed moved with the name.
    assert "retrieved_at" in (tmp_path / "v.yaml.evidence.lock.yaml").read_text(encoding="utf-8")


def test_an_old_lock_two_dossiers_could_claim_goes_to_the_one_it_names(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    _old_style_lock(site, tmp_path, question_ids, name="a.yml")
    write_dossier(tmp_path / "a.yaml", question_ids, {0: [site.url("/same")]})
    checked = provcheck("evidence", "check", "a.yaml", "a.yml", "-f", "json", *CLI_FAST, cwd=tmp_path)
    assert checked.returncode == 0, checked.output
    locks = {d["file"]: d["lock"] for d in json.loads(checked.stdout)["dossiers"]}
    # The old lock records "dossier: a.yml": it is a.yml's, and a.yaml has none yet.
    assert locks == {"a.yaml": None, "a.yml": "a.evidence.lock.yaml"}
    assert drift_by_url(checked) == {"a.yaml": {site.url("/same"): None}, "a.yml": {site.url("/same"): "unchanged"}}
    assessed = provcheck("assess", "a.yaml", "--no-screen", "-f", "json", cwd=tmp_path, offline=True)
    assert assessed.returncode == 0, assessed.output
    assert [i["role"] for i in json.loads(assessed.stdout)["provenance"]["inputs"]] == ["dossier"]
