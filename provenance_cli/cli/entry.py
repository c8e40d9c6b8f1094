"""The ``provcheck`` console script and ``python -m provenance_cli``.

What only a whole process may decide, around :func:`provenance_cli.cli.app.main`:

* before anything else is imported, dataclasses' compiled methods are served
  from the cache folder (:mod:`provenance_cli.util.codecache`: typer,
  pydantic and rich create dataclasses as they are imported);
* pydantic plugins (the ``pydantic`` entry-point group: observability
  hooks such as tracing exporters) are left out unless
  ``PYDANTIC_DISABLE_PLUGINS`` says otherwise: such a plugin sees every
  value a model validates, here the content of vendor dossiers and
  policies, and finding them scans every installed distribution's metadata
  on each start (typer leaves them out of its own parameter checks too);
* when the command is done, everything it built is handed to the collector's
  permanent generation (``gc.freeze``), so the interpreter's last full
  collection at exit does not walk the hundreds of thousands of objects of
  modules, classes, the catalogue and the reports just to free them as the
  process ends: that walk was about a quarter of ``provcheck assess FILE``'s
  CPU time. Exit still runs as usual (atexit handlers, flushed streams,
  threads joined); provcheck closes every file it writes before that.

Importing :mod:`provenance_cli.cli.app` directly (tests, embedding) does
none of this.
"""

from __future__ import annotations


def main() -> None:
    """Run ``provcheck`` with the start-up caches in place and a cheap exit."""
    import gc
    import os

    from provenance_cli.util.codecache import install

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    install()
    from provenance_cli.cli.app import main as run

    # app.main pauses the collector for the command and gives it back on return to an in-process caller; pausing
    # it first here keeps it paused on the way out, so nothing is collected between the command's end and the freeze.
    gc.disable()
    try:
        run()
    finally:
        gc.freeze()
