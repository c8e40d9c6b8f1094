"""``provcheck lists update|status`` and ``provcheck screen``.

Only typer is imported at module level; everything else inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from provenance_cli.cli.options import Quiet, Verbose

lists_app = typer.Typer(help="Download and inspect the cached screening lists.", no_args_is_help=True)

FORMAT_HELP = "text or json"


def _progress() -> Any:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""
    import sys

    from provenance_cli.cli.options import is_quiet

    if not sys.stderr.isatty() or is_quiet():
        return None

    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    class Bar:
        def __init__(self) -> None:
            self._progress: Progress | None = None
            self._task: Any = None

        def start(self, label: str, total: int | None) -> None:
            from provenance_cli.cli import terminal

            self._progress = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=terminal.console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(f"downloading {label}", total=total)

        def advance(self, size: int) -> None:
            if self._progress is not None:
                self._progress.advance(self._task, size)

        def stop(self) -> None:
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    return Bar()


def _shrink_limit(policy: Path | None) -> float | None:
    """The policy's ``screening.shrink_limit`` (None: the default), read with the policy's own validation."""
    if policy is None:
        return None
    from provenance_cli.formats.policy import load_policy
    from provenance_cli.formats.questionnaires import load_catalogue

    return load_policy(policy, load_catalogue()).model.screening.shrink_limit


def _set_offline(offline: bool) -> None:
    if offline:
        from provenance_cli.util.net import set_offline

        set_offline(True)


def lists_update(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="SOURCE",
            help="csl, dod_1260h, opensanctions, custom (default: every source with a URL: csl, dod_1260h and configured ones).",
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="Download from this URL or local path instead (one source only)."),
    ] = None,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-bytes",
            min=1,
            help="Refuse files larger than this (default: 200 MB for the CSL).",
        ),
    ] = None,
    connect_timeout: Annotated[
        float | None,
        typer.Option("--connect-timeout", min=0.01, help="Seconds to wait for a connection."),
    ] = None,
    read_timeout: Annotated[
        float | None,
        typer.Option("--read-timeout", min=0.01, help="Seconds to wait for the next bytes."),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option("--retries", min=0, max=10, help="Extra attempts after a transient failure."),
    ] = None,
    deadline: Annotated[
        float | None,
        typer.Option(
            "--deadline",
            min=0.1,
            help="Seconds for each list's whole download, retries and waits included (default 600; a slower one is exit 3).",
        ),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Never touch the network (local files only).")] = False,
    output_format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "text",
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink", help="Accept a list with fewer records than the shrink limit allows (half the cached copy's, by default)."
        ),
    ] = False,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", "-p", help="Policy file whose screening.shrink_limit replaces the default (one half)."),
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Download lists into the cache; the old cache survives any failure, an empty list and a list that shrank by half."""
    from dataclasses import replace

    from provenance_cli.cli import terminal
    from provenance_cli.cli.options import detail, set_verbosity

    set_verbosity(quiet, verbose)
    from provenance_cli.screening.config import load_config
    from provenance_cli.screening.fetch import update_source
    from provenance_cli.screening.source import get_source
    from provenance_cli.util.errors import EXIT_SERVICE, ServiceError, UsageError

    _set_offline(offline)
    as_json = terminal.wants_json(output_format)
    config = load_config()
    shrink_limit = _shrink_limit(policy)
    fetch = config.fetch
    if connect_timeout is not None:
        fetch = replace(fetch, connect_timeout=connect_timeout)
    if read_timeout is not None:
        fetch = replace(fetch, read_timeout=read_timeout)
    if retries is not None:
        fetch = replace(fetch, retries=retries)
    if deadline is not None:
        fetch = replace(fetch, deadline=deadline)
    keys = list(dict.fromkeys(sources or []))
    if not keys:
        from provenance_cli.screening.fetch import default_sources

        keys = default_sources(config)
    for key in keys:
        get_source(key)
    if url and len(keys) != 1:
        raise UsageError("--url needs exactly one SOURCE, e.g. provcheck lists update dod_1260h --url URL")
    detail(
        f"config: {config.path or 'none'}; connect timeout {fetch.connect_timeout:g} s, read timeout {fetch.read_timeout:g} s, "
        f"{fetch.retries} retries within a {fetch.deadline:g} s deadline per list; "
        f"shrink limit: {'none (--allow-shrink)' if allow_shrink else shrink_limit if shrink_limit is not None else 'default'}; "
        f"sources: {', '.join(f'{k} <- {url or config.urls.get(k) or get_source(k).default_url}' for k in keys)}"
    )
    failures: list[str] = []
    rows: list[dict[str, Any]] = []
    for key in keys:
        try:
            outcome = update_source(
                key,
                url=url,
                max_bytes=max_bytes,
                config=config,
                fetch=fetch,
                progress=_progress(),
                allow_shrink=allow_shrink,
                shrink_limit=shrink_limit,
            )
        except ServiceError as exc:
            failures.append(str(exc))
            rows.append({"source": key, "status": "failed", "error": str(exc)})
            continue
        meta = outcome.meta
        delta = outcome.delta
        rows.append(
            {
                "source": key,
                "status": outcome.status,
                "records": meta.record_count,
                "fetched_at": meta.fetched_at,
                "sha256": meta.sha256,
                "delta": None
                if delta is None
                else {"summary": delta.summary(), "added": len(delta.added), "removed": len(delta.removed), "changed": len(delta.changed)},
            }
        )
        if not as_json:
            dates = ", ".join(f"{k} {v.get('list_date') or '?'}" for k, v in sorted(meta.lists.items()))
            terminal.note(f"{key}: {outcome.status}; {meta.record_count:,} records; list dates: {dates}")
            if delta is not None:
                _print_delta_summary(delta)
    if as_json:
        terminal.print_json(rows)
    if failures:
        for failure in failures:
            terminal.report_error(ServiceError(failure))
        raise typer.Exit(EXIT_SERVICE)


def _print_delta_summary(delta: Any, limit: int = 5) -> None:
    """The delta's one line, then the first few added and removed entries by name (``lists diff`` shows all)."""
    from provenance_cli.cli import terminal

    terminal.note(f"  {delta.summary()}")
    for label, entries in (("+", delta.added), ("-", delta.removed), ("~", delta.changed)):
        for entry in entries[:limit]:
            terminal.note(f"  {label} {entry.list_key} {entry.entry_id}: {entry.name}")
        if len(entries) > limit:
            terminal.note(f"  {label} ... and {len(entries) - limit} more (provcheck lists diff {delta.source})")


def lists_diff(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="The source whose last update to show, e.g. csl, un_sc, eu_fsf.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "text",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows shown per table in text output (JSON has them all).")] = 200,
) -> None:
    """Show what the last ``lists update`` of SOURCE added, removed and changed, by entry id and name."""
    from provenance_cli.cli import terminal
    from provenance_cli.screening.cache import read_meta, source_dir
    from provenance_cli.screening.delta import read_delta
    from provenance_cli.screening.source import get_source
    from provenance_cli.util.errors import UsageError

    get_source(source)
    meta = read_meta(source)
    if meta is None:
        raise UsageError(f"{source} is not cached; run provcheck lists update {source} first")
    delta = read_delta(source_dir(source), meta.sha256)
    if delta is None:
        raise UsageError(
            f"no delta is recorded for the cached {source} copy (fetched {meta.fetched_date}): "
            "it was cached by an older provcheck; the next update that brings a new copy records one"
        )
    if terminal.wants_json(output_format):
        terminal.print_json(delta.as_dict())
        return
    terminal.console().print(terminal.safe(f"{source}: {delta.summary()}"))
    for title, entries in (("Added", delta.added), ("Removed", delta.removed), ("Changed", delta.changed)):
        if not entries:
            continue
        rows = [[e.list_key, e.entry_id, e.name, "; ".join(e.changes or e.aliases)] for e in entries[:limit]]
        terminal.print_table(
            ["list", "entry id", "name", "changes" if title == "Changed" else "aliases"], rows, title=f"{title} ({len(entries)})"
        )
        if len(entries) > limit:
            terminal.note(f"{len(entries) - limit} more not shown (--limit, or -f json for all)")


def lists_status(
    output_format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "text",
) -> None:
    """Show what is cached, from where, and how old it is (exit 3 when the cache cannot be read)."""
    from provenance_cli.cli import terminal
    from provenance_cli.screening.cache import read_meta
    from provenance_cli.screening.config import cache_dir, load_config
    from provenance_cli.screening.screen import SOURCE_ORDER
    from provenance_cli.screening.source import get_source
    from provenance_cli.util.errors import ServiceError

    config = load_config()
    rows: list[dict[str, Any]] = []
    unusable: ServiceError | None = None
    for key in SOURCE_ORDER:
        source = get_source(key)
        try:
            meta = read_meta(key)
        except ServiceError as exc:
            meta, unusable = None, exc
            rows.append({"source": key, "state": "unreadable", "error": str(exc), "records": 0, "lists": {}})
            continue
        if meta is not None:
            rows.append(
                {
                    "source": key,
                    "state": "cached",
                    "url": meta.url,
                    "fetched_at": meta.fetched_at,
                    "checked_at": meta.checked_at,
                    "age_days": round(meta.age_days(), 1),
                    "sha256": meta.sha256,
                    "records": meta.record_count,
                    "lists": meta.lists,
                }
            )
        elif source.bundled_path() is not None:
            bundled = source.bundled()
            assert bundled is not None
            rows.append(
                {
                    "source": key,
                    "state": "bundled (partial)" if source.bundled_gap() else "bundled",
                    "gap": source.bundled_gap(),
                    "url": None,
                    "fetched_at": None,
                    "checked_at": None,
                    "age_days": None,
                    "sha256": None,
                    "records": sum(i.count for i in bundled.lists.values()),
                    "lists": {k: {"name": i.name, "list_date": i.list_date, "count": i.count} for k, i in bundled.lists.items()},
                }
            )
        else:
            configured = config.urls.get(key) or source.default_url
            rows.append(
                {
                    "source": key,
                    "state": "not cached" if configured else "not configured",
                    "url": configured,
                    "records": 0,
                    "lists": {},
                }
            )
    if terminal.wants_json(output_format):
        terminal.print_json({"cache_dir": str(cache_dir()), "sources": rows})
    else:
        _print_status(rows, cache_dir())
    if unusable is not None:
        raise unusable


def _print_status(rows: list[dict[str, Any]], folder: Path) -> None:
    from provenance_cli.cli import terminal

    table: list[list[str]] = []
    for row in rows:
        age = row.get("age_days")
        when = f"{row['fetched_at'][:16].replace('T', ' ')} ({age:g} days ago)" if row.get("fetched_at") else "-"
        dates = ", ".join(f"{k} {v.get('list_date') or '?'}" for k, v in sorted(row["lists"].items())) or "-"
        table.append([row["source"], row["state"], when, f"{row['records']:,}", dates])
    terminal.print_table(
        ["source", "state", "fetched", "records", "list dates"],
        table,
        title=f"Screening lists in {folder}",
    )


def screen(
    paths: Annotated[list[Path] | None, typer.Argument(help="Dossier files or folders of them.")] = None,
    names: Annotated[
        list[str] | None,
        typer.Option("--name", "-n", help="A name to screen (repeatable); each name gets its own rows."),
    ] = None,
    people: Annotated[
        list[str] | None,
        typer.Option(
            "--person",
            "-p",
            help=(
                "A person's name to screen with person-name matching (repeatable): "
                "'SURNAME, Given' or either order, middle names and patronymics optional, "
                "native script transliterated; matched against listed people."
            ),
        ),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "text",
    threshold: Annotated[int, typer.Option("--threshold", min=1, max=100, help="Lowest score reported as a match.")] = 88,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--list",
            help="Only report matches on this list key (repeatable), e.g. sdn, el, dod_1260h.",
        ),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Never touch the network; use cached lists only.")] = False,
    backend: Annotated[str, typer.Option("--backend", help="local (cached lists) or yente (a yente server).")] = "local",
    yente_url: Annotated[str | None, typer.Option("--yente-url", help="Base URL of the yente server.")] = None,
    yente_dataset: Annotated[str, typer.Option("--yente-dataset", help="yente dataset to match against.")] = "default",
) -> None:
    """Screen dossiers (vendor, aliases, ownership chain) or names; matches are information."""
    from provenance_cli.cli import terminal
    from provenance_cli.formats.vocabulary import LIST_NAMES
    from provenance_cli.screening import ScreeningSettings, screen_dossier, screen_names
    from provenance_cli.util.errors import ServiceError, UsageError

    _set_offline(offline)
    as_json = terminal.wants_json(output_format)
    if not paths and not names and not people:
        raise UsageError("give dossier files or folders, or --name NAME, or --person NAME")
    if backend not in ("local", "yente"):
        terminal.fail_usage(f"unknown backend {backend!r}", ["local", "yente"])
    if backend == "yente" and not yente_url:
        raise UsageError("--backend yente needs --yente-url URL")
    for key in only or []:
        if key not in LIST_NAMES:
            terminal.fail_usage(f"unknown list {key!r}", list(LIST_NAMES))
    settings = ScreeningSettings(
        threshold=threshold,
        lists=tuple(only) if only else None,
        backend=backend,
        yente_url=yente_url,
        yente_dataset=yente_dataset,
    )
    dossiers = []
    if paths:
        from provenance_cli.formats.dossier import load_dossiers

        dossiers = load_dossiers(paths)
    results: list[tuple[str | None, str, Any]] = []
    for dossier in dossiers:
        results.append(
            (
                dossier.source,
                dossier.vendor_name,
                screen_dossier(dossier, settings, offline=offline),
            )
        )
    if names or people:
        clean = [n for n in names or [] if n.strip()]
        clean_people = [n for n in people or [] if n.strip()]
        if len(clean) != len(names or []) or len(clean_people) != len(people or []):
            raise UsageError("--name or --person was given an empty name")
        results.append((None, "names", screen_names(clean, settings, offline=offline, people=clean_people)))
    warnings = list(dict.fromkeys(w for _, _, r in results for w in r.warnings))
    unavailable = sorted({u for _, _, r in results for u in r.unavailable})
    if as_json:
        terminal.print_json(
            {
                "threshold": threshold,
                "results": [{"file": source, "vendor": vendor, **result.as_dict()} for source, vendor, result in results],
                "warnings": warnings,
                "unavailable": unavailable,
            }
        )
    else:
        _print_results(results)
    for warning in warnings:
        terminal.warn(warning)
    if unavailable:
        raise ServiceError(f"not screened against {', '.join(unavailable)}: no usable cache (see warnings); run provcheck lists update")


def _print_results(results: list[tuple[str | None, str, Any]]) -> None:
    from provenance_cli.cli import terminal

    for source, vendor, result in results:
        label = f"{vendor} ({source})" if source else "Screened names"
        if not result.matches:
            terminal.console().print(terminal.safe(f"{label}: no matches"))
            continue
        rows = []
        for m in result.matches:
            role = m.role if m.parent_index is None else f"{m.role} #{m.parent_index + 1}"
            if m.role == "developer" and m.parent_index is not None:
                role = f"developer of model #{m.parent_index + 1}"
            rows.append(
                [
                    m.screened_name,
                    role,
                    m.describe(),
                    m.matched_name,
                    m.entry_id,
                    str(m.score),
                    m.reason,
                ]
            )
        terminal.print_table(
            ["screened name", "role", "listing", "list entry", "entry id", "score", "reason"],
            rows,
            title=label,
        )
    lists = {v.key: v for _, _, r in results for v in r.list_versions}
    if lists:
        dated = ", ".join(f"{k} {v.list_date or '?'}" for k, v in sorted(lists.items()))
        terminal.note(f"lists screened: {dated}")


def register(app: typer.Typer) -> None:
    """Add ``lists update|status`` and ``screen`` to ``app`` (called through :mod:`provenance_cli.cli.registry`)."""
    lists_app.command("update")(lists_update)
    lists_app.command("status")(lists_status)
    lists_app.command("diff")(lists_diff)
    app.add_typer(lists_app, name="lists")
    app.command("screen")(screen)
