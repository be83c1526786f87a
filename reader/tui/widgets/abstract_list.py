"""The list of abstracts: one line each, drawn on demand, fast at 100,000 rows.

Not a ListView/OptionList/DataTable: those build a widget or measure a line per row up
front. This is a `ScrollView` over a numpy array of library rows; `render_line` draws
only the lines on screen and keeps the last few hundred in an LRU cache (the idea of
Toolong's `log_lines.py`), so showing a new result costs nothing per row.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core.library import Library
from reader.core.models import Record, Status, format_tags
from reader.tui.render import glyph, highlight

DATE_WIDTH = 10
"""Cells for the date column (an ISO date), also used for the source of undated records."""


PENDING_GLYPH = "⧗"
"""Drawn instead of the status of a row whose change waits for another process."""


class AbstractList(ScrollView, can_focus=True):
    """One line per abstract: status glyph, mark, date (or source), title, tags.

    Shows the library rows in `rows`; `cursor` is a position in that array. Owns the
    marks (space marks a row, `*` every row shown): the marked set, the mark on each
    line and the count in the border's subtitle. Posts `Highlighted` when the row under
    the cursor changes, `Selected` on enter and `MarksChanged` when rows are marked or
    unmarked.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Next", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Previous", show=False, id="list.up"),
        Binding("g,home", "first", "First abstract", show=False, id="list.first"),
        Binding("G,end", "last", "Last abstract", show=False, id="list.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page-up"),
        Binding("enter", "select", "Read", id="list.read"),
        Binding("space", "toggle_mark", "Mark", id="mark"),
        Binding("asterisk", "mark_all", "Mark all shown", show=False, id="mark.all"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "abstract-list--cursor",
        "abstract-list--marked",
        "abstract-list--marked-line",
        "abstract-list--date",
        "abstract-list--source",
        "abstract-list--tags",
        "abstract-list--match",
        "abstract-list--titled",
        "abstract-list--pending",
        *(f"abstract-list--{status.value}" for status in Status),
    }
    """Styles of the parts of a line; the status ones colour the glyph."""

    cursor: var[int] = var(0, always_update=True)
    """Position of the highlighted line in `rows`."""
    terms: var[tuple[str, ...]] = var(())
    """Query words and phrases to highlight in titles."""
    notes: var[tuple[str, ...]] = var(())
    """What the screen adds to the border's subtitle, after the marks ("auto-advance off")."""

    class Highlighted(Message):
        """The row under the cursor changed (None when the list is empty)."""

        def __init__(self, abstract_list: AbstractList, row: int | None) -> None:
            super().__init__()
            self.abstract_list = abstract_list
            self.row = row
            """The library row, or None."""

        @property
        def control(self) -> AbstractList:
            return self.abstract_list

    class MarksChanged(Message):
        """Rows were marked or unmarked (`marked` holds them now)."""

        def __init__(self, abstract_list: AbstractList) -> None:
            super().__init__()
            self.abstract_list = abstract_list

        @property
        def control(self) -> AbstractList:
            return self.abstract_list

    class Selected(Message):
        """Enter was pressed (or a line clicked twice) on a row."""

        def __init__(self, abstract_list: AbstractList, row: int) -> None:
            super().__init__()
            self.abstract_list = abstract_list
            self.row = row

        @property
        def control(self) -> AbstractList:
            return self.abstract_list

    def __init__(
        self,
        library: Library,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.library = library
        self.rows: np.ndarray = np.arange(0, dtype=np.int64)
        """Library rows shown, in display order."""
        self._lines: LRUCache[tuple[int, int, bool, bool, int, bool], Strip] = LRUCache(512)
        self.marked: set[int] = set()
        """Library rows the user marked (space, *): bulk actions apply to them."""
        self.pending: frozenset[int] = frozenset()
        """Library rows with a change waiting for another process (drawn ⧗ until made;
        the screen sets it and calls `refresh_rows`)."""
        self._base: Style | None = None
        """The widget's rich style, cached (see `_base_style`)."""
        self._last_posted: int | None = -1

    # ---------------------------------------------------------------- content
    @property
    def row(self) -> int | None:
        """The library row under the cursor, or None when the list is empty."""
        if len(self.rows) == 0:
            return None
        return int(self.rows[self.cursor])

    def set_rows(self, rows: np.ndarray) -> None:
        """Show `rows`, keeping the cursor on the same record when it is still there
        (else it goes to the top)."""
        current = self.row
        self.rows = rows
        self._lines.clear()
        self.virtual_size = Size(self.virtual_size.width, len(rows))
        found = np.flatnonzero(rows == current) if current is not None else np.zeros(0, int)
        self.cursor = int(found[0]) if found.size else 0
        self.refresh()
        self._update_subtitle()

    def toggle_mark(self) -> None:
        """Mark or unmark the row under the cursor."""
        row = self.row
        if row is not None:
            self.marked.symmetric_difference_update({row})
            self._marks_changed()

    def mark_all(self) -> None:
        """Mark every row shown."""
        self.marked.update(self.rows.tolist())
        self._marks_changed()

    def clear_marks(self) -> None:
        """Unmark every row (shown or not)."""
        if self.marked:
            self.marked.clear()
            self._marks_changed()

    def marked_shown(self) -> int:
        """How many marked rows the current filter shows."""
        if not self.marked:
            return 0
        return int(np.isin(self.rows, np.fromiter(self.marked, np.int64)).sum())

    def _marks_changed(self) -> None:
        self.refresh_rows()
        self._update_subtitle()
        self.post_message(self.MarksChanged(self))

    def watch_notes(self) -> None:
        self._update_subtitle()

    def _update_subtitle(self) -> None:
        """`3 marked (1 not shown) · auto-advance off` under the list."""
        notes = list(self.notes)
        if self.marked:
            hidden = len(self.marked) - self.marked_shown()
            shown = f" ({hidden} not shown)" if hidden else ""
            notes.insert(0, f"{len(self.marked)} marked{shown}")
        self.border_subtitle = " · ".join(notes)

    def refresh_rows(self) -> None:
        """Redraw every line: the annotations (or the library) changed."""
        self._lines.clear()
        self.refresh()

    def watch_terms(self) -> None:
        self._lines.clear()
        self.refresh()

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if len(self.rows) else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        if old != new:
            self.refresh_line(old)
            self.refresh_line(new)
        self._post_highlight()

    def _post_highlight(self) -> None:
        row = self.row
        if row != self._last_posted:
            self._last_posted = row
            self.post_message(self.Highlighted(self, row))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def on_resize(self) -> None:
        self._lines.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        self._scroll_to_cursor()

    def on_focus(self) -> None:
        self._lines.clear()
        self._base = None
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self._base = None
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._base = None

    # ---------------------------------------------------------------- drawing
    def render_line(self, y: int) -> Strip:
        position = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if position >= len(self.rows) or width <= 0:
            return Strip.blank(width, self._base_style())
        row = int(self.rows[position])
        is_cursor = position == self.cursor
        key = (position, row, is_cursor, self.has_focus, width, row in self.marked)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_row(row, width, is_cursor)
            self._lines[key] = strip
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"abstract-list--{name}", partial=True)

    def _base_style(self) -> Style:
        """The widget's own style, kept until the styles or focus change (computing it
        walks the ancestors: a third of the cost of drawing a line)."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def _render_row(self, row: int, width: int, is_cursor: bool) -> Strip:
        """One line: `● 2023-06-16 Title of the abstract        #tag #tag`."""
        abstract = self.library.abstract_at(row)
        note = self.library.annotation_at(row)
        status = note.status
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        if row in self.pending:  # what it shows is on disk; a change of it waits
            line.append(PENDING_GLYPH, self._style("pending"))
        else:
            line.append(glyph(status), self._style(status.value))
        line.append("▌" if row in self.marked else " ", self._style("marked"))
        if abstract.date:
            line.append(abstract.date[:DATE_WIDTH].ljust(DATE_WIDTH), self._style("date"))
        else:
            source = abstract.source
            if cell_len(source) > DATE_WIDTH:
                source = source[: DATE_WIDTH - 1] + "…"
            line.append(source.ljust(DATE_WIDTH), self._style("source"))
        line.append(" ")
        tags = format_tags(note.tags)
        title_room = width - line.cell_len - 1
        if tags:
            tags_room = max(min(cell_len(tags), title_room - 20), 0)
            title_room -= tags_room + 1 if tags_room else 0
        else:
            tags_room = 0
        title = Text(Record(abstract.id, abstract, note).title, no_wrap=True)
        if note.title:
            title.stylize(self._style("titled"))
        highlight(title, self.terms, self._style("match"))
        title.truncate(max(title_room, 0), overflow="ellipsis", pad=True)
        line.append_text(title)
        if tags_room:
            shown = Text(tags, self._style("tags"))
            shown.truncate(tags_room, overflow="ellipsis")
            line.append(" ")
            line.append_text(shown)
        line.truncate(width, overflow="ellipsis", pad=True)
        base = self._base_style()
        # The cursor's colours win over the parts' (a glyph coloured like the cursor
        # would vanish); the parts keep their text styles (a match stays underlined).
        top = self._style("cursor") if is_cursor else Style()
        if row in self.marked:  # the whole line tinted, under the parts' own colours
            base += self._style("marked-line")
        segments = [
            Segment(text, base + style + top if style else base + top, control)
            for text, style, control in line.render(self.app.console)
        ]
        return Strip(segments, width).simplify()

    # ---------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"toggle_mark", "mark_all"} and not len(self.rows):
            return None  # nothing to mark: the keys leave the footer
        return True

    def action_toggle_mark(self) -> None:
        """Mark or unmark the row under the cursor, then move to the next."""
        self.toggle_mark()
        self.action_cursor_down()

    def action_mark_all(self) -> None:
        self.mark_all()

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.rows) - 1

    def action_page_down(self) -> None:
        self.cursor += max(self.scrollable_content_region.height - 1, 1)

    def action_page_up(self) -> None:
        self.cursor -= max(self.scrollable_content_region.height - 1, 1)

    def action_select(self) -> None:
        row = self.row
        if row is not None:
            self.post_message(self.Selected(self, row))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        position = round(self.scroll_y) + offset.y
        if 0 <= position < len(self.rows):
            self.cursor = position
            if event.chain == 2:
                self.action_select()
