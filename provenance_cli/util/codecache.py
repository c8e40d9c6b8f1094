"""The compiled methods of dataclasses, kept on disk between runs.

Creating a dataclass compiles its generated methods (``__init__``,
``__repr__``, ``__eq__``, and for a frozen one ``__setattr__``,
``__delattr__`` and ``__hash__``) from source text on every start: about
0.35 ms for a plain class and 0.9 ms for a frozen one here, and a
``provcheck assess FILE`` creates about 140 of them (its own, pydantic's,
typer's, rich's). Compiling is three quarters of that, and its result
depends only on the text and the Python that compiled it, exactly like a
``.pyc`` file. So the console script asks :mod:`dataclasses` to compile
through :func:`_compile_cached`: each text's code object is looked up in
``<cache folder>/code/dataclasses-<python>.marshal`` and compiled only when
it is not there; new texts are added to the file when the process ends.
A warm start saves 50-100 ms of CPU; a cold one costs one write.

The hook is the module-level name ``exec`` in :mod:`dataclasses` (which
every CPython from 3.10 to 3.13 calls to turn a generated method's text
into functions). It compiles exactly as ``exec(text)`` would (file name
``<string>``, no ``__future__`` flags inherited) and runs the result in the
same namespaces, so the classes are the same; a Python that stops calling
``exec`` there simply compiles as before. Only the ``provcheck`` command
installs it (:mod:`provenance_cli.cli.entry`), never an importer of the
package.

The file is marshal data, which is code, so it is trusted the way the
compiled catalogue's pickle is (:func:`provenance_cli.util.cachedir.read_private`):
read only when it and its folder are the user's own and writable by nobody
else. A file that is missing, unreadable, damaged or from another Python is
ignored and rewritten; a cache folder that cannot be written is not used;
nothing here ever stops a run.
"""

from __future__ import annotations

import atexit
import builtins
import marshal
import sys
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

CACHE_FOLDER = "code"
"""Subfolder of the cache folder holding the compiled methods."""

MAX_ENTRIES = 5000
"""Above this many texts, a write keeps only those the run used (old code's methods fall away)."""

_FORMAT = "provcheck-dataclass-code-1"
"""First item of the stored tuple: what the second item is."""


class _CodeCache:
    """Compiled dataclass methods by source text, loaded once, written back at exit when something new was compiled."""

    def __init__(self, path: Path, known: dict[str, CodeType]) -> None:
        self.path = path
        self.known = known
        self.used: set[str] = set()
        self.added = 0

    def code_for(self, source: str) -> CodeType:
        """The code object ``exec(source)`` would compile, from the cache when it is there."""
        code = self.known.get(source)
        if type(code) is not CodeType:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.known[source] = code
            self.added += 1
        self.used.add(source)
        return code

    def save(self) -> None:
        """Write the texts back when this run compiled new ones; any failure leaves the cache as it was."""
        if not self.added:
            return
        from provenance_cli.util.cachedir import write_private

        entries = self.known
        if len(entries) > MAX_ENTRIES:
            entries = {source: entries[source] for source in self.used}
        write_private(self.path, marshal.dumps((_FORMAT, entries)))


_installed: _CodeCache | None = None


def cache_file() -> Path:
    """Where this Python's compiled methods are kept (marshal data is specific to the interpreter's version)."""
    from provenance_cli.util.cachedir import cache_root

    tag = f"{sys.implementation.cache_tag}-{sys.hexversion:x}"
    return cache_root() / CACHE_FOLDER / f"dataclasses-{tag}.marshal"


def _read(path: Path) -> dict[str, CodeType]:
    """The texts and code stored at ``path``, or nothing when the file is absent, not private or not ours."""
    from provenance_cli.util.cachedir import read_private

    data = read_private(path)
    try:
        stored = marshal.loads(data) if data is not None else None
    except Exception:  # truncated or from another Python: start empty
        return {}
    if type(stored) is not tuple or len(stored) != 2 or stored[0] != _FORMAT or type(stored[1]) is not dict:
        return {}
    return stored[1]


def _compile_cached(
    source: Any,
    /,
    globals: dict[str, Any] | None = None,  # exec's own parameter names: Python 3.13+ lets callers pass them by keyword
    locals: Mapping[str, object] | None = None,
    **options: Any,
) -> None:
    """``exec`` for :mod:`dataclasses`, with the same parameters: a text's compiled code is taken from the cache."""
    cache = _installed
    if cache is not None and type(source) is str:
        source = cache.code_for(source)
    builtins.exec(source, globals, locals, **options)


def install() -> None:
    """Make :mod:`dataclasses` compile through the cache for the rest of this process (once; never raises)."""
    global _installed
    if _installed is not None:
        return
    try:
        import dataclasses

        if "exec" in vars(dataclasses):  # someone else's hook, or a Python that defines its own: leave it
            return
        path = cache_file()
        _installed = _CodeCache(path, _read(path))
        dataclasses.exec = _compile_cached  # type: ignore[attr-defined]
        atexit.register(_installed.save)
    except Exception:  # the cache is an optimisation only
        _installed = None
