"""Screening names against every available list (the local backend).

Lists come from the cache; a required list with no cache is fetched once
when the network is allowed. The bundled 1260H file stands in when nothing
is cached, so screening always covers at least that list and says which
lists were unavailable.
"""

from __future__ import annotations

import dataclasses
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.config import SOURCE_KEYS
from provenance_cli.screening.model import (
    Entry,
    ListVersion,
    Match,
    ScreeningResult,
    ScreeningSettings,
    SourceCoverage,
)
from provenance_cli.screening.source import Source
from provenance_cli.util.errors import ServiceError
from provenance_cli.util.runmemo import RunMemo

if TYPE_CHECKING:
    from pathlib import Path

    from provenance_cli.screening.cache import CacheMeta
    from provenance_cli.screening.config import ScreeningConfig

SOURCE_ORDER = SOURCE_KEYS
"""Every source, in the order reports list them (the registry's order: screening/sources/__init__.py)."""


@dataclass(frozen=True)
class Query:
    """One dossier-side name to screen."""

    name: str
    role: str = "vendor"
    parent_index: int | None = None
    parent_name: str | None = None
    country: str | None = None
    """ISO-2 jurisdiction (a person: nationality), when the dossier gives one (used by the yente backend and for ranking)."""
    kind: str = "company"
    """``company`` or ``person``: a person is matched with person-name logic against listed people."""
    birth_date: str | None = None
    """A person's date (or year) of birth, when known: ranks candidates, never hides a name match."""


@dataclass
class Loaded:
    """One source ready to search: its name index and the list versions a match cites."""

    key: str
    index: object
    versions: dict[str, ListVersion]


def _versions_from_meta(meta) -> dict[str, ListVersion]:  # type: ignore[no-untyped-def]
    return {
        key: ListVersion(
            key=key,
            name=info.get("name") or LIST_NAMES.get(key, key),
            list_date=info.get("list_date"),
            fetched_at=meta.fetched_at,
            sha256=meta.sha256,
            record_count=int(info.get("count") or 0),
            source_url=meta.url,
        )
        for key, info in sorted(meta.lists.items())
    }


_fetch_failures: dict[tuple[str, str | None], str] = {}
"""Sources whose automatic download failed in this process: tried once, not once per dossier."""
_bundled: dict[tuple[str, float], Loaded] = {}


def _load_bundled(source: Source) -> Loaded | None:
    """The copy of ``source`` shipped with provcheck, parsed and indexed once per process.

    Indexing even a short list transliterates its names (the 1260H list's
    Chinese names load a table per Unicode block): about a tenth of a
    single-file ``assess``. So the index is kept in the compiled cache
    (:func:`provenance_cli.formats.catalogue_cache.cached_build`, subfolder
    ``screening``), keyed by the file's content and the source of the code
    that parses and indexes it.
    """
    import sys

    from provenance_cli.formats.catalogue_cache import cached_build
    from provenance_cli.screening import index, model, normalize

    path = source.bundled_path()
    if path is None:
        return None
    stamp = (str(path), path.stat().st_mtime)
    if stamp not in _bundled:
        parser = sys.modules[type(source).__module__]
        _bundled[stamp] = cached_build(
            [path],
            lambda _: _index_bundled(source, path),
            Loaded,
            tag=source.key,
            modules=(index, model, normalize, parser),
            kind="screening",
        )
    return _bundled[stamp]


def _index_bundled(source: Source, path: Path) -> Loaded:
    """Parse and index the bundled copy at ``path`` (what :func:`_load_bundled` caches)."""
    import hashlib

    from provenance_cli.screening.index import NameIndex

    bundled = source.bundled()
    assert bundled is not None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    versions = {
        k: ListVersion(k, info.name, info.list_date, None, digest, info.count, "bundled with provcheck")
        for k, info in bundled.lists.items()
    }
    return Loaded(source.key, NameIndex.build(bundled.entries), versions)


LoadedLists = tuple[list[Loaded], list[str], list[str], list[SourceCoverage]]

_offline_lists: dict[tuple[object, ...], tuple[object, LoadedLists]] = {}
"""Offline :func:`load_lists` results of this process, keyed by the settings and each cache's meta.json stamp."""


def _cache_stamps() -> tuple[tuple[int, int, int] | None, ...] | None:
    """(mtime, size, inode) of every source's meta.json, None for an absent one; None when a cache cannot be inspected."""
    import os

    from provenance_cli.screening.cache import source_dir

    stamps: list[tuple[int, int, int] | None] = []
    for key in SOURCE_ORDER:
        try:
            status = os.stat(source_dir(key) / "meta.json")
        except (FileNotFoundError, NotADirectoryError):
            stamps.append(None)
            continue
        except OSError:
            return None
        stamps.append((status.st_mtime_ns, status.st_size, status.st_ino))
    return tuple(stamps)


_run_lists: RunMemo[tuple[object, ...], LoadedLists] = RunMemo()
"""The offline answers of the run in progress (see :func:`one_run`), by settings."""


def one_run() -> AbstractContextManager[None]:
    """Screen every dossier of one run against the same lists, looked up once.

    Offline, :func:`load_lists` otherwise works out the config file and
    stats every cache's ``meta.json`` for each dossier (about 0.4 ms, most
    of offline screening's cost in a portfolio) to notice a cache rewritten
    meanwhile. Inside this block the first answer for each settings is kept
    until the block ends, so a run reads one state of the caches, and the
    next run (even in the same process) looks again.
    """
    return _run_lists.run()


def load_lists(settings: ScreeningSettings, *, offline: bool) -> LoadedLists:
    """Every list screening can use now, with warnings, the sources left out, and what was screened and why not.

    Offline (as in ``assess``), the answer is computed once per process for
    the same settings, config and cached lists, instead of re-reading every
    ``meta.json`` for every dossier; a cache rewritten meanwhile changes its
    stamp and is read again. Within :func:`one_run` it is looked up once per run.
    """
    from provenance_cli.screening.config import load_config
    from provenance_cli.util.net import is_offline

    offline = offline or is_offline()
    if not offline:
        return _load_lists(settings, offline=False, config=load_config())
    run_key = (settings.max_age_days, settings.required)
    answer = _run_lists.get(run_key)
    if answer is None:
        answer, keep = _offline_lists_now(settings)
        if answer is None:
            return _load_lists(settings, offline=True, config=load_config())
        if keep:
            _run_lists.put(run_key, answer)
    loaded, warnings, unavailable, coverage = answer
    return list(loaded), list(warnings), list(unavailable), list(coverage)


def _offline_lists_now(settings: ScreeningSettings) -> tuple[LoadedLists | None, bool]:
    """:func:`load_lists` offline, memoised per config and cache stamps; whether the answer may be kept for other dossiers.

    None when a cache cannot be inspected (then the caller reads the lists afresh).
    """
    from provenance_cli.screening import cache
    from provenance_cli.screening.config import load_config

    config = load_config()
    stamps = _cache_stamps()
    if stamps is None:
        return None, False
    # The open-index cache is part of the key: forgetting it (as a fresh process would) forgets these answers too.
    key = (settings.max_age_days, settings.required, id(config), id(cache._loaded), stamps)
    kept = _offline_lists.get(key)
    if kept is None or kept[0] is not config:
        events: list[str] = []
        answer = _load_lists(settings, offline=True, config=config, events=events)
        if events:  # one-time news (an index rebuilt): the next dossier must not hear it again, so nothing is kept
            return answer, False
        kept = (config, answer)
        if len(_offline_lists) >= 16:  # a long-lived process with changing caches keeps only recent answers
            _offline_lists.clear()
        _offline_lists[key] = kept
    return kept[1], True


def _load_lists(settings: ScreeningSettings, *, offline: bool, config: ScreeningConfig, events: list[str] | None = None) -> LoadedLists:
    """:func:`load_lists` without the per-process memory; what opening an index said goes to ``events`` too."""
    from provenance_cli.screening.cache import load_index
    from provenance_cli.screening.source import get_source

    def heard(message: str) -> None:
        warnings.append(message)
        if events is not None:
            events.append(message)

    max_age = settings.max_age_days if settings.max_age_days is not None else config.max_age_days
    loaded: list[Loaded] = []
    warnings: list[str] = []
    unavailable: list[str] = []
    coverage: list[SourceCoverage] = []
    for key in SOURCE_ORDER:
        source = get_source(key)
        # A source the policy requires is needed unless bundled data stands in for it (the 1260H starter set).
        needed = source.required or key in config.urls or (key in settings.required and source.bundled_path() is None)
        before = len(warnings)
        meta = _cached_meta(source, needed=needed, offline=offline, config=config, warnings=warnings)
        if meta is not None:
            try:
                index = load_index(meta, warn=heard)
            except (OSError, ValueError) as exc:
                warnings.append(f"{source.title}: the cached copy cannot be read ({exc}); run provcheck lists update {key}")
                meta = None
            else:
                age = meta.age_days()
                if age > max_age:
                    warnings.append(
                        f"{source.title}: using a stale cache fetched {meta.fetched_date} "
                        f"({age:.0f} days old); run provcheck lists update {key}"
                    )
                loaded.append(Loaded(key, index, _versions_from_meta(meta)))
                coverage.append(_screened(key, source.title, loaded[-1], f"cache fetched {meta.fetched_date}"))
                continue
        bundled = _load_bundled(source)
        if bundled is not None:
            loaded.append(bundled)
            coverage.append(_screened(key, source.title, bundled, source.bundled_gap() or "bundled edition"))
        elif needed:
            unavailable.append(key)
            why = warnings[-1].split(": ", 1)[-1] if len(warnings) > before else "not cached"
            coverage.append(SourceCoverage(key, source.title, False, why))
        elif source.default_url:
            coverage.append(SourceCoverage(key, source.title, False, f"not cached (optional for this buyer; provcheck lists update {key})"))
        else:
            coverage.append(SourceCoverage(key, source.title, False, f"not configured (optional; provcheck lists update {key} --url ...)"))
    return loaded, warnings, unavailable, coverage


def _cached_meta(source: Source, *, needed: bool, offline: bool, config: ScreeningConfig, warnings: list[str]) -> CacheMeta | None:
    """The cache of ``source``, fetched first when it is needed, absent and the network allowed; why not, in ``warnings``."""
    from provenance_cli.screening.cache import read_meta

    key = source.key
    try:
        meta = read_meta(key)
    except ServiceError as exc:
        if needed:  # an optional list nobody configured is not missed; a cache that cannot be read is not refilled either
            warnings.append(f"{source.title}: not screened; {exc}")
        return None
    if meta is not None or not needed:
        return meta
    if offline:
        warnings.append(f"{source.title}: not cached, so names were not screened against it (run provcheck lists update {key})")
    elif (key, config.urls.get(key)) in _fetch_failures:
        warnings.append(_fetch_failures[key, config.urls.get(key)])
    else:
        from provenance_cli.screening.fetch import update_source

        try:
            return update_source(key, config=config).meta
        except ServiceError as exc:
            _fetch_failures[key, config.urls.get(key)] = f"{source.title}: not screened; {exc}"
            warnings.append(f"{source.title}: not screened; {exc}")
    return None


def _simulated(entries: tuple[Entry, ...]) -> Loaded:
    """The entries a simulation adds, as one more source to search (in memory only)."""
    from provenance_cli.screening.index import NameIndex

    keys = sorted({e.list_key for e in entries})
    versions = {
        key: ListVersion(
            key, LIST_NAMES.get(key, key), "simulated", None, None, sum(1 for e in entries if e.list_key == key), "provcheck simulate"
        )
        for key in keys
    }
    return Loaded("simulated", NameIndex.build(entries), versions)


def _screened(key: str, title: str, loaded: Loaded, how: str) -> SourceCoverage:
    versions = list(loaded.versions.values())
    dates = [v.list_date for v in versions if v.list_date]
    return SourceCoverage(key, title, True, how, sum(v.record_count for v in versions), max(dates) if dates else None)


def _apply_allow_list(
    matches: list[Match], settings: ScreeningSettings, ranks: dict[Match, int] | None = None
) -> tuple[list[Match], list[Match], list[str]]:
    """Matches kept (best first), those the policy's confirmed false positives suppress, and a warning saying so.

    The same for every backend: a false positive confirmed once stays suppressed, whoever screened.
    """
    kept: list[Match] = []
    suppressed: list[Match] = []
    for match in matches:
        (suppressed if _allowed(match, settings) else kept).append(match)
    order = {"vendor": 0, "alias": 1, "parent": 2, "person": 3, "developer": 4}
    ranked = ranks or {}
    kept.sort(key=lambda m: (-m.score, ranked.get(m, 1), order.get(m.role, 3), m.parent_index or 0, m.list_key, m.entry_id))
    notes = [f"{len(suppressed)} match(es) suppressed by the allow-list of confirmed false positives"] if suppressed else []
    return kept, suppressed, notes


def _allowed(match: Match, settings: ScreeningSettings) -> bool:
    from provenance_cli.screening.normalize import normalise

    if not settings.allow:
        return False
    names = {
        normalise(match.screened_name).text,
        normalise(match.matched_name).text,
        normalise(match.entry_name).text,
    }
    for allow in settings.allow:
        if allow.list_key not in ("*", match.list_key):
            continue
        if allow.entry_id not in ("*", "", match.entry_id):
            continue
        if normalise(allow.name).text in names:
            return True
    return False


def _corroboration(query: Query, entry) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Rank (0 agrees, 1 unknown, 2 differs) and a note from date of birth and nationality; never a reason to drop a match."""
    notes: list[str] = []
    rank = 1
    if query.birth_date and entry.birth_dates:
        year = query.birth_date[:4]
        if any(b == query.birth_date or (len(b) == 4 or len(query.birth_date) == 4) and b[:4] == year for b in entry.birth_dates):
            notes.append("date of birth agrees")
            rank = 0
        else:
            notes.append(f"date of birth differs (listed {', '.join(entry.birth_dates)})")
            rank = 2
    if query.kind == "person" and query.country and entry.countries:
        if query.country.upper() in entry.countries:
            notes.append("nationality agrees")
            rank = min(rank, 0) if rank != 2 else 2
        else:
            notes.append(f"nationality differs (listed {', '.join(entry.countries)})")
            rank = 2
    return rank, "; ".join(notes)


def screen_queries(queries: list[Query], settings: ScreeningSettings, *, offline: bool = False, per_name: bool = False) -> ScreeningResult:
    """Screen dossier-side names against every available list.

    A listed entry is reported once per role (and parent) of a dossier; with
    ``per_name`` (a batch of plain names) once per screened name, so every
    name that hits an entry gets its own row. People's dates of birth and
    nationalities, when both sides have them, rank matches of equal score
    and are said in the reason; they never remove a name match.
    """
    if settings.backend == "yente":
        from provenance_cli.screening.yente import screen_yente

        remote = screen_yente(queries, settings)
        kept, suppressed, notes = _apply_allow_list(list(remote.matches), settings)
        return dataclasses.replace(
            remote, matches=tuple(kept), suppressed=(*remote.suppressed, *suppressed), warnings=(*remote.warnings, *notes)
        )
    from provenance_cli.screening.normalize import Normalised, normalise

    loaded, warnings, unavailable, coverage = load_lists(settings, offline=offline)
    if settings.extra:
        loaded.append(_simulated(settings.extra))
    wanted = set(settings.lists) if settings.lists else None
    best: dict[tuple[str, str, str, int | None, str | None], Match] = {}
    ranks: dict[Match, int] = {}
    normals: dict[str, Normalised] = {}
    for query in queries:
        if not query.name or not query.name.strip():
            continue
        normal = normals.get(query.name) or normalise(query.name)
        normals[query.name] = normal
        for lists in loaded:
            for hit in lists.index.search(query.name, settings.threshold, normal=normal, kind=query.kind):  # type: ignore[attr-defined]
                entry = hit.entry
                if wanted is not None and entry.list_key not in wanted:
                    continue
                rank, note = _corroboration(query, entry)
                version = lists.versions.get(entry.list_key)
                match = Match(
                    list_key=entry.list_key,
                    list_name=version.name if version else LIST_NAMES.get(entry.list_key, entry.list_key),
                    entry_id=entry.entry_id,
                    entry_name=entry.name,
                    matched_name=hit.matched_name,
                    screened_name=query.name,
                    role=query.role,
                    score=hit.score,
                    reason=hit.reason + (f"; listed under parent {entry.parent}" if entry.parent else "") + (f"; {note}" if note else ""),
                    list_date=entry.list_date or (version.list_date if version else None),
                    parent_index=query.parent_index,
                    parent_name=query.parent_name,
                )
                slot = (entry.list_key, entry.entry_id, query.role, query.parent_index, query.name if per_name else None)
                if slot not in best or (match.score, -rank) > (best[slot].score, -ranks[best[slot]]):
                    best[slot] = match
                    ranks[match] = rank
    kept, suppressed, notes = _apply_allow_list(list(best.values()), settings, ranks)
    warnings.extend(notes)
    versions = tuple(v for lists in loaded for v in lists.versions.values())
    return ScreeningResult(
        matches=tuple(kept),
        list_versions=versions,
        warnings=tuple(warnings),
        unavailable=tuple(unavailable),
        suppressed=tuple(suppressed),
        coverage=tuple(coverage),
    )


def dossier_queries(dossier) -> list[Query]:  # type: ignore[no-untyped-def]
    """Every name of a dossier's vendor, ownership chain, key people and base-model developers, with its role."""
    vendor = dossier.model.vendor
    home = vendor.headquarters or None
    queries = [Query(vendor.legal_name, "vendor", country=home)]
    if vendor.name and vendor.name != vendor.legal_name:
        queries.append(Query(vendor.name, "vendor", country=home))
    queries.extend(Query(alias, "alias", country=home) for alias in vendor.aliases)
    for position, parent in enumerate(vendor.parents):
        where = parent.jurisdiction or None
        born = parent.date_of_birth.isoformat() if parent.date_of_birth else None
        for name in (parent.name, *parent.aliases):
            queries.append(Query(name, "parent", position, parent.name, where, parent.kind, born))
    for position, person in enumerate(vendor.people):
        where = person.nationality or None
        born = person.date_of_birth.isoformat() if person.date_of_birth else None
        for name in (person.name, *person.aliases):
            queries.append(Query(name, "person", position, person.name, where, "person", born))
    # A model built by someone else (a host serving another lab's weights): its developer is screened too;
    # parent_index is then the model's position in ``models``, so a hit concerns that model only.
    for position, served in enumerate(dossier.model.models):
        developer = served.developer
        if developer is None:
            continue
        for name in (developer.name, *developer.aliases):
            queries.append(Query(name, "developer", position, developer.name, developer.jurisdiction or None))
    return queries
