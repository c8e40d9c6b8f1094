"""``provcheck evidence snapshot|check`` against the loopback server on 127.0.0.1.

The server runs in a thread of the test process and is the only address
ever contacted: the dossiers cite only its URLs, proxy variables are
removed from the command's environment, and "refused" uses a closed port on
127.0.0.1. Commands run in-process through the real entry point; the
network-down exit code is also checked through a child process.
"""

from __future__ import annotations

from pathlib import Path

from support.cli import CliResult, cli_env, run_cli
from support.evidence import CLI_FAST, FAST, load, policy_page, write_dossier
from support.http import Server

from provenance_cli.evidence import EvidenceFinding, drift_findings, lock_path_for, read_lock, reassessment_reason


def provcheck(*args: str | Path, cwd: Path, offline: bool = False, process: bool = False) -> CliResult:
    """The real CLI, online unless asked, with every proxy setting removed."""
    return run_cli(args, cwd, env=cli_env(offline=offline), process=process, timeout=60)


def by_url(report: dict) -> dict[str, dict]:
    return {item["url"]: item for d in report["dossiers"] for item in d["urls"]}


def test_snapshot_then_check_reports_drift(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    path = write_dossier(
        tmp_path / "vendor.yaml",
        question_ids,
        {
            0: [site.url("/same"), site.url("/policy")],
            1: [site.url("/nonce"), site.url("/redirect"), site.url("/gone-later")],
            2: [site.url("/policy")],
        },
    )
    original = path.read_bytes()

    snap = provcheck("evidence", "snapshot", "vendor.yaml", *CLI_FAST, cwd=tmp_path)
    assert snap.returncode == 0, snap.stderr
    lock_file = tmp_path / "vendor.yaml.evidence.lock.yaml"
    assert snap.stderr.strip() == f"wrote {lock_file.name}: 5 URLs, 5 readable"
    assert path.read_bytes() == original
    assert not list(tmp_path.glob(".*.tmp"))

    lock = read_lock(lock_file)
    assert lock is not None and lock.dossier == "vendor.yaml"
    assert list(lock.entries) == sorted(lock.entries)
    assert lock.entries[site.url("/policy")].questions == tuple(sorted(question_ids[i] for i in (0, 2)))
    assert lock.entries[site.url("/redirect")].final_url == site.url("/same")
    text = lock_file.read_text()
    assert text.count("provcheck_evidence_lock: 1") == 1

    # Nothing changed except timestamps and nonces: a clean check.
    clean = provcheck(
        "evidence",
        "check",
        "vendor.yaml",
        "-f",
        "json",
        "--fail-on-changed",
        *CLI_FAST,
        cwd=tmp_path,
    )
    assert clean.returncode == 0, clean.stderr
    assert {u: i["drift"] for u, i in by_url(clean.json()).items()} == dict.fromkeys(lock.entries, "unchanged")

    # Substance changes, one page disappears, a new citation appears.
    site.pages["/policy"] = (200, policy_page(90))
    site.pages["/gone-later"] = (404, "<p>Not found</p>")
    write_dossier(
        path,
        question_ids,
        {
            0: [site.url("/same"), site.url("/policy")],
            1: [site.url("/nonce"), site.url("/gone-later")],
            2: [site.url("/page/new")],
        },
    )
    run = provcheck("evidence", "check", ".", "-f", "json", *CLI_FAST, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    items = by_url(run.json())
    assert items[site.url("/same")]["drift"] == "unchanged"
    assert items[site.url("/nonce")]["drift"] == "unchanged"
    assert items[site.url("/policy")]["drift"] == "changed"
    assert items[site.url("/policy")]["drift_detail"].startswith("content changed since snapshot at 20")
    assert items[site.url("/gone-later")]["status"] == "broken"
    assert items[site.url("/gone-later")]["drift"] == "removed"
    assert items[site.url("/page/new")]["drift"] == "new"
    assert run.json()["summary"]["drift"] == {"unchanged": 2, "changed": 1, "removed": 1, "new": 1}

    gate = provcheck("evidence", "check", "vendor.yaml", "--fail-on-changed", *CLI_FAST, cwd=tmp_path)
    assert gate.returncode == 1
    assert "gate tripped: 2 evidence page(s) changed or removed since snapshot (--fail-on-changed)" in gate.stderr
    assert "content changed since snapshot at" in gate.stdout
    broken_gate = provcheck("evidence", "check", "vendor.yaml", "--fail-on-broken", *CLI_FAST, cwd=tmp_path)
    assert broken_gate.returncode == 1
    assert "(--fail-on-broken)" in broken_gate.stderr

    # The library entry point for assess: one finding per citing answer.
    findings = drift_findings(load(path), offline=False, options=FAST)
    assert all(isinstance(f, EvidenceFinding) for f in findings)
    got = {(f.question_id, f.url): f.status for f in findings}
    assert got == {
        (question_ids[0], site.url("/policy")): "changed",
        (question_ids[1], site.url("/gone-later")): "removed",
        (question_ids[2], site.url("/page/new")): "new",
    }
    assert [f.is_finding for f in findings] == [True, True, False]
    assert findings[0].detail.startswith("content changed since snapshot at 20"), findings[0].detail
    assert findings[0].describe() == (f"{question_ids[0]}: {site.url('/policy')}: changed: {findings[0].detail}")
    assert reassessment_reason(findings) == (f"cited evidence changed since its snapshot: {site.url('/policy')} and 1 more")
    assert reassessment_reason(findings[2:]) is None
    changed = next(f for f in findings if f.status == "changed")
    assert changed.snapshot_at == lock.entries[site.url("/policy")].retrieved_at
    assert changed.checked_at is not None and changed.checked_at >= changed.snapshot_at

    # Offline: only the lock is read, nothing is fetched.
    hits = dict(site.hits)
    offline = drift_findings(load(path), offline=True)
    assert site.hits == hits
    assert [(f.question_id, f.url, f.status, f.checked_at) for f in offline] == [(question_ids[2], site.url("/page/new"), "new", None)]
    assert "not snapshotted" in offline[0].detail


def test_snapshot_missing_only_keeps_the_baseline(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    path = write_dossier(tmp_path / "v.yaml", question_ids, {0: [site.url("/policy")]})
    assert provcheck("evidence", "snapshot", "v.yaml", *CLI_FAST, cwd=tmp_path).returncode == 0
    before = read_lock(lock_path_for(path))
    site.pages["/policy"] = (200, policy_page(365))
    write_dossier(path, question_ids, {0: [site.url("/policy"), site.url("/same")]})
    run = provcheck("evidence", "snapshot", "v.yaml", "--missing-only", "-f", "json", *CLI_FAST, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.json()["locks"][0]["fetched"] == 1
    after = read_lock(lock_path_for(path))
    assert after.entries[site.url("/policy")] == before.entries[site.url("/policy")]
    assert site.url("/same") in after.entries
    assert drift_findings(load(path), offline=False, options=FAST)[0].status == "changed"


def test_snapshot_keeps_a_readable_entry_through_an_outage(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    path = write_dossier(tmp_path / "v.yaml", question_ids, {0: [site.url("/policy"), site.url("/missing")]})
    first = provcheck("evidence", "snapshot", "v.yaml", *CLI_FAST, cwd=tmp_path)
    assert first.returncode == 0
    assert f"warning: {site.url('/missing')}: broken: HTTP 404 Not Found (recorded as such)" in first.stderr
    before = read_lock(lock_path_for(path)).entries[site.url("/policy")]
    site.pages["/policy"] = (503, "busy")
    again = provcheck("evidence", "snapshot", "v.yaml", *CLI_FAST, cwd=tmp_path)
    assert again.returncode == 0
    assert f"kept the snapshot of {site.url('/policy')}" in again.stderr
    assert read_lock(lock_path_for(path)).entries[site.url("/policy")] == before
    # Offline, a page unreadable at snapshot time is a finding.
    offline = drift_findings(load(path), offline=True)
    assert [(f.url, f.status) for f in offline] == [(site.url("/missing"), "broken")]
    # Readable now but not at snapshot: nothing to compare with, so "new".
    site.pages["/missing"] = (200, "<p>Back</p>")
    site.pages["/policy"] = (200, policy_page(30))
    online = drift_findings(load(path), offline=False, options=FAST)
    assert [(f.url, f.status) for f in online] == [(site.url("/missing"), "new")]
    assert online[0].detail.startswith("readable now, but not at snapshot (HTTP 404 Not Found)")


def test_no_evidence_urls(tmp_path: Path, question_ids: list[str]) -> None:
    write_dossier(tmp_path / "v.yaml", question_ids, {0: []})
    run = provcheck("evidence", "check", "v.yaml", cwd=tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "v.yaml: no evidence URLs cited\n")


def test_lock_file_is_deterministic(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    path = write_dossier(
        tmp_path / "v.yaml",
        question_ids,
        {1: [site.url("/same"), site.url("/nonce")], 0: [site.url("/policy")]},
    )
    provcheck("evidence", "snapshot", "v.yaml", *CLI_FAST, cwd=tmp_path)
    first = lock_path_for(path).read_text()
    provcheck("evidence", "snapshot", "v.yaml", *CLI_FAST, cwd=tmp_path)
    second = lock_path_for(path).read_text()

    def without_times(text: str) -> list[str]:
        return [line for line in text.splitlines() if "retrieved_at" not in line]

    assert without_times(first) == without_times(second)
    # validate skips lock files in folders; the dossier still validates.
    assert provcheck("validate", ".", cwd=tmp_path).returncode == 0


def test_text_report_and_exit_zero_without_gates(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    write_dossier(
        tmp_path / "v.yaml",
        question_ids,
        {0: [site.url("/same"), site.url("/missing"), site.url("/to-ftp")]},
    )
    run = provcheck("evidence", "check", "v.yaml", *CLI_FAST, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "HTTP 404 Not Found" in run.stdout and "non-web address (ftp scheme)" in run.stdout
    assert run.stderr.splitlines()[-1] == (
        "3 URLs: 1 ok, 1 broken, 1 unreachable; no lock file (run `provcheck evidence snapshot` to detect later changes)"
    )
    assert "\x1b[" not in run.stderr  # no progress bar when stderr is not a terminal


def test_network_down_is_exit_3(tmp_path: Path, question_ids: list[str], closed_port: int) -> None:
    base = f"http://127.0.0.1:{closed_port}"
    write_dossier(tmp_path / "v.yaml", question_ids, {0: [base + "/a", base + "/b"]})
    run = provcheck("evidence", "check", "v.yaml", "-f", "json", *CLI_FAST, cwd=tmp_path, process=True)
    assert run.returncode == 3
    assert "none of the 2 evidence URLs could be reached (connection refused)" in run.stderr
    assert {i["status"] for i in by_url(run.json()).values()} == {"unreachable"}
    snap = provcheck("evidence", "snapshot", "v.yaml", *CLI_FAST, cwd=tmp_path)
    assert snap.returncode == 3
    assert not lock_path_for(tmp_path / "v.yaml").exists()


def test_offline_cli_refuses(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    write_dossier(tmp_path / "v.yaml", question_ids, {0: [site.url("/same")]})
    for args in (("evidence", "check", "v.yaml"), ("--offline", "evidence", "snapshot", "v.yaml")):
        run = provcheck(*args, cwd=tmp_path, offline=args[0] != "--offline")
        assert run.returncode == 3
        assert "needs the network, but offline mode is on" in run.stderr
    assert site.hits == {}


def test_bad_input_is_exit_2_before_any_fetch(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    write_dossier(tmp_path / "v.yaml", question_ids, {0: [site.url("/same")]})
    lock = tmp_path / "v.evidence.lock.yaml"
    lock.write_text(
        "provcheck_evidence_lock: 1\ndossier: v.yaml\ndossier_sha256: abc\nnormaliser: 1\n"
        f"entries:\n  {site.url('/same')}:\n    retrieved_at: yesterday\n    status: ok\n"
    )
    run = provcheck("evidence", "check", "v.yaml", cwd=tmp_path)
    assert run.returncode == 2
    assert "v.evidence.lock.yaml:7:19: expected a UTC time like 2026-07-01T09:30:00Z, got 'yesterday'" in run.stderr
    lock.write_text("provcheck_evidence_lock: 2\n")
    run = provcheck("evidence", "check", "v.yaml", cwd=tmp_path)
    assert run.returncode == 2 and "evidence lock format '2'" in run.stderr

    (tmp_path / "bad.yaml").write_text("provcheck: 1\nvendor: {}\n")
    run = provcheck("evidence", "check", "bad.yaml", cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.startswith("bad.yaml:")
    run = provcheck("evidence", "check", "nowhere.yaml", cwd=tmp_path)
    assert run.returncode == 2 and "nowhere.yaml: no such file or folder" in run.stderr
    run = provcheck("evidence", "check", "v.yaml", "-f", "xml", cwd=tmp_path)
    assert run.returncode == 2
    assert site.hits == {}


def test_every_url_is_shown_whole_at_any_width(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    """URLs that share a long prefix stay distinct: cells fold onto more lines instead of ending in an ellipsis."""
    prefix = "/policies/data-processing-and-retention/version-2026/annex"
    urls = [site.url(f"{prefix}-{tag}") for tag in ("alpha", "bravo", "charlie")]
    write_dossier(tmp_path / "v.yaml", question_ids, {0: urls})
    for columns in (80, 120):
        run = run_cli(["evidence", "check", "v.yaml", *CLI_FAST], tmp_path, env=cli_env(offline=False, columns=columns), timeout=60)
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        assert "…" not in run.stdout and max(len(line) for line in lines) <= columns
        # Read the URL column back: the cells between its borders, line by line, joined per row.
        header = next(line for line in lines if "URL" in line and ("│" in line or "┃" in line))
        bar = "┃" if "┃" in header else "│"
        column = [i for i, part in enumerate(header.split(bar)) if part.strip() == "URL"][0]
        cells = "".join(line.split("│")[column].strip() for line in lines if line.count("│") == header.count(bar))
        for url in urls:
            assert url in cells, (columns, url, cells)
