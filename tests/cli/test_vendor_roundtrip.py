"""The vendor round trip: export Aurora's open questions, fill them as a vendor would, import them back."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import REPO

from provenance_cli.formats.questionnaires import load_catalogue

AURORA = REPO / "examples" / "aurora-models.yaml"
KESTREL = REPO / "examples" / "kestrel-ai.yaml"
AS_OF = "2026-11-15"
IMPORTED_ON = "2026-11-20"
SCORING = ("--as-of", AS_OF, "--no-screen", "--no-evidence", "-f", "json")

FILLED = {
    # question: (answer as the vendor writes it, evidence URL, evidence title, note)
    "extraction.threat_intel_sharing": (
        "Yes",
        "https://aurora-models.example/trust/indicator-sharing",
        "Indicator sharing",
        "Shared monthly.",
    ),
    "export_control.access_change_notice": ("Contractual notice obligation", "https://aurora-models.example/legal/msa#notice", None, None),
    "retention.third_party_routing": ("direct", "https://aurora-models.example/docs/architecture", "Request path", None),
}


@pytest.fixture
def aurora(tmp_path: Path) -> Path:
    """A copy of Aurora's dossier to change, with a mode of its own."""
    path = tmp_path / "aurora.yaml"
    shutil.copy(AURORA, path)
    path.chmod(0o640)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """Aurora's questionnaire, exported once for the module (every test's copy of the dossier has the same sha256)."""
    from support.cli import run_cli

    folder = tmp_path_factory.mktemp("export")
    result = run_cli(["questions", AURORA, "--as-of", AS_OF, "-f", "xlsx", "-o", "aurora.xlsx"], folder)
    assert result.returncode == 0, result.output
    return folder / "aurora.xlsx"


@pytest.fixture
def workbook_copy(exported: Path, tmp_path: Path) -> Path:
    """A fresh copy of the exported workbook beside the test's dossier."""
    return Path(shutil.copy(exported, tmp_path / "aurora.xlsx"))


def export(cli, dossier: Path, fmt: str = "xlsx", name: str | None = None) -> Path:
    target = dossier.parent / (name or f"{dossier.stem}.{fmt}")
    result = cli("questions", dossier, "--as-of", AS_OF, "-f", fmt, "-o", target)
    assert result.returncode == 0, result.output
    return target


def columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1]}


def row_of(sheet, question_id: str) -> int:
    return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value == question_id)


def fill(path: Path, answers: dict[str, tuple[str, str | None, str | None, str | None]], *, out: Path | None = None) -> Path:
    """Type answers into the workbook the way a vendor's spreadsheet program would save them."""
    workbook = load_workbook(path)
    sheet = workbook["Questions"]
    col = columns(sheet)
    for question_id, (answer, url, title, note) in answers.items():
        row = row_of(sheet, question_id)
        for header, value in (("Your answer", answer), ("Evidence URL", url), ("Evidence title", title), ("Note", note)):
            sheet.cell(row, col[header]).value = value
    workbook.save(out or path)
    return out or path


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def test_export_fill_import_round_trip(cli, aurora: Path, workbook_copy: Path) -> None:
    before_text = aurora.read_text(encoding="utf-8")
    before = cli("assess", aurora, *SCORING).json()
    workbook_path = workbook_copy

    workbook = load_workbook(workbook_path)
    assert workbook.sheetnames == ["Questions", "Answers", "provcheck"]
    assert [workbook[name].sheet_state for name in workbook.sheetnames] == ["visible", "hidden", "hidden"]
    record = {row[0]: row[1] for row in workbook["provcheck"].iter_rows(values_only=True)}
    assert record["provcheck vendor questionnaire"] == "1"
    assert record["dossier_sha256"] == hashlib.sha256(aurora.read_bytes()).hexdigest()
    versions = {q.id: q.version for q in load_catalogue().questionnaires}
    assert record["questionnaire extraction"] == versions["extraction"]
    assert record["questionnaire export_control"] == versions["export_control"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", record["exported_at"])
    sheet = workbook["Questions"]
    col = columns(sheet)
    assert list(col) == [
        "Question id", "Question", "Why we ask", "Allowed answers", "Evidence we ask for", "Current answer",
        "Open because", "Points at stake", "Your answer", "Evidence URL", "Evidence title", "Note",
    ]  # fmt: skip
    ids = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    assert set(FILLED) <= set(ids) and len(ids) == len(set(ids))
    stakes = [sheet.cell(row, col["Points at stake"]).value for row in range(2, sheet.max_row + 1)]
    assert stakes == sorted(stakes, reverse=True)
    # The answer to a yes/no question is a drop-down of its allowed answers, read from the hidden sheet.
    answer_cell = sheet.cell(row_of(sheet, "extraction.threat_intel_sharing"), col["Your answer"]).coordinate
    (validation,) = [v for v in sheet.data_validations.dataValidation if answer_cell in v.sqref]
    assert validation.type == "list" and validation.formula1.startswith("'Answers'!$")
    letter = re.search(r"\$([A-Z]+)\$1", validation.formula1).group(1)
    assert [workbook["Answers"][f"{letter}{n}"].value for n in (1, 2, 3)] == ["Yes", "No", "We do not disclose this"]

    fill(workbook_path, FILLED)
    imported = cli("import", aurora, workbook_path, "--as-of", IMPORTED_ON)
    assert imported.returncode == 0, imported.output
    assert "+    answer: yes" in imported.stdout and f"updated {aurora}: 3 answer(s)" in imported.stderr
    assert cli("validate", aurora).returncode == 0, "the strict loader reads the written dossier"
    assert aurora.stat().st_mode & 0o777 == 0o640

    after_text = aurora.read_text(encoding="utf-8")
    assert comments(after_text) == comments(before_text), "every comment kept, in order"
    changed_lines = [line for line in after_text.splitlines() if line not in before_text.splitlines()]
    assert all(
        re.match(r"\s+(answer|note|as_of):|\s+- \{url: https://aurora-models\.example/(trust|legal|docs)/", line) for line in changed_lines
    )

    after = cli("assess", aurora, *SCORING).json()
    records = {a["question_id"]: a for a in after["answers"]}
    sharing = records["extraction.threat_intel_sharing"]
    assert sharing["answer"] == "yes" and sharing["status"] == "answered" and sharing["as_of"] == IMPORTED_ON
    assert sharing["evidence"] == [
        {
            "url": "https://aurora-models.example/trust/indicator-sharing",
            "title": "Indicator sharing",
            "retrieved": IMPORTED_ON,
            "kind": "vendor_attestation",
        }
    ]
    assert "aurora.xlsx" in sharing["note"] and "Shared monthly." in sharing["note"]
    assert records["export_control.access_change_notice"]["answer"] == "contractual_notice"
    routing = records["retention.third_party_routing"]["evidence"]
    assert [e["kind"] for e in routing] == ["vendor_attestation"], "the missing evidence arrived"
    assert "retention.third_party_routing" not in after["missing_evidence"]
    assert "extraction.threat_intel_sharing" not in after["undisclosed"]

    # The score moved by exactly the points the old answers carried: the new answers are the favourable ones.
    moved = set(FILLED)
    assert not [t for t in after["trace"] if t["question_id"] in moved and t["contribution"] > 0]
    weights = {c["id"]: c["weight"] for c in before["categories"]}
    raw = {c["id"]: c["raw"] for c in before["categories"]}
    for entry in before["trace"]:
        if entry["question_id"] in moved:
            raw[entry["category"]] -= entry["contribution"]
    expected = sum(weights[c] * min(100.0, raw[c]) for c in raw) / sum(weights.values())
    assert before["summary"]["overall"] - expected > 0.5
    assert after["summary"]["overall"] == pytest.approx(expected, abs=1e-3)

    again = cli("import", aurora, workbook_path, "--as-of", IMPORTED_ON)
    assert again.returncode == 0, again.output
    assert "nothing to import" in again.stderr, "importing the same file twice changes nothing"


def test_bad_cells_name_their_sheet_and_cell_and_nothing_is_written(cli, aurora: Path, workbook_copy: Path) -> None:
    fill(
        workbook_copy,
        {
            "extraction.threat_intel_sharing": ("Perhaps", None, None, None),
            "retention.third_party_routing": ("direct", "ftp://files.example/route", None, None),
            "export_control.dod_1260h": (3, None, None, None),
            "export_control.cmic": ("No", None, "A title without its link", None),
        },
    )
    workbook = load_workbook(workbook_copy)
    sheet = workbook["Questions"]
    unknown_row = row_of(sheet, "export_control.ofac_sdn")
    sheet.cell(unknown_row, 1).value = "export_control.ofac_sdnn"
    sheet.cell(unknown_row, columns(sheet)["Your answer"]).value = "No"
    workbook.save(workbook_copy)
    before = aurora.read_bytes()
    result = cli("import", aurora, workbook_copy)
    assert result.returncode == 2, result.output
    at = f"{workbook_copy}:Questions!"
    expected = [
        f"{at}I{row_of(sheet, 'extraction.threat_intel_sharing')}: extraction.threat_intel_sharing: 'Perhaps' is not an allowed answer; "
        "expected one of: Yes; No; We do not disclose this",
        f"{at}J{row_of(sheet, 'retention.third_party_routing')}: retention.third_party_routing: "
        "expected an http:// or https:// URL with a host, "
        "got 'ftp://files.example/route'",
        f"{at}I{row_of(sheet, 'export_control.dod_1260h')}: export_control.dod_1260h: expected yes or no, got the number 3",
        f"{at}K{row_of(sheet, 'export_control.cmic')}: export_control.cmic: an evidence title needs its URL in the evidence URL column",
        f"{at}A{unknown_row}: unknown question id 'export_control.ofac_sdnn' (did you mean 'export_control.ofac_sdn'?)",
    ]
    assert sorted(result.stderr.splitlines()) == sorted(expected)
    assert aurora.read_bytes() == before and result.stdout == ""


def test_a_file_exported_for_another_dossier_is_refused_unless_forced(cli, aurora: Path, tmp_path: Path) -> None:
    kestrel = tmp_path / "kestrel.yaml"
    shutil.copy(KESTREL, kestrel)
    workbook_path = fill(export(cli, kestrel), {"extraction.threat_intel_sharing": ("No", None, None, None)})
    before = aurora.read_bytes()
    refused = cli("import", aurora, workbook_path)
    assert refused.returncode == 2
    assert re.search(
        rf"^{re.escape(str(workbook_path))}:provcheck!B5: this file was exported for the dossier of Kestrel AI ", refused.stderr, re.M
    )
    assert "use --force" in refused.stderr
    assert aurora.read_bytes() == before
    forced = cli("import", aurora, workbook_path, "--force", "--dry-run")
    assert forced.returncode == 0, forced.output
    assert "into Aurora Models's dossier (--force)" in forced.stderr and "+    answer: no" in forced.stdout
    assert aurora.read_bytes() == before, "--dry-run writes nothing"


def test_an_older_questionnaire_version_is_refused_unless_forced(cli, aurora: Path, workbook_copy: Path) -> None:
    workbook_path = fill(workbook_copy, {"extraction.threat_intel_sharing": ("Yes", None, None, None)})
    workbook = load_workbook(workbook_path)
    record = workbook["provcheck"]
    row = next(r for r in range(1, record.max_row + 1) if record.cell(r, 1).value == "questionnaire extraction")
    record.cell(row, 2).value = "1.1.0"
    workbook.save(workbook_path)
    refused = cli("import", aurora, workbook_path)
    assert refused.returncode == 2
    current = load_catalogue().questionnaire("extraction").version
    assert f"{workbook_path}:provcheck!B{row}: exported with questionnaire extraction 1.1.0; this provcheck has {current}" in refused.stderr
    forced = cli("import", aurora, workbook_path, "--force")
    assert forced.returncode == 0, forced.output
    assert "questionnaire extraction 1.1.0" in forced.stderr


def test_an_answer_the_buyer_verified_after_the_export_is_kept_without_force(cli, aurora: Path, workbook_copy: Path) -> None:
    workbook_path = fill(workbook_copy, {"export_control.customer_screening": ("No", None, None, None)})
    checked = date.today().isoformat()
    text = aurora.read_text(encoding="utf-8")
    old = "  export_control.customer_screening:\n    answer: yes\n    evidence:\n"
    assert text.count(old) == 1
    verified = f"      - {{url: https://screening.buyer.example/aurora-customers, retrieved: {checked}, kind: third_party}}\n"
    aurora.write_text(text.replace(old, old + verified), encoding="utf-8")
    before = aurora.read_bytes()
    kept = cli("import", aurora, workbook_path)
    assert kept.returncode == 0, kept.output
    assert f"export_control.customer_screening: kept 'yes', which the buyer verified on {checked}" in kept.stderr
    assert "changed since the export" in kept.stderr
    assert aurora.read_bytes() == before
    forced = cli("import", aurora, workbook_path, "--force")
    assert forced.returncode == 0, forced.output
    assert "-    answer: yes" in forced.stdout and "+    answer: no" in forced.stdout


def test_an_answer_that_makes_an_answered_question_stop_applying_is_refused(cli, aurora: Path) -> None:
    """A vendor-wide suspension with a restoration date on file: 'no suspension' would orphan the date.

    (The bundled Aurora keeps its suspension as Lumen 5's own answer; this copy states it for the whole vendor.)
    """
    text = aurora.read_text(encoding="utf-8")
    start = text.index("  export_control.model_export_suspension:\n    answer: no")
    end = text.index("  export_control.access_identity_verification:\n    answer: not_required")
    vendor_wide = (
        "  export_control.model_export_suspension:\n    answer: yes\n    as_of: 2026-07-03\n\n"
        "  export_control.restoration_date:\n    answer: 2026-07-08\n\n"
    )
    aurora.write_text(text[:start] + vendor_wide + text[end:], encoding="utf-8")
    workbook_path = fill(export(cli, aurora), {"export_control.model_export_suspension": ("No", None, None, None)})
    row = row_of(load_workbook(workbook_path)["Questions"], "export_control.model_export_suspension")
    before = aurora.read_bytes()
    result = cli("import", aurora, workbook_path)
    assert result.returncode == 2
    assert (
        f"{workbook_path}:Questions!I{row}: export_control.model_export_suspension: this answer makes export_control.restoration_date"
        in result.stderr
    )
    assert aurora.read_bytes() == before


def test_csv_round_trip(cli, aurora: Path) -> None:
    csv_path = export(cli, aurora, "csv")
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "Question id")
    assert rows[0] == ["#provcheck vendor questionnaire", "1"]
    assert all(row[0].startswith("#") for row in rows[:header_at])
    header = rows[header_at]
    for row in rows[header_at + 1 :]:
        if row[0] == "extraction.threat_intel_sharing":
            row[header.index("Your answer")] = "no"
            row[header.index("Note")] = "See our terms \x1b[2J here."  # an escape sequence must not reach the terminal
        if row[0] == "export_control.dod_1260h":
            row[header.index("Your answer")] = "Unsure"
            bad_line = rows.index(row) + 1
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    csv_path.write_text(buffer.getvalue(), encoding="utf-8")
    before = aurora.read_bytes()
    refused = cli("import", aurora, csv_path)
    assert refused.returncode == 2
    assert f"{csv_path}:I{bad_line}: export_control.dod_1260h: 'Unsure' is not an allowed answer" in refused.stderr
    assert aurora.read_bytes() == before

    rows[bad_line - 1][header.index("Your answer")] = ""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    csv_path.write_text(buffer.getvalue(), encoding="utf-8")
    imported = cli("import", aurora, csv_path, "--as-of", IMPORTED_ON)
    assert imported.returncode == 0, imported.output
    assert "-    answer: undisclosed\n+    answer: no" in imported.stdout
    assert "\x1b" not in imported.output and "See our terms \\e[2J here." in imported.stdout, "YAML writes it as an escape"
    assert cli("validate", aurora).returncode == 0


def test_import_refuses_what_is_not_an_export(cli, aurora: Path, tmp_path: Path) -> None:
    plain = tmp_path / "answers.csv"
    plain.write_text("id,answer\nextraction.threat_intel_sharing,yes\n", encoding="utf-8")
    result = cli("import", aurora, plain)
    assert result.returncode == 2
    assert f"{plain}: not a questionnaire exported by provcheck" in result.stderr
    junk = tmp_path / "answers.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    result = cli("import", aurora, junk)
    assert result.returncode == 2 and "not a readable .xlsx workbook" in result.stderr


def _soffice(*args: str, cwd: Path) -> None:
    env = {**os.environ, "HOME": str(cwd)}  # LibreOffice keeps a profile in HOME; a private one per test
    subprocess.run(["soffice", "--headless", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook_and_its_copy_imports_back(cli, aurora: Path, tmp_path: Path) -> None:
    """LibreOffice reads the export cleanly, and a workbook it saved again (as a vendor on LibreOffice would) imports."""
    workbook_path = export(cli, aurora)
    exported = load_workbook(workbook_path)["Questions"]
    expected = [[cell.value for cell in row] for row in exported.iter_rows(max_col=2)]
    started = time.monotonic()
    out = tmp_path / "lo"
    _soffice("--convert-to", "csv", "--outdir", str(out), str(workbook_path), cwd=tmp_path)
    rows = list(csv.reader(io.StringIO((out / "aurora.csv").read_text(encoding="utf-8"))))
    assert [row[:2] for row in rows] == expected, "the questions sheet comes out as exported"
    assert time.monotonic() - started < 60

    resaved = tmp_path / "lo-xlsx"
    _soffice("--convert-to", "xlsx", "--outdir", str(resaved), str(workbook_path), cwd=tmp_path)
    copy = fill(resaved / "aurora.xlsx", {"extraction.threat_intel_sharing": ("Yes", None, None, None)})
    imported = cli("import", aurora, copy, "--as-of", IMPORTED_ON)
    assert imported.returncode == 0, imported.output
    assert "+    answer: yes" in imported.stdout


# ---------------------------------------------------------------------------- answers of one model


def _lumen_5_overrides_routing(aurora: Path) -> None:
    """Lumen 5 (the model that decides Aurora's verdict) answers one more question itself: the routing, undisclosed."""
    text = aurora.read_text(encoding="utf-8")
    marker = "      export_control.access_identity_verification:"
    assert text.count(marker) == 1
    aurora.write_text(
        text.replace(marker, "      retention.third_party_routing:\n        answer: undisclosed\n" + marker), encoding="utf-8"
    )


def _answer_csv(path: Path, answers: dict[str, str]) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = rows[next(i for i, row in enumerate(rows) if row and row[0] == "Question id")]
    for row in rows:
        if row and row[0] in answers:
            row[header.index("Your answer")] = answers[row[0]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_an_answer_for_a_model_goes_where_the_answer_it_replaces_lives(cli, aurora: Path) -> None:
    """Questions exported for the deciding model come back into that model's own answers where it overrides them;
    the others stay the vendor's, so no imported answer is hidden behind a model's override."""
    _lumen_5_overrides_routing(aurora)
    vendor_before = aurora.read_text(encoding="utf-8").split("\nanswers:", 1)[1]
    csv_path = export(cli, aurora, "csv")
    assert "#model,Lumen 5" in csv_path.read_text(encoding="utf-8")
    _answer_csv(csv_path, {"retention.third_party_routing": "direct", "extraction.threat_intel_sharing": "Yes"})
    imported = cli("import", aurora, csv_path, "--as-of", IMPORTED_ON)
    assert imported.returncode == 0, imported.output
    text = aurora.read_text(encoding="utf-8")
    models_block, vendor_block = text.split("\nanswers:", 1)
    assert "      retention.third_party_routing:\n        answer: direct\n" in models_block
    assert "  extraction.threat_intel_sharing:\n    answer: yes\n" in vendor_block
    routing = "  retention.third_party_routing:\n"
    assert vendor_block.split(routing)[1].split("\n\n")[0] == vendor_before.split(routing)[1].split("\n\n")[0], "the vendor's own stays"
    report = cli("assess", aurora, *SCORING).json()
    lumen5 = next(m for m in report["models"] if m["name"] == "Lumen 5")
    assert dict(lumen5["own_answers"])["retention.third_party_routing"] not in ("Undisclosed", "undisclosed")
    lumen45 = next(m for m in report["models"] if m["name"] == "Lumen 4.5")
    assert lumen45["own_answers"] == []


def test_an_unknown_model_is_a_usage_error_and_nothing_is_written(cli, aurora: Path) -> None:
    csv_path = export(cli, aurora, "csv")
    before = aurora.read_bytes()
    refused = cli("import", aurora, csv_path, "--model", "Lumen 6")
    assert refused.returncode == 2
    assert "--model: the dossier lists no model 'Lumen 6' (its models: 'Lumen 5', 'Lumen 4.5')" in refused.stderr
    assert aurora.read_bytes() == before
    assert cli("fill", aurora, "--model", "Lumen 6", stdin=b"q\n").returncode == 2


def test_fill_for_a_model_asks_its_open_questions_and_saves_into_its_own_answers(cli, aurora: Path) -> None:
    """Lumen 5's undisclosed routing makes the intermediaries' terms a question for Lumen 5 only: fill asks it and
    saves the answer into Lumen 5's own answers (the vendor's direct routing rules the question out for the vendor)."""
    _lumen_5_overrides_routing(aurora)
    typed = "\n".join(["1", "", "q"])  # the first open vendor question for Lumen 5: yes, no evidence URL; then stop
    done = cli("fill", aurora, "--model", "Lumen 5", "--audience", "vendor", "--as-of", IMPORTED_ON, stdin=(typed + "\n").encode())
    assert done.returncode == 0, done.output
    assert done.stdout.lstrip().startswith("retention.intermediary_terms_aligned"), done.stdout[:300]
    assert "saved retention.intermediary_terms_aligned" in done.stdout
    models_block, vendor_block = aurora.read_text(encoding="utf-8").split("\nanswers:", 1)
    assert "      retention.intermediary_terms_aligned:\n        answer: yes\n" in models_block
    assert "retention.intermediary_terms_aligned" not in vendor_block
    assert cli("validate", aurora).returncode == 0
    plain = cli("fill", aurora, "--audience", "vendor", stdin=b"q\n")
    assert "retention.intermediary_terms_aligned" not in plain.stdout, "not a question for the vendor's own answers"
