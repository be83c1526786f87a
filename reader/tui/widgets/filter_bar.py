"""The filter bar: the query input, and the query's error under it when malformed.

up/down recall earlier queries (`history`, oldest first, kept by the screen with the
user's data); ctrl+z undoes typing (`UndoInput`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from reader.tui.widgets.ordered_keys import hand_on
from reader.tui.widgets.undo_input import UndoInput

PLACEHOLDER = '/ to filter: words, "a phrase", tag:llm, status:to-read, year:2023, -word, a OR b'
HOLD_LIMIT = 0.25
"""Seconds a change of the query holds the app's repaint at most (see `FilterInput`)."""


class FilterInput(UndoInput):
    """The filter's field. A change of its text holds the app's repaint (Textual's
    `batch_update`) until the screen has filtered and calls `release`: the text and the
    rows it selects reach the terminal in one frame. Painted at once, the text took a
    frame of its own, and the rows waited for the next one, 17 to 33 ms later (a screen
    repaints at most 60 times a second, and a frame after a pause waits two periods).

    The hold starts in the field's own handler of its `Changed`, before the field goes
    idle and asks the screen to repaint; `HOLD_LIMIT` ends it if nobody releases it.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._hold: ExitStack | None = None
        """The app's `batch_update`, entered while a change waits for the screen."""

    @on(Input.Changed)
    def _hold_repaint(self, event: Input.Changed) -> None:
        if event.input is self and self._hold is None:
            self._hold = ExitStack()
            self._hold.enter_context(self.app.batch_update())
            self.set_timer(HOLD_LIMIT, self.release)

    async def _on_key(self, event: events.Key) -> None:
        bar = self.parent
        if isinstance(bar, FilterBar) and await bar.pass_on(event):
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        bar = self.parent
        if isinstance(bar, FilterBar):
            bar.start_leaving()
        await super().action_submit()

    def release(self) -> None:
        """Let the app repaint again (the rows of the new query are shown, or are being
        searched in a thread); does nothing when nothing is held."""
        if self._hold is not None:
            hold, self._hold = self._hold, None
            hold.close()
            self.screen.check_idle()  # the screen repaints when it next goes idle


class FilterBar(Vertical):
    """An Input for the query language; posts `Changed` on every keystroke and
    `Leave` on escape or enter. `show_error` puts a message under the input.

    Keys typed after escape or enter are not the query's: in a burst (`/ a escape j
    j`) they reach the field before the screen has moved the focus (see
    `ordered_keys`). From escape or enter on, the bar holds them, and hands them on in
    order to whatever has the focus once the screen has moved it (`hand_on_keys`); one
    that reaches the field later still goes to the focused widget."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back to the list", id="filter.leave"),
        Binding("up", "recall(-1)", "Earlier query", show=False, id="filter.history-back"),
        Binding("down", "recall(1)", "Later query", show=False, id="filter.history-forward"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history: list[str] = []
        """Queries used before, oldest first (up recalls the newest first)."""
        self._recalled: int | None = None
        """Where up/down are in `history` (None: at the query being typed)."""
        self._typed = ""
        """The query being typed when up was first pressed (down comes back to it)."""
        self._error: str | None = None
        """The error shown under the input ("": none; None: not set yet)."""
        self._held: list[events.Key] | None = None
        """Keys typed after escape or enter, until the focus has left (None: not leaving)."""
        self._handing = False
        """`hand_on_keys` is running (its keys may run actions, which wait)."""

    class Changed(Message):
        """The query text changed. The app does not repaint until the handler calls
        `release` (after showing the new rows, or sending the search to a thread)."""

        def __init__(self, value: str, release: Callable[[], None]) -> None:
            super().__init__()
            self.value = value
            self.release = release

    class Leave(Message):
        """The user is done typing (escape or enter): focus goes back to the list."""

    def compose(self) -> ComposeResult:
        yield FilterInput(
            placeholder=PLACEHOLDER,
            select_on_focus=False,  # `/` then typing refines the query, not replaces it
            id="filter-input",
        )
        yield Static(id="filter-error")

    @property
    def value(self) -> str:
        return self.query_one(Input).value

    @value.setter
    def value(self, text: str) -> None:
        self.query_one(Input).value = text

    def reset(self, text: str) -> None:
        """Show `text` as the query, with nothing to undo (the filter as the app opens)."""
        self.query_one(UndoInput).reset(text)

    def focus_input(self) -> None:
        """Focus the input now (not after the keys already queued, as `focus()` would),
        after a space when it holds a query (the app reopens on one: the words typed
        then refine it instead of running into its last word)."""
        if self._held is not None and not self._handing:  # held since escape or enter:
            self.call_later(self.hand_on_keys)  # they go where they were going
        field = self.query_one(Input)
        if field.value and not field.value.endswith(" "):
            field.value += " "
        field.cursor_position = len(field.value)
        self.screen.set_focus(field)

    def show_error(self, message: str | None) -> None:
        """Show `message` under the input, or hide the error line when None."""
        if (message or "") == self._error:
            return  # (an update lays the screen out again: each keystroke hid it)
        self._error = message or ""
        error = self.query_one("#filter-error", Static)
        error.update(message or "")
        error.display = bool(message)
        self.set_class(bool(message), "-error")

    def action_recall(self, step: int) -> None:
        """Put an earlier (step -1) or later (+1) query of `history` in the input."""
        if not self.history:
            return
        if self._recalled is None:
            if step > 0:
                return
            self._typed = self.value
            position = len(self.history)
        else:
            position = self._recalled
        position = max(0, position + step)
        if position >= len(self.history):
            self._recalled = None
            text = self._typed
        else:
            self._recalled = position
            text = self.history[position]
        field = self.query_one(Input)
        field.value = text
        field.cursor_position = len(text)

    @on(Input.Changed, "#filter-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._recalled is not None and event.value != self.history[self._recalled]:
            self._recalled = None  # edited: the recalled query is now the one typed
        self.post_message(self.Changed(event.value, self.query_one(FilterInput).release))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Leave())

    def action_leave(self) -> None:
        self.start_leaving()
        self.post_message(self.Leave())

    def start_leaving(self) -> None:
        """Hold the keys the field gets from now until `hand_on_keys`."""
        if self._held is None:
            self._held = []

    async def pass_on(self, event: events.Key) -> bool:
        """Take a key that reached the field after escape or enter (True): held until
        the focus has left, then sent on as a key from the terminal would go."""
        field = self.query_one(FilterInput)
        if self._held is not None:
            self._held.append(event)
        elif self.screen.focused in (field, None):
            return False  # the query's own key
        else:
            await hand_on(self, event)
        event.stop()
        event.prevent_default()
        return True

    @property
    def holds_keys(self) -> bool:
        """Whether keys typed after escape or enter wait for `hand_on_keys`."""
        return self._held is not None

    async def hand_on_keys(self) -> None:
        """The focus has left the field (the screen calls this when it has moved it):
        send the keys held since escape or enter on, in order, each as the app routes a
        key from the terminal: its priority bindings first (`/` comes back here, `t`
        opens the tag prompt), else to what has the focus then. Keys that reach the
        field meanwhile join the held ones; once a `/` has brought the focus back, the
        rest are the query's."""
        held = self._held
        if held is None or self._handing:
            return
        field = self.query_one(FilterInput)
        self._handing = True
        try:
            while held and self.app.focused is not field:
                await hand_on(self, held.pop(0))
        finally:
            self._handing = False
            self._held = None
        for event in held:  # back in the field: typed into it, in order
            await hand_on(self, event)

    def on_descendant_blur(self) -> None:
        self._recalled = None
