"""Discovery from the shell: `reader similar`, and the charts of `reader stats --plot`."""

from __future__ import annotations

import shutil
import sys
from typing import TYPE_CHECKING

import click
import orjson

from reader.cli.common import State, pass_state, print_table
from reader.core.models import Status

if TYPE_CHECKING:
    from reader.core.discover.stats import Stats


@click.command()
@click.argument("record", metavar="ID")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ids"]), default="table")
@pass_state
def similar(state: State, record: str, limit: int, fmt: str) -> None:
    """List the abstracts most like ID (its words, title, note and tags), most alike first."""
    library = state.library()
    record_id = library.resolve(record)
    found = library.discover.similar(library.row_of(record_id), limit)
    ids = [library.abstract_at(r).id for r in found.rows.tolist()]
    if fmt == "json":
        from reader.core import export

        records = [
            {**export.record(library, key), "similarity": round(float(score), 4)}
            for key, score in zip(ids, found.scores.tolist(), strict=True)
        ]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
    elif fmt == "ids":
        for key in ids:
            click.echo(key)
    else:
        if not ids:
            click.echo(f"no abstract shares a word with {record_id}", err=True)
        print_table(library, ids, None)


def plot(stats: Stats) -> str:
    """The stats as plotext charts, for the terminal (`reader stats --plot`)."""
    import plotext as plt  # only here: the rest of the CLI never needs it

    from reader.core.discover.stats import integer_ticks

    width = min(shutil.get_terminal_size().columns, 120)
    theme = "pro" if sys.stdout.isatty() else "clear"  # colours only for a terminal
    charts = []
    plt.clear_figure()
    plt.plotsize(width, 20)
    plt.theme(theme)
    months = [m for m, _ in stats.months]
    shown = [s for s in Status if any(c[s.value] for _, c in stats.months)]
    if months and shown:
        plt.stacked_bar(
            months,  # (colours tell the statuses apart: `pro` has them, `clear` not)
            [[c[s.value] for _, c in stats.months] for s in shown],
            labels=[s.value for s in shown],
        )
        plt.yticks(*integer_ticks(max(sum(c.values()) for _, c in stats.months)))
    plt.title(f"Abstracts per month, by status ({stats.undated} undated)")
    charts.append(plt.build())
    plt.clear_figure()
    plt.plotsize(width, 15)
    plt.theme(theme)
    days = [d[5:] for d, _ in stats.days]
    totals = [sum(c.values()) for _, c in stats.days]
    plt.bar(days, totals)
    plt.yticks(*integer_ticks(max(totals, default=0)))
    plt.title(f"Decisions per day, last {len(stats.days)} days ({stats.decided_in_days} in all)")
    charts.append(plt.build())
    if stats.tags:
        plt.clear_figure()
        plt.plotsize(width, max(6, min(len(stats.tags), 20) + 4))
        plt.theme(theme)
        top = stats.tags[:20]
        plt.bar([f"#{t}" for t, _ in top], [n for _, n in top], orientation="horizontal")
        plt.title("Tags by count")
        charts.append(plt.build())
    charts.append(f"Inbox: {stats.inbox} of {stats.total} abstracts left to triage.")
    return "\n".join(charts)


def stats_json(stats: Stats, sources: dict[str, int]) -> str:
    return orjson.dumps(
        {**stats.to_json(), "sources": sources}, option=orjson.OPT_INDENT_2
    ).decode()
