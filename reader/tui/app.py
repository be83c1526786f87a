"""The reader app: a thin shell that opens the main screen over a Library."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sys
import threading
from typing import ClassVar

from textual.app import App
from textual.binding import BindingType
from textual.markup import escape

from reader.core.keymap import keymap_path
from reader.core.library import Library
from reader.tui.crash import write_crash_report
from reader.tui.environment import in_browser
from reader.tui.keys import APP_BINDINGS, user_keymap
from reader.tui.screens.main import MainScreen
from reader.tui.widgets.library_header import display_path

EXIT_GRACE = 2.0
"""Seconds a signalled app may take to shut down before it exits without Textual."""
LOCK_WAIT = 0.0
"""Seconds the UI thread waits for another process's write (the CLI waits 15 s): none.
A change that finds the lock held waits in a queue instead (`reader.tui.pending`), and
the app stays responsive."""
SAVE_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that end the app after saving what is pending (every change is on disk)."""
SERVER_CHECK = 1.0
"""Seconds between checks, in a browser tab, that `reader serve` is still there."""


class ReaderApp(App[None]):
    """Read and triage the abstracts of one Library."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    BINDINGS: ClassVar[list[BindingType]] = list(APP_BINDINGS)

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        library.wait_for_writers(LOCK_WAIT)
        keymap, self.keymap_problems = user_keymap()
        """What was wrong in keys.toml (shown at start; those entries are skipped)."""
        if keymap:
            self.set_keymap(keymap)
        self._watchdog: threading.Timer | None = None
        self.main: MainScreen
        """The main screen (it holds the changes waiting for another process)."""
        self._server = 0
        """In a browser tab: the process id of `reader serve`, checked every second."""

    def get_default_screen(self) -> MainScreen:
        self.main = MainScreen(self.library)
        return self.main

    async def action_quit(self) -> None:
        """q: quit, once the changes waiting for another process are made (or q again)."""
        if self.main.pending.ask_to_quit():
            self.exit()

    def on_mount(self) -> None:
        self.call_after_refresh(self._started)
        for message in self.library.messages:
            self.notify(message, timeout=8)
        if self.keymap_problems:
            lines = "\n".join(f"• {escape(line)}" for line in self._keymap_problems())
            self.notify(
                f"{lines}\nThe other keys apply (see ? or `reader keys`).",
                title=f"{display_path(keymap_path())}: {len(self.keymap_problems)} problem(s)",
                severity="warning",
                timeout=15,
            )
        if in_browser(self):  # a server killed without telling its apps (SIGKILL)
            self._server = os.getppid()  # leaves them with nobody to read their screens
            self.set_interval(SERVER_CHECK, self._check_server)
        loop = asyncio.get_running_loop()
        for number in SAVE_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self.save_and_exit)

    def _started(self) -> None:
        """The first frame is on screen. The command line paused the cyclic GC for the
        start (`reader.cli.app`): what the start made lives as long as the app, so it
        is frozen out of every later collection, and the collector runs from now on.
        (Not paused, as in tests: nothing to do.)"""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def _check_server(self) -> None:
        if os.getppid() != self._server:  # the server is gone: its tab with it
            self.save_and_exit()

    def on_exit_app(self) -> None:
        """Every way out saves open notes first: q, a signal, and a browser tab that
        closed or ctrl+c on `reader serve` (Textual's web driver posts ExitApp)."""
        self._save_pending()

    def on_unmount(self) -> None:
        # The watchdog, once armed, stays armed: unmounting is where a shutdown on a
        # closed terminal can block, which is what it is there for.
        loop = asyncio.get_running_loop()
        for number in SAVE_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(number)

    def save_and_exit(self) -> None:
        """SIGTERM, or SIGHUP when the terminal closes: save open notes, exit cleanly."""
        self._save_pending()
        # With the terminal gone (SIGHUP), Textual's shutdown can block on the dead tty
        # and leave the process behind: give it EXIT_GRACE seconds, then leave anyway.
        # Everything is on disk by now, so there is nothing left to lose. Not headless
        # (run_test): there is no terminal to block on, and the process is the tests'.
        if self._watchdog is None and not self.is_headless:
            self._watchdog = threading.Timer(EXIT_GRACE, self._exit_now)
            self._watchdog.daemon = True
            self._watchdog.start()
        self.exit()

    def _save_pending(self) -> None:
        """Save open notes, and make the changes still waiting for another process."""
        from reader.tui.screens.note_editor import NoteEditor

        for screen in self.screen_stack:
            if isinstance(screen, NoteEditor):
                screen.save_now()
        if hasattr(self, "main"):  # (not before the main screen exists)
            self.main.pending.finish()  # what still waits for another process: said at exit

    def _exit_now(self) -> None:
        self.library.close()
        os._exit(0)

    def action_command_palette(self) -> None:
        """ctrl+p: Textual's palette, with its crashes worked around (`ReaderPalette`)."""
        from reader.tui.screens.command_palette import ReaderPalette

        if self.use_command_palette and not isinstance(self.screen, ReaderPalette):
            self.push_screen(ReaderPalette(id="--command-palette"))

    def action_help(self) -> None:
        rows = getattr(self.screen, "help_rows", None)
        if rows is not None:
            from reader.tui.screens.help import HelpScreen

            keys_file = display_path(keymap_path())
            self.push_screen(HelpScreen(rows(), keys_file, self._keymap_problems()))

    def _keymap_problems(self) -> list[str]:
        """The problems of keys.toml without the file name each starts with."""
        return [p.removeprefix(f"{keymap_path()}: ") for p in self.keymap_problems]


def run_app(library: Library) -> None:
    """Run the app on `library` until the user quits (every change is already saved).

    After a crash (Textual has restored the terminal and printed the traceback), write
    the traceback to a file, say where on stderr, and exit with status 1.
    """
    app = ReaderApp(library)
    app.run()
    with contextlib.suppress(OSError):  # (after SIGHUP there may be no terminal left)
        for label in app.main.pending.dropped:
            print(
                f"reader: not saved (another reader process was still writing): {label}",
                file=sys.stderr,
            )
    if app.return_code:  # Textual sets 1 when an error stopped the app
        error = app._exception  # (Textual keeps the first unhandled error here)
        path = write_crash_report(error, library.data_dir)
        where = f"The traceback is in {path}" if path else "The traceback could not be saved"
        print(f"reader: the app stopped on an error. {where}", file=sys.stderr)
        raise SystemExit(app.return_code)
