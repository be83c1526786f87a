"""The command palette (ctrl+p): Textual's, with its crashes worked around.

Textual 8.2.8 (the version pyproject pins) takes the whole app down from its palette:

- PageUp or PageDown before the command list has been laid out (right after ctrl+p,
  or while the list is hidden) raise `KeyError: 0` in `OptionList._move_page`, which
  reads a line cache that is only filled once the list has a size.
- Keys typed into the palette just before it closes can reach its input after it
  closed (its input is still focused in the closed screen); each one starts a new
  gathering worker, which queries the palette's `CommandList` after the closed
  palette's widgets were removed: `NoMatches: 'CommandList'`. The busy and
  "no matches" timers of a closed palette would do the same.
- Enter twice: the second `Input.Submitted` dismisses the screen under the palette,
  as in any dialog (see `dialog.py`).

The overrides below use the palette's private methods; the pin on Textual keeps them
valid, and tests/tui/test_tui_crashes.py fails if an upgrade breaks one of them.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette

from reader.tui.screens.dialog import may_dismiss

_gather_commands = CommandPalette._gather_commands.__wrapped__  # type: ignore[attr-defined]
"""Textual's gathering coroutine without its `@work` wrapper (see `ReaderPalette`)."""


class ReaderPalette(CommandPalette):
    """Textual's command palette, which a key or a quick close cannot crash."""

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if not may_dismiss(self):
            return AwaitComplete.nothing()  # dismissed already: this event came late
        # Its timers must not fire once its widgets are gone (Textual's escape and
        # enter stop only the gathering).
        self._stop_busy_countdown()
        self._stop_no_matches_countdown()
        return super().dismiss(result)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        if self.is_active:  # not for keys that reached the palette after it closed
            await _gather_commands(self, search_value)

    def _action_command_list(self, action: str) -> None:
        if action in {"page_up", "page_down"} and not self._list_has_lines():
            return  # nothing shown yet to page through
        super()._action_command_list(action)

    def _list_has_lines(self) -> bool:
        """True once the command list has a size, so its lines (and pages) are known."""
        return bool(self.query_one(CommandList).scrollable_content_region)
