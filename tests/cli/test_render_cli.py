"""``provcheck assess -f ... -o ...``: file names, folders, atomic writes, determinism."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml
from support import REPO
from support.cli import CliResult, run_cli
from support.folders import MANIFEST, hidden_files, report_files, report_names
from support.reports import AS_OF, example_paths
from support.synthetic import dossier_data, dossier_yaml

from provenance_cli.formats.questionnaires import load_catalogue

BASE = ["--as-of", AS_OF, "--no-screen", "--no-evidence", "--offline"]


def run(*args: str) -> CliResult:
    return run_cli(["assess", *args, *BASE], REPO)


@pytest.fixture()
def examples(tmp_path: Path) -> Path:
    folder = tmp_path / "dossiers"
    folder.mkdir()
    for path in example_paths():
        shutil.copy(path, folder / path.name)
    return folder


def _dossier(folder: Path, stem: str, vendor: str, seed: int = 1) -> Path:
    data = dossier_data(load_catalogue(), random.Random(seed), seed)
    data["vendor"]["name"] = vendor
    path = folder / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["md", "json", "csv"])
def test_stdout_without_output(examples: Path, fmt: str):
    one = sorted(examples.glob("*.yaml"))[0]
    result = run(str(one), "-f", fmt)
    assert result.returncode == 0, result.output
    if fmt == "json":
        assert json.loads(result.stdout)["report_version"] == 4
    elif fmt == "md":
        assert result.stdout.startswith("# Provenance report: ")
    else:
        assert result.stdout.startswith("vendor,")


def test_json_stdout_for_several_vendors_is_one_array(examples: Path):
    result = run(str(examples), "-f", "json")
    assert result.returncode == 0, result.output
    documents = json.loads(result.stdout)
    assert isinstance(documents, list) and len(documents) == len(list(examples.glob("*.yaml")))


def test_html_folder_has_one_report_per_vendor_and_an_index(examples: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run(str(examples), "-f", "html", "-o", str(out))
    assert result.returncode == 0, result.output
    names = report_names(out)
    assert "index.html" in names and len(names) == len(list(examples.glob("*.yaml"))) + 1
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in names:
        if name != "index.html":
            assert f'href="{name}"' in index
    assert hidden_files(out) == [MANIFEST]  # no temp files left, only the record of what provcheck wrote


def test_single_vendor_to_a_file(examples: Path, tmp_path: Path):
    one = sorted(examples.glob("*.yaml"))[0]
    target = tmp_path / "report.md"
    result = run(str(one), "-f", "md", "-o", str(target))
    assert result.returncode == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Provenance report")


def test_csv_folder_gets_one_summary(examples: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert run(str(examples), "-f", "csv", "-o", str(out)).returncode == 0
    assert report_names(out) == ["summary.csv"]


def test_slug_cannot_escape_the_folder(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    _dossier(src, "evil", "../../x")
    _dossier(src, "evil2", "/etc/passwd", seed=2)
    _dossier(src, "evil3", "..", seed=3)
    out = tmp_path / "deep" / "out"
    result = run(str(src), "-f", "json", "-o", str(out))
    assert result.returncode == 0, result.output
    written = report_names(out)
    # ".." leaves no letters: the slug falls back to "vendor-" and sha256("..")[:10]
    assert written == sorted(["x.json", "etc-passwd.json", "vendor-5ec1f7e700.json"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "src"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]


def test_same_slug_is_resolved_deterministically(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    _dossier(src, "acme-2025", "Acme AI")
    _dossier(src, "acme-2026", "ACME  ai!", seed=2)
    _dossier(src, "portfolio", "Index", seed=3)
    out = tmp_path / "out"
    for _ in range(2):
        result = run(str(src), "-f", "html", "-o", str(out))
        assert result.returncode == 0, result.output
        assert report_names(out) == [
            "acme-ai--acme-2025.html",
            "acme-ai--acme-2026.html",
            "index--portfolio.html",
            "index.html",
        ]
    assert "Vendor portfolio" in (out / "index.html").read_text(encoding="utf-8")


def test_json_rerun_is_byte_identical_apart_from_time(examples: Path, tmp_path: Path):
    texts = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert run(str(examples), "-f", "json", "-o", str(out)).returncode == 0
        texts.append({p.name: p.read_text(encoding="utf-8") for p in report_files(out)})
    assert texts[0].keys() == texts[1].keys()
    for name in texts[0]:
        same = [re.sub(r'"generated_at":"[^"]*"', '"generated_at":""', t[name]) for t in texts]
        assert same[0] == same[1]
        assert same[0].count('"generated_at"') == 1


def test_jobs_two_gives_the_same_reports(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    catalogue = load_catalogue()
    for i in range(60):  # above batch.PARALLEL_THRESHOLD, so workers really start
        (src / f"d{i:03}.yaml").write_text(dossier_yaml(catalogue, random.Random(i), i), encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = run(str(src), "-f", "json", "-o", str(out), "--jobs", jobs)
        assert result.returncode == 0, result.output
        outputs.append({p.name: json.loads(p.read_text(encoding="utf-8")) | {"generated_at": None} for p in report_files(out)})
    assert len(outputs[0]) == 60
    assert outputs[0] == outputs[1]


def test_failed_render_leaves_existing_reports_intact(examples: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert run(str(examples), "-f", "md", "-o", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    templates = tmp_path / "templates"
    templates.mkdir()
    # renders the first vendor fine, then fails on a later one: nothing may be written
    last = sorted(examples.glob("*.yaml"))[-1]
    vendor = yaml.safe_load(last.read_text(encoding="utf-8"))["vendor"]["name"]
    (templates / "report.md.j2").write_text(
        "BRANDED {{ r.vendor.name }}\n{% if r.vendor.name == " + json.dumps(vendor) + " %}{{ r.no_such_key.boom }}{% endif %}\n",
        encoding="utf-8",
    )
    result = run(str(examples), "-f", "md", "-o", str(out), "--template-dir", str(templates))
    assert result.returncode == 2, result.output  # a UsageError, which main() turns into exit code 2
    (message,) = [line for line in result.stderr.splitlines() if line.startswith("provcheck: error:")]
    assert "cannot render" in message and "no_such_key" in message
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_template_dir_overrides_and_falls_back(examples: Path, tmp_path: Path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_text("ACME BRAND {{ r.vendor.name }}\n", encoding="utf-8")
    (templates / "_style.css.j2").write_text("body { color: #123456; }\n", encoding="utf-8")
    one = str(sorted(examples.glob("*.yaml"))[0])
    md = run(one, "-f", "md", "--template-dir", str(templates))
    assert md.stdout.startswith("ACME BRAND ")
    html = tmp_path / "r.html"
    assert run(one, "-f", "html", "-o", str(html), "--template-dir", str(templates)).returncode == 0
    text = html.read_text(encoding="utf-8")
    assert "#123456" in text and "Provenance report:" in text  # branded style, bundled report


def test_terminal_is_still_the_default(examples: Path):
    result = run(str(examples))
    assert result.returncode == 0
    assert "Vendors by risk" in result.stdout


def test_unknown_format_is_a_usage_error(examples: Path):
    result = run(str(examples), "-f", "pdf")
    assert result.returncode == 2


def test_output_never_replaces_a_file_the_user_wrote(tmp_path: Path) -> None:
    """Inputs, files without provcheck's marker and read-only files are refused (exit 2) unless --force; reports are not."""
    import os

    dossier = tmp_path / "vendor.yaml"
    shutil.copy(REPO / "examples" / "northwind-frontier.yaml", dossier)
    original = dossier.read_bytes()
    args = ["--as-of", "2026-11-15", "--no-evidence", "--no-screen"]
    refused = run_cli(["assess", "vendor.yaml", "-f", "json", "-o", "vendor.yaml", *args], tmp_path)
    assert refused.returncode == 2 and "vendor.yaml is one of this run's inputs; refusing to overwrite it" in refused.stderr
    assert dossier.read_bytes() == original
    notes = tmp_path / "README.md"
    notes.write_text("# our notes\n", encoding="utf-8")
    refused = run_cli(["assess", "vendor.yaml", "-f", "md", "-o", "README.md", *args], tmp_path)
    assert refused.returncode == 2 and "README.md exists and was not written by provcheck" in refused.stderr
    assert notes.read_text(encoding="utf-8") == "# our notes\n"
    for fmt, name in (("json", "r.json"), ("md", "r.md"), ("html", "r.html"), ("csv", "r.csv")):
        first = run_cli(["assess", "vendor.yaml", "-f", fmt, "-o", name, *args], tmp_path)
        again = run_cli(["assess", "vendor.yaml", "-f", fmt, "-o", name, *args], tmp_path)
        assert (first.returncode, again.returncode) == (0, 0), (fmt, again.output)  # provcheck's own report is replaced
    locked = tmp_path / "r.json"
    os.chmod(locked, 0o444)
    refused = run_cli(["assess", "vendor.yaml", "-f", "json", "-o", "r.json", *args], tmp_path)
    assert refused.returncode == 2 and "r.json is read-only" in refused.stderr
    forced = run_cli(["assess", "vendor.yaml", "-f", "md", "-o", "README.md", "--force", *args], tmp_path)
    assert forced.returncode == 0 and notes.read_text(encoding="utf-8").startswith("# Provenance report: Northwind Frontier")


def test_pdf_without_weasyprint_is_exit_2_naming_the_extra(examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Where WeasyPrint is not installed (here: its import made to fail), -f pdf stops before any work and says how to get it."""
    monkeypatch.setitem(__import__("sys").modules, "weasyprint", None)
    out = tmp_path / "k.pdf"
    result = run(str(examples / "kestrel-ai.yaml"), "-f", "pdf", "-o", str(out))
    assert result.returncode == 2, result.output
    assert "pip install 'provcheck[pdf]'" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_pdf_report_is_written_replaced_and_guarded(examples: Path, tmp_path: Path):
    """-f pdf writes an A4 PDF with the vendor's name on it; provcheck replaces its own PDF, never a user's file."""
    pytest.importorskip("weasyprint")
    out = tmp_path / "kestrel.pdf"
    first = run(str(examples / "kestrel-ai.yaml"), "-f", "pdf", "-o", str(out))
    assert first.returncode == 0, first.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"/ID [(provcheck-report)" in data[-4096:]
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "Decision: REJECT" in text and "Kestrel AI" in text
    again = run(str(examples / "kestrel-ai.yaml"), "-f", "pdf", "-o", str(out))
    assert again.returncode == 0, again.output  # its own PDF is recognised by the identifier near its end
    mine = tmp_path / "mine.pdf"
    mine.write_bytes(b"%PDF-1.7\n% a file the user made\n" + b"0" * 100_000 + b"\n%%EOF\n")
    refused = run(str(examples / "kestrel-ai.yaml"), "-f", "pdf", "-o", str(mine))
    assert refused.returncode == 2 and "was not written by provcheck" in refused.stderr
    folder = tmp_path / "pdfs"
    several = run(str(examples / "kestrel-ai.yaml"), str(examples / "aurora-models.yaml"), "-f", "pdf", "-o", str(folder))
    assert several.returncode == 0, several.output
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["aurora-models.pdf", "kestrel-ai.pdf"]
    assert run(str(examples / "kestrel-ai.yaml"), str(examples / "aurora-models.yaml"), "-f", "pdf").returncode == 2
