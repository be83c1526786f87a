"""Import speed of the arXiv metadata snapshot format against the plain format (issue 14).

The same number of records in each format: the plain files of `corpus.py` (both seed
formats, ids, dates, comments) and snapshot lines from `tests/snapshot_sample.py`
(titles, authors, categories, versions, DOIs: what the real snapshot carries). Each
is imported twice into a fresh library, alternating, in this interpreter: the parse
alone (`importer.parse_paths`), then the whole `Library.import_paths` (parse, write
`corpus.json`, build and save the search index). The best of the two runs is shown,
wall-clock and CPU time; the target compares CPU time, which a busy machine bends less.

    python benchmarks/snapshot_import.py 100000
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from corpus import write_corpus  # noqa: E402

from tests.snapshot_sample import write_snapshot  # noqa: E402

TARGET = 1.0
"""The snapshot import should take at most this many times the plain import."""


def _best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The fastest run's (wall, CPU) seconds."""
    return min(runs)


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads) of `action`: on a shared machine the
    CPU time is the steadier figure."""
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def _shown(seconds: tuple[float, float]) -> str:
    return f"{seconds[0]:.2f} s (CPU {seconds[1]:.2f} s)"


def figures(n: int, work: Path) -> list[tuple[str, str, str, bool | None]]:
    """Rows `figure | now | target | met?` for `n` records in each format."""
    from reader.core.ingest import importer
    from reader.core.library import Library

    plain = work / f"plain-{n}"
    if not plain.exists():
        write_corpus(n, plain)
    snapshot = work / f"snapshot-{n}.json"
    if not snapshot.exists():
        write_snapshot(snapshot, n)
    sources = {"plain": plain, "snapshot": snapshot}
    parse: dict[str, list[tuple[float, float]]] = {"plain": [], "snapshot": []}
    whole: dict[str, list[tuple[float, float]]] = {"plain": [], "snapshot": []}
    for _ in range(2):
        for name, source in sources.items():
            parse[name].append(_timed(lambda s=source: importer.parse_paths([s])))
        for name, source in sources.items():
            data = work / f"data-{name}"
            shutil.rmtree(data, ignore_errors=True)
            library = Library.open(data, seed=False)
            took = _timed(lambda lib=library, s=source: lib.import_paths([s]))
            assert len(library) == n, (name, len(library))
            library.close()
            whole[name].append(took)
    rows: list[tuple[str, str, str, bool | None]] = []
    for label, table in (("parse only", parse), ("whole import", whole)):
        p, s = _best(table["plain"]), _best(table["snapshot"])
        rows.append((f"{label}, plain format, {n:,}", _shown(p), "", None))
        target = f"CPU <= plain's ({p[1]:.2f} s)"
        rows.append((f"{label}, snapshot format, {n:,}", _shown(s), target, s[1] <= p[1]))
    megabytes = snapshot.stat().st_size / (1 << 20)
    rows.append((f"snapshot file size, {n:,} lines", f"{megabytes:.0f} MB", "", None))
    return rows


def print_table(rows: list[tuple[str, str, str, bool | None]]) -> None:
    print("| figure | now | target | met? |\n| --- | --- | --- | --- |")
    for name, now, target, met in rows:
        print(f"| {name} | {now} | {target} | {'' if met is None else 'yes' if met else 'NO'} |")


if __name__ == "__main__":
    import tempfile

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print_table(figures(count, Path(tempfile.gettempdir()) / "reader-bench" / "snapshot"))
