"""The main screen: the views sidebar, the list of abstracts, the detail pane, the filter.

Every change goes through the Library (so it is on disk when the call returns); the
screen only decides what to show. The `Change` each call returns is kept in `history`
for undo and redo.

What lives elsewhere: marking rows (space, `*`) in `AbstractList`, which posts
`MarksChanged`; undo and redo stepping in `History`; the palette's commands in the
providers of `reader.tui.commands` (`COMMANDS`). The actions that change annotations
(status, tags, title, note) are the screen's: they apply to the marked rows when there
are any, else to the highlighted row (`_targets`), and each goes through `_try`.

Views: the sidebar (v), saving one (V); saving or renaming onto the name of another
view asks first (`ConfirmScreen`, showing the query it would replace). Narrow
terminals (one pane at a time) have no room for the sidebar: there `v` says so and
points to the palette, which lists every view ("Show view Inbox").

Messages from the widgets are handled with `@on(...)`; `on_mount` is the one
lifecycle hook.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

import numpy as np
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.events import Resize
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker

from reader.core.changes import ConflictError
from reader.core.errors import BusyError, IndexDamaged, QueryError, ReaderError
from reader.core.library import Change, Library, Refreshed
from reader.core.models import EMPTY, Abstract, Record, Status, format_tags
from reader.core.views import Replace, View, ViewExistsError
from reader.tui import outward
from reader.tui.commands import (
    FROM_PALETTE,
    KeyCommands,
    LibraryCommands,
    MainCommands,
    ViewCommands,
    key_bindings,
    key_display,
)
from reader.tui.discover import DiscoverCommands
from reader.tui.export_commands import ExportCommands
from reader.tui.history import History
from reader.tui.pending import Pending, PendingWrites
from reader.tui.render import latex_text
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.status_picker import StatusPicker
from reader.tui.session import Place
from reader.tui.sorting import SORT_CYCLE, SORT_LABELS, SortChoice, has_words
from reader.tui.suggesters import TagSuggester, split_tags
from reader.tui.widgets.abstract_list import AbstractList
from reader.tui.widgets.detail import DetailPane
from reader.tui.widgets.filter_bar import FilterBar
from reader.tui.widgets.footer import ReaderFooter
from reader.tui.widgets.library_header import LibraryHeader
from reader.tui.widgets.views_sidebar import ViewsSidebar

if TYPE_CHECKING:
    from reader.core.discover.engine import Discover
    from reader.core.discover.vectors import UserData
    from reader.tui.app import ReaderApp

SLOW_SEARCH = 0.012
"""Seconds: a search slower than this sends the next ones to a thread. Measured in the
CPU time of the thread that searched: its wall time also counts the other processes
and, in a thread, the UI thread's turns with the GIL (drawing the last result), which
kept fast searches in the thread, where they fought the drawing for the GIL again."""
DETAIL_DELAY = 0.15
"""Seconds after the last keystroke in the filter before the detail pane follows."""
POLL_SECONDS = 2.0
"""How often to look for changes written by another process."""

SIMILAR = 50
"""Abstracts a ranking (`m`, "might also be tagged") shows at most."""

NARROW_WIDTH = 100
"""Below this many columns the screen shows one pane at a time (and no views sidebar)."""

STATUS_KEYS = Binding.Group("status", compact=True)


def _n(ids: list[str]) -> str:
    """`2306.04031`, or `3 abstracts`: what a change applies to, in messages."""
    return ids[0] if len(ids) == 1 else f"{len(ids)} abstracts"


class MainScreen(Screen[None]):
    """The views sidebar (v), the list, the detail of the highlighted abstract, the filter."""

    COMMANDS = {
        KeyCommands,
        MainCommands,
        ViewCommands,
        ExportCommands,
        LibraryCommands,
        DiscoverCommands,
    }
    """The palette (ctrl+p) over this screen: every key's action, and those without a key."""

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
        # priority too, for the keys typed right after them (see _typing_in_filter)
        Binding("s", "pick_status", "Status", show=False, id="status.pick", priority=True),
        Binding("t", "tag", "Tags", id="tags", priority=True),
        Binding("n", "edit_note", "Note", id="note", priority=True),
        Binding("e", "edit_note_in_editor", "Note in $EDITOR", show=False, id="note.editor"),
        Binding("T", "set_title", "Title", show=False, id="title", priority=True),
        Binding("o", "open_link", "Open the abstract page", show=False, id="open-link"),
        Binding("p", "open_pdf", "Open the PDF", show=False, id="open-pdf"),
        Binding("L", "show_links", "Links", show=False, id="links", priority=True),
        Binding(
            "y", "copy_id", "Copy id, BibTeX, URL, link", show=False, id="copy-id", priority=True
        ),
        Binding("S", "cycle_sort(1)", "Sort", id="sort"),
        Binding("ctrl+s", "cycle_sort(-1)", "Sort back", show=False, id="sort.back"),
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="reload"),
        Binding("v", "toggle_views", "Views", id="views"),
        Binding("V", "save_view", "Save view", show=False, id="views.save", priority=True),
        Binding("z,ctrl+z", "undo", "Undo", id="undo"),
        Binding("Z,ctrl+y", "redo", "Redo", show=False, id="redo"),
        Binding("m", "more_like_this", "More like this", show=False, id="similar"),
        Binding("percent_sign", "stats", "Stats", show=False, id="stats"),
    ]

    query_text: var[str] = var("")
    """The query whose result is shown (the last one that parsed)."""
    sort: var[str] = var("date")
    """The order shown; relevance comes and goes with words in the query unless the
    user picked a sort for them (`SortChoice`)."""
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
        self.history = History(library)
        """The session's changes, oldest first, for undo (z) and redo (Z)."""
        self._latest = ("", self.sort)
        """The (query, sort) last sent for evaluation: older results are dropped. Its
        query is the one typed, which `query_text` becomes once its result is shown."""
        self._slow_search = False
        self._detail_timer: Timer | None = None
        self._keys: list[tuple[str, ActiveBinding]] | None = None
        """The keys the footer shows, as last published (see `_refresh_keys`)."""
        self._store_error: str | None = None
        """The data-file error last shown by the poll (shown again only when it changes)."""
        self._rejected: str | None = None
        """The query last typed, when it did not parse (see `wanted_query`)."""
        self.place = Place(library, self.set_timer)
        """Where the screen is, kept in the library's ui.json to reopen there."""
        self.sort_choice = SortChoice(self.place.state.sort)
        """The sort the user picked, and relevance while the query has words."""
        self.pending = PendingWrites(self, library, self._pending_changed)
        """Changes waiting while another process writes (`reader.tui.pending`)."""
        self._training = False
        """A "for you" model is being trained (see `_keep_for_you_fresh`)."""
        self._told = ""
        """Why "for you" has no model, as last told (told again only when it changes)."""
        self._ranked: tuple[str, np.ndarray] | None = None
        """(what, rows best first) while the list shows a ranking (`m`, "might also be
        tagged"): the filter then narrows it; escape leaves it."""

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield LibraryHeader(id="header")
        with Horizontal(id="panes"):
            yield ViewsSidebar(self.library, id="views")
            yield AbstractList(self.library, id="list")
            yield DetailPane(id="detail")
        yield FilterBar(id="filter")
        yield ReaderFooter()

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
        self._reopen()
        self._update_header()
        if not self.filter_bar.has_focus_within:  # a `/` typed at once focused it
            self.set_focus(self.abstract_list)
        self.set_interval(POLL_SECONDS, self._poll)

    def _reopen(self) -> None:
        """Show what the user left: filter, sort, sidebar, the highlighted abstract."""
        state = self.place.state
        self.filter_bar.history = list(state.history)
        typing = self.filter_bar.has_focus_within and state.query  # a `/` typed at once
        self.filter_bar.reset(state.query + (" " if typing else ""))
        self.sort = self.sort_choice.sort_for(has_words(state.query))
        self._search(state.query, self.sort)
        if state.highlighted:
            with contextlib.suppress(KeyError):  # an abstract no longer in the library
                self.abstract_list.move_to(self.library.row_of(state.highlighted))
        self.show_views = state.sidebar and not self.narrow

    def on_unmount(self) -> None:
        self.place.flush()

    def _moved(self) -> None:
        """The place changed: keep it (written a moment later, see `Place`)."""
        row = self.abstract_list.row
        self.place.changed(
            query=self.wanted_query,
            sort=self.sort_choice.picked,
            sidebar=self.show_views,
            highlighted="" if row is None else self.library.abstract_at(row).id,
        )

    @on(Resize)
    def _resized(self, event: Resize) -> None:
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
        if self.sort == "for-you":
            from reader.core.discover.engine import Ranked

            order += f" ({Ranked(abstract_list.rows, self.discover().for_you_model).note})"
        abstract_list.border_title = f"{shown} of {total} · sorted by {order}"
        if self._ranked is not None:
            abstract_list.border_title = f"{shown} {self._ranked[0]}"

    def watch_auto_advance(self) -> None:
        self._update_notes()

    def _update_notes(self) -> None:
        """What the list's border says under it: auto-advance off, changes waiting."""
        if self.is_mounted:
            notes: tuple[str, ...] = () if self.auto_advance else ("auto-advance off",)
            if self.pending:
                notes += (f"⧗ {len(self.pending)} waiting for another process",)
            self.abstract_list.notes = notes

    # ---------------------------------------------------------------- filtering
    def _evaluate(self, text: str, sort: str) -> tuple[np.ndarray, tuple[str, ...]]:
        """The rows and highlight terms of `text` (raises QueryError)."""
        ranked = self._ranked
        found = self.library.search(text, "source" if ranked else sort)
        if ranked is not None:  # the ranking's order, narrowed by the filter
            return ranked[1][np.isin(ranked[1], found.rows)], found.terms
        return found.rows, found.terms

    def _search(self, text: str, sort: str) -> None:
        """Show the result of `text`: at once while searches are fast (a few ms even at
        100k), from a thread as soon as one was slower than a frame, so typing never
        waits; back on the UI thread when they are fast again."""
        self._latest = (text, sort)
        if sort == "for-you":
            self.discover()  # the library orders for you with it: in the app's mode
        if self._slow_search:
            self._search_in_thread(text, sort)
            return
        start = time.thread_time()
        try:
            result = self._evaluate(text, sort)
        except QueryError as error:
            self._show_error(text, error)
        else:
            self._show_result(text, sort, result)
        self._slow_search = time.thread_time() - start > SLOW_SEARCH

    @work(thread=True, exclusive=True, group="search")
    def _search_in_thread(self, text: str, sort: str) -> None:
        worker = get_current_worker()
        start = time.thread_time()
        try:
            result = self._evaluate(text, sort)
            self._slow_search = time.thread_time() - start > SLOW_SEARCH / 2
        except QueryError as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_error, text, error)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_result, text, sort, result)

    @property
    def wanted_query(self) -> str:
        """The query the list shows or is about to show: the one typed in the filter (or
        set by a view), even while a thread still searches it; when it did not parse,
        the last one that did (`query_text`, still shown). Sorting, reloading and
        saving a view (V) act on this one."""
        typed = self._latest[0]
        return self.query_text if typed == self._rejected else typed

    def _show_error(self, text: str, error: QueryError) -> None:
        if not self.is_attached:
            return  # the app quit while a thread searched
        if (text, self.sort) == self._latest:
            self._rejected = text
            self.filter_bar.show_error(str(error))

    def _show_result(
        self, text: str, sort: str, result: tuple[np.ndarray, tuple[str, ...]]
    ) -> None:
        if not self.is_attached:
            return  # the app quit while a thread searched
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
        self._moved()
        self._detail_follows()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Refresh the footer when the keys that act (or are disabled) changed: it
        recomposes on every `refresh_bindings` (5 to 10 ms, each keystroke in the filter
        made one); computing the keys takes 0.2 ms."""
        keys = list(self.active_bindings.items())
        if keys != self._keys:
            self._keys = keys
            self.refresh_bindings()

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        try:
            self.sort = self.sort_choice.sort_for(has_words(event.value))
            self._search(event.value, self.sort)
        finally:
            # the query and its rows go to the terminal in one frame: the list asks for
            # its repaint as it goes idle, right after this callback
            if not self.abstract_list.call_later(event.release):
                event.release()

    @on(FilterBar.Leave)
    def _filter_done(self) -> None:
        self.place.add_query(self.filter_bar.value)
        self.filter_bar.history = list(self.place.history)
        if self._detail_timer is not None:  # done typing: the detail catches up now
            self._detail_timer.stop()
            self._detail_timer = None
            self._show_detail()
        if self.narrow and self.detail_open:
            self.set_focus(self.detail)
        else:
            self.set_focus(self.abstract_list)
        self.filter_bar.hand_on_keys()  # typed after escape or enter: theirs now

    def action_focus_filter(self) -> None:
        """`/`: focus the filter before the next key is routed, so that `/OOCR` in one
        burst (a paste, a fast typist over SSH) types OOCR in the filter instead of
        sending o, e, s, n, t to the list as commands. A priority binding runs as the app
        takes the key from the terminal; a plain one ran only once the key had come back
        from the list, after the app had already sent the next keys to the list."""
        if self.filter_bar.has_focus_within:
            raise SkipAction()  # in the filter, `/` is a character of the query
        self.filter_bar.focus_input()

    def _typing_in_filter(self) -> None:
        """The keys that open a dialog (s t n T V) are priority bindings, like `/`: the
        dialog opens as the app takes the key, so the keys typed right after it reach
        the dialog (which holds them until it has focus, see `Dialog`), not the list.
        In the filter they are characters of the query: skip the binding there (only
        for a key: the same action run from the palette still runs)."""
        if not FROM_PALETTE.get() and self.filter_bar.has_focus_within:
            raise SkipAction()

    def clear_filter(self) -> None:
        self.filter_bar.value = ""
        self.sort = self.sort_choice.sort_for(False)
        self._search("", self.sort)

    def action_cycle_sort(self, step: int = 1) -> None:
        """S: the next order; ctrl+s: the previous one."""
        cycle = SORT_CYCLE if self.terms else SORT_CYCLE[:-1]
        index = cycle.index(self.sort) if self.sort in cycle else (-1 if step > 0 else 0)
        self.set_sort(cycle[(index + step) % len(cycle)])

    def set_sort(self, sort: str) -> None:
        """The user picked `sort` (S, ctrl+s, the palette)."""
        self.sort_choice.pick(sort, words=bool(self.terms))
        self.sort = sort
        self._search(self.wanted_query, sort)
        self._update_border()
        self._moved()
        self._keep_for_you_fresh()

    # ---------------------------------------------------------------- discover
    def discover(self) -> Discover:
        """The library's similarity and learned orders, in the app's mode: models train
        in `_train_for_you`, never on the UI thread (`Discover.background`). Made when
        first used (the list is sorted for you, `m`, a "might also be tagged"), not at
        start."""
        discover = self.library.discover
        discover.background = True
        return discover

    def _keep_for_you_fresh(self) -> None:
        """While the list is sorted for you, retrain on every change of the decisions
        (in a worker; the list re-sorts when the model is ready). One training at a
        time: changes made meanwhile are trained on when it ends (a thread cannot be
        stopped, so fast triage would otherwise pile trainings up)."""
        discover = self.discover()
        if self.sort == "for-you" and not discover.for_you_fresh and not self._training:
            self._training = True
            self._train_for_you(discover.snapshot())

    @work(thread=True, group="for-you")
    def _train_for_you(self, data: UserData) -> None:
        try:
            self.discover().train_for_you(data)
        except IndexDamaged as error:
            self.app.call_from_thread(self._index_damaged, error)
        finally:
            if not get_current_worker().is_cancelled:  # (cancelled: the app is closing)
                self.app.call_from_thread(self._for_you_trained)

    def _index_damaged(self, error: IndexDamaged) -> None:
        """A worker found the saved search index damaged: drop it (the next search
        rebuilds it from the corpus) and say so."""
        self.library.index_damaged()
        self.notify(f"{error}: it is rebuilt from the abstracts.", severity="error")

    def _for_you_trained(self) -> None:
        self._training = False
        self._keep_for_you_fresh()  # decisions changed while it trained: again
        if self.is_attached and self.sort == "for-you":
            self._search(self.wanted_query, self.sort)
            self._update_border()
            model = self.discover().for_you_model
            if model is not None and not model.usable and model.reason != self._told:
                kept = "read, reading, to-read, tagged or noted"
                self.notify(f"For you {model.reason} (kept: {kept}); by date meanwhile.")
            self._told = model.reason if model is not None else ""

    def action_more_like_this(self) -> None:
        """`m`: the abstracts most like the highlighted one, as a ranking escape leaves."""
        row = self.abstract_list.row
        if row is not None:
            title = self.library.record_at(row).title
            label = f"similar to {title if len(title) <= 40 else title[:39] + '…'}"
            discover = self.discover()
            if not discover.ready:
                self.notify("Weighing the library's words (once)…", title="More like this")
            data = discover.snapshot()  # here: the worker must not read the index
            self._rank(label, lambda: discover.similar(row, SIMILAR, data).rows, "")

    def might_be_tagged(self, tag: str) -> None:
        """The untagged abstracts most like those tagged `tag` (a palette command)."""
        data = self.discover().snapshot()  # here: the worker must not read the index

        def find() -> np.ndarray | str:
            ranked = self.discover().might_be_tagged(tag, SIMILAR, data)
            model = ranked.model
            return ranked.rows if model is None or model.usable else f"#{tag}: {model.reason}"

        self._rank(f"might also be tagged #{tag}", find, f"No abstract to suggest for #{tag}")

    @work(thread=True, exclusive=True, group="rank")
    def _rank(self, label: str, find: Callable[[], np.ndarray | str], empty: str) -> None:
        try:
            found = find()
        except IndexDamaged as error:
            self.app.call_from_thread(self._index_damaged, error)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_ranked, label, found, empty)

    def _show_ranked(self, label: str, found: np.ndarray | str, empty: str) -> None:
        if not self.is_attached:
            return
        if isinstance(found, str) or not len(found):
            self.notify(found if isinstance(found, str) else empty or "Nothing similar found.")
            return
        self._ranked = (label, found)
        self._search(self.wanted_query, self.sort)
        self.abstract_list.cursor = 0
        self.set_focus(self.abstract_list)

    def leave_ranked(self) -> None:
        self._ranked = None
        self._search(self.wanted_query, self.sort)

    def action_stats(self) -> None:
        from reader.tui.screens.stats import StatsScreen  # plotext: only when asked for

        self.app.push_screen(StatsScreen(self.library))

    def action_reload(self) -> None:
        """Pick up changes from other processes and re-run the filter."""
        self._pick_up_changes(always=True)

    def _poll(self) -> None:
        self._pick_up_changes(always=False)

    def _pick_up_changes(self, *, always: bool) -> None:
        """Refresh from disk and show what happened: a recovered data file once, an
        error once while it lasts (the poll repeats every 2 s; ctrl+r always says)."""
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
            self._reload_view(changed)

    def _reload_view(self, changed: Refreshed) -> None:
        """Show what changed on disk (`changed`: what `Library.refresh` found)."""
        if changed.corpus:
            self._ranked = None  # its rows were rows of the abstracts before the import
        if changed.rows_moved:
            if self.abstract_list.marked:
                self.notify("Abstracts were removed elsewhere; the marks are cleared.")
            self._rows_moved()
        else:  # rows kept their records (an import or a fetch only adds at the end)
            self._search(self.wanted_query, self.sort)
        self._changed()

    def _rows_moved(self) -> None:
        """The corpus changed (an import, a removal, its undo): rows may now be other
        records, so the marks go and the list is searched again at once (a search
        still running in a thread holds old rows: it is dropped)."""
        self.abstract_list.clear_marks()
        self.workers.cancel_group(self, "search")
        text, sort = self.wanted_query, self.sort
        try:
            result = self._evaluate(text, sort)
        except QueryError:  # typed while a thread searched, and it does not parse
            text = self.query_text
            result = self._evaluate(text, sort)
        self._latest = (text, sort)
        self._show_result(text, sort, result)

    # ---------------------------------------------------------------- detail
    @on(AbstractList.Highlighted)
    def _highlighted(self) -> None:
        self._detail_follows()
        self._moved()
        self._refresh_keys()

    def _detail_follows(self) -> None:
        """Show the highlighted abstract in the detail pane: at once, or while the user
        types in the filter, once typing pauses (the list repaints first)."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if self.filter_bar.has_focus_within:
            self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_detail)
        else:
            self._show_detail()

    @on(AbstractList.Selected)
    def _selected(self) -> None:
        self.action_open_detail()

    @on(DetailPane.Step)
    def _detail_step(self, event: DetailPane.Step) -> None:
        """J/K in the detail pane: the next or previous abstract, staying in the pane."""
        abstract_list = self.abstract_list
        before = abstract_list.cursor
        abstract_list.cursor += event.by
        if abstract_list.cursor == before:
            self.notify("This is the " + ("last" if event.by > 0 else "first") + " abstract.")

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
        elif self._ranked is not None:
            self.leave_ranked()
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
                or self._ranked is not None
            )
        if action in {"focus_filter", "cycle_sort", "reload", "stats"}:
            return True
        abstract = self._current() if self.is_mounted else None
        if abstract is None:
            return None
        return True

    # ---------------------------------------------------------------- out (reader.tui.outward)
    def _current_record(self) -> Record | None:
        abstract = self._current()
        return None if abstract is None else self.library.record(abstract.id)

    def action_open_link(self) -> None:
        if (rec := self._current_record()) is not None:
            outward.open_page(self, rec)

    def action_open_pdf(self) -> None:
        if (rec := self._current_record()) is not None:
            outward.open_page(self, rec, pdf=True)

    def action_search_arxiv(self) -> None:
        if (rec := self._current_record()) is not None:
            outward.search_arxiv(self, rec)

    def action_show_links(self) -> None:
        self._typing_in_filter()
        if (rec := self._current_record()) is not None:
            outward.show_links(self, rec)

    def action_copy_id(self) -> None:
        """y: the copy menu (id, BibTeX, URL, Markdown link: yy yb yu ym)."""
        self._typing_in_filter()
        if (rec := self._current_record()) is not None:
            outward.copy_menu(self, rec)

    def shown_ids(self) -> list[str]:
        """The ids of the rows the list shows, in its order."""
        return [self.library.abstract_at(r).id for r in self.abstract_list.rows.tolist()]

    def marked_ids(self) -> list[str]:
        """The ids of the marked rows: in list order, then those the filter hides."""
        marked = self.abstract_list.marked
        rows = [r for r in self.abstract_list.rows.tolist() if r in marked]
        rows += sorted(marked - set(rows))
        return [self.library.abstract_at(r).id for r in rows]

    # ---------------------------------------------------------------- marks
    def _targets(self) -> list[str]:
        """What an action applies to: the marked rows (in list order), else the cursor's."""
        if self.abstract_list.marked:
            return self.marked_ids()
        abstract = self._current()
        return [] if abstract is None else [abstract.id]

    @on(AbstractList.MarksChanged)
    def _marks_changed(self) -> None:
        self.refresh_bindings()  # escape (clear the marks) comes and goes

    # ---------------------------------------------------------------- status
    def action_set_status(self, value: str) -> None:
        ids = self._targets()
        if not ids:
            return
        status = Status(value)
        seen = self._statuses_shown(ids)
        done = self._try(
            "set the status",
            lambda: self.library.set_status(ids, status, seen=seen),
            label=f"status {status.value} on {_n(ids)}",
            ids=ids,
            status=status,
        )
        if done and self.auto_advance and not self.abstract_list.marked:
            self.abstract_list.action_cursor_down()

    def _statuses_shown(self, ids: list[str]) -> dict[str, Status] | None:
        """The status each of `ids` has for the user: the one a change waiting will set,
        else the one on disk. None when an undo waits (then each change expects what
        is there when it is made)."""
        if self.pending.has_unknown():
            return None
        return {
            key: self.pending.status_of(key) or self.library.annotation(key).status for key in ids
        }

    def action_pick_status(self) -> None:
        self._typing_in_filter()
        ids = self._targets()
        if not ids:
            return

        shown = self._statuses_shown(ids)

        def picked(status: Status | None) -> None:
            if status is not None:
                self._try(
                    "set the status",
                    lambda: self.library.set_status(ids, status, seen=shown),
                    label=f"status {status.value} on {_n(ids)}",
                    ids=ids,
                    status=status,
                )

        subject = f"{len(ids)} marked abstracts" if len(ids) > 1 else ""
        current = shown[ids[0]] if shown else self.library.annotation(ids[0]).status
        self.app.push_screen(StatusPicker(current, subject), picked)

    # ---------------------------------------------------------------- tags
    def action_tag(self) -> None:
        self._typing_in_filter()
        ids = self._targets()
        if not ids:
            return
        if len(ids) == 1:
            heading = self.library.title(ids[0])
            now = format_tags(self.library.annotation(ids[0]).tags) or "none"
        else:
            hidden = len(ids) - self.abstract_list.marked_shown()
            heading = f"{len(ids)} marked abstracts" + (f", {hidden} not shown" if hidden else "")
            now = self._tags_of_many(ids)

        def entered(text: str | None) -> None:
            if not text or not text.strip():
                return
            add, remove = split_tags(text)
            self._try(
                "tag",
                lambda: self.library.tag(ids, add=add, remove=remove),
                label=f"tags {text.strip()} on {_n(ids)}",
                ids=ids,
            )

        self.app.push_screen(
            PromptScreen(
                f"Tags: {heading}",
                placeholder="tag, other-tag, -tag-to-remove",
                hint=f"Now: {now}.  Several at once (commas or spaces); -name removes; "
                "→ completes.",
                suggester=TagSuggester(self.library.tag_counts()),
                id="tag-prompt",
            ),
            entered,
        )

    def _tags_of_many(self, ids: list[str]) -> str:
        """`#rl on all, #later on 2`: the tags the marked abstracts carry."""
        counts: dict[str, int] = {}
        for record in ids:
            for tag in self.library.annotation(record).tags:
                counts[tag] = counts.get(tag, 0) + 1
        if not counts:
            return "no tags"
        parts = [
            f"#{tag} on {'all' if n == len(ids) else n}"
            for tag, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        return ", ".join(parts[:6]) + (", …" if len(parts) > 6 else "")

    # ---------------------------------------------------------------- title and note
    def action_set_title(self) -> None:
        self._typing_in_filter()
        abstract = self._current()
        if abstract is None:
            return
        old = self.library.annotation(abstract.id).title

        def entered(text: str | None) -> None:
            if text is None or (not old and text.strip() == abstract.headline):
                return
            self._try(
                "set the title",
                lambda: self.library.set_title(abstract.id, text, seen=old),
                label=f"title on {abstract.id}",
                ids=[abstract.id],
            )

        self.app.push_screen(
            PromptScreen(
                "Title",
                value=old or abstract.headline,
                hint="Empty to go back to the headline.",
                id="title-prompt",
            ),
            entered,
        )

    def action_edit_note(self) -> None:
        self._typing_in_filter()
        abstract = self._current()
        if abstract is None:
            return
        record = abstract.id
        session: Hashable = ("note", record, object())  # this editor's saves: one undo step

        def save(text: str, base: str) -> str | None:
            change: Callable[[], Change] = lambda: self.library.set_note(  # noqa: E731
                record, text, base=base
            )
            if not self._try("save the note", change, merge=session, wait=False):
                return None
            self.library.clear_draft(record)
            return self.library.annotation(record).note

        def draft(text: str, base: str) -> None:
            try:
                self.library.journal_draft(record, text, base)
            except ReaderError as error:
                self.notify(str(error), severity="warning")

        from reader.tui.screens.note_editor import NoteEditor, too_big  # TextArea, tree-sitter

        note = self.library.annotation(record).note
        if (problem := too_big(note)) is not None:
            self.notify(problem, title="Note too big for n", severity="warning", timeout=10)
            return
        editor = NoteEditor(
            self.library.title(record), note, save, draft, abstract=latex_text(abstract.text)
        )
        self.app.push_screen(editor, lambda _: self._changed())

    def action_edit_note_in_editor(self) -> None:
        """The note in $EDITOR: saved as an edit of the note as it was when the editor
        opened (merged if it changed meanwhile); kept as a draft if it cannot be saved.
        A terminal closed while the editor runs ends the app once the text is safe."""
        from reader.tui.external_editor import edit_note_in_terminal

        abstract = self._current()
        if abstract is None:
            return
        try:
            edit = edit_note_in_terminal(self.app, self.library, abstract.id)
        except ReaderError as error:
            self.notify(f"{error}; the note is unchanged.", title="Cannot edit", severity="error")
            return
        finally:
            self.refresh(layout=True)
        if edit.change is not None and edit.saved:
            self._record(edit.change)
            if edit.change.notice:
                self.notify(edit.change.notice, severity="warning", timeout=12)
        for problem in edit.problems:
            self.notify(problem, title="Editor", severity="warning", timeout=12)
        if edit.signal is not None:
            cast("ReaderApp", self.app).save_and_exit()  # the terminal is gone

    # ---------------------------------------------------------------- changes, undo
    def _record(self, change: Change, merge: Hashable | None = None) -> None:
        self.history.record(change, merge)
        if change.removed:
            self._rows_moved()
        self._changed()

    def _pending_changed(self) -> None:
        """Changes were queued or made: the list marks the rows still waiting."""
        rows = set()
        for key in self.pending.ids():
            with contextlib.suppress(KeyError):
                rows.add(self.library.row_of(key))
        self.abstract_list.pending = frozenset(rows)
        self.abstract_list.refresh_rows()
        self._update_notes()

    def _changed(self) -> None:
        """Redraw what depends on annotations: list lines, detail, header counts."""
        self.abstract_list.refresh_rows()
        self._show_detail()
        self._update_header()
        self._refresh_views()
        self._keep_for_you_fresh()

    def _try(
        self,
        what: str,
        change: Callable[[], Change],
        merge: Hashable | None = None,
        *,
        label: str = "",
        ids: Sequence[str] = (),
        status: Status | None = None,
        wait: bool = True,
    ) -> bool:
        """Run a Library change, record it; tell the user when it fails. True when it
        was made, or waits.

        While another process writes, the change waits in `self.pending`, made in
        order once it has finished; `label` (else `what`), the `ids` it changes and
        the `status` it sets describe it meanwhile. `wait=False`: refuse at once (the
        note editor keeps its text and tries again).
        """
        if not wait:
            try:
                return self._apply(what, change, merge)
            except BusyError as error:
                self.notify(str(error), title=f"Cannot {what} now", severity="warning")
                return False
        run = partial(self._apply, what, change, merge)
        return self.pending.submit(Pending(label or what, run, tuple(ids), status))

    def _apply(self, what: str, change: Callable[[], Change], merge: Hashable | None) -> bool:
        """Make `change` and record it; False, having told the user, when it is refused.
        BusyError (another process holds the lock; nothing was done) goes to the caller."""
        try:
            made = change()
        except BusyError:
            raise
        except ConflictError as error:
            self.notify(str(error), title=f"Did not {what}", severity="warning", timeout=10)
            self._changed()
            return False
        except (ReaderError, ValueError) as error:
            self.notify(str(error), title=f"Cannot {what}", severity="error")
            return False
        self._record(made, merge)
        if made.notice:
            self.notify(made.notice, severity="warning", timeout=12)
        return True

    def action_undo(self) -> None:
        """Put back the annotations from before the last change (durably)."""
        self._step("undo", "Undid", self.history.undo)

    def action_redo(self) -> None:
        """Make the last undone change again."""
        self._step("redo", "Redid", self.history.redo)

    def _step(self, verb: str, past: str, step: Callable[[], Change | None]) -> None:
        """Undo or redo one step, in line behind the changes waiting (if any)."""
        self.pending.submit(Pending(verb, partial(self._step_now, verb, past, step), known=False))

    def _step_now(self, verb: str, past: str, step: Callable[[], Change | None]) -> None:
        """Undo or redo one step and say what it did, or why it could not. BusyError
        (nothing was done) goes to the caller."""
        try:
            change = step()
        except BusyError:
            raise
        except ReaderError as error:
            self.notify(str(error), title=f"Cannot {verb}", severity="error", timeout=10)
            if isinstance(error, ConflictError):
                self._changed()  # show what is there now
            return
        if change is None:
            self.notify(f"Nothing to {verb}.")
            return
        self.notify(f"{past}: {change.label}")
        if change.removed:
            self._rows_moved()
        self._changed()

    def restore_from(self, path: str) -> None:
        """Put back the annotations of a JSON export, as one undoable change."""

        def restore() -> Change:
            found = self.library.restore(Path(path).expanduser())
            self.notify(f"Restored {found.records} records from {path} (z undoes it)")
            return found.change

        self._try("restore", restore, label=f"restore {path}")

    # ---------------------------------------------------------------- views
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
            self._moved()
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

    @on(ViewsSidebar.Chosen)
    def _view_chosen(self, event: ViewsSidebar.Chosen) -> None:
        self.apply_view(event.query)

    def apply_view(self, query: str) -> None:
        """Filter the list by a view's query."""
        self.filter_bar.value = query
        self._search(query, self.sort)
        self.set_focus(self.abstract_list)

    def action_save_view(self) -> None:
        """V: save the query typed in the filter (even while its search is still
        running in a thread) under a name."""
        self._typing_in_filter()
        query = self.wanted_query

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
                hint="y: replace it · n or escape: keep it",
            ),  # no id: a view changed while this asked is asked about again at once
            answered,
        )

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

    # ---------------------------------------------------------------- palette and help
    def binding_nodes(self) -> list[DOMNode]:
        """Whose keys this screen's help and palette list, in that order."""
        return [
            self.abstract_list,
            self,
            self.detail,
            self.query_one(ViewsSidebar),
            self.filter_bar,
            self.app,
        ]

    def help_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, binding id) of every key on this screen."""
        return [
            (key_display(node, binding), binding.description, binding.id or "")
            for node, binding in key_bindings(self.binding_nodes())
        ]

    def action_restore(self) -> None:
        def chosen(path: str | None) -> None:
            if path and path.strip():
                self.restore_from(path.strip())

        self.app.push_screen(
            PromptScreen(
                "Restore from a JSON export (reader export --format json)",
                placeholder="path/to/export.json",
                id="restore-prompt",
            ),
            chosen,
        )

    def remove_abstracts(self) -> None:
        """Palette: take the marked abstracts (else the highlighted one) out of the
        library; their annotations stay in the user data; z puts them back."""
        ids = self._targets()
        if ids and self._try("remove", lambda: self.library.remove(ids)):
            self.notify(f"Removed {len(ids)} (z undoes it; your notes and tags on them are kept)")

    def action_toggle_auto_advance(self) -> None:
        self.auto_advance = not self.auto_advance
        self.notify(f"Auto-advance {'on' if self.auto_advance else 'off'}")
