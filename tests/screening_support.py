"""A scriptable HTTP server on 127.0.0.1 for the screening tests.

Each request to a path takes the next step of that path's script (the last
step repeats). Steps say what the server does: send a file, answer 304 when
the client's ETag matches, fail with a status, reset the connection, cut
the body short, stall, or trickle the body slowly.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "csl"
CSL = FIXTURES / "consolidated.json"
CSL_NEXT = FIXTURES / "consolidated_next.json"


@dataclass
class Step:
    kind: str = "ok"
    """ok | status | reset | short | stall | slow | json (for POST handlers)"""
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    etag: str | None = None
    delay: float = 0.0


@dataclass
class Script:
    steps: dict[str, list[Step]] = field(default_factory=dict)
    requests: list[dict[str, object]] = field(default_factory=list)
    post_handler: object = None

    def next_step(self, path: str) -> Step | None:
        steps = self.steps.get(path)
        if not steps:
            return None
        return steps.pop(0) if len(steps) > 1 else steps[0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    script: Script

    def log_message(self, *args: object) -> None:
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    def _record(self, body: bytes | None = None) -> None:
        self.script.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        self._record(body)
        handler = self.script.post_handler
        status, payload = handler(self.path, json.loads(body)) if handler else (404, {})
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._record()
        step = self.script.next_step(self.path.split("?")[0])
        if step is None:
            self.send_error(404)
            return
        if step.kind == "reset":
            sock = self.connection
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(sock.detach())
            self.close_connection = True
            return
        if step.kind == "status":
            data = b"<html><body>Service Unavailable</body></html>"
            self.send_response(step.status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
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
        if step.kind == "stall":
            self.wfile.write(step.body[:100])
            self.wfile.flush()
            time.sleep(step.delay or 5)
            return
        if step.kind == "slow":
            for start in range(0, len(step.body), 64):
                try:
                    self.wfile.write(step.body[start : start + 64])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(step.delay or 0.05)
            return
        self.wfile.write(step.body)
        if step.kind == "short":
            self.close_connection = True


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets and cut-off bodies are what the tests ask for


class Server:
    """``with Server() as server:`` serves on 127.0.0.1 at a free port."""

    def __init__(self) -> None:
        self.script = Script()
        handler = type("ScriptedHandler", (Handler,), {"script": self.script})
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *steps: Step) -> str:
        self.script.steps[path] = list(steps)
        return self.url(path)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def csl_step(path: Path = CSL, **kwargs: object) -> Step:
    return Step(body=path.read_bytes(), **kwargs)  # type: ignore[arg-type]


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for running provcheck against this server: a private cache and
    config under ``tmp_path``, no retries or back-off, no proxies, no offline mode."""
    values = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    values.update(
        NO_COLOR="1",
        COLUMNS="250",
        PYTHONIOENCODING="utf-8",
        PROVCHECK_CACHE_DIR=str(tmp_path / "cache"),
        PROVCHECK_CONFIG=str(tmp_path / "config.yaml"),
        PROVCHECK_RETRIES="0",
        PROVCHECK_BACKOFF="0",
        **extra,
    )
    values.pop("PROVCHECK_OFFLINE", None)
    values.pop("FORCE_COLOR", None)
    (tmp_path / "config.yaml").write_text("screening: {}\n", encoding="utf-8")
    return values
