"""The HTML export: one self-contained page (inline CSS, no script, nothing fetched),
to read in a browser, share or print.

A table of contents, then a `<section>` per abstract (its id is the citation key):
title, authors, links, metadata, the abstract with its LaTeX rendered as the app shows
it (`\\emph` in italics, `\\textbf` in bold, math as Unicode) and the user's note
rendered from Markdown with markdown-it-py (tables, task lists, footnotes, strike-
through). Raw HTML in a note is shown as text, never run; links are only the kinds
markdown-it lets through (no `javascript:`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from html import escape

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from reader.core.export.common import Source, citation_keys, heading, load_records
from reader.core.ingest.latex import latex_segments
from reader.core.models import Record, now_iso
from reader.core.text import plural, squash

CSS = """
body { font: 16px/1.5 Georgia, 'Times New Roman', serif; max-width: 46rem;
  margin: 2rem auto; padding: 0 1rem; color: #222; background: #fff; }
h1, h2, h3, h4, h5, h6, nav, .meta, .tags { font-family: system-ui, sans-serif; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-bottom: .25rem; }
nav ol { padding-left: 1.5rem; } nav li { margin: .15rem 0; }
section { border-top: 1px solid #ccc; padding-top: 1rem; margin-top: 1.5rem; }
.authors { margin: 0; font-style: italic; }
.meta, .tags { color: #555; font-size: .85rem; margin: .25rem 0; }
.tag { background: #eef; border-radius: 3px; padding: 0 .3rem; margin-right: .25rem; }
.abstract { text-align: justify; hyphens: auto; }
.math { font-style: italic; }
.note { background: #fafaf5; border-left: 3px solid #cc9; padding: .25rem 1rem; }
.note table { border-collapse: collapse; } .note th, .note td { border: 1px solid #bbb;
  padding: .2rem .5rem; }
.note pre, .note code { font-family: ui-monospace, monospace; font-size: .9em;
  background: #eee; } .note pre { padding: .5rem; overflow-x: auto; }
.note .task-list-item { list-style: none; }
a { color: #1a4d8f; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  nav { page-break-after: always; }
  section { page-break-inside: avoid; border-top-color: #999; }
  .note { background: none; }
  .abstract a[href]::after, .meta a[href]::after { content: " (" attr(href) ")";
    font-size: .8em; word-break: break-all; }
}
"""
"""The page's whole style: readable on screen, and on paper (a page per abstract where
it fits, link addresses printed)."""


@cache
def _markdown() -> MarkdownIt:
    """The note renderer: CommonMark with tables, strikethrough, task lists and
    footnotes; raw HTML off, so `<script>` in a note is escaped as text."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md.use(tasklists_plugin).use(footnote_plugin)


def note_html(note: str, doc_id: str) -> str:
    """A note's Markdown as HTML (footnote anchors prefixed with `doc_id`, so the notes
    of two sections do not share ids)."""
    return _markdown().render(note, {"docId": doc_id})


def latex_html(text: str) -> str:
    """Source LaTeX as HTML: rendered as in the app, italic and bold kept, math marked."""
    tags = {"italic": "em", "bold": "strong"}
    parts = []
    for run, style in latex_segments(text):
        run = escape(run)
        if style == "math":
            parts.append(f'<span class="math">{run}</span>')
        elif style in tags:
            parts.append(f"<{tags[style]}>{run}</{tags[style]}>")
        else:
            parts.append(run)
    return "".join(parts)


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>'


def section(rec: Record, key: str) -> str:
    """The `<section>` of one record."""
    abstract, ann = rec.abstract, rec.annotation
    out = [f'<section class="record" id="{escape(key)}">', f"<h2>{escape(heading(rec))}</h2>"]
    if abstract and abstract.authors:
        out.append(f'<p class="authors">{escape(squash(", ".join(abstract.authors)))}</p>')
    meta = [f"<code>{escape(rec.id)}</code>"]
    if abstract is not None:
        if abstract.url and rec.arxiv_label:
            meta.append(_link(abstract.url, f"arXiv:{rec.arxiv_label}"))
        if abstract.pdf_url:
            meta.append(_link(abstract.pdf_url, "PDF"))
        if abstract.doi:
            meta.append(_link(f"https://doi.org/{abstract.doi}", f"doi:{abstract.doi}"))
        meta += [escape(x) for x in (abstract.date, abstract.journal_ref) if x]
        if abstract.categories:
            meta.append(escape(" ".join(abstract.categories)))
    meta.append(f"status: {escape(ann.status.value)}")
    out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    if ann.tags:
        tags = "".join(f'<span class="tag">#{escape(t)}</span>' for t in ann.tags)
        out.append(f'<p class="tags">{tags}</p>')
    if abstract is None:
        out.append('<p class="abstract"><em>(not in this library)</em></p>')
    else:
        if abstract.comments:
            comments = "; ".join(latex_html(c) for c in abstract.comments)
            out.append(f'<p class="meta"><em>{comments}</em></p>')
        out.append(f'<p class="abstract">{latex_html(abstract.text)}</p>')
    if ann.note.strip():
        out.append(f'<div class="note">\n{note_html(ann.note, key)}</div>')
    out.append("</section>")
    return "\n".join(out)


def export_html(library: Source, ids: Iterable[str]) -> str:
    """One HTML page of the records of `ids`, in that order, with a table of contents."""
    records = load_records(library, ids)
    keys = citation_keys(records)
    toc = "\n".join(
        f'<li><a href="#{escape(keys[r.id])}">{escape(heading(r))}</a></li>' for r in records
    )
    body = "\n".join(section(r, keys[r.id]) for r in records)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reader">
<title>Abstracts</title>
<style>{CSS}</style>
</head>
<body>
<h1>Abstracts</h1>
<p class="meta">{plural(len(records), "abstract")}, exported {now_iso()}.</p>
<nav>
<h2>Contents</h2>
<ol>
{toc}
</ol>
</nav>
{body}
</body>
</html>
"""
