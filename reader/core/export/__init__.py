"""Exports of records with the user's annotations, one module per format, and reading
a JSON export back (`load_export`).

`json` is the backup (restored by `reader restore`); `markdown` and `html` are for
reading; `bibtex` for citing; `csv` for a spreadsheet; `notes` writes a folder of
Markdown files (Obsidian, Logseq, a git repository). `FORMATS` lists them; `render`
makes one as text, `write_export` writes one where the user said.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reader.core.errors import ReaderError
from reader.core.export.bibtex import export_bibtex
from reader.core.export.common import Source
from reader.core.export.csv import export_csv
from reader.core.export.html import export_html
from reader.core.export.json import FORMAT, RECORD_FIELDS, VERSION, export_json, load_export, record
from reader.core.export.markdown import export_markdown
from reader.core.export.notes import export_notes
from reader.core.text import plural
from reader.core.userfiles import write_through

FORMATS = ("json", "markdown", "bibtex", "csv", "html", "notes")
"""Every export format, as `--format` names them."""
LABELS = {
    "json": "JSON",
    "markdown": "Markdown",
    "bibtex": "BibTeX",
    "csv": "CSV",
    "html": "HTML",
    "notes": "a notes folder",
}
"""How the app's palette names each format ("Export shown as BibTeX")."""
EXTENSIONS = {"json": ".json", "markdown": ".md", "bibtex": ".bib", "csv": ".csv", "html": ".html"}
"""The file name ending of each format written to one file (`notes` writes a folder)."""


def default_name(fmt: str, today: date | None = None) -> str:
    """A file (or, for notes, folder) name to offer: `abstracts-2026-12-02.bib`."""
    if fmt == "notes":
        return "reader-notes"
    return f"abstracts-{(today or date.today()).isoformat()}{EXTENSIONS[fmt]}"


def render(fmt: str, library: Source, ids: Sequence[str], *, raw: bool = False) -> str:
    """The export of `ids` in format `fmt` (any but `notes`) as text."""
    if fmt == "json":
        return export_json(library, ids)
    if fmt == "markdown":
        return export_markdown(library, ids, raw=raw)
    makers = {"bibtex": export_bibtex, "csv": export_csv, "html": export_html}
    if fmt not in makers:
        raise ReaderError(f"the {fmt} export writes a folder: give one with -o DIR")
    return makers[fmt](library, ids)


def write_export(
    fmt: str, library: Source, ids: Sequence[str], path: Path, *, raw: bool = False
) -> str:
    """Write the export of `ids` to `path` (a file; for `notes`, a folder) and say
    what was written, in one line ("exported 3 abstracts to out.bib")."""
    if fmt == "notes":
        report = export_notes(library, ids, path)
        return f"exported {plural(report.count, 'note')} to {path}: {report.summary()}"
    write_through(path, render(fmt, library, ids, raw=raw).encode())
    return f"exported {plural(len(ids), 'abstract')} to {path}"


__all__ = [
    "EXTENSIONS",
    "FORMAT",
    "FORMATS",
    "LABELS",
    "RECORD_FIELDS",
    "Source",
    "VERSION",
    "default_name",
    "export_bibtex",
    "export_csv",
    "export_html",
    "export_json",
    "export_markdown",
    "export_notes",
    "load_export",
    "record",
    "render",
    "write_export",
]
