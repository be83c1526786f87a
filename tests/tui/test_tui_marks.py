"""Sort cycling; marking rows and acting on them is tested in test_tui_triage.py."""

from __future__ import annotations

from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from tests.tui.conftest import RunApp
from tests.waiting import settle


def screen_of(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_sort_cycle_offers_relevance_only_with_words(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = screen_of(app)
        seen = []
        for _ in range(5):
            await pilot.press("S")
            seen.append(screen.sort)
        assert seen == ["for-you", "date", "status", "updated", "source"]
        await pilot.press("slash", *"reasoning", "escape")
        await settle(pilot)  # a query with words sorts by relevance by itself
        assert screen.sort == "relevance"
        assert "sorted by relevance" in screen.abstract_list.border_title
        expected = library.rows("reasoning", sort="relevance").tolist()
        assert screen.abstract_list.rows.tolist() == expected
        assert expected != library.rows("reasoning").tolist()  # not just source order
