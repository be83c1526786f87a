"""A note of megabytes: the detail pane shows its start, `n` refuses it with a message
(Textual's TextArea takes seconds to lay out such a text), and the app stays usable."""

from __future__ import annotations

from textual.widgets import Markdown

from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note_editor import LIMIT, NoteEditor
from reader.tui.widgets.detail import SHOWN_NOTE


def big_note(size: int) -> str:
    line = "word " * 15 + "\n"
    return line * (size // len(line) + 1)


async def test_a_note_over_the_limit_is_refused_by_n_with_a_message(library: Library):
    first = library.abstract_at(0).id
    library.set_note(first, big_note(LIMIT + 1))
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        message = [str(n.message) for n in app._notifications][-1]
        assert "the note editor (n) opens notes up to 128 kB" in message and "e " in message
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert Library(library.data_dir).annotation(first).note == big_note(LIMIT + 1)


async def test_a_note_at_the_limit_opens_in_the_editor(library: Library):
    first = library.abstract_at(0).id
    library.set_note(first, big_note(LIMIT - 200))
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)


async def test_the_detail_pane_renders_the_start_of_a_big_note(library: Library):
    first = library.abstract_at(0).id
    note = big_note(4 * SHOWN_NOTE)
    library.set_note(first, note)
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = app.screen.query_one("#detail-note", Markdown).source
        assert len(shown) < SHOWN_NOTE + 200
        assert shown.startswith(note[:1000])
        assert shown.endswith("kB more: e opens the whole note in $EDITOR.*")
