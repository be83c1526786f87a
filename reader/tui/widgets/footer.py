"""The footer: the keys that act where the focus is, with help and quit first."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

FIRST = ("help", "quit")
"""Actions whose keys lead the footer, so a narrow terminal (80 columns) still shows
them: the keys after them are cut at the right edge, these never are."""


class ReaderFooter(Footer):
    """Textual's footer with `? Help` and `q Quit` moved to the front.

    Textual's footer recomposes itself whenever the active keys change; the two keys
    are moved once it has (reordering what `compose` yields would take the grouped
    status keys out of their group)."""

    _recompose_due = False
    """A recompose is scheduled (after the next refresh) and has not started yet."""

    def bindings_changed(self, screen: Screen) -> None:
        """Textual's, but one recompose for any number of changes before it runs: a
        start changes the bindings 8 times (mount, focus, the first rows), and each
        recompose remakes every key (about 10 ms of styles each)."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_due:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_due = False
        await self.recompose()

    async def recompose(self) -> None:
        await super().recompose()
        # a FooterKey (not public in Textual 8) has the action its key runs
        first = [c for c in self.children if getattr(c, "action", None) in FIRST]
        first.sort(key=lambda key: FIRST.index(getattr(key, "action", "")))
        for key in reversed(first):
            self.move_child(key, before=0)
