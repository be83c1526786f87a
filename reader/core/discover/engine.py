"""`Discover`: similarity and learned orders over one search index, with what they
cost computed once (the vectors) or once per change of the user data (the models).

The app trains in a worker (`train_for_you` on a `snapshot` taken on its own thread)
and sets `background`: orders then use the last model trained, stale or not, and
never train on the caller's thread. The command line trains when it needs to.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reader.core.discover import rank
from reader.core.discover.similar import Similar, similar
from reader.core.discover.vectors import IndexView, UserData, Vectors
from reader.core.models import Abstract, tag_key


@dataclass(frozen=True)
class Ranked:
    """Rows in a learned order, and what to tell the user about the order."""

    rows: np.ndarray
    model: rank.Model | None
    """None: no model yet (the app is still training one)."""

    @property
    def note(self) -> str:
        """`12 kept · 7 skipped`, or why the order fell back to date."""
        if self.model is None:
            return "learning…; by date meanwhile"
        if not self.model.usable:
            return f"{self.model.reason}; by date"
        return f"{self.model.positives} kept · {self.model.negatives} skipped"


class Discover:
    """Similar abstracts and learned orders over `index` (row i is `abstracts[i]`)."""

    def __init__(self, index: IndexView, abstracts: Sequence[Abstract]) -> None:
        self.index = index
        self.abstracts = abstracts
        self.background = False
        """The app's mode: never train on the calling thread (see the module docstring)."""
        self._vectors: Vectors | None = None
        self._lock = threading.Lock()
        self._for_you: rank.Model | None = None
        self._for_you_scores: np.ndarray | None = None
        """The last model's score of every row (computed with it, off the UI thread)."""

    @property
    def ready(self) -> bool:
        """The vectors are built (else the first use builds them: ~1 s at 100k)."""
        return self._vectors is not None

    def vectors(self) -> Vectors:
        with self._lock:
            if self._vectors is None:
                self._vectors = Vectors(self.index, self.abstracts)
            return self._vectors

    def snapshot(self) -> UserData:
        """The user data now (take it on the thread that changes the library)."""
        return UserData.of(self.index)

    # ---------------------------------------------------------------- similar
    def similar(self, row: int, limit: int = 20, data: UserData | None = None) -> Similar:
        """The rows most like `row`, with the user data `data` (default: now)."""
        vectors = self.vectors()
        return similar(vectors, row, limit, vectors.block(data))

    # ---------------------------------------------------------------- for you
    def train_for_you(self, data: UserData | None = None) -> rank.Model:
        """Train "for you" on `data` (default: now), keep and return the model."""
        data = data or self.snapshot()
        vectors = self.vectors()
        model = rank.for_you(vectors, data)
        scores = rank.scores(vectors, model, vectors.block(data)) if model.usable else None
        with self._lock:
            if self._for_you is None or self._for_you.version <= model.version:
                self._for_you, self._for_you_scores = model, scores
        return model

    @property
    def for_you_model(self) -> rank.Model | None:
        """The last model trained (maybe on older decisions), None before the first."""
        return self._for_you

    @property
    def for_you_fresh(self) -> bool:
        model = self._for_you
        return model is not None and model.version == self.index.version

    def order_for_you(self, rows: np.ndarray) -> Ranked:
        """`rows` for you: the unread ones by the model, best first, then the others by
        date; all by date while there is no model."""
        if not self.background and not self.for_you_fresh:
            self.train_for_you()
        with self._lock:
            model, scores = self._for_you, self._for_you_scores
        rows = np.asarray(rows, dtype=np.int32)
        dates = self.index.dates[rows]
        if model is None or scores is None:
            return Ranked(rows[np.lexsort((rows, -dates))], model)
        score = scores[rows]
        unread = self.index.status[rows] == rank.UNREAD
        order = np.lexsort((rows, -dates, -score, ~unread))
        return Ranked(rows[order], model)

    # ---------------------------------------------------------------- tags
    def might_be_tagged(self, tag: str, limit: int = 100, data: UserData | None = None) -> Ranked:
        """The abstracts without `tag` most like those with it, best first (none when
        too few carry it: `Ranked.model.reason` says so); `data` as in `similar`."""
        data = data or self.snapshot()
        vectors = self.vectors()
        model = rank.tag_model(vectors, data, tag_key(tag))
        if not model.usable:
            return Ranked(np.zeros(0, np.int32), model)
        score = rank.scores(vectors, model, vectors.block(data))
        score[sorted(data.tags.get(tag_key(tag), ()))] = -np.inf
        limit = min(limit, len(score))
        top = np.argpartition(-score, limit - 1)[:limit] if limit else np.zeros(0, np.int64)
        top = top[np.isfinite(score[top])]
        top = top[np.lexsort((top, -score[top]))]
        return Ranked(top.astype(np.int32), model)
