"""One run of ``assess`` screens every dossier against one look at the list caches; the next run looks again."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import cli_env, run_cli
from support.screening import CSL

from provenance_cli.screening.model import ScreeningSettings
from provenance_cli.screening.screen import load_lists, one_run


def _csl_screened() -> bool:
    """Whether offline screening would use the CSL now."""
    coverage = {c.source: c for c in load_lists(ScreeningSettings(), offline=True)[3]}
    return coverage["csl"].screened


def test_a_run_keeps_its_first_look_at_the_caches_and_the_next_run_looks_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environment = cli_env(PROVCHECK_CACHE_DIR=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    for name in ("PROVCHECK_CACHE_DIR", "XDG_CONFIG_HOME", "PROVCHECK_OFFLINE"):
        monkeypatch.setenv(name, environment[name])
    monkeypatch.delenv("PROVCHECK_CONFIG", raising=False)

    with one_run():
        assert not _csl_screened()
        done = run_cli(["lists", "update", "csl", "--url", str(CSL)], tmp_path, env={**environment, "PROVCHECK_OFFLINE": "0"})
        assert done.returncode == 0, done.output
        assert not _csl_screened()  # the cache written meanwhile is not seen by the rest of this run
    assert _csl_screened()  # outside a run (and in the next one) the cache is looked at again
    with one_run():
        assert _csl_screened()
