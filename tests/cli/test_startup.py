"""``provcheck --help`` stays light: heavy libraries load only when a command runs.

Checked with ``python -X importtime``, which lists every module imported; no
timing is asserted here (performance goals live in benchmarks/).
"""

from __future__ import annotations

import sys

import pytest
from support import REPO
from support.cli import cli_env, run_cli

HEAVY = ("pydantic", "yaml", "jinja2", "httpx", "rapidfuzz", "jsonschema", "provenance_cli.formats.models")
# typer >= 0.16 builds parameter converters with pydantic when it renders one
# *command's* help, so pydantic is exempt there (it is typer's import, not ours).
HEAVY_BUT_TYPER = tuple(name for name in HEAVY if name != "pydantic")


def imported_modules(*argv: str) -> set[str]:
    proc = run_cli(argv, REPO, command=[sys.executable, "-X", "importtime"], timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    assert "provenance_cli" in modules  # the probe really saw our imports
    return modules


def heavy_in(modules: set[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "provenance_cli", "--help"],
        ["-m", "provenance_cli", "--version"],
        ["-c", "import provenance_cli.cli.app"],
    ],
    ids=["--help", "--version", "import-cli"],
)
def test_help_imports_no_heavy_library(argv):
    assert heavy_in(imported_modules(*argv), HEAVY) == []


@pytest.mark.parametrize("command", ["init", "validate", "questionnaires", "schema"])
def test_command_help_imports_no_heavy_library_of_ours(command):
    modules = imported_modules("-m", "provenance_cli", command, "--help")
    assert heavy_in(modules, HEAVY_BUT_TYPER) == []


# --------------------------------------------------------------------------- assess of one file

EVIDENCE_STACK = ("provenance_cli.evidence", "httpx", "httpcore", "asyncio")
OTHER_COMMANDS = ("provenance_cli.cli.screening", "provenance_cli.cli.evidence", "provenance_cli.cli.reports", "provenance_cli.cli.monitor")


def assess_imports(tmp_path, *, lock: bool) -> set[str]:
    """Modules a real ``provcheck assess FILE`` process imports, with an empty cache folder."""
    import shutil

    from support.cli import cli_env

    dossier = tmp_path / "kestrel-ai.yaml"
    shutil.copy(REPO / "examples" / "kestrel-ai.yaml", dossier)
    if lock:
        (tmp_path / "kestrel-ai.yaml.evidence.lock.yaml").write_text("provcheck_evidence_lock: 1\nentries: []\n", encoding="utf-8")
    env = cli_env(PROVCHECK_CACHE_DIR=str(tmp_path / "cache"))
    proc = run_cli(["-m", "provenance_cli", "assess", str(dossier)], tmp_path, command=[sys.executable, "-X", "importtime"], env=env)
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:") and "|" in line}
    assert "provenance_cli.assessment.scoring" in modules  # the probe really saw the assessment run
    return modules


NOT_FOR_ONE_FILE = (
    "provenance_cli.formats.scenario",  # only a simulation builds one
    "provenance_cli.assessment.simulate",
    "xml.etree",  # parsers of XML lists; screening a cached or bundled list never parses one
    "sqlite3",  # the on-disk index of a downloaded list; the bundled starter list is screened in memory
    "jinja2",  # HTML and Markdown reports; the terminal view renders with rich
    "jsonschema",  # checks JSON reports read back; assess reads none
    "ruamel",  # comment-keeping YAML writes (import, fill, upgrade)
    "openpyxl",  # vendor questionnaires as workbooks
    "provenance_cli.render.output",  # report files; the terminal view writes none
)
"""Modules a plain ``assess FILE`` to the terminal must not load: each was made lazy for start-up time (issue 20)."""


def test_assess_file_without_lock_imports_no_evidence_stack_and_no_other_command(tmp_path):
    modules = assess_imports(tmp_path, lock=False)
    assert heavy_in(modules, EVIDENCE_STACK) == []
    assert heavy_in(modules, OTHER_COMMANDS) == []
    assert heavy_in(modules, NOT_FOR_ONE_FILE) == []


def test_assess_file_with_a_lock_does_import_the_evidence_stack(tmp_path):
    # The other side of the test above: the lock's presence is what loads it.
    assert "provenance_cli.evidence.lock" in assess_imports(tmp_path, lock=True)


def test_diff_of_dossiers_does_not_import_jsonschema():
    """jsonschema checks JSON reports only; commands that read none never pay for it."""
    dossier = str(REPO / "examples" / "tinyweights-host.yaml")
    offline = ["--as-of", "2026-09-01", "--no-screen", "--no-evidence", "--offline"]
    assert heavy_in(imported_modules("-m", "provenance_cli", "diff", dossier, dossier, *offline), ("jsonschema",)) == []


def test_main_pauses_the_collector_while_the_command_runs_and_gives_it_back(monkeypatch):
    """Start-up time: no cyclic collection of the objects a command builds; a caller of main() gets its collector back."""
    import gc

    from provenance_cli.cli import app

    seen: list[bool] = []
    monkeypatch.setattr(app, "_run", lambda: seen.append(gc.isenabled()))
    assert gc.isenabled()
    app.main()
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        app.main()
        assert not gc.isenabled()  # a caller that had paused it keeps it paused
    finally:
        gc.enable()
    assert seen == [False, False]


EXIT_PROBE = """\
import atexit, gc, sys
from provenance_cli.cli.entry import main
def probe():
    loader = sys.modules.get("pydantic.plugin._loader")
    scanned = loader is not None and loader._plugins is not None
    sys.stderr.write(f"probe: frozen={gc.get_freeze_count()} collecting={gc.isenabled()} plugins_scanned={scanned}\\n")
atexit.register(probe)
sys.argv[0] = "provcheck"
main()
"""


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["assess", "examples/kestrel-ai.yaml", "--as-of", "2026-09-01", "--offline"], 0), (["assess", "no-such-file.yaml"], 2)],
    ids=["verdict", "bad-input"],
)
def test_console_script_freezes_what_the_command_built_and_still_exits_normally(argv, code):
    """The interpreter's last collection skips what the command built; exit codes, output and atexit handlers are kept."""
    proc = run_cli(argv, REPO, command=[sys.executable, "-c", EXIT_PROBE], timeout=60)
    assert proc.returncode == code, proc.stderr[-2000:]
    probe = [line for line in proc.stderr.splitlines() if line.startswith("probe: ")]
    assert len(probe) == 1  # atexit handlers still run after the freeze
    frozen = int(probe[0].split("frozen=")[1].split()[0])
    assert frozen > 20_000  # modules, classes and the catalogue: everything built up to the end of the command
    assert "collecting=False" in probe[0]
    assert "plugins_scanned=False" in probe[0]  # pydantic plugins never looked for (nor given dossier content)
    if code == 0:
        assert "Decision:" in proc.stdout and "Findings by question" in proc.stdout


def test_a_user_who_names_pydantic_plugins_keeps_that_choice():
    """PYDANTIC_DISABLE_PLUGINS set by the user (here: disable one plugin by name) is theirs; provcheck only fills in a default."""
    argv = ["assess", "examples/kestrel-ai.yaml", "--as-of", "2026-09-01", "--offline"]
    proc = run_cli(
        argv, REPO, command=[sys.executable, "-c", EXIT_PROBE], env=cli_env(PYDANTIC_DISABLE_PLUGINS="someone-elses-plugin"), timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "plugins_scanned=True" in proc.stderr


def test_diff_of_reports_checks_them_without_the_iri_grammars(tmp_path):
    """Reading a JSON report imports jsonschema, but not the IRI helper that compiles 38 grammars (1.5 s) for formats our schemas never use.

    Skipped where the helper is not installed (then there is nothing to keep out).
    """
    pytest.importorskip("rfc3987_syntax")
    dossier = str(REPO / "examples" / "tinyweights-host.yaml")
    offline = ["--as-of", "2026-09-01", "--no-screen", "--no-evidence", "--offline"]
    report = tmp_path / "tiny.json"
    done = run_cli(["assess", dossier, *offline, "-f", "json", "-o", str(report)], REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    modules = imported_modules("-m", "provenance_cli", "diff", str(report), str(report))
    assert "jsonschema" in modules  # the report really was checked against its schema
    assert heavy_in(modules, ("lark",)) == []  # the grammar compiler the helper needs (importtime lists the refused attempt itself)


def test_the_iri_helper_is_kept_out_only_while_jsonschema_is_first_imported():
    """Afterwards the helper imports normally, for code that wants it; jsonschema still checks dates."""
    pytest.importorskip("rfc3987_syntax")
    probe = (
        "import sys\n"
        "from provenance_cli.util.thirdparty import jsonschema_for_own_schemas\n"
        "js = jsonschema_for_own_schemas()\n"
        "assert 'rfc3987_syntax' not in sys.modules, 'helper imported'\n"
        "checker = js.FormatChecker(formats=('date',))\n"
        "errors = list(js.Draft202012Validator({'format': 'date'}, format_checker=checker).iter_errors('2026-02-30'))\n"
        "assert errors, 'a date that does not exist passed'\n"
        "import rfc3987_syntax\n"
        "assert rfc3987_syntax is not None\n"
        "assert jsonschema_for_own_schemas() is js\n"
    )
    done = run_cli(["-c", probe], REPO, command=[sys.executable], timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
