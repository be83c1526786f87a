"""The part of the main screen that shows views: the sidebar (v), saving one (V), and
the palette's commands to show, rename and delete them. Saving or renaming onto the
name of another view asks first (`ConfirmScreen`, showing the query it would replace).

Narrow terminals (one pane at a time) have no room for the sidebar: there `v` says so
and points to the palette, which lists every view ("Show view Inbox").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from reader.core.errors import ReaderError
from reader.core.library import Library
from reader.core.views import Replace, View, ViewExistsError
from reader.tui.commands import Command
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.prompt import PromptScreen
from reader.tui.widgets.views_sidebar import ViewsSidebar, view_list

if TYPE_CHECKING:
    from reader.tui.widgets.abstract_list import AbstractList
    from reader.tui.widgets.filter_bar import FilterBar


class ViewsMixin:
    """Views sidebar actions for `MainScreen`."""

    library: Library
    show_views: bool
    narrow: bool
    query_text: str
    sort: str
    is_mounted: bool
    app: Any
    focused: Any
    notify: Callable[..., None]
    query_one: Callable[..., Any]
    set_class: Callable[..., Any]
    set_focus: Callable[..., Any]
    _search: Callable[[str, str], None]

    if TYPE_CHECKING:

        @property
        def abstract_list(self) -> AbstractList: ...

        @property
        def filter_bar(self) -> FilterBar: ...

    def action_toggle_views(self) -> None:
        if self.narrow and not self.show_views:
            self.notify(
                "The views sidebar needs a wider terminal (100 columns); here, "
                "ctrl+p then 'show view' lists the views.",
                title="Views",
            )
            return
        self.show_views = not self.show_views

    def watch_show_views(self, show: bool) -> None:
        self.set_class(show, "-views")
        if self.is_mounted:
            sidebar = self.query_one(ViewsSidebar)
            if show:
                sidebar.active = self.query_text
                sidebar.refresh_counts()
                sidebar.highlight_active()
                self.set_focus(sidebar)
            elif self.focused is sidebar:
                self.set_focus(self.abstract_list)

    def _refresh_views(self) -> None:
        if self.show_views:
            self.query_one(ViewsSidebar).refresh_counts()

    def _view_shown(self, query: str) -> None:
        """The list now shows `query`: the sidebar marks its view."""
        if self.show_views:
            self.query_one(ViewsSidebar).active = query

    def on_views_sidebar_chosen(self, event: ViewsSidebar.Chosen) -> None:
        self._apply_view(event.query)

    def _apply_view(self, query: str) -> None:
        """Filter the list by a view's query."""
        self.filter_bar.value = query
        self._search(query, self.sort)
        self.set_focus(self.abstract_list)

    def action_save_view(self) -> None:
        query = self.query_text

        def named(name: str | None) -> None:
            if name and name.strip():
                self._write_view(
                    lambda replace: self.library.save_view(name, query, replace=replace),
                    query,
                    lambda view: f"Saved the view {view.name!r}: {query or '(everything)'}",
                )

        self.app.push_screen(
            PromptScreen(
                f"Save the filter as a view: {query or '(everything)'}",
                placeholder="a name",
                hint="It shows in the views sidebar (v) and in `reader view list`.",
                id="view-prompt",
            ),
            named,
        )

    def _write_view(
        self,
        write: Callable[[Replace], View],
        query: str,
        done: Callable[[View], str],
        replace: Replace = False,
    ) -> None:
        """Save or rename a view with `write`; onto another view's name, ask first, and
        then replace only the view the dialog showed (if it changed, ask again)."""
        try:
            view = write(replace)
        except ViewExistsError as error:
            self._ask_replace(error.existing, query, partial(self._write_view, write, query, done))
            return
        except (ReaderError, ValueError) as error:
            self.notify(str(error), title="Views", severity="error")
            return
        self.notify(done(view))
        self.query_one(ViewsSidebar).refresh_counts()

    def _ask_replace(self, existing: View, query: str, replace: Callable[[View], None]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                replace(existing)
            else:
                self.notify(f"Kept the view {existing.name!r}: {existing.query or '(everything)'}")

        self.app.push_screen(
            ConfirmScreen(
                f"Replace the view {existing.name!r}?",
                f"It shows: {existing.query or '(everything)'}\n"
                f"It would show: {query or '(everything)'}",
                hint="y or enter: replace it · n or escape: keep it",
            ),  # no id: a view changed while this asked is asked about again at once
            answered,
        )

    def view_commands(self) -> list[Command]:
        """Palette commands to show each view, and to rename and delete saved ones."""
        commands = [
            Command(f"Show view {name}", query or "(everything)", partial(self._apply_view, query))
            for _, name, query in view_list(self.library)
        ]
        for view in self.library.views():
            commands.append(
                Command(
                    f"Rename view {view.name}",
                    view.query,
                    partial(self.rename_view, view.name),
                )
            )
            commands.append(
                Command(
                    f"Delete view {view.name}",
                    view.query,
                    partial(self.delete_view, view.name),
                )
            )
        return commands

    def rename_view(self, name: str) -> None:
        def renamed(new: str | None) -> None:
            if new and new.strip():
                shown = self.library.view(name)
                self._write_view(
                    lambda replace: self.library.rename_view(name, new, replace=replace),
                    shown.query if shown else "",
                    lambda view: f"Renamed {name!r} to {view.name!r}",
                )

        self.app.push_screen(
            PromptScreen(f"Rename the view {name!r}", value=name, id="view-rename"), renamed
        )

    def delete_view(self, name: str) -> None:
        self._view_change(lambda: self.library.delete_view(name), f"Deleted the view {name!r}")

    def _view_change(self, change: Callable[[], object], done: str) -> None:
        try:
            change()
        except (ReaderError, ValueError) as error:
            self.notify(str(error), title="Views", severity="error")
            return
        self.notify(done)
        self.query_one(ViewsSidebar).refresh_counts()
