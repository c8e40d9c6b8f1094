"""What flows through screening: list entries, settings, matches, results.

Frozen dataclasses only, so results can be shared between threads, cached
and compared in tests. Report wording lives here too ("listed on <list>
(<date>)"): a match is a fact about a list, never a finding about a company.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One record of one list, as screening sees it."""

    list_key: str
    """Stable key of the list the record belongs to (``el``, ``sdn``, ``dod_1260h``...)."""
    entry_id: str
    """The list's own id for the record (not stable across rebuilds on every list)."""
    name: str
    """The record's primary name, whitespace tidied."""
    aliases: tuple[str, ...] = ()
    """Other names of the record (alt names, native-script names, previous names)."""
    parent: str | None = None
    """Parent company named by the list, when it says (1260H)."""
    list_date: str | None = None
    """Edition or listing date of this record, when the list gives one per record."""
    kind: str = "company"
    """``company`` or ``person``; people are matched with person-name logic (vessels and aircraft are not screened)."""
    birth_dates: tuple[str, ...] = ()
    """Dates (or years) of birth of a person, as the list writes them; they rank candidates, never hide them."""
    countries: tuple[str, ...] = ()
    """ISO-2 nationalities, citizenships or address countries the list gives; they rank candidates, never hide them."""


@dataclass(frozen=True)
class AllowEntry:
    """A confirmed false positive that must not be reported again."""

    name: str
    """The screened (dossier) name or the matched list name, as written."""
    list_key: str
    """List key the false positive came from; ``*`` for any list."""
    entry_id: str = "*"
    """The list entry id; ``*`` for any entry (MEU and ITAR ids change on every rebuild)."""
    reason: str = ""
    """Why the match is a false positive."""
    approver: str = ""
    """Who confirmed it."""


@dataclass(frozen=True)
class ScreeningSettings:
    """How to screen; the policy file builds this."""

    threshold: int = 88
    """Lowest score (0-100) reported as a match."""
    allow: tuple[AllowEntry, ...] = ()
    """Confirmed false positives to suppress."""
    lists: tuple[str, ...] | None = None
    """Only report matches on these list keys; ``None`` for every list."""
    max_age_days: int | None = None
    """Warn when a cached list is older than this many days (``None``: config file, else 7)."""
    backend: str = "local"
    """``local`` (cached lists) or ``yente`` (a yente server)."""
    yente_url: str | None = None
    """Base URL of the yente server for the yente backend."""
    yente_dataset: str = "default"
    """yente dataset to match against."""
    extra: tuple[Entry, ...] = ()
    """Entries screened as if a list named them (``provcheck simulate``); never written to the cache."""
    required: tuple[str, ...] = ()
    """Sources the caller's policy requires besides the always-required CSL: one with no cache is reported as unavailable."""


@dataclass(frozen=True)
class ListVersion:
    """Which copy of a list a result was computed from."""

    key: str
    """Stable list key."""
    name: str
    """Display name of the list."""
    list_date: str | None
    """The list's own date (CSL: source_last_updated; 1260H: latest edition)."""
    fetched_at: str | None
    """When provcheck downloaded it (ISO 8601, UTC); ``None`` for bundled data."""
    sha256: str | None
    """Digest of the downloaded (or bundled) file."""
    record_count: int
    """Records of this list in the file."""
    source_url: str | None
    """Where the file came from."""


@dataclass(frozen=True)
class Match:
    """One screened name that resembles one list entry."""

    list_key: str
    """Stable key of the list (``el``, ``sdn``, ``dod_1260h``...)."""
    list_name: str
    """Display name of the list."""
    entry_id: str
    """The list's id for the entry."""
    entry_name: str
    """The entry's primary name on the list."""
    matched_name: str
    """The list-side name (primary or alias) that matched."""
    screened_name: str
    """The dossier-side name that matched."""
    role: str
    """``vendor`` (name or legal name), ``alias``, ``parent``, ``person`` or ``developer`` (of a model the vendor serves)."""
    score: int
    """Similarity 0-100 after normalisation."""
    reason: str
    """How the names matched, e.g. ``exact after legal-form removal`` or ``fuzzy 93 token_sort``."""
    list_date: str | None = None
    """Date of the list (or of the entry's edition) the match was found in."""
    parent_index: int | None = None
    """Position of the parent in the ownership chain (0 = nearest) for role ``parent``, of the person for ``person``,
    of the model in ``models`` for ``developer``."""
    parent_name: str | None = None
    """Name of that parent (person, developer) as the dossier gives it."""

    def describe(self) -> str:
        """The only sentence a report may say about a match."""
        when = f" ({self.list_date})" if self.list_date else ""
        return f"listed on {self.list_name}{when}"

    def as_dict(self) -> dict[str, object]:
        """The match as report JSON, with the one sentence a report may say about it."""
        return {
            "list": self.list_key,
            "list_name": self.list_name,
            "entry_id": self.entry_id,
            "entry_name": self.entry_name,
            "matched_name": self.matched_name,
            "screened_name": self.screened_name,
            "role": self.role,
            "parent_index": self.parent_index,
            "parent_name": self.parent_name,
            "score": self.score,
            "reason": self.reason,
            "list_date": self.list_date,
            "description": self.describe(),
        }


@dataclass(frozen=True)
class SourceCoverage:
    """Whether one list source was screened, and if not why: "no match" means nothing without it."""

    source: str
    """Source key: csl, dod_1260h, opensanctions, custom."""
    title: str
    screened: bool
    reason: str
    """For a screened source, what was used (cache date or bundled edition); otherwise why it was not screened."""
    entries: int = 0
    """Records searched (the sum over the source's lists)."""
    list_date: str | None = None
    """The newest list date the source states."""


@dataclass(frozen=True)
class ScreeningResult:
    """Everything one screening produced, with the list versions it used."""

    matches: tuple[Match, ...] = ()
    """Matches at or above the threshold, best first, allow-listed ones removed."""
    list_versions: tuple[ListVersion, ...] = ()
    """The lists screened against."""
    warnings: tuple[str, ...] = ()
    """Stale caches, unavailable lists, suppressed matches: said once each."""
    unavailable: tuple[str, ...] = ()
    """Source keys that could not be screened (no cache and no download)."""
    suppressed: tuple[Match, ...] = field(default=())
    coverage: tuple[SourceCoverage, ...] = ()
    """Every source, screened or not, with the reason: what a report must say before "no match"."""
    """Matches removed by the allow-list, kept for the audit trail."""

    def listings(self) -> frozenset[tuple[str, str]]:
        """(list key, role) pairs of the matches, for scoring rules."""
        return frozenset((m.list_key, m.role) for m in self.matches)

    def as_dict(self) -> dict[str, object]:
        """The result as ``screen --format json`` prints it; allow-listed matches are kept for the audit trail."""
        return {
            "matches": [m.as_dict() for m in self.matches],
            "suppressed": [m.as_dict() for m in self.suppressed],
            "lists": [vars(v) | {} for v in self.list_versions],
            "warnings": list(self.warnings),
            "unavailable": list(self.unavailable),
        }
