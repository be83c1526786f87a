"""`L`: every link of the abstract and its note, urlview style; enter opens one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from reader.core.links import Link
from reader.tui.screens.dialog import Dialog


class LinkList(Dialog[str | None]):
    """The links, each with where it was found; dismisses with the chosen address."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="links.cancel"),
    ]

    def __init__(self, title: str, links: list[Link]) -> None:
        super().__init__(id="link-list")
        self.list_title = title
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog links-dialog"):
            yield Label(Text(f"Links: {self.list_title}"), classes="dialog-title")
            yield OptionList(
                *(
                    Option(Text(f"{n:>2}  {link.url}  ({link.where})"), id=str(n - 1))
                    for n, link in enumerate(self.links, 1)
                ),
                id="link-options",
            )
            yield Static("enter opens the link · escape closes", classes="dialog-hint")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.links[int(event.option.id or 0)].url)

    def action_cancel(self) -> None:
        self.dismiss(None)
