"""The session's undo history: Library `Change`s to undo and redo.

Undo writes the annotations from before a change back through the Library, so it is
as durable as any change and the CLI sees it too. One user action is one step: a bulk
change is one `Change`, and the autosaves of one note-editing session are merged into
one step (the `before` of the first save, the `after` of the last).
Undo and redo revert only the fields a change touched, and are refused when one of
them was changed since (see `reader.core.changes`).
"""

from __future__ import annotations

from collections.abc import Hashable

from reader.core.library import Change


class History:
    """Undo and redo stacks of Changes; a new change clears the redo stack."""

    def __init__(self) -> None:
        self.done: list[Change] = []
        self.undone: list[Change] = []
        self._merge_key: Hashable | None = None

    def record(self, change: Change, merge: Hashable | None = None) -> None:
        """Remember `change`; with the same `merge` key as the last one, fold them."""
        if not change.edits:
            return
        if merge is not None and merge == self._merge_key and self.done:
            self.done[-1] = self.done[-1].then(change)
        else:
            self.done.append(change)
        self._merge_key = merge
        self.undone.clear()

    def break_merge(self) -> None:
        """After an undo or redo, the next save starts a step of its own."""
        self._merge_key = None
