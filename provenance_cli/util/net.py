"""The one place provcheck talks to the network.

Every outside request goes through a client made here, so the rules hold
everywhere: TLS verification on, connect and read timeouts, an honest
User-Agent, bodies read with a size cap, and ``--offline`` (or
``PROVCHECK_OFFLINE=1``) refusing any connection before it is attempted.
httpx is imported only when a command really goes online.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from provenance_cli import __version__
from provenance_cli.util.errors import ServiceError

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"provcheck/{__version__} (AI vendor due-diligence tool)"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
MAX_REDIRECTS = 5

_offline = False


class OfflineError(ServiceError):
    """A network call was attempted while offline mode is on."""


class ResponseTooLarge(ServiceError):
    """A response body exceeded the cap for its kind of download."""


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


def _client_settings(connect: float, read: float, follow_redirects: bool, kwargs: dict[str, Any]) -> dict[str, Any]:
    """What every client gets, sync or async: checked TLS, timeouts, redirect cap, our User-Agent."""
    ensure_online("this command")
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    return {
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

    return httpx.Client(**_client_settings(connect, read, follow_redirects, kwargs))


def async_client(
    *, connect: float = CONNECT_TIMEOUT, read: float = READ_TIMEOUT, follow_redirects: bool = False, **kwargs: Any
) -> httpx.AsyncClient:
    """An asynchronous client with provcheck's safety settings."""
    import httpx

    return httpx.AsyncClient(**_client_settings(connect, read, follow_redirects, kwargs))


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
