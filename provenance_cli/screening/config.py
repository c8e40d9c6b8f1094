"""Where lists come from and how hard to try: options > environment > config file > defaults.

The config file is ``$PROVCHECK_CONFIG`` or ``<user config dir>/provcheck/config.yaml``::

    screening:
      connect_timeout: 10       # seconds
      read_timeout: 30          # seconds
      retries: 3                # extra attempts after a transient failure
      backoff: 1.0              # seconds before the first retry, doubled each time (with jitter)
      deadline: 600             # seconds for one list's whole download, retries and waits included
      max_age_days: 7           # warn when a cached list is older
      sources:
        csl: {url: https://mirror.example/consolidated.json, max_bytes: 200000000}
        opensanctions: {url: https://.../targets.simple.csv}
        custom: {url: /path/to/deny-list.csv}

Environment: ``PROVCHECK_CACHE_DIR``, ``PROVCHECK_<SOURCE>_URL`` (e.g.
``PROVCHECK_CSL_URL``), ``PROVCHECK_CONNECT_TIMEOUT``, ``PROVCHECK_READ_TIMEOUT``,
``PROVCHECK_RETRIES``, ``PROVCHECK_BACKOFF``, ``PROVCHECK_DEADLINE``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from provenance_cli.util.errors import Problem, UsageError


@dataclass(frozen=True)
class FetchSettings:
    """How one download is attempted."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    deadline: float = 600.0
    """Seconds for the whole download of one list: redirects, retries and the waits between them."""
    max_bytes: int | None = None
    """Size cap; ``None`` uses the source's own default."""


@dataclass(frozen=True)
class ScreeningConfig:
    """Screening settings: the config file, with the environment applied over it."""

    fetch: FetchSettings = FetchSettings()
    urls: dict[str, str] = field(default_factory=dict)
    """Source key -> URL (or local path) configured by the user."""
    max_bytes: dict[str, int] = field(default_factory=dict)
    max_age_days: int = 7
    path: str | None = None
    """The config file read, if any."""


def cache_dir() -> Path:
    """Folder holding the cached lists (``PROVCHECK_CACHE_DIR`` moves it)."""
    moved = os.environ.get("PROVCHECK_CACHE_DIR", "").strip()
    if moved:
        return Path(moved).expanduser() / "lists"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("provcheck")) / "lists"


def config_path() -> Path | None:
    """``$PROVCHECK_CONFIG`` when set (even if missing, so a mistyped path is an error), else the user config file if it exists."""
    explicit = os.environ.get("PROVCHECK_CONFIG", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_config_dir

    default = Path(user_config_dir("provcheck")) / "config.yaml"
    try:
        return default if default.is_file() else None
    except OSError as exc:  # a config folder without search permission: whether a config exists cannot even be told
        raise UsageError(
            f"cannot read the config folder {default.parent}: {exc.strerror}; "
            "fix its permissions, or point PROVCHECK_CONFIG at a config file"
        ) from None


def _number(value: Any, kind: type, where: str) -> Any:
    try:
        number = kind(str(value).strip())
    except ValueError:
        raise UsageError(f"{where}: expected a number, got {value!r}") from None
    if number < 0:
        raise UsageError(f"{where}: must not be negative, got {value!r}")
    return number


SOURCE_KEYS = ("csl", "dod_1260h", "un_sc", "eu_fsf", "uk_sanctions", "opensanctions", "custom")
"""Sources a config file or ``PROVCHECK_<SOURCE>_URL`` may name (kept in step with screening/sources/__init__.py by a test)."""

_FETCH_NUMBERS: tuple[tuple[str, type], ...] = (
    ("connect_timeout", float),
    ("read_timeout", float),
    ("retries", int),
    ("backoff", float),
    ("deadline", float),
)
"""FetchSettings fields the config file (``screening.<name>``) and the environment (``PROVCHECK_<NAME>``) may set."""

_configs: dict[tuple[object, ...], ScreeningConfig] = {}


def load_config() -> ScreeningConfig:
    """Read the config file (if any) and the environment (memoised per file state and environment)."""
    path = config_path()
    try:
        stamp = path.stat().st_mtime_ns if path is not None else None
    except OSError:
        stamp = None
    key = (str(path), stamp, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("PROVCHECK_"))))
    if key not in _configs:
        _configs[key] = _read_config(path)
    return _configs[key]


def _read_config(path: Path | None) -> ScreeningConfig:
    config = ScreeningConfig()
    fetch = config.fetch
    urls: dict[str, str] = {}
    caps: dict[str, int] = {}
    max_age = config.max_age_days
    if path is not None:
        from provenance_cli.formats.safeyaml import load_file
        from provenance_cli.util.errors import InputError

        document = load_file(path)
        section = document.data.get("screening") if isinstance(document.data, dict) else None
        if section is not None and not isinstance(section, dict):
            raise InputError([document.problem(("screening",), "expected a mapping")])
        section = section or {}
        for name, kind in _FETCH_NUMBERS:
            if section.get(name) is not None:
                fetch = replace(fetch, **{name: _number(section[name], kind, f"{path}: screening.{name}")})
        if section.get("max_age_days") is not None:
            max_age = _number(section["max_age_days"], int, f"{path}: screening.max_age_days")
        sources = section.get("sources") or {}
        if not isinstance(sources, dict):
            raise InputError(
                [
                    document.problem(
                        ("screening", "sources"),
                        "expected a mapping of source name to {url, max_bytes}",
                    )
                ]
            )
        for key, value in sources.items():
            if not isinstance(value, dict):
                raise InputError([document.problem(("screening", "sources", key), "expected {url: ..., max_bytes: ...}")])
            if value.get("url"):
                urls[key] = str(value["url"]).strip()
            if value.get("max_bytes") is not None:
                caps[key] = _number(value["max_bytes"], int, f"{path}: screening.sources.{key}.max_bytes")
        unknown = set(sources) - set(SOURCE_KEYS)
        if unknown:
            key = sorted(unknown)[0]
            line, column = document.locate(("screening", "sources", key), prefer_key=True)
            raise InputError(
                [
                    Problem(
                        str(path),
                        line,
                        column,
                        f"unknown source {key!r}; expected one of {', '.join(SOURCE_KEYS)}",
                    )
                ]
            )
    for name, kind in _FETCH_NUMBERS:
        value = os.environ.get(f"PROVCHECK_{name.upper()}", "").strip()
        if value:
            fetch = replace(fetch, **{name: _number(value, kind, f"PROVCHECK_{name.upper()}")})
    for key in SOURCE_KEYS:
        value = os.environ.get(f"PROVCHECK_{key.upper()}_URL", "").strip()
        if value:
            urls[key] = value
    return ScreeningConfig(
        fetch=fetch,
        urls=urls,
        max_bytes=caps,
        max_age_days=max_age,
        path=str(path) if path else None,
    )
