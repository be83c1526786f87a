"""Waiting on a condition instead of sleeping: tests wait exactly as long as needed,
however loaded the machine is, and say what they waited for when it never came."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

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
