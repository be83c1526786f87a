"""The views sidebar: live counts, choosing a view, saving one from the filter."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from reader.core.library import Library
from reader.core.models import Status
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.prompt import PromptScreen
from reader.tui.widgets.views_sidebar import ViewsSidebar
from tests.tui.conftest import NARROW, WIDE, RunApp
from tests.waiting import run_from_palette, settle, until


def lines(sidebar: ViewsSidebar) -> list[str]:
    return [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]


async def test_counts_update_after_a_status_change(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("v")
        sidebar = app.screen.query_one(ViewsSidebar)
        assert sidebar.display and "Inbox 49" in lines(sidebar)
        assert "000_90d3212f613ebdc9 10" in lines(sidebar)
        await pilot.press("escape")  # back to the list
        app.screen.set_focus(app.screen.abstract_list)
        await pilot.press("2", "2")
        await pilot.pause()
        assert "Inbox 47" in lines(sidebar) and "To read 2" in lines(sidebar)


async def test_choosing_a_view_filters_the_list(run_app: RunApp, library: Library):
    library.set_status(library.ids()[:3], Status.READ)
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("v")
        sidebar = app.screen.query_one(ViewsSidebar)
        read = next(i for i, line in enumerate(lines(sidebar)) if line.startswith("Read "))
        sidebar.highlighted = read
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_text == "status:read"
        assert screen.abstract_list.border_title.startswith("3 of 49")


async def test_a_view_saved_from_the_filter_is_there_after_a_restart(
    run_app: RunApp, library: Library, data_dir: Path
):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("slash", *"reasoning")
        await settle(pilot)  # V saves the query shown: let a threaded search finish
        await pilot.press("escape", "V")
        await until(lambda: isinstance(app.screen, PromptScreen), "the view name prompt")
        app.screen.query_one(Input).value = "Reasoning papers"
        await pilot.press("enter")
        await pilot.pause()
    again = ReaderApp(Library(data_dir))
    async with again.run_test(size=WIDE) as pilot:
        await pilot.press("v")
        expected = f"Reasoning papers {Library(data_dir).count('reasoning')}"
        sidebar = again.screen.query_one(ViewsSidebar)
        await until(lambda: expected in lines(sidebar), f"{expected!r} in the sidebar")


async def test_the_sidebar_is_hidden_on_narrow_terminals(run_app: RunApp, library: Library):
    async with run_app(library, size=NARROW) as pilot:
        app = pilot.app
        await pilot.press("v")
        await pilot.pause()
        sidebar = app.screen.query_one(ViewsSidebar)
        assert sidebar.region.width == 0


async def test_views_are_renamed_and_deleted_from_the_palette(
    run_app: RunApp, library: Library, data_dir: Path
):
    library.save_view("Later", "tag:later")
    async with run_app(library) as pilot:
        app = pilot.app
        await run_from_palette(pilot, "Rename view Later")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u", *"Soon", "enter")
        await until(lambda: isinstance(app.screen, MainScreen), "the prompt to close")
        assert [v.name for v in Library(data_dir).views()] == ["Soon"]
        await run_from_palette(pilot, "Delete view Soon")
        assert Library(data_dir).views() == []
