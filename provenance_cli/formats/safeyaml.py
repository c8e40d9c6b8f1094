"""A strict, bounded YAML reader for files people write by hand.

PyYAML's safe loader still does three things a due-diligence tool cannot
accept: it keeps the *last* of two duplicate keys (so a hidden second answer
silently wins), it applies YAML 1.1 implicit typing (``NO`` becomes
``False``, ``2026-06-01`` becomes a date even where text was meant) and it
expands aliases without limit. This module walks libyaml's event stream
(the C parser, which is not recursive) and builds plain Python values itself:

* every plain scalar becomes ``str`` (``null``/``~``/empty become ``None``);
  typing is left to the schema, which knows what each field means;
* duplicate keys, explicit tags, merge keys, complex keys, several
  documents, excessive aliasing and excessive nesting are refused before
  anything is expanded;
* the position of every value is recorded so later validation errors can
  say ``file:line:col``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance_cli.util.errors import InputError, Problem

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_EXPANDED_NODES = 200_000

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """A parsed YAML document and where each of its values came from."""

    data: Any
    source: str
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of each value, keyed by its path of keys/indices."""
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of each mapping key, keyed by the path it opens."""

    def locate(self, path: PathKey, *, prefer_key: bool = False) -> tuple[int, int]:
        """The closest known position for ``path``, walking up to its parents."""
        probe = tuple(path)
        while True:
            tables = (self.key_positions, self.positions) if prefer_key else (self.positions, self.key_positions)
            for table in tables:
                if probe in table:
                    return table[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]

    def problem(self, path: PathKey, message: str, *, prefer_key: bool = False) -> Problem:
        """A :class:`Problem` at ``path``, or at its nearest known parent, so every error points into the file."""
        line, column = self.locate(path, prefer_key=prefer_key)
        return Problem(self.source, line, column, message)


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_ALLOWED_TAGS = frozenset({None, "!"})


class _Frame:
    """An open mapping or list, saved while a child container is being built, restored when the child ends."""

    __slots__ = ("container", "path", "pending_key", "pending_path", "anchor", "counted", "is_map")

    def __init__(
        self, container: Any, path: PathKey, pending_key: str | None, pending_path: PathKey, anchor: str | None, counted: int, is_map: bool
    ) -> None:
        self.container = container
        self.path = path
        self.pending_key = pending_key
        self.pending_path = pending_path
        self.anchor = anchor
        self.counted = counted
        self.is_map = is_map


STDIN = "-"
"""The path that stands for standard input (``provcheck assess -``)."""
_stdin: list[bytes] = []
"""Standard input once read: every reader in this process sees the same bytes."""


def _read_stdin() -> bytes:
    """All of standard input (once per process), refused past the size cap like any file."""
    import sys

    if not _stdin:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise InputError([Problem(STDIN, 0, 0, "standard input is not available")])
        raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise InputError([Problem(STDIN, 1, 1, f"standard input holds more than the limit of {MAX_FILE_BYTES:,} bytes")])
        _stdin.append(raw)
    return _stdin[0]


def read_bytes(path: Path) -> bytes:
    """Read a YAML file the user named: regular files only, with the size cap; failures are InputErrors. ``-`` reads standard input."""
    if str(path) == STDIN:
        return _read_stdin()
    from provenance_cli.util.files import read_user_file

    return read_user_file(path, limit=MAX_FILE_BYTES, expected="a YAML file")


def decode_utf8(raw: bytes, source: str) -> str:
    """Bytes as text, a UTF-8 BOM dropped; the size cap holds for bytes from anywhere, and a bad byte is reported at its line and column."""
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([Problem(source, 1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        # Columns count characters, as the YAML parser's do; the bytes before
        # the bad one on its line are valid UTF-8 (it is the first failure).
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8-sig")) + 1
        raise InputError(
            [Problem(source, line, column, f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded); save it as UTF-8")]
        ) from None


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What libyaml counts as a line break, so positions found here agree with the parser's."""


def position_of(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character ``index`` in ``text``, counted as the YAML parser counts them."""
    line, start = 1, 0
    for found in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, found.end()
    return line, index - start + 1


def _reader_problem(exc: Any, text: str, source: str) -> Problem:
    """A character YAML refuses (ESC, NUL, DEL, C1 controls...) reported where it is.

    libyaml reports a byte offset and the pure-Python reader a character
    offset; the character itself is exact, and the reader stops at the first
    one it refuses, so its first occurrence is the place.
    """
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    index = text.find(character)
    line, column = position_of(text, index) if index >= 0 else (1, 1)
    code = ord(character)
    kind = "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"
    escape = f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    return Problem(
        source,
        line,
        column,
        f"{kind} U+{code:04X} is not allowed in YAML; delete it, or write it as the escape {escape} inside double quotes",
    )


def load_file(path: Path) -> Document:
    """Read and parse one YAML file; every failure is an InputError with positions."""
    return load_text(decode_utf8(read_bytes(path), str(path)), str(path))


def load_text(text: str, source: str) -> Document:
    """Parse YAML text into plain values (dict/list/str/None) with positions."""
    import yaml

    if _is_empty(text):
        raise InputError([Problem(source, 1, 1, "file is empty; expected a YAML mapping")])

    positions: dict[PathKey, tuple[int, int]] = {}
    key_positions: dict[PathKey, tuple[int, int]] = {}
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            root = _build(loader.get_event, source, positions, key_positions)
        finally:
            loader.dispose()
    except InputError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise _fail(source, mark, f"YAML syntax error: {problem}{context}") from None
    except yaml.reader.ReaderError as exc:
        raise InputError([_reader_problem(exc, text, source)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(source, 1, 1, f"YAML error: {exc}")]) from None

    if not isinstance(root, dict):
        found = "a list" if isinstance(root, list) else ("nothing" if root is None else "a single value")
        raise InputError([Problem(source, 1, 1, f"top level must be a mapping of keys to values, found {found}")])
    return Document(root, source, positions, key_positions)


_NOT_SPACE = re.compile(r"\S")


def _is_empty(text: str) -> bool:
    """True when ``text`` holds nothing but blank lines and comments.

    Most files start with content, and then one regex search decides: the
    first character that is not white space begins its line's content (every
    line break is white space), so unless it is ``#`` the file is not empty.
    Only a file that starts with a comment is split into lines.
    """
    first = _NOT_SPACE.search(text)
    if first is None:
        return True
    if text[first.start()] != "#":
        return False
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _fail(source: str, mark: Any, message: str) -> InputError:
    """The InputError for a refusal at a parser mark (1-based; the file's start when the parser gave none)."""
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return InputError([Problem(source, line, column, message)])


def _build(  # noqa: C901 - one loop over libyaml's event stream, the hot path of every command
    next_event: Callable[[], Any], source: str, positions: dict[PathKey, tuple[int, int]], key_positions: dict[PathKey, tuple[int, int]]
) -> Any:
    """Build the document's value from its events, filling ``positions`` and ``key_positions``; the root value.

    This loop runs once per event of every file read (about 1,600 for a
    typical dossier), so it is written for speed: events are told apart by
    their class, and the open container (its value, path and pending key) is
    kept in local variables, saved in a :class:`_Frame` only while a child
    container is being built. ``counted`` counts the values made so far (an
    alias adds the values it expands to), so a container's size, which
    bounds alias expansion, is the difference between its end and its start.
    """
    from yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    root: Any = None
    documents = aliases = expanded = counted = 0
    # The open container: None at the top level, before the root value starts.
    container: Any = None
    path: PathKey = ()
    is_map = False
    pending_key: str | None = None
    pending_path: PathKey = ()
    anchor: str | None = None
    start = 0

    while (event := next_event()) is not None:
        kind = event.__class__
        if kind is ScalarEvent:
            mark = event.start_mark
            if event.tag not in _ALLOWED_TAGS:
                raise _fail(source, mark, f"explicit YAML tags are not allowed (found {event.tag!r})")
            value = event.value
            if is_map and pending_key is None:
                implicit = event.implicit[0]
                if implicit and value in _NULLS:
                    raise _fail(source, mark, "empty key; every key must be text")
                if value == "<<" and implicit:
                    raise _fail(source, mark, "merge keys (<<) are not supported; write the keys out")
                if value in container:
                    first = key_positions.get(path + (value,), (0, 0))
                    raise _fail(
                        source,
                        mark,
                        f"duplicate key {value!r} (first defined at line {first[0]}); a later value would silently replace the first",
                    )
                pending_key = value
                pending_path = path + (value,)
                key_positions[pending_path] = (mark.line + 1, mark.column + 1)
                continue
            if value in _NULLS and event.implicit[0] and not event.style:
                value = None
            counted += 1
            if event.anchor:
                anchors[event.anchor] = (value, 1)

        elif kind is AliasEvent:
            mark = event.start_mark
            if is_map and pending_key is None:
                raise _fail(source, mark, "a key must be plain text, found an alias")
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _fail(source, mark, f"more than {MAX_ALIASES} aliases; refusing to expand")
            if event.anchor not in anchors:
                raise _fail(source, mark, f"alias *{event.anchor} refers to no anchor")
            value, nodes = anchors[event.anchor]
            expanded += nodes
            if expanded > MAX_EXPANDED_NODES:
                raise _fail(source, mark, "aliases expand to too many values; refusing to expand")
            counted += nodes

        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value, nodes = container, counted - start
            if anchor:
                anchors[anchor] = (value, nodes)
            frame = stack.pop()
            container, path, is_map, anchor, start = frame.container, frame.path, frame.is_map, frame.anchor, frame.counted
            pending_key, pending_path = frame.pending_key, frame.pending_path
            # The finished container goes into its parent; its position was recorded when it started.
            if is_map:
                container[pending_key] = value
                pending_key = None
            elif container is None:
                root = value
            else:
                container.append(value)
            continue

        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            mark = event.start_mark
            if event.tag not in _ALLOWED_TAGS:
                raise _fail(source, mark, f"explicit YAML tags are not allowed (found {event.tag!r})")
            if is_map and pending_key is None:
                raise _fail(source, mark, "a key must be plain text, found a mapping or list")
            if len(stack) >= MAX_DEPTH:
                raise _fail(source, mark, f"nesting deeper than {MAX_DEPTH} levels; no dossier needs that")
            child = pending_path if is_map else (path + (len(container),) if container is not None else ())
            positions[child] = (mark.line + 1, mark.column + 1)
            stack.append(_Frame(container, path, pending_key, pending_path, anchor, start, is_map))
            is_map = kind is MappingStartEvent
            container, path, anchor, start = ({} if is_map else []), child, event.anchor, counted
            pending_key = None
            counted += 1
            continue

        else:
            if kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _fail(source, event.start_mark, "more than one YAML document in this file; expected exactly one")
            continue  # StreamStart, StreamEnd and DocumentEnd carry nothing.

        # A scalar or an alias: its value goes where the open container wants it, at the event's position.
        if is_map:
            positions[pending_path] = (mark.line + 1, mark.column + 1)
            container[pending_key] = value
            pending_key = None
        elif container is None:
            positions[()] = (mark.line + 1, mark.column + 1)
            root = value
        else:
            positions[path + (len(container),)] = (mark.line + 1, mark.column + 1)
            container.append(value)
    return root
