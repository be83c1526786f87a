"""The part of the main screen that makes changes: recording them, undo and redo.

Every change goes through `_try`, which runs the Library call, records the `Change` in
the session history and redraws what depends on annotations; a refused change (disk
full, read-only library, invalid tag) becomes a notification, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core.changes import ConflictError
from reader.core.errors import ReaderError
from reader.core.export import load_export
from reader.core.library import Change, Library

if TYPE_CHECKING:
    from reader.tui.history import History
    from reader.tui.widgets.abstract_list import AbstractList


class ChangesMixin:
    """Change recording and undo/redo for `MainScreen`."""

    library: Library
    history: History
    notify: Callable[..., None]
    _show_detail: Callable[[], None]
    _update_header: Callable[[], None]
    _refresh_views: Callable[[], None]

    if TYPE_CHECKING:

        @property
        def abstract_list(self) -> AbstractList: ...  # MainScreen's list widget

    def _record(self, change: Change, merge: Hashable | None = None) -> None:
        self.history.record(change, merge)
        self._changed()

    def _changed(self) -> None:
        """Redraw what depends on annotations: list lines, detail, header counts."""
        self.abstract_list.refresh_rows()
        self._show_detail()
        self._update_header()
        self._refresh_views()

    def _try(self, what: str, change: Callable[[], Change], merge: Hashable | None = None) -> bool:
        """Run a Library change, record it; tell the user when it fails.

        A change refused because another window or command changed the same field
        meanwhile redraws, so the user sees what is there now and can decide again.
        """
        try:
            made = change()
        except ConflictError as error:
            self.notify(str(error), title=f"Did not {what}", severity="warning", timeout=10)
            self._changed()
            return False
        except (ReaderError, ValueError) as error:
            self.notify(str(error), title=f"Cannot {what}", severity="error")
            return False
        self._record(made, merge)
        if made.notice:
            self.notify(made.notice, severity="warning", timeout=12)
        return True

    def action_undo(self) -> None:
        """Put back the annotations from before the last change (durably)."""
        self._step(self.history.done, self.history.undone, self.library.undo, "undo", "Undid")

    def action_redo(self) -> None:
        """Make the last undone change again."""
        self._step(self.history.undone, self.history.done, self.library.redo, "redo", "Redid")

    def _step(
        self,
        source: list[Change],
        target: list[Change],
        apply: Callable[[Change], Change],
        verb: str,
        past: str,
    ) -> None:
        """Move the newest change of `source` to `target` by applying it."""
        if not source:
            self.notify(f"Nothing to {verb}.")
            return
        change = source.pop()
        self.history.break_merge()
        try:
            apply(change)
        except ReaderError as error:
            source.append(change)  # the step stays where it was: nothing was changed
            self.notify(str(error), title=f"Cannot {verb}", severity="error", timeout=10)
            if isinstance(error, ConflictError):
                self._changed()
            return
        target.append(change)
        self.notify(f"{past}: {change.label}")
        self._changed()

    def restore_from(self, path: str) -> None:
        """Put back the annotations of a JSON export, as one undoable change."""
        try:
            annotations = load_export(Path(path).expanduser())
        except ReaderError as error:
            self.notify(str(error), title="Cannot restore", severity="error")
            return
        label = f"restore {Path(path).name}"
        if self._try("restore", lambda: self.library.put(label, annotations)):
            self.notify(f"Restored {len(annotations)} records from {path} (z undoes it)")
