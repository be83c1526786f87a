"""The stats screen (`%`): abstracts per month by status, decisions per day, tags by
count and what is left in the Inbox. Each chart (textual-plotext) has its numbers in a
table under it, for screen readers and for terminals too narrow for a chart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from reader.core.discover.stats import Stats, compute, integer_ticks, today
from reader.core.library import Library
from reader.core.models import Status

STATUS_COLORS = {
    "unread": "blue",
    "to-read": "orange",
    "reading": "cyan",
    "read": "green",
    "skipped": "gray",
}


class StatsScreen(Screen[None]):
    """Charts and tables of the library's numbers as of `today` (a clock the tests fix)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="stats.close"),
    ]

    def __init__(self, library: Library, today: Callable[[], date] = today) -> None:
        super().__init__()
        self.stats: Stats = compute(library, today())

    def compose(self) -> ComposeResult:
        s = self.stats
        left = f"Inbox: {s.inbox} of {s.total} abstracts left to triage"
        counts = " · ".join(f"{name} {n}" for name, n in s.statuses.items())
        yield Static(f"[b]{left}[/b]  ({counts}; {s.notes} with a note)", id="stats-summary")
        with VerticalScroll(id="stats-body"):
            yield Static(
                f"Abstracts per month, by status (by their date; {s.undated} undated)",
                classes="stats-heading",
            )
            yield PlotextPlot(id="chart-months", classes="stats-chart")
            yield DataTable(id="table-months", classes="stats-table", zebra_stripes=True)
            yield Static(
                f"Decisions per day, the last {len(s.days)} days "
                f"({s.decided_in_days} in all; from the change log)",
                classes="stats-heading",
            )
            yield PlotextPlot(id="chart-days", classes="stats-chart")
            yield DataTable(id="table-days", classes="stats-table", zebra_stripes=True)
            yield Static(f"Tags by count ({len(s.tags)} tags)", classes="stats-heading")
            yield PlotextPlot(id="chart-tags", classes="stats-chart")
            yield DataTable(id="table-tags", classes="stats-table", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self._months()
        self._days()
        self._tags()
        self.query_one("#stats-body").focus()

    def _months(self) -> None:
        s = self.stats
        statuses = [st.value for st in Status]
        plt = self.query_one("#chart-months", PlotextPlot).plt
        shown = [st for st in statuses if any(c[st] for _, c in s.months)]
        if s.months and shown:
            plt.stacked_bar(  # type: ignore[call-arg]  # (the stub says `label`; plotext `labels`)
                list(range(1, len(s.months) + 1)),
                [[c[st] for _, c in s.months] for st in shown],
                labels=shown,
                color=[STATUS_COLORS[st] for st in shown],  # type: ignore[arg-type]
            )
            every = max(1, len(s.months) // 8)  # ticks after the bars, which reset them
            marks = [float(i) for i in range(len(s.months), 0, -every)][::-1]
            plt.xticks(marks, [s.months[int(i) - 1][0] for i in marks])
            plt.yticks(*integer_ticks(max(sum(c.values()) for _, c in s.months)))
        table = self.query_one("#table-months", DataTable)
        table.add_columns("month", *statuses, "all")
        for month, counts in reversed(s.months):
            table.add_row(month, *(counts[st] for st in statuses), sum(counts.values()))

    def _days(self) -> None:
        s = self.stats
        plt = self.query_one("#chart-days", PlotextPlot).plt
        totals = [sum(c.values()) for _, c in s.days]
        plt.bar(list(range(1, len(totals) + 1)), totals)
        # a tick a week, ending today (plotext's own choice of ticks varies between runs)
        weekly = [float(i) for i in range(len(totals), 0, -7)][::-1]
        plt.xticks(weekly, [s.days[int(i) - 1][0][5:] for i in weekly])
        plt.yticks(*integer_ticks(max(totals, default=0)))
        table = self.query_one("#table-days", DataTable)
        kinds = list(s.days[0][1]) if s.days else []
        table.add_columns("day", *kinds, "all")
        for day, counts in reversed(s.days):
            if any(counts.values()):
                table.add_row(day, *(counts[k] for k in kinds), sum(counts.values()))
        if table.row_count == 0:
            table.add_row("none", *(0 for _ in kinds), 0)

    def _tags(self) -> None:
        s = self.stats
        plt = self.query_one("#chart-tags", PlotextPlot).plt
        top = s.tags[:15]
        if top:
            plt.bar([f"#{t}" for t, _ in reversed(top)], [n for _, n in reversed(top)],
                    orientation="horizontal")  # fmt: skip
            plt.xticks(*integer_ticks(top[0][1]))
        table = self.query_one("#table-tags", DataTable)
        table.add_columns("tag", "abstracts")
        for tag, count in s.tags:
            table.add_row(f"#{tag}", count)
        if not s.tags:
            table.add_row("(no tags yet)", 0)
