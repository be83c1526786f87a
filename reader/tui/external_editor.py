"""Edit a text in the user's own editor ($VISUAL, else $EDITOR, else vi)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported


class EditorError(Exception):
    """The editor could not be run, or it failed; the message says why."""


def editor_command() -> str:
    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"


def edit_text(app: App[object], text: str, *, name: str = "note", suffix: str = ".md") -> str:
    """Hand the terminal to the editor on a temporary file holding `text`; the edited
    text comes back when the editor exits successfully. Raises EditorError."""
    command = editor_command()
    safe = "".join(c if c.isalnum() or c in "-." else "_" for c in name)
    with tempfile.NamedTemporaryFile(
        "w", suffix=suffix, prefix=f"reader-{safe}-", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(text)
    path = Path(handle.name)
    try:
        try:
            with app.suspend():
                done = subprocess.run([*shlex.split(command), str(path)], check=False)
        except SuspendNotSupported:
            raise EditorError("this terminal cannot hand over to an editor") from None
        except (OSError, ValueError) as error:
            raise EditorError(f"cannot run {command!r}: {error}") from None
        if done.returncode != 0:
            raise EditorError(f"{command} exited with status {done.returncode}")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
