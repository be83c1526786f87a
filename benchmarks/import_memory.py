"""Peak memory of importing one big plain-format file (issue 11: no whole-file copies).

A generated file of `Abstract:` lines (about 200 MB by default) is parsed by the
importer in a fresh interpreter, which reports its peak RSS (VmHWM) over its RSS
before the import, and the time taken. The records the import must keep are then
measured on their own: a second fresh interpreter loads the same records (pickled by
the first) and reports what they add to its RSS. The difference is the import's
overhead: buffers and copies of the file, which streaming keeps small.

    python benchmarks/import_memory.py 200      # prints the figures for 200 MB
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import seed_sentences  # noqa: E402

TARGET_MB = 100
"""Peak RSS of the import minus the RSS of the records it keeps, at most."""

IMPORT_CHILD = """
import json, pickle, sys, time

def rss(field):
    with open('/proc/self/status') as status:
        return next(int(l.split()[1]) for l in status if l.startswith(field)) * 1024

from pathlib import Path
from reader.core.ingest import importer
before = rss('VmRSS')
start = time.perf_counter()
reports = importer.parse_paths([Path(sys.argv[1])])
took = time.perf_counter() - start
peak = rss('VmHWM')
(report,) = reports
assert report.error is None, report.error
with open(sys.argv[2], 'wb') as out:
    pickle.dump(report.abstracts, out, protocol=pickle.HIGHEST_PROTOCOL)
print(json.dumps({'seconds': took, 'peak': peak - before, 'records': len(report.abstracts)}))
"""

RECORDS_CHILD = """
import json, pickle, sys

def rss(field):
    with open('/proc/self/status') as status:
        return next(int(l.split()[1]) for l in status if l.startswith(field)) * 1024

import reader.core.ingest.importer
before = rss('VmRSS')
with open(sys.argv[1], 'rb') as source:
    records = pickle.load(source)
print(json.dumps({'kept': rss('VmRSS') - before, 'records': len(records)}))
"""


def write_plain_file(path: Path, megabytes: int, seed: int = 5) -> Path:
    """A file of one `Abstract:` line per record, about `megabytes` MB; kept if present."""
    size = megabytes * 1_000_000
    if path.exists() and path.stat().st_size >= size:
        return path
    rng = random.Random(seed)
    sentences = seed_sentences()
    path.parent.mkdir(parents=True, exist_ok=True)
    written, n = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            line = f"Abstract: {' '.join(rng.sample(sentences, rng.randint(4, 8)))} (ref {n})\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    return path


def measure(path: Path) -> dict[str, float]:
    """Import time, peak RSS over the start, RSS of the kept records (bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        kept_file = Path(tmp) / "records.pickle"
        run = [sys.executable, "-c", IMPORT_CHILD, str(path), str(kept_file)]
        done = subprocess.run(run, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stderr)
        imported = json.loads(done.stdout)
        run = [sys.executable, "-c", RECORDS_CHILD, str(kept_file)]
        done = subprocess.run(run, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stderr)
        loaded = json.loads(done.stdout)
    assert loaded["records"] == imported["records"]
    return imported | {"kept": loaded["kept"]}


def figures(path: Path) -> list[tuple[str, str, str, bool | None]]:
    """Rows of (figure, now, target, met?) for importing the file at `path`."""
    got = measure(path)
    mb = 1024 * 1024
    overhead = (got["peak"] - got["kept"]) / mb
    size = path.stat().st_size / 1_000_000
    return [
        (f"import {size:.0f} MB file: time", f"{got['seconds']:.1f} s", "", None),
        (f"import {size:.0f} MB file: records", f"{int(got['records']):,}", "", None),
        (f"import {size:.0f} MB file: peak RSS", f"{got['peak'] / mb:.0f} MB", "", None),
        (f"import {size:.0f} MB file: RSS of the records", f"{got['kept'] / mb:.0f} MB", "", None),
        (
            f"import {size:.0f} MB file: peak RSS - records",
            f"{overhead:.0f} MB",
            f"<= {TARGET_MB} MB",
            overhead <= TARGET_MB,
        ),
    ]


def print_table(rows: list[tuple[str, str, str, bool | None]]) -> None:
    print("| figure | now | target | met? |\n| --- | --- | --- | --- |")
    for name, now, target, met in rows:
        print(f"| {name} | {now} | {target} | {'' if met is None else 'yes' if met else 'NO'} |")


if __name__ == "__main__":
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    work = Path(tempfile.gettempdir()) / "reader-bench" / "stream"
    print_table(figures(write_plain_file(work / f"plain-{megabytes}mb.txt", megabytes)))
