"""Fuzz: mutated evidence lock files beside a dossier, through validate and assess (evidence compared offline).

A lock is written by ``evidence snapshot`` but lives in the repository
next to the dossier, where merges and hand edits break it. assess must
refuse a broken lock as bad input (exit 2) exactly when validate does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st
from support.fuzzing import AS_OF, Seed, Workspace, budget, problem_lines, validate_json
from support.mutations import DrawChooser, dump_yaml, mutate


@pytest.mark.slow
def test_lock_seeds_are_valid(space: Workspace, locks: list[tuple[Path, Seed]]) -> None:
    for dossier, seed in locks:
        lock = dossier.with_name(seed.name)
        lock.write_bytes(dump_yaml(seed.tree))
        assert not [f for f in validate_json(space, dossier, lock)["files"] if f["problems"]]
        assessed = space.run("assess", dossier, "-f", "json")
        assert assessed.returncode == 0, assessed.output
        assert assessed.json()["evidence_checks"], "the lock was read and compared"


def check_lock_case(data: st.DataObject, space: Workspace, locks: list[tuple[Path, Seed]]) -> None:
    chooser = DrawChooser(data)
    seed_dossier, seed = chooser.pick(locks)
    mutant = mutate(seed.tree, chooser, dump=dump_yaml, weights={"date": 2, "retype": 2}, boundary_first=True)
    as_of, fmt = chooser.pick(AS_OF), chooser.pick(("terminal", "json", "html"))
    note(f"lock for {seed_dossier.parent.name}: {mutant.describe()}; assess -f {fmt} --as-of {as_of}")
    folder = space.folder("lock")
    dossier = folder / "vendor.yaml"
    shutil.copyfile(seed_dossier, dossier)
    lock = folder / seed.name
    lock.write_bytes(mutant.content)

    files = validate_json(space, dossier, lock)["files"]
    refused = any(f["problems"] for f in files)
    assessed = space.run("assess", dossier, "-f", fmt, *(["--as-of", as_of] if as_of else []))
    assert assessed.returncode in (0, 2), assessed.output[-2000:]
    event(f"assess exit {assessed.returncode}")
    assert refused == (assessed.returncode == 2), (files, assessed.output[-2000:])
    if refused:
        assert any(line.startswith(str(lock)) for line in problem_lines(assessed)), assessed.output[-2000:]


@pytest.mark.slow
@budget(60)
@given(data=st.data())
def test_mutated_locks(data: st.DataObject, space: Workspace, locks: list[tuple[Path, Seed]]) -> None:
    check_lock_case(data, space, locks)
