"""The list's sort orders as the app names and cycles them."""

from __future__ import annotations

SORT_CYCLE = ("date", "status", "updated", "source", "relevance")
"""The orders `S` steps through (each is one of `reader.core.library.SORTS`);
relevance only while the query has words to rank by."""
SORT_LABELS = {
    "date": "date",
    "status": "status",
    "updated": "recently changed",
    "source": "source order",
    "relevance": "relevance",
}
