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


def merged(main: post.Postings, delta: Delta, n: int) -> post.Postings:
    """The postings a full build of the `n` rows makes, from the main and the delta
    (the main's words that only rows the delta holds now had are dropped).

    Both layers are sorted by (word, row), and the combined vocabulary keeps each
    layer's word order, so each layer's entries (the main's without its stale rows)
    stay sorted under the combined keys: they are merged by a binary search of one
    into the other, not sorted again."""
    d = delta.postings
    vocab = sorted(set(main.vocab) | set(d.vocab))
    size = len(vocab)
    ids = {word: i for i, word in enumerate(vocab)}
    main_rank = np.fromiter((ids[w] for w in main.vocab), np.int64, len(main.vocab))
    delta_rank = np.fromiter((ids[w] for w in d.vocab), np.int64, len(d.vocab))
    kept, to_global = delta.kept, delta.rows.astype(np.int64)

    def layers(offsets: str, rows: str, keys_main: np.ndarray, keys_delta: np.ndarray,
               tf: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:  # fmt: skip
        """(key, row, tf) of every entry of both layers, sorted by key then row."""
        m_rows = np.asarray(getattr(main, rows), np.int64)
        m_keys = np.repeat(keys_main, np.diff(getattr(main, offsets)))
        keep = kept[m_rows]
        m_keys, m_rows = m_keys[keep], m_rows[keep]
        d_keys = np.repeat(keys_delta, np.diff(getattr(d, offsets)))
        d_rows = to_global[np.asarray(getattr(d, rows), np.int64)]
        at = _merge_points(m_keys, m_rows, d_keys, d_rows, n)
        keys = np.insert(m_keys, at, d_keys)
        out_rows = np.insert(m_rows, at, d_rows).astype(np.int32)
        counts = None
        if tf:
            counts = np.insert(np.asarray(main.tf)[keep], at, d.tf).astype(np.uint8)
        return keys, out_rows, counts

    word_keys, rows, tf = layers("offsets", "rows", main_rank, delta_rank, tf=True)
    used = np.bincount(word_keys, minlength=size) > 0
    if not used.all():  # words only the delta's rows had, before they were updated
        vocab = [w for w, u in zip(vocab, used.tolist(), strict=True) if u]
        size = len(vocab)
        new_id = np.cumsum(used) - 1
        main_rank, delta_rank, word_keys = new_id[main_rank], new_id[delta_rank], new_id[word_keys]
    head_keys, head_rows, _ = layers("head_offsets", "head_rows", main_rank, delta_rank, False)
    main_pairs = np.asarray(main.pair_keys, np.int64)
    delta_pairs = np.asarray(d.pair_keys, np.int64)
    pair_main = (
        main_rank[main_pairs // max(len(main.vocab), 1)] * size
        + main_rank[main_pairs % max(len(main.vocab), 1)]
    )
    pair_delta = (
        delta_rank[delta_pairs // max(len(d.vocab), 1)] * size
        + delta_rank[delta_pairs % max(len(d.vocab), 1)]
    )
    pair_entry_keys, pair_rows, _ = layers("pair_offsets", "pair_rows", pair_main, pair_delta,
                                           False)  # fmt: skip
    pair_firsts = np.flatnonzero(np.diff(pair_entry_keys, prepend=-1) != 0)
    pair_keys = pair_entry_keys[pair_firsts]
    lengths = np.zeros(n, np.int32)
    lengths[: delta.n0] = main.lengths
    lengths[delta.rows] = d.lengths
    return post.Postings(
        vocab=vocab,
        offsets=_offsets(word_keys, size),
        rows=rows,
        tf=tf if tf is not None else np.zeros(0, np.uint8),
        head_offsets=_offsets(head_keys, size),
        head_rows=head_rows,
        pair_keys=pair_keys,
        pair_offsets=np.append(pair_firsts, len(pair_rows)).astype(np.int64),
        pair_rows=pair_rows,
        lengths=lengths,
    )


def _merge_points(
    m_keys: np.ndarray, m_rows: np.ndarray, d_keys: np.ndarray, d_rows: np.ndarray, n: int
) -> np.ndarray:
    """Where each delta entry goes among the main entries, both sorted by (key, row)."""
    top = int(max(m_keys.max(initial=0), d_keys.max(initial=0))) + 1
    if top >= (1 << 62) // max(n, 1):  # key * n + row would overflow: rank the keys
        _, ranks = np.unique(np.concatenate([m_keys, d_keys]), return_inverse=True)
        m_keys, d_keys = ranks[: len(m_keys)], ranks[len(m_keys) :]
    return np.searchsorted(m_keys * n + m_rows, d_keys * n + d_rows)


def _offsets(keys: np.ndarray, size: int) -> np.ndarray:
    """CSR offsets (len size+1) of entries sorted by `keys` in [0, size)."""
    full = np.zeros(size + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=size), out=full[1:])
    return full
