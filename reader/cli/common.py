"""What every command shares: the global state, the one-line user errors, the UTF-8
check of text arguments, and the output helpers (counts, the table of abstracts).

Every user error (a `ReaderError`, a bad tag or status, a file that cannot be read)
ends as one line on stderr, `reader: error: ...`, and exit status 1; usage errors are
click's (exit 2).
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from reader.core.errors import ReaderError
from reader.core.library import Library
from reader.core.text import printable, squash


class UserError(click.ClickException):
    """A user error: one line on stderr, exit status 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"reader: error: {self.format_message()}", err=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
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


class ReaderGroup(click.Group):
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
class State:
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


pass_state = click.make_pass_decorator(State)


def _data_dir(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """An empty --data-dir is a mistake (an unset variable), not the current folder."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("is empty; give a folder (or leave the option out)")
    return Path(value)


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=str),
    callback=_data_dir,
    help="The library folder (default: $READER_HOME, else the platform data folder).",
)
"""`--data-dir DIR`, given to `reader` (and to `reader serve`, for its tabs)."""


def query_text(words: Sequence[str]) -> str:
    """The query given as words on the command line; `--word` is a mistyped option."""
    for word in words:
        if word.startswith("--"):
            raise click.NoSuchOption(word)
    return " ".join(words)


# ----------------------------------------------------------------- output
def plural(count: int, noun: str) -> str:
    """`1 abstract`, `2 abstracts`: a count with its noun."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def print_table(
    library: Library, ids: Sequence[str], limit: int | None, cut: int | None = None
) -> None:
    """One line per abstract (short id, status, date, title, tags), cut to `cut`
    columns, else to the terminal; into a pipe or a file, whole."""
    shown = ids[:limit]  # all when `limit` is None
    short = [_short_id(library, i) for i in shown]
    width = max((len(s) for s in short), default=0)
    if cut is not None:
        columns = cut
    elif sys.stdout.isatty():
        columns = shutil.get_terminal_size().columns
    else:
        columns = sys.maxsize
    for record_id, sid in zip(shown, short, strict=True):
        record = library.record(record_id)
        ann, date = record.annotation, record.abstract.date if record.abstract else None
        head = f"{sid:<{width}}  {ann.status.value:<7}  {date or '':<10}  "
        title = printable(squash(record.title))
        tags = printable(f"  {record.tags}") if record.tags else ""
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
