"""The ``provcheck`` console script and ``python -m provenance_cli``.

Installs the start-up caches that must be in place before anything else is
imported (dataclasses' compiled methods, :mod:`provenance_cli.util.codecache`:
typer, pydantic and rich create dataclasses as they are imported), then runs
the command line. Importing :mod:`provenance_cli.cli.app` directly (tests,
embedding) installs nothing.
"""

from __future__ import annotations


def main() -> None:
    """Run ``provcheck`` with the start-up caches in place."""
    from provenance_cli.util.codecache import install

    install()
    from provenance_cli.cli.app import main as run

    run()
