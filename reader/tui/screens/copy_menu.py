"""What `y` copies: the id, the BibTeX entry, the URL or a Markdown link (`yy`, `yb`,
`yu`, `ym`, or pick with the arrows and enter)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from reader.tui.screens.dialog import Dialog

CHOICES = (
    ("y", "id", "the id"),
    ("b", "bibtex", "the BibTeX entry"),
    ("u", "url", "the URL"),
    ("m", "markdown", "a Markdown link [title](url)"),
)
"""(key, what, label) of each thing the menu copies, in its order."""


class CopyMenu(Dialog[str | None]):
    """The copy menu; dismisses with what to copy (`id`, `bibtex`, `url`, `markdown`),
    or None on escape. `previews` shows each choice's text; a missing one is greyed
    out with the reason (a record without an arXiv id has no URL)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="copy-menu.cancel"),
        *(
            Binding(key, f"pick('{what}')", f"Copy {label}", show=False, id=f"copy-menu.{what}")
            for key, what, label in CHOICES
        ),
    ]

    def __init__(self, title: str, previews: dict[str, str | None]) -> None:
        super().__init__(id="copy-menu")
        self.menu_title = title
        self.previews = previews
        """What each choice would copy (None: there is nothing to copy)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Copy: {self.menu_title}"), classes="dialog-title")
            options = []
            for key, what, label in CHOICES:
                preview = self.previews.get(what)
                shown = (preview or "none").split("\n", 1)[0]
                if len(shown) > 40:
                    shown = shown[:39] + "…"
                options.append(
                    Option(Text(f"{key}  {label}: {shown}"), id=what, disabled=preview is None)
                )
            yield OptionList(*options, id="copy-options")
            yield Static(
                "y b u m or enter copies · escape cancels. Copied by OSC 52 and, where"
                " there is one, a clipboard program (wl-copy, xclip, xsel, pbcopy, tmux).",
                classes="dialog-hint",
            )

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, what: str) -> None:
        if self.previews.get(what) is None:
            self.notify(f"Nothing to copy as {what} here.", severity="warning")
            return
        self.dismiss(what)

    def action_cancel(self) -> None:
        self.dismiss(None)
