"""Changing answers in a dossier without losing a comment or the author's layout.

A dossier is written by hand and read by people: its comments, blank
lines, quoting and flow-style evidence lists are part of it. ``provcheck
import`` and ``provcheck fill`` change a few answers, so only those answer
entries are touched: each changed entry's lines are cut out, read with
ruamel.yaml's round-trip loader (which keeps the entry's own comments and
styles), changed, written back in the entry's own indentation and put
back in place. Every other byte of the file stays as it was. A new entry
goes after the last answer of its questionnaire, in the style of the
entries around it. The result is read back by provcheck's strict loader
and checked against the questionnaires before anyone may write it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from provenance_cli.formats.dossier import Dossier, dossier_from_document
from provenance_cli.formats.questionnaires import Catalogue
from provenance_cli.formats.safeyaml import Document, load_text
from provenance_cli.util.errors import InputError, Problem

INDENT_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (3, 5, 3), (2, 4, 4))
"""(mapping, sequence, offset) indentations tried, most common first, until one reproduces an entry exactly."""


@dataclass(frozen=True)
class AnswerChange:
    """What to change in one answer entry; anything left None stays as it is."""

    question_id: str
    answer: Any = None
    """The new answer as YAML should hold it (text, a whole number, a date, a list); None keeps the answer."""
    add_evidence: tuple[dict[str, Any], ...] = ()
    """Evidence items to append (``url``, ``title``, ``retrieved``, ``kind``); a URL already cited is not added twice."""
    note: str | None = None
    """The entry's new note (replaces the old one; callers keep the old text in it)."""
    as_of: date | None = None


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    keeps_aliases = yaml.representer.ignore_aliases
    # One import date used twice must be written twice, never as an anchor and an alias.
    yaml.representer.ignore_aliases = lambda data: isinstance(data, (date, str, int, float)) or keeps_aliases(data)
    return yaml


def _dump(data: Any, style: tuple[int, int, int]) -> str:
    yaml = _yaml()
    yaml.indent(mapping=style[0], sequence=style[1], offset=style[2])
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_trailing(line: str, key_indent: int) -> bool:
    """A blank line, or a comment no deeper than the entry's key: it belongs to what follows."""
    stripped = line.strip()
    return not stripped or (stripped.startswith("#") and _indent_of(line) <= key_indent)


@dataclass(frozen=True)
class _Layout:
    """Where the answers and each answer entry sit in the file's lines (0-based, end exclusive)."""

    spans: dict[str, tuple[int, int]]
    """Answer id -> its entry's lines, trailing blank lines and section comments left out."""
    key_indent: int
    """Indentation of the answer ids."""
    answers_end: int
    """The line after the last line that belongs to the answers block (before the next top-level key)."""
    blank_between: bool
    """True when entries are separated by blank lines."""


def _layout(document: Document, lines: list[str], block: tuple[str | int, ...] = ("answers",)) -> _Layout:
    """Where the answers of ``block`` (``answers``, or a model's ``models[i].answers``) and each of their entries sit."""
    depth = len(block)
    answer_keys = sorted(
        (pos[0], str(path[depth])) for path, pos in document.key_positions.items() if len(path) == depth + 1 and path[:depth] == block
    )
    answers_line, answers_column = document.key_positions[block]
    block_indent = answers_column - 1
    later = [pos[0] for path, pos in document.key_positions.items() if pos[0] > answers_line and path[:depth] != block]
    answers_end = min(later) - 1 if later else len(lines)
    while answers_end > answers_line and _is_trailing(lines[answers_end - 1], block_indent):
        answers_end -= 1
    spans: dict[str, tuple[int, int]] = {}
    key_indent = block_indent + 2
    blank_between = True
    for index, (line, qid) in enumerate(answer_keys):
        key_indent = document.key_positions[block + (qid,)][1] - 1
        end = answer_keys[index + 1][0] - 1 if index + 1 < len(answer_keys) else answers_end
        while end > line and _is_trailing(lines[end - 1], key_indent):
            end -= 1
        spans[qid] = (line - 1, end)
        if index + 1 < len(answer_keys):
            blank_between = end < len(lines) and not lines[end].strip()
    return _Layout(spans, key_indent, answers_end, blank_between)


def _flow_answers(document: Document, lines: list[str], block: tuple[str | int, ...] = ("answers",)) -> bool:
    """True when ``answers`` is written as a flow mapping (``answers: {...}``), which has no entries of its own lines."""
    if block not in document.positions:
        return False
    line, column = document.positions[block]
    return lines[line - 1][column - 1 : column].startswith("{")


def _apply_to_entry(entry: Any, change: AnswerChange) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(entry, dict):
        entry = CommentedMap()
    if change.answer is not None:
        value = change.answer
        if isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        entry["answer"] = value
    if change.add_evidence:
        evidence = entry.get("evidence")
        if not isinstance(evidence, list):
            evidence = CommentedSeq()
            entry["evidence"] = evidence
        cited = {item.get("url") for item in evidence if isinstance(item, dict)}
        for item in change.add_evidence:
            if item.get("url") in cited:
                continue
            made = CommentedMap((key, value) for key, value in item.items() if value is not None)
            made.fa.set_flow_style()
            evidence.append(made)
    if change.note is not None:
        entry["note"] = change.note
    if change.as_of is not None:
        entry["as_of"] = change.as_of
    return entry


def _rewrite_entry(snippet: str, change: AnswerChange) -> tuple[str, tuple[int, int, int]]:
    """The entry's text with ``change`` applied, and the indentation style it was written in."""
    yaml = _yaml()
    data = yaml.load(snippet)
    style = next((s for s in INDENT_STYLES if _dump(data, s) == snippet), INDENT_STYLES[0])
    data[change.question_id] = _apply_to_entry(data[change.question_id], change)
    return _dump(data, style), style


def _new_entry(change: AnswerChange, style: tuple[int, int, int]) -> str:
    from ruamel.yaml.comments import CommentedMap

    return _dump(CommentedMap([(change.question_id, _apply_to_entry(None, change))]), style)


def _indented(text: str, indent: int, newline: str) -> list[str]:
    pad = " " * indent
    return [(pad + line if line.strip() else "") + newline for line in text.splitlines()]


def apply_changes(
    text: str, source: str, changes: Sequence[AnswerChange], catalogue: Catalogue, *, model: int | None = None
) -> tuple[str, Dossier]:
    """The dossier text with ``changes`` made, every other line as it was, and the dossier it now validates as.

    ``model`` changes the answers of ``models[model]`` (its own ``answers:`` block, made when missing)
    instead of the vendor's. InputError when the changed dossier would not load (nothing is written by
    this function).
    """
    document = load_text(text, source)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    where: tuple[str | int, ...] = ("answers",) if model is None else ("models", model, "answers")
    if where not in document.key_positions:
        lines = _with_answers_block(document, lines, where, newline)
        document = load_text("".join(lines), source)
    elif _flow_answers(document, lines, where):
        line, column = document.positions[where]
        if _value_at(document.data, where):
            raise InputError(
                [Problem(source, line, column, "answers written as one flow mapping ({...}); write them as a block to import or fill")]
            )
        lines[line - 1] = lines[line - 1][: column - 1].rstrip() + newline
        document = load_text("".join(lines), source)
    layout = _layout(document, lines, where)
    style = INDENT_STYLES[0]
    replaced: dict[int, tuple[int, list[str]]] = {}
    inserts: dict[int, list[str]] = {}
    order = list(catalogue.questions)
    for change in changes:
        span = layout.spans.get(change.question_id)
        if span is not None:
            start, end = span
            snippet = "".join(
                line[layout.key_indent :] if _indent_of(line) >= layout.key_indent else line.lstrip(" ") for line in lines[start:end]
            )
            rewritten, style = _rewrite_entry(snippet.replace("\r\n", "\n"), change)
            replaced[start] = (end, _indented(rewritten, layout.key_indent, newline))
            continue
        at = _insertion_line(change.question_id, layout, order, catalogue)
        block = _indented(_new_entry(change, style), layout.key_indent, newline)
        inserts.setdefault(at, []).extend(([newline] if layout.blank_between and layout.spans else []) + block)
    out: list[str] = []
    index = 0
    while index <= len(lines):
        out.extend(inserts.get(index, []))
        if index == len(lines):
            break
        if index in replaced:
            end, block = replaced[index]
            out.extend(block)
            index = end
            continue
        out.append(lines[index])
        index += 1
    result = "".join(out)
    import hashlib

    try:
        changed = dossier_from_document(load_text(result, source), hashlib.sha256(result.encode("utf-8")).hexdigest(), catalogue)
    except InputError as exc:
        problems = [Problem(p.source, 0, 0, f"the changed dossier would not be valid: {p.message}") for p in exc.problems]
        raise InputError(problems) from None
    return result, changed


def _value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _with_answers_block(document: Document, lines: list[str], block: tuple[str | int, ...], newline: str) -> list[str]:
    """``lines`` with an empty ``answers:`` block added: at the end of the file, or at the end of the model's entry."""
    if len(block) == 1:
        return [*lines, f"answers:{newline}"]
    entry = block[:-1]
    inside = [(pos, path) for path, pos in document.key_positions.items() if path[: len(entry)] == entry and len(path) > len(entry)]
    first_line, first_column = min(pos for pos, _ in inside)
    last = max(pos[0] for pos, _ in inside)
    later = [pos[0] for path, pos in document.key_positions.items() if pos[0] > last and path[: len(entry)] != entry]
    end = (min(later) - 1) if later else len(lines)
    while end > last and not lines[end - 1].strip():
        end -= 1
    indent = " " * (first_column - 1)
    return [*lines[:end], f"{indent}answers:{newline}", *lines[end:]]


def _insertion_line(question_id: str, layout: _Layout, order: list[str], catalogue: Catalogue) -> int:
    """Where a new entry goes: after the last entry of an earlier question of its questionnaire, else at the end of the answers."""
    category = catalogue.category_of[question_id]
    position = order.index(question_id)
    earlier = [
        layout.spans[qid][1]
        for qid in layout.spans
        if qid in catalogue.category_of and catalogue.category_of[qid] == category and order.index(qid) < position
    ]
    return max(earlier) if earlier else layout.answers_end
