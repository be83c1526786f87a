"""The TinyDB storage: atomic durable writes, .prev, daily backups, failures."""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path

import orjson
import pytest
from tinydb.table import Document

from reader.core.errors import ReadOnlyError, StoreError
from reader.core.store import storage as storage_mod
from reader.core.store.storage import (
    AtomicJSONStorage,
    CorruptFileError,
    atomic_write_bytes,
    backups_of,
    daily_backup,
    open_db,
    prev_path,
    remove_stale_temps,
)


def test_every_write_leaves_valid_json_and_keeps_prev(tmp_path: Path):
    path = tmp_path / "user.json"
    db = open_db(path)
    table = db.table("annotations")
    for n in range(5):
        table.insert(Document({"n": n}, doc_id=f"r{n}"))
        assert orjson.loads(path.read_bytes())["annotations"][f"r{n}"] == {"n": n}
    previous = orjson.loads(prev_path(path).read_bytes())
    assert set(previous["annotations"]) == {"r0", "r1", "r2", "r3"}


def test_string_ids_round_trip_through_tinydb(tmp_path: Path):
    db = open_db(tmp_path / "x.json")
    db.table("t").insert(Document({"a": 1}, doc_id="2306.10015"))
    again = open_db(tmp_path / "x.json")
    doc = again.table("t").get(doc_id="2306.10015")
    assert doc == {"a": 1} and doc.doc_id == "2306.10015"


def test_batch_writes_once_and_drops_everything_on_error(tmp_path: Path):
    path = tmp_path / "u.json"
    db = open_db(path, backups=False)
    table = db.table("t")
    writes = []
    real = storage_mod.atomic_write_bytes
    storage_mod.atomic_write_bytes = lambda *a, **k: (writes.append(1), real(*a, **k))
    try:
        with db.atomic.batch():
            table.insert(Document({"a": 1}, doc_id="a"))
            table.insert(Document({"b": 2}, doc_id="b"))
        assert len(writes) == 1
        with pytest.raises(RuntimeError), db.atomic.batch():
            table.insert(Document({"c": 3}, doc_id="c"))
            raise RuntimeError("boom")
    finally:
        storage_mod.atomic_write_bytes = real
    assert set(orjson.loads(path.read_bytes())["t"]) == {"a", "b"}
    assert set(open_db(path).table("t")._read_table()) == {"a", "b"}
    assert "c" not in db.table("t")._read_table()


def test_file_mode_is_kept(tmp_path: Path):
    path = tmp_path / "f.json"
    path.write_text("{}")
    os.chmod(path, 0o600)
    atomic_write_bytes(path, b"{}")
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "disk is full"), (errno.EROFS, "read-only"), (errno.EACCES, "read-only")],
)
def test_failed_write_is_a_clear_error_and_keeps_the_file(tmp_path, monkeypatch, code, words):
    path = tmp_path / "u.json"
    db = open_db(path)
    db.table("t").insert(Document({"a": 1}, doc_id="a"))

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(storage_mod, "atomic_write_bytes", refuse)
    with pytest.raises(StoreError, match=words):
        db.table("t").insert(Document({"b": 2}, doc_id="b"))
    monkeypatch.undo()
    assert set(orjson.loads(path.read_bytes())["t"]) == {"a"}
    # the failed change is not in memory either
    assert set(db.table("t")._read_table()) == {"a"}


def test_a_write_interrupted_before_its_rename_keeps_the_old_file_and_no_temp(
    tmp_path, monkeypatch
):
    """An exception (here ctrl+c) raised by the rename: the old file stays whole and the
    temp file is removed. A real kill leaves the temp behind: remove_stale_temps clears
    it (a real kill between temp and rename is test_durability's SIGKILL loop)."""
    path = tmp_path / "u.json"
    atomic_write_bytes(path, b'{"t": {}}')

    def die(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", die)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(path, b'{"t": {"x": {}}}')
    monkeypatch.undo()
    assert orjson.loads(path.read_bytes()) == {"t": {}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u.json"]
    leftover = tmp_path / f".u.json{storage_mod.TMP_MARK}abc"
    leftover.write_bytes(b"{half")
    assert remove_stale_temps(path) == [leftover]
    assert not leftover.exists() and path.exists()


def test_corrupt_file_is_reported(tmp_path: Path):
    path = tmp_path / "u.json"
    path.write_bytes(b'{"t": {"a": ')
    with pytest.raises(CorruptFileError, match="invalid JSON"):
        AtomicJSONStorage(path).read()
    path.write_bytes(b"[1, 2]")
    with pytest.raises(CorruptFileError, match="object of tables"):
        AtomicJSONStorage(path).read()


def test_read_only_storage_refuses_writes(tmp_path: Path):
    path = tmp_path / "u.json"
    path.write_bytes(b"{}")
    db = open_db(path, read_only=True)
    with pytest.raises(ReadOnlyError):
        db.table("t").insert(Document({"a": 1}, doc_id="a"))
    assert path.read_bytes() == b"{}"


def test_daily_backups_keep_the_last_seven(tmp_path: Path):
    path = tmp_path / "user.json"
    path.write_bytes(b"{}")
    for day in range(1, 11):
        assert daily_backup(path, date(2026, 11, day)) is not None
    assert daily_backup(path, date(2026, 11, 10)) is None
    names = [p.name for p in backups_of(path)]
    assert names == [f"user-2026-11-{d:02d}.json" for d in range(10, 3, -1)]


def test_change_by_another_writer_is_noticed(tmp_path: Path):
    path = tmp_path / "u.json"
    one, two = open_db(path), open_db(path)
    one.table("t").insert(Document({"a": 1}, doc_id="a"))
    assert two.table("t").get(doc_id="a") == {"a": 1}
    assert not one.atomic.changed_on_disk()
    two.table("t").insert(Document({"b": 1}, doc_id="b"))
    assert one.atomic.changed_on_disk()
    assert set(one.table("t")._read_table()) == {"a", "b"}
