"""Edit a note in the user's own editor ($VISUAL, else $EDITOR, else vi).

The one way reader launches an editor: the CLI (`reader note ID`) calls `edit_note`
directly, the app (`e`) calls it with the terminal handed over (tui/external_editor.py).

The note goes to a temporary file; the editor runs on it; whatever the editor left in
the file is then saved as an edit of the note as it was when editing began (its base),
so a note changed meanwhile is merged, or both versions kept, never overwritten (see
`Library.set_note`). The file is removed only once its text is safe:

- saved in the library, or, when that fails (disk full, lock held), kept as a draft in
  the journal with its base, which the next start recovers; if even that fails, the
  file stays and the user is told where it is;
- also when the editor exits non-zero: the text it saved is applied, and the user is
  told about the exit status;
- also when the terminal closes (SIGHUP) or the process is asked to stop (SIGTERM)
  while the editor runs: the signal is forwarded to the editor, which gets `GRACE`
  seconds to save and exit before it is killed; then the text is applied and the
  caller is told which signal came, so that it exits (the CLI with 128 + signal).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType

from reader.core.changes import Change
from reader.core.errors import ReaderError
from reader.core.library import Library

GRACE = 3.0
"""Seconds the editor gets to save and exit after a forwarded SIGHUP/SIGTERM."""
FORWARDED = (signal.SIGHUP, signal.SIGTERM)
"""Signals that, while the editor runs, are passed on to it and end the edit."""


class EditorError(ReaderError):
    """The editor cannot be run; the message says why, on one line."""


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """The editor's argv from $VISUAL, else $EDITOR, else vi, with its program found
    on PATH; raises EditorError when it cannot be run (so before any terminal is
    handed over)."""
    env = os.environ if environ is None else environ
    raw = env.get("VISUAL") or env.get("EDITOR") or "vi"
    try:
        argv = shlex.split(raw)
    except ValueError as error:
        raise EditorError(
            f"cannot run the editor {raw!r}: {error} (set $VISUAL or $EDITOR)"
        ) from None
    if not argv:
        raise EditorError("the editor command is empty (set $VISUAL or $EDITOR)")
    program = shutil.which(argv[0], path=env.get("PATH"))
    if program is None:
        raise EditorError(
            f"cannot run the editor {raw!r}: {argv[0]!r} is not an executable program "
            "(set $VISUAL or $EDITOR)"
        )
    return [program, *argv[1:]]


@dataclass(frozen=True)
class NoteEdit:
    """What an editing session of one note did."""

    record_id: str
    change: Change | None = None
    """The save, when the text changed and was saved (its `notice` tells of a merge)."""
    signal: int | None = None
    """SIGHUP or SIGTERM, when one came while editing: the caller should now exit."""
    problems: list[str] = field(default_factory=list)
    """One-line messages for the user: the editor failed, the note was kept as a draft
    or in a file instead of saved."""

    @property
    def saved(self) -> bool:
        return self.change is not None and bool(self.change.edits)


class _Signals:
    """While editing: SIGHUP and SIGTERM are noted and forwarded to the editor (killed
    `grace` seconds later if it is still running); ctrl+c belongs to the editor.

    Only the main thread can set signal handlers; elsewhere nothing is caught.
    """

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.received: int | None = None
        self._child: subprocess.Popen[bytes] | None = None
        self._timer: threading.Timer | None = None
        self._old: dict[int, object] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for number in FORWARDED:
                self._old[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for number, handler in self._old.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
        if self._timer is not None:
            self._timer.cancel()

    def run(self, argv: Sequence[str]) -> int:
        """Run the editor until it exits; its exit status (negative: killed by a signal)."""
        child = subprocess.Popen(argv)
        self._child = child
        previous = None
        if self._old:  # ignored here only now: a child inherits an ignored SIGINT
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if self.received is not None:  # it came while the editor was starting
                self._forward(self.received)
            return child.wait()
        finally:
            self._child = None
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def _handle(self, number: int, _frame: FrameType | None) -> None:
        if self.received is None:
            self.received = number
            if self._child is not None:
                self._forward(number)

    def _forward(self, number: int) -> None:
        child = self._child
        if child is None or child.poll() is not None:
            return
        try:
            child.send_signal(number)
        except OSError:
            return
        self._timer = threading.Timer(self.grace, _kill, (child,))
        self._timer.daemon = True
        self._timer.start()


def _kill(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):  # it exited meanwhile
        child.kill()


def edit_note(
    library: Library,
    record_id: str,
    *,
    command: Sequence[str] | None = None,
    grace: float = GRACE,
) -> NoteEdit:
    """Edit the note of `record_id` in the editor (`command`, else `editor_command()`)
    and save what the editor left, as an edit of the note as it was when editing began.

    Raises EditorError when the editor cannot be started (the note is untouched and
    no file is left behind). Every other outcome is in the returned `NoteEdit`.
    """
    argv = list(command) if command is not None else editor_command()
    base = library.annotation(record_id).note
    path = _write_temp(base, record_id)
    keep = False
    try:
        with _Signals(grace) as signals:
            try:
                status = signals.run([*argv, str(path)])
            except OSError as error:
                raise EditorError(
                    f"cannot run the editor {argv[0]!r}: {error.strerror or error}"
                ) from None
            problems = [] if status == 0 else [_exit_problem(argv[0], status, signals.received)]
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeError) as error:
                keep = path.exists()
                where = f"; your text is kept in {path}" if keep else ""
                problems.append(f"cannot read what the editor saved ({_reason(error)}){where}")
                return NoteEdit(record_id, None, signals.received, problems)
            change, keep, more = _apply(library, record_id, text.rstrip(), base, path)
            if problems and change is None and not more:
                problems[-1] += "; the note is unchanged"
            return NoteEdit(record_id, change, signals.received, problems + more)
    finally:
        if not keep:
            path.unlink(missing_ok=True)


def _write_temp(text: str, record_id: str) -> Path:
    """A new private file holding `text` as lines of text (so with a final newline),
    named after the record (editors show the name)."""
    safe = "".join(c if c.isalnum() or c in "-." else "_" for c in record_id)
    fd, name = tempfile.mkstemp(suffix=".md", prefix=f"reader-note-{safe}-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text if not text or text.endswith("\n") else text + "\n")
    return Path(name)


def _apply(
    library: Library, record_id: str, text: str, base: str, path: Path
) -> tuple[Change | None, bool, list[str]]:
    """Save `text` (made from `base`); else journal it as a draft; else keep the file.

    Returns the change (None when not saved), whether the file must be kept, and what
    to tell the user.
    """
    if text == base.rstrip():
        return None, False, []
    try:
        return library.set_note(record_id, text, base=base), False, []
    except ReaderError as error:
        failure = str(error)
    try:
        library.journal_draft(record_id, text, base, slot=f"{record_id} editor {path.name}")
    except ReaderError as error:
        return None, True, [f"{failure}; your text is kept in {path} ({error})"]
    return None, False, [f"{failure}; your text is kept as a draft, saved when reader next starts"]


def _exit_problem(program: str, status: int, received: int | None) -> str:
    name = Path(program).name
    if received is not None:
        return f"{name} was stopped: {signal.Signals(received).name} came while it ran"
    if status < 0:
        return f"{name} was killed by {signal.Signals(-status).name}"
    return f"{name} exited with status {status}"


def _reason(error: BaseException) -> str:
    if isinstance(error, UnicodeError):
        return "it is not UTF-8"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


__all__ = ["GRACE", "EditorError", "NoteEdit", "edit_note", "editor_command"]
