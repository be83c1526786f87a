"""The command line: a thin layer over `Library`, one command per thing a user does.

Every user error (a `ReaderError`, a bad tag or status, a file that cannot be read)
ends as one line on stderr, `reader: error: ...`, and exit status 1; usage errors are
click's (exit 2). The CLI never imports Textual unless it opens the app.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import orjson

from reader.core import export
from reader.core.editor import edit_note
from reader.core.errors import ReaderError
from reader.core.ingest import importer
from reader.core.ingest.latex import latex_to_unicode
from reader.core.library import SORTS, Library
from reader.core.models import Status, normalize_tag
from reader.core.text import printable
from reader.core.userfiles import write_through

CONFIRM_OVER = 50
"""A `--query` change to more rows than this asks first (unless `--yes`)."""
PROGRESS_FILES = 20
"""An import of more files than this shows a progress bar..."""
PROGRESS_BYTES = 20_000_000
"""...and so does one of more bytes than this."""


class UserError(click.ClickException):
    """A user error: one line on stderr, exit status 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"reader: error: {self.format_message()}", err=True)


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the ValueError of a bad tag, status or view name into a UserError."""
    try:
        yield
    except ValueError as error:
        raise UserError(str(error)) from None


def utf8(what: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback: a text argument (or each of several) that is not valid UTF-8
    is a one-line user error naming it as `what`.

    Python hands over such bytes as lone surrogates, which no file can store. Paths
    need no check: a file name in another encoding is still a file name.
    """

    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        for text in value if isinstance(value, tuple) else (value,):
            if isinstance(text, str) and not _is_utf8(text):
                raw = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise UserError(f"the {what} '{printable(raw)}' is not valid UTF-8")
        return value

    return check


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _ReaderGroup(click.Group):
    """The top-level group: turns ReaderError and OSError into one-line user errors."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order a user meets them, not alphabetical

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReaderError as error:
            raise UserError(str(error)) from None
        except BrokenPipeError:
            raise  # click's main handles a closed stdout
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise UserError(f"{where}{error.strerror or error}") from None


@dataclass
class _State:
    """What the global options say; opens the library on first use."""

    data_dir: Path | None
    opened: Library | None = None

    def library(self, *, tell: bool = True) -> Library:
        """The library, opened once; its messages go to stderr when `tell`."""
        if self.opened is None:
            self.opened = Library.open(self.data_dir)
            click.get_current_context().call_on_close(self.opened.close)
            if tell:
                for message in self.opened.messages:
                    click.echo(message, err=True)
        return self.opened


pass_state = click.make_pass_decorator(_State)


def _data_dir(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """An empty --data-dir is a mistake (an unset variable), not the current folder."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("is empty; give a folder (or leave the option out)")
    return Path(value)


@click.group(cls=_ReaderGroup, invoke_without_command=True)
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
    ctx.obj = _State(data_dir)
    if ctx.invoked_subcommand is None:
        _open_app(ctx.obj)


def _open_app(state: _State) -> None:
    """The app in a terminal; the list when piped or when the app is not installed."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            from reader.tui.app import run_app
        except ModuleNotFoundError as error:
            if error.name not in ("reader.tui", "reader.tui.app", "textual"):
                raise
        else:
            library = state.library(tell=False)  # the app shows the messages itself
            try:
                run_app(library)
            finally:
                library.close()  # releases the draft journal once every draft is saved
            return
    library = state.library()
    _print_table(library, library.search(""), None)


# ----------------------------------------------------------------- import
@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_state
def import_(state: _State, paths: tuple[Path, ...]) -> None:
    """Import files of abstracts, or every file in folders."""
    library = state.library()
    files = importer.expand(list(paths))
    size = 0
    for path, problem in files:
        if problem is None:
            with contextlib.suppress(OSError):
                size += path.stat().st_size
    if len(files) > PROGRESS_FILES or size > PROGRESS_BYTES:
        with click.progressbar(length=len(files), label="Importing", file=sys.stderr) as bar:
            report = library.import_paths(paths, lambda done, _: bar.update(done - bar.pos))
    else:
        report = library.import_paths(paths)
    for file in report.files:
        click.echo(file.summary(), err=bool(file.error))
        for warning in file.warnings:
            click.echo(f"  warning: {warning}", err=True)
    noun = "file" if len(report.files) == 1 else "files"
    total = (
        f"{len(report.files)} {noun}: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
    click.echo(total + (f", {report.failed} failed" if report.failed else ""))
    if report.errors:
        raise UserError(f"{len(report.errors)} of {len(report.files)} {noun} failed to import")


# ----------------------------------------------------------------- reading
@cli.command("list", context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, callback=utf8("query"))
@click.option("--sort", type=click.Choice(SORTS), default="source", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ids"]), default="table")
@click.option("--limit", type=click.IntRange(min=0), help="Show at most N abstracts.")
@pass_state
def list_(state: _State, query: tuple[str, ...], sort: str, fmt: str, limit: int | None) -> None:
    """List the abstracts matching QUERY (all when none), one per line."""
    text = _query_text(query)
    library = state.library()
    ids = library.search(text, sort)
    if fmt == "json":
        shown = ids[:limit] if limit is not None else ids
        records = [export.record(library, i) for i in shown]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
    elif fmt == "ids":
        for record_id in ids[:limit] if limit is not None else ids:
            click.echo(record_id)
    else:
        if not ids:
            click.echo(
                f"no abstract matches {text!r}" if text else "the library is empty", err=True
            )
        _print_table(library, ids, limit)


def _query_text(words: Sequence[str]) -> str:
    """The query given as words on the command line; `--word` is a mistyped option."""
    for word in words:
        if word.startswith("--"):
            raise click.NoSuchOption(word)
    return " ".join(words)


def _print_table(library: Library, ids: Sequence[str], limit: int | None) -> None:
    shown = ids[:limit] if limit is not None else ids
    short = [_short_id(library, i) for i in shown]
    width = max((len(s) for s in short), default=0)
    columns = shutil.get_terminal_size().columns
    for record_id, sid in zip(shown, short, strict=True):
        abstract, ann = library.abstract(record_id), library.annotation(record_id)
        head = f"{sid:<{width}}  {ann.status.value:<7}  {abstract.date or '':<10}  "
        title = printable(" ".join((ann.title or abstract.headline).split()))
        tags = printable("  " + " ".join(f"#{t}" for t in ann.tags)) if ann.tags else ""
        room = columns - _cells(head) - _cells(tags)
        line = head + _fit(title, room) + tags if room >= 20 else _fit(head + title, columns)
        click.echo(line)
    if len(shown) < len(ids):
        click.echo(f"... {len(ids) - len(shown)} more (raise --limit)", err=True)


def _short_id(library: Library, record_id: str) -> str:
    """arXiv ids whole, text-hash ids cut to 8 characters (still a prefix `resolve` takes)."""
    return record_id if library.abstract(record_id).arxiv_id else record_id[:8]


class _Widths(dict[str, int]):
    """Terminal cells per character (wide East Asian 2, combining 0), each computed once."""

    def __missing__(self, char: str) -> int:
        if unicodedata.combining(char):
            width = 0
        else:
            width = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        self[char] = width
        return width


_WIDTHS = _Widths()


def _cells(text: str) -> int:
    """Terminal cells `text` takes."""
    return len(text) if text.isascii() else sum(map(_WIDTHS.__getitem__, text))


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells, with an ellipsis when cut."""
    if text.isascii():
        return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
    ends = list(itertools.accumulate(map(_WIDTHS.__getitem__, text)))
    if not ends or ends[-1] <= width:
        return text
    return text[: bisect.bisect_right(ends, width - 1)] + "…"


@cli.command()
@click.argument("record", metavar="ID")
@click.option("--raw", is_flag=True, help="Print the abstract's LaTeX as written.")
@pass_state
def show(state: _State, record: str, raw: bool) -> None:
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
    render = (lambda text: text) if raw else latex_to_unicode
    fields += [("comments", render(c)) for c in a.comments]
    if ann.created:
        fields.append(("changed", f"{ann.updated} (first {ann.created})"))
    lines = [f"{name + ':':<10}{value}" for name, value in fields]
    width = min(shutil.get_terminal_size().columns, 100)
    lines += ["", textwrap.fill(render(a.text), width=width, break_on_hyphens=False)]
    if ann.note:
        lines += ["", "Note:", ann.note]
    click.echo(printable("\n".join(lines)))


@cli.command()
@pass_state
def stats(state: _State) -> None:
    """Count the abstracts by status, tag and source."""
    library = state.library()
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


# ----------------------------------------------------------------- changes
def _targets(library: Library, ids: Sequence[str], query: str | None, yes: bool) -> list[str]:
    """The record ids a change applies to: the IDs given, or the rows of `--query`."""
    if query is not None and ids:
        raise click.UsageError("give IDs or --query, not both")
    if query is None:
        if not ids:
            raise click.UsageError("give at least one ID, or --query QUERY")
        return library.resolve_many(ids)
    found = library.search(query)
    what = f"match {query!r}" if query.strip() else "in all"
    click.echo(f"{_n(len(found))} {what}.", err=True)
    if len(found) > CONFIRM_OVER and not yes:
        click.confirm(f"Change all {len(found)}?", abort=True, err=True)
    return found


def _n(count: int) -> str:
    return f"{count} abstract" if count == 1 else f"{count} abstracts"


class _LiteralTail(click.Command):
    """A command that notes how many of its words came after `--` (in `ctx.meta`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["after --"] = len(args) - args.index("--") - 1 if "--" in args else 0
        return super().parse_args(ctx, args)


@cli.command(cls=_LiteralTail, context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, metavar="[ID]... +TAG|-TAG...", callback=utf8("tag"))
@click.option(
    "--query", metavar="QUERY", help="Change every abstract matching QUERY.", callback=utf8("query")
)
@click.option("--yes", is_flag=True, help="Do not ask before changing more than 50.")
@pass_state
def tag(state: _State, args: tuple[str, ...], query: str | None, yes: bool) -> None:
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
    with _user_errors():  # check the tags before asking anything
        add, remove = [normalize_tag(t) for t in add], [normalize_tag(t) for t in remove]
    ids = [a for a in args if not a.startswith(("+", "-"))]
    library = state.library()
    targets = _targets(library, ids, query, yes)
    change = library.tag(targets, add, remove)
    words = " ".join([f"+{t}" for t in add] + [f"-{t}" for t in remove])
    click.echo(f"{words} on {_n(len(targets))} ({change.count} changed)")


@cli.command()
@click.argument("args", nargs=-1, required=True, metavar="[ID]... STATUS")
@click.option(
    "--query", metavar="QUERY", help="Change every abstract matching QUERY.", callback=utf8("query")
)
@click.option("--yes", is_flag=True, help="Do not ask before changing more than 50.")
@pass_state
def status(state: _State, args: tuple[str, ...], query: str | None, yes: bool) -> None:
    """Set the status: unread, to-read, reading, read or skipped."""
    with _user_errors():
        new = Status.parse(args[-1])
    library = state.library()
    targets = _targets(library, args[:-1], query, yes)
    change = library.set_status(targets, new)
    click.echo(f"status {new.value} on {_n(len(targets))} ({change.count} changed)")


@cli.command()
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
def note(state: _State, record: str, set_text: str | None, append_text: str | None) -> None:
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


@cli.command()
@click.argument("record", metavar="ID")
@click.argument("text", callback=utf8("title"))
@pass_state
def title(state: _State, record: str, text: str) -> None:
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


# ----------------------------------------------------------------- export
@cli.command("export")
@click.argument("query", nargs=-1, callback=utf8("query"))
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@click.option("--raw", is_flag=True, help="Markdown: keep the abstracts' LaTeX as written.")
@pass_state
def export_(
    state: _State, query: tuple[str, ...], fmt: str, output: Path | None, raw: bool
) -> None:
    """Export the abstracts matching QUERY (all when none), with your annotations.

    A JSON export restores with `reader restore`; with no QUERY it also holds the
    annotations of ids not in this library. It keeps the LaTeX as written; the
    Markdown export renders it as Unicode (unless --raw).
    """
    text = _query_text(query)
    library = state.library()
    ids = library.search(text)
    if not text:
        known = set(ids)
        ids += [k for k in library.annotations() if k not in known]
    if fmt == "json":
        document = export.export_json(library, ids)
    else:
        document = export.export_markdown(library, ids, raw=raw)
    if output is None:
        click.echo(document, nl=False)
        return
    write_through(output, document.encode())
    click.echo(f"exported {_n(len(ids))} to {output}", err=True)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def restore(state: _State, file: Path) -> None:
    """Put back the statuses, tags, notes and titles of a JSON export."""
    annotations = export.load_export(file)
    library = state.library()
    known = set(library.ids())
    change = library.put(f"restore {file.name}", annotations)
    elsewhere = sum(1 for k in annotations if k not in known)
    line = f"restored {len(annotations)} records from {file}: {change.count} changed"
    if elsewhere:
        line += f", {elsewhere} for abstracts not in this library (kept)"
    click.echo(line)


from reader import cli_views  # noqa: E402, F401  (registers `view` and `keys` on `cli`)


def main() -> None:
    """The `reader` entry point (click turns a closed pipe, `reader list | head`, into exit 1)."""
    cli(prog_name="reader")
