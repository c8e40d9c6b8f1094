"""The EU, UK and UN lists as a user fetches and screens them, served from 127.0.0.1; and list deltas."""

from __future__ import annotations

import json

import pytest
from support import REPO
from support.cli import CliResult, run_cli
from support.http import Step
from support.screening import EU_CSV, EU_XML, UK_XML, UN_XML, screening_env, un_version_b, xml_step


@pytest.fixture
def env(tmp_path):
    return screening_env(tmp_path, PROVCHECK_READ_TIMEOUT="2")


def run(env, *args: str) -> CliResult:
    return run_cli(args, REPO, env=env, timeout=60)


@pytest.mark.parametrize(
    ("source", "fixture", "name", "entry_id", "list_name"),
    [
        ("un_sc", UN_XML, "Rivergate Materials Trading Corp.", "KPe.901", "UN Security Council Consolidated List (2016-11-30)"),
        ("eu_fsf", EU_XML, "OOO Altan Photonics", "EU.9901.11", "EU consolidated list of financial sanctions (2026-02-24)"),
        ("eu_fsf", EU_CSV, "Altan Photonics LLC", "EU.9901.11", "EU consolidated list of financial sanctions (2026-02-24)"),
        ("uk_sanctions", UK_XML, "诺斯盖特海事控股有限公司", "RUS9901", "UK Sanctions List (FCDO) (2025-06-16)"),
    ],
    ids=["un", "eu-xml", "eu-csv", "uk-native-script"],
)
def test_each_list_is_fetched_conditionally_and_screened(env, server, source, fixture, name, entry_id, list_name):
    step = Step(body=fixture.read_bytes(), content_type="text/csv" if fixture.suffix == ".csv" else "text/xml", etag='"v1"')
    url = server.route(f"/{fixture.name}", step)
    first = run(env, "lists", "update", source, "--url", url)
    assert first.returncode == 0, first.stderr
    assert f"{source}: updated" in first.stderr and "first download" in first.stderr
    again = run(env, "lists", "update", source, "--url", url)
    assert again.returncode == 0 and f"{source}: not modified" in again.stderr
    assert server.requests[-1]["headers"].get("If-None-Match") == '"v1"'
    done = run(env, "--offline", "screen", "-n", name, "-f", "json")
    assert done.returncode == 3, done.stderr  # the CSL, the one required list, is still not cached
    matches = json.loads(done.stdout)["results"][0]["matches"]
    assert [(m["list"], m["entry_id"]) for m in matches] == [(source, entry_id)], matches
    assert matches[0]["description"] == f"listed on {list_name}"


@pytest.mark.slow  # several full CLI runs; the fast suite covers the same path once
def test_a_person_on_the_uk_list_is_found_in_either_order(env, server):
    url = server.route("/uk.xml", xml_step(UK_XML))
    assert run(env, "lists", "update", "uk_sanctions", "--url", url).returncode == 0
    done = run(env, "--offline", "screen", "-p", "ORLOVSKY, Pavel", "-f", "json")
    matches = json.loads(done.stdout)["results"][0]["matches"]
    assert ("uk_sanctions", "RUS9902") in {(m["list"], m["entry_id"]) for m in matches}


def test_size_cap_and_wrong_file_keep_the_cache(env, server):
    url = server.route("/un.xml", xml_step(UN_XML))
    assert run(env, "lists", "update", "un_sc", "--url", url).returncode == 0
    capped = run(env, "lists", "update", "un_sc", "--url", url, "--max-bytes", "300")
    assert capped.returncode == 3 and "limit is 300" in capped.stderr and "is intact" in capped.stderr
    wrong = server.route("/wrong.xml", xml_step(UK_XML))
    refused = run(env, "lists", "update", "un_sc", "--url", wrong)
    assert refused.returncode == 3 and "not the UN Security Council Consolidated List" in refused.stderr
    status = json.loads(run(env, "lists", "status", "-f", "json").stdout)
    assert next(s for s in status["sources"] if s["source"] == "un_sc")["records"] == 6


def test_update_reports_added_removed_and_changed_and_diff_shows_them_again(env, server):
    url = server.route(
        "/un.xml", xml_step(UN_XML, etag='"A"'), Step(body=un_version_b(new_alias=True), content_type="text/xml", etag='"B"')
    )
    assert run(env, "lists", "update", "un_sc", "--url", url).returncode == 0
    done = run(env, "lists", "update", "un_sc", "--url", url)
    assert done.returncode == 0, done.stderr
    assert "1 added, 1 removed, 1 changed since the copy fetched" in done.stderr
    assert "+ un_sc KPe.999: HARROW BAY COMPUTE HOLDINGS" in done.stderr
    assert "- un_sc CDe.901: STARLING ORE EXPORTS LIMITED" in done.stderr
    text = run(env, "lists", "diff", "un_sc")
    assert text.returncode == 0
    assert "HARROW BAY COMPUTE HOLDINGS" in text.stdout and "STARLING ORE EXPORTS LIMITED" in text.stdout
    assert "alias added: Rivergate Export House" in text.stdout
    data = json.loads(run(env, "lists", "diff", "un_sc", "-f", "json").stdout)
    assert data["counts"] == {"added": 1, "removed": 1, "changed": 1, "reidentified": 0}
    assert data["previous"]["list_dates"] == {"un_sc": "2026-11-20"} and data["current"]["list_dates"] == {"un_sc": "2026-11-29"}
    assert [e["entry_id"] for e in data["added"]] == ["KPe.999"]
    # the previous copy stays on disk until the next update; a third update replaces it
    folder = env["PROVCHECK_CACHE_DIR"] + "/lists/un_sc"
    from pathlib import Path

    assert len(list(Path(folder).glob("index-*.json"))) == 2
    unchanged = run(env, "lists", "update", "un_sc", "--url", url)
    assert "not modified" in unchanged.stderr
    assert json.loads(run(env, "lists", "diff", "un_sc", "-f", "json").stdout)["counts"]["added"] == 1


def test_diff_without_a_cache_is_a_usage_error(env):
    done = run(env, "lists", "diff", "un_sc")
    assert done.returncode == 2 and "un_sc is not cached" in done.stderr
    assert run(env, "lists", "diff", "nosuch").returncode == 2


@pytest.mark.slow  # several full CLI runs; the fast suite covers the same path once
def test_shrink_guard_covers_the_new_lists(env, tmp_path):
    assert run(env, "lists", "update", "uk_sanctions", "--url", str(UK_XML)).returncode == 0
    text = UK_XML.read_text(encoding="utf-8")
    first = text.index("  <Designation>")
    kept = text[: text.index("  <Designation>", first + 1)] + "</Designations>\n"  # one designation of five
    small = tmp_path / "uk-small.xml"
    small.write_text(kept, encoding="utf-8")
    refused = run(env, "lists", "update", "uk_sanctions", "--url", str(small))
    assert refused.returncode == 3 and "1 records against 5 in the cached copy" in refused.stderr
    assert run(env, "lists", "update", "uk_sanctions", "--url", str(small), "--allow-shrink").returncode == 0


def test_list_text_reaches_the_terminal_inert(env, tmp_path):
    assert run(env, "lists", "update", "un_sc", "--url", str(UN_XML)).returncode == 0
    hostile = UN_XML.read_text(encoding="utf-8").replace("STARLING ORE EXPORTS LIMITED", "STARLING &#x202e;[red]ORE[/red] EXPORTS LIMITED")
    changed = tmp_path / "un.xml"
    changed.write_text(hostile, encoding="utf-8")
    done = run(env, "lists", "update", "un_sc", "--url", str(changed))
    assert done.returncode == 0, done.stderr
    shown = run(env, "lists", "diff", "un_sc")
    for output in (done.stderr, shown.stdout):
        assert "\u202e" not in output and "[red]ORE[/red]" in output  # a bidi override is shown escaped, markup as text
