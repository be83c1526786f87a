"""What to ask the arXiv API for: ids (or arXiv URLs), a search query, new submissions
in categories since a date. Each becomes a `Search`: the request's parameters and how
many results to take at most.

The API's query syntax (the arXiv API user manual, "Details of Query Construction"):
field prefixes (`ti:`, `au:`, `abs:`, `cat:`, `all:` ...), `AND`, `OR`, `ANDNOT`,
parentheses, quoted phrases, and `submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from reader.core.models import ARXIV_ID

MAX_RESULTS = 30_000
"""The most results the API gives for one query."""
MAX_IDS = 200
"""Ids per request (an id list goes in the URL)."""

_URL = re.compile(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>.+)$")
CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z-]+)?$")
"""An arXiv category as the API names it: `cs.CL`, `hep-ex`, `astro-ph.GA`, `math`."""


@dataclass(frozen=True)
class Search:
    """One thing to fetch: the API parameters, at most `limit` results."""

    label: str
    """How reports name it: `2306.10015`, `query 'ti:graph'`, `cs.CL since 2026-11-20`."""
    params: dict[str, str] = field(hash=False)
    limit: int
    ids: tuple[str, ...] = ()
    """The ids asked for (without versions), to say which the API did not return."""


def parse_id(text: str) -> str:
    """An arXiv id, with its version if given, from an id or an arXiv URL:
    `2306.10015`, `arXiv:2305.11374v2`, `https://arxiv.org/abs/2306.10015v2`,
    `arxiv.org/pdf/2306.10015v1.pdf`, `hep-th/9901001`. ValueError otherwise."""
    word = text.strip()
    match = _URL.match(word)
    if match:
        word = match["rest"].split("?")[0].split("#")[0].rstrip("/").removesuffix(".pdf")
    elif word[:6].lower() == "arxiv:":
        word = word[6:]
    found = ARXIV_ID.fullmatch(word)
    if found is None:
        raise ValueError(f"{text!r} is not an arXiv id or arXiv URL (e.g. 2306.10015)")
    return found[0]


def id_searches(texts: Iterable[str]) -> list[Search]:
    """Searches for these ids or URLs, `MAX_IDS` a request (ValueError for one that is
    not an id). Each id once; a version asks for that version."""
    wanted = list(dict.fromkeys(parse_id(t) for t in texts))
    searches = []
    for first in range(0, len(wanted), MAX_IDS):
        chunk = wanted[first : first + MAX_IDS]
        bare = tuple(ARXIV_ID.fullmatch(i)["id"] for i in chunk)  # type: ignore[index]
        label = ", ".join(chunk[:3]) + (f" and {len(chunk) - 3} more" if len(chunk) > 3 else "")
        searches.append(Search(label, {"id_list": ",".join(chunk)}, len(chunk), bare))
    return searches


def check_category(text: str) -> str:
    """`text` if it names an arXiv category (`cs.CL`); ValueError otherwise."""
    name = text.strip()
    if not CATEGORY.match(name):
        raise ValueError(f"{text!r} is not an arXiv category (e.g. cs.CL, hep-ex, math.CO)")
    return name


def query_search(query: str, limit: int, since: date | None = None) -> Search:
    """The results of an API query (most relevant first), or with `since`, what it
    finds submitted from that day on (oldest first)."""
    text = " ".join(query.split())
    if not text:
        raise ValueError("the query is empty")
    label = f"query {text!r}"
    if since is None:
        params = {"search_query": text, "sortBy": "relevance", "sortOrder": "descending"}
        return Search(label, params, _limit(limit))
    return _since(f"({text})", f"{label} since {since.isoformat()}", since, limit)


def category_search(categories: Sequence[str], since: date, limit: int) -> Search:
    """New submissions in any of `categories` from the day `since` on, oldest first."""
    names = list(dict.fromkeys(check_category(c) for c in categories))
    if not names:
        raise ValueError("give at least one category")
    query = " OR ".join(f"cat:{name}" for name in names)
    query = f"({query})" if len(names) > 1 else query
    return _since(query, f"{', '.join(names)} since {since.isoformat()}", since, limit)


def _since(query: str, label: str, since: date, limit: int) -> Search:
    now = datetime.now(UTC).strftime("%Y%m%d%H%M")
    span = f"submittedDate:[{since.strftime('%Y%m%d')}0000 TO {now}]"
    params = {
        "search_query": f"{query} AND {span}",
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    }
    return Search(label, params, _limit(limit))


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_RESULTS:
        raise ValueError(f"--max must be from 1 to {MAX_RESULTS:,} (the API's limit)")
    return limit
