"""The second round of an assess run: resolve links across the run, then score the dossiers that have them.

The first round (:func:`~provenance_cli.assessment.pipeline.assess_files`)
read and screened every file and left the dossiers that declare links
pending. Here the links are resolved among the dossiers of the run, and
beside each file the user named (its own folder), so ``provcheck assess
vendors/switchboard.yaml`` finds ``vendors/northwind.yaml``; files found
that way only lend their facts and get no verdict of their own. A link that
cannot be resolved, or a circle of links, becomes a problem of the linking
file with its line (exit 2); every other dossier is still judged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from provenance_cli.assessment.pipeline import AssessOptions, Finisher, Job, Outcome, assess_and_finish, assess_file, effective_policy
from provenance_cli.assessment.supply_chain import DossierExport, build_context, lineage
from provenance_cli.formats.links import LinkGraph, LinkSubject, resolve_links
from provenance_cli.util.errors import Problem


def second_round(
    outcomes: Sequence[Outcome],
    named: Sequence[Path],
    options: AssessOptions,
    *,
    jobs: int | None = None,
    finish: Finisher | None = None,
) -> list[Outcome]:
    """The run's outcomes with every pending dossier scored (or refused with its link problems)."""
    from provenance_cli.util.parallel import parallel_map

    done = list(outcomes)
    lenders = _lenders(done, named, options)
    graph, problems, exports = link_run([*done, *lenders])
    policy = effective_policy(options)
    found_lineage = lineage(graph, exports)
    work: list[tuple[int, Job]] = []
    for index, outcome in enumerate(done):
        subject = outcome.subject
        if subject is None:
            continue
        if subject.source in problems:
            done[index] = Outcome(outcome.path, problems=tuple(problems[subject.source]), warnings=outcome.warnings)
        elif outcome.pending:
            context = build_context(graph, exports, subject.vendor_id, policy, found_lineage)
            work.append((index, (outcome.path, options, finish, True, context)))
    for (index, _), scored in zip(work, parallel_map(assess_and_finish, [job for _, job in work], jobs=jobs), strict=True):
        done[index] = scored
    return done


def link_run(outcomes: Sequence[Outcome]) -> tuple[LinkGraph, dict[str, list[Problem]], dict[str, DossierExport]]:
    """The link graph of a run's dossiers, the link problems of the files the user gave, and every dossier's facts by id."""
    subjects = [o.subject for o in outcomes if o.subject is not None]
    graph, problems = resolve_links(subjects)
    unreadable = [o.path for o in outcomes if o.problems and o.subject is None]
    if unreadable:
        hint = f" (not counted, because they could not be read: {', '.join(unreadable[:3])}{' ...' if len(unreadable) > 3 else ''})"
        problems = {
            source: [dataclasses.replace(p, message=p.message + hint) if "no dossier among" in p.message else p for p in found]
            for source, found in problems.items()
        }
    lending = {s.source for s in subjects if s.context_only}
    problems = {source: found for source, found in problems.items() if source not in lending}
    exports = {
        export.vendor_id: export
        for o in outcomes
        if o.subject is not None and graph.subjects.get(o.subject.vendor_id) is o.subject and (export := o.facts()) is not None
    }
    return graph, problems, exports


def _lenders(outcomes: Sequence[Outcome], named: Sequence[Path], options: AssessOptions) -> list[Outcome]:
    """Dossiers beside the files the user named, read only because a named file links to them (no verdict of their own)."""
    from provenance_cli.formats.dossier import peek_vendor_id
    from provenance_cli.util.files import discover

    if not named:
        return []
    taken = {str(Path(o.path).resolve()) for o in outcomes}
    known = {o.subject.vendor_id for o in outcomes if o.subject is not None}
    candidates: dict[str, Path] = {}
    for folder in dict.fromkeys(Path(p).parent for p in named):
        for path in discover([folder])[0]:
            if str(path.resolve()) not in taken:
                candidates.setdefault(str(path.resolve()), path)
    ids = {key: peek_vendor_id(path) for key, path in candidates.items()}
    lenders: list[Outcome] = []
    wanted = _missing([o.subject for o in outcomes if o.subject is not None], known)
    while wanted:
        found = [key for key, vendor_id in ids.items() if vendor_id in wanted]
        wanted = set()
        for key in found:
            path = candidates[key]
            del ids[key]
            outcome = assess_file((str(path), options), named=False)
            if outcome.subject is not None:
                lending = dataclasses.replace(outcome.subject, context_only=True)
                outcome = dataclasses.replace(outcome, subject=lending, pending=False)
                known.add(lending.vendor_id)
                wanted |= _missing([lending], known)
            lenders.append(dataclasses.replace(outcome, result=None, report=None))
    return lenders


def _missing(subjects: Sequence[LinkSubject], known: set[str]) -> set[str]:
    return {decl.target_vendor for subject in subjects for decl in subject.links} - known
