"""The filter bar: the query input, and the query's error under it when malformed."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

PLACEHOLDER = '/ to filter: words, "a phrase", tag:llm, status:to-read, year:2023, -word, a OR b'


class FilterBar(Vertical):
    """An Input for the query language; posts `Changed` on every keystroke and
    `Leave` on escape or enter. `show_error` puts a message under the input."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back to the list", id="filter.leave"),
    ]

    class Changed(Message):
        """The query text changed."""

        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class Leave(Message):
        """The user is done typing (escape or enter): focus goes back to the list."""

    def compose(self) -> ComposeResult:
        yield Input(
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

    def focus_input(self) -> None:
        """Focus the input now (not after the keys already queued, as `focus()` would)."""
        self.screen.set_focus(self.query_one(Input))

    def show_error(self, message: str | None) -> None:
        """Show `message` under the input, or hide the error line when None."""
        error = self.query_one("#filter-error", Static)
        error.update(message or "")
        error.display = bool(message)
        self.set_class(bool(message), "-error")

    @on(Input.Changed, "#filter-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Leave())

    def action_leave(self) -> None:
        self.post_message(self.Leave())
