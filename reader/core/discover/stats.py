"""The numbers of the stats screen and `reader stats`: abstracts per month by status,
decisions per day (from the change log), tags by count, what is left in the Inbox.

`today` is always passed in (the screen and the command give the real date, tests a
fixed one), so nothing here depends on the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from reader.core.models import Status

if TYPE_CHECKING:
    from reader.core.library import Library

DAYS = 90
"""Days of the triage chart."""
MONTHS = 36
"""Months of the per-month chart (the last ones that have abstracts)."""
DECISIONS = tuple(s for s in Status if s is not Status.UNREAD)
"""What counts as a decision: setting any status but unread."""


def today() -> date:
    """Today in UTC, the clock of the change log's stamps (`models.now_iso`)."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Stats:
    """Everything the stats screen shows, as numbers."""

    today: date
    total: int
    inbox: int
    """Abstracts still unread."""
    statuses: dict[str, int]
    months: list[tuple[str, dict[str, int]]]
    """(`2023-06`, {status: abstracts dated that month}) for the last `MONTHS` months
    with abstracts, oldest first."""
    undated: int
    days: list[tuple[str, dict[str, int]]]
    """(`2026-12-01`, {status: records set to it that day}) for each of the last `DAYS`
    days, oldest first (today last)."""
    tags: list[tuple[str, int]]
    """Tags by count, most first."""
    notes: int

    @property
    def decided_in_days(self) -> int:
        return sum(sum(counts.values()) for _, counts in self.days)

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "abstracts": self.total,
            "inbox": self.inbox,
            "with_note": self.notes,
            "status": self.statuses,
            "months": [{"month": m, **counts} for m, counts in self.months],
            "undated": self.undated,
            "decisions_per_day": [{"day": d, **counts} for d, counts in self.days],
            "tags": dict(self.tags),
        }


def compute(library: Library, today: date) -> Stats:
    """The stats of `library` as of `today`."""
    index = library.index
    statuses = {s.value: n for s, n in library.status_counts().items()}
    months, undated = _months(index.dates, index.status)
    per_day = library.changelog().per_day()
    days = []
    for back in range(DAYS - 1, -1, -1):
        day = (today - timedelta(days=back)).isoformat()
        counts: Mapping[str, int] = per_day.get(day, {})
        days.append((day, {s.value: counts.get(f"status:{s.value}", 0) for s in DECISIONS}))
    notes = sum(1 for a in library.annotations().values() if a.note.strip())
    tags = sorted(library.tag_counts().items(), key=lambda item: (-item[1], item[0]))
    return Stats(
        today,
        len(library),
        statuses[Status.UNREAD.value],
        statuses,
        months,
        undated,
        days,
        tags,
        notes,
    )


def _months(dates: np.ndarray, status: np.ndarray) -> tuple[list[tuple[str, dict[str, int]]], int]:
    dated = dates > 0
    month = dates[dated] // 100  # YYYYMM
    codes = status[dated].astype(np.int64)
    found = []
    if month.size:
        keys, inverse = np.unique(month, return_inverse=True)
        counts: np.ndarray = np.zeros((len(keys), len(Status)), np.int64)
        np.add.at(counts, (inverse, codes), 1)
        for key, row in zip(keys[-MONTHS:].tolist(), counts[-MONTHS:].tolist(), strict=True):
            name = f"{key // 100:04d}-{key % 100:02d}"
            found.append((name, {s.value: n for s, n in zip(Status, row, strict=True)}))
    return found, int((~dated).sum())


def integer_ticks(top: int) -> tuple[list[float], list[str]]:
    """At most 6 whole-number ticks from 0 to at least `top` (counts have no fractions)."""
    step = max(1, -(-top // 5))
    ticks = range(0, max(top, 1) + step, step)
    return [float(t) for t in ticks], [str(t) for t in ticks]
