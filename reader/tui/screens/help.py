"""The keys of the app: every binding with its description and id (for keymaps)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static


class HelpScreen(ModalScreen[None]):
    """A table of (keys, what they do, binding id); any of escape, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label("Keys", classes="dialog-title")
            table: DataTable[str] = DataTable(
                id="help-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns("Key", "Action", "Binding id")
            for row in self.rows:
                table.add_row(*row)
            yield table
            yield Static(
                "Every action is also in the command palette (ctrl+p). Remap keys by binding id.",
                classes="dialog-hint",
            )

    def action_close(self) -> None:
        self.dismiss(None)
