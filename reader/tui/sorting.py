"""The list's sort orders as the app names and cycles them."""

from __future__ import annotations

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
