"""``assess -o FOLDER`` reruns: stale reports and --prune, leftovers of killed runs, an interrupted update finished.

Every test runs the real command line on real folders and then looks at
every file: what was written, what stayed byte for byte, what is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from pathlib import Path

import pytest
from support.cli import CliResult, run_cli
from support.folders import (
    MANIFEST,
    TEMP_PREFIX,
    assert_one_complete_set,
    digests,
    hidden_files,
    manifest,
    report_names,
    sha256_of,
    temp_files,
)
from support.reports import AS_OF, example_paths

BASE = ["--no-screen", "--no-evidence", "--offline"]
SUFFIX = {"html": ".html", "md": ".md", "json": ".json"}
EXAMPLES = {"aurora-models": "aurora-models", "northwind-frontier": "northwind-frontier", "tinyweights-host": "tinyweights"}
"""Three of the examples (dossier stem: report stem), enough for every case and quick to assess."""


def assess(*args: str | Path, cwd: Path, as_of: str = AS_OF) -> CliResult:
    return run_cli(["assess", *map(str, args), "--as-of", as_of, *BASE], cwd)


@pytest.fixture()
def dossiers(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in example_paths():
        if path.stem in EXAMPLES:
            shutil.copy(path, folder / path.name)
    return folder


def vendor_reports(fmt: str) -> list[str]:
    """The report names the three examples get (index.html too for HTML)."""
    return sorted([f"{stem}{SUFFIX[fmt]}" for stem in EXAMPLES.values()] + (["index.html"] if fmt == "html" else []))


@pytest.mark.parametrize("fmt", ["html", "json"])  # html has an index; a long JSON report's marker is past 64 KiB
def test_reports_of_vanished_vendors_stay_and_are_listed_until_prune(dossiers: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    assert assess("in", "-f", fmt, "-o", "out", cwd=tmp_path).returncode == 0
    assert report_names(out) == vendor_reports(fmt)
    # The user's own files in the report folder, one of them with the reports' suffix but no provcheck marker.
    (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (out / f"mine{SUFFIX[fmt]}").write_text("written by hand\n", encoding="utf-8")
    gone = f"tinyweights{SUFFIX[fmt]}"
    kept_bytes = (out / gone).read_bytes()
    (dossiers / "tinyweights-host.yaml").unlink()

    again = assess("in", "-f", fmt, "-o", "out", cwd=tmp_path)
    assert again.returncode == 0, again.output
    warning = f"warning: out: 1 report(s) of vendors not in this run were kept: {gone} (--prune removes them)"
    assert warning in again.lines, again.output
    assert (out / gone).read_bytes() == kept_bytes
    if fmt == "html":
        assert gone not in (out / "index.html").read_text(encoding="utf-8")  # the index lists this run's vendors only

    pruned = assess("in", "-f", fmt, "-o", "out", "--prune", cwd=tmp_path)
    assert pruned.returncode == 0, pruned.output
    assert f"removed 1 report(s) of vendors not in this run: {gone}" in pruned.lines, pruned.output
    assert not any(line.startswith("warning:") for line in pruned.lines), pruned.output
    expected = sorted([n for n in vendor_reports(fmt) if n != gone] + ["notes.txt", f"mine{SUFFIX[fmt]}"])
    assert report_names(out) == expected
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    assert (out / f"mine{SUFFIX[fmt]}").read_text(encoding="utf-8") == "written by hand\n"
    assert gone not in manifest(out)["sets"][fmt]["files"]
    assert assert_one_complete_set(out, fmt)
    assert hidden_files(out) == [MANIFEST]

    quiet = assess("in", "-f", fmt, "-o", "out", "--prune", cwd=tmp_path)
    assert quiet.returncode == 0 and "removed" not in quiet.output and "warning: out:" not in quiet.output


def test_prune_keeps_the_report_of_a_dossier_that_could_not_be_assessed(dossiers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert assess("in", "-f", "md", "-o", "out", cwd=tmp_path).returncode == 0
    before = digests(out)
    broken = dossiers / "aurora-models.yaml"
    broken.write_text("provcheck: 1\nvendor: [oops\n", encoding="utf-8")

    result = assess("in", "-f", "md", "-o", "out", "--prune", cwd=tmp_path, as_of="2026-10-01")
    assert result.returncode == 2, result.output
    assert any(line.startswith("in/aurora-models.yaml:3:1: YAML syntax error") for line in result.lines), result.output
    kept = "warning: kept the previous report out/aurora-models.md: in/aurora-models.yaml could not be assessed this run"
    assert kept in result.lines, result.output
    after = digests(out)
    assert after["aurora-models.md"] == before["aurora-models.md"]  # its last good report is not lost
    assert all(after[name] != before[name] for name in before if name != "aurora-models.md")  # the others are new
    assert sorted(after) == sorted(before)


def test_prune_touches_only_its_own_format_and_never_a_read_only_report(dossiers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for fmt in ("html", "json"):
        assert assess("in", "-f", fmt, "-o", "out", cwd=tmp_path).returncode == 0
    (dossiers / "tinyweights-host.yaml").unlink()
    (dossiers / "northwind-frontier.yaml").unlink()
    locked = out / "northwind-frontier.json"
    locked.chmod(0o444)

    result = assess("in", "-f", "json", "-o", "out", "--prune", cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert "removed 1 report(s) of vendors not in this run: tinyweights.json" in result.lines, result.output
    refusal = "out/northwind-frontier.json is read-only; refusing to replace it (use --force to replace it anyway)"
    assert f"warning: did not remove out/northwind-frontier.json: {refusal}" in result.lines, result.output
    names = report_names(out)
    assert "tinyweights.json" not in names and "northwind-frontier.json" in names
    assert "tinyweights.html" in names and "northwind-frontier.html" in names  # the HTML set is not this run's business
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert sorted(manifest(out)["sets"]) == ["html", "json"]


def test_a_folder_written_before_manifests_existed_has_its_reports_recognised_by_their_marker(dossiers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert assess("in", "-f", "html", "-o", "out", cwd=tmp_path).returncode == 0
    (out / MANIFEST).unlink()  # as an older provcheck left it
    (out / "mine.html").write_text("<p>my page</p>\n", encoding="utf-8")
    (dossiers / "tinyweights-host.yaml").unlink()

    result = assess("in", "-f", "html", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.output
    warning = "warning: out: 1 report(s) of vendors not in this run were kept: tinyweights.html (--prune removes them)"
    assert warning in result.lines, result.output
    assert manifest(out)["sets"]["html"]["files"]["tinyweights.html"]["run"] == ""  # adopted: the run that wrote it is unknown

    pruned = assess("in", "-f", "html", "-o", "out", "--prune", cwd=tmp_path)
    assert pruned.returncode == 0, pruned.output
    assert "tinyweights.html" not in report_names(out)
    assert (out / "mine.html").read_text(encoding="utf-8") == "<p>my page</p>\n"


def test_leftovers_of_killed_runs_are_removed_and_nothing_else(dossiers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert assess("in", "-f", "html", "-o", "out", cwd=tmp_path).returncode == 0
    leftovers = [
        f"{TEMP_PREFIX}20260101T000000Z-0a1b2c-aurora-models.html",  # a report of a run killed before its commit
        f"{TEMP_PREFIX}20260101T000000Z-0a1b2c-index.html",
        f"{TEMP_PREFIX}{MANIFEST}.k2x9_q0a.tmp",  # the manifest's own temporary
        ".tinyweights.html.x99bb6vh.tmp",  # what provcheck before this version left
    ]
    others = [
        ".keep",  # the user's
        f"{TEMP_PREFIX}compare.html.abcd1234.tmp",  # another command may be writing compare.html right now
        ".notes.md.abcd1234.tmp",  # not a name provcheck writes here
    ]
    for name in leftovers + others:
        (out / name).write_text("partial", encoding="utf-8")

    result = assess("in", "-f", "html", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert f"removed {len(leftovers)} temporary file(s) an interrupted run left in out" in result.lines, result.output
    assert hidden_files(out) == sorted([MANIFEST, *others])
    assert report_names(out) == vendor_reports("html")


def test_a_killed_single_file_write_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    one = example_paths()[0]
    target = tmp_path / "report.md"
    (tmp_path / f"{TEMP_PREFIX}report.md.abcd1234.tmp").write_text("partial", encoding="utf-8")
    (tmp_path / f"{TEMP_PREFIX}other.md.abcd1234.tmp").write_text("not ours to judge", encoding="utf-8")
    result = assess(one, "-f", "md", "-o", "report.md", cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Provenance report")
    assert temp_files(tmp_path) == [f"{TEMP_PREFIX}other.md.abcd1234.tmp"]
    assert not (tmp_path / MANIFEST).exists()  # a single file leaves no manifest in the user's folder


class Killed(BaseException):
    """Stands for SIGKILL: nothing that catches Exception sees it."""


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_an_update_killed_after_its_commit_is_finished_by_the_next_run(
    dossiers: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """HTML with the bundled templates; Markdown from a template without provcheck's marker (the manifest vouches for it)."""
    out = tmp_path / "out"
    branded: list[str] = []
    if fmt == "md":
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "report.md.j2").write_text(
            "BRANDED {{ r.vendor.name }} as of {{ r.assessment.as_of }}\n", encoding="utf-8"
        )
        branded = ["--template-dir", "templates"]
    assert assess("in", "-f", fmt, "-o", "out", *branded, cwd=tmp_path).returncode == 0
    old = digests(out)
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")

    real_replace = os.replace
    moved: list[str] = []

    def replace_then_die(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        set_temporary = Path(src).name.startswith(TEMP_PREFIX + "2")  # not the manifest's own temporary
        if set_temporary and len(moved) == 2:
            raise Killed
        real_replace(src, dst)
        if set_temporary:
            moved.append(Path(dst).name)

    monkeypatch.setattr(os, "replace", replace_then_die)
    with pytest.raises(Killed):
        assess("in", "-f", fmt, "-o", "out", *branded, cwd=tmp_path, as_of="2026-10-01")
    monkeypatch.setattr(os, "replace", real_replace)

    journal = manifest(out)["sets"][fmt]
    assert journal["state"] == "committing"
    new = {name: record["sha256"] for name, record in journal["files"].items()}
    assert sorted(new) == sorted(old)
    # Which run each file belongs to is on record: a file is the new one, or its new version waits under a temporary.
    for name in new:
        if sha256_of(out / name) != new[name]:
            assert sha256_of(out / journal["pending"][name]) == new[name]
    # (A file whose content did not change, such as index.md when no verdict moved, is not moved at all.)
    assert sorted(name for name in new if sha256_of(out / name) == new[name] and new[name] != old.get(name)) == sorted(moved)

    # Any run into the folder finishes the killed one first; this one writes another format.
    result = assess("in", "-f", "json", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.output
    finished = f"finished the update of out ({fmt}) that run {journal['run']} was killed in: {len(old) - 2} file(s) moved into place"
    assert finished in result.lines, result.output
    assert assert_one_complete_set(out, fmt) == journal["run"]
    assert {name: sha256_of(out / name) for name in new} == new
    assert temp_files(out) == []
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_a_manifest_never_reaches_outside_its_folder_or_removes_the_users_files(dossiers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert assess("in", "-f", "html", "-o", "out", cwd=tmp_path).returncode == 0
    victim = tmp_path / "victim.html"
    victim.write_text('<meta name="generator" content="provcheck">', encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    temp = f"{TEMP_PREFIX}20260101T000000Z-0a1b2c-x.html"
    (out / temp).write_text("planted", encoding="utf-8")
    planted = {
        "tool": "provcheck",
        "manifest": 1,
        "sets": {
            "html": {
                "run": "20260101T000000Z-0a1b2c",
                "state": "committing",
                "files": {"../victim.html": {"run": "x", "sha256": "x"}},
                "pending": {"../victim.html": temp, "notes.txt": temp, "index.html": "../../etc/passwd"},
                "remove": ["../victim.html", "notes.txt", "/etc/hostname"],
            },
            "md": "not a set",
        },
    }
    (out / MANIFEST).write_text(json.dumps(planted, separators=(",", ":")), encoding="utf-8")

    result = assess("in", "-f", "html", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert victim.read_text(encoding="utf-8") == '<meta name="generator" content="provcheck">'
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"  # no marker: not provcheck's to replace or remove
    refusal = "out/notes.txt exists and was not written by provcheck; refusing to replace it (use --force to replace it)"
    assert f"left out/notes.txt alone: {refusal}" in result.lines, result.output
    assert report_names(out) == sorted([*vendor_reports("html"), "notes.txt"])
    assert temp_files(out) == []
    assert sorted(manifest(out)["sets"]) == ["html"]


def test_a_manifest_name_the_user_took_is_never_replaced_without_force(dossiers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text('{"mine": true}\n', encoding="utf-8")
    refused = assess("in", "-f", "json", "-o", "out", cwd=tmp_path)
    assert refused.returncode == 2, refused.output
    refusal = "exists and was not written by provcheck; refusing to replace it (use --force to replace it)"
    message = f"provcheck: error: out/{MANIFEST} {refusal}"
    assert message in refused.lines, refused.output
    assert [p.name for p in out.iterdir()] == [MANIFEST]
    forced = assess("in", "-f", "json", "-o", "out", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.output
    assert report_names(out) == vendor_reports("json")
    assert assert_one_complete_set(out, "json")


def test_a_rerun_replaces_provchecks_own_long_json_report(tmp_path: Path) -> None:
    kestrel = next(p for p in example_paths() if p.stem == "kestrel-ai")
    for _ in range(2):
        result = assess(kestrel, "-f", "json", "-o", "kestrel.json", cwd=tmp_path)
        assert result.returncode == 0, result.output
    text = (tmp_path / "kestrel.json").read_text(encoding="utf-8")
    assert text.index('"tool":"provcheck"') > 64 * 1024  # the marker is past what the guard used to read


def test_reports_from_a_template_without_marker_are_replaced_because_the_manifest_knows_them(dossiers: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_text("BRANDED {{ r.vendor.name }}\n", encoding="utf-8")
    for as_of in (AS_OF, "2026-10-01"):
        result = assess("in", "-f", "md", "-o", "out", "--template-dir", str(templates), cwd=tmp_path, as_of=as_of)
        assert result.returncode == 0, result.output
    assert (tmp_path / "out" / "tinyweights.md").read_text(encoding="utf-8") == "BRANDED TinyWeights\n"
    # The same text anywhere else is not provably provcheck's: no manifest vouches for it.
    (tmp_path / "out" / MANIFEST).unlink()
    refused = assess("in", "-f", "md", "-o", "out", "--template-dir", str(templates), cwd=tmp_path)
    assert refused.returncode == 2 and "exists and was not written by provcheck" in refused.output


def test_runs_into_one_folder_take_turns(dossiers: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from provenance_cli.util import fileset

    out = tmp_path / "out"
    out.mkdir()
    held = fileset.lock_folder(out)  # another run, busy in the folder
    assert held is not None
    threading.Timer(0.5, os.close, [held]).start()
    started = time.monotonic()
    result = assess("in", "-f", "json", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.output
    assert time.monotonic() - started >= 0.5  # it waited for the other run to let go
    assert report_names(out) == vendor_reports("json")

    held = fileset.lock_folder(out)
    monkeypatch.setattr(fileset, "LOCK_WAIT_SECONDS", 0.2)
    try:
        refused = assess("in", "-f", "json", "-o", "out", cwd=tmp_path)
    finally:
        os.close(held)  # type: ignore[arg-type]
    assert refused.returncode == 2
    message = "another provcheck run is writing into out (waited 0.2 s for it); try again when it has finished"
    assert refused.lines == [f"provcheck: error: {message}"]


def test_prune_without_a_report_folder_says_it_does_nothing(tmp_path: Path) -> None:
    result = assess(example_paths()[0], "-f", "json", "--prune", cwd=tmp_path)
    assert result.returncode == 0
    assert "warning: --prune applies to report folders (-f html, md or json with -o FOLDER); nothing to prune here" in result.lines
    assert list(tmp_path.iterdir()) == []
