"""Saved views: named queries the user keeps, stored in the user-data file.

A mixin of `Library`, which provides the user-data file, its lock and the sync with
other processes; this module only knows what a view is and how it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader.core.errors import ReaderError, ReadOnlyError
from reader.core.query import parse

if TYPE_CHECKING:
    from reader.core.store import DataFile


@dataclass(frozen=True)
class View:
    """A named query the user saved."""

    name: str
    query: str


class ViewsMixin:
    """The views API of `Library`."""

    read_only: bool
    _user: DataFile
    _sync_user: Callable[[], None]
    """Reload what another process wrote (Library provides it)."""

    def views(self) -> list[View]:
        """The user's saved views, by name."""
        data = self._user.storage.read() or {}
        table = data.get("views", {})
        return sorted((View(k, str(v.get("query", ""))) for k, v in table.items()), key=_vkey)

    def save_view(self, name: str, query: str) -> View:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a view needs a name")
        parse(query)
        self._views_write(lambda t: t.update({name: {"query": query}}))
        return View(name, query)

    def delete_view(self, name: str) -> None:
        if name not in {v.name for v in self.views()}:
            raise ReaderError(f"no view named {name!r}")
        self._views_write(lambda t: t.pop(name, None))

    def rename_view(self, old: str, new: str) -> View:
        new = " ".join(new.split())
        views = {v.name: v for v in self.views()}
        if old not in views:
            raise ReaderError(f"no view named {old!r}")
        if not new:
            raise ValueError("a view needs a name")
        query = views[old].query
        self._views_write(lambda t: (t.pop(old, None), t.update({new: {"query": query}})))
        return View(new, query)

    def _views_write(self, edit: Callable[[dict[str, Any]], Any]) -> None:
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; the view was not saved")
        with self._user.lock:
            self._sync_user()
            self._user.db.table("views")._update_table(edit)  # type: ignore[arg-type]


def _vkey(view: View) -> str:
    return view.name.lower()
