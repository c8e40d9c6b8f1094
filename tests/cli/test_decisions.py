"""Decisions a practitioner can defend (issue 11), scenario by scenario, through the real CLI.

Each scenario takes one example dossier, changes one fact (an answer, a vendor
fact, the engagement, or the buyer profile in the policy) and states what a
vendor-risk / sanctions reviewer would sign: the acceptable decisions and the
lowest overall tier they would accept. The expectations were written from
practice (docs: shared PRACTICE.md) and the output contract of issue 11
(decision, categories[].tier, policy 2 buyer profile, dossier engagement),
not from what the scoring code happens to do.

Every run goes through ``python -m provenance_cli assess -f json`` offline,
with an empty list cache, so screening only ever sees bundled data.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
QUESTIONNAIRES = REPO / "questionnaires"

TIERS = ["low", "medium", "high", "critical"]
OUTCOMES = ["approve", "approve_with_conditions", "incomplete", "reject"]  # from best to worst

APPROVE = frozenset({"approve"})
CONDITIONS = frozenset({"approve_with_conditions"})
INCOMPLETE = frozenset({"incomplete"})
REJECT = frozenset({"reject"})

NORTHWIND = "northwind-frontier.yaml"  # the clean one
AURORA = "aurora-models.yaml"
KESTREL = "kestrel-ai.yaml"
SWITCHBOARD = "switchboard-router.yaml"
TINYWEIGHTS = "tinyweights-host.yaml"

# ASSUMED QUESTION ID. No question in questionnaires/*.yaml covers EU AI Act
# Art. 54 (a general-purpose model provider established outside the EU must
# appoint an authorised representative in the EU before placing the model on
# the EU market). These scenarios use the id a practitioner would expect; they
# cannot pass until the questionnaire gains that question (yes/no, risky: no).
EU_AR_QUESTION = "lineage.eu_authorised_representative"

POLICY_DOD_CONTRACTOR = """\
policy: 2
name: defence contractor buyer
buyer:
  jurisdictions: [US]
  us_federal_contractor: true
  dod_contractor: true
"""

POLICY_EU_MARKET = """\
policy: 2
name: EU market buyer
buyer:
  jurisdictions: [US, DE]
  eu_market: true
"""


# ---- Changes: each is one fact, as (kind, key, value) -------------------------------------


def answer(question: str, value: Any) -> tuple[str, str, Any]:
    """Set one answer, keeping its evidence, note and as_of."""
    return ("answer", question, value)


def undisclosed(question: str) -> tuple[str, str, Any]:
    return ("answer", question, "undisclosed")


def unanswered(question: str) -> tuple[str, str, Any]:
    """Remove the answer altogether."""
    return ("remove", question, None)


def model_answer(model: str, question: str, value: Any) -> tuple[str, str, Any]:
    """Set one answer of one model (``models[].answers``), keeping its evidence, note and as_of."""
    return ("model_answer", f"{model}\x00{question}", value)


def in_scope(*models: str) -> tuple[str, str, Any]:
    """The engagement names the models it uses (the others are out of scope)."""
    return ("in_scope", "models", tuple(models))


def vendor(key: str, value: Any) -> tuple[str, str, Any]:
    return ("vendor", key, value)


def parent(name: str, jurisdiction: str, relationship: str) -> tuple[str, str, Any]:
    return ("parent", name, (jurisdiction, relationship))


def engagement(*data_classes: str) -> tuple[str, str, Any]:
    """A fully stated engagement (only the data classes vary), so no other engagement fact is unknown."""
    return ("engagement", "data_classes", tuple(data_classes))


def no_engagement() -> tuple[str, str, Any]:
    """The dossier says nothing about the engagement (the examples state one)."""
    return ("no_engagement", "engagement", None)


def apply_change(dossier: dict[str, Any], change: tuple[str, str, Any]) -> None:
    kind, key, value = change
    answers = dossier.setdefault("answers", {})
    if kind == "answer":
        entry = dict(answers.get(key) or {})
        entry["answer"] = value
        answers[key] = entry
    elif kind == "remove":
        assert key in answers, f"{key} is not answered in the base example"
        del answers[key]
    elif kind == "model_answer":
        model, question = key.split("\x00")
        entry_model = next(m for m in dossier["models"] if m["name"] == model)
        own = entry_model.setdefault("answers", {})
        entry = dict(own.get(question) or {})
        entry["answer"] = value
        own[question] = entry
    elif kind == "in_scope":
        dossier["engagement"]["models"] = list(value)
    elif kind == "vendor":
        dossier["vendor"][key] = value
    elif kind == "parent":
        jurisdiction, relationship = value
        parents = dossier["vendor"].get("parents") or []
        parents.append({"name": key, "jurisdiction": jurisdiction, "relationship": relationship})
        dossier["vendor"]["parents"] = parents
    elif kind == "no_engagement":
        dossier.pop("engagement", None)
    elif kind == "engagement":
        dossier["provcheck"] = 2
        dossier["engagement"] = {
            "use_case": "Customer support assistant answering account questions",
            "data_classes": list(value),
            "criticality": "medium",
            "users": "customers",
        }
    else:  # pragma: no cover - a typo in the table
        raise AssertionError(f"unknown change {change!r}")


def drop_inapplicable(dossier: dict[str, Any]) -> None:
    """Remove follow-up answers whose applies_if no longer holds after a change.

    Part of the same fact: with the suspension lifted, the restoration date is no
    longer a question, and provcheck refuses an answer to a question that does not apply.
    """
    answers = dossier.get("answers") or {}
    for question_id, condition in applies_if_conditions().items():
        controlling = answers.get(condition["answer"])
        if question_id in answers and controlling is not None and controlling.get("answer") not in condition["in"]:
            del answers[question_id]
    for model in dossier.get("models") or []:
        own = model.get("answers") or {}
        for question_id, condition in applies_if_conditions().items():
            controlling = own.get(condition["answer"]) or answers.get(condition["answer"])
            if question_id in own and controlling is not None and controlling.get("answer") not in condition["in"]:
                del own[question_id]


_APPLIES_IF: dict[str, dict[str, Any]] = {}


def applies_if_conditions() -> dict[str, dict[str, Any]]:
    if not _APPLIES_IF:
        for path in sorted(QUESTIONNAIRES.glob("*.yaml")):
            with path.open(encoding="utf-8") as handle:
                questionnaire = plain(yaml.safe_load(handle))
            for question in questionnaire["questions"]:
                condition = question.get("applies_if")
                if condition and "answer" in condition and "in" in condition:
                    _APPLIES_IF[question["id"]] = condition
    return _APPLIES_IF


# ---- Loading and writing dossiers -------------------------------------------------------


def plain(value: Any) -> Any:
    """Undo PyYAML's YAML 1.1 typing: dates back to YYYY-MM-DD, yes/no booleans back to words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


_EXAMPLES: dict[str, dict[str, Any]] = {}


def load_example(name: str) -> dict[str, Any]:
    if name not in _EXAMPLES:
        with (EXAMPLES / name).open(encoding="utf-8") as handle:
            _EXAMPLES[name] = plain(yaml.safe_load(handle))
    return json.loads(json.dumps(_EXAMPLES[name]))  # a deep copy


def assessment_date(name: str) -> str:
    return str(load_example(name)["assessment"]["date"])


# ---- Running the CLI --------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose screening cache holds the CSL, EU, UK and UN test fixtures: every required list is screened.

    (No example name is on the fixtures; screening itself is tested elsewhere.
    Without a screened CSL every decision would rightly be "incomplete".)
    """
    root = tmp_path_factory.mktemp("decisions")
    env = {**_env(root), "PROVCHECK_OFFLINE": "0"}
    # The CSL for everyone; the EU, UK and UN lists because a policy requires its buyer's own lists (eu_market: the EU list).
    for source, fixture in (
        ("csl", "csl/consolidated.json"),
        ("eu_fsf", "lists/eu_fsf.xml"),
        ("uk_sanctions", "lists/uk_sanctions.xml"),
        ("un_sc", "lists/un_consolidated.xml"),
    ):
        result = run_cli(["lists", "update", source, "--url", str(REPO / "tests" / "fixtures" / fixture)], root, env=env)
        assert result.returncode == 0, result.output
    return root


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVCHECK_")}
    cache = root / "cache"
    cache.mkdir(exist_ok=True)
    env.update(
        PROVCHECK_OFFLINE="1",
        PROVCHECK_CACHE_DIR=str(cache),
        NO_COLOR="1",
        XDG_CONFIG_HOME=str(root / "no-config"),
        PYTHONIOENCODING="utf-8",
    )
    env.pop("FORCE_COLOR", None)
    return env


# Identical inputs (the property chains reuse scenario dossiers) are run once.
_REPORTS: dict[tuple[str, str, str | None], dict[str, Any]] = {}


def assess(root: Path, dossier: dict[str, Any], as_of: str, policy: str | None = None) -> dict[str, Any]:
    """Assess one changed dossier in a folder of its own, beside the unchanged examples its links may name."""
    text = yaml.safe_dump(dossier, sort_keys=False, allow_unicode=True)
    key = (text, as_of, policy)
    if key in _REPORTS:
        return _REPORTS[key]
    number = len(_REPORTS)
    folder = root / f"scenario-{number}"
    folder.mkdir()
    for example in EXAMPLES.glob("*.yaml"):
        if load_example(example.name)["vendor"]["name"] != dossier["vendor"]["name"]:
            (folder / example.name).write_bytes(example.read_bytes())
    path = folder / "dossier.yaml"
    path.write_text(text, encoding="utf-8")
    argv = ["assess", str(path), "-f", "json", "--as-of", as_of, "--no-evidence"]
    if policy is not None:
        policy_path = root / f"policy-{number}.yaml"
        policy_path.write_text(policy, encoding="utf-8")
        argv += ["--policy", str(policy_path)]
    # The suite's one CLI runner (in-process, fresh process state, fails on any traceback).
    proc = run_cli(argv, root, env=_env(root))
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-3000:]}"
    report = json.loads(proc.stdout)
    _REPORTS[key] = report
    return report


# ---- What every decision must satisfy ----------------------------------------------------

RULE_ID = re.compile(r"[A-Z]{2,}-[A-Z]*\d+[A-Za-z0-9-]*")


def is_words(text: Any) -> bool:
    """A sentence a reviewer can read, not a bare rule id like 'EXP-11'."""
    if not isinstance(text, str) or RULE_ID.fullmatch(text.strip()):
        return False
    return len(re.findall(r"[A-Za-z]{2,}", RULE_ID.sub("", text))) >= 3


def tier_rank(tier: str) -> int:
    assert tier in TIERS, f"unknown tier {tier!r}"
    return TIERS.index(tier)


def outcome_rank(outcome: str) -> int:
    assert outcome in OUTCOMES, f"unknown decision outcome {outcome!r}"
    return OUTCOMES.index(outcome)


def describe(report: dict[str, Any]) -> str:
    decision = report.get("decision") or {}
    return json.dumps(
        {
            "outcome": decision.get("outcome"),
            "tier": report["summary"].get("tier"),
            "overall": report["summary"].get("overall"),
            "categories": {c.get("id"): c.get("tier") for c in report.get("categories", [])},
            "reasons": [(r.get("rule"), r.get("text")) for r in decision.get("reasons", [])],
            "conditions": [(c.get("rule"), c.get("question")) for c in decision.get("conditions", [])],
            "open_questions": [(q.get("question"), q.get("status")) for q in decision.get("open_questions", [])],
        },
        indent=1,
        ensure_ascii=False,
    )


def check_contract(report: dict[str, Any]) -> dict[str, Any]:
    """The invariants of issue 11 that hold for every report; returns the decision."""
    assert "decision" in report, "the report has no 'decision' object (issue 11 contract)"
    decision = report["decision"]
    outcome = decision.get("outcome")
    outcome_rank(outcome)
    assert is_words(decision.get("summary")), f"decision summary is not a sentence: {decision.get('summary')!r}"
    tier = report["summary"]["tier"]
    for category in report["categories"]:
        assert "tier" in category, f"category {category.get('id')} has no tier"
        assert tier_rank(tier) >= tier_rank(category["tier"]), (
            f"overall tier {tier} is below the {category.get('id')} category tier {category['tier']}\n{describe(report)}"
        )
    if outcome == "reject":
        reasons = decision.get("reasons") or []
        assert reasons, f"a reject must say why\n{describe(report)}"
        for reason in reasons:
            assert is_words(reason.get("text")), f"reason is not in words: {reason!r}"
    if outcome == "approve_with_conditions":
        conditions = decision.get("conditions") or []
        assert conditions, f"approve_with_conditions must list its conditions\n{describe(report)}"
        for condition in conditions:
            assert is_words(condition.get("text")), f"condition is not in words: {condition!r}"
    if outcome == "incomplete":
        open_questions = decision.get("open_questions") or []
        assert open_questions, f"incomplete must list the open questions\n{describe(report)}"
        for item in open_questions:
            assert item.get("status") in ("undisclosed", "unanswered", "unknown", "engagement"), item
            assert is_words(item.get("text")), f"open question is not in words: {item!r}"
    return decision


# ---- The table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    id: str
    base: str
    changes: tuple[tuple[str, str, Any], ...]
    expected: frozenset[str]
    min_tier: str
    why: str
    policy: str | None = None
    open_question: str | None = None
    """Question id that an incomplete decision must name among its open questions."""
    open_status: str | None = None
    """Status that open question must carry (undisclosed, unanswered, engagement)."""
    condition_question: str | None = None
    """Question id that an approve_with_conditions must carry a condition for."""


def S(id: str, base: str, changes: list[tuple[str, str, Any]], expected: frozenset[str], min_tier: str, why: str, **kw: Any) -> Scenario:
    return Scenario(id, base, tuple(changes), expected, min_tier, why, **kw)


HQ = "export_control.headquarters_jurisdiction"
SDN = "export_control.ofac_sdn"
ENTITY_LIST = "export_control.bis_entity_list"
DOD_1260H = "export_control.dod_1260h"
CMIC = "export_control.cmic"
SUSPENSION = "export_control.model_export_suspension"
LICENCE_FIT = "lineage.licence_compatibility"
OUTPUTS_IN_TRAINING = "lineage.third_party_outputs_in_training"
ALLEGATION = "lineage.disputed_provenance_allegation"
ALLEGATION_STATUS = "lineage.allegation_status"
TRAINS = "retention.trains_on_customer_data"
OPT_OUT = "retention.training_opt_out"

TRAINS_NO_OPT_OUT = [answer(TRAINS, "yes"), answer(OPT_OUT, "no_opt_out")]

KNOCKOUT_QUESTIONS = [
    (SDN, "an SDN screen"),
    (ENTITY_LIST, "an Entity List screen"),
    (DOD_1260H, "a 1260H screen"),
    (HQ, "how the headquarters is treated"),
    (LICENCE_FIT, "whether the licence fits the use"),
]

BUYER_QUESTIONS = {HQ, LICENCE_FIT}
"""Knock-out questions the buyer answers (its classification of the headquarters, its licence review)."""

SCENARIOS: list[Scenario] = [
    # -- clean baseline
    S(
        "clean-northwind",
        NORTHWIND,
        [],
        APPROVE,
        "low",
        "Clean US lab, clean screens, ZDR on, licence reviewed: nothing to condition, sign it.",
    ),
    # -- embargo paths
    S(
        "hq-answer-embargoed",
        NORTHWIND,
        [answer(HQ, "embargoed")],
        REJECT,
        "critical",
        "A vendor in a comprehensively sanctioned country is a hard stop for a US buyer; no contract clause fixes it.",
    ),
    *[
        S(
            f"hq-fact-{code}",
            NORTHWIND,
            [vendor("headquarters", code)],
            REJECT,
            "critical",
            f"The dossier's own headquarters fact ({code}) is an embargoed country; the fact wins over a "
            "self-declared 'no special controls' answer.",
        )
        for code in ("IR", "KP", "CU")
    ],
    S(
        "parent-fact-IR",
        NORTHWIND,
        [parent("Zagros Bluefin Holding Company", "IR", "majority owner")],
        REJECT,
        "high",
        "An owner in Iran: paying the vendor benefits a person in an embargoed country; a self-declared 'no' "
        "to the parent question does not cancel the dossier's parents list.",
    ),
    S(
        "hosting-fact-IR",
        NORTHWIND,
        [vendor("hosting_regions", ["US", "IE", "IR"])],
        REJECT,
        "high",
        "Serving or storing the buyer's data in an embargoed country is an export of services there; stop.",
    ),
    S(
        "hq-fact-CN-not-embargoed",
        NORTHWIND,
        [vendor("headquarters", "CN")],
        CONDITIONS,
        "medium",
        "China is a jurisdiction of concern, not an embargo: counsel review, exit plan and data limits, not an automatic stop.",
    ),
    S(
        "parent-fact-CN-not-embargoed",
        NORTHWIND,
        [parent("Lotus Harbour Investment Co., Ltd.", "CN", "majority owner")],
        CONDITIONS,
        "medium",
        "A parent in China needs monitoring and an exit plan, not a rejection, unless a list or embargo applies.",
    ),
    # -- each restricted list answered yes
    S("sdn-yes", NORTHWIND, [answer(SDN, "yes")], REJECT, "critical", "SDN means blocked: US persons may not deal with the vendor at all."),
    S(
        "entity-list-yes",
        NORTHWIND,
        [answer(ENTITY_LIST, "yes")],
        REJECT,
        "high",
        "A restricted-party hit: anything sent to the vendor may need a licence, usually denied; stop pending counsel.",
    ),
    S(
        "1260h-yes-commercial-buyer",
        NORTHWIND,
        [answer(DOD_1260H, "yes")],
        REJECT | CONDITIONS,
        "high",
        "1260H has no direct legal effect for a non-defence buyer; many programmes stop anyway, others escalate "
        "with an exit plan. Either way it is high, never a clean approve.",
    ),
    S(
        "cmic-yes",
        NORTHWIND,
        [answer(CMIC, "yes")],
        REJECT | CONDITIONS,
        "high",
        "CMIC is an investment restriction, not a trade ban, but a strong signal of further measures: high at least.",
    ),
    S(
        "export-suspension-yes",
        NORTHWIND,
        [answer(SUSPENSION, "yes")],
        REJECT,
        "high",
        "The model in scope is under a government export suspension: it cannot be relied on until restored.",
    ),
    # -- licence and lineage
    S(
        "licence-incompatible",
        NORTHWIND,
        [answer(LICENCE_FIT, "incompatible")],
        REJECT,
        "high",
        "Counsel says the licence does not permit the use: using it anyway is a breach, not a risk.",
    ),
    S(
        "outputs-unlicensed-admitted",
        NORTHWIND,
        [answer(OUTPUTS_IN_TRAINING, "unlicensed_or_unclear")],
        REJECT,
        "high",
        "The vendor itself admits training on other labs' outputs without permission: knowingly inheriting that is a hard stop.",
    ),
    S(
        "allegation-yes",
        NORTHWIND,
        [answer(ALLEGATION, "yes"), answer(ALLEGATION_STATUS, "alleged")],
        REJECT | CONDITIONS,
        "high",
        "A public distillation allegation is not a finding; reviewers either stop or approve with counsel review "
        "and a tested alternative, but it is high either way.",
    ),
    S(
        "allegation-yes-status-unknown",
        NORTHWIND,
        [answer(ALLEGATION, "yes")],
        INCOMPLETE | REJECT,
        "high",
        "Whether an allegation has been upheld decides between a condition and a stop: until it is known, ask.",
        open_question=ALLEGATION_STATUS,
        open_status="unanswered",
    ),
    S(
        "allegation-upheld",
        NORTHWIND,
        [answer(ALLEGATION, "yes"), answer(ALLEGATION_STATUS, "upheld")],
        REJECT,
        "high",
        "An allegation upheld by a court or regulator, or admitted, is a finding of unpermitted training: a hard stop.",
    ),
    # -- retention and engagement (inherent risk)
    S(
        "trains-no-opt-out-personal-data",
        NORTHWIND,
        [*TRAINS_NO_OPT_OUT, engagement("personal")],
        REJECT,
        "high",
        "Personal data would train the vendor's model with no way to opt out: no lawful basis, hard stop.",
    ),
    S(
        "trains-no-opt-out-public-data",
        NORTHWIND,
        [*TRAINS_NO_OPT_OUT, engagement("public")],
        CONDITIONS,
        "medium",
        "Only public data goes to the vendor, so training on it is acceptable with a clause keeping other data away.",
    ),
    S(
        "trains-no-opt-out-engagement-unstated",
        NORTHWIND,
        [*TRAINS_NO_OPT_OUT, no_engagement()],
        INCOMPLETE,
        "low",
        "Whether this is a knock-out depends on which data classes are sent; until the engagement says, we cannot decide.",
        open_status="engagement",
    ),
    S(
        "retention-365-days",
        NORTHWIND,
        [answer("retention.prompt_retention_days", 365)],
        CONDITIONS,
        "medium",
        "A year of prompt retention is fixable by contract (shorter retention or ZDR); a condition, not a stop.",
    ),
    # -- knock-out questions the vendor will not answer, or nobody asked
    *[
        S(
            f"undisclosed-{question.split('.')[1]}",
            NORTHWIND,
            [undisclosed(question)],
            INCOMPLETE,
            "low",
            f"Without {what} we cannot tell whether a hard stop applies: ask before deciding.",
            open_question=question,
            # Only the vendor can withhold an answer: "undisclosed" on a buyer question is a fact not established yet.
            open_status="unknown" if question in BUYER_QUESTIONS else "undisclosed",
        )
        for question, what in KNOCKOUT_QUESTIONS
    ],
    *[
        S(
            f"unanswered-{question.split('.')[1]}",
            NORTHWIND,
            [unanswered(question)],
            INCOMPLETE,
            "low",
            f"Nobody recorded {what}; absence of an answer is not comfort: ask before deciding.",
            open_question=question,
            open_status="unanswered",
        )
        for question, what in KNOCKOUT_QUESTIONS
    ],
    # -- buyer profiles
    S(
        "dod-buyer-1260h-yes",
        NORTHWIND,
        [answer(DOD_1260H, "yes")],
        REJECT,
        "critical",
        "FY2024 NDAA s.805 bars DoD from contracting with 1260H entities and their supply chain: a hard stop for a DoD contractor.",
        policy=POLICY_DOD_CONTRACTOR,
    ),
    S(
        "dod-buyer-1260h-undisclosed",
        NORTHWIND,
        [undisclosed(DOD_1260H)],
        INCOMPLETE,
        "low",
        "A DoD contractor cannot sign without a 1260H screen of the vendor and its owners.",
        policy=POLICY_DOD_CONTRACTOR,
        open_question=DOD_1260H,
        open_status="undisclosed",
    ),
    S(
        "dod-buyer-clean-vendor",
        NORTHWIND,
        [],
        APPROVE,
        "low",
        "The buyer profile raises the bar only where the vendor has exposure; a clean vendor stays clean.",
        policy=POLICY_DOD_CONTRACTOR,
    ),
    S(
        "kestrel-dod-buyer",
        KESTREL,
        [],
        REJECT,
        "critical",
        "Kestrel's ultimate parent is on the 1260H list; for a DoD contractor that is a s.805 hard stop.",
        policy=POLICY_DOD_CONTRACTOR,
    ),
    # ASSUMED QUESTION: lineage.eu_authorised_representative (see EU_AR_QUESTION).
    S(
        "eu-buyer-no-authorised-rep",
        NORTHWIND,
        [answer(EU_AR_QUESTION, "no")],
        REJECT | CONDITIONS,
        "high",
        "A US GPAI provider without an EU authorised representative (AI Act Art. 54) cannot lawfully place the "
        "model on the EU market; an EU-market buyer stops, or makes appointment a condition precedent.",
        policy=POLICY_EU_MARKET,
    ),
    # ASSUMED QUESTION: the clean example does not answer it, because it does not exist yet.
    S(
        "eu-buyer-authorised-rep-unknown",
        NORTHWIND,
        [unanswered(EU_AR_QUESTION)],
        INCOMPLETE | CONDITIONS,
        "low",
        "For an EU-market buyer the Art. 54 representative must be confirmed; until then ask, or make it a condition.",
        policy=POLICY_EU_MARKET,
        open_question=EU_AR_QUESTION,
        open_status="unanswered",
    ),
    # ASSUMED QUESTION: the same answer matters little to a buyer outside the EU market.
    S(
        "us-buyer-no-authorised-rep",
        NORTHWIND,
        [answer(EU_AR_QUESTION, "no")],
        APPROVE | CONDITIONS,
        "low",
        "Art. 54 is about placing the model on the EU market; a buyer who does not is not exposed by it.",
    ),
    # -- weaknesses on a clean vendor
    S(
        "medium-weakness-no-dpa",
        NORTHWIND,
        [answer("retention.dpa_available", "no")],
        CONDITIONS,
        "low",
        "No signed DPA is a contract gap: approve once a DPA fixing retention and training use is signed.",
        condition_question="retention.dpa_available",
    ),
    S(
        "medium-weakness-no-access-change-notice",
        NORTHWIND,
        [answer("export_control.access_change_notice", "none")],
        CONDITIONS,
        "low",
        "No commitment to warn of listings or suspensions: add a notice clause as a condition of approval.",
        condition_question="export_control.access_change_notice",
    ),
    S(
        "low-weakness-stays-approve",
        NORTHWIND,
        [answer("extraction.customer_incident_notification", "best_effort")],
        APPROVE,
        "low",
        "Best-effort incident notice is a low finding to note, not a condition worth holding a signature for.",
    ),
    # -- the other examples, as they stand and with their deciding fact changed
    S(
        "aurora-as-is",
        AURORA,
        [],
        REJECT,
        "high",
        "The flagship model is under an export suspension and some users cannot qualify: not usable as a supplier today.",
    ),
    S(
        "aurora-suspension-lifted",
        AURORA,
        [model_answer("Lumen 5", SUSPENSION, "no")],
        CONDITIONS,
        "medium",
        "Without the suspension, the verification gap and pending bill are managed with conditions and an alternative.",
    ),
    S(
        "aurora-lumen-4-5-only",
        AURORA,
        [in_scope("Lumen 4.5")],
        CONDITIONS,
        "medium",
        "The suspension is Lumen 5's; an engagement that uses only Lumen 4.5 is not stopped by it.",
    ),
    S(
        "aurora-lumen-4-5-suspended-too",
        AURORA,
        [in_scope("Lumen 4.5"), model_answer("Lumen 4.5", SUSPENSION, "yes")],
        REJECT,
        "high",
        "Once the model the engagement uses is itself suspended, the stop applies to it.",
    ),
    S(
        "kestrel-as-is",
        KESTREL,
        [],
        REJECT,
        "high",
        "CN headquarters, a 1260H-listed ultimate parent, a distillation allegation answered by a bare denial, and "
        "exposure to the output-access sanctions bill: reject.",
    ),
    S(
        "switchboard-as-is",
        SWITCHBOARD,
        [],
        CONDITIONS | INCOMPLETE,
        "medium",
        "An aggregator with looser terms than the upstream and an undisclosed declaration on training with other "
        "labs' outputs: conditions (pin routing, align terms), or incomplete until the declaration is made.",
    ),
    S(
        "switchboard-declares-no-outputs",
        SWITCHBOARD,
        [answer(OUTPUTS_IN_TRAINING, "declared_none")],
        CONDITIONS,
        "medium",
        "Once the open declaration is made, what remains are routing and contract gaps: approve with conditions.",
    ),
    S(
        "tinyweights-as-is",
        TINYWEIGHTS,
        [],
        CONDITIONS,
        "low",
        "Small EU host with no content logging and a reviewed licence; thin contract (no IP indemnity) is a condition.",
    ),
    S(
        "tinyweights-licence-incompatible",
        TINYWEIGHTS,
        [answer(LICENCE_FIT, "incompatible")],
        REJECT,
        "high",
        "Open weights with use restrictions that counsel finds incompatible with the use: do not deploy.",
    ),
]


def test_table_is_big_and_ids_unique() -> None:
    ids = [s.id for s in SCENARIOS]
    assert len(ids) == len(set(ids))
    assert len(SCENARIOS) >= 30


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_decision(scenario: Scenario, run_dir: Path) -> None:
    dossier = load_example(scenario.base)
    for change in scenario.changes:
        apply_change(dossier, change)
    drop_inapplicable(dossier)
    report = assess(run_dir, dossier, assessment_date(scenario.base), scenario.policy)
    decision = check_contract(report)
    context = f"{scenario.id}: {scenario.why}\n{describe(report)}"

    assert decision["outcome"] in scenario.expected, context
    assert tier_rank(report["summary"]["tier"]) >= tier_rank(scenario.min_tier), context

    if decision["outcome"] == "incomplete":
        open_questions = decision["open_questions"]
        if scenario.open_question:
            named = [q for q in open_questions if q.get("question") == scenario.open_question]
            assert named, f"open_questions does not name {scenario.open_question}\n{context}"
            if scenario.open_status:
                assert any(q.get("status") == scenario.open_status for q in named), context
        elif scenario.open_status == "engagement":
            about_data = [
                q
                for q in open_questions
                if q.get("status") == "engagement" and re.search(r"data[ _]class", f"{q.get('question')} {q.get('text')}", re.I)
            ]
            assert about_data, f"open_questions does not ask for the engagement's data classes\n{context}"
            assert all(q.get("could_trigger") for q in about_data), context
    if scenario.condition_question and decision["outcome"] == "approve_with_conditions":
        assert any(c.get("question") == scenario.condition_question for c in decision["conditions"]), (
            f"no condition for {scenario.condition_question}\n{context}"
        )
    if decision["outcome"] == "reject":
        # When the unchanged example is not a reject, the changed answer must be among the reasons.
        changed = {key for kind, key, _ in scenario.changes if kind == "answer"}
        if (
            changed
            and assess(run_dir, load_example(scenario.base), assessment_date(scenario.base), scenario.policy)["decision"]["outcome"]
            != "reject"
        ):
            assert any(r.get("question") in changed for r in decision["reasons"]), (
                f"no reason points at the changed answer {sorted(changed)}\n{context}"
            )


# ---- Stale is not risky -----------------------------------------------------------------

ALL_EXAMPLES = [NORTHWIND, AURORA, KESTREL, SWITCHBOARD, TINYWEIGHTS]


@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=[e.removesuffix(".yaml") for e in ALL_EXAMPLES])
def test_stale_answers_do_not_raise_the_tier(example: str, run_dir: Path) -> None:
    """Assessing the same dossier three years later makes every answer stale; that is not evidence of more risk."""
    fresh_date = date.fromisoformat(assessment_date(example))
    later = fresh_date.replace(year=fresh_date.year + 3).isoformat()
    fresh = assess(run_dir, load_example(example), fresh_date.isoformat())
    stale = assess(run_dir, load_example(example), later)
    check_contract(stale)
    context = f"fresh:\n{describe(fresh)}\nstale ({later}):\n{describe(stale)}"
    assert tier_rank(stale["summary"]["tier"]) <= tier_rank(fresh["summary"]["tier"]), context
    for before, after in zip(fresh["categories"], stale["categories"], strict=True):
        assert tier_rank(after["tier"]) <= tier_rank(before["tier"]), context
    assert stale["summary"]["overall"] <= fresh["summary"]["overall"], context
    if fresh["decision"]["outcome"] != "reject":
        assert stale["decision"]["outcome"] != "reject", f"staleness alone turned the decision into reject\n{context}"
    assert stale["summary"]["confidence"] <= fresh["summary"]["confidence"], context


# ---- Property: a riskier answer never improves the decision -------------------------------


def _risk_ranks(question_id: str) -> dict[str, float]:
    """Risk rank of each answer as the questionnaire declares it (choices' risk, risky_answer, undisclosed_risk)."""
    category = question_id.split(".")[0]
    with (QUESTIONNAIRES / f"{category}.yaml").open(encoding="utf-8") as handle:
        questionnaire = plain(yaml.safe_load(handle))
    question = next(q for q in questionnaire["questions"] if q["id"] == question_id)
    if question["type"] == "yes_no":
        risky = question["risky_answer"]
        ranks = {risky: 1.0, ("no" if risky == "yes" else "yes"): 0.0}
    else:
        ranks = {c["value"]: float(c["risk"]) for c in question["choices"]}
    ranks["undisclosed"] = float(question.get("undisclosed_risk", max(ranks.values())))
    return ranks


# (question, answers from safest to riskiest, policy)
CHAINS = [
    (SDN, ["no", "undisclosed", "yes"], None),
    (ENTITY_LIST, ["no", "undisclosed", "yes"], None),
    (DOD_1260H, ["no", "undisclosed", "yes"], POLICY_DOD_CONTRACTOR),
    (HQ, ["no_special_controls", "other", "heightened_controls", "undisclosed", "embargoed"], None),
    (LICENCE_FIT, ["reviewed_compatible", "compatible_with_conditions", "not_reviewed", "undisclosed", "incompatible"], None),
    (OUTPUTS_IN_TRAINING, ["declared_none", "licensed_outputs", "undisclosed", "unlicensed_or_unclear"], None),
]


@pytest.mark.parametrize(("question", "chain", "policy"), CHAINS, ids=[c[0] for c in CHAINS])
def test_riskier_answer_never_improves_decision(question: str, chain: list[str], policy: str | None, run_dir: Path) -> None:
    ranks = _risk_ranks(question)
    assert [ranks[a] for a in chain] == sorted(ranks[a] for a in chain), f"chain {chain} is not ordered by declared risk {ranks}"
    as_of = assessment_date(NORTHWIND)
    previous: tuple[str, dict[str, Any]] | None = None
    for value in chain:
        dossier = load_example(NORTHWIND)
        apply_change(dossier, answer(question, value))
        drop_inapplicable(dossier)
        report = assess(run_dir, dossier, as_of, policy)
        check_contract(report)
        if previous is not None:
            safer_value, safer = previous
            context = f"{question}: {safer_value} -> {value}\n{describe(safer)}\n{describe(report)}"
            assert outcome_rank(report["decision"]["outcome"]) >= outcome_rank(safer["decision"]["outcome"]), context
            assert tier_rank(report["summary"]["tier"]) >= tier_rank(safer["summary"]["tier"]), context
        previous = (value, report)
