"""A one-line text field whose ctrl+z undoes typing (Textual's `Input` has no undo)."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.widgets import Input

from reader.tui.widgets.ordered_keys import run_own_binding

STEPS = 100
"""Undo steps kept per field."""


class UndoInput(Input):
    """An `Input` with undo (ctrl+z) and redo (ctrl+y) of its own text.

    Typing a word is one step (a space, or anything but typing on at the end,
    starts the next); a paste, a deletion or a value set by the app (a recalled query) is one step
    each. The keys are the field's own, so in a text field ctrl+z never reaches the
    screen's undo of the last triage change; with nothing to undo it does nothing.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+z", "undo_typing", "Undo typing", show=False, id="text.undo"),
        Binding("ctrl+y", "redo_typing", "Redo typing", show=False, id="text.redo"),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._undo: list[tuple[str, int]] = []
        self._redo: list[tuple[str, int]] = []
        self._known = self.value
        """The value after the last change seen (what an undo step goes back from)."""
        self._typing = False
        """The last change typed one character at the end (the next may join its step)."""

    async def _on_key(self, event: events.Key) -> None:
        # enter, backspace and the arrows run in the order typed (see ordered_keys)
        if not await run_own_binding(self, event):
            await super()._on_key(event)

    @on(Input.Changed)
    def _remember(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        old, new = self._known, event.value
        self._known = new
        if old == new:  # (an undo or redo: `_restore` set `_known` first)
            return
        typed = len(new) == len(old) + 1 and new.startswith(old)
        joins = typed and self._typing and not new[-1].isspace() and bool(self._undo)
        self._typing = typed
        if not joins:
            self._undo.append((old, min(self.cursor_position, len(old))))
            del self._undo[:-STEPS]
        self._redo.clear()

    def reset(self, value: str) -> None:
        """Show `value` with no undo history (the field as the app opens)."""
        self._undo.clear()
        self._redo.clear()
        self._typing = False
        self._known = value
        self.value = value

    def _restore(self, value: str, cursor: int) -> None:
        self._known = value
        self.value = value
        self.cursor_position = cursor

    def action_undo_typing(self) -> None:
        if self._undo:
            self._redo.append((self.value, self.cursor_position))
            self._typing = False
            self._restore(*self._undo.pop())

    def action_redo_typing(self) -> None:
        if self._redo:
            self._undo.append((self.value, self.cursor_position))
            self._restore(*self._redo.pop())
