"""Progress bars on stderr: the CLI's side of the core's progress protocol.

The core reports progress through :class:`~provenance_cli.assessment.pipeline.Progress`
(``start(total)``, ``advance()``) and never prints; this adapter shows a rich
bar when stderr is a terminal and nothing otherwise (CI logs, pipes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


class ProgressBar:
    """A rich progress bar that the core drives through ``start`` and ``advance``."""

    def __init__(self, bar: RichProgress | None, label: str) -> None:
        self._bar = bar
        self._label = label
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        """Show a bar for ``total`` items; not for one item or none, where a bar would only flicker."""
        if self._bar is not None and total > 1:
            self._task = self._bar.add_task(self._label, total=total)

    def advance(self) -> None:
        """One item done; a no-op when no bar is shown."""
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressBar]:
    """A bar labelled ``label`` while the block runs; silent when stderr is not a terminal, or under --quiet."""
    from provenance_cli.cli import terminal
    from provenance_cli.cli.options import is_quiet

    err = terminal.console(stderr=True)
    if not err.is_terminal or is_quiet():
        yield ProgressBar(None, label)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        yield ProgressBar(bar, label)
