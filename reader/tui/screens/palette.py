"""The main screen's command palette entries and help rows."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.dom import DOMNode

from reader.tui.commands import Command, binding_commands, key_bindings, key_display
from reader.tui.screens.prompt import PromptScreen
from reader.tui.sorting import SORT_CYCLE, SORT_LABELS

if TYPE_CHECKING:
    from reader.tui.widgets.abstract_list import AbstractList
    from reader.tui.widgets.filter_bar import FilterBar


class PaletteMixin:
    """What the palette (ctrl+p) and the help screen (?) list for `MainScreen`."""

    auto_advance: bool
    app: Any
    notify: Callable[..., None]
    set_sort: Callable[[str], None]
    clear_filter: Callable[[], None]
    restore_from: Callable[[str], None]
    view_commands: Callable[[], list[Command]]

    if TYPE_CHECKING:

        @property
        def abstract_list(self) -> AbstractList: ...

        @property
        def filter_bar(self) -> FilterBar: ...

    def _binding_nodes(self) -> list[DOMNode]:
        return [self.abstract_list, self, self.filter_bar, self.app]

    def palette_commands(self) -> list[Command]:
        """Every key's action, and the few actions without a key."""
        state = "on" if self.auto_advance else "off"
        extra = [
            Command(
                "Toggle auto-advance",
                f"Move to the next abstract after a status key (now {state})",
                self.action_toggle_auto_advance,
            ),
            Command("Clear the filter", "Show every abstract", self.clear_filter),
            *(
                Command(
                    f"Sort by {SORT_LABELS[sort]}",
                    f"Order the list by {sort}",
                    partial(self.set_sort, sort),
                )
                for sort in SORT_CYCLE
            ),
            *self.view_commands(),
            Command(
                "Restore an export",
                "Put back statuses, tags, notes and titles from a JSON export (undoable)",
                self.action_restore,
            ),
        ]
        return binding_commands(self._binding_nodes()) + extra

    def help_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, binding id) of every key on this screen."""
        return [
            (key_display(node, binding), binding.description, binding.id or "")
            for node, binding in key_bindings(self._binding_nodes())
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

    def action_toggle_auto_advance(self) -> None:
        self.auto_advance = not self.auto_advance
        self.notify(f"Auto-advance {'on' if self.auto_advance else 'off'}")
