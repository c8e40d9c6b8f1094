"""Only regular files are read: devices, FIFOs and folders given where a file belongs are refused (exit 2).

Each case runs the real command line. A FIFO given to provcheck must never
be opened: a watcher thread keeps trying to open it for writing without
blocking, which succeeds only while some reader holds it open (and then
hands that reader an end of file, so a regression fails here instead of
hanging the suite). ``/dev/zero`` stands for a device that never ends.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import EXAMPLES
from support.cli import CliResult, cli_env, run_cli
from support.evidence import write_dossier
from support.screening import CSL, screening_env

from provenance_cli.screening.fetch import TEMP_PREFIX, remove_leftover_downloads
from provenance_cli.util.errors import InputError
from provenance_cli.util.files import read_user_file

DOSSIER = EXAMPLES / "tinyweights-host.yaml"
RULE = "provcheck reads only regular files"


class FifoWatch:
    """FIFOs under a folder, watched for any reader that opens one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: list[Path] = []
        self.opened: list[Path] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def make(self, name: str) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
        self.paths.append(path)
        return path

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            for path in list(self.paths):
                try:
                    handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:  # ENXIO: nobody has it open for reading, as it should be
                    continue
                self.opened.append(path)
                os.close(handle)

    def __enter__(self) -> FifoWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def fifos(tmp_path: Path) -> Iterator[FifoWatch]:
    with FifoWatch(tmp_path) as watch:
        yield watch
    assert watch.opened == [], f"provcheck opened {watch.opened}"
    assert all(stat.S_ISFIFO(os.stat(p).st_mode) for p in watch.paths)  # still FIFOs, never replaced


def provcheck(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> CliResult:
    return run_cli(args, cwd, env=env or cli_env())


def _refused(done: CliResult, path: str, kind: str, expected: str) -> None:
    assert done.returncode == 2, done.output
    assert f"{path}: is {kind}, expected {expected}; {RULE}" in done.output, done.output


def test_validate_refuses_a_device_a_fifo_and_reports_one_in_a_folder(fifos: FifoWatch, tmp_path: Path) -> None:
    _refused(provcheck("validate", "/dev/zero", cwd=tmp_path), "/dev/zero", "a character device", "a YAML file")
    fifos.make("pipe.yaml")
    _refused(provcheck("validate", "pipe.yaml", cwd=tmp_path), "pipe.yaml", "a FIFO (named pipe)", "a YAML file")
    (tmp_path / "vendors").mkdir()
    (tmp_path / "vendors" / "good.yaml").write_bytes(DOSSIER.read_bytes())
    fifos.make("vendors/sub/pipe.yaml")
    done = provcheck("validate", "vendors", cwd=tmp_path)
    _refused(done, "vendors/sub/pipe.yaml", "a FIFO (named pipe)", "a YAML file")
    assert "1 of 1 file valid" in done.output  # the good dossier next to it still got its verdict
    assert (tmp_path / "vendors" / "good.yaml").read_bytes() == DOSSIER.read_bytes()


def test_assess_refuses_special_policy_lock_and_output(fifos: FifoWatch, tmp_path: Path) -> None:
    dossier = tmp_path / "vendor.yaml"
    dossier.write_bytes(DOSSIER.read_bytes())
    fifos.make("policy.yaml")
    done = provcheck("assess", "vendor.yaml", "--policy", "policy.yaml", "--offline", cwd=tmp_path)
    _refused(done, "policy.yaml", "a FIFO (named pipe)", "a YAML file")
    done = provcheck("assess", "vendor.yaml", "--policy", "/dev/zero", "--offline", cwd=tmp_path)
    _refused(done, "/dev/zero", "a character device", "a YAML file")

    fifos.make("report.md")
    done = provcheck("assess", "vendor.yaml", "--offline", "-f", "md", "-o", "report.md", cwd=tmp_path)
    assert done.returncode == 2 and "report.md is a FIFO (named pipe), not a regular file" in done.output

    fifos.make("vendor.yaml.evidence.lock.yaml")
    done = provcheck("assess", "vendor.yaml", "--offline", cwd=tmp_path)
    _refused(done, "vendor.yaml.evidence.lock.yaml", "a FIFO (named pipe)", "a YAML file")
    assert dossier.read_bytes() == DOSSIER.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.yaml", "report.md", "vendor.yaml", "vendor.yaml.evidence.lock.yaml"]


def test_evidence_refuses_a_lock_that_is_a_folder(tmp_path: Path, question_ids: list[str]) -> None:
    write_dossier(tmp_path / "vendor.yaml", question_ids, {0: ["http://127.0.0.1:9/never"]})
    (tmp_path / "vendor.yaml.evidence.lock.yaml").mkdir()
    done = provcheck("evidence", "check", "vendor.yaml", cwd=tmp_path, env=cli_env(offline=False))
    _refused(done, "vendor.yaml.evidence.lock.yaml", "a folder", "a YAML file")


def test_compare_and_diff_refuse_special_reports(fifos: FifoWatch, tmp_path: Path) -> None:
    fifos.make("old.json")
    (tmp_path / "new.json").write_text("{}", encoding="utf-8")
    _refused(provcheck("diff", "old.json", "new.json", cwd=tmp_path), "old.json", "a FIFO (named pipe)", "a dossier or a JSON report")
    _refused(provcheck("diff", "/dev/zero", "new.json", cwd=tmp_path), "/dev/zero", "a character device", "a dossier or a JSON report")
    (tmp_path / "folder.json").mkdir()
    _refused(provcheck("compare", "folder.json", "new.json", cwd=tmp_path), "folder.json", "a folder", "a dossier or a JSON report")


def test_oversized_report_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    from provenance_cli.formats.report_check import MAX_REPORT_BYTES

    big = tmp_path / "big.json"
    with open(big, "wb") as stream:
        stream.truncate(MAX_REPORT_BYTES + 1)  # sparse: costs no disk
    (tmp_path / "new.json").write_text("{}", encoding="utf-8")
    done = provcheck("diff", "big.json", "new.json", cwd=tmp_path)
    assert done.returncode == 2
    assert f"big.json:1:1: file is {MAX_REPORT_BYTES + 1:,} bytes; the limit is {MAX_REPORT_BYTES:,} bytes" in done.output


def test_screening_config_that_is_a_fifo(fifos: FifoWatch, tmp_path: Path) -> None:
    env = screening_env(tmp_path)
    env["PROVCHECK_CONFIG"] = str(fifos.make("provcheck-config.yaml"))
    done = provcheck("lists", "update", "csl", "--url", str(CSL), cwd=tmp_path, env=env)
    _refused(done, str(tmp_path / "provcheck-config.yaml"), "a FIFO (named pipe)", "a YAML file")
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("given", "shown", "kind"),
    [
        ("/dev/zero", "/dev/zero", "a character device"),
        ("file:///dev/zero", "/dev/zero", "a character device"),
        ("pipe.json", "pipe.json", "a FIFO (named pipe)"),
        ("folder.json", "folder.json", "a folder"),
    ],
)
def test_list_update_from_a_special_local_path(fifos: FifoWatch, tmp_path: Path, given: str, shown: str, kind: str) -> None:
    fifos.make("pipe.json")
    (tmp_path / "folder.json").mkdir()
    env = screening_env(tmp_path)
    done = provcheck("lists", "update", "csl", "--url", given, cwd=tmp_path, env=env)
    _refused(done, shown, kind, "a list file")
    assert [p.name for p in (tmp_path / "cache" / "lists" / "csl").iterdir()] == [".lock"]


def test_list_update_from_a_local_file_keeps_the_size_cap(tmp_path: Path) -> None:
    env = screening_env(tmp_path)
    local = tmp_path / "consolidated.json"
    local.write_bytes(CSL.read_bytes())
    done = provcheck("lists", "update", "csl", "--url", local.as_uri(), "--max-bytes", "1000", cwd=tmp_path, env=env)
    assert done.returncode == 3
    assert f"{local} is 15,248 bytes; the limit is 1,000 (raise it with --max-bytes)" in done.output
    assert [p.name for p in (tmp_path / "cache" / "lists" / "csl").iterdir()] == [".lock"]
    assert provcheck("lists", "update", "csl", "--url", local.as_uri(), cwd=tmp_path, env=env).returncode == 0


def test_read_user_file_caps_a_growing_file_and_refuses_symlinks_to_devices(tmp_path: Path) -> None:
    link = tmp_path / "innocent.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="is a character device"):
        read_user_file(link, limit=100)
    small = tmp_path / "small.yaml"
    small.write_bytes(b"x" * 100)
    assert read_user_file(small, limit=100) == b"x" * 100
    with pytest.raises(InputError, match="file is 100 bytes; the limit is 99 bytes"):
        read_user_file(small, limit=99)
    with pytest.raises(InputError, match="no such file"):
        read_user_file(tmp_path / "absent.yaml", limit=10)


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux's /proc")
def test_read_user_file_reads_past_the_size_a_file_declares_up_to_the_limit() -> None:
    # /proc files say they hold 0 bytes and hold more: the bytes beyond the declared size count, as a grown file's do.
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    assert read_user_file(status, limit=1 << 20).startswith(b"Name:")
    with pytest.raises(InputError, match="file is 11 bytes; the limit is 10 bytes"):
        read_user_file(status, limit=10)


def test_leftover_downloads_are_removed_only_when_ours_and_stale(tmp_path: Path) -> None:
    folder = tmp_path / "csl"
    folder.mkdir()
    stale, legacy, fresh = folder / f"{TEMP_PREFIX}abc.part", folder / ".download-xyz", folder / f"{TEMP_PREFIX}new.part"
    keep = [folder / "meta.json", folder / "index-1.json", folder / ".lock", folder / "download-notours"]
    for path in (stale, legacy, fresh, *keep):
        path.write_bytes(b"x")
    outside = tmp_path / f"{TEMP_PREFIX}outside.part"
    outside.write_bytes(b"x")
    for path in (stale, legacy, outside):
        os.utime(path, (1_000_000, 1_000_000))
    removed = remove_leftover_downloads(folder, older_than=2_000_000)
    assert sorted(removed) == sorted([stale, legacy])
    assert fresh.exists() and outside.exists() and all(p.exists() for p in keep)
