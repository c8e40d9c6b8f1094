"""The checked policy kept in the compiled cache: reused only while nothing it was checked from changed.

Real files and a real cache folder (``PROVCHECK_CACHE_DIR``); builds are
counted by watching the uncached loader, never by mocking the result.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from provenance_cli.assessment.catalogue import catalogue_for
from provenance_cli.formats import policy as policy_module
from provenance_cli.util.errors import InputError

POLICY = """\
policy: 2
buyer:
  us_federal_contractor: true
category_weights:
  extraction: 2.0
"""


@pytest.fixture
def builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty private cache folder, and the list of policies really parsed and checked (not read from the cache)."""
    monkeypatch.setenv("PROVCHECK_CACHE_DIR", str(tmp_path / "cache"))
    real = policy_module._load_policy
    seen: list[str] = []

    def counted(path, catalogue, *, strict_today=None):  # type: ignore[no-untyped-def]
        seen.append(str(path))
        return real(path, catalogue, strict_today=strict_today)

    monkeypatch.setattr(policy_module, "_load_policy", counted)
    return seen


def test_default_policy_is_checked_once_then_read_from_the_cache(builds):
    catalogue = catalogue_for(None)
    first = policy_module.load_policy(None, catalogue)
    second = policy_module.load_policy(None, catalogue)
    assert builds == ["None"]
    assert second is not first  # Policy compares by identity: its fields are compared instead
    assert second.model == first.model and second.weights == first.weights and second.overrides == first.overrides
    assert second.buyer_flags == first.buyer_flags and second.jurisdiction_lists == first.jurisdiction_lists
    assert second.sha256 == first.sha256 and second.source == "default policy"


def test_an_edited_policy_file_is_checked_again_and_its_change_seen(builds, tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    catalogue = catalogue_for(path)
    before = policy_module.load_policy(path, catalogue)
    assert policy_module.load_policy(path, catalogue).weight("extraction") == 2.0
    path.write_text(POLICY.replace("2.0", "3.0"), encoding="utf-8")
    after = policy_module.load_policy(path, catalogue)
    assert after.weight("extraction") == 3.0 and after.sha256 != before.sha256
    assert len(builds) == 2


def test_the_same_file_under_another_name_keeps_its_own_source(builds, tmp_path):
    one, two = tmp_path / "a.yaml", tmp_path / "b.yaml"
    one.write_text(POLICY, encoding="utf-8")
    shutil.copy(one, two)
    assert policy_module.load_policy(one, catalogue_for(one)).source == str(one)
    assert policy_module.load_policy(two, catalogue_for(two)).source == str(two)
    assert len(builds) == 2


def test_a_policy_checked_against_other_questionnaires_is_checked_again(builds, tmp_path):
    """An override of a rule is valid only while the catalogue has that rule: another catalogue, another check."""
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    policy_module.load_policy(path, catalogue_for(path))
    extra = tmp_path / "org"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "organisation", extra)
    policy_module.load_policy(path, catalogue_for(path, [str(extra)]))
    assert len(builds) == 2


def test_a_bad_policy_is_refused_every_time_and_never_cached(builds, tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("policy: 2\ncategory_weights:\n  extraction: -1\n", encoding="utf-8")
    catalogue = catalogue_for(path)
    for _ in range(2):
        with pytest.raises(InputError) as caught:
            policy_module.load_policy(path, catalogue)
        assert caught.value.problems[0].line == 3
    assert len(builds) == 2
    assert not list((tmp_path / "cache" / "policy").glob("*.pickle"))


def test_validate_strict_load_is_never_served_from_the_cache(builds, tmp_path):
    from datetime import date

    catalogue = catalogue_for(None)
    policy_module.load_policy(None, catalogue)
    policy_module.load_policy(None, catalogue, strict_today=date(2026, 12, 1))
    assert builds == ["None", "None"]
