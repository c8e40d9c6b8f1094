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

from provenance_cli.formats.models import FormatVersion, IsoDate, StrictModel, Text
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.safeyaml import Document, load_file
from provenance_cli.formats.vocabulary import Severity, did_you_mean
from provenance_cli.util.errors import InputError, Problem

NonNegative = Annotated[float, Field(ge=0)]


class Thresholds(StrictModel):
    """Lowest overall score of each tier above low (0-100)."""

    medium: Annotated[float, Field(ge=0, le=100)] = 25
    high: Annotated[float, Field(ge=0, le=100)] = 50
    critical: Annotated[float, Field(ge=0, le=100)] = 75


class Staleness(StrictModel):
    max_age_days: Annotated[int, Field(ge=1)] = 365
    """An answer older than this (from its as_of date) is stale."""
    categories: dict[str, Annotated[int, Field(ge=1)]] = {}
    """Stricter limits per questionnaire, e.g. export_control: 120."""
    penalty_points: Annotated[float, Field(ge=0, le=100)] = 3
    """Points added per stale answer, times the question's weight."""
    triggers_reassessment: bool = True
    """A stale answer makes reassessment due now."""


class Reassessment(StrictModel):
    """Days between assessments, by tier."""

    low: Annotated[int, Field(ge=1)] = 365
    medium: Annotated[int, Field(ge=1)] = 180
    high: Annotated[int, Field(ge=1)] = 120
    critical: Annotated[int, Field(ge=1)] = 90


class RuleOverride(StrictModel):
    rule: Text
    points: Annotated[float, Field(ge=0, le=100)] | None = None
    severity: Severity | None = None
    disabled: bool = False
    reason: str | None = None
    """Required when disabling a rule: the audit trail must say why."""


class Waiver(StrictModel):
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
    threshold: Annotated[float, Field(ge=50, le=100)] = 88
    allow: list[AllowedMatch] = []


class EvidencePolicy(StrictModel):
    changed_triggers_reassessment: bool = True
    """A cited page that changed since the snapshot makes reassessment due now."""


class PolicyModel(StrictModel):
    policy: FormatVersion = 1
    """Policy format version (1)."""
    name: str = "custom policy"
    category_weights: dict[str, NonNegative] = {}
    tiers: Thresholds = Thresholds()
    knockouts: bool = True
    staleness: Staleness = Staleness()
    reassessment_days: Reassessment = Reassessment()
    rule_overrides: list[RuleOverride] = []
    waivers: list[Waiver] = []
    screening: ScreeningPolicy = ScreeningPolicy()
    evidence: EvidencePolicy = EvidencePolicy()


@dataclass(frozen=True, eq=False)
class Policy:
    """A checked policy, with the digest that report provenance records."""

    model: PolicyModel
    source: str
    sha256: str
    weights: dict[str, float]
    """Weight of every category in the catalogue (default 1)."""
    overrides: dict[str, RuleOverride]

    def weight(self, category: str) -> float:
        return self.weights.get(category, 1.0)

    def max_age_days(self, category: str) -> int:
        return self.model.staleness.categories.get(category, self.model.staleness.max_age_days)

    def tier_for(self, score: float) -> str:
        tiers = self.model.tiers
        if score >= tiers.critical:
            return "critical"
        if score >= tiers.high:
            return "high"
        if score >= tiers.medium:
            return "medium"
        return "low"

    def reassess_after_days(self, tier: str) -> int:
        return int(getattr(self.model.reassessment_days, tier))


def check_policy(model: PolicyModel, document: Document, catalogue: Catalogue, today: date | None) -> list[Problem]:
    """Problems of meaning; ``today`` set means expired waivers are problems too (validate)."""
    problems: list[Problem] = []
    categories = [q.id for q in catalogue.questionnaires]
    rule_ids = sorted(catalogue.rule_ids)
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
    tiers = model.tiers
    if not tiers.medium < tiers.high < tiers.critical:
        problems.append(
            document.problem(
                ("tiers",), f"tier thresholds must rise: medium ({tiers.medium:g}) < high ({tiers.high:g}) < critical ({tiers.critical:g})"
            )
        )
    seen: set[str] = set()
    for index, override in enumerate(model.rule_overrides):
        path = ("rule_overrides", index)
        if override.rule not in catalogue.rule_ids:
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
        if waiver.rule not in catalogue.rule_ids:
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


def _build(model: PolicyModel, source: str, catalogue: Catalogue) -> Policy:
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return Policy(
        model=model,
        source=source,
        sha256=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        weights={q.id: model.category_weights.get(q.id, 1.0) for q in catalogue.questionnaires},
        overrides={o.rule: o for o in model.rule_overrides},
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


def load_policy(path: Path | None, catalogue: Catalogue, *, strict_today: date | None = None) -> Policy:
    """Read a policy file over the bundled default (or the default alone when ``path`` is None).

    ``strict_today`` makes expired waivers an error (``provcheck validate``);
    ``assess`` loads leniently and reports expired waivers in its results.
    """
    from provenance_cli.util.resources import package_file

    default = load_file(package_file("default-policy.yaml"))
    if path is None:
        document = Document(default.data, "default policy", default.positions, default.key_positions)
    else:
        document = load_file(path)
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
    return _build(model, document.source, catalogue)
