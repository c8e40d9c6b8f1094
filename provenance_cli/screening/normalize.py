"""Company-name normalisation for screening.

Both sides (dossier names and list names) go through the same steps, so a
comparison is between like and like:

1. Unicode NFKC, curly quotes made straight, ``?`` standing in for a lost
   apostrophe removed, list qualifiers ("and any successor ...",
   "Affiliated Entity: ...") cut off;
2. native-script legal forms (有限公司, 股份有限公司, 集团, 控股, 株式会社,
   주식회사 ...) removed before transliteration, then any non-ASCII text
   transliterated with anyascii (阿里巴巴 -> alibaba, Société -> societe);
3. case folding; ``&`` read as "and"; dots and apostrophes dropped (``S.A.``
   -> ``sa``, ``People's`` -> ``peoples``); every other punctuation mark a space;
4. Latin legal forms and group words (Co., Ltd., Limited, Inc., GmbH,
   Holding(s), Group, LLC, S.A., OOO ...) removed wherever they stand, unless
   nothing would be left; legal forms spelled out ("Public Joint Stock
   Company", "Gesellschaft mit beschränkter Haftung", "UG
   (haftungsbeschränkt)", "Публичное акционерное общество" once
   transliterated, "Youxian Gongsi") are removed as whole phrases.

The result keeps the full token list and the "core" (without legal forms).

Looser keys used by the index on top of the core: :func:`placeless` (the
core without a leading, trailing or parenthesised place name: "Hangzhou
Hikvision Digital Technology" and "Hikvision Digital Technology" meet) and
:func:`brand` (the placeless core without industry words: "Hikvision").
People's names are put in one order by :func:`person_name` ("PETROV, Ivan
Sergeyevich" and "Ivan Sergeyevich PETROV" become ``ivan sergeyevich
petrov`` with a one-token surname).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_LEGAL_FORM_WORDS = """
co company cos corp corporation incorporated inc ltd limited llc llp lp plc
gmbh mbh ag kg se sa sas sarl srl spa bv nv ab asa oy oyj kk kabushiki kaisha
pte pty pvt jsc ojsc pjsc cjsc ooo oao zao pao ao ltda limitada sl sae coltd aktiengesellschaft gesmbh
holding holdings group the
ug haftungsbeschrankt unternehmergesellschaft ohg kgaa sro spzoo tov fze fzco fzc fzllc bhd tbk
youxiangongsi gongsi jituan konggu jusikhoesa chusikhoesa yugen
"""
LEGAL_FORMS = frozenset(_LEGAL_FORM_WORDS.split())
"""Tokens removed from the core form (after case folding and punctuation)."""

_PHRASES = """
public joint stock company|open joint stock company|closed joint stock company|joint stock company|joint-stock company
limited liability company|limited liability partnership|limited company|public limited company|private limited company
publichnoe aktsionernoe obshchestvo|publichnoye aktsionernoye obshchestvo|otkrytoe aktsionernoe obshchestvo
zakrytoe aktsionernoe obshchestvo|aktsionernoe obshchestvo|aktsionernoye obshchestvo
obshchestvo s ogranichennoy otvetstvennostyu|obshchestvo s ogranichennoi otvetstvennostiu|obshchestvo s ogranichennoj otvetstvennostju
gesellschaft mit beschrankter haftung|gesellschaft mbh|societe anonyme|societe par actions simplifiee
societe a responsabilite limitee|sociedad anonima|sociedad limitada|sociedad de responsabilidad limitada
societa per azioni|societa a responsabilita limitata|besloten vennootschap|naamloze vennootschap
sp z oo|spolka z ograniczona odpowiedzialnoscia|spolecnost s rucenim omezenym
gufen youxian gongsi|youxian zeren gongsi|youxian gongsi|jituan gongsi|konggu gongsi
kabushiki gaisha|yugen kaisha|yugen gaisha|godo kaisha|jusik hoesa|chusik hoesa
tovarystvo z obmezhenoiu vidpovidalnistiu|co ltd|pte ltd|pvt ltd|sdn bhd
"""
PHRASES = tuple(sorted((tuple(p.split()) for p in _PHRASES.replace("\n", "|").split("|") if p.strip()), key=len, reverse=True))
"""Spelled-out legal forms (after folding and transliteration), removed as whole phrases, longest first."""
_PHRASE_STARTS = frozenset(p[0] for p in PHRASES)

NATIVE_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "주식회사",
    "Публичное акционерное общество",
    "Открытое акционерное общество",
    "Закрытое акционерное общество",
    "Акционерное общество",
    "Общество с ограниченной ответственностью",
    "유한회사",
    "集团",
    "集團",
    "控股",
    "股份",
    "公司",
)
"""Native-script legal forms, longest first, removed before transliteration."""

_QUALIFIER = re.compile(
    r"(?:,|;|\s)\s*(?:and|including|incl\.?)\s+(?:any|all|its)\s+"
    r"(?:successors?|sub-?units?|subsidiar|affiliat|branch|offices?).*$"
    r"|[\s,;(]+affiliated entit(?:y|ies)\s*:.*$",
    re.IGNORECASE,
)
_QUALIFIER_PREFIX = re.compile(r"^\s*affiliated entit(?:y|ies)\s*:\s*", re.IGNORECASE)
_LOST_APOSTROPHE = re.compile(r"(?<=\w)\?(?=\w)")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00b4": "'",
        "`": "'",
    }
)


def tidy(name: str) -> str:
    """A list name as it should be shown: whitespace, quotes and lost apostrophes fixed."""
    text = name if name.isascii() else unicodedata.normalize("NFKC", name)
    if "`" in text or not text.isascii():
        text = text.translate(_QUOTES)
    if "?" in text:
        text = _LOST_APOSTROPHE.sub("'", text)
    return " ".join(text.split()).strip(" ,;")


def strip_qualifiers(name: str) -> str:
    """Cut "and any successor, sub-unit, or subsidiary thereof" and similar notes."""
    lower = name.lower()
    if "affiliated" not in lower and " and " not in lower and "includ" not in lower:
        return name
    stripped = _QUALIFIER.sub("", _QUALIFIER_PREFIX.sub("", name)).strip(" ,;")
    return stripped or name


def _ascii_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(128):
        char = chr(code)
        if char in "'.":
            table[code] = None
        elif char == "&":
            table[code] = " and "
        elif not (char.isascii() and char.isalnum()):
            table[code] = " "
    return table


_ASCII_FOLD = _ascii_table()


class Normalised(NamedTuple):
    """A name ready for matching."""

    tokens: tuple[str, ...]
    """Every token after folding and punctuation handling."""
    core: tuple[str, ...]
    """Tokens without legal forms (the same as ``tokens`` if nothing else is left)."""
    transliterated: bool
    """Whether non-Latin script was transliterated."""
    native_forms: bool = False
    """Whether native-script legal forms were removed before transliteration."""

    @property
    def text(self) -> str:
        """The core tokens joined by single spaces: what exact lookup and fuzzy scoring compare."""
        return " ".join(self.core)

    @property
    def compact(self) -> str:
        """The core without spaces, so ``Hua Wei`` and ``Huawei`` meet in exact lookup."""
        return "".join(self.core)


def _has_non_latin(text: str) -> bool:
    return any(ord(char) > 591 and not unicodedata.category(char).startswith(("P", "Z", "S")) for char in text)


def normalise(name: str) -> Normalised:
    """Normalise one company name; see the module docstring for the steps."""
    text = strip_qualifiers(tidy(name))
    transliterated = native_forms = False
    if not text.isascii():
        if _has_non_latin(text):
            transliterated = True
            stripped = text
            for form in NATIVE_LEGAL_FORMS:
                stripped = stripped.replace(form, " ")
            if stripped.strip() and stripped != text:
                text = stripped
                native_forms = True
        from anyascii import anyascii

        text = anyascii(text)
    tokens = tuple(text.casefold().translate(_ASCII_FOLD).split())
    core = tuple(t for t in _drop_phrases(tokens) if t not in LEGAL_FORMS) or tokens
    return Normalised(tokens, core, transliterated, native_forms)


def _drop_phrases(tokens: tuple[str, ...]) -> tuple[str, ...]:
    if _PHRASE_STARTS.isdisjoint(tokens):
        return tokens
    out: list[str] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token in _PHRASE_STARTS:
            for phrase in PHRASES:
                if tokens[position : position + len(phrase)] == phrase:
                    position += len(phrase)
                    break
            else:
                out.append(token)
                position += 1
        else:
            out.append(token)
            position += 1
    return tuple(out)


# --------------------------------------------------------------------------- looser keys

_PLACE_WORDS = """
beijing shanghai shenzhen guangzhou hangzhou chengdu wuhan xian tianjin nanjing harbin chongqing suzhou
dalian qingdao xiamen ningbo hefei jinan changsha zhengzhou shenyang kunming fuzhou nanchang taiyuan
shijiazhuang changchun lanzhou guiyang nanning hohhot urumqi lhasa yinchuan xining haikou dongguan foshan
zhuhai wuxi changzhou mianyang luoyang baoding zhuzhou xiangtan guilin yantai weihai shaoxing wenzhou
jiangsu zhejiang guangdong sichuan hubei hunan henan hebei shandong shanxi shaanxi fujian anhui jiangxi
liaoning jilin heilongjiang yunnan guizhou guangxi hainan gansu qinghai ningxia xinjiang tibet
moscow moskva novosibirsk yekaterinburg ekaterinburg kazan samara omsk rostov ufa krasnoyarsk perm voronezh
volgograd saratov tula izhevsk chelyabinsk tomsk kaluga tver ryazan smolensk bryansk kursk vladivostok
tehran isfahan esfahan shiraz tabriz mashhad karaj minsk dubai sharjah karachi lahore damascus caracas
pyongyang hongkong macau macao
"""
PLACES = frozenset(_PLACE_WORDS.split())
"""Place names that companies put before (or in brackets after) their name and dossiers often drop."""
TWO_WORD_PLACES = frozenset(
    {("hong", "kong"), ("nizhny", "novgorod"), ("inner", "mongolia"), ("st", "petersburg"), ("saint", "petersburg"), ("sankt", "peterburg")}
)
PLACE_ABBREVIATIONS = {
    "sz": "shenzhen", "bj": "beijing", "sh": "shanghai", "gz": "guangzhou", "hz": "hangzhou", "cq": "chongqing",
    "tj": "tianjin", "wh": "wuhan", "cd": "chengdu", "nj": "nanjing", "hk": "hongkong", "spb": "stpetersburg", "msk": "moscow",
}  # fmt: skip
"""Abbreviated place names ("SZ DJI" for "Shenzhen DJI"), only read as places where a place can stand."""
_GENERIC_WORDS = """
technology technologies tech digital science sciences scientific electronic electronics information
network networks intelligent intelligence international industrial industry industries development
software hightech high new advanced innovation innovative smart microelectronics semiconductor semiconductors
"""
GENERIC = frozenset(_GENERIC_WORDS.split())
"""Industry words a brand-only name leaves out ("Hikvision" for "Hikvision Digital Technology")."""


def _place_at(tokens: tuple[str, ...], position: int) -> tuple[str, int]:
    """The place starting at ``position`` (name, token count), or ("", 0)."""
    token = tokens[position]
    if token in PLACES:
        return token, 1
    if token in PLACE_ABBREVIATIONS:
        return PLACE_ABBREVIATIONS[token], 1
    if position + 1 < len(tokens) and (token, tokens[position + 1]) in TWO_WORD_PLACES:
        return token + tokens[position + 1], 2
    return "", 0


def placeless(core: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """``core`` without a leading and a trailing place name, and the place removed ("" if none); never empty."""
    if len(core) < 2:
        return core, ""
    start, end = 0, len(core)
    place, size = _place_at(core, 0)
    if size and end - size >= 1:
        start = size
    if end - start >= 2:
        for width in (2, 1):
            if end - width > start:
                last, size = _place_at(core, end - width)
                if size == width:
                    place = place or last
                    end -= width
                    break
    if start == 0 and end == len(core):
        return core, ""
    return core[start:end], place


def brand(core: tuple[str, ...]) -> tuple[str, ...]:
    """The placeless core without industry words ("Hangzhou Hikvision Digital Technology" -> ``hikvision``).

    ``()`` if nothing distinctive is left.
    """
    rest = tuple(t for t in placeless(core)[0] if t not in GENERIC and t != "and")
    return rest if rest and sum(len(t) for t in rest) >= 3 else ()


_FAMILY_WORDS = {
    "de": "gmbh mbh ag kg ug haftungsbeschrankt unternehmergesellschaft aktiengesellschaft gesmbh ohg kgaa",
    "ru": "ooo oao zao pao ao jsc pjsc ojsc cjsc tov",
    "romance": "sa sas sarl srl spa sl sae ltda limitada",
    "nl": "bv nv",
    "nordic": "ab asa oy oyj",
    "jp": "kk kabushiki kaisha",
    "en": "co company cos corp corporation incorporated inc ltd limited llc llp lp plc pte pty pvt coltd",
}
_FAMILIES = {word: family for family, words in _FAMILY_WORDS.items() for word in words.split()}


def legal_family(tokens: tuple[str, ...]) -> str | None:
    """The legal-form family a name's own legal-form words belong to (``de``, ``ru``, ``en``...), if any."""
    found = None
    for token in tokens:
        family = _FAMILIES.get(token)
        if family and family != "en":
            return family
        found = found or family
    return found


def families_conflict(left: str | None, right: str | None) -> bool:
    """Whether two legal forms say two different companies (a GmbH is not a Chinese Co., Ltd.); Russian forms are often translated."""
    if not left or not right or left == right:
        return False
    return {left, right} != {"ru", "en"}


def person_name(name: str) -> tuple[tuple[str, ...], int]:
    """A person's name as tokens in given-names-first order and the number of surname tokens at the end (0: unknown).

    "PETROV, Ivan Sergeyevich" (SDN) and "Ivan Sergeyevich PETROV" (other
    Treasury lists) give ``(ivan, sergeyevich, petrov)`` and 1; a name with
    neither convention keeps its order and an unknown surname.
    """
    text = tidy(name)
    if "," in text:
        surname, _, given = text.partition(",")
        surname_tokens = normalise(surname).tokens
        given_tokens = normalise(given).tokens
        if surname_tokens and given_tokens:
            return given_tokens + surname_tokens, len(surname_tokens)
    words = text.split()
    caps = [w for w in words if w.isupper() and sum(c.isalpha() for c in w) > 1]
    if caps and len(caps) < len(words) and text.isascii():
        rest = [w for w in words if w not in caps]
        surname_tokens = normalise(" ".join(caps)).tokens
        return normalise(" ".join(rest)).tokens + surname_tokens, len(surname_tokens)
    return normalise(text).tokens, 0
