"""The yente backend against a loopback server that speaks yente's /match shape."""

from __future__ import annotations

import pytest
from support.http import Server
from support.screening import yente

from provenance_cli.screening import ScreeningSettings, screen_names
from provenance_cli.screening.screen import Query, screen_queries
from provenance_cli.util.errors import ServiceError


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("PROVCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PROVCHECK_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("PROVCHECK_READ_TIMEOUT", "2")
    monkeypatch.delenv("PROVCHECK_OFFLINE", raising=False)
    (tmp_path / "config.yaml").write_text("screening: {}\n")


@pytest.fixture
def server():
    with Server() as running:
        running.post_handler = yente
        yield running


def test_match_request_and_response_shape(server):
    settings = ScreeningSettings(backend="yente", yente_url=server.base, yente_dataset="default")
    queries = [Query("BYD Co., Ltd.", "vendor", country="CN"), Query("Orbital Relay", "parent", 0, "Orbital Relay")]
    result = screen_queries(queries, settings)
    request = server.requests[0]
    assert request["method"] == "POST" and request["path"].startswith("/match/default?")
    assert "threshold=0.88" in request["path"] and "limit=5" in request["path"] and "algorithm=best" in request["path"]
    assert [(m.list_key, m.role, m.score) for m in result.matches] == [("dod_1260h", "vendor", 97), ("sdn", "parent", 91)]
    assert result.matches[0].describe().startswith("listed on DoD Section 1260H list (2026-06-09)")
    assert "name_literal_match" in result.matches[0].reason
    assert "name_levenshtein" in result.matches[1].reason


def test_batches_of_at_most_100(server):
    import json

    settings = ScreeningSettings(backend="yente", yente_url=server.base)
    names = [f"Company {i} Ltd" for i in range(230)]
    result = screen_names(names, settings)
    assert result.matches == ()
    sizes = [len(json.loads(r["body"])["queries"]) for r in server.requests]
    assert sizes == [100, 100, 30]


def test_server_failure_is_service_error(server):
    server.post_handler = lambda path, body: (500, {"detail": "index unavailable"})
    settings = ScreeningSettings(backend="yente", yente_url=server.base)
    with pytest.raises(ServiceError, match="HTTP 500"):
        screen_names(["BYD"], settings)


def test_unreachable_server_is_service_error():
    with Server() as gone:
        base = gone.base
    settings = ScreeningSettings(backend="yente", yente_url=base)
    with pytest.raises(ServiceError, match="yente at"):
        screen_names(["BYD"], settings)
