"""``provcheck init``: a new dossier that validates, documents itself and never clobbers."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from support import REPO

from provenance_cli.formats.dossier import load_dossier
from provenance_cli.formats.schemas import find_schema_upwards

HEADER = "# yaml-language-server: $schema="


def _schema_ref(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(HEADER), first
    return first[len(HEADER) :]


def _published_id() -> str:
    return json.loads((REPO / "schemas" / "dossier.schema.json").read_text(encoding="utf-8"))["$id"]


def test_init_writes_a_dossier_that_validates(cli, tmp_path):
    result = cli("init", "Kestrel AI, Inc.", "--assessor", "Jane Doe")
    assert result.returncode == 0, result.output
    assert result.stderr.splitlines()[0] == "wrote kestrel-ai-inc.yaml"
    assert (tmp_path / "kestrel-ai-inc.yaml").is_file()
    check = cli("validate", "kestrel-ai-inc.yaml")
    assert check.returncode == 0, check.output


def test_init_lists_every_question_with_its_help_and_no_answers(cli, tmp_path, catalogue):
    assert cli("init", "Acme", "--assessor", "Jane Doe").returncode == 0
    path = tmp_path / "acme.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    for question in catalogue.questions.values():
        key = f"  {question.id}:"
        assert key in lines, question.id
        index = lines.index(key)
        comments = []
        for line in reversed(lines[:index]):
            if not line.startswith("  #"):
                break
            comments.insert(0, line.strip()[1:].strip())
        # Compared without whitespace: wrapping may break a line after a hyphen.
        comment_text = "".join("".join(comments).split())
        assert "".join(question.help.split()) in comment_text, question.id
        assert "".join(question.text.split()) in comment_text, question.id
        assert lines[index + 1] == "    answer:"
    dossier = load_dossier(path, catalogue)
    assert set(dossier.model.answers) == set(catalogue.questions)
    assert all(entry.answer is None for entry in dossier.model.answers.values())
    assert dossier.answers == {}
    assert dossier.model.assessment.assessor == "Jane Doe"
    assert dossier.model.assessment.date == date.today()


def test_init_refuses_to_overwrite(cli, tmp_path):
    target = tmp_path / "acme.yaml"
    original = b"# my careful notes\nprovcheck: 1\n\xe2\x9c\x93\n"
    target.write_bytes(original)
    result = cli("init", "Acme")
    assert result.returncode == 2
    assert "provcheck: error: acme.yaml already exists; use --force to replace it" in result.lines
    assert target.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.yaml"]  # no temp file left behind


def test_init_force_replaces(cli, tmp_path):
    target = tmp_path / "acme.yaml"
    target.write_text("old\n")
    result = cli("init", "Acme", "--force")
    assert result.returncode == 0, result.output
    assert load_dossier(target).vendor_name == "Acme"


def test_init_output_option(cli, tmp_path):
    result = cli("init", "Acme", "-o", "vendors/nested/acme-dossier.yaml")
    assert result.returncode == 0, result.output
    target = tmp_path / "vendors" / "nested" / "acme-dossier.yaml"
    assert load_dossier(target).vendor_name == "Acme"
    assert not (tmp_path / "acme.yaml").exists()
    again = cli("init", "Acme", "--output", "vendors/nested/acme-dossier.yaml")
    assert again.returncode == 2


@pytest.mark.parametrize(
    "name",
    [
        'Acme "Quoted" AI',
        "O'Brien Models",
        "Acme: AI",
        "Acme # not a comment",
        "Acme\nSecond Line",
        "Tab\tSeparated",
        "  padded  ",
        "阿里巴巴",
        "Яндекс",
        "&anchor *alias !tag %directive @at `tick`",
        "{braces} [brackets], commas",
        "null",
        "yes",
        "~",
        "Del\x7fchar",
        "Nel\x85char",
        "Line\u2028separator",
        "Ctrl\x01char",
        "emoji 🤖",
    ],
    ids=lambda name: name.encode("unicode_escape").decode()[:24],
)
def test_vendor_name_round_trips_exactly(cli, tmp_path, name):
    result = cli("init", name, "-o", "vendor.yaml", "--assessor", name)
    assert result.returncode == 0, result.output
    dossier = load_dossier(tmp_path / "vendor.yaml")
    assert dossier.model.vendor.name == name
    assert dossier.model.vendor.legal_name == name
    assert dossier.model.assessment.assessor == name
    assert cli("validate", "vendor.yaml").returncode == 0


def test_native_script_name_gets_an_ascii_file_name(cli, tmp_path):
    result = cli("init", "阿里巴巴")
    assert result.returncode == 0, result.output
    (written,) = [p for p in tmp_path.iterdir() if p.suffix == ".yaml"]
    assert written.name.isascii()
    assert load_dossier(written).vendor_name == "阿里巴巴"


def test_non_utf8_name_is_refused(cli, tmp_path):
    result = cli("init", b"Bad\xffbyte", process=True)  # bytes in argv, as the OS hands them over
    assert result.returncode == 2
    assert "provcheck: error: the vendor name contains bytes that are not UTF-8 text" in result.lines
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_empty_name_is_refused(cli, tmp_path, name):
    result = cli("init", name)
    assert result.returncode == 2
    assert "provcheck: error: the vendor name is empty" in result.lines
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "..", "a/../../b", "C:\\evil", "CON"])
def test_slug_stays_in_the_current_folder(cli, tmp_path, name):
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    result = cli("init", name, cwd=work)
    assert result.returncode == 0, result.output
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 1
    assert written[0].parent == work
    assert load_dossier(written[0]).vendor_name == name


def test_header_points_to_a_local_schema_when_there_is_one(cli, tmp_path):
    schema = tmp_path / "project" / "schemas" / "dossier.schema.json"
    schema.parent.mkdir(parents=True)
    schema.write_text("{}")
    work = tmp_path / "project" / "vendors" / "2026"
    work.mkdir(parents=True)
    assert cli("init", "Acme", cwd=work).returncode == 0
    ref = _schema_ref(work / "acme.yaml")
    assert not os.path.isabs(ref)
    assert ref == "../../schemas/dossier.schema.json"
    assert (work / ref).resolve() == schema.resolve()


def test_header_is_relative_to_the_output_file(cli, tmp_path):
    schema = tmp_path / "schemas" / "dossier.schema.json"
    schema.parent.mkdir()
    schema.write_text("{}")
    assert cli("init", "Acme", "-o", "vendors/acme.yaml").returncode == 0
    target = tmp_path / "vendors" / "acme.yaml"
    ref = _schema_ref(target)
    assert (target.parent / ref).resolve() == schema.resolve()


def test_header_points_at_the_installed_schema_without_a_local_one(cli, tmp_path):
    """The fallback is a file that exists (an editor can load it), never a URL that does not resolve."""
    if find_schema_upwards(tmp_path) is not None:
        pytest.skip(f"a schemas/ folder exists above {tmp_path}")
    result = cli("init", "Acme")
    assert result.returncode == 0
    ref = _schema_ref(tmp_path / "acme.yaml")
    assert os.path.isabs(ref) and Path(ref).is_file(), ref
    shipped = json.loads(Path(ref).read_text(encoding="utf-8"))
    assert shipped["$id"] == _published_id()
    assert shipped == json.loads((REPO / "schemas" / "dossier.schema.json").read_text(encoding="utf-8"))
    assert "provcheck schema export schemas/" in result.stderr


def test_schema_ref_option_is_used_verbatim(cli, tmp_path):
    assert cli("init", "Acme", "--schema-ref", "https://example.com/s.json").returncode == 0
    assert _schema_ref(tmp_path / "acme.yaml") == "https://example.com/s.json"
