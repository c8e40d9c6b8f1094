"""What the fuzz suite (tests/fuzz/) shares: its budget, its seeds, and one workspace to run provcheck in.

Budget: each fuzz test has a default number of cases, sized so the whole
suite takes one to three minutes of CI. ``PROVCHECK_FUZZ_EXAMPLES=N`` gives
every fuzz test N cases instead and explores afresh on every run (CI runs
the same derandomised cases each time, so a red build is always
reproducible); Hypothesis prints the failing case and how to replay it.

Seeds are real files: the example dossiers, the format-1 fixture and
synthetic dossiers from the questionnaires; the example policies, the
bundled default policy and one that uses every policy section; an
evidence lock for a copied example dossier; JSON reports of the examples
(written by this provcheck, with screening) and archived reports of older
versions (tests/fixtures/reports/). Every seed is checked valid first, so
mutations start from a file provcheck accepts.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, settings

from . import EXAMPLES, REPO
from .cli import CliResult, cli_env, run_cli
from .synthetic import dossier_data

CONTRACT = (0, 1, 2, 3)
"""The exit codes provcheck may end with (README: 0 ok, 1 gate, 2 bad input, 3 service)."""
LONG_RUN = os.environ.get("PROVCHECK_FUZZ_EXAMPLES")
FIXTURES = REPO / "tests" / "fixtures"
ARCHIVED_REPORTS = FIXTURES / "reports"
"""JSON reports written by earlier provcheck versions (see the README there)."""

AS_OF = (None, "0001-01-01", "0001-01-02", "9999-12-31", "9999-12-30", "1970-01-01", "2026-09-01", "2024-02-29", "2100-01-01")
"""--as-of values: the ends of the calendar first, as those once crashed assess."""


SHRINK = os.environ.get("PROVCHECK_FUZZ_SHRINK") == "1"


def budget(default: int) -> settings:
    """Hypothesis settings for a fuzz test: ``default`` cases in CI, ``PROVCHECK_FUZZ_EXAMPLES`` cases on request.

    Shrinking is off unless ``PROVCHECK_FUZZ_SHRINK=1``: each case runs provcheck
    two or three times, so shrinking one failure can take Hypothesis five
    minutes, and the failure report already says which changes made the file.
    """
    examples = int(LONG_RUN) if LONG_RUN else default
    phases = tuple(Phase) if SHRINK else tuple(p for p in Phase if p not in (Phase.shrink, Phase.explain))
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=not LONG_RUN,
        database=None if not LONG_RUN else settings.default.database,
        phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )


# --------------------------------------------------------------------------- the workspace


@dataclass
class Workspace:
    """A folder provcheck runs in, with a screening cache filled from the CSL fixture."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, root: Path) -> Workspace:
        cache = root / "cache"
        space = cls(root, cli_env(offline=True, PROVCHECK_CACHE_DIR=str(cache)))
        filled = run_cli(
            ["lists", "update", "csl", "--url", str(FIXTURES / "csl" / "consolidated.json")],
            root,
            env=cli_env(offline=False, PROVCHECK_CACHE_DIR=str(cache)),
        )
        assert filled.returncode == 0, filled.output
        return space

    def folder(self, name: str) -> Path:
        """An empty folder (emptied if it was used by the previous case)."""
        path = self.root / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def run(self, *args: str | Path) -> CliResult:
        """provcheck in this process; a traceback fails the test (support.cli), so does an exit code outside the contract."""
        result = run_cli([str(a) for a in args], self.root, env=self.env)
        assert result.returncode in CONTRACT, (result.returncode, result.output[-2000:])
        return result


def problem_lines(result: CliResult) -> list[str]:
    """The stderr or stdout lines that name a file, as every problem line does."""
    return [line for line in result.output.splitlines() if line and not line.startswith(("warning:", " "))]


def validate_json(space: Workspace, *paths: Path) -> dict[str, Any]:
    """``validate -f json`` over ``paths``: each file's kind and problems."""
    result = space.run("validate", "-f", "json", *paths)
    assert result.returncode in (0, 2), result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- seeds


@dataclass(frozen=True)
class Seed:
    """A valid input file as data, and the name it is written under."""

    name: str
    tree: Any

    def __repr__(self) -> str:
        return f"Seed({self.name!r})"  # Hypothesis prints every draw of a failing case; the tree would be pages long


class TextLoader(yaml.SafeLoader):
    """Every plain scalar is text except null, ``~`` and empty, which are None: how provcheck's own reader types YAML."""


TextLoader.yaml_implicit_resolvers = {}
TextLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def read_yaml(path: Path) -> Any:
    """A YAML file with every scalar as text, as provcheck itself reads it."""
    return read_yaml_text(path.read_text(encoding="utf-8"))


def dossier_seeds(catalogue: Any) -> list[Seed]:
    """The examples, the format-1 fixture and three synthetic dossiers (every answer type, evidence, as-of dates)."""
    seeds = [Seed(p.name, read_yaml(p)) for p in sorted(EXAMPLES.glob("*.yaml"))]
    seeds.append(Seed("v1-kestrel-ai.yaml", read_yaml(FIXTURES / "v1" / "kestrel-ai.yaml")))
    seeds += [Seed(f"synthetic-{i}.yaml", dossier_data(catalogue, random.Random(i), i)) for i in range(3)]
    return seeds


def rich_policy(catalogue: Any) -> dict[str, Any]:
    """A policy that uses every section: buyer, thresholds by criticality, staleness, overrides, waivers, screening."""
    rules = sorted(catalogue.rule_ids)
    return {
        "policy": "2",
        "name": "Fuzz seed policy",
        "buyer": {"jurisdictions": ["US", "DE"], "dod_contractor": "true", "eu_market": "true", "sectors": ["finance"]},
        "category_weights": {"export_control": "2", "lineage": "0.5"},
        "tiers": {
            "medium": "20",
            "high": "45",
            "critical": "70",
            "by_criticality": {"critical": {"medium": "10", "high": "30", "critical": "60"}},
            "category_relax_steps": "1",
        },
        "staleness": {"max_age_days": "365", "categories": {"export_control": "120"}, "penalty_points": "2"},
        "reassessment_days": {"low": "365", "medium": "180", "high": "120", "critical": "90"},
        "rule_overrides": [
            {"rule": rules[0], "points": "5"},
            {"rule": rules[1], "disabled": "true", "reason": "Covered by the buyer's own contract review."},
        ],
        "waivers": [
            {
                "rule": rules[2],
                "vendor": "Kestrel AI",
                "reason": "Accepted for the pilot only.",
                "approver": "A. Approver",
                "expires": "2099-12-31",
                "granted": "2026-01-01",
            }
        ],
        "screening": {
            "threshold": "90",
            "allow": [{"name": "Kestrel AI", "list": "dod_1260h", "reason": "Different company.", "approver": "A. Approver"}],
            "required": ["csl"],
        },
        "evidence": {"changed_triggers_reassessment": "false"},
    }


def policy_seeds(catalogue: Any) -> list[Seed]:
    """The example policies, the bundled default, the format-1 fixture and :func:`rich_policy`."""
    from provenance_cli.util.resources import package_file

    seeds = [Seed(p.name, read_yaml(p)) for p in sorted((EXAMPLES / "policies").glob("*.yaml"))]
    seeds.append(Seed("default-policy.yaml", read_yaml(package_file("default-policy.yaml"))))
    seeds.append(Seed("v1-policy.yaml", read_yaml(FIXTURES / "v1" / "policy.yaml")))
    seeds.append(Seed("rich-policy.yaml", rich_policy(catalogue)))
    return seeds


def lock_seed(dossier: Path) -> Seed:
    """An evidence lock for ``dossier`` as ``evidence snapshot`` writes it: one entry per cited URL, some unreadable."""
    from provenance_cli.evidence.lock import dump_lock, lock_path_for
    from provenance_cli.evidence.results import LINK_STATUSES, EvidenceLock, LockEntry
    from provenance_cli.formats.dossier import load_dossier
    from provenance_cli.render.document import file_sha256

    loaded = load_dossier(dossier)
    cited: dict[str, list[str]] = {}
    for question_id, answer in loaded.model.answers.items():
        for evidence in answer.evidence:
            cited.setdefault(evidence.url, []).append(question_id)
    when = datetime(2026, 8, 14, 9, 30, tzinfo=timezone.utc)
    entries = {}
    for index, (url, questions) in enumerate(sorted(cited.items())):
        status = LINK_STATUSES[index % len(LINK_STATUSES)]
        readable = status in ("ok", "redirected")
        entries[url] = LockEntry(
            url=url,
            retrieved_at=when,
            status=status,
            final_url=url + "/moved" if status == "redirected" else None,
            http_status=200 if readable else (404 if status == "broken" else None),
            content_sha256=f"{index:064x}" if readable else None,
            content_type="text/html" if readable else None,
            size=1000 + index if readable else None,
            questions=tuple(sorted(questions)),
            detail="" if readable else "connection refused",
        )
    lock = EvidenceLock(dossier.name, file_sha256(dossier), 1, "provcheck fuzz seed", entries)
    return Seed(lock_path_for(dossier).name, read_yaml_text(dump_lock(lock)))


def read_yaml_text(text: str) -> Any:
    """YAML text with every scalar as text (null as None)."""
    return yaml.load(text, Loader=TextLoader)  # a SafeLoader with fewer implicit types, so still safe


def report_seeds(space: Workspace) -> list[Seed]:
    """Reports of three examples written now (screened against the cached CSL fixture), and the archived ones."""
    out = space.folder("seed-reports")
    chosen = [EXAMPLES / "kestrel-ai.yaml", EXAMPLES / "tinyweights-host.yaml", EXAMPLES / "switchboard-router.yaml"]
    written = space.run("assess", *chosen, "-f", "json", "-o", out, "--as-of", "2026-09-01")
    assert written.returncode == 0, written.output
    reports_written = sorted(p for p in out.glob("*.json") if not p.name.startswith("."))  # not the folder's manifest
    files = reports_written + sorted(ARCHIVED_REPORTS.glob("*.json"))
    return [Seed(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in files]


def pick_args(chooser: Any, options: Sequence[Sequence[str]]) -> list[str]:
    """One of several argument lists."""
    return list(chooser.pick(list(options)))
