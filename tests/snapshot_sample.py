"""Write a sample of the arXiv metadata snapshot (`arxiv-metadata-oai-snapshot.json`).

One JSON object per line, in the snapshot's shape (`id`, `submitter`, `authors`,
`title`, `comments`, `journal-ref`, `doi`, `report-no`, `categories`, `license`,
`abstract`, `versions`, `update_date`, `authors_parsed`), made from the sentences of
the seed abstracts with a fixed random seed. Abstracts are indented and wrapped as in
the real file; some titles and names carry LaTeX (`$\\alpha$`, `M\\"uller`).

    python tests/snapshot_sample.py 300 /tmp/sample.json            # 300 good lines
    python tests/snapshot_sample.py 300 /tmp/sample.json --bad 5    # and 5 bad ones

Used by the snapshot tests (a fixture writes a few hundred lines) and by the
benchmark (`benchmarks/snapshot_import.py`, 100,000 lines).
"""

from __future__ import annotations

import json
import random
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script too

from benchmarks.corpus import seed_sentences  # noqa: E402  (one splitter of the seeds)

CATEGORIES = ["cs.CL", "cs.LG", "cs.AI", "cs.CV", "stat.ML", "math.CO", "hep-th", "q-bio.NC"]
FIRST = ["Ashish", "Noam", "Jürgen", "Łukasz", "Søren", "Maria", "Wei", "Ana", "J."]
LAST = ["Vaswani", "Shazeer", 'M\\"uller', "Kaiser", "Hauberg", "Garc\\'ia", "Zhang", "Silva"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
BAD_LINES = [
    '{"id": "9999.99999", "title": "truncated',
    "not json at all",
    "[1, 2, 3]",
    '{"title": "no id here", "abstract": "An abstract without an id."}',
    '{"id": "2301.00001", "title": "No abstract", "abstract": "   "}',
]
"""Malformed lines, each a different way: cut short, not JSON, not an object, no id,
no abstract."""


def record(i: int, rng: random.Random, pool: list[str]) -> dict[str, object]:
    """The snapshot record number `i`: a month per 25 records from January 2021."""
    year, month = 2021 + (i // 300) % 6, 1 + (i // 25) % 12
    arxiv = f"{year % 100:02d}{month:02d}.{i % 100_000:05d}"
    body = " ".join(rng.sample(pool, rng.randint(3, 6))) + f" (sample {i})"
    wrapped = "  " + "\n".join(textwrap.wrap(body, 80)) + "\n"
    people = [(rng.choice(LAST), rng.choice(FIRST)) for _ in range(rng.randint(1, 7))]
    versions = []
    for v in range(1, rng.choice([1, 1, 2, 3]) + 1):
        day = min(28, 1 + i % 27 + 3 * (v - 1))
        stamp = f"{DAYS[(i + v) % 7]}, {day} {MONTHS[month - 1]} {year} 12:00:00 GMT"
        versions.append({"version": f"v{v}", "created": stamp})
    cats = rng.sample(CATEGORIES, rng.randint(1, 3))
    title = pool[i % len(pool)][:70].rstrip(" ,.")
    if i % 10 == 3:
        title += r" with $\alpha$-divergence"
    return {
        "id": arxiv,
        "submitter": f"{people[0][1]} {people[0][0]}",
        "authors": ", ".join(f"{first} {last}" for last, first in people),
        "title": title,
        "comments": "7 pages, 6 figures" if i % 3 == 0 else None,
        "journal-ref": f"Phys. Rev. D {i % 90}, {i} ({year})" if i % 7 == 0 else None,
        "doi": f"10.1103/PhysRevD.{i}" if i % 7 == 0 else None,
        "report-no": None,
        "categories": " ".join(cats),
        "license": None,
        "abstract": wrapped,
        "versions": versions,
        "update_date": f"{year}-{month:02d}-28",
        "authors_parsed": [[last, first, ""] for last, first in people],
    }


def write_snapshot(path: Path, n: int, *, bad: int = 0, seed: int = 14) -> Path:
    """Write `n` good records to `path`, with `bad` malformed lines spread among them
    (at lines 2, then every n // bad lines)."""
    rng = random.Random(seed)
    pool = seed_sentences()
    every = max(1, n // bad) if bad else 0
    bad_left = bad
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps(record(i, rng, pool), ensure_ascii=False) + "\n")
            if bad_left and (i == 0 or i % every == 0):
                out.write(BAD_LINES[(bad - bad_left) % len(BAD_LINES)] + "\n")
                bad_left -= 1
    return path


if __name__ == "__main__":
    args = sys.argv[1:]
    count, target = int(args[0]), Path(args[1])
    wrong = int(args[args.index("--bad") + 1]) if "--bad" in args else 0
    write_snapshot(target, count, bad=wrong)
    print(f"wrote {count} records and {wrong} bad lines to {target}")
