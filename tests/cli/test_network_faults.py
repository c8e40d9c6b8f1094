"""Misbehaving servers, through the command line: every fault ends in time, with a clear line and nothing lost.

The loopback server on 127.0.0.1 plays each fault (tests/support/http.py):
a body trickling a byte at a time, a server that accepts and never answers,
redirect loops and endless chains, an empty ``Location``, redirects to
``javascript:`` and ``data:``, a plain body labelled gzip, bodies over the
cap with and without a Content-Length, a body cut short, and 429/503 with
``Retry-After``. For ``lists update`` each must end in exit 3 with one
error line, the cache folder byte-for-byte as it was (no temporary file
left); for evidence URLs each must be reported as the link check reports a
broken or unreachable link, with the lock file untouched. Deadlines are set
to a second or two so the suite stays fast.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from support.cli import CliResult, cli_env, run_cli
from support.evidence import write_dossier
from support.http import Server, Step
from support.screening import CSL, csl_step, screening_env

DEADLINE = 0.5
"""--deadline for the list runs below, in seconds."""
URL_DEADLINE = 2.0
"""--deadline for one evidence URL: long enough for a 429 and its retry on a busy machine, far below the hang and trickle."""
SLACK = 10.0
"""What a run may take beyond its deadline: start-up, the request cut, the cleanup, on a busy shared machine.
Far below what ignoring the deadline would cost (the silent server hangs 30 s, the trickle takes 750 s)."""

# --------------------------------------------------------------------------- lists update

LIST_FAULTS = [
    ("trickle", [Step(kind="slow", body=CSL.read_bytes(), chunk=1, delay=0.05)], [], f"within the {DEADLINE:g} s deadline"),
    ("silent", [Step(kind="hang", delay=30)], [], f"within the {DEADLINE:g} s deadline"),
    ("loop", [Step(kind="redirect", location="/fault.json")], [], "more than 5 redirects; a loop: it redirects back to"),
    ("chain", [Step(kind="chain")], [], "more than 5 redirects"),
    ("empty-location", [Step(kind="redirect", location="")], [], "HTTP 302 redirect without a Location"),
    ("javascript", [Step(kind="redirect", location="javascript:alert(1)")], [], "non-web address (javascript scheme)"),
    ("data", [Step(kind="redirect", location="data:application/json,[]")], [], "non-web address (data scheme)"),
    ("false-gzip", [Step(kind="false_gzip", body=CSL.read_bytes())], [], "does not decode as its Content-Encoding"),
    ("oversize-declared", [csl_step()], ["--max-bytes", "1000"], "the file is 15,248 bytes; the limit is 1,000"),
    ("oversize-undeclared", [Step(kind="undeclared", body=b"[" * 1000)], ["--max-bytes", "1000"], "sent more than 1,000 bytes"),
    ("truncated", [Step(kind="short", body=CSL.read_bytes())], [], "the connection broke off mid-response"),
    ("rate-limited", [Step(kind="status", status=429, retry_after="0")], ["--retries", "1"], "HTTP 429 (after 2 attempts)"),
    (
        "unavailable-until-a-past-date",
        [Step(kind="status", status=503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")],
        ["--retries", "1"],
        "HTTP 503 (after 2 attempts)",
    ),
]


def _update(env: dict[str, str], *args: str) -> tuple[CliResult, float]:
    started = time.monotonic()
    done = run_cli(["lists", "update", "csl", *args], Path(env["PROVCHECK_CACHE_DIR"]).parent, env=env, timeout=60)
    return done, time.monotonic() - started


def _cache_files(tmp_path: Path) -> dict[str, bytes]:
    """Every file of the cache but the lock, with its bytes: a temp file left behind, or a changed index, shows."""
    root = tmp_path / "cache"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


def _error_line(done: CliResult) -> str:
    lines = [line for line in done.stderr.splitlines() if line.startswith("provcheck: error:")]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def primed_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the CSL fixture, made once by a real ``lists update``; each test gets a copy."""
    folder = tmp_path_factory.mktemp("primed")
    with Server() as server:
        primed, _ = _update(screening_env(folder), "--url", server.route("/seed.json", csl_step()))
    assert primed.returncode == 0, primed.stderr
    return folder / "cache"


@pytest.mark.parametrize(("name", "steps", "extra", "message"), LIST_FAULTS, ids=[f[0] for f in LIST_FAULTS])
def test_list_download_faults_keep_the_cache(server: Server, tmp_path: Path, primed_cache: Path, name, steps, extra, message) -> None:
    env = screening_env(tmp_path, PROVCHECK_READ_TIMEOUT="10", PROVCHECK_CONNECT_TIMEOUT="10")
    shutil.copytree(primed_cache, tmp_path / "cache")
    before = _cache_files(tmp_path)
    assert any(name.startswith("lists/csl/index-") for name in before)

    done, elapsed = _update(env, "--url", server.route("/fault.json", *steps), "--deadline", str(DEADLINE), *extra)

    assert done.returncode == 3, done.output
    line = _error_line(done)
    assert message in line, line
    assert line.endswith(") is intact"), line
    assert _cache_files(tmp_path) == before
    assert elapsed < DEADLINE + SLACK, f"{name} took {elapsed:.1f} s"


@pytest.mark.parametrize("name", ["false-gzip", "truncated"])
def test_list_download_faults_without_a_cache_leave_nothing(server: Server, tmp_path: Path, name: str) -> None:
    _, steps, extra, message = next(f for f in LIST_FAULTS if f[0] == name)
    env = screening_env(tmp_path, PROVCHECK_READ_TIMEOUT="10")
    done, elapsed = _update(env, "--url", server.route("/fault.json", *steps), "--deadline", str(DEADLINE), *extra)
    assert done.returncode == 3
    line = _error_line(done)
    assert message in line and line.endswith("; no previous cache exists"), line
    assert _cache_files(tmp_path) == {}
    assert elapsed < DEADLINE + SLACK


@pytest.mark.slow  # waits the second the server asks for; the evidence twin below is the fast acceptance test
def test_list_retry_after_is_honoured(server: Server, tmp_path: Path) -> None:
    env = screening_env(tmp_path)
    url = server.route("/busy.json", Step(kind="status", status=503, retry_after="1"), csl_step())
    done, elapsed = _update(env, "--url", url, "--retries", "1")
    assert done.returncode == 0, done.stderr
    assert server.hits["/busy.json"] == 2
    assert elapsed >= 1.0


def test_retry_after_longer_than_the_deadline_gives_up_at_once(server: Server, tmp_path: Path) -> None:
    env = screening_env(tmp_path)
    url = server.route("/later.json", Step(kind="status", status=429, retry_after="3600"), csl_step())
    done, elapsed = _update(env, "--url", url, "--retries", "3", "--deadline", "30")
    assert done.returncode == 3
    assert "HTTP 429 (after 1 attempt)" in _error_line(done)
    assert server.hits["/later.json"] == 1 and elapsed < 15, "gave up at once, not at the 30 s deadline"


def test_deadline_from_config_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance_cli.screening.config import load_config
    from provenance_cli.util.errors import UsageError

    config = tmp_path / "config.yaml"
    config.write_text("screening:\n  deadline: 45\n", encoding="utf-8")
    monkeypatch.setenv("PROVCHECK_CONFIG", str(config))
    monkeypatch.delenv("PROVCHECK_DEADLINE", raising=False)
    assert load_config().fetch.deadline == 45
    monkeypatch.setenv("PROVCHECK_DEADLINE", "12.5")
    assert load_config().fetch.deadline == 12.5
    monkeypatch.setenv("PROVCHECK_DEADLINE", "soon")
    with pytest.raises(UsageError, match="PROVCHECK_DEADLINE: expected a number, got 'soon'"):
        load_config()


# --------------------------------------------------------------------------- evidence URLs

GOOD = "<html><body><p>Retention: prompts are kept for 30 days.</p></body></html>"
BIG = b"<p>" + b"x" * 70_000 + b"</p>"

EVIDENCE_FAULTS = [
    (
        "trickle",
        Step(kind="slow", body=b"<p>" + b"x" * 400, content_type="text/html", chunk=1, delay=0.05),
        "timeout",
        f"{URL_DEADLINE:g}s deadline",
    ),
    ("silent", Step(kind="hang", delay=30), "timeout", f"{URL_DEADLINE:g}s deadline"),
    ("loop", Step(kind="redirect", location="/e/loop"), "redirects", "a loop: it redirects back to"),
    ("chain", Step(kind="chain"), "redirects", "more than 5 redirects"),
    ("empty-location", Step(kind="redirect", location=""), "redirects", "redirect without a Location"),
    ("javascript", Step(kind="redirect", location="javascript:alert(1)"), "scheme", "(javascript scheme)"),
    ("data", Step(kind="redirect", location="data:text/html,<p>hi</p>"), "scheme", "(data scheme)"),
    ("false-gzip", Step(kind="false_gzip", body=GOOD.encode(), content_type="text/html"), "protocol", "does not decode"),
    ("oversize-declared", Step(body=BIG, content_type="text/html"), "too_large", "larger than 65,536 bytes"),
    ("oversize-undeclared", Step(kind="undeclared", body=b"<p>" + b"x" * 1000, content_type="text/html"), "too_large", "65,536"),
    ("truncated", Step(kind="short", body=GOOD.encode(), content_type="text/html"), "protocol", "broken HTTP exchange"),
    ("rate-limited", Step(kind="status", status=429, retry_after="0"), None, "HTTP 429"),
    ("unavailable", Step(kind="status", status=503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"), None, "HTTP 503"),
]


@pytest.fixture(scope="module")
def evidence_run(tmp_path_factory: pytest.TempPathFactory, catalogue) -> dict[str, object]:
    """One snapshot while every page is fine, then one check while each misbehaves, run once for all the cases below."""
    folder = tmp_path_factory.mktemp("evidence-faults")
    question_ids = [q.id for q in catalogue.questions.values() if q.applies_if is None]
    with Server() as server:
        urls = {
            name: server.route(f"/e/{name}", Step(body=GOOD.encode(), content_type="text/html"), fault)
            for name, fault, *_ in EVIDENCE_FAULTS
        }
        urls["fine"] = server.route("/e/fine", Step(body=GOOD.encode(), content_type="text/html"))
        write_dossier(folder / "vendor.yaml", question_ids, {0: list(urls.values())})
        env = cli_env(offline=False)
        snap = run_cli(["evidence", "snapshot", "vendor.yaml"], folder, env=env)
        assert snap.returncode == 0, snap.output
        lock = (folder / "vendor.yaml.evidence.lock.yaml").read_bytes()
        listing = sorted(p.name for p in folder.iterdir())
        args = ["--timeout", "10", "--deadline", str(URL_DEADLINE), "--retries", "1", "--max-bytes", "65536"]
        started = time.monotonic()
        check = run_cli(["evidence", "check", "vendor.yaml", "-f", "json", "--fail-on-broken", *args], folder, env=env)
        elapsed = time.monotonic() - started
        hits = dict(server.hits)
    return {
        "check": check,
        "elapsed": elapsed,
        "urls": urls,
        "hits": hits,
        "lock_kept": (folder / "vendor.yaml.evidence.lock.yaml").read_bytes() == lock,
        "listing_kept": sorted(p.name for p in folder.iterdir()) == listing,
    }


def test_evidence_faults_end_the_check_in_time_and_touch_nothing(evidence_run) -> None:
    check = evidence_run["check"]
    assert check.returncode == 1, check.output  # --fail-on-broken: broken and unreachable links trip the gate
    assert evidence_run["elapsed"] < URL_DEADLINE + SLACK
    assert evidence_run["lock_kept"] and evidence_run["listing_kept"]
    items = {item["url"]: item for item in check.json()["dossiers"][0]["urls"]}
    assert items[evidence_run["urls"]["fine"]]["status"] == "ok"


@pytest.mark.parametrize(("name", "fault", "failure", "detail"), EVIDENCE_FAULTS, ids=[f[0] for f in EVIDENCE_FAULTS])
def test_evidence_fault_is_reported_as_a_link_problem(evidence_run, name, fault, failure, detail) -> None:
    url = evidence_run["urls"][name]
    item = {i["url"]: i for i in evidence_run["check"].json()["dossiers"][0]["urls"]}[url]
    if failure is None:  # an HTTP error answer, after one retry
        assert (item["status"], item["http_status"]) == ("broken", fault.status), item
        # The snapshot, then the first try and one retry; on a busy machine the URL's deadline may cut the retry
        # short, which must then be said.
        hits = evidence_run["hits"][f"/e/{name}"]
        cut = f"(after 1 attempt; the {URL_DEADLINE:g}s deadline for one URL left no time to retry)"
        assert (hits == 3 and item["detail"].endswith("(after 2 attempts)")) or (hits == 2 and item["detail"].endswith(cut)), (hits, item)
    else:
        assert (item["status"], item["failure"]) == ("unreachable", failure), item
    assert detail in item["detail"], item
    assert item["drift"] is None  # not compared: the page could not be read


def test_evidence_503_with_retry_after_once_then_200_exits_0(server: Server, tmp_path: Path, question_ids: list[str]) -> None:
    url = server.route("/policy", Step(kind="status", status=503, retry_after="1"), Step(body=GOOD.encode(), content_type="text/html"))
    write_dossier(tmp_path / "vendor.yaml", question_ids, {0: [url]})
    started = time.monotonic()
    done = run_cli(["evidence", "check", "vendor.yaml", "--fail-on-broken", "-f", "json"], tmp_path, env=cli_env(offline=False))
    assert done.returncode == 0, done.output
    assert done.json()["dossiers"][0]["urls"][0]["status"] == "ok"
    assert server.hits["/policy"] == 2
    assert time.monotonic() - started >= 1.0
    gap = server.requests[1]["at"] - server.requests[0]["at"]
    assert 1.0 <= gap < 10.0, gap  # waited the second asked for, not a back-off of its own


def test_evidence_trickle_alone_is_exit_3_within_the_deadline(server: Server, tmp_path: Path, question_ids: list[str]) -> None:
    url = server.route("/slow", Step(kind="slow", body=b"<p>" + b"x" * 400, content_type="text/html", chunk=1, delay=0.05))
    write_dossier(tmp_path / "vendor.yaml", question_ids, {0: [url]})
    started = time.monotonic()
    done = run_cli(
        ["evidence", "check", "vendor.yaml", "--fail-on-broken", "--timeout", "10", "--deadline", str(URL_DEADLINE)],
        tmp_path,
        env=cli_env(offline=False),
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 3, done.output
    assert "none of the 1 evidence URLs could be reached" in done.stderr
    assert f"within the {URL_DEADLINE:g}s deadline for one URL" in done.stderr
    assert elapsed < URL_DEADLINE + SLACK
