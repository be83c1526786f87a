"""The app under crashes and signals: a note being typed is never lost."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from textual import messages
from textual.widgets import TextArea

from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens import note_editor
from reader.tui.screens.note_editor import NoteEditor
from tests.tui.conftest import WIDE
from tests.waiting import until

FIRST = "2306.10015"


def _type_then_die(data: Path, text: str) -> None:
    """In a forked child: open the note editor, type `text`, then die like kill -9
    before the autosave timer fires."""

    async def main() -> None:
        app = ReaderApp(Library(data))
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
            for char in text:
                await pilot.press(char)
            await pilot.pause()  # the editor's Changed message of the last key is handled
            os._exit(9)  # no save, no cleanup, no atexit: the journal is all there is

    asyncio.run(main())


def test_note_typed_then_killed_is_restored_on_restart(tmp_path: Path):
    data = tmp_path / "data"
    Library.open(data).close()
    pid = os.fork()
    if pid == 0:
        try:
            _type_then_die(data, "draft")
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 9
    assert Library(data).annotation(FIRST).note == ""  # never saved by the app
    fresh = Library.open(data)  # the next start replays the journal
    assert fresh.annotation(FIRST).note == "draft"
    assert any("Recovered" in m for m in fresh.messages)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
async def test_a_signal_saves_the_open_note_and_the_app_exits_by_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
):
    """Only the handler can pass this: the autosave is an hour away, the note is not
    saved until the signal, and the app stops while the test still holds it open.

    The app's last resort, a hard `os._exit` when shutting down takes too long, would
    end pytest itself: it is recorded instead, and must not have been needed."""
    monkeypatch.setattr(note_editor, "AUTOSAVE_DELAY", 3600.0)
    hard_exits: list[int] = []
    monkeypatch.setattr(os, "_exit", hard_exits.append)
    data = tmp_path / "data"
    Library.open(data).close()
    app = ReaderApp(Library(data))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n")
        await until(lambda: isinstance(app.screen, NoteEditor), "the note editor")
        app.screen.query_one(TextArea).insert("typed before the signal")
        await pilot.pause()
        assert Library(data).annotation(FIRST).note == ""  # not saved yet
        os.kill(os.getpid(), number)
        await until(lambda: not app.is_running or hard_exits, "the app to exit after the signal")
        assert hard_exits == [], "the app did not shut down by itself: the watchdog ended it"
        assert Library(data).annotation(FIRST).note == "typed before the signal"
    assert app.return_code == 0


def test_closing_the_terminal_ends_the_process(tmp_path: Path):
    """A real terminal (a pty) closed under a running app: it must not linger."""
    import pty
    import select
    import sys
    import time

    data = tmp_path / "data"
    Library.open(data).close()
    pid, master = pty.fork()
    if pid == 0:  # the child: the real entry point in the pty
        try:
            os.environ["COLUMNS"], os.environ["LINES"] = "100", "30"
            os.execv(sys.executable, [sys.executable, "-m", "reader", "--data-dir", str(data)])
        finally:
            os._exit(127)  # execv failed: never go on running pytest in the child
    seen = b""
    deadline = time.monotonic() + 30
    while b"of 49" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    assert b"of 49" in seen, "the app did not paint"
    os.close(master)  # the terminal goes away: the child gets SIGHUP
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the app was still running 10 s after its terminal closed")


async def test_the_quit_of_a_closed_browser_tab_saves_the_open_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A browser tab that closes (or ctrl+c on `reader serve`) reaches the app as
    Textual's ExitApp message, from the web driver: the note being typed is saved
    then, not left to the journal. The autosave is an hour away."""
    monkeypatch.setattr(note_editor, "AUTOSAVE_DELAY", 3600.0)
    data = tmp_path / "data"
    Library.open(data).close()
    app = ReaderApp(Library(data))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n")
        await until(lambda: isinstance(app.screen, NoteEditor), "the note editor")
        app.screen.query_one(TextArea).insert("typed before the tab closed")
        await pilot.pause()
        assert Library(data).annotation(FIRST).note == ""  # not saved yet
        app.post_message(messages.ExitApp())  # what the web driver posts on "quit"
        await until(lambda: not app.is_running, "the app to exit")
    assert Library(data).annotation(FIRST).note == "typed before the tab closed"
