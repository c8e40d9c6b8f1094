"""The pre-commit hooks in a real repository: pre-commit installs this checkout and runs them.

A temporary git repository holds what such repositories hold besides
dossiers: a GitHub workflow, a compose file with anchors and merge keys
(which provcheck's strict loader refuses), a .pre-commit-config.yaml, a
policy and an evidence lock. ``pre-commit try-repo`` builds provcheck from
this checkout into its own environment (pip, from the package index) and
runs each hook with ``--all-files``; only provcheck's files may be judged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import EXAMPLES, REPO

WORKFLOW = """\
name: ci
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "yes: no"
"""
COMPOSE = """\
x-defaults: &defaults
  restart: always
services:
  web:
    <<: *defaults
    image: nginx
  db:
    <<: *defaults
    image: postgres
"""
PRE_COMMIT_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: nothing
        name: nothing
        entry: "true"
        language: system
"""


def _lock_for(dossier: Path) -> str:
    """An evidence lock with no entries for ``dossier``, as ``evidence snapshot`` writes it."""
    import hashlib

    from provenance_cli.evidence.lock import dump_lock
    from provenance_cli.evidence.results import EvidenceLock

    digest = hashlib.sha256(dossier.read_bytes()).hexdigest()
    return dump_lock(EvidenceLock(dossier=dossier.name, dossier_sha256=digest, normaliser=1, created_by="provcheck", entries={}))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    """A git repository of dossiers among other YAML, everything committed."""
    repo = tmp_path_factory.mktemp("dossier-repo")
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    (repo / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG, encoding="utf-8")
    (repo / "vendors").mkdir()
    shutil.copy(EXAMPLES / "northwind-frontier.yaml", repo / "vendors" / "northwind.yaml")
    shutil.copy(EXAMPLES / "policies" / "eu-market-buyer.yaml", repo / "vendors" / "policy.yaml")
    (repo / "vendors" / "northwind.evidence.lock.yaml").write_text(_lock_for(repo / "vendors" / "northwind.yaml"), encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "dossiers")
    return repo


def _try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVCHECK_")}
    env.update(PRE_COMMIT_HOME=str(home), PROVCHECK_CACHE_DIR=str(home / "provcheck-cache"), NO_COLOR="1")
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files", "--verbose"]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """pre-commit's cache, shared by the runs of this module (one build of provcheck)."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.mark.slow
def test_validate_hook_checks_only_provcheck_files(repository, home):
    done = _try_repo(repository, "provcheck-validate", home)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Passed" in done.stdout
    # the dossier, the policy and the lock file; the workflow, the compose file and the config were passed over
    assert "3 of 3 files valid" in done.stdout, done.stdout[-3000:]


@pytest.mark.slow
def test_gate_hook_assesses_only_dossiers_in_one_run(repository, home):
    done = _try_repo(repository, "provcheck-gate", home)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Northwind Frontier" in done.stdout
    assert done.stdout.count("Vendors by risk") + done.stdout.count("Northwind Frontier  (") == 1  # one report, one run


@pytest.mark.slow
def test_hooks_fail_on_a_rejected_vendor_and_a_broken_dossier(repository, home, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(repository, repo)
    shutil.copy(EXAMPLES / "kestrel-ai.yaml", repo / "vendors" / "kestrel.yaml")
    (repo / "vendors" / "broken.yaml").write_text("provcheck: 2\nvendor:\n  name: A\n  name: B\n", encoding="utf-8")
    _git(repo, "add", "-A")
    validate = _try_repo(repo, "provcheck-validate", home)
    assert validate.returncode == 1, validate.stdout[-3000:]
    assert "vendors/broken.yaml:4:3: duplicate key 'name'" in validate.stdout
    (repo / "vendors" / "broken.yaml").unlink()
    _git(repo, "add", "-A")
    gate = _try_repo(repo, "provcheck-gate", home)
    assert gate.returncode == 1, gate.stdout[-3000:]
    assert "gate tripped: Kestrel AI: reject" in gate.stdout
    assert gate.stdout.count("Vendors by risk") == 1  # both dossiers in one summary (require_serial)
