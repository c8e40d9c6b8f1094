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

The index is saved as compact JSON (entries plus one normalised core per
name) and rebuilt in memory on load; no pickle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import Normalised, normalise

INDEX_FORMAT = 2
MAX_BLOCK_TOKENS = 2
"""At most this many of the query's rarest tokens fetch candidates (one typo still leaves one)."""
CANDIDATE_BUDGET = 1_000
"""A second blocking token is used only while the candidates stay below this."""
COMMON_TOKEN_SHARE = 0.02
"""Tokens carried by more than this share of names (at least 2,000) are too common to block on."""
MAX_CANDIDATES = 20_000
SHORT_NAME = 6
"""Names with fewer letters than this only match exactly."""


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
        columns: dict[str, list] = {k: [] for k in ("list_key", "entry_id", "name", "aliases", "parent", "list_date")}  # type: ignore[type-arg]
        names: dict[str, list] = {"entry": [], "text": [], "core": [], "translit": []}  # type: ignore[type-arg]
        for entry in entries:
            position = len(columns["name"])
            seen: set[str] = set()
            for text in (entry.name, *entry.aliases):
                if not text or not text.strip():
                    continue
                normal = normalise(text)
                core = normal.text
                if not core or core in seen:
                    continue
                seen.add(core)
                if normal.transliterated:
                    names["translit"].append(len(names["core"]))
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
        return cls(columns, names)

    def __len__(self) -> int:
        return len(self._name_core)

    # ------------------------------------------------------------------ storage

    def to_json(self) -> str:
        """The index as compact JSON (entries and normalised cores), never pickle, so a cache file cannot run code."""
        names = {"entry": self._name_entry, "text": self._name_text, "core": self._name_core, "translit": sorted(self._translit)}
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

    # ------------------------------------------------------------------ searching

    def _near(self, token: str) -> list[int]:
        """Names with a token sharing ``token``'s first four letters (a typo at the end)."""
        prefix = _prefix_key(token)
        if prefix is None:
            return []
        if self._prefixes is None:
            prefixes: dict[str, list[str]] = {}
            for known in self._postings:
                key = _prefix_key(known)
                if key:
                    prefixes.setdefault(key, []).append(known)
            self._prefixes = prefixes
        found: list[int] = []
        for known in self._prefixes.get(prefix, ()):
            found.extend(self._postings[known])
        return found

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

    def search(self, name: str, threshold: int, *, normal: Normalised | None = None) -> list[Hit]:
        """Entries whose names score at least ``threshold`` against ``name``; best per entry."""
        from rapidfuzz import fuzz, process

        query = normal or normalise(name)
        core = query.text
        if not core:
            return []
        candidates = list(self._candidates(query))
        if not candidates:
            return []
        choices = itemgetter(*candidates)(self._sorted) if len(candidates) > 1 else [self._sorted[candidates[0]]]
        # ratio on token-sorted forms is token_sort_ratio without re-sorting every candidate
        query_sorted = " ".join(sorted(query.core))
        scored = process.extract(query_sorted, choices, scorer=fuzz.ratio, processor=None, score_cutoff=threshold, limit=None)
        compact = query.compact
        best: dict[int, Hit] = {}
        query_digits = _digits(core)
        for _, score, offset in scored:
            position = candidates[offset]
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
            hit = Hit(self.entry(entry_position), self._name_text[position], value, reason)
            previous = best.get(entry_position)
            if previous is None or hit.score > previous.score:
                best[entry_position] = hit
        # exact candidates that token_sort scored low ("hua wei" / "huawei")
        for position in (*self._exact.get(core, ()), *self._exact.get(compact, ())):
            entry_position = self._name_entry[position]
            if entry_position not in best:
                reason = self._exact_reason(name, query, position, spaces=True)
                if query.transliterated or position in self._translit:
                    reason += " (transliterated)"
                best[entry_position] = Hit(self.entry(entry_position), self._name_text[position], 100, reason)
        return sorted(best.values(), key=lambda h: (-h.score, h.entry.list_key, h.entry.entry_id))

    def _exact_reason(self, name: str, query: Normalised, position: int, *, spaces: bool) -> str:
        if spaces:
            return "exact ignoring spaces and legal forms"
        other = normalise(self._name_text[position])
        if other.tokens == query.tokens and other.native_forms == query.native_forms:
            return "exact after normalisation"
        return "exact after legal-form removal"
