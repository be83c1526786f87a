"""Edit the note of one abstract in Markdown; it is saved while you type."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Label, Static, TextArea

from reader.tui.screens.dialog import Dialog

AUTOSAVE_DELAY = 0.5
"""Seconds after the last keystroke before the note is saved."""
LIMIT = 128 * 1024
"""Characters of the largest note `n` opens. Textual's TextArea lays out the whole text
when it opens and on each save: about 0.6 s at 100 kB and 7 s at 1 MB on a 2-core box,
so larger notes are edited with `e` (the user's $EDITOR) instead (README, Notes)."""


def too_big(text: str) -> str | None:
    """Why `text` is too big for the note editor (a one-line message), or None."""
    if len(text) <= LIMIT:
        return None
    return (
        f"This note is {len(text) // 1024} kB; the note editor (n) opens notes up to "
        f"{LIMIT // 1024} kB. Press e to edit it in $EDITOR."
    )


class NoteEditor(Dialog[str]):
    """A Markdown TextArea over one note.

    Each change of the text goes to `draft` (the crash journal) at once, and to
    `save` `AUTOSAVE_DELAY` seconds after the last keystroke; closing (escape or
    ctrl+s) saves and dismisses with the text. Both get the note the text was made
    from (`base`), so a note changed meanwhile by another window or command is merged,
    not overwritten; when the saved note differs from the text here (a merge), the
    editor shows the saved note. A failed save keeps the text and the editor open:
    closing tries again.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Save and close", id="note.close"),
        Binding("ctrl+s", "close", "Save and close", id="note.save"),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        save: Callable[[str, str], str | None],
        draft: Callable[[str, str], object] | None = None,
    ) -> None:
        """`save(text, base)` returns the note as saved, or None when saving failed."""
        super().__init__()
        self.note_title = title
        self.text = text
        self.base = text
        """The note as this editor last loaded or saved it: what its text is made from."""
        self._save = save
        self._draft = draft
        self._timer: Timer | None = None

    @property
    def dirty(self) -> bool:
        """True while the text differs from the note as last saved."""
        return self.query_one(TextArea).text != self.base

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Label(f"Note: {self.note_title}", classes="dialog-title")
            area = TextArea(self.text, id="note-text", soft_wrap=True, show_line_numbers=False)
            if "markdown" in area.available_languages:
                area.language = "markdown"
            yield area
            yield Static(
                "Markdown. Saved as you type; escape or ctrl+s closes.", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)
        area.focus()

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if text == self.base:
            return
        if self._draft is not None:
            self._draft(text, self.base)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(AUTOSAVE_DELAY, self.save_now)

    def save_now(self) -> bool:
        """Save the text now if it changed since the last save; False when that failed."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        area = self.query_one(TextArea)
        text = area.text
        if text == self.base:
            return True
        saved = self._save(text, self.base)
        if saved is None:
            return False
        self.base = saved
        if saved != text:  # merged with a change made elsewhere: show what was saved
            row, column = area.cursor_location
            area.load_text(saved)
            last = area.document.line_count - 1
            row = min(row, last)
            area.move_cursor((row, min(column, len(area.document.get_line(row)))))
        return True

    def action_close(self) -> None:
        if self.save_now():
            self.dismiss(self.base)
        else:
            self.notify(
                "The note is not saved yet, so the editor stays open with your text; "
                "escape tries again.",
                title="Note kept open",
                severity="warning",
                timeout=10,
            )
