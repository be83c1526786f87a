"""Discovery benchmarks (issue 16): the time of `m` and of training "for you" on a
big library, and an offline check of the learned orders on a generated library.

The offline check: 5,000 abstracts of `TOPICS` topics, each written with a topic's own
words (300 drawn from one pool of 600 of the seeds' words, so any two topics share
about half of theirs, each used evenly) mixed with the seeds' running text (`TOPICAL`
of the words are the topic's, then half that);
one abstract in ten mixes in a second topic. The "user" reads 40 abstracts of topic 0
(4 of them, noise, from other topics) and skips 40 of topic 1; everything else is
held out. precision@20 is the share of topic 0 in the top 20 held-out abstracts of
"for you" (chance: 1/TOPICS). For a tag: 30 abstracts of topic 2 are tagged, and
precision@20 is the share of topic 2 in the top 20 of "might also be tagged".

    python benchmarks/discover.py            # the offline check alone
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from pathlib import Path

import numpy as np

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TOPICS = 10
PER_TOPIC = 500
TOPICAL = 0.3
TOPIC_WORDS = 300
POOL = 600


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timings(data: Path) -> dict[str, str]:
    """`m` (p50/p95 over 50 rows) and training "for you" on the library in `data`.

    Each figure is wall time, then the process's CPU time (numpy runs these on one
    thread, so CPU time is what the wall time would be on an idle machine; the two
    differ when other processes share the cores)."""
    from reader.core.discover import rank
    from reader.core.discover.vectors import UserData
    from reader.core.library import Library

    library = Library(data)
    discover = library.discover
    clock = Clock()
    with clock:
        vectors = discover.vectors()
    built = str(clock)
    with clock:
        vectors.block()
    block = str(clock)
    rng = np.random.default_rng(5)
    walls, cpus = [], []
    for row in rng.integers(0, len(library), 50).tolist():
        with clock:
            discover.similar(row, 20)
        walls.append(clock.wall)
        cpus.append(clock.cpu)
    n = len(library)
    status = np.zeros(n, np.int8)
    picked = rng.choice(n, min(n, 1000), replace=False)
    status[picked[: len(picked) // 2]] = rank.POSITIVE[-1]
    status[picked[len(picked) // 2 :]] = rank.SKIPPED
    thousand = UserData(-1, status, {}, {}, {})
    with clock:
        model = rank.for_you(vectors, thousand)
        rank.scores(vectors, model, vectors.block())
    trained = str(clock)
    with clock:
        mine = discover.train_for_you()
    decisions = mine.positives + mine.negatives

    def pcts(values: list[float]) -> str:
        return f"{ms(float(np.percentile(values, 50)))} / {ms(float(np.percentile(values, 95)))}"

    return {
        "discover: vectors built (once, in a worker), wall (cpu)": built,
        "discover: user block (tags, notes) built": block,
        "more like this (m), p50 / p95 wall (cpu)": f"{pcts(walls)} ({pcts(cpus)})",
        "for you: train + score every row, 1,000 decisions": trained,
        f"for you: train + score, the bench's {decisions:,} decisions": str(clock),
    }


class Clock:
    """Wall and CPU time of a `with` block."""

    wall = cpu = 0.0

    def __enter__(self) -> None:
        self._start = (time.perf_counter(), time.process_time())

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self._start[0]
        self.cpu = time.process_time() - self._start[1]

    def __str__(self) -> str:
        return f"{ms(self.wall)} ({ms(self.cpu)})"


def _vocabulary() -> tuple[list[str], list[str]]:
    """The seeds' words: (distinct words of 4+ letters, every word in order)."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    every = re.findall(r"[A-Za-z]+", text.lower())
    distinct = sorted({w for w in every if len(w) >= 4})
    return distinct, every


def write_topics(folder: Path, topical: float, seed: int = 3) -> list[int]:
    """The generated library's file in `folder`; returns each abstract's topic."""
    rng = random.Random(seed)
    distinct, background = _vocabulary()
    pool = rng.sample(distinct, POOL)  # topics draw from one pool: they share words
    lexicons = [rng.sample(pool, TOPIC_WORDS) for _ in range(TOPICS)]
    lines, topics = [], []
    for i in range(TOPICS * PER_TOPIC):
        topic = i % TOPICS
        other = rng.randrange(TOPICS) if rng.random() < 0.1 else topic
        words = []
        for _ in range(rng.randint(80, 150)):
            if rng.random() < topical:
                lexicon = lexicons[topic if rng.random() < 0.7 else other]
                words.append(rng.choice(lexicon))
            else:
                words.append(rng.choice(background))
        lines.append(f"Abstract: {' '.join(words).capitalize()}. (generated {i})")
        topics.append(topic)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.txt").write_text("\n".join(lines) + "\n")
    return topics


def offline_check() -> dict[str, str]:
    """precision@20 of "for you" and "might also be tagged" (see the module doc), with
    `TOPICAL` of the words from the topic and, harder, half as many."""
    figures = {}
    for topical in (TOPICAL, TOPICAL / 2):
        for name, value in _check(topical).items():
            figures[f"{name}, {topical:.0%} topic words"] = value
    return figures


def _check(topical: float) -> dict[str, str]:
    from reader.core.library import Library
    from reader.core.models import Status

    with tempfile.TemporaryDirectory() as tmp:
        topics = write_topics(Path(tmp) / "src", topical)
        library = Library.open(Path(tmp) / "data", seed=False)
        library.import_paths([Path(tmp) / "src"])
        ids = library.ids()
        topic_of = {ids[i]: topics[i] for i in range(len(ids))}
        rng = random.Random(9)
        by_topic = {t: [k for k in ids if topic_of[k] == t] for t in range(TOPICS)}
        noise = rng.sample([k for k in ids if topic_of[k] > 2], 4)
        read = rng.sample(by_topic[0], 36) + noise
        skipped = rng.sample(by_topic[1], 40)
        tagged = rng.sample(by_topic[2], 30)
        library.set_status(read, Status.READ)
        library.set_status(skipped, Status.SKIPPED)
        start = time.perf_counter()
        held_out = library.search("status:unread", "for-you").ids
        took = time.perf_counter() - start
        for_you = sum(topic_of[k] == 0 for k in held_out[:20]) / 20
        library.tag(tagged, add=["topic2"])  # after: a tagged abstract is "kept" for you
        suggested = library.discover.might_be_tagged("topic2", 20).rows.tolist()
        tag = sum(topics[r] == 2 for r in suggested) / 20
        library.close()
    return {
        f"for you: precision@20 on held-out (chance {1 / TOPICS:.2f}, target 0.8)": (
            f"{for_you:.2f} (trained and sorted in {took:.2f} s)"
        ),
        "might also be tagged: precision@20": f"{tag:.2f}",
    }


if __name__ == "__main__":
    for name, value in offline_check().items():
        print(f"| {name} | {value} |")
