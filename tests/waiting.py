"""Waiting on a condition instead of sleeping: tests wait exactly as long as needed,
however loaded the machine is, and say what they waited for when it never came.
Also the command palette driven as a user drives it, and a call that must not block
on a FIFO."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

T = TypeVar("T")

TIMEOUT = 20.0
"""Seconds before a wait fails (generous: the suite runs on loaded machines)."""


async def until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """Return once `condition()` is true; fail naming `what` after `timeout` seconds.

    Polls every 10 ms and lets the event loop (the app under test) run in between.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.01)


def until_sync(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """`until` for a test with no event loop of its own (one driving other processes,
    such as a browser or a server): polls every 20 ms in a plain wait."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


async def run_from_palette(pilot: Pilot[object], title: str) -> None:
    """Run the command `title` as a user does: ctrl+p, type it, move to it, enter.

    Waits for the palette to finish gathering its commands rather than for a time.
    """
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(lambda: isinstance(app.screen, CommandPalette), "the command palette")
    await pilot.press(*title)
    await app.workers.wait_for_complete()  # the palette's search is a worker
    await pilot.pause()
    options = app.screen.query_one(CommandList)
    found = [options.get_option_at_index(i) for i in range(options.option_count)]
    texts = [getattr(o, "hit", None) and o.hit.text for o in found]
    assert title in texts, f"{title!r} is not offered in the palette: {texts}"
    if options.highlighted is None:
        await pilot.press("down")  # shows the list, on its first command
    steps = texts.index(title) - (options.highlighted or 0)
    await pilot.press(*["down" if steps > 0 else "up"] * abs(steps))
    assert options.highlighted is not None and texts[options.highlighted] == title
    await pilot.press("enter")
    await until(lambda: not isinstance(app.screen, CommandPalette), "the palette to close")
    await pilot.pause()


async def settle(pilot: Pilot[object]) -> None:
    """Let the app finish what the keys pressed so far started: searches that went to
    a thread (a loaded machine makes any search "slow") and the messages they post."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def no_hang(fifos: list[Path], call: Callable[[], T], seconds: float = 10) -> T:
    """`call()`'s result; fails (after unblocking it) if it waits on one of `fifos`:
    a reader that opens a FIFO with no writer blocks until the test opens it."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in fifos:  # a reader waits on one of them: let it see EOF
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(seconds)
        pytest.fail(f"reading {', '.join(map(str, fifos))} blocked until the test opened it")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
