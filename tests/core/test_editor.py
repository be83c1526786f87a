"""Editing a note in $EDITOR (reader/core/editor.py), from the core and from `reader note`.

The editors are small Python scripts: they write text into the file they are given,
exit non-zero, send their parent the hang-up a closed terminal would, or wait for a
forwarded signal. Each waits for its conditions with a bound, so a broken reader
makes a test fail, never hang.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.editor import EditorError, edit_note, editor_command
from reader.core.errors import StoreError
from reader.core.library import Library

FIRST = "2306.10015"

HANG_UP = """
def hung_up(number, frame):  # what an editor does on SIGHUP: save what it has, exit
    with open(path, "a") as handle:
        handle.write(" (saved on hang-up)")
    sys.exit(1)
signal.signal(signal.SIGHUP, hung_up)
signal.signal(signal.SIGTERM, hung_up)
"""


def scripted(tmp_path: Path, body: str, *, hang_up: bool = False) -> list[str]:
    """An editor: `body` runs with `path` (the file to edit), `data` (the library) and
    `marks` (a folder to signal through) set; with `hang_up`, it saves on SIGHUP."""
    script = tmp_path / "editor.py"
    prelude = (
        "import os, signal, sys, time\n"
        "path = sys.argv[-1]\n"
        f"data = {str(tmp_path / 'library')!r}\n"
        f"marks = {str(tmp_path)!r}\n"
    )
    script.write_text(prelude + (HANG_UP if hang_up else "") + textwrap.dedent(body))
    return [sys.executable, str(script)]


PYTHON = Path(sys.executable).name
"""How the scripted editors are named in messages (their program is Python)."""


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the editor's temporary files go, so a test can see none is left."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("reader-note-*"))


# ----------------------------------------------------------------- the command
def test_visual_wins_over_editor_and_arguments_are_split(tmp_path: Path):
    env = {"VISUAL": f"{sys.executable} -X dev", "EDITOR": "nano", "PATH": os.environ["PATH"]}
    assert editor_command(env) == [sys.executable, "-X", "dev"]
    env["VISUAL"] = ""
    fake = tmp_path / "bin" / "nano"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    env["PATH"] = str(fake.parent)
    assert editor_command(env) == [str(fake)]


def test_no_editor_set_means_vi(tmp_path: Path):
    fake = tmp_path / "vi"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert editor_command({"PATH": str(tmp_path)}) == [str(fake)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nosuch-editor", "'nosuch-editor' is not an executable program"),
        ('vim "', "No closing quotation"),
        ("   ", "the editor command is empty"),
    ],
)
def test_an_editor_that_cannot_run_is_one_line_before_anything_starts(value: str, message: str):
    with pytest.raises(EditorError, match=message) as caught:
        editor_command({"EDITOR": value, "PATH": os.environ["PATH"]})
    assert "\n" not in str(caught.value)


# ----------------------------------------------------------------- core
def test_what_the_editor_saved_becomes_the_note(library: Library, tmp_path: Path, temp_dir):
    library.set_note(FIRST, "old")
    editor = scripted(tmp_path, "open(path, 'a').write('added in the editor\\n')")
    edit = edit_note(library, FIRST, command=editor)
    assert edit.saved and edit.problems == [] and edit.signal is None
    assert Library(library.data_dir).annotation(FIRST).note == "old\nadded in the editor"
    assert leftovers(temp_dir) == []


def test_an_unchanged_file_changes_nothing(library: Library, tmp_path: Path, temp_dir):
    library.set_note(FIRST, "old")
    edit = edit_note(library, FIRST, command=scripted(tmp_path, "pass"))
    assert edit.change is None and not edit.saved and edit.problems == []
    assert leftovers(temp_dir) == []


def test_the_base_is_the_note_when_editing_began(library: Library, tmp_path: Path, temp_dir):
    """Another process appends while the editor is open, and this process even reloads
    (as the app's poll does): the editor's edit and the append are merged."""
    library.set_note(FIRST, "line one\nline two")
    editor = scripted(
        tmp_path,
        """
        text = open(path).read()
        open(path, "w").write(text.replace("line one", "line ONE"))
        open(os.path.join(marks, "ready"), "w").close()
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(marks, "go")) and time.monotonic() < deadline:
            time.sleep(0.01)
        """,
    )
    done: dict[str, object] = {}
    worker = threading.Thread(
        target=lambda: done.update(edit=edit_note(library, FIRST, command=editor))
    )
    worker.start()
    deadline = time.monotonic() + 30
    while not (tmp_path / "ready").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    Library(library.data_dir).append_note(FIRST, "added meanwhile")
    library.refresh()  # the editor's process has seen the append by now
    (tmp_path / "go").touch()
    worker.join(30)
    edit = done["edit"]
    assert Library(library.data_dir).annotation(FIRST).note == (
        "line ONE\nline two\n\nadded meanwhile"
    )
    assert "merged" in edit.change.notice  # type: ignore[attr-defined]
    assert leftovers(temp_dir) == []


def test_editor_exiting_non_zero_keeps_what_it_saved(library: Library, tmp_path: Path, temp_dir):
    editor = scripted(tmp_path, "open(path, 'w').write('kept anyway')\nsys.exit(3)")
    edit = edit_note(library, FIRST, command=editor)
    assert Library(library.data_dir).annotation(FIRST).note == "kept anyway"
    assert edit.saved and edit.problems == [f"{PYTHON} exited with status 3"]
    assert leftovers(temp_dir) == []


def test_editor_exiting_non_zero_without_saving_says_so(library: Library, tmp_path: Path):
    edit = edit_note(library, FIRST, command=scripted(tmp_path, "sys.exit(2)"))
    assert edit.problems == [f"{PYTHON} exited with status 2; the note is unchanged"]
    assert library.annotation(FIRST).note == ""


def test_hang_up_is_forwarded_and_what_the_editor_saved_is_applied(
    library: Library, tmp_path: Path, temp_dir
):
    """The terminal closes while the editor runs: reader gets SIGHUP (here the editor
    sends it, as the kernel would), passes it on, and saves the editor's last words."""
    before = signal.getsignal(signal.SIGHUP)
    editor = scripted(
        tmp_path,
        hang_up=True,
        body="""
        open(path, "w").write("typed")
        os.kill(os.getppid(), signal.SIGHUP)
        time.sleep(20)  # a reader that does not forward: no hang-up text
        """,
    )
    edit = edit_note(library, FIRST, command=editor)
    assert edit.signal == signal.SIGHUP
    assert Library(library.data_dir).annotation(FIRST).note == "typed (saved on hang-up)"
    assert edit.problems == [f"{PYTHON} was stopped: SIGHUP came while it ran"]
    assert signal.getsignal(signal.SIGHUP) == before
    assert leftovers(temp_dir) == []


def test_an_editor_that_ignores_the_signal_is_killed_after_the_grace(
    library: Library, tmp_path: Path, temp_dir
):
    editor = scripted(
        tmp_path,
        """
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        open(path, "w").write("typed before the end")
        os.kill(os.getppid(), signal.SIGTERM)
        time.sleep(60)
        """,
    )
    started = time.monotonic()
    edit = edit_note(library, FIRST, command=editor, grace=0.5)
    assert time.monotonic() - started < 15
    assert edit.signal == signal.SIGTERM
    assert Library(library.data_dir).annotation(FIRST).note == "typed before the end"
    assert leftovers(temp_dir) == []


def test_ctrl_c_belongs_to_the_editor(library: Library, tmp_path: Path):
    """ctrl+c in the editor reaches the whole foreground group: reader ignores it."""
    editor = scripted(
        tmp_path, "open(path, 'w').write('still here')\nos.kill(os.getppid(), signal.SIGINT)"
    )
    caught: list[int] = []

    def handler(number: int, _frame: object) -> None:
        caught.append(number)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        edit = edit_note(library, FIRST, command=editor)
        after = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert caught == [] and after is handler
    assert edit.saved and edit.signal is None


def test_a_signal_after_the_editor_waits_for_the_save(library: Library, tmp_path: Path):
    """SIGTERM while the text is being saved: noted, and the save still completes."""
    editor = scripted(tmp_path, "open(path, 'w').write('saved first')")
    real = library.set_note

    def set_note_then_signalled(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return real(*args, **kwargs)

    library.set_note = set_note_then_signalled  # type: ignore[method-assign]
    edit = edit_note(library, FIRST, command=editor)
    assert edit.signal == signal.SIGTERM
    assert Library(library.data_dir).annotation(FIRST).note == "saved first"


def test_a_failed_save_keeps_the_text_as_a_draft(
    library: Library, tmp_path: Path, temp_dir, monkeypatch
):
    library.set_note(FIRST, "base")
    editor = scripted(tmp_path, "open(path, 'w').write('base\\nmine')")

    def disk_full(*args, **kwargs):
        raise StoreError("cannot write user.json: No space left on device")

    monkeypatch.setattr(library, "set_note", disk_full)
    edit = edit_note(library, FIRST, command=editor)
    assert not edit.saved
    assert edit.problems == [
        "cannot write user.json: No space left on device; "
        "your text is kept as a draft, saved when reader next starts"
    ]
    assert leftovers(temp_dir) == []
    Library(library.data_dir).set_note(FIRST, "theirs\nbase")  # meanwhile, elsewhere
    library.close()
    reopened = Library.open(library.data_dir)
    assert reopened.annotation(FIRST).note == "theirs\nbase\nmine"  # merged on its base
    assert any("Recovered" in m for m in reopened.messages)


def test_no_save_and_no_draft_keeps_the_file_and_says_where(
    library: Library, tmp_path: Path, temp_dir, monkeypatch
):
    editor = scripted(tmp_path, "open(path, 'w').write('precious')")

    def refuse(*args, **kwargs):
        raise StoreError("the disk is full")

    monkeypatch.setattr(library, "set_note", refuse)
    monkeypatch.setattr(library, "journal_draft", refuse)
    edit = edit_note(library, FIRST, command=editor)
    [kept] = leftovers(temp_dir)
    assert (temp_dir / kept).read_text() == "precious"
    assert edit.problems == [
        f"the disk is full; your text is kept in {temp_dir / kept} (the disk is full)"
    ]


def test_text_that_is_not_utf8_is_kept_in_its_file(library: Library, tmp_path: Path, temp_dir):
    editor = scripted(tmp_path, "open(path, 'wb').write(b'caf\\xe9')")
    edit = edit_note(library, FIRST, command=editor)
    [kept] = leftovers(temp_dir)
    assert edit.problems == [
        f"cannot read what the editor saved (it is not UTF-8); your text is kept in "
        f"{temp_dir / kept}"
    ]
    assert library.annotation(FIRST).note == ""


def test_an_editor_that_fails_to_start_leaves_no_file(library: Library, tmp_path: Path, temp_dir):
    broken = tmp_path / "broken-editor"
    broken.write_bytes(b"\x7fELF not really")
    broken.chmod(0o755)
    with pytest.raises(EditorError, match="cannot run the editor .*broken-editor"):
        edit_note(library, FIRST, command=[str(broken)])
    assert leftovers(temp_dir) == []


# ----------------------------------------------------------------- drafts
def test_a_note_editor_save_does_not_clear_an_editor_draft(library: Library):
    """The $EDITOR session's draft has its own slot: the `n` editor typing and saving
    the same note neither replaces nor clears it."""
    library.journal_draft(FIRST, "from e", "", slot=f"{FIRST} editor x")
    library.journal_draft(FIRST, "from n", "")
    library.set_note(FIRST, "from n", base="")
    library.clear_draft(FIRST)
    library.close()
    reopened = Library.open(library.data_dir)
    note = reopened.annotation(FIRST).note
    assert "from e" in note and "from n" in note


# ----------------------------------------------------------------- CLI
def test_cli_note_merges_a_change_made_meanwhile_and_says_so(
    data_dir: Path, tmp_path: Path, monkeypatch
):
    Library.open(data_dir).set_note(FIRST, "line one\nline two")
    editor = scripted(
        tmp_path,
        """
        from reader.core.library import Library
        text = open(path).read()
        open(path, "w").write(text.replace("line one", "line ONE"))
        Library(data).append_note("2306.10015", "appended meanwhile")
        """,
    )
    monkeypatch.setenv("EDITOR", " ".join(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "note", FIRST])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"note on {FIRST} saved\n"
    assert "both edits were merged" in result.stderr
    note = Library(data_dir).annotation(FIRST).note
    assert note == "line ONE\nline two\n\nappended meanwhile"


def test_cli_note_editor_failing_is_one_line(data_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    failing = " ".join(scripted(tmp_path, "sys.exit(4)"))
    for value, message in [
        (failing, "exited with status 4; the note is unchanged"),
        ('vim "', "No closing quotation"),
        ("nosuch-editor", "'nosuch-editor' is not an executable program"),
    ]:
        monkeypatch.setenv("EDITOR", value)
        result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "note", FIRST])
        assert result.exit_code == 1, result.output
        [line] = result.stderr.strip().splitlines()[-1:]
        assert line.startswith("reader: error: ") and message in line, result.stderr


def test_cli_note_hang_up_saves_cleans_up_and_exits_129(data_dir: Path, tmp_path: Path):
    """A real `reader note` process: its terminal hangs up while the editor runs."""
    Library.open(data_dir).close()
    folder = tmp_path / "tmp"
    folder.mkdir()
    editor = scripted(
        tmp_path,
        hang_up=True,
        body="""
        open(path, "w").write("typed in the CLI")
        os.kill(os.getppid(), signal.SIGHUP)
        time.sleep(20)
        """,
    )
    env = {**os.environ, "EDITOR": " ".join(editor), "TMPDIR": str(folder)}
    env.pop("VISUAL", None)
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir), "note", FIRST],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 128 + signal.SIGHUP, done.stderr
    assert Library(data_dir).annotation(FIRST).note == "typed in the CLI (saved on hang-up)"
    assert leftovers(folder) == []
