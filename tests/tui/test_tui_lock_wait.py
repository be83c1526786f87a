"""A peer holding the library's lock (a long import, a stuck script) must not freeze the
app for 15 s a key: a change waits LOCK_WAIT, then is refused with a message saying
another process is writing, and nothing is written."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reader.core.library import Library
from reader.core.models import Status
from reader.tui.app import LOCK_WAIT, ReaderApp

HOLD = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
sys.stdin.readline()
"""


@contextmanager
def peer_holding(lock_file: Path) -> Iterator[None]:
    """Another process holds `lock_file` until the block ends."""
    peer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert peer.stdout is not None and peer.stdout.readline().strip() == "held"
        yield
    finally:
        peer.communicate("\n", timeout=30)


async def test_a_key_while_a_peer_writes_is_refused_after_a_short_wait(library: Library):
    first = library.abstract_at(0).id
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        with peer_holding(library.data_dir / ".user.json.lock"):
            await pilot.press("4")  # read
            await pilot.pause()
            messages = [str(n.message) for n in app._notifications]
            assert any(
                "another reader process is writing to this library" in m
                and f"over {LOCK_WAIT:g} s" in m
                for m in messages
            ), messages
        assert Library(library.data_dir).annotation(first).status is Status.UNREAD
        await pilot.press("4")  # the peer is done: the same key now works
        await pilot.pause()
    assert Library(library.data_dir).annotation(first).status is Status.READ


def test_the_cli_still_waits_the_full_time(library: Library):
    """Only the app shortens the wait; a Library of its own (the CLI's) keeps 15 s."""
    fresh = Library(library.data_dir)
    assert fresh._user.file.lock.timeout == 15.0
    ReaderApp(fresh)
    assert fresh._user.file.lock.timeout == LOCK_WAIT
