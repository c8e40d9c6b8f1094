"""The yente backend against a loopback server that speaks yente's /match shape."""

from __future__ import annotations

import pytest
from support import REPO
from support.cli import run_cli
from support.http import Server
from support.screening import screening_env, yente

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


# --------------------------------------------------------------------------- fail closed, from the command line


def _env(tmp_path):
    return screening_env(tmp_path, PROVCHECK_READ_TIMEOUT="2")


def _screen(env, base, *args):
    return run_cli(["screen", "--backend", "yente", "--yente-url", base, *args], REPO, env=env, timeout=60)


def _altered(change):
    """The fake yente's answer to two names, then ``change(payload)`` applied to it."""

    def handler(path, body):
        status, payload = yente(path, body)
        return status, change(payload)

    return handler


def _set(path, value):
    """A change that sets ``payload[path[0]][path[1]]... = value``."""

    def change(payload):
        target = payload
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return payload

    return change


def _drop_q1(payload):
    del payload["responses"]["q1"]
    return payload


FAILURES = {
    "missing query key": (_altered(_drop_q1), "answered without a result for query 'q1'"),
    "status 500 in one query": (
        _altered(_set(["responses", "q1"], {"status": 500, "results": [], "detail": "shard failure"})),
        "query 'q1' failed with status 500: 'shard failure'",
    ),
    "non-object answer": (_altered(_set(["responses", "q0"], "oops")), "answered query 'q0' with 'oops', not an object"),
    "null answer": (_altered(_set(["responses", "q0"], None)), "answered query 'q0' with None, not an object"),
    "results not a list": (
        _altered(_set(["responses", "q0", "results"], {"0": {}})),
        "answered query 'q0' with results {'0': {}}, not a list",
    ),
    "non-numeric score": (
        _altered(_set(["responses", "q0", "results", 1, "score"], "high")),
        "result 2 of query 'q0' has a non-numeric score 'high'",
    ),
    "boolean score": (
        _altered(_set(["responses", "q0", "results", 0, "score"], True)),
        "result 1 of query 'q0' has a non-numeric score True",
    ),
    "score above 1": (
        _altered(_set(["responses", "q0", "results", 0, "score"], 97)),
        "result 1 of query 'q0' has a score 97 outside 0-1",
    ),
    "list-shaped properties": (
        _altered(_set(["responses", "q0", "results", 0, "properties"], [["name", "BYD"]])),
        "result 1 of query 'q0' has properties [['name', 'BYD']], not an object",
    ),
    "property value not a list": (
        _altered(_set(["responses", "q0", "results", 0, "properties"], {"name": "BYD"})),
        "result 1 of query 'q0' has property 'name' 'BYD', not a list",
    ),
    "datasets not a list": (
        _altered(_set(["responses", "q0", "results", 0, "datasets"], "us_ofac_sdn")),
        "result 1 of query 'q0' has datasets 'us_ofac_sdn', not a list of names",
    ),
    "result without id": (
        _altered(_set(["responses", "q0", "results", 0, "id"], None)),
        "result 1 of query 'q0' has no string id",
    ),
    "top-level list": (lambda path, body: (200, [yente(path, body)[1]]), "answered with JSON list, not an object"),
    "no responses": (lambda path, body: (200, {"limit": 5}), "answered without 'responses'"),
    "HTTP 502": (lambda path, body: (502, {"detail": "bad gateway"}), "answered HTTP 502"),
}


@pytest.mark.parametrize("shape", list(FAILURES))
def test_malformed_or_partial_answer_is_exit_3_with_one_line(server, tmp_path, shape):
    handler, message = FAILURES[shape]
    server.post_handler = handler
    done = _screen(_env(tmp_path), server.base, "-n", "BYD Company", "-n", "Orbital Relay")
    assert done.returncode == 3, done.output
    assert done.stderr.splitlines() == [f"provcheck: error: yente at {server.base}: {message}"]
    assert done.stdout == ""
    assert "Traceback" not in done.output


def _raw_post(server, status, body, delay=0.0):
    """Answer every POST with ``body`` as it is (not JSON-encoded), after ``delay`` seconds."""

    def do_post(handler):
        length = int(handler.headers.get("content-length") or 0)
        handler.rfile.read(length)
        if delay and server.release.wait(delay):
            return
        handler.send(status, body, "application/json")

    base_class = server.httpd.RequestHandlerClass
    server.httpd.RequestHandlerClass = type("RawPost", (base_class,), {"do_POST": do_post})


def test_non_json_body_is_exit_3(server, tmp_path):
    _raw_post(server, 200, b"<html><body>502 Bad Gateway</body></html>")
    done = _screen(_env(tmp_path), server.base, "-n", "BYD Company")
    assert done.returncode == 3, done.output
    assert done.stderr.splitlines() == [f"provcheck: error: yente at {server.base}: did not answer with JSON"]


def test_truncated_json_is_exit_3(server, tmp_path):
    _raw_post(server, 200, b'{"responses": {"q0": {"status": 200, "results": [')
    done = _screen(_env(tmp_path), server.base, "-n", "BYD Company")
    assert done.returncode == 3, done.output
    assert done.stderr.splitlines() == [f"provcheck: error: yente at {server.base}: did not answer with JSON"]


def test_timeout_is_exit_3(server, tmp_path):
    _raw_post(server, 200, b"{}", delay=5)
    done = _screen(screening_env(tmp_path, PROVCHECK_READ_TIMEOUT="0.3"), server.base, "-n", "BYD Company")
    assert done.returncode == 3, done.output
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"provcheck: error: yente at {server.base}: did not answer in time")


def test_one_bad_batch_fails_the_whole_run(server):
    """Batch 1 is fine, batch 2 lacks a query: no partial result comes back."""

    def handler(path, body):
        status, payload = yente(path, body)
        payload["responses"].pop("q150", None)
        return status, payload

    server.post_handler = handler
    settings = ScreeningSettings(backend="yente", yente_url=server.base)
    with pytest.raises(ServiceError, match="without a result for query 'q150'"):
        screen_names(["BYD Company"] + [f"Company {i} Ltd" for i in range(199)], settings)
    assert len(server.requests) == 2


# --------------------------------------------------------------------------- lists from all of an entity's datasets


def _one_result(datasets, score=0.93):
    def handler(path, body):
        status, payload = yente(path, body)
        for answer in payload["responses"].values():
            answer["results"] = [
                {
                    "id": "NK-multi",
                    "caption": "Orbital Relay Ltd",
                    "schema": "Company",
                    "properties": {"name": ["Orbital Relay Ltd"]},
                    "datasets": datasets,
                    "score": score,
                    "match": True,
                }
            ]
        return status, payload

    return handler


def test_sdn_hit_listed_after_another_dataset_is_sdn_and_survives_list_filter(server, tmp_path):
    server.post_handler = _one_result(["us_ofac_cons", "sanctions", "us_ofac_sdn"])
    env = _env(tmp_path)
    done = _screen(env, server.base, "-n", "Orbital Relay", "-f", "json")
    assert done.returncode == 0, done.output
    matches = done.json()["results"][0]["matches"]
    assert [(m["list"], m["entry_id"]) for m in matches] == [("sdn", "NK-multi")]
    only_sdn = _screen(env, server.base, "-n", "Orbital Relay", "--list", "sdn", "-f", "json")
    assert only_sdn.returncode == 0, only_sdn.output
    assert [m["list"] for m in only_sdn.json()["results"][0]["matches"]] == ["sdn"]


def test_one_match_per_list_an_entity_is_on(server):
    server.post_handler = _one_result(["us_dod_chinese_milcorps", "us_ofac_ns_cmic", "us_ofac_sdn", "us_bis_entity_list"])
    settings = ScreeningSettings(backend="yente", yente_url=server.base)
    result = screen_names(["Orbital Relay"], settings)
    assert sorted(m.list_key for m in result.matches) == ["cmic", "dod_1260h", "el", "sdn"]
    assert {m.entry_id for m in result.matches} == {"NK-multi"}
    cmic = ScreeningSettings(backend="yente", yente_url=server.base, lists=("cmic",))
    assert [m.list_key for m in screen_names(["Orbital Relay"], cmic).matches] == ["cmic"]


def test_entity_on_no_known_list_is_opensanctions(server):
    server.post_handler = _one_result(["gb_hmt_sanctions", "eu_fsf"])
    settings = ScreeningSettings(backend="yente", yente_url=server.base)
    (match,) = screen_names(["Orbital Relay"], settings).matches
    assert match.list_key == "opensanctions"
    assert match.list_name == "OpenSanctions (gb_hmt_sanctions, eu_fsf)"
    assert screen_names(["Orbital Relay"], ScreeningSettings(backend="yente", yente_url=server.base, lists=("sdn",))).matches == ()


# --------------------------------------------------------------------------- threshold and schema


def test_threshold_is_sent_on_yentes_scale_and_applied_on_provchecks(server):
    server.post_handler = _one_result(["us_ofac_sdn"], score=0.80)
    at_88 = ScreeningSettings(backend="yente", yente_url=server.base, threshold=88)
    assert screen_names(["Orbital Relay"], at_88).matches == ()
    assert "threshold=0.88&" in server.requests[-1]["path"]
    at_80 = ScreeningSettings(backend="yente", yente_url=server.base, threshold=80)
    (match,) = screen_names(["Orbital Relay"], at_80).matches
    assert match.score == 80
    assert "threshold=0.80&" in server.requests[-1]["path"]


def test_threshold_from_the_command_line(server, tmp_path):
    server.post_handler = _one_result(["us_ofac_sdn"], score=0.80)
    done = _screen(_env(tmp_path), server.base, "-n", "Orbital Relay", "-f", "json")
    assert done.returncode == 0, done.output
    assert done.json()["results"][0]["matches"] == []
    assert "threshold=0.88&" in server.requests[-1]["path"]


def test_person_queries_use_the_person_schema(server):
    import json
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class PersonQuery(Query):
        kind: str = "person"

    settings = ScreeningSettings(backend="yente", yente_url=server.base)
    screen_queries([PersonQuery("Jane Roe"), Query("Orbital Relay")], settings)
    sent = json.loads(server.requests[0]["body"])["queries"]
    assert (sent["q0"]["schema"], sent["q1"]["schema"]) == ("Person", "Company")
