"""Rich `Text` for records: list rows, LaTeX runs with styles, query-term highlights.

Pure functions (no widgets) so the list, the detail pane and the tests share them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

from reader.core.ingest.latex import latex_segments
from reader.core.models import Status
from reader.core.text import fold, word_pattern

GLYPHS = {
    Status.UNREAD: "●",
    Status.TO_READ: "◆",
    Status.READING: "▶",
    Status.READ: "✓",
    Status.SKIPPED: "✗",
}
"""A one-cell mark per status: the list's first column, the header, the detail pane."""


def glyph(status: Status) -> str:
    """The one-cell mark of `status`."""
    return GLYPHS[status]


def source_label(source: str) -> str:
    """The readable part of a source file's stem: `000` for `000_90d3212f613ebdc9`, the
    stem itself when it has no hashed tail (a hash is 8+ hex digits after `_` or `-`)."""
    for separator in ("_", "-"):
        head, _, tail = source.rpartition(separator)
        if head and len(tail) >= 8 and all(c in "0123456789abcdef" for c in tail.lower()):
            return head
    return source


LATEX_STYLES = {"italic": Style(italic=True), "bold": Style(bold=True)}
"""Rich styles for the runs of `latex_segments` (math gets the caller's style)."""


@lru_cache(maxsize=64)
def _term_patterns(terms: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The index's own regex for each term (words at word starts, the last a prefix)."""
    return tuple(word_pattern(t.split(" ")) for t in dict.fromkeys(terms) if t.strip())


def match_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) spans of `text` where a query term (folded, as `query.terms`
    gives them) matches, by the rule the search index uses."""
    patterns = _term_patterns(tuple(terms)) if terms else ()
    if not patterns or not text:
        return []
    if text.isascii():
        flat = text.lower()
        return [m.span() for p in patterns for m in p.finditer(flat) if m.end() > m.start()]
    folded: list[str] = []
    origin: list[int] = []  # folding may change lengths: map back to `text`
    for index, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    flat = "".join(folded)
    return [
        (origin[m.start()], origin[m.end() - 1] + 1)
        for p in patterns
        for m in p.finditer(flat)
        if m.end() > m.start()
    ]


def highlight(text: Text, terms: Sequence[str], style: Style | str) -> Text:
    """Stylise the matches of `terms` in `text` (in place) and return it."""
    for start, end in match_spans(text.plain, terms):
        text.stylize(style, start, end)
    return text


def latex_text(source: str, math: Style | str = "") -> Text:
    """`source` with its LaTeX rendered: italic and bold as such, math in `math` style."""
    text = Text()
    for run, kind in latex_segments(source):
        if kind == "math":
            text.append(run, math)
        elif kind in LATEX_STYLES:
            text.append(run, LATEX_STYLES[kind])
        else:
            text.append(run)
    return text


class Hanging:
    """A Rich renderable: `text` wrapped at word boundaries to the width it is given,
    each line of it that wraps continuing `indent` cells in (a hanging indent), so a
    long value reads as one item. A word longer than a line (a URL) is never broken:
    it gets a line of its own, whole, so terminals still detect it."""

    def __init__(self, text: Text, indent: int = 2) -> None:
        self.text = text
        self.indent = indent

    @property
    def plain(self) -> str:
        """The text without styles or wrapping."""
        return self.text.plain

    def lines(self, width: int) -> list[Text]:
        """The lines of the text at `width` cells."""
        out: list[Text] = []
        for paragraph in self.text.split("\n", allow_blank=True):
            out += hang(paragraph, width, self.indent)
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            line.no_wrap = True
            line.overflow = "ignore"
            line.end = "\n"  # (Textual's measure of the height counts line ends)
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)


def hang(text: Text, width: int, indent: int = 2) -> list[Text]:
    """`text` (one line) wrapped greedily at spaces to `width`; lines after the first
    start `indent` spaces in. Words (runs without a plain space: a no-break space
    holds `● unread` together) are never cut."""
    words = [m.span() for m in re.finditer(r"[^ ]+", text.plain)]
    if not words:
        return [text.copy()]
    lines: list[Text] = []
    start, end = words[0]
    room = width
    for word_start, word_end in words[1:]:
        if cell_len(text.plain[start:word_end]) <= room:
            end = word_end
            continue
        lines.append(_line(text, start, end, indent if lines else 0))
        start, end = word_start, word_end
        room = width - indent
    lines.append(_line(text, start, end, indent if lines else 0))
    return lines


def _line(text: Text, start: int, end: int, indent: int) -> Text:
    line = Text(" " * indent)
    line.append_text(text[start:end])
    return line
