"""Writing files so that a reader never sees half a file and nothing is clobbered.

Every file provcheck writes goes to a temporary file in the target folder
first and is then moved into place in one step, so an interrupted run leaves
either the old file or the new one, never a torn mix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from provenance_cli.util.errors import UsageError


def atomic_write(path: Path, data: str | bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` atomically.

    With ``overwrite=False`` an existing file is never replaced, even if it
    appears between our check and our write (the final step is a hard link,
    which fails when the name is taken).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create folder {folder}: {exc.strerror}") from None
    if not overwrite and path.exists():
        raise UsageError(f"{path} already exists; use --force to replace it")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write in {folder}: {exc.strerror}") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        if overwrite:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise UsageError(f"{path} already exists; use --force to replace it") from None
            except OSError:
                # Filesystems without hard links: fall back to an exclusive create.
                with open(path, "xb") as stream:
                    stream.write(payload)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
