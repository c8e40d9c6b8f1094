"""Fuzz: mutated policies (the examples, the bundled default, format 1, one using every section) through validate and assess.

Mutations favour numbers and dates, where policies once overflowed the
calendar (reassessment_days, max_age_days, waiver dates, --as-of at the
ends of the calendar). validate and assess agree, except where validate is
stricter on purpose: an expired waiver is an error in validate and a
report line in assess (docs/SCORING.md).
"""

from __future__ import annotations

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st
from support import EXAMPLES
from support.fuzzing import AS_OF, Seed, Workspace, budget, problem_lines, validate_json
from support.mutations import DrawChooser, dump_yaml, mutate

DOSSIERS = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.slow
def test_policy_seeds_are_valid(space: Workspace, policies: list[Seed]) -> None:
    folder = space.folder("policy-seeds")
    for seed in policies:
        path = folder / seed.name
        path.write_bytes(dump_yaml(seed.tree))
        assert space.run("validate", path).returncode == 0, seed.name
        assessed = space.run("assess", DOSSIERS[0], "--policy", path)
        assert assessed.returncode == 0, assessed.output


def check_policy_case(data: st.DataObject, space: Workspace, policies: list[Seed]) -> None:
    chooser = DrawChooser(data)
    seed = chooser.pick(policies)
    mutant = mutate(seed.tree, chooser, dump=dump_yaml, weights={"number": 4, "date": 3}, boundary_first=True, max_steps=2)
    dossier, as_of, fmt = chooser.pick(DOSSIERS), chooser.pick(AS_OF), chooser.pick(("terminal", "json", "md"))
    note(f"seed {seed.name}: {mutant.describe()}")
    note(f"assess {dossier.name} -f {fmt} --as-of {as_of}")
    policy = space.folder("policy") / "policy.yaml"
    policy.write_bytes(mutant.content)

    verdict = validate_json(space, policy)["files"][0]
    assessed = space.run("assess", dossier, "--policy", policy, "-f", fmt, *(["--as-of", as_of] if as_of else []))
    assert assessed.returncode in (0, 2), assessed.output[-2000:]
    event(f"assess exit {assessed.returncode}, validate sees a {verdict['kind']}")
    if assessed.returncode == 2:
        assert any(line.startswith(str(policy)) for line in problem_lines(assessed)), assessed.output[-2000:]
    if verdict["kind"] != "policy":
        return  # without its `policy` key validate reads the file as another kind; assess was told it is a policy
    problems = [p["message"] for p in verdict["problems"]]
    if assessed.returncode == 2:
        assert problems, f"assess refused a policy validate accepts:\n{assessed.output[-2000:]}"
    else:
        assert all("expired on" in message for message in problems), f"validate refused a policy assess used: {problems}"


@pytest.mark.slow
@budget(100)
@given(data=st.data())
def test_mutated_policies(data: st.DataObject, space: Workspace, policies: list[Seed]) -> None:
    check_policy_case(data, space, policies)
