"""The organisation's policy: how answers become a verdict.

Questionnaires say what is risky; the policy says how much that matters to
*this* organisation: category weights, tier thresholds, whether knock-outs
apply, how old an answer may be, how often to reassess, rule overrides and
time-limited waivers. Everything here is checked against the catalogue at
load time, so a waiver for a rule that does not exist is an error with its
line, not a silent no-op.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from provenance_cli.formats.models import IsoDate, Jurisdiction, PolicyVersion, StrictModel, Text
from provenance_cli.formats.questionnaires import Catalogue, knockout_mismatch
from provenance_cli.formats.safeyaml import Document, load_file
from provenance_cli.formats.vocabulary import (
    BUYER_FLAGS,
    JURISDICTION_LISTS,
    SCREENING_SOURCES,
    TRIGGER_SEVERITIES,
    Criticality,
    Severity,
    Tier,
    did_you_mean,
)
from provenance_cli.util.errors import InputError, Problem

NonNegative = Annotated[float, Field(ge=0)]
MAX_DAYS = 36_500
"""A hundred years: longer periods are typos, and they would overflow the calendar."""


Score = Annotated[float, Field(ge=0, le=100)]


class TierScores(StrictModel):
    """Lowest score of each tier above low (0-100), for one level of inherent risk."""

    medium: Score = 25
    high: Score = 50
    critical: Score = 75


class Thresholds(TierScores):
    """Lowest score of each tier above low (0-100); the same for the overall score and each category."""

    by_criticality: dict[Criticality, TierScores] = {}
    """Stricter thresholds for more critical engagements (inherent risk), e.g. critical: {medium: 15, ...}."""
    category_relax_steps: Annotated[int, Field(ge=0, le=3)] = 0
    """How many tiers below its worst category the overall tier may stay (0: never below it)."""


class JurisdictionList(StrictModel):
    """A named list of jurisdictions, with where it comes from: lists change by government decision."""

    codes: list[Jurisdiction]
    source: Text
    """The legal source (programme, regulation, order) the list follows."""
    as_of: IsoDate
    """When the list was last checked against its source."""


class Jurisdictions(StrictModel):
    """The organisation's jurisdiction lists that rules read (``in_list: embargoed``)."""

    embargoed: JurisdictionList
    """Comprehensively sanctioned or embargoed: dealing with a vendor there is a hard stop."""
    of_concern: JurisdictionList
    """Under heightened export controls or sanctions programmes: access can change overnight."""


class BuyerProfile(StrictModel):
    """Who the buyer is: the same vendor can be acceptable to one buyer and a hard stop for another."""

    jurisdictions: list[Jurisdiction] = []
    """Where the buyer operates (ISO codes)."""
    us_federal_contractor: bool = False
    """The buyer holds US federal contracts."""
    dod_contractor: bool = False
    """The buyer contracts with the US Department of Defense (FY2024 NDAA section 805 applies)."""
    eu_market: bool = False
    """The buyer places AI systems on the EU market (EU AI Act duties of downstream providers)."""
    sectors: list[Text] = []
    """The buyer's sectors, for the record (e.g. healthcare, finance)."""


class DecisionPolicy(StrictModel):
    """How tiers, knock-outs and findings become a decision (see docs/SCORING.md)."""

    reject_on_knockout: Tier = "high"
    """An unwaived knock-out of at least this tier rejects the vendor."""
    reject_at: Tier = "critical"
    """An overall tier at or above this rejects the vendor."""
    conditions_at: Tier = "medium"
    """An overall tier at or above this (below rejection) approves only with conditions."""
    condition_severity: Severity = "medium"
    """An unwaived finding of at least this severity becomes a condition of approval."""


class Staleness(StrictModel):
    """How old an answer may be before it is stale, and what staleness does."""

    max_age_days: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 365
    """An answer older than this (from its as_of date) is stale."""
    categories: dict[str, Annotated[int, Field(ge=1, le=MAX_DAYS)]] = {}
    """Stricter limits per questionnaire, e.g. export_control: 120."""
    penalty_points: Annotated[float, Field(ge=0, le=100)] = 0
    """Risk points per stale answer, times the question's weight: 0 by default, because stale is not risky.

    Staleness lowers confidence and brings reassessment forward; an
    organisation that wants old answers to cost points opts in here.
    """
    triggers_reassessment: bool = True
    """A stale answer makes reassessment due now."""


class Reassessment(StrictModel):
    """Days between assessments, by tier."""

    low: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 365
    medium: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 180
    high: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 120
    critical: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 90


class RuleOverride(StrictModel):
    """The organisation's change to one rule: other points or severity, or switched off with a reason."""

    rule: Text
    points: Annotated[float, Field(ge=0, le=100)] | None = None
    severity: Severity | None = None
    disabled: bool = False
    reason: str | None = None
    """Required when disabling a rule: the audit trail must say why."""


class Waiver(StrictModel):
    """Accepted risk: one rule does not count for one vendor until a date, approved by a named person."""

    rule: Text
    vendor: Text
    """Vendor display name or legal name, as in the dossier (case-insensitive)."""
    reason: Text
    approver: Text
    expires: IsoDate
    granted: IsoDate | None = None


class AllowedMatch(StrictModel):
    """A screening hit confirmed to be a false positive."""

    name: Text
    """The dossier name (vendor, alias or parent) that produced the hit."""
    list: str | None = None
    entry_id: str | None = None
    reason: Text
    approver: Text


class ScreeningPolicy(StrictModel):
    """How strict name matching is, and the confirmed false positives to suppress."""

    threshold: Annotated[float, Field(ge=50, le=100)] = 88
    allow: list[AllowedMatch] = []
    required: list[str] = ["csl", "dod_1260h"]
    """Sources that must be screened: one not screened makes the decision incomplete (``no match`` means nothing without it)."""
    buyer_lists: bool = True
    """Also require the lists of the buyer's jurisdictions: the EU list for a buyer in an EU member state or on the EU market,
    the UK list for one in the UK, the UN list for one anywhere else outside the US (see :func:`buyer_list_sources`)."""
    shrink_limit: Annotated[float, Field(ge=0, le=1)] = 0.5
    """``lists update --policy``: a new copy of a list with fewer than this share of the cached copy's records is refused
    (0 turns the check off; an empty list is always refused)."""


class EvidencePolicy(StrictModel):
    """What changed evidence does to an assessment."""

    changed_triggers_reassessment: bool = True
    """A cited page that changed since the snapshot makes reassessment due now."""


class PolicyModel(StrictModel):
    """The organisation's policy file: who the buyer is and how answers become a decision."""

    # Sections default through a factory, not an instance made here: making one builds its validator as the module
    # is imported, work a run that takes the checked policy from the cache never needs (the published schema still
    # states each default: formats/schemas.py:_state_section_defaults). The docstring above is the schema's description.

    policy: PolicyVersion = 2
    """Policy format version (2; a version 1 policy is read with the default buyer, jurisdictions and decision)."""
    name: str = "custom policy"
    buyer: BuyerProfile = Field(default_factory=BuyerProfile)
    jurisdictions: Jurisdictions
    decision: DecisionPolicy = Field(default_factory=DecisionPolicy)
    category_weights: dict[str, NonNegative] = {}
    tiers: Thresholds = Field(default_factory=Thresholds)
    knockouts: bool = True
    staleness: Staleness = Field(default_factory=Staleness)
    reassessment_days: Reassessment = Field(default_factory=Reassessment)
    rule_overrides: list[RuleOverride] = []
    waivers: list[Waiver] = []
    screening: ScreeningPolicy = Field(default_factory=ScreeningPolicy)
    evidence: EvidencePolicy = Field(default_factory=EvidencePolicy)
    questionnaires: list[Text] = []
    """Folders of the organisation's own questionnaires (and frameworks files), relative to the policy file."""


@dataclass(frozen=True, eq=False)
class Policy:
    """A checked policy, with the digest that report provenance records."""

    model: PolicyModel
    source: str
    sha256: str
    weights: dict[str, float]
    """Weight of every category in the catalogue (default 1)."""
    overrides: dict[str, RuleOverride]
    buyer_flags: frozenset[str]
    """The buyer-profile flags that are true, as rules read them."""
    jurisdiction_lists: dict[str, frozenset[str]]
    """Each named jurisdiction list's codes, as rules read them."""
    states_version: bool = True
    """False for a policy file without its ``policy:`` line (format 1 allowed that); assess says so."""

    @property
    def required_sources(self) -> tuple[str, ...]:
        """Every screening source that must be screened: ``screening.required``, then the buyer's own lists (when ``buyer_lists``)."""
        screening = self.model.screening
        derived = buyer_list_sources(self.model.buyer) if screening.buyer_lists else ()
        return tuple(dict.fromkeys([*screening.required, *derived]))

    def weight(self, category: str) -> float:
        """A category's weight in the overall score (default 1)."""
        return self.weights.get(category, 1.0)

    def max_age_days(self, category: str) -> int:
        """How old an answer in this category may be before it is stale."""
        return self.model.staleness.categories.get(category, self.model.staleness.max_age_days)

    def tier_for(self, score: float, criticality: str | None = None) -> str:
        """The tier of a score (overall or one category), with the thresholds for the engagement's criticality."""
        tiers: TierScores = self.model.tiers
        if criticality is not None:
            tiers = self.model.tiers.by_criticality.get(criticality, tiers)  # type: ignore[call-overload]
        if score >= tiers.critical:
            return "critical"
        if score >= tiers.high:
            return "high"
        if score >= tiers.medium:
            return "medium"
        return "low"

    def reassess_after_days(self, tier: str) -> int:
        """Days between assessments for a vendor of this tier."""
        return int(getattr(self.model.reassessment_days, tier))


def buyer_list_sources(buyer: BuyerProfile) -> tuple[str, ...]:
    """The sanctions lists a buyer is bound by, beyond the US lists every policy requires by default.

    * an EU member state, or ``eu_market`` (business in the EU): the EU
      consolidated list of financial sanctions (``eu_fsf``);
    * the UK or a Crown Dependency: the UK Sanctions List (``uk_sanctions``);
    * any other jurisdiction outside the US: the UN Security Council
      Consolidated List (``un_sc``). Every UN member state must give effect
      to it; the EU and the UK transpose UN listings into their own lists and
      the US into OFAC's, so their buyers are covered by those.

    A buyer that states no jurisdiction gets nothing more: the default
    policy's examples stay US-only until a policy says where the buyer is.
    """
    from provenance_cli.formats.jurisdictions import EU_MEMBER_STATES, UK_SANCTIONS_AREA, US_SANCTIONS_AREA

    places = set(buyer.jurisdictions)
    sources: list[str] = []
    if buyer.eu_market or places & EU_MEMBER_STATES:
        sources.append("eu_fsf")
    if places & UK_SANCTIONS_AREA:
        sources.append("uk_sanctions")
    if places - EU_MEMBER_STATES - UK_SANCTIONS_AREA - US_SANCTIONS_AREA:
        sources.append("un_sc")
    return tuple(sources)


def check_policy(model: PolicyModel, document: Document, catalogue: Catalogue, today: date | None) -> list[Problem]:
    """Problems of meaning; ``today`` set means expired waivers are problems too (validate)."""
    problems: list[Problem] = []
    categories = [q.id for q in catalogue.questionnaires]
    rule_ids = sorted(catalogue.finding_ids)
    for category in model.category_weights:
        if category not in categories:
            problems.append(
                document.problem(
                    ("category_weights", category), f"unknown category {category!r}{did_you_mean(category, categories)}", prefer_key=True
                )
            )
    weights = {c: model.category_weights.get(c, 1.0) for c in categories}
    if sum(weights.values()) <= 0:
        problems.append(document.problem(("category_weights",), "category weights sum to zero; at least one category must count"))
    for category in model.staleness.categories:
        if category not in categories:
            problems.append(
                document.problem(
                    ("staleness", "categories", category),
                    f"unknown category {category!r}{did_you_mean(category, categories)}",
                    prefer_key=True,
                )
            )
    problems += _screening_problems(model, document)
    problems += _questionnaire_dir_problems(model, document)
    problems += _threshold_problems(model, document)
    problems += _severity_problems(model, document, catalogue)
    seen: set[str] = set()
    for index, override in enumerate(model.rule_overrides):
        path = ("rule_overrides", index)
        if override.rule not in catalogue.finding_ids:
            problems.append(document.problem(path + ("rule",), f"unknown rule {override.rule!r}{did_you_mean(override.rule, rule_ids)}"))
        if override.rule in seen:
            problems.append(document.problem(path + ("rule",), f"rule {override.rule} is overridden twice"))
        seen.add(override.rule)
        if override.disabled and not (override.reason or "").strip():
            problems.append(document.problem(path, f"disabling {override.rule} needs a reason, for the audit trail"))
        if not override.disabled and override.points is None and override.severity is None:
            problems.append(document.problem(path, f"override of {override.rule} changes nothing; set points, severity or disabled"))
    for index, waiver in enumerate(model.waivers):
        path = ("waivers", index)
        if waiver.rule not in catalogue.finding_ids:
            problems.append(
                document.problem(path + ("rule",), f"waiver for unknown rule {waiver.rule!r}{did_you_mean(waiver.rule, rule_ids)}")
            )
        if waiver.granted and waiver.expires <= waiver.granted:
            problems.append(
                document.problem(path + ("expires",), f"waiver expires ({waiver.expires}) before it was granted ({waiver.granted})")
            )
        if today is not None and waiver.expires < today:
            problems.append(
                document.problem(
                    path + ("expires",), f"waiver of {waiver.rule} for {waiver.vendor} expired on {waiver.expires}; renew or remove it"
                )
            )
    return problems


def policy_questionnaire_dirs(path: Path | None) -> tuple[str, ...]:
    """The organisation questionnaire folders a policy file names, resolved against the policy's own folder.

    Read before the policy itself is checked, because the checks need the
    catalogue these folders add to; a malformed key is left for
    :func:`load_policy` to report at its line.
    """
    if path is None:
        return ()
    data = load_file(path).data
    folders = data.get("questionnaires") if isinstance(data, dict) else None
    if not isinstance(folders, list):
        return ()
    base = path.parent
    return tuple(str(base / folder) for folder in folders if isinstance(folder, str) and folder.strip())


def _questionnaire_dir_problems(model: PolicyModel, document: Document) -> list[Problem]:
    """Each organisation questionnaire folder the policy names exists."""
    base = Path(document.source).parent
    return [
        document.problem(("questionnaires", index), f"questionnaire folder {folder!r} does not exist (relative to {base or '.'})")
        for index, folder in enumerate(model.questionnaires)
        if not (base / folder).is_dir()
    ]


def _screening_problems(model: PolicyModel, document: Document) -> list[Problem]:
    """Required screening sources must be sources provcheck has."""
    problems: list[Problem] = []
    for index, source in enumerate(model.screening.required):
        if source not in SCREENING_SOURCES:
            hint = did_you_mean(source, SCREENING_SOURCES)
            expected = ", ".join(SCREENING_SOURCES)
            problems.append(
                document.problem(("screening", "required", index), f"unknown screening source {source!r}{hint}; expected one of {expected}")
            )
    return problems


def _threshold_problems(model: PolicyModel, document: Document) -> list[Problem]:
    """Each set of tier thresholds must rise: medium < high < critical."""
    problems: list[Problem] = []
    sets: list[tuple[tuple[str, ...], TierScores]] = [(("tiers",), model.tiers)]
    sets += [(("tiers", "by_criticality", level), scores) for level, scores in model.tiers.by_criticality.items()]
    for path, tiers in sets:
        if not tiers.medium < tiers.high < tiers.critical:
            problems.append(
                document.problem(
                    path, f"tier thresholds must rise: medium ({tiers.medium:g}) < high ({tiers.high:g}) < critical ({tiers.critical:g})"
                )
            )
    return problems


def _severity_problems(model: PolicyModel, document: Document, catalogue: Catalogue) -> list[Problem]:
    """An override may not make a rule high or critical without a knock-out to match (severity and tier must agree)."""
    problems: list[Problem] = []
    for index, override in enumerate(model.rule_overrides):
        if override.severity is not None and catalogue.trigger(override.rule) is not None and override.severity not in TRIGGER_SEVERITIES:
            expected = ", ".join(TRIGGER_SEVERITIES)
            problems.append(
                document.problem(
                    ("rule_overrides", index, "severity"), f"{override.rule} is a date trigger: its severity is one of {expected}"
                )
            )
        compiled = catalogue.rule(override.rule)
        if compiled is None or override.severity is None or override.disabled:
            continue
        message = knockout_mismatch(override.severity, compiled.rule.knockout)
        if message:
            problems.append(document.problem(("rule_overrides", index, "severity"), f"{override.rule}: {message}"))
    return problems


def _build(model: PolicyModel, source: str, catalogue: Catalogue, *, states_version: bool = True) -> Policy:
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return Policy(
        model=model,
        source=source,
        sha256=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        weights={q.id: model.category_weights.get(q.id, 1.0) for q in catalogue.questionnaires},
        overrides={o.rule: o for o in model.rule_overrides},
        buyer_flags=frozenset(flag for flag in BUYER_FLAGS if getattr(model.buyer, flag)),
        jurisdiction_lists={name: frozenset(getattr(model.jurisdictions, name).codes) for name in JURISDICTION_LISTS},
        states_version=states_version,
    )


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and scalars in ``override`` replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


NOT_A_POLICY = {"provcheck": "dossier", "questions": "questionnaire", "provcheck_evidence_lock": "evidence lock"}
"""Marker keys of the other provcheck files: such a file given as a policy is refused, never merged into one."""


def load_policy(path: Path | None, catalogue: Catalogue, *, strict_today: date | None = None) -> Policy:
    """Read a policy file over the bundled default (or the default alone when ``path`` is None).

    ``strict_today`` makes expired waivers an error (``provcheck validate``);
    ``assess`` loads leniently and reports expired waivers in its results.
    A lenient load of a valid policy is kept in the compiled cache (see
    :mod:`provenance_cli.formats.catalogue_cache`), keyed by both policy
    files' bytes, the catalogue's questionnaires and this code: parsing and
    validating the default policy was a tenth of ``provcheck assess FILE``.
    """
    if strict_today is not None:
        return _load_policy(path, catalogue, strict_today=strict_today)
    import sys

    from provenance_cli.formats.catalogue_cache import cached_build
    from provenance_cli.util.resources import package_file

    files = [package_file("default-policy.yaml"), *([path] if path is not None else [])]
    checked_against = "\0".join(f"{s.id}\0{s.version}\0{s.path}\0{s.sha256}\0{s.origin}" for s in catalogue.provenance.values())
    tag = f"{path}\0{checked_against}"
    this_code = [sys.modules[__name__]]
    policy: Policy = cached_build(files, lambda _: _load_policy(path, catalogue), Policy, tag=tag, modules=this_code, kind="policy")
    return policy


def _load_policy(path: Path | None, catalogue: Catalogue, *, strict_today: date | None = None) -> Policy:
    """:func:`load_policy` without the cache: read, merge over the default, validate and check."""
    from provenance_cli.util.resources import package_file

    default = load_file(package_file("default-policy.yaml"))
    states_version = True
    if path is None:
        document = Document(default.data, "default policy", default.positions, default.key_positions)
    else:
        document = load_file(path)
        foreign = next((kind for key, kind in NOT_A_POLICY.items() if key in document.data), None)
        if foreign is not None:
            raise InputError([Problem(document.source, 1, 1, f"is a {foreign}, not a policy (a policy file starts with 'policy: 2')")])
        states_version = document.data.get("policy") is not None
        # A policy file states only what differs from the bundled default.
        document = Document(_merge(default.data, document.data), document.source, document.positions, document.key_positions)
    try:
        model = PolicyModel.model_validate(document.data)
    except ValidationError as exc:
        from provenance_cli.formats.problems import problems_from

        raise InputError(problems_from(exc, document, PolicyModel)) from None
    problems = check_policy(model, document, catalogue, strict_today)
    if problems:
        raise InputError(problems)
    return _build(model, document.source, catalogue, states_version=states_version)
