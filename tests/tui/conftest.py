"""TUI tests: the two terminal sizes and `run_app`, which starts the app on a library.

async with run_app(library) as pilot:            # WIDE unless size= says otherwise
    app = pilot.app
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from reader.core.library import Library
from reader.core.store import uistate
from reader.core.store.uistate import UIState
from reader.tui.app import ReaderApp

WIDE = (120, 40)
"""The size the app is designed for: list, detail pane and sidebar side by side."""
NARROW = (80, 24)
"""The smallest supported terminal: one pane at a time."""

RunApp = Callable[..., contextlib.AbstractAsyncContextManager[Pilot[Any]]]


LEFT_ON_EVERYTHING = UIState(query="", sort="source")
"""Where most tests start: every abstract in source order (a new library opens on the
Inbox sorted by date; tests of that pass `fresh=True`)."""


@pytest.fixture
def run_app() -> RunApp:
    """`run_app(library, size=WIDE, fresh=False)`: a ReaderApp on `library` run headless,
    as a Pilot; unless `fresh`, a library never opened before opens on every abstract in
    source order (`LEFT_ON_EVERYTHING`)."""

    @contextlib.asynccontextmanager
    async def run(
        library: Library, size: tuple[int, int] = WIDE, fresh: bool = False
    ) -> AsyncIterator[Pilot[Any]]:
        if not fresh and not (library.data_dir / uistate.FILE).exists():
            uistate.save(library.data_dir, LEFT_ON_EVERYTHING)
        app = ReaderApp(library)
        async with app.run_test(size=size) as pilot:
            yield pilot

    return run
