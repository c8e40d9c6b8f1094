"""The monitor's memory: what the last run saw, kept beside the dossiers.

``provcheck monitor DIR`` writes ``DIR/provcheck-monitor.lock.json`` (or
``--state PATH``) at the end of each run, atomically, and reads it at the
start of the next to say what is new. It is JSON, not YAML, so folder
discovery never mistakes it for a dossier, and versioned by its first key
(``provcheck_monitor_state``): a file of a newer version is refused rather
than misread; older versions keep being read.

Per dossier (keyed by its path relative to the folder) it records the
decision and tier, screening hits (list, entry, which name in the chain),
date triggers fired, stale answers and evidence findings; per list source,
the cached copy's digest and dates, so the next run knows which lists
changed in between.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance_cli.util.errors import InputError, Problem

STATE_FORMAT = 1
"""Version of the state file layout."""
STATE_KEY = "provcheck_monitor_state"
"""The first key of every state file, holding its version; also the marker that provcheck wrote it."""
STATE_NAME = "provcheck-monitor.lock.json"


@dataclass(frozen=True)
class Hit:
    """A screening hit as the monitor remembers it: which list entry, which name in the dossier's chain."""

    list_key: str
    list_name: str
    entry_id: str
    entry_name: str
    screened_name: str
    role: str
    """vendor, alias, parent or person."""
    owner: str | None = None
    """For an owner or key person: the name the dossier gives them."""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What makes a hit the same hit between runs; the entry id is left out because some lists renumber on every rebuild."""
        return (self.list_key, self.entry_name.casefold(), self.role, self.screened_name.casefold())

    def who(self) -> str:
        """The dossier-side name in words: ``the vendor name 'X'``, ``owner 'Y' (as 'Z')``."""
        if self.role in ("vendor", "alias"):
            return f"the vendor's {'alias' if self.role == 'alias' else 'name'} {self.screened_name!r}"
        label = {"parent": "owner", "developer": "base-model developer"}.get(self.role, "key person")
        named = self.owner or self.screened_name
        return f"{label} {named!r}" + (f" (as {self.screened_name!r})" if self.screened_name != named else "")


@dataclass(frozen=True)
class DossierState:
    """One dossier as the last run saw it."""

    vendor: str
    sha256: str
    decision: str
    tier: str
    hits: tuple[Hit, ...] = ()
    triggers: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Trigger id -> (its message, the reason it gave: the dates behind it)."""
    stale: tuple[str, ...] = ()
    """Question ids whose answers were stale."""
    evidence: tuple[tuple[str, str, str], ...] = ()
    """(question id, url, status) of evidence findings (changed, removed, broken, unreachable)."""


@dataclass(frozen=True)
class ListState:
    """One cached list as the last run saw it."""

    sha256: str
    fetched_at: str
    list_dates: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class MonitorState:
    """Everything one monitor run remembers for the next."""

    written_at: str
    as_of: str
    policy_sha256: str
    dossiers: dict[str, DossierState] = field(default_factory=dict)
    lists: dict[str, ListState] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The state as written, version first."""
        return {
            STATE_KEY: STATE_FORMAT,
            "written_at": self.written_at,
            "as_of": self.as_of,
            "policy_sha256": self.policy_sha256,
            "lists": {key: vars(value) for key, value in sorted(self.lists.items())},
            "dossiers": {
                path: {
                    "vendor": d.vendor,
                    "sha256": d.sha256,
                    "decision": d.decision,
                    "tier": d.tier,
                    "hits": [vars(h) for h in d.hits],
                    "triggers": {k: list(v) for k, v in sorted(d.triggers.items())},
                    "stale": list(d.stale),
                    "evidence": [list(e) for e in d.evidence],
                }
                for path, d in sorted(self.dossiers.items())
            },
        }


def _dossier(data: dict[str, Any]) -> DossierState:
    return DossierState(
        vendor=str(data["vendor"]),
        sha256=str(data["sha256"]),
        decision=str(data["decision"]),
        tier=str(data["tier"]),
        hits=tuple(Hit(**{k: (None if v is None else str(v)) for k, v in hit.items()}) for hit in data.get("hits") or ()),  # type: ignore[arg-type]
        triggers={str(k): (str(v[0]), str(v[1])) for k, v in (data.get("triggers") or {}).items()},
        stale=tuple(str(q) for q in data.get("stale") or ()),
        evidence=tuple((str(e[0]), str(e[1]), str(e[2])) for e in data.get("evidence") or ()),
    )


def read_state(path: Path) -> MonitorState | None:
    """The state at ``path``; None when there is none (the first run). InputError when it is not a state file provcheck can read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError([Problem(str(path), 0, 0, f"cannot read the monitor state: {exc.strerror}")]) from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (exc.lineno, exc.colno) if isinstance(exc, json.JSONDecodeError) else (0, 0)
        raise InputError([Problem(str(path), *where, f"not a provcheck monitor state file: {exc}")]) from None
    version = data.get(STATE_KEY) if isinstance(data, dict) else None
    if not isinstance(version, int):
        raise InputError(
            [Problem(str(path), 1, 1, f"not a provcheck monitor state file (no {STATE_KEY} version); move it or pass --state")]
        )
    if version > STATE_FORMAT:
        raise InputError(
            [
                Problem(
                    str(path), 1, 1, f"monitor state format {version} was written by a newer provcheck; this one reads up to {STATE_FORMAT}"
                )
            ]
        )
    try:
        return MonitorState(
            written_at=str(data["written_at"]),
            as_of=str(data["as_of"]),
            policy_sha256=str(data.get("policy_sha256") or ""),
            dossiers={str(p): _dossier(d) for p, d in (data.get("dossiers") or {}).items()},
            lists={
                str(k): ListState(str(v["sha256"]), str(v["fetched_at"]), dict(v.get("list_dates") or {}))
                for k, v in (data.get("lists") or {}).items()
            },
        )
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise InputError(
            [
                Problem(
                    str(path), 1, 1, f"the monitor state file is damaged ({type(exc).__name__}: {exc}); delete it to start a new baseline"
                )
            ]
        ) from None


def write_state(path: Path, state: MonitorState, *, force: bool = False) -> None:
    """Write the state atomically, never over a file provcheck did not write (unless ``force``)."""
    from provenance_cli.util.files import atomic_write, check_replaceable

    check_replaceable(path, markers=(f'"{STATE_KEY}"',), force=force)
    atomic_write(path, json.dumps(state.as_dict(), ensure_ascii=False, indent=1) + "\n")
