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
   nothing would be left.

The result keeps the full token list and the "core" (without legal forms).
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
"""
LEGAL_FORMS = frozenset(_LEGAL_FORM_WORDS.split())
"""Tokens removed from the core form (after case folding and punctuation)."""

NATIVE_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "주식회사",
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
    core = tuple(t for t in tokens if t not in LEGAL_FORMS) or tokens
    return Normalised(tokens, core, transliterated, native_forms)
