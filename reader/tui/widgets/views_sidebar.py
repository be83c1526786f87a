"""The views sidebar: named queries with live counts; choosing one filters the list.

Built-in views (Inbox, To read, Reading, Read, Skipped, With notes), one per tag and
per source, then the user's saved views. Posts `Chosen(query)`; the screen applies it.
The counts come from the Library (`count`), recomputed by `refresh_counts` after each
change: a few ms even at 100k. The same widget fills the views dialog on narrow
terminals (`ViewsPicker`).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.message import Message
from textual.reactive import var
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.core.errors import QueryError
from reader.core.library import Library


def view_list(library: Library) -> list[tuple[str, str, str]]:
    """(group, name, query) of every view to show, in order (`Library.all_views`)."""
    return [(group, v.name, v.query) for group, v in library.all_views()]


class ViewsSidebar(OptionList):
    """One line per view: its name and how many abstracts it holds now; the view whose
    query is the filter's (`active`) is drawn bold and underlined."""

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

    def on_mount(self) -> None:
        self.border_title = "Views"

    def refresh_counts(self) -> None:
        """Recount every view and redraw: when shown, and after each change while shown."""
        self._views = view_list(self.library)
        self._counts = []
        for _, _, query in self._views:
            try:
                self._counts.append(str(self.library.count(query)))
            except QueryError:  # a saved view whose query no longer parses
                self._counts.append("?")
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
                group = kind
                options.append(Option(Text(kind, style="dim italic"), disabled=True))
            style = "bold underline" if query == self.active.strip() else ""
            line = Text(name, style=style)
            if width > len(count) + 2:  # a long name gives way: the count always shows
                line.truncate(width - len(count) - 1, overflow="ellipsis")
            line.append(f" {count}", style="dim")
            options.append(Option(line, id=f"{kind}:{name}"))
        self.clear_options()
        self.add_options(options)
        ids = [option.id for option in options]
        if current is not None and current in ids:
            self.highlighted = ids.index(current)
        elif highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

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
