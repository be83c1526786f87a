"""A peer holding the library's lock (a long import, a stuck script) never freezes the
app: a change asked for meanwhile returns at once, says another process is writing,
waits in line (marked ⧗) and is made once the peer is done, in the order the keys
were pressed. Quitting waits for it (or, asked twice, says what it leaves)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from reader.core.library import Library
from reader.core.models import Status
from reader.tui import app as app_module
from reader.tui.app import LOCK_WAIT, ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.widgets.abstract_list import PENDING_GLYPH
from tests.tui.conftest import WIDE, RunApp
from tests.waiting import until

HOLD_SECONDS = 10.0
"""The peer lets go by itself after this long (or when the test says so): a change
made synchronously would block the app until then, and be on disk when the key returns."""

HOLD = """
import select, sys
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))
lock.release()
"""


@contextmanager
def peer_holding(lock_file: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holds `lock_file` for HOLD_SECONDS, or until the block ends."""
    peer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_file), str(HOLD_SECONDS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert peer.stdout is not None and peer.stdout.readline().strip() == "held"
        yield peer
    finally:
        release(peer)


def release(peer: subprocess.Popen[str]) -> None:
    """Tell the peer to let go now, and wait until it has (it exits)."""
    if peer.returncode is None:
        peer.communicate("\n", timeout=30)


def lock_of(library: Library) -> Path:
    return library.data_dir / ".user.json.lock"


def on_disk(library: Library, row: int) -> Status:
    """The status of `row` as another process reads it from disk (read-only: opening
    it takes no lock, so it does not wait for the peer)."""
    fresh = Library(library.data_dir, read_only=True)
    return fresh.annotation(library.abstract_at(row).id).status


@pytest.fixture(autouse=True)
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every message the app shows (kept: a loaded machine may outlast a toast)."""
    shown: list[str] = []
    notify = ReaderApp.notify

    def recording(self: ReaderApp, message: str, *args: object, **kwargs: object) -> None:
        shown.append(str(message))
        notify(self, message, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ReaderApp, "notify", recording)
    return shown


def main(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def glyph_of(app: ReaderApp, position: int) -> str:
    """The first character of the list's line at `position` (the status glyph)."""
    return main(app).abstract_list.render_line(position).text[0]


async def test_a_key_while_a_peer_writes_returns_at_once_and_is_made_after(
    run_app: RunApp, library: Library, said: list[str]
):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        with peer_holding(lock_of(library)) as peer:
            await pilot.press("4", "j")  # read, then one row further down
            # the keys returned while the peer still holds the lock (no wait on the UI)
            assert not library.wait_until_free(0), "the app waited for the peer"
            assert on_disk(library, 0) is Status.UNREAD
            assert screen.abstract_list.cursor == 2  # auto-advance, then j: it kept going
            assert any("Another reader process is writing" in m for m in said), said
            assert glyph_of(app, 0) == PENDING_GLYPH  # the row says its change waits
            assert "⧗ 1 waiting" in str(screen.abstract_list.border_subtitle)
            release(peer)
            await until(lambda: on_disk(library, 0) is Status.READ, "the change to reach disk")
        await pilot.pause()
        assert glyph_of(app, 0) != PENDING_GLYPH
        assert len(screen.history.done) == 1
        assert any("1 waiting change made" in m for m in said), said


async def test_changes_that_wait_are_made_in_the_order_of_the_keys(
    run_app: RunApp, library: Library
):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        with peer_holding(lock_of(library)) as peer:
            # first row: read, then (back up) reading; second row: skipped; then undo
            await pilot.press("4", "k", "3", "5", "z")
            assert on_disk(library, 0) is Status.UNREAD
            assert len(screen.pending) == 4
            release(peer)
            await until(lambda: not screen.pending, "the waiting changes to be made")
        assert on_disk(library, 0) is Status.READING  # 3 after 4: the last key wins
        assert on_disk(library, 1) is Status.UNREAD  # 5 was undone by the z after it
        assert [c.label for c in screen.history.done] == [
            f"status read on {library.abstract_at(0).id}",
            f"status reading on {library.abstract_at(0).id}",
        ]
        await pilot.press("z")  # undo puts back exactly what the 3 found: read
        assert on_disk(library, 0) is Status.READ


async def test_quitting_waits_for_the_changes_that_wait(
    run_app: RunApp, library: Library, said: list[str]
):
    async with run_app(library) as pilot:
        app = pilot.app
        with peer_holding(lock_of(library)) as peer:
            await pilot.press("4", "q")
            assert app.is_running  # the first q waits
            assert any("quits once they are made" in m for m in said)
            release(peer)
            await until(lambda: not app.is_running, "the app to quit by itself")
    assert on_disk(library, 0) is Status.READ


async def press_4_then_q_twice(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("4", "q", "q")


class QuitTwiceApp(ReaderApp):
    """The app run headless by `run_app`, with a user who presses 4, q and q."""

    CSS_PATH = str(Path(app_module.__file__).parent / "reader.tcss")

    def run(self, **kwargs):  # type: ignore[no-untyped-def, override]
        return super().run(headless=True, size=WIDE, auto_pilot=press_4_then_q_twice)


def test_quitting_twice_says_what_it_leaves(
    library: Library, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(app_module, "ReaderApp", QuitTwiceApp)
    with peer_holding(lock_of(library)):
        app_module.run_app(library)
    first = library.abstract_at(0).id
    err = capsys.readouterr().err
    assert f"not saved (another reader process was still writing): status read on {first}" in err
    assert on_disk(library, 0) is Status.UNREAD


async def test_saving_a_view_while_a_peer_writes_is_refused_at_once(
    run_app: RunApp, library: Library, said: list[str]
):
    async with run_app(library) as pilot:
        with peer_holding(lock_of(library)):
            await pilot.press("V", *"mine", "enter")
            assert not library.wait_until_free(0)
            assert any(
                "another reader process is writing to this library" in m
                and "holds .user.json.lock now" in m
                for m in said
            ), said
        assert Library(library.data_dir, read_only=True).view("mine") is None


def test_the_cli_still_waits_the_full_time(library: Library):
    """Only the app stops waiting; a Library of its own (the CLI's) keeps 15 s."""
    fresh = Library(library.data_dir)
    assert fresh._user.file.lock.timeout == 15.0
    ReaderApp(fresh)
    assert fresh._user.file.lock.timeout == LOCK_WAIT == 0
