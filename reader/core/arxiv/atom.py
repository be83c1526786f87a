"""The arXiv API's Atom responses -> `Abstract` records (feedparser does the XML).

One response is one `Page`: the entries as records, and what the feed says about the
result set (`opensearch:totalResults`, `startIndex`). The API's documented format
(the arXiv API user manual, "Outline of an Atom feed"): each `<entry>` has an `<id>`
that is the abstract page (`http://arxiv.org/abs/2306.10015v2`), `<published>` (the
first version), `<updated>` (this version), `<title>`, `<summary>`, one `<author>` per
author, `<category>` terms with `<arxiv:primary_category>`, `<arxiv:comment>`,
`<arxiv:journal_ref>`, `<arxiv:doi>`, and links (`rel="related" title="pdf"`). An
error is a feed with one entry whose id is under `/api/errors`.

A body that is not a well-formed arXiv feed (cut off mid-way, an HTML error page,
empty) raises `FeedError`: none of its entries are taken, since a cut-off one may
have lost half its abstract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import feedparser

from reader.core.errors import ReaderError
from reader.core.ingest.parse import MAX_ABSTRACT_CHARS, MAX_VERSION, make_headline
from reader.core.models import ARXIV_ID, Abstract
from reader.core.text import squash

SOURCE = "arxiv"
"""The `source` of every fetched record (the sidebar's "arxiv" view)."""

_ABS_URL = re.compile(r"^https?://[^/]+/abs/(?P<rest>.+)$")
_CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z-]+)?$")
"""An arXiv category (`cs.CL`, `hep-ex`, `astro-ph.GA`), not an ACM (`I.2.6`) or MSC
(`68T05`) class, which the API lists among the categories too."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_HARMLESS = (feedparser.CharacterEncodingOverride,)
"""What feedparser flags that still leaves a sound feed (a declared encoding it
overrode)."""


class FeedError(ReaderError):
    """A response that is not a usable arXiv Atom feed (malformed, truncated, not Atom)."""


@dataclass(frozen=True)
class Page:
    """One response of the API."""

    abstracts: list[Abstract]
    """Its entries as records, in the feed's order."""
    total: int
    """How many results the whole query has (`opensearch:totalResults`)."""
    start: int
    """The 0-based index of the first entry in the whole result (`startIndex`)."""
    entries: int
    """How many entries the page held (errors and skipped entries included)."""
    errors: tuple[str, ...] = ()
    """What the API's error entries say ("incorrect id format for 1234.12345")."""
    skipped: tuple[str, ...] = ()
    """One line per entry that could not be taken (no id, an abstract too long)."""


def parse_page(body: bytes, *, position: int = 1) -> Page:
    """The records of one API response; `position` is the first one's ordinal (the
    fetch numbers its records in the order they arrive). Raises FeedError, whose
    message follows "the API sent" (`Client.pages` says which API)."""
    feed = feedparser.parse(body)
    if feed.get("bozo") and not isinstance(feed.get("bozo_exception"), _HARMLESS):
        raise FeedError(f"a response that is not well-formed Atom ({_why(feed)})")
    meta = feed.get("feed", {})
    total = _int(meta.get("opensearch_totalresults"))
    if total is None:
        what = "an empty response" if not body.strip() else "a response that is not an arXiv feed"
        raise FeedError(f"{what} (no opensearch:totalResults)")
    abstracts: list[Abstract] = []
    errors: list[str] = []
    skipped: list[str] = []
    for entry in feed.get("entries", []):
        entry_id = str(entry.get("id", ""))
        if "/api/errors" in entry_id:
            errors.append(squash(str(entry.get("summary", ""))) or entry_id)
            continue
        try:
            abstracts.append(to_abstract(entry, position + len(abstracts)))
        except ValueError as error:
            skipped.append(str(error))
    start = _int(meta.get("opensearch_startindex")) or 0
    entries = len(feed.get("entries", []))
    return Page(abstracts, total, start, entries, tuple(errors), tuple(skipped))


def to_abstract(entry: Any, position: int) -> Abstract:
    """One feed entry as a record; ValueError (one line) for one that cannot be."""
    arxiv_id, version = entry_id(str(entry.get("id", "")))
    text = _clean(str(entry.get("summary", "")))
    if not text:
        raise ValueError(f"{arxiv_id}: the entry has no abstract, skipped")
    if len(text) > MAX_ABSTRACT_CHARS:
        raise ValueError(
            f"{arxiv_id}: abstract of {len(text):,} characters "
            f"(over {MAX_ABSTRACT_CHARS:,}), skipped"
        )
    comment = _clean(str(entry.get("arxiv_comment", "")))
    return Abstract(
        id=arxiv_id,
        text=text,
        headline=make_headline(text),
        source=SOURCE,
        position=position,
        arxiv_id=arxiv_id,
        version=version,
        date=_day(entry.get("published")),
        comments=(comment,) if comment else (),
        title=_clean(str(entry.get("title", ""))),
        authors=tuple(
            name
            for author in entry.get("authors", [])
            if (name := _clean(str(author.get("name", ""))))
        ),
        categories=_categories(entry),
        updated=_day(entry.get("updated")),
        doi=_clean(str(entry.get("arxiv_doi", ""))) or None,
        journal_ref=_clean(str(entry.get("arxiv_journal_ref", ""))) or None,
        pdf=_pdf_link(entry),
    )


def entry_id(url: str) -> tuple[str, int | None]:
    """(arXiv id, version) of an entry's `<id>` (`http://arxiv.org/abs/2306.10015v2`
    -> `("2306.10015", 2)`); ValueError when it is not an arXiv abstract address."""
    match = _ABS_URL.match(url.strip())
    found = ARXIV_ID.fullmatch(match["rest"]) if match else None
    if found is None:
        shown = squash(url)[:80] or "(none)"
        raise ValueError(f"an entry whose id is not an arXiv abstract page: {shown}, skipped")
    version = int(found["version"]) if found["version"] else None
    if version is not None and version > MAX_VERSION:
        version = None
    return found["id"], version


def _categories(entry: Any) -> tuple[str, ...]:
    """The arXiv categories, the primary one first, each once."""
    primary = entry.get("arxiv_primary_category") or {}
    terms = [str(primary.get("term", ""))] + [str(t.get("term", "")) for t in entry.get("tags", [])]
    return tuple(dict.fromkeys(t.strip() for t in terms if _CATEGORY.match(t.strip())))


def _pdf_link(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("title") == "pdf" and link.get("href"):
            return str(link["href"])
    return None


def _clean(text: str) -> str:
    """One line of text: control characters dropped, white space squashed."""
    return squash(_CONTROL.sub("", text))


def _day(value: object) -> str | None:
    match = _DATE.match(str(value or ""))
    return match[1] if match else None


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _why(feed: Any) -> str:
    """What feedparser found wrong, in a few words, with the line when it knows it."""
    error = feed.get("bozo_exception")
    line = getattr(error, "getLineNumber", lambda: None)()
    what = str(getattr(error, "getMessage", lambda: error)()) if error else "unknown problem"
    return f"line {line}: {what}" if line else what
