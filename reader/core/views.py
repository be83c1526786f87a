"""Views: named queries. The built-in ones, and what a saved view is.

The user's saved views are kept in the user-data file (`store/userdata.py` reads and
writes them); this module says what a view is, how names compare, and which views
every library has (`BUILT_IN`), for the app's sidebar and `reader view list` alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.core.errors import ReaderError
from reader.core.text import squash


@dataclass(frozen=True)
class View:
    """A named query the user saved."""

    name: str
    query: str


@dataclass(frozen=True)
class CountedView:
    """A view to show, in its group ("" for the built-in ones, "tags", "sources",
    "saved"), with how many abstracts it holds (None: not counted, or its query no
    longer parses)."""

    group: str
    view: View
    count: int | None = None


BUILT_IN = (
    View("Inbox", "status:unread"),
    View("To read", "status:to-read"),
    View("Reading", "status:reading"),
    View("Read", "status:read"),
    View("Skipped", "status:skipped"),
    View("With notes", "has:note"),
)
"""The views every library has, in the order they are shown, before the user's own."""


class ViewExistsError(ReaderError):
    """A save or rename onto the name of another view, not confirmed by the caller."""

    def __init__(self, existing: View) -> None:
        self.existing = existing
        """The view that would be replaced, as it is on disk now."""
        super().__init__(
            f"a view named {existing.name!r} already exists: {existing.query or '(everything)'}"
        )


Replace = bool | View
"""What a save or rename may replace: nothing (False), any view of that name (True,
the CLI's --force), or only this view, unchanged since the user was shown it (a View:
the app's confirmation)."""


def same_name(a: str, b: str) -> bool:
    """View names compare without regard to case: "Later" and "later" are one view."""
    return a.casefold() == b.casefold()


def clean_name(name: str) -> str:
    """A view's name with its white space collapsed; ValueError when nothing is left."""
    name = squash(name)
    if not name:
        raise ValueError("a view needs a name")
    return name
