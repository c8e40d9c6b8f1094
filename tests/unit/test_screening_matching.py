"""Name matching on realistic variants, list parsers on dirty real-shaped rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.screening import CSL

from provenance_cli.screening import AllowEntry, ScreeningSettings, screen_dossier, screen_names
from provenance_cli.screening.index import NameIndex
from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import normalise, tidy
from provenance_cli.screening.source import ListFormatError
from provenance_cli.screening.sources.csl import CslSource, split_alt_names
from provenance_cli.screening.sources.custom import CustomSource
from provenance_cli.screening.sources.dod_1260h import Dod1260hSource, rows_from_opensanctions_csv
from provenance_cli.screening.sources.opensanctions import OpenSanctionsSource


@pytest.fixture(autouse=True)
def offline_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PROVCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PROVCHECK_OFFLINE", "1")
    monkeypatch.setenv("PROVCHECK_CONFIG", str(tmp_path / "config.yaml"))
    (tmp_path / "config.yaml").write_text("screening: {}\n")


@pytest.fixture(scope="module")
def index() -> NameIndex:
    bundled = Dod1260hSource().bundled().entries
    extra = [
        Entry("el", "el-1", "Huawei Technologies Co., Ltd."),
        Entry("el", "el-2", "Beijing Institute of Electronic System Engineering No. 701"),
        Entry(
            "sdn",
            "sdn-1",
            "MERIDIAN SHIPPING & TRADING LLC",
            ("MERIDIAN SHIPPING AND TRADING L.L.C.",),
        ),
        Entry("el", "el-3", "Shenzhen Lighthouse Photonics Co.,Ltd."),
        Entry("cmic", "cmic-1", "SENSETIME GROUP LIMITED"),
        Entry("el", "el-4", "Nanjing People?s Precision Machinery Co., Ltd."),
    ]
    return NameIndex.build([*bundled, *extra])


def _hits(index: NameIndex, name: str, threshold: int = 88) -> list[str]:
    return [h.entry.name for h in index.search(name, threshold)]


# --------------------------------------------------------------------------- normaliser


@pytest.mark.parametrize(
    ("raw", "core"),
    [
        ("Alibaba Group Holding Limited", "alibaba"),
        ("ALIBABA GROUP HOLDING LTD.", "alibaba"),
        ("Baidu, Inc.", "baidu"),
        ("BYD Co., Ltd.", "byd"),
        ("Shenzhen Lighthouse Photonics Co.,Ltd.", "shenzhen lighthouse photonics"),
        ("Société Générale S.A.", "societe generale"),
        ("Siemens AG", "siemens"),
        ("Acme GmbH & Co. KG", "acme and"),
        ("People?s Liberation  Army", "peoples liberation army"),
        ("People\u2019s Liberation Army", "peoples liberation army"),
        (
            "Huawei Technologies Co., Ltd., and any successor, sub-unit, or subsidiary thereof",
            "huawei technologies",
        ),
        ("Affiliated Entity: Orion Semiconductor Trading Ltd.", "orion semiconductor trading"),
        ("阿里巴巴集团控股有限公司", "alibaba"),
        ("百度", "baidu"),
        ("比亚迪股份有限公司", "biyadi"),
        ("株式会社東芝", "dongzhi"),
        ("ООО Ромашка", "romashka"),
        ("Group Holdings Limited", "group holdings limited"),
    ],
)
def test_normalise_core(raw, core):
    assert normalise(raw).text == core


def test_tidy_keeps_display_names_readable():
    assert tidy("  Nizhny  Novgorod People?s Plant ") == "Nizhny Novgorod People's Plant"
    assert tidy("\u201cPolet\u201d") == '"Polet"'


# --------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("name", "expected", "reason"),
    [
        (
            "Alibaba Group Holding Ltd.",
            "Alibaba Group Holding Limited",
            "exact after legal-form removal",
        ),
        ("alibaba group", "Alibaba Group Holding Limited", "exact"),
        ("阿里巴巴集团控股有限公司", "Alibaba Group Holding Limited", "transliterated"),
        ("阿里巴巴", "Alibaba Group Holding Limited", "transliterated"),
        ("Baidu Inc", "Baidu, Inc.", "exact after normalisation"),
        ("百度", "Baidu, Inc.", "transliterated"),
        ("比亚迪", "BYD Company Limited", "transliterated"),
        ("BYD Co., Ltd.", "BYD Company Limited", "exact after legal-form removal"),
        ("Huawei Technologies Co Ltd", "Huawei Technologies Co., Ltd.", "exact"),
        ("华为技术有限公司", "Huawei Technologies Co., Ltd.", "transliterated"),
        ("Hua Wei Technologies", "Huawei Technologies Co., Ltd.", "exact ignoring spaces"),
        ("Huawey Technologies", "Huawei Technologies Co., Ltd.", "fuzzy"),
        ("Technologies Huawei Co.", "Huawei Technologies Co., Ltd.", "another order"),
        ("Meridian Shipping and Trading L.L.C.", "MERIDIAN SHIPPING & TRADING LLC", "exact"),
        (
            "Lighthouse Photonics Shenzhen Co Ltd",
            "Shenzhen Lighthouse Photonics Co.,Ltd.",
            "another order",
        ),
        ("Sense Time Group Ltd", "SENSETIME GROUP LIMITED", "exact ignoring spaces"),
        (
            "Nanjing People's Precision Machinery Company Limited",
            "Nanjing People?s Precision Machinery Co., Ltd.",
            "exact",
        ),
        (
            "Contemporary Amperex Technology Co. Ltd.",
            "Contemporary Amperex Technology Co., Limited",
            "exact",
        ),
        (
            "宁德时代新能源科技股份有限公司",
            "Contemporary Amperex Technology Co., Limited",
            "transliterated",
        ),
    ],
)
def test_realistic_variants_match(index, name, expected, reason):
    hits = index.search(name, 88)
    assert hits, name
    assert hits[0].entry.name == expected
    assert reason in hits[0].reason
    assert 88 <= hits[0].score <= 100


@pytest.mark.parametrize(
    "name",
    [
        "Alibi Group Ltd",  # one letter-run away from Alibaba, a different company
        "Baidu Travel Agency LLC",  # shares the distinctive word, different company
        "Alibaba Pictures Group Limited",  # a subsidiary: caught through the ownership chain, not by name
        "Tencent Music Entertainment Group",
        "BYD Systems GmbH",
        "Baidi Trading Co.",  # short names only match exactly
        "Beijing Institute of Electronic System Engineering No. 702",  # different numbered institute
        "Huawei",  # bare brand against the full legal name: too little to claim a match
        "Meridian Logistics LLC",
        "Lighthouse Photonics GmbH",
        "China Holdings Group Limited",
        "Group Limited",
        "DJ Instruments Ltd",
    ],
)
def test_near_misses_do_not_match(index, name):
    assert _hits(index, name) == []


def test_threshold_is_respected(index):
    assert set(_hits(index, "Huawei Technology Co Ltd", 88)) == {"Huawei Technologies Co., Ltd."}
    assert _hits(index, "Huawei Technology Co Ltd", 95) == []


def test_index_round_trips_through_json(index):
    again = NameIndex.from_json(index.to_json())
    assert len(again) == len(index)
    assert _hits(again, "百度") == ["Baidu, Inc."]


# --------------------------------------------------------------------------- dossiers


DOSSIER = """\
provcheck: 1
vendor:
  name: Qianfan Models
  legal_name: Beijing Qianfan Intelligent Cloud Co., Ltd.
  aliases: [千帆大模型]
  headquarters: CN
  parents:
    - name: Baidu Online Network Technology (Beijing) Co., Ltd.
      jurisdiction: CN
      aliases: [百度在线]
    - name: Baidu Inc.
      jurisdiction: KY
      aliases: [百度集团股份有限公司]
assessment:
  assessor: Jane Doe
  date: 2026-07-01
"""


def test_dossier_parent_chain_is_screened(tmp_path):
    from provenance_cli.formats.dossier import load_dossier

    path = tmp_path / "qianfan.yaml"
    path.write_text(DOSSIER, encoding="utf-8")
    result = screen_dossier(load_dossier(path), ScreeningSettings(), offline=True)
    assert result.listings() == {("dod_1260h", "parent")}
    match = result.matches[0]
    assert (match.parent_index, match.parent_name) == (1, "Baidu Inc.")
    assert match.describe() == "listed on DoD Section 1260H list (2026-06-08)"
    assert result.unavailable == ("csl",)
    assert any("not screened" in w for w in result.warnings)


def test_allow_list_suppresses_confirmed_false_positive():
    allow = AllowEntry(name="BYD Co., Ltd.", list_key="dod_1260h", reason="different company", approver="J. Doe")
    result = screen_names(["BYD Co., Ltd.", "Baidu"], ScreeningSettings(allow=(allow,)), offline=True)
    assert [m.entry_name for m in result.matches] == ["Baidu, Inc."]
    assert [m.entry_name for m in result.suppressed] == ["BYD Company Limited"]
    other_list = AllowEntry(name="BYD Co., Ltd.", list_key="sdn", reason="x", approver="y")
    assert len(screen_names(["BYD Co., Ltd."], ScreeningSettings(allow=(other_list,)), offline=True).matches) == 1


def test_list_filter_and_language():
    result = screen_names(["Alibaba Group"], ScreeningSettings(lists=("sdn",)), offline=True)
    assert result.matches == ()
    result = screen_names(["Alibaba Group"], ScreeningSettings(), offline=True)
    text = " ".join(m.describe() for m in result.matches)
    assert text.startswith("listed on ") and "sanctioned" not in text


# --------------------------------------------------------------------------- list parsers


def test_csl_parser_handles_dirty_rows():
    parsed = CslSource().parse(CSL, "fixture")
    names = {e.name for e in parsed.entries}
    assert "" not in names
    assert "PETROV, Ivan Sergeyevich" not in names and "STELLAR DAWN" not in names  # people, vessels
    assert parsed.skipped == 3
    isn = next(e for e in parsed.entries if e.list_key == "isn")
    assert isn.aliases == ("Belarus Optical Mechanics Co., Ltd.", "Beloptmech")
    meu = next(e for e in parsed.entries if e.list_key == "meu")
    assert meu.aliases == (
        "Western Precision Instruments",
        "Xibu Jingmi Yiqi",
        "Sichuan Western Precision Co.",
    )
    assert "Beijing Zhongguancun Quantum Computing Research Institute" in names
    assert parsed.lists["el"].list_date == "2026-06-05"
    assert parsed.lists["mbs"].list_date == "2026-01-15"
    assert parsed.lists["cap"].count == 0
    assert {e.list_key for e in parsed.entries} == {"el", "sdn", "cmic", "meu", "isn", "dtc", "dpl"}


def test_csl_alt_names_repair():
    assert split_alt_names(["Alpha Trading Co.", "Ltd.", "Beta"]) == [
        "Alpha Trading Co., Ltd.",
        "Beta",
    ]
    assert split_alt_names(None) == []
    assert split_alt_names(["One; Two"]) == ["One", "Two"]


def test_csl_parser_is_lenient_about_extras_and_strict_about_essentials(tmp_path):
    good = {"id": "1", "name": "Foo  Ltd", "source": "Entity List (EL) - Bureau of Industry and Security",
            "alt_names": None, "addresses": None, "something_new": {"x": 1}}  # fmt: skip
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"results": [good], "total": 1}))
    parsed = CslSource().parse(path, "u")
    assert [e.name for e in parsed.entries] == ["Foo Ltd"]
    bad = [{"name": f"X{i}", "source": "Entity List (EL) - x"} for i in range(20)]
    path.write_text(json.dumps({"results": [good, *bad], "sources_used": []}))
    with pytest.raises(ListFormatError, match="lack an id"):
        CslSource().parse(path, "u")


def test_opensanctions_1260h_csv_conversion():
    text = (
        "Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\n"
        "Example Avionics Co.,Example Avionics Co.,,,,Section 1260H,2024-01-31,,https://example.test/2024\n"
        "Example Avionics Co.,Example Avionics Co.,EA Co,,,Section 1260H,2025-01-07,,https://example.test/2025\n"
        "Example Sub Ltd,Example Sub Ltd,,,Example Avionics Co.,,2025-01-07,2026-02-17,https://example.test/2025\n"
    )
    rows = rows_from_opensanctions_csv(text)
    first = rows[0] if rows[0]["name"] == "Example Avionics Co." else rows[1]
    assert first["edition"] == "2025-01-07" and first["first_listed"] == "2024-01-31"
    assert first["aliases"] == ["EA Co"] and first["end_date"] is None
    sub = next(r for r in rows if r["name"] == "Example Sub Ltd")
    assert sub["parent"] == "Example Avionics Co." and sub["end_date"] == "2026-02-17"


def test_bundled_1260h_has_the_2026_edition():
    parsed = Dod1260hSource().bundled()
    by_name = {e.name: e for e in parsed.entries}
    for name in ("Alibaba Group Holding Limited", "Baidu, Inc.", "BYD Company Limited"):
        assert by_name[name].list_date == "2026-06-08"
    assert parsed.lists["dod_1260h"].list_date == "2026-06-08"


def test_custom_lists_csv_and_yaml(tmp_path):
    csv_path = tmp_path / "deny.csv"
    csv_path.write_text("name,aliases,id\nOrbital Relay Ltd,Orbital Relay; ORL Labs,D-1\n,,\n", encoding="utf-8")
    parsed = CustomSource().parse(csv_path, str(csv_path))
    assert [(e.entry_id, e.aliases) for e in parsed.entries] == [("D-1", ("Orbital Relay", "ORL Labs"))]
    yaml_path = tmp_path / "deny.yaml"
    yaml_path.write_text("entries:\n  - name: Kite Compute GmbH\n    aliases: [Kite]\n", encoding="utf-8")
    assert CustomSource().parse(yaml_path, str(yaml_path)).entries[0].name == "Kite Compute GmbH"
    (tmp_path / "bad.csv").write_text("company\nx\n")
    with pytest.raises(ListFormatError, match="'name' column"):
        CustomSource().parse(tmp_path / "bad.csv", "bad.csv")


def test_opensanctions_targets_simple(tmp_path):
    path = tmp_path / "targets.simple.csv"
    path.write_text(
        "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,"
        "program_ids,dataset,first_seen,last_seen,last_change\n"
        'NK-abc,Company,Orbital Relay Ltd,"Orbital Relay;ORL",,cn,,,,,,,US OFAC,2024-01-01,2026-06-01,2026-05-30T10:00:00\n'
        "NK-def,Person,John Smith,,1970,us,,,,,,,x,2024-01-01,2026-06-01,2026-06-01T10:00:00\n",
        encoding="utf-8",
    )
    parsed = OpenSanctionsSource().parse(path, "u")
    assert [e.name for e in parsed.entries] == ["Orbital Relay Ltd"]
    assert parsed.lists["opensanctions"].list_date == "2026-05-30"


def test_fixture_is_real_shape():
    data = json.loads(Path(CSL).read_text())
    assert set(data) == {"results", "search_performed_at", "sources_used", "offset", "total"}
    assert len(data["sources_used"]) == 13
    el = next(r for r in data["results"] if r["source"].startswith("Entity List"))
    assert "type" not in el
    # ...and the parser reads that shape: one list per source used, dated by its
    # source_last_updated, and Entity List records (which carry no "type") kept.
    parsed = CslSource().parse(CSL, "fixture")
    assert {key: info.list_date for key, info in parsed.lists.items()} == {
        "cap": "2026-05-02", "cmic": "2026-06-01", "dpl": "2026-05-28", "dtc": "2026-04-30",
        "el": "2026-06-05", "fse": "2026-03-11", "isn": "2026-02-20", "mbs": "2026-01-15",
        "meu": "2026-05-20", "plc": "2025-11-03", "sdn": "2026-06-10", "ssi": "2026-04-02",
        "uvl": "2026-05-06",
    }  # fmt: skip
    assert el["name"] in {e.name for e in parsed.entries if e.list_key == "el"}
    assert len(parsed.entries) + parsed.skipped == data["total"] == 16
