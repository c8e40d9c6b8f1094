"""``provcheck evidence``: check cited links and notice pages that changed since assessment.

Only typer is imported at module level; each command imports the core
(httpx, rich, the dossier loader) when it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provenance_cli.cli.options import Quiet, Verbose

if TYPE_CHECKING:
    from provenance_cli.evidence import DossierCheck, FetchOptions, FetchResult

CHECK_HELP = """Fetch every evidence URL the dossiers cite and report each one.

Link status: ok, redirected (to where), broken (HTTP status) or unreachable
(timeout, DNS, TLS, refused, too large, redirect to a non-web address). When
a lock file from `provcheck evidence snapshot` sits beside a dossier, each
page is also compared with it: unchanged, changed (since the snapshot),
removed (was readable, now 404/410) or new (not snapshotted yet).

Limits: --timeout per request; --deadline per URL in all (redirects,
retries and waits); 429 and 5xx answers and reset connections are asked
again (--retries), after the server's Retry-After when it sends one.

Exit codes: 0 checked (whatever was found, unless a gate is set); 1 a gate
tripped (--fail-on-broken: broken, unreachable or removed evidence;
--fail-on-changed: changed or removed evidence); 2 bad input (a dossier or
lock file with problems, a bad option); 3 no URL could be reached at all
because of connection failures (DNS, refused, timeouts): the network itself
looks down, so nothing was really checked. Offline mode refuses to run (3).
"""

SNAPSHOT_HELP = """Record what every cited page says now, in a lock file beside each dossier.

For vendor.yaml this writes vendor.yaml.evidence.lock.yaml (atomically; the
dossier is never touched; a lock of the old name vendor.evidence.lock.yaml
is read, then replaced): per URL the retrieval time, final URL, status and
a sha256 of the page text with scripts, styles, whitespace and volatile
tokens (timestamps, nonces) removed. Commit it with the dossier: later
`evidence check` and `assess` report pages that changed since.

A page readable in the previous lock but unreadable now keeps its previous
entry (a passing outage does not erase the record). Exit codes: 0 written,
2 bad input, 3 no URL could be reached at all (nothing written).
"""


# The fetch limits both commands take, declared once.
Timeout = Annotated[float, typer.Option(help="Seconds allowed per request.", min=0.05)]
Concurrency = Annotated[int, typer.Option(help="URLs fetched at once.", min=1, max=512)]
PerHost = Annotated[int, typer.Option("--per-host", help="Requests at once to one host.", min=1, max=64)]
MaxRedirects = Annotated[int, typer.Option("--max-redirects", help="Redirects followed per URL.", min=0, max=30)]
MaxBytes = Annotated[int, typer.Option("--max-bytes", help="Largest page read, in bytes.", min=1024)]
Deadline = Annotated[
    float,
    typer.Option("--deadline", help="Seconds allowed per URL in all: redirects, retries and waits included.", min=0.05),
]
Retries = Annotated[
    int,
    typer.Option("--retries", help="Extra attempts after a 429 or 5xx answer or a reset connection.", min=0, max=10),
]


def register(app: typer.Typer) -> None:
    """Add the ``evidence check|snapshot`` group to ``app``; each command imports the core only when it runs."""
    evidence_app = typer.Typer(
        help="Check cited evidence links and detect pages that changed since assessment.",
        no_args_is_help=True,
    )
    app.add_typer(evidence_app, name="evidence")

    @evidence_app.command("check", help=CHECK_HELP)
    def check(
        paths: Annotated[list[Path], typer.Argument(help="Dossier files or folders of them.")],
        output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
        fail_on_broken: Annotated[
            bool,
            typer.Option("--fail-on-broken", help="Exit 1 if evidence is broken, unreachable or removed."),
        ] = False,
        fail_on_changed: Annotated[
            bool,
            typer.Option(
                "--fail-on-changed",
                help="Exit 1 if evidence changed or was removed since the snapshot.",
            ),
        ] = False,
        timeout: Timeout = 20.0,
        concurrency: Concurrency = 32,
        per_host: PerHost = 4,
        max_redirects: MaxRedirects = 5,
        max_bytes: MaxBytes = 5 * 1024 * 1024,
        deadline: Deadline = 60.0,
        retries: Retries = 2,
        quiet: Quiet = False,
        verbose: Verbose = False,
    ) -> None:
        from provenance_cli.cli import terminal
        from provenance_cli.cli.options import detail, set_verbosity
        from provenance_cli.evidence import check_dossiers, citations

        set_verbosity(quiet, verbose)
        from provenance_cli.formats.dossier import load_dossiers
        from provenance_cli.util.net import ensure_online

        as_json = terminal.wants_json(output_format)
        _refuse_stdin(paths)
        dossiers = load_dossiers(paths)
        options = _options(timeout, concurrency, per_host, max_redirects, max_bytes, deadline, retries)
        ensure_online("evidence check")
        total = len({url for dossier in dossiers for url in citations(dossier)})
        detail(f"checking {total} distinct URL(s) cited by {len(dossiers)} dossier(s); {_describe(options)}")
        with _progress(total, "checking evidence") as advance:
            checks = check_dossiers(dossiers, options, advance)
        if as_json:
            terminal.print_json(_checks_json(checks))
        else:
            _print_checks(checks)
        _exit_for(checks, fail_on_broken=fail_on_broken, fail_on_changed=fail_on_changed)

    @evidence_app.command("snapshot", help=SNAPSHOT_HELP)
    def snapshot(
        paths: Annotated[list[Path], typer.Argument(help="Dossier files or folders of them.")],
        missing_only: Annotated[
            bool,
            typer.Option(
                "--missing-only",
                help="Only add URLs the lock does not have; keep every existing entry.",
            ),
        ] = False,
        output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
        timeout: Timeout = 20.0,
        concurrency: Concurrency = 32,
        per_host: PerHost = 4,
        max_redirects: MaxRedirects = 5,
        max_bytes: MaxBytes = 5 * 1024 * 1024,
        deadline: Deadline = 60.0,
        retries: Retries = 2,
        quiet: Quiet = False,
        verbose: Verbose = False,
    ) -> None:
        from provenance_cli.cli import terminal
        from provenance_cli.cli.options import detail, set_verbosity
        from provenance_cli.evidence.snapshot import snapshot_evidence, wanted_count

        set_verbosity(quiet, verbose)
        from provenance_cli.formats.dossier import load_dossiers

        as_json = terminal.wants_json(output_format)
        _refuse_stdin(paths)
        dossiers = load_dossiers(paths)
        options = _options(timeout, concurrency, per_host, max_redirects, max_bytes, deadline, retries)
        wanted = wanted_count(dossiers, missing_only=missing_only)
        detail(f"fetching {wanted} URL(s) for {len(dossiers)} dossier(s); {_describe(options)}")
        with _progress(wanted, "snapshotting evidence") as advance:
            outcomes = snapshot_evidence(dossiers, options, missing_only=missing_only, on_result=advance)
        if as_json:
            terminal.print_json(
                {
                    "locks": [
                        {
                            "dossier": o.dossier,
                            "lock": o.lock_path,
                            "entries": o.entries,
                            "fetched": o.fetched,
                            "unreadable": [{"url": e.url, "status": e.status, "detail": e.detail} for e in o.unreadable],
                            "kept": list(o.kept),
                            "replaced": o.replaced,
                        }
                        for o in outcomes
                    ]
                }
            )
            return
        for outcome in outcomes:
            for note in outcome.kept:
                terminal.warn(note)
            for entry in outcome.unreadable:
                terminal.warn(f"{entry.url}: {entry.status}: {entry.detail} (recorded as such)")
            readable = outcome.entries - len(outcome.unreadable)
            terminal.note(f"wrote {outcome.lock_path}: {_plural(outcome.entries, 'URL')}, {readable} readable")
            if outcome.replaced:
                terminal.note(f"removed {outcome.replaced}: the old-style lock name, replaced by {outcome.lock_path}")


# --------------------------------------------------------------------------- helpers


def _options(
    timeout: float, concurrency: int, per_host: int, max_redirects: int, max_bytes: int, deadline: float, retries: int
) -> FetchOptions:
    from provenance_cli.evidence import FetchOptions

    return FetchOptions(
        timeout=timeout,
        concurrency=concurrency,
        per_host=per_host,
        max_redirects=max_redirects,
        max_bytes=max_bytes,
        deadline=deadline,
        retries=retries,
    )


def _refuse_stdin(paths: list[Path]) -> None:
    """Evidence lock files live beside their dossier, so a dossier on stdin (``-``) has nowhere to keep one (exit 2)."""
    if any(str(path) == "-" for path in paths):
        from provenance_cli.cli.terminal import fail_usage

        fail_usage("evidence commands need dossier files ('-' reads stdin, and a lock file lives beside its dossier)")


def _describe(options: FetchOptions) -> str:
    """The fetch settings in effect, for --verbose."""
    return (
        f"timeout {options.timeout:g} s, {options.concurrency} at once ({options.per_host} per host), "
        f"up to {options.max_redirects} redirects and {options.max_bytes:,} bytes per page, "
        f"{options.retries} retries within {options.deadline:g} s per URL"
    )


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[FetchResult], None] | None]:
    """A rich progress bar on stderr when it is a terminal; otherwise nothing."""
    import sys

    from provenance_cli.cli.options import is_quiet

    if total == 0 or not sys.stderr.isatty() or is_quiet():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from provenance_cli.cli import terminal

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=terminal.console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda _result: progress.advance(task)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _checks_json(checks: list[DossierCheck]) -> dict[str, Any]:
    from provenance_cli.evidence.results import iso

    return {
        "dossiers": [
            {
                "file": check.source,
                "lock": check.lock_path if check.lock_found else None,
                "urls": [
                    {
                        "url": item.url,
                        "questions": list(item.questions),
                        "status": item.result.status,
                        "http_status": item.result.http_status,
                        "final_url": item.result.final_url,
                        "detail": item.result.detail,
                        "failure": item.result.failure,
                        "drift": item.drift,
                        "drift_detail": item.drift_detail or None,
                        "snapshot_at": iso(item.snapshot_at),
                        "checked_at": iso(item.result.checked_at),
                        "content_sha256": item.result.content_sha256,
                    }
                    for item in check.urls
                ],
            }
            for check in checks
        ],
        "summary": _summary(checks),
    }


def _summary(checks: list[DossierCheck]) -> dict[str, dict[str, int]]:
    from provenance_cli.evidence.results import DRIFT_STATUSES, LINK_STATUSES

    links = dict.fromkeys(LINK_STATUSES, 0)
    drift = dict.fromkeys(DRIFT_STATUSES, 0)
    for check in checks:
        for item in check.urls:
            links[item.result.status] += 1
            if item.drift is not None:
                drift[item.drift] += 1
    return {"links": links, "drift": drift}


def _print_checks(checks: list[DossierCheck]) -> None:
    from provenance_cli.cli import terminal

    for check in checks:
        if not check.urls:
            terminal.note(f"{check.source}: no evidence URLs cited")
            continue
        lock_note = f"lock {Path(check.lock_path).name}" if check.lock_found else "no lock file"
        rows = []
        for item in check.urls:
            parts = []
            drift_detail = item.drift_detail if check.lock_found else ""
            if item.result.status != "ok" or not drift_detail:
                parts.append(item.result.detail)
            if drift_detail:
                parts.append(drift_detail)
            detail = "; ".join(parts)
            rows.append([item.result.status, item.drift or "-", item.url, detail, ", ".join(item.questions)])
        terminal.print_table(
            ["link", "drift", "URL", "detail", "cited by"],
            rows,
            title=f"{check.source} ({lock_note})",
        )
    summary = _summary(checks)
    links = ", ".join(f"{n} {k}" for k, n in summary["links"].items() if n)
    drift = ", ".join(f"{n} {k}" for k, n in summary["drift"].items() if n)
    total = sum(summary["links"].values())
    if total == 0:
        return
    line = f"{total} URL{'s' if total != 1 else ''}: {links}"
    if drift:
        line += f"; since snapshot: {drift}"
    if not any(c.lock_found for c in checks):
        line += "; no lock file (run `provcheck evidence snapshot` to detect later changes)"
    terminal.note(line)


def _exit_for(checks: list[DossierCheck], *, fail_on_broken: bool, fail_on_changed: bool) -> None:
    import sys

    from provenance_cli.assessment.gates import enforce, evidence_gate
    from provenance_cli.evidence.results import BROKEN, CHANGED, REMOVED, UNREACHABLE
    from provenance_cli.evidence.snapshot import first_reason, network_down
    from provenance_cli.util.errors import EXIT_SERVICE

    items = [item for check in checks for item in check.urls]
    if network_down([item.result for item in items]):
        from provenance_cli.cli.terminal import visible

        sys.stderr.write(
            f"provcheck: error: none of the {len(items)} evidence URLs could be reached "
            f"({visible(first_reason(i.result for i in items))}); the network looks down\n"
        )
        raise typer.Exit(EXIT_SERVICE)
    broken = sum(1 for i in items if i.result.status in (BROKEN, UNREACHABLE) or i.drift == REMOVED)
    changed = sum(1 for i in items if i.drift in (CHANGED, REMOVED))
    enforce(evidence_gate(broken, changed, fail_on_broken=fail_on_broken, fail_on_changed=fail_on_changed))
