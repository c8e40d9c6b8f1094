"""Files written by the previous format keep working, and ``upgrade`` rewrites them without losing a comment."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

from support import REPO

V1 = REPO / "tests" / "fixtures" / "v1"
"""A dossier and a policy exactly as the format-1 release wrote them (the dossier is that release's Kestrel example)."""


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    dossier = tmp_path / "kestrel-ai.yaml"
    policy = tmp_path / "policy.yaml"
    shutil.copy(V1 / "kestrel-ai.yaml", dossier)
    shutil.copy(V1 / "policy.yaml", policy)
    return dossier, policy


def test_format_1_files_are_read_and_validate_says_so(cli, tmp_path: Path) -> None:
    dossier, policy = _copy(tmp_path)
    result = cli("validate", dossier.name, policy.name, cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert f"{dossier.name}: dossier format 1, read as the current format (provcheck upgrade {dossier.name} rewrites it" in result.stderr
    assert f"{policy.name}: policy format 1, read as the current format" in result.stderr
    report = json.loads(cli("validate", dossier.name, "-f", "json", cwd=tmp_path).stdout)
    assert report["files"][0]["format_version"] == 1


def test_format_1_files_still_get_a_decision(cli, tmp_path: Path) -> None:
    dossier, policy = _copy(tmp_path)
    result = cli("assess", dossier.name, "--policy", policy.name, "-f", "json", "--as-of", "2026-09-01", "--no-evidence", cwd=tmp_path)
    assert result.returncode == 0, result.output
    report = json.loads(result.stdout)
    # Kestrel is on the 1260H list by its own answer: a hard stop under the default decision policy.
    assert report["decision"]["outcome"] == "reject"
    assert report["engagement"] == {}
    # The format-1 policy opted into stale penalties explicitly (3 points); that choice is kept.
    assert report["provenance"]["policy"]["name"] == "our 2026 policy (format 1)"


def test_upgrade_keeps_every_comment_and_the_file_mode(cli, tmp_path: Path) -> None:
    dossier, policy = _copy(tmp_path)
    dossier.chmod(0o640)
    before = dossier.read_text(encoding="utf-8")
    result = cli("upgrade", dossier.name, policy.name, cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert f"{dossier.name}: dossier upgraded from format 1 to 2" in result.stderr
    after = dossier.read_text(encoding="utf-8")
    assert "provcheck: 2\n" in after and "provcheck: 1\n" not in after
    assert "\nengagement:\n  use_case:" in after
    kept = [line for line in before.splitlines() if line.strip() and not line.startswith("provcheck:")]
    assert [line for line in after.splitlines() if line in set(kept)] == kept, "every other line, comments included, survives in order"
    assert stat.S_IMODE(dossier.stat().st_mode) == 0o640
    policy_text = policy.read_text(encoding="utf-8")
    assert policy_text.startswith("# provcheck's bundled default policy.")
    assert "\npolicy: 2\n" in policy_text
    assert cli("validate", dossier.name, policy.name, cwd=tmp_path).stderr.strip() == "2 of 2 files valid"
    again = cli("upgrade", dossier.name, cwd=tmp_path)
    assert again.returncode == 0 and "already in format 2" in again.stderr
    assert dossier.read_text(encoding="utf-8") == after


def test_upgrade_check_writes_nothing_and_exits_1(cli, tmp_path: Path) -> None:
    dossier, _ = _copy(tmp_path)
    before = dossier.read_bytes()
    result = cli("upgrade", "--check", dossier.name, cwd=tmp_path)
    assert result.returncode == 1, result.output
    assert f"gate tripped: needs upgrading: {dossier.name} (dossier format 1)" in result.stderr
    assert dossier.read_bytes() == before


def test_upgrade_refuses_other_files_and_unknown_versions(cli, tmp_path: Path) -> None:
    questionnaire = tmp_path / "q.yaml"
    shutil.copy(REPO / "questionnaires" / "lineage.yaml", questionnaire)
    future = tmp_path / "future.yaml"
    future.write_text((V1 / "kestrel-ai.yaml").read_text(encoding="utf-8").replace("provcheck: 1", "provcheck: 9"), encoding="utf-8")
    result = cli("upgrade", questionnaire.name, future.name, cwd=tmp_path)
    assert result.returncode == 2, result.output
    assert "q.yaml: is a questionnaire; only dossiers and policies have format versions to upgrade" in result.stderr
    assert any(line.startswith("future.yaml:6:12: cannot upgrade: format version '9'") for line in result.lines), result.output


def test_example_buyer_policies_change_the_decision(cli) -> None:
    """The same vendor, three buyers: 1260H is a hard stop for all, and critical for a DoD contractor (FY2024 NDAA s.805)."""
    kestrel = "examples/kestrel-ai.yaml"
    common = ("-f", "json", "--as-of", "2026-11-15", "--no-evidence")
    default = json.loads(cli("assess", kestrel, *common, cwd=REPO).stdout)
    dod = json.loads(cli("assess", kestrel, "--policy", "examples/policies/dod-contractor.yaml", *common, cwd=REPO).stdout)
    assert default["decision"]["outcome"] == dod["decision"]["outcome"] == "reject"
    assert dod["summary"]["tier"] == "critical"
    assert any("805" in reason["text"] for reason in dod["decision"]["reasons"]), dod["decision"]["reasons"]
    assert not any("805" in reason["text"] for reason in default["decision"]["reasons"])
