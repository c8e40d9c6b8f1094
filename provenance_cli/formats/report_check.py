"""Reading a JSON report back for ``compare`` and ``diff``: strict parsing, the published schema, every problem with its place.

An archived report may have been edited by hand, cut short or written by
another tool. Before ``compare`` or ``diff`` reads a value, the whole
report is checked, so a bad one is refused with ``file:line:col: /json/pointer:
what was expected`` (exit 2) and never reaches code that would trip over it.

Three layers, each for what the one before cannot say:

1. parsing: JSON as RFC 8259 defines it, so no ``NaN`` or ``Infinity``, no
   number too large for a float, no key twice in one object (JSON readers
   disagree on which copy wins), no half of a UTF-16 surrogate pair;
2. the schema of the report's version (:mod:`provenance_cli.formats.report_schema`),
   with ``format: date`` checked as a real calendar date;
3. what the readers rely on beyond the schema: question and category ids
   that identify one row each.

Positions come from a second, position-keeping pass over the text, made only
when something is wrong. jsonschema is imported here only, when a report is
read, so no other command pays for it.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance_cli.formats.report_schema import READABLE_VERSIONS
from provenance_cli.util.errors import InputError, Problem

if TYPE_CHECKING:
    from jsonschema import ValidationError

MAX_REPORT_BYTES = 64 * 1024 * 1024
"""A vendor report is tens of kilobytes; anything this large is not one, and is not read into memory."""
MAX_PROBLEMS = 20
"""Problems listed per report; a report broken everywhere says how many more there are."""
_MAX_INT_DIGITS = 400
"""Longer whole numbers overflow a float (about 1.8e308) anyway; refused before Python's own digit limit."""

JsonPath = tuple[str | int, ...]


class _Refused(ValueError):
    """Raised from inside the JSON parser's hooks; the position pass then finds where."""


# --------------------------------------------------------------------------- reading


def read_report(path: Path) -> dict[str, Any]:
    """The report in ``path``, checked through; :class:`InputError` with every problem (at most 20) otherwise."""
    source = str(path)
    text = _read_text(path, source)
    data = _parse(text, source)
    try:
        problems = check_report(data, text, source)
    except RecursionError:  # deep nesting where the schema allows any value (screening matches): too deep to check
        problems = [Problem(source, 0, 0, "not a provcheck JSON report: nested too deeply")]
    if problems:
        raise InputError(_capped(problems, source))
    return data  # type: ignore[no-any-return]  # check_report refuses anything but an object


def _read_text(path: Path, source: str) -> str:
    from provenance_cli.util.files import read_user_file

    # Regular files only (a FIFO or a device is refused without being opened), at most MAX_REPORT_BYTES.
    raw = read_user_file(path, limit=MAX_REPORT_BYTES, expected="a JSON report")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, column = _line_column(before, len(before))
        raise InputError([Problem(source, line, column, f"not UTF-8 (byte 0x{raw[exc.start]:02x}): not a provcheck JSON report")]) from None
    return text.removeprefix("\ufeff")  # a byte order mark some editors add is not part of the report


def _parse(text: str, source: str) -> Any:
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, exc.lineno, exc.colno, f"not a JSON report: {exc.msg}")]) from None
    except _Refused as exc:
        raise InputError([_locate_refusal(text, source, str(exc))]) from None
    except RecursionError:
        raise InputError([Problem(source, 0, 0, "not a provcheck JSON report: nested too deeply")]) from None


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _Refused(f"{token} is too large for a number")
    return value


def _bounded_int(token: str) -> int:
    digits = len(token.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        raise _Refused(f"a whole number of {digits} digits is too large")
    value = int(token)
    try:
        float(value)
    except OverflowError:
        raise _Refused(f"{token[:20]}... is too large for a number") from None
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused("duplicate key")
    return result


def _locate_refusal(text: str, source: str, message: str) -> Problem:
    """Where the parser's hooks refused the text: the first refusal of the position pass, which checks the same things."""
    walk = _Walk(text)
    if walk.refusals:
        offset, path, what = walk.refusals[0]
        line, column = _line_column(text, offset)
        return Problem(source, line, column, f"{_pointer(path)}: {what}")
    return Problem(source, 0, 0, f"not a JSON report: {message}")


# --------------------------------------------------------------------------- checking


def check_report(data: Any, text: str, source: str) -> list[Problem]:
    """Every problem of a parsed report (``text`` is what it was parsed from, for positions); empty when it is readable."""
    if not isinstance(data, dict):
        return [Problem(source, 1, 1, f"not a provcheck JSON report (expected an object, got {_kind(data)})")]
    expected = ", ".join(map(str, READABLE_VERSIONS[:-1])) + f" or {READABLE_VERSIONS[-1]}"
    if "report_version" not in data:
        return [Problem(source, 1, 1, f"/: missing key 'report_version' ({expected}): not a provcheck JSON report")]
    version = data["report_version"]
    if type(version) is not int or version not in READABLE_VERSIONS:
        where = _Walk(text).value_position(("report_version",))
        return [Problem(source, *where, f"/report_version: {_shown(version)} is not supported (expected {expected})")]
    problems = _unpaired_surrogates(data, text, source)
    if problems:
        return problems
    errors = sorted(_validator(version).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        return _schema_problems(errors, text, source)
    return _meaning_problems(data, text, source)


@lru_cache(maxsize=2)
def _validator(version: int) -> Any:
    from provenance_cli.formats.report_schema import readable_schema
    from provenance_cli.util.thirdparty import jsonschema_for_own_schemas

    jsonschema = jsonschema_for_own_schemas()
    return jsonschema.Draft202012Validator(readable_schema(version), format_checker=jsonschema.FormatChecker(formats=("date",)))


def _unpaired_surrogates(data: Any, text: str, source: str) -> list[Problem]:
    """Text that cannot be written out: ``\\ud800`` without its pair is allowed by JSON's escapes, not by Unicode."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return []
    walk = _Walk(text)
    for path, value in _strings(data, ()):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            line, column = walk.value_position(path)
            return [Problem(source, line, column, f"{_pointer(path)}: half of a UTF-16 surrogate pair, not a character")]
    return [Problem(source, 0, 0, "half of a UTF-16 surrogate pair, not a character")]


def _strings(node: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), key
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


def _meaning_problems(data: dict[str, Any], text: str, source: str) -> list[Problem]:
    """Rows compare and diff match by id: two answers to one question, or two categories with one id, would hide one."""
    problems: list[Problem] = []
    walk: _Walk | None = None
    for section, key, what in (("answers", "question_id", "question"), ("categories", "id", "category")):
        seen: dict[str, int] = {}
        for index, row in enumerate(data[section]):
            identity = row[key]
            if identity in seen:
                walk = walk or _Walk(text)
                line, column = walk.value_position((section, index, key))
                message = f"{what} {_shown(identity)} appears twice (first at {_pointer((section, seen[identity]))})"
                problems.append(Problem(source, line, column, f"{_pointer((section, index, key))}: {message}"))
            else:
                seen[identity] = index
    if data["report_version"] >= 4:
        problems.extend(_dangling_references(data, text, source))
    return problems


def _dangling_references(data: dict[str, Any], text: str, source: str) -> list[Problem]:
    """Version 4 refers instead of repeating: each reference must name something the report holds, or reading it would fail."""
    dangling: list[tuple[JsonPath, str]] = []
    entries = len(data["trace"])
    for index, finding in enumerate(data["findings"]):
        if finding["trace"] >= entries:
            dangling.append((("findings", index, "trace"), f"no trace entry {finding['trace']} (the trace has {entries})"))
    questions = data["questions"]
    for section in ("answers", "open_questions", "buyer_tasks"):
        for index, row in enumerate(data[section]):
            if row["question_id"] not in questions and (section == "answers" or "text" not in row):
                dangling.append(((section, index, "question_id"), f"question {_shown(row['question_id'])} is not in /questions"))
    if not dangling:
        return []
    walk = _Walk(text)
    return [Problem(source, *walk.value_position(path), f"{_pointer(path)}: {what}") for path, what in dangling]


def _schema_problems(errors: list[ValidationError], text: str, source: str) -> list[Problem]:
    walk = _Walk(text)
    problems: dict[Problem, None] = {}
    for error in map(_within_branch, errors):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = list(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in known:
                    line, column = walk.key_position((*path, key))
                    problems[Problem(source, line, column, f"{_pointer(path)}: unexpected key {_shown(key)}{_hint(key, known)}")] = None
            continue
        line, column = walk.value_position(path)
        problems[Problem(source, line, column, f"{_pointer(path)}: {_expected(error)}")] = None
    return list(problems)


def _within_branch(error: ValidationError) -> ValidationError:
    """For "one of these shapes" (anyOf), the error inside the shape of the value's own type, when there is one.

    A date that is not a date should say so, not that it is neither a date nor null.
    """
    while error.validator == "anyOf" and error.context:
        options = error.validator_value
        fitting = [e for e in error.context if _fits_type(options[e.relative_schema_path[0]], error.instance)]
        if not fitting:
            break
        error = fitting[0]
    return error


def _fits_type(option: dict[str, Any], value: Any) -> bool:
    wanted = option.get("type")
    if wanted is None:
        return "$ref" in option and isinstance(value, dict)  # the report's own $defs are all objects
    kinds = {wanted} if isinstance(wanted, str) else set(wanted)
    actual = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")
    return actual in kinds or (actual == "number" and "integer" in kinds and isinstance(value, int))


def _expected(error: ValidationError) -> str:
    """What the schema wanted, in words, and what the report has instead."""
    keyword, wanted, schema, got = error.validator, error.validator_value, error.schema, error.instance
    if keyword == "required":
        missing = [key for key in wanted if isinstance(got, dict) and key not in got]
        return f"missing key{'s' if len(missing) > 1 else ''} {', '.join(map(_shown, missing))}"
    if keyword == "type":
        types = [wanted] if isinstance(wanted, str) else list(wanted)
        return f"expected {' or '.join(_TYPE_WORDS.get(t, t) for t in types)}, got {_kind(got)}"
    if keyword == "enum":
        return f"expected one of {', '.join(_shown(v) for v in wanted)}; got {_shown(got)}"
    if keyword == "const":
        return f"expected {_shown(wanted)}, got {_shown(got)}"
    if keyword in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"expected a number from {low} to {high}, got {_shown(got)}"
        return f"expected a number {'at least' if low is not None else 'at most'} {wanted}, got {_shown(got)}"
    if keyword in ("pattern", "format") and schema.get("format") == "date":
        return f"expected a calendar date YYYY-MM-DD, got {_shown(got)}"
    if keyword == "pattern" and wanted == "^[0-9a-f]{64}$":
        return f"expected a sha256 digest (64 lowercase hex digits), got {_shown(got)}"
    if keyword == "anyOf":
        kinds = sorted({"an object" if "$ref" in option else _TYPE_WORDS.get(str(option.get("type")), "") for option in wanted} - {""})
        return f"expected {' or '.join(kinds) if kinds else 'another value'}, got {_kind(got)}"
    return f"{keyword} {_shown(wanted)} not met by {_shown(got)}"


_TYPE_WORDS = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, (int, float)):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {_shown(value)}"
    return f"the string {_shown(value)}"


def _shown(value: Any) -> str:
    """A value for a message: short, and with control and invisible characters escaped, as it is printed to a terminal."""
    if isinstance(value, str):
        body = value if len(value) <= 40 else value[:37] + "..."
        return "'" + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in body) + "'"
    if isinstance(value, (dict, list)):
        return _kind(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
        return f"{value:.3g}"
    return json.dumps(value) if value is None or isinstance(value, bool) else str(value)


def _hint(key: str, known: list[str]) -> str:
    from provenance_cli.formats.vocabulary import did_you_mean

    return did_you_mean(key, known) if known else ""


def _pointer(path: JsonPath) -> str:
    """RFC 6901 JSON pointer; the whole document is written ``/`` to be readable (RFC 6901 writes it as empty)."""
    if not path:
        return "/"
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)


def _capped(problems: list[Problem], source: str) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    shown = sorted(problems)[:MAX_PROBLEMS]
    return [*shown, Problem(source, 0, 0, f"{len(problems) - MAX_PROBLEMS} more problems not shown")]


# --------------------------------------------------------------------------- positions


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset``, as json.JSONDecodeError counts them."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": None, "false": None, "null": None, "NaN": "NaN", "Infinity": "Infinity", "-Infinity": "-Infinity"}


class _Walk:
    """One pass over JSON text keeping the offset of every value and key, and what the strict parser refuses.

    Iterative, so nesting deep enough to stop Python's own recursion still
    gets positions. It assumes the text is JSON up to its first refusal and
    stops quietly at anything else.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.values: dict[JsonPath, int] = {}
        self.keys: dict[JsonPath, int] = {}
        self.refusals: list[tuple[int, JsonPath, str]] = []
        with contextlib.suppress(IndexError, ValueError):  # text that is not JSON past here: positions found so far stand
            self._run()

    def value_position(self, path: JsonPath) -> tuple[int, int]:
        """Line and column of the value at ``path``, or of its nearest parent found."""
        return self._position(self.values, path)

    def key_position(self, path: JsonPath) -> tuple[int, int]:
        """Line and column of the key that opens ``path`` (its value's, failing that)."""
        if path in self.keys:
            return _line_column(self.text, self.keys[path])
        return self.value_position(path)

    def _position(self, table: dict[JsonPath, int], path: JsonPath) -> tuple[int, int]:
        probe = tuple(path)
        while probe and probe not in table:
            probe = probe[:-1]
        return _line_column(self.text, table.get(probe, 0))

    def _run(self) -> None:
        from json.decoder import scanstring  # type: ignore[attr-defined]  # public in the module, missing from typeshed

        text = self.text
        stack: list[tuple[JsonPath, bool, set[str], list[int]]] = []
        path: JsonPath = ()
        at = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
        while True:
            self.values[path] = at
            char = text[at]
            if char in "{[":
                at = _WHITESPACE.match(text, at + 1).end()  # type: ignore[union-attr]
                if text[at] in "}]":
                    at += 1
                else:
                    stack.append((path, char == "{", set(), [0]))
                    if char == "{":
                        path, at = self._key(stack[-1], at, scanstring)
                    else:
                        path = (*path, 0)
                    continue
            elif char == '"':
                at = scanstring(text, at + 1)[1]
            else:
                at = self._scalar(path, at)
            while stack:
                parent, is_object, seen, index = stack[-1]
                at = _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]
                if text[at] == ",":
                    at = _WHITESPACE.match(text, at + 1).end()  # type: ignore[union-attr]
                    if is_object:
                        path, at = self._key(stack[-1], at, scanstring)
                    else:
                        index[0] += 1
                        path = (*parent, index[0])
                    break
                if text[at] not in "}]":
                    return
                at += 1
                stack.pop()
            else:
                return

    def _key(self, frame: tuple[JsonPath, bool, set[str], list[int]], at: int, scanstring: Any) -> tuple[JsonPath, int]:
        parent, _, seen, _ = frame
        if self.text[at] != '"':
            raise ValueError("expected a key")
        key, end = scanstring(self.text, at + 1)
        path = (*parent, key)
        if key in seen:
            self.refusals.append((at, path, f"key {_shown(key)} appears twice in one object"))
        seen.add(key)
        self.keys.setdefault(path, at)
        colon = _WHITESPACE.match(self.text, end).end()  # type: ignore[union-attr]
        if self.text[colon] != ":":
            raise ValueError("expected a colon")
        return path, _WHITESPACE.match(self.text, colon + 1).end()  # type: ignore[union-attr]

    def _scalar(self, path: JsonPath, at: int) -> int:
        for literal, refused in _LITERALS.items():
            if self.text.startswith(literal, at):
                if refused:
                    self.refusals.append((at, path, f"{refused} is not a JSON number"))
                return at + len(literal)
        number = _NUMBER.match(self.text, at)
        if number is None or number.end() == at:
            raise ValueError("expected a value")
        token = number.group()
        try:
            (_finite_float if number.group(1) or number.group(2) else _bounded_int)(token)
        except _Refused as exc:
            self.refusals.append((at, path, str(exc)))
        return number.end()
