"""Running without the cyclic garbage collector while many objects are made.

Loading or importing 100k records makes millions of objects that hold no cycles; the
collector, run every few thousand allocations, scans them again and again (about a
second of a cold start, half a second of an import). Pausing it over such work, and
freezing what lives as long as the process, removes that cost.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """Run the block without the cyclic GC (as it was after). With `freeze`, what
    exists at the end is moved out of every later collection (`gc.freeze`): for
    objects that live as long as the process, such as a loaded library."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()
