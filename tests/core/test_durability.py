"""Trying to lose data: SIGKILL mid-write, two writers at once.

The children are forked from the test process (it has already imported everything),
so a round costs milliseconds and 200 kills fit in a few seconds.
"""

from __future__ import annotations

import os
import random
import select
import signal
import time
import traceback
from pathlib import Path

import orjson
import pytest

from reader.core.library import Library
from reader.core.models import Status

KILLS = 200
RECORDS = 6


def _child_loop(data_dir: Path, start: int, ids: list[str], ack_fd: int) -> None:
    """Apply numbered changes forever, writing "n\\n" to ack_fd after each returns."""
    lib = Library(data_dir)
    n = start
    while True:
        key = ids[n % len(ids)]
        if n % 3 == 0:
            lib.set_note(key, f"note {n}")
        elif n % 3 == 1:
            lib.tag([key], add=[f"t{n}"])
        else:
            lib.set_status([key], list(Status)[n % 5])
        os.write(ack_fd, f"{n}\n".encode())
        n += 1


CHILD_CRASHED = 70
"""The exit status of a child whose target raised (its traceback goes to stderr)."""


def _fork(target, *args) -> tuple[int, int]:
    """Run `target(*args, ack_fd)` in a forked child: its exit status is 0 when it
    returned, CHILD_CRASHED when it raised."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = CHILD_CRASHED
        try:
            target(*args, write_fd)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)  # never back into pytest's own code
    os.close(write_fd)
    return pid, read_fd


def _read_acks(fd: int, until: float, at_least: int | None = None) -> list[int]:
    """Acks read until `until`, or as soon as `at_least` complete ones arrived."""
    buffer = _PARTIAL.pop(fd, b"")
    while at_least is None or buffer.count(b"\n") < at_least:
        timeout = max(0.0, until - time.monotonic())
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buffer += chunk
    complete, _, rest = buffer.rpartition(b"\n")
    _PARTIAL[fd] = rest
    return [int(line) for line in complete.split(b"\n") if line]


_PARTIAL: dict[int, bytes] = {}
"""A line cut in two between reads, by pipe."""


def _drain(fd: int) -> list[int]:
    data = _PARTIAL.pop(fd, b"")
    while chunk := os.read(fd, 65536):
        data += chunk
    os.close(fd)
    return [int(line) for line in data.split(b"\n")[:-1]]


@pytest.fixture
def small_library(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    Library.open(data).close()
    return data


def test_sigkill_at_random_moments_never_loses_an_acknowledged_change(small_library: Path):
    rng = random.Random(1234)
    ids = Library(small_library).ids()[:RECORDS]
    acked: list[int] = []
    in_flight: list[int] = []
    start = 0
    for _ in range(KILLS):
        pid, fd = _fork(_child_loop, small_library, start, ids)
        # wait for the first change (opening costs more on a loaded machine), then kill
        # at a random moment of the write loop
        early = _read_acks(fd, time.monotonic() + 20, at_least=1)
        early += _read_acks(fd, time.monotonic() + rng.uniform(0.0, 0.02))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        # killed by us mid-loop; a child that crashed first would have exited on its own
        assert os.waitstatus_to_exitcode(status) == -signal.SIGKILL
        got = early + _drain(fd)
        acked += got
        in_flight.append(max(got) + 1 if got else start)
        start = in_flight[-1] + 1  # the change in flight may or may not have landed

        # the files parse, and every acknowledged change is there
        for name in ("user.json", "corpus.json"):
            orjson.loads((small_library / name).read_bytes())
    lib = Library(small_library)
    assert len(acked) > KILLS  # the children did real work between kills
    last_note: dict[str, int] = {}
    last_status: dict[str, int] = {}
    for n in acked:
        key = ids[n % len(ids)]
        if n % 3 == 0:
            last_note[key] = n
        elif n % 3 == 1:
            assert f"t{n}" in lib.annotation(key).tags, f"lost tag of change {n}"
        else:
            last_status[key] = n
    for key, n in last_note.items():
        # the last acknowledged note, or one written after it by the change in flight
        assert int(lib.annotation(key).note.split()[1]) >= n
    for key, n in last_status.items():
        maybe = [m for m in in_flight if m > n and m % 3 == 2 and ids[m % len(ids)] == key]
        assert lib.annotation(key).status in {list(Status)[m % 5] for m in [n, *maybe]}


def _writer(data_dir: Path, name: str, ids: list[str], count: int, ack_fd: int) -> None:
    lib = Library(data_dir)
    for n in range(count):
        lib.tag([ids[n % len(ids)]], add=[f"{name}{n}"])
    os.write(ack_fd, b"done\n")


def test_two_processes_writing_at_once_lose_nothing(small_library: Path):
    ids = Library(small_library).ids()[:RECORDS]
    children = [_fork(_writer, small_library, name, ids, 200) for name in ("a", "b")]
    for pid, fd in children:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        os.close(fd)
    lib = Library(small_library)
    tags = {t for key in ids for t in lib.annotation(key).tags}
    assert len(tags) == 400
    assert tags == {f"{p}{n}" for p in "ab" for n in range(200)}
