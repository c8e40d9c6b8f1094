"""Turn pydantic's validation errors into file:line:col problems people can act on."""

from __future__ import annotations

from typing import Any, get_origin

from pydantic import BaseModel, ValidationError

from provenance_cli.formats.safeyaml import Document, PathKey
from provenance_cli.formats.vocabulary import did_you_mean
from provenance_cli.util.errors import Problem


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names a model accepts at ``loc`` (for "did you mean" hints)."""
    current: Any = model
    in_mapping = False
    for part in loc:
        if isinstance(part, int):
            continue
        if in_mapping:  # a key of a dict field (e.g. a question id under answers)
            in_mapping = False
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        annotation = fields[part].annotation
        in_mapping = get_origin(annotation) is dict
        current = _model_in(annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def problems_from(error: ValidationError, document: Document, model: type[BaseModel], prefix: PathKey = ()) -> list[Problem]:
    """pydantic's errors on ``document`` as problems at their file positions, in words a dossier author understands.

    Unknown keys get a did-you-mean hint; a value that fits no member of a union gives one "expected X or Y"
    problem rather than one per member. ``prefix`` places a model that was validated from part of the document.
    """
    problems: list[Problem] = []
    # A value that fits no member of a union (``str | list[str]``) yields one error
    # per member; they are merged into one "expected X or Y" problem per place.
    shapes: dict[PathKey, tuple[list[str], str]] = {}
    for item in error.errors(include_url=False):
        loc = _located(item["loc"], _at(document.data, prefix))
        kind = item["type"]
        path = prefix + loc
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(model, loc[:-1])
            suggestion = did_you_mean(key, allowed) or (f"; expected one of {', '.join(allowed)}" if allowed else "")
            problems.append(document.problem(path, f"unknown key {key!r}{suggestion}", prefer_key=True))
            continue
        if kind == "missing":
            if tuple(path) in document.key_positions:  # written, but with no value
                problems.append(document.problem(path, f"{str(loc[-1])!r} has no value; it is required", prefer_key=True))
            else:
                problems.append(document.problem(path[:-1], f"missing required key {str(loc[-1])!r}"))
            continue
        if kind in _SHAPES:
            expected, found = shapes.setdefault(path, ([], _describe(item.get("input"))))
            if _SHAPES[kind] not in expected:
                expected.append(_SHAPES[kind])
            continue
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        elif kind == "literal_error":
            message = f"{message[0].lower()}{message[1:]}, got {_describe(item.get('input'))}"
        else:
            message = f"{message[0].lower()}{message[1:]}, got {_describe(item.get('input'))}"
        field = ".".join(str(part) for part in loc)
        problems.append(document.problem(path, f"{field}: {message}" if field else message))
    for path, (expected, found) in shapes.items():
        field = ".".join(str(part) for part in path[len(prefix) :])
        message = f"expected {' or '.join(expected)}, found {found}"
        problems.append(document.problem(path, f"{field}: {message}" if field else message))
    return problems


_SHAPES = {
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "list_type": "a list",
    "string_type": "text",
}
# pydantic names the member of a union an error belongs to in the location,
# e.g. ('answer', 'str') or ('answer', 'list[str]'); no field is named like these.
_PLAIN_TAGS = frozenset({"str", "int", "float", "bool", "none", "bytes", "decimal", "datetime"})


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part in _PLAIN_TAGS)


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part] if _holds(data, part) else None
    return data


def _holds(data: Any, part: Any) -> bool:
    if isinstance(data, dict):
        return part in data
    return isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)


def _located(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """``loc`` without pydantic's union tags; a key the file really has stays, however it is spelt (``p[olicy``, ``str``)."""
    kept: list[Any] = []
    for part in loc:
        if _holds(data, part):
            data = data[part]
        elif _is_union_tag(part):
            continue
        else:
            data = None
        kept.append(part)
    return tuple(kept)
