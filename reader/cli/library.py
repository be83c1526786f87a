"""Reading the library: `reader list`, `reader show`, `reader stats`."""

from __future__ import annotations

import codecs
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import TextIO

import click
import orjson

from reader.cli import discover
from reader.cli.common import State, pass_state, print_table, query_text, utf8
from reader.core.library import SORTS
from reader.core.text import printable


@click.command("list", context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, callback=utf8("query"))
@click.option("--sort", type=click.Choice(SORTS), default="source", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ids"]), default="table")
@click.option("--limit", type=click.IntRange(min=0), help="Show at most N abstracts.")
@click.option(
    "--width",
    type=click.IntRange(min=20),
    help="Cut lines to N columns (default: the terminal's; whole lines into a pipe).",
)
@pass_state
def list_(
    state: State, query: tuple[str, ...], sort: str, fmt: str, limit: int | None, width: int | None
) -> None:
    """List the abstracts matching QUERY (all when none), one per line: cut to the
    terminal on a terminal, whole into a pipe or a file (--width cuts)."""
    text = query_text(query)
    library = state.library()
    # no query, corpus order: the ids alone, without loading the index (nor numpy)
    every = not text.strip() and sort == "source"
    found = None if every else library.search(text, sort)
    if sort == "for-you":
        from reader.core.discover.engine import Ranked

        note = Ranked(library.rows(), library.discover.for_you_model).note
        click.echo(f"for you: {note}", err=True)
    if fmt == "ids" and found is not None and _utf8(sys.stdout):
        click.echo(found.id_lines(limit), nl=False)  # one write, as stored: no str of each
        return
    ids = library.ids() if found is None else found.ids
    if fmt == "json":
        from reader.core import export

        records = [export.record(library, i) for i in ids[:limit]]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
    elif fmt == "ids":
        if ids[:limit]:
            click.echo("\n".join(ids[:limit]))  # one write: 100k lines in one go
    else:
        if not ids:
            click.echo(
                f"no abstract matches {text!r}" if text else "the library is empty", err=True
            )
        print_table(library, ids, limit, width)


def _utf8(stream: TextIO) -> bool:
    """Whether text written to `stream` reaches it in UTF-8 (as the ids are stored)."""
    encoding = getattr(stream, "encoding", None)
    return encoding is not None and codecs.lookup(encoding).name == "utf-8"


@click.command()
@click.argument("record", metavar="ID")
@click.option("--raw", is_flag=True, help="Print the abstract's LaTeX as written.")
@pass_state
def show(state: State, record: str, raw: bool) -> None:
    """Show every field of one abstract, and the note (LaTeX rendered as Unicode)."""
    library = state.library()
    record_id = library.resolve(record)
    a, ann = library.abstract(record_id), library.annotation(record_id)
    fields = [("id", a.id)]
    if ann.title:
        fields.append(("title", ann.title))
    fields.append(("headline", a.headline))
    if a.arxiv_id:
        version = f"v{a.version}" if a.version else ""
        fields.append(("arXiv", f"{a.arxiv_id}{version}  {a.url}"))
    fields += [
        ("date", a.date or "-"),
        ("source", f"{a.source} (record {a.position}, line {a.line})"),
        ("status", ann.status.value),
        ("tags", ", ".join(ann.tags) or "-"),
    ]
    render: Callable[[str], str] = str
    if not raw:
        from reader.core.ingest.latex import latex_to_unicode  # pylatexenc: only to show

        render = latex_to_unicode
    fields += [("comments", render(c)) for c in a.comments]
    if ann.created:
        fields.append(("changed", f"{ann.updated} (first {ann.created})"))
    lines = [f"{name + ':':<10}{value}" for name, value in fields]
    width = min(shutil.get_terminal_size().columns, 100)
    lines += ["", textwrap.fill(render(a.text), width=width, break_on_hyphens=False)]
    if ann.note:
        lines += ["", "Note:", ann.note]
    click.echo(printable("\n".join(lines)))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--plot", is_flag=True, help="Charts in the terminal (plotext).")
@pass_state
def stats(state: State, fmt: str, plot: bool) -> None:
    """Count the abstracts by status, tag and source; per month, and decisions per day."""
    library = state.library()
    if fmt == "json" or plot:
        from reader.core.discover.stats import compute, today

        numbers = compute(library, today())
        if fmt == "json":
            click.echo(discover.stats_json(numbers, dict(sorted(library.source_counts().items()))))
        else:
            click.echo(discover.plot(numbers))
        return
    annotations = library.annotations()
    notes = sum(1 for a in annotations.values() if a.note.strip())
    click.echo(f"{len(library)} abstracts, {notes} with a note")
    sections: list[tuple[str, list[tuple[str, int]]]] = [
        ("status", [(s.value, n) for s, n in library.status_counts().items()]),
        ("tags", library.tag_counts().most_common()),
        ("sources", sorted(library.source_counts().items())),
    ]
    for title, counts in sections:
        click.echo(f"\n{title}:")
        if not counts:
            click.echo("  (none)")
        width = max((len(name) for name, _ in counts), default=0)
        for name, count in counts:
            click.echo(printable(f"  {name:<{width}}  {count:>6}"))
