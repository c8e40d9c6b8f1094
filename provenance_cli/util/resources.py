"""Where bundled data lives, in a wheel install and in a source checkout.

A built wheel carries the top-level ``questionnaires/``, ``templates/`` and
``schemas/`` folders inside the package as ``_data/``; an editable install
or a plain checkout does not, so we fall back to the repository folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """The bundled folder ``name`` (questionnaires, templates or schemas)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled data folder {name!r} is missing from this installation")


def package_file(name: str) -> Path:
    """A data file shipped inside the package itself (``provenance_cli/formats/data``)."""
    return _PACKAGE / "formats" / "data" / name
