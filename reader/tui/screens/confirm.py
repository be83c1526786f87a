"""A yes-or-no question before something is replaced: used when a view is saved or
renamed onto the name of another view.

Only `y` says yes. Enter is what submitted the name in the prompt before this dialog,
so a second enter (a held key, a paste, a double press) must not answer a question
the user has not read."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Label, Static

from reader.tui.screens.dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    """Asks before a replace; dismisses with True on y, False on n or escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str, *, hint: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.question = title
        """The question, in the dialog's title."""
        self.body = body
        """What is at stake (for a view: the query that would be replaced)."""
        self.hint = hint or "y: yes · n or escape: no"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title", markup=False)
            yield Static(self.body, id="confirm-body", markup=False)
            yield Static(self.hint, classes="dialog-hint", markup=False)
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        # Keys reach a binding through the screen stack as it is when each is handled,
        # so a second key queued behind this one goes to the screen below, not here.
        self.dismiss(yes)
