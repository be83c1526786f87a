"""The user's notes and titles searched in one regex pass instead of one per text.

A query word costs a `pattern.search` per note and per title: a microsecond or two
each, 6 ms for the 10,000 annotated abstracts of the benchmark library, the largest
part of a keystroke's search. `JoinedTexts` puts the texts of one table end to end
once (again only when they change) and scans them with `pattern.search` from text to
text: one call per text that matches, plus one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping

SEPARATOR = "\x00Z\x00"
"""Between two texts. Its `Z` is a word character, so the `[\\W_]+` between the words
of a phrase (see `word_pattern`) cannot run from one text into the next; texts and
query words are folded to lower case, so no query word matches it either. A match that
still crosses a separator is checked on its own text (`rows_matching`)."""


class JoinedTexts:
    """The texts of a `{row: text}` table end to end, with where each one starts; a
    copy: later changes of the table are not seen (join it again)."""

    def __init__(self, texts: Mapping[int, str]) -> None:
        self.texts = texts
        """The table joined (`SearchIndex` joins it again when it is another one)."""
        self.rows = list(texts)
        """The table's rows, in the order of their texts in `joined`."""
        self.starts: list[int] = []
        """Where each text starts in `joined`."""
        self.ends: list[int] = []
        """Where each text ends in `joined`."""
        at = 0
        for text in texts.values():
            self.starts.append(at)
            self.ends.append(at + len(text))
            at += len(text) + len(SEPARATOR)
        self.joined = SEPARATOR.join(texts.values())

    def rows_matching(self, pattern: re.Pattern[str]) -> Iterator[int]:
        """The rows whose text `pattern` matches (as `pattern.search(text)` would)."""
        starts, ends, joined = self.starts, self.ends, self.joined
        position = 0
        while (found := pattern.search(joined, position)) is not None:
            i = bisect.bisect_right(starts, found.start()) - 1
            end = ends[i]
            if found.end() <= end or (
                found.start() < end and pattern.search(joined[starts[i] : end])
            ):
                yield self.rows[i]  # (a match from the separator on is no text's)
            if i + 1 == len(starts):
                return
            position = starts[i + 1]
