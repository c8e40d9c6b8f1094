"""Where a dossier's evidence lock lives, without loading the evidence stack.

The names are part of the lock format (see docs/FORMATS.md); they live here,
below the evidence package, so ``assess`` can see that a dossier has no lock
without importing the HTTP client and page normaliser behind
:mod:`provenance_cli.evidence`. :mod:`provenance_cli.evidence.lock` re-exports them.
"""

from __future__ import annotations

from pathlib import Path

from provenance_cli.util.files import YAML_SUFFIXES

LOCK_SUFFIX = ".evidence.lock.yaml"


def lock_path_for(dossier_path: Path | str) -> Path:
    """The lock a snapshot writes: ``vendor.yaml`` -> ``vendor.yaml.evidence.lock.yaml`` in the same folder."""
    path = Path(dossier_path)
    return path.with_name(path.name + LOCK_SUFFIX)


def legacy_lock_path(dossier_path: Path | str) -> Path:
    """The name locks had before: ``vendor.yaml`` and ``vendor.yml`` both -> ``vendor.evidence.lock.yaml``."""
    path = Path(dossier_path)
    stem = path.name
    for suffix in YAML_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return path.with_name(stem + LOCK_SUFFIX)


def may_have_lock(dossier_path: Path | str) -> bool:
    """False when neither lock name exists, so there is certainly no lock to read (cheap: two stat calls)."""
    return lock_path_for(dossier_path).exists() or legacy_lock_path(dossier_path).is_file()
