"""The palette's discovery commands: "Might also be tagged T" for each tag in use.

(`m`, more like this, and `%`, the stats screen, are keys of the main screen, so the
palette lists them with the other keys.)"""

from __future__ import annotations

from functools import partial

from reader.tui.commands import Command, CommandProvider


class DiscoverCommands(CommandProvider):
    """A command per tag: the untagged abstracts most like the tagged ones."""

    def commands(self) -> list[Command]:
        main = self.main
        return [
            Command(
                f"Might also be tagged {tag}",
                f"Untagged abstracts most like the {count} tagged #{tag}",
                partial(main.might_be_tagged, tag),
            )
            for tag, count in sorted(main.library.tag_counts().items())
        ]
