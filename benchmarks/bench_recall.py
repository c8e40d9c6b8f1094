"""Recall and false positives of provcheck's matcher beside nomenklatura's logic-v2 (yente's matcher).

    pip install -e '.[bench]'          # nomenklatura, for the comparison only
    python benchmarks/bench_recall.py  # about a minute; prints figures, asserts nothing

The listed side is what provcheck really screens in its tests: the CSL test
fixture (``tests/fixtures/csl/consolidated.json`` and the people in
``people.json``, real CSL shapes) and the bundled 1260H transcription.
The labelled set is generated deterministically from those names by rules a
practitioner meets in dossiers (place names dropped, abbreviated or put in
brackets, short names in brackets, brand only, legal forms in other words
and languages, case and punctuation, one typo, native script; for people:
either order, "SURNAME, Given", middle name or patronymic left out, other
romanisations, Cyrillic), plus a short hand-written list. The clean set is
fictional companies in several languages and people's names from many
cultures, none of which is on the lists (checked), plus hard negatives that
share a word or a surname with a listed name.

Both matchers see the same query and the same kind (company or person): a
hit is any listed entry at or above the threshold (provcheck 88, logic-v2
0.70, each one's default). A variant counts as found only if its own entry
is hit; a clean name counts as a false positive if anything is hit.
logic-v2 compares every query with every listed entity (no blocking), so
its recall is the best it can give.
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVCHECK_THRESHOLD = 88
LOGIC_V2_THRESHOLD = 0.70


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # company | person
    category: str
    target: str | None  # entry id the variant must hit; None for clean names


# --------------------------------------------------------------------------- listed names


def listed_entries() -> list:  # type: ignore[type-arg]
    from provenance_cli.screening.sources.csl import CslSource
    from provenance_cli.screening.sources.dod_1260h import Dod1260hSource

    fixtures = ROOT / "tests" / "fixtures" / "csl"
    entries = [*CslSource().parse(fixtures / "consolidated.json", "fixture").entries]
    entries += CslSource().parse(fixtures / "people.json", "fixture").entries
    entries += Dod1260hSource().bundled().entries
    # one company under several records (EL and CMIC): keep each record, any of them is a right answer
    return entries


# --------------------------------------------------------------------------- company variants

ABBREVIATED_PLACES = {"Shenzhen": "SZ", "Beijing": "BJ", "Shanghai": "SH", "Sichuan": "SC", "Nizhny Novgorod": "N. Novgorod"}
PLACES = ("Shenzhen", "Beijing", "Sichuan", "Nizhny Novgorod", "Hangzhou", "Shanghai", "SZ")
LEGAL_SWAPS = [
    ("Co., Ltd.", ["Company Limited", "Co. Limited", "Youxian Gongsi", "CO LTD"]),
    ("Co.,Ltd.", ["Company Limited", "Co Ltd"]),
    ("Company Limited", ["Co., Ltd.", "Ltd"]),
    ("Co., Limited", ["Company Ltd", "Co Ltd"]),
    ("Limited", ["Ltd.", "Ltd"]),
    ("Corporation", ["Corp.", "Corp"]),
    ("Company", ["Co.", "Co"]),
    ("LLC", ["Limited Liability Company", "L.L.C."]),
    ("Inc.", ["Incorporated", "Inc"]),
    ("S.A.", ["Sociedad Anónima", "SA"]),
    ("Ltd.", ["Limited", "Co., Ltd."]),
]
FOREIGN_FORMS = {
    "CN": ["有限公司", "Youxian Gongsi"],
    "RU": ["ООО", "АО", "Публичное акционерное общество", "Obshchestvo s ogranichennoy otvetstvennostyu"],
    "BY": ["ОАО", "Открытое акционерное общество"],
    "AE": ["FZE", "L.L.C"],
    "IR": ["Sherkat-e Sahami-ye Khass", "P.J.S."],
}
SHORT_NAMES = {
    "Contemporary Amperex Technology Co., Limited": "CATL",
    "SZ DJI Technology Co., Ltd.": "DJI",
    "Nizhny Novgorod Avionics Plant ?Polet?": "NNAP Polet",
    "Belarus Optical Mechanics Co., Ltd.": "Beloptmech",
    "Sichuan Western Precision Instrument Co., Ltd.": "Western Precision Instruments",
    "CHINA NORTHWEST  AERO-ENGINE GROUP CORPORATION": "Northwest Aero Engine",
    "Shenzhen Lighthouse Photonics Co.,Ltd.": "Lighthouse Photonics",
}
BRANDS = {
    "Huawei Technologies Co., Ltd.": "Huawei",
    "HUAWEI TECHNOLOGIES CO., LTD.": "HUAWEI",
    "SZ DJI Technology Co., Ltd.": "DJI",
    "Contemporary Amperex Technology Co., Limited": "CATL",
    "Alibaba Group Holding Limited": "Alibaba",
    "Tencent Holdings Limited": "Tencent",
    "Hesai Technology": "Hesai",
    "Shenzhen Lighthouse Photonics Co.,Ltd.": "Lighthouse",
    "Kavir Electronics Trading Company": "Kavir Electronics",
    "Horizon Defense Exports S.A.": "Horizon Defense",
}
HAND_WRITTEN = [
    # (variant as seen in a dossier, listed primary name, category)
    ("Huawei Technologies Co Ltd (Shenzhen)", "Huawei Technologies Co., Ltd.", "place_brackets"),
    ("Lighthouse Photonics (Shenzhen) Co., Ltd.", "Shenzhen Lighthouse Photonics Co.,Ltd.", "place_brackets"),
    ("Western Precision Instrument (Sichuan) Co., Ltd.", "Sichuan Western Precision Instrument Co., Ltd.", "place_brackets"),
    (
        "Zhongguancun Quantum Computing Research Institute (Beijing)",
        "Beijing Zhongguancun  Quantum Computing Research Institute ",
        "place_brackets",
    ),
    ("Shenzhen DJI Technology Co., Ltd.", "SZ DJI Technology Co., Ltd.", "place_abbreviated"),
    ("Shenzhen DJI", "SZ DJI Technology Co., Ltd.", "place_abbreviated"),
    ("DJI Technology", "SZ DJI Technology Co., Ltd.", "place_dropped"),
    ("Da-Jiang Innovations (DJI)", "SZ DJI Technology Co., Ltd.", "parenthesised_short"),
    ("Contemporary Amperex Technology Co. Ltd (CATL)", "Contemporary Amperex Technology Co., Limited", "parenthesised_short"),
    ("Ningde Contemporary Amperex Technology", "Contemporary Amperex Technology Co., Limited", "place_added"),
    ("Polet Avionics Plant, Nizhny Novgorod", "Nizhny Novgorod Avionics Plant ?Polet?", "word_order"),
    ("NNAP «Polet»", "Nizhny Novgorod Avionics Plant ?Polet?", "parenthesised_short"),
    ("Нижегородский авиаприборостроительный завод «Полёт»", "Nizhny Novgorod Avionics Plant ?Polet?", "native_script"),
    ("Акционерное общество «Полёт»", "Nizhny Novgorod Avionics Plant ?Polet?", "native_script"),
    ("Meridian Shipping & Trading FZE", "MERIDIAN SHIPPING & TRADING LLC", "legal_form_foreign"),
    ("Kavir Electronics Trading Co. (Tehran)", "Kavir Electronics Trading Company", "place_brackets"),
    ("Sherkat-e Kavir Electronics Trading", "Kavir Electronics Trading Company", "legal_form_foreign"),
    ("Horizon Defence Exports SA", "Horizon Defense Exports S.A.", "typo"),
    ("Orion Semiconductor Trading (HK) Ltd.", "Affiliated Entity: Orion Semiconductor Trading Ltd.", "place_brackets"),
    ("Orion Semiconductor Trading Hong Kong Limited", "Affiliated Entity: Orion Semiconductor Trading Ltd.", "place_added"),
    ("Beloptmech OJSC", "Belarus Optical Mechanics Co., Ltd.", "legal_form_foreign"),
    ("ОАО «Белоптмех»", "Belarus Optical Mechanics Co., Ltd.", "native_script"),
    ("Hua Wei Ji Shu You Xian Gong Si", "Huawei Technologies Co., Ltd.", "native_script"),
    ("阿里巴巴(中国)有限公司", "Alibaba Group Holding Limited", "native_script"),
    ("腾讯", "Tencent Holdings Limited", "native_script"),
    ("大疆创新", "SZ DJI Technology Co., Ltd.", "native_script"),
    ("Baidu Inc. (百度)", "Baidu, Inc.", "parenthesised_short"),
    ("BYD Co Ltd (比亚迪)", "BYD Company Limited", "parenthesised_short"),
    ("Tencent Holdings Ltd. (Cayman Islands)", "Tencent Holdings Limited", "place_brackets"),
    ("Hesai Group", "Hesai Technology", "legal_form_en"),
]


def _swap_legal(name: str) -> list[str]:
    out = []
    for form, others in LEGAL_SWAPS:
        if name.endswith(form):
            stem = name[: -len(form)].rstrip(" ,")
            out.extend(f"{stem} {other}" if not other.startswith(",") else stem + other for other in others)
            break
    return out


def _typo(name: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha() and i > 2]
    i = rng.choice(letters)
    kind = rng.random()
    if kind < 0.4:  # doubled or dropped letter
        return name[:i] + name[i] + name[i:] if kind < 0.2 else name[:i] + name[i + 1 :]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :] if i + 2 < len(name) else name[:i] + "e" + name[i + 1 :]


def company_variants(entry, rng: random.Random) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]  # noqa: C901
    from provenance_cli.screening.normalize import tidy

    name = " ".join(entry.name.replace("?", "'").split())
    if name.lower().startswith("affiliated entity:"):
        name = name.split(":", 1)[1].strip()
    if " and any successor" in name:
        name = name.split(",  and any")[0].split(", and any")[0]
    out: list[tuple[str, str]] = []
    for place in PLACES:
        if name.startswith(place + " "):
            rest = name[len(place) + 1 :]
            out.append((rest, "place_dropped"))
            out.append((_swap_legal(rest)[0] if _swap_legal(rest) else rest.upper(), "place_dropped"))
            stem, _, form = rest.rpartition(" Co")
            out.append((f"{stem} ({place}) Co{form}" if stem else f"{rest} ({place})", "place_brackets"))
            if place in ABBREVIATED_PLACES:
                out.append((f"{ABBREVIATED_PLACES[place]} {rest}", "place_abbreviated"))
            if place == "SZ":
                out.append((f"Shenzhen {rest}", "place_abbreviated"))
            break
    else:
        country = entry.countries[0] if entry.countries else None
        if entry.list_key in ("el", "meu", "cmic", "dod_1260h"):
            city = {"RU": "Moscow", "HK": "Hong Kong"}.get(country or "", "Shenzhen")
            out.append((f"{city} {name}" if "China" not in name.title() else name.title(), "place_added"))
    for swapped in _swap_legal(name):
        out.append((swapped, "legal_form_en"))
    original = next((k for k in (*SHORT_NAMES, *BRANDS) if tidy(k) == entry.name), entry.name)
    if original in SHORT_NAMES:
        short = SHORT_NAMES[original]
        out.append((f"{name} ({short})", "parenthesised_short"))
        out.append((short, "parenthesised_short"))
        out.append((f"{short} ({name})", "parenthesised_short"))
    if original in BRANDS:
        out.append((BRANDS[original], "brand_only"))
        out.append((BRANDS[original] + " Group", "brand_only"))
    forms = FOREIGN_FORMS.get(entry.countries[0] if entry.countries else "CN" if entry.list_key == "dod_1260h" else "", [])
    stem = name
    for form, _ in LEGAL_SWAPS:
        if stem.endswith(form):
            stem = stem[: -len(form)].rstrip(" ,")
            break
    for form in forms:
        out.append((f"{form} «{stem}»" if form[0] in "ОАП" else f"{stem} {form}", "legal_form_foreign"))
    out.append((name.upper().replace(",", "").replace(".", ""), "case_punctuation"))
    out.append((name.title().replace("  ", " "), "case_punctuation"))
    out.append((_typo(name, rng), "typo"))
    out.append((_typo(name, rng), "typo"))
    for alias in entry.aliases:
        if not alias.isascii():
            out.append((alias, "native_script"))
        elif alias.upper() != name.upper():
            out.append((alias.upper(), "alias_as_written"))
            if len(alias) >= 10:
                out.append((_typo(alias, rng), "typo"))
    return out


# --------------------------------------------------------------------------- person variants

CYRILLIC = {
    "VOLKOV, Dmitry Alexandrovich": "Волков Дмитрий Александрович",
    "SOKOLOVA, Yelena Viktorovna": "Соколова Елена Викторовна",
    "LUKASHEVICH, Andrei Nikolaevich": "Лукашевич Андрей Николаевич",
    "Alexei Sergeyevich MOROZOV": "Морозов Алексей Сергеевич",
    "Nikolai Petrovich ORLOV": "Орлов Николай Петрович",
    "PETROV, Ivan Sergeyevich": "Петров Иван Сергеевич",
    "LI, Xiaoming": "李晓明",
    "ZHANG, Wei": "张伟",
    "KIM, Chol Su": "김철수",
    "KARIMI, Ahmad Reza": "احمدرضا کریمی",
    "AL-RASHID, Khalid Hamad": "خالد حمد الراشد",
}
ROMANISATIONS = {
    "Dmitry": ["Dmitriy", "Dmitri"], "Alexandrovich": ["Aleksandrovich"], "Yelena": ["Elena", "Jelena"],
    "Viktorovna": ["Victorovna"], "Ahmad": ["Ahmed"], "Mohammad": ["Mohammed", "Muhammad"], "Seyed": ["Seyyed", "Sayed"],
    "Hosseini": ["Hoseini", "Husseini"], "Khalid": ["Khaled"], "Andrei": ["Andrey"], "Nikolaevich": ["Nikolayevich"],
    "Alexei": ["Aleksey", "Alexey"], "Sergeyevich": ["Sergeevich"], "Mehmet": ["Mehmed"], "Ozturk": ["Öztürk"],
    "Nikolai": ["Nikolay"], "Omar": ["Umar"], "Haddad": ["Hadad"], "Chol": ["Cheol"], "Xiaoming": ["Hsiao-ming"],
    "Jose": ["José"], "Lopez": ["López"], "Ivan": ["Iwan"], "Su": ["Soo"],
}  # fmt: skip


def person_variants(entry) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from provenance_cli.screening.normalize import person_name, tidy

    text = tidy(entry.name)
    if "," in text:
        surname, given = (p.strip() for p in text.split(",", 1))
    else:
        words = text.split()
        surname = " ".join(w for w in words if w.isupper())
        given = " ".join(w for w in words if not w.isupper())
    sur = surname.title() if surname.isupper() else surname
    givens = given.split()
    tokens, _ = person_name(text)
    out = [
        (f"{given} {sur}", "person_given_first"),
        (f"{sur} {given}", "person_surname_first"),
        (f"{surname.upper()}, {given}", "person_surname_comma"),
        (f"{sur.upper()} {given}", "person_surname_first"),
    ]
    if len(givens) > 1:
        out.append((f"{givens[0]} {sur}", "person_middle_dropped"))
        out.append((f"{sur}, {givens[0]}", "person_middle_dropped"))
        out.append((f"{givens[0][0]}. {givens[1][0]}. {sur}", "person_initials"))
        out.append((f"{givens[0]}-{givens[1]} {sur}", "person_hyphenated"))
    if "-" in sur or " " in sur:
        out.append((f"{given} {sur.replace('-', ' ')}", "person_hyphenated"))
        out.append((f"{given} {sur.replace('-', '').replace(' ', '')}", "person_hyphenated"))
    if len(tokens) == 2 and len(sur) <= 3:  # Chinese and Korean names: one token, hyphenated, surname first
        out.append((f"{sur} {given.replace(' ', '-')}", "person_hyphenated"))
        out.append((f"{sur}{given.replace(' ', '')}", "person_hyphenated"))
    for word, others in ROMANISATIONS.items():
        if word.lower() in text.lower():
            for other in others:
                out.append((f"{given} {sur}".replace(word, other).replace(word.upper(), other.upper()), "person_romanisation"))
    if text in CYRILLIC:
        out.append((CYRILLIC[text], "person_native_script"))
    for alias in entry.aliases:
        out.append((alias, "person_alias_as_written"))
    return out


def variants(entries: list, rng: random.Random) -> list[Case]:  # type: ignore[type-arg]
    cases: list[Case] = []
    from provenance_cli.screening.normalize import tidy

    by_name = {tidy(e.name): e for e in entries}
    for entry in entries:
        made = person_variants(entry) if entry.kind == "person" else company_variants(entry, rng)
        cases.extend(Case(name, entry.kind, category, entry.entry_id) for name, category in made)
    for name, listed, category in HAND_WRITTEN:
        cases.append(Case(name, "company", category, by_name[tidy(listed)].entry_id))
    unique: dict[tuple[str, str | None], Case] = {}
    for case in cases:
        unique.setdefault((case.name, case.target), case)
    return list(unique.values())


# --------------------------------------------------------------------------- clean names

CLEAN_COMPANY_PARTS = {
    "de": (["Nordlicht", "Bergmann", "Rheinwerk", "Falkenstein", "Weidemann", "Schwarzwald", "Lindenhof", "Kesselring"],
           ["Maschinenbau", "Logistik", "Feinmechanik", "Softwarehaus", "Bauunternehmung", "Medizintechnik", "Druckerei"],
           ["GmbH", "AG", "GmbH & Co. KG", "UG (haftungsbeschränkt)", "Gesellschaft mit beschränkter Haftung"]),
    "fr": (["Atelier Lumière", "Vignobles Moreau", "Boulangerie Dufour", "Groupe Chastel", "Ingénierie Garnier", "Transports Roux"],
           ["Conseil", "Distribution", "Services", "Industrie", "Énergie"],
           ["SARL", "SAS", "S.A.", "Société anonyme"]),
    "es": (["Construcciones Ibarra", "Olivares del Sur", "Talleres Mendoza", "Aceros Valdés", "Hortalizas Rivera"],
           ["Comercial", "Industrial", "Servicios", "Logística"],
           ["S.A.", "S.L.", "Sociedad Limitada", "S.A. de C.V."]),
    "it": (["Ceramiche Bellini", "Officine Rossetti", "Tessitura Galli", "Caseificio Monti"], ["Italia", "Industriale", "Servizi"],
           ["S.p.A.", "S.r.l."]),
    "ja": (["Sakura Denki", "Kawaguchi Seiki", "Hoshino Shoji", "Aoyama Kogyo", "Midori Shokuhin"], ["Trading", "Engineering", "Foods"],
           ["K.K.", "Co., Ltd.", "Kabushiki Kaisha"]),
    "zh": (["Hangzhou Yunfeng", "Shenzhen Lanting", "Beijing Qingshan", "Suzhou Meihua", "Chengdu Jinlu", "Wuhan Hengtai",
            "Shanghai Baiyun", "Guangzhou Minghai"],
           ["Textile", "Furniture", "Food Processing", "Packaging Materials", "Garment", "Tea", "Ceramics"],
           ["Co., Ltd.", "Company Limited", "Youxian Gongsi", "Trading Co., Ltd."]),
    "ru": (["Sever Stroi", "Uralskie Zavody", "Volzhskaya Mebel", "Sibirskiy Les", "Kubanskiy Sakhar"], ["Torg", "Invest", "Servis"],
           ["OOO", "AO", "PJSC", "Limited Liability Company"]),
    "en": (["Harborview", "Maple Ridge", "Blue Heron", "Copperfield", "Northgate", "Silverline", "Oakmont", "Riverside"],
           ["Analytics", "Consulting", "Foods", "Logistics", "Marine Services", "Dental Supplies", "Software"],
           ["Ltd", "LLC", "Inc.", "PLC", "Limited", "Corporation"]),
    "tr": (["Anadolu Tekstil", "Ege Gıda", "Karadeniz Nakliyat"], ["Sanayi", "Ticaret"], ["A.Ş.", "Ltd. Şti."]),
    "ar": (["Al Noor", "Dar Al Salam", "Gulf Horizon", "Al Waha"], ["General Trading", "Contracting", "Foodstuff"],
           ["LLC", "FZE", "W.L.L."]),
}  # fmt: skip
CLEAN_PEOPLE = {
    "en": (["James", "Emily", "Oliver", "Charlotte", "William", "Grace"], ["Thompson", "Whitaker", "Fletcher", "Holloway", "Bennett"]),
    "de": (["Lukas", "Annika", "Matthias", "Friederike"], ["Hoffmann", "Brandt", "Kessler", "Vogt"]),
    "fr": (["Camille", "Étienne", "Margaux", "Julien"], ["Lefèvre", "Marchand", "Girard", "Rousseau"]),
    "es": (["Lucía", "Javier", "Carmen", "Alejandro"], ["Fernández Ruiz", "Navarro", "Domínguez", "Serrano Gil"]),
    "ru": (["Anastasia Igorevna", "Pavel Olegovich", "Tatiana Mikhailovna", "Grigory Borisovich"],
           ["Kuznetsova", "Belov", "Zaitseva", "Lebedev"]),
    "zh": (["Jianguo", "Meiling", "Haoran", "Yuting"], ["Wang", "Chen", "Liu", "Huang"]),
    "ko": (["Min-jun", "Seo-yeon", "Ji-hoon"], ["Park", "Choi", "Jung"]),
    "ja": (["Haruto", "Yui", "Sota", "Aoi"], ["Takahashi", "Watanabe", "Nakamura"]),
    "ar": (["Youssef", "Fatima", "Tariq", "Layla"], ["Al-Mansouri", "Haddadin", "El-Sayed", "Nasser"]),
    "fa": (["Dariush", "Shirin", "Kaveh"], ["Tehrani", "Farahani", "Rostami"]),
    "in": (["Priya", "Arjun", "Kavya", "Rohan"], ["Sharma", "Iyer", "Banerjee", "Reddy"]),
    "tr": (["Elif", "Emre", "Zeynep"], ["Yılmaz", "Demir", "Şahin"]),
    "ng": (["Chinedu", "Ngozi", "Oluwaseun"], ["Okafor", "Adeyemi", "Eze"]),
    "vi": (["Minh Anh", "Quoc Bao"], ["Nguyen", "Tran", "Pham"]),
}  # fmt: skip
HARD_NEGATIVES = [
    # share a word, a brand-like token or a surname with a listed name, and are someone else
    ("Petrov Trading LLC", "company"), ("Volkov Logistics GmbH", "company"), ("Karimi & Sons Carpets Ltd", "company"),
    ("Zhang Wei Noodle House LLC", "company"), ("Kim Holdings Ltd", "company"), ("Haddad Engineering SARL", "company"),
    ("Orlov Bakery OOO", "company"), ("Morozov Capital Partners", "company"),
    ("Olga Petrova", "person"), ("Sergei Volkov", "person"), ("Maryam Karimi", "person"), ("Zhang Li", "person"),
    ("Kim Min-ho", "person"), ("Ali Hosseini", "person"), ("Maria Garcia", "person"), ("Layla Haddad", "person"),
    ("Ivan Ivanovich Petrov", "person"), ("Dmitry Sokolov", "person"),
    ("Meridian Logistics LLC", "company"), ("Horizon Foods S.A.", "company"),
    ("Orion Pharma Oy", "company"), ("Polet Airlines", "company"), ("Western Digital Corporation", "company"),
    ("Alibi Group Ltd", "company"), ("Baidu Travel Agency LLC", "company"), ("Tencent Music Entertainment Group", "company"),
    ("BYD Systems GmbH", "company"), ("China Holdings Group Limited", "company"), ("Quantum Computing Inc.", "company"),
    ("Beijing Institute of Technology", "company"), ("China Southern Airlines", "company"), ("Belarus Potash Company", "company"),
    ("Kavir Tile Company", "company"), ("Sichuan Airlines Co., Ltd.", "company"), ("Shenzhen Airlines", "company"),
    ("Precision Instruments Ltd", "company"), ("Aero Engine Controls Ltd", "company"), ("Huaxin Technologies Co., Ltd.", "company"),
]  # fmt: skip


def clean_names(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for language, (stems, trades, forms) in CLEAN_COMPANY_PARTS.items():
        for stem in stems:
            for trade in trades:
                for form in rng.sample(forms, 2 if language in ("de", "en", "zh", "fr", "es") else 1):
                    name = f"{stem} {trade} {form}" if form not in ("OOO", "AO") else f"{form} {stem} {trade}"
                    cases.append(Case(name, "company", f"clean_company_{language}", None))
    for language, (givens, surnames) in CLEAN_PEOPLE.items():
        for given in givens:
            for surname in surnames:
                style = rng.random()
                name = f"{surname.upper()}, {given}" if style < 0.3 else f"{surname} {given}" if style < 0.45 else f"{given} {surname}"
                cases.append(Case(name, "person", f"clean_person_{language}", None))
    cases.extend(Case(name, kind, "hard_negative", None) for name, kind in HARD_NEGATIVES)
    return cases


def check_clean(cases: list[Case], entries: list) -> None:  # type: ignore[type-arg]
    from provenance_cli.screening.normalize import normalise

    listed = {normalise(n).text for e in entries for n in (e.name, *e.aliases)}
    on_list = [c.name for c in cases if normalise(c.name).text in listed]
    if on_list:
        raise SystemExit(f"clean names that are on the lists: {on_list}")


# --------------------------------------------------------------------------- the two matchers


def run_provcheck(cases: list[Case], entries: list, threshold: int) -> list[set[str]]:  # type: ignore[type-arg]
    from provenance_cli.screening.index import NameIndex

    index = NameIndex.build(entries)
    return [{h.entry.entry_id for h in index.search(c.name, threshold, kind=c.kind)} for c in cases]


def run_logic_v2(cases: list[Case], entries: list, threshold: float) -> list[set[str]]:  # type: ignore[type-arg]
    from itertools import count

    from followthemoney import model
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    ids = count()

    def entity(schema: str, names: list[str]):  # type: ignore[no-untyped-def]
        made = model.make_entity(schema)
        made.id = f"bench-{next(ids)}"  # logic-v2 caches per entity id: every entity needs its own
        for name in names:
            made.add("name", name)
        return made

    listed = [(e.entry_id, entity("Person" if e.kind == "person" else "Company", [e.name, *e.aliases])) for e in entries]
    found: list[set[str]] = []
    for case in cases:
        query = entity("Person" if case.kind == "person" else "Company", [case.name])
        found.append(
            {entry_id for entry_id, other in listed if algorithm.compare(query, other, ScoringConfig.defaults()).score >= threshold}
        )
    return found


# --------------------------------------------------------------------------- report


def main() -> None:
    rng = random.Random(1260)
    entries = listed_entries()
    same = defaultdict(set)  # one company under several records: a hit on any of them is right
    from provenance_cli.screening.normalize import normalise

    for entry in entries:
        same[normalise(entry.name).text].add(entry.entry_id)
    right = {e.entry_id: same[normalise(e.name).text] for e in entries}
    positives = variants(entries, rng)
    negatives = clean_names(rng)
    check_clean(negatives, entries)
    cases = positives + negatives
    print(f"listed: {len(entries)} entries ({sum(e.kind == 'person' for e in entries)} people); "
          f"labelled: {len(positives)} variants of listed names, {len(negatives)} clean names")  # fmt: skip
    started = time.perf_counter()
    ours = run_provcheck(cases, entries, PROVCHECK_THRESHOLD)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = run_logic_v2(cases, entries, LOGIC_V2_THRESHOLD)
    theirs_seconds = time.perf_counter() - started
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses: list[str] = []
    for case, a, b in zip(cases, ours, theirs, strict=True):
        row = rows[case.category]
        row[0] += 1
        if case.target is None:
            row[1] += bool(a)
            row[2] += bool(b)
            if a:
                misses.append(f"  provcheck false positive: {case.name!r} ({case.kind}) -> {sorted(a)}")
        else:
            good = right[case.target]
            row[1] += bool(a & good)
            row[2] += bool(b & good)
            if not a & good:
                misses.append(f"  provcheck missed [{case.category}] {case.name!r}" + (" (logic-v2 found it)" if b & good else ""))

    def total(positive: bool) -> list[int]:
        keys = [k for k in rows if (k.startswith(("clean_", "hard_")) != positive)]
        return [sum(rows[k][i] for k in keys) for i in range(3)]

    tp, fp = total(True), total(False)
    print(f"\n{'':34}{'provcheck @88':>16}{'logic-v2 @0.70':>17}")
    print(f"{'recall (variants found)':34}{tp[1] / tp[0]:>15.1%} {tp[2] / tp[0]:>16.1%}   of {tp[0]}")
    print(f"{'false-positive rate (clean hit)':34}{fp[1] / fp[0]:>15.1%} {fp[2] / fp[0]:>16.1%}   of {fp[0]}")
    print(f"{'seconds':34}{ours_seconds:>15.2f} {theirs_seconds:>16.2f}")
    print(f"\n{'category':34}{'n':>5}{'provcheck':>12}{'logic-v2':>12}")
    for key in sorted(rows, key=lambda k: (k.startswith(("clean_", "hard_")), k)):
        n, a, b = rows[key]
        label = "FP " if key.startswith(("clean_", "hard_")) else "   "
        print(f"{label + key:34}{n:>5}{a / n:>12.0%}{b / n:>12.0%}")
    if "-v" in sys.argv:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
