"""Pick a status for the highlighted abstract (or the marked ones)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from reader.core.models import Status
from reader.tui.render import glyph
from reader.tui.screens.dialog import Dialog


class StatusOptions(OptionList, inherit_bindings=False):
    """The statuses; enter shows in the footer as `⏎ Apply` (the list takes enter
    before the screen; OptionList's own enter binding is hidden, so it is replaced)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(b for b in OptionList.BINDINGS if not (isinstance(b, Binding) and b.key == "enter")),
        Binding("enter", "select", "Apply", key_display="⏎", id="status-picker.apply"),
    ]


class StatusPicker(Dialog[Status | None]):
    """The five statuses; enter (or the status's number) picks, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="status-picker.cancel"),
        *(
            Binding(str(n), f"pick({n - 1})", status.label, show=False, id=f"status-picker.{n}")
            for n, status in enumerate(Status, 1)
        ),
    ]

    def __init__(self, current: Status, subject: str = "") -> None:
        super().__init__()
        self.current = current
        self.subject = subject
        """What gets the status, when not the highlighted abstract: `3 marked abstracts`."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = f"Set the status of {self.subject}" if self.subject else "Set status"
            yield Label(title, classes="dialog-title")
            options = [
                Option(f"{n}  {glyph(status)} {status.label}", id=status.value)
                for n, status in enumerate(Status, 1)
            ]
            picker = StatusOptions(*options, id="status-options")
            picker.highlighted = list(Status).index(self.current)
            yield picker
        yield Footer()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(Status(event.option.id or Status.UNREAD.value))

    def action_pick(self, index: int) -> None:
        self.dismiss(list(Status)[index])

    def action_cancel(self) -> None:
        self.dismiss(None)
