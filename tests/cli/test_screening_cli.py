"""The screening commands as a user runs them, against the loopback server on 127.0.0.1.

Commands run in-process through the real entry point; the exit-code and
SIGKILL tests run ``python -m provenance_cli`` in a child process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from support import REPO
from support.cli import CliResult, run_cli
from support.http import Step
from support.screening import CSL, csl_step, screening_env, yente


@pytest.fixture
def env(tmp_path):
    return screening_env(tmp_path, PROVCHECK_READ_TIMEOUT="2")


def run(env, *args: str, process: bool = False) -> CliResult:
    return run_cli(args, REPO, env=env, process=process, timeout=60)


def _prime(env, server) -> None:
    url = server.route("/seed.json", csl_step(etag='"seed"'))
    done = run(env, "lists", "update", "csl", "--url", url)
    assert done.returncode == 0, done.stderr
    assert "csl: updated; 16 records" in done.stderr


def _no_traceback(done) -> None:
    assert "Traceback" not in done.stdout + done.stderr


def test_update_status_and_screen(env, server):
    _prime(env, server)
    status = run(env, "lists", "status", "-f", "json")
    assert status.returncode == 0
    data = json.loads(status.stdout)
    csl = next(s for s in data["sources"] if s["source"] == "csl")
    assert csl["state"] == "cached" and csl["lists"]["el"]["list_date"] == "2026-06-05"
    assert next(s for s in data["sources"] if s["source"] == "dod_1260h")["state"] == "bundled (partial)"
    text = run(env, "lists", "status")
    assert "el 2026-06-05" in text.stdout
    done = run(env, "--offline", "screen", "--name", "Huawei Technologies Co Ltd", "--name", "Nobody Ltd")
    assert done.returncode == 0, done.stderr
    assert "listed on Entity List (BIS) (2026-06-05)" in done.stdout
    assert "sanctioned" not in done.stdout
    js = run(env, "screen", "--offline", "-n", "BYD Co., Ltd.", "-f", "json")
    assert js.returncode == 0
    matches = json.loads(js.stdout)["results"][0]["matches"]
    assert [(m["list"], m["role"], m["score"]) for m in matches] == [("dod_1260h", "vendor", 100)]


@pytest.mark.parametrize(
    ("steps", "extra", "message"),
    [
        ([Step(kind="status", status=500)], [], "the server answered HTTP 500"),
        (
            [Step(kind="stall", body=CSL.read_bytes(), delay=4)],
            ["--read-timeout", "0.5"],
            "read timeout",
        ),
        ([Step(kind="short", body=CSL.read_bytes())], [], "broke off"),
        ([Step(body=b"<html/>", content_type="text/html")], [], "sent text/html"),
        ([Step(body=b"[1, 2")], [], "valid JSON"),
        ([csl_step()], ["--max-bytes", "500"], "limit is 500"),
    ],
    ids=["500", "stall", "short", "html", "json", "cap"],
)
def test_update_failure_exit_3_with_one_line(env, server, steps, extra, message):
    _prime(env, server)
    url = server.route("/fail.json", *steps)
    done = run(env, "lists", "update", "csl", "--url", url, *extra)
    assert done.returncode == 3
    # The run ended on its own after one request (retries are 0 here); a stall is
    # cut by --read-timeout, since the server holds it for 4 s and then cuts it short.
    assert server.hits["/fail.json"] == 1, server.requests
    _no_traceback(done)
    lines = [line for line in done.stderr.splitlines() if line.startswith("provcheck: error:")]
    assert len(lines) == 1 and message in lines[0]
    assert "the previous cache (fetched" in lines[0] and "is intact" in lines[0]
    again = run(env, "--offline", "screen", "-n", "Kavir Electronics Trading Co")
    assert again.returncode == 0 and "Denied Persons List" in again.stdout


def test_retry_then_success(env, server):
    url = server.route("/flaky.json", Step(kind="status", status=502), Step(kind="reset"), csl_step())
    done = run(env, "lists", "update", "csl", "--url", url, "--retries", "2")
    assert done.returncode == 0, done.stderr
    assert len(server.requests) == 3


def test_stale_cache_warning_on_screen(env, server, tmp_path):
    _prime(env, server)
    meta_path = tmp_path / "cache" / "lists" / "csl" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["fetched_at"] = "2026-01-01T00:00:00+00:00"
    meta_path.write_text(json.dumps(meta))
    done = run(env, "--offline", "screen", "-n", "Acme")
    assert done.returncode == 0
    assert "using a stale cache fetched 2026-01-01 00:00 UTC" in done.stderr


def test_no_cache_offline_is_exit_3_but_1260h_still_screened(env):
    done = run(env, "screen", "--offline", "-n", "Alibaba Group Holding Ltd.", process=True)
    assert done.returncode == 3
    _no_traceback(done)
    assert "listed on DoD Section 1260H list (2026-06-08)" in done.stdout
    assert "provcheck: error: not screened against csl" in done.stderr


def test_offline_update_refuses(env, server):
    url = server.route("/c.json", csl_step())
    done = run(env, "--offline", "lists", "update", "csl", "--url", url)
    assert done.returncode == 3 and "offline mode is on" in done.stderr
    assert server.requests == []


def test_bad_input_exit_2(env, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("provcheck: 1\nvendor:\n  name: X\n", encoding="utf-8")
    done = run(env, "--offline", "screen", str(bad), process=True)
    assert done.returncode == 2
    assert f"{bad}:" in done.stderr
    _no_traceback(done)
    assert run(env, "screen", str(tmp_path / "missing.yaml")).returncode == 2
    assert run(env, "screen").returncode == 2
    assert run(env, "lists", "update", "nosuch").returncode == 2
    assert run(env, "lists", "update", "csl", "dod_1260h", "--url", "x").returncode == 2
    assert run(env, "screen", "-n", "x", "--list", "nosuch").returncode == 2


def test_update_1260h_from_opensanctions_csv(env, tmp_path):
    csv_path = tmp_path / "sanctions.csv"
    csv_path.write_text(
        "Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\n"
        "Example Avionics Co.,Example Avionics Co.,EA Co,,,Section 1260H,2026-06-08,,https://example.test\n",
        encoding="utf-8",
    )
    done = run(env, "lists", "update", "dod_1260h", "--url", str(csv_path))
    assert done.returncode == 0, done.stderr
    screened = run(env, "--offline", "screen", "-n", "Example Avionics Company", "-f", "json")
    data = json.loads(screened.stdout)
    assert data["results"][0]["matches"][0]["list"] == "dod_1260h"


@pytest.mark.slow
def test_sigkill_mid_download_keeps_old_cache_and_the_next_run_cleans_up(env, server, tmp_path):
    _prime(env, server)
    meta_before = (tmp_path / "cache" / "lists" / "csl" / "meta.json").read_text()
    cache_before = sorted(p.name for p in (tmp_path / "cache" / "lists" / "csl").iterdir())
    url = server.route("/slow.json", Step(kind="slow", body=CSL.read_bytes(), delay=0.05))
    process = subprocess.Popen(
        [sys.executable, "-m", "provenance_cli", "lists", "update", "csl", "--url", url],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        folder = tmp_path / "cache" / "lists" / "csl"
        while time.monotonic() < deadline:
            partial = [p for p in folder.iterdir() if p.name.startswith(".provcheck-download-")]
            if partial and partial[0].stat().st_size > 0:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the download never started")
        assert process.poll() is None
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert (folder / "meta.json").read_text() == meta_before
    leftover = [p for p in folder.iterdir() if p.name.startswith(".provcheck-download-")]
    assert len(leftover) == 1 and leftover[0].stat().st_size > 0  # what kill -9 leaves: no handler runs
    done = run(env, "--offline", "screen", "-n", "Huawei Technologies Co., Ltd.")
    assert done.returncode == 0 and "Entity List" in done.stdout
    status = run(env, "lists", "status", "-f", "json")
    assert json.loads(status.stdout)["sources"][0]["state"] == "cached"
    # The next update, even one that fails, removes the leftover (it holds the lock, so no live run owns it).
    failed = run(env, "lists", "update", "csl", "--url", server.route("/gone.json", Step(kind="status", status=404)), process=True)
    assert failed.returncode == 3 and "HTTP 404" in failed.stderr
    assert not leftover[0].exists()
    assert sorted(p.name for p in folder.iterdir()) == cache_before
    assert (folder / "meta.json").read_text() == meta_before


def test_yente_backend_from_the_command_line(env, server):
    server.post_handler = yente
    done = run(env, "screen", "-n", "BYD Company", "--backend", "yente", "--yente-url", server.base, "-f", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["matches"][0]["list"] == "dod_1260h"
    server.post_handler = lambda path, body: (503, {})
    failed = run(env, "screen", "-n", "BYD Company", "--backend", "yente", "--yente-url", server.base)
    assert failed.returncode == 3 and "yente at" in failed.stderr
    _no_traceback(failed)
    assert run(env, "screen", "-n", "x", "--backend", "yente").returncode == 2


DOD_CSV = (
    "Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\n"
    '"Example Aero Works Co., Ltd. (EAW)","Example Aero Works Co., Ltd.",EAW,,,,2025-01-07,,https://example.mil/list.pdf\n'
    '"Example Aero Parts Co., Ltd.","Example Aero Parts Co., Ltd.",,,"Example Aero Works Co., Ltd.",,2026-06-08,,https://example.mil/list.pdf\n'
)
"""A 1260H transcription in OpenSanctions' row-per-listing CSV shape (fictional names)."""


def test_config_file_sets_mirror_and_custom_list(env, server, tmp_path):
    url = server.route("/mirror/consolidated.json", csl_step())
    milcorps = server.route("/mirror/1260h.csv", Step(body=DOD_CSV.encode("utf-8"), content_type="text/csv"))
    deny = tmp_path / "deny.csv"
    deny.write_text("name,aliases,id\nOrbital Relay Ltd,ORL Labs,D-7\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        f"screening:\n  retries: 0\n  sources:\n    csl: {{url: '{url}'}}\n    dod_1260h: {{url: '{milcorps}'}}\n"
        f"    custom: {{url: '{deny}'}}\n",
        encoding="utf-8",
    )
    done = run(env, "lists", "update")  # every source with a URL, 1260H included
    assert done.returncode == 0, done.stderr
    assert "csl: updated" in done.stderr and "custom: copied" in done.stderr and "dod_1260h: updated" in done.stderr
    status = json.loads(run(env, "lists", "status", "-f", "json").stdout)
    dod = next(s for s in status["sources"] if s["source"] == "dod_1260h")
    assert dod["records"] == 2 and dod["state"] != "bundled (partial)"
    assert server.requests[0]["path"] == "/mirror/consolidated.json"
    screened = run(env, "--offline", "screen", "-n", "ORL Labs Limited", "-f", "json")
    match = json.loads(screened.stdout)["results"][0]["matches"][0]
    assert (match["list"], match["entry_id"]) == ("custom", "D-7")


def test_bad_config_file_is_exit_2_with_position(env, tmp_path):
    (tmp_path / "config.yaml").write_text("screening:\n  sources:\n    cls: {url: x}\n", encoding="utf-8")
    done = run(env, "lists", "update")
    assert done.returncode == 2
    assert f"{tmp_path / 'config.yaml'}:3:5: unknown source 'cls'" in done.stderr


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("screenig:\n  retries: 1\n", "1:1", "unknown key 'screenig' (did you mean 'screening'?)"),
        ("screening:\n  retires: 1\n", "2:3", "unknown screening setting 'retires' (did you mean 'retries'?)"),
        ("screening:\n  sources:\n    csl:\n      ulr: https://x\n", "4:7", "unknown source setting 'ulr' (did you mean 'url'?)"),
        ("screening:\n  proxy: http://p\n", "2:3", "unknown screening setting 'proxy'; expected one of connect_timeout"),
    ],
    ids=["top", "setting", "source-setting", "no-near-name"],
)
def test_config_file_typos_are_refused_with_their_position(env, tmp_path, text, position, message):
    """A mistyped setting would silently keep the default (no mirror, other timeouts): it is an error at its line."""
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    done = run(env, "lists", "status")
    assert done.returncode == 2, done.output
    assert f"{tmp_path / 'config.yaml'}:{position}: {message}" in done.stderr, done.stderr


def test_threshold_option_and_text_status(env, server):
    loose = run(env, "--offline", "screen", "-n", "Huawei Technology Co Ltd", "-f", "json")
    assert json.loads(loose.stdout)["results"][0]["matches"][0]["score"] == 89
    strict = run(env, "--offline", "screen", "-n", "Huawei Technology Co Ltd", "--threshold", "95", "-f", "json")
    assert json.loads(strict.stdout)["results"][0]["matches"] == []
    _prime(env, server)
    status = run(env, "lists", "status")
    assert status.returncode == 0
    assert "cached" in status.stdout and "days ago" in status.stdout and "bundled" in status.stdout


@pytest.mark.parametrize(
    ("option", "name"),
    [
        ("--name", "PETROV, Ivan Sergeyevich"),
        ("--person", "PETROV, Ivan Sergeyevich"),
        ("--person", "Ivan Sergeyevich Petrov"),
        ("--person", "Ivan Petrov"),
        ("-p", "Петров Иван Сергеевич"),
    ],
)
def test_person_on_the_sdn_is_found(env, server, option, name):
    _prime(env, server)
    done = run(env, "--offline", "screen", option, name, "-f", "json")
    assert done.returncode == 0, done.stderr
    matches = json.loads(done.stdout)["results"][0]["matches"]
    assert [(m["list"], m["entry_name"], m["screened_name"]) for m in matches] == [("sdn", "PETROV, Ivan Sergeyevich", name)]


def test_company_sharing_a_surname_is_not_a_person_hit(env, server):
    _prime(env, server)
    done = run(env, "--offline", "screen", "-n", "Petrov Trading LLC", "-n", "Petrov Ivan Holdings", "-f", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["results"][0]["matches"] == []


def test_place_and_parenthesised_variants_hit(env, server):
    _prime(env, server)
    names = [
        "Lighthouse Photonics Co., Ltd.",
        "Zhongguancun Quantum Computing Research Institute",
        "Western Precision Instrument (Sichuan) Co Ltd",
    ]
    done = run(env, "--offline", "screen", *[arg for n in names for arg in ("-n", n)], "-f", "json")
    assert done.returncode == 0, done.stderr
    hits = {m["screened_name"]: m["entry_name"] for m in json.loads(done.stdout)["results"][0]["matches"]}
    assert hits == {
        "Lighthouse Photonics Co., Ltd.": "Shenzhen Lighthouse Photonics Co.,Ltd.",
        "Zhongguancun Quantum Computing Research Institute": "Beijing Zhongguancun Quantum Computing Research Institute",
        "Western Precision Instrument (Sichuan) Co Ltd": "Sichuan Western Precision Instrument Co., Ltd.",
    }


def test_each_name_gets_its_own_rows(env, server):
    _prime(env, server)
    done = run(env, "--offline", "screen", "-n", "Huawei Technologies Co Ltd", "-n", "HUAWEI", "-f", "json")
    assert done.returncode == 0
    matches = json.loads(done.stdout)["results"][0]["matches"]
    by_name: dict[str, set[tuple[str, str]]] = {}
    for m in matches:
        by_name.setdefault(m["screened_name"], set()).add((m["list"], m["entry_id"]))
    assert set(by_name) == {"Huawei Technologies Co Ltd", "HUAWEI"}
    assert by_name["Huawei Technologies Co Ltd"] == by_name["HUAWEI"]
    assert {key for key, _ in by_name["HUAWEI"]} == {"el", "cmic", "dod_1260h"}
    text = run(env, "--offline", "screen", "-n", "Huawei Technologies Co Ltd", "-n", "HUAWEI")
    assert text.stdout.count("HUAWEI ") >= 3 and text.stdout.count("Huawei Technologies Co Ltd") >= 3


def _csl_with(tmp_path, name: str, records: int):  # type: ignore[no-untyped-def]
    """The CSL fixture cut down to its first ``records`` records, envelope kept."""
    data = json.loads(CSL.read_text(encoding="utf-8"))
    data["results"] = data["results"][:records]
    data["total"] = records
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_list_that_shrinks_by_half_never_replaces_a_good_cache(env, tmp_path):
    assert run(env, "lists", "update", "csl", "--url", str(CSL)).returncode == 0
    before = json.loads(run(env, "lists", "status", "-f", "json").stdout)
    cached = next(s for s in before["sources"] if s["source"] == "csl")["records"]
    one = _csl_with(tmp_path, "one.json", 1)
    refused = run(env, "lists", "update", "csl", "--url", str(one))
    assert refused.returncode == 3, refused.output
    assert f"the downloaded csl list has 1 records against {cached} in the cached copy" in refused.stderr
    assert "the previous cache" in refused.stderr and "is intact" in refused.stderr
    after = json.loads(run(env, "lists", "status", "-f", "json").stdout)
    assert next(s for s in after["sources"] if s["source"] == "csl")["records"] == cached
    screened = run(env, "--offline", "screen", "-n", "Meridian Shipping and Trading LLC", "-f", "json")
    assert json.loads(screened.stdout)["results"][0]["matches"], "screening still uses the good cache"
    accepted = run(env, "lists", "update", "csl", "--url", str(one), "--allow-shrink")
    assert accepted.returncode == 0, accepted.output


def test_an_empty_list_is_refused_even_without_a_cache(env, tmp_path):
    empty = _csl_with(tmp_path, "empty.json", 0)
    refused = run(env, "lists", "update", "csl", "--url", str(empty), "--allow-shrink")
    assert refused.returncode == 3, refused.output
    assert "the downloaded csl list holds no records; refusing to use it" in refused.stderr
    assert "no previous cache exists" in refused.stderr


def test_the_policy_sets_how_far_a_list_may_shrink(env, tmp_path):
    """screening.shrink_limit in a policy: 0.9 refuses a copy that kept 80% of the records; the default half accepts it."""
    assert run(env, "lists", "update", "csl", "--url", str(CSL)).returncode == 0
    cached = next(s for s in json.loads(run(env, "lists", "status", "-f", "json").stdout)["sources"] if s["source"] == "csl")["records"]
    records = len(json.loads(CSL.read_text(encoding="utf-8"))["results"])
    kept = _csl_with(tmp_path, "most.json", max(1, records * 8 // 10))
    strict = tmp_path / "strict.yaml"
    strict.write_text("policy: 2\nscreening:\n  shrink_limit: 0.9\n", encoding="utf-8")
    refused = run(env, "lists", "update", "csl", "--url", str(kept), "--policy", str(strict))
    assert refused.returncode == 3, refused.output
    assert "in the cached copy, less than the 90% a new copy must keep" in refused.stderr
    assert (
        next(s for s in json.loads(run(env, "lists", "status", "-f", "json").stdout)["sources"] if s["source"] == "csl")["records"]
        == cached
    )
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("policy: 2\nscreening:\n  shrink_limit: 1.5\n", encoding="utf-8")
    bad = run(env, "lists", "update", "csl", "--url", str(kept), "--policy", str(wrong))
    assert bad.returncode == 2 and "wrong.yaml:3:" in bad.stderr, bad.output
    assert run(env, "lists", "update", "csl", "--url", str(kept)).returncode == 0
