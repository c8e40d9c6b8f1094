"""Conventions every command keeps: one format name, stdin, quiet pipes, -o that means what it says, modes, verbosity.

The pipe and umask tests run real child processes: a closed pipe and a
umask only exist for a real process.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support import EXAMPLES, REPO
from support.cli import cli_env, run_cli

KESTREL = EXAMPLES / "kestrel-ai.yaml"
NORTHWIND = EXAMPLES / "northwind-frontier.yaml"


# --------------------------------------------------------------------------- one name for the terminal format


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", str(KESTREL)],
        ["compare", str(KESTREL), str(NORTHWIND)],
        ["diff", str(KESTREL), str(NORTHWIND)],
        ["questions", str(KESTREL)],
        ["validate", str(KESTREL)],
        ["questionnaires", "list"],
        ["screen", str(KESTREL), "--offline"],
        ["monitor", str(EXAMPLES), "--dry-run"],
    ],
    ids=lambda argv: argv[0],
)
def test_text_and_terminal_name_the_same_format_everywhere(cli, argv):
    text = cli(*argv, "-f", "text")
    alias = cli(*argv, "-f", "terminal")
    assert text.returncode == alias.returncode and text.returncode in (0, 3), text.output
    assert text.output == alias.output and text.output.strip()
    assert cli(*argv, "-f", "nonsense").returncode == 2


# --------------------------------------------------------------------------- standard input


def test_a_dossier_on_stdin(cli):
    data = KESTREL.read_bytes()
    named = cli("assess", str(KESTREL), "-f", "json", "--no-evidence").json()
    piped = cli("assess", "-", "-f", "json", "--no-evidence", stdin=data)
    assert piped.returncode == 0, piped.output
    document = piped.json()
    assert document["summary"] == named["summary"] and document["decision"] == named["decision"]
    assert document["provenance"]["inputs"][0]["path"] == "-"
    assert cli("validate", "-", stdin=data).returncode == 0
    questions = cli("questions", "-", "-f", "json", stdin=data)
    assert questions.returncode == 0 and questions.json()[0]["vendor"] == "Kestrel AI"


def test_problems_on_stdin_name_the_file_dash(cli):
    bad = cli("validate", "-", stdin=b"provcheck: 2\nvendor:\n  name: A\n  name: B\n")
    assert bad.returncode == 2
    assert bad.stdout.startswith("-:4:3: duplicate key 'name'")


def test_dash_must_stand_alone_and_evidence_refuses_it(cli):
    mixed = cli("assess", "-", str(KESTREL), stdin=KESTREL.read_bytes())
    assert mixed.returncode == 2 and "'-' (a dossier on standard input) must be the only path given" in mixed.stderr
    evidence = cli("evidence", "snapshot", "-", stdin=KESTREL.read_bytes())
    assert evidence.returncode == 2 and "lock file lives beside its dossier" in evidence.stderr


# --------------------------------------------------------------------------- -o FILE


def test_one_file_for_several_vendors_separate_reports_is_a_usage_error(cli, tmp_path):
    done = cli("assess", str(EXAMPLES), "-f", "md", "-o", "one.md", "--no-evidence")
    assert done.returncode == 2, done.output
    assert "-o one.md names a file, but 5 vendors make 5 separate md reports" in done.stderr
    assert not (tmp_path / "one.md").exists()


@pytest.mark.parametrize(("fmt", "name"), [("sarif", "all.sarif"), ("junit", "junit.xml"), ("csv", "all.csv")])
def test_combined_formats_write_the_one_file_named(cli, tmp_path, fmt, name):
    done = cli("assess", str(EXAMPLES), "-f", fmt, "-o", name, "--no-evidence")
    assert done.returncode == 0, done.output
    assert (tmp_path / name).is_file()


def test_a_folder_of_one_dossier_writes_the_file_named(cli, write, tmp_path):
    write("one/kestrel.yaml", KESTREL.read_text(encoding="utf-8"))
    done = cli("assess", "one", "-f", "md", "-o", "kestrel.md", "--no-evidence")
    assert done.returncode == 0, done.output
    assert (tmp_path / "kestrel.md").is_file() and "Kestrel AI" in (tmp_path / "kestrel.md").read_text(encoding="utf-8")


def test_questionnaires_for_several_dossiers_need_a_folder(cli, tmp_path):
    one = cli("questions", str(EXAMPLES), "-f", "md", "-o", "one.md")
    assert one.returncode == 2 and "-o one.md names a file, but 5 dossiers make 5 questionnaires" in one.stderr
    assert not (tmp_path / "one.md").exists()
    folder = cli("questions", str(EXAMPLES), "-f", "markdown", "-o", "sent")
    assert folder.returncode == 0, folder.output
    assert (tmp_path / "sent" / "kestrel-ai.questions.md").is_file()
    piped = cli("questions", "-", "-f", "csv", "-o", "sent", stdin=KESTREL.read_bytes())
    assert piped.returncode == 0, piped.output
    assert (tmp_path / "sent" / "kestrel-ai.questions.csv").is_file()  # named after the vendor: stdin has no file name


# --------------------------------------------------------------------------- verbosity


def test_quiet_and_verbose(cli, tmp_path):
    normal = cli("assess", str(KESTREL), "-f", "md", "-o", "k.md", "--no-evidence")
    assert "wrote k.md" in normal.stderr
    quiet = cli("assess", str(KESTREL), "-f", "md", "-o", "k.md", "--no-evidence", "-q")
    assert quiet.returncode == 0 and "wrote" not in quiet.stderr
    assert "warning:" in quiet.stderr  # warnings still show
    root_quiet = cli("-q", "validate", str(KESTREL))
    assert root_quiet.returncode == 0 and root_quiet.stderr == ""
    verbose = cli("assess", str(EXAMPLES), "--no-evidence", "-v")
    assert f"{KESTREL}: Kestrel AI: reject (tier critical" in verbose.stderr
    assert "assessed 5 dossier(s), 0 problem(s), in " in verbose.stderr
    checked = cli("validate", str(EXAMPLES), "--verbose")
    assert f"{KESTREL}: dossier format 2: valid" in checked.stderr
    both = cli("validate", str(KESTREL), "-q", "-v")
    assert both.returncode == 2 and "--quiet and --verbose contradict each other" in both.stderr


# --------------------------------------------------------------------------- shell completion


def test_shell_completion_is_available(cli, tmp_path):
    """The installed console script prints a completion script for its own name."""
    script = Path(sys.executable).with_name("provcheck")
    if not script.is_file():
        pytest.skip("provcheck is not installed next to this Python")
    shown = run_cli(["--show-completion", "bash"], tmp_path, command=[str(script)])
    assert shown.returncode == 0, shown.output
    assert "_PROVCHECK_COMPLETE=complete_bash" in shown.stdout and "complete -o default -F" in shown.stdout
    assert "--install-completion" in cli("--help").stdout


# --------------------------------------------------------------------------- broken pipes (real processes)


def _provcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "provenance_cli", *args]


def test_head_of_a_pipe_exits_0_or_141_quietly(tmp_path):
    """The issue's own command: provcheck assess examples/ | head -1, in a real shell with pipefail."""
    env = cli_env(PROVCHECK_CACHE_DIR=str(tmp_path / "cache"))
    command = " ".join(_provcheck("assess", "examples/", "--no-evidence")) + ' 2>err.txt | head -1; echo "status=${PIPESTATUS[0]}"'
    done = subprocess.run(["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    first, status = done.stdout.splitlines()[0], done.stdout.splitlines()[-1]
    assert first.strip() and status in ("status=0", "status=141"), done.stdout
    (REPO / "err.txt").unlink()


@pytest.mark.parametrize(
    "args",
    [
        ["assess", "examples/", "--no-evidence"],
        ["assess", str(KESTREL), "-f", "json", "--fail-on", "high", "--no-evidence"],
    ],
    ids=["rich-table", "json-with-gate"],
)
def test_a_reader_that_went_away_is_141_never_1(tmp_path, args):
    """The reader closes its end before provcheck writes anything: every write meets a broken pipe."""
    env = cli_env(PROVCHECK_CACHE_DIR=str(tmp_path / "cache"))
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read
    try:
        done = subprocess.run(_provcheck(*args), cwd=REPO, env=env, stdout=write_end, stderr=subprocess.PIPE, timeout=120, check=False)
    finally:
        os.close(write_end)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 141, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr and "Broken pipe" not in stderr, stderr


# --------------------------------------------------------------------------- file modes (real processes)


@pytest.mark.slow  # in-process: tests/unit/test_files.py; here the whole command in a real process
def test_reports_follow_the_umask_and_keep_a_replaced_files_mode(tmp_path):
    env = cli_env(PROVCHECK_CACHE_DIR=str(tmp_path / "cache"))

    def run(*args: str, umask: int) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            _provcheck(*args), cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False, preexec_fn=lambda: os.umask(umask)
        )

    made = run("assess", str(KESTREL), "-f", "json", "-o", "k.json", "--no-evidence", umask=0o022)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE((tmp_path / "k.json").stat().st_mode) == 0o644
    (tmp_path / "k.json").chmod(0o640)
    again = run("assess", str(KESTREL), "-f", "json", "-o", "k.json", "--no-evidence", umask=0o000)
    assert again.returncode == 0, again.stderr
    assert stat.S_IMODE((tmp_path / "k.json").stat().st_mode) == 0o640
    assert json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))["vendor"]["name"] == "Kestrel AI"
