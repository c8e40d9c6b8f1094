"""Screening feeds scoring: a listed parent is a knock-out, and the report says only "listed on".

The CSL cache is filled the way a user fills it, by ``provcheck lists
update`` from a real HTTP server on 127.0.0.1 serving a fixture in the real
CSL format; ``assess`` then reads the cache only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import CliResult, run_cli
from support.http import Server
from support.reports import full_report
from support.screening import csl_step, screening_env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = screening_env(tmp_path)
    with Server() as server:
        url = server.route("/consolidated.json", csl_step(etag='"v1"'))
        done = run(values, tmp_path, "lists", "update", "csl", "--url", url)
        assert done.returncode == 0, done.stderr
    return values


def run(env: dict[str, str], cwd: Path, *args: str) -> CliResult:
    return run_cli(args, cwd, env=env)


def dossier(tmp_path: Path, parent: str, jurisdiction: str, share: str | None = None, *more: str) -> Path:
    """Harbourlight with one owner (``share`` percent of the vendor, or unknown) and optional extra owner lines."""
    path = tmp_path / "vendor.yaml"
    held = f"\n      share: {share}" if share is not None else ""
    path.write_text(
        f"""provcheck: 2
vendor:
  name: Harbourlight Models
  legal_name: Harbourlight Models Pte. Ltd.
  headquarters: SG
  parents:
    - name: {parent}
      jurisdiction: {jurisdiction}{held}
{"".join(more)}assessment:
  assessor: Jane Doe
  date: 2026-11-01
""",
        encoding="utf-8",
    )
    return path


SECOND_OWNER = "    - name: Harbour Family Trust\n      jurisdiction: SG\n      share: 30\n"
"""An unlisted second owner."""


def assess_json(env: dict[str, str], tmp_path: Path, path: Path) -> dict:  # type: ignore[type-arg]
    result = run(env, tmp_path, "assess", str(path), "-f", "json", *ARGS)
    assert result.returncode == 0, result.stderr
    return full_report(json.loads(result.stdout))  # type: ignore[no-any-return]


ARGS = ["--as-of", "2026-11-10", "--no-evidence"]


def test_sdn_owner_of_60_percent_blocks_the_vendor(env: dict[str, str], tmp_path: Path) -> None:
    """OFAC's 50 percent rule: a 60% SDN-listed owner makes the unlisted vendor blocked (critical knock-out)."""
    report = assess_json(env, tmp_path, dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE", "60"))
    assert report["summary"]["tier"] == "critical"
    assert report["decision"]["outcome"] == "reject"
    assert "EXP-S50" in report["summary"]["knockouts"]
    entry = next(t for t in report["trace"] if t["rule_id"] == "EXP-S50")
    assert "blocked persons hold 60% of the vendor in the aggregate" in entry["answer"]
    assert "Meridian Shipping and Trading LLC (listed) holds 60%" in entry["answer"]
    text = json.dumps(report).lower()
    for verdict in ("is sanctioned", "guilty", "violat"):
        assert verdict not in text


def test_a_finding_over_screening_facts_points_at_the_vendor_name(env: dict[str, str], tmp_path: Path) -> None:
    """Rules over screening facts read no answer: SARIF and annotations point at the vendor's name (line 3, column 9)."""
    report = assess_json(env, tmp_path, dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE", "60"))
    finding = next(f for f in report["findings"] if f["rule_id"] == "EXP-S50")
    assert finding["question_id"] is None
    assert finding["location"] == {"file": str(tmp_path / "vendor.yaml"), "line": 3, "column": 9}


def test_sdn_owner_of_30_percent_is_for_counsel_not_a_knockout(env: dict[str, str], tmp_path: Path) -> None:
    report = assess_json(env, tmp_path, dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE", "30"))
    assert "EXP-S50" not in report["summary"]["knockouts"]
    review = next(f for f in report["findings"] if f["rule_id"] == "EXP-S51")
    assert review["severity"] == "high" and "below 50%" in review["message"]
    assert "blocked persons hold 30% of the vendor" in review["answer"]
    assert review["knockout"] is None
    assert "EXP-S51" not in report["summary"]["knockouts"]


def test_indirect_holdings_count_through_a_blocked_intermediate(env: dict[str, str], tmp_path: Path) -> None:
    """A listed owner holds 80% of a holding company that owns 70% of the vendor: the holding is blocked, so is the vendor."""
    intermediate = "    - name: Harbour Holdings Ltd\n      jurisdiction: SG\n      share: 70\n"
    path = dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE", "80\n      holds_in: Harbour Holdings Ltd", intermediate)
    report = assess_json(env, tmp_path, path)
    assert report["decision"]["outcome"] == "reject"
    entry = next(t for t in report["trace"] if t["rule_id"] == "EXP-S50")
    assert "Harbour Holdings Ltd (owned 50% or more by blocked persons) holds 70%" in entry["answer"]


def test_sdn_owner_with_an_unknown_share_is_said_to_be_unknown(env: dict[str, str], tmp_path: Path) -> None:
    report = assess_json(env, tmp_path, dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE"))
    review = next(f for f in report["findings"] if f["rule_id"] == "EXP-S51")
    assert "share unknown for Meridian Shipping and Trading LLC" in review["answer"]


def test_shares_over_100_percent_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    path = dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE", "80", SECOND_OWNER)
    result = run(env, tmp_path, "validate", str(path))
    assert result.returncode == 2
    assert any(line.endswith("owners' shares of the vendor add up to more than 100%") and ":12:14:" in line for line in result.lines), (
        result.output
    )


def test_parent_on_cmic_forces_high_unless_the_policy_says_otherwise(env: dict[str, str], tmp_path: Path) -> None:
    path = dossier(tmp_path, '"Huawei Technologies Co., Ltd."', "CN")
    high = run(env, tmp_path, "assess", str(path), "-f", "json", *ARGS)
    report = full_report(json.loads(high.stdout))
    assert "EXP-S02" in report["summary"]["knockouts"]
    assert report["summary"]["tier"] in ("high", "critical")

    (tmp_path / "policy.yaml").write_text(
        "policy: 1\nrule_overrides:\n  - rule: EXP-S02\n    disabled: true\n    reason: Board accepted the exposure for this pilot\n",
        encoding="utf-8",
    )
    relaxed = full_report(json.loads(run(env, tmp_path, "assess", str(path), "-f", "json", "--policy", "policy.yaml", *ARGS).stdout))
    assert "EXP-S02" not in relaxed["summary"]["knockouts"]
    assert not any(t["rule_id"] == "EXP-S02" for t in relaxed["trace"])


def test_allow_listed_false_positive_is_not_scored(env: dict[str, str], tmp_path: Path) -> None:
    path = dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE")
    (tmp_path / "policy.yaml").write_text(
        """policy: 1
screening:
  allow:
    - name: Meridian Shipping and Trading LLC
      list: sdn
      reason: Different company; registry numbers differ (checked 2026-11-05)
      approver: Sanctions desk
""",
        encoding="utf-8",
    )
    report = full_report(json.loads(run(env, tmp_path, "assess", str(path), "-f", "json", "--policy", "policy.yaml", *ARGS).stdout))
    assert "EXP-S01" not in report["summary"]["knockouts"]
    assert not any(t["rule_id"] == "EXP-S01" for t in report["trace"])


def test_report_provenance_records_the_list_versions(env: dict[str, str], tmp_path: Path) -> None:
    path = dossier(tmp_path, '"Quiet Harbor Holdings Ltd."', "SG")
    report = full_report(json.loads(run(env, tmp_path, "assess", str(path), "-f", "json", *ARGS).stdout))
    lists = {entry["key"]: entry for entry in report["provenance"]["screening_lists"]}
    assert "dod_1260h" in lists and lists["dod_1260h"]["list_date"] == "2026-06-08"
    csl = [entry for key, entry in lists.items() if key != "dod_1260h"]
    assert csl, lists
    assert all(entry["sha256"] and entry["fetched_at"] and entry["source_url"].startswith("http://127.0.0.1:") for entry in csl)


def test_terminal_view_names_the_list_and_the_dossier_name(env: dict[str, str], tmp_path: Path) -> None:
    path = dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE", "100")
    out = run(env, tmp_path, "assess", str(path), *ARGS).stdout
    assert "Screening: listed names" in out
    assert "parent 'Meridian Shipping and Trading LLC': listed on Specially Designated Nationals" in out
    assert "Persons on the SDN list own 50% or more of the vendor" in out and "EXP-S50" not in out
    assert "screened: US Consolidated Screening List (ITA)" in out


def test_an_answer_the_screen_contradicts_is_a_high_finding(env: dict[str, str], tmp_path: Path) -> None:
    path = dossier(tmp_path, '"Meridian Shipping and Trading LLC"', "AE", "10")
    text = (
        path.read_text(encoding="utf-8")
        + "answers:\n  export_control.ofac_sdn:\n    answer: no\n  export_control.dod_1260h:\n    answer: yes\n"
    )
    path.write_text(text, encoding="utf-8")
    report = assess_json(env, tmp_path, path)
    found = {(f["question_id"], f["severity"]): f for f in report["findings"] if f["rule_id"] == "CORE-RECON"}
    sdn = found[("export_control.ofac_sdn", "high")]
    assert "answers that nothing in the chain is on the Specially Designated Nationals (OFAC SDN)" in sdn["message"]
    assert "'Meridian Shipping and Trading LLC' listed on Specially Designated Nationals" in sdn["message"]
    missing = found[("export_control.dod_1260h", "medium")]
    assert "on the DoD Section 1260H list, but the list as screened (DoD Section 1260H list:" in missing["message"]
    assert "has no entry matching any name in the dossier" in missing["message"]


def test_a_report_without_a_cached_csl_says_not_screened_in_every_format(tmp_path: Path) -> None:
    """No CSL in the cache: never "no match"; the decision is incomplete and every format says which list was not screened."""
    from support.screening import screening_env

    env = {**screening_env(tmp_path), "PROVCHECK_OFFLINE": "1"}
    path = dossier(tmp_path, '"Quiet Harbor Holdings Ltd."', "SG", "100")
    report = full_report(json.loads(run(env, tmp_path, "assess", str(path), "-f", "json", *ARGS).stdout))
    assert report["decision"]["outcome"] in ("incomplete", "reject")
    assert any(q["question"] == "screening.csl" and q["status"] == "not_screened" for q in report["decision"]["open_questions"])
    csl = next(c for c in report["screening"]["coverage"] if c["source"] == "csl")
    assert csl["screened"] is False and "not cached" in csl["reason"]
    # The bundled 1260H file is a starter set: every report says so in words.
    dod = next(c for c in report["screening"]["coverage"] if c["source"] == "dod_1260h")
    assert dod["screened"] is True and dod["reason"].startswith("PARTIAL: the bundled copy is a starter set of")
    for fmt, marker in (
        ("md", "**Not screened**: US Consolidated Screening List (ITA)"),
        ("html", "<strong>Not screened</strong>: US Consolidated Screening List (ITA)"),
    ):
        text = run(env, tmp_path, "assess", str(path), "-f", fmt, *ARGS).stdout
        assert marker in text
        assert "No screened name matched a listed entry" not in text
    terminal = run(env, tmp_path, "assess", str(path), *ARGS).stdout
    assert "NOT SCREENED: US Consolidated Screening List (ITA)" in terminal
    assert "PARTIAL: the bundled copy is a starter set" in terminal
    csv_text = run(env, tmp_path, "assess", str(path), "-f", "csv", *ARGS).stdout
    assert "Screen every name against the US Consolidated Screening List (ITA)" in csv_text


def test_sdn_listed_person_owning_60_percent_blocks_the_vendor(env: dict[str, str], tmp_path: Path) -> None:
    """The fixture's SDN row is 'PETROV, Ivan Sergeyevich'; the dossier writes him given-name first, as a person."""
    path = dossier(tmp_path, '"Ivan Sergeyevich Petrov"\n      kind: person', "RU", "60")
    report = assess_json(env, tmp_path, path)
    assert report["decision"]["outcome"] == "reject"
    assert report["summary"]["tier"] == "critical"
    assert "EXP-S50" in report["summary"]["knockouts"]
    entry = next(t for t in report["trace"] if t["rule_id"] == "EXP-S50")
    assert "Ivan Sergeyevich Petrov (listed) holds 60%" in entry["answer"]


def test_a_company_sharing_only_a_surname_is_not_a_listed_person(env: dict[str, str], tmp_path: Path) -> None:
    report = assess_json(env, tmp_path, dossier(tmp_path, '"Petrov Logistics LLC"', "RU", "60"))
    assert not [m for m in report["screening"]["matches"] if m["list"] == "sdn"]
