"""Durable writes, checked by spying on the system calls in the order they happen.

A kill cannot show a missing fsync (the page cache outlives the process; only a power
cut loses it), so these tests record `fsync`, `rename`/`replace`, `ftruncate` and
`unlink` and assert their order: the new bytes are fsynced before the rename that
publishes them, and the folder is fsynced after it, so the new name survives too.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reader.core.library import Library
from reader.core.models import Status
from reader.core.store import journal as journal_mod
from reader.core.store.journal import DraftJournal, read_journal
from reader.core.store.storage import atomic_write_bytes


@dataclass
class Calls:
    """The calls that make a write durable, in order, each with what it acted on.

    Files are named by inode (a rename keeps it, so the temp file fsynced before a
    rename is the data file after it), folders by their path.
    """

    log: list[tuple[str, object]] = field(default_factory=list)

    def fsyncs_of(self, what: object) -> list[int]:
        return [i for i, entry in enumerate(self.log) if entry == ("fsync", what)]

    def index(self, entry: tuple[str, object]) -> int:
        assert entry in self.log, f"{entry} never happened; calls: {self.log}"
        return self.log.index(entry)


def _what(fd: int) -> object:
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        return Path(os.readlink(f"/proc/self/fd/{fd}")).resolve()
    return info.st_ino


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    spy = Calls()
    real_fsync, real_truncate = os.fsync, os.ftruncate
    real_replace, real_rename, real_unlink = os.replace, os.rename, os.unlink

    def fsync(fd: int) -> None:
        spy.log.append(("fsync", _what(fd)))
        real_fsync(fd)

    def ftruncate(fd: int, length: int) -> None:
        spy.log.append(("truncate", _what(fd)))
        real_truncate(fd, length)

    def replace(src, dst, **kwargs) -> None:
        spy.log.append(("rename", (os.stat(src).st_ino, Path(dst).resolve())))
        real_replace(src, dst, **kwargs)

    def rename(src, dst, **kwargs) -> None:
        spy.log.append(("rename", (os.stat(src).st_ino, Path(dst).resolve())))
        real_rename(src, dst, **kwargs)

    def unlink(path, **kwargs) -> None:
        with_ino = os.stat(path).st_ino if os.path.exists(path) else None
        spy.log.append(("unlink", with_ino))
        real_unlink(path, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "ftruncate", ftruncate)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "unlink", unlink)
    return spy


def assert_published_durably(calls: Calls, path: Path) -> None:
    """`path` was written as: fsync(temp) -> rename(temp, path) -> fsync(folder)."""
    ino = path.stat().st_ino
    renamed = calls.index(("rename", (ino, path.resolve())))
    synced = calls.fsyncs_of(ino)
    assert synced and synced[0] < renamed, (
        f"the temp file is not fsynced before the rename: {calls.log}"
    )
    folder = calls.fsyncs_of(path.parent.resolve())
    assert any(i > renamed for i in folder), (
        f"the folder is not fsynced after the rename: {calls.log}"
    )


# ------------------------------------------------------------------------- data files


def test_atomic_write_fsyncs_the_temp_then_renames_then_fsyncs_the_folder(tmp_path, calls):
    path = tmp_path / "user.json"
    atomic_write_bytes(path, b"{}")
    assert_published_durably(calls, path)
    calls.log.clear()
    atomic_write_bytes(path, b'{"t": {}}', keep_prev=True)  # a replace, keeping .prev
    assert_published_durably(calls, path)


def test_an_export_target_is_written_the_same_way(tmp_path, calls):
    # D8: export targets (userfiles.write_through) share the data files' replace_file
    from reader.core.userfiles import write_through

    path = tmp_path / "out.bib"
    write_through(path, b"@misc{x,}")
    assert_published_durably(calls, path)


def test_a_library_change_reaches_user_json_durably(library: Library, data_dir: Path, calls):
    calls.log.clear()
    library.set_status([library.ids()[0]], Status.READ)
    assert_published_durably(calls, data_dir / "user.json")


# ------------------------------------------------------------------------- the journal


def test_a_draft_is_fsynced_before_record_returns_and_its_file_name_too(tmp_path, calls):
    folder = tmp_path / "drafts"
    journal = DraftJournal(folder)
    journal.record("a", "first draft", "")
    assert journal.path is not None
    ino = journal.path.stat().st_ino
    assert calls.fsyncs_of(ino), "the draft is not fsynced"
    # the journal is a new file: its name is only durable once its folder is fsynced
    assert calls.fsyncs_of(folder.resolve()), (
        f"the new journal's folder is not fsynced: {calls.log}"
    )
    calls.log.clear()
    journal.record("a", "second draft", "")
    assert calls.log == [("fsync", ino)]
    journal.close()


def test_compacting_the_journal_never_drops_a_pending_draft(tmp_path, calls, monkeypatch):
    """The pending drafts are durable in a new journal before the old one is emptied:
    a crash at any step leaves every draft in some journal."""
    monkeypatch.setattr(journal_mod, "COMPACT_AFTER", 300)
    folder = tmp_path / "drafts"
    journal = DraftJournal(folder)
    journal.record("a", "draft of a", "")
    journal.record("b", "draft of b", "", slot="editor")
    old = journal.path
    assert old is not None
    old_ino = old.stat().st_ino
    calls.log.clear()
    journal.record("c", "x" * 400, "")  # over COMPACT_AFTER: compact
    new = journal.path
    assert new is not None and new.exists()
    assert read_journal(new) == {
        "a": journal_mod.Draft("draft of a", "", "a"),
        "editor": journal_mod.Draft("draft of b", "", "b"),
        "c": journal_mod.Draft("x" * 400, "", "c"),
    }
    new_ino = new.stat().st_ino
    assert new_ino != old_ino, "compaction rewrote the journal in place"
    durable = max(calls.fsyncs_of(new_ino)[0], calls.fsyncs_of(folder.resolve())[0])
    dropped = [
        i
        for i, (name, what) in enumerate(calls.log)
        if name in ("truncate", "unlink") and what == old_ino
    ]
    assert dropped, f"the old journal is left behind: {calls.log}"
    assert durable < min(dropped), (
        f"the old journal is emptied before the new one is durable: {calls.log}"
    )
    assert sorted(folder.glob("*.jsonl")) == [new]
    journal.clear("a")
    journal.clear("editor")
    journal.clear("c")
    journal.close()
    assert list(folder.glob("*.jsonl")) == []
