"""Writes go only where they should, and reads never hang on what a path turns out to be.

`reader export -o PATH` writes a regular file (or a missing one) and nothing else, goes
through symlinks, and keeps the file's mode; `reader restore` and keys.toml read only
regular files. No test here writes to a real device: devices are made with `os.mknod`
inside tmp_path (root only), and FIFOs are unblocked by the test if a read waits.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from textual.content import Content

from reader.core import userfiles
from reader.core.errors import ReaderError
from reader.core.export import load_export
from reader.core.keymap import KEYMAP_LIMIT, load_keymap
from reader.core.library import Library
from reader.core.models import Status
from reader.core.store.storage import TMP_MARK
from reader.tui.app import ReaderApp
from tests.waiting import no_hang

ROOT = os.geteuid() == 0


def one_line_error(result: Result, *parts: str) -> str:
    """Exit 1 with a single `reader: error:` line holding every one of `parts`."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: error: "), result.output
    for part in parts:
        assert part in lines[0], (part, lines[0])
    assert "Traceback" not in result.output
    return lines[0]


def exported(path: Path) -> int:
    return len(json.loads(path.read_text())["records"])


# ----------------------------------------------------------------- export -o
def test_export_refuses_a_fifo_and_leaves_it(run, tmp_path: Path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    line = one_line_error(run("export", "-o", str(fifo)), str(fifo), "FIFO")
    assert TMP_MARK not in line
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.listdir(tmp_path).count("out.json") == 1
    assert not [p for p in tmp_path.iterdir() if TMP_MARK in p.name]


@pytest.mark.skipif(not ROOT, reason="making a device node needs root")
def test_export_refuses_a_device_and_leaves_it(run, tmp_path: Path):
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a null device, in tmp_path
    one_line_error(run("export", "-o", str(device)), str(device), "character device")
    assert stat.S_ISCHR(device.lstat().st_mode)


@pytest.mark.skipif(not ROOT, reason="making a device node needs root")
def test_export_refuses_a_symlink_to_a_device(run, tmp_path: Path):
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    link = tmp_path / "out.json"
    link.symlink_to(device)
    one_line_error(run("export", "-o", str(link)), str(link), "character device")
    assert link.is_symlink() and stat.S_ISCHR(device.lstat().st_mode)


def test_a_folder_is_refused_by_the_writer(tmp_path: Path):
    with pytest.raises(ReaderError, match="is a folder"):
        userfiles.write_through(tmp_path, b"{}")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "sub", target_is_directory=True)
    (tmp_path / "sub").mkdir()
    with pytest.raises(ReaderError, match="its target .*sub is a folder"):
        userfiles.write_through(link, b"{}")


def test_export_writes_through_a_symlink_beside_its_target(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    target = tmp_path / "real" / "backup.json"
    target.write_text("old")
    link = tmp_path / "links" / "latest.json"
    link.symlink_to(Path("..") / "real" / "backup.json")  # relative, as people make them
    temp_dirs: list[str] = []
    real_mkstemp = tempfile.mkstemp

    def spy(*args: Any, **kwargs: Any) -> tuple[int, str]:
        temp_dirs.append(str(kwargs.get("dir")))
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    result = run("export", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "real" / "backup.json")
    assert exported(target) == 49
    assert temp_dirs == [str(tmp_path / "real")]
    assert os.listdir(tmp_path / "links") == ["latest.json"]


def test_export_through_a_dangling_symlink_creates_its_target(run, tmp_path: Path):
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "made.json")
    assert run("export", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and exported(tmp_path / "made.json") == 49


def test_export_keeps_the_mode_of_the_file_it_replaces(run, tmp_path: Path):
    out = tmp_path / "private.json"
    out.write_text("old")
    out.chmod(0o640)  # not mkstemp's 0o600
    assert run("export", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and exported(out) == 49


def test_a_new_export_gets_the_umask_mode(run, tmp_path: Path):
    old = os.umask(0o027)
    try:
        assert run("export", "-o", str(tmp_path / "new.json")).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


def test_export_to_a_missing_folder_names_the_path_given(run, tmp_path: Path):
    out = tmp_path / "missing" / "dir" / "x.json"
    line = one_line_error(
        run("export", "-o", str(out)), str(out), f"the folder {out.parent} does not exist"
    )
    assert TMP_MARK not in line and ".x.json" not in line


def test_export_through_a_symlink_loop_is_one_line(run, tmp_path: Path):
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    one_line_error(run("export", "-o", str(loop)), str(loop))


# ----------------------------------------------------------------- reading
def test_restore_refuses_a_fifo_at_once(run, tmp_path: Path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    result = no_hang([fifo], lambda: run("restore", str(fifo)))
    one_line_error(result, str(fifo), "FIFO")


def test_restore_from_a_fifo_does_not_hang_the_process(data_dir: Path, tmp_path: Path):
    """The same through the real entry point, where nothing could unblock a hung read."""
    Library.open(data_dir, seed=True).close()
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir), "restore", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "FIFO" in done.stderr and "Traceback" not in done.stderr


def bounded(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a Python limited to 2 GB of memory and 60 s, so reading an endless
    file fails fast instead of taking the machine's memory."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, preexec_fn=limit
    )


def test_restore_refuses_a_symlink_to_an_endless_device(tmp_path: Path):
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")  # read only: nothing is ever written to it
    done = bounded(
        "from reader.core.export import load_export\n"
        "from reader.core.errors import ReaderError\n"
        f"try: load_export({str(link)!r})\n"
        "except ReaderError as e: print(e)\n"
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == f"cannot read {link}: it is a character device, not a JSON export"


def test_restore_still_reads_a_symlinked_export(run, data_dir: Path, tmp_path: Path):
    out = tmp_path / "export.json"
    other = Library.open(data_dir)
    first = other.ids()[0]
    other.set_status([first], Status.READ)
    other.close()
    assert run("export", "-o", str(out)).exit_code == 0
    link = tmp_path / "link.json"
    link.symlink_to(out)
    assert load_export(link)[first].status is Status.READ


def test_keymap_fifo_is_reported_not_waited_on(tmp_path: Path):
    fifo = tmp_path / "keys.toml"
    os.mkfifo(fifo)
    keymap, problems = no_hang([fifo], lambda: load_keymap({"quit"}, fifo))
    assert keymap == {}
    assert problems == [
        f"cannot read {fifo}: it is a FIFO (named pipe), not a key map; default keys are used"
    ]


def test_keymap_linked_to_dev_zero_is_refused(tmp_path: Path):
    link = tmp_path / "keys.toml"
    link.symlink_to("/dev/zero")
    done = bounded(
        "from reader.core.keymap import load_keymap\n"
        f"print(load_keymap({{'quit'}}, __import__('pathlib').Path({str(link)!r})))\n"
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert "character device" in done.stdout and "default keys are used" in done.stdout


def test_a_keymap_over_the_size_limit_is_refused(tmp_path: Path):
    path = tmp_path / "keys.toml"
    path.write_text("[keys]\n" + "# padding\n" * (KEYMAP_LIMIT // 10 + 1))
    keymap, problems = load_keymap({"quit"}, path)
    assert keymap == {} and len(problems) == 1
    assert str(path) in problems[0] and "more than a key map may hold" in problems[0]


def test_keys_that_is_not_a_table_names_the_file_and_the_key(tmp_path: Path):
    path = tmp_path / "keys.toml"
    path.write_text("keys = 5\n")
    _, problems = load_keymap({"quit"}, path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: keys = 5 is not a table")


def notices(app: ReaderApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_the_app_starts_with_default_keys_over_a_fifo_keymap(
    config: Path, library: Library, data_dir: Path
):
    fifo = config / "keys.toml"
    os.mkfifo(fifo)
    app = no_hang([fifo], lambda: ReaderApp(library))
    first = library.ids()[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")  # the default key for to-read
        await pilot.pause()
        assert Library(data_dir).annotation(first).status is Status.TO_READ
        assert any("FIFO" in n and "default keys are used" in n for n in notices(app))


async def test_the_app_shows_the_key_name_of_a_keys_table_problem(config: Path, library: Library):
    (config / "keys.toml").write_text("keys = 5\n")
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)):
        shown = [Content.from_markup(n.message).plain for n in app._notifications]
        assert any("keys = 5 is not a table: write a [keys] header" in m for m in shown), shown
