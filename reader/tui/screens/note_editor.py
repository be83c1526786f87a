"""Edit the note of one abstract in Markdown; it is saved while you type."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Label, Static, TextArea

AUTOSAVE_DELAY = 0.5
"""Seconds after the last keystroke before the note is saved."""


class NoteEditor(ModalScreen[str]):
    """A Markdown TextArea. Each change is passed to `draft` (the crash journal) at
    once and to `save` `AUTOSAVE_DELAY` seconds after the last keystroke; closing
    (escape or ctrl+s) saves and dismisses with the text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Save and close", id="note.close"),
        Binding("ctrl+s", "close", "Save and close", id="note.save"),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        save: Callable[[str], object],
        draft: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.note_title = title
        self.text = text
        self.saved = text
        """The text last handed to `save`."""
        self._save = save
        self._draft = draft
        self._timer: Timer | None = None

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
        if text == self.saved:
            return
        if self._draft is not None:
            self._draft(text)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(AUTOSAVE_DELAY, self.save_now)

    def save_now(self) -> None:
        """Save the text now if it changed since the last save."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        text = self.query_one(TextArea).text
        if text != self.saved:
            self._save(text)
            self.saved = text

    def action_close(self) -> None:
        self.save_now()
        self.dismiss(self.saved)
