"""Reading the user's files safely, and writing files so that a reader never sees half a file and nothing is clobbered.

Every file provcheck reads on a user's behalf goes through
:func:`read_user_file` (or :func:`open_regular` for a stream): regular files
only, never a device, FIFO or folder, with a size cap. Every file provcheck
writes goes to a temporary file in the target folder first and is then moved
into place in one step, so an interrupted run leaves either the old file or
the new one, never a torn mix.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from provenance_cli.util.errors import InputError, Problem, UsageError

MARKER_SCAN_BYTES = 16 * 1024 * 1024
"""How much of an existing file :func:`check_replaceable` reads looking for provcheck's marker."""
TEMP_PREFIX = ".provcheck-tmp-"
"""Every temporary file provcheck writes starts with this, so a later run can tell its leftovers from the user's files."""


def check_replaceable(
    path: Path,
    *,
    markers: Iterable[str],
    inputs: Iterable[Path] = (),
    force: bool = False,
    recognise: Callable[[Path], bool] | None = None,
) -> None:
    """Refuse to replace a file the user wrote: one of this run's inputs, one without provcheck's marker, or a read-only one.

    ``markers`` are texts only provcheck's own output of that kind contains
    (the report's ``"tool":"provcheck"``, the HTML generator tag...), looked
    for in the file's first 16 MiB (a JSON report's marker sits after its
    answers, past 64 KiB in a long one); ``recognise`` tells provcheck's own
    files where the bytes cannot show it (a compressed workbook). ``--force``
    replaces any of them.
    """
    if force or not path.exists():
        return
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name")
    special = special_file_kind(path)
    if special is not None:  # reading a FIFO's "first 64 KiB" would block, and a device cannot be replaced atomically
        raise UsageError(f"{path} is {special}, not a regular file; give the name of a file to write")
    resolved = path.resolve()
    if any(resolved == Path(item).resolve() for item in inputs):
        raise UsageError(f"{path} is one of this run's inputs; refusing to overwrite it (use --force to replace it anyway)")
    if not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK):  # no write bit (root's access() ignores it)
        raise UsageError(f"{path} is read-only; refusing to replace it (use --force to replace it anyway)")
    try:
        with open_regular(path) as stream:
            head = stream.read(MARKER_SCAN_BYTES).decode("utf-8", "replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if not any(marker in head for marker in markers) and not (recognise is not None and recognise(path)):
        raise UsageError(f"{path} exists and was not written by provcheck; refusing to replace it (use --force to replace it)")


def _mode_for(path: Path) -> int:
    """The permission bits a rewritten ``path`` keeps, or a new file's under the current umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: Path, data: str | bytes, *, overwrite: bool = True, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically.

    With ``overwrite=False`` an existing file is never replaced, even if it
    appears between our check and our write (the final step is a hard link,
    which fails when the name is taken). The file keeps the mode it had (a
    new one gets what the umask allows) unless ``mode`` is given: caches of
    code pass 0o600, since they are only read back when nobody else can write
    them, and a umask of 002 would otherwise make every one unusable.
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
        handle, temp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write in {folder}: {exc.strerror}") from None
    temp = Path(temp_name)
    try:
        # mkstemp makes 0600: give the file the mode asked for, the mode it had, or what the umask allows a new file.
        os.chmod(temp, _mode_for(path) if mode is None else mode)
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
NOT_DOSSIERS = (".evidence.lock.yaml", ".evidence.lock.yml", ".scenario.yaml", ".scenario.yml")
"""Files a folder of dossiers may hold that are not dossiers: evidence locks, and what-if scenarios (``provcheck simulate``)."""


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """YAML files named or found (recursively) under folders, in a stable order."""
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            named = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in YAML_SUFFIXES
                and not p.name.endswith(NOT_DOSSIERS)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not p.is_dir()
            )
            children = [p for p in named if p.is_file()]
            # A FIFO or device named like a dossier is reported, not opened (a FIFO would block) and not silently skipped.
            problems.extend(
                Problem(str(p), 0, 0, refusal(kind, "a YAML file")) for p in named if (kind := special_file_kind(p)) is not None
            )
            if not named:
                problems.append(Problem(str(path), 0, 0, "folder holds no .yaml or .yml files"))
            found.extend(children)
        elif path.exists() or str(path) == "-":  # "-": a dossier on standard input
            found.append(path)
        else:
            problems.append(Problem(str(path), 0, 0, "no such file or folder"))
    unique = list(dict.fromkeys(found))
    return unique, problems


# --------------------------------------------------------------------------- reading the user's files safely


def _what_it_is(mode: int) -> str:
    """A special file's kind, in words, for the refusal message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def refusal(kind: str, expected: str) -> str:
    """The one sentence refusing a special file: what it is, what was expected, and the rule."""
    return f"is {kind}, expected {expected}; provcheck reads only regular files"


def _not_regular(source: str, mode: int, expected: str) -> InputError:
    return InputError([Problem(source, 0, 0, refusal(_what_it_is(mode), expected))])


def special_file_kind(path: Path) -> str | None:
    """What ``path`` is, in words, when it exists but is not a regular file ("a FIFO (named pipe)"...); None otherwise.

    Only ``stat``: nothing is opened, so a FIFO cannot block.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else _what_it_is(mode)


@contextlib.contextmanager
def open_regular(path: Path, expected: str = "a file") -> Iterator[BinaryIO]:
    """Open a file the user named for reading, refusing anything but a regular file.

    Devices (``/dev/zero`` never ends), FIFOs (opening one blocks until a
    writer appears) and folders are refused with an InputError (exit 2)
    naming what the path is. The path is checked with ``stat`` before it is
    opened, and opened non-blocking, then checked again on the open handle,
    so a file swapped for a FIFO in between cannot hang the run either.
    ``expected`` names what should be there ("a YAML file", "a list file").
    """
    source = str(path)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(source, mode, expected)
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    except (FileNotFoundError, NotADirectoryError):
        raise InputError([Problem(source, 0, 0, "no such file")]) from None
    except OSError as exc:
        raise InputError([Problem(source, 0, 0, f"cannot read file: {exc.strerror or exc}")]) from None
    stream = os.fdopen(handle, "rb")
    with stream:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(source, mode, expected)
        yield stream


def read_user_file(path: Path, *, limit: int, expected: str = "a file") -> bytes:
    """The bytes of a file the user named, at most ``limit`` of them: the one way provcheck reads its inputs.

    Refuses what :func:`open_regular` refuses, and a file larger than
    ``limit`` (by its size, and again while reading, for a file that grows),
    with an InputError at line 1, column 1.
    """
    source = str(path)
    with open_regular(path, expected) as stream:
        declared = os.fstat(stream.fileno()).st_size
        if declared <= limit:
            try:
                # As many bytes as the file says it holds and one more, not the limit's worth: asking for the limit
                # made Python set aside a 2 MB buffer for every 25 kB dossier. The extra byte tells a file that grew.
                data = stream.read(declared + 1)
                if len(data) > declared:
                    data += stream.read(limit + 1 - len(data))
            except OSError as exc:
                raise InputError([Problem(source, 0, 0, f"cannot read file: {exc.strerror or exc}")]) from None
            if len(data) <= limit:
                return data
            declared = max(declared, len(data))
    raise InputError([Problem(source, 1, 1, f"file is {declared:,} bytes; the limit is {limit:,} bytes")])
