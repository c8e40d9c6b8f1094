"""Fetching many evidence URLs at once, politely and within limits.

One ``httpx.AsyncClient`` (made by :mod:`provenance_cli.util.net`, so TLS
verification, the User-Agent, redirect checks and offline mode apply)
serves every URL. A global semaphore bounds the URLs in flight; a semaphore
per host (scheme, host, port) bounds what one vendor's server sees.
Redirects are followed by hand so that every hop is checked: only http and
https, a non-empty Location, at most ``max_redirects`` hops, each hop under
the same per-host limit. Each request has a timeout; each URL, with its
redirects, retries (429 and 5xx answers, reset connections, with the
server's ``Retry-After`` honoured) and the waits between them, has an
overall deadline. Bodies are read with a size cap; every failure becomes a
:class:`FetchResult` with a reason, never an exception, so one bad URL
cannot stop the run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from provenance_cli.evidence.normalise import content_digest
from provenance_cli.evidence.results import (
    BROKEN,
    OK,
    REDIRECTED,
    UNREACHABLE,
    FetchOptions,
    FetchResult,
    utc_now,
)

if TYPE_CHECKING:
    from datetime import datetime

    import httpx

    from provenance_cli.util.net import Deadline

ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8"

OnResult = Callable[[FetchResult], None]


@dataclass(frozen=True)
class _Response:
    status: int
    reason: str
    location: str | None
    """The Location header of a redirect answer (None otherwise)."""
    body: bytes | None
    content_type: str | None
    retry_after: str | None = None
    retries: str = ""
    """How a retried answer ended, for the detail: `` (after 2 attempts)``, or that the deadline left no time to retry."""


class _Unreachable(Exception):
    def __init__(self, failure: str, detail: str, final_url: str | None = None) -> None:
        super().__init__(detail)
        self.failure = failure
        self.detail = detail
        self.final_url = final_url


def fetch_urls(urls: Iterable[str], options: FetchOptions | None = None, on_result: OnResult | None = None) -> list[FetchResult]:
    """Fetch every URL (duplicates once); results in the order given.

    Raises :class:`provenance_cli.util.net.OfflineError` before any connection in
    offline mode. Safe to call from code that already runs an event loop.
    """
    from provenance_cli.util.net import run

    unique = list(dict.fromkeys(urls))
    return run(fetch_all(unique, options or FetchOptions(), on_result))


async def fetch_all(urls: Sequence[str], options: FetchOptions, on_result: OnResult | None = None) -> list[FetchResult]:
    """The asynchronous core of :func:`fetch_urls`."""
    import httpx

    from provenance_cli.util import net

    if not urls:
        return []
    overall = asyncio.Semaphore(max(1, options.concurrency))
    per_host: dict[str, asyncio.Semaphore] = {}

    def host_gate(url: str) -> asyncio.Semaphore:
        parts = urlsplit(url)
        key = f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{parts.port or ''}"
        if key not in per_host:
            per_host[key] = asyncio.Semaphore(max(1, options.per_host))
        return per_host[key]

    limits = httpx.Limits(
        max_connections=max(1, options.concurrency),
        max_keepalive_connections=max(1, options.concurrency),
    )
    async with net.async_client(
        connect=options.timeout,
        read=options.timeout,
        follow_redirects=False,
        limits=limits,
        trust_env=options.trust_env,
        headers={"Accept": ACCEPT},
    ) as client:

        async def one(url: str) -> FetchResult:
            async with overall:
                result = await _fetch_one(client, url, options, host_gate)
            if on_result is not None:
                on_result(result)
            return result

        return list(await asyncio.gather(*(one(url) for url in urls)))


async def _fetch_one(
    client: httpx.AsyncClient,
    url: str,
    options: FetchOptions,
    host_gate: Callable[[str], asyncio.Semaphore],
) -> FetchResult:
    from provenance_cli.util import net

    started = utc_now()
    current = url.strip()
    visited: list[str] = []
    deadline: Deadline | None = None
    try:
        current = net.without_fragment(current)
        while True:
            scheme = urlsplit(current).scheme.lower()
            if scheme not in net.WEB_SCHEMES:
                raise _Unreachable("scheme", f"not a web address ({scheme or 'no'} scheme)", current)
            visited.append(current)
            queued = time.monotonic()
            async with host_gate(current):
                # The deadline runs from the first request; time spent queueing for a host's slot is not the URL's fault.
                if deadline is None:
                    deadline = net.Deadline(options.deadline)
                else:
                    deadline.extend(time.monotonic() - queued)
                response = await _answer(client, current, options, deadline)
            target = net.redirect_target(current, response.status, response.location)
            if target is None:
                return _classify(url, current, len(visited) - 1, response, started)
            net.count_redirect(visited, target, options.max_redirects)
            current = target
    except _Unreachable as exc:
        return _unreachable(url, started, exc.failure, exc.detail, exc.final_url)
    except net.BadRedirect as exc:
        return _unreachable(url, started, exc.failure, str(exc), exc.target or current)
    except Exception as exc:  # mapped below; kinds not understood are re-raised
        failure, detail = describe_failure(exc, options)
        if failure is None:
            raise
        return _unreachable(url, started, failure, detail, current)


async def _answer(client: httpx.AsyncClient, url: str, options: FetchOptions, deadline: Deadline) -> _Response:
    """One hop's answer, asked again after a 429 or 5xx answer or a reset (util.net's retry rules), within the URL's deadline.

    The caller holds the host's slot throughout, waits included: a host that
    answered "come back later" gets no other request from us meanwhile.
    When the retries run out, the last answer stands.
    """
    from provenance_cli.util import net

    policy = net.RetryPolicy(retries=options.retries, backoff=options.backoff, retry_unreachable=False)

    async def attempt() -> _Response:
        try:
            response = await asyncio.wait_for(_request(client, url, options.max_bytes), options.timeout)
        except asyncio.TimeoutError:
            raise _Unreachable("timeout", f"no complete answer within {options.timeout:g}s", url) from None
        if response.status in net.RETRY_STATUSES:
            raise net.RetryableAnswer(response.status, response.retry_after, response)
        return response

    try:
        return await net.retrying(attempt, policy, deadline)
    except net.RetryableAnswer as last:
        tries = f"after {last.attempts} attempt{'s' if last.attempts != 1 else ''}"
        if last.attempts <= options.retries:  # retries were left: the URL's deadline stopped them
            note = f" ({tries}; the {options.deadline:g}s deadline for one URL left no time to retry)"
        else:
            note = f" ({tries})" if last.attempts > 1 else ""
        return dataclasses.replace(cast(_Response, last.answer), retries=note)


async def _request(client: httpx.AsyncClient, url: str, cap: int) -> _Response:
    from provenance_cli.util.net import REDIRECT_CODES, aread_capped

    async with client.stream("GET", url) as response:
        content_type = response.headers.get("content-type")
        if response.status_code in REDIRECT_CODES:
            location = response.headers.get("location", "")
            return _Response(response.status_code, response.reason_phrase, location, None, content_type)
        body = None
        if 200 <= response.status_code < 300:
            body = await aread_capped(response, cap)
        return _Response(response.status_code, response.reason_phrase, None, body, content_type, response.headers.get("retry-after"))


def _classify(url: str, final_url: str, hops: int, response: _Response, started: datetime) -> FetchResult:
    status_line = f"{response.status} {response.reason}".strip()
    if response.body is None:
        return FetchResult(
            url=url,
            status=BROKEN,
            checked_at=started,
            detail=f"HTTP {status_line}{response.retries}",
            http_status=response.status,
            final_url=final_url,
            content_type=response.content_type,
        )
    redirected = hops > 0
    return FetchResult(
        url=url,
        status=REDIRECTED if redirected else OK,
        checked_at=started,
        detail=f"redirected to {final_url}" if redirected else f"HTTP {status_line}",
        http_status=response.status,
        final_url=final_url,
        content_sha256=content_digest(response.body, response.content_type),
        content_type=response.content_type,
        size=len(response.body),
    )


def _unreachable(url: str, started: datetime, failure: str, detail: str, final_url: str | None) -> FetchResult:
    return FetchResult(
        url=url,
        status=UNREACHABLE,
        checked_at=started,
        detail=detail,
        final_url=final_url,
        failure=failure,
    )


def describe_failure(exc: BaseException, options: FetchOptions) -> tuple[str | None, str]:
    """(failure kind, sentence) for an exception from fetching; kind None if unknown."""
    import httpx

    from provenance_cli.util.net import DeadlineExceeded, ResponseTooLarge

    if isinstance(exc, ResponseTooLarge):
        return "too_large", f"response larger than {options.max_bytes:,} bytes; stopped reading"
    if isinstance(exc, DeadlineExceeded):
        return "timeout", f"no complete answer within the {options.deadline:g}s deadline for one URL, redirects and retries included"
    if isinstance(exc, httpx.DecodingError):
        return "protocol", f"the body does not decode as its Content-Encoding header says ({_first_line(str(exc))})"
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return "timeout", f"could not connect within {options.timeout:g}s"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", f"no answer within {options.timeout:g}s"
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL, ValueError)):
        return "invalid", f"not a usable URL ({exc})"
    chain = list(_causes(exc))
    text = " ".join(str(e) for e in chain)
    lowered = text.lower()
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in lowered or "certificate" in lowered:
        return "tls", f"TLS failure: {_first_line(text)}"
    if isinstance(exc, httpx.ConnectError) or any(isinstance(e, OSError) for e in chain):
        import socket

        if any(isinstance(e, socket.gaierror) for e in chain) or any(
            marker in lowered
            for marker in (
                "name or service not known",
                "nodename nor servname",
                "name resolution",
                "getaddrinfo",
                "no address associated",
            )
        ):
            return "dns", "host name could not be resolved (DNS)"
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in lowered:
            return "refused", "connection refused"
        return "connect", f"could not connect: {_first_line(text) or type(exc).__name__}"
    if isinstance(exc, httpx.HTTPError):
        return "protocol", f"broken HTTP exchange: {_first_line(text) or type(exc).__name__}"
    return None, str(exc)


def _causes(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else ""
