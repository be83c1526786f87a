"""Edit the note of one abstract in Markdown, beside the abstract; saved as you type."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Label, Static, TextArea

from reader.tui.screens.dialog import Dialog
from reader.tui.widgets.ordered_keys import hand_on, run_own_binding

AUTOSAVE_DELAY = 0.5
"""Seconds after the last keystroke before the note is saved."""
LIMIT = 128 * 1024
"""Characters of the largest note `n` opens. Textual's TextArea lays out the whole text
when it opens and on each save: about 0.6 s at 100 kB and 7 s at 1 MB on a 2-core box,
so larger notes are edited with `e` (the user's $EDITOR) instead (README, Notes)."""


class NoteArea(TextArea):
    """The note's text: its backspace, delete and arrows run in the order typed, so a
    burst of keys never edits the note in another order (see ordered_keys); so does
    the editor's own escape (save and close), and the keys typed after it go to the
    screen below, not into the note."""

    async def _on_key(self, event: events.Key) -> None:
        if not self.screen.is_active:  # the editor closed: typed after its escape
            await hand_on(self, event)
        elif not await run_own_binding(self, event, screen=True):
            await super()._on_key(event)


SIDE_BY_SIDE = 100
"""Columns from which the abstract is beside the editor (above it on narrower ones)."""


def markdown_highlighting() -> bool:
    """Whether Textual can highlight Markdown here (it needs tree-sitter and its
    Markdown grammar, dependencies of reader)."""
    from textual._tree_sitter import get_language  # Textual's own loader of grammars

    return get_language("markdown") is not None


def too_big(text: str) -> str | None:
    """Why `text` is too big for the note editor (a one-line message), or None."""
    if len(text) <= LIMIT:
        return None
    return (
        f"This note is {len(text) // 1024} kB; the note editor (n) opens notes up to "
        f"{LIMIT // 1024} kB. Press e to edit it in $EDITOR."
    )


class NoteEditor(Dialog[str]):
    """A Markdown TextArea over one note, beside the abstract (above it on terminals
    under `SIDE_BY_SIDE` columns) so the user reads while writing. Tab indents;
    Markdown is highlighted (tree-sitter); ctrl+g discards this editing session (the
    note goes back to what it was when the editor opened) and closes.

    Each change of the text goes to `draft` (the crash journal) at once, and to
    `save` `AUTOSAVE_DELAY` seconds after the last keystroke; closing (escape or
    ctrl+s) saves and dismisses with the text. Both get the note the text was made
    from (`base`), so a note changed meanwhile by another window or command is merged,
    not overwritten; when the saved note differs from the text here (a merge), the
    editor shows the saved note. A failed save keeps the text and the editor open:
    closing tries again.
    """

    AUTO_FOCUS = "#note-text"
    """The editor, not the abstract beside it (a scroll view, focusable too): keys
    typed before the dialog is up are handed to what has focus at mount."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # not priority: one would run as the app takes the key, before the keys typed
        # ahead of it had reached the note (they were lost); NoteArea runs it in the order typed
        Binding("escape", "close", "Save and close", id="note.close"),
        Binding("ctrl+s", "close", "Save and close", show=False, id="note.save"),
        Binding("ctrl+g", "discard", "Discard this session", id="note.discard"),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        save: Callable[[str, str], str | None],
        draft: Callable[[str, str], object] | None = None,
        abstract: Text | None = None,
    ) -> None:
        """`save(text, base)` returns the note as saved, or None when saving failed;
        `abstract` is shown beside the editor."""
        super().__init__()
        self.note_title = title
        self.text = text
        self.abstract = abstract
        self.original = text
        """The note when the editor opened: what ctrl+g (discard) puts back."""
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
        self.set_class(self.app.size.width < SIDE_BY_SIDE, "-stacked")
        with Vertical(classes="dialog note-dialog"):
            yield Label(f"Note: {self.note_title}", classes="dialog-title", markup=False)
            with Horizontal(id="note-panes"):
                if self.abstract is not None:
                    with VerticalScroll(id="note-abstract"):
                        yield Static(self.abstract)
                area = NoteArea(
                    self.text,
                    id="note-text",
                    soft_wrap=True,
                    show_line_numbers=False,
                    tab_behavior="indent",
                )
                area.indent_width = 2
                if markdown_highlighting():
                    area.language = "markdown"
                yield area
            yield Static(
                "Markdown. Saved as you type; escape closes; ctrl+g discards this session.",
                classes="dialog-hint",
            )
        yield Footer()

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

    def action_discard(self) -> None:
        """Put the note back as it was when the editor opened (an edit of the note as
        saved, so a change made elsewhere meanwhile stays), and close."""
        area = self.query_one(TextArea)
        if area.text != self.original or self.base != self.original:
            area.load_text(self.original)
            if not self.save_now():
                self.notify(
                    "The note could not be put back; the editor stays open.",
                    severity="warning",
                )
                return
        self.notify("Discarded this editing session: the note is as it was.")
        self.dismiss(self.base)

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
