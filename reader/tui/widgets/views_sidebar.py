"""The views sidebar: named queries with live counts; choosing one filters the list.

Built-in views (Inbox, To read, Reading, Read, Skipped, With notes), one per tag and
per source, then the user's saved views. Posts `Chosen(query)`; the screen applies it.
The counts come from the Library (`counted_views`: one pass over statuses, tags and
sources, never a query per view), recomputed by `refresh_counts` after each change.
A group of more than `SHOWN` tags or sources lists its `SHOWN` largest and then one
line saying how many more there are (the palette's "Show view" reaches every one):
10,000 imported files make 10,000 source views. The same widget fills the views
dialog on narrow terminals (`ViewsPicker`).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.core.library import Library
from reader.core.views import CountedView

SHOWN = 20
"""The most tags, and the most sources, the sidebar lists (the largest by count)."""

CAPPED = ("tags", "sources")
"""The groups that can hold one view per tag or per source file: hundreds or thousands."""


def view_list(library: Library) -> list[tuple[str, str, str]]:
    """(group, name, query) of every view to show, in order (`Library.all_views`)."""
    return [(group, v.name, v.query) for group, v in library.all_views()]


def capped(
    views: list[CountedView], shown: int = SHOWN
) -> tuple[list[CountedView], dict[str, int]]:
    """The views to list, each group of `CAPPED` cut to its `shown` largest (kept in
    their order), and how many views each cut group left out."""
    kept: list[CountedView] = []
    more: dict[str, int] = {}
    for group in dict.fromkeys(v.group for v in views):
        members = [v for v in views if v.group == group]
        if group in CAPPED and len(members) > shown:
            more[group] = len(members) - shown
            by_size = sorted(range(len(members)), key=lambda i: -(members[i].count or 0))
            largest = set(by_size[:shown])
            members = [v for i, v in enumerate(members) if i in largest]
        kept += members
    return kept, more


class ViewsSidebar(OptionList):
    """One line per view: its name and how many abstracts it holds now; the view whose
    query is the filter's (`active`) is drawn bold and underlined. The list's keys
    (j/k, g/G, as the user mapped them) move here too."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Next view", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Previous view", show=False, id="list.up"),
        Binding("g,home", "first", "First view", show=False, id="list.first"),
        Binding("G,end", "last", "Last view", show=False, id="list.last"),
    ]

    active: var[str] = var("")
    """The query the list shows now: the view with this query is highlighted."""

    class Chosen(Message):
        """The user chose a view: filter by `query`."""

        def __init__(self, name: str, query: str) -> None:
            super().__init__()
            self.name = name
            self.query = query

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self._views: list[tuple[str, str, str]] = []
        self._counts: list[str] = []
        self._more: dict[str, int] = {}
        """How many views of each capped group are left out of the list."""

    def on_mount(self) -> None:
        self.border_title = "Views"

    def refresh_counts(self) -> None:
        """Recount every view and redraw: when shown, and after each change while shown."""
        shown, self._more = capped(self.library.counted_views())
        self._views = [(v.group, v.view.name, v.view.query) for v in shown]
        # None: a saved view whose query no longer parses
        self._counts = ["?" if v.count is None else str(v.count) for v in shown]
        self._redraw()

    def watch_active(self) -> None:
        if self.is_mounted:
            self._redraw()

    def on_resize(self) -> None:
        if self._views:
            self._redraw()

    def _redraw(self) -> None:
        """Rebuild the lines from the views and counts, keeping the highlighted view."""
        highlighted = self.highlighted
        current = self.get_option_at_index(highlighted).id if highlighted is not None else None
        options: list[Option] = []
        group = ""
        width = self.scrollable_content_region.width - 1  # room for a scrollbar
        for (kind, name, query), count in zip(self._views, self._counts, strict=True):
            if kind != group:
                self._add_more(options, group)
                group = kind
                options.append(Option(Text(kind, style="italic"), disabled=True))
            style = "bold underline" if query == self.active.strip() else ""
            line = Text(name, style=style)
            if width > len(count) + 2:  # a long name gives way: the count always shows
                line.truncate(width - len(count) - 1, overflow="ellipsis")
            line.append(f" {count}")
            options.append(Option(line, id=f"{kind}:{name}"))
        self._add_more(options, group)
        self.clear_options()
        self.add_options(options)
        ids = [option.id for option in options]
        if current is not None and current in ids:
            self.highlighted = ids.index(current)
        elif highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def _add_more(self, options: list[Option], group: str) -> None:
        """After the last listed view of `group`: how many of its views are not listed."""
        if more := self._more.get(group):
            line = Text(f"… {more} more {group} (ctrl+p: Show view)")
            options.append(Option(line, disabled=True))  # wraps in a narrow sidebar

    def highlight_active(self) -> None:
        """Put the cursor on the view the list shows, else on the first view."""
        for index, (_, _, query) in enumerate(self._views):
            if query == self.active.strip():
                self.highlighted = self._option_index(index)
                return
        if self.highlighted is None and self._views:
            self.highlighted = self._option_index(0)

    def _option_index(self, view: int) -> int:
        """The option index of the `view`-th view (group headings take a line each)."""
        kind, name, _ = self._views[view]
        return self.get_option_index(f"{kind}:{name}")

    def query_of(self, option_id: str) -> tuple[str, str] | None:
        for kind, name, query in self._views:
            if f"{kind}:{name}" == option_id:
                return name, query
        return None

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        found = self.query_of(event.option.id or "")
        if found is not None:
            self.post_message(self.Chosen(*found))
