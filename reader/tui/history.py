"""The session's undo history: Library `Change`s to undo and redo.

Undo writes the annotations from before a change back through the Library, so it is
as durable as any change and the CLI sees it too. One user action is one step: a bulk
change is one `Change`, and the autosaves of one note-editing session are merged into
one step (the `before` of the first save, the `after` of the last).
Undo and redo revert only the fields a change touched, and are refused when one of
them was changed since (see `reader.core.changes`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from reader.core.library import Change, Library


class History:
    """Undo and redo stacks of a Library's Changes; a new change clears the redo stack."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.done: list[Change] = []
        """Changes made, oldest first: `undo` takes the last."""
        self.undone: list[Change] = []
        """Changes undone, oldest undo first: `redo` takes the last."""
        self._merge_key: Hashable | None = None

    def record(self, change: Change, merge: Hashable | None = None) -> None:
        """Remember `change`; with the same `merge` key as the last one, fold them."""
        if change.empty:
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

    def undo(self) -> Change | None:
        """Put back the annotations from before the newest change (durably), and move it
        to the redo stack; None when there is nothing to undo. A refused undo (a
        `ReaderError`: the disk, a field changed since) leaves both stacks as they were."""
        return self._step(self.done, self.undone, self.library.undo)

    def redo(self) -> Change | None:
        """Make the newest undone change again; as `undo`, the other way."""
        return self._step(self.undone, self.done, self.library.redo)

    def _step(
        self, source: list[Change], target: list[Change], apply: Callable[[Change], Change]
    ) -> Change | None:
        """Move the newest change of `source` to `target` by applying it."""
        if not source:
            return None
        self.break_merge()
        apply(source[-1])  # raises before the stacks change: the step stays where it was
        change = source.pop()
        target.append(change)
        return change
