"""``provcheck validate``: what is wrong with each file, without printing anything."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from provenance_cli.formats.links import LinkSubject
from provenance_cli.util.errors import InputError, Problem


@dataclass(frozen=True)
class FileCheck:
    """The verdict on one file."""

    path: str
    kind: str
    """dossier, questionnaire, policy or evidence lock (from the top-level keys)."""
    problems: tuple[Problem, ...]
    format_version: int | None = None
    """The format version a dossier or policy states; older ones are read as the current format."""
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


def check_file(path: Path) -> FileCheck:
    """Validate one dossier, questionnaire or policy file against the bundled catalogue."""
    from provenance_cli.formats.dossier import dossier_from_document, file_kind
    from provenance_cli.formats.questionnaires import build_catalogue, load_catalogue
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
            build_catalogue([path])
        elif kind == "evidence lock":
            from provenance_cli.evidence import read_lock

            read_lock(path)
        elif kind == "policy":
            from datetime import date

            from provenance_cli.formats.policy import load_policy

            load_policy(path, load_catalogue(), strict_today=date.today())
        else:
            # The file is already parsed (to tell its kind): validate that document, not a second parse.
            dossier = dossier_from_document(document, hashlib.sha256(raw).hexdigest(), load_catalogue())
            return FileCheck(source, kind, (), version, dossier.link_subject())
    except InputError as exc:
        return FileCheck(source, kind, tuple(exc.problems), version)
    return FileCheck(source, kind, (), version)


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


def check_questionnaire_set(paths: list[Path]) -> list[FileCheck]:
    """Questionnaires refer to each other, so a set is checked together."""
    from provenance_cli.formats.questionnaires import build_catalogue

    try:
        build_catalogue(paths)
    except InputError as exc:
        by_file: dict[str, list[Problem]] = {}
        for problem in exc.problems:
            by_file.setdefault(problem.source, []).append(problem)
        return [FileCheck(str(p), "questionnaire", tuple(by_file.get(str(p), ()))) for p in paths]
    return [FileCheck(str(p), "questionnaire", ()) for p in paths]
