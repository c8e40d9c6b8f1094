"""The one HTTP server the tests talk to, on 127.0.0.1 only.

``with Server() as server:`` serves from a thread of the test process on a
free loopback port; nothing else is ever contacted. A GET is answered, in
this order, by:

* a *script* for its path (``server.route(path, *steps)``): each request
  takes the next :class:`Step` (the last one repeats). Steps send a body,
  answer 304 when the client's ETag matches, fail with a status (with a
  ``Retry-After`` if asked), redirect (to any Location, empty included),
  redirect endlessly to ever new URLs, reset the connection, cut the body
  short, stall, never answer at all, trickle, stream far more than they
  declare, or label a plain body as gzip;
* a static page (``server.pages[path] = (status, body)``), which a test
  may change between requests;
* the ``get`` callable given to the constructor, for answers computed per
  request (it receives the handler and the path and returns False when it
  does not know the path);
* 404 otherwise.

A POST goes to ``server.post_handler(path, json_body) -> (status, json)``.
Every request is recorded (``requests`` with the monotonic time it
arrived, ``hits`` per path, ``agents``).
Stalls wait on ``server.release``, which is set when the server stops, so
no test waits for a stalled handler.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = "127.0.0.1"


@dataclass
class Step:
    kind: str = "ok"
    """ok | status | redirect | chain | reset | short | stall | hang | slow | undeclared | declared_huge | false_gzip"""
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    etag: str | None = None
    delay: float = 0.0
    """stall: how long to hold the connection; slow: pause between 64-byte pieces."""
    location: str = ""
    """redirect: the Location header."""
    length: int = 0
    """declared_huge: the Content-Length declared (nothing is sent)."""
    chunk: int = 64
    """slow: bytes per piece."""
    retry_after: str | None = None
    """status: the Retry-After header sent with the failure (seconds or an HTTP date)."""


def page(body: str, status: int = 200, content_type: str = "text/html; charset=utf-8") -> Step:
    """A plain page, as a step."""
    return Step(body=body.encode("utf-8"), status=status, content_type=content_type)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    owner: Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    # ----------------------------------------------------------------- helpers for `get` callables

    def send(self, status: int, body: bytes | str, content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ----------------------------------------------------------------- requests

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        self.owner._record(self, body)
        handler = self.owner.post_handler
        status, payload = handler(self.path, json.loads(body)) if handler else (404, {})
        self.send(status, json.dumps(payload).encode(), "application/json")

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.owner._record(self)
        step = self.owner._next_step(path)
        if step is not None:
            self._play(step)
        elif path in self.owner.pages:
            status, body = self.owner.pages[path]
            self.send(status, body)
        elif not (self.owner.get is not None and self.owner.get(self, path) is not False):
            self.send(404, "<p>Unknown</p>")

    def _play(self, step: Step) -> None:
        release = self.owner.release
        if step.kind == "reset":
            sock = self.connection
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(sock.detach())
            self.close_connection = True
            return
        if step.kind == "hang":  # accept, read the request, never answer
            release.wait(step.delay or 10)
            return
        if step.kind == "status":
            extra = {"Retry-After": step.retry_after} if step.retry_after is not None else {}
            self.send(step.status, b"<html><body>Service Unavailable</body></html>", "text/html", **extra)
            return
        if step.kind == "redirect":
            self.redirect(step.location, step.status if 300 <= step.status < 400 else 302)
            return
        if step.kind == "chain":  # never the same URL twice: ?hop=1, ?hop=2, ... (the route ignores the query)
            hop = int(self.path.partition("?hop=")[2] or 0) + 1
            self.redirect(f"{self.path.split('?')[0]}?hop={hop}")
            return
        if step.kind == "false_gzip":  # says gzip, sends plain bytes
            self.send(step.status, step.body, step.content_type, Content_Encoding="gzip")
            return
        if step.kind == "declared_huge":  # declares far more than it ever sends
            self.send_response(step.status)
            self.send_header("Content-Type", step.content_type)
            self.send_header("Content-Length", str(step.length))
            self.end_headers()
            self.close_connection = True
            return
        if step.kind == "undeclared":  # no Content-Length: the body repeats until the client stops reading
            self.send_response(step.status)
            self.send_header("Content-Type", step.content_type)
            self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(500):
                    self.wfile.write(step.body)
            self.close_connection = True
            return
        if step.etag and self.headers.get("If-None-Match") == step.etag:
            self.send_response(304)
            self.send_header("ETag", step.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(step.status)
        self.send_header("Content-Type", step.content_type)
        if step.etag:
            self.send_header("ETag", step.etag)
            self.send_header("Last-Modified", "Thu, 11 Jun 2026 14:03:27 GMT")
        declared = len(step.body) * 2 if step.kind == "short" else len(step.body)
        self.send_header("Content-Length", str(declared))
        if step.kind == "short":
            self.send_header("Connection", "close")
        self.end_headers()
        if step.kind == "stall":  # headers and a first piece, then nothing
            self.wfile.write(step.body[:100])
            self.wfile.flush()
            release.wait(step.delay or 5)
            return
        if step.kind == "slow":  # the whole body, a few bytes at a time
            for start in range(0, len(step.body), step.chunk):
                try:
                    self.wfile.write(step.body[start : start + step.chunk])
                    self.wfile.flush()
                except OSError:
                    return
                if release.wait(step.delay or 0.05):
                    return
            return
        self.wfile.write(step.body)
        if step.kind == "short":
            self.close_connection = True


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets, cut-off bodies and clients that give up are what the tests ask for


GetHandler = Callable[[Handler, str], Any]


class Server:
    """``with Server() as server:`` serves on 127.0.0.1 at a free port."""

    def __init__(self, get: GetHandler | None = None) -> None:
        self.get = get
        self.steps: dict[str, list[Step]] = {}
        self.pages: dict[str, tuple[int, str]] = {}
        self.requests: list[dict[str, Any]] = []
        self.hits: dict[str, int] = {}
        self.agents: set[str] = set()
        self.counters: dict[str, int] = {}
        """Free for ``get`` callables to count with (under ``lock``)."""
        self.post_handler: Callable[[str, Any], tuple[int, Any]] | None = None
        self.release = threading.Event()
        self.lock = threading.Lock()
        handler = type("LoopbackHandler", (Handler,), {"owner": self})
        self.httpd = _QuietServer((LOOPBACK, 0), handler)
        assert self.httpd.server_address[0] == LOOPBACK
        # a short poll interval: shutdown() waits up to one interval, after every test
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *steps: Step) -> str:
        """Script the answers for ``path``; returns its URL."""
        self.steps[path] = list(steps)
        return self.url(path)

    def _next_step(self, path: str) -> Step | None:
        with self.lock:
            steps = self.steps.get(path)
            if not steps:
                return None
            return steps.pop(0) if len(steps) > 1 else steps[0]

    def _record(self, request: Handler, body: bytes | None = None) -> None:
        path = request.path.split("?")[0]
        with self.lock:
            self.requests.append(
                {"method": request.command, "path": request.path, "headers": dict(request.headers), "body": body, "at": time.monotonic()}
            )
            self.hits[path] = self.hits.get(path, 0) + 1
            self.agents.add(request.headers.get("User-Agent", ""))

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]
