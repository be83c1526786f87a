"""The command line: a thin layer over `Library`, one command per thing a user does.

`common` holds what every command shares (the state, one-line user errors, output
helpers); the commands live by what they do: `library` (list, show, stats),
`annotate` (tag, status, note, title), `transfer` (import, export, restore) and
`views` (view, keys). This module is the `reader` group that holds them, in the
order `reader --help` lists them. The CLI never imports Textual unless it opens the app.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reader.cli import annotate, discover, library, transfer, views
from reader.cli.common import ReaderGroup, State, print_table


def _data_dir(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """An empty --data-dir is a mistake (an unset variable), not the current folder."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("is empty; give a folder (or leave the option out)")
    return Path(value)


@click.group(cls=ReaderGroup, invoke_without_command=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=str),
    callback=_data_dir,
    help="The library folder (default: $READER_HOME, else the platform data folder).",
)
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
    views.view,
    views.keys,
):
    cli.add_command(command)


def _open_app(state: State) -> None:
    """The app in a terminal; the list when piped or when the app is not installed."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            from reader.tui.app import run_app
        except ModuleNotFoundError as error:
            if error.name not in ("reader.tui", "reader.tui.app", "textual"):
                raise
        else:
            opened = state.library(tell=False)  # the app shows the messages itself
            try:
                run_app(opened)
            finally:
                opened.close()  # releases the draft journal once every draft is saved
            return
    opened = state.library()
    print_table(opened, opened.search("").ids, None)


def main() -> None:
    """The `reader` entry point (click turns a closed pipe, `reader list | head`, into exit 1)."""
    cli(prog_name="reader")


__all__ = ["cli", "main"]
