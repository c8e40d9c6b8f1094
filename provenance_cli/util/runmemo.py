"""Answers worked out once per run of a command and forgotten when the run ends.

A portfolio run assesses every dossier against the same catalogue and the
same state of the list caches; looking them up again for each dossier cost
about half a millisecond apiece. A :class:`RunMemo` keeps such answers for
the length of a ``with memo.run():`` block only, so the next run (even in the
same process, as tests and long-lived callers do) looks again.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class RunMemo(Generic[K, V]):
    """Values by key for the run in progress; outside a run nothing is found and nothing is kept."""

    def __init__(self) -> None:
        self._values: dict[K, V] | None = None

    @contextmanager
    def run(self) -> Iterator[None]:
        """Keep values for the length of the block (a nested block starts empty and gives the outer one back)."""
        outer = self._values
        self._values = {}
        try:
            yield
        finally:
            self._values = outer

    def get(self, key: K) -> V | None:
        """The value kept for ``key`` in this run, or None."""
        return None if self._values is None else self._values.get(key)

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for the rest of the run (nothing is kept outside one)."""
        if self._values is not None:
            self._values[key] = value
