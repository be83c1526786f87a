"""The corpus in memory: stored records, made into `Abstract` objects only when used.

At 100,000 abstracts, building every frozen dataclass at start-up costs about a
second; the list shows a screenful. `Corpus` keeps the decoded JSON records and makes
(and keeps) an `Abstract` the first time a row is asked for. Whole columns (ids,
dates, sources) are read straight from the records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, overload

from reader.core.models import Abstract

T = TypeVar("T")


class ItemsOnRead(Sequence[T]):
    """A sequence whose items are made when read (`item`, given an index from 0 to
    len - 1): a slice item by item, a negative index from the end, IndexError out of
    range. The corpus by row, the cache's ids and abstracts, a saved vocabulary."""

    def item(self, i: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self.item(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return self.item(i)


class Corpus(ItemsOnRead[Abstract]):
    """Row-ordered abstracts backed by their stored dicts."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self._records = records
        self._made: list[Abstract | None] = [None] * len(records)

    def __len__(self) -> int:
        return len(self._records)

    def item(self, row: int) -> Abstract:
        made = self._made[row]
        if made is None:
            made = self._made[row] = Abstract.from_dict(self._records[row])
        return made

    def __iter__(self) -> Iterator[Abstract]:
        return (self[i] for i in range(len(self)))

    def column(self, name: str) -> list[Any]:
        """Field `name` of every row, without making the Abstract objects."""
        return [record.get(name) for record in self._records]


def column(abstracts: Sequence[Abstract], name: str) -> list[Any]:
    """Field `name` of every abstract, from the stored records when the sequence keeps
    them (a `Corpus`, the corpus cache's abstracts) rather than making every Abstract."""
    stored = getattr(abstracts, "column", None)
    if stored is not None:
        return stored(name)  # type: ignore[no-any-return]
    return [getattr(a, name) for a in abstracts]
