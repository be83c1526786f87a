"""Issue 13's figures: start-up, CLI latency, filter, peak RSS and import, per size.

Each figure is printed as `figure | now | target | met?`. F is the floor no Textual
app can beat, the time of `python -c "import textual.app, textual.widgets"`, measured
in the same run (median of 5); start-up targets are F plus a margin.

- app start -> list painted: the real `reader` in tmux (120x40), from launch until
  the list's `N of N` title is on screen; median of 3. Peak RSS is the app process's
  VmHWM read right after that paint.
- CLI: `reader tag ID +x`, `reader show ID`, `reader list QUERY --format ids`, each
  the median wall time of 10 fresh processes.
- filter: a needle word pasted into the filter (one `Paste`), until the list's lines
  are repainted, inside `run_test`; median of 5.
- import: `Library.import_paths` of the generated corpus (both formats).

Beside each wall time, the median CPU time (user + system) of the processes measured:
on a machine shared with other work the wall times swing by several times, the CPU
times much less. `met?` judges the wall time, as the targets are stated.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

READER = Path(sys.executable).parent / "reader"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Children may cache bytecode, as an installed reader does (the first run compiles)."""


@dataclass(frozen=True)
class Targets:
    start: float
    """Seconds over F."""
    cli: float
    filter: float
    rss_mb: float
    import_s: float
    import_mb: float
    """Not in the issue's table: an import must fit a laptop's memory (16 GB, shared)."""


TARGETS = {
    "100k": Targets(start=0.3, cli=0.150, filter=0.030, rss_mb=250, import_s=8.0, import_mb=600),
    "1m": Targets(start=0.6, cli=0.200, filter=0.060, rss_mb=1536, import_s=100.0, import_mb=4096),
}
SEED_START = 0.15
SEED_LIST = 0.100
NEEDLE = "zebra"


CPU: dict[str, float] = {}
"""The median CPU time (user + system) of the processes behind each figure: on a
loaded machine wall times swing with other work, CPU times much less."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], runs: int, name: str) -> float:
    """Median wall time of `runs` runs of `argv`; its median CPU time goes in CPU."""
    times, cpu = [], []
    for _ in range(runs):
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run(
            argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
        )
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - before)
    CPU[name] = statistics.median(cpu)
    return statistics.median(times)


def floor_f(runs: int = 5) -> float:
    return timed([sys.executable, "-c", "import textual.app, textual.widgets"], runs, "F")


def _cpu_of(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, children):
        found += [child, *_descendants(child)]
    return found


def _hwm_mb(pid: int, field: str = "VmHWM") -> float | None:
    """A memory figure of the process from /proc (MB): its peak RSS by default."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def _pythonpath() -> str:
    path = os.environ.get("PYTHONPATH")
    return f"PYTHONPATH={path} " if path else ""


def _launch(session: str, run: str) -> float:
    """Start `run` in a new 120x40 tmux session; the time it was started."""
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new", "-d", "-s", session, "-x", "120", "-y", "40",
         f"exec env -u PYTHONDONTWRITEBYTECODE {_pythonpath()}{run}"],
        check=True,
    )  # fmt: skip
    return start


def _shown(session: str, pattern: str, timeout: float) -> float | None:
    """When `pattern` is first on the session's screen (None: not within `timeout` s)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        screen = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout
        if re.search(pattern, screen):
            return time.perf_counter()
        time.sleep(0.005)
    return None


def _app_pids(session: str) -> list[int]:
    """The session's process and its descendants."""
    pane = subprocess.run(
        ["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    return [int(pane[0]), *_descendants(int(pane[0]))] if pane else []


def _peak_mb(pids: list[int]) -> float | None:
    peaks = [h for h in map(_hwm_mb, pids) if h is not None]
    return max(peaks) if peaks else None


def _title(n: int) -> str:
    """The list's title once the library of `n` rows is shown (`N of n`)."""
    return rf"\b[\d,]+ of ({n:,}|{n})\b"


def tmux_start(
    data: Path, n: int, runs: int = 3, command: str | None = None
) -> tuple[float | None, float | None]:
    """Median seconds from launch to `n of n` painted, and the app's VmHWM (MB); the
    app is reader on `data`, or `command` (its CPU is kept under `start COMMAND`)."""
    if shutil.which("tmux") is None:
        return None, None
    session = f"reader-speed-{os.getpid()}"
    times, peaks, cpu = [], [], []
    for _ in range(runs):
        start = _launch(session, command or f"{READER} --data-dir {data}")
        painted = _shown(session, _title(n), 60)
        if painted is not None:
            times.append(painted - start)
        pids = _app_pids(session)
        peak = _peak_mb(pids)
        if peak is not None:
            peaks.append(peak)
        used = [c for c in map(_cpu_of, pids) if c is not None]
        if used:
            cpu.append(sum(used))
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    if cpu:
        CPU[f"start {command or data}"] = statistics.median(cpu)
    return (statistics.median(times) if times else None), (max(peaks) if peaks else None)


def tmux_more_like_this(data: Path, n: int) -> tuple[float | None, float | None]:
    """The app's VmHWM (MB) once `m` (more like this) has shown its list (the vectors
    over every posting are built then, the app's largest piece of work), and how much
    of its memory is its own then (RssAnon; the rest is the index's mapped files, pages
    the kernel takes back when it needs them)."""
    if shutil.which("tmux") is None:
        return None, None
    session = f"reader-m-{os.getpid()}"
    _launch(session, f"{READER} --data-dir {data}")
    hwm = anon = None
    if _shown(session, _title(n), 300) is not None:
        subprocess.run(["tmux", "send-keys", "-t", session, "m"], check=True)
        if _shown(session, r"similar to", 300) is not None:
            pids = _app_pids(session)
            hwm = _peak_mb(pids)
            owned = [a for a in (_hwm_mb(pid, "RssAnon") for pid in pids) if a is not None]
            anon = sum(owned) if owned else None
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return hwm, anon


def cli_median(data: Path, args: list[str], runs: int = 10) -> float:
    return timed([str(READER), "--data-dir", str(data), *args], runs, f"{data} {args[0]}")


async def _paste(data: Path, word: str, runs: int) -> float:
    from textual.widgets import Input

    from reader.core.library import Library
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.abstract_list import AbstractList

    stamps = {"done": 0.0}
    render_line = AbstractList.render_line

    def stamped(self, y):  # type: ignore[no-untyped-def]
        strip = render_line(self, y)
        stamps["done"] = time.perf_counter()
        return strip

    AbstractList.render_line = stamped  # type: ignore[method-assign]
    times = []
    try:
        app = ReaderApp(Library(data))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            for _ in range(runs):
                await pilot.press("slash")
                await pilot.pause()
                field = app.screen.query_one("#filter-input", Input)
                stamps["done"] = 0.0
                start = time.perf_counter()
                field.insert_text_at_cursor(word)
                while stamps["done"] < start and time.perf_counter() - start < 5:
                    await asyncio.sleep(0.001)
                times.append(stamps["done"] - start if stamps["done"] else 5.0)
                await pilot.pause()
                await pilot.press("escape", "escape")
                await pilot.pause()
    finally:
        AbstractList.render_line = render_line  # type: ignore[method-assign]
    return statistics.median(times)


def filter_paste(data: Path, word: str = NEEDLE, runs: int = 5) -> float:
    return asyncio.run(_paste(data, word, runs))


def row(
    figure: str,
    now: float | None,
    target: float | None,
    unit: str = "s",
    cpu: float | None = None,
) -> str:
    """A table row; a figure with no `target` is shown for reference."""
    limit = ""
    if target is not None:
        limit = f"{target * 1000:.0f} ms" if unit == "s" and target < 1 else f"{target:.2f} {unit}"
        limit = f"<= {target:.0f} MB" if unit == "MB" else f"<= {limit}"
    if now is None:
        return f"| {figure} | not measured | {limit} | {'?' if limit else ''} |"
    shown = f"{now * 1000:.0f} ms" if unit == "s" and now < 1 else f"{now:.2f} {unit}"
    if unit == "MB":
        shown = f"{now:.0f} MB"
    if cpu is not None:
        shown += f" (cpu {cpu * 1000:.0f} ms)"
    met = "" if target is None else ("yes" if now <= target else "NO")
    return f"| {figure} | {shown} | {limit} | {met} |"


def first_id(data: Path) -> str:
    done = subprocess.run(
        [str(READER), "--data-dir", str(data), "list", "--format", "ids", "--limit", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()[0]


def seeds_table(work: Path, f: float) -> list[str]:
    """The rows measured on the 49 sample abstracts."""
    data = work / "seeds"
    shutil.rmtree(data, ignore_errors=True)
    subprocess.run([str(READER), "--data-dir", str(data), "stats"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    start, _ = tmux_start(data, 49)
    floor_app = f"{sys.executable} {Path(__file__).parent / 'floor_app.py'} 49"
    shape, _ = tmux_start(data, 49, command=floor_app)
    listed = cli_median(data, ["list", "--limit", "1"])
    return [
        f"| F (`import textual.app, textual.widgets`) | {f * 1000:.0f} ms (cpu "
        f"{CPU['F'] * 1000:.0f} ms) | | |",
        row(
            "app start -> list painted, the 49 seeds (F + 0.15 s)",
            start,
            f + SEED_START,
            cpu=CPU.get(f"start {data}"),
        ),  # fmt: skip
        row(
            "for reference: a minimal Textual app of that shape (benchmarks/floor_app.py)",
            shape,
            None,
            cpu=CPU.get(f"start {floor_app}"),
        ),
        row("`reader list --limit 1`, seeds", listed, SEED_LIST, cpu=CPU[f"{data} list"]),
    ]


def size_table(
    data: Path, n: int, f: float, import_s: float, import_mb: float, scale: str
) -> list[str]:
    """The rows of one library size (freshly imported in `data`)."""
    t = TARGETS[scale]
    record = first_id(data)
    start, hwm = tmux_start(data, n)
    tag = cli_median(data, ["tag", record, "+bench"])
    show = cli_median(data, ["show", record])
    listed = cli_median(data, ["list", "reasoning", "--format", "ids"])
    pasted = filter_paste(data)
    after_m, anon = tmux_more_like_this(data, n)
    own = f" (its own memory then: {anon:.0f} MB; the rest mapped files)" if anon else ""
    label = f"{n:,}"
    return [
        f"| F (`import textual.app, textual.widgets`) | {f * 1000:.0f} ms (cpu "
        f"{CPU['F'] * 1000:.0f} ms) | | |",
        row(
            f"app start -> list painted, {label} (F + {t.start:g} s)",
            start,
            f + t.start,
            cpu=CPU.get(f"start {data}"),
        ),  # fmt: skip
        row(f"`reader tag ID +x`, {label}", tag, t.cli, cpu=CPU[f"{data} tag"]),
        row(f"`reader show ID`, {label}", show, t.cli, cpu=CPU[f"{data} show"]),
        row(
            f"`reader list reasoning --format ids`, {label}", listed, t.cli, cpu=CPU[f"{data} list"]
        ),  # fmt: skip
        row(f"needle word pasted into the filter -> rows on screen, {label}", pasted, t.filter),
        row(f"peak RSS (VmHWM), app at {label}", hwm, t.rss_mb, "MB"),
        row(
            f"peak RSS (VmHWM), app at {label} after `m` (more like this){own}",
            after_m,
            t.rss_mb,
            "MB",
        ),  # fmt: skip
        row(f"import {label} (generated, both formats)", import_s, t.import_s),
        row(f"peak RSS (maxrss) of that import, {label}", import_mb, t.import_mb, "MB"),
    ]
