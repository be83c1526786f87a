"""The JSON export, and reading it back.

The JSON export is the user's backup and the way to move annotations between
libraries: `load_export` reads it back as `{id: Annotation}` for `Library.put`, so a
restore puts back every status, tag, note and title exactly. The other formats are for
reading, citing and sharing, not for restoring.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from reader.core.errors import ReaderError
from reader.core.export.source import Source, load_record
from reader.core.models import FIELDS, Annotation, Record, Status, normalize_tag, now_iso
from reader.core.userfiles import read_regular

FORMAT = "reader-export"
"""The `format` field of every JSON export."""
VERSION = 1
"""The export version this release writes; `load_export` reads this one and older."""

RECORD_FIELDS = (
    "id",
    "arxiv_id",
    "version",
    "date",
    "source",
    "headline",
    "text",
    "comments",
    "status",
    "tags",
    "note",
    "title",
    "created",
    "updated",
)
"""The keys of one exported record, in the order they are written."""


def record(library: Source, record_id: str) -> dict[str, Any]:
    """One record as exported: the abstract's fields (None when the library has no
    abstract with this id, only an annotation) and the annotation's."""
    return _exported(load_record(library, record_id))


def _exported(rec: Record) -> dict[str, Any]:
    record_id, abstract, ann = rec.id, rec.abstract, rec.annotation
    return {
        "id": record_id,
        "arxiv_id": abstract.arxiv_id if abstract else None,
        "version": abstract.version if abstract else None,
        "date": abstract.date if abstract else None,
        "source": abstract.source if abstract else None,
        "headline": abstract.headline if abstract else None,
        "text": abstract.text if abstract else None,
        "comments": list(abstract.comments) if abstract else [],
        **rec.fields(),
        "created": ann.created,
        "updated": ann.updated,
    }


def export_json(library: Source, ids: Iterable[str]) -> str:
    """The records of `ids`, in that order, in a versioned JSON envelope."""
    envelope = {
        "format": FORMAT,
        "version": VERSION,
        "exported": now_iso(),
        "records": [record(library, i) for i in ids],
    }
    return orjson.dumps(envelope, option=orjson.OPT_INDENT_2).decode() + "\n"


def load_export(path: Path | str) -> dict[str, Annotation]:
    """The annotations in the JSON export at `path`, by record id, in file order.

    Raises ReaderError naming the file (and the record, where there is one) when the
    file cannot be read or is not an export this release understands.
    """
    path = Path(path)
    try:
        raw = read_regular(path, what="JSON export")
    except FileNotFoundError as error:
        raise ReaderError(f"cannot read {path}: {error.strerror}") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ReaderError(f"{path} is not a reader export: not JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReaderError(
            f'{path} is not a reader export (no "format": "{FORMAT}"); '
            "make one with `reader export --format json`"
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReaderError(f"{path}: the export has no valid version number")
    if version > VERSION:
        raise ReaderError(
            f"{path} was written by a newer reader (export version {version}); "
            f"this release reads version {VERSION}"
        )
    records = data.get("records")
    if not isinstance(records, list):
        raise ReaderError(f"{path}: the export has no list of records")
    found: dict[str, Annotation] = {}
    for number, item in enumerate(records, start=1):
        key, ann = _annotation(path, number, item)
        if key in found:
            raise ReaderError(f"{path}: record {number} repeats the id {key!r}")
        found[key] = ann
    return found


def _annotation(path: Path, number: int, item: Any) -> tuple[str, Annotation]:
    """The id and annotation of record `number` (1-based) of the export at `path`."""
    where = f"{path}: record {number}"
    if not isinstance(item, dict):
        raise ReaderError(f"{where} is not an object")
    key = item.get("id")
    if not isinstance(key, str) or not key.strip():
        raise ReaderError(f"{where} has no id")
    where += f" ({key})"
    missing = [f for f in FIELDS if f not in item]
    if missing:
        raise ReaderError(f"{where} lacks {', '.join(missing)}")
    for name in ("note", "title", "created", "updated"):
        if not isinstance(item.get(name, ""), str):
            raise ReaderError(f"{where}: {name} is not a string")
    if not isinstance(item["status"], str):
        raise ReaderError(f"{where}: status is not a string")
    tags = item["tags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ReaderError(f"{where}: tags is not a list of strings")
    try:
        status = Status.parse(item["status"])
        normal = tuple(sorted({normalize_tag(t) for t in tags}))
    except ValueError as error:
        raise ReaderError(f"{where}: {error}") from None
    ann = Annotation(
        status=status,
        tags=normal,
        note=item["note"],
        title=item["title"],
        created=item.get("created", ""),
        updated=item.get("updated", ""),
    )
    return key, ann
