"""The assess pipeline: dossier files in, scored vendor results out.

Each file is independent, so folders are spread over worker processes
(:func:`~provenance_cli.util.parallel.parallel_map`); a worker loads the
catalogue and policy once and keeps them. Screening and evidence drift are
optional stages that feed facts into scoring; they never print, and report
problems as warnings attached to the outcome.

A caller that wants each vendor's report written by the same worker passes
a *finisher* (any picklable callable from a result to text, such as
:class:`provenance_cli.render.output.ReportJob`): this layer runs it without
knowing what it renders, so rendering spreads over the cores too. A
finisher whose ``keeps_result`` is False (such as
:class:`provenance_cli.render.output.StreamJob`, which writes the report to
disk and returns a slim summary) replaces the result: only what it returns
travels back to the parent and stays in memory.

Dossiers that link to others (base models, upstreams, owners' dossiers) are
judged in a second round: the first reads and screens every file and
gathers what each says (:mod:`~provenance_cli.assessment.supply_chain`), the
links are resolved across the run (a dangling link or a circle is a problem
with its line), and each linking dossier is then scored with the facts of
everything it reaches. A change in one dossier so changes the verdict of
every dossier that depends on it, in the same run. Runs without links take
one round, as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from provenance_cli.assessment.results import VendorResult
from provenance_cli.assessment.screening_facts import Screened
from provenance_cli.assessment.supply_chain import DossierExport, SupplyContext
from provenance_cli.formats.links import LinkSubject
from provenance_cli.formats.policy import Policy
from provenance_cli.util.errors import InputError, Problem, ProvcheckError, ServiceError, UsageError
from provenance_cli.util.runmemo import RunMemo

if TYPE_CHECKING:
    from provenance_cli.formats.questionnaires import Catalogue
    from provenance_cli.formats.scenario import Scenario  # only a simulation builds one; a plain assess never imports it
    from provenance_cli.screening.model import Entry

Finisher = Callable[[VendorResult], object]
"""Turns one result into a report (text, bytes for a PDF, or a summary of a report it wrote) inside the worker that scored it."""


class Progress(Protocol):
    """What the pipeline tells whoever shows progress; the CLI adapts it to a bar."""

    def start(self, total: int) -> None:
        """The number of files about to be assessed."""

    def advance(self) -> None:
        """One more file done."""


@dataclass(frozen=True)
class AssessOptions:
    """What every worker needs to know, in a picklable form."""

    today: date
    policy_path: str | None = None
    screen: bool = True
    """Screen names against cached lists when a cache exists."""
    evidence: bool = True
    """Compare cited evidence with its lock file when one exists."""
    offline: bool = False
    require_screening: bool = False
    """Treat the default required sources (CSL, 1260H) as required even if the policy says otherwise."""
    questionnaire_dirs: tuple[str, ...] = ()
    """Folders of the organisation's own questionnaires (``--questionnaires``), beside the policy's and the bundled ones."""
    scenario: Scenario | None = None
    """A what-if applied in memory (``provcheck simulate``): answers, list entries, jurisdictions."""
    weigh_questions: bool = False
    """Work out each open question's points at stake and order them by it (``provcheck questions``; costs a few re-scorings)."""


@dataclass(frozen=True)
class Outcome:
    """One file's result, or the problems that kept it from being assessed."""

    path: str
    result: VendorResult | None = None
    problems: tuple[Problem, ...] = ()
    skipped: str | None = None
    """The kind of file found instead of a dossier in a folder (policy, questionnaire, lock): passed over quietly."""
    warnings: tuple[str, ...] = field(default=())
    report: object = None
    """The finisher's report (or summary), when one was given and it succeeded."""
    report_error: str | None = None
    """Why the finisher failed (e.g. a broken custom template)."""
    subject: LinkSubject | None = None
    """The dossier's id, models and declared links, for the link graph."""
    export: DossierExport | None = None
    """What the dossier says, for the dossiers that link to it."""
    packed_export: bytes | None = None
    """``export`` compressed, in a run that keeps only slim summaries (a few KB in place of tens): see :meth:`facts`."""
    pending: bool = False
    """Read and screened, not yet scored: it links to other dossiers, whose facts it needs first."""

    def facts(self) -> DossierExport | None:
        """What the dossier says for the dossiers that link to it, unpacked if it was packed."""
        if self.packed_export is None:
            return self.export
        import pickle
        import zlib

        export: DossierExport = pickle.loads(zlib.decompress(self.packed_export))
        return export

    def packed(self) -> Outcome:
        """This outcome with its export compressed: every dossier's export is held until the links are resolved."""
        if self.export is None:
            return self
        import pickle
        import zlib

        return dataclasses.replace(self, export=None, packed_export=zlib.compress(pickle.dumps(self.export, pickle.HIGHEST_PROTOCOL), 1))


@dataclass(frozen=True)
class AssessRun:
    """Everything one ``assess`` over many files produced, in input order."""

    results: tuple[VendorResult, ...]
    """One per dossier that could be assessed."""
    reports: tuple[object, ...]
    """The finisher's report per dossier assessed (aligned with ``results`` unless the finisher replaces them); None without one."""
    problems: tuple[Problem, ...]
    """Problems of the files that could not be assessed (each file's own)."""
    warnings: tuple[tuple[str, tuple[str, ...]], ...]
    """Each distinct warning once, with the files it concerns."""


@lru_cache(maxsize=4)
def policy_for(path: str | None, questionnaire_dirs: tuple[str, ...] = ()) -> Policy:
    """The policy at ``path`` (or the default), checked against the run's catalogue, loaded once per process."""
    from provenance_cli.assessment.catalogue import catalogue_for
    from provenance_cli.formats.policy import load_policy

    return load_policy(Path(path) if path else None, catalogue_for(path, questionnaire_dirs))


def effective_policy(options: AssessOptions) -> Policy:
    """The run's policy, with a simulation's jurisdiction changes when there is one."""
    policy = policy_for(options.policy_path, options.questionnaire_dirs)
    if options.scenario is None:
        return policy
    from provenance_cli.assessment.simulate import scenario_policy

    return scenario_policy(policy, options.scenario)


_run_catalogues: RunMemo[tuple[str | None, tuple[str, ...]], Catalogue] = RunMemo()
"""The catalogues of the run in progress (see :func:`_one_run`), by policy path and questionnaire folders."""


def _catalogue_of(options: AssessOptions) -> Catalogue:
    """The catalogue ``options`` name; within :func:`_one_run` looked up once per run (it resolves every organisation folder)."""
    from provenance_cli.assessment.catalogue import catalogue_for

    key = (options.policy_path, options.questionnaire_dirs)
    found = _run_catalogues.get(key)
    if found is None:
        found = catalogue_for(*key)
        _run_catalogues.put(key, found)
    return found


@contextmanager
def _one_run() -> Iterator[None]:
    """Every dossier this process assesses in the block reads one catalogue and one look at the list caches.

    The policy was checked against that catalogue once, before the work
    started (:func:`policy_for`); looking both up again for every dossier
    cost about half a millisecond each. The next run looks again.
    """
    from provenance_cli.screening.screen import one_run

    with _run_catalogues.run(), one_run():
        yield


def assess_file(job: tuple[str, AssessOptions], *, named: bool = True, context: SupplyContext | None = None) -> Outcome:
    """Assess one dossier file (module-level so worker processes can run it).

    A policy, questionnaire or lock file is a problem when the user named it,
    and is skipped when it was found in a folder. A dossier that declares
    links and comes without ``context`` is read, screened and left pending:
    the run scores it once the links are resolved.
    """
    from provenance_cli.assessment.supply_chain import ScoringInputs, export_dossier, score_vendor
    from provenance_cli.formats.dossier import read_dossier

    path, options = job
    catalogue = _catalogue_of(options)
    policy = effective_policy(options)
    try:
        dossier = read_dossier(Path(path), catalogue)
    except InputError as exc:
        return Outcome(path, problems=tuple(exc.problems))
    if isinstance(dossier, str):
        if named:
            return Outcome(path, problems=(Problem(path, 0, 0, f"is a {dossier}, not a dossier"),))
        return Outcome(path, skipped=dossier)
    extra: tuple[Entry, ...] = ()
    if options.scenario is not None:
        from provenance_cli.assessment.simulate import apply_answers, scenario_entries

        dossier = apply_answers(dossier, options.scenario, catalogue)
        extra = scenario_entries(options.scenario)

    warnings: list[str] = []
    screened = drift = None
    try:
        if options.screen:
            from provenance_cli.assessment.screening_facts import screen_for_scoring

            screened = screen_for_scoring(dossier, policy, extra, catalogue)
            warnings.extend(screened.warnings)
        if options.evidence:
            from provenance_cli.assessment.evidence_facts import evidence_for_scoring

            drift = evidence_for_scoring(dossier, offline=options.offline)
            if drift is not None:
                warnings.extend(drift.warnings)
    except InputError as exc:  # a malformed lock file or custom list
        return Outcome(path, problems=tuple(exc.problems))

    from provenance_cli.assessment.triggers import list_editions

    subject = dossier.link_subject()
    export = export_dossier(dossier, screened)
    if dossier.links and context is None:
        return Outcome(path, warnings=tuple(warnings), subject=subject, export=export, pending=True)
    reassess_now = drift.changed if drift is not None and policy.model.evidence.changed_triggers_reassessment else None
    gaps = screening_gaps(policy, screened, require=options.require_screening, screen=options.screen)
    editions = list_editions([(v.name, v.list_date) for v in screened.result.list_versions] if screened else [])
    inputs = ScoringInputs(
        options.today, screened, reassess_now, gaps, screened.contradictions if screened else (), editions, options.weigh_questions
    )
    result = score_vendor(dossier, catalogue, policy, inputs, context)
    result = dataclasses.replace(
        result,
        screening=screened.result if screened else None,
        evidence=drift.review if drift else None,
    )
    return Outcome(path, result=result, warnings=tuple(warnings), subject=subject, export=export)


DEFAULT_REQUIRED = ("csl", "dod_1260h")
"""What ``--require-screening`` requires, whatever the policy says."""


def screening_gaps(policy: Policy, screened: Screened | None, *, require: bool, screen: bool) -> tuple[tuple[str, str], ...]:
    """Required sources that were not screened, with why: (source key, reason in words)."""
    required = list(dict.fromkeys([*policy.required_sources, *(DEFAULT_REQUIRED if require else ())]))
    if not required:
        return ()
    if not screen:
        return tuple((source, "screening was switched off for this run (--no-screen)") for source in required)
    coverage = {c.source: c for c in screened.result.coverage} if screened is not None else {}
    gaps = []
    for source in required:
        found = coverage.get(source)
        if found is None:
            why = screened.warnings[0] if screened is not None and screened.warnings else "screening did not run"
            gaps.append((source, why))
        elif not found.screened:
            gaps.append((source, found.reason))
    return tuple(gaps)


Job = tuple[str, AssessOptions, Finisher | None, bool, SupplyContext | None]
"""One file's work: path, options, finisher, whether the user named it, and what its links bring (second round)."""


def assess_and_finish(job: Job) -> Outcome:
    """Assess one file, then run the finisher on its result in the same process."""
    path, options, finish, named, context = job
    try:
        outcome = assess_file((path, options), named=named, context=context)
    except (UsageError, ServiceError):  # run-wide (an unreadable config folder, a required list): the run's error, said once
        raise
    except Exception as exc:  # a bug one dossier runs into must not cost the other vendors their reports
        return Outcome(path, problems=(Problem(path, 0, 0, internal_error(exc)),))
    if finish is None or outcome.result is None:
        return outcome
    try:
        report = finish(outcome.result)
    except ProvcheckError as exc:
        return dataclasses.replace(outcome, report_error=f"{path}: {exc}")
    except Exception as exc:  # a bug in rendering one vendor's report: that file's problem, the others still get theirs
        return Outcome(path, problems=(Problem(path, 0, 0, internal_error(exc)),), warnings=outcome.warnings)
    if getattr(finish, "keeps_result", True):
        return dataclasses.replace(outcome, report=report)
    return dataclasses.replace(outcome, result=None, report=report).packed()


def internal_error(exc: Exception) -> str:
    """What to say about an unexpected exception while assessing one file: its type, message and where it was raised."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return (
        f"could not be assessed: internal error {type(exc).__name__}: {exc}{where}"
        " (a bug in provcheck, please report it; the other files were assessed)"
    )


def assess_files(
    paths: Sequence[Path],
    options: AssessOptions,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    finish: Finisher | None = None,
    named: frozenset[str] | None = None,
) -> list[Outcome]:
    """Assess many files, in order, across ``jobs`` processes.

    ``named`` lists the files the user named (the rest came from folders);
    by default every file counts as named.
    """
    from provenance_cli.util.parallel import parallel_map

    policy_for(options.policy_path, options.questionnaire_dirs)  # refuse a bad policy or questionnaire once, before any work starts
    if progress is not None:
        progress.start(len(paths))
    on_done = progress.advance if progress is not None else None
    work: list[Job] = [(str(p), options, finish, named is None or str(p) in named, None) for p in paths]
    with _one_run():
        outcomes = list(parallel_map(assess_and_finish, work, jobs=jobs, on_done=on_done))
        if any(o.pending for o in outcomes):
            from provenance_cli.assessment.linking import second_round

            beside = [p for p in paths if named is None or str(p) in named]
            outcomes = second_round(outcomes, beside, options, jobs=jobs, finish=finish)
    return outcomes


def assess_paths(
    paths: Sequence[Path],
    options: AssessOptions,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    finish: Finisher | None = None,
) -> AssessRun:
    """The core of ``provcheck assess``: files and folders in, every verdict out.

    Missing paths and a bad policy stop the run before any work (exit 2);
    a bad dossier never stops the others, its problems come back in the run.
    """
    from provenance_cli.util.files import discover

    files, missing = discover(paths)
    if missing:
        raise InputError(missing)
    named = frozenset(str(p) for p in paths if not p.is_dir())
    outcomes = assess_files(files, options, jobs=jobs, progress=progress, finish=finish, named=named)
    failures = [o.report_error for o in outcomes if o.report_error]
    if failures:
        raise UsageError(failures[0])
    seen: dict[str, list[str]] = {}
    policy = policy_for(options.policy_path, options.questionnaire_dirs)  # the same key as above: read once
    if not policy.states_version:
        note = f"states no format version; read as the current format (provcheck upgrade {policy.source} adds 'policy: 2')"
        seen[note] = [policy.source]
    for outcome in outcomes:
        for warning in outcome.warnings:
            seen.setdefault(warning, []).append(outcome.path)
    done = [o for o in outcomes if o.result is not None or o.report is not None]
    return AssessRun(
        results=tuple(o.result for o in done if o.result is not None),
        reports=tuple(o.report for o in done),
        problems=tuple(p for o in outcomes for p in o.problems),
        warnings=tuple((warning, tuple(where)) for warning, where in seen.items()),
    )
