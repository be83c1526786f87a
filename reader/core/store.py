"""Opening the two data files safely: locks, corruption recovery, schema versions.

The data folder holds `corpus.json` (the abstracts; rewritten only by an import) and
`user.json` (the user's annotations and views, with a schema version). Both are TinyDB
files over `AtomicJSONStorage`. This module decides what happens when one of them is
damaged or foreign; `library.py` decides what the data means.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import platformdirs
from filelock import FileLock, Timeout

from reader.core.errors import StoreError
from reader.core.models import normalize_tag
from reader.core.storage import (
    CorruptFileError,
    KeyedTinyDB,
    atomic_write_bytes,
    backups_of,
    open_db,
    parse_data,
    prev_path,
    quarantine,
    remove_stale_temps,
)

SCHEMA_VERSION = 1
"""Version of the user-data file this release writes."""

LOCK_TIMEOUT = 15.0
"""Seconds to wait for another process's write before giving up with a message."""


def default_data_dir() -> Path:
    """`READER_HOME` when set, else the platform's user data folder."""
    env = os.environ.get("READER_HOME")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("reader", appauthor=False))


def bundled_seeds() -> Path | None:
    """The seed files shipped with the package (installed) or beside it (checkout)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    return None


class Lock:
    """An inter-process lock on one data file, with a clear message on timeout."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = FileLock(str(path), timeout=LOCK_TIMEOUT)

    def __enter__(self) -> Lock:
        try:
            self._lock.acquire()
        except Timeout:
            raise StoreError(
                f"another reader process has held {self.path} for {LOCK_TIMEOUT:.0f} s; "
                "try again when it has finished"
            ) from None
        except OSError as error:
            raise StoreError(f"cannot lock {self.path}: {error.strerror}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


@dataclass
class DataFile:
    """One TinyDB file of the library with its lock."""

    path: Path
    db: KeyedTinyDB
    lock: Lock
    messages: list[str] = field(default_factory=list)

    @property
    def storage(self):  # noqa: ANN201 - AtomicJSONStorage
        return self.db.atomic


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


def _recover(path: Path, error: CorruptFileError, messages: list[str]) -> None:
    """Quarantine a corrupt `path` and put the newest good copy in its place.

    Raises StoreError when there is no good copy: starting empty over the user's data
    is never an option.
    """
    bad = quarantine(path, _stamp())
    for candidate in [prev_path(path), *backups_of(path)]:
        if not candidate.exists():
            continue
        try:
            raw = candidate.read_bytes()
            parse_data(raw, candidate)
        except (OSError, CorruptFileError):
            continue
        atomic_write_bytes(path, raw)
        messages.append(
            f"{path.name} was damaged ({error.reason}); it was moved to {bad} and the "
            f"last good copy ({candidate.name}) was loaded."
        )
        return
    raise StoreError(
        f"{path} is damaged ({error.reason}) and there is no good copy to load; it was "
        f"moved to {bad}. Nothing was started so nothing is overwritten: restore an "
        "export with `reader restore FILE`, or repair the file and move it back."
    )


def open_data_file(path: Path, *, read_only: bool, backups: bool) -> DataFile:
    """Open one data file: clean stale temp files, recover from corruption."""
    lock = Lock(path.with_name(f".{path.name}.lock"))
    messages: list[str] = []
    if read_only:
        db = open_db(path, read_only=True, backups=False)
        db.atomic.read()
        return DataFile(path, db, lock, messages)
    with lock:
        remove_stale_temps(path)
        db = open_db(path, backups=backups)
        try:
            db.atomic.read()
        except CorruptFileError as error:
            _recover(path, error, messages)
            db.atomic.forget()
            db.atomic.read()
    return DataFile(path, db, lock, messages)


def check_schema(user: DataFile) -> bool:
    """Migrate an older user-data file; returns False when it is newer (open read-only)."""
    data = user.storage.read() or {}
    meta = data.get("meta", {}).get("schema", {})
    version = meta.get("version", 0 if data.get("annotations") else SCHEMA_VERSION)
    if not isinstance(version, int):
        raise StoreError(f"{user.path}: schema version {version!r} is not a number")
    if version > SCHEMA_VERSION:
        user.messages.append(
            f"{user.path.name} was written by a newer release of reader (schema {version}, "
            f"this one reads {SCHEMA_VERSION}); it is open read-only so nothing is lost."
        )
        return False
    if version == SCHEMA_VERSION and meta:
        return True
    if user.storage.read_only:
        return True
    with user.lock:
        user.storage.forget()
        data = user.storage.read() or {}
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
            for tag in tags:
                try:
                    clean.add(normalize_tag(str(tag)))
                except ValueError:
                    continue
            doc["tags"] = sorted(clean)
            doc.setdefault("status", "unread")
