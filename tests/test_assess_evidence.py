"""``assess`` shows evidence that changed since its snapshot, online and from the lock alone.

A real HTTP server on 127.0.0.1 (the only address contacted) serves a
vendor's retention policy; the test snapshots it, changes its substance,
and expects assess to report the change and make reassessment due now.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAGES: dict[str, str] = {}
HITS: list[str] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        HITS.append(self.path)
        body = PAGES.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(args: list[str], cwd: Path, *, offline: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(NO_COLOR="1", COLUMNS="200")
    env.pop("PROVCHECK_OFFLINE", None)
    if offline:
        env["PROVCHECK_OFFLINE"] = "1"
    proc = subprocess.run([sys.executable, "-m", "provenance_cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


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


def test_changed_evidence_is_a_finding_and_makes_reassessment_due(server: str, tmp_path: Path) -> None:
    PAGES.clear()
    PAGES["/retention"] = "<html><body><p>Prompts are deleted after 0 days.</p></body></html>"
    (tmp_path / "drift.yaml").write_text(dossier(server + "/retention"), encoding="utf-8")
    snap = run(["evidence", "snapshot", "drift.yaml", "--timeout", "2"], tmp_path, offline=False)
    assert snap.returncode == 0, snap.stderr
    assert (tmp_path / "drift.evidence.lock.yaml").is_file()

    same = run(["assess", "drift.yaml", "--no-screen", "--as-of", "2026-11-05"], tmp_path, offline=False)
    assert same.returncode == 0, same.stderr
    assert "Evidence changed" not in same.stdout

    PAGES["/retention"] = "<html><body><p>Prompts are kept for 30 days for abuse monitoring.</p></body></html>"
    changed = run(["assess", "drift.yaml", "--no-screen", "--as-of", "2026-11-05"], tmp_path, offline=False)
    assert changed.returncode == 0, changed.stderr
    assert "Evidence changed or broken" in changed.stdout
    assert server + "/retention" in changed.stdout
    assert "Reassessment due 2026-11-05" in changed.stdout
    assert "cited evidence changed" in changed.stdout


def test_offline_assess_reads_only_the_lock(server: str, tmp_path: Path) -> None:
    PAGES.clear()
    PAGES["/retention"] = "<html><body><p>Prompts are deleted after 0 days.</p></body></html>"
    (tmp_path / "drift.yaml").write_text(dossier(server + "/retention"), encoding="utf-8")
    assert run(["evidence", "snapshot", "drift.yaml", "--timeout", "2"], tmp_path, offline=False).returncode == 0
    HITS.clear()
    PAGES["/retention"] = "<html><body><p>Everything changed.</p></body></html>"
    result = run(["--offline", "assess", "drift.yaml", "--no-screen", "--as-of", "2026-11-05"], tmp_path, offline=False)
    assert result.returncode == 0, result.stderr
    assert HITS == [], "offline means no request at all"
    assert "Evidence changed" not in result.stdout


def test_malformed_lock_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "drift.yaml").write_text(dossier("https://vendor.example/retention"), encoding="utf-8")
    (tmp_path / "drift.evidence.lock.yaml").write_text("provcheck_evidence_lock: 1\nentries: [\n", encoding="utf-8")
    result = run(["assess", "drift.yaml", "--no-screen"], tmp_path, offline=True)
    assert result.returncode == 2
    assert "drift.evidence.lock.yaml:" in result.stderr
