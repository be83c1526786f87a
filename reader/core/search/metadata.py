"""Search over what a source says about a paper besides its text: authors, categories.

Both are built on the first query that needs them (most libraries of plain text files
have neither), from the stored records' columns, and live as long as their index.

- Authors: every row's author names, folded and joined, go through the same numpy
  word index as the abstracts (`postings.build`), so `author:vas` is one slice of
  rows; a query of several words (`author:"ashish vaswani"`) then checks, on the few
  rows left, that one author has them all (in any order: "Vaswani, Ashish" too).
- Categories: the distinct categories (a few hundred in all of arXiv) with their rows;
  `cat:cs` unions the rows of every category that starts with `cs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reader.core.search import postings as post
from reader.core.text import fold, words

SEPARATOR = " ; "
"""Between two authors of a row in the authors' text (no word, so never matched)."""


class AuthorIndex:
    """Rows by author-name word prefix, for `author:`."""

    def __init__(self, authors: Sequence[Any]) -> None:
        """`authors`: each row's author names (a list, a tuple or None)."""
        self.n = len(authors)
        self._authors = authors
        texts = [SEPARATOR.join(row) if row else "" for row in authors]
        self.postings = post.build(texts, [""] * self.n)  # folds each row's text once
        self.has = np.fromiter(map(bool, authors), bool, self.n)
        """Rows with at least one author."""

    def rows(self, query: Sequence[str]) -> np.ndarray:
        """A bool mask of the rows where one author has every word of `query` as a
        word prefix."""
        p = self.postings
        mask = np.ones(self.n, bool)
        for word in query:
            part = np.zeros(self.n, bool)
            part[p.word_rows(*p.prefix_range(word))] = True
            mask &= part
        if len(query) > 1:
            for row in np.flatnonzero(mask).tolist():
                if not any(_has_all(words(fold(name)), query) for name in self._authors[row]):
                    mask[row] = False
        return mask


def _has_all(name_words: list[str], query: Sequence[str]) -> bool:
    return all(any(w.startswith(q) for w in name_words) for q in query)


class CategoryIndex:
    """Rows by arXiv category, for `cat:`."""

    def __init__(self, categories: Sequence[Any]) -> None:
        """`categories`: each row's categories (a list, a tuple or None)."""
        self.n = len(categories)
        found: dict[str, list[int]] = {}
        for row, cats in enumerate(categories):
            for cat in cats or ():
                found.setdefault(cat.lower(), []).append(row)
        self._rows = {cat: np.asarray(rows, np.int64) for cat, rows in found.items()}

    def rows(self, prefix: str) -> np.ndarray:
        """A bool mask of the rows with a category starting with `prefix` (lower case)."""
        mask = np.zeros(self.n, bool)
        for cat, rows in self._rows.items():
            if cat.startswith(prefix):
                mask[rows] = True
        return mask
