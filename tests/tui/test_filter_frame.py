"""A query typed or pasted into the filter reaches the screen in the same frame as its rows."""

from __future__ import annotations

from textual.strip import Strip
from textual.widgets import Input

from reader.core.library import Library
from reader.tui.screens.main import MainScreen
from tests.tui.conftest import RunApp
from tests.waiting import until


async def test_the_query_and_its_rows_are_painted_in_one_frame(run_app: RunApp, library: Library):
    """Painted alone, the query took a frame of its own and its rows waited for the next
    one (17 to 33 ms later). Each frame is recorded with the query and the row count the
    list was last drawn with: none may show the new query over the old rows."""
    found = len(library.rows("reasoning"))
    assert 0 < found < len(library)
    async with run_app(library) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        frames: list[tuple[str, int]] = []
        painted = {"rows": len(library)}
        """The row count the list's lines were last drawn with."""
        abstract_list = screen.abstract_list
        paint, draw = screen._compositor_refresh, abstract_list.render_line

        def recorded() -> None:
            paint()
            frames.append((field.value, painted["rows"]))

        def drawn(y: int) -> Strip:
            painted["rows"] = len(abstract_list.rows)
            return draw(y)

        await pilot.press("slash")
        await pilot.pause()
        field = screen.query_one("#filter-input", Input)
        screen._compositor_refresh = recorded  # type: ignore[method-assign]
        abstract_list.render_line = drawn  # type: ignore[method-assign]
        for text in ("reasoning", " "):  # a paste, then one key
            field.insert_text_at_cursor(text)
            await until(lambda: (field.value, found) in frames, f"{field.value!r} painted")
        queried = [frame for frame in frames if frame[0]]  # (the cursor blinks before)
        assert queried[0] == ("reasoning", found)
        assert [frame for frame in queried if frame[1] != found] == []
