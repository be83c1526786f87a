"""Small libraries of distinct topics, for the tests of discovery (similar, for you,
tag suggestions): each abstract mixes five words of its topic with five shared ones."""

from __future__ import annotations

import random
from pathlib import Path

from reader.core.library import Library

TOPICS = {
    "a": "protein folding enzyme molecule binding residue structure kinase membrane",
    "b": "galaxy cluster redshift telescope stellar halo dark matter quasar",
    "c": "compiler register allocation parser bytecode optimisation loop kernel",
}
SHARED = "we study results show method approach paper novel propose analysis data"


def topical_text(topic: str, rng: random.Random) -> str:
    own = TOPICS[topic].split()
    shared = SHARED.split()
    chosen = rng.sample(own, 5) + rng.sample(shared, 5)
    rng.shuffle(chosen)
    return " ".join(chosen).capitalize() + "."


def build(tmp_path: Path, per_topic: int = 12, seed: int = 3) -> tuple[Library, dict[str, str]]:
    """A library of `per_topic` abstracts per topic; returns it and {record id: topic}."""
    rng = random.Random(seed)
    lines, topics = [], []
    for i in range(per_topic * len(TOPICS)):
        topic = "abc"[i % 3]
        lines.append(f"Abstract: {topical_text(topic, rng)} (item {i})")
        topics.append(topic)
    source = tmp_path / "topics.txt"
    source.write_text("\n".join(lines) + "\n")
    library = Library.open(tmp_path / "data", seed=False)
    library.import_paths([source])
    ids = library.ids()
    return library, {ids[i]: topics[i] for i in range(len(ids))}


def of_topic(topic_of: dict[str, str], topic: str) -> list[str]:
    return [key for key, t in topic_of.items() if t == topic]
