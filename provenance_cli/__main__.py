"""``python -m provenance_cli``: the same entry point as the ``provcheck`` command."""

from provenance_cli.cli.entry import main

main()
