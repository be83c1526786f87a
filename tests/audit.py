"""A change audit for randomized concurrency tests: log every write, replay, compare.

`install(path, side)` wraps the `Library` methods that change annotations in this
process so that every call is logged to `path` (JSON lines): the call and its
arguments, and then either the field edits it made, with the time they were written
(CLOCK_MONOTONIC, taken under the lock, so the logs of all processes order into the
one sequence in which the writes happened) or the message it was refused with.

`check(logs, data_dir)` then proves, from the logs and the disk alone:
- every write was logged and the disk holds exactly what the logged edits leave:
  replaying them in time order, each edit's `before` is what the field held (no
  unlogged write came between) and the final state equals the disk, field by field;
- each call touched only what it asked for (a tag call only those tags, a status
  call only the status, an undo only the fields of the change it undoes, back to their
  old values; a note save wrote the merge of what it found with what was typed).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from reader.core.changes import Change, ConflictError, Edit
from reader.core.errors import ReaderError
from reader.core.library import Library
from reader.core.merge import merge_note
from reader.core.models import EMPTY

_state = threading.local()


def _plain(value: Any) -> Any:
    return str(value) if hasattr(value, "value") else value  # Status -> "read"


def _edits(edits: Iterable[Edit]) -> list[list[Any]]:
    return [[e.id, e.field, _plain(e.before), _plain(e.after)] for e in edits]


def install(path: Path, side: str) -> Callable[[], None]:
    """Log every annotation change this process makes to `path`; returns the undo."""
    handle = open(path, "ab")  # noqa: SIM115 - closed by the returned function
    saved = {name: getattr(Library, name) for name in _WRAPPED}
    changes: dict[int, Change] = {}
    """Changes returned to callers, by id(): what an undo or redo refers to."""

    def log(entry: dict[str, Any]) -> None:
        handle.write(orjson.dumps(entry) + b"\n")
        handle.flush()

    real_write = Library._write_edits

    def write_edits(self: Library, edits: Any) -> None:
        real_write(self, edits)
        _state.written = time.monotonic_ns()  # still under the lock

    Library._write_edits = write_edits  # type: ignore[method-assign]

    def wrap(name: str, describe: Any) -> None:
        real = getattr(Library, name)

        @functools.wraps(real)
        def logged(self: Library, *args: Any, **kwargs: Any) -> Any:
            _state.written = None
            entry: dict[str, Any] = {"side": side, "call": name, **describe(*args, **kwargs)}
            try:
                change = real(self, *args, **kwargs)
            except ReaderError as error:
                entry["refused"] = str(error)
                entry["conflict"] = isinstance(error, ConflictError)
                log(entry)
                raise
            changes[id(change)] = change
            entry["edits"] = _edits(change.edits)
            entry["t"] = _state.written
            log(entry)
            return change

        setattr(Library, name, logged)

    def of_change(change: Change) -> dict[str, Any]:
        return {"of": _edits(change.edits)}

    wrap("set_status", lambda ids, status, seen=None: {"ids": list(ids), "value": str(status)})
    wrap(
        "tag",
        lambda ids, add=(), remove=(): {"ids": list(ids), "add": list(add), "remove": list(remove)},
    )
    wrap("set_note", lambda i, text, base=None: {"ids": [i], "text": text, "base": base})
    wrap("append_note", lambda i, text: {"ids": [i], "text": text})
    wrap("set_title", lambda i, text, seen=None: {"ids": [i], "text": text})
    wrap("undo", of_change)
    wrap("redo", of_change)

    def uninstall() -> None:
        for name, method in saved.items():
            setattr(Library, name, method)
        handle.close()

    return uninstall


_WRAPPED = (
    "_write_edits",
    "set_status",
    "tag",
    "set_note",
    "append_note",
    "set_title",
    "undo",
    "redo",
)


def read_logs(paths: Iterable[Path]) -> list[dict[str, Any]]:
    entries = []
    for path in paths:
        if path.exists():
            entries += [orjson.loads(line) for line in path.read_bytes().splitlines() if line]
    return entries


def _value(annotation: Any, field: str) -> Any:
    if field.startswith("#"):
        return field[1:] in annotation.tags
    return _plain(getattr(annotation, field))


def _intent_problems(entry: dict[str, Any]) -> list[str]:
    """What a logged call wrote beyond what it asked for."""
    call, edits, ids = entry["call"], entry["edits"], set(entry.get("ids", ()))
    problems = []
    for record, field, before, after in edits:
        where = f"{entry['side']} {call}: {record} {field} {before!r} -> {after!r}"
        if call == "set_status":
            ok = record in ids and field == "status" and after == entry["value"]
        elif call == "tag":
            name = field[1:]
            ok = (
                record in ids
                and field.startswith("#")
                and (
                    (after is True and name in entry["add"])
                    or (after is False and name in entry["remove"])
                )
            )
        elif call == "append_note":
            text = entry["text"]
            expected = f"{before.rstrip()}\n\n{text}" if before.strip() else text
            ok = record in ids and field == "note" and after == expected
        elif call == "set_note":
            base = entry["base"]
            ok = record in ids and field == "note"
            if base is not None:
                ok = ok and after == merge_note(base, before, entry["text"]).text
        elif call == "set_title":
            ok = record in ids and field == "title" and after == " ".join(entry["text"].split())
        elif call in ("undo", "redo"):
            old = {(r, f): (b, a) for r, f, b, a in entry["of"]}
            pair = old.get((record, field))
            target = None if pair is None else pair[0] if call == "undo" else pair[1]
            ok = pair is not None and after == target
        else:
            ok = False
        if not ok:
            problems.append(where)
    return problems


def check(entries: list[dict[str, Any]], data_dir: Path) -> dict[str, int]:
    """Assert the logged writes explain the disk exactly; returns counts for a report."""
    writes = sorted((e for e in entries if e.get("edits")), key=lambda e: e["t"])
    assert all(e["t"] is not None for e in writes), "an acknowledged change was never written"
    state: dict[tuple[str, str], Any] = {}
    problems: list[str] = []
    for entry in writes:
        problems += _intent_problems(entry)
        for record, field, before, after in entry["edits"]:
            held = state.get((record, field), _value(EMPTY, field))
            if held != before:
                problems.append(
                    f"{entry['side']} {entry['call']} found {field} of {record} = {before!r}, "
                    f"but the logged writes left {held!r}: an unlogged write came between"
                )
            state[(record, field)] = after
    disk = Library(data_dir)
    for record, annotation in disk.annotations().items():
        for field in ("status", "note", "title"):
            expected = state.get((record, field), _value(EMPTY, field))
            if _value(annotation, field) != expected:
                problems.append(
                    f"disk {record} {field}: {_value(annotation, field)!r}, "
                    f"logged writes leave {expected!r}"
                )
        for tag in annotation.tags:
            if not state.get((record, f"#{tag}"), False):
                problems.append(f"disk {record} has #{tag}, which no logged write left")
    for (record, field), value in state.items():
        if _value(disk.annotation(record), field) != value:
            problems.append(f"disk {record} {field} is not {value!r} as the writes left it")
    assert not problems, "\n".join(problems[:20])
    refused = [e for e in entries if "refused" in e]
    assert all(e["refused"] for e in refused), "a refusal without a message"
    return {
        "calls": len(entries),
        "writes": len(writes),
        "edits": sum(len(e["edits"]) for e in writes),
        "refused": len(refused),
        "conflicts": sum(1 for e in refused if e.get("conflict")),
        "app": sum(1 for e in writes if e["side"] == "app"),
        "cli": sum(1 for e in writes if e["side"] == "cli"),
        "merged notes": sum(
            1
            for e in writes
            if e["call"] == "set_note"
            and e["base"] is not None
            and e["edits"]
            and e["edits"][0][2] != e["base"]
        ),
    }
