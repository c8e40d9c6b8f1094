"""Which lists must be screened follows the buyer's jurisdictions; an unscreened one is said out loud."""

from __future__ import annotations

import json

import pytest
from support import EXAMPLES, REPO
from support.cli import CliResult, run_cli
from support.screening import CSL, EU_XML, UN_XML, screening_env

from provenance_cli.formats.policy import BuyerProfile, buyer_list_sources


@pytest.mark.parametrize(
    ("jurisdictions", "eu_market", "expected"),
    [
        ([], False, ()),
        (["US"], False, ()),
        (["US", "PR"], False, ()),
        (["DE"], False, ("eu_fsf",)),
        (["US"], True, ("eu_fsf",)),
        (["GB", "JE"], False, ("uk_sanctions",)),
        (["JP"], False, ("un_sc",)),
        (["US", "FR", "GB", "SG"], False, ("eu_fsf", "uk_sanctions", "un_sc")),
    ],
)
def test_lists_by_buyer_jurisdiction(jurisdictions, eu_market, expected):
    assert buyer_list_sources(BuyerProfile(jurisdictions=jurisdictions, eu_market=eu_market)) == expected


@pytest.fixture
def env(tmp_path):
    env = screening_env(tmp_path)
    assert run(env, "lists", "update", "csl", "--url", str(CSL)).returncode == 0
    return env


def run(env, *args: str) -> CliResult:
    return run_cli(args, REPO, env=env, timeout=60)


def _assess(env, tmp_path, policy: str) -> dict:
    path = tmp_path / "policy.yaml"
    path.write_text(policy, encoding="utf-8")
    dossier = str(EXAMPLES / "northwind-frontier.yaml")
    done = run(env, "--offline", "assess", dossier, "--policy", str(path), "--as-of", "2026-11-15", "-f", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_eu_buyer_is_incomplete_until_the_eu_list_is_screened(env, tmp_path):
    policy = "policy: 2\nbuyer:\n  jurisdictions: [DE]\n"
    report = _assess(env, tmp_path, policy)
    assert report["decision"]["outcome"] == "incomplete"
    open_questions = {q["question"]: q for q in report["decision"]["open_questions"]}
    assert set(open_questions) == {"screening.eu_fsf"}
    assert "EU consolidated list of financial sanctions" in open_questions["screening.eu_fsf"]["text"]
    assert "not cached" in open_questions["screening.eu_fsf"]["text"]
    assert run(env, "lists", "update", "eu_fsf", "--url", str(EU_XML)).returncode == 0
    assert _assess(env, tmp_path, policy)["decision"]["outcome"] == "approve"
    # the same buyer without the jurisdiction-derived requirement
    opted_out = _assess(env, tmp_path, "policy: 2\nbuyer:\n  jurisdictions: [DE]\nscreening:\n  buyer_lists: false\n")
    assert opted_out["decision"]["outcome"] == "approve"


@pytest.mark.slow  # several full CLI runs; the fast suite covers the same path once
def test_buyer_elsewhere_needs_the_un_list_and_the_default_buyer_does_not(env, tmp_path):
    assert _assess(env, tmp_path, "policy: 2\n")["decision"]["outcome"] == "approve"
    report = _assess(env, tmp_path, "policy: 2\nbuyer:\n  jurisdictions: [JP]\n")
    assert [q["question"] for q in report["decision"]["open_questions"]] == ["screening.un_sc"]
    assert run(env, "lists", "update", "un_sc", "--url", str(UN_XML)).returncode == 0
    assert _assess(env, tmp_path, "policy: 2\nbuyer:\n  jurisdictions: [JP]\n")["decision"]["outcome"] == "approve"
