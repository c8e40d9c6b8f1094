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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from provenance_cli.screening.model import Entry
from provenance_cli.screening.normalize import Normalised, normalise

INDEX_FORMAT = 1
MAX_BLOCK_TOKENS = 3
"""At most this many of the query's rarest tokens fetch candidates."""
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


def _digits(core: Sequence[str]) -> frozenset[str]:
    return frozenset(t for t in core if any(c.isdigit() for c in t))


class NameIndex:
    """Names of one source's entries, ready to be searched."""

    def __init__(self, entries: list[Entry], names: list[tuple[int, str, str, bool]]) -> None:
        self.entries = entries
        self._name_entry = [n[0] for n in names]
        self._name_text = [n[1] for n in names]
        self._name_core = [n[2] for n in names]
        self._name_translit = [n[3] for n in names]
        exact: dict[str, list[int]] = {}
        postings: dict[str, list[int]] = {}
        for position, core in enumerate(self._name_core):
            exact.setdefault(core, []).append(position)
            tokens = core.split()
            if len(tokens) > 1:
                exact.setdefault("".join(tokens), []).append(position)
            for token in set(tokens):
                postings.setdefault(token, []).append(position)
                prefix = _prefix_key(token)
                if prefix:
                    postings.setdefault(prefix, []).append(position)
        self._exact = exact
        self._postings = postings
        self._common = max(2_000, int(len(names) * COMMON_TOKEN_SHARE))

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> NameIndex:
        kept: list[Entry] = []
        names: list[tuple[int, str, str, bool]] = []
        for entry in entries:
            position = len(kept)
            seen: set[str] = set()
            for text in (entry.name, *entry.aliases):
                if not text or not text.strip():
                    continue
                normal = normalise(text)
                core = normal.text
                if not core or core in seen:
                    continue
                seen.add(core)
                names.append((position, text, core, normal.transliterated))
            if seen:
                kept.append(entry)
        return cls(kept, names)

    def __len__(self) -> int:
        return len(self._name_core)

    # ------------------------------------------------------------------ storage

    def to_json(self) -> str:
        entries = [[e.list_key, e.entry_id, e.name, list(e.aliases), e.parent, e.list_date] for e in self.entries]
        names = [
            [
                self._name_entry[i],
                self._name_text[i],
                self._name_core[i],
                int(self._name_translit[i]),
            ]
            for i in range(len(self._name_core))
        ]
        return json.dumps(
            {"format": INDEX_FORMAT, "entries": entries, "names": names},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> NameIndex:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
            raise ValueError("unknown index format")
        entries = [Entry(list_key=k, entry_id=i, name=n, aliases=tuple(a), parent=p, list_date=d) for k, i, n, a, p, d in data["entries"]]
        names = [(e, t, c, bool(x)) for e, t, c, x in data["names"]]
        return cls(entries, names)

    def save(self, path: Path) -> None:
        from provenance_cli.fsutil import atomic_write

        atomic_write(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> NameIndex:
        return cls.from_json(path.read_bytes())

    # ------------------------------------------------------------------ searching

    def _candidates(self, query: Normalised) -> set[int]:
        core = query.text
        found: set[int] = set(self._exact.get(core, ()))
        if len(query.core) > 1:
            found.update(self._exact.get(query.compact, ()))
        keys: list[tuple[int, str]] = []
        for token in set(query.core):
            posting = self._postings.get(token)
            if posting is None:
                prefix = _prefix_key(token)
                posting = self._postings.get(prefix) if prefix else None
                if posting is None:
                    continue
                token = prefix  # type: ignore[assignment]
            keys.append((len(posting), token))
        keys.sort()
        used = 0
        for size, token in keys:
            if used >= MAX_BLOCK_TOKENS or len(found) >= MAX_CANDIDATES:
                break
            if size > self._common and used:
                break
            if size > MAX_CANDIDATES:
                continue
            found.update(self._postings[token])
            used += 1
        return found

    def search(self, name: str, threshold: int, *, normal: Normalised | None = None) -> list[Hit]:
        """Entries whose names score at least ``threshold`` against ``name``; best per entry."""
        from rapidfuzz import fuzz, process

        query = normal or normalise(name)
        core = query.text
        if not core:
            return []
        candidates = sorted(self._candidates(query))
        if not candidates:
            return []
        choices = [self._name_core[i] for i in candidates]
        scored = process.extract(
            core,
            choices,
            scorer=fuzz.token_sort_ratio,
            processor=None,
            score_cutoff=threshold,
            limit=None,
        )
        compact = query.compact
        best: dict[int, Hit] = {}
        query_digits = _digits(query.core)
        for choice, score, offset in scored:
            position = candidates[offset]
            other_compact = choice.replace(" ", "")
            if choice == core or other_compact == compact:
                value = 100
                reason = self._exact_reason(name, query, position, spaces=choice != core)
            else:
                if min(len(compact), len(other_compact)) < SHORT_NAME:
                    continue
                if query_digits != _digits(choice.split()):
                    continue
                value = int(round(score))
                if value < threshold:
                    continue
                reason = "same words in another order" if value == 100 else f"fuzzy {value} token_sort"
            if query.transliterated or self._name_translit[position]:
                reason += " (transliterated)"
            entry_position = self._name_entry[position]
            hit = Hit(self.entries[entry_position], self._name_text[position], value, reason)
            previous = best.get(entry_position)
            if previous is None or hit.score > previous.score:
                best[entry_position] = hit
        # exact candidates that token_sort scored low ("hua wei" / "huawei")
        for position in (*self._exact.get(core, ()), *self._exact.get(compact, ())):
            entry_position = self._name_entry[position]
            if entry_position not in best:
                reason = self._exact_reason(name, query, position, spaces=True)
                if query.transliterated or self._name_translit[position]:
                    reason += " (transliterated)"
                best[entry_position] = Hit(self.entries[entry_position], self._name_text[position], 100, reason)
        return sorted(best.values(), key=lambda h: (-h.score, h.entry.list_key, h.entry.entry_id))

    def _exact_reason(self, name: str, query: Normalised, position: int, *, spaces: bool) -> str:
        if spaces:
            return "exact ignoring spaces and legal forms"
        other = normalise(self._name_text[position])
        if other.tokens == query.tokens and other.native_forms == query.native_forms:
            return "exact after normalisation"
        return "exact after legal-form removal"
