"""Marking rows and acting on all of them at once."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from reader.core.library import Library
from reader.core.models import Status
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from tests.tui.conftest import RunApp
from tests.waiting import settle


def screen_of(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_space_marks_and_status_applies_to_all_marked(
    run_app: RunApp, library: Library, data_dir: Path
):
    ids = library.ids()
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("space", "down", "space")  # marks rows 0 and 2
        await pilot.pause()
        screen = screen_of(app)
        assert screen.abstract_list.marked == {0, 2}
        assert "2 marked" in screen.abstract_list.border_subtitle
        line = "".join(s.text for s in screen.abstract_list.render_line(0))
        assert "▌" in line  # a marked row shows its mark
        await pilot.press("2")
        fresh = Library(data_dir)
        assert [fresh.annotation(i).status for i in ids[:4]] == [
            Status.TO_READ,
            Status.UNREAD,
            Status.TO_READ,
            Status.UNREAD,
        ]
        await pilot.press("z")  # the bulk change is one undo step
        assert all(Library(data_dir).annotation(i).status is Status.UNREAD for i in ids[:3])


async def test_mark_all_shown_then_tag_them_then_escape_clears(
    run_app: RunApp, library: Library, data_dir: Path
):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("slash", *"source:001", "escape")
        await settle(pilot)  # the search may have gone to a thread
        screen = screen_of(app)
        shown = [library.abstract_at(int(r)).id for r in screen.abstract_list.rows]
        assert len(shown) == 9
        await pilot.press("asterisk")
        assert len(screen.abstract_list.marked) == 9
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one(Input).value = "batch"
        await pilot.press("enter")
        await pilot.pause()
        fresh = Library(data_dir)
        assert fresh.search("tag:batch") == shown
        await pilot.press("escape")  # first escape: the marks go, the filter stays
        assert not screen.abstract_list.marked
        assert screen.query_text == "source:001"
        await pilot.press("escape")  # then the filter
        await settle(pilot)
        assert screen.query_text == ""


async def test_sort_cycle_offers_relevance_only_with_words(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = screen_of(app)
        seen = []
        for _ in range(4):
            await pilot.press("S")
            seen.append(screen.sort)
        assert seen == ["date", "status", "updated", "source"]
        await pilot.press("slash", *"reasoning", "escape")
        await settle(pilot)  # S cycles by the query shown: let a threaded search finish
        await pilot.press("S")  # after source order
        await settle(pilot)
        assert screen.sort == "relevance"
        assert "sorted by relevance" in screen.abstract_list.border_title
        expected = library.rows("reasoning", sort="relevance").tolist()
        assert screen.abstract_list.rows.tolist() == expected
        assert expected != library.rows("reasoning").tolist()  # not just source order
