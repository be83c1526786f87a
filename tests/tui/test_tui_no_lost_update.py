"""The app never overwrites newer work: a second Library writes while the app is open.

Each test drives the app with keys while another `Library` (a CLI call, a second
window) changes the same abstract, then checks a fresh `Library` on disk.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from reader.core.library import Library
from reader.core.merge import MINE, THEIRS
from reader.core.models import Status
from reader.core.store import storage
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note_editor import NoteEditor
from tests.tui.conftest import RunApp


@pytest.fixture(autouse=True)
def _no_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's 2-second poll would catch up with the other Library at a moment the
    test does not choose (a loaded CI box is slow): the tests poll by hand."""
    monkeypatch.setattr("reader.tui.screens.main.POLL_SECONDS", 3600)


def on_disk(data_dir: Path, record: str):
    return Library(data_dir).annotation(record)


def notices(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def main_screen(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_undo_in_the_app_keeps_what_a_shell_changed(
    run_app: RunApp, library: Library, data_dir: Path
):
    # Loss 2: tag in the app, `reader note ID --set X; reader status ID read`, then z.
    first = library.ids()[0]
    async with run_app(library) as pilot:
        app = pilot.app
        main_screen(app).auto_advance = False
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one(Input).value = "later"
        await pilot.press("enter")
        assert on_disk(data_dir, first).tags == ("later",)
        shell = Library(data_dir)
        shell.set_note(first, "X")
        shell.set_status([first], Status.READ)
        await pilot.press("z")
        await pilot.pause()
        state = on_disk(data_dir, first)
        assert (state.tags, state.note, state.status) == ((), "X", Status.READ)


async def test_a_refused_undo_says_what_changed_and_stays_undoable(
    run_app: RunApp, library, data_dir: Path
):
    first = library.ids()[0]
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main_screen(app)
        screen.auto_advance = False
        await pilot.press("4")  # read
        Library(data_dir).set_status([first], Status.SKIPPED)
        await pilot.press("z")
        await pilot.pause()
        assert on_disk(data_dir, first).status is Status.SKIPPED
        assert any(f"the status of {first} is now skipped" in n for n in notices(app))
        assert len(screen.history.done) == 1  # the step is still there
        Library(data_dir).set_status([first], Status.READ)  # back as the change left it
        await pilot.press("z")
        await pilot.pause()
        assert on_disk(data_dir, first).status is Status.UNREAD


async def test_a_status_key_on_a_stale_row_is_refused_and_redrawn(
    run_app: RunApp, library, data_dir: Path
):
    first = library.ids()[0]
    async with run_app(library) as pilot:
        app = pilot.app
        main_screen(app).auto_advance = False
        Library(data_dir).set_status([first], Status.SKIPPED)  # before the app's poll
        await pilot.press("4")
        await pilot.pause()
        assert on_disk(data_dir, first).status is Status.SKIPPED
        assert any("changed elsewhere" in n for n in notices(app))
        assert library.annotation(first).status is Status.SKIPPED  # the screen caught up
        await pilot.press("4")  # decided again, on what is now shown
        assert on_disk(data_dir, first).status is Status.READ


async def test_the_note_editor_merges_an_append_made_meanwhile(
    run_app: RunApp, library, data_dir: Path
):
    # Loss 3: `n`, type; meanwhile `reader note ID --append Y`; type, escape.
    first = library.ids()[0]
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("n")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        area = editor.query_one(TextArea)
        area.insert("typed in the app")
        Library(data_dir).append_note(first, "Y from the shell")
        area.insert(", and more")
        await pilot.press("escape")
        await pilot.pause()
        note = on_disk(data_dir, first).note
        assert "typed in the app, and more" in note
        assert "Y from the shell" in note
        assert any("merged" in n for n in notices(app))


async def test_an_autosave_shows_the_merged_note_in_the_editor(
    run_app: RunApp, library, data_dir: Path
):
    first = library.ids()[0]
    library.set_note(first, "the line")
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("n")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        area = editor.query_one(TextArea)
        area.insert(", mine")
        Library(data_dir).set_note(first, "the line, theirs", base="the line")
        assert editor.save_now()
        assert MINE in area.text and THEIRS in area.text  # the user sees both versions
        assert on_disk(data_dir, first).note == area.text
        assert not editor.dirty
        await pilot.press("escape")
        await pilot.pause()
        assert any("both versions are kept" in n for n in notices(app))


async def test_a_note_typed_while_the_disk_is_full_is_kept_until_saved(
    run_app: RunApp, library: Library, data_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    # Loss 5: the save fails (and so does the journal); escape must not drop the text.
    first = library.ids()[0]
    real = storage.atomic_write_bytes

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("n")
        await pilot.pause()
        monkeypatch.setattr(storage, "atomic_write_bytes", full)
        monkeypatch.setattr("reader.core.store.journal.os.write", full)
        app.screen.query_one(TextArea).insert("precious words")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)  # still open, text still there
        assert app.screen.query_one(TextArea).text == "precious words"
        assert on_disk(data_dir, first).note == ""
        assert any("disk is full" in n for n in notices(app))
        monkeypatch.setattr(storage, "atomic_write_bytes", real)  # space freed
        monkeypatch.undo()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, NoteEditor)
        assert on_disk(data_dir, first).note == "precious words"


async def test_a_title_prompt_left_open_does_not_replace_a_newer_title(
    run_app: RunApp, library, data_dir
):
    first = library.ids()[0]
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("T")
        await pilot.pause()
        Library(data_dir).set_title(first, "Set from the shell")
        library.refresh()  # the app's 2-second poll ran while the prompt was open
        app.screen.query_one(Input).value = "Typed in the prompt"
        await pilot.press("enter")
        await pilot.pause()
        assert on_disk(data_dir, first).title == "Set from the shell"
        assert any("changed elsewhere" in n for n in notices(app))


async def test_the_status_picker_checks_what_it_showed(run_app: RunApp, library, data_dir):
    first = library.ids()[0]
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("s")
        await pilot.pause()
        Library(data_dir).set_status([first], Status.SKIPPED)
        library.refresh()  # polled while the picker was open
        await pilot.press("4")
        await pilot.pause()
        assert on_disk(data_dir, first).status is Status.SKIPPED
        assert any("changed elsewhere" in n for n in notices(app))
