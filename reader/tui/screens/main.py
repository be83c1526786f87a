"""The main screen: the views sidebar, the list of abstracts, the detail pane, the filter.

Every change goes through the Library (so it is on disk when the call returns); the
screen only decides what to show. The `Change` each call returns is kept in `history`
for undo and redo.
"""

from __future__ import annotations

import time
from typing import ClassVar

import numpy as np
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import get_current_worker

from reader.core.errors import QueryError, ReaderError
from reader.core.library import Library
from reader.core.models import EMPTY, Abstract, Status
from reader.core.search import query as query_language
from reader.tui.history import History
from reader.tui.screens.changes import ChangesMixin
from reader.tui.screens.palette import PaletteMixin
from reader.tui.screens.triage import TriageMixin
from reader.tui.screens.views import ViewsMixin
from reader.tui.sorting import SORT_CYCLE, SORT_LABELS
from reader.tui.widgets.abstract_list import AbstractList
from reader.tui.widgets.detail import DetailPane
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.library_header import LibraryHeader
from reader.tui.widgets.views_sidebar import ViewsSidebar

SLOW_SEARCH = 0.012
"""Seconds: a search slower than this sends the next ones to a thread."""
DETAIL_DELAY = 0.15
"""Seconds after the last keystroke in the filter before the detail pane follows."""
POLL_SECONDS = 2.0
"""How often to look for changes written by another process."""

NARROW_WIDTH = 100
"""Below this many columns the screen shows one pane at a time (and no views sidebar)."""

STATUS_KEYS = Binding.Group("status", compact=True)


class MainScreen(TriageMixin, ChangesMixin, ViewsMixin, PaletteMixin, Screen[None]):
    """The views sidebar (v), the list, the detail of the highlighted abstract, the filter.

    The keys that change annotations are in `TriageMixin`, undo and redo in
    `ChangesMixin`, the views in `ViewsMixin`, the palette and help rows in `PaletteMixin`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: the app runs it as the key arrives, so the keys queued behind it
        # already go to the filter (see action_focus_filter)
        Binding("slash", "focus_filter", "Filter", show=False, id="filter", priority=True),
        *(
            Binding(
                str(n),
                f"set_status('{status.value}')",
                f"Status: {status.label}",
                id=f"status.{status.value}",
                group=STATUS_KEYS,
            )
            for n, status in enumerate(Status, 1)
        ),
        Binding("s", "pick_status", "Status", show=False, id="status.pick"),
        Binding("t", "tag", "Tags", id="tags"),
        Binding("n", "edit_note", "Note", id="note"),
        Binding("e", "edit_note_in_editor", "Note in $EDITOR", show=False, id="note.editor"),
        Binding("T", "set_title", "Title", show=False, id="title"),
        Binding("o", "open_link", "Open on arXiv", show=False, id="open-link"),
        Binding("y", "copy_id", "Copy id", show=False, id="copy-id"),
        Binding("S", "cycle_sort", "Sort", id="sort"),
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="reload"),
        Binding("space", "toggle_mark", "Mark", id="mark"),
        Binding("asterisk", "mark_all", "Mark all shown", show=False, id="mark.all"),
        Binding("v", "toggle_views", "Views", id="views"),
        Binding("V", "save_view", "Save view", show=False, id="views.save"),
        Binding("z,ctrl+z", "undo", "Undo", id="undo"),
        Binding("Z,ctrl+y", "redo", "Redo", show=False, id="redo"),
    ]

    query_text: var[str] = var("")
    """The query whose result is shown (the last one that parsed)."""
    sort: var[str] = var("source")
    auto_advance: var[bool] = var(True)
    """Move to the next row after a status key."""
    narrow: var[bool] = var(False)
    """One pane at a time (a terminal narrower than `NARROW_WIDTH`)."""
    show_views: var[bool] = var(False)
    """The views sidebar is shown (v); never in the narrow layout."""
    detail_open: var[bool] = var(False)
    """In the narrow layout: the detail pane is shown instead of the list."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.terms: tuple[str, ...] = ()
        """Words of the current query, highlighted in the list and the detail."""
        self.history = History()
        """The session's changes, oldest first, for undo (z) and redo (Z)."""
        self._latest = ("", self.sort)
        """The (query, sort) last sent for evaluation: older results are dropped."""
        self._slow_search = False
        self._detail_timer: Timer | None = None
        self._keys_state = (True, True)
        """(a row is highlighted, it has an arXiv link): what `check_action` depends on."""
        self._store_error: str | None = None
        """The data-file error last shown by the poll (shown again only when it changes)."""

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield LibraryHeader(id="header")
        with Horizontal(id="panes"):
            yield ViewsSidebar(self.library, id="views")
            yield AbstractList(self.library, id="list")
            yield DetailPane(id="detail")
        yield FilterBar(id="filter")
        yield Footer()

    @property
    def abstract_list(self) -> AbstractList:
        return self.query_one("#list", AbstractList)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one("#filter", FilterBar)

    def on_mount(self) -> None:
        self.filter_bar.show_error(None)
        self.narrow = self.app.size.width < NARROW_WIDTH
        self._search("", self.sort)
        self._update_header()
        if not self.filter_bar.has_focus_within:  # a `/` typed at once focused it
            self.set_focus(self.abstract_list)
        self.set_interval(POLL_SECONDS, self._poll)

    def on_resize(self, event: Resize) -> None:
        self.narrow = event.size.width < NARROW_WIDTH

    def watch_narrow(self, narrow: bool) -> None:
        self.set_class(narrow, "-narrow")
        if not narrow:
            self.detail_open = False
        elif self.is_mounted and self.focused is self.query_one(ViewsSidebar):
            self.set_focus(self.abstract_list)  # the sidebar is hidden now

    def watch_detail_open(self, detail_open: bool) -> None:
        self.set_class(detail_open, "-detail-open")
        if detail_open:
            self.set_focus(self.detail)
        elif self.is_mounted and self.focused is self.detail:
            self.set_focus(self.abstract_list)
        self.refresh_bindings()

    def _update_header(self) -> None:
        lib = self.library
        self.query_one(LibraryHeader).show(
            lib.data_dir, len(lib), lib.status_counts(), read_only=lib.read_only
        )

    def _update_border(self) -> None:
        abstract_list = self.abstract_list
        shown, total = len(abstract_list.rows), len(self.library)
        order = SORT_LABELS.get(self.sort, self.sort)
        if self.sort == "relevance" and not self.terms:
            order = "date (relevance needs words in the filter)"
        abstract_list.border_title = f"{shown} of {total} · sorted by {order}"
        notes = [] if self.auto_advance else ["auto-advance off"]
        marked = len(abstract_list.marked)
        if marked:
            hidden = marked - abstract_list.marked_shown()
            notes.insert(0, f"{marked} marked" + (f" ({hidden} not shown)" if hidden else ""))
        abstract_list.border_subtitle = " · ".join(notes)

    def watch_auto_advance(self) -> None:
        if self.is_mounted:
            self._update_border()

    # ---------------------------------------------------------------- filtering
    def _evaluate(self, text: str, sort: str) -> tuple[np.ndarray, tuple[str, ...]]:
        """The rows and highlight terms of `text` (raises QueryError)."""
        node = self.library.parse_query(text)
        rows = self.library.rows(node, sort)
        return rows, tuple(query_language.terms(node))

    def _search(self, text: str, sort: str) -> None:
        """Show the result of `text`: at once while searches are fast (a few ms even at
        100k), from a thread as soon as one was slower than a frame, so typing never
        waits; back on the UI thread when they are fast again."""
        self._latest = (text, sort)
        if self._slow_search:
            self._search_in_thread(text, sort)
            return
        start = time.perf_counter()
        try:
            result = self._evaluate(text, sort)
        except QueryError as error:
            self._show_error(text, error)
        else:
            self._show_result(text, sort, result)
        self._slow_search = time.perf_counter() - start > SLOW_SEARCH

    @work(thread=True, exclusive=True, group="search")
    def _search_in_thread(self, text: str, sort: str) -> None:
        worker = get_current_worker()
        start = time.perf_counter()
        try:
            result = self._evaluate(text, sort)
            self._slow_search = time.perf_counter() - start > SLOW_SEARCH / 2
        except QueryError as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_error, text, error)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_result, text, sort, result)

    def _show_error(self, text: str, error: QueryError) -> None:
        if (text, self.sort) == self._latest:
            self.filter_bar.show_error(str(error))

    def _show_result(
        self, text: str, sort: str, result: tuple[np.ndarray, tuple[str, ...]]
    ) -> None:
        if (text, sort) != self._latest:
            return  # the user typed on (or sorted) since: a newer search is coming
        rows, terms = result
        self.query_text = text
        self.terms = terms
        self.filter_bar.show_error(None)
        abstract_list = self.abstract_list
        abstract_list.terms = terms
        abstract_list.set_rows(rows)
        self._update_border()
        self._view_shown(text)
        if self.filter_bar.has_focus_within:
            # while typing, the list repaints first; the detail follows when typing pauses
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_detail)
        else:
            self._show_detail()
        self.refresh_bindings()

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        self._search(event.value, self.sort)

    @on(FilterBar.Leave)
    def _filter_done(self) -> None:
        if self._detail_timer is not None:  # done typing: the detail catches up now
            self._detail_timer.stop()
            self._detail_timer = None
            self._show_detail()
        if self.narrow and self.detail_open:
            self.set_focus(self.detail)
        else:
            self.set_focus(self.abstract_list)

    def action_focus_filter(self) -> None:
        """`/`: focus the filter before the next key is routed, so that `/OOCR` in one
        burst (a paste, a fast typist over SSH) types OOCR in the filter instead of
        sending o, e, s, n, t to the list as commands. A priority binding runs as the app
        takes the key from the terminal; a plain one ran only once the key had come back
        from the list, after the app had already sent the next keys to the list."""
        if self.filter_bar.has_focus_within:
            raise SkipAction()  # in the filter, `/` is a character of the query
        self.filter_bar.focus_input()

    def clear_filter(self) -> None:
        self.filter_bar.value = ""
        self._search("", self.sort)

    def action_cycle_sort(self) -> None:
        cycle = SORT_CYCLE if self.terms else SORT_CYCLE[:-1]
        index = cycle.index(self.sort) if self.sort in cycle else -1
        self.set_sort(cycle[(index + 1) % len(cycle)])

    def set_sort(self, sort: str) -> None:
        self.sort = sort
        self._search(self.query_text, sort)
        self._update_border()

    def action_reload(self) -> None:
        """Pick up changes from other processes and re-run the filter."""
        self._pick_up_changes(always=True)

    def _poll(self) -> None:
        self._pick_up_changes(always=False)

    def _pick_up_changes(self, *, always: bool) -> None:
        """Refresh from disk and show what happened: a recovered data file once, an
        error once while it lasts (the poll repeats every 2 s; ctrl+r always says)."""
        index = self.library.index
        try:
            changed = self.library.refresh()
        except ReaderError as error:
            if always or str(error) != self._store_error:
                self.notify(str(error), severity="error", timeout=10)
            self._store_error = str(error)
            return
        self._store_error = None
        notices = self.library.take_notices()
        for notice in notices:
            self.notify(notice, severity="warning", timeout=10)
        if changed or notices or always:
            self._reload_view(index)

    def _reload_view(self, index: object) -> None:
        """Show what changed on disk; `index` is the library's index from before."""
        if self.library.index is not index and self.abstract_list.marked:
            # the abstracts were reloaded (an import): rows may now be other records
            self.abstract_list.clear_marks()
            self.notify("The library was re-imported; the marks are cleared.")
        self._search(self.query_text, self.sort)
        self._changed()

    # ---------------------------------------------------------------- detail
    @on(AbstractList.Highlighted)
    def _highlighted(self) -> None:
        self._show_detail()
        abstract = self._current()
        keys = (abstract is not None, bool(abstract and abstract.url))
        if keys != self._keys_state:  # the footer recomposes: only when keys come or go
            self._keys_state = keys
            self.refresh_bindings()

    @on(AbstractList.Selected)
    def _selected(self) -> None:
        self.action_open_detail()

    def _current(self) -> Abstract | None:
        row = self.abstract_list.row
        return None if row is None else self.library.abstract_at(row)

    def _show_detail(self) -> None:
        abstract = self._current()
        annotation = self.library.annotation(abstract.id) if abstract else EMPTY
        self.detail.show(abstract, annotation, self.terms)

    def action_open_detail(self) -> None:
        if self.narrow:
            self.detail_open = True
        else:
            self.set_focus(self.detail)

    def action_back(self) -> None:
        if self.abstract_list.marked and self.focused is self.abstract_list:
            self.abstract_list.clear_marks()
        elif self.detail_open:
            self.detail_open = False
        elif self.focused is not self.abstract_list:
            self.set_focus(self.abstract_list)
        elif self.filter_bar.value or self.query_text:
            self.clear_filter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # shown only when there is somewhere to go back to
            return bool(
                self.abstract_list.marked
                or self.detail_open
                or self.focused is not self.abstract_list
                or self.filter_bar.value
                or self.query_text
            )
        if action in {"focus_filter", "cycle_sort", "reload"}:
            return True
        abstract = self._current() if self.is_mounted else None
        if abstract is None:
            return None
        if action == "open_link" and not abstract.url:
            return None
        return True

    def action_open_link(self) -> None:
        abstract = self._current()
        if abstract is not None and abstract.url:
            self.app.open_url(abstract.url)
            self.notify(f"Opening {abstract.url}")

    def action_copy_id(self) -> None:
        abstract = self._current()
        if abstract is None:
            return
        text = abstract.arxiv_id or abstract.text.split(". ")[0]
        self.app.copy_to_clipboard(text)
        # OSC 52 asks the terminal to copy; none says whether it did (tmux drops it
        # unless `set-clipboard on`), so the app says what it did, not "Copied"
        self.notify(f"{text[:60]} sent to the terminal's clipboard (OSC 52)", title="Clipboard")
