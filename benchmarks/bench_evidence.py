"""How long ``provcheck evidence check`` takes for many evidence URLs.

Starts local HTTP servers on 127.0.0.1 (one per simulated host; nothing
else is ever contacted), writes a dossier citing N distinct URLs spread over
them, and times the real command in a subprocess (start-up, dossier
loading, fetching, normalising, printing JSON) with the default limits, plus
the in-process core call for reference. Each page takes a few milliseconds
to serve, like a small real page.

Run:  python benchmarks/bench_evidence.py [--urls 500] [--hosts 5] [--delay-ms 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def make_handler(delay: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(delay)
            body = (
                "<html><head><title>Policy</title><script>var t=Date.now()</script></head>"
                f"<body><h1>Policy {self.path}</h1><p>Prompts are kept for 30 days.</p>"
                f"<footer>Rendered {time.strftime('%Y-%m-%dT%H:%M:%SZ')}</footer></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def dossier_text(question_id: str, urls: list[str]) -> str:
    lines = [
        "provcheck: 1",
        "vendor:",
        "  name: Bench AI",
        "  legal_name: Bench AI, Inc.",
        "assessment:",
        "  assessor: Bench",
        "  date: 2026-07-01",
        "answers:",
        f"  {question_id}:",
        "    answer:",
        "    evidence:",
    ]
    for url in urls:
        lines += [f"      - url: {url}", "        kind: public_document"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--delay-ms", type=float, default=5.0, help="server time per page")
    args = parser.parse_args()

    from provenance_cli.evidence import FetchOptions, check_dossiers
    from provenance_cli.formats.dossier import load_dossier
    from provenance_cli.formats.questionnaires import load_catalogue

    servers = []
    for _ in range(args.hosts):
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.delay_ms / 1000))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    bases = [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    urls = [f"{bases[i % len(bases)]}/policy/{i}" for i in range(args.urls)]
    question = next(q.id for q in load_catalogue().questions.values() if q.applies_if is None)
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy") and k != "PROVCHECK_OFFLINE"}
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.yaml"
            path.write_text(dossier_text(question, urls), encoding="utf-8")
            command = [
                sys.executable,
                "-m",
                "provenance_cli",
                "evidence",
                "check",
                str(path),
                "-f",
                "json",
            ]
            started = time.perf_counter()
            proc = subprocess.run(command, capture_output=True, env=env, check=False)
            cli_seconds = time.perf_counter() - started
            if proc.returncode != 0:
                sys.exit(f"evidence check failed ({proc.returncode}): {proc.stderr.decode()}")
            summary = json.loads(proc.stdout)["summary"]["links"]

            dossier = load_dossier(path)
            started = time.perf_counter()
            checks = check_dossiers([dossier], FetchOptions(trust_env=False))
            core_seconds = time.perf_counter() - started
            ok = sum(item.result.status == "ok" for item in checks[0].urls)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

    defaults = FetchOptions()
    print(
        f"{args.urls} evidence URLs on {args.hosts} local host(s), {args.delay_ms:g} ms per page, "
        f"default limits (concurrency {defaults.concurrency}, per host {defaults.per_host})"
    )
    print(f"  provcheck evidence check (subprocess, start to finish): {cli_seconds:.2f} s  {summary}")
    print(f"  core check_dossiers (in-process):                       {core_seconds:.2f} s  ({ok} ok)")
    serial = args.urls * args.delay_ms / 1000
    print(f"  serving time alone if fetched one by one:               {serial:.2f} s")


if __name__ == "__main__":
    main()
