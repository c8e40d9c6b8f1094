"""``provcheck simulate``: the same assess pipeline, run twice, once in a changed world held in memory.

The scenario (:mod:`provenance_cli.formats.scenario`) travels with the
assess options. Each worker applies it after reading a dossier: answers set
for a vendor or a model, names added to the screening lists (as one more
in-memory source, never the cache), jurisdictions moved between the policy's
lists. Nothing is written: the dossiers, the policy, the cache and the lock
files stay byte for byte as they were. The two runs are paired by file and
compared; what moved, and why, is read from the two results (the render
layer diffs them the way ``provcheck diff`` does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from provenance_cli.assessment.pipeline import AssessOptions, AssessRun, assess_paths
from provenance_cli.assessment.results import VendorResult
from provenance_cli.formats.dossier import Dossier, normalise_answer, vendor_id_of
from provenance_cli.formats.links import model_key
from provenance_cli.formats.models import AnswerEntry
from provenance_cli.formats.policy import Policy
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.scenario import AnswerSet, Scenario
from provenance_cli.formats.vocabulary import DECISION_RANK, TIER_RANK, did_you_mean
from provenance_cli.screening.model import Entry
from provenance_cli.util.errors import InputError, Problem


@dataclass(frozen=True)
class Move:
    """One vendor before and after the scenario."""

    before: VendorResult
    after: VendorResult

    @property
    def moved(self) -> bool:
        """Its decision or tier would change."""
        return (self.before.decision.outcome, self.before.tier) != (self.after.decision.outcome, self.after.tier)

    @property
    def worse(self) -> bool:
        """Its decision or tier would get worse."""
        return (
            DECISION_RANK[self.after.decision.outcome] > DECISION_RANK[self.before.decision.outcome]
            or TIER_RANK[self.after.tier] > TIER_RANK[self.before.tier]
        )


@dataclass(frozen=True)
class Simulation:
    """Both runs of a simulation, paired by dossier."""

    scenario: Scenario
    moves: tuple[Move, ...]
    """Every vendor judged in both runs, in input order (moved or not)."""
    problems: tuple[Problem, ...]
    warnings: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def worse(self) -> tuple[Move, ...]:
        """The vendors whose decision or tier would get worse: what ``--fail-on-worse`` gates on."""
        return tuple(m for m in self.moves if m.worse)


def simulate(paths: Sequence[Path], options: AssessOptions, scenario: Scenario, *, jobs: int | None = None) -> Simulation:
    """Assess ``paths`` as they are and in the scenario's world; nothing is written."""
    before = assess_paths(paths, options, jobs=jobs)
    problems = unknown_targets(scenario, before)
    if problems:
        raise InputError(problems)
    after = assess_paths(paths, dataclasses.replace(options, scenario=scenario), jobs=jobs)
    by_source = {r.source: r for r in after.results}
    moves = tuple(Move(r, by_source[r.source]) for r in before.results if r.source in by_source)
    return Simulation(scenario, moves, (*before.problems, *after.problems), before.warnings)


def unknown_targets(scenario: Scenario, run: AssessRun) -> list[Problem]:
    """Changes that name a vendor or model no dossier of the run has, at their origin."""
    models: dict[str, set[str]] = {}
    for result in run.results:
        names = {model_key(m.name) for m in result.supply.models} if result.supply is not None else set()
        for key in _vendor_keys(result):
            models.setdefault(key, set()).update(names)
    problems: list[Problem] = []
    known = sorted({r.supply.vendor_id for r in run.results if r.supply is not None})
    for change in scenario.answers:
        key = change.vendor.casefold().strip()
        if key not in models:
            problems.append(
                change.origin.problem(
                    f"names vendor {change.vendor!r}, which no dossier of the run has{did_you_mean(change.vendor, known)}"
                )
            )
        elif change.model is not None and model_key(change.model) not in models[key]:
            problems.append(change.origin.problem(f"names model {change.model!r}, which {change.vendor}'s dossier does not list"))
    return list(dict.fromkeys(problems))


def _vendor_keys(result: VendorResult) -> set[str]:
    keys = {result.vendor.casefold().strip(), result.legal_name.casefold().strip()}
    if result.supply is not None:
        keys.add(result.supply.vendor_id)
    return keys


# --------------------------------------------------------------------------- applied in each worker


def scenario_entries(scenario: Scenario) -> tuple[Entry, ...]:
    """The names the scenario adds to lists, as list entries (``SIM-1``...)."""
    return tuple(
        Entry(addition.list_key, f"SIM-{index}", addition.name, addition.aliases, list_date="simulated")
        for index, addition in enumerate(scenario.additions, start=1)
    )


@lru_cache(maxsize=8)
def scenario_policy(policy: Policy, scenario: Scenario) -> Policy:
    """``policy`` with the scenario's jurisdictions moved between its lists (in memory)."""
    if not scenario.jurisdictions:
        return policy
    lists = {name: set(codes) for name, codes in policy.jurisdiction_lists.items()}
    for change in scenario.jurisdictions:
        for codes in lists.values():
            codes.discard(change.code)
        if change.status != "none":
            lists.setdefault(change.status, set()).add(change.code)
    return dataclasses.replace(policy, jurisdiction_lists={name: frozenset(codes) for name, codes in lists.items()})


def apply_answers(dossier: Dossier, scenario: Scenario, catalogue: Catalogue) -> Dossier:
    """``dossier`` with the scenario's answers for its vendor set: one model's, or the vendor's (and then every model's)."""
    mine = [c for c in scenario.answers if c.vendor.casefold().strip() in _dossier_keys(dossier)]
    for change in mine:
        dossier = _apply(dossier, change, catalogue)
    return dossier


def _dossier_keys(dossier: Dossier) -> set[str]:
    vendor = dossier.model.vendor
    return {vendor_id_of(vendor), vendor.name.casefold().strip(), vendor.legal_name.casefold().strip()}


def _apply(dossier: Dossier, change: AnswerSet, catalogue: Catalogue) -> Dossier:
    raw: Any = list(change.value) if isinstance(change.value, tuple) else change.value
    value = normalise_answer(catalogue.questions[change.question_id], raw)
    entry = AnswerEntry(answer=raw, note=f"Simulated: {change.why}.")
    qid = change.question_id
    model = dossier.model
    model_answers = {name: dict(found) for name, found in dossier.model_answers.items()}
    entries = []
    for item in model.models:
        if change.model is None or model_key(item.name) == model_key(change.model):
            own = dict(item.answers)
            own.pop(qid, None)
            if change.model is not None:
                own[qid] = entry
                model_answers.setdefault(item.name, {})[qid] = value
            else:
                model_answers.get(item.name, {}).pop(qid, None)
            item = item.model_copy(update={"answers": own})
        entries.append(item)
    answers = dict(dossier.answers)
    vendor_entries = dict(model.answers)
    if change.model is None:
        answers[qid] = value
        vendor_entries[qid] = entry
    changed = model.model_copy(update={"models": entries, "answers": vendor_entries})
    return dataclasses.replace(dossier, model=changed, answers=answers, model_answers={k: v for k, v in model_answers.items() if v})
