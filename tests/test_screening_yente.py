"""The yente backend against a loopback server that speaks yente's /match shape."""

from __future__ import annotations

import pytest
from screening_support import Server

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


def _result(entity_id, caption, score, datasets, *, new_style=True):
    result = {
        "id": entity_id,
        "caption": caption,
        "schema": "Company",
        "properties": {"name": [caption]},
        "datasets": datasets,
        "referents": [],
        "target": True,
        "first_seen": "2024-01-31T00:00:00",
        "last_seen": "2026-06-10T00:00:00",
        "last_change": "2026-06-09T12:00:00",
        "score": score,
        "match": score >= 0.88,
    }
    if new_style:
        result["explanations"] = {"name_literal_match": {"score": score, "detail": "..."}}
    else:
        result["features"] = {"name_levenshtein": score, "country_mismatch": 0.0}
    return result


def yente(path, body):
    responses = {}
    for key, query in body["queries"].items():
        name = query["properties"]["name"][0]
        results = []
        if name.lower().startswith("byd"):
            results = [
                _result("NK-byd", "BYD Company Limited", 0.97, ["us_dod_chinese_milcorps"]),
                _result("NK-bydx", "BYD Electronic Trading", 0.61, ["ext_registry"], new_style=False),
            ]
        elif name.lower().startswith("orbital"):
            results = [_result("NK-orb", "Orbital Relay Ltd", 0.91, ["us_ofac_sdn", "sanctions"], new_style=False)]
        responses[key] = {
            "status": 200,
            "results": results,
            "total": {"value": sum(1 for r in results if r["match"]), "relation": "eq"},
            "query": query,
        }
    return 200, {"responses": responses, "limit": 5}


@pytest.fixture
def server():
    with Server() as running:
        running.script.post_handler = yente
        yield running


def test_match_request_and_response_shape(server):
    settings = ScreeningSettings(backend="yente", yente_url=server.base, yente_dataset="default")
    queries = [Query("BYD Co., Ltd.", "vendor", country="CN"), Query("Orbital Relay", "parent", 0, "Orbital Relay")]
    result = screen_queries(queries, settings)
    request = server.script.requests[0]
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
    sizes = [len(json.loads(r["body"])["queries"]) for r in server.script.requests]
    assert sizes == [100, 100, 30]


def test_server_failure_is_service_error(server):
    server.script.post_handler = lambda path, body: (500, {"detail": "index unavailable"})
    settings = ScreeningSettings(backend="yente", yente_url=server.base)
    with pytest.raises(ServiceError, match="HTTP 500"):
        screen_names(["BYD"], settings)


def test_unreachable_server_is_service_error():
    with Server() as gone:
        base = gone.base
    settings = ScreeningSettings(backend="yente", yente_url=base)
    with pytest.raises(ServiceError, match="yente at"):
        screen_names(["BYD"], settings)
