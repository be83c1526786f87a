"""The main screen's place in a library, kept across runs: the filter, the sort, the
sidebar shown or not, the highlighted abstract, and the filter's history.

`Place` reads it when the screen mounts (`Library.ui_state`: a new library opens on
the Inbox, `status:unread`, sorted by date) and writes it back through
`Library.save_ui_state` a moment after it last changed, and at once when the app
closes, so a crash loses at most the last second of moving around (never user data:
the place is a file of its own, see `reader.core.store.uistate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual.timer import Timer

from reader.core.library import Library
from reader.core.store.uistate import UIState, remember

SAVE_DELAY = 1.0
"""Seconds after the last move before the place is written."""


class Place:
    """The state to reopen on; `changed(...)` schedules a write, `flush()` writes now."""

    def __init__(
        self, library: Library, set_timer: Callable[[float, Callable[[], None]], Timer]
    ) -> None:
        self.library = library
        self.state: UIState = library.ui_state()
        """Where the screen is now (as last told), and the history."""
        self._set_timer = set_timer
        self._timer: Timer | None = None
        self._added: list[str] = []
        """Queries added to the history since the last write."""
        self._written = self.state

    @property
    def history(self) -> tuple[str, ...]:
        return self.state.history

    def add_query(self, query: str) -> None:
        """Put `query` at the newest end of the filter history (once)."""
        if query.strip():
            self._added.append(query)
            self.state = replace(self.state, history=remember(self.state.history, query))
            self._schedule()

    def changed(self, **fields: object) -> None:
        """The screen moved: query, sort, sidebar or highlighted changed."""
        new = replace(self.state, **fields)  # type: ignore[arg-type]
        if new != self.state:
            self.state = new
            self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._set_timer(SAVE_DELAY, self.flush)

    def flush(self) -> None:
        """Write the place now if it changed since the last write."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.state == self._written and not self._added:
            return
        added, self._added = self._added, []
        self.state = self.library.save_ui_state(self.state, added)
        self._written = self.state
