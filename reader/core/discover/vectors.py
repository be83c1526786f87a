"""TF-IDF vectors of every abstract, read from the search index's postings.

A row's vector has two blocks, each of unit length: its corpus words (abstract and
headline, the index's postings) and, when the user wrote any, its user words (title,
note) and tags. The user block is weighted `USER_WEIGHT`, and the whole vector scaled
by 1/sqrt(1 + USER_WEIGHT^2) when it has one. A title or note word the corpus has uses
that word's coordinate (other words get their own), so a note naming a subject meets
the abstracts about it: the product of two rows is their cosine when their notes share
no word with the abstracts, and close to it otherwise.

The corpus block is kept as one float32 weight per posting (`weights`, parallel to
`postings.rows`), so the product of every row with a weight vector over words is one
`bincount` (ranking) and the product with one row's words a few slices (similarity).
Whatever goes over every posting (the weights, ranking, a model's matrix) goes
`CHUNK` postings at a time: at a million abstracts there are ~110 million postings,
and whole-array temporaries (float64 squares, per-posting idf) made the app's peak
3.8 GB; the weights themselves are 450 MB.
The user block is small (rows the user annotated) and rebuilt when the annotations
change (`IndexView.version`).
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from reader.core.models import Abstract
from reader.core.search.postings import Postings, checked_rows, clean
from reader.core.text import fold, words

USER_WEIGHT = 0.6
"""Weight of the user block (title, note, tags) against the corpus block (1)."""
TAG_WEIGHT = 1.5
"""A tag's weight in the user block, before normalising (a note word once: ~0.7 idf)."""
CHUNK = 1 << 20
"""Postings per step of the work over every posting (4 MB per float32 column): the
steps' temporaries are ~30 MB, and the app at 100k stays under 250 MB (16 MB steps: 300)."""
QUERY_TERMS = 32
"""Similarity uses a row's heaviest words only (as Lucene's MoreLikeThis does, 25):
the light ones are common words, which cost most (long posting lists) and say least."""


class IndexView(Protocol):
    """What discovery reads of the search index (`reader.core.search.index.SearchIndex`)."""

    n: int
    status: np.ndarray
    """int8 per row: the position of its status in `Status`."""
    dates: np.ndarray
    """int32 per row: YYYYMMDD, 0 when undated."""
    tags: dict[str, set[int]]
    """Rows by (folded) tag."""
    notes: dict[int, str]
    """Folded notes by row (rows without one absent)."""
    titles: dict[int, str]
    """Folded user titles by row."""
    version: int
    """Goes up whenever the user data of a row changes."""

    @property
    def word_postings(self) -> Postings:
        """The word index of every row, as one full build makes it (its vocabulary,
        offsets, rows, occurrences and lengths; the pair index may be left out)."""


@dataclass(frozen=True)
class UserData:
    """A copy of the user data of an index at one `version` (taken on the thread that
    owns the index, so a worker can use it while the user goes on triaging)."""

    version: int
    status: np.ndarray
    tags: Mapping[str, frozenset[int]]
    notes: Mapping[int, str]
    titles: Mapping[int, str]

    @classmethod
    def of(cls, index: IndexView) -> UserData:
        return cls(
            index.version,
            index.status.copy(),
            {tag: frozenset(rows) for tag, rows in index.tags.items()},
            dict(index.notes),
            dict(index.titles),
        )


@dataclass(frozen=True)
class Block:
    """Sparse user-block entries: `weights[i]` of feature `features[i]` in row `rows[i]`,
    sorted by feature (`offsets` over the features, as the postings are)."""

    rows: np.ndarray
    features: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray
    size: int
    """Number of features (corpus vocabulary, then user-only words, then tags)."""
    scale: np.ndarray
    """float32 per row: 1 / the length of the row's two-block vector."""
    tag_base: int
    """Features from here on are tags (in `tag_names` order)."""
    tag_names: tuple[str, ...]


class Vectors:
    """The TF-IDF vectors of one index (built once; the user block per version)."""

    def __init__(self, index: IndexView, abstracts: Sequence[Abstract]) -> None:
        self.index = index
        self.abstracts = abstracts
        p = index.word_postings
        n = max(index.n, 1)
        self.postings = p
        self.vocab_size = len(p.vocab)
        self.counts = np.diff(p.offsets).astype(np.int64)
        """Rows per word (document frequency)."""
        self.idf = (np.log((n + 1) / (self.counts + 1)) + 1).astype(np.float32)
        weights = np.empty(p.rows.size, np.float32)
        squares = np.zeros(index.n, np.float64)
        for lo, hi in _chunks(p.rows.size):
            rows = checked_rows(p.rows[lo:hi], index.n)
            w = np.log1p(p.tf[lo:hi].astype(np.float32))  # sublinear: log(1 + tf)
            w *= _per_posting(self.idf, p.offsets, lo, hi)
            weights[lo:hi] = w
            squares += np.bincount(rows, weights=w * w, minlength=index.n)
        norm = np.sqrt(squares).astype(np.float32)
        norm[norm == 0] = 1
        for lo, hi in _chunks(p.rows.size):
            weights[lo:hi] /= norm[p.rows[lo:hi]]
        self.weights = weights
        """float32 per posting: the row's normalised corpus weight of the word."""
        self._top_idf = float(self.idf.max()) if len(self.idf) else 1.0
        """The idf of a word the corpus does not have (as rare as can be)."""
        self._extra: dict[str, int] = {}
        """Ids (after the vocabulary) of the words only the user's notes and titles have."""
        self._row_cache: dict[int, tuple[str, tuple[list[int], list[float]]]] = {}
        """Per row: the user text last seen and its features (most never change)."""
        self._lock = threading.Lock()
        self._block: Block | None = None
        self._block_version = -1

    # ---------------------------------------------------------------- user block
    def block(self, data: UserData | None = None) -> Block:
        """The user block for `data` (default: the index's user data now)."""
        version = self.index.version if data is None else data.version
        with self._lock:
            if self._block is None or self._block_version != version:
                self._block = self._build_block(data or UserData.of(self.index))
                self._block_version = version
            return self._block

    def _build_block(self, data: UserData) -> Block:
        size = self.vocab_size
        feats: list[int] = []
        values: list[float] = []
        owners: list[int] = []
        cache = self._row_cache
        for row in sorted(set(data.notes) | set(data.titles)):
            text = f"{data.titles.get(row, '')} {data.notes.get(row, '')}"
            cached = cache.get(row)
            if cached is None or cached[0] != text:
                cached = cache[row] = (text, self._text_features(text))
            row_feats, row_values = cached[1]
            feats += row_feats
            values += row_values
            owners += [row] * len(row_feats)
        extra = self._extra
        tag_base = size + len(extra)
        names = tuple(sorted(data.tags))
        for i, tag in enumerate(names):
            tagged = data.tags[tag]
            feats += [tag_base + i] * len(tagged)
            values += [TAG_WEIGHT] * len(tagged)
            owners += tagged
        entry_rows = np.array(owners, dtype=np.int64)
        features = np.array(feats, dtype=np.int64)
        weights = np.array(values, dtype=np.float64)
        n = self.index.n
        norm = np.sqrt(np.bincount(entry_rows, weights=weights * weights, minlength=n))
        has = norm > 0
        norm[~has] = 1
        weights = weights / norm[entry_rows] * USER_WEIGHT
        scale = (1 / np.sqrt(1 + has * USER_WEIGHT**2)).astype(np.float32)
        total = tag_base + len(names)
        order = np.argsort(features, kind="stable")
        offsets = np.zeros(total + 1, np.int64)
        np.cumsum(np.bincount(features, minlength=total), out=offsets[1:])
        return Block(
            entry_rows[order].astype(np.int32),
            features[order],
            weights[order].astype(np.float32),
            offsets,
            total,
            scale,
            tag_base,
            names,
        )

    def _text_features(self, text: str) -> tuple[list[int], list[float]]:
        """The features and TF-IDF weights of a user's (folded) title and note: corpus
        words by their id, other words by ids after the vocabulary (kept for good)."""
        vocab = self.postings.vocab
        size = self.vocab_size
        counts: dict[int, int] = {}
        for word in words(clean(text)):
            feature = _word_id(vocab, word)
            if feature < 0:
                feature = size + self._extra.setdefault(word, len(self._extra))
            counts[feature] = counts.get(feature, 0) + 1
        idf = self.idf
        top = self._top_idf
        return list(counts), [
            math.log1p(c) * (float(idf[f]) if f < size else top) for f, c in counts.items()
        ]

    # ---------------------------------------------------------------- one row
    def row_vector(self, row: int, block: Block) -> tuple[np.ndarray, np.ndarray]:
        """The features and weights of `row` (both blocks, before `scale`)."""
        p = self.postings
        abstract = self.abstracts[row]
        abstract_words = words(clean(fold(abstract.text))) + words(clean(fold(abstract.headline)))
        ids = [i for i in (_word_id(p.vocab, w) for w in abstract_words) if i >= 0]
        features = np.unique(np.array(ids, dtype=np.int64))
        starts, stops = p.offsets[features], p.offsets[features + 1]
        found = []
        for feature, start, stop in zip(
            features.tolist(), starts.tolist(), stops.tolist(), strict=True
        ):
            at = start + int(np.searchsorted(p.rows[start:stop], row))
            if at < stop and p.rows[at] == row:
                found.append((feature, at))
        corpus_features = np.array([f for f, _ in found], dtype=np.int64)
        corpus_weights = self.weights[np.array([a for _, a in found], dtype=np.int64)]
        mine = block.rows == row
        return (
            np.concatenate([corpus_features, block.features[mine]]),
            np.concatenate([corpus_weights, block.weights[mine]]),
        )

    def dot_all(self, features: np.ndarray, weights: np.ndarray, block: Block) -> np.ndarray:
        """The product of every row with a sparse vector (features, weights), scaled."""
        p = self.postings
        n = self.index.n
        corpus = features < self.vocab_size
        score = np.zeros(n, np.float64)
        for source_rows, source_weights, offsets, feats, w in (
            (p.rows, self.weights, p.offsets, features[corpus], weights[corpus]),
            (block.rows, block.weights, block.offsets, features, weights),
        ):
            if not len(feats):
                continue
            starts, stops = offsets[feats], offsets[feats + 1]
            lengths = stops - starts
            if not lengths.sum():
                continue
            at = _ranges(starts, lengths)
            score += np.bincount(
                source_rows[at], weights=source_weights[at] * np.repeat(w, lengths), minlength=n
            )
        return score * block.scale

    def dot_dense(self, weights: np.ndarray, block: Block) -> np.ndarray:
        """The product of every row with a dense weight vector over `block.size` features."""
        p = self.postings
        n = self.index.n
        corpus = weights[: self.vocab_size].astype(np.float32)
        score = np.zeros(n, np.float64)
        for lo, hi in _chunks(p.rows.size):
            per_posting = _per_posting(corpus, p.offsets, lo, hi)
            per_posting *= self.weights[lo:hi]
            score += np.bincount(p.rows[lo:hi], weights=per_posting, minlength=n)
        if len(block.rows):
            score += np.bincount(
                block.rows, weights=block.weights * weights[block.features], minlength=n
            )
        return score * block.scale

    def matrix(self, rows: np.ndarray, block: Block) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The vectors of `rows` as (entry row position in `rows`, feature, weight),
        scaled: the training matrix of a model."""
        p = self.postings
        n = self.index.n
        position = np.full(n, -1, np.int64)
        position[rows] = np.arange(len(rows))
        chosen = position >= 0
        at = np.concatenate(
            [np.flatnonzero(chosen[p.rows[lo:hi]]) + lo for lo, hi in _chunks(p.rows.size)]
            or [np.zeros(0, np.int64)]
        )
        words_at = np.searchsorted(p.offsets, at, side="right") - 1
        mine = np.flatnonzero(chosen[block.rows])
        entry_rows = np.concatenate([p.rows[at], block.rows[mine]])
        features = np.concatenate([words_at, block.features[mine]])
        weights = np.concatenate([self.weights[at], block.weights[mine]])
        weights = weights * block.scale[entry_rows]
        return position[entry_rows], features, weights


def _chunks(total: int, size: int | None = None) -> list[tuple[int, int]]:
    """[lo, hi) bounds cutting `total` postings into steps of `size` (`CHUNK`)."""
    step = size or CHUNK
    return [(lo, min(lo + step, total)) for lo in range(0, total, step)]


def _per_posting(values: np.ndarray, offsets: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """`values` (one per word) repeated over postings lo..hi-1 (word w's postings are
    offsets[w]..offsets[w + 1]): `np.repeat(values, counts)[lo:hi]` without the rest."""
    first = int(np.searchsorted(offsets, lo, side="right")) - 1
    last = int(np.searchsorted(offsets, hi - 1, side="right")) - 1
    bounds = np.clip(offsets[first : last + 2], lo, hi)
    return np.repeat(values[first : last + 1], np.diff(bounds))


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenation of `range(start, start + length)` for each pair, vectorised."""
    total = int(lengths.sum())
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    steps = np.ones(total, np.int64)
    ends = np.cumsum(lengths)
    steps[0] = starts[0]
    steps[ends[:-1]] = starts[1:] - (starts[:-1] + lengths[:-1]) + 1
    return np.cumsum(steps)


def _word_id(vocab: Sequence[str], word: str) -> int:
    """The vocabulary id of `word`, -1 when the corpus does not have it."""
    at = bisect.bisect_left(vocab, word)
    return at if at < len(vocab) and vocab[at] == word else -1
