"""Fixtures of the fuzz suite: one workspace and the seeds, made once per session (Hypothesis runs many cases per test)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import EXAMPLES
from support.fuzzing import Seed, Workspace, dossier_seeds, lock_seed, policy_seeds, report_seeds


@pytest.fixture(scope="session")
def space(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.create(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="session")
def dossiers(catalogue) -> list[Seed]:
    return dossier_seeds(catalogue)


@pytest.fixture(scope="session")
def policies(catalogue) -> list[Seed]:
    return policy_seeds(catalogue)


@pytest.fixture(scope="session")
def reports(space: Workspace) -> list[Seed]:
    return report_seeds(space)


@pytest.fixture(scope="session")
def locks(space: Workspace) -> list[tuple[Path, Seed]]:
    """(dossier, lock seed) pairs: two examples copied as vendor.yaml, each with the lock a snapshot would write."""
    pairs = []
    for example in ("kestrel-ai.yaml", "northwind-frontier.yaml"):
        folder = space.folder(f"lock-seed-{example}")
        dossier = folder / "vendor.yaml"
        shutil.copyfile(EXAMPLES / example, dossier)
        pairs.append((dossier, lock_seed(dossier)))
    return pairs
