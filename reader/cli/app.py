"""Opening the app: `reader` in a terminal, and `reader app` for each tab of `reader serve`.

`reader` opens the app only when stdin and stdout are a terminal (else it prints the
list). Under `reader serve` they are textual-serve's pipes, so each tab runs the hidden
`reader app`, which opens the app whatever they are (Textual's web driver, chosen by
textual-serve through $TEXTUAL_DRIVER, draws it for the browser).
"""

from __future__ import annotations

import click

from reader.cli.common import State, pass_state


def run_app(state: State) -> None:
    """The app on the state's library, until the user quits (everything is saved)."""
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
