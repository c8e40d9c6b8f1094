"""The EU, UK and UN list sources read fixtures in the real published shapes, dirty rows included."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.screening import EU_CSV, EU_XML, UK_XML, UN_XML

from provenance_cli.screening.source import ListFormatError, get_source
from provenance_cli.screening.sources.xmlrecords import iso_day


def _parse(key: str, path: Path):
    return get_source(key).parse(path, path.name)


def test_un_consolidated_list_with_its_dirty_rows():
    parsed = _parse("un_sc", UN_XML)
    by_id = {e.entry_id: e for e in parsed.entries}
    assert parsed.lists["un_sc"].list_date == "2026-11-20"  # the root's dateGenerated, time zone dropped
    assert set(by_id) == {"KPi.901", "QDi.901", "KPe.901", "SOe.901", "CDe.901"}
    person = by_id["KPi.901"]
    assert person.kind == "person" and person.name == "IVAR TOLMANOV" and person.birth_dates == ("1961-04-17",)
    assert {"Ivar Tolmanoff", "Iwar Tolmanow", "Ивар Толманов"} <= set(person.aliases)  # "; "-joined aliases split, original script kept
    assert "Uncle Ivar" not in person.aliases  # a Low-quality alias is not screened
    assert by_id["QDi.901"].name == "SALIM HADDAR QUREN" and by_id["QDi.901"].list_date == "2015-03-27"  # "-04:00" suffix, spaces tidied
    assert set(by_id["QDi.901"].birth_dates) == {"1970", "1971", "1972"}  # a range of years and an approximate year
    company = by_id["KPe.901"]
    assert company.kind == "company" and "리버게이트 자재무역회사" in company.aliases and "RMT Co." not in company.aliases
    assert by_id["SOe.901"].name == "Coastline Relief Brokers"  # known only by its aliases
    assert parsed.skipped == 2 and any("without a name" in n for n in parsed.notes) and any("without an id" in n for n in parsed.notes)


@pytest.mark.parametrize("path", [EU_XML, EU_CSV], ids=["xml", "csv"])
def test_eu_financial_sanctions_file_xml_and_csv(path):
    parsed = _parse("eu_fsf", path)
    by_id = {e.entry_id: e for e in parsed.entries}
    assert parsed.lists["eu_fsf"].list_date == "2026-11-21"
    assert {"EU.9901.11", "EU.9902.22", "logicalId 990301"} <= set(by_id)  # a listing without a reference number keeps its logicalId
    altan = by_id["EU.9901.11"]
    assert altan.name == "Altan Photonics Limited Liability Company" and "ООО «Алтан Фотоникс»" in altan.aliases
    assert "Altan" not in altan.aliases  # strong="false" is a weak alias, not screened
    korvina = by_id["EU.9902.22"]
    assert korvina.kind == "person" and korvina.countries == ("RU",) and korvina.birth_dates == ("1968",)
    assert "Марта Ильинична Корвина" in korvina.aliases  # empty wholeName: first, middle and last name joined
    assert by_id["logicalId 990301"].name == "Blue Fjord Shipping Agency"
    assert "Listing Without Subject Type" not in {e.name for e in parsed.entries}
    assert any("without a subject type" in n for n in parsed.notes)


def test_uk_sanctions_list_with_its_dirty_rows():
    parsed = _parse("uk_sanctions", UK_XML)
    by_id = {e.entry_id: e for e in parsed.entries}
    assert parsed.lists["uk_sanctions"].list_date == "2026-11-22"  # DateGenerated is day first
    assert set(by_id) == {"RUS9901", "RUS9902", "GHR9905"}  # the ship and the nameless designation are left out
    northgate = by_id["RUS9901"]
    assert northgate.name == "NORTHGATE MARITIME HOLDINGS LIMITED" and "诺斯盖特海事控股有限公司" in northgate.aliases
    assert "NMH" not in northgate.aliases  # low-quality alias
    person = by_id["RUS9902"]
    assert person.kind == "person" and person.name == "Pavel Sergeevich ORLOVSKY"  # "Primary name" in another casing
    assert {"Pavel ORLOVSKII", "Pasha Orlov", "Павел Сергеевич ОРЛОВСКИЙ"} <= set(person.aliases)  # "ALias" too
    assert person.birth_dates == ("1958", "1959-03-12")  # dd/mm/1958 keeps the year
    assert by_id["RUS9901"].list_date == "2025-06-16"
    assert any("ships not screened" in n for n in parsed.notes)


@pytest.mark.parametrize(
    ("key", "content", "message"),
    [
        ("un_sc", b"<export/>", "not the UN Security Council Consolidated List"),
        ("uk_sanctions", b"<Designations><Designation>", "not well-formed XML at line 1"),
        ("eu_fsf", b"name;id\nx;1\n", "neither the XML nor the CSV form"),
        ("eu_fsf", b"fileGenerationDate;Name\n01/01/2026;x\n", "no Entity_LogicalId column"),
        (
            "un_sc",
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>",
            "declares a document type",
        ),
        ("uk_sanctions", b"", "line 1, column 1: no element found"),
    ],
    ids=["wrong-root", "truncated", "eu-unknown", "eu-csv-columns", "doctype", "empty"],
)
def test_a_file_of_another_shape_is_refused_with_a_reason(tmp_path, key, content, message):
    path = tmp_path / "list"
    path.write_bytes(content)
    with pytest.raises(ListFormatError, match=message):
        get_source(key).parse(path, "https://lists.example/list")


def test_a_file_full_of_records_without_ids_is_refused(tmp_path):
    records = "".join(f"<ENTITY><FIRST_NAME>NAME {i}</FIRST_NAME></ENTITY>" for i in range(20))
    path = tmp_path / "un.xml"
    path.write_text(f'<CONSOLIDATED_LIST dateGenerated="2026-01-01"><ENTITIES>{records}</ENTITIES></CONSOLIDATED_LIST>', encoding="utf-8")
    with pytest.raises(ListFormatError, match="20 of 20 records have no DATAID"):
        get_source("un_sc").parse(path, "un.xml")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-06-08", "2026-06-08"),
        ("2015-03-27-04:00", "2015-03-27"),
        ("2026-11-20T08:00:04.117-05:00", "2026-11-20"),
        ("08/06/2026", "2026-06-08"),
        ("dd/mm/1945", "1945"),
        ("31/02/2020", "2020"),
        ("1968", "1968"),
        ("Invalid date", None),
        ("", None),
    ],
)
def test_list_dates_in_every_written_form(text, day):
    assert iso_day(text) == day


def test_config_keys_follow_the_registry():
    from provenance_cli.screening.config import SOURCE_KEYS
    from provenance_cli.screening.sources import SOURCES

    assert tuple(SOURCES) == SOURCE_KEYS
