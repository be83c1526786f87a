"""The BibTeX export: one entry per abstract, for citing.

An arXiv abstract is a `@misc` with `eprint`, `archivePrefix = {arXiv}`,
`primaryClass`, `url` and, when known, `doi`; others are a `@misc` with what is known.
Keys are `vaswani2017attention` when the record has authors and a title, else its id
(`common.citation_keys`: unique within the export, independent of its order). The
user's tags go in `keywords`, the note in `annote`.

Entries are built as bibtexparser (v2) blocks and written by its writer. Values are
escaped so that BibTeX and biber read them: text the user typed (note, tags, own
title) has every LaTeX special character escaped; source text (abstract, title) is
kept as LaTeX when its braces balance, else escaped the same way. Braces become
`\\textbraceleft{}` / `\\textbraceright{}`, since BibTeX counts even `\\{` when it
matches braces.
"""

from __future__ import annotations

from collections.abc import Iterable

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares import default_unparse_stack
from bibtexparser.middlewares.middleware import Middleware

from reader.core.export.common import Source, citation_keys, heading, load_records
from reader.core.models import Record
from reader.core.text import squash

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_TABLE = str.maketrans(_SPECIAL)


def escape(text: str) -> str:
    """Plain `text` as a BibTeX value that prints as typed (`50% & more` ->
    `50\\% \\& more`); any braces in it are balanced by construction."""
    return printable_line(text).translate(_TABLE)


def printable_line(text: str) -> str:
    """`text` without control characters (newlines and tabs become spaces in fields
    that are one line; notes keep their line breaks)."""
    return "".join(c if c.isprintable() or c == "\n" else " " for c in text)


def balanced(text: str) -> bool:
    """Whether the braces of LaTeX `text` balance, as BibTeX counts them (a `\\{` too)."""
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and not text.endswith("\\")


def latex_value(text: str) -> str:
    """Source LaTeX (an abstract, a source's title) as a value: kept as written when
    BibTeX can read it, else escaped as plain text."""
    text = squash(printable_line(text))
    return text if balanced(text) else escape(text)


def entry(rec: Record, key: str) -> model.Entry:
    """The `@misc` entry of `rec` under `key`."""
    abstract, ann = rec.abstract, rec.annotation
    fields: list[tuple[str, str]] = []
    if ann.title or abstract is None or not abstract.title:
        fields.append(("title", "{" + escape(heading(rec)) + "}"))  # keep its capitals
    else:
        fields.append(("title", "{" + latex_value(abstract.title) + "}"))
    if abstract is not None:
        if abstract.authors:
            names = " and ".join(squash(a) for a in abstract.authors if a.strip())
            fields.append(("author", latex_value(names)))
        if abstract.date:
            year, _, rest = abstract.date.partition("-")
            fields.append(("year", year))
            fields.append(("month", rest[:2].lstrip("0")))
        if abstract.arxiv_id:
            fields += [("eprint", abstract.arxiv_id), ("archivePrefix", "arXiv")]
            if abstract.categories:
                fields.append(("primaryClass", abstract.categories[0]))
        if abstract.url:
            fields.append(("url", abstract.url))
        if abstract.doi:
            fields.append(("doi", abstract.doi))
        if abstract.journal_ref:
            fields.append(("howpublished", latex_value(abstract.journal_ref)))
        if abstract.comments:
            fields.append(("note", latex_value("; ".join(abstract.comments))))
        fields.append(("abstract", latex_value(abstract.text)))
    if ann.tags:
        fields.append(("keywords", escape(", ".join(ann.tags))))
    if ann.note.strip():
        fields.append(("annote", escape(ann.note.strip())))
    return model.Entry("misc", key, [model.Field(k, v) for k, v in fields if v])


def export_bibtex(library: Source, ids: Iterable[str]) -> str:
    """A BibTeX file of the records of `ids`, in that order."""
    records = load_records(library, ids)
    keys = citation_keys(records)
    bib = bibtexparser.Library([entry(rec, keys[rec.id]) for rec in records])
    form = bibtexparser.BibtexFormat()
    form.indent = "  "
    form.block_separator = "\n"
    return bibtexparser.write_string(bib, unparse_stack=_unparse_stack(), bibtex_format=form)


def _unparse_stack() -> list[Middleware]:
    """bibtexparser's writer steps, allowed to change the blocks in place: the default
    deep-copies every block first (and warns about it past a few thousand)."""
    return default_unparse_stack(allow_inplace_modification=True)


def record_bibtex(rec: Record) -> str:
    """One record's entry, as `y` copies it."""
    key = citation_keys([rec])[rec.id]
    library = bibtexparser.Library([entry(rec, key)])
    return bibtexparser.write_string(library, unparse_stack=_unparse_stack())
