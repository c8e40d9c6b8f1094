"""Writing files so that a reader never sees half a file and nothing is clobbered.

Every file provcheck writes goes to a temporary file in the target folder
first and is then moved into place in one step, so an interrupted run leaves
either the old file or the new one, never a torn mix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from provenance_cli.util.errors import Problem, UsageError


def check_replaceable(path: Path, *, markers: Iterable[str], inputs: Iterable[Path] = (), force: bool = False) -> None:
    """Refuse to replace a file the user wrote: one of this run's inputs, one without provcheck's marker, or a read-only one.

    ``markers`` are texts only provcheck's own output of that kind contains
    (the report's ``"tool":"provcheck"``, the HTML generator tag, a PDF's
    identifier in its trailer...), looked for in the file's first and last
    64 KiB. ``--force`` replaces any of them.
    """
    if force or not path.exists():
        return
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name")
    resolved = path.resolve()
    if any(resolved == Path(item).resolve() for item in inputs):
        raise UsageError(f"{path} is one of this run's inputs; refusing to overwrite it (use --force to replace it anyway)")
    if not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK):  # no write bit (root's access() ignores it)
        raise UsageError(f"{path} is read-only; refusing to replace it (use --force to replace it anyway)")
    try:
        with open(path, "rb") as stream:
            head = stream.read(64 * 1024)
            size = os.fstat(stream.fileno()).st_size
            if size > len(head):
                stream.seek(max(len(head), size - 64 * 1024))
                head += b"\n" + stream.read(64 * 1024)
        text = head.decode("utf-8", "replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if not any(marker in text for marker in markers):
        raise UsageError(f"{path} exists and was not written by provcheck; refusing to replace it (use --force to replace it)")


def _mode_for(path: Path) -> int:
    """The permission bits a rewritten ``path`` keeps, or a new file's under the current umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
        # mkstemp makes 0600: give the file the mode it had, or what the umask allows a new file.
        os.chmod(temp, _mode_for(path))
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


YAML_SUFFIXES = (".yaml", ".yml")
NOT_DOSSIERS = (".evidence.lock.yaml", ".evidence.lock.yml")


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """YAML files named or found (recursively) under folders, in a stable order."""
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            children = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in YAML_SUFFIXES
                and not p.name.endswith(NOT_DOSSIERS)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not children:
                problems.append(Problem(str(path), 0, 0, "folder holds no .yaml or .yml files"))
            found.extend(children)
        elif path.exists():
            found.append(path)
        else:
            problems.append(Problem(str(path), 0, 0, "no such file or folder"))
    unique = list(dict.fromkeys(found))
    return unique, problems
