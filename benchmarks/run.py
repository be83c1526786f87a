"""reader's benchmark: prints a table of figures for 1k, 10k and 100k abstracts.

    make bench                      # all sizes
    make bench ARGS="--sizes 10000" # one size
    make bench ARGS="--scale 1m"    # 1,000,000 generated abstracts, the 1M targets
    make bench ARGS="--speed-only"  # issue 13's table alone (no typing/durability figures)

First issue 13's table (`speed.py`): F, start-up, CLI latency, filter, peak RSS and
import, as `figure | now | target | met?`, for the 49 seeds and each size.

Per size: import time; cold start until the list is painted (a fresh process running
the app under `run_test`, and the real `reader` in tmux); filter latency per
keystroke while queries are typed character by character (key press to list
repainted, p50/p95); tag/status change until durable, with 10k annotated records;
steady RSS after load. Timings are printed, never asserted.

Then the memory of importing one big plain-format file (`import_memory.py`, issue 11)
as `figure | now | target | met?`; `--import-mb 0` skips it, `--sizes none` skips the
per-size tables. Last, the import speed of the arXiv snapshot format against the plain
format (`snapshot_import.py`, issue 14) at `--snapshot N` records (0 skips it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus  # noqa: E402
from discover import offline_check  # noqa: E402
from discover import timings as discover_timings  # noqa: E402
from import_memory import figures as import_figures  # noqa: E402
from import_memory import print_table, write_plain_file  # noqa: E402
from snapshot_import import figures as snapshot_figures  # noqa: E402
from speed import floor_f, seeds_table, size_table, tmux_start  # noqa: E402

WORK = Path(os.environ.get("READER_BENCH_DIR", "/tmp/reader-bench"))
QUERIES = ["reasoning", "zebra", "tag:rl status:unread", '"language model"']


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


IMPORT_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from corpus import annotations
from reader.core.library import Library
n, src, data = int(sys.argv[4]), sys.argv[1], sys.argv[2]
lib = Library.open(data, seed=False)
start = time.perf_counter()
report = lib.import_paths([src])
took = time.perf_counter() - start
assert report.added == n, report
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
lib.put("benchmark annotations", annotations(lib.ids(), min(n, 10_000)))
lib.close()
print(json.dumps({"seconds": took, "annotate": time.perf_counter() - start, "peak": peak}))
"""
"""The import, in a process of its own: its peak RSS is the import's alone."""


def prepare(n: int) -> tuple[Path, dict[str, str], float, float]:
    """Corpus files and a freshly imported library of `n` abstracts (imported in a
    child process); returns the folder, figures, the import's seconds and peak MB."""
    src, data = WORK / f"{n}" / "src", WORK / f"{n}" / "data"
    if not src.exists():
        write_corpus(n, src)
    shutil.rmtree(data, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_CHILD, str(src), str(data), str(HERE), str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    got = json.loads(done.stdout.splitlines()[-1])
    figures = {"import": f"{got['seconds']:.2f} s", "annotate 10k": ms(got["annotate"])}
    return data, figures, got["seconds"], got["peak"]


def durable_changes(data: Path, count: int = 200) -> dict[str, str]:
    """Time tag and status changes from call to fsynced rename, with 10k annotated."""
    from reader.core.library import Library
    from reader.core.models import Status

    lib = Library(data)
    ids = lib.ids()
    times = []
    for i in range(count):
        key = ids[(i * 7919) % len(ids)]
        start = time.perf_counter()
        if i % 2:
            lib.tag([key], add=[f"bench{i % 5}"])
        else:
            lib.set_status([key], list(Status)[i % 5])
        times.append(time.perf_counter() - start)
    return {"change p50": ms(p(times, 0.5)), "change p95": ms(p(times, 0.95))}


COLD_CHILD = """
import asyncio, sys, time
start = time.perf_counter()
from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.widgets.abstract_list import AbstractList

async def main():
    lib = Library(sys.argv[1])
    app = ReaderApp(lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        painted = time.perf_counter() - start
        rows = len(app.screen.query_one(AbstractList).rows)
        rss = next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]
        print(f"{painted} {rows} {int(rss) // 1024}")

asyncio.run(main())
"""


def cold_start(data: Path) -> dict[str, str]:
    """A fresh interpreter: imports, open, first paint under run_test; RSS after."""
    runs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", COLD_CHILD, str(data)], capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(done.stderr)
        painted, _, rss = done.stdout.split()
        runs.append((float(painted), int(rss)))
    best = min(r[0] for r in runs)
    return {"cold start (run_test)": ms(best), "steady RSS": f"{runs[-1][1]} MB"}


def cold_start_tmux(data: Path, n: int) -> dict[str, str]:
    """The real app in a real terminal: time until the list's 'N of N' title is drawn
    (the median of 3, as issue 13's table measures it)."""
    if shutil.which("tmux") is None:
        return {"cold start (tmux)": "no tmux"}
    took, _ = tmux_start(data, n)
    return {"cold start (tmux)": ms(took) if took is not None else "not painted in 60 s"}


async def typing(data: Path) -> dict[str, str]:
    """Type each query a character at a time: time from the key press to the last line
    of the list repainted after the result (or the error) was applied.

    Pilot's own bookkeeping after each press (tens of ms) is not part of the figure:
    the clock stops at the app's last `render_line`/result, stamped from inside.
    """
    from reader.core.library import Library
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.abstract_list import AbstractList

    stamps = {"done": 0.0}
    render_line = AbstractList.render_line

    def stamped_render_line(self, y):  # type: ignore[no-untyped-def]
        strip = render_line(self, y)
        stamps["done"] = time.perf_counter()
        return strip

    AbstractList.render_line = stamped_render_line  # type: ignore[method-assign]
    app = ReaderApp(Library(data))
    figures: dict[str, str] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        for name in ("_show_result", "_show_error"):
            real = getattr(screen, name)

            def stamped(*args, _real=real):  # type: ignore[no-untyped-def]
                _real(*args)
                stamps["done"] = time.perf_counter()

            setattr(screen, name, stamped)
        for query in QUERIES:
            await pilot.press("slash")
            times = []
            for char in query:
                stamps["done"] = 0.0
                start = time.perf_counter()
                await pilot.press(char)
                deadline = start + 5
                while stamps["done"] < start and time.perf_counter() < deadline:
                    await pilot.pause(0.01)
                await pilot.pause()
                times.append(stamps["done"] - start if stamps["done"] else 5.0)
            figures[f"filter {query!r} p50/p95"] = f"{ms(p(times, 0.5))} / {ms(p(times, 0.95))}"
            await pilot.press("escape")
            await pilot.press("escape")
            await pilot.pause()
    AbstractList.render_line = render_line  # type: ignore[method-assign]
    return figures


def discover(data: Path) -> dict[str, str]:
    """Issue 16: more like this (m) and training "for you" (see discover.py)."""
    return discover_timings(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--scale", choices=["100k", "1m"], default="100k",
                        help="1m: one generated library of 1,000,000 (the 1M targets)")  # fmt: skip
    parser.add_argument("--import-mb", type=int, default=200, help="0: skip")
    parser.add_argument("--speed-only", action="store_true", help="issue 13's table alone")
    parser.add_argument("--snapshot", type=int, default=100_000, help="records; 0: skip")
    args = parser.parse_args()
    sizes = [] if args.sizes == "none" else [int(x) for x in args.sizes.split(",")]
    if args.scale == "1m":
        sizes, args.import_mb, args.speed_only = [1_000_000], 0, True
    f = floor_f()
    print("\n## start-up and CLI (issue 13), the 49 seeds\n")
    print("| figure | now | target | met? |\n| --- | --- | --- | --- |")
    print("\n".join(seeds_table(WORK, f)))
    sys.stdout.flush()
    for n in sizes:
        data, figures, took, import_peak = prepare(n)
        print(f"\n## {n:,} abstracts: start-up, CLI, filter, memory, import (issue 13)\n")
        print("| figure | now | target | met? |\n| --- | --- | --- | --- |")
        print("\n".join(size_table(data, n, floor_f(), took, import_peak, args.scale)))
        sys.stdout.flush()
        if args.speed_only:
            continue
        figures |= durable_changes(data)
        figures |= cold_start(data)
        figures |= cold_start_tmux(data, n)
        figures |= asyncio.run(typing(data))
        figures |= discover(data)
        print(f"\n## {n:,} abstracts: other figures\n")
        print("| measure | figure |\n| --- | --- |")
        for name, value in figures.items():
            print(f"| {name} | {value} |")
        sys.stdout.flush()
    if not args.speed_only:
        print("\n## learned orders, offline (issue 16)\n")
        print("| measure | figure |\n| --- | --- |")
        for name, value in offline_check().items():
            print(f"| {name} | {value} |")
    if args.import_mb:
        big = write_plain_file(WORK / "stream" / f"plain-{args.import_mb}mb.txt", args.import_mb)
        print(f"\n## importing one {args.import_mb} MB plain-format file\n")
        print_table(import_figures(big))
    if args.snapshot and not args.speed_only:
        snapshot_table(args.snapshot)


def snapshot_table(n: int) -> None:
    """Import speed of the arXiv snapshot format against the plain format (issue 14)."""
    print(f"\n## importing {n:,} records: arXiv snapshot format against the plain format\n")
    print_table(snapshot_figures(n, WORK / "snapshot"))


if __name__ == "__main__":
    main()
