"""The one place provcheck talks to the network.

Every outside request goes through a client made here, so the rules hold
everywhere: TLS verification on, connect and read timeouts, an honest
User-Agent, bodies read with a size cap, redirects checked hop by hop (only
http and https targets, a non-empty Location, a bounded number of hops), and
``--offline`` (or ``PROVCHECK_OFFLINE=1``) refusing any connection before it
is attempted. httpx is imported only when a command really goes online.

Two more rules live here so that every download shares them:

* an overall **deadline** (:class:`Deadline`): a server that trickles one
  byte a second never trips a read timeout, so each download (a list, one
  evidence URL with its redirects and retries) also has a wall-clock limit,
  enforced by cancelling the request (:func:`within`);
* bounded **retries** (:class:`RetryPolicy`, :func:`retrying`): 429 and 5xx
  answers and broken connections are tried again after an exponential
  back-off with jitter, or after the server's ``Retry-After`` (seconds or an
  HTTP date, capped), and never past the deadline.

The retry loop is provcheck's own rather than a library's (stamina,
tenacity): what it must do beyond a library's defaults, reading
``Retry-After`` and never sleeping past the download's deadline, is most of
its few lines, and it would add two dependencies to a tool that installs
in CI jobs.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from provenance_cli import __version__
from provenance_cli.util.errors import ServiceError

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"provcheck/{__version__} (AI vendor due-diligence tool)"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
WEB_SCHEMES = ("http", "https")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Answers that say "not now" rather than "no": rate limited, overloaded, a gateway that lost its upstream."""
MAX_RETRY_WAIT = 60.0
"""The longest provcheck waits before one retry, whatever ``Retry-After`` asks."""

T = TypeVar("T")

_offline = False


class OfflineError(ServiceError):
    """A network call was attempted while offline mode is on."""


class ResponseTooLarge(ServiceError):
    """A response body exceeded the cap for its kind of download."""


class DeadlineExceeded(ServiceError):
    """A download (retries, waits and redirects included) ran past its overall deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within the {seconds:g} s deadline")
        self.seconds = seconds


class BadRedirect(ServiceError):
    """A redirect provcheck will not follow: no Location, a non-web target, a malformed one, or too many hops."""

    def __init__(self, failure: str, message: str, target: str | None = None) -> None:
        super().__init__(message)
        self.failure = failure
        """``redirects``, ``scheme`` or ``invalid``: the kind evidence results record."""
        self.target = target


class RetryableAnswer(Exception):
    """An answer worth asking for again (429, 503...): raised by an attempt, handled by :func:`retrying`.

    When the retries run out it leaves :func:`retrying` with ``attempts`` set,
    so the caller can report the last answer (``answer`` carries it).
    """

    def __init__(self, status: int, retry_after: str | None, answer: object = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after
        self.answer = answer
        self.attempts = 1


class Deadline:
    """A wall-clock budget for one download, started when it is made."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; 0 once the deadline has passed."""
        return max(0.0, self._end - time.monotonic())

    def extend(self, seconds: float) -> None:
        """Give back ``seconds`` that should not count (time spent queueing for a slot, not downloading)."""
        self._end += max(0.0, seconds)


async def within(awaitable: Awaitable[T], deadline: Deadline) -> T:
    """Await ``awaitable``, cancelling it when ``deadline`` passes (DeadlineExceeded).

    Cancelling is what makes the limit hard: a request blocked in a read, or
    a body arriving a byte at a time, stops at the deadline, not at the next
    timeout.
    """
    import asyncio  # here, not at the top: commands that never touch the network (assess) skip importing asyncio

    remaining = deadline.remaining()
    if remaining <= 0:
        if asyncio.iscoroutine(awaitable):
            awaitable.close()
        raise DeadlineExceeded(deadline.seconds)
    try:
        return await asyncio.wait_for(awaitable, remaining)
    except asyncio.TimeoutError:
        raise DeadlineExceeded(deadline.seconds) from None


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous code, even when an event loop is already running here."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --------------------------------------------------------------------------- retries


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds: a number of seconds or an HTTP date; None if absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        from datetime import timezone

        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one download tries: the same rules for lists and evidence pages."""

    retries: int = 3
    """Extra attempts after the first."""
    backoff: float = 1.0
    """Seconds before the first retry when the server names no wait; doubled each time, with jitter."""
    max_wait: float = MAX_RETRY_WAIT
    """The longest single wait, ``Retry-After`` included."""
    retry_unreachable: bool = True
    """Also retry connection failures and timeouts (lists: yes; evidence: no, a dead host is reported at once)."""

    def wait(self, attempts: int, retry_after: str | None, deadline: Deadline) -> float | None:
        """Seconds to wait after ``attempts`` failed attempts, or None: no retries left, or the wait would pass the deadline.

        The server's ``Retry-After`` wins (capped at ``max_wait``); otherwise
        the back-off doubles from ``backoff`` with "equal jitter" (half the
        step fixed, half random), so clients that failed together do not all
        return at the same moment.
        """
        if attempts > self.retries:
            return None
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            wait = min(asked, self.max_wait) + random.uniform(0, min(1.0, self.backoff))
        else:
            step = min(self.max_wait, self.backoff * 2 ** (attempts - 1))
            wait = step / 2 + random.uniform(0, step / 2)
        return wait if wait < deadline.remaining() else None


def is_transient(error: BaseException, policy: RetryPolicy) -> bool:
    """True for failures worth another attempt: a reset or cut-off connection; connection failures and timeouts if the policy says so."""
    import httpx

    if isinstance(error, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return True
    return policy.retry_unreachable and isinstance(error, (httpx.ConnectError, httpx.TimeoutException))


async def retrying(attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, deadline: Deadline) -> T:
    """Call ``attempt`` until it succeeds, retrying transient failures under ``policy``, all within ``deadline``.

    ``attempt`` raises :class:`RetryableAnswer` for an answer worth asking
    again. When no retry is left (or the next wait would pass the deadline)
    the last failure is raised as it was: the RetryableAnswer (with
    ``attempts``), the transport error, or DeadlineExceeded.
    """
    attempts = 0
    while True:
        attempts += 1
        try:
            return await within(attempt(), deadline)
        except RetryableAnswer as answer:
            answer.attempts = attempts
            wait = policy.wait(attempts, answer.retry_after, deadline)
            if wait is None:
                raise
        except Exception as error:
            if isinstance(error, DeadlineExceeded) or not is_transient(error, policy):
                raise
            wait = policy.wait(attempts, None, deadline)
            if wait is None:
                raise
        import asyncio

        await asyncio.sleep(wait)


# --------------------------------------------------------------------------- redirects


def without_fragment(url: str) -> str:
    """``url`` without its ``#fragment``, which never reaches a server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def _shown(url: str) -> str:
    """A URL for a message: a ``data:`` URL can be megabytes long."""
    return url if len(url) <= 200 else url[:197] + "..."


def redirect_target(url: str, status: int, location: str | None) -> str | None:
    """Where an answer to ``url`` redirects, checked; None when it is not a redirect.

    BadRedirect for a redirect status without a usable Location, to a
    non-web address (``javascript:``, ``data:``, ``file:``, ``ftp:``...) or to
    a malformed one.
    """
    import httpx

    if status not in REDIRECT_CODES:
        return None
    if location is None or not location.strip():
        raise BadRedirect("redirects", f"HTTP {status} redirect without a Location to go to", url)
    malformed = BadRedirect("invalid", f"redirects to a malformed address: {_shown(location)!r}")
    try:
        target = without_fragment(urljoin(url, location.strip()))
        scheme = urlsplit(target).scheme.lower()
    except ValueError:  # an unclosed IPv6 bracket, a bad port...
        raise malformed from None
    if scheme not in WEB_SCHEMES:
        raise BadRedirect("scheme", f"redirects to a non-web address ({scheme or 'no'} scheme): {_shown(target)}", target)
    try:
        httpx.URL(target)
    except (httpx.InvalidURL, ValueError):
        raise malformed from None
    return target


def count_redirect(visited: Sequence[str], target: str, limit: int) -> None:
    """Refuse the redirect to ``target`` when ``visited`` (the URLs asked so far) already holds ``limit`` redirects.

    A loop is not refused at its first repeat (a site may redirect back once
    after setting a cookie), only at the limit, but then it is named.
    """
    if len(visited) > limit:
        loop = f"; a loop: it redirects back to {_shown(target)}" if target in visited else ""
        raise BadRedirect("redirects", f"more than {limit} redirects{loop}", target)


def _check_redirect(response: httpx.Response) -> None:
    redirect_target(str(response.request.url), response.status_code, response.headers.get("location"))


async def _acheck_redirect(response: httpx.Response) -> None:
    """Refuse a bad redirect before httpx prepares the next request (which fails on such targets with an unhelpful message)."""
    _check_redirect(response)


def set_offline(flag: bool) -> None:
    """Turn offline mode on for this process (``--offline``); every later client refuses to connect."""
    global _offline
    _offline = flag


def is_offline() -> bool:
    """True when ``--offline`` was given or ``PROVCHECK_OFFLINE`` is 1, true or yes."""
    return _offline or os.environ.get("PROVCHECK_OFFLINE", "").strip().lower() in ("1", "true", "yes")


def ensure_online(what: str) -> None:
    """Raise OfflineError naming ``what`` in offline mode, before any connection is attempted."""
    if is_offline():
        raise OfflineError(f"{what} needs the network, but offline mode is on (--offline or PROVCHECK_OFFLINE)")


def timeout(connect: float = CONNECT_TIMEOUT, read: float = READ_TIMEOUT) -> httpx.Timeout:
    """httpx timeouts from provcheck's limits: writes get the read limit, waiting for a pooled connection the connect limit."""
    import httpx

    return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


def _client_settings(
    connect: float, read: float, follow_redirects: bool, kwargs: dict[str, Any], hook: Callable[..., Any]
) -> dict[str, Any]:
    """What every client gets, sync or async: checked TLS, timeouts, redirect cap and checks, our User-Agent."""
    ensure_online("this command")
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    hooks = dict(kwargs.pop("event_hooks", {}))
    hooks["response"] = [hook, *hooks.get("response", [])]
    return {
        "event_hooks": hooks,
        "timeout": timeout(connect, read),
        "verify": True,
        "follow_redirects": follow_redirects,
        "max_redirects": MAX_REDIRECTS,
        "headers": headers,
        **kwargs,
    }


def client(*, connect: float = CONNECT_TIMEOUT, read: float = READ_TIMEOUT, follow_redirects: bool = True, **kwargs: Any) -> httpx.Client:
    """A synchronous client with provcheck's safety settings."""
    import httpx

    return httpx.Client(**_client_settings(connect, read, follow_redirects, kwargs, _check_redirect))


def async_client(
    *, connect: float = CONNECT_TIMEOUT, read: float = READ_TIMEOUT, follow_redirects: bool = False, **kwargs: Any
) -> httpx.AsyncClient:
    """An asynchronous client with provcheck's safety settings."""
    import httpx

    return httpx.AsyncClient(**_client_settings(connect, read, follow_redirects, kwargs, _acheck_redirect))


def read_capped(response: httpx.Response, cap: int) -> bytes:
    """Read a streamed response body, refusing it once it passes ``cap`` bytes."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise ResponseTooLarge(f"{response.url} is {int(declared):,} bytes; the limit is {cap:,}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise ResponseTooLarge(f"{response.url} sent more than {cap:,} bytes; stopped reading")
        chunks.append(chunk)
    return b"".join(chunks)


async def aread_capped(response: httpx.Response, cap: int) -> bytes:
    """The asynchronous twin of :func:`read_capped`."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise ResponseTooLarge(f"{response.url} is {int(declared):,} bytes; the limit is {cap:,}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise ResponseTooLarge(f"{response.url} sent more than {cap:,} bytes; stopped reading")
        chunks.append(chunk)
    return b"".join(chunks)
