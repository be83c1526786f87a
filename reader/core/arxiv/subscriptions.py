"""Subscriptions: the categories and API queries plain `reader fetch` brings in.

A subscription remembers the day of its last successful fetch (`fetched`); the next
fetch asks for what was submitted from `OVERLAP_DAYS` before that day on, because a
paper appears in the API a day or more after it was submitted (longer over a weekend
or a holiday): asking again for a few days that were already fetched costs a request,
and the records that come back unchanged change nothing. A new subscription's first
fetch brings the last `FIRST_DAYS` days.

They are kept with the user's data (`store/subscriptions.py`), changed through the
Library under its lock, like saved views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from reader.core.arxiv.queries import Search, category_search, check_category, query_search

OVERLAP_DAYS = 3
FIRST_DAYS = 7

Kind = Literal["category", "query"]


@dataclass(frozen=True)
class Subscription:
    """A category (`cs.CL`) or an API query to fetch new submissions of."""

    kind: Kind
    value: str
    fetched: str | None = None
    """ISO day of the last successful fetch (what it covered up to); None: never."""

    @classmethod
    def category(cls, name: str) -> Subscription:
        """ValueError when `name` is not an arXiv category."""
        return cls("category", check_category(name))

    @classmethod
    def query(cls, text: str) -> Subscription:
        text = " ".join(text.split())
        if not text:
            raise ValueError("the query is empty")
        return cls("query", text)

    @property
    def key(self) -> str:
        """How it is stored and found: `cat:cs.CL`, `query:ti:graph AND cat:cs.LG`."""
        return f"cat:{self.value}" if self.kind == "category" else f"query:{self.value}"

    @property
    def label(self) -> str:
        return self.value if self.kind == "category" else f"query {self.value!r}"

    def since(self, today: date) -> date:
        """The first submission day the next fetch asks for."""
        if self.fetched is None:
            return today - timedelta(days=FIRST_DAYS)
        try:
            last = date.fromisoformat(self.fetched)
        except ValueError:
            return today - timedelta(days=FIRST_DAYS)
        return min(last, today) - timedelta(days=OVERLAP_DAYS)

    def search(self, today: date, limit: int) -> Search:
        since = self.since(today)
        if self.kind == "category":
            return category_search([self.value], since, limit)
        return query_search(self.value, limit, since)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "fetched": self.fetched}

    @classmethod
    def from_dict(cls, data: Any) -> Subscription | None:
        """The stored subscription, or None for one this release cannot read."""
        if not isinstance(data, dict):
            return None
        kind, value, fetched = data.get("kind"), data.get("value"), data.get("fetched")
        if kind not in ("category", "query") or not isinstance(value, str) or not value:
            return None
        return cls(kind, value, fetched if isinstance(fetched, str) else None)
