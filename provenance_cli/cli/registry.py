"""Command groups in their own modules; each exposes ``register(app)``.

Add a module here with one import and one entry in REGISTERED.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

REGISTERED: list[Callable[[typer.Typer], None]] = []

from provenance_cli.cli import assess  # noqa: E402

REGISTERED.append(assess.register)

from provenance_cli.cli import evidence  # noqa: E402

REGISTERED.append(evidence.register)

from provenance_cli.cli import screening  # noqa: E402

REGISTERED.append(screening.register)

from provenance_cli.cli import reports  # noqa: E402

REGISTERED.append(reports.register)

from provenance_cli.cli import monitor  # noqa: E402

REGISTERED.append(monitor.register)

from provenance_cli.cli import simulate  # noqa: E402

REGISTERED.append(simulate.register)

from provenance_cli.cli import answers  # noqa: E402

REGISTERED.append(answers.register)

from provenance_cli.cli import bom  # noqa: E402

REGISTERED.append(bom.register)
