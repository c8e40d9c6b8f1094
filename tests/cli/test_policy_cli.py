"""Policy files through the command line: ``assess --policy`` and ``validate``, exit codes and locations."""

from __future__ import annotations

import pytest
from support import EXAMPLES
from support.policies import BAD_POLICIES

KESTREL = EXAMPLES / "kestrel-ai.yaml"


@pytest.mark.parametrize(("text", "line", "column", "message"), BAD_POLICIES[:3], ids=[m for *_, m in BAD_POLICIES[:3]])
def test_assess_with_a_bad_policy_exits_2(cli, write, text: str, line: int, column: int, message: str) -> None:
    write("policy.yaml", text)
    result = cli("assess", str(KESTREL), "--policy", "policy.yaml", "--no-screen", "--no-evidence")
    assert result.returncode == 2, result.output
    assert any(out.startswith(f"policy.yaml:{line}:{column}: ") and message in out for out in result.lines), result.output


def test_validate_flags_an_expired_waiver_that_assess_merely_reports(cli, write) -> None:
    write(
        "policy.yaml",
        "policy: 1\nwaivers:\n  - rule: EXT-01\n    vendor: Kestrel AI\n    reason: r\n    approver: a\n    expires: 2020-01-01\n",
    )
    checked = cli("validate", "policy.yaml")
    assert checked.returncode == 2
    assert any(line.startswith("policy.yaml:7:14: ") and "expired on 2020-01-01" in line for line in checked.lines), checked.output
    assessed = cli("assess", str(KESTREL), "--policy", "policy.yaml", "--no-screen", "--no-evidence")
    assert assessed.returncode == 0, assessed.output
    assert "Waivers expired" in assessed.stdout


def test_bundled_default_policy_is_valid(cli) -> None:
    from provenance_cli.util.resources import package_file

    result = cli("validate", str(package_file("default-policy.yaml")))
    assert result.returncode == 0, result.output


def test_a_policy_without_its_version_line_is_still_a_policy(cli, write) -> None:
    """validate and assess --policy read the same file the same way: a policy (format 1), never a dossier."""
    write("ours.yaml", "name: our policy\ntiers:\n  high: 45\n")
    checked = cli("validate", "ours.yaml")
    assert checked.returncode == 0, checked.output
    assert "ours.yaml: policy format 1, read as the current format (provcheck upgrade ours.yaml" in checked.stderr
    assessed = cli("assess", str(KESTREL), "--policy", "ours.yaml", "--no-screen", "--no-evidence")
    assert assessed.returncode == 0, assessed.output
    assert "warning: ours.yaml: states no format version; read as the current format (provcheck upgrade ours.yaml adds 'policy: 2')" in (
        assessed.stderr
    )
    assert cli("upgrade", "ours.yaml").returncode == 0
    assessed = cli("assess", str(KESTREL), "--policy", "ours.yaml", "--no-screen", "--no-evidence")
    assert "states no format version" not in assessed.stderr


def test_a_dossier_given_as_the_policy_is_refused(cli) -> None:
    result = cli("assess", str(KESTREL), "--policy", str(KESTREL), "--no-screen", "--no-evidence")
    assert result.returncode == 2
    assert f"{KESTREL}:1:1: is a dossier, not a policy (a policy file starts with 'policy: 2')" in result.stderr
