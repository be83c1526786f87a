"""The command line: a thin layer over `Library`, one command per thing a user does.

`common` holds what every command shares (the state, one-line user errors, output
helpers); the commands live by what they do: `library` (list, show, stats),
`annotate` (tag, status, note, title), `transfer` (import, export, restore),
`fetch` (fetch, subscribe, unsubscribe, subscriptions, rm) and `views` (view, keys).
This module is the `reader` group that holds them, in the order `reader --help` lists
them. The CLI never imports Textual unless it opens the app.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reader.cli import annotate, app, discover, fetch, library, serve, transfer, views
from reader.cli.common import ReaderGroup, State, data_dir_option, print_table


@click.group(cls=ReaderGroup, invoke_without_command=True)
@data_dir_option
@click.version_option(package_name="reader", prog_name="reader")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """Read and triage research abstracts, and keep notes on them.

    With no command, opens the app (or, when not in a terminal, prints the list).
    IDs may be given by any unique prefix.
    """
    ctx.obj = State(data_dir)
    if ctx.invoked_subcommand is None:
        _open_app(ctx.obj)


for command in (
    transfer.import_,
    fetch.fetch,
    fetch.subscribe,
    fetch.unsubscribe,
    fetch.subscriptions,
    library.list_,
    library.show,
    discover.similar,
    library.stats,
    annotate.tag,
    annotate.status,
    annotate.note,
    annotate.title,
    transfer.export_,
    transfer.restore,
    fetch.rm,
    views.view,
    views.keys,
    serve.serve,
    app.app,
):
    cli.add_command(command)


def _open_app(state: State) -> None:
    """The app in a terminal; the list when piped or when the app is not installed."""
    if sys.stdin.isatty() and sys.stdout.isatty() and app.open_if_installed(state):
        return
    opened = state.library()
    print_table(opened, opened.search("").ids, None)


def main() -> None:
    """The `reader` entry point (click turns a closed pipe, `reader list | head`, into exit 1)."""
    cli(prog_name="reader")


__all__ = ["cli", "main"]
