"""A view is never replaced without asking: names compare without case; saving or
renaming onto a taken name needs `replace` (core), `--force` (CLI) or a yes (app)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from textual import events
from textual.widgets import Input

from reader.cli import cli
from reader.core.errors import ReaderError
from reader.core.library import Library
from reader.core.views import View, ViewExistsError
from reader.tui.app import ReaderApp
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.copy_menu import CopyMenu
from reader.tui.screens.main import MainScreen
from tests.tui.conftest import RunApp


def on_disk(data_dir: Path) -> dict[str, str]:
    """The views another process sees now."""
    return {v.name: v.query for v in Library(data_dir).views()}


# ----------------------------------------------------------------- core
def test_saving_onto_a_name_in_another_case_is_refused(library: Library, data_dir: Path):
    library.save_view("Later", "tag:later")
    with pytest.raises(ViewExistsError) as raised:
        library.save_view("  later ", "tag:soon")
    assert raised.value.existing == View("Later", "tag:later")
    assert "'Later' already exists: tag:later" in str(raised.value)
    assert on_disk(data_dir) == {"Later": "tag:later"}


def test_replace_true_replaces_whatever_case_it_had(library: Library, data_dir: Path):
    library.save_view("Later", "tag:later")
    assert library.save_view("LATER", "tag:soon", replace=True) == View("LATER", "tag:soon")
    assert on_disk(data_dir) == {"LATER": "tag:soon"}


def test_replacing_a_view_shown_to_the_user_only_if_it_is_unchanged(
    library: Library, data_dir: Path
):
    library.save_view("Later", "tag:later")
    shown = library.view("later")
    assert shown == View("Later", "tag:later")
    Library(data_dir).save_view("Later", "tag:other", replace=True)  # another process
    with pytest.raises(ViewExistsError) as raised:
        library.save_view("Later", "tag:mine", replace=shown)
    assert raised.value.existing == View("Later", "tag:other")
    assert on_disk(data_dir) == {"Later": "tag:other"}
    library.save_view("Later", "tag:mine", replace=raised.value.existing)
    assert on_disk(data_dir) == {"Later": "tag:mine"}


def test_rename_onto_a_taken_name_is_refused_unless_replace(library: Library, data_dir: Path):
    library.save_view("Later", "tag:later")
    library.save_view("Soon", "tag:soon")
    with pytest.raises(ViewExistsError, match="'Soon' already exists: tag:soon"):
        library.rename_view("Later", "soon")
    assert on_disk(data_dir) == {"Later": "tag:later", "Soon": "tag:soon"}
    library.rename_view("later", "soon", replace=True)
    assert on_disk(data_dir) == {"soon": "tag:later"}


def test_rename_to_another_case_of_its_own_name_is_a_rename(library: Library, data_dir: Path):
    library.save_view("later", "tag:later")
    assert library.rename_view("later", "Later") == View("Later", "tag:later")
    assert on_disk(data_dir) == {"Later": "tag:later"}


def test_rename_and_delete_find_the_view_in_any_case(library: Library, data_dir: Path):
    library.save_view("Later", "tag:later")
    with pytest.raises(ReaderError, match="no view named 'nope'"):
        library.rename_view("nope", "x")
    library.delete_view("LATER")
    assert on_disk(data_dir) == {}


# ----------------------------------------------------------------- CLI
@pytest.fixture
def run(library: Library, data_dir: Path):
    library.save_view("Later", "tag:later")
    library.close()

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])

    return invoke


def one_line_error(result: Result, *parts: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: error: "), result.output
    for part in parts:
        assert part in lines[0], (part, lines[0])


def test_cli_add_onto_a_taken_name_needs_force(run, data_dir: Path):
    one_line_error(
        run("view", "add", "later", "tag:soon"),
        "'Later' already exists: tag:later",
        "--force",
    )
    assert on_disk(data_dir) == {"Later": "tag:later"}
    result = run("view", "add", "later", "tag:soon", "--force")
    assert result.exit_code == 0, result.output
    assert on_disk(data_dir) == {"later": "tag:soon"}


def test_cli_rename(run, data_dir: Path):
    assert run("view", "add", "Soon", "tag:soon").exit_code == 0
    one_line_error(run("view", "rename", "Later", "SOON"), "'Soon' already exists: tag:soon")
    assert on_disk(data_dir) == {"Later": "tag:later", "Soon": "tag:soon"}
    one_line_error(run("view", "rename", "nope", "x"), "no view named 'nope'")
    result = run("view", "rename", "Later", "Soon", "--force")
    assert result.exit_code == 0 and "renamed to 'Soon'" in result.output
    assert on_disk(data_dir) == {"Soon": "tag:later"}
    assert run("view", "rename", "Soon", "Week").exit_code == 0
    assert on_disk(data_dir) == {"Week": "tag:later"}


# ----------------------------------------------------------------- the app
async def save_as(pilot, app: ReaderApp, name: str) -> None:
    """Filter by `reasoning`, then V and save under `name`."""
    await pilot.press("slash", *"reasoning", "escape", "V")
    await pilot.pause()
    app.screen.query_one(Input).value = name
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("key", ["n", "escape"])
async def test_saving_onto_a_taken_name_asks_and_no_keeps_it(
    run_app: RunApp, library: Library, data_dir: Path, key: str
):
    library.save_view("Later", "tag:later")
    async with run_app(library) as pilot:
        app = pilot.app
        await save_as(pilot, app, "later")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        body = str(dialog.query_one("#confirm-body").render())
        assert "It shows: tag:later" in body and "It would show: reasoning" in body
        assert on_disk(data_dir) == {"Later": "tag:later"}  # nothing written while asking
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert on_disk(data_dir) == {"Later": "tag:later"}


async def test_saving_onto_a_taken_name_and_yes_replaces_it(
    run_app: RunApp, library: Library, data_dir: Path
):
    library.save_view("Later", "tag:later")
    async with run_app(library) as pilot:
        app = pilot.app
        await save_as(pilot, app, "later")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert on_disk(data_dir) == {"later": "reasoning"}


async def test_enter_pressed_twice_on_the_name_does_not_answer_the_question(
    run_app: RunApp, library: Library, data_dir: Path
):
    library.save_view("Later", "tag:later")
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("slash", *"reasoning", "escape", "V")
        await pilot.pause()
        app.screen.query_one(Input).value = "later"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # pressed once too often: not a yes
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert on_disk(data_dir) == {"Later": "tag:later"}


async def test_a_view_changed_while_the_dialog_is_open_is_asked_about_again(
    run_app: RunApp, library: Library, data_dir: Path
):
    library.save_view("Later", "tag:later")
    async with run_app(library) as pilot:
        app = pilot.app
        await save_as(pilot, app, "Later")
        assert isinstance(app.screen, ConfirmScreen)
        Library(data_dir).save_view("Later", "tag:other", replace=True)  # another process
        await pilot.press("y")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)  # not replaced: what was shown changed
        assert "It shows: tag:other" in str(dialog.query_one("#confirm-body").render())
        assert on_disk(data_dir) == {"Later": "tag:other"}
        await pilot.press("n")
        await pilot.pause()
    assert on_disk(data_dir) == {"Later": "tag:other"}


async def test_palette_rename_onto_a_taken_name_asks(
    run_app: RunApp, library: Library, data_dir: Path
):
    library.save_view("Later", "tag:later")
    library.save_view("Soon", "tag:soon")
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Rename view Later")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one(Input).value = "soon"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert on_disk(data_dir) == {"Later": "tag:later", "Soon": "tag:soon"}
        assert isinstance(app.screen, MainScreen)
        app.screen.rename_view("Later")
        await pilot.pause()
        app.screen.query_one(Input).value = "soon"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert on_disk(data_dir) == {"soon": "tag:later"}


def burst(app: ReaderApp, *keys: str) -> None:
    """Queue `keys` at once, as a paste or a held key sends them (Pilot's `press`
    waits for each key to be handled, so it cannot send two before the dialog closes)."""
    assert app._driver is not None
    for key in keys:
        event = events.Key(key, "\r" if key == "enter" else key)
        event.set_sender(app)
        app._driver.send_message(event)


@pytest.mark.parametrize("keys", [("y", "y"), ("y", "enter"), ("n", "escape")])
async def test_a_second_key_queued_behind_the_answer_does_not_close_the_main_screen(
    run_app: RunApp, library: Library, data_dir: Path, keys: tuple[str, str]
):
    library.save_view("Later", "tag:later")
    async with run_app(library) as pilot:
        app = pilot.app
        await save_as(pilot, app, "later")
        assert isinstance(app.screen, ConfirmScreen)
        burst(app, *keys)
        for _ in range(4):
            await pilot.pause()
        stack = app.screen_stack
        assert isinstance(stack[0], MainScreen)
        # the second `y` reaches the main screen: its copy menu (issue 15) may be on top
        assert all(isinstance(s, CopyMenu) for s in stack[1:]), stack
        assert len(stack) == 1 or keys == ("y", "y")
    replaced = keys[0] != "n"
    assert on_disk(data_dir) == ({"later": "reasoning"} if replaced else {"Later": "tag:later"})
