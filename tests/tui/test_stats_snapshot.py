"""A snapshot of the stats screen on a fixed library, at a fixed date (update with
`pytest --snapshot-update`): the changes are stamped by a fixed clock and the screen is
given its `today`, so the picture never depends on when the test runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reader.core import library as library_module
from reader.core.library import Library
from reader.core.models import Status
from reader.tui.app import ReaderApp
from reader.tui.screens.stats import StatsScreen
from tests.tui.conftest import WIDE

TODAY = date(2026, 11, 30)


@pytest.fixture
def fixed_library(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """The samples, triaged over three days of November 2026 by a fixed clock."""
    Library.open(data_dir).close()
    library = Library.open(data_dir)
    clock = {"now": ""}
    monkeypatch.setattr(library_module, "now_iso", lambda: clock["now"])
    ids = library.ids()
    for day, change in (
        (20, lambda: library.set_status(ids[0:6], Status.READ)),
        (20, lambda: library.set_status(ids[6:9], Status.SKIPPED)),
        (27, lambda: library.set_status(ids[9:11], Status.TO_READ)),
        (28, lambda: library.set_status(ids[11:15], Status.SKIPPED)),
        (30, lambda: library.set_status(ids[15:16], Status.READING)),
        (30, lambda: library.tag(ids[0:5], add=["llm"])),
        (30, lambda: library.tag(ids[3:6], add=["reasoning"])),
        (30, lambda: library.tag(ids[9:10], add=["later"])),
    ):
        clock["now"] = f"2026-11-{day:02d}T10:00:00Z"
        change()
    return library


def test_stats_screen(snap_compare, fixed_library: Library):
    async def open_stats(pilot) -> None:
        await pilot.app.push_screen(StatsScreen(fixed_library, today=lambda: TODAY))
        await pilot.pause()

    assert snap_compare(ReaderApp(fixed_library), terminal_size=WIDE, run_before=open_stats)
