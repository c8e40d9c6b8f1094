"""``provcheck validate``: what is wrong with each file, without printing anything."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from provenance_cli.formats.links import LinkSubject
from provenance_cli.util.errors import InputError, Problem

ValidateJob = tuple[str, str | None, tuple[str, ...]]
"""(file, policy file or None, organisation questionnaire folders): one file's check, picklable for worker processes."""


@dataclass(frozen=True)
class FileCheck:
    """The verdict on one file."""

    path: str
    kind: str
    """dossier, questionnaire, policy, frameworks or evidence lock (from the top-level keys)."""
    problems: tuple[Problem, ...]
    format_version: int | None = None
    """The format version a dossier or policy states; older ones are read as the current format."""
    notes: tuple[str, ...] = ()
    """What a valid file should know, e.g. the questions added since the questionnaire version a dossier was answered against."""
    subject: LinkSubject | None = None
    """A valid dossier's id and declared links, checked across the files given once all are read."""

    @property
    def outdated(self) -> bool:
        """A dossier or policy written for an older format (read fine; ``provcheck upgrade`` rewrites it)."""
        from provenance_cli.formats.upgrade import VERSION_KEYS

        return self.kind in VERSION_KEYS and self.format_version is not None and self.format_version < VERSION_KEYS[self.kind][1]

    @property
    def valid(self) -> bool:
        """True when the file has no problems."""
        return not self.problems


VALIDATE_THRESHOLD = 256
"""Files from which ``validate`` starts two worker processes (see ``util.parallel.pool_size``).

Checking a file costs about a third of assessing it, so workers pay only for
larger folders. Measured ``validate DIR --jobs 1`` against ``--jobs 2`` with
the pool forced on, fresh processes, medians of 3 interleaved runs (2 shared
cores, load average 9), the catalogue loaded before the workers fork: wall
0.87x at 32 files, 0.96x at 96, 1.02x at 256, 1.51x at 1,000; two workers
spend 5-9% more CPU (16% before the catalogue was loaded ahead of the fork).
Again at load average 1.3: 0.96x at 96 files, 1.29x at 256.
"""


def preload_catalogue(policy: Path | None, questionnaire_dirs: tuple[str, ...]) -> None:
    """Load the run's catalogue once in the parent, so forked workers start with it instead of each loading its own.

    A catalogue that cannot be loaded is left for each file's check to report against its own file.
    """
    from provenance_cli.assessment.catalogue import catalogue_for
    from provenance_cli.util.errors import ProvcheckError

    try:
        catalogue_for(policy, questionnaire_dirs)
    except ProvcheckError:
        return


def check_job(job: ValidateJob) -> FileCheck:
    """:func:`check_file` for one worker-process job."""
    path, policy, folders = job
    return check_file(Path(path), policy=Path(policy) if policy else None, questionnaire_dirs=folders)


def check_file(path: Path, *, policy: Path | None = None, questionnaire_dirs: tuple[str, ...] = ()) -> FileCheck:
    """Validate one dossier, questionnaire, frameworks file or policy against the run's catalogue.

    The catalogue is the bundled one plus the organisation folders of
    ``policy`` and ``questionnaire_dirs``; a policy file under check adds its
    own folders.
    """
    from provenance_cli.assessment.catalogue import catalogue_for
    from provenance_cli.formats.dossier import dossier_from_document, file_kind
    from provenance_cli.formats.safeyaml import decode_utf8, load_text, read_bytes
    from provenance_cli.formats.upgrade import VERSION_KEYS, format_version

    source = str(path)
    kind = "dossier"
    version = None
    try:
        raw = read_bytes(path)
        document = load_text(decode_utf8(raw, source), source)
        kind = file_kind(document.data)
        version = format_version(document, kind) if kind in VERSION_KEYS else None
        if kind == "questionnaire":
            return check_questionnaire_set([path], questionnaire_dirs=questionnaire_dirs)[0]
        if kind == "frameworks":
            from provenance_cli.formats.frameworks import read_framework_file

            _, problems = read_framework_file(path, document)
            if problems:
                raise InputError(problems)
        elif kind == "evidence lock":
            from provenance_cli.evidence import read_lock

            read_lock(path)
        elif kind == "policy":
            from datetime import date

            from provenance_cli.formats.policy import load_policy

            load_policy(path, catalogue_for(path, questionnaire_dirs), strict_today=date.today())
        else:
            # The file is already parsed (to tell its kind): validate that document, not a second parse.
            catalogue = catalogue_for(policy, questionnaire_dirs)
            dossier = dossier_from_document(document, hashlib.sha256(raw).hexdigest(), catalogue)
            given = frozenset(q for q, entry in dossier.model.answers.items() if entry.answer is not None)
            notes = version_notes(dossier.model.questionnaires, catalogue, answered=given)
            return FileCheck(source, kind, (), version, notes=notes, subject=dossier.link_subject())
    except InputError as exc:
        return FileCheck(source, kind, tuple(exc.problems), version)
    return FileCheck(source, kind, (), version)


def version_notes(  # type: ignore[no-untyped-def]
    versions: dict[str, str], catalogue, *, answered: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """For a dossier answered against older questionnaire versions, which questions are new since then, in words.

    ``answered`` holds the question ids the dossier already answers: new
    questions it answers already are counted, not listed.
    """
    from provenance_cli.formats.questionnaires import compare_versions, questions_added_since

    notes: list[str] = []
    current = {q.id: q for q in catalogue.questionnaires}
    for questionnaire_id, version in versions.items():
        questionnaire = current.get(questionnaire_id)
        if questionnaire is None:
            notes.append(f"answered against questionnaire {questionnaire_id} {version}, which this run does not load")
            continue
        order = compare_versions(version, questionnaire.version)
        if order > 0:
            notes.append(
                f"answered against {questionnaire_id} {version}, newer than this provcheck's {questionnaire.version}; "
                "upgrade provcheck before relying on the result"
            )
        elif order < 0:
            notes.append(
                _added_note(questionnaire_id, version, questionnaire.version, questions_added_since(questionnaire, version), answered)
            )
    return tuple(notes)


def _added_note(questionnaire_id: str, old: str, new: str, added: list, answered: frozenset[str]) -> str:  # type: ignore[type-arg]
    """One note: which questions ``new`` adds since ``old`` that the dossier has not answered yet."""
    head = f"answered against {questionnaire_id} {old}; {new}"
    if not added:
        return f"{head} adds no question, only changes; update the version in the dossier's questionnaires line"
    missing = [q for q in added if q.id not in answered]
    count = f"{len(added)} question{'s' if len(added) != 1 else ''}"
    if not missing:
        return f"{head} adds {count}, all answered; update the version in the dossier's questionnaires line"
    listed = "; ".join(f"{q.id} ({' '.join(q.text.split())})" for q in missing)
    open_ = "it has not answered yet" if len(missing) == len(added) else f"{len(missing)} of them not answered yet"
    return f"{head} adds {count}, {open_}: {listed}"


def check_questionnaire_set(paths: list[Path], *, questionnaire_dirs: tuple[str, ...] = ()) -> list[FileCheck]:
    """Questionnaires refer to each other, so a set is checked together, beside the bundled ones.

    A file with a bundled questionnaire's id is checked in that one's place
    (an edited copy of it; a note says so); any other file is checked as an
    organisation's questionnaire, after the bundled ones, so its conditions
    may read bundled answers, and the frameworks files in its folder count,
    as they do when that folder is loaded with ``--questionnaires``. The
    folders of ``questionnaire_dirs`` are checked exactly as a run loads
    them: there an id that repeats a bundled one is refused.
    """
    from provenance_cli.formats.frameworks import load_frameworks
    from provenance_cli.formats.questionnaires import build_catalogue, load_catalogue, organisation_files
    from provenance_cli.formats.safeyaml import load_file
    from provenance_cli.util.resources import data_dir

    bundled_root = data_dir("questionnaires")
    bundled = load_catalogue()
    bundled_path = {qid: Path(source) for qid, source in bundled.sources.items()}
    given_id: dict[Path, str | None] = {}
    for path in paths:
        try:
            data = load_file(path).data
        except InputError:
            data = None
        given_id[path] = str(data.get("id")) if isinstance(data, dict) and data.get("id") is not None else None
    replacing = {path: qid for path, qid in given_id.items() if qid in bundled_path}
    notes = {
        path: (
            f"has the id of the bundled questionnaire {qid}, so it was checked in that one's place; "
            "loaded with --questionnaires, an organisation's questionnaire with this id is refused",
        )
        for path, qid in replacing.items()
        if path.resolve() != bundled_path[qid].resolve()
    }
    base = [bundled_path[q.id] for q in bundled.questionnaires if q.id not in replacing.values()]
    own_given = [p for p in paths if p not in replacing]
    named = {p.resolve() for p in paths}
    try:
        own, framework_files = organisation_files(questionnaire_dirs) if questionnaire_dirs else ([], [])
        own = [p for p in own if p.resolve() not in named]
        loaded = {p.resolve() for p in framework_files}
        beside = [p for p in _frameworks_files_beside(own_given) if p.resolve() not in loaded]
        frameworks = load_frameworks(tuple(str(p) for p in [*framework_files, *beside]))
        build_catalogue([*base, *replacing], organisation=[*own, *own_given], frameworks=frameworks, bundled_root=bundled_root)
    except InputError as exc:
        by_file: dict[str, list[Problem]] = {}
        for problem in exc.problems:
            by_file.setdefault(problem.source, []).append(problem)
        # Problems of files the user did not name (an organisation folder) still stop the set: shown with the first file.
        elsewhere = [p for source, found in by_file.items() if source not in {str(q) for q in paths} for p in found]
        checks = [FileCheck(str(p), "questionnaire", tuple(by_file.get(str(p), ())), notes=notes.get(p, ())) for p in paths]
        if elsewhere and checks:
            checks[0] = FileCheck(checks[0].path, "questionnaire", (*checks[0].problems, *elsewhere), notes=checks[0].notes)
        return checks
    return [FileCheck(str(p), "questionnaire", (), notes=notes.get(p, ())) for p in paths]


def _frameworks_files_beside(paths: list[Path]) -> list[Path]:
    """The frameworks files (top-level ``frameworks:``) in the folders of ``paths``, told by their marker key without parsing."""
    from provenance_cli.formats.dossier import declared_kind
    from provenance_cli.formats.safeyaml import read_bytes

    found: list[Path] = []
    for folder in dict.fromkeys(p.parent for p in paths):
        for candidate in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                if declared_kind(read_bytes(candidate)) == "frameworks":
                    found.append(candidate)
            except InputError:
                continue
    return found


def check_links(checks: Sequence[FileCheck], named: Sequence[Path]) -> list[FileCheck]:
    """``checks`` with the problems of links that do not resolve among the dossiers given (and those beside named files)."""
    from provenance_cli.formats.links import resolve_links

    subjects = [c.subject for c in checks if c.subject is not None]
    if not any(s.links for s in subjects):
        return list(checks)
    lenders = _lending_subjects(subjects, named, {str(Path(c.path).resolve()) for c in checks})
    _, problems = resolve_links([*subjects, *lenders])
    return [
        dataclasses.replace(c, problems=(*c.problems, *problems[c.path])) if c.subject is not None and c.path in problems else c
        for c in checks
    ]


def _lending_subjects(subjects: list[LinkSubject], named: Sequence[Path], taken: set[str]) -> list[LinkSubject]:
    """Dossiers beside the named files that a named file's links need (read, not reported on)."""
    from provenance_cli.formats.dossier import load_dossier, peek_vendor_id
    from provenance_cli.util.files import discover

    known = {s.vendor_id for s in subjects}
    wanted = {d.target_vendor for s in subjects for d in s.links} - known
    candidates = [p for folder in dict.fromkeys(p.parent for p in named) for p in discover([folder])[0] if str(p.resolve()) not in taken]
    lenders: list[LinkSubject] = []
    while wanted:
        found = [p for p in candidates if peek_vendor_id(p) in wanted]
        candidates = [p for p in candidates if p not in found]
        wanted = set()
        for path in found:
            try:
                lender = dataclasses.replace(load_dossier(path).link_subject(), context_only=True)
            except InputError:
                continue
            lenders.append(lender)
            known.add(lender.vendor_id)
            wanted |= {d.target_vendor for d in lender.links} - known
    return lenders
