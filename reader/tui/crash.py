"""What the app leaves behind when it stops on an error: the traceback, in a file.

Textual restores the terminal and prints a traceback, but exits with status 0 unless
asked; `run_app` asks (`App.return_code`), writes the traceback to a file with
`write_crash_report` and says where on stderr. Every change was on disk before the
error, so a crash loses nothing the user saved.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from pathlib import Path

from textual.worker import WorkerFailed


def crash_text(error: BaseException | None) -> str:
    """The traceback of `error` (of the error inside, for a failed worker)."""
    if error is None:
        return "The app stopped with an error, and Textual kept no exception.\n"
    if isinstance(error, WorkerFailed):
        error = error.error
    return "".join(traceback.format_exception(error))


def write_crash_report(error: BaseException | None, folder: Path) -> Path | None:
    """Write the traceback of `error` to a new file in `folder` (else in the temp
    folder); its path, or None when neither could be written."""
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    text = crash_text(error)
    for place in (folder, Path(tempfile.gettempdir())):
        path = place / name
        try:
            path.write_text(text, encoding="utf-8")
        except OSError:
            continue
        return path
    return None
