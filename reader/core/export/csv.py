"""The CSV export: one row per abstract with every field, for a spreadsheet.

UTF-8 with a byte-order mark (so a spreadsheet program opened on the file reads its
accents right; Python reads it with `encoding="utf-8-sig"`), a header row, fields
with several values (authors, categories, tags, comments) joined with "; ".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from reader.core.export.common import Source, heading, load_records
from reader.core.models import Record

COLUMNS = (
    "id",
    "arxiv_id",
    "version",
    "title",
    "authors",
    "date",
    "updated",
    "categories",
    "doi",
    "journal_ref",
    "status",
    "tags",
    "note",
    "url",
    "pdf_url",
    "source",
    "comments",
    "abstract",
)
"""The header, in order."""

SEPARATOR = "; "
"""Between the values of a field that has several."""

BOM = "\ufeff"


def row(rec: Record) -> dict[str, str]:
    """The CSV row of `rec`: every column, as text ("" when unknown)."""
    a, ann = rec.abstract, rec.annotation
    values: dict[str, object] = {
        "id": rec.id,
        "arxiv_id": a and a.arxiv_id,
        "version": a and a.version,
        "title": heading(rec),
        "authors": a and SEPARATOR.join(a.authors),
        "date": a and a.date,
        "updated": a and a.updated,
        "categories": a and SEPARATOR.join(a.categories),
        "doi": a and a.doi,
        "journal_ref": a and a.journal_ref,
        "status": ann.status.value,
        "tags": SEPARATOR.join(ann.tags),
        "note": ann.note,
        "url": rec.url,
        "pdf_url": a and a.pdf_url,
        "source": a and a.source,
        "comments": a and SEPARATOR.join(a.comments),
        "abstract": a and a.text,
    }
    return {k: "" if v is None else str(v) for k, v in values.items()}


def export_csv(library: Source, ids: Iterable[str]) -> str:
    """The records of `ids`, a row each, after a header (and a byte-order mark)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for rec in load_records(library, ids):
        writer.writerow(row(rec))
    return BOM + out.getvalue()
