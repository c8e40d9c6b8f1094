"""The compiled-catalogue cache: reused when nothing changed, rebuilt when anything it depends on did.

Real files throughout: a copy of the bundled questionnaires in tmp_path and
a real cache folder named by ``PROVCHECK_CACHE_DIR``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from provenance_cli.formats import catalogue_cache
from provenance_cli.formats.questionnaires import Catalogue, build_catalogue, questionnaire_files
from provenance_cli.util.resources import data_dir


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[int]]:
    """A private copy of the questionnaires, an empty cache folder, and a counter of real builds."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(data_dir("questionnaires"), folder)
    monkeypatch.setenv("PROVCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return folder, []


def load(folder: Path, builds: list[int]) -> Catalogue:
    def counted(files):  # type: ignore[no-untyped-def]
        builds.append(1)
        return build_catalogue(files)

    catalogue: Catalogue = catalogue_cache.cached_build(questionnaire_files(folder), counted, Catalogue)
    return catalogue


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "catalogue").glob("*.pickle"))


def test_second_load_comes_from_the_cache(setup, tmp_path):
    folder, builds = setup
    first = load(folder, builds)
    second = load(folder, builds)
    assert len(builds) == 1
    assert len(cache_files(tmp_path)) == 1
    assert [q.id for q in second.questionnaires] == [q.id for q in first.questionnaires]
    assert second.questions.keys() == first.questions.keys()


def test_changed_questionnaire_file_is_rebuilt_and_its_change_seen(setup, tmp_path):
    folder, builds = setup
    before = load(folder, builds)
    path = folder / "retention.yaml"
    question_id = next(q.id for q in before.questionnaire("retention").questions)
    old_text = before.questions[question_id].text
    text = path.read_text(encoding="utf-8")
    assert old_text.split("\n")[0][:30] in text
    path.write_text(text.replace(old_text.split("\n")[0][:30], "Changed wording for the test ", 1), encoding="utf-8")
    after = load(folder, builds)
    assert len(builds) == 2
    assert after.questions[question_id].text.startswith("Changed wording for the test")
    assert len(cache_files(tmp_path)) == 2  # the old one stays until it is long unused


def test_changed_source_of_a_defining_module_is_rebuilt(setup, tmp_path, monkeypatch):
    folder, builds = setup
    load(folder, builds)
    fake = tmp_path / "fake_module.py"
    fake.write_text("# edited code\n", encoding="utf-8")
    real = catalogue_cache._defining_modules()
    monkeypatch.setattr(catalogue_cache, "_defining_modules", lambda: [*real, type("M", (), {"__file__": str(fake)})])
    load(folder, builds)
    load(folder, builds)
    assert len(builds) == 2
    fake.write_text("# edited again\n", encoding="utf-8")
    load(folder, builds)
    assert len(builds) == 3


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_corrupt_cache_is_ignored_and_rewritten(setup, tmp_path, damage):
    folder, builds = setup
    load(folder, builds)
    [cached] = cache_files(tmp_path)
    cached.write_bytes(damage)
    catalogue = load(folder, builds)
    assert len(builds) == 2
    assert catalogue.questions
    assert cached.read_bytes() != damage  # rebuilt and stored again
    load(folder, builds)
    assert len(builds) == 2


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_cache_writable_by_others_is_never_unpickled(setup, tmp_path):
    folder, builds = setup
    load(folder, builds)
    [cached] = cache_files(tmp_path)
    cached.chmod(0o666)
    load(folder, builds)
    assert len(builds) == 2


def test_unwritable_cache_folder_still_gives_a_catalogue(setup, tmp_path, monkeypatch):
    folder, builds = setup
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("PROVCHECK_CACHE_DIR", str(blocker))
    assert load(folder, builds).questions
    assert load(folder, builds).questions
    assert len(builds) == 2


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_cache_is_used_under_a_group_writable_umask(setup, tmp_path):
    # umask 002 (user-private groups) would make a file group-writable, which is never unpickled;
    # the cache writes its files 0600 whatever the umask, so it is still used.
    folder, builds = setup
    previous = os.umask(0o002)
    try:
        load(folder, builds)
        load(folder, builds)
    finally:
        os.umask(previous)
    assert len(builds) == 1
    [cached] = cache_files(tmp_path)
    assert cached.stat().st_mode & 0o777 == 0o600
