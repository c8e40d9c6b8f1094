"""Replacing a set of files in a folder as one unit, so that a killed run is repaired by the next one.

A report folder holds one file per vendor and an index. Replacing them one
by one means a run killed halfway leaves some reports of the new run, some
of the old one, and temporary files. Renaming a whole sibling folder into
place instead would swap the folder itself: its owner, permissions and ACLs,
a mount point, a web server's or a shell's handle on it; it needs a writable
parent; and the files the user keeps in the folder would have to move too.
So the set is committed in place, with a journal:

1. every new file is written in full, and synced, under a temporary name in
   the folder (``.provcheck-tmp-<run>-<name>``);
2. the manifest (``.provcheck-reports.json``) is replaced atomically by one
   that says "run R is committing: these temporaries become these names, and
   these stale files go". This is the commit point;
3. each temporary is renamed onto its name (one atomic step each) and the
   stale files are removed;
4. the manifest is replaced once more: run R is complete.

Killed before step 2, the folder holds the complete old set (plus hidden
temporaries, which the next run removes). Killed after it, the manifest says
which run each file belongs to and which temporaries hold the rest of the new
set; the next run into the folder finishes the renames before anything else
(it rolls forward: the old versions are already gone), so the complete new
set is in place again. Names outside the set are never touched.

Runs into the same folder take turns (an exclusive ``flock`` on the folder
while its set is updated), so one run's clean-up never removes another live
run's temporaries.

Step 1 may also happen long before the commit, file by file, while the run
is still at work (``assess -o DIR`` streams each report to disk as soon as it
is rendered, from whichever worker process rendered it): such a run holds
the folder's lock from before its first temporary to after its commit, names
its temporaries with :meth:`FileSet.temp_path`, and hands them to
:meth:`FileSet.commit` as :class:`Prewritten` files. Killed before the commit
point, they are hidden temporaries like any other, removed by the next run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from provenance_cli.util.errors import UsageError
from provenance_cli.util.files import TEMP_PREFIX, _mode_for, atomic_write, check_replaceable

MANIFEST = ".provcheck-reports.json"
"""The journal and record of the sets provcheck wrote into a folder (one per report format)."""
MANIFEST_VERSION = 1
MANIFEST_MARKER = '"tool":"provcheck"'
"""What the manifest starts with; a file of that name without it is the user's and is never replaced without --force."""

_RUN_ID = r"\d{8}T\d{6}Z-[0-9a-f]{6}"
_RUN_TEMP = re.compile(rf"^{re.escape(TEMP_PREFIX)}{_RUN_ID}-")
_WRITE_TEMP = re.compile(rf"^{re.escape(TEMP_PREFIX)}(?P<target>.+)\.[a-z0-9_]{{8}}\.tmp$")
_OLD_WRITE_TEMP = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp$")
"""The temporary names of provcheck versions before TEMP_PREFIX (``.<name>.<random>.tmp``)."""

LOCK_WAIT_SECONDS = 60.0
"""How long a run waits for another run that is updating the same folder."""


def new_run_id() -> str:
    """A run id that sorts by time and does not collide: ``20261201T084603Z-3fa9c1``."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Recorded:
    """One file the manifest says provcheck wrote: its run, digest and the caller's notes (vendor, source...)."""

    name: str
    run: str
    """The run that wrote it; empty for a file adopted from a folder written before manifests existed."""
    sha256: str
    notes: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, str]:
        """The manifest entry: run, digest and notes."""
        return {"run": self.run, "sha256": self.sha256, **self.notes}


@dataclass(frozen=True)
class Prewritten:
    """A file of the set already written under its temporary name (by :meth:`FileSet.temp_path`), not yet synced."""

    temp: Path
    sha256: str


_HELD_LOCKS: set[int] = set()
"""Descriptors of the folder locks this process holds (a forked worker closes its copies: see :func:`close_inherited_locks`)."""


def close_inherited_locks() -> None:
    """In a forked worker: close the copies of the parent's folder locks, so only the parent's own descriptor keeps them held.

    A lock lives as long as any descriptor of it is open: a worker outliving a
    killed parent would otherwise keep the next run waiting for the folder.
    """
    for handle in list(_HELD_LOCKS):
        with contextlib.suppress(OSError):
            os.close(handle)
    _HELD_LOCKS.clear()


@dataclass
class FileSet:
    """A locked folder whose sets of files are replaced as units (use as a context manager).

    Entering locks the folder, finishes an update a killed run left
    committed (``repaired`` says so in words), and removes temporaries killed
    runs left behind (``removed_temps``). ``commit`` then replaces one set.
    """

    folder: Path
    markers: tuple[str, ...] = ()
    """Texts only provcheck's files contain: finishing a killed run's update replaces or removes only files that have one."""
    force: bool = False
    """Replace a manifest file provcheck did not write (the user's own ``.provcheck-reports.json``)."""
    run: str = field(default_factory=new_run_id)
    repaired: list[str] = field(default_factory=list)
    """What finishing a killed run's update did, in words."""
    removed_temps: list[str] = field(default_factory=list)
    """Temporaries of killed runs removed from the folder."""
    _manifest: dict[str, Any] = field(default_factory=dict, init=False)
    _lock: int | None = field(default=None, init=False)

    def __enter__(self) -> FileSet:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create folder {self.folder}: {exc.strerror}") from None
        self._lock = lock_folder(self.folder)
        if self._lock is not None:
            _HELD_LOCKS.add(self._lock)
        try:
            self._manifest = self._read_manifest()
            self._roll_forward()
            owned = {MANIFEST, *(name for entry in self._sets().values() for name in entry.get("files", {}))}
            self.removed_temps.extend(remove_stale_temps(self.folder, owned))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if not any(entry.get("state") == "committing" and entry.get("run") == self.run for entry in self._sets().values()):
                _unlink_all(self.folder / name for name in _own_temps(self.folder, self.run))  # a run that stopped short of its commit
        finally:
            if self._lock is not None:
                _HELD_LOCKS.discard(self._lock)
                os.close(self._lock)  # closing the descriptor releases the flock
                self._lock = None

    def temp_path(self, label: str) -> Path:
        """Where this run writes a file of its set ahead of the commit: a hidden temporary the next run removes if this one dies."""
        return self.folder / f"{TEMP_PREFIX}{self.run}-{label}"

    # ------------------------------------------------------------------ reading

    def has_set(self, name: str) -> bool:
        """Whether the manifest records a set of that name (a folder written before manifests has none)."""
        return name in self._sets()

    def recorded(self, set_name: str) -> dict[str, Recorded]:
        """The files the manifest records for ``set_name`` that still exist, by name."""
        files = self._sets().get(set_name, {}).get("files", {})
        found = {}
        for name, entry in files.items():
            if not isinstance(entry, dict) or not (self.folder / name).is_file():
                continue
            notes = {k: str(v) for k, v in entry.items() if k not in ("run", "sha256")}
            found[name] = Recorded(name, str(entry.get("run", "")), str(entry.get("sha256", "")), notes)
        return found

    # ------------------------------------------------------------------ writing

    def commit(
        self,
        set_name: str,
        files: Mapping[str, bytes],
        *,
        prewritten: Mapping[str, Prewritten] | None = None,
        notes: Mapping[str, Mapping[str, str]] | None = None,
        keep: Iterable[Recorded] = (),
        remove: Iterable[str] = (),
    ) -> list[Path]:
        """Replace ``set_name`` by ``prewritten`` and ``files`` (name -> bytes) as one unit, renamed in that order; return their paths.

        ``prewritten`` files were written ahead under :meth:`temp_path` names
        (they are synced here, with the others); ``keep`` stays recorded
        under the set (older files the caller leaves in place); ``remove``
        names files to delete in the same unit. Every name must already have
        been cleared for replacing by the caller.
        """
        prewritten = prewritten or {}
        self.removed_temps.extend(remove_stale_temps(self.folder, set(files) | set(prewritten), run=self.run))
        temps = {name: ahead.temp for name, ahead in prewritten.items()}
        try:
            _match_modes(self.folder, prewritten)
            temps.update(self._write_temps(files, temps.values()))
        except BaseException:
            _unlink_all(temps.values())
            raise
        notes = notes or {}
        digests = {name: ahead.sha256 for name, ahead in prewritten.items()}
        digests.update((name, hashlib.sha256(data).hexdigest()) for name, data in files.items())
        entries = {r.name: r.as_json() for r in keep}
        for name, digest in digests.items():
            entries[name] = Recorded(name, self.run, digest, notes.get(name, {})).as_json()
        files = {**dict.fromkeys(prewritten, b""), **files}  # every name of the new set, in commit order
        doomed = [name for name in remove if name not in files]
        earlier = self._sets().get(set_name, {}).get("files", {})
        self._sets()[set_name] = {
            "run": self.run,
            "state": "committing",
            "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": entries,
            "pending": {name: temp.name for name, temp in temps.items()},
            "remove": doomed,
            # What the files about to be replaced or removed were, so that finishing after a kill knows them as provcheck's.
            "previous": {name: earlier[name]["sha256"] for name in [*files, *doomed] if earlier.get(name, {}).get("sha256")},
        }
        try:
            self._write_manifest()  # the commit point: from here on, the new set is the folder's
        except Exception:  # not written: the old set stands. (Interrupted, it may have been: the next run decides.)
            _unlink_all(temps.values())
            raise
        self._finish(set_name)
        return [self.folder / name for name in files]

    def _write_temps(self, files: Mapping[str, bytes], ahead: Iterable[Path] = ()) -> dict[str, Path]:
        """Write ``files`` under temporary names; sync them and the ``ahead`` ones (written earlier) to disk together."""
        temps: dict[str, Path] = {}
        try:
            for name, data in files.items():
                temp = self.temp_path(name)
                temps[name] = temp
                write_synced(temp, data, mode=_mode_for(self.folder / name), sync=False)
            sync_files(self.folder, [*ahead, *temps.values()])
            sync_folder(self.folder)
        except OSError as exc:
            _unlink_all(temps.values())
            raise UsageError(f"cannot write in {self.folder}: {exc.strerror}") from None
        except BaseException:
            _unlink_all(temps.values())
            raise
        return temps

    def _finish(self, set_name: str, *, recheck: bool = False) -> int:
        """Steps 3 and 4: move the committed temporaries into place, remove what goes, mark the set complete; return how many moved.

        ``recheck`` (when finishing a killed run's update) clears each name
        again first: the manifest is a file in the folder, and what it names
        may have changed since, or never have been provcheck's.
        """
        entry = self._sets()[set_name]
        pending = {
            name: temp
            for name, temp in entry.get("pending", {}).items()
            if _RUN_TEMP.match(temp) and (self.folder / temp).is_file()  # a missing one was moved before the kill
        }
        doomed = [name for name in entry.get("remove", []) if (self.folder / name).exists()]
        refused: set[str] = set()
        if recheck:
            previous = entry.get("previous", {})
            refused = {name for name in [*pending, *doomed] if not self._may_replace(name, previous.get(name))}
            _unlink_all(self.folder / pending[name] for name in refused if name in pending)
        try:
            for name, temp in pending.items():
                if name not in refused:
                    os.replace(self.folder / temp, self.folder / name)
            for name in doomed:
                if name not in refused:
                    (self.folder / name).unlink()
        except OSError as exc:
            raise UsageError(f"cannot finish updating {self.folder}: {exc.strerror}; the next run into that folder completes it") from None
        gone = set(entry.get("remove", [])) | refused
        entry["files"] = {name: value for name, value in entry.get("files", {}).items() if name not in gone}
        entry["state"] = "complete"
        for key in ("pending", "remove", "previous"):
            entry.pop(key, None)
        self._write_manifest()
        return len(set(pending) - refused)

    def _may_replace(self, name: str, previous_sha256: str | None) -> bool:
        """Whether a killed run's update may still replace or remove ``name``: provcheck's by its marker, or by its recorded bytes."""
        path = self.folder / name
        markers = self.markers
        if previous_sha256 and path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == previous_sha256:
            markers = ("",)  # the bytes provcheck recorded writing: provcheck's, marker or not
        try:
            check_replaceable(path, markers=markers)
        except UsageError as exc:
            self.repaired.append(f"left {path} alone: {exc}")
            return False
        return True

    def _roll_forward(self) -> None:
        for set_name, entry in list(self._sets().items()):
            if entry.get("state") != "committing":
                continue
            moved = self._finish(set_name, recheck=True)
            self.repaired.append(
                f"finished the update of {self.folder} ({set_name}) that run {entry.get('run')} was killed in: "
                f"{moved} file(s) moved into place"
            )

    # ------------------------------------------------------------------ the manifest

    def _sets(self) -> dict[str, dict[str, Any]]:
        sets: dict[str, dict[str, Any]] = self._manifest.setdefault("sets", {})
        return sets

    def _read_manifest(self) -> dict[str, Any]:
        path = self.folder / MANIFEST
        if not path.exists():
            return {}
        check_replaceable(path, markers=(MANIFEST_MARKER,), force=self.force)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("sets"), dict):
            # Written by provcheck (it has the marker) but unreadable: start a fresh record.
            self.repaired.append(f"{path} could not be read; its record of earlier runs was started afresh")
            return {}
        return {"sets": {str(name): _well_formed(entry) for name, entry in data["sets"].items() if isinstance(entry, dict)}}

    def _write_manifest(self) -> None:
        document = {"tool": "provcheck", "manifest": MANIFEST_VERSION, "sets": self._sets()}
        # Compact, so the marker reads exactly '"tool":"provcheck"'; keys sorted so reruns diff cleanly.
        atomic_write(self.folder / MANIFEST, json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n")
        sync_folder(self.folder)


def write_synced(path: Path, data: bytes, *, mode: int, sync: bool = True) -> None:
    """Create ``path`` (it must not exist) with ``data`` and ``mode``, and sync it to disk before returning.

    ``sync=False`` leaves the syncing to the caller, who then syncs many files at once with :func:`sync_files`.
    """
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with contextlib.suppress(AttributeError, NotImplementedError):  # fchmod does not exist on Windows
            os.fchmod(handle, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        if sync:
            os.fsync(handle)
    finally:
        os.close(handle)


def sync_files(folder: Path, paths: Iterable[Path]) -> None:
    """Make the contents of ``paths`` (all in ``folder``'s file system) durable, with one call where the OS has one.

    A folder of 2,000 reports spent most of its wall time waiting on one
    fsync per file. Linux's ``syncfs`` flushes the whole file system holding
    ``folder`` at once; elsewhere, or if it fails, each file is fsynced.
    """
    if _syncfs(folder):
        return
    for path in paths:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _syncfs(folder: Path) -> bool:
    """``syncfs(2)`` on the file system of ``folder``; False where it is not available or fails."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs  # the C library this Python runs on (glibc, musl)
    except (OSError, AttributeError):
        return False
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        return bool(syncfs(handle) == 0)
    finally:
        os.close(handle)


def sync_folder(folder: Path) -> None:
    """Make renames and new names in ``folder`` durable (where the platform can sync a folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its renames are journalled by NTFS
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


def lock_folder(folder: Path, wait: float | None = None) -> int | None:
    """An open descriptor holding an exclusive lock on ``folder``; None where folders cannot be locked.

    Waits up to ``wait`` seconds (default :data:`LOCK_WAIT_SECONDS`) for another provcheck run writing there.
    The lock goes with the descriptor, so a killed process never leaves it held.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        return None
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return None  # a folder we may write but not read (mode -wx): go on unlocked; writing fails clearly if it must
    wait = LOCK_WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(handle)
                raise UsageError(
                    f"another provcheck run is writing into {folder} (waited {wait:g} s for it); try again when it has finished"
                ) from None
            time.sleep(0.05)
        except OSError:
            return handle  # a file system without flock (some network mounts): go on unlocked


@contextlib.contextmanager
def locked_folder(folder: Path) -> Iterator[None]:
    """Hold :func:`lock_folder`'s lock on ``folder`` for the block."""
    handle = lock_folder(folder)
    try:
        yield
    finally:
        if handle is not None:
            os.close(handle)


def remove_stale_temps(folder: Path, owned: Iterable[str], *, run: str | None = None) -> list[str]:
    """Remove the temporaries killed runs left in ``folder``; return their names.

    Call it only with the folder locked. Removed: every set temporary
    (``.provcheck-tmp-<run>-...``: a committed one was moved first, by the
    roll-forward) but those of ``run`` (the caller's own, written ahead), and
    single-file temporaries of a name in ``owned`` (those of other files may
    belong to another command writing there right now).
    """
    owned = set(owned)
    mine = f"{TEMP_PREFIX}{run}-" if run else None
    removed = []
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.startswith(".")]
    except OSError:
        return []
    for name in names:
        if mine is not None and name.startswith(mine):
            continue
        single = _WRITE_TEMP.match(name) or _OLD_WRITE_TEMP.match(name)
        if _RUN_TEMP.match(name) or (single is not None and single.group("target") in owned):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                (folder / name).unlink()
                removed.append(name)
    return sorted(removed)


def _well_formed(entry: dict[str, Any]) -> dict[str, Any]:
    """A set's manifest entry with every field of the type the code expects (a hand-edited manifest may have others)."""
    files = entry.get("files")
    pending = entry.get("pending")
    remove = entry.get("remove")
    clean: dict[str, Any] = {
        "run": str(entry.get("run", "")),
        "state": "committing" if entry.get("state") == "committing" else "complete",
        "files": {k: v for k, v in files.items() if _plain(k) and isinstance(v, dict)} if isinstance(files, dict) else {},
    }
    if "written" in entry:
        clean["written"] = str(entry["written"])
    if clean["state"] == "committing":
        previous = entry.get("previous")
        clean["pending"] = {k: v for k, v in pending.items() if _plain(k) and _plain(v)} if isinstance(pending, dict) else {}
        clean["remove"] = [name for name in remove if _plain(name)] if isinstance(remove, list) else []
        clean["previous"] = {k: v for k, v in previous.items() if _plain(k) and isinstance(v, str)} if isinstance(previous, dict) else {}
    return clean


def _plain(name: object) -> bool:
    """A bare file name: a manifest entry can never reach outside its folder."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def _own_temps(folder: Path, run: str) -> list[str]:
    """The names of ``run``'s temporaries in ``folder``."""
    mine = f"{TEMP_PREFIX}{run}-"
    try:
        return [entry.name for entry in os.scandir(folder) if entry.name.startswith(mine)]
    except OSError:
        return []


def _match_modes(folder: Path, prewritten: Mapping[str, Prewritten]) -> None:
    """Give each file written ahead the mode its target keeps (a new file's under the umask is what it was written with)."""
    fresh = _mode_for(folder / f"{TEMP_PREFIX}no-such-file")
    for name, ahead in prewritten.items():
        mode = _mode_for(folder / name)
        if mode != fresh:
            os.chmod(ahead.temp, mode)


def _unlink_all(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()
