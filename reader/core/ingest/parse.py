"""Text files of abstracts -> `Abstract` records.

Two formats, which one file may mix:

- Blocks (seed 000): an abstract paragraph, optional comment lines ("7 pages, 6
  figures"), then `arXiv:ID` and `Created: YYYY-MM-DD` lines, the parts separated
  by blank lines or not. The arXiv/Created lines close the record; the paragraph
  before them is its text and short paragraphs in between are its comments.
- One abstract per line, starting `Abstract:` (seeds 001-004). Lines that follow
  without a blank line continue it; arXiv/Created lines after it attach to it. A
  paragraph after a blank line is a record of its own (unless it says it is a
  comment: `Comments: ...`, `7 pages, ...`), never that line's text or comment.

A record is recognisable by its `Abstract:` prefix or its arXiv/Created lines; other
text is reported as a warning ("file:line: what") and skipped. Reading is liberal:
CRLF or CR line ends, a UTF-8 BOM, tabs, trailing spaces, runs of blank lines, any
case of `abstract:`, arXiv versions and old-style ids, and non-UTF-8 bytes (decoded
as cp1252, else latin-1, with a warning). A file that is empty, blank, binary (NUL
bytes, UTF-16), unreadable or holds no record raises `ParseError`.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from reader.core.errors import ParseError
from reader.core.ingest.latex import latex_to_unicode
from reader.core.models import ARXIV_ID, Abstract
from reader.core.store.storage import NotRegularFile, open_regular
from reader.core.text import id_fold, squash

MAX_ABSTRACT_CHARS = 100_000
"""Longer abstracts are skipped with a warning (they are not abstracts)."""
MAX_WARNINGS = 100
"""Warnings kept per file; the rest are counted in one last warning."""
MAX_VERSION = 9999
"""Highest arXiv version taken; a larger one is a typo (and overflows JSON integers)."""


class WarningKind(StrEnum):
    """What a `ParseWarning` is about, for code that counts them."""

    DECODING = "decoding"
    """The file is not UTF-8 and was decoded as cp1252 or latin-1."""
    METADATA = "metadata"
    """An arXiv id, version or date that was not understood, and ignored."""
    STRAY = "stray"
    """Text (or arXiv/Created lines) belonging to no record, ignored."""
    SKIPPED = "skipped"
    """A whole record was dropped (it is too long to be an abstract)."""
    MORE = "more"
    """The count of warnings past `MAX_WARNINGS`."""


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something odd about a file that did not stop it from being read."""

    path: Path
    line: int
    kind: WarningKind
    what: str
    """One line, human readable, without the file and line."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


@dataclass
class ParseResult:
    """The abstracts of one file, in file order, and what was odd about it."""

    path: Path
    abstracts: list[Abstract]
    warnings: list[ParseWarning] = field(default_factory=list)
    """In file order; `str()` of one is "file:line: what"."""


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")
"""Control characters (not white space), stray BOMs and lone surrogates: dropped."""
_LINE_END = re.compile(r"\r\n?|\n")
_PREFIX = re.compile(r"abstract\s*:\s*", re.IGNORECASE)
_ARXIV_LINE = re.compile(r"arxiv\s*:\s*(\S+)", re.IGNORECASE)
_ARXIV_ID = ARXIV_ID  # what an arXiv id is: defined once, beside normalize_id
_CREATED_LINE = re.compile(r"created\s*:\s*(.*)", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")
_COMMENT_PREFIX = re.compile(r"comments?\s*:\s*", re.IGNORECASE)
_PAGES = re.compile(r"\d+\s*pages?(?=\s*[,;.+(]|\s*$)", re.IGNORECASE)
_META_MAX = 120
"""An arXiv/Created line is short; a longer one is text that happens to start so."""
_COMMENT_MAX = 300
"""A paragraph between an abstract and its arXiv/Created lines of at most this many
characters (and two lines) is a comment; a longer one is another abstract."""


def record_id(text: str) -> str:
    """12 hex chars of the sha1 of `text` folded (`id_fold`) and squashed.

    Re-importing the same text gives the same id; case, accents and white space do
    not change it.
    """
    return _hash(squash(id_fold(text)))


def _hash(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


# --- headlines -------------------------------------------------------------------

_NO_STOP = re.compile(
    r"(?i:al|e\.g|i\.e|cf|vs|figs?|eqs?|eqn|secs?|refs?|tab|thm|nos?|resp|approx|ch|vol|pp|"
    r"dr|mrs?|ms|prof|st)"
    r"|(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]"
)
"""Words whose full stop ends no sentence: abbreviations ("et al. (2023)", "e.g.",
"Fig. 2", in any case) and initials ("J. Smith", "U.S")."""
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
_MATH_SPAN = re.compile(r"(?<!\\)\$[^$]*(?<!\\)\$")
_OPENS_SENTENCE = "\"“‘'`$\\"


def _first_sentence(text: str, cap: int) -> str:
    """The first sentence of raw `text` (LaTeX kept), at most about `cap` characters.

    A stop is a sentence end when a capital, digit, quote, `$` or `\\` follows, and
    it does not end "et al.", "e.g.", "Fig." or an initial. Stops inside `$..$` and
    decimal points ("3.5") never end a sentence.
    """
    window = cap + 200  # the text searched ends here (no copy of it is made)
    maths: list[tuple[int, int]] | None = None
    dollar = text.find("$", 0, window)  # the first `$`: a stop after it may be in maths
    for match in _SENTENCE_END.finditer(text, 0, window):
        stop, end = match.span()
        after = text[end : end + 1] if end < window else ""
        if not after or not (after.isupper() or after.isdigit() or after in _OPENS_SENTENCE):
            continue
        if 0 <= dollar < stop:  # a span around `stop` opens before it
            if maths is None:  # found only when needed: most stops have no `$` before
                maths = [m.span() for m in _MATH_SPAN.finditer(text, 0, window)]
            if any(a < stop < b for a, b in maths):
                continue
        word = text[text.rfind(" ", 0, stop) + 1 : stop].lstrip("([\"'“‘")
        if text[stop] == "." and _NO_STOP.fullmatch(word):
            continue
        return text[:end].rstrip()
    if len(text) <= cap:
        return text
    cut = text[:cap]
    if len(_MATH_SPAN.sub("", cut).split("$")) % 2 == 0:  # an unclosed `$`
        cut = cut[: cut.rfind("$")]
    return cut


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, ending "…"."""
    if len(text) <= limit:
        return text
    limit = max(limit, 1)
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—(") + "…"


def first_sentence(text: str) -> str:
    """The whole first sentence of `text`, LaTeX as Unicode (exports title untitled
    abstracts with it; the app's headline is cut to fit a row)."""
    return latex_to_unicode(_first_sentence(text, cap=len(text)))


def make_headline(text: str, limit: int = 100) -> str:
    """The first sentence of `text`, LaTeX as Unicode, at most `limit` characters."""
    sentence = _first_sentence(text, cap=4 * limit + 200)
    return _shorten(latex_to_unicode(sentence), limit)


# --- reading ---------------------------------------------------------------------


def parse_file(
    path: Path, parser: Callable[[BinaryIO, Path], ParseResult] | None = None
) -> ParseResult:
    """Parse the file at `path`, a line at a time; every failure becomes a `ParseError`.

    `parser` reads the opened file (default `parse_stream`, the plain formats; see
    `detect.parse_path` for the others). Only regular files are read: a FIFO, socket
    or device is refused before it is opened, and the open itself never waits
    (`O_NONBLOCK`), so nothing can hang on a writer that never comes.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode  # so that a device is never even opened
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        with open(open_regular(path), "rb") as file:
            return (parser or parse_stream)(file, path)
    except NotRegularFile as error:  # swapped since the stat
        raise _not_regular(path, error.mode) from None
    except FileNotFoundError:
        raise ParseError(path, "no such file") from None
    except PermissionError:
        raise ParseError(path, "permission denied") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ParseError(path, f"cannot read the file: {reason}") from None


def _not_regular(path: Path, mode: int) -> ParseError:
    if stat.S_ISDIR(mode):
        return ParseError(path, "is a directory, not a file of abstracts")
    return ParseError(path, "is not a regular file")


def parse_bytes(data: bytes, path: Path) -> ParseResult:
    """Parse `data` as the contents of a file at `path` (see `parse_stream`)."""
    return parse_stream(io.BytesIO(data), path)


def parse_stream(file: BinaryIO, path: Path) -> ParseResult:
    """Parse a seekable binary file a line at a time, holding one record at most.

    It is decoded as UTF-8; when a line is not, the file is read again from the start
    as cp1252 (else latin-1) with a warning at that line, as a whole-file decode
    would. Lines end at LF, CRLF or CR.
    """
    start = file.tell()
    first = file.read(3)
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(path, "the file is UTF-16; save it as UTF-8", line=1)
    bom = 3 if first == b"\xef\xbb\xbf" else 0
    try:
        file.seek(start + bom)
        return _parse(_decoded_lines(file, "utf-8"), path)
    except _NotDecoded as error:
        line = error.line
    for encoding in ("cp1252", "latin-1"):  # latin-1 decodes any byte
        file.seek(start + bom)
        warning = ParseWarning(
            Path(path), line, WarningKind.DECODING, f"not valid UTF-8; decoded as {encoding}"
        )
        try:
            return _parse(_decoded_lines(file, encoding), path, [warning])
        except _NotDecoded:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


class _NotDecoded(Exception):
    """A line that the encoding being tried cannot decode (the parse starts over)."""

    def __init__(self, line: int) -> None:
        self.line = line


_BLOCK = 1 << 17
"""Bytes read and decoded at a time (cut after the last LF in them): small enough that
a block, its text and its lines stay well under the record an import may hold."""


Batch = tuple[list[str], bool]
"""Consecutive lines (without their ends), and whether all of them are known to be
printable (`str.isprintable`), so that `_parse` need not check them one by one."""


def _decoded_lines(file: BinaryIO, encoding: str) -> Iterator[Batch]:
    """The lines of `file` decoded, without their ends; split at LF, CRLF and CR.

    Like `text.split("\\n")` after turning CRLF and CR into LF, a file ending in a
    line end has one more (empty) line. A line that does not decode raises
    `_NotDecoded` with its number.

    The file is read and decoded a block of whole lines at a time (a line longer than
    a block is gathered first): decoding lines one by one cost ~0.5 s at 100 MB. An
    LF is never inside a multi-byte character, so a block decodes as its lines would.
    """
    number = 0
    pending: list[bytes] = []
    while block := file.read(_BLOCK):
        cut = block.rfind(b"\n") + 1
        if not cut:
            pending.append(block)
            continue
        whole = b"".join((*pending, block[:cut])) if pending else memoryview(block)[:cut]
        pending = [block[cut:]] if cut < len(block) else []
        lines, printable = _block_lines(whole, encoding, number)
        del whole
        lines.pop()  # what follows the last LF: the start of the next block
        number += len(lines)
        yield lines, printable
    yield _block_lines(b"".join(pending), encoding, number)


_PLAIN = bytes(range(0x20, 0x7F)) + b"\n\r"  # CR: a line end, as LF
"""Printable ASCII and LF: what most blocks are made of, all but a few bytes."""


def _block_lines(data: bytes | memoryview, encoding: str, number: int) -> Batch:
    """The lines of `data` decoded (the last is what follows its last line end), and
    whether they are all printable; `number` lines come before it in the file.

    The bytes that are not printable ASCII, LF or CR are picked out in one pass (~7 times
    faster than `isprintable` line by line); when the characters they make are all
    printable, so is every line. The rest of a UTF-8 block decodes on its own: taking
    ASCII bytes out never cuts a multi-byte character."""
    try:
        text = str(data, encoding)
    except UnicodeDecodeError as error:
        before = bytes(data[: error.start]).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        raise _NotDecoded(number + before.count(b"\n") + 1) from None
    rest = bytes(data).translate(None, _PLAIN)
    printable = not rest or str(rest, encoding).isprintable()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n"), printable


def parse_text(text: str, path: Path, warnings: list[ParseWarning] | None = None) -> ParseResult:
    """Parse decoded `text`; new warnings are appended to `warnings` (if given)."""
    return parse_lines(_text_lines(text), path, warnings)


def _text_lines(text: str) -> Iterator[str]:
    """The lines of `text` without their ends (LF, CRLF or CR), as `_decoded_lines`."""
    start = 0
    for end in _LINE_END.finditer(text):
        yield text[start : end.start()]
        start = end.end()
    yield text[start:]


def parse_lines(
    lines: Iterable[str], path: Path, warnings: list[ParseWarning] | None = None
) -> ParseResult:
    """Parse decoded lines (without line ends), taking each line once, in order.

    Only the record being read is held, so memory stays that of the records kept;
    new warnings are appended to `warnings` (if given).
    """
    return _parse((([line], False) for line in lines), path, warnings)


def _parse(
    batches: Iterable[Batch], path: Path, warnings: list[ParseWarning] | None = None
) -> ParseResult:
    """`parse_lines` over batches of lines (see `Batch`)."""
    warnings = [] if warnings is None else warnings
    builder = _Builder(Path(path), warnings)
    feed = builder.feed
    empty = blank = True
    number = 0
    for lines, printable in batches:
        for raw in lines:
            number += 1
            if number == 1:
                raw = raw.removeprefix("\ufeff")
            if empty and (raw or number > 1):
                empty = False
            if not printable and not raw.isprintable():  # most lines are printable
                if "\x00" in raw:
                    raise ParseError(path, "NUL bytes: this is not a text file", line=number)
                if blank and raw.strip():  # blank before controls are dropped, as str.strip
                    blank = False
                raw = _CONTROL.sub("", raw)
            line = raw.strip()
            if line:
                blank = False
            feed(number, line)
    if empty:
        raise ParseError(path, "empty file")
    if blank:
        raise ParseError(path, "the file has only blank lines")
    builder.finish()
    if not builder.abstracts:
        if builder.too_long:
            raise ParseError(
                path,
                f"no abstracts left: all are longer than {MAX_ABSTRACT_CHARS:,} characters",
                line=builder.too_long[0],
            )
        raise ParseError(
            path,
            "no abstracts found: expected 'Abstract:' lines, or paragraphs followed by "
            "'arXiv:'/'Created:' lines",
            line=builder.first_text,
        )
    return ParseResult(Path(path), builder.abstracts, warnings)


Chunk = list[tuple[int, str]]
"""Consecutive non-blank text lines, as (line number, stripped text)."""


@dataclass
class _Group:
    """The lines of one would-be record, gathered until it closes."""

    start: int
    prefixed: bool = False
    """It began with `Abstract:`."""
    chunks: list[Chunk] = field(default_factory=list)
    """The text chunk first, then the comment chunks."""
    meta_line: int = 0
    """Line of its first arXiv/Created line; 0 while it has none."""
    arxiv: str | None = None
    arxiv_seen: bool = False
    version: int | None = None
    date: str | None = None
    date_seen: bool = False


class _Builder:
    """Line-by-line state machine: lines -> chunks -> groups -> `Abstract`s."""

    def __init__(self, path: Path, warnings: list[ParseWarning]) -> None:
        self.path = path
        self.source = path.stem
        self.warnings = warnings
        self.abstracts: list[Abstract] = []
        self.too_long: list[int] = []
        self.first_text: int | None = None
        self.group: _Group | None = None
        self.chunk: Chunk | None = None
        self.warned = self.unsaid = 0
        self.first_unsaid: int | None = None
        """Line of the first warning past MAX_WARNINGS."""

    def warn(self, line: int, kind: WarningKind, what: str) -> None:
        """Add a warning; past MAX_WARNINGS only skipped records are still listed."""
        always = kind is WarningKind.SKIPPED
        if always or self.warned < MAX_WARNINGS:
            self.warnings.append(ParseWarning(self.path, line, kind, what))
            self.warned += 0 if always else 1
            return
        self.unsaid += 1
        if self.first_unsaid is None:
            self.first_unsaid = line

    def feed(self, number: int, line: str) -> None:
        if not line:
            self._end_chunk()
            return
        if self.first_text is None:
            self.first_text = number
        prefix = _PREFIX.match(line)
        if prefix:
            self._end_chunk()
            self._close()
            self.group = _Group(start=number, prefixed=True)
            self.chunk = [(number, line[prefix.end() :])]
            return
        if len(line) <= _META_MAX:
            arxiv = _ARXIV_LINE.fullmatch(line)
            if arxiv:
                self._arxiv(number, arxiv[1])
                return
            created = _CREATED_LINE.fullmatch(line)
            if created:
                self._created(number, created[1])
                return
        if self.group is not None and self.group.meta_line:
            self._close()  # text after arXiv/Created lines begins the next record
        if self.chunk is None:
            self.chunk = []
        self.chunk.append((number, line))

    def finish(self) -> None:
        self._end_chunk()
        self._close()
        if self.first_unsaid is not None:
            what = f"{self.unsaid} more warnings not shown"
            self.warnings.append(ParseWarning(self.path, self.first_unsaid, WarningKind.MORE, what))

    def _meta_group(self, number: int, seen: str) -> _Group:
        """The group an arXiv/Created line belongs to (a new one if `seen` is set)."""
        self._end_chunk()
        if self.group is not None and getattr(self.group, seen):
            self._close()
        if self.group is None:
            self.group = _Group(start=number)
        if not self.group.meta_line:
            self.group.meta_line = number
        return self.group

    def _arxiv(self, number: int, token: str) -> None:
        group = self._meta_group(number, "arxiv_seen")
        group.arxiv_seen = True
        match = _ARXIV_ID.fullmatch(token.rstrip(".,;"))
        if not match:
            self.warn(
                number, WarningKind.METADATA, f"unrecognised arXiv id {token[:40]!r}, ignored"
            )
            return
        group.arxiv = match["id"]
        version = match["version"]
        if version and (len(version) > len(str(MAX_VERSION)) or int(version) > MAX_VERSION):
            shown = version if len(version) <= 20 else version[:19] + "…"
            what = f"arXiv version v{shown} is over {MAX_VERSION}, ignored (the id is kept)"
            self.warn(number, WarningKind.METADATA, what)
            version = None
        group.version = int(version) if version else None

    def _created(self, number: int, value: str) -> None:
        group = self._meta_group(number, "date_seen")
        group.date_seen = True
        match = _DATE.match(value)
        try:
            if not match:
                raise ValueError
            group.date = date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            what = f"unrecognised date {value[:40]!r} (expected YYYY-MM-DD), ignored"
            self.warn(number, WarningKind.METADATA, what)

    def _end_chunk(self) -> None:
        """A blank, arXiv/Created or `Abstract:` line ends the chunk: place it."""
        if self.chunk is None:
            return
        chunk = [(n, text) for n, text in self.chunk if text]
        self.chunk = None
        if not chunk:
            return
        group = self.group
        if group is None:
            self.group = _Group(start=chunk[0][0], chunks=[chunk])
        elif not group.chunks or _attaches(group, chunk):
            group.chunks.append(chunk)
        else:  # a second paragraph: the group so far had no arXiv/Created lines
            self._close()
            self.group = _Group(start=chunk[0][0], chunks=[chunk])

    def _close(self) -> None:
        """Turn the open group into an `Abstract`, or into warnings."""
        group, self.group = self.group, None
        if group is None:
            return
        if not group.chunks:
            what = "'Abstract:' line" if group.prefixed else "arXiv/Created lines"
            self.warn(group.start, WarningKind.STRAY, f"{what} without abstract text, ignored")
            return
        if not group.prefixed and not group.meta_line:
            for chunk in group.chunks:
                self._stray(chunk)
            return
        body, *extra = group.chunks
        parts = [body[0][1]]
        comments = []
        for _, line in body[1:]:
            if _COMMENT_PREFIX.match(line) or _PAGES.match(line):
                comments.append(_comment(line))
            else:
                parts.append(line)
        for chunk in extra:
            if group.meta_line or _is_explicit_comment(chunk):
                comments.extend(_comment(line) for _, line in chunk)
            else:
                self._stray(chunk)
        text = squash(" ".join(parts))
        if len(text) > MAX_ABSTRACT_CHARS:
            self.too_long.append(group.start)
            what = f"abstract of {len(text):,} characters (over {MAX_ABSTRACT_CHARS:,}), skipped"
            self.warn(group.start, WarningKind.SKIPPED, what)
            return
        self.abstracts.append(
            Abstract(
                # `text` is squashed already: for ASCII, id_fold is lower() and keeps it so.
                id=group.arxiv or (_hash(text.lower()) if text.isascii() else record_id(text)),
                text=text,
                headline=make_headline(text),
                source=self.source,
                position=len(self.abstracts) + 1,
                line=group.start,
                arxiv_id=group.arxiv,
                version=group.version,
                date=group.date,
                comments=tuple(filter(None, comments)),
            )
        )

    def _stray(self, chunk: Chunk) -> None:
        excerpt = squash(chunk[0][1])
        excerpt = excerpt if len(excerpt) <= 40 else excerpt[:39] + "…"
        lines = f"{len(chunk)} lines" if len(chunk) > 1 else "line"
        what = f"{lines} of text outside any abstract, ignored: {excerpt!r}"
        self.warn(chunk[0][0], WarningKind.STRAY, what)


def _comment(line: str) -> str:
    prefix = _COMMENT_PREFIX.match(line)
    return squash(line[prefix.end() :] if prefix else line)


def _is_explicit_comment(chunk: Chunk) -> bool:
    """A chunk that says it is a comment: `Comments: ...` or `7 pages, ...`."""
    first = chunk[0][1]
    return bool(_COMMENT_PREFIX.match(first) or _PAGES.match(first))


def _attaches(group: _Group, chunk: Chunk) -> bool:
    """Whether a paragraph after the first one of `group` is that group's comment.

    After an `Abstract:` line only an explicit comment is: a short plain paragraph
    there is the text of a listing-style record (whose arXiv/Created lines follow),
    never a comment of the line.
    """
    return _is_explicit_comment(chunk) if group.prefixed else _is_comment(chunk)


def _is_comment(chunk: Chunk) -> bool:
    """A chunk short enough to be a comment rather than another abstract."""
    if _is_explicit_comment(chunk):
        return True
    return len(chunk) <= 2 and sum(len(line) for _, line in chunk) <= _COMMENT_MAX
