"""The header line: which library is open and how many abstracts are in each status."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from reader.core.models import Status
from reader.tui.render import glyph


def display_path(path: Path) -> str:
    """`path` with the home folder written `~`."""
    try:
        return f"~/{path.resolve().relative_to(Path.home().resolve())}"
    except ValueError:
        return str(path)


class LibraryHeader(Widget):
    """`reader  ~/data/reader  49 abstracts   ● unread 41 · ◆ to-read 5 · ...`.

    The counts (and READ-ONLY, when changes cannot be saved) always show; the name,
    the path and the total give way, in that order, when the terminal is too narrow
    for everything.
    """

    counts: reactive[tuple[int, ...]] = reactive(())
    """Abstracts per status, in `Status` order."""
    total: reactive[int] = reactive(0)
    path: reactive[str] = reactive("")
    read_only: reactive[bool] = reactive(False)
    """The library is open read-only: shown as a READ-ONLY badge."""

    def show(
        self, path: Path, total: int, counts: dict[Status, int], *, read_only: bool = False
    ) -> None:
        """Show the library at `path` with `total` abstracts and these status counts."""
        self.path = display_path(path)
        self.total = total
        self.counts = tuple(counts.get(status, 0) for status in Status)
        self.read_only = read_only

    def render(self) -> Text:
        counts = Text()
        if self.read_only:
            counts.append(" READ-ONLY ", "bold reverse")
            counts.append("  ")
        for index, status in enumerate(Status):
            if index:
                counts.append(" · ", "dim")
            counts.append(f"{glyph(status)} {status.label} ")
            counts.append(str(self.counts[index] if self.counts else 0), "bold")
        plural = "" if self.total == 1 else "s"
        parts = [("reader", "bold"), (self.path, ""), (f"{self.total} abstract{plural}", "dim")]
        width = self.content_region.width or 10_000
        while parts:
            head = Text("  ").join(Text(text, style) for text, style in parts)
            if head.cell_len + 3 + counts.cell_len <= width:
                return Text.assemble(head, "   ", counts)
            parts.pop(0)
        return counts
