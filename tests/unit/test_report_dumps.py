"""The report serialiser writes exactly what ``json.dumps`` with sorted keys writes, whichever library writes it.

``render.document.dumps`` lets orjson write a report when that gives the
same text and ``json`` otherwise: these tests hold it to byte identity on
real reports (the examples, a hostile dossier, synthetic dossiers and one
in several scripts), on every code point, and on the values where orjson
writes something else or refuses (small floats, big ints, non-string keys,
deep nesting, lone surrogates, dates).
"""

from __future__ import annotations

import json
import math
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.reports import CONTEXT, assess, example_paths, hostile_dossier
from support.synthetic import dossier_data

from provenance_cli.formats.questionnaires import load_catalogue
from provenance_cli.formats.report_shape import compact_report
from provenance_cli.render import document as document_module
from provenance_cli.render.document import _orjson_bytes, dumps, dumps_bytes, report_document


def _reference(data: Any) -> str:
    """What reports have always been: Python's encoder, keys sorted, compact, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def _many_scripts(folder: Path) -> Path:
    """A valid dossier whose names and notes mix scripts, accents, emoji and control-free punctuation."""
    catalogue = load_catalogue()
    data = dossier_data(catalogue, random.Random(11), 11)
    data["vendor"]["name"] = "Nordlicht Ærø Modelle 北风 Ωμέγα"
    data["vendor"]["aliases"] = ["Северный ветер", "ノースウィンド", "شمال", "🦉 Owl\u2028Labs"]
    for entry in data["answers"].values():
        entry["note"] = 'Zusätzliche Prüfung \u00a0— «siehe Anhang» 📎 \\ "quoted" \t tab'
    path = folder / "many-scripts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("dumps")
    catalogue = load_catalogue()
    rng = random.Random(20)
    synthetic = []
    for index in range(6):
        synthetic.append(folder / f"vendor-{index:02d}.yaml")
        synthetic[-1].write_text(yaml.safe_dump(dossier_data(catalogue, rng, index), sort_keys=False), encoding="utf-8")
    results = assess([*example_paths(), hostile_dossier(folder), _many_scripts(folder), *synthetic])
    full = [report_document(result, CONTEXT) for result in results]
    return [*full, *(compact_report(document) for document in full)]


def test_real_reports_are_written_by_orjson_byte_for_byte(documents: list[dict[str, Any]]) -> None:
    """Every report, full and compact, takes the fast path and gives Python's exact text."""
    assert any("北风" in json.dumps(d, ensure_ascii=False) for d in documents)
    for document in documents:
        assert _orjson_bytes(document) is not None, "a real report should not need the slow path"
        assert dumps(document) == _reference(document)
        assert dumps_bytes(document) == _reference(document).encode("utf-8"), "the bytes a report file gets"
    assert dumps(documents[:3]) == _reference(documents[:3]), "several vendors on one stream are an array"


def test_every_code_point_is_escaped_as_python_escapes_it() -> None:
    """Control characters, quotes, backslashes, line separators and every other script: same text."""
    code_points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(code_points), 0x2000):
        text = "".join(map(chr, code_points[start : start + 0x2000]))
        data = {"text": text, text[:40]: [text[-20:]]}
        assert dumps(data) == _reference(data)


def test_keys_sort_by_code_point_in_any_script() -> None:
    data = {"zeta": 1, "Ärger": 2, "apple": 3, "北": 4, "🦉": 5, "Z": 6, "": 7, "a\u0301": 8}
    assert dumps(data) == _reference(data)


@pytest.mark.parametrize(
    "value",
    [0.1, 1e-07, 1e-05, 9.99e-05, 0.0001, 0.00012, 1e-10, 5e-324, -0.0, 0.0, 1e15, 1e16, 1.5e16, 1e22, 1.7976931348623157e308, -2.5e-6],
)
def test_floats_are_written_as_python_writes_them(value: float) -> None:
    """Shortest round-trip digits, and Python's exponent style (``1e-07``, ``1e+16``) where orjson's differs."""
    data = {"value": value, "values": [value, -value, 3.25]}
    assert dumps(data) == _reference(data)


def test_random_floats_of_every_magnitude() -> None:
    rng = random.Random(7)
    values = [rng.uniform(1, 10) * 10.0 ** rng.randint(-320, 307) * rng.choice((1, -1)) for _ in range(20000)]
    values += [round(rng.uniform(-100, 100), rng.randint(0, 6)) for _ in range(5000)]
    values = [v for v in values if math.isfinite(v)]
    for start in range(0, len(values), 50):
        chunk = {"numbers": values[start : start + 50]}
        assert dumps(chunk) == _reference(chunk)


@pytest.mark.parametrize(
    "data",
    [
        {"big": 2**64, "small": -(2**63) - 1, "huge": 10**40},
        {"max": 2**64 - 1, "min": -(2**63)},
        {1: "int key", 2: "another int key"},
        {"text mentions 1e-5 and 0.00001": "looks like a small float", "n": 1},
        {"lone": "surrogate \udc80 here"},
        {"bool": True, "none": None, "nested": [[[]], {}, ""]},
    ],
)
def test_values_orjson_refuses_or_writes_otherwise_fall_back_to_the_same_text(data: Any) -> None:
    assert dumps(data) == _reference(data)


def test_deep_nesting_falls_back_to_the_same_text() -> None:
    data: Any = "leaf"
    for _ in range(400):
        data = {"x": [data]}
    assert dumps(data) == _reference(data)


@pytest.mark.parametrize("value", [date(2026, 1, 2), {1: "int key", "b": "str key"}, {"set": {1, 2}}])
def test_what_json_refuses_is_still_refused(value: Any) -> None:
    """A date or a set in a report would be a bug: the serialiser raises as ``json`` does, rather than write it some other way."""
    with pytest.raises(TypeError):
        _reference({"value": value})
    with pytest.raises(TypeError):
        dumps({"value": value})


def test_an_orjson_that_writes_floats_otherwise_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """orjson before 3.12 wrote ``1e16`` for Python's ``1e+16``: such a release is refused once, and ``json`` writes everything."""
    import orjson

    real = orjson.dumps

    def older(data: Any, option: int | None = None) -> bytes:
        return real(data, option=option).replace(b"e+", b"e")

    monkeypatch.setattr(orjson, "dumps", older)
    monkeypatch.setattr(document_module, "_ORJSON_OPTIONS", [])
    data = {"big": 1e16, "text": "plain"}
    assert _orjson_bytes(data) is None
    assert dumps(data) == _reference(data)
    assert dumps_bytes(data) == _reference(data).encode("utf-8")
