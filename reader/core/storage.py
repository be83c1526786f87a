"""How bytes reach the disk: a TinyDB `Storage` that never leaves a broken file.

TinyDB's own `JSONStorage` truncates the file and writes in place, so a kill in the
middle leaves half a file; its `CachingMiddleware` holds writes in memory and loses
them on exit. `AtomicJSONStorage` instead writes every change to a temporary file in
the same folder, fsyncs it, renames it over the old file and fsyncs the folder: after
a crash the file is either the old version or the new one, never a mix.

Before each replace the old file is kept as `NAME.prev` (a hard link, so it costs no
copy), and the first write of each day keeps a dated copy in `backups/` (the last 7).
Reads are cached by the file's identity (inode, size, mtime), so TinyDB's habit of
reading the whole file for every operation costs a `stat`, and a change written by
another process is noticed the next time anything reads.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from tinydb import Storage, TinyDB
from tinydb.table import Table

from reader.core.errors import ReadOnlyError, StoreError

BACKUPS_KEPT = 7
TMP_MARK = ".tmp-"


class CorruptFileError(StoreError):
    """A data file exists but does not hold the JSON object TinyDB expects."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path} is not a valid data file: {reason}")


def describe_os_error(error: OSError, path: Path) -> str:
    """A one-line, user-facing description of a failed write to `path`."""
    if error.errno == errno.ENOSPC:
        return f"the disk is full: could not save {path}"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"the data folder is read-only: could not save {path}"
    return f"could not save {path}: {error.strerror or error}"


def fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, *, keep_prev: bool = False) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file whole.

    Keeps the file's permission bits. With `keep_prev`, the replaced file stays
    reachable as `path.prev`. Raises OSError; the temporary file never outlives a
    failure.
    """
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, 0o644)
        if keep_prev and path.exists():
            prev_tmp = folder / f".{path.name}.prev{TMP_MARK}{os.getpid()}"
            with contextlib.suppress(FileNotFoundError):
                prev_tmp.unlink()
            os.link(path, prev_tmp)
            os.replace(prev_tmp, prev_path(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(folder)


def prev_path(path: Path) -> Path:
    """Where the version before the last write of `path` is kept."""
    return path.with_name(path.name + ".prev")


def backup_dir(path: Path) -> Path:
    return path.parent / "backups"


def daily_backup(path: Path, today: date | None = None) -> Path | None:
    """Copy `path` to `backups/STEM-YYYY-MM-DD.json` once a day; keep the newest 7.

    Returns the new copy, or None when today's copy already exists or there is nothing
    to copy. Failures to back up are not fatal to the write that triggered them.
    """
    if not path.exists():
        return None
    day = (today or date.today()).isoformat()
    folder = backup_dir(path)
    target = folder / f"{path.stem}-{day}{path.suffix}"
    if target.exists():
        return None
    try:
        folder.mkdir(exist_ok=True)
        atomic_write_bytes(target, path.read_bytes())
    except OSError:
        return None
    for old in backups_of(path)[BACKUPS_KEPT:]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


def backups_of(path: Path) -> list[Path]:
    """The dated backups of `path`, newest first."""
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    found = folder.glob(f"{path.stem}-????-??-??{path.suffix}")
    return sorted(found, key=lambda p: p.name, reverse=True)


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temporary files a killed write of `path` left behind (call under its lock)."""
    removed = []
    for leftover in path.parent.glob(f".{path.name}*{TMP_MARK}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def parse_data(raw: bytes, path: Path) -> dict[str, Any]:
    """Decode a data file; raises CorruptFileError unless it is a JSON object of tables."""
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise CorruptFileError(path, f"invalid JSON ({error})") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise CorruptFileError(path, "expected a JSON object of tables")
    return data


class AtomicJSONStorage(Storage):
    """TinyDB storage with orjson, atomic durable writes, `.prev` and daily backups.

    `batch()` groups several TinyDB operations into one write, so a bulk change is
    atomic and costs one fsync.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, backups: bool = True):
        self.path = Path(path)
        self.read_only = read_only
        self.backups = backups
        self._cache: dict[str, Any] | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._batch_depth = 0
        self._batch_dirty = False
        self.generation = 0
        """Bumped whenever the data read from disk differs from what this process wrote."""

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def changed_on_disk(self) -> bool:
        """True when the file is not the one this storage last read or wrote."""
        return self._stat() != self._stamp

    def read(self) -> dict[str, Any] | None:
        if self._batch_depth and self._cache is not None:
            return self._cache
        stamp = self._stat()
        if self._cache is not None and stamp == self._stamp:
            return self._cache
        if stamp is None:
            data: dict[str, Any] = {}
        else:
            try:
                raw = self.path.read_bytes()
            except OSError as error:
                raise StoreError(f"cannot read {self.path}: {error.strerror}") from None
            data = parse_data(raw, self.path)
        self._cache, self._stamp = data, stamp
        self.generation += 1
        return data

    def write(self, data: dict[str, Any]) -> None:
        if self.read_only:
            self._cache = None
            raise ReadOnlyError(f"{self.path} is open read-only")
        self._cache = data
        if self._batch_depth:
            self._batch_dirty = True
            return
        self._flush(data)

    def _flush(self, data: dict[str, Any]) -> None:
        try:
            payload = orjson.dumps(data)
            if self.backups:
                daily_backup(self.path)
            atomic_write_bytes(self.path, payload, keep_prev=self.backups)
        except OSError as error:
            self._cache, self._stamp = None, None
            raise StoreError(describe_os_error(error, self.path)) from None
        except BaseException:
            self._cache, self._stamp = None, None
            raise
        self._stamp = self._stat()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Defer writes until the block ends, then write once; drop them on an exception."""
        self.read()
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self._batch_dirty = False
                self._cache, self._stamp = None, None
            raise
        self._batch_depth -= 1
        if self._batch_depth == 0 and self._batch_dirty:
            self._batch_dirty = False
            assert self._cache is not None
            self._flush(self._cache)

    def forget(self) -> None:
        """Drop the cache so the next read goes to disk."""
        self._cache, self._stamp = None, None

    def close(self) -> None:
        self._cache = None


class KeyedTable(Table):
    """A TinyDB table whose document ids are our record ids (strings), not counters."""

    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self) -> str:  # type: ignore[override]
        raise TypeError("KeyedTable documents are always inserted with an explicit doc_id")

    def _update_table(self, updater: Any) -> None:
        """Update the stored table in place: ids are already strings, so TinyDB's two
        conversions of the whole table per operation are pure cost. On a failed write
        the storage drops its cache, so the mutated dict is never seen again."""
        tables = self._storage.read()
        if tables is None:
            tables = {}
        table = tables.setdefault(self.name, {})
        updater(table)
        self._storage.write(tables)
        self.clear_cache()


class KeyedTinyDB(TinyDB):
    """TinyDB over `AtomicJSONStorage` with string-keyed tables."""

    table_class = KeyedTable

    @property
    def atomic(self) -> AtomicJSONStorage:
        storage = self.storage
        assert isinstance(storage, AtomicJSONStorage)
        return storage


def open_db(path: Path, *, read_only: bool = False, backups: bool = True) -> KeyedTinyDB:
    """Open (without creating) the TinyDB file at `path` with our storage."""
    return KeyedTinyDB(path, storage=AtomicJSONStorage, read_only=read_only, backups=backups)


def quarantine(path: Path, stamp: str) -> Path:
    """Move a corrupt file aside as `NAME.corrupt-<stamp>` and return the new path."""
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    fsync_dir(path.parent)
    return target


def copy_file(source: Path, target: Path) -> None:
    """Copy `source` over `target` atomically."""
    with open(source, "rb") as handle:
        atomic_write_bytes(target, handle.read())


__all__ = [
    "AtomicJSONStorage",
    "CorruptFileError",
    "KeyedTable",
    "KeyedTinyDB",
    "atomic_write_bytes",
    "backups_of",
    "copy_file",
    "daily_backup",
    "describe_os_error",
    "open_db",
    "parse_data",
    "prev_path",
    "quarantine",
    "remove_stale_temps",
]
