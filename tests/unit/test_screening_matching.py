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
        Entry("el", "el-5", "Hangzhou Hikvision Digital Technology Co., Ltd."),
        Entry("el", "el-6", "Semiconductor Manufacturing International Corporation (SMIC)"),
        Entry("el", "el-7", "Kavir Electronics Trading GmbH"),
        Entry("sdn", "sdn-2", "PJSC Orion Telekom"),
        Entry("sdn", "sdn-p1", "PETROV, Ivan Sergeyevich", kind="person", birth_dates=("1970-01-01",), countries=("RU",)),
        Entry("plc", "plc-p1", "Ahmad Reza KARIMI", kind="person"),
        Entry("sdn", "sdn-p2", "KIM, Jong Un", kind="person"),
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
        # brand only, place dropped or abbreviated, parenthesised short name, legal forms spelled out
        ("Huawei", "Huawei Technologies Co., Ltd.", "same distinctive name 'huawei'"),
        ("Hikvision Digital Technology Co., Ltd.", "Hangzhou Hikvision Digital Technology Co., Ltd.", "without the place name"),
        ("Hikvision", "Hangzhou Hikvision Digital Technology Co., Ltd.", "same distinctive name"),
        ("Shenzhen DJI", "SZ DJI Technology Co., Ltd.", "without the place name"),
        ("SMIC", "Semiconductor Manufacturing International Corporation (SMIC)", "exact"),
        ("Semiconductor Manufacturing International Corp.", "Semiconductor Manufacturing International Corporation (SMIC)", "exact"),
        ("Lighthouse Photonics Co., Ltd.", "Shenzhen Lighthouse Photonics Co.,Ltd.", "without the place name"),
        ("Meridian Shipping and Trading Limited Liability Company", "MERIDIAN SHIPPING & TRADING LLC", "exact"),
        ("Kavir Electronics Trading UG (haftungsbeschränkt)", "Kavir Electronics Trading GmbH", "exact"),
        ("Публичное акционерное общество «Орион Телеком»", "PJSC Orion Telekom", "transliterated"),
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
        "Meridian Logistics LLC",
        "Lighthouse Photonics GmbH",
        "China Holdings Group Limited",
        "Group Limited",
        "DJ Instruments Ltd",
        "Lighthouse Photonics GmbH",  # place dropped, but a German GmbH is not the Shenzhen Co., Ltd.
        "Beijing Hikvision Digital Technology Co., Ltd.",  # another city's company of the same name
        "China Electronics Ltd",  # "China" is never a brand on its own
        "Petrov Trading LLC",  # a company sharing only a surname with a listed person
        "Karimi Logistics GmbH",
        "Kim Holdings Ltd",
        "Ivan Petrov Consulting",
    ],
)
def test_near_misses_do_not_match(index, name):
    assert _hits(index, name) == []


@pytest.mark.parametrize(
    ("name", "expected", "reason"),
    [
        ("PETROV, Ivan Sergeyevich", "PETROV, Ivan Sergeyevich", "same person name"),
        ("Ivan Sergeyevich Petrov", "PETROV, Ivan Sergeyevich", "same person name"),
        ("Ivan Petrov", "PETROV, Ivan Sergeyevich", "not given"),
        ("PETROV Ivan", "PETROV, Ivan Sergeyevich", "not given"),
        ("Ivan Sergeevich Petrov", "PETROV, Ivan Sergeyevich", "person name"),
        ("Петров Иван Сергеевич", "PETROV, Ivan Sergeyevich", "transliterated"),
        ("KARIMI, Ahmad Reza", "Ahmad Reza KARIMI", "same person name"),
        ("Ahmad-Reza Karimi", "Ahmad Reza KARIMI", "same person name"),
        ("Ahmadreza Karimi", "Ahmad Reza KARIMI", "exact ignoring spaces"),
        ("Kim Jong-un", "KIM, Jong Un", "same person name"),
        ("Kim Jongun", "KIM, Jong Un", "exact ignoring spaces"),
    ],
)
def test_person_variants_match(index, name, expected, reason):
    hits = index.search(name, 88, kind="person")
    assert hits, name
    assert hits[0].entry.name == expected and hits[0].entry.kind == "person"
    assert reason in hits[0].reason


@pytest.mark.parametrize("name", ["Petrov", "Ivan Ivanovich Petrov", "Sergei Petrov", "Reza Karimi Logistics", "Kim Min-jun"])
def test_person_near_misses(index, name):
    assert [h.entry.name for h in index.search(name, 88, kind="person") if h.entry.kind == "person"] == []


def test_company_query_never_matches_a_person_on_a_surname(index):
    assert [h.entry.name for h in index.search("Petrov Ivan Trading", 88)] == []
    assert [h.entry.name for h in index.search("Ivan Petrov", 88)] == []  # not screened as a person: whole name only
    assert [h.entry.name for h in index.search("PETROV, Ivan Sergeyevich", 88)] == ["PETROV, Ivan Sergeyevich"]


def test_date_of_birth_ranks_but_never_hides(monkeypatch):
    from provenance_cli.screening.screen import Query, _corroboration

    entry = Entry("sdn", "p", "PETROV, Ivan Sergeyevich", kind="person", birth_dates=("1970-01-01",), countries=("RU",))
    assert _corroboration(Query("Ivan Petrov", kind="person", birth_date="1970-01-01"), entry)[0] == 0
    rank, note = _corroboration(Query("Ivan Petrov", kind="person", birth_date="1981-05-02", country="RU"), entry)
    assert rank == 2 and "date of birth differs" in note and "nationality agrees" in note
    assert _corroboration(Query("Ivan Petrov", kind="person"), entry) == (1, "")


def test_each_batch_name_gets_its_own_rows():
    result = screen_names(["Alibaba Group Holding Ltd.", "Alibaba Group", "阿里巴巴"], ScreeningSettings(), offline=True)
    rows = {(m.screened_name, m.entry_name) for m in result.matches}
    assert rows == {(n, "Alibaba Group Holding Limited") for n in ("Alibaba Group Holding Ltd.", "Alibaba Group", "阿里巴巴")}


def test_threshold_is_respected(index):
    assert set(_hits(index, "Huawei Technology Co Ltd", 88)) == {"Huawei Technologies Co., Ltd."}
    assert _hits(index, "Huawei Technology Co Ltd", 95) == []


def test_index_round_trips_through_json(index):
    again = NameIndex.from_json(index.to_json())
    assert len(again) == len(index)
    assert _hits(again, "百度") == ["Baidu, Inc."]


SAME_QUERIES = [
    ("Huawei Technologies Co., Ltd.", "company"),
    ("Huawei Technology Co Ltd", "company"),
    ("Hua Wei", "company"),
    ("HUAWEI", "company"),
    ("Shenzhen Lighthouse Photonic Co", "company"),
    ("Lighthouse Photonics", "company"),
    ("Shenzen Dengta Guangdian", "company"),
    ("SZ Lighthouse Photonics Co., Ltd.", "company"),
    ("Hikvision", "company"),
    ("Hikvision Digital Technology Co., Ltd.", "company"),
    ("Semiconductor Manufacturing International Corp. (SMIC)", "company"),
    ("SMIC", "company"),
    ("Beijing Zhongguancun Quantum Computing Research Inst.", "company"),
    ("Nizhniy Novgorod Avionics Plant Polet", "company"),
    ("Meridian Shipping and Trading L.L.C.", "company"),
    ("Sichuan Western Precision Instruments", "company"),
    ("Chengdu Western Precision Instrument Co., Ltd.", "company"),
    ("China Northwest Aero Engine Group", "company"),
    ("Beloptmech", "company"),
    ("Kavir Electronics Trading Co", "company"),
    ("Kavir Electronics Trading GmbH", "company"),
    ("Beijing Institute of Electronic System Engineering No. 702", "company"),
    ("Orion Semiconductor Trading", "company"),
    ("百度", "company"),
    ("Hangzhou Hikvisoin Digital Technology", "company"),
    ("Petrov Holdings", "company"),
    ("PETROV, Ivan Sergeyevich", "person"),
    ("Ivan Sergeevich Petrov", "person"),
    ("Петров Иван Сергеевич", "person"),
    ("Ivan Petrov", "person"),
    ("Ahmadreza Karimi", "person"),
    ("Kim Jong-un", "person"),
    ("Kim Jongun", "person"),
    ("Sergei Petrov", "person"),
]


def test_sqlite_index_gives_the_same_hits_as_the_in_memory_one(tmp_path):
    entries = [*CslSource().parse(CSL, "fixture").entries, *Dod1260hSource().bundled().entries]
    entries += [
        Entry("el", "el-5", "Hangzhou Hikvision Digital Technology Co., Ltd."),
        Entry("el", "el-6", "Semiconductor Manufacturing International Corporation (SMIC)"),
        Entry("el", "el-2", "Beijing Institute of Electronic System Engineering No. 701"),
        Entry("el", "el-7", "Kavir Electronics Trading GmbH"),
        Entry("plc", "plc-p1", "Ahmad Reza KARIMI", kind="person"),
        Entry("sdn", "sdn-p2", "KIM, Jong Un", kind="person", birth_dates=("1984-01-08",), countries=("KP",)),
    ]
    memory = NameIndex.build(entries)
    memory.save_sqlite(tmp_path / "index.sqlite")
    on_disk = NameIndex.open_sqlite(tmp_path / "index.sqlite")
    assert len(on_disk) == len(memory)
    assert on_disk.entries == memory.entries
    compared = 0
    for threshold in (80, 88):
        for name, kind in SAME_QUERIES:
            expected = [(h.entry, h.matched_name, h.score, h.reason) for h in memory.search(name, threshold, kind=kind)]
            got = [(h.entry, h.matched_name, h.score, h.reason) for h in on_disk.search(name, threshold, kind=kind)]
            assert got == expected, (name, kind, threshold)
            compared += len(expected)
    assert compared > 40  # the queries do hit: people, places dropped, brands, transliteration, typos


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
    assert "STELLAR DAWN" not in names  # vessels are not screened
    petrov = next(e for e in parsed.entries if e.name == "PETROV, Ivan Sergeyevich")  # people are
    assert (petrov.kind, petrov.list_key, petrov.birth_dates, petrov.countries) == ("person", "sdn", ("1970-01-01",), ("RU",))
    assert {e.kind for e in parsed.entries if e.name != petrov.name} == {"company"}
    assert parsed.skipped == 2
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


def test_bundled_index_is_kept_in_the_cache_and_searched_the_same(tmp_path, monkeypatch):
    from provenance_cli.screening import screen

    monkeypatch.setattr(screen, "_bundled", {})
    built = screen._load_bundled(Dod1260hSource())
    assert built is not None
    [stored] = (tmp_path / "cache" / "screening").glob("*.pickle")
    assert stored.stat().st_mode & 0o777 == 0o600

    def never(*args: object) -> None:
        raise AssertionError("indexed again although the cache holds this file's index")

    monkeypatch.setattr(screen, "_bundled", {})
    monkeypatch.setattr(screen, "_index_bundled", never)
    cached = screen._load_bundled(Dod1260hSource())
    assert cached is not None and cached is not built
    assert cached.versions == built.versions
    query = "Baidu Inc"
    assert [(h.entry.name, h.score) for h in cached.index.search(query, 88)] == [
        (h.entry.name, h.score) for h in built.index.search(query, 88)
    ]
    assert cached.index.search(query, 88)


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
    assert [(e.name, e.kind) for e in parsed.entries] == [("Orbital Relay Ltd", "company"), ("John Smith", "person")]
    assert parsed.entries[1].birth_dates == ("1970",) and parsed.entries[1].countries == ("US",)
    assert parsed.lists["opensanctions"].list_date == "2026-06-01"  # people count now


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
