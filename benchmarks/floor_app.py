"""The smallest Textual app that shows what reader's first screen shows: a header
line, a bordered list of N rows titled `N of N`, a detail pane and a footer of keys.

`make bench` times its start -> painted beside reader's on the seeds: what any Textual
app of that shape pays beyond F (the import of textual.app and textual.widgets), so the
seeds row's margin over F can be read as Textual's part and reader's part."""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, OptionList, Static


class FloorApp(App[None]):
    CSS = """
    #list { width: 1fr; border: round $primary; }
    #detail { width: 1fr; border: round $primary; padding: 0 1; }
    """
    BINDINGS = [("q", "quit", "Quit"), ("question_mark", "help", "Help")]

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def compose(self) -> ComposeResult:
        yield Static(f"Inbox  {self.n} unread")
        with Horizontal():
            rows = OptionList(
                *(f"2023-06-{i % 28 + 1:02}  Abstract number {i}" for i in range(self.n)),
                id="list",
            )
            rows.border_title = f"{self.n} of {self.n}"
            yield rows
            yield Static("An abstract's text " * 40, id="detail")
        yield Footer()


if __name__ == "__main__":
    FloorApp(int(sys.argv[1]) if len(sys.argv) > 1 else 49).run()
