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

Every key is checked: a mistyped one (``retires: 5``) is refused with its
file, line and column, never ignored while the default silently applies.

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
    from provenance_cli.util.cachedir import cache_root

    return cache_root() / "lists"


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


CONFIG_KEYS = ("screening",)
"""Top-level keys of the config file."""
SCREENING_KEYS = (*(name for name, _ in _FETCH_NUMBERS), "max_age_days", "sources")
"""Keys of its ``screening:`` section: the download settings, the cache age and the sources."""
SOURCE_SETTINGS = ("url", "max_bytes")
"""Keys of one source under ``screening.sources`` (the sources themselves are :data:`SOURCE_KEYS`)."""


def _unknown_keys(document: Any, mapping: dict[str, Any], path: tuple[str, ...], allowed: tuple[str, ...], what: str) -> list[Problem]:
    """A problem at each key of ``mapping`` that is not ``allowed``: a typo must not be ignored silently."""
    from provenance_cli.formats.vocabulary import did_you_mean

    problems = []
    for key in mapping:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed) or f"; expected one of {', '.join(allowed)}"
            problems.append(document.problem((*path, key), f"unknown {what} {key!r}{hint}", prefer_key=True))
    return problems


def _mapping(document: Any, value: Any, path: tuple[str, ...], expected: str) -> dict[str, Any]:
    """``value`` when it is a mapping (or unset); an InputError at its position otherwise."""
    from provenance_cli.util.errors import InputError

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError([document.problem(path, f"expected {expected}")])
    return value


def _read_file(path: Path, config: ScreeningConfig) -> ScreeningConfig:
    """The config file's settings over ``config``; every unknown key is refused with its line and column."""
    from provenance_cli.formats.safeyaml import load_file
    from provenance_cli.util.errors import InputError

    document = load_file(path)
    top = _mapping(document, document.data, (), "a mapping with a screening: section")
    problems = _unknown_keys(document, top, (), CONFIG_KEYS, "key")
    section = _mapping(document, top.get("screening"), ("screening",), "a mapping")
    problems += _unknown_keys(document, section, ("screening",), SCREENING_KEYS, "screening setting")
    sources = _mapping(document, section.get("sources"), ("screening", "sources"), "a mapping of source name to {url, max_bytes}")
    problems += _unknown_keys(document, sources, ("screening", "sources"), SOURCE_KEYS, "source")
    for key, value in sources.items():
        if key in SOURCE_KEYS:
            problems += _unknown_keys(
                document,
                _mapping(document, value, ("screening", "sources", key), "{url: ..., max_bytes: ...}"),
                ("screening", "sources", key),
                SOURCE_SETTINGS,
                "source setting",
            )
    if problems:
        raise InputError(problems)
    fetch = config.fetch
    for name, kind in _FETCH_NUMBERS:
        if section.get(name) is not None:
            fetch = replace(fetch, **{name: _number(section[name], kind, f"{path}: screening.{name}")})
    max_age = config.max_age_days
    if section.get("max_age_days") is not None:
        max_age = _number(section["max_age_days"], int, f"{path}: screening.max_age_days")
    urls: dict[str, str] = {}
    caps: dict[str, int] = {}
    for key, value in sources.items():
        value = value or {}
        if value.get("url"):
            urls[key] = str(value["url"]).strip()
        if value.get("max_bytes") is not None:
            caps[key] = _number(value["max_bytes"], int, f"{path}: screening.sources.{key}.max_bytes")
    return replace(config, fetch=fetch, urls=urls, max_bytes=caps, max_age_days=max_age)


def _read_config(path: Path | None) -> ScreeningConfig:
    config = _read_file(path, ScreeningConfig()) if path is not None else ScreeningConfig()
    fetch = config.fetch
    urls = dict(config.urls)
    caps = dict(config.max_bytes)
    max_age = config.max_age_days
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
