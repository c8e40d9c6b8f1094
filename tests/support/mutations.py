"""Structure-aware mutations of provcheck's input files, for the fuzz suite.

A seed file (an example dossier, a policy, an evidence lock, a JSON report)
is parsed into plain data, changed in the ways people and tools break files
(a key dropped, duplicated, misspelt or given the wrong type, a date at the
end of the calendar, a number past every limit, hostile Unicode, a huge
string, a block moved to the wrong level) and written back as text, with a
few changes made to the text itself (a duplicated line, a truncated file, a
byte that is not UTF-8).

Every random decision goes through a :class:`Chooser`, so the same
mutations run under Hypothesis (which can then shrink a failing case to the
fewest, simplest changes) or from a plain seeded ``random.Random`` (for a
quick measurement outside pytest).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import yaml

T = TypeVar("T")
Path_ = tuple[str | int, ...]


class Chooser(Protocol):
    """Where every random decision of a mutation comes from."""

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options``."""

    def number(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high`` inclusive."""


class RandomChooser:
    """Decisions from a seeded ``random.Random``: reproducible, no shrinking."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def number(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


class DrawChooser:
    """Decisions drawn from Hypothesis's ``data()``, so failures shrink to simple cases."""

    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self.data = data
        self.st = st

    def pick(self, options: Sequence[T]) -> T:
        return self.data.draw(self.st.sampled_from(list(options)))

    def number(self, low: int, high: int) -> int:
        return self.data.draw(self.st.integers(low, high))


# --------------------------------------------------------------------------- value pools

EXTREME_DATES = (
    "0001-01-01",
    "0001-01-02",
    "9999-12-31",
    "9999-12-30",
    "1970-01-01",
    "2024-02-29",
    "2026-02-29",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
    "10000-01-01",
    "-2026-01-01",
    "2026-1-5",
    "20260101",
    "2026-07-01T25:00:00",
    "2026-07-01T09:30:00+14:00",
    "２０２６-０７-０１",
)
EXTREME_NUMBERS: tuple[Any, ...] = (
    0,
    -1,
    1,
    36_500,
    36_501,
    2_932_896,
    2**31,
    2**63,
    10**30,
    -(10**30),
    1e308,
    "1e309",
    "-1e309",
    "1" * 5000,
    0.5,
    -0.0,
    1e-320,
    "NaN",
    ".inf",
    "-.inf",
    "0x1F",
    "1_000",
    "١٢٣",
)
NASTY_TEXT = (
    "",
    " ",
    "\t",
    "undisclosed",
    "null",
    "~",
    "NO",
    "yes",
    "0",
    "-",
    "İstanbul ǅ ß ﬁ",
    "ΣΊΣΥΦΟΣ",
    "红隼智能科技有限公司",
    "Дмитрий Петров",
    "שלום עולם",
    "\u202eevil\u202c",
    "e\u0301\u0301\u0301\u0301",
    "zero\u200bwidth\ufeff",
    "emoji 🧪👩‍👩‍👧‍👦🏳️‍🌈",
    "\x1b[31mred\x1b[0m",
    "bell\x07 backspace\x08",
    "nul\x00byte",
    "c1\x85\x9b",
    "line\u2028sep\u2029para",
    "cr\rlf\n",
    "{{ 7*7 }} <script>alert(1)</script> [x](javascript:alert(1)) | a | b |",
    "../../etc/passwd",
    "%s%n%x",
    "\ud800",
)
CALENDAR_ENDS = ("0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31")
"""Valid dates where date arithmetic overflows: an assessment on 9999-12-30 is due for review after the calendar ends."""
NUMBER_BOUNDS: tuple[Any, ...] = (0, -1, 1, 100, 101, 36_500, 36_501, 999_999_999, 2**63, 10**30)
"""Numbers at and just past the limits provcheck sets (percentages, a century of days) and far past them."""
HUGE_LENGTHS = (1_000, 20_000, 200_000, 1_500_000)
TEXT_GARBAGE = (
    b"\xff", b"\xc3(", b"\x00", b"\t", b"\r", b"\xef\xbb\xbf", b"- ", b": ", b"{", b"[", b"&a *a", b"!!python/object:os.system", b'"',
)  # fmt: skip


# --------------------------------------------------------------------------- tree helpers


class Pairs(dict):  # type: ignore[type-arg]
    """A JSON object written with some of its keys twice (json.dumps cannot write one).

    A dict to every other mutation; ``repeated`` holds the (key, value) pairs
    written again after the object's own members, so a reader that keeps the
    last value sees those.
    """

    def __init__(self, members: dict[Any, Any], repeated: list[tuple[Any, Any]]) -> None:
        super().__init__(members)
        self.repeated = repeated


def paths(tree: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every node's path, the root included, in document order."""
    found = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += paths(value, (*prefix, index))
    return found


def get(tree: Any, path: Path_) -> Any:
    """The node at ``path``."""
    for step in path:
        tree = tree[step]
    return tree


def put(tree: Any, path: Path_, value: Any) -> Any:
    """``tree`` with the node at ``path`` replaced (the root is returned when ``path`` is empty)."""
    if not path:
        return value
    get(tree, path[:-1])[path[-1]] = value
    return tree


def _choose_path(tree: Any, chooser: Chooser, want: Callable[[Any], bool] = lambda _: True, *, how: str | None = None) -> Path_ | None:
    """A node to mutate, found one of three ways (``how``, or drawn).

    ``any``: every wanted node alike. ``walk``: down from the root, each
    child alike, so a dossier's many answers do not crowd out its vendor
    block. ``field``: every field alike, then one of its occurrences
    (``assessment/date`` as likely as the eighty ``answers/*/evidence/*/retrieved``).
    """
    how = how or chooser.pick(("any", "walk", "field"))
    if how == "walk":
        path: Path_ = ()
        node = tree
        while isinstance(node, (dict, list)) and node and chooser.number(0, 3):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            step = chooser.pick(keys)
            path, node = (*path, step), node[step]
        return path if want(node) else None
    candidates = [p for p in paths(tree) if want(get(tree, p))]
    if not candidates:
        return None
    if how == "field":
        fields: dict[tuple[str, ...], list[Path_]] = {}
        for candidate in candidates:
            fields.setdefault(_field_of(candidate), []).append(candidate)
        candidates = fields[chooser.pick(sorted(fields))]
    return chooser.pick(candidates)


def _field_of(path: Path_) -> tuple[str, ...]:
    """The field a path is an occurrence of: list indexes and data keys (question ids, URLs) become ``*``."""
    return tuple("*" if isinstance(step, int) or any(c in str(step) for c in "./:") else str(step) for step in path)


def _is_leaf(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _looks_like_date(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 8 and value[:4].isdigit() and value[4:5] == "-"


def _looks_like_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit()


# --------------------------------------------------------------------------- tree mutations


def _drop(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    path = _choose_path(tree, chooser, lambda v: True)
    if not path:
        return tree, "drop: nothing"
    parent = get(tree, path[:-1])
    del parent[path[-1]]
    return tree, f"drop {_show(path)}"


def _duplicate(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    """A list item twice, or (JSON) an object key twice; YAML duplicate keys come from the text mutations."""
    path = _choose_path(tree, chooser, lambda v: isinstance(v, (dict, list)) and bool(v))
    if path is None:
        return tree, "duplicate: nothing"
    node = get(tree, path)
    if isinstance(node, list):
        index = chooser.number(0, len(node) - 1)
        node.insert(index, copy.deepcopy(node[index]))
        return tree, f"duplicate item {_show((*path, index))}"
    key = chooser.pick(list(node))
    other = copy.deepcopy(chooser.pick([node[key], *(node[k] for k in node)]))
    repeated = [*getattr(node, "repeated", []), (key, other)]
    return put(tree, path, Pairs(node, repeated)), f"duplicate key {_show((*path, key))}"


def _retype(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    path = _choose_path(tree, chooser)
    if path is None:
        return tree, "retype: nothing"
    node = get(tree, path)
    replacements: list[Any] = [None, True, False, 0, -7, 2.5, "", "text", [], {}, [node], {"value": node}]
    if isinstance(node, dict):
        replacements += [list(node.values()), list(node)]
    if isinstance(node, list):
        replacements += [{str(i): v for i, v in enumerate(node)}, node[0] if node else None]
    value = chooser.pick(replacements)
    return put(tree, path, copy.deepcopy(value)), f"retype {_show(path)} -> {_brief(value)}"


def _extreme(
    tree: Any, chooser: Chooser, looks_like: Callable[[Any], bool], values: Sequence[Any], kind: str, shown: Callable[[Any], str]
) -> tuple[Any, str]:
    """One field that looks like ``kind`` (any leaf when none does) set to one of ``values``."""
    path = _choose_path(tree, chooser, looks_like)
    if path is None:
        path = _choose_path(tree, chooser, _is_leaf)
    if path is None:
        return tree, f"{kind}: nothing"
    value = chooser.pick(values)
    return put(tree, path, value), f"{kind} {_show(path)} = {shown(value)}"


def _extreme_date(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    return _extreme(tree, chooser, _looks_like_date, EXTREME_DATES, "date", str)


def _extreme_number(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    return _extreme(tree, chooser, _looks_like_number, EXTREME_NUMBERS, "number", _brief)


def _boundary(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    """A date field at an end of the calendar, or a number field at or past a limit (each date or number field alike)."""
    path = _choose_path(tree, chooser, lambda v: _looks_like_date(v) or _looks_like_number(v), how="field")
    if path is None:
        return tree, "boundary: nothing"
    want = _looks_like_date if _looks_like_date(get(tree, path)) else _looks_like_number
    value = chooser.pick(CALENDAR_ENDS if want is _looks_like_date else NUMBER_BOUNDS)
    parent = get(tree, path[:-1])
    if isinstance(parent, dict) and chooser.pick((False, True)):
        # The whole block at the limit (every tier's reassessment period, say), not only one of its fields.
        siblings = [key for key, sibling in parent.items() if want(sibling)]
        for key in siblings:
            parent[key] = value
        return tree, f"boundary {_show(path[:-1])}/{{{','.join(map(str, siblings))}}} = {_brief(value)}"
    return put(tree, path, value), f"boundary {_show(path)} = {_brief(value)}"


def _nasty_text(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    path = _choose_path(tree, chooser, lambda v: isinstance(v, str) or v is None)
    if path is None:
        return tree, "text: nothing"
    value = chooser.pick(NASTY_TEXT)
    if chooser.pick((True, False)):
        value = f"{get(tree, path) or ''}{value}"
    return put(tree, path, value), f"text {_show(path)} = {_brief(value)}"


def _huge_text(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    path = _choose_path(tree, chooser, lambda v: isinstance(v, str))
    if path is None:
        return tree, "huge: nothing"
    length = chooser.pick(HUGE_LENGTHS)
    value = (chooser.pick(("x", "ß", "红", "a b ", "\u0301")) * length)[:length]
    return put(tree, path, value), f"huge {_show(path)} ({length} characters)"


def _nest_wrong(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    """A block at the wrong level: wrapped, unwrapped, or grafted somewhere else."""
    path = _choose_path(tree, chooser)
    if path is None:
        return tree, "nest: nothing"
    node = get(tree, path)
    how = chooser.pick(("wrap-list", "wrap-map", "unwrap", "graft"))
    if how == "wrap-list":
        return put(tree, path, [node]), f"nest {_show(path)} in a list"
    if how == "wrap-map":
        return put(tree, path, {chooser.pick(("answer", "name", "value", "items")): node}), f"nest {_show(path)} in a mapping"
    if how == "unwrap" and isinstance(node, (dict, list)) and node:
        inner = next(iter(node.values())) if isinstance(node, dict) else node[0]
        return put(tree, path, copy.deepcopy(inner)), f"unwrap {_show(path)}"
    target = _choose_path(tree, chooser, lambda v: isinstance(v, (dict, list)))
    if target is None or target[: len(path)] == path:
        return tree, "graft: nothing"
    container = get(tree, target)
    if isinstance(container, list):
        container.append(copy.deepcopy(node))
    else:
        container[str(path[-1]) if path else "graft"] = copy.deepcopy(node)
    return tree, f"graft {_show(path)} under {_show(target)}"


def _rename_key(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    path = _choose_path(tree, chooser, lambda v: isinstance(v, dict) and bool(v))
    if path is None:
        return tree, "rename: nothing"
    node = get(tree, path)
    key = chooser.pick(list(node))
    new = chooser.pick(
        (key + "s", key[:-1], key.upper(), f" {key}", f"{key}\u200b", key.replace("_", "-"), chooser.pick(NASTY_TEXT) or "x", "answers")
    )
    if new in node:
        return tree, "rename: clash"
    renamed = {new if k == key else k: v for k, v in node.items()}
    return put(tree, path, renamed), f"rename {_show((*path, key))} -> {_brief(new)}"


def _add_key(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    path = _choose_path(tree, chooser, lambda v: isinstance(v, dict))
    if path is None:
        return tree, "add: nothing"
    key = chooser.pick(("extra", "provcheck", "policy", "questions", "provcheck_evidence_lock", "report_version", "answer", "<b>k</b>"))
    value = chooser.pick((None, "1", 2, [], {}, "surprise"))
    get(tree, path)[key] = value
    return tree, f"add {_show((*path, key))} = {_brief(value)}"


def _swap(tree: Any, chooser: Chooser) -> tuple[Any, str]:
    first = _choose_path(tree, chooser)
    second = _choose_path(tree, chooser)
    if not first or not second or first[: len(second)] == second or second[: len(first)] == first:
        return tree, "swap: nothing"
    a, b = copy.deepcopy(get(tree, first)), copy.deepcopy(get(tree, second))
    put(tree, first, b)
    put(tree, second, a)
    return tree, f"swap {_show(first)} <-> {_show(second)}"


TREE_MUTATIONS: dict[str, Callable[[Any, Chooser], tuple[Any, str]]] = {
    "boundary": _boundary,
    "drop": _drop,
    "duplicate": _duplicate,
    "retype": _retype,
    "date": _extreme_date,
    "number": _extreme_number,
    "text": _nasty_text,
    "huge": _huge_text,
    "nest": _nest_wrong,
    "rename": _rename_key,
    "add": _add_key,
    "swap": _swap,
}


# --------------------------------------------------------------------------- text mutations


def _text_mutation(raw: bytes, chooser: Chooser) -> tuple[bytes, str]:
    how = chooser.pick(("duplicate-line", "truncate", "insert", "crlf", "bom"))
    lines = raw.splitlines(keepends=True)
    if how == "duplicate-line" and lines:
        keyed = [i for i, line in enumerate(lines) if b":" in line and not line.lstrip().startswith(b"#")] or [0]
        index = chooser.pick(keyed)
        return b"".join([*lines[: index + 1], lines[index], *lines[index + 1 :]]), f"duplicate line {index + 1}"
    if how == "truncate" and raw:
        cut = chooser.number(0, len(raw) - 1)
        return raw[:cut], f"truncate at byte {cut}"
    if how == "crlf":
        return raw.replace(b"\n", b"\r\n"), "CRLF line ends"
    if how == "bom":
        return b"\xef\xbb\xbf" + raw, "UTF-8 byte order mark"
    at = chooser.number(0, len(raw))
    garbage = chooser.pick(TEXT_GARBAGE)
    return raw[:at] + garbage + raw[at:], f"insert {garbage!r} at byte {at}"


# --------------------------------------------------------------------------- writing


def dump_yaml(tree: Any) -> bytes:
    """Block YAML as a person would write it (Pairs are written with their duplicate keys)."""
    tree = _plain(tree)
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=10_000).encode("utf-8", "surrogatepass")


def dump_json(tree: Any) -> bytes:
    """Compact JSON; a :class:`Pairs` object keeps its duplicate keys; NaN and Infinity are written as Python does."""
    return _json_text(tree).encode("utf-8", "surrogatepass")


_BARE = {"NaN": "NaN", ".inf": "Infinity", "-.inf": "-Infinity", "1e309": "1e309", "-1e309": "-1e309"}


def _json_text(node: Any) -> str:
    if isinstance(node, dict):
        members = [*node.items(), *getattr(node, "repeated", [])]
        return "{" + ",".join(f"{json.dumps(str(k))}:{_json_text(v)}" for k, v in members) + "}"
    if isinstance(node, list):
        return "[" + ",".join(_json_text(v) for v in node) + "]"
    if isinstance(node, str) and (node in _BARE or (node.isascii() and node.isdigit() and len(node) > 300)):
        # Numbers past what JSON allows (or Python can convert), written bare so the reader meets them as numbers.
        return _BARE.get(node, node)
    return json.dumps(node)


def _plain(node: Any) -> Any:
    """Plain dicts and lists (YAML duplicate keys come from the text mutations instead)."""
    if isinstance(node, dict):
        return {k if isinstance(k, str) else str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


# --------------------------------------------------------------------------- the mutator


@dataclass(frozen=True)
class Mutant:
    """A mutated file and the changes that made it, for the failure message."""

    content: bytes
    steps: tuple[str, ...]
    tree: Any
    """The data before it was written (text mutations not applied)."""

    def describe(self) -> str:
        return "; ".join(self.steps) or "unchanged"


def mutate(
    tree: Any,
    chooser: Chooser,
    *,
    dump: Callable[[Any], bytes],
    weights: dict[str, int] | None = None,
    max_steps: int = 3,
    text_rate: int = 6,
    boundary_first: bool = False,
) -> Mutant:
    """One to ``max_steps`` tree mutations of a copy of ``tree``, then, one time in ``text_rate``, a text mutation.

    ``weights`` makes some mutations likelier (by repeating them in the pool):
    a policy is fuzzed mostly with numbers and dates, a report with types.
    ``boundary_first`` starts two cases in three with one or two boundary
    values (a calendar end, a number at a limit) in an otherwise valid file, so the
    arithmetic behind valid extremes is reached often, not only when no
    other mutation has already made the file invalid.
    """
    pool = [name for name in TREE_MUTATIONS for _ in range((weights or {}).get(name, 1))]
    work = copy.deepcopy(tree)
    steps = []
    first = boundary_first and chooser.number(0, 2) > 0
    for _ in range(chooser.number(1, 2) if first else 0):
        work, step = _boundary(work, chooser)
        steps.append(step)
    for _ in range(chooser.number(0 if first else 1, max_steps - first)):
        work, step = TREE_MUTATIONS[chooser.pick(pool)](work, chooser)
        steps.append(step)
    content = dump(work)
    if chooser.number(1, text_rate) == 1:
        content, step = _text_mutation(content, chooser)
        steps.append(step)
    return Mutant(content, tuple(steps), work)


def _show(path: Path_) -> str:
    return "/" + "/".join(str(p) for p in path)


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
