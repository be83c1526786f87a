"""What every dialog of the app shares: it returns once.

Textual's `Screen.dismiss` pops whatever screen is on top, not the screen it is called
on. Keys come faster than a dialog closes (a paste, a fast typist, a held key): a
second enter is already queued in the prompt when the first one dismisses it, and its
`Input.Submitted` then dismissed the screen under the prompt (`ScreenStackError` when
that was the main screen) or ran the dialog's callback twice. A dialog therefore
dismisses only while it is the top screen; a late event's dismiss does nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen

ResultType = TypeVar("ResultType")


def may_dismiss(screen: Screen[Any]) -> bool:
    """True while `screen` is the top screen: only then may it dismiss (and so pop)."""
    return screen.is_active


class Dialog(ModalScreen[ResultType]):
    """A modal screen that dismisses once: a dismiss after that (a late event) is ignored."""

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if not may_dismiss(self):
            return AwaitComplete.nothing()  # dismissed already: this event came late
        return super().dismiss(result)
