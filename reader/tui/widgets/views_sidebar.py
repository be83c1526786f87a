"""The views sidebar: named queries with live counts; choosing one filters the list.

Built-in views (Inbox, To read, Reading, Read, Skipped, With notes), one per tag and
per source, then the user's saved views. Posts `Chosen(query)`; the screen applies it.
The counts come from the Library (`count`), recomputed by `refresh_counts` after each
change: a few ms even at 100k.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.core.errors import QueryError
from reader.core.library import Library

BUILT_IN = (
    ("Inbox", "status:unread"),
    ("To read", "status:to-read"),
    ("Reading", "status:reading"),
    ("Read", "status:read"),
    ("Skipped", "status:skipped"),
    ("With notes", "has:note"),
)


def view_list(library: Library) -> list[tuple[str, str, str]]:
    """(group, name, query) of every view to show, in order."""
    views = [("", name, query) for name, query in BUILT_IN]
    views += [("tags", f"#{tag}", f"tag:{tag}") for tag in sorted(library.tag_counts())]
    views += [("sources", name, f"source:{name}") for name in sorted(library.source_counts())]
    views += [("saved", v.name, v.query) for v in library.views()]
    return views


class ViewsSidebar(OptionList):
    """One line per view: its name and how many abstracts it holds now."""

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

    def on_mount(self) -> None:
        self.border_title = "Views"
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Rebuild the lines with fresh counts, keeping the highlighted view."""
        highlighted = self.highlighted
        self._views = view_list(self.library)
        options: list[Option] = []
        group = ""
        for kind, name, query in self._views:
            if kind != group:
                group = kind
                options.append(Option(Text(kind, style="dim italic"), disabled=True))
            try:
                count = str(self.library.count(query))
            except QueryError:  # a saved view whose query no longer parses
                count = "?"
            line = Text(name, no_wrap=True, overflow="ellipsis")
            line.append(f" {count}", style="dim")
            options.append(Option(line, id=f"{kind}:{name}"))
        self.clear_options()
        self.add_options(options)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

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
