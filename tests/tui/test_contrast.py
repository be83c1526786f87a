"""Contrast (issue 12): every colour of text the list, the detail pane, the match
highlight, the borders, the filter hint and the sidebar headings use reads at 4.5:1 or
more (WCAG 2) on what is under it, computed from the running app's theme, dark and
light; without colour (NO_COLOR) the statuses still differ by glyph and weight."""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.widget import Widget

from reader.core.library import Library
from reader.core.models import Status
from reader.tui.app import ReaderApp
from reader.tui.contrast import colors_of, contrast, solid_style
from reader.tui.render import GLYPHS
from reader.tui.screens.main import MainScreen
from reader.tui.widgets.views_sidebar import ViewsSidebar
from tests.tui.conftest import RunApp

TEXT = 4.5
THEMES = ("textual-dark", "textual-light")


def ratio_of(widget: Widget, component: str, under: Color | None = None) -> float:
    """The contrast of `component`'s text on its background, as drawn in `widget`."""
    background = under if under is not None else widget.background_colors[1]
    foreground = widget.colors[3]
    fg, bg = colors_of(solid_style(widget, component, background), foreground, background)
    return contrast(fg, bg)


def border_ratio(widget: Widget) -> float:
    """The unfocused border's colour against the background around it."""
    _, color = widget.styles.border_top
    around = widget.background_colors[0]
    return contrast(around + color, around)


@pytest.mark.parametrize("theme", THEMES)
async def test_text_colours_reach_4_5(run_app: RunApp, library: Library, theme: str):
    async with run_app(library) as pilot:
        app = pilot.app
        app.theme = theme
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("v")  # the sidebar shows (and takes the focus)
        await pilot.pause()
        found: dict[str, float] = {}
        lst = screen.abstract_list
        parts = ["date", "source", "tags", "authors", "note", "skipped-row", "match"]
        for part in [*parts, *(s.value for s in Status)]:
            found[f"list {part}"] = ratio_of(lst, f"abstract-list--{part}")
        # the cursor row while the list is not focused: the glyph takes the cursor's
        # colour on the cursor's tint (it vanished into it before: 1.00:1)
        found["list cursor (unfocused)"] = ratio_of(lst, "abstract-list--cursor")
        # a match on the cursor row
        cursor_bg = colors_of(
            solid_style(lst, "abstract-list--cursor"), Color(0, 0, 0), lst.background_colors[1]
        )[1]
        found["list match on cursor"] = ratio_of(lst, "abstract-list--match", cursor_bg)
        detail = screen.detail
        for part in ["label", "link", "tags", "match", *(s.value for s in Status)]:
            found[f"detail {part}"] = ratio_of(detail, f"detail--{part}")
        sidebar = screen.query_one(ViewsSidebar)
        found["sidebar headings"] = ratio_of(sidebar, "option-list--option-disabled")
        field = screen.filter_bar.query_one("#filter-input")
        found["filter hint"] = ratio_of(field, "input--placeholder")
        for widget in (lst, detail):
            found[f"{widget.id} border (unfocused)"] = border_ratio(widget)
        low = {name: round(value, 2) for name, value in found.items() if value < TEXT}
        assert not low, f"below {TEXT}:1 in {theme}: {low}"


async def test_statuses_differ_without_colour(
    run_app: RunApp, library: Library, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("NO_COLOR", "1")
    ids = library.ids()
    library.set_status(ids[1:2], Status.SKIPPED)
    assert len(set(GLYPHS.values())) == len(Status), "a glyph of its own per status"
    async with run_app(library) as pilot:
        assert isinstance(pilot.app, ReaderApp) and pilot.app.no_color
        lst = pilot.app.screen.abstract_list  # type: ignore[attr-defined]
        unread, skipped = lst.render_line(2), lst.render_line(1)
        assert unread.text[0] == "●" and skipped.text[0] == "✗"
        title = len("●  2023-06-16 ") + 2
        assert unread.crop(title, title + 1)._segments[0].style.bold, "unread rows bold"  # noqa: SLF001
        assert not skipped.crop(title, title + 1)._segments[0].style.bold  # noqa: SLF001
