"""Fetching new abstracts from the app: the palette's "Fetch new abstracts".

The fetch is `reader fetch` (every subscription, since its last fetch) in a child
process, driven from a thread worker. The child writes each page to the library as
any other reader process does (atomic writes under the corpus lock), so the app
neither waits on the network or on the writes nor holds a second copy of the corpus;
the app shows each page as it shows another process's changes (`action_reload`), and
the new abstracts land in the Inbox (unread). The child's lines become notifications:
progress, one line per subscription at the end, and a failure as an error (what came
before it is kept). A child still running when the app exits is ended.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from textual.markup import escape
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from reader.tui.screens.main import MainScreen

GROUP = "fetch"
"""The worker group of a running fetch (one at a time)."""
_children: set[subprocess.Popen[str]] = set()


def fetch_new(screen: MainScreen) -> None:
    """Start fetching every subscription (unless a fetch is running, or none exist)."""
    library = screen.library
    if any(w.group == GROUP and not w.is_finished for w in screen.workers):
        screen.notify("A fetch is already running.", title="Fetch")
        return
    if library.read_only:
        screen.notify("The library is open read-only.", title="Cannot fetch", severity="error")
        return
    subscriptions = library.subscriptions.all()
    if not subscriptions:
        screen.notify(
            "No subscriptions yet: on the command line, `reader subscribe cs.CL` (a category)"
            " or `reader subscribe --query '...'`, then fetch again.",
            title="Fetch",
            timeout=10,
        )
        return
    names = ", ".join(s.label for s in subscriptions[:4])
    more = f" and {len(subscriptions) - 4} more" if len(subscriptions) > 4 else ""
    screen.notify(f"Fetching {escape(names)}{more} from arXiv (one request every 3 s)…")
    screen.run_worker(
        lambda: _run(screen), name="fetch", group=GROUP, thread=True, exit_on_error=False
    )


def _run(screen: MainScreen) -> None:
    """The worker: run the child, pass each of its lines to the screen."""
    app = screen.app
    worker = get_current_worker()
    command = [sys.executable, "-m", "reader", "--data-dir", str(screen.library.data_dir), "fetch"]
    try:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except OSError as error:
        app.call_from_thread(_failed, screen, f"cannot start the fetch: {error.strerror}")
        return
    _children.add(child)
    lines: list[str] = []
    try:
        assert child.stdout is not None
        for raw in child.stdout:
            if worker.is_cancelled:
                break
            line = raw.rstrip("\n")
            lines.append(line)
            if line.endswith(" received"):
                app.call_from_thread(_progress, screen, line)
    finally:
        if child.poll() is None and worker.is_cancelled:
            child.terminate()
        code = child.wait()
        _children.discard(child)
    if not worker.is_cancelled:
        app.call_from_thread(_done, screen, code, lines)


def _progress(screen: MainScreen, line: str) -> None:
    """A page is in the library: show it, and say how far the fetch is."""
    screen.action_reload()
    screen.notify(escape(line.removesuffix(" received")), title="Fetching", timeout=3)


def _done(screen: MainScreen, code: int, lines: list[str]) -> None:
    screen.action_reload()
    results = [line for line in lines if not line.endswith(" received")]
    errors = [r.removeprefix("reader: error: ") for r in results if r.startswith("reader:")]
    report = [r for r in results if not r.startswith("reader:")]
    if code == 0:
        screen.notify(escape("\n".join(report) or "Nothing new."), title="Fetched", timeout=10)
    elif errors:
        _failed(screen, "\n".join([*report, errors[-1]]))
    else:  # it did not get to say why (killed, or a bug: its last line)
        _failed(screen, (results or [f"reader fetch stopped with status {code}"])[-1])


def _failed(screen: MainScreen, text: str) -> None:
    screen.notify(
        escape(text) + "\nWhat came before the failure is kept.",
        title="Fetch failed",
        severity="error",
        timeout=15,
    )


@atexit.register
def _end_children() -> None:
    """The app exits: end fetches still running (each page written is kept)."""
    for child in list(_children):
        with contextlib.suppress(OSError):
            child.terminate()
