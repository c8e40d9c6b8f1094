"""Downloading lists from a real HTTP server on 127.0.0.1: every failure leaves the old cache."""

from __future__ import annotations

import pytest
from support.http import Step
from support.screening import CSL, CSL_NEXT, csl_step

from provenance_cli.screening import ScreeningSettings, screen_names
from provenance_cli.screening.cache import read_meta, source_dir
from provenance_cli.screening.config import FetchSettings
from provenance_cli.screening.fetch import update_source
from provenance_cli.util.errors import ServiceError

FAST = FetchSettings(connect_timeout=1.0, read_timeout=0.5, retries=1, backoff=0.0)


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PROVCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PROVCHECK_OFFLINE", raising=False)
    monkeypatch.setenv("PROVCHECK_CONFIG", str(tmp_path / "no-config.yaml"))
    (tmp_path / "no-config.yaml").write_text("screening: {}\n")
    return tmp_path / "cache"


def _prime(server) -> str:
    url = server.route("/seed.json", csl_step(etag='"v1"'))
    outcome = update_source("csl", url=url, fetch=FAST)
    assert outcome.status == "updated"
    return url


def _cache_intact(before) -> None:
    after = read_meta("csl")
    assert after is not None and after.sha256 == before.sha256 and after.index_file == before.index_file
    result = screen_names(["Huawei Technologies Co., Ltd."], ScreeningSettings(), offline=True)
    assert ("el", "vendor") in result.listings()
    assert not [f for f in source_dir("csl").iterdir() if f.name.startswith(".provcheck-download-")]


def test_normal_download_records_metadata(server):
    url = server.route("/consolidated.json", csl_step(etag='"abc"'))
    outcome = update_source("csl", url=url, fetch=FAST)
    meta = outcome.meta
    assert outcome.status == "updated"
    assert meta.url == url and meta.etag == '"abc"' and len(meta.sha256) == 64
    assert meta.lists["el"]["list_date"] == "2026-06-05"
    assert meta.lists["sdn"]["list_date"] == "2026-06-10"
    assert meta.lists["el"]["count"] == 7
    assert meta.record_count == 16
    assert server.requests[0]["headers"]["User-Agent"].startswith("provcheck/")


def test_not_modified_keeps_index_and_sends_validators(server):
    url = server.route("/c.json", csl_step(etag='"v1"'))
    first = update_source("csl", url=url, fetch=FAST).meta
    second = update_source("csl", url=url, fetch=FAST)
    assert second.status == "not modified"
    assert second.meta.index_file == first.index_file
    headers = server.requests[-1]["headers"]
    assert headers.get("If-None-Match") == '"v1"'
    assert headers.get("If-Modified-Since") == "Thu, 11 Jun 2026 14:03:27 GMT"


def test_500_then_success_retries(server):
    url = server.route("/flaky.json", Step(kind="status", status=503), csl_step())
    outcome = update_source("csl", url=url, fetch=FAST)
    assert outcome.status == "updated"
    assert len(server.requests) == 2


def test_new_rebuild_replaces_index(server):
    _prime(server)
    url = server.route("/next.json", csl_step(CSL_NEXT))
    meta = update_source("csl", url=url, fetch=FAST).meta
    assert meta.record_count == 17
    files = sorted(p.name for p in source_dir("csl").glob("index-*.json"))
    # the replaced copy stays until the next update (list deltas are computed against it), no older one
    assert meta.previous is not None and files == sorted([meta.index_file, meta.previous["index_file"]])
    result = screen_names(["Zenith AI Lab"], ScreeningSettings(), offline=True)
    assert [m.list_key for m in result.matches] == ["el"]


FAILURES = [
    ("reset", [Step(kind="reset")], "connection was reset"),
    ("status", [Step(kind="status", status=500)], "HTTP 500"),
    ("short", [Step(kind="short", body=CSL.read_bytes())], "broke off"),
    ("invalid", [Step(body=b'{"results": [{"id": "1", "name": "X"')], "not send valid JSON"),
    (
        "html",
        [Step(body=b"<html>login</html>", content_type="text/html; charset=utf-8")],
        "text/html",
    ),
    ("stall", [Step(kind="stall", body=CSL.read_bytes(), delay=3)], "read timeout"),
    ("notcsl", [Step(body=b'{"hello": "world"}')], "not the Consolidated Screening List"),
    ("missing", [Step(kind="status", status=404)], "HTTP 404"),
]


@pytest.mark.parametrize(("name", "steps", "message"), FAILURES, ids=[f[0] for f in FAILURES])
def test_failures_keep_previous_cache(server, name, steps, message):
    _prime(server)
    before = read_meta("csl")
    url = server.route(f"/{name}.json", *steps)
    with pytest.raises(ServiceError) as caught:
        update_source("csl", url=url, fetch=FAST)
    text = str(caught.value)
    assert message in text
    assert "the previous cache (fetched" in text and "is intact" in text
    assert "\n" not in text
    _cache_intact(before)


def test_size_cap_declared_and_streamed(server):
    _prime(server)
    before = read_meta("csl")
    url = server.route("/big.json", csl_step())
    with pytest.raises(ServiceError, match="limit is 1,000"):
        update_source("csl", url=url, fetch=FAST, max_bytes=1000)
    _cache_intact(before)


def test_failure_without_cache_says_so(server):
    url = server.route("/down.json", Step(kind="status", status=502))
    with pytest.raises(ServiceError, match="no previous cache exists"):
        update_source("csl", url=url, fetch=FAST)
    assert read_meta("csl") is None


def test_offline_never_connects(server, monkeypatch):
    url = server.route("/c.json", csl_step())
    monkeypatch.setenv("PROVCHECK_OFFLINE", "1")
    with pytest.raises(ServiceError, match="offline mode is on"):
        update_source("csl", url=url, fetch=FAST)
    assert server.requests == []


def test_screen_downloads_missing_list_once_when_online(server, monkeypatch):
    url = server.route("/auto.json", csl_step())
    monkeypatch.setenv("PROVCHECK_CSL_URL", url)
    monkeypatch.setenv("PROVCHECK_RETRIES", "0")
    result = screen_names(["Kavir Electronics Trading Co."], ScreeningSettings())
    assert ("dpl", "vendor") in result.listings()
    assert not result.unavailable
    assert {v.key for v in result.list_versions} >= {"el", "sdn", "dod_1260h"}


def test_screen_without_cache_and_failing_service_uses_bundled_1260h(server, monkeypatch):
    url = server.route("/down.json", Step(kind="status", status=503))
    monkeypatch.setenv("PROVCHECK_CSL_URL", url)
    monkeypatch.setenv("PROVCHECK_RETRIES", "0")
    result = screen_names(["BYD Co., Ltd."], ScreeningSettings())
    assert result.listings() == {("dod_1260h", "vendor")}
    assert result.unavailable == ("csl",)
    assert any("HTTP 503" in w for w in result.warnings)


def test_failed_automatic_download_is_tried_once_per_process(server, monkeypatch):
    url = server.route("/once.json", Step(kind="status", status=503))
    monkeypatch.setenv("PROVCHECK_CSL_URL", url)
    monkeypatch.setenv("PROVCHECK_RETRIES", "0")
    for _ in range(3):
        result = screen_names(["Baidu"], ScreeningSettings())
        assert result.unavailable == ("csl",)
    assert len(server.requests) == 1


def test_opensanctions_csv_over_http(server):
    from provenance_cli.screening import cache_available

    assert not cache_available()
    body = (
        b"id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,"
        b"program_ids,dataset,first_seen,last_seen,last_change\n"
        b"NK-orb,Company,Orbital Relay Ltd,Orbital Relay;ORL,,cn,,,,,,,US OFAC,2024-01-01,2026-06-01,2026-05-30T10:00:00\n"
    )
    url = server.route("/targets.simple.csv", Step(body=body, content_type="text/csv; charset=utf-8"))
    meta = update_source("opensanctions", url=url, fetch=FAST).meta
    assert meta.lists["opensanctions"]["list_date"] == "2026-05-30"
    assert cache_available()
    result = screen_names(["Orbital Relay Limited"], ScreeningSettings(), offline=True)
    assert ("opensanctions", "vendor") in result.listings()


def test_opensanctions_needs_a_configured_url():
    from provenance_cli.util.errors import UsageError

    with pytest.raises(UsageError, match="licensed"):
        update_source("opensanctions", fetch=FAST)


# --------------------------------------------------------------------------- the persisted SQLite index


def _fresh_process(monkeypatch) -> None:
    """Forget the indexes this process has opened, as a new process would."""
    from provenance_cli.screening import cache as cache_module

    monkeypatch.setattr(cache_module, "_loaded", {})


def _screen_huawei():
    result = screen_names(["Huawei Technologies Co., Ltd."], ScreeningSettings(), offline=True)
    assert ("el", "vendor") in result.listings()
    return result


def test_update_writes_the_sqlite_index_beside_the_json(monkeypatch):
    from provenance_cli.screening.cache import sqlite_name
    from provenance_cli.screening.index import SqliteNameIndex

    meta = update_source("csl", url=str(CSL)).meta
    files = sorted(p.name for p in source_dir("csl").glob("index-*"))
    assert files == sorted([meta.index_file, sqlite_name(meta.index_file)])
    _fresh_process(monkeypatch)
    from provenance_cli.screening.cache import load_index

    assert isinstance(load_index(meta), SqliteNameIndex)
    result = _screen_huawei()
    assert not [w for w in result.warnings if "index file" in w]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_corrupt_sqlite_index_is_rebuilt_with_a_warning(monkeypatch, damage):
    from provenance_cli.screening.cache import sqlite_name

    meta = update_source("csl", url=str(CSL)).meta
    path = source_dir("csl") / sqlite_name(meta.index_file)
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    else:
        path.write_bytes(b"")
    _fresh_process(monkeypatch)
    result = _screen_huawei()
    assert [w for w in result.warnings if "unreadable" in w and "rebuilt" in w], result.warnings
    assert path.read_bytes() != b"" and len(path.read_bytes()) >= len(data) // 2
    _fresh_process(monkeypatch)
    again = _screen_huawei()
    assert not [w for w in again.warnings if "rebuilt" in w]


def test_an_older_format_sqlite_index_is_rebuilt(monkeypatch):
    import sqlite3

    from provenance_cli.screening.cache import sqlite_name
    from provenance_cli.screening.index import SQLITE_FORMAT

    meta = update_source("csl", url=str(CSL)).meta
    path = source_dir("csl") / sqlite_name(meta.index_file)
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(SQLITE_FORMAT - 1),))
    db.commit()
    db.close()
    _fresh_process(monkeypatch)
    result = _screen_huawei()
    assert [w for w in result.warnings if "another provcheck version" in w], result.warnings
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == (str(SQLITE_FORMAT),)
    db.close()


def test_a_missing_sqlite_index_is_built_quietly(monkeypatch):
    from provenance_cli.screening.cache import sqlite_name

    meta = update_source("csl", url=str(CSL)).meta
    path = source_dir("csl") / sqlite_name(meta.index_file)
    path.unlink()
    _fresh_process(monkeypatch)
    result = _screen_huawei()
    assert path.is_file()
    assert not [w for w in result.warnings if "index file" in w]
