"""Help: how to triage many abstracts at once, undo, views, sorting and your own keys,
then every key with its description and binding id (the keys as remapped)."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from reader.tui.screens.dialog import Dialog

GUIDE = (
    (
        "Many at once",
        "{mark} marks or unmarks the highlighted row and moves down; {mark.all} marks every "
        "row the filter shows; {back} clears the marks (then, pressed again, the filter). "
        "While rows are marked, the status keys, {status.pick}, {tags} and their palette "
        "commands apply to all of them, as one change. The list border counts the marks.",
    ),
    (
        "Undo",
        "{undo} undoes the last change (a status, tags, a note, a title, or a change to many "
        "rows at once) and says what it undid; {redo} makes it again. The history lasts for "
        "the session; an undo is saved at once, like any change.",
    ),
    (
        "Views",
        "{views} shows the views sidebar: Inbox, To read, Reading, Read, Skipped, With "
        "notes, each tag and each source, then your own, with live counts. Enter (or a "
        "click) shows a view. {views.save} saves the filter as a view; the palette (ctrl+p) "
        "shows, renames and deletes views, also on terminals too narrow for the sidebar "
        "(under 100 columns).",
    ),
    (
        "Sort",
        "{sort} changes the order: date, status, recently changed, source order, and "
        "relevance while the filter has words. The list border names it.",
    ),
    (
        "Copy, open, export",
        "{copy-id} copies: then y the id, b the BibTeX entry, u the URL, m a Markdown link; "
        "the message says which clipboard took it, or that none did. {open-link} opens the "
        "abstract page, {open-pdf} the PDF, {links} lists every link; with no browser the "
        "address is shown and copied. The palette exports what is shown or marked as JSON, "
        "Markdown, BibTeX, CSV, HTML or a notes folder.",
    ),
    (
        "Your keys",
        "Map binding ids (the last column below) to keys in {keys_file}: [keys] then lines "
        'like "status.read" = "r" or "undo" = "u,ctrl+z". `reader keys` prints the map.',
    ),
)
"""(heading, text) paragraphs; `{binding id}` stands for that binding's keys."""
_FIELD = re.compile(r"\{([\w.-]+)\}")


class HelpScreen(Dialog[None]):
    """The guide, then a table of (keys, what they do, binding id); any of escape, ? or
    q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(
        self,
        rows: list[tuple[str, str, str]],
        keys_file: str = "keys.toml",
        problems: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        """(keys, description, binding id) of every key, as the user's keymap has them."""
        self.keys_file = keys_file
        """Where the user's keys.toml is (or would be)."""
        self.problems = problems or []
        """What was wrong in keys.toml (those entries are not applied)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label("Help", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(self.guide(), id="help-guide")
                yield Static(self.key_table(), id="help-keys")
            yield Static(
                "↑ ↓ scroll.  Every action is also in the command palette (ctrl+p).",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def guide(self) -> Text:
        """The paragraphs of `GUIDE` with each binding's keys filled in."""
        keys = {binding_id: key for key, _, binding_id in self.rows if binding_id}
        keys["keys_file"] = self.keys_file

        def fill(match: re.Match[str]) -> str:
            key = keys.get(match[1], "none")
            return f"{match[1]} (no key)" if key == "none" else key

        text = Text()
        for heading, paragraph in GUIDE:
            text.append(f"{heading}. ", style="bold")
            text.append(_FIELD.sub(fill, paragraph))
            text.append("\n\n")
        if self.problems:
            text.append("Problems in keys.toml:\n", style="bold red")
        for problem in self.problems:
            text.append(f"• {problem}\n", style="red")
        text.rstrip()
        return text

    def key_table(self) -> Table:
        table = Table(box=None, padding=(0, 1), header_style="bold")
        table.add_column("Key", no_wrap=True)
        table.add_column("Action")
        table.add_column("Binding id", style="dim", no_wrap=True)
        for row in self.rows:
            table.add_row(*row)
        return table

    def action_close(self) -> None:
        self.dismiss(None)
