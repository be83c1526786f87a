"""The Markdown export: a document to read, print or paste (not to restore from).

Per record a `##` heading (the title, else the whole first sentence), its metadata, the
abstract with its LaTeX rendered as the app shows it (`\\emph{x}` as `*x*`), and the
note under `### Note`, its own headings moved below that level so the outline holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from reader.core.export.common import (
    Source,
    demote_headings,
    heading,
    latex_markdown,
    load_records,
)
from reader.core.models import Record, now_iso
from reader.core.text import plural, printable, squash

NOTE_LEVEL = 3
"""The level of a record's "Note" heading; the note's headings go below it."""


def export_markdown(library: Source, ids: Iterable[str], *, raw: bool = False) -> str:
    """A readable document: per record a heading, its metadata, the abstract, the note.

    The LaTeX of abstracts and comments is rendered as the app shows it (`$\\alpha$`
    -> α, `\\emph{x}` -> `*x*`); `raw` keeps it as written.
    """
    records = load_records(library, ids)
    parts = [f"# Abstracts\n\n{plural(len(records), 'abstract')}, exported {now_iso()}.\n"]
    parts += [record_markdown(r, raw=raw) for r in records]
    return printable("\n".join(parts))  # control characters would reach a terminal


def record_markdown(rec: Record, *, raw: bool = False, level: int = 2) -> str:
    """One record as Markdown, its heading at `level`."""
    abstract, ann = rec.abstract, rec.annotation
    render = (lambda text: squash(text)) if raw else latex_markdown
    lines = [f"{'#' * level} {squash(heading(rec))}", ""]
    ident = f"`{rec.id}`"
    if rec.arxiv_label:
        ident += f" · [arXiv:{rec.arxiv_label}]({rec.url})"
    date = abstract.date if abstract else None
    source = abstract.source if abstract else None
    meta = [ident] + [x for x in (date, source and f"from {source}") if x]
    if abstract and abstract.authors:
        lines.append(squash(", ".join(abstract.authors)) + "  ")
    lines.append(" · ".join(meta) + "  ")
    if abstract and abstract.doi:
        lines.append(f"DOI: [{abstract.doi}](https://doi.org/{abstract.doi})  ")
    lines.append(f"**Status:** {ann.status.value}  ")
    tags = ", ".join(f"`{t}`" for t in ann.tags) or "none"
    lines.append(f"**Tags:** {tags}")
    if ann.title and abstract is not None:
        lines += ["", f"*{squash(abstract.title or abstract.headline)}*"]
    if abstract and abstract.comments:
        lines += ["", "*" + "; ".join(render(c) for c in abstract.comments) + "*"]
    lines += ["", render(abstract.text) if abstract else "*(not in this library)*"]
    if ann.note.strip():
        note_level = level + 1
        lines += ["", f"{'#' * note_level} Note", "", demote_headings(ann.note.strip(), note_level)]
    return "\n".join(lines) + "\n"
