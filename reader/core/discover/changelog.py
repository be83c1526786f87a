"""The change log: when the user changed what, kept in `user.json` with the data.

Every change appends one line `[time, kind, count]` per kind of field it changed
(`status:read`, `tags`, `note`, `title`), written in the same durable write as the
change, under the same lock (`UserData.write`). Compaction keeps the log small beside
the data it describes: past `keep` lines (the number of annotations, at least
`KEEP_MIN`), the oldest lines are folded into counts per day, and days more than
`DAYS_KEPT` before the newest line into counts per month. So the log grows with the
library, not with time: at most `keep` lines, `DAYS_KEPT` days and a dozen months a
year of counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from reader.core.changes import Edit

KEEP_MIN = 100
"""Lines kept before compaction, at least (else one per annotation)."""
DAYS_KEPT = 120
"""Days of daily counts kept before they are folded into months."""

Line = tuple[str, str, int]
"""(time `2026-12-02T04:30:00Z`, kind, how many records)."""


def kind(edit: Edit) -> str:
    """`status:read`, `tags`, `note` or `title`: what an edit changed."""
    if edit.field == "status":
        return f"status:{getattr(edit.after, 'value', edit.after)}"
    return "tags" if edit.field.startswith("#") else edit.field


def entry(edits: Iterable[Edit], stamp: str) -> list[Line]:
    """The log lines of one change: per kind, the number of records it changed."""
    records: dict[str, set[str]] = {}
    for edit in edits:
        records.setdefault(kind(edit), set()).add(edit.id)
    return [(stamp, name, len(ids)) for name, ids in sorted(records.items())]


@dataclass(frozen=True)
class Log:
    """The change log as stored: recent lines, then counts per day and per month."""

    lines: tuple[Line, ...] = ()
    days: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    months: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @classmethod
    def from_doc(cls, doc: Any) -> Log:
        """The log of a stored document; what does not fit the shape is left out (the
        log is a record of the past, never a reason to refuse the user's data)."""
        if not isinstance(doc, dict):
            return cls()
        lines = tuple(
            (line[0], line[1], line[2])
            for line in doc.get("lines", ())
            if isinstance(line, list | tuple)
            and len(line) == 3
            and isinstance(line[0], str)
            and isinstance(line[1], str)
            and isinstance(line[2], int)
        )
        return cls(lines, _counts(doc.get("days")), _counts(doc.get("months")))

    def to_doc(self) -> dict[str, Any]:
        return {
            "lines": [list(line) for line in self.lines],
            "days": {k: dict(v) for k, v in self.days.items()},
            "months": {k: dict(v) for k, v in self.months.items()},
        }

    def append(self, lines: Iterable[Line], keep: int) -> Log:
        """This log with `lines` added, compacted to at most `max(keep, KEEP_MIN)` lines."""
        every = self.lines + tuple(lines)
        keep = max(keep, KEEP_MIN)
        if len(every) <= keep:
            return Log(every, self.days, self.months)
        cut = len(every) - keep // 2  # fold half at once: compaction is rare
        days = {k: Counter(v) for k, v in self.days.items()}
        for stamp, name, count in every[:cut]:
            days.setdefault(stamp[:10], Counter())[name] += count
        months = {k: Counter(v) for k, v in self.months.items()}
        newest = _day(every[-1][0])
        if newest is not None:
            oldest_kept = (newest - timedelta(days=DAYS_KEPT)).isoformat()
            for day in [d for d in days if d < oldest_kept]:
                months.setdefault(day[:7], Counter()).update(days.pop(day))
        return Log(every[cut:], days, months)

    def per_day(self) -> dict[str, Counter[str]]:
        """Counts per kind for every day the log still knows day by day."""
        found: dict[str, Counter[str]] = {k: Counter(v) for k, v in self.days.items()}
        for stamp, name, count in self.lines:
            found.setdefault(stamp[:10], Counter())[name] += count
        return found


def _counts(value: Any) -> dict[str, dict[str, int]]:
    if not isinstance(value, dict):
        return {}
    return {
        str(key): {str(k): v for k, v in counts.items() if isinstance(v, int)}
        for key, counts in value.items()
        if isinstance(counts, dict)
    }


def _day(stamp: str) -> date | None:
    try:
        return date.fromisoformat(stamp[:10])
    except ValueError:
        return None
