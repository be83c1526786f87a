"""What the export formats share: citation keys, headings, LaTeX as Markdown (and,
from `source`, reading records from the library)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from anyascii import anyascii
from markdown_it import MarkdownIt

from reader.core.export.source import Source, load_record, load_records
from reader.core.ingest.latex import latex_segments, latex_to_unicode
from reader.core.ingest.parse import first_sentence
from reader.core.models import Record, surname
from reader.core.text import squash


def heading(rec: Record) -> str:
    """What an export titles a record with: the user's title, the source's title, else
    the whole first sentence of the abstract (the app's headline is cut at ~100
    characters) without its full stop, LaTeX as Unicode, on one line."""
    abstract = rec.abstract
    if rec.annotation.title or abstract is None:
        return squash(rec.title)
    if abstract.title:
        return latex_to_unicode(abstract.title)  # sources write `$\alpha$` in titles too
    sentence = squash(first_sentence(abstract.text))
    return (sentence[:-1] if sentence.endswith(".") else sentence) or rec.id


# ---------------------------------------------------------------- citation keys
_STOP_WORDS = frozenset(
    ("a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "by", "from")
    + ("at", "as", "is", "are", "via", "towards", "toward", "do", "does", "can", "what")
    + ("when", "why", "how", "we", "our", "its")
)
_WORD = re.compile(r"[a-z0-9]+")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")


def base_key(rec: Record) -> str:
    """`vaswani2017attention`: first author's surname, year, first word of the title
    that is not a stop word (ASCII, lower case). Without authors or a title of its own
    (the seed formats carry neither), the record id, made safe for BibTeX and file
    names (`math/0601001` -> `math-0601001`)."""
    abstract = rec.abstract
    title = rec.annotation.title or (abstract.title if abstract else "")
    authors = abstract.authors if abstract else ()
    name = _ascii_words(surname(authors[0])) if authors else []
    words = [w for w in _ascii_words(latex_to_unicode(title)) if w not in _STOP_WORDS]
    if name and words:
        year = (abstract.date or "")[:4] if abstract else ""
        return "".join(name) + (year if year.isdigit() else "") + words[0]
    return _KEY_UNSAFE.sub("-", rec.id).strip("-") or "record"


def _ascii_words(text: str) -> list[str]:
    return _WORD.findall(anyascii(text).lower())


def citation_keys(records: Iterable[Record]) -> dict[str, str]:
    """A unique citation key per record id (`base_key`). Where base keys collide, the
    earliest record (by date, then id) keeps it and the others get `a`, `b`, …
    appended in that order, so a key does not depend on the order of the export."""
    groups: dict[str, list[Record]] = {}
    for rec in records:
        groups.setdefault(base_key(rec), []).append(rec)
    keys: dict[str, str] = {}
    taken = set(groups)
    for base, group in groups.items():
        if len(group) == 1:
            keys[group[0].id] = base
            continue
        group.sort(key=lambda r: ((r.abstract.date or "") if r.abstract else "", r.id))
        keys[group[0].id] = base  # the earliest keeps the plain key
        for number, rec in enumerate(group[1:]):
            key = base + _suffix(number)
            while key in taken:  # `smith2020a` could be another record's base key
                number += len(group)
                key = base + _suffix(number)
            taken.add(key)
            keys[rec.id] = key
    return keys


def _suffix(number: int) -> str:
    """a, b, …, z, aa, ab, …"""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


# ---------------------------------------------------------------- Markdown pieces
def latex_markdown(text: str) -> str:
    """LaTeX as Markdown: rendered as Unicode as the app shows it, with `\\emph` and
    `\\textit` as `*...*` and `\\textbf` as `**...**` (spaces kept outside the marks)."""
    parts: list[str] = []
    for run, style in latex_segments(text):
        mark = {"italic": "*", "bold": "**"}.get(style or "")
        stripped = run.strip()
        if not mark or not stripped:
            parts.append(run)
            continue
        lead = run[: len(run) - len(run.lstrip())]
        trail = run[len(run.rstrip()) :]
        parts.append(f"{lead}{mark}{stripped}{mark}{trail}")
    return "".join(parts)


_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")


def demote_headings(markdown: str, below: int) -> str:
    """`markdown` with every heading (ATX `## x` and setext `x` / `===`) moved down to
    levels deeper than `below` (a note's `# Idea` under `### Note` becomes `#### Idea`),
    at most level 6. Lines inside code blocks are left alone: the heading lines are
    found by the Markdown parser, not by a pattern."""
    lines: list[str | None] = list(markdown.split("\n"))
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type != "heading_open" or token.map is None:
            continue
        level = min(6, int(token.tag[1]) + below)
        start, end = token.map
        line = lines[start] or ""
        if token.markup.startswith("#"):
            marks = _ATX.match(line)
            if marks:
                lines[start] = marks.group(1) + "#" * level + line[marks.end() :]
        else:  # setext: text lines, then the `===` or `---` underline
            text = " ".join((x or "").strip() for x in lines[start : end - 1])
            lines[start] = "#" * level + " " + text
            lines[start + 1 : end] = [None] * (end - start - 1)
    return "\n".join(x for x in lines if x is not None)


__all__ = [
    "Source",
    "base_key",
    "citation_keys",
    "demote_headings",
    "heading",
    "latex_markdown",
    "load_record",
    "load_records",
]
