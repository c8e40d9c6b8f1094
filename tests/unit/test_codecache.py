"""Dataclasses' compiled methods kept between runs: reused, never trusted blindly, never changing a class.

The console-script tests start real ``python -m provenance_cli`` processes
against a real cache folder; the others drive the same hook in this process
through pytest's monkeypatch, so the test run itself is left as it was.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from provenance_cli.util import codecache


def run_version(cache: Path) -> None:
    env = {**os.environ, "PROVCHECK_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-m", "provenance_cli", "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("provcheck ")


def the_file(cache: Path) -> Path:
    [path] = (cache / codecache.CACHE_FOLDER).glob("dataclasses-*.marshal")
    return path


def stored(path: Path) -> dict[str, Any]:
    form, entries = marshal.loads(path.read_bytes())
    assert form == codecache._FORMAT
    return entries


def test_the_console_script_keeps_the_methods_and_reads_them_back(tmp_path):
    cache = tmp_path / "cache"
    run_version(cache)
    path = the_file(cache)
    entries = stored(path)
    assert len(entries) > 20  # typer's, pydantic's and rich's classes at least
    assert all(text.startswith("def __create_fn__") for text in entries)
    assert path.stat().st_mode & 0o777 == 0o600
    before = path.stat()
    run_version(cache)
    after = path.stat()
    # Not rewritten: every method the second run needed came from the file.
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("damage", [b"", b"not marshal data", marshal.dumps(("someone-else", {})), marshal.dumps({"x": 1})])
def test_a_damaged_or_foreign_file_is_ignored_and_rewritten(tmp_path, damage):
    cache = tmp_path / "cache"
    run_version(cache)
    path = the_file(cache)
    good = stored(path)
    path.write_bytes(damage)
    path.chmod(0o600)
    run_version(cache)
    assert stored(path).keys() == good.keys()


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_file_others_may_write_is_never_read_and_is_replaced_by_a_private_one(tmp_path):
    cache = tmp_path / "cache"
    run_version(cache)
    path = the_file(cache)
    path.chmod(0o666)
    assert codecache._read(path) == {}
    run_version(cache)
    assert path.stat().st_mode & 0o777 == 0o600
    assert codecache._read(path)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_folder_others_may_write_is_neither_read_nor_written(tmp_path):
    cache = tmp_path / "cache"
    run_version(cache)
    path = the_file(cache)
    path.parent.chmod(0o777)
    try:
        assert codecache._read(path) == {}
        path.unlink()
        run_version(cache)
        assert not path.exists()
    finally:
        path.parent.chmod(0o700)


def build_classes() -> tuple[type, type]:
    """A frozen and a plain dataclass with every kind of field the generator handles."""

    @dataclasses.dataclass(frozen=True)
    class Frozen:
        """A frozen record."""

        name: str
        count: int = 3
        tags: tuple[str, ...] = ()
        extra: list[int] = dataclasses.field(default_factory=list, compare=False)

    @dataclasses.dataclass(order=True, kw_only=True)
    class Plain:
        """A mutable, ordered, keyword-only record."""

        rank: int
        label: str = "x"

    return Frozen, Plain


def exercise(frozen: type, plain: type) -> list[object]:
    """Everything the generated methods decide, as plain values to compare."""
    one, two = frozen("a", extra=[1]), frozen("a", extra=[2])
    try:
        one.name = "b"  # type: ignore[misc]
        refused = ""
    except dataclasses.FrozenInstanceError as exc:
        refused = str(exc)
    low, high = plain(rank=1), plain(rank=2, label="y")
    return [
        repr(one),
        one == two,
        hash(one) == hash(two),
        refused,
        repr(low),
        low < high,
        sorted([high, low]) == [low, high],
        {k: str(v) for k, v in frozen.__init__.__annotations__.items()},
        {k: str(v) for k, v in plain.__init__.__annotations__.items()},
        frozen.__match_args__,
    ]


def test_classes_made_through_the_cache_behave_exactly_as_without_it(tmp_path, monkeypatch):
    expected = exercise(*build_classes())
    path = tmp_path / "code" / "dataclasses-test.marshal"
    cold = codecache._CodeCache(path, {})
    monkeypatch.setattr(codecache, "_installed", cold)
    monkeypatch.setattr(dataclasses, "exec", codecache._compile_cached, raising=False)
    assert exercise(*build_classes()) == expected
    assert cold.added >= 6  # compiled on this first pass...
    cold.save()
    warm = codecache._CodeCache(path, codecache._read(path))
    monkeypatch.setattr(codecache, "_installed", warm)
    assert exercise(*build_classes()) == expected
    assert warm.added == 0  # ...and taken from the file on the second
    assert warm.used


def test_the_hook_takes_exec_s_arguments_by_position_or_by_keyword(tmp_path, monkeypatch):
    # Python 3.13 lets exec's globals and locals be passed by keyword; a later dataclasses may do so.
    monkeypatch.setattr(codecache, "_installed", codecache._CodeCache(tmp_path / "code.marshal", {}))
    text = "def __create_fn__():\n def f(self): return 42\n return f"
    by_position: dict[str, Any] = {}
    codecache._compile_cached(text, {}, by_position)
    by_keyword: dict[str, Any] = {}
    codecache._compile_cached(text, globals={}, locals=by_keyword)
    assert by_position["__create_fn__"]()(None) == by_keyword["__create_fn__"]()(None) == 42


def test_another_hook_on_dataclasses_is_left_alone(monkeypatch):
    def someone_elses(*args: object) -> None:
        raise AssertionError("not called here")

    monkeypatch.setattr(dataclasses, "exec", someone_elses, raising=False)
    monkeypatch.setattr(codecache, "_installed", None)
    codecache.install()
    assert dataclasses.exec is someone_elses  # type: ignore[attr-defined]
    assert codecache._installed is None


def test_a_cache_past_its_size_keeps_only_what_the_run_used(tmp_path):
    path = tmp_path / "code" / "dataclasses-test.marshal"
    old = {f"def __create_fn__():\n pass # {n}\n return 1": compile("x = 1", "<string>", "exec") for n in range(codecache.MAX_ENTRIES)}
    cache = codecache._CodeCache(path, old)
    text = "def __create_fn__():\n def f(): pass\n return f"
    cache.code_for(text)
    cache.save()
    assert list(codecache._read(path)) == [text]
