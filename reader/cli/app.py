"""Opening the app: `reader` in a terminal, and `reader app` for each tab of `reader serve`.

`reader` opens the app only when stdin and stdout are a terminal (else it prints the
list). Under `reader serve` they are textual-serve's pipes, so each tab runs the hidden
`reader app`, which opens the app whatever they are (Textual's web driver, chosen by
textual-serve through $TEXTUAL_DRIVER, draws it for the browser).

The cyclic GC is paused from here until the app's first frame (`ReaderApp` resumes it
and freezes what the start made): importing Textual and the app and building the
screen make ~100k objects that live as long as the app, and the collector ran over
them again and again, ~100 ms of every start.
"""

from __future__ import annotations

import gc

import click

from reader.cli.common import State, pass_state


def open_if_installed(state: State) -> bool:
    """The app on the state's library, as `run_app`; False when the app is not
    installed (reader without its `tui` extra, or without Textual)."""
    gc.disable()
    try:
        import reader.tui.app  # noqa: F401 - the app may not be installed
    except ModuleNotFoundError as error:
        gc.enable()
        if error.name not in ("reader.tui", "reader.tui.app", "textual"):
            raise
        return False
    run_app(state)
    return True


def run_app(state: State) -> None:
    """The app on the state's library, until the user quits (everything is saved)."""
    gc.disable()  # until the first frame (see the module docstring)
    from reader.tui.app import run_app as run

    opened = state.library(tell=False)  # the app shows the messages itself
    try:
        run(opened)
    finally:
        opened.close()  # releases the draft journal once every draft is saved


@click.command("app", hidden=True)
@pass_state
def app(state: State) -> None:
    """Open the app even when not in a terminal (what `reader serve` runs per tab)."""
    run_app(state)
