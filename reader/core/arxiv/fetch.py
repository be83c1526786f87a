"""Fetching from the arXiv API into the library, a page at a time.

Each page is written through the Library as it arrives (`Library.add_abstracts`, the
import's merge: a known id keeps its row and the user's annotations, its record is
updated, a newer version notes the one it replaces). So whatever came before a
failure, a ctrl+c or a kill is in the library, and every write is atomic: the
library is always as it was after some whole page.

A subscription's last-fetch day is saved only once all its pages are in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from reader.core.arxiv.atom import SOURCE
from reader.core.arxiv.client import Client
from reader.core.arxiv.queries import Search
from reader.core.arxiv.subscriptions import Subscription
from reader.core.errors import ReaderError
from reader.core.library import Library

SUBSCRIPTION_LIMIT = 2_000
"""The most results one subscription brings in one fetch (the rest come next time)."""


@dataclass
class Fetched:
    """What fetching one `Search` did."""

    label: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    total: int | None = None
    """How many results the API has for it (None before the first page came)."""
    received: int = 0
    """How many records came (added + updated + unchanged)."""
    missing: list[str] = field(default_factory=list)
    """Ids asked for that the API did not return."""
    problems: list[str] = field(default_factory=list)
    """The API's error entries and the entries that could not be taken."""
    error: str | None = None
    """The failure that stopped it (what came before is kept)."""
    last_date: str | None = None
    """The submission day of the last record received (results come oldest first)."""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.missing

    def summary(self) -> str:
        """`cs.CL since 2026-11-20: 12 added, 3 updated, 40 unchanged`, the ids not
        found, and whether it stopped on a failure (`error` says why)."""
        line = f"{self.label}: {describe([self])}"
        if self.total is not None and self.total > self.received and self.error is None:
            line += f" ({self.total - self.received:,} more on arXiv: raise --max)"
        if self.missing:
            line += f"; not on arXiv: {', '.join(self.missing)}"
        if self.error:
            line += " before it stopped"
        return line


Progress = Callable[[Fetched], None]
"""Told after each page is in the library."""


def fetch(
    library: Library, client: Client, search: Search, progress: Progress | None = None
) -> Fetched:
    """Bring the results of `search` into `library`, a page at a time. A failure (a
    `ReaderError`) ends it: the report says why, and the pages before it are kept."""
    done = Fetched(search.label)
    seen: set[str] = set()
    try:
        for page in client.pages(search.params, search.limit):
            done.total = page.total
            done.problems += [*page.errors, *page.skipped]
            if page.abstracts:
                report = library.add_abstracts(page.abstracts, SOURCE)
                done.added += report.added
                done.updated += report.updated
                done.unchanged += report.unchanged
                done.received += len(page.abstracts)
                seen.update(a.id for a in page.abstracts)
                done.last_date = page.abstracts[-1].date or done.last_date
            if progress is not None:
                progress(done)
    except ReaderError as error:
        done.error = str(error)
    if done.error is None:
        done.missing = [key for key in search.ids if key not in seen]
    return done


def fetch_all(
    library: Library, client: Client, searches: Sequence[Search], progress: Progress | None = None
) -> list[Fetched]:
    """`fetch` each search in turn; one that fails stops the rest (the API is down)."""
    reports = []
    for search in searches:
        reports.append(fetch(library, client, search, progress))
        if reports[-1].error:
            break
    return reports


def fetch_subscriptions(
    library: Library,
    client: Client,
    limit: int = SUBSCRIPTION_LIMIT,
    progress: Progress | None = None,
    today: date | None = None,
) -> list[Fetched]:
    """Fetch what is new in every subscription since its last successful fetch, and
    note the day of each that succeeded. One that fails stops the rest."""
    today = today or datetime.now(UTC).date()
    reports = []
    for subscription in library.subscriptions.all():
        done = fetch(library, client, subscription.search(today, limit), progress)
        done.label = subscription.label
        reports.append(done)
        if done.error:
            break
        library.subscriptions.mark_fetched(subscription, _covered(done, today, limit))
    return reports


def _covered(done: Fetched, today: date, limit: int) -> str:
    """The day a subscription's fetch covered up to: today, or, when it stopped at
    `limit` with more to come, the day of the last record it got (the next fetch
    goes on from there)."""
    if done.total is not None and done.total > limit and done.last_date:
        return done.last_date
    return today.isoformat()


def describe(reports: Sequence[Fetched]) -> str:
    """The totals of several reports: `3 added, 1 updated, 40 unchanged`."""
    added = sum(r.added for r in reports)
    updated = sum(r.updated for r in reports)
    unchanged = sum(r.unchanged for r in reports)
    return f"{added} added, {updated} updated, {unchanged} unchanged"


__all__ = ["Fetched", "Subscription", "describe", "fetch", "fetch_all", "fetch_subscriptions"]
