"""What CI systems read: SARIF 2.1.0, JUnit XML and GitHub annotations from ``assess`` and ``validate``.

SARIF logs are validated against the OASIS SARIF 2.1.0 schema (vendored in
tests/fixtures/sarif, see its NOTICE.md); JUnit reports are parsed as XML and
checked against the exit code; annotations are parsed back from the
workflow-command lines GitHub reads.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import pytest
from support import EXAMPLES, REPO
from support.cli import cli_env, run_cli

from provenance_cli.util.thirdparty import jsonschema_for_own_schemas

jsonschema = jsonschema_for_own_schemas()

SARIF_SCHEMA = json.loads((REPO / "tests/fixtures/sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
KESTREL = "examples/kestrel-ai.yaml"


def _sarif_errors(log: dict) -> list[str]:
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(log)]


def test_the_vendored_schema_is_the_standard_one():
    assert SARIF_SCHEMA["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    assert _sarif_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})  # the schema can fail: a driver needs a name


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory):
    """The examples assessed once to SARIF and to JSON (same run settings), from the checkout."""
    out = tmp_path_factory.mktemp("ci")
    env = cli_env(PROVCHECK_CACHE_DIR=str(out / "cache"))
    sarif = run_cli(["assess", "examples/", "-f", "sarif", "-o", str(out / "run.sarif")], REPO, env=env)
    assert sarif.returncode == 0, sarif.output
    reports = run_cli(["assess", "examples/", "-f", "json"], REPO, env=env)
    assert reports.returncode == 0, reports.output
    return json.loads((out / "run.sarif").read_text(encoding="utf-8")), reports.report()


def test_sarif_validates_against_the_sarif_2_1_0_schema(examples_run):
    log, _ = examples_run
    assert _sarif_errors(log) == []
    assert log["version"] == "2.1.0"


def test_one_sarif_result_per_finding_at_the_answers_line_and_column(examples_run):
    log, reports = examples_run
    (run,) = log["runs"]
    expected = [(r["vendor"]["name"], f["rule_id"], f["location"]) for r in reports for f in r["findings"]]
    got = []
    for result in run["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        where = {
            "file": unquote(physical["artifactLocation"]["uri"]),
            "line": physical["region"]["startLine"],
            "column": physical["region"]["startColumn"],
        }
        got.append((result["properties"]["vendor"], result["ruleId"], where))
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert sorted(got, key=str) == sorted(expected, key=str)
    assert len(got) > 100
    assert run["columnKind"] == "unicodeCodePoints"
    kestrel = next(v for v in run["properties"]["vendors"] if v["name"] == "Kestrel AI")
    assert (kestrel["decision"], kestrel["file"]) == ("reject", KESTREL)


def test_sarif_rules_come_from_the_questionnaires_and_levels_from_severity(examples_run, catalogue):
    log, reports = examples_run
    (run,) = log["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    for rule_id, rule in rules.items():
        compiled = catalogue.rule(rule_id)
        trigger = catalogue.trigger(rule_id)  # date triggers are described by their questionnaire like rules
        if rule_id.startswith("CORE-"):  # engine checks (an answer the screen contradicts...): described by their finding
            assert compiled is None and trigger is None and rule["shortDescription"]["text"] and rule["help"]["text"]
            continue
        assert compiled is not None or trigger is not None, rule_id
        definition = compiled.rule if compiled is not None else trigger.trigger
        assert rule["shortDescription"]["text"] == " ".join(definition.message.split())
        assert rule["help"]["text"] == " ".join(" ".join(r.text.split()) for r in definition.recommendations)  # format 2: the actions
        expected_level = {"critical": "error", "high": "error", "medium": "warning"}.get(definition.severity, "note")
        assert rule["defaultConfiguration"]["level"] == expected_level
        assert rule["properties"].get("date_trigger") == (trigger.trigger.kind if trigger is not None else None)
        if definition.question:
            assert " ".join(catalogue.questions[definition.question].text.split()) in rule["fullDescription"]["text"]
    severities = {(r["vendor"]["name"], f["rule_id"]): f["severity"] for r in reports for f in r["findings"]}
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
    for result in run["results"]:
        assert result["level"] == levels[severities[(result["properties"]["vendor"], result["ruleId"])]]
    assert {"error", "warning", "note"} <= {r["level"] for r in run["results"]}


def test_a_waived_finding_is_an_accepted_suppression(cli, write):
    write("kestrel.yaml", (EXAMPLES / "kestrel-ai.yaml").read_text(encoding="utf-8"))
    write(
        "policy.yaml",
        "policy: 2\nwaivers:\n  - {rule: RET-07, vendor: Kestrel AI, reason: Retention accepted for this internal pilot, "
        "approver: Dana Chief, expires: 2099-01-01}\n",
    )
    done = cli("assess", "kestrel.yaml", "--policy", "policy.yaml", "-f", "sarif", "--no-evidence")
    assert done.returncode == 0, done.output
    log = done.json()
    assert _sarif_errors(log) == []
    (waived,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "RET-07"]
    (suppression,) = waived["suppressions"]
    assert suppression["status"] == "accepted"
    assert "Dana Chief" in suppression["justification"] and "2099-01-01" in suppression["justification"]
    assert all("suppressions" not in r for r in log["runs"][0]["results"] if r["ruleId"] != "RET-07")


def test_files_that_cannot_be_assessed_are_notifications_and_the_others_still_report(cli, write, tmp_path):
    write("vendors/tiny.yaml", (EXAMPLES / "tinyweights-host.yaml").read_text(encoding="utf-8"))
    write("vendors/broken.yaml", "provcheck: 2\nvendor:\n  name: Broken\n  name: Twice\n")
    done = cli("assess", "vendors", "-f", "sarif", "-o", "out.sarif", "--no-evidence")
    assert done.returncode == 2, done.output
    log = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert _sarif_errors(log) == []
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    region = note["locations"][0]["physicalLocation"]
    assert (region["artifactLocation"]["uri"], region["region"]["startLine"]) == ("vendors/broken.yaml", 4)
    assert {r["properties"]["vendor"] for r in log["runs"][0]["results"]} == {"TinyWeights"}


def test_sarif_for_stdin_and_absolute_paths(cli, write, tmp_path):
    text = (EXAMPLES / "kestrel-ai.yaml").read_bytes()
    piped = cli("assess", "-", "-f", "sarif", "--no-evidence", stdin=text)
    assert piped.returncode == 0, piped.output
    log = piped.json()
    assert _sarif_errors(log) == []
    assert log["runs"][0]["results"] and all("locations" not in r for r in log["runs"][0]["results"])
    absolute = write("dir with space/k.yaml", text)
    done = cli("assess", str(absolute), "-f", "sarif", "--no-evidence")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in done.json()["runs"][0]["results"]}
    assert uris == {absolute.as_uri()}


# --------------------------------------------------------------------------- JUnit


def _junit(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    return root


def _cases(root: ET.Element) -> list[ET.Element]:
    return root.findall("./testsuite/testcase")


def test_junit_has_one_case_per_vendor_and_gate_and_agrees_with_the_exit_code(cli, write, tmp_path):
    for name in ("kestrel-ai.yaml", "northwind-frontier.yaml"):
        write(f"v/{name}", (EXAMPLES / name).read_text(encoding="utf-8"))
    gated = cli("assess", "v", "--fail-on", "reject", "--fail-on-stale", "--as-of", "2026-09-01", "-f", "junit", "-o", "j.xml")
    assert gated.returncode == 1, gated.output
    root = _junit((tmp_path / "j.xml").read_text(encoding="utf-8"))
    cases = {(c.get("classname"), c.get("name")): c for c in _cases(root)}
    assert set(cases) == {
        ("provcheck.Kestrel AI", "--fail-on reject"),
        ("provcheck.Kestrel AI", "--fail-on-stale"),
        ("provcheck.Northwind Frontier", "--fail-on reject"),
        ("provcheck.Northwind Frontier", "--fail-on-stale"),
    }
    failed = {key for key, case in cases.items() if case.find("failure") is not None}
    assert ("provcheck.Kestrel AI", "--fail-on reject") in failed
    assert ("provcheck.Northwind Frontier", "--fail-on reject") not in failed
    assert int(root.get("tests")) == 4 and int(root.get("failures")) == len(failed) and root.get("errors") == "0"
    kestrel = cases[("provcheck.Kestrel AI", "--fail-on reject")]
    assert kestrel.get("file") == "v/kestrel-ai.yaml"
    assert "Kestrel AI: reject" in kestrel.find("failure").get("message")
    assert re.search(r"v/kestrel-ai\.yaml:\d+:\d+: high EXP-07", kestrel.find("system-out").text)

    ungated = cli("assess", "v", "-f", "junit")
    assert ungated.returncode == 0
    cases = _cases(_junit(ungated.stdout))
    assert [(c.get("name"), c.find("failure")) for c in cases] == [("decision", None), ("decision", None)]


def test_junit_reports_unreadable_files_as_errors_and_stays_well_formed(cli, write):
    write(
        "v/odd.yaml",
        (EXAMPLES / "northwind-frontier.yaml")
        .read_text(encoding="utf-8")
        .replace("name: Northwind Frontier", 'name: "Odd\\x01 <Vendor> & \\"Co\\" ]]>"', 1),
    )
    write("v/broken.yaml", "provcheck: 2\nvendor: [\n")
    done = cli("assess", "v", "-f", "junit", "--fail-on", "critical")
    assert done.returncode == 2, done.output
    root = _junit(done.stdout)
    errors = [c for c in _cases(root) if c.find("error") is not None]
    assert [(c.get("name"), c.get("line")) for c in errors] == [("v/broken.yaml", "3")]
    assert root.get("errors") == "1"
    names = [c.get("classname") for c in _cases(root) if c.find("error") is None]
    assert names == ['provcheck.Odd\ufffd <Vendor> & "Co" ]]>']


# --------------------------------------------------------------------------- GitHub annotations

COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def _annotations(text: str) -> list[dict[str, str]]:
    found = []
    for line in text.splitlines():
        match = COMMAND.match(line)
        if match:
            props = dict(item.split("=", 1) for item in match["props"].split(","))
            found.append({"level": match[1], **{k: unquote(v) for k, v in props.items()}, "message": unquote(match["message"])})
    return found


def test_annotations_under_github_actions(tmp_path):
    env = cli_env(GITHUB_ACTIONS="true", PROVCHECK_CACHE_DIR=str(tmp_path / "cache"))
    done = run_cli(["assess", KESTREL, "--no-evidence"], REPO, env=env)
    assert done.returncode == 0
    found = _annotations(done.stdout)
    decision = found[0]
    assert decision["level"] == "error" and decision["title"] == "provcheck: Kestrel AI: reject"
    name_line = next(n for n, line in enumerate((REPO / KESTREL).read_text(encoding="utf-8").splitlines(), 1) if line.startswith("  name:"))
    assert (decision["file"], decision["line"]) == (KESTREL, str(name_line))
    reports = run_cli(["assess", KESTREL, "--no-evidence", "-f", "json"], REPO, env=env)
    document = reports.report()  # stdout stays one JSON document: the annotations went to stderr
    expected = [(f["rule_id"], str(f["location"]["line"]), str(f["location"]["column"])) for f in document["findings"]]
    got = [(a["title"].split()[1], a["line"], a["col"]) for a in _annotations(reports.stderr)[1:]]
    assert got == expected
    assert {a["level"] for a in _annotations(reports.stderr)} >= {"error", "warning", "notice"}
    quiet = run_cli(["assess", KESTREL, "--no-evidence", "--no-annotations"], REPO, env=env)
    assert not _annotations(quiet.output)
    outside = run_cli(["assess", KESTREL, "--no-evidence"], REPO, env=cli_env(PROVCHECK_CACHE_DIR=str(tmp_path / "cache")))
    assert not _annotations(outside.output)


def test_annotation_text_cannot_break_out_of_the_command(cli, write):
    write(
        "odd.yaml",
        (EXAMPLES / "kestrel-ai.yaml")
        .read_text(encoding="utf-8")
        .replace("name: Kestrel AI", 'name: "Kestrel, 100%: AI\\n::error::forged"', 1),
    )
    done = cli("assess", "odd.yaml", "--no-evidence", "--annotations", "-f", "json")
    lines = [line for line in done.stderr.splitlines() if line.startswith("::")]
    assert len(lines) == 1 + len(done.report()["findings"])
    assert not any(line.startswith("::error::forged") for line in lines)
    title = _annotations(done.stderr)[0]["title"]
    assert title == "provcheck: Kestrel, 100%: AI\n::error::forged: reject"


def test_annotations_show_hidden_characters_as_escapes(cli, write):
    """Annotations are a terminal view too (the job log): a bidi override or zero-width space is shown, never acted on."""
    write(
        "odd.yaml",
        (EXAMPLES / "kestrel-ai.yaml").read_text(encoding="utf-8").replace("name: Kestrel AI", 'name: "Kestrel \\u202eIA\\u200b"', 1),
    )
    done = cli("assess", "odd.yaml", "--no-evidence", "--annotations")
    assert done.returncode == 0, done.output
    assert "\u202e" not in done.output and "\u200b" not in done.output
    assert _annotations(done.stdout)[0]["title"] == "provcheck: Kestrel \\u202eIA\\u200b: reject"


def test_validate_annotates_each_problem(cli, write):
    write("bad.yaml", "provcheck: 2\nvendor:\n  name: A\n  name: B\n")
    done = cli("validate", "bad.yaml", "--annotations")
    assert done.returncode == 2
    (annotation,) = _annotations(done.stdout)
    assert (annotation["level"], annotation["file"], annotation["line"], annotation["col"]) == ("error", "bad.yaml", "4", "3")
    assert "duplicate key 'name'" in annotation["message"]
