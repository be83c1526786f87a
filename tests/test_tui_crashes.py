"""The app does not crash, hang or drop keys when keys come faster than it draws.

`burst` sends keys the way a paste, a fast typist over SSH or a held key delivers
them: all queued before the app has handled the first. Pilot's `press` waits for
each key to be handled, so it cannot show these bugs.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.app import _character_to_key
from textual.command import CommandInput, CommandPalette
from textual.widgets import Input

from reader.core.library import Library
from reader.core.models import Status
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen

WIDE = (120, 40)
NARROW = (80, 24)


def burst(app: ReaderApp, *keys: str) -> None:
    """Queue `keys` (Textual key names or characters) at once, without waiting."""
    assert app._driver is not None
    for key in keys:
        character = key if len(key) == 1 else {"enter": "\r", "space": " "}.get(key)
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        event = events.Key(name, character)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot) -> None:
    """Wait until the queued keys are handled (the screen may change on the way)."""
    for _ in range(4):
        await pilot.pause()


def main(app: ReaderApp) -> MainScreen:
    assert app.screen_stack == [app.screen], app.screen_stack
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


# ---------------------------------------------------------------- enter twice in a dialog


@pytest.mark.parametrize(
    "keys",
    [
        ("s", "enter", "enter"),  # status picker: OptionSelected twice
        ("t", "enter", "enter"),  # tag prompt: Input.Submitted twice
        ("T", "enter", "enter"),  # title prompt
        ("V", "enter", "enter"),  # save-view prompt
        ("t", "x", "enter", "enter", "enter"),
        ("ctrl+p", "enter", "enter"),  # the command palette
    ],
    ids=lambda keys: " ".join(keys),
)
async def test_enter_twice_in_a_dialog_closes_it_once(library: Library, keys: tuple[str, ...]):
    app = ReaderApp(library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        burst(app, *keys)
        await settle(pilot)
        screen = main(app)  # the main screen is still there, alone
        assert app.is_running
        assert screen.focused is screen.abstract_list  # the late enter did not open the detail


async def test_a_dialog_result_is_applied_once(library: Library):
    app = ReaderApp(library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        first = library.abstract_at(0).id
        await pilot.press("t")  # (keys typed before the prompt shows are another matter)
        burst(app, "x", "y", "enter", "enter")
        await settle(pilot)
        screen = main(app)
        assert list(library.annotation(first).tags) == ["xy"]
        assert len(screen.history.done) == 1
        assert screen.focused is screen.abstract_list


async def test_status_picked_with_enter_twice_is_set_once(library: Library):
    app = ReaderApp(library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        first = library.abstract_at(0).id
        burst(app, "s", "down", "down", "down", "enter", "enter")
        await settle(pilot)
        screen = main(app)
        assert library.annotation(first).status is Status.READ
        assert len(screen.history.done) == 1
        assert screen.focused is screen.abstract_list


# ---------------------------------------------------------------- the command palette


@pytest.mark.parametrize("keys", [("pageup",), ("pagedown",), ("pageup", "pagedown", "pageup")])
async def test_page_keys_in_a_new_palette_do_not_crash(library: Library, keys: tuple[str, ...]):
    app = ReaderApp(library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        burst(app, "ctrl+p", *keys)  # before the command list has been laid out
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("pagedown", "pageup")  # and once it is shown, they page
        await pilot.press("escape")
        main(app)


async def test_a_key_that_reaches_a_closed_palette_does_not_crash(library: Library):
    app = ReaderApp(library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+p")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        command_input = palette.query_one(CommandInput)
        await pilot.press("escape")
        # In random-key runs, letters typed just before escape reached the palette's
        # input after it had closed; this is the handler their Input.Changed runs.
        palette._input(Input.Changed(command_input, "sort"))
        await settle(pilot)
        main(app)


async def test_a_palette_command_chosen_with_enter_twice_runs_once(library: Library):
    app = ReaderApp(library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+p")
        for char in "mark all":
            await pilot.press(char)
        await pilot.pause()
        burst(app, "enter", "enter")
        await settle(pilot)
        screen = main(app)
        assert len(screen.abstract_list.marked) == len(library)
