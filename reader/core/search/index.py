"""The search index: evaluates query ASTs to numpy masks, fast at 100,000 abstracts.

Corpus text is answered from the inverted indexes of `postings.py`: the rows of all
words with a prefix are one contiguous slice, so a keystroke costs one numpy scatter
however common the prefix. Phrases narrow candidates with the word-pair index and
are confirmed on the folded text of the few rows left. The user's data (status,
tags, notes, titles) belongs to few rows and changes all the time, so it is kept in
small per-row structures updated in O(1) by `set_annotation` and scanned directly.

After an import, the word index is the saved main postings plus a small delta of the
rows the imports changed since (`search/delta.py`): each lookup reads both layers
(`_word_rows`, `_pair_rows`, `_word_postings`) and answers as one full build would.
"""

from __future__ import annotations

import bisect
import math
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reader.core.models import EMPTY, Abstract, Annotation, IndexedFields, Status, tag_key
from reader.core.search import postings as post
from reader.core.search.delta import DELTA_SHARE, Delta, merged
from reader.core.search.metadata import AuthorIndex, CategoryIndex
from reader.core.search.query import (
    And,
    Author,
    CategoryPrefix,
    DateRange,
    Has,
    IdPrefix,
    MatchAll,
    Node,
    Not,
    Or,
    SourcePrefix,
    StatusIs,
    Tag,
    Term,
    parse,
    terms,
)
from reader.core.search.texts import JoinedTexts
from reader.core.store.records import column
from reader.core.text import fold, word_pattern

STATUS_CODES = {status: code for code, status in enumerate(Status)}
CACHE_SIZE = 64
"""Corpus term masks kept, so typing a word reuses the masks of its other terms."""
FORMAT = 3
"""Version of the saved index files (2: words folded with Latin letters in ASCII; 3: the
second segment of a row is the source's title when it has one, else the headline). A
delta beside the main index (`delta/`) needs no version of its own: the main index is
the same files, so the index a release before this one saved is used as it is (at a
million abstracts a rebuild takes a minute and 7 GB), and that release, finding the
main key of an older corpus beside a delta, rebuilds the index whole."""
DELTA_ROWS = "global_rows"
"""The array of a saved delta that maps its rows to the corpus's."""


def title_segments(titles: Sequence[str | None], headlines: Sequence[str]) -> list[str]:
    """Each row's second indexed segment: the source's title, else the headline (what
    `title:` searches when the user set no title; bare words search it too)."""
    return [t or h for t, h in zip(titles, headlines, strict=True)]


class _ChunkOfRows:
    """The texts and title segments of `abstracts` as the index build reads them, a
    chunk of rows at a time (`texts[lo:hi]`, then `shown[lo:hi]`): each chunk's rows
    are read once, and only its rows are held. At a million abstracts, every text read
    first made a rebuild of the index peak at 4.9 GB."""

    def __init__(self, abstracts: Sequence[Abstract]) -> None:
        self._abstracts = abstracts
        self._at: tuple[int, int] | None = None
        self._rows: Sequence[Abstract] = ()
        self.texts = _RowField(self, lambda a: a.text)
        self.shown = _RowField(self, lambda a: a.title or a.headline)

    def __len__(self) -> int:
        return len(self._abstracts)

    def rows(self, lo: int, hi: int) -> Sequence[Abstract]:
        if self._at != (lo, hi):
            self._rows, self._at = self._abstracts[lo:hi], (lo, hi)
        return self._rows


class _RowField(Sequence[str]):
    """One field of a `_ChunkOfRows`, by slices of rows."""

    def __init__(self, chunk: _ChunkOfRows, get: Callable[[Abstract], str]) -> None:
        self._chunk, self._get = chunk, get

    def __len__(self) -> int:
        return len(self._chunk)

    def __getitem__(self, at: Any) -> Any:
        if not isinstance(at, slice):
            return self._get(self._chunk.rows(at, at + 1)[0])
        lo, hi, _ = at.indices(len(self))
        return [self._get(a) for a in self._chunk.rows(lo, hi)]


def _date_number(text: str | None) -> int:
    return int(text.replace("-", "")) if text else 0


def _stamp_number(text: str) -> int:
    """`2026-11-28T19:19:00Z` -> 20261128191900 (0 when empty or odd). Digits are those
    `int` reads (`isdecimal`): a hand-edited `²` (`isdigit`) made every search fail."""
    if len(text) >= 19 and text[4] == "-" and text[10] == "T":
        stamp = text[:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]
        if stamp.isdecimal():
            return int(stamp)
    digits = "".join(c for c in text if c.isdecimal())
    return int(digits[:14]) if digits else 0


_STAMP_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
"""Where `_stamp_number` reads the digits of a stamp of the usual form."""


def _stamp_numbers(texts: Sequence[str]) -> np.ndarray:
    """`_stamp_number` of each of `texts`, at once: the stamps of the usual form
    (`2026-11-28T19:19:00Z`, as written) as one array of their first 19 characters
    (code points), any other one by `_stamp_number` itself."""
    n = len(texts)
    if not n:
        return np.zeros(0, np.int64)
    chars = np.array(texts, dtype="U19").view(np.uint32).reshape(n, 19).astype(np.int64)
    digits = chars[:, _STAMP_DIGITS] - ord("0")
    usual = (
        (chars[:, 4] == ord("-"))
        & (chars[:, 10] == ord("T"))
        & ((digits >= 0) & (digits <= 9)).all(axis=1)
    )
    numbers = (digits * 10 ** np.arange(13, -1, -1, dtype=np.int64)).sum(axis=1)
    for i in np.flatnonzero(~usual).tolist():
        numbers[i] = _stamp_number(texts[i])
    return numbers


def _file_stamps(directory: Path, extra: tuple[str, ...] = ()) -> str:
    """The identity (inode, size, mtime) of each array file of a saved index."""
    parts = []
    for name in (*post.Postings.ARRAYS, "vocab", *extra):
        st = os.stat(directory / f"{name}.npy")
        parts.append(f"{name}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
    return " ".join(parts)


def _consistent(p: post.Postings, n: int) -> bool:
    """Whether saved arrays fit together and index `n` rows: their lengths and last
    offsets, no scan. The rows in them are checked as a search reads them (`postings.checked_rows`):
    at a million abstracts they are 1.2 GB, and reading them all made every start read
    the whole index from disk."""
    words = len(p.vocab)
    return bool(
        len(p.offsets) == words + 1
        and len(p.head_offsets) == words + 1
        and len(p.pair_offsets) == len(p.pair_keys) + 1
        and int(p.offsets[-1]) == len(p.rows) == len(p.tf)
        and int(p.head_offsets[-1]) == len(p.head_rows)
        and int(p.pair_offsets[-1]) == len(p.pair_rows)
        and len(p.lengths) == n
    )


@dataclass(frozen=True)
class _Layer:
    """One layer of the word index as a search reads it: the main postings (without
    the rows a delta holds now), or a delta's (its rows mapped to the corpus's)."""

    postings: post.Postings
    n: int
    """Rows the layer's postings may name."""
    kept: np.ndarray | None = None
    """bool per row: False for rows another layer holds now."""
    to_corpus: np.ndarray | None = None
    """The corpus row of each of the layer's rows."""

    def take(self, rows: np.ndarray, tf: np.ndarray | None = None) -> tuple[np.ndarray, Any]:
        """`rows` read from the postings (and their `tf`) as corpus rows, checked."""
        rows = post.checked_rows(rows, self.n)
        if self.kept is not None:
            keep = self.kept[rows]
            rows = rows[keep]
            tf = None if tf is None else tf[keep]
        if self.to_corpus is not None:
            rows = self.to_corpus[rows]
        return rows, tf


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, np.int32)


@dataclass
class _Saved:
    """A saved index as read from disk: the main postings, their key, and the delta
    that goes with them (None when the main index is the index of the corpus)."""

    main: post.Postings
    head: str
    delta: Delta | None


class SearchIndex:
    """Row-aligned search structures over a corpus and the annotations on it.

    The word index is the main postings, plus a `Delta` when imports changed rows
    since they were built (see `search/delta.py`); every lookup reads both layers
    (`_layers`) and answers as one full build would."""

    def __init__(
        self, abstracts: Sequence[Abstract], postings: post.Postings, delta: Delta | None = None
    ) -> None:
        self._abstracts = abstracts
        self.main = postings
        """The postings of the rows the index was built for (all of them without a delta)."""
        self.delta = delta
        n = len(abstracts)
        self.n = n
        self._layers: tuple[_Layer, ...]
        if delta is None:
            self._layers = (_Layer(postings, n),)
            self.lengths = postings.lengths
        else:
            d = delta.postings
            self._layers = (
                _Layer(postings, delta.n0, kept=delta.kept),
                _Layer(d, len(delta.rows), to_corpus=delta.rows),
            )
            self.lengths = np.zeros(n, np.int32)
            self.lengths[: delta.n0] = postings.lengths
            self.lengths[delta.rows] = d.lengths
        self._merged: tuple[post.Postings, bool] | None = None
        """The postings merged with the delta, and whether with the word pairs."""
        columns = getattr(abstracts, "index_columns", None)
        if columns is not None:  # a cached corpus: its columns are arrays already
            arrays = columns()
            self.dates = arrays["dates"]
            self.has_id = arrays["has_id"]
            self.source_codes = arrays["source_codes"]
            self.sources: list[str] = abstracts.inner.cache.sources  # type: ignore[attr-defined]
        else:
            dates = column(abstracts, "date")
            self.dates = np.fromiter(map(_date_number, dates), np.int32, n)
            arxiv = column(abstracts, "arxiv_id")
            self.has_id = np.fromiter((x is not None for x in arxiv), bool, n)
            sources = column(abstracts, "source")
            names = sorted(set(sources))
            self.sources = names
            codes = {name: i for i, name in enumerate(names)}
            self.source_codes = np.fromiter(map(codes.__getitem__, sources), np.int32, n)
        self.status = np.zeros(n, np.int8)
        self.updated = np.zeros(n, np.int64)
        self.tags: dict[str, set[int]] = {}
        """Rows by tag, keyed by `tag_key(tag)` (folded), as queries look tags up."""
        self.notes: dict[int, str] = {}
        self.titles: dict[int, str] = {}
        self._row_tags: dict[int, tuple[str, ...]] = {}
        self._sorted_ids: list[tuple[str, int]] | None = None
        self._cache: OrderedDict[tuple[object, ...], np.ndarray] = OrderedDict()
        self._authors: AuthorIndex | None = None
        self._categories: CategoryIndex | None = None
        self.version = 0
        """Goes up with every `set_annotation` (discovery retrains on it)."""
        self._writing = threading.RLock()
        """Held while the user's data is written in: a `fill` reads the annotations and
        writes them under it, so a change another thread makes meanwhile (the UI's,
        while a search thread fills the index) is written after the fill, not undone
        by what the fill had read before it."""
        self._joined: dict[int, tuple[int, JoinedTexts]] = {}
        """The notes and the titles end to end (by the table's id), with the `version`
        they were joined at."""

    def __len__(self) -> int:
        return self.n

    @property
    def postings(self) -> post.Postings:
        """The postings of every row, as one full build makes them (for discovery's
        vectors): the main postings, or those merged with the delta (made once)."""
        if self.delta is None:
            return self.main
        if self._merged is None or not self._merged[1]:
            self._merged = (merged(self.main, self.delta, self.n), True)
        return self._merged[0]

    @property
    def word_postings(self) -> post.Postings:
        """`postings` as far as discovery reads them: the words of every row (their
        rows, occurrences and lengths), without merging the word-pair index of a delta
        (150M entries at a million rows) when there is one."""
        if self.delta is None:
            return self.main
        if self._merged is None:
            self._merged = (merged(self.main, self.delta, self.n, pairs=False), False)
        return self._merged[0]

    def replace_abstracts(self, abstracts: Sequence[Abstract]) -> None:
        """Read rows from `abstracts` from now on (the same records, another source)."""
        if len(abstracts) != self.n:
            raise ValueError("the abstracts must be the rows this index was built for")
        self._abstracts = abstracts

    # ---------------------------------------------------------------- building
    @classmethod
    def build(cls, abstracts: Sequence[Abstract]) -> SearchIndex:
        """Index `abstracts` (row i is abstracts[i]): the text, and the source's title
        (else the headline) as the row's title segment."""
        sizes = getattr(abstracts, "record_sizes", None)
        if sizes is not None:  # a cache's rows: read a chunk at a time, never all at once
            rows = _ChunkOfRows(abstracts)
            return cls(abstracts, post.build(rows.texts, rows.shown, sizes()))
        texts = column(abstracts, "text")
        titles = column(abstracts, "title")
        headlines = column(abstracts, "headline")
        return cls(abstracts, post.build(texts, title_segments(titles, headlines)))

    @classmethod
    def grown(
        cls,
        directory: Path,
        before: tuple[str, int],
        abstracts: Sequence[Abstract],
        changed: Sequence[int],
    ) -> SearchIndex | None:
        """The index of `abstracts` from the saved index of the corpus before an import
        (its generation key and row count, `before`) and a new delta: the postings of
        the `changed` rows (updated, appended) and of the rows the saved delta held.
        None when no index of `before` is saved, or when the delta would hold more than
        `DELTA_SHARE` of the rows: then build the index whole."""
        saved = cls._read(directory, *before)
        if saved is None:
            return None
        rows = np.asarray(changed, np.int64)
        if saved.delta is not None:
            rows = np.concatenate([saved.delta.rows, rows])
        rows = np.unique(rows).astype(np.int32)
        if len(rows) > DELTA_SHARE * len(abstracts):
            return None
        picked = [abstracts[r] for r in rows.tolist()]
        shown = title_segments([a.title for a in picked], [a.headline for a in picked])
        built = post.build([a.text for a in picked], shown)
        n0 = len(saved.main.lengths)
        return cls(abstracts, saved.main, Delta(built, rows, saved.head, n0))

    def save(self, directory: Path, key: str) -> None:
        """Write the inverted indexes as `.npy` files in `directory`, tagged `key`; with
        a delta, only the delta, in `directory/delta` (the main index is saved already).

        The folder is written beside the old one and swapped in, so a crash leaves the
        old index, the new one, or none (which only means a rebuild). Saving the main
        index replaces the whole folder, its delta with it.
        """
        if self.delta is not None:
            arrays = self.delta.postings.to_arrays() | {DELTA_ROWS: self.delta.rows}
            head = f"{self._key(key, self.n)}\n{self.delta.base}"
            _swap_in(directory / "delta", arrays, head, (DELTA_ROWS,))
            return
        _swap_in(directory, self.main.to_arrays(), self._key(key, self.n), ())

    @staticmethod
    def _key(key: str, n: int) -> str:
        return f"{FORMAT}:{key}:{n}"

    @classmethod
    def load(cls, directory: Path, key: str, abstracts: Sequence[Abstract]) -> SearchIndex | None:
        """The saved index when it was made for `key` and these abstracts, else None.

        Arrays are memory-mapped, so loading costs milliseconds at any size. The key
        file also records each array file's identity (inode, size, mtime) as saved, so
        an array copied in from another library is never used (it gave IndexError or
        silently no results), and the arrays must fit each other and the corpus. A
        delta must name the main index beside it and pass the same checks, and its
        rows must fit the corpus (`Delta.fits`); else it is rebuilt, never trusted.
        """
        saved = cls._read(directory, key, len(abstracts))
        if saved is None:
            return None
        return cls(abstracts, saved.main, saved.delta)

    @classmethod
    def _read(cls, directory: Path, key: str, n: int) -> _Saved | None:
        """The saved main index and delta of the corpus of generation `key` and `n`
        rows, when every check passes (see `load`)."""
        try:
            head, _, stamps = (directory / "key").read_text().partition("\n")
            delta: Delta | None = None
            if head != cls._key(key, n):
                delta = cls._read_delta(directory / "delta", key, n, head)
                if delta is None:
                    return None
            if stamps != _file_stamps(directory):
                return None
            postings = post.Postings.from_arrays(_arrays(directory, ()))
            if not _consistent(postings, n if delta is None else delta.n0):
                return None
        except (OSError, ValueError, KeyError, EOFError, UnicodeDecodeError):
            return None
        return _Saved(postings, head, delta)

    @classmethod
    def _read_delta(cls, directory: Path, key: str, n: int, main_head: str) -> Delta | None:
        """The saved delta in `directory` when it is the delta of generation `key` (`n`
        rows) over the main index keyed `main_head`, and fits it (raises OSError and
        the like when a file is missing or odd)."""
        head, base, stamps = (directory / "key").read_text().split("\n")
        if head != cls._key(key, n) or base != main_head:
            return None
        if stamps != _file_stamps(directory, (DELTA_ROWS,)):
            return None
        arrays = _arrays(directory, (DELTA_ROWS,))
        rows = np.asarray(arrays.pop(DELTA_ROWS), np.int32)
        postings = post.Postings.from_arrays(arrays)
        n0 = int(base.rpartition(":")[2])
        if not (_consistent(postings, len(rows)) and Delta.fits(rows, n0, n)):
            return None
        return Delta(postings, rows, base, n0)

    # ---------------------------------------------------------------- user data
    def set_annotation(self, row: int, annotation: Annotation) -> None:
        """Make row `row` searchable by its new status, tags, note and title."""
        a = annotation
        self.set_fields(row, (a.status, a.tags, a.note, a.title, a.updated))

    def set_fields(self, row: int, fields: IndexedFields) -> None:
        """`set_annotation` from what the index reads of the annotation: the stored
        form will do, undecoded (see `IndexedFields`). One change; many at once
        (the fill at open) go through `set_fields_many`, which must agree with this."""
        with self._writing:
            self._set_fields(row, fields)

    def _set_fields(self, row: int, fields: IndexedFields) -> None:
        self._set_fields_many((row,), (fields,))  # one way to put a row's user data

    def set_fields_many(self, rows: Sequence[int], fields: Sequence[IndexedFields]) -> None:
        """`set_fields(rows[i], fields[i])` for each i, at once (a row given twice takes
        its last fields): the statuses and stamps in one numpy assignment each, each
        distinct list of tags folded once, each tag's rows added in one update. Filling
        the index with 10k annotations at open was 9,672 calls of `set_fields`."""
        with self._writing:
            self._set_fields_many(rows, fields)

    def fill(self, read: Callable[[], tuple[Sequence[int], Sequence[IndexedFields]]]) -> None:
        """`set_fields_many(*read())`, with `read` (the annotations, as rows and their
        fields) called under the lock that every change of the user's data takes."""
        with self._writing:
            self._set_fields_many(*read())

    def _set_fields_many(self, rows: Sequence[int], fields: Sequence[IndexedFields]) -> None:
        latest = dict(zip(rows, fields, strict=True))
        if not latest:
            return
        self.version += 1
        items = list(latest.values())
        at = np.fromiter(latest, np.int64, len(latest))
        self.status[at] = [STATUS_CODES[f[0]] for f in items]  # type: ignore[index]
        self.updated[at] = _stamp_numbers([f[4] for f in items])
        if self._row_tags:  # a change, not a fill: the rows' old tags go first
            for row in latest:
                self._untag(row)
        keys_of: dict[tuple[str, ...], tuple[str, ...]] = {}  # the same few lists recur
        rows_by_key: dict[str, list[int]] = {}
        notes, titles = self.notes, self.titles
        for row, (_, tags, note, title, _) in zip(latest, items, strict=True):
            if tags:
                listed = tuple(tags)
                keys = keys_of.get(listed)
                if keys is None:
                    keys = keys_of[listed] = tuple(dict.fromkeys(map(tag_key, listed)))
                self._row_tags[row] = keys
                for key in keys:
                    rows_by_key.setdefault(key, []).append(row)
            if note or row in notes:
                _put(notes, row, fold(note) if note else "")
            if title or row in titles:
                _put(titles, row, fold(title) if title else "")
        for key, tagged in rows_by_key.items():
            self.tags.setdefault(key, set()).update(tagged)

    def _untag(self, row: int) -> None:
        """Take `row` out of the rows of each of its tags."""
        for tag in self._row_tags.pop(row, ()):
            rows = self.tags.get(tag)
            if rows is not None:
                rows.discard(row)
                if not rows:
                    del self.tags[tag]

    def set_annotations(self, items: Iterable[tuple[int, Annotation]]) -> None:
        """`set_annotation` for each (row, annotation), at once (`set_fields_many`)."""
        pairs = list(items)
        self.set_fields_many(
            [row for row, _ in pairs],
            [(a.status, a.tags, a.note, a.title, a.updated) for _, a in pairs],
        )

    # ---------------------------------------------------------------- searching
    def search(self, query: str | Node) -> np.ndarray:
        """Matching rows, ascending. Raises QueryError for a malformed query string."""
        node = parse(query) if isinstance(query, str) else query
        if isinstance(node, MatchAll):
            return np.arange(self.n, dtype=np.int32)
        return np.flatnonzero(self.mask(node)).astype(np.int32)

    def mask(self, node: Node) -> np.ndarray:
        """A bool array, True at the rows `node` matches."""
        n = self.n
        if isinstance(node, MatchAll):
            return np.ones(n, bool)
        if isinstance(node, And | Or):
            masks = [self.mask(child) for child in node.children]
            combine = np.logical_and if isinstance(node, And) else np.logical_or
            return combine.reduce(masks) if masks else np.ones(n, bool)
        if isinstance(node, Not):
            return ~self.mask(node.child)
        if isinstance(node, Term):
            return self._term(node)
        if isinstance(node, StatusIs):
            return self.status == STATUS_CODES[node.status]
        if isinstance(node, Tag):
            found = [r for t, rows in self.tags.items() if _tag_hit(t, node) for r in rows]
            return self._rows_mask(found)
        if isinstance(node, DateRange):
            return (self.dates > 0) & (self.dates >= node.lo) & (self.dates <= node.hi)
        if isinstance(node, SourcePrefix):
            codes = [i for i, s in enumerate(self.sources) if fold(s).startswith(node.prefix)]
            return np.isin(self.source_codes, codes)
        if isinstance(node, IdPrefix):
            return self._rows_mask(self.rows_with_id_prefix(node.prefix))
        if isinstance(node, Has):
            return self._has(node.what)
        if isinstance(node, Author):
            return self.authors.rows(node.words)
        if isinstance(node, CategoryPrefix):
            return self.categories.rows(node.prefix)
        raise TypeError(f"unknown query node {node!r}")

    def _rows_mask(self, rows: Iterable[int]) -> np.ndarray:
        mask = np.zeros(self.n, bool)
        picked = np.fromiter(rows, np.int64)
        if picked.size:
            mask[picked] = True
        return mask

    def _has(self, what: str) -> np.ndarray:
        if what == "note":
            return self._rows_mask(self.notes)
        if what == "tags":
            return self._rows_mask(self._row_tags)
        if what == "title":
            return self._rows_mask(self.titles)
        if what == "id":
            return self.has_id.copy()
        if what == "authors":
            return self.authors.has.copy()
        return self.dates > 0

    @property
    def authors(self) -> AuthorIndex:
        """The rows by author (built at the first `author:` query)."""
        if self._authors is None:
            self._authors = AuthorIndex(column(self._abstracts, "authors"))
        return self._authors

    @property
    def categories(self) -> CategoryIndex:
        """The rows by category (built at the first `cat:` query)."""
        if self._categories is None:
            self._categories = CategoryIndex(column(self._abstracts, "categories"))
        return self._categories

    def rows_with_id_prefix(self, prefix: str) -> list[int]:
        """Rows whose (folded) record id starts with `prefix`."""
        lookup = getattr(self._abstracts, "rows_with_id_prefix", None)
        if lookup is not None:  # a cached corpus keeps its ids sorted
            return lookup(prefix)  # type: ignore[no-any-return]
        if self._sorted_ids is None:
            ids = column(self._abstracts, "id")
            self._sorted_ids = sorted((fold(key), i) for i, key in enumerate(ids))
        start = bisect.bisect_left(self._sorted_ids, (prefix, -1))
        found = []
        for key, row in self._sorted_ids[start:]:
            if not key.startswith(prefix):
                break
            found.append(row)
        return found

    def _term(self, term: Term) -> np.ndarray:
        words = term.words
        if term.field == "note":
            return self._user_text(self.notes, words)
        if term.field == "title":
            titled = self._user_text(self.titles, words)
            untitled = ~self._rows_mask(self.titles)
            return titled | (self._corpus_text(words, headline=True) & untitled)
        corpus = self._corpus_text(words, headline=False)
        if term.field == "abstract":
            return corpus
        mask = corpus | self._user_text(self.notes, words) | self._user_text(self.titles, words)
        if len(words) == 1:
            hits = [r for t, rows in self.tags.items() if t.startswith(words[0]) for r in rows]
            if hits:
                mask |= self._rows_mask(hits)
        return mask

    def _user_text(self, texts: dict[int, str], words: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(self.n, bool)
        return self._rows_mask(self._joined_texts(texts).rows_matching(word_pattern(words)))

    def _joined_texts(self, texts: dict[int, str]) -> JoinedTexts:
        """`texts` (the notes or the titles) end to end, joined again after a change."""
        cached = self._joined.get(id(texts))
        if cached is None or cached[0] != self.version or cached[1].texts is not texts:
            cached = self._joined[id(texts)] = (self.version, JoinedTexts(texts))
        return cached[1]

    def _corpus_text(self, words: Sequence[str], *, headline: bool) -> np.ndarray:
        """Rows whose abstract (or headline alone) has the words; cached per term."""
        key = (tuple(words), headline)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached.copy()
        mask = self._corpus_text_uncached(words, headline)
        self._cache[key] = mask
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return mask.copy()

    def _word_rows(self, word: str, *, prefix: bool, headline: bool) -> np.ndarray:
        """Rows (with repeats) having `word` (with `prefix`, a word it starts), in the
        abstract and headline or (`headline`) the headline alone."""
        parts = []
        for layer in self._layers:
            p = layer.postings
            lo, hi = p.prefix_range(word) if prefix else p.word_range(word)
            parts.append(layer.take(p.word_rows(lo, hi, headline=headline))[0])
        return _joined(parts)

    def _pair_rows(self, first: str, second: str, *, prefix: bool) -> np.ndarray | None:
        """Rows (with repeats) where word `first` is followed by `second` (with `prefix`,
        a word it starts); None when no row has `first`."""
        parts = []
        for layer in self._layers:
            p = layer.postings
            first_lo, first_hi = p.word_range(first)
            if first_lo == first_hi:
                continue
            lo, hi = p.prefix_range(second) if prefix else p.word_range(second)
            parts.append(layer.take(p.pair_rows_of(first_lo, lo, hi))[0])
        return _joined(parts) if parts else None

    def _word_postings(self, word: str, *, prefix: bool) -> tuple[np.ndarray, np.ndarray, int]:
        """The rows and occurrences of the words `word` names (itself, or with `prefix`
        the words it starts), and how many words those are."""
        rows, tfs, words = [], [], 0
        for layer in self._layers:
            p = layer.postings
            lo, hi = p.prefix_range(word) if prefix else p.word_range(word)
            start, stop = int(p.offsets[lo]), int(p.offsets[hi])
            found, tf = layer.take(p.rows[start:stop], p.tf[start:stop])
            rows.append(found)
            tfs.append(tf)
            words += hi - lo
        return _joined(rows), _joined(tfs), words

    def _corpus_text_uncached(self, words: Sequence[str], headline: bool) -> np.ndarray:
        mask = np.zeros(self.n, bool)
        if len(words) == 1 or headline:
            for i, word in enumerate(words):
                last = i == len(words) - 1
                part = np.zeros(self.n, bool)
                part[self._word_rows(word, prefix=last, headline=headline)] = True
                mask = part if i == 0 else mask & part
            if len(words) == 1:
                return mask
        else:
            mask[:] = True
            for i in range(len(words) - 1):
                last = i + 1 == len(words) - 1
                rows = self._pair_rows(words[i], words[i + 1], prefix=last)
                if rows is None:
                    return np.zeros(self.n, bool)
                part = np.zeros(self.n, bool)
                part[rows] = True
                mask &= part
            if len(words) == 2:
                return mask
        pattern = word_pattern(words)
        for row in np.flatnonzero(mask).tolist():
            a = self._abstracts[row]
            shown = fold(a.title or a.headline)
            text = shown if headline else f"{fold(a.text)} \n {shown}"
            if not pattern.search(text):
                mask[row] = False
        return mask

    # ---------------------------------------------------------------- ordering
    def order(self, rows: np.ndarray, sort: str, words: Node | Sequence[str] = ()) -> np.ndarray:
        """`rows` in the order `sort`: source, date, status, updated or relevance (by the
        query's `words`: its `terms`, or the query itself)."""
        rows = np.asarray(rows, dtype=np.int32)
        if sort == "source" or rows.size < 2:
            return rows
        dates = self.dates[rows]
        if sort == "date":
            keys: tuple[np.ndarray, ...] = (rows, -dates)
        elif sort == "status":
            keys = (rows, -dates, self.status[rows])
        elif sort == "updated":
            keys = (rows, -self.updated[rows])
        elif sort == "relevance":
            if not isinstance(words, Sequence):
                words = terms(words)
            if not words:
                return self.order(rows, "date")
            keys = (rows, -dates, -self.scores(words)[rows])
        else:
            raise ValueError(f"unknown sort {sort!r}")
        return rows[np.lexsort(keys)]

    def scores(self, phrases: Sequence[str], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
        """BM25 over abstract and headline, plus a bonus for title, tag and note hits."""
        lengths = self.lengths
        n = max(self.n, 1)
        score = np.zeros(self.n, np.float64)
        avg = float(lengths.mean()) if self.n else 1.0
        for phrase in phrases:
            words = phrase.split(" ")
            for i, word in enumerate(words):
                rows, counts, named = self._word_postings(word, prefix=i == len(words) - 1)
                if not rows.size:
                    continue
                tf = counts.astype(np.float64)
                df = min(_distinct(rows, self.n) if named > 1 else rows.size, n)
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                norm = k1 * (1 - b + b * lengths[rows] / avg)
                weights = idf * tf * (k1 + 1) / (tf + norm)
                score += np.bincount(rows, weights=weights, minlength=self.n)
            pattern = word_pattern(words)
            for texts in (self.titles, self.notes):
                for row in self._joined_texts(texts).rows_matching(pattern):
                    score[row] += 2.0
            for tag, tagged in self.tags.items():
                if tag.startswith(phrase):
                    for row in tagged:
                        score[row] += 2.0
        return score

    def count_by_status(self, rows: np.ndarray | None = None) -> dict[Status, int]:
        """How many of `rows` (default: all) have each status."""
        codes = self.status if rows is None else self.status[np.asarray(rows, dtype=np.int64)]
        counts = np.bincount(codes, minlength=len(Status))
        return {status: int(counts[code]) for status, code in STATUS_CODES.items()}


def _arrays(directory: Path, extra: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The saved arrays in `directory`, memory-mapped."""
    return {
        name: np.load(directory / f"{name}.npy", mmap_mode="r")
        for name in (*post.Postings.ARRAYS, "vocab", *extra)
    }


def _swap_in(directory: Path, arrays: dict[str, np.ndarray], head: str,
             extra: tuple[str, ...]) -> None:  # fmt: skip
    """Write `arrays` and their key file (`head`, then the files' stamps) into a folder
    beside `directory`, and swap it in."""
    parent = directory.parent
    # named for this process, so a later start can tell a killed save's folders from a
    # live one's (`store.folder.remove_orphan_folders`)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-{os.getpid()}-", dir=parent))
    try:
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
        (tmp / "key").write_text(head + "\n" + _file_stamps(tmp, extra))
        old = parent / f".{directory.name}.old-{os.getpid()}"
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _distinct(rows: np.ndarray, n: int) -> int:
    """How many different rows `rows` holds (each below `n`): a scatter into a mask,
    linear, where `np.unique` sorted or hashed millions of postings (a one-letter
    prefix at 100k: 140 ms of each keystroke sorted by relevance, now 5)."""
    seen = np.zeros(n, bool)
    seen[rows] = True
    return int(np.count_nonzero(seen))


def _put(table: dict[int, str], row: int, text: str) -> None:
    if text:
        table[row] = text
    else:
        table.pop(row, None)


def _tag_hit(tag: str, node: Tag) -> bool:
    return tag.startswith(node.name) if node.prefix else tag == node.name


__all__ = ["EMPTY", "SearchIndex"]
