"""`e`: the note in $EDITOR, from the app.

Pilot tests replace `App.suspend` with one that behaves as Textual's does (the app
gets the terminal back only when the block ends without an exception), so no real
terminal is needed. One test runs a real `reader` in a pty and closes the terminal
while a scripted editor is open.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Markdown

from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from tests.core.test_editor import leftovers, scripted
from tests.tui.conftest import WIDE

FIRST = "2306.10015"


class FakeTerminal:
    """Stands in for `App.suspend`: records each hand-over and each resume. Like
    Textual's, it does not resume when the block raises."""

    def __init__(self) -> None:
        self.events: list[str] = []

    @contextlib.contextmanager
    def suspend(self) -> Iterator[None]:
        self.events.append("suspend")
        yield
        self.events.append("resume")


def make_app(library: Library, monkeypatch: pytest.MonkeyPatch) -> tuple[ReaderApp, FakeTerminal]:
    app = ReaderApp(library)
    terminal = FakeTerminal()
    monkeypatch.setattr(app, "suspend", terminal.suspend)
    return app, terminal


def use_editor(monkeypatch: pytest.MonkeyPatch, value: str | list[str]) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", value if isinstance(value, str) else " ".join(value))


def notices(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize("value", ["nosuch-editor", 'vim "'])
async def test_an_editor_that_cannot_start_is_a_message_not_a_blank_screen(
    library: Library, monkeypatch, value: str
):
    use_editor(monkeypatch, value)
    app, terminal = make_app(library, monkeypatch)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert terminal.events == []  # the terminal was never handed over
        message = notices(app)[-1]
        assert message.startswith("cannot run the editor") and "\n" not in message
        assert message.endswith("; the note is unchanged.")
        assert isinstance(app.screen, MainScreen)
    assert Library(library.data_dir).annotation(FIRST).note == ""


async def test_an_editor_failing_inside_still_gives_the_terminal_back(
    library: Library, monkeypatch, tmp_path: Path
):
    broken = tmp_path / "broken-editor"
    broken.write_bytes(b"\x7fELF not really")  # executable, but exec fails
    broken.chmod(0o755)
    use_editor(monkeypatch, str(broken))
    app, terminal = make_app(library, monkeypatch)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert terminal.events == ["suspend", "resume"]
        message = notices(app)[-1]
        assert message.startswith("cannot run the editor") and "broken-editor" in message
        await pilot.press("4")  # the app still takes keys
        await pilot.pause()
    assert Library(library.data_dir).annotation(FIRST).status.value == "read"


async def test_e_merges_with_a_change_made_meanwhile_and_says_so(
    library: Library, monkeypatch, tmp_path: Path
):
    library.set_note(FIRST, "line one\nline two")
    use_editor(
        monkeypatch,
        scripted(
            tmp_path,
            """
            from reader.core.library import Library
            text = open(path).read()
            open(path, "w").write(text.replace("line one", "line ONE"))
            Library(data).append_note("2306.10015", "appended meanwhile")
            """,
        ),
    )
    app, terminal = make_app(library, monkeypatch)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert terminal.events == ["suspend", "resume"]
        merged = "line ONE\nline two\n\nappended meanwhile"
        assert app.screen.query_one("#detail-note", Markdown).source == merged
        assert any("both edits were merged" in n for n in notices(app))
        await pilot.press("z")  # one undoable change: back to what it found, the append
        await pilot.pause()
    assert Library(library.data_dir).annotation(FIRST).note == "line one\nline two\n\n" + (
        "appended meanwhile"
    )


async def test_e_keeps_what_a_failing_editor_saved_and_says_so(
    library: Library, monkeypatch, tmp_path: Path
):
    use_editor(monkeypatch, scripted(tmp_path, "open(path, 'w').write('kept')\nsys.exit(1)"))
    app, _ = make_app(library, monkeypatch)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert any("exited with status 1" in n for n in notices(app))
    assert Library(library.data_dir).annotation(FIRST).note == "kept"


async def test_a_hang_up_while_e_is_open_saves_the_text_and_ends_the_app(
    library: Library, monkeypatch, tmp_path: Path
):
    use_editor(
        monkeypatch,
        scripted(
            tmp_path,
            hang_up=True,
            body="""
            open(path, "w").write("typed")
            os.kill(os.getppid(), signal.SIGHUP)
            time.sleep(20)
            """,
        ),
    )
    app, _ = make_app(library, monkeypatch)
    exits: list[str] = []
    real_exit = app.save_and_exit
    monkeypatch.setattr(app, "save_and_exit", lambda: (exits.append("exit"), real_exit()))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert exits and app.return_code == 0  # the app is on its way out
    assert Library(library.data_dir).annotation(FIRST).note == "typed (saved on hang-up)"


def test_closing_the_terminal_while_e_is_open_saves_and_exits(tmp_path: Path):
    """A real `reader` in a pty, `e` open on a scripted editor, then the terminal goes
    away: the process must exit by itself, with the editor's text in the note (or in
    the draft journal), and no temp file left."""
    import pty

    data = tmp_path / "library"
    Library.open(data).close()
    folder = tmp_path / "tmp"
    folder.mkdir()
    editor = scripted(
        tmp_path,
        hang_up=True,
        body="""
        open(path, "w").write("typed in the pty")
        open(os.path.join(marks, "editor-open"), "w").close()
        time.sleep(30)
        """,
    )
    env = {**os.environ, "EDITOR": " ".join(editor), "TMPDIR": str(folder)}
    env.pop("VISUAL", None)
    env["COLUMNS"], env["LINES"] = "100", "30"
    argv = [sys.executable, "-m", "reader", "--data-dir", str(data)]
    pid, master = pty.fork()
    if pid == 0:  # the child: never return into pytest, whatever happens
        try:
            os.execve(sys.executable, argv, env)
        finally:
            os._exit(127)
    status: int | None = None
    try:
        assert _read_until(master, b"of 49", 30), "the app did not paint"
        os.write(master, b"e")
        deadline = time.monotonic() + 30
        while not (tmp_path / "editor-open").exists() and time.monotonic() < deadline:
            _read_until(master, b"\0", 0.1)  # keep the pty drained meanwhile
        assert (tmp_path / "editor-open").exists(), "the editor did not start"
        os.close(master)  # the terminal goes away: reader gets SIGHUP
        master = -1
        status = _wait(pid, 15)
        assert status is not None, "reader was still running 15 s after its terminal closed"
    finally:
        if master >= 0:
            os.close(master)
        if status is None:  # still running (or never reaped): end it, then fail
            with contextlib.suppress(ChildProcessError, ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
    note = Library(data).annotation(FIRST).note
    drafts = "".join(p.read_text() for p in (data / "drafts").glob("*.jsonl"))
    assert note == "typed in the pty (saved on hang-up)" or "typed in the pty" in drafts
    assert leftovers(folder) == []


def _read_until(fd: int, needle: bytes, seconds: float) -> bool:
    seen = b""
    deadline = time.monotonic() + seconds
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                return False
    return needle in seen


def _wait(pid: int, seconds: float) -> int | None:
    """The exit status of `pid` once it ends within `seconds`, else None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    return None
