"""An in-memory name index: exact lookup, token blocking and fuzzy scoring.

Each list name is stored with its normalised core. A query finds its
candidates through (a) exact lookup of the core and of the core without
spaces and (b) an inverted index on core tokens, using only the query's
rarest tokens (common words such as "technology" or "china" are never used
to fetch candidates on their own); a token the index does not know falls
back to its first four letters, which catches typos at the end of a word.
Candidates are scored with rapidfuzz's ``token_sort_ratio`` on the cores.

Guards against the usual false positives of fuzzy matching: names shorter
than six letters only match exactly, and names whose numbers differ
("Institute 701" / "Institute 702") never match fuzzily.

On top of that, for companies, two looser exact comparisons, read from the
posting of the query's rarest distinctive word (at most LOOSE_BUDGET names,
never a scan): the core without a place name ("Hikvision Digital Technology"
for "Hangzhou Hikvision Digital Technology", "Shenzhen DJI" for "SZ DJI
Technology"; score 94) and the distinctive "brand" words without place and
industry words ("Hikvision"; score 90, only when at most three entries share
them and the brand is not a generic word such as "China"). Neither applies
when the two names carry different places or legal forms of different
countries (a GmbH is not a Chinese Co., Ltd.). A parenthesised part of a
name ("... Corporation (SMIC)") is indexed and searched on its own as well.

People (entries and queries of kind ``person``) are compared with
:func:`person_score`: names put in one order ("PETROV, Ivan Sergeyevich" =
"Ivan Sergeyevich Petrov"), tokens aligned one to one with typo tolerance,
spacing and hyphenation ignored ("Kim Jong-un" = "Kim Jong Un" = "Kim
Jongun"), the surname required, omitted middle names and patronymics costing
a little and conflicting ones a lot. A company name never matches a person
on a shared surname: company queries reach people only through the whole
name (exact or token-sort fuzzy).

The index is saved as compact JSON (entries plus one normalised core per
name), the durable copy, and as an SQLite file holding the ready-made
lookup tables (exact forms and token postings as packed position arrays,
names and entries by position). A process screening against a large list
opens the SQLite file read-only and reads only the keys and names a query
touches, instead of rebuilding every table in memory; the results are the
same as the in-memory index's. No pickle.
"""

from __future__ import annotations

import json
import os
import re
import sys
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import (
    LEGAL_FORMS,
    PLACES,
    Normalised,
    brand,
    families_conflict,
    legal_family,
    normalise,
    person_name,
    placeless,
)

if TYPE_CHECKING:  # SQLite loads only when an index file is written or opened, never for the bundled starter list
    import sqlite3

INDEX_FORMAT = 3
SQLITE_FORMAT = 1
"""Version of the SQLite layout; a file of another version is rebuilt from the JSON copy."""
MAX_BLOCK_TOKENS = 2
"""At most this many of the query's rarest tokens fetch candidates (one typo still leaves one)."""
CANDIDATE_BUDGET = 1_000
"""A second blocking token is used only while the candidates stay below this."""
COMMON_TOKEN_SHARE = 0.02
"""Tokens carried by more than this share of names (at least 2,000) are too common to block on."""
MAX_CANDIDATES = 20_000
SHORT_NAME = 6
"""Names with fewer letters than this only match exactly."""
PLACELESS_SCORE = 94
"""Score of the same name with a place name dropped on one side."""
BRAND_SCORE = 90
"""Score of the same distinctive (brand) words without place and industry words."""
LOOSE_BUDGET = 64
"""Place-less and brand lookups read at most this many names (the rarest distinctive word's); a commoner word is no brand."""
BRAND_MAX_ENTRIES = 3
"""A brand shared by more entries than this is not distinctive enough to match on."""
_NOT_BRANDS = """
china chinese zhongguo zhonghua national state general first second third new research institute academy
center centre university bank trading import export imports exports and of the company group aviation
aerospace shipping energy power petroleum oil gas chemical machinery engineering
"""
NOT_BRANDS = frozenset(_NOT_BRANDS.split())
"""Words that can never be a brand on their own."""


@dataclass(frozen=True)
class Hit:
    """One scored candidate."""

    entry: Entry
    matched_name: str
    score: int
    reason: str


def _prefix_key(token: str) -> str | None:
    return "~" + token[:4] if len(token) >= 5 and not token.isdigit() else None


_DIGITS = re.compile(r"\S*\d\S*")
_PAREN = re.compile(r"\(([^()]*)\)")
_NOTE = re.compile(r"^\s*(?:formerly|previously|also|a\.?k\.?a\.?|f\.?k\.?a\.?|short(?:\s+name)?|abbreviated)\b[\s:.,]*", re.IGNORECASE)


def _forms(text: str) -> list[str]:
    """A name, and for "Outside (Inside)" also the outside part and the inside part when that is a name of its own."""
    if "(" not in text:
        return [text]
    forms = [text]
    outside = " ".join(_PAREN.sub(" ", text).split())
    if outside and outside != text:
        forms.append(outside)
    for inside in _PAREN.findall(text):
        inside = _NOTE.sub("", inside).strip()
        tokens = normalise(inside).tokens if inside else ()
        if len("".join(tokens)) >= 2 and not all(t in LEGAL_FORMS or t in PLACES for t in tokens):
            forms.append(inside)
    return forms


def _digits(core: str) -> frozenset[str]:
    return frozenset(_DIGITS.findall(core))


class NameIndex:
    """Names of one source's entries, ready to be searched.

    Stored column-wise (one list per field), which JSON decodes several
    times faster than one small list per name; entries become
    :class:`Entry` objects only when they are hit.
    """

    def __init__(self, entries: dict[str, list], names: dict[str, list]) -> None:  # type: ignore[type-arg]
        self._entries = entries
        self._entry_cache: dict[int, Entry] = {}
        self._name_entry: list[int] = names["entry"]
        self._name_text: list[str] = names["text"]
        self._name_core: list[str] = names["core"]
        self._translit = frozenset(names["translit"])
        self._sorted = [" ".join(sorted(c.split())) if " " in c else c for c in self._name_core]
        exact: dict[str, list[int]] = {}
        postings: dict[str, list[int]] = {}
        for position, core in enumerate(self._name_core):
            exact.setdefault(core, []).append(position)
            if " " in core:
                tokens = core.split()
                exact.setdefault("".join(tokens), []).append(position)
                for token in set(tokens):
                    postings.setdefault(token, []).append(position)
            else:
                postings.setdefault(core, []).append(position)
        self._exact = exact
        self._postings = postings
        self._prefixes: dict[str, list[str]] | None = None
        self._common = max(2_000, int(len(self._name_core) * COMMON_TOKEN_SHARE))
        self._person: dict[int, int] = {position: surname for position, surname in names.get("person", ())}
        """Name position -> surname token count (0: unknown), for names of people."""
        for position, surname in self._person.items():
            tokens = self._name_core[position].split()
            if surname and len(tokens) > surname:
                exact.setdefault("".join(tokens[-surname:] + tokens[:-surname]), []).append(position)

    def _prefetch(self, positions: list[int]) -> None:
        """Read the names at ``positions`` in bulk (the SQLite backing); in memory there is nothing to do."""

    def _choices(self, candidates: list[int]) -> list[str]:
        """The token-sorted cores of ``candidates``, in order."""
        return list(itemgetter(*candidates)(self._sorted)) if len(candidates) > 1 else [self._sorted[candidates[0]]]

    def entry(self, position: int) -> Entry:
        """The entry at ``position``, built from the columns on first use and cached."""
        cached = self._entry_cache.get(position)
        if cached is None:
            e = self._entries
            cached = Entry(
                list_key=e["list_key"][position],
                entry_id=e["entry_id"][position],
                name=e["name"][position],
                aliases=tuple(e["aliases"][position]),
                parent=e["parent"][position],
                list_date=e["list_date"][position],
                kind=e["kind"][position],
                birth_dates=tuple(e["birth_dates"][position] or ()),
                countries=tuple(e["countries"][position] or ()),
            )
            self._entry_cache[position] = cached
        return cached

    @property
    def entries(self) -> list[Entry]:
        """Every indexed entry, in order; builds them all, which searching never needs."""
        return [self.entry(i) for i in range(len(self._entries["name"]))]

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> NameIndex:
        """Index ``entries``: each distinct normalised name (primary or alias) once per entry; nameless entries are left out."""
        keys = ("list_key", "entry_id", "name", "aliases", "parent", "list_date", "kind", "birth_dates", "countries")
        columns: dict[str, list] = {k: [] for k in keys}  # type: ignore[type-arg]
        names: dict[str, list] = {"entry": [], "text": [], "core": [], "translit": [], "person": []}  # type: ignore[type-arg]
        for entry in entries:
            position = len(columns["name"])
            seen: set[str] = set()
            person = entry.kind == "person"
            for text in (entry.name, *entry.aliases):
                if not text or not text.strip():
                    continue
                for form in _forms(text):
                    normal = normalise(form)
                    surname = 0
                    if person:
                        tokens, surname = person_name(form)
                        core = " ".join(tokens)
                    else:
                        core = normal.text
                    if not core or core in seen:
                        continue
                    seen.add(core)
                    if normal.transliterated:
                        names["translit"].append(len(names["core"]))
                    if person:
                        names["person"].append([len(names["core"]), surname])
                    names["entry"].append(position)
                    names["text"].append(text)
                    names["core"].append(core)
            if seen:
                columns["list_key"].append(entry.list_key)
                columns["entry_id"].append(entry.entry_id)
                columns["name"].append(entry.name)
                columns["aliases"].append(list(entry.aliases))
                columns["parent"].append(entry.parent)
                columns["list_date"].append(entry.list_date)
                columns["kind"].append(entry.kind)
                columns["birth_dates"].append(list(entry.birth_dates) or None)
                columns["countries"].append(list(entry.countries) or None)
        return cls(columns, names)

    def __len__(self) -> int:
        return len(self._name_core)

    # ------------------------------------------------------------------ storage

    def to_json(self) -> str:
        """The index as compact JSON (entries and normalised cores), never pickle, so a cache file cannot run code."""
        names = {
            "entry": self._name_entry,
            "text": self._name_text,
            "core": self._name_core,
            "translit": sorted(self._translit),
            "person": sorted([position, surname] for position, surname in self._person.items()),
        }
        data = {"format": INDEX_FORMAT, "entries": self._entries, "names": names}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> NameIndex:
        """An index from :meth:`to_json` text; ValueError when another provcheck version wrote it, so it is refetched, not misread."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
            raise ValueError("written by another provcheck version")
        return cls(data["entries"], data["names"])

    def save(self, path: Path) -> None:
        """Write the index atomically."""
        from provenance_cli.util.files import atomic_write

        atomic_write(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> NameIndex:
        """Read an index written by :meth:`save`."""
        return cls.from_json(path.read_bytes())

    def save_sqlite(self, path: Path) -> None:
        """Write the ready-made lookup tables as an SQLite file, to a temporary name first and then renamed into place."""
        import tempfile

        folder = path.parent
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        os.close(handle)
        temp = Path(temp_name)
        import sqlite3

        try:
            temp.unlink()
            db = sqlite3.connect(temp, isolation_level=None)
            try:
                _write_tables(db, self)
            finally:
                db.close()
            with open(temp, "rb") as stream:
                os.fsync(stream.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)

    @classmethod
    def open_sqlite(cls, path: Path) -> NameIndex:
        """The index in an SQLite file written by :meth:`save_sqlite`, read lazily.

        ValueError when the file is of another format version, truncated or
        not an index; sqlite3.Error when SQLite cannot read it.
        """
        return SqliteNameIndex(path)

    # ------------------------------------------------------------------ searching

    def _near(self, token: str) -> list[int]:
        """Names with a token sharing ``token``'s first four letters (a typo at the end)."""
        prefix = _prefix_key(token)
        if prefix is None:
            return []
        found: list[int] = []
        for known in self._tokens_near(prefix):
            found.extend(self._postings[known])
        return found

    def _tokens_near(self, prefix: str) -> list[str]:
        """Indexed tokens whose prefix key is ``prefix``, in the order the index first met them."""
        if self._prefixes is None:
            prefixes: dict[str, list[str]] = {}
            for known in self._postings:
                key = _prefix_key(known)
                if key:
                    prefixes.setdefault(key, []).append(known)
            self._prefixes = prefixes
        return self._prefixes.get(prefix, [])

    def _candidates(self, query: Normalised) -> set[int]:
        found: set[int] = set(self._exact.get(query.text, ()))
        if len(query.core) > 1:
            found.update(self._exact.get(query.compact, ()))
        keys: list[tuple[int, int, list[int]]] = []
        for order, token in enumerate(dict.fromkeys(query.core)):
            posting = self._postings.get(token)
            if posting is None:
                posting = self._near(token)
            if posting:
                keys.append((len(posting), order, posting))
        keys.sort(key=lambda k: (k[0], k[1]))
        for used, (size, _, posting) in enumerate(keys):
            if used >= MAX_BLOCK_TOKENS or size > MAX_CANDIDATES:
                break
            if used and (size > self._common or len(found) + size > CANDIDATE_BUDGET):
                break
            found.update(posting)
        return found

    def search(self, name: str, threshold: int, *, normal: Normalised | None = None, kind: str = "company") -> list[Hit]:
        """Entries whose names score at least ``threshold`` against ``name``; best per entry.

        ``kind="person"`` compares the name with listed people by person-name
        logic; a company name reaches a person only through the whole name.
        """
        best: dict[int, Hit] = {}
        self._search(name, threshold, normal or normalise(name), kind, best)
        if "(" in name:
            for form in _forms(name)[1:]:
                for entry_position, hit in self._search_form(form, threshold, kind).items():
                    previous = best.get(entry_position)
                    if previous is None or hit.score > previous.score:
                        best[entry_position] = Hit(hit.entry, hit.matched_name, hit.score, hit.reason + f" (as {form!r})")
        return sorted(best.values(), key=lambda h: (-h.score, h.entry.list_key, h.entry.entry_id))

    def _search_form(self, name: str, threshold: int, kind: str) -> dict[int, Hit]:
        found: dict[int, Hit] = {}
        self._search(name, threshold, normalise(name), kind, found)
        return found

    def _search(self, name: str, threshold: int, query: Normalised, kind: str, best: dict[int, Hit]) -> None:
        core = query.text
        if not core:
            return
        person_query = kind == "person"
        candidates = list(self._candidates(query))
        self._prefetch(candidates)
        if person_query:
            self._person_hits(name, query, threshold, candidates, best)
        if candidates:
            # Imported only when there is something to score: a query without candidates never loads rapidfuzz.
            from rapidfuzz import fuzz, process

            self._fuzzy_hits(name, query, threshold, candidates, best, fuzz, process, person_query)
        # exact candidates that token_sort scored low ("hua wei" / "huawei")
        compact = query.compact
        for position in (*self._exact.get(core, ()), *self._exact.get(compact, ())):
            entry_position = self._name_entry[position]
            if entry_position not in best or best[entry_position].score < 100:
                reason = self._exact_reason(name, query, position, spaces=True)
                if query.transliterated or position in self._translit:
                    reason += " (transliterated)"
                best[entry_position] = Hit(self.entry(entry_position), self._name_text[position], 100, reason)
        if not person_query:
            self._loose_hits(query, threshold, best)

    def _fuzzy_hits(self, name, query, threshold, candidates, best, fuzz, process, person_query) -> None:  # type: ignore[no-untyped-def]
        core = query.text
        choices = self._choices(candidates)
        # ratio on token-sorted forms is token_sort_ratio without re-sorting every candidate
        query_sorted = " ".join(sorted(query.core))
        scored = process.extract(query_sorted, choices, scorer=fuzz.ratio, processor=None, score_cutoff=threshold, limit=None)
        compact = query.compact
        query_digits = _digits(core)
        people = self._person
        for _, score, offset in scored:
            position = candidates[offset]
            if person_query and position in people:
                continue
            choice = self._name_core[position]
            other_compact = choice.replace(" ", "")
            if choice == core or other_compact == compact:
                value = 100
                reason = self._exact_reason(name, query, position, spaces=choice != core)
            else:
                if min(len(compact), len(other_compact)) < SHORT_NAME:
                    continue
                if query_digits != _digits(choice):
                    continue
                value = int(round(score))
                if value < threshold:
                    continue
                reason = "same words in another order" if value == 100 else f"fuzzy {value} token_sort"
            if query.transliterated or position in self._translit:
                reason += " (transliterated)"
            entry_position = self._name_entry[position]
            previous = best.get(entry_position)
            if previous is None or value > previous.score:
                best[entry_position] = Hit(self.entry(entry_position), self._name_text[position], value, reason)

    # ------------------------------------------------------------------ people

    def _person_hits(self, name: str, query: Normalised, threshold: int, candidates: list[int], best: dict[int, Hit]) -> None:
        people = self._person
        if not people:
            return
        tokens, surname = person_name(name)
        if not tokens:
            return
        positions = {p for p in candidates if p in people}
        compact = "".join(tokens)
        positions.update(p for p in self._exact.get(compact, ()) if p in people)
        for position in positions:
            value, reason = person_score(tokens, surname, tuple(self._name_core[position].split()), people[position])
            if value < threshold:
                continue
            if query.transliterated or position in self._translit:
                reason += " (transliterated)"
            entry_position = self._name_entry[position]
            previous = best.get(entry_position)
            if previous is None or value > previous.score:
                best[entry_position] = Hit(self.entry(entry_position), self._name_text[position], value, reason)

    # ------------------------------------------------------------------ looser company keys

    def _loose_hits(self, query: Normalised, threshold: int, best: dict[int, Hit]) -> None:
        if threshold > PLACELESS_SCORE:
            return
        core = query.core
        rest, query_place = placeless(core)
        mark = brand(core)
        if not [t for t in mark if t not in NOT_BRANDS]:
            mark = ()
        found: list[tuple[int, int, str]] = []
        if rest is not core:
            found.extend((p, PLACELESS_SCORE, "same name without the place name") for p in self._exact.get(" ".join(rest), ()))
        exact_mark = self._exact.get(" ".join(mark), ()) if mark and len(mark) < len(core) else ()
        # listed names holding every distinctive word: read from the rarest word's posting, never a scan
        postings = [self._postings.get(t) for t in (mark or rest)]
        shortest = min((p for p in postings if p is not None), key=len, default=None)
        marked: list[int] = [*exact_mark]
        if shortest is not None and len(shortest) <= LOOSE_BUDGET:
            people = self._person
            for position in shortest:
                if position in people:
                    continue
                tokens = tuple(self._name_core[position].split())
                if placeless(tokens)[0] == rest:
                    found.append((position, PLACELESS_SCORE, "same name without the place name"))
                elif mark and brand(tokens) == mark:
                    marked.append(position)
        if threshold <= BRAND_SCORE and marked and len({self._name_entry[p] for p in marked}) <= BRAND_MAX_ENTRIES:
            mark_key = " ".join(mark)
            found.extend((p, BRAND_SCORE, f"same distinctive name {mark_key!r} without place and industry words") for p in marked)
        if found:
            self._keep_loose(query, query_place, found, best)

    def _keep_loose(self, query: Normalised, query_place: str, found: list[tuple[int, int, str]], best: dict[int, Hit]) -> None:
        """Keep looser hits unless places or legal-form countries differ, numbers differ, or a whole-name score exists."""
        query_family = legal_family(query.tokens)
        query_digits = _digits(query.text)
        for position, value, reason in found:
            entry_position = self._name_entry[position]
            if position in self._person or entry_position in best:
                continue  # a whole-name score stands; the looser keys only find what it missed
            choice = self._name_core[position]
            if query_digits != _digits(choice):
                continue
            other_place = placeless(tuple(choice.split()))[1]
            if query_place and other_place and query_place != other_place:
                continue
            if families_conflict(query_family, legal_family(normalise(self._name_text[position]).tokens)):
                continue
            best[entry_position] = Hit(self.entry(entry_position), self._name_text[position], value, reason)

    def _exact_reason(self, name: str, query: Normalised, position: int, *, spaces: bool) -> str:
        if spaces:
            return "exact ignoring spaces and legal forms"
        other = normalise(self._name_text[position])
        if other.tokens == query.tokens and other.native_forms == query.native_forms:
            return "exact after normalisation"
        return "exact after legal-form removal"


# ---------------------------------------------------------------------- SQLite backing


def _pack(positions: list[int]) -> bytes:
    return array("I", positions).tobytes()


def _unpack(blob: bytes) -> list[int]:
    positions = array("I")
    positions.frombytes(blob)
    return positions.tolist()


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE names (position INTEGER PRIMARY KEY, entry INTEGER NOT NULL, text TEXT NOT NULL, core TEXT NOT NULL,
                    sorted TEXT NOT NULL, translit INTEGER NOT NULL, surname INTEGER);
CREATE TABLE entries (position INTEGER PRIMARY KEY, list_key TEXT, entry_id TEXT, name TEXT, aliases TEXT, parent TEXT,
                      list_date TEXT, kind TEXT, birth_dates TEXT, countries TEXT);
CREATE TABLE exact (key TEXT PRIMARY KEY, positions BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE postings (key TEXT PRIMARY KEY, rank INTEGER NOT NULL, positions BLOB NOT NULL) WITHOUT ROWID;
"""
_ENTRY_COLUMNS = ("list_key", "entry_id", "name", "aliases", "parent", "list_date", "kind", "birth_dates", "countries")


def stored_entries(json_path: Path) -> Iterator[Entry]:
    """Every entry of a saved index, in order, without building its lookup tables (for list deltas).

    Read row by row from the SQLite file beside ``json_path`` when it is
    there and of this format; otherwise from the JSON copy's entry columns.
    """
    sqlite_path = json_path.with_suffix(".sqlite")
    started = False
    if sqlite_path.is_file():
        import sqlite3

        try:
            db = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
            try:
                (version,) = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() or ("",)
                if version == str(SQLITE_FORMAT):
                    rows = db.execute(f"SELECT {', '.join(_ENTRY_COLUMNS)} FROM entries ORDER BY position")
                    for key, entry_id, name, aliases, parent, list_date, kind, births, countries in rows:
                        started = True
                        yield Entry(
                            key, entry_id, name, tuple(json.loads(aliases)), parent, list_date, kind,
                            tuple(json.loads(births)) if births else (), tuple(json.loads(countries)) if countries else (),
                        )  # fmt: skip
                    return
            finally:
                db.close()
        except sqlite3.Error as exc:
            if started:
                raise ValueError(f"{sqlite_path.name} became unreadable while it was read ({exc})") from None
    data = json.loads(json_path.read_bytes())
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
        raise ValueError(f"{json_path.name} was written by another provcheck version")
    columns = data["entries"]
    for key, entry_id, name, aliases, parent, list_date, kind, births, countries in zip(*(columns[k] for k in _ENTRY_COLUMNS), strict=True):
        yield Entry(key, entry_id, name, tuple(aliases), parent, list_date, kind, tuple(births or ()), tuple(countries or ()))


def _write_tables(db: sqlite3.Connection, index: NameIndex) -> None:
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA page_size=8192")
    db.execute("BEGIN")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    people = index._person
    translit = index._translit
    db.executemany(
        "INSERT INTO names VALUES (?,?,?,?,?,?,?)",
        (
            (position, entry, text, core, ordered, position in translit, people.get(position))
            for position, (entry, text, core, ordered) in enumerate(
                zip(index._name_entry, index._name_text, index._name_core, index._sorted, strict=True)
            )
        ),
    )
    columns = [index._entries[k] for k in _ENTRY_COLUMNS]
    dumps = json.dumps

    def entry_rows() -> Iterator[tuple[object, ...]]:
        for position, row in enumerate(zip(*columns, strict=True)):
            key, entry_id, name, aliases, parent, list_date, kind, births, countries = row
            yield (
                position, key, entry_id, name, dumps(aliases, ensure_ascii=False), parent, list_date, kind,
                None if births is None else dumps(births, ensure_ascii=False),
                None if countries is None else dumps(countries, ensure_ascii=False),
            )  # fmt: skip

    db.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?)", entry_rows())
    db.executemany("INSERT INTO exact VALUES (?,?)", ((k, _pack(v)) for k, v in sorted(index._exact.items())))
    ranks = {key: rank for rank, key in enumerate(index._postings)}
    db.executemany("INSERT INTO postings VALUES (?,?,?)", ((k, ranks[k], _pack(v)) for k, v in sorted(index._postings.items())))
    meta = {
        "format": str(SQLITE_FORMAT),
        "index_format": str(INDEX_FORMAT),
        "byteorder": sys.byteorder,
        "names": str(len(index._name_core)),
        "entries": str(len(index._entries["name"])),
        "people": str(len(people)),
    }
    db.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
    db.execute("COMMIT")


class _Db:
    """A read-only SQLite connection, reopened in a forked worker (a connection must not cross a fork)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pid = -1
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            import sqlite3

            uri = self.path.resolve().as_uri() + "?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._conn

    def one(self, sql: str, args: tuple[object, ...]) -> tuple | None:  # type: ignore[type-arg]
        row: tuple | None = self.conn.execute(sql, args).fetchone()  # type: ignore[type-arg]
        return row


class _Positions:
    """Key -> positions, read from one SQLite table by primary-key lookups (a mapping's get, [], in)."""

    def __init__(self, db: _Db, table: str) -> None:
        self._db = db
        self._sql = f"SELECT positions FROM {table} WHERE key = ?"
        self._cache: dict[str, list[int] | None] = {}

    def get(self, key: str, default: list[int] | None = None) -> list[int] | None:
        if key not in self._cache:
            row = self._db.one(self._sql, (key,))
            self._cache[key] = None if row is None else _unpack(row[0])
        found = self._cache[key]
        return default if found is None else found

    def __getitem__(self, key: str) -> list[int]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


_NAME_ROW = "SELECT position, entry, text, core, sorted, translit, surname FROM names"


class _Rows:
    """Names by position, read on demand (in bulk for a query's candidates) and kept."""

    def __init__(self, db: _Db) -> None:
        self._db = db
        self._cache: dict[int, tuple[int, str, str, str, int, int | None]] = {}
        self.cached = self._cache
        """Rows read so far; after :meth:`load`, every loaded position is in it."""

    def load(self, positions: list[int]) -> None:
        missing = list(set(positions).difference(self._cache))
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for position, *rest in self._db.conn.execute(f"{_NAME_ROW} WHERE position IN ({marks})", chunk):
                self._cache[position] = tuple(rest)  # type: ignore[assignment]

    def row(self, position: int) -> tuple[int, str, str, str, int, int | None]:
        found = self._cache.get(position)
        if found is None:
            self.load([position])
            found = self._cache.get(position)
            if found is None:
                raise IndexError(position)
        return found


_SORTED = itemgetter(3)


class _Column:
    def __init__(self, rows: _Rows, column: int) -> None:
        self._rows = rows
        self._column = column

    def __getitem__(self, position: int) -> object:
        return self._rows.row(position)[self._column]


class _People:
    """Name position -> surname token count, for names of people (a mapping's in, [] and truth)."""

    def __init__(self, rows: _Rows, count: int) -> None:
        self._rows = rows
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __contains__(self, position: object) -> bool:
        return isinstance(position, int) and self._count > 0 and self._rows.row(position)[5] is not None

    def __getitem__(self, position: int) -> int:
        surname = self._rows.row(position)[5]
        if surname is None:
            raise KeyError(position)
        return surname


class _Translit:
    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    def __contains__(self, position: object) -> bool:
        return isinstance(position, int) and bool(self._rows.row(position)[4])


class SqliteNameIndex(NameIndex):
    """A :class:`NameIndex` reading its tables from an SQLite file: only the keys and names a query touches."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        db = _Db(path)
        try:
            meta = dict(db.conn.execute("SELECT key, value FROM meta").fetchall())
            page_size = db.one("PRAGMA page_size", ())
            page_count = db.one("PRAGMA page_count", ())
        except sqlite3.Error as exc:
            raise ValueError(f"not a readable index ({exc})") from None
        if meta.get("format") != str(SQLITE_FORMAT) or meta.get("index_format") != str(INDEX_FORMAT):
            raise ValueError("written by another provcheck version")
        if meta.get("byteorder") != sys.byteorder:
            raise ValueError("written on a machine of another byte order")
        assert page_size is not None and page_count is not None
        if path.stat().st_size < page_size[0] * page_count[0]:
            raise ValueError("truncated")
        self._db = db
        self._rows = _Rows(db)
        self._count = int(meta["names"])
        self._entry_count = int(meta["entries"])
        self._entry_cache: dict[int, Entry] = {}
        self._name_entry = _Column(self._rows, 0)  # type: ignore[assignment]
        self._name_text = _Column(self._rows, 1)  # type: ignore[assignment]
        self._name_core = _Column(self._rows, 2)  # type: ignore[assignment]
        self._sorted = _Column(self._rows, 3)  # type: ignore[assignment]
        self._translit = _Translit(self._rows)  # type: ignore[assignment]
        self._person = _People(self._rows, int(meta["people"]))  # type: ignore[assignment]
        self._exact = _Positions(db, "exact")  # type: ignore[assignment]
        self._postings = _Positions(db, "postings")  # type: ignore[assignment]
        self._prefixes = None
        self._common = max(2_000, int(self._count * COMMON_TOKEN_SHARE))
        self._near_cache: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return self._count

    def _prefetch(self, positions: list[int]) -> None:
        self._rows.load(positions)

    def _choices(self, candidates: list[int]) -> list[str]:
        rows = self._rows.cached
        if len(candidates) == 1:
            return [rows[candidates[0]][3]]
        return list(map(_SORTED, itemgetter(*candidates)(rows)))

    def _tokens_near(self, prefix: str) -> list[str]:
        """An indexed range query on the postings keys, never a scan of the vocabulary."""
        found = self._near_cache.get(prefix)
        if found is None:
            start = prefix[1:]
            rows = self._db.conn.execute("SELECT key FROM postings WHERE key >= ? AND key < ? ORDER BY rank", (start, start + "\U0010ffff"))
            found = [key for (key,) in rows if _prefix_key(key) == prefix]
            self._near_cache[prefix] = found
        return found

    def entry(self, position: int) -> Entry:
        """The entry at ``position``, read from the file on first use and cached."""
        cached = self._entry_cache.get(position)
        if cached is None:
            row = self._db.one(f"SELECT {', '.join(_ENTRY_COLUMNS)} FROM entries WHERE position = ?", (position,))
            if row is None:
                raise IndexError(position)
            key, entry_id, name, aliases, parent, list_date, kind, births, countries = row
            cached = Entry(
                list_key=key,
                entry_id=entry_id,
                name=name,
                aliases=tuple(json.loads(aliases)),
                parent=parent,
                list_date=list_date,
                kind=kind,
                birth_dates=tuple(json.loads(births)) if births else (),
                countries=tuple(json.loads(countries)) if countries else (),
            )
            self._entry_cache[position] = cached
        return cached

    @property
    def entries(self) -> list[Entry]:
        """Every indexed entry, in order; reads them all, which searching never needs."""
        return [self.entry(i) for i in range(self._entry_count)]

    def to_json(self) -> str:
        """Not available: the JSON copy is written when the index is built."""
        raise TypeError("an SQLite-backed index is saved by save_sqlite when it is built")

    def save_sqlite(self, path: Path) -> None:
        """Not available: the file already exists."""
        raise TypeError("an SQLite-backed index is written when it is built")


def _similar(left: str, right: str) -> float:
    from rapidfuzz.distance import Levenshtein

    if left == right:
        return 1.0
    if len(left) == 1 or len(right) == 1:
        return 0.9 if left[0] == right[0] else 0.0
    return Levenshtein.normalized_similarity(left, right)


TOKEN_MATCH = 0.8
"""Two name parts this similar are the same part spelled another way (Sergeevich / Sergeyevich)."""


def person_score(query: tuple[str, ...], query_surname: int, listed: tuple[str, ...], listed_surname: int) -> tuple[int, str]:
    """How well two people's names agree, 0-100, and why; both in given-names-first order with the surname count (0: unknown)."""
    if not query or not listed:
        return 0, ""
    if sorted(query) == sorted(listed):
        return 100, "same person name" if query == listed else "same person name in another order"
    compact = "".join(query)
    orders = {"".join(listed)}
    if listed_surname and listed_surname < len(listed):
        orders.add("".join(listed[-listed_surname:] + listed[:-listed_surname]))
    if query_surname and query_surname < len(query):
        compact_q = {compact, "".join(query[-query_surname:] + query[:-query_surname])}
    else:
        compact_q = {compact}
    if len(query) != len(listed):
        spacing = max(_similar(q, o) for q in compact_q for o in orders)
        if spacing >= 0.95:
            return min(98, int(round(100 * spacing))), "same person name, spaced or hyphenated differently"
    # align name parts one to one, most similar pairs first
    pairs = sorted(
        ((_similar(q, e), i, j) for i, q in enumerate(query) for j, e in enumerate(listed)),
        reverse=True,
    )
    used_q: set[int] = set()
    used_e: set[int] = set()
    weight = total = 0.0
    for similarity, i, j in pairs:
        if similarity < TOKEN_MATCH or i in used_q or j in used_e:
            continue
        used_q.add(i)
        used_e.add(j)
        size = max(len(query[i]), len(listed[j]))
        weight += size
        total += similarity * size
    if len(used_q) < min(2, len(query), len(listed)) or not used_q:
        return 0, ""
    surnames = set(range(len(listed) - listed_surname, len(listed))) if listed_surname else {0, len(listed) - 1}
    if listed_surname and not surnames & used_e:
        return 0, ""
    if not listed_surname and not surnames & used_e:
        return 0, ""
    extra_query = len(query) - len(used_q)
    extra_listed = len(listed) - len(used_e)
    conflicts = min(extra_query, extra_listed)
    value = 100 * total / weight - 15 * conflicts - 8 * (extra_query - conflicts) - 5 * (extra_listed - conflicts)
    if len(used_q) == 1 and len(listed) > 1:
        value -= 20
    value = max(0, int(round(value)))
    if extra_listed and not extra_query:
        return value, f"person name {value}, {extra_listed} listed name part(s) not given"
    if conflicts:
        return value, f"person name {value}, {conflicts} name part(s) differ"
    return value, f"person name {value}"
