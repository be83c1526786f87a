"""How bytes reach the disk: a TinyDB `Storage` that never leaves a broken file.

TinyDB's own `JSONStorage` truncates the file and writes in place, so a kill in the
middle leaves half a file; its `CachingMiddleware` holds writes in memory and loses
them on exit. `AtomicJSONStorage` instead writes every change to a temporary file in
the same folder, fsyncs it, renames it over the old file and fsyncs the folder: after
a crash the file is either the old version or the new one, never a mix.

Before each replace the old file is kept as `NAME.prev` (a hard link, so it costs no
copy), and the first write of each day keeps a dated copy in `backups/` (the last 7).
Every write stamps a save counter (`meta.saves.count`), so the newest good copy can be
told apart from older ones without trusting file times. Only regular files are read
(a FIFO or device in place of a data file is reported, never waited on), and an empty
or missing file is never taken for an empty library once the file has existed.
Reads are cached by the file's identity (inode, size, mtime), so TinyDB's habit of
reading the whole file for every operation costs a `stat`, and a change written by
another process is noticed the next time anything reads.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from tinydb import Storage, TinyDB
from tinydb.table import Table

from reader.core.errors import ReadOnlyError, StoreError

BACKUPS_KEPT = 7
TMP_MARK = ".tmp-"


class CorruptFileError(StoreError):
    """A data file exists but does not hold the JSON object TinyDB expects."""

    def __init__(self, path: Path, reason: str, *, missing: bool = False) -> None:
        self.path = path
        self.reason = reason
        self.missing = missing
        """The file is not there at all (nothing to quarantine)."""
        super().__init__(f"{path} is not a valid data file: {reason}")


class NotRegularFile(OSError):
    """`open_regular` found something other than a regular file (its `mode` says what)."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(f"{path} is not a regular file")
        self.mode = mode


def open_regular(path: Path) -> int:
    """A blocking read-only descriptor of the regular file at `path` (symlinks followed).

    The one way reader opens a file it did not just write: the open itself never
    waits (O_NONBLOCK: a FIFO with no writer would block forever) and fstat on the
    open descriptor, not a stat before it, decides, so nothing swapped in between gets
    read. Raises NotRegularFile for a FIFO, device, socket or folder, and OSError
    (FileNotFoundError, PermissionError, ...) when it cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path) -> bytes:
    """The bytes of `path`, which must be a regular file.

    A FIFO, device or folder in its place is a CorruptFileError at once instead of a
    hang or an endless read (see `open_regular`). Raises FileNotFoundError when there
    is nothing there, OSError when it cannot be read.
    """
    try:
        fd = open_regular(path)
    except NotRegularFile as error:
        raise CorruptFileError(path, f"it is not a regular file but {_kind(error.mode)}") from None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    """What a non-regular file is, for a message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (such as /dev/null)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def regular_mode(path: Path) -> int | None:
    """The permission bits of `path` when it is (or links to) a regular file, else None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mode & 0o7777 if stat.S_ISREG(st.st_mode) else None


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


class CannotCreateTemp(OSError):
    """The temporary file beside the target could not be created (the folder is
    read-only or full): nothing was written and the target is untouched."""


Content = bytes | bytearray | Callable[[BinaryIO], None]
"""What a file is replaced with: its bytes, or a function that writes them to the
open temporary file (a corpus of a million records, encoded one at a time)."""


class Replacement:
    """The one way reader replaces a file: a temporary file beside `path` (same file
    system, so the rename is atomic), open as `file` to be written (and seeked);
    `commit` fsyncs it, hands it to `prepare` (to set its mode, keep the old file),
    renames it over `path` and fsyncs the folder. A crash leaves the old or the new
    file whole. Used as a context manager: the temporary file never outlives the block.
    Raises `CannotCreateTemp` when the temporary file cannot be made."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", dir=path.parent)
        except OSError as error:
            raise CannotCreateTemp(error.errno, error.strerror, error.filename) from error
        self._tmp: Path | None = Path(name)
        self.file: BinaryIO = os.fdopen(fd, "w+b")

    def __enter__(self) -> Replacement:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()

    def commit(self, prepare: Callable[[Path], None] | None = None) -> None:
        assert self._tmp is not None, "committed twice"
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        if prepare is not None:
            prepare(self._tmp)
        os.replace(self._tmp, self.path)
        self._tmp = None
        fsync_dir(self.path.parent)


def replace_file(path: Path, data: Content, prepare: Callable[[Path], None] | None = None) -> None:
    """`path` replaced by `data` (see `Replacement`). Used for data files
    (`atomic_write_bytes`) and for files the user names (`userfiles.write_through`).
    Raises `CannotCreateTemp` when the temporary file cannot be made, OSError for
    other failures; the temporary file never outlives one."""
    with Replacement(path) as new:
        if callable(data):
            data(new.file)
        else:
            new.file.write(data)
        new.commit(prepare)


def kept_mode(path: Path) -> int:
    """The permission bits a replacement of `path` gets: those of the regular file it
    replaces, 0644 for a new one (never the 0666 of a device a symlink points at)."""
    kept = regular_mode(path)
    return 0o644 if kept is None else kept


def atomic_write_bytes(
    path: Path, data: Content, *, keep_prev: bool = False, mode: int | None = None
) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file whole.

    Keeps the permission bits of the regular file it replaces (`mode` when given; 0644
    for a new file, never the 0666 of a device a symlink points at). With
    `keep_prev`, the replaced file stays reachable as `path.prev`. Raises OSError; the
    temporary file never outlives a failure.
    """

    def prepare(tmp: Path) -> None:
        os.chmod(tmp, kept_mode(path) if mode is None else mode)
        if keep_prev and regular_mode(path) is not None:
            prev_tmp = path.parent / f".{path.name}.prev{TMP_MARK}{os.getpid()}"
            with contextlib.suppress(FileNotFoundError):
                prev_tmp.unlink()
            os.link(path, prev_tmp)
            os.replace(prev_tmp, prev_path(path))

    replace_file(path, data, prepare)


def prev_path(path: Path) -> Path:
    """Where the version before the last write of `path` is kept."""
    return path.with_name(path.name + ".prev")


def backup_dir(path: Path) -> Path:
    return path.parent / "backups"


def daily_backup(path: Path, today: date | None = None, *, link: bool = False) -> Path | None:
    """Copy `path` to `backups/STEM-YYYY-MM-DD.json` once a day; keep the newest 7.

    With `link`, the backup is a hard link (no copy of a large corpus; safe because
    data files are only ever replaced, never written in place), else a copy.
    Returns the new copy, or None when today's copy already exists or there is nothing
    to copy. Failures to back up are not fatal to the write that triggered them.
    """
    if regular_mode(path) is None:
        return None
    day = (today or date.today()).isoformat()
    folder = backup_dir(path)
    target = folder / f"{path.stem}-{day}{path.suffix}"
    if target.exists():
        return None
    try:
        folder.mkdir(exist_ok=True)
        if link:
            _link_over(path, target)
        else:
            atomic_write_bytes(target, read_regular(path))
    except (OSError, CorruptFileError):
        return None
    for old in backups_of(path)[BACKUPS_KEPT:]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


def _link_over(source: Path, target: Path) -> None:
    """Make `target` a hard link of `source` (a copy where links are not possible)."""
    tmp = target.with_name(f".{target.name}{TMP_MARK}{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(source, tmp)
    except OSError:
        atomic_write_bytes(target, read_regular(source))
        return
    os.replace(tmp, target)
    fsync_dir(target.parent)


def quarantined(path: Path) -> list[Path]:
    """The damaged copies of `path` moved aside by `quarantine`."""
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


def backups_of(path: Path) -> list[Path]:
    """The dated backups of `path`, newest first."""
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    found = folder.glob(f"{path.stem}-????-??-??{path.suffix}")
    return sorted(found, key=lambda p: p.name, reverse=True)


def stale_temps(path: Path) -> list[Path]:
    """The temporary files of writes of `path` in its folder (a killed write's, or a
    write at work in another process)."""
    return list(path.parent.glob(f".{path.name}*{TMP_MARK}*"))


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temporary files a killed write of `path` left behind (call under its lock)."""
    removed = []
    for leftover in stale_temps(path):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def parse_data(raw: bytes, path: Path) -> dict[str, Any]:
    """Decode a data file; raises CorruptFileError unless it is a JSON object of tables.

    An empty file is damage, never an empty library: no write of ours leaves one.
    """
    if not raw.strip():
        raise CorruptFileError(path, "it is empty")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise CorruptFileError(path, f"invalid JSON ({error})") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise CorruptFileError(path, "expected a JSON object of tables")
    return data


def save_count(data: dict[str, Any]) -> int:
    """The save counter stamped in `data` (-1 for files from before the counter)."""
    saves = data.get("meta", {}).get("saves")
    count = saves.get("count") if isinstance(saves, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else -1


class AtomicJSONStorage(Storage):
    """TinyDB storage with orjson, atomic durable writes, `.prev` and daily backups.

    `batch()` groups several TinyDB operations into one write, so a bulk change is
    atomic and costs one fsync.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        backups: bool = True,
        link_backups: bool = False,
        validate: Callable[[dict[str, Any]], str | None] | None = None,
    ):
        self.path = Path(path)
        self.source = self.path
        """Where reads come from: the path, or a good copy shown read-only after damage."""
        self.read_only = read_only
        self.backups = backups
        self.link_backups = link_backups
        self.validate = validate
        """Returns what is wrong with the data read (a reason), or None when it is sound."""
        self.may_be_missing = True
        """A missing file reads as empty (a new library) only until it has existed."""
        self._cache: dict[str, Any] | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._batch_depth = 0
        self._batch_dirty = False
        self.generation = 0
        """Bumped whenever the data read from disk differs from what this process wrote."""
        self._saves = -1
        """The save counter of the data last read or written."""
        self._good: dict[str, Any] | None = None
        """The data last read from or written to the file (None after a failed write)."""

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.source)
        except FileNotFoundError:
            return None
        except OSError:  # a symlink loop, a folder we cannot search: read() says so
            return (-1, -1, -1)
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def changed_on_disk(self) -> bool:
        """True when the file is not the one this storage last read or wrote."""
        return self._stat() != self._stamp

    def read(self) -> dict[str, Any] | None:
        """The data on disk (cached while the file is unchanged).

        Raises CorruptFileError when the file is missing after it has existed, empty,
        not a regular file, not a JSON object of tables, or refused by `validate`.
        """
        if self._batch_depth and self._cache is not None:
            return self._cache
        stamp = self._stat()
        if self._cache is not None and stamp == self._stamp:
            return self._cache
        try:
            raw = read_regular(self.source)
        except FileNotFoundError:
            if not self.may_be_missing:
                raise CorruptFileError(self.path, "it is missing", missing=True) from None
            raw = None
        except OSError as error:
            raise StoreError(f"cannot read {self.source}: {error.strerror}") from None
        data: dict[str, Any] = {}
        if raw is not None:
            data = parse_data(raw, self.path)
            problem = self.validate(data) if self.validate else None
            if problem:
                raise CorruptFileError(self.path, problem)
            if self.source == self.path:
                self.may_be_missing = False
        self._cache, self._stamp = data, stamp
        self._saves = save_count(data)
        if raw is not None:
            self._good = data
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
            meta = data.setdefault("meta", {})
            count = max(save_count(data), self._saves, 0) + 1
            meta["saves"] = {"count": count}
            payload = orjson.dumps(data)
            if self.backups:
                daily_backup(self.path, link=self.link_backups)
            atomic_write_bytes(self.path, payload, keep_prev=self.backups)
        except OSError as error:
            self._cache, self._stamp, self._good = None, None, None
            raise StoreError(describe_os_error(error, self.path)) from None
        except BaseException:
            self._cache, self._stamp, self._good = None, None, None
            raise
        self.may_be_missing = False
        self._good = data
        self._saves = count
        self._stamp = self._stat()

    def write_stream(self, body: Callable[[BinaryIO, bytes], None], meta: dict[str, Any]) -> None:
        """Replace the file with a JSON object of tables that `body` writes, a piece at
        a time: a table of a million records is never one object (nor one string) in
        memory. `body` gets the open temporary file and the encoded "meta" table to end
        the object with (`meta` and the save counter). The data is not kept: the next
        `read` reads the file."""
        if self.read_only:
            raise ReadOnlyError(f"{self.path} is open read-only")
        count = max(self._saves, 0) + 1
        ending = orjson.dumps({**meta, "saves": {"count": count}})
        self._cache, self._stamp, self._good = None, None, None
        try:
            if self.backups:
                daily_backup(self.path, link=self.link_backups)
            atomic_write_bytes(self.path, lambda out: body(out, ending), keep_prev=self.backups)
        except OSError as error:
            raise StoreError(describe_os_error(error, self.path)) from None
        self.may_be_missing = False
        self._saves = count

    @property
    def saves(self) -> int:
        """The save counter of the data last read or written (-1 before either)."""
        return self._saves

    def assume_saves(self, count: int) -> None:
        """The file on disk has save counter `count` (known without reading it: from
        the corpus cache made from it), so the next write goes on from there."""
        self._saves = count

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
                self._cache, self._stamp, self._good = None, None, None
            raise
        self._batch_depth -= 1
        if self._batch_depth == 0 and self._batch_dirty:
            self._batch_dirty = False
            assert self._cache is not None
            self._flush(self._cache)

    def last_good(self) -> tuple[int, dict[str, Any]] | None:
        """The data this process last read from or wrote to the file, with its save
        counter: a copy newer than `.prev` when the file is damaged under a running
        app."""
        return None if self._good is None else (self._saves, self._good)

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
        the storage drops its cache, so the mutated dict is never seen again.

        The one place reader touches TinyDB's private API: its public operations
        (insert, remove, update) all end here and it has no public hook for the id
        conversion. Nothing calls this directly; the stores use the public operations.
        """
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


def open_db(
    path: Path, *, read_only: bool = False, backups: bool = True, **options: Any
) -> KeyedTinyDB:
    """Open (without creating) the TinyDB file at `path` with our storage.

    `options` go to `AtomicJSONStorage` (`link_backups`, `validate`)."""
    return KeyedTinyDB(
        path, storage=AtomicJSONStorage, read_only=read_only, backups=backups, **options
    )


def quarantine(path: Path, stamp: str) -> Path:
    """Move a corrupt file aside as `NAME.corrupt-<stamp>` and return the new path."""
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)  # a symlink or folder moves as itself, never followed
    fsync_dir(path.parent)
    return target


def copy_file(source: Path, target: Path) -> None:
    """Copy `source` over `target` atomically."""
    atomic_write_bytes(target, read_regular(source))


__all__ = [
    "AtomicJSONStorage",
    "CannotCreateTemp",
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
    "quarantined",
    "read_regular",
    "regular_mode",
    "remove_stale_temps",
    "replace_file",
    "save_count",
]
