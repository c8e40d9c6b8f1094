"""Working through many inputs on every core.

Folder work (validate, assess, screen) is embarrassingly parallel: each
dossier is parsed and judged on its own. Small batches stay in-process,
where starting workers would cost more than it saves.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_THRESHOLD = 48


def default_jobs() -> int:
    """CPUs this process may run on (its affinity where the OS has one), so a pinned process starts no more workers than it can run."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def worker_count(jobs: int | None, items: int) -> int:
    """Workers for ``items`` pieces of work: ``jobs`` (default: every CPU), never more than the CPUs or the pieces, at least 1.

    More processes than CPUs only cost memory and start-up time for
    CPU-bound work; more than pieces of work would sit idle.
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    cpus = default_jobs()
    return max(1, min(cpus if jobs is None else min(jobs, cpus), items))


@contextmanager
def bulk_gc() -> Iterator[None]:
    """Keep the cyclic garbage collector out of the way of bulk work.

    Parsing and scoring thousands of dossiers allocates millions of small,
    acyclic objects (freed by reference counting as soon as they are done
    with), and every full collection re-walks all live ones: about a third of
    scoring time in a 2,000-dossier run. Long-lived objects made so far are
    frozen out of collection and the collector pauses until the work is done.

    No full collection follows: the work left little cyclic garbage, a
    command line exits right after it (a full collection there cost about
    20 ms, as much as assessing one dossier), and the collector's own
    thresholds take over again in a longer-lived process.
    """
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _worker_init() -> None:
    """Worker processes only ever do bulk work: same treatment as :func:`bulk_gc`; they hold no folder lock of the parent's."""
    from provenance_cli.util.fileset import close_inherited_locks

    close_inherited_locks()
    gc.freeze()
    gc.disable()


def _start_method() -> str | None:
    """Fork where it is safe (Linux): workers start with the catalogue, policy and lists the parent loaded, at no cost.

    Elsewhere (macOS, where forking a process that used system frameworks is
    unsafe, and Windows) the platform's default, which re-imports in each worker.
    """
    import multiprocessing

    return "fork" if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods() else None


def parallel_map(
    function: Callable[[T], R],
    items: list[T],
    *,
    jobs: int | None = None,
    on_done: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``map`` over processes, results in input order; in-process for small work.

    ``function`` must be a module-level function (it is pickled by name).
    """
    workers = worker_count(jobs, len(items))
    if workers == 1 or len(items) < PARALLEL_THRESHOLD:
        with bulk_gc():
            for item in items:
                result = function(item)
                if on_done:
                    on_done()
                yield result
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(items) // (workers * 8))
    context = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, mp_context=context) as pool:
        for result in pool.map(function, items, chunksize=chunk):
            if on_done:
                on_done()
            yield result
