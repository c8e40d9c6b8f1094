"""``provcheck monitor``: what is new since the last run, for cron and CI, against lists served from 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import EXAMPLES, REPO
from support.cli import CliResult, run_cli
from support.http import Step
from support.markdown import check_markdown
from support.screening import CSL, EU_XML, UK_XML, UN_XML, csl_step, screening_env, un_version_b, xml_step

AS_OF = "2026-11-20"
"""A fixed day, so date triggers and staleness do not move between runs."""


def run(env, *args: str) -> CliResult:
    return run_cli(args, REPO, env=env, timeout=120)


@pytest.fixture
def env(tmp_path):
    env = screening_env(tmp_path, PROVCHECK_OFFLINE="1")
    assert run(env, "lists", "update", "csl", "--url", str(CSL)).returncode == 0
    return env


def _eastwind(folder: Path) -> Path:
    """Northwind's dossier as a fictional vendor whose minority owner will be listed in version B of the UN list."""
    text = (EXAMPLES / "northwind-frontier.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  name: Northwind Frontier\n  legal_name: Northwind Frontier Labs, Inc.",
        "  name: Eastwind Labs\n  legal_name: Eastwind Labs, Inc.",
    )
    start = text.index("  parents:")
    end = text.index("  hosting_regions:", start)
    text = (
        text[:start]
        + "  parents:\n    - {name: Harrow Bay Compute Holdings, jurisdiction: GB, share: 30, relationship: minority investor}\n"
        + text[end:]
    )
    path = folder / "eastwind.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def portfolio(tmp_path):
    folder = tmp_path / "vendors"
    folder.mkdir()
    shutil.copy(EXAMPLES / "northwind-frontier.yaml", folder)
    _eastwind(folder)
    return folder


def test_a_list_update_that_newly_hits_a_dossier_is_reported_once(env, server, portfolio):
    url = server.route("/un.xml", xml_step(UN_XML, etag='"A"'), Step(body=un_version_b(), content_type="text/xml", etag='"B"'))
    env = {**env, "PROVCHECK_OFFLINE": "0"}
    assert run(env, "lists", "update", "un_sc", "--url", url).returncode == 0
    baseline = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--baseline")
    assert baseline.returncode == 0, baseline.output
    assert "Baseline recorded" in baseline.stdout
    update = run(env, "lists", "update", "un_sc", "--url", url)
    assert update.returncode == 0, update.stderr
    assert "1 added, 1 removed, 0 changed" in update.stderr
    assert (
        "+ un_sc KPe.999: HARROW BAY COMPUTE HOLDINGS" in update.stderr and "- un_sc CDe.901: STARLING ORE EXPORTS LIMITED" in update.stderr
    )

    done = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "-f", "json")
    assert done.returncode == 1, done.output
    report = json.loads(done.stdout)
    assert report["exit_code"] == 1 and report["monitor_version"] == 1
    hits = [c for c in report["changes"] if c["kind"] == "hit_added"]
    assert len(hits) == 1, report["changes"]
    hit = hits[0]
    assert hit["dossier"] == "eastwind.yaml" and hit["vendor"] == "Eastwind Labs" and hit["worse"]
    assert hit["summary"] == (
        "owner 'Harrow Bay Compute Holdings' is newly listed on UN Security Council Consolidated List "
        "as 'HARROW BAY COMPUTE HOLDINGS' (entry KPe.999)"
    )
    assert hit["detail"].startswith("entry KPe.999 was added to the list in the update fetched ")
    decision = next(c for c in report["changes"] if c["kind"] == "decision")
    assert decision["dossier"] == "eastwind.yaml" and decision["summary"] == "decision moved from approve to reject" and decision["worse"]
    listed = next(c for c in report["changes"] if c["kind"] == "list_updated")
    assert "1 added, 1 removed" in listed["detail"] and "+ HARROW BAY COMPUTE HOLDINGS (KPe.999)" in listed["detail"]
    assert not [c for c in report["changes"] if c["dossier"] == "northwind-frontier.yaml"]

    requests = len(server.requests)
    again = run(env, "monitor", str(portfolio), "--as-of", AS_OF)
    assert again.returncode == 0 and "Nothing new since the last run." in again.stdout, again.output
    assert len(server.requests) == requests  # monitor never downloads unless asked


@pytest.mark.slow  # several full CLI runs; the fast suite covers the same path once
def test_monitor_update_downloads_first_and_a_removed_entry_is_an_improvement(env, server, portfolio):
    from test_screening_cli import DOD_CSV

    url = server.route("/un.xml", Step(body=un_version_b(), content_type="text/xml", etag='"B"'), xml_step(UN_XML, etag='"A"'))
    # every list --update refreshes comes from 127.0.0.1: the US lists by default, the UN list because it is configured
    csl = server.route("/consolidated.json", csl_step(etag='"csl"'))
    dod = server.route("/1260h.csv", Step(body=DOD_CSV.encode("utf-8"), content_type="text/csv", etag='"dod"'))
    env = {**env, "PROVCHECK_OFFLINE": "0", "PROVCHECK_UN_SC_URL": url, "PROVCHECK_CSL_URL": csl, "PROVCHECK_DOD_1260H_URL": dod}
    first = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--update", "--baseline")
    assert first.returncode == 0, first.output
    assert "un_sc: updated; first download" in first.stderr and server.hits["/un.xml"] == 1
    assert server.hits["/consolidated.json"] == 1 and server.hits["/1260h.csv"] == 1
    back = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--update", "-f", "json")
    report = json.loads(back.stdout)
    assert back.returncode == 0, back.output  # only improvements
    removed = next(c for c in report["changes"] if c["kind"] == "hit_removed")
    assert not removed["worse"] and "entry KPe.999 was removed from the list" in removed["detail"]
    assert next(c for c in report["changes"] if c["kind"] == "decision")["summary"] == "decision moved from reject to approve"


def test_a_restoration_date_in_the_past_fires_in_monitor(env, tmp_path):
    folder = tmp_path / "vendors"
    folder.mkdir()
    shutil.copy(EXAMPLES / "aurora-models.yaml", folder)
    assert run(env, "monitor", str(folder), "--as-of", "2026-07-07", "--baseline").returncode == 0
    done = run(env, "monitor", str(folder), "--as-of", "2026-07-20")
    assert done.returncode == 1, done.output
    assert "date trigger EXP-T01" in done.stdout and "2026-07-08, 12 days before 2026-07-20" in done.stdout
    assert "WORSE" in done.stdout
    assert run(env, "monitor", str(folder), "--as-of", "2026-07-20").returncode == 0


def test_a_required_list_without_cache_is_exit_3_and_said(env, portfolio, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: 2\nbuyer:\n  jurisdictions: [JP]\n", encoding="utf-8")
    done = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--policy", str(policy), "-f", "md")
    assert done.returncode == 3, done.output
    assert "### Not checked" in done.stdout and "**un\\_sc**: not cached" in done.stdout
    check_markdown(done.stdout)


def test_markdown_for_the_examples_renders_as_a_job_summary_under_64_kb(env, tmp_path):
    for source, fixture in (("eu_fsf", EU_XML), ("uk_sanctions", UK_XML), ("un_sc", UN_XML)):
        assert run(env, "lists", "update", source, "--url", str(fixture)).returncode == 0
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    done = run(env, "monitor", str(folder), "--as-of", AS_OF, "-f", "md", "--policy", str(folder / "policies" / "eu-market-buyer.yaml"))
    assert done.returncode == 1, done.output  # the first run: everything is new
    markdown = done.stdout
    assert len(markdown.encode("utf-8")) < 64 * 1024
    assert check_markdown(markdown) >= 2  # the changes and the lists, every row with its header's columns
    for vendor in ("Aurora Models", "Kestrel AI", "Northwind Frontier", "Switchboard Router", "TinyWeights"):
        assert vendor in markdown
    assert "date trigger EXP-T01" in markdown


def test_markdown_escapes_what_vendors_wrote_and_keeps_to_its_budget(env, tmp_path):
    from datetime import date

    from provenance_cli.assessment.monitor import Change, MonitorReport
    from provenance_cli.render.monitor import render_markdown

    hostile = "Evil | Corp <script>alert(1)</script> [x](javascript:alert(1))\nsecond line"
    changes = tuple(Change("trigger", True, f"{hostile} {i}", hostile, f"d{i}.yaml", hostile) for i in range(400))
    report = MonitorReport("vendors", date(2026, 11, 20), "2026-11-20T06:00:00+00:00", None, 400, changes, (), (), ())
    markdown = render_markdown(report, budget=20_000)
    check_markdown(markdown)
    assert len(markdown.encode("utf-8")) < 21_000
    assert "more change(s) not shown" in markdown and "<script>" not in markdown


def test_state_file_is_versioned_atomic_and_never_replaces_a_foreign_file(env, portfolio, tmp_path):
    state = portfolio / "provcheck-monitor.lock.json"
    assert run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--baseline").returncode == 0
    data = json.loads(state.read_text(encoding="utf-8"))
    assert data["provcheck_monitor_state"] == 1 and set(data["dossiers"]) == {"eastwind.yaml", "northwind-frontier.yaml"}
    assert [p.name for p in portfolio.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"provcheck_monitor_state": 99}), encoding="utf-8")
    refused = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--state", str(newer))
    assert refused.returncode == 2 and f"{newer}:1:1: monitor state format 99 was written by a newer provcheck" in refused.stderr
    foreign = tmp_path / "notes.json"
    foreign.write_text('{"mine": true}', encoding="utf-8")
    refused = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--state", str(foreign))
    assert refused.returncode == 2 and "not a provcheck monitor state file" in refused.stderr
    assert foreign.read_text(encoding="utf-8") == '{"mine": true}'
    dry = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--state", str(tmp_path / "fresh.json"), "--dry-run")
    assert dry.returncode == 1 and not (tmp_path / "fresh.json").exists()


@pytest.mark.slow  # several full CLI runs; the fast suite covers the same path once
def test_a_bad_dossier_does_not_stop_the_others(env, portfolio):
    assert run(env, "monitor", str(portfolio), "--as-of", AS_OF, "--baseline").returncode == 0
    (portfolio / "broken.yaml").write_text("provcheck: 2\nvendor: [\n", encoding="utf-8")
    (portfolio / "eastwind.yaml").write_text(
        (portfolio / "eastwind.yaml")
        .read_text(encoding="utf-8")
        .replace("confidential, personal", "confidential, personal, special_category"),
        encoding="utf-8",
    )
    done = run(env, "monitor", str(portfolio), "--as-of", AS_OF, "-f", "json")
    assert done.returncode == 2, done.output
    report = json.loads(done.stdout)
    assert [p["file"] for p in report["problems"]] == [str(portfolio / "broken.yaml")]
    assert report["dossiers"] == 2
    assert "broken.yaml:" in done.stderr


@pytest.mark.slow  # several full CLI runs; the fast suite covers the same path once
def test_evidence_drift_is_read_from_the_locks_and_checked_online_only_when_asked(env, server, tmp_path):
    from test_assess_evidence import dossier

    folder = tmp_path / "drift"
    folder.mkdir()
    server.pages["/retention"] = (200, "<html><body><p>Prompts are deleted after 0 days.</p></body></html>")
    (folder / "drift.yaml").write_text(dossier(server.url("/retention")), encoding="utf-8")
    online = {**env, "PROVCHECK_OFFLINE": "0"}
    assert run(online, "evidence", "snapshot", str(folder / "drift.yaml"), "--timeout", "2").returncode == 0
    assert run(online, "monitor", str(folder), "--as-of", "2026-11-05", "--baseline").returncode == 0
    server.pages["/retention"] = (200, "<html><body><p>Prompts are kept for 30 days for abuse monitoring.</p></body></html>")
    hits = server.hits["/retention"]
    offline = run(online, "monitor", str(folder), "--as-of", "2026-11-05")
    assert offline.returncode == 0 and server.hits["/retention"] == hits  # the lock alone: no request
    done = run(online, "monitor", str(folder), "--as-of", "2026-11-05", "--evidence", "-f", "json")
    assert done.returncode == 1, done.output
    drift = [c for c in json.loads(done.stdout)["changes"] if c["kind"] == "evidence"]
    assert [(c["summary"], c["detail"]) for c in drift] == [
        ("evidence for retention.zero_data_retention is changed", server.url("/retention"))
    ]
