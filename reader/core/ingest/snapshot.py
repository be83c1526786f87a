"""The arXiv metadata snapshot (Kaggle's `arxiv-metadata-oai-snapshot.json`) -> `Abstract`s.

One JSON object per line (about 2.7 million lines, 4 GB), each with `id`, `title`,
`authors`, `authors_parsed`, `categories` (space-separated, primary first),
`abstract`, `versions` (`[{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42
GMT"}, ...]`), `update_date`, `doi`, `journal-ref` and `comments`. The file is read a
line at a time, so memory holds only the records kept; `ImportOptions.categories`
and `since` filter them as they are read, before anything is built.

A line that is not a JSON object, or has no id or abstract, is skipped with a warning
naming its line; the other lines still go in. A record's date is its first
version's (arXiv's "published"), `updated` its last version's when it has several,
`version` its highest version number.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from reader.core.errors import ParseError
from reader.core.ingest.formats import ImportOptions, SourceResult
from reader.core.ingest.latex import latex_to_unicode
from reader.core.ingest.parse import (
    MAX_ABSTRACT_CHARS,
    MAX_VERSION,
    MAX_WARNINGS,
    ParseWarning,
    WarningKind,
    make_headline,
)
from reader.core.models import ARXIV_ID, Abstract
from reader.core.text import squash

PROGRESS_EVERY = 1 << 20
"""Bytes read between two calls of the progress callback."""

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def _keeps(options: ImportOptions, categories: Sequence[str], published: str | None) -> bool:
    """Whether `options` keep a record: one of its categories starts with one of theirs
    (any case: `cs` keeps every cs category), first published on or after `since`."""
    if options.categories:
        wanted = tuple(c.lower() for c in options.categories)
        if not any(c.lower().startswith(wanted) for c in categories):
            return False
    return not options.since or (published is not None and published >= options.since)


NOT_JSON_LINES = (
    "expected one arXiv metadata record (a JSON object) per line, as in "
    "arxiv-metadata-oai-snapshot.json (a reader JSON export goes back with `reader restore`)"
)


class _Skip(Exception):
    """A line that is not a usable snapshot record; the message says why."""


class _NotJson(_Skip):
    """A line that is not JSON at all."""


def parse_snapshot(
    file: BinaryIO,
    path: Path,
    options: ImportOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> SourceResult:
    """Parse the snapshot lines of `file` (binary, from its start), keeping the records
    `options` keep. `progress(bytes_read)` is called about every megabyte.

    The cyclic garbage collector is paused meanwhile: each line makes a dozen
    short-lived containers, whose allocations set off collections that walk every
    record kept so far (a third of the parse at 100k); nothing here makes a cycle.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _parse(file, path, options, progress)
    finally:
        if paused:
            gc.enable()


def _parse(
    file: BinaryIO,
    path: Path,
    options: ImportOptions | None,
    progress: Callable[[int], None] | None,
) -> SourceResult:
    path = Path(path)
    options = options or ImportOptions()
    source = path.stem
    result = SourceResult(path, [])
    warnings = result.warnings
    said = unsaid = 0
    first_unsaid = 0
    read = reported = 0
    seen = False
    for number, raw in enumerate(_lines(file), start=1):
        read += len(raw)
        if progress is not None and read - reported >= PROGRESS_EVERY:
            progress(read)
            reported = read
        if not raw.strip():
            continue
        try:
            abstract = _abstract(raw, source, number, len(result.abstracts) + 1, options)
        except _NotJson as skip:
            if not seen:  # the first line: this is not a file of JSON lines at all
                raise ParseError(path, f"{skip}: {NOT_JSON_LINES}", line=number) from None
            abstract, failure = None, str(skip)
        except _Skip as skip:
            abstract, failure = None, str(skip)
        else:
            failure = ""
        seen = True
        if failure:
            result.failed += 1
            if said < MAX_WARNINGS:
                what = f"{failure}, skipped"
                warnings.append(ParseWarning(path, number, WarningKind.SKIPPED, what))
                said += 1
            else:
                unsaid += 1
                first_unsaid = first_unsaid or number
            continue
        if abstract is not None:
            result.abstracts.append(abstract)
    if unsaid:
        what = f"{unsaid} more lines skipped (not shown)"
        warnings.append(ParseWarning(path, first_unsaid, WarningKind.MORE, what))
    if progress is not None:
        progress(read)
    return result


def _lines(file: BinaryIO) -> Iterator[bytes]:
    """The lines of `file` (split at LF), without a leading UTF-8 BOM."""
    first = True
    for raw in file:
        if first:
            raw, first = raw.removeprefix(b"\xef\xbb\xbf"), False
        yield raw


def _abstract(
    raw: bytes, source: str, line: int, position: int, options: ImportOptions
) -> Abstract | None:
    """The record of one line, None when `options` drop it; raises `_Skip`."""
    try:
        data = orjson.loads(raw.rstrip(b"\r\n"))
    except orjson.JSONDecodeError as error:
        raise _NotJson(f"not a JSON object ({_reason(error)})") from None
    if not isinstance(data, dict):
        raise _NotJson(f"not a JSON object but {type(data).__name__}")
    arxiv = _text(data, "id")
    match = ARXIV_ID.fullmatch(arxiv)
    if not match:
        raise _Skip(f"no arXiv id (id {arxiv[:40]!r})" if arxiv else "no arXiv id")
    categories = tuple(_text(data, "categories").split())
    versions = data.get("versions")
    dates, version = _versions(versions if isinstance(versions, list) else [])
    published = dates[0] if dates else _iso(_text(data, "update_date"))
    if not _keeps(options, categories, published):
        return None
    text = squash(_text(data, "abstract"))
    if not text:
        raise _Skip(f"{arxiv}: no abstract")
    if len(text) > MAX_ABSTRACT_CHARS:
        raise _Skip(f"{arxiv}: abstract of {len(text):,} characters (over {MAX_ABSTRACT_CHARS:,})")
    comments = _text(data, "comments")
    return Abstract(
        id=match["id"],
        text=text,
        headline=make_headline(text),
        source=source,
        position=position,
        line=line,
        arxiv_id=match["id"],
        version=version or (int(match["version"]) if match["version"] else None),
        date=published,
        comments=(squash(comments),) if comments.strip() else (),
        title=latex_to_unicode(_text(data, "title")),
        authors=_authors(data),
        categories=categories,
        updated=dates[-1] if len(dates) > 1 else None,
        doi=_text(data, "doi").strip() or None,
        journal_ref=squash(_text(data, "journal-ref")) or None,
    )


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _reason(error: orjson.JSONDecodeError) -> str:
    return str(error).split(":", 1)[0]


def _versions(versions: list[Any]) -> tuple[list[str], int | None]:
    """The ISO dates of the versions, in order, and the highest version number."""
    dates = []
    number = None
    for item in versions:
        if not isinstance(item, dict):
            continue
        found = _rfc_date(item.get("created"))
        if found:
            dates.append(found)
        label = item.get("version")
        if isinstance(label, str) and label[1:].isdigit() and int(label[1:]) <= MAX_VERSION:
            number = max(number or 0, int(label[1:]))
    return dates, number


def _rfc_date(value: object) -> str | None:
    """`Mon, 2 Apr 2007 19:18:42 GMT` -> `2007-04-02` (None when not understood)."""
    if not isinstance(value, str):
        return None
    colon = value.find(":")
    return _rfc_day(value[: value.rfind(" ", 0, colon)] if colon > 0 else value)


@lru_cache(maxsize=1 << 14)
def _rfc_day(value: str) -> str | None:
    """`Mon, 2 Apr 2007` -> `2007-04-02`; cached (a day recurs a thousand times)."""
    parts = value.replace(",", " ").split()
    if len(parts) < 4:
        return None
    try:
        return date(int(parts[3]), _MONTHS[parts[2][:3].lower()], int(parts[1])).isoformat()
    except (KeyError, ValueError):
        return None


def _iso(value: str) -> str | None:
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def _authors(data: dict[str, Any]) -> tuple[str, ...]:
    """`authors_parsed` ([[last, first, suffix], ...]) as "First Last Suffix", LaTeX as
    Unicode; else the `authors` string split at commas and "and"."""
    parsed = data.get("authors_parsed")
    names: list[str] = []
    if isinstance(parsed, list):
        for item in parsed:
            if isinstance(item, list) and item:
                try:
                    name = _name(*item[:3])
                except TypeError:  # not strings
                    continue
                if name:
                    names.append(name)
    if not names:
        raw = _text(data, "authors").replace(" and ", ", ")
        names = [latex_to_unicode(n) for n in raw.split(",") if n.strip()]
    return tuple(names)


@lru_cache(maxsize=1 << 16)
def _name(last: str, first: str = "", suffix: str = "") -> str:
    """One author of `authors_parsed`; cached (names recur across the snapshot)."""
    if not isinstance(last, str) or not isinstance(first, str) or not isinstance(suffix, str):
        raise TypeError
    return latex_to_unicode(" ".join(p for p in (first, last, suffix) if p))
