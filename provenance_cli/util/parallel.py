"""Working through many inputs on every core.

Folder work (validate, assess, screen) is embarrassingly parallel: each
dossier is parsed and judged on its own. Small batches stay in-process,
where starting workers would cost more than it saves, and the number of
workers follows the number of files (none below :data:`PARALLEL_THRESHOLD`, then
one per half of it; see :func:`pool_size`).
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

PARALLEL_THRESHOLD = 32
"""Files from which two worker processes start (:func:`pool_size`).

Measured for ``assess DIR -f json -o OUT``, ``--jobs 1`` against ``--jobs 2``
with the pool forced on, in fresh processes, medians of 3 interleaved runs
(2 shared cores, load average 9): wall-time ratio 0.86x at 8 files, 1.06x at
16, 1.13x at 32, 1.17x at 64, 1.56x at 128; the second worker's extra CPU
fell from 25% at 8 files to 1-6% from 16 on. Break-even is between 8 and
16 files; 32 leaves a margin for a busier machine, so a small folder is never
slower than in one process. Again at load average 1.3: 1.13x at 8 files,
1.15x at 16, 1.23x at 32, 1.20x at 64.
"""


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


def pool_size(jobs: int | None, items: int, threshold: int | None = None) -> int:
    """Worker processes worth starting for ``items`` files: none below ``threshold`` (default :data:`PARALLEL_THRESHOLD`;
    1 means in-process), then one more per half of it, up to :func:`worker_count`.

    Two workers start exactly where two pay; a third needs another half.
    """
    threshold = PARALLEL_THRESHOLD if threshold is None else threshold
    if items < threshold:
        return 1
    return min(worker_count(jobs, items), max(1, items // max(1, threshold // 2)))


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


def _worker_init(parent: int) -> None:
    """Worker processes only ever do bulk work: same treatment as :func:`bulk_gc`; they hold no folder lock of the parent's.

    They also die with the parent: a worker outliving a killed run would go
    on writing that run's reports into a folder the next run has cleaned.
    """
    from provenance_cli.util.fileset import close_inherited_locks

    _die_with(parent)
    close_inherited_locks()
    gc.freeze()
    gc.disable()


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when ``parent`` dies (``PR_SET_PDEATHSIG``); exit now if it is gone already."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


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
    threshold: int | None = None,
) -> Iterator[R]:
    """``map`` over processes, results in input order; in-process for small work (see :func:`pool_size`).

    ``function`` must be a module-level function (it is pickled by name).
    """
    workers = pool_size(jobs, len(items), threshold)
    if workers == 1:
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
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),), mp_context=context) as pool:
        for result in pool.map(function, items, chunksize=chunk):
            if on_done:
                on_done()
            yield result
