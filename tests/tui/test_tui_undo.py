"""Undo in the app: changes in order, bulk tags, restores (each kind alone: test_tui_triage)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, TextArea

from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from tests.tui.conftest import RunApp


def on_disk(data_dir: Path, record: str):
    return Library(data_dir).annotation(record)


def notices(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_undo_tags_title_and_note_in_order(run_app: RunApp, library: Library, data_dir: Path):
    first = library.ids()[0]
    async with run_app(library) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.auto_advance = False
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one(Input).value = "rl later"
        await pilot.press("enter")
        await pilot.press("T")
        await pilot.pause()
        app.screen.query_one(Input).value = "My title"
        await pilot.press("enter")
        await pilot.press("n")
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        area.insert("first words")
        app.screen.save_now()  # an autosave ...
        area.insert(" and more")
        await pilot.press("escape")  # ... and the save on close: one undo step
        await pilot.pause()
        state = on_disk(data_dir, first)
        assert (state.tags, state.title, state.note) == (
            ("later", "rl"),
            "My title",
            "first words and more",
        )
        await pilot.press("z")  # the note, both saves at once
        assert on_disk(data_dir, first).note == ""
        await pilot.press("z")
        assert on_disk(data_dir, first).title == ""
        await pilot.press("z")
        assert on_disk(data_dir, first).tags == ()
        await pilot.press("z")
        await pilot.pause()
        assert "Nothing to undo." in notices(app)
        await pilot.press("Z", "Z", "Z")
        state = on_disk(data_dir, first)
        assert (state.tags, state.title, state.note) == (
            ("later", "rl"),
            "My title",
            "first words and more",
        )


async def test_undo_of_a_bulk_change_is_one_step(run_app: RunApp, library: Library, data_dir: Path):
    ids = library.ids()[:3]
    async with run_app(library) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen._try("tag", lambda: library.tag(ids, add=["bulk"]))
        assert all(on_disk(data_dir, i).tags == ("bulk",) for i in ids)
        await pilot.press("z")
        await pilot.pause()
        assert all(on_disk(data_dir, i).tags == () for i in ids)
        assert "Undid: +bulk on 3 abstracts" in notices(app)


async def test_a_restore_in_the_app_is_undone_in_one_step(
    run_app: RunApp, library: Library, data_dir: Path, tmp_path: Path
):
    from reader.core.export import export_json

    ids = library.ids()[:2]
    library.tag(ids, add=["saved"])
    backup = tmp_path / "backup.json"
    backup.write_text(export_json(library, ids))
    library.tag(ids, remove=["saved"], add=["later"])
    async with run_app(library) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.restore_from(str(backup))
        assert all(on_disk(data_dir, i).tags == ("saved",) for i in ids)
        await pilot.press("z")
        await pilot.pause()
        assert all(on_disk(data_dir, i).tags == ("later",) for i in ids)
        assert "Undid: restore backup.json" in notices(app)
        screen.restore_from(str(tmp_path / "missing.json"))
        await pilot.pause()
        assert any("missing.json" in n for n in notices(app))
