"""Screening vendor names against sanctions and export-control lists.

Public API for the rest of provcheck (assess, reports):

* :func:`screen_dossier` - every name of a dossier's vendor and ownership chain;
* :func:`screen_names` - a plain list of names;
* :func:`cache_available` - whether any downloaded list is cached;
* :class:`ScreeningSettings`, :class:`AllowEntry` - threshold and confirmed false positives;
* :class:`ScreeningResult`, :class:`Match`, :class:`ListVersion` - what comes back.

A match only ever means "listed on <list> (<date>)". Nothing here prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import (
    AllowEntry,
    Entry,
    ListVersion,
    Match,
    ScreeningResult,
    ScreeningSettings,
)

if TYPE_CHECKING:
    from provenance_cli.formats.dossier import Dossier

__all__ = [
    "LIST_NAMES",
    "AllowEntry",
    "Entry",
    "ListVersion",
    "Match",
    "ScreeningResult",
    "ScreeningSettings",
    "cache_available",
    "screen_dossier",
    "screen_names",
]


def screen_dossier(dossier: Dossier, settings: ScreeningSettings, *, offline: bool = False) -> ScreeningResult:
    """Screen the vendor's names, aliases and every parent (and parent alias) of a dossier."""
    from provenance_cli.screening.screen import dossier_queries, screen_queries

    return screen_queries(dossier_queries(dossier), settings, offline=offline)


def screen_names(
    names: list[str], settings: ScreeningSettings, *, offline: bool = False, people: list[str] | None = None
) -> ScreeningResult:
    """Screen plain names (role ``vendor``), ``people`` as persons; each name gets its own rows."""
    from provenance_cli.screening.screen import Query, screen_queries

    queries = [Query(name, "vendor") for name in names] + [Query(name, "vendor", kind="person") for name in people or ()]
    return screen_queries(queries, settings, offline=offline, per_name=True)


def cache_available() -> bool:
    """Whether at least one downloaded list is in the cache (a cache that cannot be read holds none that can be used)."""
    from provenance_cli.screening.cache import read_meta
    from provenance_cli.screening.screen import SOURCE_ORDER
    from provenance_cli.util.errors import ServiceError

    try:
        return any(read_meta(key) is not None for key in SOURCE_ORDER)
    except ServiceError:
        return False
