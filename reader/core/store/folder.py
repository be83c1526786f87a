"""Opening the two data files safely: locks, corruption recovery, schema versions.

The data folder holds `corpus.json` (the abstracts; rewritten only by an import) and
`user.json` (the user's annotations and views, with a schema version). Both are TinyDB
files over `AtomicJSONStorage`. This module decides what happens when one of them is
damaged or foreign; `library.py` decides what the data means.
"""

from __future__ import annotations

import errno
import functools
import operator
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from reader.core.errors import BusyError, StoreError
from reader.core.models import Status, normalize_tag
from reader.core.store.storage import (
    AtomicJSONStorage,
    CorruptFileError,
    KeyedTinyDB,
    atomic_write_bytes,
    backups_of,
    open_db,
    parse_data,
    prev_path,
    quarantine,
    quarantined,
    read_regular,
    regular_mode,
    remove_stale_temps,
    save_count,
    stale_temps,
)
from reader.core.userfiles import user_dir

if TYPE_CHECKING:
    from filelock import FileLock

SCHEMA_VERSION = 1
"""Version of the user-data file this release writes."""

LOCK_TIMEOUT = 15.0
"""Seconds to wait for another process's write before giving up with a message."""


def default_data_dir() -> Path:
    """`READER_HOME` when set, else the platform's user data folder."""
    return user_dir("READER_HOME", "data")


def bundled_seeds() -> Path | None:
    """The seed files shipped with the package (installed) or beside it (checkout)."""
    here = Path(__file__).resolve().parents[2]  # the reader package
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    return None


LOCK_FAILS_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
"""Errors creating the lock file that mean "this folder cannot be written": read-only."""


class Lock:
    """An inter-process lock on one data file, with a clear message on timeout."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.timeout = LOCK_TIMEOUT
        """Seconds to wait for another process to finish writing (the app waits less)."""
        self._lock: FileLock | None = None
        """Made at the first write: importing filelock takes ~20 ms, and a command
        that only reads never locks."""

    def probe(self) -> None:
        """Create the lock file (if need be) without locking; raises OSError when the
        folder cannot hold it (read-only media, no permission, not a real folder)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        os.close(fd)

    def __enter__(self) -> Lock:
        from filelock import FileLock, Timeout

        if self._lock is None:
            self._lock = FileLock(str(self.path), timeout=LOCK_TIMEOUT)
        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:
            held = f"for over {self.timeout:g} s" if self.timeout > 0 else "now"
            raise BusyError(
                f"another reader process is writing to this library (it holds "
                f"{self.path.name} {held}); nothing was changed: try again when it has "
                "finished"
            ) from None
        except OSError as error:
            raise StoreError(f"cannot lock {self.path}: {error.strerror}") from None
        return self

    def wait_free(self, timeout: float) -> bool:
        """Wait at most `timeout` seconds until no process holds the lock; True when
        free. Takes nothing: the lock is released at once, so a write may still find it
        held again. Safe from another thread (it uses a descriptor of its own)."""
        from filelock import FileLock, Timeout

        waiter = FileLock(str(self.path), thread_local=False)
        try:
            waiter.acquire(timeout=timeout)
        except Timeout:
            return False
        except OSError as error:
            raise StoreError(f"cannot lock {self.path}: {error.strerror}") from None
        waiter.release()
        return True

    def __exit__(self, *exc: object) -> None:
        assert self._lock is not None
        self._lock.release()


def make_data_dir(data_dir: Path) -> None:
    """Create the data folder if need be; a clear StoreError when that cannot be."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        why = error.strerror
        if error.errno == errno.EEXIST:  # something that is not a folder is in the way
            try:
                os.stat(data_dir)
            except OSError as inner:
                why = inner.strerror  # e.g. a symlink loop
            else:
                why = "it is a file, not a folder"
        raise StoreError(f"cannot use {data_dir} as the data folder: {why}") from None


def probe_writable(data_dir: Path) -> str | None:
    """None when `data_dir` can take the lock files, else why the library opens read-only.

    Raises StoreError when the folder cannot hold a library at all (it is not a
    folder of files, such as /proc).
    """
    lock = Lock(data_dir / ".user.json.lock")
    try:
        lock.probe()
    except OSError as error:
        if error.errno in LOCK_FAILS_READ_ONLY:
            return f"{data_dir} cannot be written ({error.strerror})"
        raise StoreError(
            f"{data_dir} cannot hold a library: cannot create {lock.path.name} there "
            f"({error.strerror})"
        ) from None
    return None


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


@dataclass
class DataFile:
    """One TinyDB file of the library with its lock, and what to do when it is damaged.

    A file that is missing, empty, not a regular file, or of the wrong shape is damage
    when the folder shows the file existed (its `.prev`, a backup, a quarantined copy,
    or records in the other data file); then it is quarantined and the newest good
    copy is loaded. A missing file without any of those is a new library.
    """

    path: Path
    db: KeyedTinyDB = field(repr=False)
    lock: Lock
    sibling_has_records: Callable[[], bool]
    """Whether the other data file holds records (then this one must exist too)."""
    messages: list[str] = field(default_factory=list)
    """What the user should be told (recoveries); `pop_messages` hands them over."""

    @property
    def storage(self) -> AtomicJSONStorage:
        return self.db.atomic

    def pop_messages(self) -> list[str]:
        found, self.messages = self.messages, []
        return found

    def existed(self) -> bool:
        """True when the folder shows this file was written before."""
        path = self.path
        return (
            os.path.lexists(prev_path(path))
            or bool(backups_of(path))
            or bool(quarantined(path))
            or self.sibling_has_records()
        )

    def load(self) -> dict[str, Any]:
        """The file's data; on damage, quarantine it and load the newest good copy.

        Raises StoreError when there is no good copy (nothing is started over it).
        """
        storage = self.storage
        try:
            return storage.read() or {}
        except CorruptFileError:
            if storage.read_only:
                return self._show_good_copy()
        with self.lock:
            storage.forget()
            try:
                return storage.read() or {}  # another process may have recovered it
            except CorruptFileError as error:
                self.messages.append(self._recover(error))
            storage.forget()
            return storage.read() or {}

    def _recover(self, error: CorruptFileError) -> str:
        """Quarantine the damaged file, then put the newest good copy in its place.

        The good copy is written as a new file without rotating `.prev`, so the last
        good copy stays where it was.
        """
        path = self.path
        bad = None if error.missing else quarantine(path, _stamp())
        found = newest_good_copy(path, self.storage.validate, self.storage.last_good())
        what = f"{path.name} was {'missing' if error.missing else 'damaged'}"
        where = "" if error.missing else f" ({error.reason}); it was moved to {bad}"
        if found is None:
            raise StoreError(
                f"{what}{where}, and there is no good copy to load. Nothing was started, "
                f"so nothing is overwritten: put the file back (or write {{}} into "
                f"{path} to start it empty)."
            )
        atomic_write_bytes(path, found.raw(), mode=found.mode)
        return f"{what}{where}; the last good copy ({found.name}) was loaded."

    def _show_good_copy(self) -> dict[str, Any]:
        """Read-only: show the newest good copy without touching the disk."""
        storage = self.storage
        found = newest_good_copy(self.path, storage.validate)
        if found is None or found.path is None:
            storage.source = self.path
            return storage.read() or {}  # raises: nothing to show
        storage.source = found.path
        storage.forget()
        self.messages.append(
            f"{self.path.name} is damaged; the library is read-only, so the last good "
            f"copy ({found.name}) is shown and nothing on disk was changed."
        )
        return storage.read() or {}


def _name(path: Path) -> str:
    return path.name if path.parent.name != "backups" else f"backups/{path.name}"


@dataclass(frozen=True)
class GoodCopy:
    """A copy of a data file that reads cleanly, and how new it is."""

    saves: int
    """Its save counter (-1 for files from before the counter)."""
    rank: int
    """Breaks ties: the copy in memory, then `.prev`, then the newest backup."""
    name: str
    """How to name it to the user."""
    raw: Callable[[], bytes] = field(repr=False)
    mode: int | None = None
    path: Path | None = None
    """Where it is on disk (None for the copy in memory)."""


def newest_good_copy(
    path: Path,
    validate: Callable[[dict[str, Any]], str | None] | None,
    in_memory: tuple[int, dict[str, Any]] | None = None,
) -> GoodCopy | None:
    """The good copy of `path` with the highest save counter, not by file times.

    Candidates: the data a running process last read or wrote (`in_memory`, newer than
    `.prev` when the file was emptied under it), `.prev`, and the dated backups.
    """
    good: list[GoodCopy] = []
    if in_memory is not None:
        count, kept = in_memory
        mode = regular_mode(prev_path(path))
        name = "the copy this window had open"
        good.append(GoodCopy(count, 1, name, functools.partial(orjson.dumps, kept), mode))
    for order, candidate in enumerate([prev_path(path), *backups_of(path)]):
        try:
            raw = read_regular(candidate)
            data = parse_data(raw, candidate)
        except (OSError, CorruptFileError):
            continue
        if validate is not None and validate(data):
            continue
        good.append(
            GoodCopy(
                save_count(data),
                -order,
                _name(candidate),
                functools.partial(bytes, raw),
                regular_mode(candidate),
                candidate,
            )
        )
    return max(good, key=lambda g: (g.saves, g.rank), default=None)


def has_records(path: Path, table: str) -> bool:
    """Whether the data file at `path` holds any record in `table` (False when it
    cannot be read: its own damage is reported when it is opened)."""
    try:
        data = parse_data(read_regular(path), path)
    except (OSError, CorruptFileError):
        return False
    return bool(data.get(table))


def open_data_file(
    path: Path,
    *,
    read_only: bool,
    backups: bool,
    sibling_has_records: Callable[[], bool],
    validate: Callable[[dict[str, Any]], str | None],
    link_backups: bool = False,
    load: bool = True,
) -> DataFile:
    """Open one data file: clean stale temp files, recover from damage. Without `load`
    the file is not read yet (the corpus, when its cache is valid: see `cache.py`)."""
    lock = Lock(path.with_name(f".{path.name}.lock"))
    db = open_db(
        path,
        read_only=read_only,
        backups=backups and not read_only,
        link_backups=link_backups,
        validate=validate,
    )
    data_file = DataFile(path, db, lock, sibling_has_records)
    db.atomic.may_be_missing = not os.path.lexists(path) and not data_file.existed()
    if read_only:
        if load:
            data_file.load()
        return data_file
    remove_killed_temps(path, lock)
    if load:
        data_file.load()  # a file is replaced whole, by rename: reading needs no lock
    return data_file


def remove_killed_temps(path: Path, lock: Lock) -> None:
    """Delete the temporary files a killed write of `path` left (an import killed
    midway at a million records leaves 1.3 GB). A write at work holds `lock` for its
    whole length, so they are removed only when the lock is free at once; else they
    may be its live files, and they are left: opening never waits for a writer."""
    if not stale_temps(path):
        return
    waited, lock.timeout = lock.timeout, 0
    try:
        with lock:
            remove_stale_temps(path)
    except (StoreError, OSError):
        pass  # busy (a write at work) or the folder refuses: the next open tries again
    finally:
        lock.timeout = waited


def remove_orphan_folders(parent: Path, name: str) -> None:
    """Delete the folders a killed save of the folder `name` left in `parent` (the
    search index's `_swap_in`): its new copy half written (`.NAME.tmp-PID-*`) or its
    old one moved aside (`.NAME.old-PID`), once process PID is gone; a live one may be
    saving now. Derived data only: at a million abstracts each is gigabytes."""
    try:
        entries = [p for p in parent.iterdir() if p.name.startswith(f".{name}.")]
    except OSError:
        return
    for entry in entries:
        kind, _, rest = entry.name[len(name) + 2 :].partition("-")
        pid = rest.partition("-")[0]
        if kind in ("tmp", "old") and pid.isdecimal() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (PermissionError), or cannot tell
        return True
    return True


STATUSES = frozenset(s.value for s in Status)
_TEXT_FIELDS = ("note", "title", "created", "updated")
_ABSTRACT_TEXT = operator.itemgetter("id", "text", "headline", "source")
_ABSTRACT_OPTIONAL = (
    ("arxiv_id", str),
    ("date", str),
    ("version", int),
    ("title", str),
    ("updated", str),
    ("doi", str),
    ("journal_ref", str),
    ("pdf", str),
    ("replaced_version", int),
)
_ABSTRACT_LISTS = ("comments", "authors", "categories")
"""Optional fields that are lists of strings."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _meta_problem(data: dict[str, Any], name: str) -> str | None:
    entry = data.get("meta", {}).get(name)
    if entry is not None and not isinstance(entry, dict):
        return f'"meta": {{"{name}": ...}} is {type(entry).__name__}, not an object'
    return None


def schema_version(data: dict[str, Any]) -> int:
    """The schema of a user-data file (0: from before the stamp, when it holds records)."""
    meta = data.get("meta", {}).get("schema") or {}
    version = meta.get("version", 0 if data.get("annotations") else SCHEMA_VERSION)
    return version if _is_int(version) else -1


def check_user(data: dict[str, Any]) -> str | None:
    """What is wrong with the shape of a user-data file, or None when it is sound.

    Checks every record, so a file this release cannot use is quarantined at open
    (and the previous good copy loads) instead of failing later. A file from a newer
    release is not judged: it opens read-only.
    """
    problem = _meta_problem(data, "schema") or _meta_problem(data, "saves")
    if problem:
        return problem
    version = schema_version(data)
    if version < 0:
        return "the schema version is not a number"
    if version > SCHEMA_VERSION:
        return None
    for name, view in data.get("views", {}).items():
        if not isinstance(view, dict) or not isinstance(view.get("query", ""), str):
            return f'the view {name!r} is malformed (expected {{"query": TEXT}})'
    for key, doc in data.get("annotations", {}).items():
        problem = _annotation_problem(doc, version)
        if problem:
            return f"the annotation of {key!r} is malformed: {problem}"
    return None


def _annotation_problem(doc: object, version: int) -> str | None:
    if not isinstance(doc, dict):
        return f"it is {type(doc).__name__}, not an object"
    status = doc.get("status", "unread")
    if type(status) is not str or status not in STATUSES:  # a list is unhashable
        return f"unknown status {status!r}"
    tags = doc.get("tags")
    if version == 0 and isinstance(tags, str):
        pass  # schema 0 kept tags as one comma-separated string
    elif tags is not None and not isinstance(tags, list):
        return f"tags are {type(tags).__name__}, not a list"
    elif version >= 1:
        for tag in tags or ():
            if not isinstance(tag, str):
                return f"tag {tag!r} is not text"
            if not _valid_tag(tag):
                return f"tag {tag!r} is not a valid tag"
    for name in _TEXT_FIELDS:
        if not isinstance(doc.get(name, ""), str):
            return f"{name} is not text"
    return None


@functools.lru_cache(maxsize=8192)
def _valid_tag(tag: str) -> bool:
    """Whether `tag` is a valid tag (cached: the same few tags recur on thousands of
    records, and every record is checked whenever the file is read)."""
    try:
        normalize_tag(tag)
    except ValueError:
        return False
    return True


def check_corpus(data: dict[str, Any]) -> str | None:
    """What is wrong with the shape of a corpus file, or None when it is sound.

    Every record is checked, not just the first (types only: about 0.1 s at 100k
    records, a fraction of decoding them).
    """
    problem = _meta_problem(data, "corpus") or _meta_problem(data, "saves")
    if problem:
        return problem
    for key, record in data.get("abstracts", {}).items():
        if type(record) is not dict:
            return f"the abstract {key!r} is {type(record).__name__}, not an object"
        try:
            texts = _ABSTRACT_TEXT(record)
            position = record["position"]
        except KeyError as missing:
            return f"the abstract {key!r} has no field {missing}"
        if any(type(text) is not str for text in texts):
            return f"the abstract {key!r} has a text field that is not text"
        if type(position) is not int:
            return f"the abstract {key!r} has a field 'position' that is not a number"
        for name, kind in _ABSTRACT_OPTIONAL:
            value = record.get(name)
            if value is not None and type(value) is not kind:
                return f"the abstract {key!r} has a malformed field {name!r}"
        for name in _ABSTRACT_LISTS:
            items = record.get(name)
            if items and (type(items) is not list or any(type(i) is not str for i in items)):
                return f"the abstract {key!r} has malformed {name}"
    return None


def check_schema(user: DataFile) -> bool:
    """Migrate an older user-data file; returns False when it is newer (open read-only)."""
    verdict = _schema_verdict(user, user.load())
    if verdict is not None:
        return verdict
    if user.storage.read_only:
        return True
    with user.lock:
        user.storage.forget()
        data = user.storage.read() or {}
        verdict = _schema_verdict(user, data)  # another process may have migrated it since
        if verdict is not None:
            return verdict
        version = schema_version(data)
        if data.get("annotations"):
            backup = user.path.with_name(f"{user.path.name}.v{version}-backup")
            atomic_write_bytes(backup, orjson.dumps(data))
            _migrate(data, version)
            user.messages.append(
                f"{user.path.name} was upgraded from schema {version} to {SCHEMA_VERSION}; "
                f"the old file is kept as {backup.name}."
            )
        data.setdefault("meta", {})["schema"] = {"version": SCHEMA_VERSION}
        user.storage.write(data)
    return True


def _schema_verdict(user: DataFile, data: dict[str, Any]) -> bool | None:
    """True when `data` is of this release's schema, False when of a newer one (the
    user is told), None when it is older: to migrate."""
    version = schema_version(data)
    if version < 0:
        raise StoreError(f"{user.path}: the schema version is not a number")
    if version > SCHEMA_VERSION:
        user.messages.append(
            f"{user.path.name} was written by a newer release of reader (schema {version}, "
            f"this one reads {SCHEMA_VERSION}); it is open read-only so nothing is lost."
        )
        return False
    if version == SCHEMA_VERSION and data.get("meta", {}).get("schema"):
        return True
    return None


def _migrate(data: dict[str, Any], version: int) -> None:
    """Bring `data` from `version` to SCHEMA_VERSION in place.

    Schema 0 (files from before the schema stamp) kept tags as one comma-separated
    string and could hold mixed-case tags; schema 1 keeps a sorted list of normalised
    tags.
    """
    if version < 1:
        for doc in data.get("annotations", {}).values():
            tags = doc.get("tags", [])
            if isinstance(tags, str):
                tags = [t for t in tags.replace(",", " ").split() if t]
            clean = set()
            for tag in tags or ():
                if not isinstance(tag, str):
                    continue  # a null or number is no tag (it once became "none")
                try:
                    clean.add(normalize_tag(tag))
                except ValueError:
                    continue
            doc["tags"] = sorted(clean)
            doc.setdefault("status", "unread")
