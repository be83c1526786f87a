"""Where the app was left: `ui.json` in the data folder (sort, filter, sidebar, the
highlighted abstract) and the filter's history (the last `HISTORY` queries).

Kept apart from `user.json`: this file holds no work of the user's, so a damaged or
foreign `ui.json` is ignored (the app opens on the defaults) and can never cost an
annotation. It is written whole to a temporary file and renamed over the old one
(`atomic_write_bytes`), under its own lock, after re-reading it: two app windows on one
library both keep their queries in the history, and the last one to move wins the
place. Nothing here is worth waiting for, so a busy lock or a failed write is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from reader.core.store.storage import atomic_write_bytes, read_regular

FILE = "ui.json"
HISTORY = 100
"""Queries the filter history keeps (the newest)."""
LOCK_WAIT = 0.5
"""Seconds to wait for another window's write of `ui.json` before skipping this one."""
MAX_BYTES = 1 << 20
"""A `ui.json` larger than this is not read (it is not one this app wrote)."""

INBOX = "status:unread"
"""The query a new library opens on (the Inbox view)."""


@dataclass(frozen=True)
class UIState:
    """What the main screen shows; the defaults are what a new library opens on."""

    query: str = INBOX
    sort: str = "date"
    sidebar: bool = False
    highlighted: str = ""
    """The record id under the cursor ("" for the first row)."""
    history: tuple[str, ...] = field(default=())
    """Queries used in the filter, oldest first, without repeats."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "query": self.query,
            "sort": self.sort,
            "sidebar": self.sidebar,
            "highlighted": self.highlighted,
            "history": list(self.history),
        }

    @classmethod
    def from_dict(cls, data: object) -> UIState:
        """The state in `data`; a field of the wrong type is left at its default."""
        if not isinstance(data, dict):
            return cls()
        found: dict[str, Any] = {}
        for name, kind in (("query", str), ("sort", str), ("sidebar", bool), ("highlighted", str)):
            if isinstance(data.get(name), kind):
                found[name] = data[name]
        history = data.get("history")
        if isinstance(history, list):
            found["history"] = remember(h for h in history if isinstance(h, str))
        return cls(**found)


def remember(queries: Iterable[str], *new: str) -> tuple[str, ...]:
    """`queries` then `new`, each query once (at its latest place), blank ones dropped,
    the last `HISTORY` kept."""
    seen: dict[str, None] = {}
    for query in (*queries, *new):
        query = query.strip()
        if query:
            seen.pop(query, None)
            seen[query] = None
    return tuple(seen)[-HISTORY:]


def load(data_dir: Path) -> UIState:
    """The state saved in `data_dir`, or the defaults when there is none or it cannot
    be read (a damaged file is not an error: nothing of the user's is in it)."""
    try:
        raw = read_regular(data_dir / FILE)
    except Exception:  # noqa: BLE001 - missing, a FIFO, unreadable: open on the defaults
        return UIState()
    if len(raw) > MAX_BYTES:
        return UIState()
    try:
        return UIState.from_dict(orjson.loads(raw))
    except orjson.JSONDecodeError:
        return UIState()


def save(data_dir: Path, state: UIState, added: Iterable[str] = ()) -> UIState:
    """Write `state` with the history on disk (another window's queries stay) plus
    the queries `added` since the last save; returns what was written. When another
    window holds the lock past `LOCK_WAIT` or the folder cannot be written, nothing is
    written (a lost place is not worth an error) and the state is returned with
    `added` in its history, for the next save to try again."""
    from filelock import FileLock, Timeout  # ~20 ms: only when saving

    added = tuple(added)
    try:
        with FileLock(str(data_dir / f".{FILE}.lock"), timeout=LOCK_WAIT):
            merged = replace(state, history=remember(load(data_dir).history, *added))
            atomic_write_bytes(data_dir / FILE, orjson.dumps(merged.to_dict()))
            return merged
    except (Timeout, OSError):
        return replace(state, history=remember(state.history, *added))
