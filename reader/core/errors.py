"""The error types the core raises for user errors.

Every user-facing failure is a `ReaderError`: the CLI prints its message on one line
and exits 1, the TUI shows it in a notification. Anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class ReaderError(Exception):
    """A problem the user can act on; `str(error)` is a complete one-line message."""


class ParseError(ReaderError):
    """A file of abstracts that cannot be read or holds nothing recognisable."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class QueryError(ReaderError):
    """A malformed query. `position` is the 0-based offset of the problem in the query."""

    def __init__(self, message: str, position: int) -> None:
        self.reason = message
        self.position = position
        super().__init__(f"{message} (at column {position + 1})")


class UnknownIdError(ReaderError):
    """No record has this id or id prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        super().__init__(f"no abstract with id {prefix!r}")


class AmbiguousIdError(ReaderError):
    """An id prefix that matches more than one record."""

    def __init__(self, prefix: str, candidates: Sequence[str]) -> None:
        self.prefix = prefix
        self.candidates = list(candidates)
        shown = ", ".join(self.candidates[:10])
        more = f" and {len(self.candidates) - 10} more" if len(self.candidates) > 10 else ""
        super().__init__(f"id {prefix!r} is ambiguous: {shown}{more}")


class StoreError(ReaderError):
    """The data files cannot be read or written (corrupt, read-only, disk full, locked)."""


class ReadOnlyError(StoreError):
    """A change was asked of a library opened read-only."""


class IndexDamaged(StoreError):
    """A saved search index turned out damaged when a search used it (its arrays are
    checked as they are read, not all at load); the index is rebuilt."""


class BusyError(StoreError):
    """Another process holds the library's lock (it is writing); nothing was changed."""
