"""The palette's commands for getting things out: export what the list shows or what
is marked, in each format, and search arXiv for an abstract without an id."""

from __future__ import annotations

from functools import partial

from reader.core.export import FORMATS, LABELS
from reader.tui import outward
from reader.tui.commands import Command, CommandProvider


class ExportCommands(CommandProvider):
    """ "Export shown as BibTeX", "Export marked as CSV", …, and the arXiv search."""

    def commands(self) -> list[Command]:
        main = self.main
        commands = [
            Command(
                "Search arXiv for the highlighted abstract",
                "Open arXiv's search for its headline (for abstracts without an id)",
                main.action_search_arxiv,
            )
        ]
        for fmt in FORMATS:
            commands.append(
                Command(
                    f"Export shown as {LABELS[fmt]}",
                    f"The abstracts the list shows, to a {'folder' if fmt == 'notes' else 'file'}",
                    partial(outward.export, main, fmt, main.shown_ids, "shown"),
                )
            )
        for fmt in FORMATS:
            commands.append(
                Command(
                    f"Export marked as {LABELS[fmt]}",
                    "The marked abstracts (space, *), shown or not",
                    partial(outward.export, main, fmt, main.marked_ids, "marked"),
                )
            )
        return commands
