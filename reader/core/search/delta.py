"""The delta index: the postings of the rows an import changed since the main index.

Rebuilding the word index of a 100,000-abstract library costs seconds, so adding 50
abstracts must not. The saved main index stays the index of the rows it was built for
(`n0` of them, under the generation it was saved with); a small delta holds the
postings of every row changed since: the rows appended after `n0` and the rows below
`n0` an import updated. A search reads both layers: the main one without the rows the
delta holds now (`Delta.kept`), and the delta's local rows mapped to the corpus's
(`Delta.rows`). Every query answers as a full rebuild would (see `SearchIndex`), and
`merged` makes the one `Postings` a full rebuild makes, for discovery's vectors.

The delta is rebuilt whole at each import (its old rows and the new ones), so its
cost grows with it; past `DELTA_SHARE` of the rows the store rebuilds the main index
instead (see `SearchIndex.grown`).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from reader.core.search import postings as post

DELTA_SHARE = 0.05
"""Past this share of the rows in the delta, an import rebuilds the main index. Each
import rebuilds the delta (up to this share of a full build, ~0.3 s at 100k) and each
search term reads one more layer; a full rebuild every `DELTA_SHARE * n` added rows
keeps the cost of an added row to ~1 / DELTA_SHARE rows of indexing."""


@dataclass
class Delta:
    """The postings of the rows changed since the main index (see the module docstring)."""

    postings: post.Postings
    """Over local rows 0..m-1."""
    rows: np.ndarray
    """int32, ascending: the corpus row of each local row."""
    base: str
    """The key (`FORMAT:generation:n0`) of the main index this delta goes with."""
    n0: int
    """Rows of the main index: every row from here on is in the delta."""
    kept: np.ndarray = field(init=False)
    """bool per main row: False where the delta holds the row now."""

    def __post_init__(self) -> None:
        self.kept = np.ones(self.n0, bool)
        self.kept[self.rows[self.rows < self.n0]] = False

    @staticmethod
    def fits(rows: np.ndarray, n0: int, n: int) -> bool:
        """Whether `rows` can be the rows of a delta over `n0` main rows in a corpus of
        `n`: ascending, within the corpus, and holding every row from `n0` on (the
        checks of a saved delta, with `index._consistent`)."""
        return bool(
            rows.ndim == 1
            and 0 <= n0 <= n
            and (rows.size < 2 or bool(np.all(rows[1:] > rows[:-1])))
            and (rows.size == 0 or (int(rows[0]) >= 0 and int(rows[-1]) < n))
            and int(np.count_nonzero(rows >= n0)) == n - n0
        )


_CHUNK = 1 << 22
"""Entries of the main postings merged at a time (bounds the temporary memory)."""


def merged(main: post.Postings, delta: Delta, n: int, *, pairs: bool = True) -> post.Postings:
    """The postings a full build of the `n` rows makes, from the main and the delta
    (the main's words that only rows the delta holds now had are dropped). Without
    `pairs`, the word-pair index is left empty: discovery reads the words alone, and
    at a million rows the pairs are 150M more entries to merge.

    Both layers are sorted by (word, row), and the combined vocabulary keeps each
    layer's word order, so each layer's entries (the main's without its stale rows)
    stay sorted under the combined keys: they are merged a few million entries at a
    time by a binary search of one into the other, not sorted again."""
    d = delta.postings
    main_rank, delta_rank, new_words, new_rank = _ranks(main.vocab, d.vocab)
    layers = _Layers(main, d, delta.kept, delta.rows.astype(np.int64), n)
    words, offsets, rows, tf = layers.merge("offsets", "rows", main_rank, delta_rank, tf=True)
    vocab = _vocab(main.vocab, main_rank, new_words, new_rank, words)
    if len(words) < len(main_rank) + len(new_words):  # words only stale rows had: dropped
        main_rank = np.searchsorted(words, main_rank)
        delta_rank = np.searchsorted(words, delta_rank)
    size = len(vocab)
    heads, head_offsets, head_rows, _ = layers.merge(
        "head_offsets", "head_rows", main_rank, delta_rank
    )
    head_counts = np.zeros(size, np.int64)
    head_counts[heads] = np.diff(head_offsets)
    pair_keys, pair_offsets = np.zeros(0, np.int64), np.zeros(1, np.int64)
    pair_rows = np.zeros(0, np.int32)
    if pairs:
        pair_keys, pair_offsets, pair_rows, _ = layers.merge(
            "pair_offsets",
            "pair_rows",
            _pair_keys(main.pair_keys, len(main.vocab), main_rank, size),
            _pair_keys(d.pair_keys, len(d.vocab), delta_rank, size),
        )
    lengths = np.zeros(n, np.int32)
    lengths[: delta.n0] = main.lengths
    lengths[delta.rows] = d.lengths
    return post.Postings(
        vocab=vocab,
        offsets=offsets,
        rows=rows,
        tf=tf,
        head_offsets=np.append(0, np.cumsum(head_counts)),
        head_rows=head_rows,
        pair_keys=pair_keys,
        pair_offsets=pair_offsets,
        pair_rows=pair_rows,
        lengths=lengths,
    )


def _ranks(
    main: Sequence[str], delta: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """The rank of each word of the two sorted vocabularies in their sorted union, and
    the delta's words the main one lacks (in order) with their ranks. A binary search of the main
    vocabulary for each delta word: the main one (a million words) is never read whole."""
    words = list(delta)
    at = [bisect.bisect_left(main, w) for w in words]
    found = np.array([a < len(main) and main[a] == w for a, w in zip(at, words, strict=True)],
                     bool)  # fmt: skip
    at_array = np.array(at, np.int64)
    new_at = at_array[~found] if words else np.zeros(0, np.int64)
    main_rank = np.arange(len(main), dtype=np.int64)
    main_rank += np.searchsorted(new_at, main_rank, side="right")  # new words before each
    new_rank = new_at + np.arange(len(new_at))
    delta_rank = np.empty(len(words), np.int64)
    if words:
        delta_rank[found] = main_rank[at_array[found]]
        delta_rank[~found] = new_rank
    new = [w for w, f in zip(words, found.tolist(), strict=True) if not f]
    return main_rank, delta_rank, new, new_rank


def _vocab(
    main: Sequence[str], main_rank: np.ndarray, new: list[str], new_rank: np.ndarray,
    kept: np.ndarray,
) -> post.Vocab:  # fmt: skip
    """The words of ranks `kept` of the sorted union of the main vocabulary (ranks
    `main_rank`) and the `new` words (ranks `new_rank`), as a `Vocab`: one blob
    gathered from the main one's bytes, never a million strings."""
    blob = main._blob if isinstance(main, post.Vocab) else None  # noqa: SLF001  (its bytes)
    if blob is None:
        blob = np.frombuffer("\n".join(main).encode(), np.uint8)
    source = np.concatenate([
        np.asarray(blob, np.uint8),
        np.array([10] if len(main) else [], np.uint8),
        np.frombuffer("".join(w + "\n" for w in new).encode(), np.uint8),
    ])  # fmt: skip
    ends = np.flatnonzero(source == 10)  # each word's newline: the main's, then the new ones'
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    word_of = np.empty(len(main) + len(new), np.int64)  # the word, in `source`, of each rank
    word_of[main_rank] = np.arange(len(main))
    word_of[new_rank] = len(main) + np.arange(len(new))
    chosen = word_of[kept]
    lengths = ends[chosen] - starts[chosen] + 1  # with its newline
    before = np.cumsum(lengths) - lengths
    gather = np.repeat(starts[chosen] - before, lengths) + np.arange(int(lengths.sum()))
    return post.Vocab(source[gather][:-1])


def _pair_keys(keys: np.ndarray, size: int, rank: np.ndarray, new_size: int) -> np.ndarray:
    """Pair keys `a * size + b` of one layer as `rank[a] * new_size + rank[b]`."""
    keys = np.asarray(keys, np.int64)
    size = max(size, 1)
    return rank[keys // size] * new_size + rank[keys % size]


@dataclass
class _Layers:
    """The main postings (without the rows the delta holds now) and the delta's (rows
    mapped to the corpus's), merged one CSR index at a time."""

    main: post.Postings
    delta: post.Postings
    kept: np.ndarray
    to_corpus: np.ndarray
    n: int

    def merge(
        self, offsets: str, rows: str, main_keys: np.ndarray, delta_keys: np.ndarray,
        *, tf: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """The distinct keys, offsets, rows (int32) and tf (uint8, empty unless `tf`) of
        the index `offsets`/`rows` of both layers, whose groups have the (ascending)
        combined keys `main_keys` and `delta_keys`."""
        m_off = np.asarray(getattr(self.main, offsets), np.int64)
        d_off = np.asarray(getattr(self.delta, offsets), np.int64)
        m_rows, d_rows = getattr(self.main, rows), getattr(self.delta, rows)
        m_tf, d_tf = (self.main.tf, self.delta.tf) if tf else (None, None)
        total = int(m_off[-1]) + int(d_off[-1])
        out_rows = np.empty(total, np.int32)
        out_tf = np.empty(total if tf else 0, np.uint8)
        keys: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        groups = len(main_keys)
        every = np.arange(0, int(m_off[-1]), _CHUNK)  # a group starting near each
        starts = np.unique(np.searchsorted(m_off, every, "right") - 1).tolist()
        at, start, d_start = 0, 0, 0
        for stop in [*(c for c in starts if 0 < c < groups), groups]:
            last = stop == groups
            d_stop = len(delta_keys) if last else int(np.searchsorted(delta_keys, main_keys[stop]))
            m_lo, m_hi = int(m_off[start]), int(m_off[stop])
            mk = np.repeat(main_keys[start:stop], np.diff(m_off[start : stop + 1]))
            mr = post.checked_rows(np.asarray(m_rows[m_lo:m_hi], np.int64), len(self.kept))
            keep = self.kept[mr]
            mk, mr = mk[keep], mr[keep]
            d_lo, d_hi = int(d_off[d_start]), int(d_off[d_stop])
            dk = np.repeat(delta_keys[d_start:d_stop], np.diff(d_off[d_start : d_stop + 1]))
            local = np.asarray(d_rows[d_lo:d_hi], np.int64)
            dr = self.to_corpus[post.checked_rows(local, len(self.to_corpus))]
            points = _merge_points(mk, mr, dk, dr, self.n)
            chunk_keys = np.insert(mk, points, dk)
            size = len(chunk_keys)
            out_rows[at : at + size] = np.insert(mr, points, dr)
            if m_tf is not None and d_tf is not None:
                out_tf[at : at + size] = np.insert(np.asarray(m_tf[m_lo:m_hi])[keep], points,
                                                   d_tf[d_lo:d_hi])  # fmt: skip
            if size:
                firsts = np.flatnonzero(np.diff(chunk_keys, prepend=chunk_keys[0] - 1))
                keys.append(chunk_keys[firsts])
                counts.append(np.diff(np.append(firsts, size)))
            at, start, d_start = at + size, stop, d_stop
        distinct = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        sizes = np.concatenate(counts) if counts else np.zeros(0, np.int64)
        return distinct, np.append(0, np.cumsum(sizes)), out_rows[:at], out_tf[: at if tf else 0]


def _merge_points(
    m_keys: np.ndarray, m_rows: np.ndarray, d_keys: np.ndarray, d_rows: np.ndarray, n: int
) -> np.ndarray:
    """Where each delta entry goes among the main entries, both sorted by (key, row)."""
    if not len(d_keys):
        return np.zeros(0, np.int64)
    low = int(min(m_keys.min(initial=d_keys[0]), d_keys[0]))
    top = int(max(m_keys.max(initial=0), d_keys.max(initial=0))) - low + 1
    m_keys, d_keys = m_keys - low, d_keys - low
    if top >= (1 << 62) // max(n, 1):  # key * n + row would overflow: rank the keys
        _, ranks = np.unique(np.concatenate([m_keys, d_keys]), return_inverse=True)
        m_keys, d_keys = ranks[: len(m_keys)], ranks[len(m_keys) :]
    return np.searchsorted(m_keys * n + m_rows, d_keys * n + d_rows)
