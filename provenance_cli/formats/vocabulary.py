"""The words provcheck's formats share, each defined once.

Tiers, severities, answer types and the other closed sets appear in
dossiers, questionnaires, policies, reports and gates; every one of those
imports them from here (pydantic ``Literal`` types included), so adding a
word is a one-line change that the schemas, the loaders and the reports all
see. :func:`suggest` is the one "did you mean" of every error message.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Literal, get_args

Tier = Literal["low", "medium", "high", "critical"]
"""Risk tiers, least risky first."""
Severity = Literal["info", "low", "medium", "high", "critical"]
"""Severity of one finding, least severe first."""
AnswerType = Literal["yes_no", "single_choice", "multiple_choice", "number", "date", "text"]
EvidenceKind = Literal["vendor_attestation", "public_document", "third_party"]
Audience = Literal["vendor", "buyer", "either"]
"""Who answers a question: the vendor, the buyer itself (its own use, legal review, exit exercises), or either
(the vendor can state it and the buyer can establish it too, e.g. by screening)."""
ModelAccess = Literal["api", "open_weights", "aggregator", "on_premises"]
Decision = Literal["approve", "approve_with_conditions", "incomplete", "reject"]
"""What procurement signs, most favourable first."""
DataClass = Literal["public", "internal", "confidential", "personal", "special_category", "regulated"]
"""Classes of data an engagement sends to the vendor (special_category: GDPR Art. 9 data)."""
Criticality = Literal["low", "medium", "high", "critical"]
"""How much the buyer's business depends on the service (inherent risk)."""
UserPopulation = Literal["employees", "customers", "public"]
"""Who uses what the engagement builds."""
BuyerFlag = Literal["us_federal_contractor", "dod_contractor", "eu_market"]
"""Yes/no facts about the buyer that rules may read (``{buyer: dod_contractor}``)."""
JurisdictionListName = Literal["embargoed", "of_concern"]
"""The policy's named jurisdiction lists that rules may read (``{vendor: headquarters, in_list: embargoed}``)."""
PartyKind = Literal["company", "person"]
"""What a name in the ownership chain is: people are screened with person-name matching."""
ControlKind = Literal["equity", "contractual_vie", "golden_share", "board_control", "voting_agreement"]
"""How an owner holds its stake or control (a VIE or golden share gives control without equity)."""
KeyPersonRole = Literal["director", "officer", "beneficial_owner", "key_person"]
"""A person close to the vendor who is screened but is not a shareholder in the chain."""
OwnershipFact = Literal["majority_blocked", "minority_blocked", "unknown_share_blocked", "control_blocked"]
"""What screening the ownership chain found, for rules (``{ownership: [majority_blocked]}``):
blocked persons hold 50% or more in the aggregate, less than 50%, an unknown share, or control without equity."""
TriggerKind = Literal["date_reached", "date_older_than", "answer_older_than", "list_newer"]
"""What a date trigger watches (questionnaire ``triggers:``): a date answer reached (a restoration date, a bill's
expected vote, a renewal), a date answer grown old (the last screen), answers older than a freshness limit, or a
screened list edition newer than the last screen."""
TriggerSeverity = Literal["info", "low", "medium"]
"""A trigger says "look again", never "stop": it is never a knock-out, so it stays below high severity."""
EngagementFact = Literal["data_classes", "criticality", "users"]
"""Engagement facts that rules may read (``{engagement: data_classes, contains_any: [personal]}``)."""
LinkKind = Literal["base_model", "routes_to", "parent"]
"""How one dossier depends on another: a model's base model, an aggregator's upstream, a parent company's own dossier.
Rules read what travels along them with ``{linked: {via: [...], where: ...}}``."""
ActionOwner = Literal["vendor", "procurement", "legal", "security", "engineering"]
"""Who acts on a recommendation: the vendor answers or commits, the buyer's procurement, legal, security or engineering team acts."""
ActionType = Literal["ask", "contract_clause", "review", "engineering_change"]
"""What kind of act a recommendation is: a question to the vendor, a clause in the contract, a review, a change to the buyer's systems."""

TIERS: tuple[str, ...] = get_args(Tier)
SEVERITIES: tuple[str, ...] = get_args(Severity)
ANSWER_TYPES: tuple[str, ...] = get_args(AnswerType)
EVIDENCE_KINDS: tuple[str, ...] = get_args(EvidenceKind)
AUDIENCES: tuple[str, ...] = get_args(Audience)
VENDOR_AUDIENCES: frozenset[str] = frozenset({"vendor", "either"})
"""Audiences whose questions are sent to the vendor, and whose ``undisclosed`` answers the vendor withheld."""
MODEL_ACCESS: tuple[str, ...] = get_args(ModelAccess)
DECISIONS: tuple[str, ...] = get_args(Decision)
DATA_CLASSES: tuple[str, ...] = get_args(DataClass)
CRITICALITIES: tuple[str, ...] = get_args(Criticality)
USER_POPULATIONS: tuple[str, ...] = get_args(UserPopulation)
BUYER_FLAGS: tuple[str, ...] = get_args(BuyerFlag)
JURISDICTION_LISTS: tuple[str, ...] = get_args(JurisdictionListName)
ENGAGEMENT_FACTS: tuple[str, ...] = get_args(EngagementFact)
PARTY_KINDS: tuple[str, ...] = get_args(PartyKind)
CONTROL_KINDS: tuple[str, ...] = get_args(ControlKind)
OWNERSHIP_FACTS: tuple[str, ...] = get_args(OwnershipFact)
LINK_KINDS: tuple[str, ...] = get_args(LinkKind)
TRIGGER_KINDS: tuple[str, ...] = get_args(TriggerKind)
TRIGGER_SEVERITIES: tuple[str, ...] = get_args(TriggerSeverity)
ACTION_OWNERS: tuple[str, ...] = get_args(ActionOwner)
ACTION_TYPES: tuple[str, ...] = get_args(ActionType)
ACTION_OWNER_NAMES: dict[str, str] = {
    "vendor": "Vendor",
    "procurement": "Procurement",
    "legal": "Legal and compliance",
    "security": "Security",
    "engineering": "Engineering",
}
"""How reports head each owner's list of actions."""
ACTION_TYPE_NAMES: dict[str, str] = {
    "ask": "ask",
    "contract_clause": "contract clause",
    "review": "review",
    "engineering_change": "engineering change",
}
"""Each kind of action in words."""
SCREENING_SOURCES: dict[str, str] = {
    "csl": "US Consolidated Screening List (ITA)",
    "dod_1260h": "DoD Section 1260H list",
    "un_sc": "UN Security Council Consolidated List",
    "eu_fsf": "EU consolidated list of financial sanctions (FSF)",
    "uk_sanctions": "UK Sanctions List (FCDO)",
    "opensanctions": "OpenSanctions targets.simple.csv",
    "custom": "Internal deny list",
}
"""Sources screening reads (one module each in screening/sources); a policy names the ones that must be screened."""
BLOCKING_LISTS: tuple[str, ...] = ("sdn",)
"""Lists whose listed persons block the entities they own 50% or more (OFAC's 50 percent rule, 2014 guidance)."""
ENGAGEMENT_VALUES: dict[str, tuple[str, ...]] = {"data_classes": DATA_CLASSES, "criticality": CRITICALITIES, "users": USER_POPULATIONS}

UNDISCLOSED = "undisclosed"
"""The answer a vendor gives by not answering; never the same as "no"."""

ROLES = ("vendor", "alias", "parent", "person", "developer")
"""Where a screened name comes from in the dossier: the vendor, its aliases, an owner in the chain, a key person,
or the developer of a model the vendor serves (a hit there concerns that model only)."""

LIST_NAMES: dict[str, str] = {
    "el": "Entity List (BIS)",
    "meu": "Military End User List (BIS)",
    "uvl": "Unverified List (BIS)",
    "dpl": "Denied Persons List (BIS)",
    "isn": "Nonproliferation Sanctions (State)",
    "dtc": "ITAR Debarred (State)",
    "sdn": "Specially Designated Nationals (OFAC SDN)",
    "ssi": "Sectoral Sanctions Identifications (OFAC SSI)",
    "cmic": "Non-SDN Chinese Military-Industrial Complex Companies List (OFAC CMIC)",
    "fse": "Foreign Sanctions Evaders (OFAC FSE)",
    "mbs": "Non-SDN Menu-Based Sanctions (OFAC MBS)",
    "plc": "Palestinian Legislative Council (OFAC PLC)",
    "cap": "Correspondent Account or Payable-Through Account Sanctions (OFAC CAPTA)",
    "dod_1260h": "DoD Section 1260H list",
    "un_sc": "UN Security Council Consolidated List",
    "eu_fsf": "EU consolidated list of financial sanctions",
    "uk_sanctions": "UK Sanctions List (FCDO)",
    "opensanctions": "OpenSanctions",
    "custom": "Internal deny list",
}
"""Stable keys of the screening lists (scoring rules name them) and their display names."""

SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
TIER_RANK = {name: rank for rank, name in enumerate(TIERS)}
DECISION_RANK = {name: rank for rank, name in enumerate(DECISIONS)}


def suggest(given: str, options: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The option closest to ``given`` (a likely typo), or None when nothing is close."""
    match = difflib.get_close_matches(given, list(options), n=1, cutoff=cutoff)
    return match[0] if match else None


def did_you_mean(given: str, options: Iterable[str], *, cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for an error message, or an empty string."""
    match = suggest(given, options, cutoff=cutoff)
    return f" (did you mean {match!r}?)" if match else ""
