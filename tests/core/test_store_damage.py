"""Damaged data files: missing, empty or strange is never a new library.

Each test damages `user.json` or `corpus.json` the way a user, a sync tool or a full
disk might, then checks that nothing the user made is lost: the damaged file is
quarantined (never deleted), the newest good copy loads, the user is told in one
line, and the good copy is never rotated away.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from reader.cli import cli
from reader.core.errors import ReadOnlyError, StoreError
from reader.core.library import Library
from reader.core.models import Status
from reader.core.store import folder as store

FIRST = "2306.10015"
OTHER = "2306.04031"
SEEDS = 49


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    Library.open(folder).close()
    return folder


def run(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result


def one_line_error(result: Result, words: str) -> str:
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("reader: error:") and words in lines[-1], result.output
    assert "Traceback" not in result.output
    return lines[-1]


def precious(data_dir: Path) -> None:
    """`reader note ID --set precious; reader status OTHER read`: the note is in .prev."""
    ok(run(data_dir, "note", FIRST, "--set", "precious"))
    ok(run(data_dir, "status", OTHER, "read"))


def user(data_dir: Path) -> dict:
    return orjson.loads((data_dir / "user.json").read_bytes())


def quarantined(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


# ------------------------------------------------------------ user.json damaged
def test_emptied_user_file_loads_the_good_copy_and_keeps_it(data_dir: Path):
    precious(data_dir)
    (data_dir / "user.json").write_bytes(b"")
    result = ok(run(data_dir, "list"))
    [bad] = quarantined(data_dir / "user.json")
    assert bad.read_bytes() == b""
    assert "user.json was damaged (it is empty)" in result.output
    assert str(bad) in result.output
    assert user(data_dir)["annotations"][FIRST]["note"] == "precious"
    ok(run(data_dir, "tag", FIRST, "+after"))  # a write after recovery keeps .prev good
    prev = orjson.loads((data_dir / "user.json.prev").read_bytes())
    assert prev["annotations"][FIRST]["note"] == "precious"
    result = ok(run(data_dir, "list"))
    assert "upgraded from schema" not in result.output


def test_removed_user_file_is_recovered_at_the_first_change(data_dir: Path):
    precious(data_dir)
    (data_dir / "user.json").unlink()
    result = ok(run(data_dir, "tag", OTHER, "+x"))
    assert "user.json was missing" in result.output
    assert user(data_dir)["annotations"][FIRST]["note"] == "precious"
    assert Library(data_dir).annotation(FIRST).note == "precious"


def test_dev_null_link_is_quarantined_and_the_new_file_keeps_the_old_mode(data_dir: Path):
    precious(data_dir)
    path = data_dir / "user.json"
    os.chmod(data_dir / "user.json.prev", 0o600)
    path.unlink()
    path.symlink_to("/dev/null")
    ok(run(data_dir, "tag", OTHER, "+x"))
    [bad] = quarantined(path)
    assert bad.is_symlink() and os.readlink(bad) == "/dev/null"
    assert stat.S_ISREG(path.lstat().st_mode)
    assert path.stat().st_mode & 0o777 == 0o600
    assert Library(data_dir).annotation(FIRST).note == "precious"


def test_a_folder_in_place_of_user_file_is_damage(data_dir: Path):
    precious(data_dir)
    path = data_dir / "user.json"
    path.unlink()
    path.mkdir()
    result = ok(run(data_dir, "list"))
    assert "not a regular file but a folder" in result.output
    assert quarantined(path)[0].is_dir()
    assert Library(data_dir).annotation(FIRST).note == "precious"


@pytest.mark.parametrize("name", ["user.json", "corpus.json"])
def test_a_fifo_in_place_of_a_data_file_never_hangs(data_dir: Path, tmp_path: Path, name: str):
    precious(data_dir)
    imported(data_dir, tmp_path)  # the corpus gets a .prev
    path = data_dir / name
    path.unlink()
    os.mkfifo(path)
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir), "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "not a regular file but a FIFO" in done.stderr
    assert stat.S_ISFIFO(quarantined(path)[0].lstat().st_mode)
    assert Library(data_dir).annotation(FIRST).note == "precious"


@pytest.mark.parametrize(
    "annotation",
    [
        {"status": "bogus"},
        {"status": ["read"]},  # unhashable: was a TypeError traceback at every open
        {"tags": "not a list"},
        {"tags": 5},
        {"note": 7},
        5,
    ],
)
def test_malformed_records_are_quarantined_and_the_good_copy_loads(data_dir, annotation):
    precious(data_dir)
    data = user(data_dir)
    data["annotations"][OTHER] = annotation
    (data_dir / "user.json").write_bytes(orjson.dumps(data))
    result = ok(run(data_dir, "show", FIRST))
    assert f"the annotation of {OTHER!r} is malformed" in result.output
    assert "precious" in result.output
    assert len(quarantined(data_dir / "user.json")) == 1


def test_restore_works_when_the_file_is_malformed(data_dir: Path, tmp_path: Path):
    precious(data_dir)
    export = tmp_path / "e.json"
    ok(run(data_dir, "export", "-o", str(export)))
    data = user(data_dir)
    data["annotations"][FIRST]["status"] = "bogus"
    (data_dir / "user.json").write_bytes(orjson.dumps(data))
    ok(run(data_dir, "restore", str(export)))
    assert Library(data_dir).annotation(OTHER).status is Status.READ


def test_the_newest_good_copy_is_chosen_by_its_save_counter(data_dir: Path):
    lib = Library(data_dir)
    for n in range(3):
        lib.set_note(FIRST, f"version {n}")
    saved = user(data_dir)
    assert saved["meta"]["saves"]["count"] > 2
    backups = data_dir / "backups"
    old_name = backups / "user-2000-01-01.json"  # the oldest name and mtime, the newest save
    old_name.write_bytes(orjson.dumps(saved))
    os.utime(old_name, (0, 0))
    (data_dir / "user.json").write_bytes(b"")
    fresh = Library(data_dir)
    assert fresh.annotation(FIRST).note == "version 2"
    assert any("backups/user-2000-01-01.json" in m for m in fresh.messages)


def test_damage_without_a_good_copy_is_refused_every_time(data_dir: Path):
    for copy in [data_dir / "user.json.prev", *(data_dir / "backups").glob("user-*")]:
        copy.unlink(missing_ok=True)
    (data_dir / "user.json").write_bytes(b"{torn")
    one_line_error(run(data_dir, "list"), "no good copy")
    line = one_line_error(run(data_dir, "list"), "no good copy")  # still: never a new library
    assert "user.json was missing" in line
    assert (data_dir / "corpus.json").exists()
    assert quarantined(data_dir / "user.json")[0].read_bytes() == b"{torn"


def test_a_library_is_new_only_when_the_folder_has_no_data_files(tmp_path: Path):
    folder = tmp_path / "new"
    lib = Library.open(folder)
    assert len(lib) == SEEDS and not lib.messages[:-1]
    (folder / "user.json").unlink()
    with pytest.raises(StoreError, match="user.json was missing"):
        Library.open(folder)  # a corpus with abstracts: user.json existed


# ------------------------------------------------------------ corpus.json damaged
def imported(data_dir: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.txt"
    mine.write_text("A paper of my own about things.\n\narXiv:2401.00001\nCreated: 2024-01-01\n")
    ok(run(data_dir, "import", str(mine)))
    ok(run(data_dir, "import", str(mine)))  # unchanged: no write
    other = tmp_path / "other.txt"
    other.write_text("Another paper about things.\n\narXiv:2401.00002\nCreated: 2024-01-02\n")
    ok(run(data_dir, "import", str(other)))


@pytest.mark.parametrize("content", [b"", b"{torn", b'{"abstracts": {"x": {"id": 5}}}'])
def test_a_damaged_corpus_loads_its_good_copy_and_never_reseeds(data_dir, tmp_path, content):
    imported(data_dir, tmp_path)
    path = data_dir / "corpus.json"
    path.write_bytes(content)
    result = ok(run(data_dir, "list"))
    assert "corpus.json was damaged" in result.output
    assert quarantined(path)[0].read_bytes() == content
    lib = Library.open(data_dir)
    assert lib.resolve("2401.00001") == "2401.00001"  # the .prev (before the last import)
    assert len(lib) == SEEDS + 1 and not lib.messages


def test_a_damaged_corpus_without_a_good_copy_is_never_replaced_by_samples(data_dir: Path):
    path = data_dir / "corpus.json"
    path.write_bytes(b"{torn")
    for _ in range(2):
        with pytest.raises(StoreError, match="no good copy"):
            Library.open(data_dir)
    assert not path.exists() and quarantined(path)[0].read_bytes() == b"{torn"


def test_the_corpus_gets_a_prev_and_a_daily_backup_on_import(data_dir: Path, tmp_path: Path):
    assert not (data_dir / "corpus.json.prev").exists()  # one write so far: the samples
    imported(data_dir, tmp_path)
    prev = orjson.loads((data_dir / "corpus.json.prev").read_bytes())
    assert "2401.00001" in prev["abstracts"] and "2401.00002" not in prev["abstracts"]
    [backup] = (data_dir / "backups").glob("corpus-*.json")
    assert len(orjson.loads(backup.read_bytes())["abstracts"]) == SEEDS


# ------------------------------------------------------------ while running
def test_emptied_under_a_running_library_the_next_change_wipes_nothing(data_dir: Path):
    precious(data_dir)
    lib = Library(data_dir)
    lib.tag([FIRST], add=["kept"])
    (data_dir / "user.json").write_bytes(b"")
    lib.set_status([FIRST], Status.READING)
    on_disk = Library(data_dir).annotation(FIRST)
    assert (on_disk.note, on_disk.status) == ("precious", Status.READING)
    notices = lib.take_notices()
    assert len(notices) == 1 and "user.json was damaged (it is empty)" in notices[0]
    assert lib.take_notices() == []
    prev = orjson.loads((data_dir / "user.json.prev").read_bytes())
    assert prev["annotations"][FIRST]["note"] == "precious"


def test_removed_under_a_running_library_refresh_recovers(data_dir: Path):
    precious(data_dir)
    lib = Library(data_dir)
    (data_dir / "user.json").unlink()
    lib.refresh()
    assert lib.annotation(FIRST).note == "precious"
    assert (data_dir / "user.json").exists()
    assert ["missing" in n for n in lib.take_notices()] == [True]


# ------------------------------------------------------------ read-only folders
@pytest.fixture
def read_only_media(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library with a note, then on read-only media: the lock file cannot be created
    (simulated: chmod is no help when the tests run as root)."""
    precious(data_dir)

    def refuse(self: store.Lock) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self.path))

    monkeypatch.setattr(store.Lock, "probe", refuse)


def test_a_read_only_folder_opens_read_only(data_dir: Path, read_only_media: None):
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    lib = Library.open(data_dir)
    assert lib.read_only and lib.read_only_reason
    assert any("open read-only" in m for m in lib.messages)
    assert lib.annotation(FIRST).note == "precious"
    assert lib.search("precious") or lib.search("tag:none") is not None
    with pytest.raises(ReadOnlyError):
        lib.set_note(FIRST, "x")
    after = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    assert after == before


def test_cli_reads_but_refuses_writes_on_a_read_only_folder(data_dir, read_only_media, tmp_path):
    assert "precious" in ok(run(data_dir, "show", FIRST)).output
    ok(run(data_dir, "export", "-o", str(tmp_path / "out.json")))
    one_line_error(run(data_dir, "tag", FIRST, "+x"), "read-only")
    one_line_error(run(data_dir, "note", FIRST, "--set", "y"), "read-only")


def test_empty_data_dir_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--data-dir", "", "list"])
    assert result.exit_code == 2, result.output
    assert "--data-dir" in result.output
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------ the app
def app_notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_user_file_emptied_under_the_running_app_then_a_key(data_dir, monkeypatch):
    from reader.tui.app import ReaderApp

    monkeypatch.setattr("reader.tui.screens.main.POLL_SECONDS", 3600)  # polled by hand
    precious(data_dir)
    lib = Library.open(data_dir)
    lib.tag(lib.ids()[:49], add=["kept"])
    app = ReaderApp(lib)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        screen.auto_advance = False
        (data_dir / "user.json").write_bytes(b"")
        await pilot.press("3")  # reading, on the first row
        await pilot.pause()
        screen._poll()
        screen._poll()
        await pilot.pause()
        said = [n for n in app_notices(app) if "user.json was damaged" in n]
        assert len(said) == 1
    fresh = Library(data_dir)
    assert fresh.annotation(FIRST).note == "precious"
    assert fresh.tag_counts()["kept"] == 49
    assert fresh.annotation(lib.ids()[0]).status is Status.READING


async def test_an_error_the_poll_cannot_fix_is_said_once_and_ctrl_r_does_not_crash(
    data_dir, monkeypatch
):
    from reader.tui.app import ReaderApp

    monkeypatch.setattr("reader.tui.screens.main.POLL_SECONDS", 3600)
    lib = Library.open(data_dir)

    def broken() -> bool:  # e.g. damage with no good copy anywhere
        raise StoreError("user.json is damaged and there is no good copy to load")

    app = ReaderApp(lib)
    async with app.run_test(size=(120, 40)) as pilot:
        monkeypatch.setattr(lib, "refresh", broken)
        for _ in range(3):
            app.screen._poll()
        await pilot.press("ctrl+r")  # crashed with a traceback before
        await pilot.pause()
        said = [n for n in app_notices(app) if "no good copy" in n]
        assert len(said) == 2  # once by the poll, once for ctrl+r
        assert app.is_running


async def test_a_read_only_library_shows_read_only_and_refuses_changes(data_dir, read_only_media):
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.library_header import LibraryHeader

    lib = Library.open(data_dir)
    app = ReaderApp(lib)
    async with app.run_test(size=(120, 40)) as pilot:
        header = app.screen.query_one(LibraryHeader)
        assert "READ-ONLY" in str(header.render())
        assert any("open read-only" in n for n in app_notices(app))
        await pilot.press("4")
        await pilot.pause()
        assert any("read-only" in n and "not made" in n for n in app_notices(app))
        await pilot.press("slash", "p", "r", "e", "c", "i", "o", "u", "s")  # searching works
        await pilot.pause()
        assert list(app.screen.abstract_list.rows) == [lib.row_of(FIRST)]
    assert Library(data_dir).annotation(FIRST).status is Status.UNREAD


# ------------------------------------------------------------ hand-edited shapes (issue 11)
def edited(data_dir: Path, name: str, edit) -> None:
    path = data_dir / name
    data = orjson.loads(path.read_bytes())
    edit(data)
    path.write_bytes(orjson.dumps(data))


def _schema_0(data: dict, annotation: object) -> None:
    del data["meta"]["schema"]
    data["annotations"][OTHER] = annotation


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d["meta"].update(schema=5), '"meta": {"schema": ...} is int'),
        (lambda d: d.update(views={"x": 5}), "the view 'x' is malformed"),
        (lambda d: _schema_0(d, 5), f"the annotation of {OTHER!r} is malformed"),
        (lambda d: _schema_0(d, {"tags": 5}), "tags are int"),
        (lambda d: d["annotations"][OTHER].update(tags=5), "tags are int"),
    ],
)
def test_hand_edited_user_shapes_are_damage_not_tracebacks(data_dir: Path, edit, words):
    precious(data_dir)
    edited(data_dir, "user.json", edit)
    result = ok(run(data_dir, "show", FIRST))
    assert words in result.output and "precious" in result.output
    assert len(quarantined(data_dir / "user.json")) == 1


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d["meta"].update(corpus=5), '"meta": {"corpus": ...} is int'),
        (lambda d: list(d["abstracts"].values())[1].update(text=None), "is not text"),
        (lambda d: list(d["abstracts"].values())[-1].pop("position"), "'position'"),
    ],
)
def test_hand_edited_corpus_shapes_are_damage_not_tracebacks(data_dir, tmp_path, edit, words):
    imported(data_dir, tmp_path)
    edited(data_dir, "corpus.json", edit)
    result = ok(run(data_dir, "list", "things"))
    assert words in result.output and "2401.00001" in result.output
    assert len(quarantined(data_dir / "corpus.json")) == 1


def test_a_schema_0_null_tag_is_dropped_not_named_none(tmp_path: Path):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "corpus.json").write_bytes(b"{}")
    old = {"annotations": {"a1": {"status": "read", "tags": ["x", None]}}}
    (folder / "user.json").write_bytes(orjson.dumps(old))
    lib = Library(folder)
    assert lib.annotation("a1").tags == ("x",)


def foreign_index(tmp_path: Path) -> Path:
    """The index folder of another library (a smaller corpus)."""
    other = tmp_path / "other"
    lib = Library.open(other, seed=False)
    mine = tmp_path / "one.txt"
    mine.write_text("Only things here.\n\narXiv:2401.00009\nCreated: 2024-01-09\n")
    lib.import_paths([mine])
    return other / "index"


@pytest.mark.parametrize("name", ["offsets.npy", "rows.npy"])
def test_a_foreign_index_file_is_rebuilt_not_used(data_dir: Path, tmp_path: Path, name: str):
    expected = Library(data_dir).search("language").ids
    assert len(expected) > 5
    (data_dir / "index" / name).write_bytes((foreign_index(tmp_path) / name).read_bytes())
    assert Library(data_dir).search("language").ids == expected
    result = ok(run(data_dir, "list", "language", "--format", "ids"))
    assert result.output.split() == expected


def test_a_fifo_draft_journal_does_not_hang(data_dir: Path):
    drafts = data_dir / "drafts"
    drafts.mkdir()
    os.mkfifo(drafts / "123-abcd.jsonl")
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir), "stats"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_a_folder_that_cannot_hold_a_library_says_why_at_once(tmp_path: Path):
    proc = one_line_error(run(Path("/proc"), "list"), "/proc cannot hold a library")
    assert "another reader process" not in proc
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    one_line_error(run(loop, "list"), "Too many levels of symbolic links")


def test_an_index_file_of_the_right_shape_but_other_content_is_rebuilt(data_dir: Path):
    import numpy as np

    expected = Library(data_dir).search("language").ids
    path = data_dir / "index" / "rows.npy"
    rows = np.load(path)
    np.save(path, (rows[::-1] + 1) % len(expected))  # fits every check but its identity
    assert Library(data_dir).search("language").ids == expected


def test_a_damaged_file_on_read_only_media_shows_the_good_copy(data_dir, read_only_media):
    (data_dir / "user.json").write_bytes(b"")
    lib = Library.open(data_dir)
    assert lib.read_only and lib.annotation(FIRST).note == "precious"
    assert any("nothing on disk was changed" in m for m in lib.messages)
    assert (data_dir / "user.json").read_bytes() == b""
    assert not quarantined(data_dir / "user.json")


@pytest.mark.parametrize(
    ("name", "query"), [("rows.npy", "language"), ("pair_rows.npy", '"language models"')]
)
def test_an_index_damaged_in_place_is_caught_when_read_and_rebuilt(
    data_dir: Path, name: str, query: str
):
    """The rows of a saved index are checked as a search reads them, not all at load
    (1.2 GB at a million abstracts): damage that keeps the file's identity (size,
    inode, time) is found by the first search that reads it, and the index rebuilt."""
    import numpy as np

    expected = Library(data_dir).search(query).ids
    assert expected
    path = data_dir / "index" / name
    stamp = os.stat(path)
    rows = np.load(path, mmap_mode="r+")
    rows[:] = 10**6  # no such row
    rows.flush()
    del rows
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    lib = Library(data_dir)
    assert lib.search(query).ids == expected
    assert int(np.load(path).max()) < len(lib)  # the rebuilt index is saved
    assert Library(data_dir).search(query).ids == expected
