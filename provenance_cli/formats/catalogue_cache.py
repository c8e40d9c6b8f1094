"""The compiled questionnaire catalogue, kept on disk between runs.

Parsing, checking and compiling the five bundled questionnaires costs about
twenty milliseconds on every run; unpickling the result costs one or two.
The pickle lives in ``<cache folder>/catalogue/`` (see
:mod:`provenance_cli.util.cachedir`) under a name derived from everything
the compiled result depends on:

* provcheck's version, the Python version and implementation, pydantic's version;
* each questionnaire and frameworks file's resolved path and content
  (the bundled ones and an organisation's), and the names the files were
  given by, which messages and reports show;
* the source of the modules that define and build the compiled types, so an
  editable install whose code changed never loads a pickle made by older code.

Any change to one of those gives a new name, so a stale cache is never read.

A cache file that cannot be read or unpickled, or is not a catalogue of the
same key, is ignored and rebuilt; a cache folder that cannot be written is
simply not used. The file is written atomically (temporary file, fsync,
rename).

The checked policy is kept the same way (subfolder ``policy/``, see
:func:`provenance_cli.formats.policy.load_policy`): its key adds both policy
files' bytes, the name the policy was given by, the digests of the
questionnaires it was checked against and the policy module's source.

Security: unpickling runs code, so a pickle is only read when it is owned by
the current user and neither it nor its folder is writable by group or
others (:func:`provenance_cli.util.cachedir.read_private`; it is written 0600). The cache folder is the user's own: whoever can write it can
already run code as that user (through their shell start-up files, say).
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from provenance_cli.util.cachedir import read_private, write_private

CACHE_FOLDER = "catalogue"
STALE_AFTER_SECONDS = 30 * 24 * 3600
"""Other cached catalogues untouched this long are removed when a new one is written."""


def _defining_modules() -> list[ModuleType]:
    """Modules whose code decides what a compiled catalogue looks like."""
    from provenance_cli.formats import conditions, frameworks, models, questionnaires, safeyaml, vocabulary

    return [questionnaires, models, conditions, vocabulary, safeyaml, frameworks]


def catalogue_key(files: Sequence[Path], tag: str = "", modules: Sequence[ModuleType] = ()) -> str:
    """The hex digest naming the object built from ``files`` (and named by ``tag``) by this code and ``modules``' code."""
    import pydantic

    from provenance_cli import __version__

    digest = hashlib.sha256()
    for part in (__version__, sys.version, sys.implementation.cache_tag or "", pydantic.VERSION):
        digest.update(part.encode("utf-8") + b"\0")
    for module in [*_defining_modules(), *modules]:
        digest.update(Path(str(module.__file__)).read_bytes() + b"\0")
    for path in files:
        digest.update(str(path.resolve()).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    digest.update(tag.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def read_cached(folder: Path, key: str) -> Any | None:
    """The object cached under ``key``, or None when there is none usable."""
    data = read_private(folder / f"{key}.pickle")
    if data is None:
        return None
    try:
        stored_key, value = pickle.loads(data)
    except Exception:  # truncated or from other code: rebuild
        return None
    return value if stored_key == key else None


def write_cached(folder: Path, key: str, value: Any) -> None:
    """Store ``value`` under ``key``; a cache that cannot be written is skipped silently."""
    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a value that does not pickle is simply not kept
        return
    if write_private(folder / f"{key}.pickle", data):
        _remove_stale(folder, keep=f"{key}.pickle")


def _remove_stale(folder: Path, *, keep: str) -> None:
    """Drop catalogues compiled by code or files long gone (each edit of a dev install leaves one)."""
    cutoff = time.time() - STALE_AFTER_SECONDS
    try:
        for entry in folder.glob("*.pickle"):
            if entry.name != keep and entry.stat().st_mtime < cutoff:
                entry.unlink(missing_ok=True)
    except OSError:
        return


def cached_build(
    files: Sequence[Path],
    build: Callable[[Sequence[Path]], Any],
    expected: type,
    *,
    tag: str = "",
    modules: Sequence[ModuleType] = (),
    kind: str = CACHE_FOLDER,
) -> Any:
    """``build(files)``, or its result from the cache when the same code compiled the same files (named by ``tag``) before.

    ``modules`` are code beyond the catalogue's own that shapes the result
    (their source enters the key); ``kind`` names the cache's subfolder.
    """
    from provenance_cli.util.cachedir import cache_root

    try:
        key = catalogue_key(files, tag, modules)
        folder = cache_root() / kind
    except OSError:
        return build(files)
    cached = read_cached(folder, key)
    if isinstance(cached, expected):
        return cached
    value = build(files)
    write_cached(folder, key, value)
    return value
