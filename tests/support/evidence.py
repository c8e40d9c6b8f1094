"""Evidence-test helpers: a site of evidence pages on the loopback server, and dossiers citing it.

The pages cover every outcome a link check knows: plain pages, redirects
(relative, chained, looping, to ftp: and javascript:), 404 and 503, a page
whose only change is a nonce and a timestamp, stalls before and inside the
body, a trickle that never finishes, bodies too large with and without a
declared length, and slow pages that count how many are served at once
(``server.counters["max_in_flight"]``).
"""

from __future__ import annotations

import time
from pathlib import Path

from provenance_cli.evidence import FetchOptions

from .http import Handler, Server, Step

FAST = FetchOptions(timeout=0.5, concurrency=16, per_host=4, max_bytes=64 * 1024, trust_env=False)
CLI_FAST = ["--timeout", "0.5", "--max-bytes", "65536"]


def policy_page(days: int) -> str:
    return f"<html><body><h1>Retention</h1><p>Prompts are kept for {days} days.</p></body></html>"


def nonce_page(counter: int) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1782810000 + counter * 3671))
    nonce = f"N0nce{counter:04d}xYzAbCdEfGhIjK"
    return (
        f'<html><head><script nonce="{nonce}">var build="{nonce}";</script></head><body>'
        f"<p>Terms of service: outputs may not be used to train competing models.</p>"
        f"<footer>Rendered {stamp} &middot; csrf_token={nonce} &middot; {counter} minutes ago"
        f"</footer></body></html>"
    )


def serve_evidence_site(server: Server) -> Server:
    """Set ``server`` up as the evidence site; returns it."""
    server.pages["/same"] = (200, "<html><body><p>Account verification policy.</p></body></html>")
    server.pages["/policy"] = (200, policy_page(30))
    server.pages["/gone-later"] = (200, "<p>Sub-processor list</p>")
    server.pages["/missing"] = (404, "<p>Not here</p>")
    server.pages["/error"] = (503, "<p>Busy</p>")
    server.counters.update(in_flight=0, max_in_flight=0)
    server.route("/redirect", Step(kind="redirect", location="/same"))
    server.route("/chain", Step(kind="redirect", location=server.url("/redirect")))
    server.route("/loop", Step(kind="redirect", location="/loop"))
    server.route("/to-ftp", Step(kind="redirect", location="ftp://127.0.0.1/policy.txt"))
    server.route("/to-javascript", Step(kind="redirect", location="javascript:alert(1)"))
    server.route("/stall", Step(kind="hang", delay=10))
    server.route("/stall-body", Step(kind="stall", body=b"<p>start" + b" " * 992, content_type="text/html", delay=10))
    # one byte every 0.1 s: never idle, never done
    server.route("/trickle", Step(kind="slow", body=b"x" * 100, content_type="text/html", delay=0.1, chunk=1))
    server.route("/huge", Step(kind="undeclared", body=b"<p>" + b"x" * 16_000 + b"</p>", content_type="text/html"))
    server.route("/huge-declared", Step(kind="declared_huge", length=50 * 1024 * 1024, content_type="text/html"))

    def dynamic(handler: Handler, path: str) -> bool:
        if path == "/nonce":
            handler.send(200, nonce_page(server.hits[path]))
        elif path.startswith("/slow/"):
            with server.lock:
                server.counters["in_flight"] += 1
                server.counters["max_in_flight"] = max(server.counters["max_in_flight"], server.counters["in_flight"])
            time.sleep(0.05)
            with server.lock:
                server.counters["in_flight"] -= 1
            handler.send(200, f"<p>{path}</p>")
        elif path.startswith("/page/"):
            handler.send(200, f"<p>Evidence page {path}</p>")
        else:
            return False
        return True

    server.get = dynamic
    return server


def dossier_text(question_ids: list[str], citations: dict[int, list[str]]) -> str:
    """A valid dossier whose unanswered questions cite the given URLs."""
    lines = [
        "provcheck: 2",
        "vendor:",
        "  name: Acme AI",
        "  legal_name: Acme AI, Inc.",
        "assessment:",
        "  assessor: Jane Doe",
        "  date: 2026-07-01",
        "answers:",
    ]
    for index, urls in citations.items():
        lines += [f"  {question_ids[index]}:", "    answer:"]
        lines += ["    evidence:"] if urls else []
        for url in urls:
            lines += [f"      - url: {url}", "        kind: public_document"]
    return "\n".join(lines) + "\n"


def write_dossier(path: Path, question_ids: list[str], citations: dict[int, list[str]]) -> Path:
    path.write_text(dossier_text(question_ids, citations), encoding="utf-8")
    return path


def load(path: Path):
    """The dossier at ``path``, parsed."""
    from provenance_cli.formats.dossier import load_dossier

    return load_dossier(path)
