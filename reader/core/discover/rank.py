"""Orders learned from the user's own triage: "for you" and "might also be tagged T".

A model is an L2-regularised logistic regression over the TF-IDF vectors (`vectors`:
corpus words, the user's title and note words; never the tags, which a tag model would
learn by heart), trained with Nesterov's accelerated gradient in numpy. The classes are
weighted to count equally, so 20 reads against 500 skips still learn both.

For you: positive are the abstracts read, being read, to read, tagged or with a note;
negative the skipped ones (a skipped abstract is negative even when tagged). With fewer
than `MIN_EACH` of either there is no model, and the order falls back to date.

A tag T: positive are the abstracts tagged T; negative those the user decided on (any
status but unread) without T, and a fixed sample of the others (most untagged
abstracts are not T, and unlabelled ones are all there is in a fresh library).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reader.core.discover.vectors import Block, UserData, Vectors
from reader.core.models import Status

MIN_EACH = 5
"""Decisions of each kind needed before a model is trained."""
POSITIVE = [list(Status).index(s) for s in (Status.TO_READ, Status.READING, Status.READ)]
SKIPPED = list(Status).index(Status.SKIPPED)
UNREAD = list(Status).index(Status.UNREAD)
STEPS = 100
"""Gradient steps (accelerated, on a smooth loss: enough to rank well)."""
SAMPLE = 2000
"""At most this many rows of each class are trained on (a fixed sample): the time to
train stays under a second however much the user triaged."""
L2 = 1e-3
UNLABELLED = 4
"""Tag models: untagged abstracts sampled as negatives, per positive (at least 200)."""


@dataclass(frozen=True)
class Model:
    """A trained linear model, or why there is none (`reason`)."""

    version: int
    """The user data it was trained on (`UserData.version`)."""
    positives: int
    negatives: int
    weights: np.ndarray | None = None
    """Dense over the corpus vocabulary (None: no model)."""
    bias: float = 0.0
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.weights is not None


def decisions(data: UserData) -> tuple[np.ndarray, np.ndarray]:
    """The positive and negative rows of "for you" (see the module docstring)."""
    status = data.status
    positive = np.isin(status, POSITIVE)
    for rows in data.tags.values():
        positive[list(rows)] = True
    positive[list(data.notes)] = True
    negative = status == SKIPPED
    positive &= ~negative
    return np.flatnonzero(positive), np.flatnonzero(negative)


def for_you(vectors: Vectors, data: UserData) -> Model:
    """The model of the user's decisions (or why there is none)."""
    pos, neg = decisions(data)
    if len(pos) < MIN_EACH or len(neg) < MIN_EACH:
        return Model(
            data.version,
            len(pos),
            len(neg),
            reason=f"needs {MIN_EACH} kept and {MIN_EACH} skipped, has {len(pos)} and {len(neg)}",
        )
    return _train(vectors, vectors.block(data), pos, neg, data.version)


def tag_model(vectors: Vectors, data: UserData, tag: str) -> Model:
    """The model of the abstracts tagged `tag` (folded, as `IndexView.tags` keys it)."""
    tagged = np.array(sorted(data.tags.get(tag, ())), dtype=np.int64)
    if len(tagged) < MIN_EACH:
        return Model(
            data.version,
            len(tagged),
            0,
            reason=f"needs {MIN_EACH} abstracts tagged #{tag} (has {len(tagged)})",
        )
    others = np.ones(len(data.status), bool)
    others[tagged] = False
    decided = np.flatnonzero(others & (data.status != UNREAD))
    rest = np.flatnonzero(others & (data.status == UNREAD))
    want = min(len(rest), max(200, UNLABELLED * len(tagged)))
    sample = np.random.default_rng(0).choice(rest, size=want, replace=False) if want else rest[:0]
    negative = np.union1d(decided, sample)
    if len(negative) < MIN_EACH:
        return Model(
            data.version,
            len(tagged),
            len(negative),
            reason=f"needs {MIN_EACH} abstracts without #{tag}",
        )
    return _train(vectors, vectors.block(data), tagged, negative, data.version)


def scores(vectors: Vectors, model: Model, block: Block) -> np.ndarray:
    """The model's score of every row (higher: more likely positive)."""
    assert model.weights is not None
    weights = np.zeros(block.size, np.float64)
    weights[: len(model.weights)] = model.weights  # user-only words and tags weigh 0
    return vectors.dot_dense(weights, block) + model.bias


def _train(vectors: Vectors, block: Block, pos: np.ndarray, neg: np.ndarray, version: int) -> Model:
    counts = len(pos), len(neg)
    rng = np.random.default_rng(0)
    pos, neg = (
        np.sort(rng.choice(rows, SAMPLE, replace=False)) if len(rows) > SAMPLE else rows
        for rows in (pos, neg)
    )
    rows = np.concatenate([pos, neg])
    labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    sample = np.where(labels == 1, len(rows) / (2 * len(pos)), len(rows) / (2 * len(neg)))
    sample /= len(rows)
    entry, features, values = vectors.matrix(rows, block)
    keep = features < vectors.vocab_size  # corpus words: never tags (see the docstring),
    # nor words only notes have, whose ids change as notes do
    entry, features, values = entry[keep], features[keep], values[keep]
    used, local = np.unique(features, return_inverse=True)
    m, size = len(rows), len(used)

    def gradient(w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
        z = np.bincount(entry, weights=values * w[local], minlength=m) + b
        error = (1 / (1 + np.exp(-z)) - labels) * sample
        grad = np.bincount(local, weights=values * error[entry], minlength=size) + L2 * w
        return grad, float(error.sum())

    step = 1 / (0.5 + L2)  # rows have length <= 1: the loss's curvature is <= 1/4 (+1/4, b)
    w = np.zeros(size)
    b = 0.0
    prev_w, prev_b = w, b
    for k in range(1, STEPS + 1):
        momentum = (k - 1) / (k + 2)
        look_w = w + momentum * (w - prev_w)
        look_b = b + momentum * (b - prev_b)
        grad_w, grad_b = gradient(look_w, look_b)
        prev_w, prev_b = w, b
        w = look_w - step * grad_w
        b = look_b - step * grad_b
    dense = np.zeros(vectors.vocab_size)
    dense[used] = w
    return Model(version, *counts, dense, b)
