"""Views: choosing one with enter, renaming and deleting from the palette.

Live counts, saving from the filter and narrow terminals: test_tui_triage.py.
"""

from __future__ import annotations

from pathlib import Path

from reader.core.library import Library
from reader.core.models import Status
from reader.tui.screens.main import MainScreen
from reader.tui.screens.prompt import PromptScreen
from reader.tui.widgets.views_sidebar import ViewsSidebar
from tests.tui.conftest import RunApp
from tests.waiting import run_from_palette, until


def lines(sidebar: ViewsSidebar) -> list[str]:
    return [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]


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


async def test_the_sidebar_lists_the_largest_sources_then_how_many_more(
    run_app: RunApp, tmp_path: Path, data_dir: Path
):
    """Issue 11: 50 sources list their 20 largest, then one line for the other 30;
    the palette still reaches each of them."""
    files = tmp_path / "files"
    files.mkdir()
    for i in range(50):
        n = 2 if i == 49 else 1  # the last one is among the largest
        files.joinpath(f"src{i:02d}.txt").write_text(
            "\n".join(
                f"Abstract {i}-{j}.\n\narXiv:2301.{i * 10 + j:05d}\nCreated: 2023-01-01\n"
                for j in range(n)
            ),
            encoding="utf-8",
        )
    library = Library.open(data_dir, seed=False)
    library.import_paths([files])
    async with run_app(library) as pilot:
        await pilot.press("v")
        shown = lines(pilot.app.screen.query_one(ViewsSidebar))
        sources = [line for line in shown if line.startswith("src")]
        assert len(sources) == 20 and "src49 2" in sources
        assert shown[-1] == "… 30 more sources (ctrl+p: Show view)"
        await run_from_palette(pilot, "Show view src07")
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen) and screen.query_text == "source:src07"
