"""A one-line question in a dialog: used to add tags and to set a title."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Footer, Input, Label, Static

from reader.tui.screens.dialog import Dialog
from reader.tui.widgets.undo_input import UndoInput


class PromptInput(UndoInput, inherit_bindings=False):
    """The prompt's field: its enter shows in the footer as `⏎ Apply` (the field takes
    enter before the screen; Input's own enter binding is hidden, so it is replaced)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(b for b in Input.BINDINGS if not (isinstance(b, Binding) and b.key == "enter")),
        *UndoInput.BINDINGS,
        Binding("enter", "submit", "Apply", key_display="⏎", id="prompt.apply"),
    ]


class PromptScreen(Dialog[str | None]):
    """Asks for one line of text; dismisses with it on enter, with None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        hint: str = "",
        suggester: Suggester | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.prompt_title = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint
        self.suggester = suggester

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.prompt_title, classes="dialog-title")
            yield PromptInput(
                self.value,
                placeholder=self.placeholder,
                suggester=self.suggester,
                id="prompt-input",
            )
            yield Static(self.hint, classes="dialog-hint")
        yield Footer()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
