"""More like this: the abstracts nearest to one, by the cosine of their TF-IDF vectors
(abstract, headline, the user's title, note and tags; see `vectors`), over the
`QUERY_TERMS` heaviest features of the one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reader.core.discover.vectors import QUERY_TERMS, Block, Vectors


@dataclass(frozen=True)
class Similar:
    """The rows most like `row`, most similar first (never `row` itself), and their
    cosines (all above 0)."""

    row: int
    rows: np.ndarray
    scores: np.ndarray


def similar(vectors: Vectors, row: int, limit: int, block: Block | None = None) -> Similar:
    """The at most `limit` rows most similar to `row` (those sharing a word or a tag)."""
    block = block if block is not None else vectors.block()
    features, weights = vectors.row_vector(row, block)
    if len(features) > QUERY_TERMS:
        heaviest = np.argpartition(-weights, QUERY_TERMS - 1)[:QUERY_TERMS]
        features, weights = features[heaviest], weights[heaviest]
    score = vectors.dot_all(features, weights, block) * float(block.scale[row])
    score[row] = 0
    limit = max(0, min(limit, len(score) - 1))
    if limit == 0:
        return Similar(row, np.zeros(0, np.int32), np.zeros(0))
    top = np.argpartition(-score, limit - 1)[:limit]
    top = top[np.lexsort((top, -score[top]))]  # best first; ties by row
    top = top[score[top] > 0]
    return Similar(row, top.astype(np.int32), score[top])
