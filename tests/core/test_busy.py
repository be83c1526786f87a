"""Another process holding the lock: a change that may not wait is refused at once
with BusyError (nothing written), and `wait_until_free` waits for the lock from any
thread without taking it."""

from __future__ import annotations

import threading
import time

import pytest
from filelock import FileLock

from reader.core.errors import BusyError
from reader.core.library import Library
from reader.core.models import Status


@pytest.fixture
def peer(library: Library):
    """A second holder of the user-data lock (its own descriptor: as another process)."""
    lock = FileLock(str(library.data_dir / ".user.json.lock"), thread_local=False)
    lock.acquire()
    yield lock
    if lock.is_locked:
        lock.release()


def test_a_change_that_may_not_wait_is_refused_at_once(library: Library, peer: FileLock):
    first = library.abstract_at(0).id
    library.wait_for_writers(0)
    start = time.monotonic()
    with pytest.raises(BusyError, match="another reader process is writing.*holds .* now"):
        library.set_status([first], Status.READ)
    assert time.monotonic() - start < 1.0
    on_disk = Library(library.data_dir, read_only=True)  # (read-only: takes no lock)
    assert on_disk.annotation(first).status is Status.UNREAD
    assert library.annotation(first).status is Status.UNREAD
    peer.release()
    library.set_status([first], Status.READ)  # the same change once the peer is done
    assert Library(library.data_dir).annotation(first).status is Status.READ


def test_wait_until_free_waits_for_the_peer_and_takes_nothing(library: Library, peer: FileLock):
    assert library.wait_until_free(0) is False
    assert library.wait_until_free(0.05) is False
    threading.Timer(0.2, peer.release).start()
    found: list[bool] = []
    waiter = threading.Thread(target=lambda: found.append(library.wait_until_free(30)))
    waiter.start()
    waiter.join(timeout=30)
    assert found == [True]
    library.wait_for_writers(0)
    library.set_status([library.abstract_at(0).id], Status.READ)  # not held by the waiter
