"""Upgrading dossiers and policies written for an older format, in place, without losing a comment.

Every reader accepts the older formats (a format 1 dossier is read as
format 2 with an unknown engagement; a format 1 policy takes the bundled
default's buyer, jurisdictions and decision), so upgrading is never needed
to keep working. ``provcheck upgrade`` makes the file say so itself: the
version line changes in place and a dossier gains an empty ``engagement:``
block. The edit is made on the text, line by line, so comments, quoting and
key order stay exactly as the user wrote them; the result is re-read by the
strict loader before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance_cli.formats.models import DOSSIER_FORMAT, POLICY_FORMAT
from provenance_cli.formats.safeyaml import Document, load_text
from provenance_cli.formats.scaffold import ENGAGEMENT_BLOCK
from provenance_cli.util.errors import InputError, Problem

VERSION_KEYS = {"dossier": ("provcheck", DOSSIER_FORMAT), "policy": ("policy", POLICY_FORMAT)}
"""Per kind of file: the key that carries its format version, and the version this provcheck writes."""


@dataclass(frozen=True)
class Upgrade:
    """What upgrading one file did (or would do)."""

    kind: str
    """dossier or policy."""
    from_version: int
    to_version: int
    text: str
    """The upgraded text (the input unchanged when already current)."""

    @property
    def changed(self) -> bool:
        """True when the file was written for an older format."""
        return self.from_version != self.to_version


def format_version(document: Document, kind: str) -> int | None:
    """The format version a dossier or policy file states (a policy may leave it out: 1)."""
    key, _ = VERSION_KEYS[kind]
    value = document.data.get(key)
    if value is None:
        return 1 if kind == "policy" else None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def upgrade_text(text: str, source: str, kind: str) -> Upgrade:
    """The text of a dossier or policy upgraded to the current format; InputError when it cannot be."""
    document = load_text(text, source)
    key, current = VERSION_KEYS[kind]
    version = format_version(document, kind)
    if version is None or version > current or version < 1:
        raise InputError(
            [document.problem((key,), f"cannot upgrade: format version {document.data.get(key)!r} is not one this provcheck reads")]
        )
    if version == current:
        return Upgrade(kind, version, current, text)
    lines = text.splitlines(keepends=True)
    if key in document.data:
        line, _ = document.locate((key,))
        lines[line - 1] = _with_version(lines[line - 1], key, current, source, line)
    else:
        lines.insert(0, f"{key}: {current}\n")
    if kind == "dossier" and "engagement" not in document.data:
        lines = _insert_engagement(lines, document)
    upgraded = "".join(lines)
    load_text(upgraded, source)  # never write what the strict loader would refuse
    return Upgrade(kind, version, current, upgraded)


def _with_version(line: str, key: str, version: int, source: str, number: int) -> str:
    """``provcheck: 1  # comment`` -> ``provcheck: 2  # comment``: only the value changes."""
    head, sep, rest = line.partition(":")
    if head.strip() != key or not sep:
        raise InputError([Problem(source, number, 1, f"cannot upgrade: expected '{key}: <version>' alone on line {number}")])
    value = rest.lstrip(" \t")
    end = len(value) - len(value.lstrip("\"'0123456789"))
    indent = rest[: len(rest) - len(value)]
    return f"{head}{sep}{indent}{version}{value[end:]}"


def _insert_engagement(lines: list[str], document: Document) -> list[str]:
    """The engagement block before the first top-level key after ``vendor`` (or at the end)."""
    tops = sorted((pos[0], path[0]) for path, pos in document.key_positions.items() if len(path) == 1)
    vendor_line = next((line for line, name in tops if name == "vendor"), 0)
    after = [line for line, _ in tops if line > vendor_line]
    block = [f"{text}\n" for text in ENGAGEMENT_BLOCK]
    if not after:
        tail = [] if not lines or lines[-1].endswith("\n") else ["\n"]
        return [*lines, *tail, *block]
    at = after[0] - 1
    # Keep a comment that introduces the next key attached to it.
    while at > 0 and lines[at - 1].lstrip().startswith("#"):
        at -= 1
    return [*lines[:at], *block, *lines[at:]]
