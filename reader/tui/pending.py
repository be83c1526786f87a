"""Changes that wait while another reader process writes, made in the order of the keys.

The app never waits for the library's lock on its UI thread (`Library.wait_for_writers(0)`):
a change that finds the lock held (`BusyError`, raised before anything is written) is
queued, the user is told at once, and a thread waits for the lock to be free
(`Library.wait_until_free`, which touches nothing else). Then the queue is drained on
the UI thread, in order; a change that finds the lock taken again stays first in line
and the thread waits again. While anything waits, every new change queues behind it,
so changes are made in the order they were asked for, never reordered and never lost
(quitting waits for them, or says what it leaves).

Each change is still made, recorded for undo and reported by its own code (`run`); an
undo or redo asked for meanwhile waits in the same line, so it undoes exactly the change
that was last made before it.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from textual.widget import Widget
from textual.worker import get_current_worker

from reader.core.errors import BusyError, StoreError
from reader.core.library import Library
from reader.core.models import Status
from reader.core.text import plural

WAIT_STEP = 0.25
"""Seconds the waiting thread blocks on the lock before looking whether it was cancelled."""


@dataclass(frozen=True)
class Pending:
    """One change asked for while another process writes."""

    label: str
    """What it does, for messages: `status read on 2306.04031`, `undo`."""
    run: Callable[[], bool | None]
    """Makes the change (records and reports it); False when it was refused (and said
    so). Raises BusyError, having done nothing, while the lock is held."""
    ids: tuple[str, ...] = ()
    """The records it changes, when known (an undo knows only once it runs)."""
    status: Status | None = None
    """The status it sets, if it is a status change."""
    known: bool = True
    """False for an undo or redo: what the records will hold after it is unknown."""


class PendingWrites:
    """The queue of `Pending` changes of one screen, and the thread that waits."""

    def __init__(self, node: Widget, library: Library, changed: Callable[[], None]) -> None:
        self.node = node
        """Where the waiting thread runs (a worker of this node) and messages show."""
        self.library = library
        self.items: deque[Pending] = deque()
        """The changes waiting, oldest first."""
        self.dropped: list[str] = []
        """Labels of the changes that were still waiting when the app quit."""
        self.quit_when_done = False
        """The user asked to quit: quit once the queue is empty."""
        self._changed = changed

    def __len__(self) -> int:
        return len(self.items)

    def submit(self, change: Pending) -> bool:
        """Make `change` now, or queue it if another process is writing (or changes
        already wait). False only when it was made now and refused."""
        if not self.items:
            try:
                return change.run() is not False
            except BusyError:
                pass
            self.node.notify(
                "Another reader process is writing to this library: your change will be "
                "made as soon as it has finished (marked ⧗ in the list).",
                title="Waiting for another process",
                severity="warning",
                timeout=6,
            )
            self._wait()
        self.items.append(change)
        self._changed()
        return True

    def status_of(self, record_id: str) -> Status | None:
        """The status the changes waiting will leave on `record_id` (None: they do not
        touch it, or an undo waiting makes it unknown)."""
        found = None
        for change in self.items:
            if not change.known:
                return None
            if change.status is not None and record_id in change.ids:
                found = change.status
        return found

    def has_unknown(self) -> bool:
        """An undo or redo waits: what it will touch is known only once it runs."""
        return any(not change.known for change in self.items)

    def ids(self) -> set[str]:
        """The records that changes waiting will change (as far as known)."""
        return {key for change in self.items for key in change.ids}

    def drain(self) -> None:
        """Make the waiting changes in order, until the lock is found held again."""
        made = 0
        while self.items:
            try:
                self.items[0].run()
            except BusyError:
                self._wait()
                break
            self.items.popleft()
            made += 1
        self._changed()
        if made and not self.items:
            self.node.notify(
                f"The other process has finished; {plural(made, 'waiting change')} made.",
                title="Written",
            )
        if not self.items and self.quit_when_done:
            self.node.app.exit()

    def ask_to_quit(self) -> bool:
        """q: True when the app may quit now. With changes waiting, the first q waits for
        them (the app quits once they are made); a second q quits without them."""
        if not self.items:
            return True
        if self.quit_when_done:
            self.dropped = [change.label for change in self.items]
            self.items.clear()
            return True
        self.quit_when_done = True
        self.node.notify(
            f"{plural(len(self.items), 'change')} still wait for another reader process "
            "to finish writing; the app quits once they are made. Press q again to quit "
            "without them.",
            title="Quitting",
            severity="warning",
            timeout=15,
        )
        return False

    def finish(self) -> list[str]:
        """At exit: make what can be made now; return the labels of what could not."""
        with contextlib.suppress(Exception):  # the app is going: say what was left
            while self.items:
                self.items[0].run()
                self.items.popleft()
        self.dropped += [change.label for change in self.items]
        self.items.clear()
        return self.dropped

    # ----------------------------------------------------------------- the waiting thread
    def _wait(self) -> None:
        """Wait in a thread until the lock is free, then drain on the UI thread."""
        self.node.run_worker(
            self._wait_in_thread,
            name="pending-writes",
            group="pending-writes",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def _wait_in_thread(self) -> None:
        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                free = self.library.wait_until_free(WAIT_STEP)
            except StoreError:
                free = True  # cannot lock at all: the changes say why when they run
            if free:
                with contextlib.suppress(RuntimeError):  # the app has gone meanwhile
                    self.node.app.call_from_thread(self.drain)
                return
