"""Evidence link fetching, drift and lock files, against the loopback server on 127.0.0.1.

The server runs in a thread of the test process and is the only address
ever contacted: the dossiers cite only its URLs, proxies are switched off
(``trust_env=False``), and "refused" uses a closed port on 127.0.0.1.
Stalling routes wait on an event the server sets when it stops, and the
tests use sub-second timeouts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.evidence import FAST, load, write_dossier
from support.http import Server

from provenance_cli.evidence import FetchOptions, drift_findings, lock_path_for, read_lock
from provenance_cli.evidence.fetch import fetch_urls


def test_link_statuses(site: Server, closed_port: int) -> None:
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
    results = {r.url: r for r in fetch_urls(urls.values(), FAST)}
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
        # cut at the configured 0.5 s (a connect, read or whole-answer limit), asked once, not retried
        assert got[name].detail.endswith("within 0.5s"), got[name].detail
    for name in ("huge", "huge_declared"):
        assert (got[name].status, got[name].failure) == ("unreachable", "too_large"), got[name]
        assert "65,536 bytes" in got[name].detail
    assert (got["ftp"].status, got["ftp"].failure) == ("unreachable", "scheme")
    assert "ftp://127.0.0.1/policy.txt" in got["ftp"].detail
    assert (got["javascript"].status, got["javascript"].failure) == ("unreachable", "scheme")
    assert (got["loop"].status, got["loop"].failure) == ("unreachable", "redirects")
    assert got["loop"].detail == f"more than 5 redirects; a loop: it redirects back to {site.url('/loop')}"
    assert (got["refused"].status, got["refused"].failure) == ("unreachable", "refused")
    # The ftp:// target was never contacted, the loop stopped at the limit.
    assert site.hits["/loop"] == 6
    for path in ("/stall", "/stall-body", "/trickle", "/huge", "/huge-declared"):
        assert site.hits[path] == 1, (path, site.hits)
    assert {agent.split("/")[0] for agent in site.agents} == {"provcheck"}


def test_per_host_and_overall_limits(site: Server) -> None:
    urls = [site.url(f"/slow/{i}") for i in range(24)]
    results = fetch_urls(urls, FetchOptions(timeout=5, concurrency=16, per_host=3, trust_env=False))
    assert [r.status for r in results] == ["ok"] * 24
    assert [r.url for r in results] == urls
    assert site.counters["max_in_flight"] == 3
    site.counters["max_in_flight"] = 0
    fetch_urls(
        [site.url(f"/slow/b{i}") for i in range(24)],
        FetchOptions(timeout=5, concurrency=2, per_host=8, trust_env=False),
    )
    assert site.counters["max_in_flight"] == 2


def test_progress_callback_and_duplicates(site: Server) -> None:
    seen: list[str] = []
    urls = [site.url("/same"), site.url("/same"), site.url("/missing")]
    results = fetch_urls(urls, FAST, lambda result: seen.append(result.url))
    assert len(results) == 2 and sorted(seen) == sorted(r.url for r in results)
    assert site.hits["/same"] == 1


def test_offline_mode_refuses_before_connecting(site: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance_cli.util.net import OfflineError

    monkeypatch.setenv("PROVCHECK_OFFLINE", "1")
    with pytest.raises(OfflineError):
        fetch_urls([site.url("/same")], FAST)
    assert site.hits == {}


def test_drift_findings_without_lock(site: Server, tmp_path: Path, question_ids: list[str]) -> None:
    path = write_dossier(tmp_path / "v.yaml", question_ids, {0: [site.url("/same"), site.url("/missing")]})
    online = drift_findings(load(path), offline=False, options=FAST)
    assert [(f.url, f.status) for f in online] == [
        (site.url("/same"), "new"),
        (site.url("/missing"), "broken"),
    ]
    offline = drift_findings(load(path), offline=True)
    assert [f.status for f in offline] == ["new", "new"]
    assert offline[0].detail == "not snapshotted (no lock file (v.yaml.evidence.lock.yaml)); offline, so not checked"
    assert offline[0].as_dict()["checked_at"] is None


def test_lock_path_for() -> None:
    # The whole file name: vendor.yaml and vendor.yml in one folder never share a lock.
    assert lock_path_for("a/vendor.yaml") == Path("a/vendor.yaml.evidence.lock.yaml")
    assert lock_path_for(Path("vendor.yml")) == Path("vendor.yml.evidence.lock.yaml")


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
