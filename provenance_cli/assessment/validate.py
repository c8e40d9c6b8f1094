"""``provcheck validate``: what is wrong with each file, without printing anything."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

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
            dossier_from_document(document, hashlib.sha256(raw).hexdigest(), load_catalogue())
    except InputError as exc:
        return FileCheck(source, kind, tuple(exc.problems), version)
    return FileCheck(source, kind, (), version)


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
