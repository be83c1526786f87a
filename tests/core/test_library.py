"""The Library: import, re-import, annotations, undo, views, recovery, schema."""

from __future__ import annotations

import errno
import functools
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from reader.core.errors import (
    AmbiguousIdError,
    ReaderError,
    ReadOnlyError,
    StoreError,
    UnknownIdError,
)
from reader.core.library import Library
from reader.core.models import EMPTY, Annotation, Status
from reader.core.store import folder as folder_mod
from reader.core.store import storage as storage_mod
from reader.core.store.folder import SCHEMA_VERSION

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FIRST = "2306.10015"  # the first abstract of seed 000


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return Library.open(tmp_path / "data")


def reopen(library: Library) -> Library:
    return Library(library.data_dir)


def user_file(library: Library) -> dict:
    return orjson.loads(library.user_path.read_bytes())


def test_first_open_imports_the_bundled_seeds(lib: Library):
    assert len(lib) == 49
    assert lib.abstract(FIRST).date == "2023-06-16"
    assert any("imported 49" in m for m in lib.messages)
    assert Library.open(lib.data_dir).messages == []  # second start: nothing new


def test_seed_false_opens_empty(tmp_path: Path):
    assert len(Library.open(tmp_path, seed=False)) == 0


def test_reimport_same_files_changes_nothing(lib: Library):
    before = lib.corpus_path.stat()
    report = lib.import_paths([SEEDS])
    assert (report.added, report.updated, report.unchanged) == (0, 0, 49)
    assert lib.corpus_path.stat().st_mtime_ns == before.st_mtime_ns
    assert [f.path.name for f in report.files] == sorted(p.name for p in SEEDS.glob("*.txt"))


def test_reimport_keeps_notes_and_updates_changed_text(lib: Library, tmp_path: Path):
    lib.set_note(FIRST, "my *note*")
    lib.tag([FIRST], add=["rl"])
    changed = tmp_path / "changed.txt"
    changed.write_text("A revised abstract of the same paper.\n\narXiv:2306.10015v2\n")
    report = lib.import_paths([changed])
    assert (report.added, report.updated) == (0, 1)
    fresh = reopen(lib)
    assert fresh.abstract(FIRST).text == "A revised abstract of the same paper."
    assert fresh.abstract(FIRST).version == 2
    assert fresh.annotation(FIRST).note == "my *note*"
    assert fresh.annotation(FIRST).tags == ("rl",)
    assert len(fresh) == 49


def test_tag_change_does_not_rewrite_the_corpus(lib: Library):
    stat = lib.corpus_path.stat()
    lib.tag([FIRST], add=["x"])
    lib.set_status([FIRST], Status.READ)
    after = lib.corpus_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert user_file(lib)["annotations"][FIRST]["tags"] == ["x"]


def test_every_change_is_on_disk_when_the_call_returns(lib: Library):
    ids = lib.ids()[:3]
    lib.set_status(ids, Status.TO_READ)
    assert {k: v["status"] for k, v in user_file(lib)["annotations"].items()} == dict.fromkeys(
        ids, "to-read"
    )
    lib.tag(ids[:2], add=["a", "B"], remove=[])
    lib.tag(ids[:1], remove=["a"])
    lib.set_title(ids[0], "  My   title ")
    lib.set_note(ids[1], "line one")
    lib.append_note(ids[1], "line two")
    fresh = reopen(lib)
    assert fresh.annotation(ids[0]).tags == ("b",)
    assert fresh.annotation(ids[1]).tags == ("a", "b")
    assert fresh.title(ids[0]) == "My title"
    assert fresh.annotation(ids[1]).note == "line one\n\nline two"
    assert fresh.annotation(ids[1]).created and fresh.annotation(ids[1]).updated


def test_back_to_default_removes_the_record_from_the_file(lib: Library):
    lib.tag([FIRST], add=["x"])
    lib.tag([FIRST], remove=["x"])
    assert FIRST not in user_file(lib)["annotations"]


def test_noop_change_writes_nothing(lib: Library):
    lib.set_status([FIRST], Status.READ)
    stamp = lib.user_path.stat().st_mtime_ns
    change = lib.set_status([FIRST], Status.READ)
    assert change.count == 0
    assert lib.user_path.stat().st_mtime_ns == stamp


def test_undo_and_redo_of_a_bulk_change(lib: Library):
    ids = lib.ids()[:4]
    lib.tag(ids[:1], add=["keep"])
    change = lib.tag(ids, add=["rl"])
    assert change.label == "+rl on 4 abstracts" and change.count == 4
    lib.undo(change)
    fresh = reopen(lib)
    assert fresh.annotation(ids[0]).tags == ("keep",)
    assert all(fresh.annotation(i).tags == () for i in ids[1:])
    lib.redo(change)
    assert all("rl" in reopen(lib).annotation(i).tags for i in ids)


def test_put_restores_annotations_for_unknown_ids_too(lib: Library):
    lib.put("restore", {"9999.99999": Annotation(status=Status.READ, note="later")})
    assert reopen(lib).annotation("9999.99999").note == "later"


def test_resolve_by_prefix(lib: Library):
    assert lib.resolve("2306.10015") == FIRST
    assert lib.resolve("arXiv:2306.10015") == FIRST
    assert lib.resolve("2306.10015v2") == FIRST
    with pytest.raises(AmbiguousIdError) as info:
        lib.resolve("2306")
    assert FIRST in info.value.candidates
    with pytest.raises(UnknownIdError):
        lib.resolve("zzzz")
    hashed = next(i for i in lib.ids() if "." not in i)
    assert lib.resolve(hashed[:8]) == hashed


def test_search_and_sort_through_the_library(lib: Library):
    lib.set_status([FIRST], Status.READ)
    assert lib.search("status:read").ids == [FIRST]
    assert lib.count("status:unread") == 48
    dated = lib.search("has:date", sort="date").ids
    dates = [lib.abstract(i).date for i in dated]
    assert dates == sorted(dates, reverse=True)
    with pytest.raises(ValueError):
        lib.rows("", sort="nonsense")


def test_two_library_objects_never_lose_each_others_changes(lib: Library):
    other = Library(lib.data_dir)
    lib.tag([FIRST], add=["one"])
    other.tag([FIRST], add=["two"])  # other's memory is stale: it must reload first
    lib.set_note(FIRST, "note")
    final = reopen(lib).annotation(FIRST)
    assert final.tags == ("one", "two") and final.note == "note"
    assert other.refresh() and other.annotation(FIRST).note == "note"
    assert other.search("tag:one").ids == [FIRST]


def test_views_are_saved_renamed_and_deleted(lib: Library):
    lib.save_view("Later", "tag:later status:unread")
    lib.rename_view("Later", "Soon")
    assert [(v.name, v.query) for v in reopen(lib).views()] == [("Soon", "tag:later status:unread")]
    lib.delete_view("Soon")
    assert reopen(lib).views() == []
    with pytest.raises(ReaderError, match="no view named 'nope'"):
        lib.delete_view("nope")


def test_full_disk_refuses_the_change_and_keeps_state(lib: Library, monkeypatch):
    lib.tag([FIRST], add=["saved"])

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_mod, "atomic_write_bytes", full)
    other = lib.ids()[1]  # never annotated: nothing of it in memory before the write
    with pytest.raises(StoreError, match="disk is full"):
        lib.tag([FIRST, other], add=["lost"])
    monkeypatch.undo()
    assert lib.annotation(FIRST).tags == ("saved",)
    assert lib.annotation(other) == EMPTY and other not in lib.annotations()
    assert lib.search("tag:lost").ids == []
    assert reopen(lib).annotation(FIRST).tags == ("saved",)
    lib.tag([FIRST], add=["after"])  # and the next change works
    assert reopen(lib).annotation(FIRST).tags == ("after", "saved")


def test_corrupt_user_file_loads_prev_and_keeps_the_bad_one(lib: Library):
    lib.tag([FIRST], add=["first"])
    lib.tag([FIRST], add=["second"])
    lib.user_path.write_bytes(b'{"annotations": {"2306')  # a torn write by something else
    fresh = Library(lib.data_dir)
    assert fresh.annotation(FIRST).tags == ("first",)  # the .prev copy
    bad = list(lib.data_dir.glob("user.json.corrupt-*"))
    assert len(bad) == 1 and bad[0].read_bytes() == b'{"annotations": {"2306'
    assert any("damaged" in m and str(bad[0]) in m for m in fresh.messages)


@pytest.mark.parametrize("content", [b"\x00\xff garbage", b'{"annotations": [1, 2]}', b"{"])
def test_corrupt_file_without_good_copy_refuses_to_start(tmp_path: Path, content: bytes):
    data = tmp_path / "d"
    data.mkdir()
    (data / "user.json").write_bytes(content)
    with pytest.raises(StoreError, match="no good copy"):
        Library(data)
    assert list(data.glob("user.json.corrupt-*"))[0].read_bytes() == content


def test_wrong_shape_annotation_is_a_clear_error(tmp_path: Path):
    data = tmp_path / "d"
    data.mkdir()
    bad = {"annotations": {"x": {"status": "bogus"}}, "meta": {"schema": {"version": 1}}}
    (data / "user.json").write_bytes(orjson.dumps(bad))
    (data / "corpus.json").write_bytes(b"{}")  # annotations without a corpus: also damage
    with pytest.raises(StoreError, match="'x' is malformed"):
        Library(data)


def test_newer_schema_opens_read_only(tmp_path: Path):
    data = tmp_path / "d"
    data.mkdir()
    newer = {"annotations": {}, "meta": {"schema": {"version": SCHEMA_VERSION + 1}}}
    (data / "user.json").write_bytes(orjson.dumps(newer))
    lib = Library.open(data)
    assert lib.read_only
    assert any("newer release" in m for m in lib.messages)
    with pytest.raises(ReadOnlyError):
        lib.set_status(["x"], Status.READ)
    assert orjson.loads((data / "user.json").read_bytes()) == newer


def test_older_schema_is_backed_up_and_migrated(tmp_path: Path):
    data = tmp_path / "d"
    data.mkdir()
    old = {"annotations": {"a1": {"status": "read", "tags": "Later, rl ml"}}}
    (data / "user.json").write_bytes(orjson.dumps(old))
    (data / "corpus.json").write_bytes(b"{}")  # annotations without a corpus: also damage
    lib = Library(data)
    assert lib.annotation("a1").tags == ("later", "ml", "rl")
    assert orjson.loads((data / "user.json.v0-backup").read_bytes()) == old
    assert user_file(lib)["meta"]["schema"]["version"] == SCHEMA_VERSION


def migrated_elsewhere_before_the_lock(monkeypatch: pytest.MonkeyPatch, other) -> None:
    """The first time this process takes a lock, `other()` runs first: another process
    that opened the same file and changed it while this one had read it unlocked."""
    real = folder_mod.Lock.__enter__
    pending = [other]

    def enter(self: folder_mod.Lock) -> folder_mod.Lock:
        while pending:
            pending.pop()()
        return real(self)

    monkeypatch.setattr(folder_mod.Lock, "__enter__", enter)


def test_two_processes_migrating_at_once_keep_the_old_file_as_it_was(tmp_path, monkeypatch):
    """Both read schema 0 at open; the second to take the lock finds the file migrated
    by the first: its backup (the only copy of the schema 0 file, with what the
    migration drops) is not overwritten with the migrated data."""
    data = tmp_path / "d"
    data.mkdir()
    old = {"annotations": {"a1": {"status": "read", "tags": ["Later", "a,b", None]}}}
    (data / "user.json").write_bytes(orjson.dumps(old))
    (data / "corpus.json").write_bytes(b"{}")
    code = f"from reader.core.library import Library; Library({str(data)!r})"
    other = functools.partial(subprocess.run, [sys.executable, "-c", code], check=True)
    migrated_elsewhere_before_the_lock(monkeypatch, other)

    lib = Library(data)
    assert lib.annotation("a1").tags == ("later",)
    assert orjson.loads((data / "user.json.v0-backup").read_bytes()) == old


def test_a_file_a_newer_release_migrated_meanwhile_is_not_migrated_back(tmp_path, monkeypatch):
    data = tmp_path / "d"
    data.mkdir()
    old = {"annotations": {"a1": {"status": "read", "tags": "later"}}}
    (data / "user.json").write_bytes(orjson.dumps(old))
    (data / "corpus.json").write_bytes(b"{}")
    newer = {
        "annotations": {"a1": {"status": "read", "tags": [{"name": "later"}]}},
        "meta": {"schema": {"version": SCHEMA_VERSION + 1}},
    }
    newer_bytes = orjson.dumps(newer)
    other = functools.partial((data / "user.json").write_bytes, newer_bytes)
    migrated_elsewhere_before_the_lock(monkeypatch, other)

    lib = Library(data)
    assert lib.read_only
    assert (data / "user.json").read_bytes() == newer_bytes


def test_stale_temp_files_are_removed_at_start(lib: Library):
    leftover = lib.data_dir / f".user.json{storage_mod.TMP_MARK}dead"
    leftover.write_bytes(b"{")
    Library(lib.data_dir)
    assert not leftover.exists()


def test_draft_of_a_dead_process_is_recovered(lib: Library):
    import subprocess
    import sys

    code = (
        "import os, sys; from reader.core.library import Library; "
        f"lib = Library({str(lib.data_dir)!r}); "
        f"lib.journal_draft({FIRST!r}, 'typed before the crash', ''); "
        "os._exit(9)"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    fresh = Library.open(lib.data_dir)
    assert fresh.annotation(FIRST).note == "typed before the crash"
    assert any("Recovered" in m for m in fresh.messages)
    assert list((lib.data_dir / "drafts").glob("*.jsonl")) == []


def test_live_journal_is_not_taken_by_another_process(lib: Library):
    lib.journal_draft(FIRST, "still typing", "")
    other = Library.open(lib.data_dir)
    assert other.annotation(FIRST).note == ""
    lib.set_note(FIRST, "still typing")
    lib.clear_draft(FIRST)
    lib.close()
    assert list((lib.data_dir / "drafts").glob("*.jsonl")) == []


def test_read_only_folder_is_reported(lib: Library, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(storage_mod, "atomic_write_bytes", refuse)
    with pytest.raises(StoreError, match="read-only"):
        lib.set_note(FIRST, "x")
    assert lib.annotation(FIRST).note == ""
