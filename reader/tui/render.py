"""Rich `Text` for records: list rows, LaTeX runs with styles, query-term highlights.

Pure functions (no widgets) so the list, the detail pane and the tests share them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

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
