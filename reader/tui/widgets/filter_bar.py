"""The filter bar: the query input, and the query's error under it when malformed.

up/down recall earlier queries (`history`, oldest first, kept by the screen with the
user's data); ctrl+z undoes typing (`UndoInput`)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from reader.tui.widgets.undo_input import UndoInput

PLACEHOLDER = '/ to filter: words, "a phrase", tag:llm, status:to-read, year:2023, -word, a OR b'


class FilterBar(Vertical):
    """An Input for the query language; posts `Changed` on every keystroke and
    `Leave` on escape or enter. `show_error` puts a message under the input."""

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

    class Changed(Message):
        """The query text changed."""

        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class Leave(Message):
        """The user is done typing (escape or enter): focus goes back to the list."""

    def compose(self) -> ComposeResult:
        yield UndoInput(
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
        field = self.query_one(Input)
        if field.value and not field.value.endswith(" "):
            field.value += " "
        field.cursor_position = len(field.value)
        self.screen.set_focus(field)

    def show_error(self, message: str | None) -> None:
        """Show `message` under the input, or hide the error line when None."""
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
        self.post_message(self.Changed(event.value))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Leave())

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def on_descendant_blur(self) -> None:
        self._recalled = None
