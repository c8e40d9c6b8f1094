"""Continuous monitoring of a folder of dossiers: what is new since the last run.

Access to a vendor can change overnight by a government decision, so a
point-in-time assessment is not enough. ``provcheck monitor DIR`` assesses
every dossier against the cached lists (never downloading unless asked),
compares the result with the state the previous run left beside the
dossiers (:mod:`.monitor_state`) and reports, per dossier:

* screening hits that appeared or disappeared: which name in the chain,
  which list entry, and why (the entry was added or changed in the last
  list update, or removed; or the dossier changed);
* decisions and tiers that moved;
* date triggers that fired (a restoration date passed, a renewal is near);
* answers that went stale; evidence that changed or broke (lock files);

and, per list, which lists were updated in between, with their deltas.

Something got *worse* when a hit appeared, a decision or tier moved the
wrong way, a trigger fired, an answer went stale, evidence drifted, or a
new dossier arrived rejected or incomplete; improvements are reported but
are not worse. The exit code is 3 when a required list could not be
checked (no usable cache), else 2 when a file could not be read, else 1
when something got worse, else 0. The first run (no state) reports
everything as new; ``baseline`` records it without counting it as worse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from provenance_cli.assessment.monitor_state import STATE_NAME, DossierState, Hit, ListState, MonitorState, read_state
from provenance_cli.assessment.results import VendorResult
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.vocabulary import DECISION_RANK, TIER_RANK
from provenance_cli.screening.delta import ListDelta
from provenance_cli.util.errors import EXIT_GATE, EXIT_INPUT, EXIT_OK, EXIT_SERVICE, Problem

KINDS = (
    "hit_added",
    "hit_removed",
    "decision",
    "tier",
    "trigger",
    "trigger_cleared",
    "stale",
    "evidence",
    "dossier_added",
    "dossier_removed",
    "list_updated",
    "policy_changed",
)
"""Every kind of change a monitor report can hold, in the order reports list them."""


@dataclass(frozen=True)
class Change:
    """One thing that is new since the last run, in words."""

    kind: str
    worse: bool
    summary: str
    """One sentence: what changed."""
    detail: str = ""
    """Why, and where: the list entry and the update that brought it, the dates behind a trigger."""
    dossier: str | None = None
    """The dossier's path relative to the folder; None for a list."""
    vendor: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The change as ``monitor -f json`` writes it."""
        return {
            "kind": self.kind,
            "worse": self.worse,
            "dossier": self.dossier,
            "vendor": self.vendor,
            "summary": self.summary,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ListStatus:
    """One list source as this run used it: its cached copy and the last update's delta."""

    source: str
    title: str
    state: ListState | None
    """None when not cached."""
    delta: ListDelta | None
    changed_since_last_run: bool


@dataclass(frozen=True)
class MonitorOptions:
    """How to monitor: the policy, the day, evidence online or not, worker processes."""

    today: date
    policy_path: str | None = None
    check_evidence: bool = False
    """Fetch cited pages and compare them with the lock files (network); otherwise read the locks only."""
    jobs: int | None = None
    baseline: bool = False
    """Record the state without counting anything as worse (the exit code is then 0, 2 or 3)."""


@dataclass(frozen=True)
class MonitorReport:
    """What one monitor run found, for the terminal, Markdown and JSON."""

    folder: str
    as_of: date
    checked_at: str
    previous_run: str | None
    """When the previous state was written; None on the first run."""
    dossiers: int
    changes: tuple[Change, ...]
    lists: tuple[ListStatus, ...]
    unchecked: tuple[tuple[str, str], ...]
    """Required sources that could not be checked: (source, why)."""
    problems: tuple[Problem, ...]
    """Files that could not be assessed."""
    warnings: tuple[str, ...] = ()
    baseline: bool = False

    @property
    def worse(self) -> tuple[Change, ...]:
        """The changes that made something worse (none when recording a baseline)."""
        return () if self.baseline else tuple(c for c in self.changes if c.worse)

    @property
    def exit_code(self) -> int:
        """3 a required list unchecked, 2 a file unreadable, 1 something worse, 0 otherwise."""
        if self.unchecked:
            return EXIT_SERVICE
        if self.problems:
            return EXIT_INPUT
        return EXIT_GATE if self.worse else EXIT_OK

    def verdict(self) -> str:
        """The run's outcome in one sentence, matching the exit code."""
        code = self.exit_code
        if code == EXIT_SERVICE:
            return "A required list could not be checked (no usable cache): the run is incomplete."
        if code == EXIT_INPUT:
            return "Some files could not be assessed; the others were checked."
        if code == EXIT_GATE:
            return f"Something got worse: {len(self.worse)} of {len(self.changes)} change(s) need attention."
        if self.baseline:
            return "Baseline recorded: the next run reports what is new since this one."
        return "Nothing got worse since the last run." if self.changes else "Nothing new since the last run."


# --------------------------------------------------------------------------- current state


def _hits(result: VendorResult) -> tuple[Hit, ...]:
    if result.screening is None:
        return ()
    return tuple(
        dict.fromkeys(
            Hit(m.list_key, m.list_name, m.entry_id, m.entry_name, m.screened_name, m.role, m.parent_name) for m in result.screening.matches
        )
    )


def dossier_state(result: VendorResult, catalogue: Catalogue) -> DossierState:
    """What the monitor remembers of one result."""
    from provenance_cli.assessment.triggers import fired_triggers

    evidence: tuple[tuple[str, str, str], ...] = ()
    if result.evidence is not None:
        evidence = tuple(sorted({(f.question_id, f.url, f.status) for f in result.evidence.findings if f.is_finding}))
    return DossierState(
        vendor=result.vendor,
        sha256=result.sha256,
        decision=result.decision.outcome,
        tier=result.tier,
        hits=_hits(result),
        triggers={t.rule_id: (t.message, t.answer) for t in fired_triggers(result, catalogue) if t.waiver is None},
        stale=tuple(s.question_id for s in result.stale),
        evidence=evidence,
    )


def list_statuses(previous: MonitorState | None) -> tuple[ListStatus, ...]:
    """Every list source: its cached copy now, the last update's delta, and whether it changed since the previous run."""
    from provenance_cli.screening.cache import read_meta, source_dir
    from provenance_cli.screening.delta import read_delta
    from provenance_cli.screening.screen import SOURCE_ORDER
    from provenance_cli.screening.source import get_source

    statuses = []
    for key in SOURCE_ORDER:
        meta = read_meta(key)
        state = (
            None
            if meta is None
            else ListState(meta.sha256, meta.fetched_at, {k: v.get("list_date") for k, v in sorted(meta.lists.items())})
        )
        before = previous.lists.get(key) if previous else None
        changed = previous is not None and state is not None and (before is None or before.sha256 != state.sha256)
        delta = read_delta(source_dir(key), meta.sha256) if meta is not None else None
        statuses.append(ListStatus(key, get_source(key).title, state, delta, changed))
    return tuple(statuses)


# --------------------------------------------------------------------------- comparing


@dataclass
class _Context:
    """What attribution needs: the lists that changed since the last run and their deltas."""

    lists: dict[str, ListStatus]
    list_of: dict[str, str] = field(default_factory=dict)
    """List key (``el``, ``un_sc``) -> source key (``csl``, ``un_sc``)."""

    def why_added(self, hit: Hit, dossier_changed: bool) -> str:
        """Why a hit appeared: the list entry was added or changed in the latest update, or the dossier changed."""
        status = self.lists.get(self.list_of.get(hit.list_key, hit.list_key))
        if status is not None and status.changed_since_last_run and status.delta is not None:
            found = status.delta.by_key().get((hit.list_key, hit.entry_id))
            when = f"the update fetched {status.delta.current.fetched_at[:10]}"
            if found is not None and found[0] == "added":
                return f"entry {hit.entry_id} was added to the list in {when}"
            if found is not None and found[0] == "changed":
                return f"entry {hit.entry_id} changed in {when} ({'; '.join(found[1].changes)})"
            if status.delta.previous is None:
                return f"the list was first downloaded in {when}"
            return "the list changed since the last run"
        if dossier_changed:
            return "the dossier changed since the last run (names, aliases or owners)"
        return "the same list copy and dossier: the policy's threshold or allow-list changed"

    def why_removed(self, hit: Hit, dossier_changed: bool) -> str:
        """Why a hit disappeared: the entry was removed from the list, or the dossier changed."""
        status = self.lists.get(self.list_of.get(hit.list_key, hit.list_key))
        if status is not None and status.changed_since_last_run and status.delta is not None:
            found = status.delta.by_key().get((hit.list_key, hit.entry_id))
            if found is not None and found[0] == "removed":
                return f"entry {hit.entry_id} was removed from the list in the update fetched {status.delta.current.fetched_at[:10]}"
            if found is not None and found[0] == "changed":
                return f"entry {hit.entry_id} changed ({'; '.join(found[1].changes)})"
        if status is not None and status.state is None:
            return "the list is no longer cached"
        if dossier_changed:
            return "the dossier changed since the last run"
        return "the list or the policy changed since the last run"


def _hit_changes(path: str, now: DossierState, before: DossierState | None, context: _Context) -> list[Change]:
    old = {h.key: h for h in before.hits} if before else {}
    new = {h.key: h for h in now.hits}
    changed = before is not None and before.sha256 != now.sha256
    changes = [
        Change(
            "hit_added",
            True,
            f"{hit.who()} is newly listed on {hit.list_name} as {hit.entry_name!r} (entry {hit.entry_id})",
            context.why_added(hit, changed),
            path,
            now.vendor,
        )
        for key, hit in new.items()
        if key not in old
    ]
    changes += [
        Change(
            "hit_removed",
            False,
            f"{hit.who()} no longer matches {hit.entry_name!r} on {hit.list_name} (entry {hit.entry_id})",
            context.why_removed(hit, changed),
            path,
            now.vendor,
        )
        for key, hit in old.items()
        if key not in new
    ]
    return changes


def _moves(path: str, now: DossierState, before: DossierState) -> list[Change]:
    changes: list[Change] = []
    if now.decision != before.decision:
        worse = DECISION_RANK.get(now.decision, 0) > DECISION_RANK.get(before.decision, 0)
        text = f"decision moved from {before.decision.replace('_', ' ')} to {now.decision.replace('_', ' ')}"
        changes.append(Change("decision", worse, text, "", path, now.vendor))
    if now.tier != before.tier:
        worse = TIER_RANK.get(now.tier, 0) > TIER_RANK.get(before.tier, 0)
        changes.append(Change("tier", worse, f"tier moved from {before.tier} to {now.tier}", "", path, now.vendor))
    return changes


def _fact_changes(path: str, now: DossierState, before: DossierState | None) -> list[Change]:
    old_triggers = before.triggers if before else {}
    changes = [
        Change("trigger", True, f"date trigger {trigger_id}: {message}", reason, path, now.vendor)
        for trigger_id, (message, reason) in now.triggers.items()
        if trigger_id not in old_triggers
    ]
    changes += [
        Change("trigger_cleared", False, f"date trigger {trigger_id} no longer fires", "", path, now.vendor)
        for trigger_id in old_triggers
        if trigger_id not in now.triggers
    ]
    stale = [q for q in now.stale if q not in set(before.stale if before else ())]
    if stale:
        shown = ", ".join(stale[:8]) + (f" and {len(stale) - 8} more" if len(stale) > 8 else "")
        changes.append(
            Change(
                "stale",
                True,
                f"{len(stale)} answer(s) went stale",
                f"{shown}; staleness lowers confidence and calls for reassessment, it adds no risk",
                path,
                now.vendor,
            )
        )
    old_evidence = set(before.evidence if before else ())
    changes += [
        Change("evidence", True, f"evidence for {question} is {status}", url, path, now.vendor)
        for question, url, status in now.evidence
        if (question, url, status) not in old_evidence
    ]
    return changes


def compare(
    current: dict[str, DossierState],
    previous: MonitorState | None,
    lists: Sequence[ListStatus],
    list_of: dict[str, str],
    policy_sha256: str = "",
) -> list[Change]:
    """Every change from the previous state to the current one: the policy and list updates first, then dossier by dossier."""
    context = _Context({s.source: s for s in lists}, list_of)
    changes: list[Change] = []
    if previous is not None and previous.policy_sha256 and policy_sha256 and previous.policy_sha256 != policy_sha256:
        changes.append(
            Change("policy_changed", False, "the policy changed since the last run", "decisions below may have moved because of it")
        )
    for status in lists:
        if not status.changed_since_last_run or status.state is None:
            continue
        summary = status.delta.summary() if status.delta is not None else "a new copy, with no delta recorded"
        names = []
        if status.delta is not None:
            names = [f"+ {e.name} ({e.entry_id})" for e in status.delta.added[:5]] + [
                f"- {e.name} ({e.entry_id})" for e in status.delta.removed[:5]
            ]
        dates = ", ".join(f"{k} {v or '?'}" for k, v in status.state.list_dates.items())
        changes.append(
            Change("list_updated", False, f"{status.title} was updated ({dates})", summary + ("; " + "; ".join(names) if names else ""))
        )
    before = previous.dossiers if previous else {}
    for path, now in current.items():
        old = before.get(path)
        if old is None:
            worse = now.decision in ("reject", "incomplete")
            changes.append(
                Change(
                    "dossier_added", worse, f"new dossier: decision {now.decision.replace('_', ' ')}, tier {now.tier}", "", path, now.vendor
                )
            )
        changes += _hit_changes(path, now, old, context)
        if old is not None:
            changes += _moves(path, now, old)
        changes += _fact_changes(path, now, old)
    for path, old in before.items():
        if path not in current:
            changes.append(Change("dossier_removed", False, "dossier no longer in the folder (or could not be read)", "", path, old.vendor))
    order = {kind: rank for rank, kind in enumerate(KINDS)}
    return sorted(changes, key=lambda c: (c.dossier is not None, c.dossier or "", not c.worse, order[c.kind]))


# --------------------------------------------------------------------------- running


def _relative(source: str, folder: Path) -> str:
    try:
        return Path(source).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return source


def _unchecked(results: Sequence[VendorResult], required: Sequence[str]) -> list[tuple[str, str]]:
    """Required sources that no result could screen, with the reason screening gave."""
    missing: dict[str, str] = {}
    for result in results:
        for coverage in result.screening.coverage if result.screening is not None else ():
            if coverage.source in required and not coverage.screened:
                missing.setdefault(coverage.source, coverage.reason)
    return sorted(missing.items())


def run_monitor(
    folder: Path,
    options: MonitorOptions,
    *,
    state_path: Path | None = None,
    unchecked: Sequence[tuple[str, str]] = (),
    warnings: Sequence[str] = (),
) -> tuple[MonitorReport, MonitorState]:
    """Assess ``folder``, compare with the previous state, and return the report and the state to save.

    ``unchecked`` adds sources a ``--update`` could not fetch and that have
    no usable cache. Dossiers that could not be read keep their previous
    state, so a fixed file is compared with its last good run.
    """
    from provenance_cli.assessment.catalogue import catalogue_for
    from provenance_cli.assessment.pipeline import AssessOptions, assess_paths, policy_for
    from provenance_cli.screening.cache import now_iso
    from provenance_cli.util.errors import UsageError

    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; monitor watches a folder of dossiers")
    path = state_path or folder / STATE_NAME
    previous = read_state(path)
    catalogue = catalogue_for(options.policy_path)
    policy = policy_for(options.policy_path)
    assess_options = AssessOptions(
        today=options.today, policy_path=options.policy_path, screen=True, evidence=True, offline=not options.check_evidence
    )
    run = assess_paths([folder], assess_options, jobs=options.jobs)
    current = {_relative(result.source, folder): dossier_state(result, catalogue) for result in run.results}
    failed = {_relative(problem.source, folder) for problem in run.problems}
    if previous is not None:
        for kept in failed & set(previous.dossiers):
            current.setdefault(kept, previous.dossiers[kept])
    lists = list_statuses(previous)
    list_of = {key: status.source for status in lists if status.state is not None for key in status.state.list_dates}
    changes = compare(current, previous, lists, list_of, policy.sha256)
    stamp = now_iso()
    report = MonitorReport(
        folder=str(folder),
        as_of=options.today,
        checked_at=stamp,
        previous_run=previous.written_at if previous else None,
        dossiers=len(run.results),
        changes=tuple(changes),
        lists=tuple(lists),
        unchecked=tuple(dict.fromkeys([*unchecked, *_unchecked(run.results, policy.required_sources)])),
        problems=run.problems,
        warnings=tuple(dict.fromkeys([*warnings, *(w for w, _ in run.warnings)])),
        baseline=options.baseline,
    )
    state = MonitorState(
        written_at=stamp,
        as_of=options.today.isoformat(),
        policy_sha256=policy.sha256,
        dossiers=current,
        lists={s.source: s.state for s in lists if s.state is not None},
    )
    return report, state


def refresh_lists(required: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """``monitor --update``: update the default lists plus those the policy requires.

    Returns notes (one per source, the delta's summary) and the sources that
    failed with no usable cache, with why; a failure with a cache is a note,
    and monitoring goes on with the cached copy.
    """
    from provenance_cli.screening.cache import read_meta
    from provenance_cli.screening.config import load_config
    from provenance_cli.screening.fetch import default_sources, update_source
    from provenance_cli.screening.source import get_source
    from provenance_cli.util.errors import ServiceError

    config = load_config()
    notes: list[str] = []
    failed: list[tuple[str, str]] = []
    for key in default_sources(config, tuple(required)):
        try:
            outcome = update_source(key, config=config)
        except ServiceError as exc:
            if read_meta(key) is not None:
                notes.append(f"{key}: update failed, the cached copy is used: {exc}")
            elif get_source(key).bundled_path() is not None:
                notes.append(f"{key}: update failed, the bundled edition is used: {exc}")
            else:
                failed.append((key, str(exc)))
            continue
        summary = outcome.delta.summary() if outcome.delta is not None else "no new copy"
        notes.append(f"{key}: {outcome.status}; {summary}")
    return notes, failed
