"""Changing annotations: `reader tag`, `reader status`, `reader note`, `reader title`.

Each change goes through `Library` (planned under its lock against fresh data), so a
command never overwrites what the app or another command saved meanwhile.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import click

from reader.cli.common import State, UserError, pass_state, plural, user_errors, utf8
from reader.core.library import Library
from reader.core.models import Status, normalize_tag
from reader.core.text import printable

CONFIRM_OVER = 50
"""A `--query` change to more rows than this asks first (unless `--yes`)."""


def _targets(library: Library, ids: Sequence[str], query: str | None, yes: bool) -> list[str]:
    """The record ids a change applies to: the IDs given, or the rows of `--query`."""
    if query is not None and ids:
        raise click.UsageError("give IDs or --query, not both")
    if query is None:
        if not ids:
            raise click.UsageError("give at least one ID, or --query QUERY")
        return library.resolve_many(ids)
    found = library.search(query).ids
    what = f"match {query!r}" if query.strip() else "in all"
    click.echo(f"{plural(len(found), 'abstract')} {what}.", err=True)
    if len(found) > CONFIRM_OVER and not yes:
        click.confirm(f"Change all {len(found)}?", abort=True, err=True)
    return found


_query_option = click.option(
    "--query", metavar="QUERY", help="Change every abstract matching QUERY.", callback=utf8("query")
)
_yes_option = click.option(
    "--yes", is_flag=True, help=f"Do not ask before changing more than {CONFIRM_OVER}."
)


class _LiteralTail(click.Command):
    """A command that notes how many of its words came after `--` (in `ctx.meta`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["after --"] = len(args) - args.index("--") - 1 if "--" in args else 0
        return super().parse_args(ctx, args)


@click.command(cls=_LiteralTail, context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, metavar="[ID]... +TAG|-TAG...", callback=utf8("tag"))
@_query_option
@_yes_option
@pass_state
def tag(state: State, args: tuple[str, ...], query: str | None, yes: bool) -> None:
    """Add (+TAG) and remove (-TAG) tags.

    A tag that starts with `-` is removed after `--`, which ends the options:
    `reader tag ID -- --neg` removes the tag `-neg`.
    """
    literal = click.get_current_context().meta.get("after --", 0)
    for word in args[: len(args) - literal]:
        if word.startswith("--"):
            raise click.NoSuchOption(word)
    add = [a[1:] for a in args if a.startswith("+")]
    remove = [a[1:] for a in args if a.startswith("-")]
    if not add and not remove:
        raise click.UsageError("give the tags to add as +TAG and to remove as -TAG")
    with user_errors():  # check the tags before asking anything
        add, remove = [normalize_tag(t) for t in add], [normalize_tag(t) for t in remove]
    ids = [a for a in args if not a.startswith(("+", "-"))]
    library = state.library()
    targets = _targets(library, ids, query, yes)
    change = library.tag(targets, add, remove)
    words = " ".join([f"+{t}" for t in add] + [f"-{t}" for t in remove])
    click.echo(f"{words} on {plural(len(targets), 'abstract')} ({change.count} changed)")


@click.command()
@click.argument("args", nargs=-1, required=True, metavar="[ID]... STATUS")
@_query_option
@_yes_option
@pass_state
def status(state: State, args: tuple[str, ...], query: str | None, yes: bool) -> None:
    """Set the status: unread, to-read, reading, read or skipped."""
    with user_errors():
        new = Status.parse(args[-1])
    library = state.library()
    targets = _targets(library, args[:-1], query, yes)
    change = library.set_status(targets, new)
    click.echo(f"status {new.value} on {plural(len(targets), 'abstract')} ({change.count} changed)")


@click.command()
@click.argument("record", metavar="ID")
@click.option(
    "--set", "set_text", metavar="TEXT", help="Replace the note with TEXT.", callback=utf8("note")
)
@click.option(
    "--append",
    "append_text",
    metavar="TEXT",
    help="Add TEXT as a new paragraph.",
    callback=utf8("note"),
)
@pass_state
def note(state: State, record: str, set_text: str | None, append_text: str | None) -> None:
    """Edit the note: in $EDITOR, or with --set / --append.

    The editor's text is saved as an edit of the note as it was when the editor
    opened: a note changed meanwhile (say by `--append`) is merged, not overwritten.
    """
    if set_text is not None and append_text is not None:
        raise click.UsageError("give --set or --append, not both")
    library = state.library()
    record_id = library.resolve(record)
    if append_text is not None:
        if not append_text.strip():
            click.echo("note unchanged")
            return
        library.append_note(record_id, append_text)
        click.echo(f"note on {record_id} appended to")
        return
    if set_text is not None:
        old = library.annotation(record_id).note
        if set_text.rstrip() == old.rstrip():
            click.echo("note unchanged")
            return
        change = library.set_note(record_id, set_text.rstrip())
    else:
        from reader.core.editor import edit_note  # subprocess: only for the editor

        edit = edit_note(library, record_id)
        if edit.signal is not None:  # the terminal closed: the text is safe, now go
            _tell(edit.problems)
            click.get_current_context().exit(128 + edit.signal)
        if edit.change is None:
            if edit.problems:
                raise UserError("; ".join(edit.problems))
            click.echo("note unchanged")
            return
        _tell(edit.problems)
        change = edit.change
    if change.notice:
        click.echo(change.notice, err=True)
    done = "saved" if library.annotation(record_id).note else "cleared"
    click.echo(f"note on {record_id} {done}")


def _tell(problems: list[str]) -> None:
    """Each problem of an editor session, one line on stderr (a closed terminal may
    not take it: the text is safe either way)."""
    for problem in problems:
        with contextlib.suppress(OSError):
            click.echo(f"reader: {problem}", err=True)


@click.command()
@click.argument("record", metavar="ID")
@click.argument("text", callback=utf8("title"))
@pass_state
def title(state: State, record: str, text: str) -> None:
    """Set your title for an abstract ("" clears it)."""
    library = state.library()
    record_id = library.resolve(record)
    change = library.set_title(record_id, text)
    if not change.count:
        click.echo("title unchanged")
    elif library.annotation(record_id).title:
        click.echo(printable(f"title of {record_id}: {library.annotation(record_id).title}"))
    else:
        click.echo(f"title of {record_id} cleared")
