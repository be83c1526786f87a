"""The subscriptions table of `user.json`: read fresh, changed under the file's lock.

Kept beside the saved views (`userdata.py`), keyed by `Subscription.key`, so another
process's subscribe or fetch is never overwritten: every change reads the table
under the lock and writes it back in one durable write.
"""

from __future__ import annotations

from collections.abc import Iterable

from tinydb.table import Document

from reader.core.arxiv.subscriptions import Subscription
from reader.core.errors import ReaderError
from reader.core.store.userdata import UserData

TABLE = "subscriptions"


class SubscriptionStore:
    """The user's subscriptions, in the user-data file of `user`."""

    def __init__(self, user: UserData) -> None:
        self._user = user

    def all(self) -> list[Subscription]:
        """Every subscription, as on disk now (categories first, then queries, by name)."""
        found = _table(self._user.file.storage.read() or {})
        return sorted(found.values(), key=lambda s: (s.kind != "category", s.value.casefold()))

    def add(self, subscriptions: Iterable[Subscription]) -> list[Subscription]:
        """Subscribe; returns the ones that are new (a known one keeps its last fetch)."""
        wanted = {s.key: s for s in subscriptions}
        with self._user.locked("nothing was subscribed"):
            present = _table(self._user.file.storage.read() or {})
            new = [s for key, s in wanted.items() if key not in present]
            self._write(new)
        return new

    def remove(self, subscriptions: Iterable[Subscription]) -> list[Subscription]:
        """Unsubscribe; ReaderError (nothing changed) naming one that is not subscribed."""
        keys = list(dict.fromkeys(s.key for s in subscriptions))
        with self._user.locked("nothing was unsubscribed"):
            present = _table(self._user.file.storage.read() or {})
            missing = [k for k in keys if k not in present]
            if missing:
                raise ReaderError(f"not subscribed to {missing[0].split(':', 1)[1]!r}")
            self._write([], remove=keys)
        return [present[k] for k in keys]

    def mark_fetched(self, subscription: Subscription, day: str) -> None:
        """Note that `subscription` was fetched up to `day` (ISO); a subscription removed
        meanwhile stays removed."""
        with self._user.locked("the fetch date was not saved"):
            present = _table(self._user.file.storage.read() or {})
            now = present.get(subscription.key)
            if now is not None and now.fetched != day:
                self._write([Subscription(now.kind, now.value, day)], remove=[now.key])

    def _write(self, add: list[Subscription], remove: Iterable[str] = ()) -> None:
        """One durable write of the table (inside `locked`)."""
        gone = list(remove)
        if not add and not gone:
            return
        table = self._user.file.db.table(TABLE)
        with self._user.file.storage.batch():
            if gone:
                table.remove(doc_ids=gone)  # type: ignore[arg-type]  # str ids: KeyedTable
            table.insert_multiple(
                Document(s.to_dict(), doc_id=s.key)  # type: ignore[arg-type]
                for s in add
            )


def _table(data: dict[str, object]) -> dict[str, Subscription]:
    """The readable subscriptions of a user-data file, by key (others are skipped)."""
    table = data.get(TABLE, {})
    found: dict[str, Subscription] = {}
    if isinstance(table, dict):
        for doc in table.values():
            subscription = Subscription.from_dict(doc)
            if subscription is not None:
                found[subscription.key] = subscription
    return found
