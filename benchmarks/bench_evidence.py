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
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.http import Handler, Server


def policy_pages(delay: float):  # type: ignore[no-untyped-def]
    """A ``get`` callable for the loopback server: every path is a small policy page."""

    def serve(handler: Handler, path: str) -> None:
        time.sleep(delay)
        body = (
            "<html><head><title>Policy</title><script>var t=Date.now()</script></head>"
            f"<body><h1>Policy {path}</h1><p>Prompts are kept for 30 days.</p>"
            f"<footer>Rendered {time.strftime('%Y-%m-%dT%H:%M:%SZ')}</footer></body></html>"
        )
        handler.send(200, body)

    return serve


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

    servers = contextlib.ExitStack()
    bases = [servers.enter_context(Server(get=policy_pages(args.delay_ms / 1000))).base for _ in range(args.hosts)]
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
        servers.close()

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
