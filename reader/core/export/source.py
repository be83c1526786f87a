"""Where the exporters read records: anything with the two `Library` reading methods
of `Source`, so they can be tested without a library on disk. Light on purpose: the
JSON export (and `reader restore`) need nothing heavier."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from reader.core.errors import UnknownIdError
from reader.core.models import Abstract, Annotation, Record


class Source(Protocol):
    """What the exporters read from a `Library`."""

    def abstract(self, record_id: str) -> Abstract: ...

    def annotation(self, record_id: str) -> Annotation: ...


def load_record(library: Source, record_id: str) -> Record:
    """The record of `record_id`; its abstract is None when the library holds only an
    annotation for the id (a restore of another library's export)."""
    try:
        abstract: Abstract | None = library.abstract(record_id)
    except UnknownIdError:
        abstract = None
    return Record(record_id, abstract, library.annotation(record_id))


def load_records(library: Source, ids: Iterable[str]) -> list[Record]:
    return [load_record(library, i) for i in ids]
