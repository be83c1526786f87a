"""Saved views: named queries the user keeps, stored in the user-data file.

A mixin of `Library`, which provides the user-data file, its lock and the sync with
other processes; this module only knows what a view is and how it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader.core.errors import ReaderError, ReadOnlyError
from reader.core.search.query import parse

if TYPE_CHECKING:
    from reader.core.store.folder import DataFile


@dataclass(frozen=True)
class View:
    """A named query the user saved."""

    name: str
    query: str


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
    name = " ".join(name.split())
    if not name:
        raise ValueError("a view needs a name")
    return name


class ViewsMixin:
    """The views API of `Library`."""

    read_only: bool
    _user: DataFile
    _sync_user: Callable[[], None]
    """Reload what another process wrote (Library provides it)."""

    def views(self) -> list[View]:
        """The user's saved views, by name."""
        return sorted(_views(self._user.storage.read() or {}), key=_vkey)

    def view(self, name: str) -> View | None:
        """The saved view called `name` (in any case), or None."""
        return next((v for v in self.views() if same_name(v.name, name)), None)

    def save_view(self, name: str, query: str, *, replace: Replace = False) -> View:
        """Save `query` as the view `name`. Raises ViewExistsError when a view of that
        name (in any case) exists and `replace` does not allow replacing it."""
        name = clean_name(name)
        parse(query)

        def edit(table: dict[str, Any]) -> None:
            for old in _allowed(table, name, replace):
                table.pop(old, None)
            table[name] = {"query": query}

        self._views_write(edit)
        return View(name, query)

    def delete_view(self, name: str) -> None:
        def edit(table: dict[str, Any]) -> None:
            found = [k for k in table if same_name(k, name)]
            if not found:
                raise ReaderError(f"no view named {name!r}")
            for key in found:
                table.pop(key)

        self._views_write(edit)

    def rename_view(self, old: str, new: str, *, replace: Replace = False) -> View:
        """Rename the view `old` to `new` (a change of case only is a rename too).
        Raises ViewExistsError when another view is called `new` and `replace` does
        not allow replacing it."""
        new = clean_name(new)
        renamed: list[View] = []

        def edit(table: dict[str, Any]) -> None:
            source = [k for k in table if same_name(k, old)]
            if not source:
                raise ReaderError(f"no view named {old!r}")
            query = str(_query(table[source[0]]))
            others = {k: v for k, v in table.items() if not same_name(k, old)}
            doomed = _allowed(others, new, replace)
            for key in [*source, *doomed]:
                table.pop(key, None)
            table[new] = {"query": query}
            renamed.append(View(new, query))

        self._views_write(edit)
        return renamed[0]

    def _views_write(self, edit: Callable[[dict[str, Any]], Any]) -> None:
        """Apply `edit` to the views table under the lock, on what is on disk now;
        `edit` checks before it changes anything, so an error it raises saves nothing."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; the view was not saved")
        with self._user.lock:
            self._sync_user()
            self._user.db.table("views")._update_table(edit)  # type: ignore[arg-type]


def _query(value: Any) -> str:
    return str(value.get("query", "")) if isinstance(value, dict) else ""


def _views(data: dict[str, Any]) -> list[View]:
    table = data.get("views", {})
    return [View(k, _query(v)) for k, v in table.items()] if isinstance(table, dict) else []


def _allowed(table: dict[str, Any], name: str, replace: Replace) -> list[str]:
    """The keys of `table` that saving `name` replaces; ViewExistsError unless
    `replace` allows replacing them (see `Replace`)."""
    found = [k for k in table if same_name(k, name)]
    if not found or replace is True:
        return found
    existing = View(found[0], _query(table[found[0]]))
    if replace == existing and len(found) == 1:
        return found
    raise ViewExistsError(existing)


def _vkey(view: View) -> str:
    return view.name.lower()
