"""``assess`` shows evidence that changed since its snapshot, online and from the lock alone.

A real HTTP server on 127.0.0.1 (the only address contacted) serves a
vendor's retention policy; the test snapshots it, changes its substance,
and expects assess to report the change and make reassessment due now.
"""

from __future__ import annotations

from pathlib import Path

from support.cli import CliResult, cli_env, run_cli
from support.http import Server


def run(args: list[str], cwd: Path, *, offline: bool) -> CliResult:
    return run_cli(args, cwd, env=cli_env(offline=offline))


def dossier(url: str) -> str:
    return f"""provcheck: 1
vendor:
  name: Drift Co
  legal_name: Drift Co, Inc.
  headquarters: US
assessment:
  assessor: Jane Doe
  date: 2026-11-01
answers:
  retention.zero_data_retention:
    answer: enabled_for_buyer
    evidence:
      - url: {url}
        title: Retention policy
        retrieved: 2026-11-01
        kind: vendor_attestation
"""


def test_changed_evidence_is_a_finding_and_makes_reassessment_due(server: Server, tmp_path: Path) -> None:
    server.pages["/retention"] = (200, "<html><body><p>Prompts are deleted after 0 days.</p></body></html>")
    (tmp_path / "drift.yaml").write_text(dossier(server.url("/retention")), encoding="utf-8")
    snap = run(["evidence", "snapshot", "drift.yaml", "--timeout", "2"], tmp_path, offline=False)
    assert snap.returncode == 0, snap.stderr
    assert (tmp_path / "drift.yaml.evidence.lock.yaml").is_file()

    same = run(["assess", "drift.yaml", "--no-screen", "--as-of", "2026-11-05"], tmp_path, offline=False)
    assert same.returncode == 0, same.stderr
    assert "Evidence changed" not in same.stdout

    server.pages["/retention"] = (200, "<html><body><p>Prompts are kept for 30 days for abuse monitoring.</p></body></html>")
    changed = run(["assess", "drift.yaml", "--no-screen", "--as-of", "2026-11-05"], tmp_path, offline=False)
    assert changed.returncode == 0, changed.stderr
    assert "Evidence changed or broken" in changed.stdout
    assert server.url("/retention") in changed.stdout
    assert "Reassessment due 2026-11-05" in changed.stdout
    assert "cited evidence changed" in changed.stdout


def test_offline_assess_reads_only_the_lock(server: Server, tmp_path: Path) -> None:
    server.pages["/retention"] = (200, "<html><body><p>Prompts are deleted after 0 days.</p></body></html>")
    (tmp_path / "drift.yaml").write_text(dossier(server.url("/retention")), encoding="utf-8")
    assert run(["evidence", "snapshot", "drift.yaml", "--timeout", "2"], tmp_path, offline=False).returncode == 0
    server.requests.clear()
    server.pages["/retention"] = (200, "<html><body><p>Everything changed.</p></body></html>")
    result = run(["--offline", "assess", "drift.yaml", "--no-screen", "--as-of", "2026-11-05"], tmp_path, offline=False)
    assert result.returncode == 0, result.stderr
    assert server.requests == [], "offline means no request at all"
    assert "Evidence changed" not in result.stdout


def test_malformed_lock_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "drift.yaml").write_text(dossier("https://vendor.example/retention"), encoding="utf-8")
    (tmp_path / "drift.evidence.lock.yaml").write_text("provcheck_evidence_lock: 1\nentries: [\n", encoding="utf-8")
    result = run(["assess", "drift.yaml", "--no-screen"], tmp_path, offline=True)
    assert result.returncode == 2
    assert "drift.evidence.lock.yaml:" in result.stderr
