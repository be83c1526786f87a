"""The corpus cache (`corpus.cache`, issue 13): opened instead of parsing corpus.json,
never trusted when damaged, stale or foreign, and invisible in what the library shows."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from reader.core.errors import StoreError
from reader.core.library import Library
from reader.core.models import Abstract
from reader.core.store import cache as cachefile
from reader.core.store import folder
from reader.core.store.storage import TMP_MARK

FIRST = "2306.10015"


def snapshot(lib: Library) -> list[dict]:
    return [lib.abstract_at(r).to_dict() for r in range(len(lib))]


@pytest.fixture
def seeded(library: Library) -> Path:
    library.close()
    return library.data_dir


def count_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the full checks of corpus.json (`check_corpus`, done only when parsing it)."""
    calls: list[int] = []
    real = folder.check_corpus

    def counted(data: dict) -> str | None:
        calls.append(1)
        return real(data)

    monkeypatch.setattr("reader.core.store.corpus.check_corpus", counted)
    return calls


def test_a_valid_cache_opens_without_reading_corpus_json(seeded: Path, monkeypatch):
    expected = snapshot(Library(seeded))
    checks = count_checks(monkeypatch)
    parsed: list[Path] = []
    real = cachefile.build

    def build(*args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(seeded)
        return real(*args, **kwargs)

    monkeypatch.setattr(cachefile, "build", build)
    lib = Library(seeded)
    assert snapshot(lib) == expected
    assert lib.search("language").ids  # the index loads over the cache
    assert checks == [] and parsed == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw, other: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw, other: raw[:-1], id="one byte short"),
        pytest.param(lambda raw, other: os.urandom(len(raw)), id="garbage"),
        pytest.param(lambda raw, other: b"", id="empty"),
        pytest.param(lambda raw, other: other, id="another library's"),
        pytest.param(
            lambda raw, other: raw[:300] + bytes(b ^ 0x55 for b in raw[300:340]) + raw[340:],
            id="garbage in the header or columns",
        ),
    ],
)
def test_a_damaged_or_foreign_cache_is_rebuilt_not_trusted(
    seeded: Path, tmp_path: Path, monkeypatch, damage
):
    expected = snapshot(Library(seeded))
    other = Library.open(tmp_path / "other", seed=False)
    mine = tmp_path / "one.txt"
    mine.write_text("Only things here.\n\narXiv:2401.00009\nCreated: 2024-01-09\n")
    other.import_paths([mine])
    other_cache = (tmp_path / "other" / "corpus.cache").read_bytes()
    path = seeded / "corpus.cache"
    path.write_bytes(damage(path.read_bytes(), other_cache))
    assert cachefile.open_cache(path, cachefile.identity(seeded / "corpus.json")) is None
    checks = count_checks(monkeypatch)
    lib = Library(seeded)
    assert snapshot(lib) == expected
    assert lib.search("language").ids == Library(seeded).search("language").ids
    assert checks == [1]  # rebuilt from corpus.json, checked once
    assert cachefile.open_cache(path, cachefile.identity(seeded / "corpus.json")) is not None


@pytest.mark.parametrize("section", ["dates", "ids", "fold_ids", "source_codes", "offsets"])
def test_a_changed_byte_in_a_column_is_caught_at_open(seeded: Path, monkeypatch, section: str):
    expected = Library(seeded).search("year:2023", "date").ids
    path = seeded / "corpus.cache"
    raw = bytearray(path.read_bytes())
    cache = cachefile.parse(bytes(raw), None)
    assert cache is not None
    offset, length = cache.header["sections"][section]
    raw[cache.header["base"] + offset + length // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    assert cachefile.open_cache(path, cachefile.identity(seeded / "corpus.json")) is None
    checks = count_checks(monkeypatch)
    assert Library(seeded).search("year:2023", "date").ids == expected
    assert checks == [1]


def test_garbage_in_a_record_is_caught_when_decoded_and_the_cache_rebuilt(seeded: Path):
    expected = snapshot(Library(seeded))
    path = seeded / "corpus.cache"
    raw = bytearray(path.read_bytes())
    tail = len(raw) - 200  # inside the records of the last rows, after the checksummed columns
    raw[tail : tail + 20] = b"\xff" * 20
    stamp = os.stat(path)
    path.write_bytes(bytes(raw))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    lib = Library(seeded)
    assert snapshot(lib) == expected  # the damaged record was read from corpus.json
    fresh = (seeded / "corpus.cache").read_bytes()
    assert fresh != bytes(raw)  # and the cache rewritten


def test_a_stale_cache_is_rebuilt_when_corpus_json_changes(seeded: Path):
    path = seeded / "corpus.json"
    data = orjson.loads(path.read_bytes())
    data["abstracts"][FIRST]["headline"] = "Edited by hand"
    path.write_bytes(orjson.dumps(data))
    assert Library(seeded).abstract(FIRST).headline == "Edited by hand"


def test_richer_fields_survive_the_cache(seeded: Path, tmp_path: Path):
    lib = Library(seeded)
    rich = Abstract(
        id="2401.00042",
        text="A rich record.",
        headline="A rich record.",
        source="bib",
        position=1,
        arxiv_id="2401.00042",
        title="Rich",
        authors=("Ada Lovelace", "Alan Turing"),
        categories=("cs.LG",),
        updated="2024-02-01",
        doi="10.1/x",
        journal_ref="J. 1",
        pdf="https://example.org/x.pdf",
    )
    with lib._corpus.file.lock:
        lib._corpus.file.load()
        lib._corpus.write([*lib._corpus.abstracts, rich])
    fresh = Library(seeded)
    assert fresh.abstract("2401.00042") == rich
    assert fresh.resolve("2401.0004") == "2401.00042"


def test_ids_resolve_by_prefix_and_case_through_the_cache(seeded: Path):
    lib = Library(seeded)
    assert lib.resolve("arXiv:2306.10015v2") == FIRST
    assert lib.resolve("2306.1001") == FIRST
    assert lib.row_of(FIRST) == lib.ids().index(FIRST)
    assert "nope" not in lib._corpus.rows


def test_another_process_import_is_seen_by_refresh(seeded: Path, tmp_path: Path):
    app = Library(seeded)
    cli = Library(seeded)
    mine = tmp_path / "mine.txt"
    mine.write_text("A paper of my own about things.\n\narXiv:2401.00001\n")
    cli.import_paths([mine])
    assert app.refresh().corpus
    assert app.abstract("2401.00001").text == "A paper of my own about things."
    assert not app.refresh()


def test_a_tag_change_writes_only_user_json(seeded: Path):
    lib = Library(seeded)
    lib.search("language")  # the index is loaded

    def files() -> dict[str, tuple[int, int]]:
        found = {}
        for p in seeded.rglob("*"):
            if p.is_file():
                st = os.stat(p)
                found[str(p.relative_to(seeded))] = (st.st_ino, st.st_mtime_ns)
        return found

    before = files()
    lib.tag([FIRST], add=["x"])
    after = files()
    changed = {name for name, stamp in after.items() if before.get(name) != stamp}
    changed |= before.keys() - after.keys()
    user_backups = {n for n in changed if n.startswith("backups/user-")}  # the day's copy
    assert changed - user_backups <= {"user.json", "user.json.prev"}, changed
    assert "user.json" in changed


def test_a_read_only_library_keeps_its_cache_in_memory(seeded: Path):
    (seeded / "corpus.cache").unlink()
    lib = Library(seeded, read_only=True)
    assert lib.abstract(FIRST).id == FIRST
    assert not (seeded / "corpus.cache").exists()


CHILD = """
import os, sys
EXTRA = os.environ.get("HEAVY_TOO", "").split()
from reader.cli import cli
try:
    cli(sys.argv[1:], prog_name="reader")
except SystemExit as done:
    code = done.code
heavy = [m for m in ("numpy", "pylatexenc", "textual", *EXTRA) if m in sys.modules]
print("HEAVY:" + ",".join(heavy))
sys.exit(code)
"""


@pytest.mark.parametrize("args", [["tag", FIRST, "+x"], ["status", FIRST, "read"]])
def test_reader_tag_imports_neither_numpy_nor_pylatexenc_nor_textual(seeded: Path, args):
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "--data-dir", str(seeded), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "HEAVY:", done.stdout


def test_many_ids_are_looked_up_at_once_like_one_at_a_time(seeded: Path):
    lib = Library(seeded)
    rows = lib._corpus.rows
    ids = lib.ids()
    keys = [*ids, "nope", ids[0] + "9", ids[0][:-1], ids[0].upper(), "x" * 200] * 2
    assert rows.rows_of(keys) == [rows.get(k) for k in keys]  # type: ignore[attr-defined]
    assert rows.rows_of(keys)[: len(ids)] == list(range(len(ids)))  # type: ignore[attr-defined]


def test_reader_list_without_a_query_needs_no_index(seeded: Path):
    """Nor a lock (reading never locks), nor the query parser."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "--data-dir", str(seeded), "list", "--limit", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"HEAVY_TOO": "filelock reader.core.search.query"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "HEAVY:", done.stdout
    assert Library(seeded).search("").ids[:2] == Library(seeded).ids()[:2]


NEW = """A brand new abstract about zebra crossings and the reasoning of pedestrians in
traffic models, long enough to count as an abstract for the parser to take it in.
arXiv:2612.00001
Created: 2026-12-01
"""


def test_an_import_streams_corpus_json_and_its_cache_without_parsing_the_old_file(
    seeded: Path, tmp_path: Path, monkeypatch
):
    """Adding to a library writes corpus.json and corpus.cache a record at a time from
    the records in memory: the old corpus.json is not parsed (the cache made from it
    knows its save counter), and both files say what a whole-object write would."""
    before = orjson.loads((seeded / "corpus.json").read_bytes())
    checks = count_checks(monkeypatch)
    new = tmp_path / "new.txt"
    new.write_text(NEW)
    lib = Library(seeded)
    assert lib.import_paths([new]).added == 1
    assert checks == []  # the old file was never read

    data = orjson.loads((seeded / "corpus.json").read_bytes())
    assert data["meta"]["saves"]["count"] == before["meta"]["saves"]["count"] + 1
    assert list(data["abstracts"]) == [*before["abstracts"], "2612.00001"]
    assert [lib.abstract_at(r).to_dict() for r in range(len(lib))] == list(
        data["abstracts"].values()
    )
    key = data["meta"]["corpus"]["generation"]
    made = cachefile.build(
        list(data["abstracts"].values()),
        cachefile.identity(seeded / "corpus.json"),
        key,
        data["meta"]["saves"]["count"],
    )
    assert (seeded / "corpus.cache").read_bytes() == made  # the streamed cache, byte for byte
    assert os.stat(seeded / "corpus.cache").st_mode & 0o777 == 0o644  # as the one it replaced
    assert Library(seeded).search("zebra").ids == ["2612.00001"]
    assert not [p for p in seeded.iterdir() if TMP_MARK in p.name]


@pytest.mark.parametrize(
    ("where", "nth"),
    [("encoded", 1), ("copied", 20), ("copied", 49)],
    ids=["the-new-record", "the-20th-copied-record", "the-last-copied-record"],
)
def test_a_write_that_fails_midway_leaves_both_files_and_no_temporary_file(
    seeded: Path, tmp_path: Path, monkeypatch, where: str, nth: int
):
    """The disk fills while corpus.json is streamed: the old corpus and its cache stay,
    whole and in use, and neither temporary file is left. An import copies the records
    it leaves alone from the cache and encodes only the new one: the failure comes at
    the n-th copied record, or at the new one."""
    files = {name: (seeded / name).read_bytes() for name in ("corpus.json", "corpus.cache")}
    new = tmp_path / "new.txt"
    new.write_text(NEW)
    lib = Library(seeded)
    owner, name = (Abstract, "to_dict") if where == "encoded" else (
        cachefile.CorpusCache, "record_bytes")  # fmt: skip
    real, done = getattr(owner, name), []

    def full(*args: object) -> object:
        done.append(1)
        if len(done) == nth:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(owner, name, full)
    with pytest.raises(StoreError, match="disk is full"):
        lib.import_paths([new])
    monkeypatch.undo()
    assert {name: (seeded / name).read_bytes() for name in files} == files
    assert not [p for p in seeded.iterdir() if TMP_MARK in p.name]
    assert lib.search("zebra").ids == [] and len(lib) == 49
    assert lib.import_paths([new]).added == 1  # and the next import works
    assert Library(seeded).search("zebra").ids == ["2612.00001"]


def test_a_cache_draft_a_killed_import_left_is_removed_at_open_unless_an_import_holds_it(
    seeded: Path,
):
    """A million-record import killed midway leaves a 1.3 GB draft of the cache: the
    next open removes it, but never while another process's import (holding the corpus
    lock for its whole write) may still be writing it."""
    draft = seeded / f".corpus.cache{TMP_MARK}killed"
    draft.write_bytes(b"half a cache")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(seeded / ".corpus.json.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        started = time.monotonic()
        Library(seeded).close()
        assert time.monotonic() - started < 10  # not the lock's 15 s wait: it does not wait
        assert draft.exists()  # an import at work: its draft is live
    finally:
        holder.kill()
        holder.wait()
    Library(seeded).close()
    assert not draft.exists()


HOLD = """
import sys, time
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_ids_as_lines_are_the_ids_one_a_line():
    """`RowIds.lines` (what `reader list --format ids` prints) cuts the padding of the
    fixed-width id column and nothing else: ids of every width, not ASCII, and one
    with a NUL inside, in the rows' order, repeated or none."""
    import numpy as np

    ids = ["2306.10015", "a", "10.1000/Ünïcode-δ", "a\0b", "0123456789abcdef0123", "x"]
    records = [{"id": i, "source": "s", "text": "t", "headline": "t"} for i in ids]
    cache = cachefile.parse(cachefile.build(records, (0, 0, 0, 0), "key"), None)
    assert cache is not None
    column = cachefile.RowIds(cache)
    for rows in ([], [0], [2, 0, 5, 1, 4], [0, 1, 2, 4, 5], [3, 1], [1, 1]):
        picked = np.array(rows, dtype=np.int64)
        assert column.lines(picked) == "".join(f"{ids[r]}\n" for r in rows).encode(), rows


def as_written_by_the_release_before(path: Path, damage_record: int | None = None) -> None:
    """Make the cache at `path` what release 1991ac5 wrote: version 2, no records CRC
    (the header shortened and padded to its room; its mtime kept, as the cache names
    corpus.json, not itself); `damage_record` garbles that row's record in place."""
    raw = bytearray(path.read_bytes())
    prefix = len(cachefile.MAGIC) + 8
    room = int.from_bytes(raw[len(cachefile.MAGIC) : prefix], "little")
    header = orjson.loads(bytes(raw[prefix : prefix + room]))
    header["format"] = 2
    del header["records_crc"]
    raw[prefix : prefix + room] = orjson.dumps(header).ljust(room, b" ")
    if damage_record is not None:
        cache = cachefile.parse(bytes(raw), None)
        assert cache is not None
        start = cache.header["base"] + cache.header["sections"]["records"][0]
        at = start + cache._offsets[damage_record] + 2
        raw[at : at + 4] = b"\xff\xfe\xfd\xfc"
    path.write_bytes(bytes(raw))


def test_the_cache_of_the_release_before_is_used_and_its_records_checked_before_a_copy(
    seeded: Path, tmp_path: Path, monkeypatch
):
    """At a million abstracts, rebuilding the cache from corpus.json at the first start
    of a new release took 29 s and 4.9 GB: a version-2 cache is read as it is."""
    expected = snapshot(Library(seeded))
    path = seeded / "corpus.cache"
    as_written_by_the_release_before(path)
    checks = count_checks(monkeypatch)
    lib = Library(seeded)
    assert snapshot(lib) == expected and checks == []  # corpus.json not read
    new = tmp_path / "new.txt"
    new.write_text("A new abstract on frogs.\n\narXiv:2501.00002\nCreated: 2025-01-02\n")
    lib.import_paths([new])
    assert checks == []  # its records were checked one by one, then copied
    after = cachefile.open_cache(path, cachefile.identity(seeded / "corpus.json"))
    assert after is not None and after.header["format"] == cachefile.FORMAT
    assert after.records_intact() and after.header["records_crc"] is not None
    added = Library(seeded).abstract("2501.00002").to_dict()
    assert snapshot(Library(seeded)) == [*expected, added]


def test_a_damaged_record_in_the_cache_of_the_release_before_is_never_copied(
    seeded: Path, tmp_path: Path, monkeypatch
):
    expected = snapshot(Library(seeded))
    as_written_by_the_release_before(seeded / "corpus.cache", damage_record=7)
    checks = count_checks(monkeypatch)
    lib = Library(seeded)
    new = tmp_path / "new.txt"
    new.write_text("A new abstract on frogs.\n\narXiv:2501.00002\nCreated: 2025-01-02\n")
    lib.import_paths([new])
    assert checks == [1]  # the damaged record sent it to corpus.json
    assert snapshot(Library(seeded))[:-1] == expected
