"""Cases the fuzz suite (tests/fuzz/) found, kept as plain examples so they stay fixed in the fast run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support import EXAMPLES
from support.cli import CliResult, run_cli


def cli(tmp_path: Path, *args: str | Path) -> CliResult:
    return run_cli([str(a) for a in args], tmp_path)


def test_a_key_spelt_like_a_pydantic_union_tag_is_reported_not_a_crash(tmp_path: Path):
    # A policy whose `policy` key became `p[olicy` is read by validate as a dossier; pydantic's location
    # for the unknown key "p[olicy" looked like a union tag, was dropped, and validate crashed (IndexError).
    policy = tmp_path / "policy.yaml"
    policy.write_text("p[olicy: 2\nname: Ours\n", encoding="utf-8")
    result = cli(tmp_path, "validate", policy)
    assert result.returncode == 2
    assert (
        f"{policy}:1:1: unknown key 'p[olicy'; expected one of provcheck, vendor, engagement, models, assessment, answers" in result.lines
    )
    dossier = tmp_path / "vendor.yaml"
    text = (EXAMPLES / "tinyweights-host.yaml").read_text(encoding="utf-8")
    dossier.write_text(text.replace("vendor:\n", 'vendor:\n  "list[str]": x\n  str: y\n', 1), encoding="utf-8")
    line = text.splitlines().index("vendor:") + 2
    result = cli(tmp_path, "validate", dossier)
    assert result.returncode == 2
    unknown = [out for out in result.lines if "unknown key" in out]
    assert unknown[0].startswith(f"{dossier}:{line}:3: unknown key 'list[str]'"), result.output
    assert unknown[1].startswith(f"{dossier}:{line + 1}:3: unknown key 'str'"), result.output


def test_a_lock_with_a_stray_policy_key_is_a_lock_to_validate_as_to_assess(tmp_path: Path):
    # validate took any file with a `policy` key for a policy (and refused it), while assess read it as
    # the dossier's lock (and used it): the two disagreed on whether the input was bad.
    dossier = tmp_path / "vendor.yaml"
    shutil.copyfile(EXAMPLES / "tinyweights-host.yaml", dossier)
    lock = tmp_path / "vendor.evidence.lock.yaml"
    lock.write_text(
        "provcheck_evidence_lock: 1\ndossier: vendor.yaml\ndossier_sha256: " + "0" * 64 + "\nnormaliser: 1\npolicy:\nentries: {}\n",
        encoding="utf-8",
    )
    checked = cli(tmp_path, "validate", "-f", "json", lock)
    assert json.loads(checked.stdout)["files"][0]["kind"] == "evidence lock"
    assert checked.returncode == 0, checked.output
    assessed = cli(tmp_path, "assess", dossier, "--offline", "--no-screen")
    assert assessed.returncode == 0, assessed.output


def test_a_lock_number_too_long_or_not_ascii_is_a_problem_not_a_crash(tmp_path: Path):
    # int() refuses more than 4,300 digits (ValueError), and str.isdigit() accepts '²', which int() refuses too.
    dossier = tmp_path / "vendor.yaml"
    shutil.copyfile(EXAMPLES / "tinyweights-host.yaml", dossier)
    lock = tmp_path / "vendor.evidence.lock.yaml"
    head = "provcheck_evidence_lock: 1\ndossier: vendor.yaml\ndossier_sha256: " + "0" * 64 + "\n"
    for value, shown in (("1" * 5000, "'" + "1" * 37 + "...'"), ("²", "'²'"), ("1" * 19, "'" + "1" * 19 + "'")):
        lock.write_text(f"{head}normaliser: {value}\nentries: {{}}\n", encoding="utf-8")
        checked = cli(tmp_path, "validate", lock)
        assert checked.returncode == 2
        assert f"{lock}:4:13: expected a whole number, got {shown}" in checked.lines, checked.output
        assessed = cli(tmp_path, "assess", dossier, "--offline", "--no-screen")
        assert assessed.returncode == 2
        assert f"{lock}:4:13: expected a whole number, got {shown}" in assessed.lines, assessed.output
