"""The list's sort orders as the app names and cycles them."""

from __future__ import annotations

from reader.core.errors import QueryError
from reader.core.search.query import parse, terms

SORT_CYCLE = ("date", "status", "updated", "source", "for-you", "relevance")
"""The orders `S` steps through (each is one of `reader.core.library.SORTS`);
relevance only while the query has words to rank by."""
SORT_LABELS = {
    "date": "date",
    "status": "status",
    "updated": "recently changed",
    "source": "source order",
    "for-you": "for you",
    "relevance": "relevance",
}


def has_words(query: str) -> bool:
    """The query looks for words (what relevance ranks by); False when it does not parse."""
    try:
        return bool(terms(parse(query)))
    except QueryError:
        return False


class SortChoice:
    """Which order to show: the one the user picked (S, ctrl+s, the palette), except
    that a query with words switches to relevance by itself, until the user picks
    another order while it has words; a query without words goes back to the pick."""

    def __init__(self, picked: str = "date") -> None:
        self.picked = picked if picked in SORT_CYCLE and picked != "relevance" else "date"
        """The order for queries without words (never relevance: it needs words)."""
        self.for_words: str | None = "relevance" if picked == "relevance" else None
        """The order the user picked while the query had words (None: relevance)."""

    def sort_for(self, words: bool) -> str:
        """The order to show for a query with or without words."""
        if words:
            return self.for_words or "relevance"
        return self.picked

    def pick(self, sort: str, *, words: bool) -> None:
        """The user chose `sort` while the query had `words` or not."""
        if words:
            self.for_words = sort
        if sort != "relevance":
            self.picked = sort
