"""The GitHub Action (action.yml): its shell steps run for real, as the runner would run them.

GitHub's runner cannot run here, so a small stand-in does its part: it
evaluates the few expressions action.yml uses (``inputs.*``,
``github.action_path``, ``steps.<id>.outputs.*``, ``always()``, ``==`` and
``&&``; anything else fails the test, which keeps the action simple), gives
each ``run`` step its ``env`` and the files ``GITHUB_OUTPUT`` and
``GITHUB_STEP_SUMMARY``, and runs it with ``bash -eo pipefail`` like the
runner. ``uses`` steps (setup-python, upload-sarif) are checked, not run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from support import EXAMPLES, REPO

from provenance_cli.util.thirdparty import jsonschema_for_own_schemas

jsonschema = jsonschema_for_own_schemas()

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """Just enough of the Actions runner to run a composite action's shell steps."""

    def __init__(self, workspace: Path, inputs: dict[str, str], path: str) -> None:
        self.workspace = workspace
        self.inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
        self.outputs: dict[str, dict[str, str]] = {}
        self.path = path
        self.summary = workspace.parent / "summary.md"
        self.summary.write_text("", encoding="utf-8")
        self.logs: dict[str, subprocess.CompletedProcess[str]] = {}
        self.used: list[dict] = []
        self.failed = False

    def value(self, expression: str) -> str | bool:
        expression = expression.strip()
        if " && " in expression:
            return all(self.value(part) for part in expression.split(" && "))
        if " == " in expression:
            left, right = expression.split(" == ")
            return self.value(left) == right.strip().strip("'")
        if expression == "always()":
            return True
        if expression.startswith("inputs."):
            return self.inputs[expression.removeprefix("inputs.")]
        if expression == "github.action_path":
            return str(REPO)
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if match:
            return self.outputs.get(match[1], {}).get(match[2], "")
        raise AssertionError(f"action.yml uses an expression this stand-in does not know: {expression!r}")

    def render(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: str(self.value(m[1])), text)

    def run(self, step: dict) -> None:
        condition = step.get("if")
        if condition is not None:
            inner = EXPRESSION.fullmatch(condition.strip())
            if not self.value(inner[1] if inner else condition):
                return
        elif self.failed:
            return
        if "uses" in step:
            self.used.append({"uses": step["uses"], "with": {k: self.render(str(v)) for k, v in step.get("with", {}).items()}})
            return
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"step {step.get('name')!r} pastes an expression into its script"
        output = self.workspace.parent / f"output-{len(self.logs)}"
        output.write_text("", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PROVCHECK_", "GITHUB_"))}
        env.update(
            PATH=self.path,
            GITHUB_ACTIONS="true",
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(self.summary),
            PROVCHECK_CACHE_DIR=str(self.workspace.parent / "cache"),
            PROVCHECK_OFFLINE="1",
            NO_COLOR="1",
        )
        env.update({k: self.render(str(v)) for k, v in step.get("env", {}).items()})
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        self.logs[step.get("id") or step["name"]] = done
        if step.get("id"):
            pairs = [line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line]
            self.outputs[step["id"]] = dict(pairs)
        self.failed = self.failed or done.returncode != 0


def test_action_is_composite_and_every_input_reaches_shell_through_env():
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], step["name"]
    uses = [step["uses"] for step in ACTION["runs"]["steps"] if "uses" in step]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}


@pytest.fixture(scope="module")
def tool_path(tmp_path_factory) -> str:
    """PATH with a fresh virtual environment first: the Install step puts provcheck there, like setup-python's Python."""
    env_dir = tmp_path_factory.mktemp("action-python") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    return f"{env_dir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="the action's steps are bash")
def test_the_action_assesses_gates_uploads_and_summarises(tmp_path, tool_path):
    workspace = tmp_path / "workspace"
    (workspace / "vendors").mkdir(parents=True)
    for name in ("kestrel-ai.yaml", "northwind-frontier.yaml"):
        shutil.copy(EXAMPLES / name, workspace / "vendors" / name)
    (workspace / ".github" / "workflows").mkdir(parents=True)
    (workspace / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    (workspace / "docker-compose.yml").write_text("x: &a {b: 1}\nservices:\n  web:\n    <<: *a\n", encoding="utf-8")

    runner = Runner(workspace, {"args": "--as-of 2026-12-01 --no-evidence"}, tool_path)
    for step in ACTION["runs"]["steps"]:
        runner.run(step)

    install = runner.logs["Install provcheck"]
    assert install.returncode == 0, install.stderr[-3000:]
    from provenance_cli import __version__

    assert install.stdout.strip().endswith(f"provcheck {__version__}")

    assessed = runner.logs["assess"]
    assert assessed.returncode == 0, assessed.stderr[-3000:]
    assert runner.outputs["assess"]["exit-code"] == "1"  # Kestrel AI is rejected; the other YAML files were passed over
    assert re.search(
        r"^::error file=vendors/kestrel-ai\.yaml,line=\d+,col=\d+,title=provcheck%3A Kestrel AI%3A reject::", assessed.stdout, re.M
    )

    log = json.loads((workspace / "provcheck.sarif").read_text(encoding="utf-8"))
    schema = json.loads((REPO / "tests/fixtures/sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(log))
    assert {v["file"] for v in log["runs"][0]["properties"]["vendors"]} == {"vendors/kestrel-ai.yaml", "vendors/northwind-frontier.yaml"}

    summary = runner.summary.read_text(encoding="utf-8")
    assert "| Kestrel AI | reject | critical |" in summary
    assert "| Northwind Frontier |" in summary
    assert "# Provenance report: Kestrel AI" in summary  # the Markdown reports, inside <details>

    assert runner.used[-1] == {
        "uses": "github/codeql-action/upload-sarif@v3",
        "with": {"sarif_file": "provcheck.sarif", "category": "provcheck"},
    }
    assert runner.logs["Gate"].returncode == 1  # the job fails with the gate, after the SARIF upload and the summary


@pytest.mark.slow
def test_the_action_passes_when_the_gate_holds(tmp_path, tool_path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy(EXAMPLES / "northwind-frontier.yaml", workspace / "northwind.yaml")
    runner = Runner(workspace, {"args": "--no-evidence", "summary": "false", "upload-sarif": "false"}, tool_path)
    for step in ACTION["runs"]["steps"]:
        runner.run(step)
    assert runner.outputs["assess"]["exit-code"] == "0", runner.logs["assess"].stderr
    assert runner.logs["Gate"].returncode == 0
    assert runner.used == [{"uses": "actions/setup-python@v5", "with": {"python-version": "3.12"}}]
    assert runner.summary.read_text(encoding="utf-8") == ""
