"""The fuzz suite runs provcheck in this process; a few of its hardest inputs also run as ``python -m provenance_cli``.

A real child process has its own standard streams and encoding, so output
that only fails there (text that cannot be encoded, say) would slip past
the in-process runner; both must end alike, without a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import EXAMPLES
from support.cli import run_cli
from support.fuzzing import Workspace, read_yaml
from support.mutations import dump_json, dump_yaml


def _dossier(folder: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    tree = read_yaml(EXAMPLES / "kestrel-ai.yaml")
    change(tree)
    path = folder / name
    path.write_bytes(dump_yaml(tree))
    return path


@pytest.mark.slow
def test_hard_inputs_end_alike_in_a_child_process(space: Workspace, reports) -> None:
    folder = space.folder("process")
    report = next(seed.tree for seed in reports if seed.name == "kestrel-ai.json")
    lone = json.loads(json.dumps(report))
    lone["vendor"]["name"] = "Kestrel \ud800"
    (folder / "lone.json").write_bytes(dump_json(lone))
    controls = json.loads(json.dumps(report))
    controls["vendor"]["name"] = "Kestrel \x1b[31m\u202e\x00"
    (folder / "controls.json").write_bytes(dump_json(controls))
    late = _dossier(folder, "late.yaml", lambda t: t["assessment"].update(date="9999-12-30"))
    early = _dossier(folder, "early.yaml", lambda t: t["assessment"].update(date="0001-01-01"))
    huge = _dossier(folder, "huge.yaml", lambda t: t["vendor"].update(name="红" * 300_000))
    cases = [
        (2, ["diff", folder / "lone.json", folder / "controls.json"]),
        (0, ["compare", folder / "controls.json", late, "-f", "terminal"]),
        (0, ["assess", late, "-f", "json", "--as-of", "9999-12-31"]),
        (0, ["assess", early, "--as-of", "0001-01-01"]),
        (0, ["assess", huge, "-f", "md"]),
        (0, ["validate", late, early, huge]),
    ]
    for expected, case in cases:
        args = [str(a) for a in case]
        inside = run_cli(args, space.root, env=space.env)
        child = run_cli(args, space.root, env=space.env, process=True)
        assert inside.returncode == child.returncode, (args, inside.output[-1000:], child.output[-1000:])
        assert child.returncode == expected, (args, child.output[-2000:])
