"""Views and keys: `reader view` (saved queries) and `reader keys` (the app's key map)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from reader.cli.common import State, UserError, pass_state, query_text, user_errors, utf8
from reader.core.errors import ReaderError
from reader.core.views import ViewExistsError


@click.group(invoke_without_command=True)
@click.pass_context
def view(ctx: click.Context) -> None:
    """Saved queries: list (the default), add, rename, rm."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(view_list)


@view.command("list")
@pass_state
def view_list(state: State) -> None:
    """List the saved views with how many abstracts each matches."""
    library = state.library()
    views = library.views()
    if not views:
        click.echo("no saved views (add one with `reader view add NAME QUERY`)", err=True)
    width = max((len(v.name) for v in views), default=0)
    for v in views:
        try:
            count = str(library.count(v.query))
        except ReaderError:
            count = "?"
        click.echo(f"{v.name:<{width}}  {count:>6}  {v.query}")


@view.command("add", context_settings={"ignore_unknown_options": True})
@click.argument("name", callback=utf8("view name"))
@click.argument("query", nargs=-1, required=True, callback=utf8("query"))
@click.option("--force", is_flag=True, help="Replace a view of that name.")
@pass_state
def view_add(state: State, name: str, query: tuple[str, ...], force: bool) -> None:
    """Save QUERY as the view NAME (names ignore case; --force replaces one)."""
    with user_errors(), _exists_hint():
        saved = state.library().save_view(name, query_text(query), replace=force)
    click.echo(f"view {saved.name!r}: {saved.query}")


@view.command("rename")
@click.argument("old", callback=utf8("view name"))
@click.argument("new", callback=utf8("view name"))
@click.option("--force", is_flag=True, help="Replace a view already called NEW.")
@pass_state
def view_rename(state: State, old: str, new: str, force: bool) -> None:
    """Rename the view OLD to NEW (--force replaces a view already called NEW)."""
    with user_errors(), _exists_hint():
        renamed = state.library().rename_view(old, new, replace=force)
    click.echo(f"view {old!r} renamed to {renamed.name!r}")


@contextlib.contextmanager
def _exists_hint() -> Iterator[None]:
    """A save onto an existing name: say how to replace it."""
    try:
        yield
    except ViewExistsError as error:
        raise UserError(f"{error} (--force replaces it)") from None


@view.command("rm")
@click.argument("name")
@pass_state
def view_rm(state: State, name: str) -> None:
    """Delete the view NAME."""
    state.library().delete_view(name)
    click.echo(f"view {name!r} deleted")


@click.command()
def keys() -> None:
    """Print the app's key map: binding id, keys (with keys.toml applied), what it does."""
    from reader.core.keymap import keymap_path
    from reader.tui.keys import key_table, user_keymap  # the app's bindings: textual

    table = key_table()
    width = max(len(binding_id) for binding_id, _, _ in table)
    for binding_id, key, description in table:
        click.echo(f"{binding_id:<{width}}  {key:<22}  {description}")
    click.echo(f'\nRemap keys in {keymap_path()}, e.g.\n[keys]\n"status.read" = "r"')
    for problem in user_keymap()[1]:
        click.echo(f"reader: warning: {problem}", err=True)
