"""The README's "What it does" block is pasteable: every line runs as written, in order, from a checkout.

Each line runs in bash in a copy of the files it names, offline and with an
empty list cache (lines that need the network or a cached list end with 3,
the contract's code for an outside service; none may end with 2, a usage
error or a missing file).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from support import REPO
from support.cli import cli_env

EXPECTED_GATES = {"upgrade --check": 1, "--fail-on high": 1, "--fail-on reject": 1, 'Holdings Inc" --fail-on-worse': 1}
"""Lines that show a gate: they exit 1 on the example data."""


def command_lines() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What it does") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "no sh block under 'What it does'"
    return [line for line in block[1].splitlines() if line.strip()]


def test_the_block_only_names_files_a_checkout_has():
    for line in command_lines():
        assert "|" not in line.split("#")[0].replace("||", ""), line  # one command per line, no alternatives to edit
        for word in re.findall(r"(?:examples|tests)/[\w./-]+", line.split("#")[0]):
            assert (REPO / word).exists(), (line, word)


@pytest.mark.slow
def test_every_line_runs_as_written(tmp_path):
    for name in ("examples", "tests/fixtures"):
        shutil.copytree(REPO / name, tmp_path / name)
    env = cli_env(PROVCHECK_CACHE_DIR=str(tmp_path / "cache"), PROVCHECK_CONFIG=str(tmp_path / "config.yaml"))
    (tmp_path / "config.yaml").write_text("screening: {}\n", encoding="utf-8")
    prelude = f'provcheck() {{ "{sys.executable}" -m provenance_cli "$@"; }}\n'
    for line in command_lines():
        done = subprocess.run(
            ["bash", "-c", prelude + line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        output = done.stdout + done.stderr
        assert "Traceback" not in output, (line, output[-2000:])
        gate = next((code for marker, code in EXPECTED_GATES.items() if marker in line), None)
        allowed = {gate} if gate is not None else {0, 3}
        assert done.returncode in allowed, (line, done.returncode, output[-2000:])
        if done.returncode == 3:
            assert any(why in output.lower() for why in ("offline", "network", "no usable cache")), (line, output[-2000:])
    assert (tmp_path / "reports" / "index.html").is_file() and (tmp_path / "provcheck.sarif").is_file()
