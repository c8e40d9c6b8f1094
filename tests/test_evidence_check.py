"""Evidence link checks and drift, against a real HTTP server on 127.0.0.1.

The server runs in a thread of the test process and is the only address
ever contacted: the dossiers cite only its URLs, proxies are switched off
(``trust_env=False`` in-process, proxy variables removed for the CLI), and
"refused" uses a closed port on 127.0.0.1. Stalling routes wait on an event
the fixture sets at teardown, and the tests use sub-second timeouts.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from provenance_cli.evidence import (
    EvidenceFinding,
    FetchOptions,
    drift_findings,
    lock_path_for,
    read_lock,
    reassessment_reason,
)
from provenance_cli.evidence.fetch import fetch_urls

FAST = FetchOptions(timeout=0.5, concurrency=16, per_host=4, max_bytes=64 * 1024, trust_env=False)
CLI_FAST = ["--timeout", "0.5", "--max-bytes", "65536"]


@dataclass
class Site:
    """Mutable state behind the test server, so a test can change a page."""

    pages: dict[str, tuple[int, str]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    agents: set[str] = field(default_factory=set)
    in_flight: int = 0
    max_in_flight: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path


def _policy(days: int) -> str:
    return f"<html><body><h1>Retention</h1><p>Prompts are kept for {days} days.</p></body></html>"


def _nonce_page(counter: int) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1782810000 + counter * 3671))
    nonce = f"N0nce{counter:04d}xYzAbCdEfGhIjK"
    return (
        f'<html><head><script nonce="{nonce}">var build="{nonce}";</script></head><body>'
        f"<p>Terms of service: outputs may not be used to train competing models.</p>"
        f"<footer>Rendered {stamp} &middot; csrf_token={nonce} &middot; {counter} minutes ago"
        f"</footer></body></html>"
    )


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?")[0]
            with site.lock:
                site.hits[path] = site.hits.get(path, 0) + 1
                site.agents.add(self.headers.get("User-Agent", ""))
                count = site.hits[path]
            if path in site.pages:
                status, body = site.pages[path]
                self._send(status, body)
            elif path == "/nonce":
                self._send(200, _nonce_page(count))
            elif path == "/redirect":
                self._redirect("/same")
            elif path == "/chain":
                self._redirect(site.url("/redirect"))
            elif path == "/loop":
                self._redirect("/loop")
            elif path == "/to-ftp":
                self._redirect("ftp://127.0.0.1/policy.txt")
            elif path == "/to-javascript":
                self._redirect("javascript:alert(1)")
            elif path == "/missing":
                self._send(404, "<p>Not here</p>")
            elif path == "/error":
                self._send(503, "<p>Busy</p>")
            elif path == "/stall":
                site.release.wait(10)
            elif path == "/stall-body":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"<p>start")
                self.wfile.flush()
                site.release.wait(10)
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100")
                self.end_headers()
                try:
                    for _ in range(40):  # one byte every 0.1 s: never idle, never done
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        if site.release.wait(0.1):
                            break
                except OSError:
                    pass
            elif path == "/huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<p>" + b"x" * 16_000 + b"</p>"
                try:
                    for _ in range(500):  # about 8 MB, never declared
                        self.wfile.write(chunk)
                except OSError:
                    pass
                self.close_connection = True
            elif path == "/huge-declared":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                self.close_connection = True
            elif path.startswith("/slow/"):
                with site.lock:
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                time.sleep(0.05)
                with site.lock:
                    site.in_flight -= 1
                self._send(200, f"<p>{path}</p>")
            elif path.startswith("/page/"):
                self._send(200, f"<p>Evidence page {path}</p>")
            else:
                self._send(404, "<p>Unknown</p>")

        def _send(self, status: int, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()
    state.pages["/same"] = (200, "<html><body><p>Account verification policy.</p></body></html>")
    state.pages["/policy"] = (200, _policy(30))
    state.pages["/gone-later"] = (200, "<p>Sub-processor list</p>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --------------------------------------------------------------------------- dossiers


@pytest.fixture(scope="module")
def question_ids() -> list[str]:
    from provenance_cli.formats.questionnaires import load_catalogue

    ids = [q.id for q in load_catalogue().questions.values() if q.applies_if is None]
    assert len(ids) >= 3
    return ids


def dossier_text(question_ids: list[str], citations: dict[int, list[str]]) -> str:
    """A valid dossier whose unanswered questions cite the given URLs."""
    lines = [
        "provcheck: 1",
        "vendor:",
        "  name: Acme AI",
        "  legal_name: Acme AI, Inc.",
        "assessment:",
        "  assessor: Jane Doe",
        "  date: 2026-07-01",
        "answers:",
    ]
    for index, urls in citations.items():
        lines += [f"  {question_ids[index]}:", "    answer:"]
        lines += ["    evidence:"] if urls else []
        for url in urls:
            lines += [f"      - url: {url}", "        kind: public_document"]
    return "\n".join(lines) + "\n"


def write_dossier(path: Path, question_ids: list[str], citations: dict[int, list[str]]) -> Path:
    path.write_text(dossier_text(question_ids, citations), encoding="utf-8")
    return path


def load(path: Path):
    from provenance_cli.formats.dossier import load_dossier

    return load_dossier(path)


# --------------------------------------------------------------------------- CLI


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def provcheck(*args: str | Path, cwd: Path, offline: bool = False) -> Run:
    """The real CLI in a subprocess, online, with every proxy setting removed."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy") and k not in ("PROVCHECK_OFFLINE", "FORCE_COLOR")
    }
    env.update(NO_COLOR="1", COLUMNS="200", PYTHONIOENCODING="utf-8")
    if offline:
        env["PROVCHECK_OFFLINE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "provenance_cli", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    run = Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    return run


def by_url(report: dict) -> dict[str, dict]:
    return {item["url"]: item for d in report["dossiers"] for item in d["urls"]}


# --------------------------------------------------------------------------- fetching


def test_link_statuses(site: Site, closed_port: int) -> None:
    urls = {
        name: site.url(path)
        for name, path in [
            ("same", "/same"),
            ("redirect", "/redirect"),
            ("chain", "/chain"),
            ("missing", "/missing"),
            ("error", "/error"),
            ("stall", "/stall"),
            ("stall_body", "/stall-body"),
            ("trickle", "/trickle"),
            ("huge", "/huge"),
            ("huge_declared", "/huge-declared"),
            ("ftp", "/to-ftp"),
            ("javascript", "/to-javascript"),
            ("loop", "/loop"),
        ]
    }
    urls["refused"] = f"http://127.0.0.1:{closed_port}/policy"
    started = time.monotonic()
    results = {r.url: r for r in fetch_urls(urls.values(), FAST)}
    elapsed = time.monotonic() - started
    got = {name: results[url] for name, url in urls.items()}

    assert got["same"].status == "ok" and got["same"].http_status == 200
    assert got["same"].content_sha256 and got["same"].final_url == urls["same"]
    assert got["redirect"].status == "redirected"
    assert got["redirect"].final_url == site.url("/same")
    assert got["redirect"].detail == f"redirected to {site.url('/same')}"
    assert got["chain"].status == "redirected" and got["chain"].final_url == site.url("/same")
    assert got["redirect"].content_sha256 == got["same"].content_sha256
    assert (got["missing"].status, got["missing"].http_status) == ("broken", 404)
    assert got["missing"].detail == "HTTP 404 Not Found"
    assert (got["error"].status, got["error"].http_status) == ("broken", 503)
    for name in ("stall", "stall_body", "trickle"):
        assert (got[name].status, got[name].failure) == ("unreachable", "timeout"), got[name]
    for name in ("huge", "huge_declared"):
        assert (got[name].status, got[name].failure) == ("unreachable", "too_large"), got[name]
        assert "65,536 bytes" in got[name].detail
    assert (got["ftp"].status, got["ftp"].failure) == ("unreachable", "scheme")
    assert "ftp://127.0.0.1/policy.txt" in got["ftp"].detail
    assert (got["javascript"].status, got["javascript"].failure) == ("unreachable", "scheme")
    assert (got["loop"].status, got["loop"].failure) == ("unreachable", "redirects")
    assert got["loop"].detail == "more than 5 redirects"
    assert (got["refused"].status, got["refused"].failure) == ("unreachable", "refused")
    # The ftp:// target was never contacted, the loop stopped at the limit.
    assert site.hits["/loop"] == 6
    # Stalls run concurrently and are cut at the timeout.
    assert elapsed < 3, elapsed
    assert {agent.split("/")[0] for agent in site.agents} == {"provcheck"}


def test_per_host_and_overall_limits(site: Site) -> None:
    urls = [site.url(f"/slow/{i}") for i in range(24)]
    results = fetch_urls(urls, FetchOptions(timeout=5, concurrency=16, per_host=3, trust_env=False))
    assert [r.status for r in results] == ["ok"] * 24
    assert [r.url for r in results] == urls
    assert site.max_in_flight == 3
    site.max_in_flight = 0
    fetch_urls(
        [site.url(f"/slow/b{i}") for i in range(24)],
        FetchOptions(timeout=5, concurrency=2, per_host=8, trust_env=False),
    )
    assert site.max_in_flight == 2


def test_progress_callback_and_duplicates(site: Site) -> None:
    seen: list[str] = []
    urls = [site.url("/same"), site.url("/same"), site.url("/missing")]
    results = fetch_urls(urls, FAST, lambda result: seen.append(result.url))
    assert len(results) == 2 and sorted(seen) == sorted(r.url for r in results)
    assert site.hits["/same"] == 1


def test_offline_mode_refuses_before_connecting(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance_cli.util.net import OfflineError

    monkeypatch.setenv("PROVCHECK_OFFLINE", "1")
    with pytest.raises(OfflineError):
        fetch_urls([site.url("/same")], FAST)
    assert site.hits == {}


# --------------------------------------------------------------------------- snapshot and drift


def test_snapshot_then_check_reports_drift(site: Site, tmp_path: Path, question_ids: list[str]) -> None:
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
    lock_file = tmp_path / "vendor.evidence.lock.yaml"
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
    site.pages["/policy"] = (200, _policy(90))
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


def test_snapshot_missing_only_keeps_the_baseline(site: Site, tmp_path: Path, question_ids: list[str]) -> None:
    path = write_dossier(tmp_path / "v.yaml", question_ids, {0: [site.url("/policy")]})
    assert provcheck("evidence", "snapshot", "v.yaml", *CLI_FAST, cwd=tmp_path).returncode == 0
    before = read_lock(lock_path_for(path))
    site.pages["/policy"] = (200, _policy(365))
    write_dossier(path, question_ids, {0: [site.url("/policy"), site.url("/same")]})
    run = provcheck("evidence", "snapshot", "v.yaml", "--missing-only", "-f", "json", *CLI_FAST, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.json()["locks"][0]["fetched"] == 1
    after = read_lock(lock_path_for(path))
    assert after.entries[site.url("/policy")] == before.entries[site.url("/policy")]
    assert site.url("/same") in after.entries
    assert drift_findings(load(path), offline=False, options=FAST)[0].status == "changed"


def test_snapshot_keeps_a_readable_entry_through_an_outage(site: Site, tmp_path: Path, question_ids: list[str]) -> None:
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
    site.pages["/policy"] = (200, _policy(30))
    online = drift_findings(load(path), offline=False, options=FAST)
    assert [(f.url, f.status) for f in online] == [(site.url("/missing"), "new")]
    assert online[0].detail.startswith("readable now, but not at snapshot (HTTP 404 Not Found)")


def test_no_evidence_urls(tmp_path: Path, question_ids: list[str]) -> None:
    write_dossier(tmp_path / "v.yaml", question_ids, {0: []})
    run = provcheck("evidence", "check", "v.yaml", cwd=tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "v.yaml: no evidence URLs cited\n")


def test_lock_file_is_deterministic(site: Site, tmp_path: Path, question_ids: list[str]) -> None:
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


# --------------------------------------------------------------------------- exit codes and errors


def test_text_report_and_exit_zero_without_gates(site: Site, tmp_path: Path, question_ids: list[str]) -> None:
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
    run = provcheck("evidence", "check", "v.yaml", "-f", "json", *CLI_FAST, cwd=tmp_path)
    assert run.returncode == 3
    assert "none of the 2 evidence URLs could be reached (connection refused)" in run.stderr
    assert {i["status"] for i in by_url(run.json()).values()} == {"unreachable"}
    snap = provcheck("evidence", "snapshot", "v.yaml", *CLI_FAST, cwd=tmp_path)
    assert snap.returncode == 3
    assert not lock_path_for(tmp_path / "v.yaml").exists()


def test_offline_cli_refuses(site: Site, tmp_path: Path, question_ids: list[str]) -> None:
    write_dossier(tmp_path / "v.yaml", question_ids, {0: [site.url("/same")]})
    for args in (("evidence", "check", "v.yaml"), ("--offline", "evidence", "snapshot", "v.yaml")):
        run = provcheck(*args, cwd=tmp_path, offline=args[0] != "--offline")
        assert run.returncode == 3
        assert "needs the network, but offline mode is on" in run.stderr
    assert site.hits == {}


def test_bad_input_is_exit_2_before_any_fetch(site: Site, tmp_path: Path, question_ids: list[str]) -> None:
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


def test_drift_findings_without_lock(site: Site, tmp_path: Path, question_ids: list[str]) -> None:
    path = write_dossier(tmp_path / "v.yaml", question_ids, {0: [site.url("/same"), site.url("/missing")]})
    online = drift_findings(load(path), offline=False, options=FAST)
    assert [(f.url, f.status) for f in online] == [
        (site.url("/same"), "new"),
        (site.url("/missing"), "broken"),
    ]
    offline = drift_findings(load(path), offline=True)
    assert [f.status for f in offline] == ["new", "new"]
    assert offline[0].detail == "not snapshotted (no lock file (v.evidence.lock.yaml)); offline, so not checked"
    assert offline[0].as_dict()["checked_at"] is None


def test_lock_path_for() -> None:
    assert lock_path_for("a/vendor.yaml") == Path("a/vendor.evidence.lock.yaml")
    assert lock_path_for(Path("vendor.yml")) == Path("vendor.evidence.lock.yaml")


def test_lock_round_trip_with_awkward_urls(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from provenance_cli.evidence import EvidenceLock, LockEntry, write_lock

    awkward = "https://example.ai/" + "a" * 300 + "?q=x: y&n=1#frag 'quoted' \"dq\" ü"
    entry = LockEntry(
        awkward, datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc), "ok", awkward, 200, "0" * 64, "text/html", 10, ("a.b",), "HTTP 200 OK"
    )
    plain = LockEntry("http://x/yes", entry.retrieved_at, "broken", None, 404, None, None, None, ("a.b", "c.d"), "HTTP 404 Not Found")
    path = tmp_path / "v.evidence.lock.yaml"
    write_lock(path, EvidenceLock("v.yaml", "ab" * 32, 1, "provcheck test", {awkward: entry, plain.url: plain}))
    back = read_lock(path)
    assert back is not None and back.entries == {awkward: entry, plain.url: plain}
    assert "retrieved_at: '2026-07-01T09:30:00Z'" in path.read_text()


def test_lock_with_duplicate_url_is_refused(tmp_path: Path) -> None:
    from provenance_cli.util.errors import InputError

    path = tmp_path / "v.evidence.lock.yaml"
    entry = "    retrieved_at: '2026-07-01T09:30:00Z'\n    status: ok\n"
    path.write_text(
        f"provcheck_evidence_lock: 1\ndossier: v.yaml\ndossier_sha256: ab\nnormaliser: 1\nentries:\n  http://x/:\n{entry}  http://x/:\n{entry}"
    )
    with pytest.raises(InputError) as caught:
        read_lock(path)
    assert str(caught.value).startswith(f"{path}:9:3: duplicate key 'http://x/'")
