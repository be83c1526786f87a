"""Snapshots of the main screens (update with `pytest --snapshot-update`).

Deterministic: the data folder is under tmp_path with HOME pointed at tmp_path (the
header shows `~/library`), the size is fixed and nothing on screen depends on the clock.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.library import Library
from reader.core.models import Status
from reader.tui.app import ReaderApp
from tests.tui.conftest import NARROW, WIDE


@pytest.fixture
def quiet_library(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """The seeded library opened a second time, so no start-up notification shows."""
    monkeypatch.setenv("HOME", str(tmp_path))
    Library.open(data_dir).close()
    library = Library.open(data_dir)
    assert library.messages == []
    return library


def with_latex(library: Library) -> int:
    """The row of the seed abstract with math (`$\\alpha$`) and `$\\textit{..}$` in it."""
    return next(i for i in range(len(library)) if "\\alpha" in library.abstract_at(i).text)


def test_main_screen(snap_compare, quiet_library: Library):
    quiet_library.set_status([quiet_library.abstract_at(1).id], Status.READ)
    quiet_library.tag([quiet_library.abstract_at(2).id], add=["reasoning", "llm"])
    assert snap_compare(ReaderApp(quiet_library), terminal_size=WIDE)


def test_detail_with_note_and_latex(snap_compare, quiet_library: Library):
    row = with_latex(quiet_library)
    record = quiet_library.abstract_at(row).id
    quiet_library.set_note(record, "## Why read\n\n- *Byzantine* machines\n- `α`-fraction bound?")
    quiet_library.tag([record], add=["robustness"])
    quiet_library.set_status([record], Status.READING)

    async def go_to_it(pilot) -> None:
        await pilot.press("slash", "ctrl+u", *"byzantine machines", "escape")
        await pilot.pause()

    assert snap_compare(ReaderApp(quiet_library), terminal_size=WIDE, run_before=go_to_it)


def test_help_screen(snap_compare, quiet_library: Library):
    assert snap_compare(ReaderApp(quiet_library), terminal_size=WIDE, press=["question_mark"])


def test_narrow_layout(snap_compare, quiet_library: Library):
    assert snap_compare(ReaderApp(quiet_library), terminal_size=NARROW)


def test_narrow_layout_detail(snap_compare, quiet_library: Library):
    assert snap_compare(ReaderApp(quiet_library), terminal_size=NARROW, press=["j", "enter"])


def test_marked_rows(snap_compare, quiet_library: Library):
    """Rows 0, 2 and 3 marked (tinted, with a bar), then set to reading all at once; the
    border counts the marks."""
    assert snap_compare(
        ReaderApp(quiet_library),
        terminal_size=WIDE,
        press=["space", "down", "space", "space", "up", "3"],
    )


def test_views_sidebar(snap_compare, quiet_library: Library):
    """The sidebar with its groups and counts, the view shown ("To read") in bold."""
    ids = quiet_library.ids()
    quiet_library.tag(ids[:1], add=["rl"])
    quiet_library.set_status(ids[1:3], Status.TO_READ)
    quiet_library.save_view("Queue", "status:to-read")
    assert snap_compare(ReaderApp(quiet_library), terminal_size=WIDE, press=["v", "down", "enter"])


def test_views_sidebar_focused(snap_compare, quiet_library: Library):
    """Just opened: the sidebar has the focus and the cursor is on Inbox."""
    quiet_library.tag(quiet_library.ids()[:1], add=["rl"])
    assert snap_compare(ReaderApp(quiet_library), terminal_size=WIDE, press=["v"])
