"""Fuzz: mutated dossiers through validate, assess (every format, stdout, a file or a folder), diff and compare.

For every case: no traceback, an exit code of the contract, and validate
and assess agree (validate exits 2 exactly when assess reports the file as
bad input). A JSON report that assess writes must read back in diff.
"""

from __future__ import annotations

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st
from support.fuzzing import AS_OF, Seed, Workspace, budget, problem_lines
from support.mutations import DrawChooser, dump_yaml, mutate

FORMATS = ("terminal", "md", "html", "json", "csv")
VALUE_WEIGHTS = {"date": 3, "number": 3, "text": 3, "drop": 2}
"""Changes that often leave a dossier valid, so assess's arithmetic and rendering see the extremes, not only the loader."""


@pytest.mark.slow
def test_dossier_seeds_are_valid(space: Workspace, dossiers: list[Seed]) -> None:
    folder = space.folder("dossier-seeds")
    paths = []
    for seed in dossiers:
        paths.append(folder / seed.name)
        paths[-1].write_bytes(dump_yaml(seed.tree))
    result = space.run("validate", *paths)
    assert result.returncode == 0, result.output


def check_dossier_case(data: st.DataObject, space: Workspace, dossiers: list[Seed]) -> None:
    chooser = DrawChooser(data)
    seed = chooser.pick(dossiers)
    mutant = mutate(seed.tree, chooser, dump=dump_yaml, weights=VALUE_WEIGHTS, max_steps=2, boundary_first=True)
    fmt, where, as_of = chooser.pick(FORMATS), chooser.pick(("stdout", "folder", "file")), chooser.pick(AS_OF)
    then = chooser.pick(
        (None, None, ("diff", "before/original.yaml", "vendor.yaml"), ("compare", "vendor.yaml", "before/original.yaml", "-f", "md"))
    )
    # Everything is drawn before provcheck runs: a case Hypothesis abandons mid-way then costs nothing.
    note(f"seed {seed.name}: {mutant.describe()}")
    note(f"assess -f {fmt} to {where}, --as-of {as_of}; then {then}")
    folder = space.folder("dossier")
    path = folder / "vendor.yaml"
    path.write_bytes(mutant.content)

    verdict = space.run("validate", path)
    assert verdict.returncode in (0, 2), verdict.output

    args: list[object] = ["assess", path, "-f", fmt, *(["--as-of", as_of] if as_of else [])]
    out = folder / ("out" if where == "folder" else f"report.{fmt}")
    if where == "folder":
        out.mkdir()
    if where != "stdout":
        args += ["-o", out]
    assessed = space.run(*args)
    assert assessed.returncode in (0, 2), assessed.output[-2000:]
    assert (verdict.returncode == 2) == (assessed.returncode == 2), (verdict.output[-1500:], assessed.output[-1500:])
    event(f"assess exit {assessed.returncode}")
    if assessed.returncode == 2:
        assert any(line.startswith(str(path)) for line in problem_lines(assessed)), assessed.output[-2000:]
        return

    written = sorted(p for p in out.glob("*") if not p.name.startswith(".")) if where == "folder" else [out] if where == "file" else []
    assert all(p.stat().st_size > 0 for p in written) and (where == "stdout" or written), written
    for report in (p for p in written if p.suffix == ".json"):
        again = space.run("diff", report, report, "-f", "json")
        assert again.returncode == 0, again.output[-2000:]

    if then is not None:
        (folder / "before").mkdir(exist_ok=True)  # its own folder: two dossiers of one vendor id in one folder are a link error
        (folder / "before" / "original.yaml").write_bytes(dump_yaml(seed.tree))
        compared = space.run(*(folder / a if a.endswith(".yaml") else a for a in then), *(["--as-of", as_of] if as_of else []))
        assert compared.returncode == 0, compared.output[-2000:]


@pytest.mark.slow
@budget(200)
@given(data=st.data())
def test_mutated_dossiers(data: st.DataObject, space: Workspace, dossiers: list[Seed]) -> None:
    check_dossier_case(data, space, dossiers)


@budget(4)
@given(data=st.data())
def test_mutated_dossiers_smoke(data: st.DataObject, space: Workspace, dossiers: list[Seed]) -> None:
    check_dossier_case(data, space, dossiers)
