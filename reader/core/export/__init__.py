"""Exports of records with the user's annotations, one module per format, and reading
a JSON export back (`load_export`).

`json` is the backup (restored by `reader restore`); `markdown` and `html` are for
reading; `bibtex` for citing; `csv` for a spreadsheet; `notes` writes a folder of
Markdown files (Obsidian, Logseq, a git repository). `FORMATS` lists them; `render`
makes one as text, `write_export` writes one where the user said.

Importing this package loads no exporter: the command line reads `FORMATS` at start,
and the exporters pull in bibtexparser, markdown-it, PyYAML and the LaTeX converter
(`reader tag` must not wait for those). The exporters' names (`export_json`,
`load_export`, …) are loaded on first use (`__getattr__`).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reader.core.export.source import Source

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

_LAZY = {
    "FORMAT": "json",
    "RECORD_FIELDS": "json",
    "VERSION": "json",
    "export_json": "json",
    "load_export": "json",
    "record": "json",
    "export_markdown": "markdown",
    "export_bibtex": "bibtex",
    "export_csv": "csv",
    "export_html": "html",
    "export_notes": "notes",
}
"""Names this package offers from its modules, loaded when first asked for."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def default_name(fmt: str, today: date | None = None) -> str:
    """A file (or, for notes, folder) name to offer: `abstracts-2026-12-02.bib`."""
    if fmt == "notes":
        return "reader-notes"
    return f"abstracts-{(today or date.today()).isoformat()}{EXTENSIONS[fmt]}"


def render(fmt: str, library: Source, ids: Sequence[str], *, raw: bool = False) -> str:
    """The export of `ids` in format `fmt` (any but `notes`) as text."""
    from reader.core.errors import ReaderError

    if fmt == "markdown":
        from reader.core.export.markdown import export_markdown

        return export_markdown(library, ids, raw=raw)
    if fmt not in EXTENSIONS:
        raise ReaderError(f"the {fmt} export writes a folder: give one with -o DIR")
    module = importlib.import_module(f"{__name__}.{fmt}")
    exporter = getattr(module, f"export_{fmt}")
    return str(exporter(library, ids))


def write_export(
    fmt: str, library: Source, ids: Sequence[str], path: Path, *, raw: bool = False
) -> str:
    """Write the export of `ids` to `path` (a file; for `notes`, a folder) and say
    what was written, in one line ("exported 3 abstracts to out.bib")."""
    from reader.core.text import plural
    from reader.core.userfiles import write_through

    if fmt == "notes":
        from reader.core.export.notes import export_notes

        report = export_notes(library, ids, path)
        return f"exported {plural(report.count, 'note')} to {path}: {report.summary()}"
    write_through(path, render(fmt, library, ids, raw=raw).encode())
    return f"exported {plural(len(ids), 'abstract')} to {path}"
