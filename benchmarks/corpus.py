"""Reproducible synthetic libraries for benchmarks: N abstracts made from the seeds.

Sentences are drawn (fixed random seed) from the 49 seed abstracts and written back in
both seed formats: blocks with arXiv ids, dates and comment lines, and `Abstract:`
lines without them, with some LaTeX mixed in. `annotate` gives a library a realistic
set of user data: tags, statuses and notes on 10,000 records.

    python benchmarks/corpus.py 10000 /tmp/corpus10k     # writes the files
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PER_FILE = 1000
LATEX = [r"$\alpha$", r"\emph{robust}", r"$O(n \log n)$", r"\textit{in situ}", r"$x^2$"]
COMMENTS = ["7 pages, 6 figures", "Accepted at NeurIPS 2023", "12 pages; code available"]
TAGS = ["rl", "nlp", "theory", "later", "survey", "vision", "safety", "agents"]


def seed_sentences() -> list[str]:
    """Every sentence of the seed abstracts (a crude split is fine for synthesis)."""
    text = " ".join(
        line.removeprefix("Abstract:")
        for path in sorted(SEEDS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line) > 200
    )
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if len(s) > 30]


def write_corpus(n: int, folder: Path, seed: int = 7) -> list[Path]:
    """Write `n` abstracts into `folder` in files of PER_FILE; return the files."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for start in range(0, n, PER_FILE):
        lines: list[str] = []
        block_format = (start // PER_FILE) % 2 == 0
        for i in range(start, min(n, start + PER_FILE)):
            body = " ".join(rng.sample(sentences, rng.randint(4, 8)))
            if rng.random() < 0.2:
                body = body.replace(" the ", f" the {rng.choice(LATEX)} ", 1)
            body = f"{body} (ref {i})"  # every text unique, so every id is too
            if block_format:
                year, month, day = 2015 + i % 10, 1 + i % 12, 1 + i % 28
                lines.append(body)
                if rng.random() < 0.4:
                    lines.append(rng.choice(COMMENTS))
                lines.append(f"arXiv:{year % 100:02d}{month:02d}.{i:05d}")
                lines.append(f"Created: {year}-{month:02d}-{day:02d}")
                lines.append("")
            else:
                lines.append(f"Abstract:{body}")
        path = folder / f"synth_{start // PER_FILE:04d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    return files


def annotations(ids: list[str], count: int = 10_000, seed: int = 11) -> dict:
    """User data for `count` of `ids`: tags, statuses and short Markdown notes."""
    from reader.core.models import Annotation, Status

    rng = random.Random(seed)
    chosen = rng.sample(ids, min(count, len(ids)))
    result = {}
    for n, key in enumerate(chosen):
        result[key] = Annotation(
            status=list(Status)[n % 5],
            tags=tuple(sorted(set(rng.sample(TAGS, rng.randint(0, 3))))),
            note=f"Note {n}: *check* the method in section {n % 9}." if n % 3 == 0 else "",
        )
    return result


if __name__ == "__main__":
    written = write_corpus(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {len(written)} files to {sys.argv[2]}")
