"""The draft journal: a note being typed survives `kill -9`.

The note editor saves through the Library about a second after the last keystroke;
between saves, each change of the draft is appended to this process's journal file
(`drafts/<pid>-<random>.jsonl`) and fsynced, which costs well under a millisecond.
The owning process holds an exclusive `flock` on its file for as long as it runs, so
at start-up any journal whose lock can be taken belongs to a process that died; its
drafts are handed back for replay and the file is removed. A new journal's folder is
fsynced too, so its name survives a power cut, and compaction writes the drafts still
pending to a new journal (durable first) before it empties and removes the old one.

Each draft records the note it was made from (`base`: the note as the editor last
saved or loaded it), so a replay can tell whether the note changed since and merge
instead of overwriting a newer note.

A draft sits in a slot: by default the record id (the app's note editor), or one an
editor names for itself (the $EDITOR session), so that one editor saving its text
never clears, nor replaces, a draft that another editor of the same note left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from reader.core.store.storage import CorruptFileError, fsync_dir, open_regular, read_regular

COMPACT_AFTER = 256 * 1024
"""Bytes after which the journal is rewritten with only the drafts still pending."""


@dataclass(frozen=True)
class Draft:
    """An unsaved note: `text`, typed over the note `base`."""

    text: str
    base: str | None
    """The note the draft was made from; None in journals from before bases were kept."""
    record_id: str
    """The record whose note this is."""


class DraftJournal:
    """This process's journal of unsaved note drafts."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path: Path | None = None
        self._fd: int | None = None
        self._pending: dict[str, Draft] = {}
        self._size = 0

    def _open(self) -> int:
        if self._fd is None:
            self._fd, self.path = self._create()
        return self._fd

    def _create(self) -> tuple[int, Path]:
        """A new, locked journal file whose name is durable."""
        created = not self.folder.is_dir()
        self.folder.mkdir(parents=True, exist_ok=True)
        if created:
            fsync_dir(self.folder.parent)
        path = self.folder / f"{os.getpid()}-{os.urandom(4).hex()}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fsync_dir(self.folder)
        return fd, path

    def _append(self, entry: dict[str, str | None]) -> None:
        fd = self._open()
        line = orjson.dumps(entry) + b"\n"
        os.write(fd, line)
        os.fsync(fd)
        self._size += len(line)

    def record(self, record_id: str, text: str, base: str, slot: str | None = None) -> None:
        """Journal the draft `text` of `record_id`'s note, made from the note `base`, in
        `slot` (default: the record id), replacing that slot's draft (durable on return)."""
        key = slot or record_id
        draft = Draft(text, base, record_id)
        if self._pending.get(key) == draft:
            return
        self._pending[key] = draft
        self._append(_entry(key, draft))
        if self._size > COMPACT_AFTER:
            self._compact()

    def clear(self, slot: str) -> None:
        """The draft in `slot` was saved to the library: forget it (and only it)."""
        draft = self._pending.pop(slot, None)
        if draft is None:
            return
        if not self._pending:
            self._truncate()
        else:
            entry: dict[str, str | None] = {"id": draft.record_id, "saved": "1"}
            if slot != draft.record_id:
                entry["slot"] = slot
            self._append(entry)

    def _truncate(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.fsync(self._fd)
            self._size = 0

    def _compact(self) -> None:
        """Move the pending drafts to a new journal, then empty and remove this one.

        A crash before the new journal is durable leaves the old one whole; after it,
        at worst both, whose drafts agree. Emptying the old file first means a process
        that picks it up as an orphan in between finds nothing to replay.
        """
        old_fd, old_path = self._fd, self.path
        fd, path = self._create()
        lines = b"".join(
            orjson.dumps(_entry(key, draft)) + b"\n" for key, draft in self._pending.items()
        )
        try:
            os.write(fd, lines)
            os.fsync(fd)
        except OSError:
            os.close(fd)
            with contextlib.suppress(OSError):
                path.unlink()
            raise  # the old journal still holds every draft
        self._fd, self.path, self._size = fd, path, len(lines)
        if old_fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(old_fd, 0)
                if old_path is not None:
                    old_path.unlink()
            os.close(old_fd)

    def close(self) -> None:
        """Remove the journal; call only when every draft was saved."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if self.path is not None and not self._pending:
                with contextlib.suppress(OSError):
                    self.path.unlink()


def _entry(slot: str, draft: Draft) -> dict[str, str | None]:
    entry: dict[str, str | None] = {"id": draft.record_id, "text": draft.text, "base": draft.base}
    if slot != draft.record_id:
        entry["slot"] = slot
    return entry


def read_journal(path: Path) -> dict[str, Draft]:
    """The drafts a journal file still holds, by slot (the last entry per slot wins;
    the slot of an entry without one is its record id).

    A torn last line, from a kill in the middle of a write, is ignored.
    """
    drafts: dict[str, Draft] = {}
    try:
        raw = read_regular(path)  # a FIFO in its place is skipped, never waited on
    except (OSError, CorruptFileError):
        return drafts
    for line in raw.splitlines():
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        slot = entry.get("slot")
        key = slot if isinstance(slot, str) and slot else entry["id"]
        if "text" in entry and isinstance(entry["text"], str):
            base = entry.get("base")
            base = base if isinstance(base, str) else None
            drafts[key] = Draft(entry["text"], base, entry["id"])
        elif "saved" in entry:
            drafts.pop(key, None)
    return drafts


def orphaned_drafts(folder: Path) -> list[tuple[Path, dict[str, Draft]]]:
    """Journals left by processes that died, with their drafts (lock each one first)."""
    found: list[tuple[Path, dict[str, Draft]]] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.jsonl")):
        try:
            fd = open_regular(path)
        except OSError:  # NotRegularFile too: a FIFO or folder is not a journal
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its process is alive and still editing
        try:
            found.append((path, read_journal(path)))
        finally:
            os.close(fd)
    return found
