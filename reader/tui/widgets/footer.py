"""The footer: the keys that act where the focus is, with help and quit first."""

from __future__ import annotations

from textual.widgets import Footer

FIRST = ("help", "quit")
"""Actions whose keys lead the footer, so a narrow terminal (80 columns) still shows
them: the keys after them are cut at the right edge, these never are."""


class ReaderFooter(Footer):
    """Textual's footer with `? Help` and `q Quit` moved to the front.

    Textual's footer recomposes itself whenever the active keys change; the two keys
    are moved once it has (reordering what `compose` yields would take the grouped
    status keys out of their group)."""

    async def recompose(self) -> None:
        await super().recompose()
        # a FooterKey (not public in Textual 8) has the action its key runs
        first = [c for c in self.children if getattr(c, "action", None) in FIRST]
        first.sort(key=lambda key: FIRST.index(getattr(key, "action", "")))
        for key in reversed(first):
            self.move_child(key, before=0)
