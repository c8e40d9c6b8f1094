"""The ``provcheck`` console script and ``python -m provenance_cli``.

Two things only a whole process may do, around :func:`provenance_cli.cli.app.main`:

* before anything else is imported, dataclasses' compiled methods are served
  from the cache folder (:mod:`provenance_cli.util.codecache`: typer,
  pydantic and rich create dataclasses as they are imported);
* when the command is done, everything it built is handed to the collector's
  permanent generation (``gc.freeze``), so the interpreter's last full
  collection at exit does not walk the hundreds of thousands of objects of
  modules, classes, the catalogue and the reports just to free them as the
  process ends: that walk was about a quarter of ``provcheck assess FILE``'s
  CPU time. Exit still runs as usual (atexit handlers, flushed streams,
  threads joined); provcheck closes every file it writes before that.

Importing :mod:`provenance_cli.cli.app` directly (tests, embedding) does
neither.
"""

from __future__ import annotations


def main() -> None:
    """Run ``provcheck`` with the start-up caches in place and a cheap exit."""
    import gc

    from provenance_cli.util.codecache import install

    install()
    from provenance_cli.cli.app import main as run

    # app.main pauses the collector for the command and gives it back on return to an in-process caller; pausing
    # it first here keeps it paused on the way out, so nothing is collected between the command's end and the freeze.
    gc.disable()
    try:
        run()
    finally:
        gc.freeze()
