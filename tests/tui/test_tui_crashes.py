"""The app does not crash, hang or drop keys when keys come faster than it draws.

`burst` sends keys the way a paste, a fast typist over SSH or a held key delivers
them: all queued before the app has handled the first. Pilot's `press` waits for
each key to be handled, so it cannot show these bugs.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path

import pytest
from textual import events
from textual.app import _character_to_key
from textual.command import CommandInput, CommandPalette
from textual.widgets import Input
from textual.worker import WorkerCancelled

from reader.core.library import Library
from reader.core.models import Status
from reader.tui import app as app_module
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.prompt import PromptScreen
from tests.tui.conftest import NARROW, WIDE, RunApp
from tests.waiting import until


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
    """Wait until the queued keys are handled: the screens, focus and workers stay as
    they are for five frames in a row (a loaded machine handles a burst over several)."""
    app = pilot.app
    last, same = None, 0
    deadline = time.monotonic() + 20
    while same < 5 and time.monotonic() < deadline:
        with contextlib.suppress(WorkerCancelled):  # a search a newer key replaced
            await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        now = (tuple(app.screen_stack), app.screen.focused)
        same = same + 1 if now == last else 0
        last = now


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
async def test_enter_twice_in_a_dialog_closes_it_once(
    run_app: RunApp, library: Library, keys: tuple[str, ...]
):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        burst(app, *keys)
        await settle(pilot)
        screen = main(app)  # the main screen is still there, alone
        assert app.is_running
        assert screen.focused is screen.abstract_list  # the late enter did not open the detail


async def test_a_dialog_result_is_applied_once(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        first = library.abstract_at(0).id
        await pilot.press("t")  # (keys typed before the prompt shows are another matter)
        burst(app, "x", "y", "enter", "enter")
        await settle(pilot)
        screen = main(app)
        assert list(library.annotation(first).tags) == ["xy"]
        assert len(screen.history.done) == 1
        assert screen.focused is screen.abstract_list


async def test_status_picked_with_enter_twice_is_set_once(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
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
async def test_page_keys_in_a_new_palette_do_not_crash(
    run_app: RunApp, library: Library, keys: tuple[str, ...]
):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        burst(app, "ctrl+p", *keys)  # before the command list has been laid out
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("pagedown", "pageup")  # and once it is shown, they page
        await pilot.press("escape")
        main(app)


async def test_a_key_that_reaches_a_closed_palette_does_not_crash(
    run_app: RunApp, library: Library
):
    async with run_app(library) as pilot:
        app = pilot.app
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


async def test_a_palette_command_chosen_with_enter_twice_runs_once(
    run_app: RunApp, library: Library
):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p")
        for char in "mark all":
            await pilot.press(char)
        await pilot.pause()
        burst(app, "enter", "enter")
        await settle(pilot)
        screen = main(app)
        assert len(screen.abstract_list.marked) == len(library)


# ---------------------------------------------------------------- after a crash


class CrashingApp(ReaderApp):
    """The app with a bug: its first key raises."""

    CSS_PATH = str(Path(app_module.__file__).parent / "reader.tcss")

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self.boom)

    def boom(self) -> None:
        raise RuntimeError("boom")

    def run(self, **kwargs):  # type: ignore[no-untyped-def, override]
        return super().run(headless=True, size=WIDE)


def test_a_crash_exits_non_zero_and_says_where_the_traceback_is(
    library: Library, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(app_module, "ReaderApp", CrashingApp)
    with pytest.raises(SystemExit) as stopped:
        app_module.run_app(library)
    assert stopped.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("reader: the app stopped on an error. The traceback is in ")
    path = Path(err.rsplit(" ", 1)[-1])
    assert path.parent == library.data_dir
    text = path.read_text()
    assert "RuntimeError: boom" in text and "in boom" in text


def test_a_crash_report_goes_to_the_temp_folder_when_the_data_folder_is_gone(tmp_path: Path):
    from reader.tui.crash import write_crash_report

    try:
        raise ValueError("bad")
    except ValueError as error:
        path = write_crash_report(error, tmp_path / "missing")
    assert path is not None and path.parent == Path(tempfile.gettempdir())
    try:
        assert "ValueError: bad" in path.read_text()
    finally:
        path.unlink()


# ---------------------------------------------------------------- keys right after /


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x40", "80x24"])
@pytest.mark.parametrize("typed", ["OOCR", "oesnt", "a/b"])
async def test_every_key_after_slash_reaches_the_filter(
    run_app: RunApp,
    library: Library,
    monkeypatch: pytest.MonkeyPatch,
    typed: str,
    size: tuple[int, int],
):
    opened: list[str] = []
    monkeypatch.setattr(ReaderApp, "open_url", lambda self, url, **kw: opened.append(url))
    async with run_app(library, size=size) as pilot:
        app = pilot.app
        await pilot.pause()
        burst(app, "/", *typed)  # one burst: `tmux send-keys -l "/OOCR"`, a paste
        await settle(pilot)
        screen = main(app)  # o, e, s, n, t opened nothing
        assert screen.filter_bar.value == typed
        assert opened == []
        assert library.annotation(library.abstract_at(0).id).status is Status.UNREAD


async def test_slash_typed_as_the_app_starts_reaches_the_filter(library: Library):
    typed: list[tuple[str, bool]] = []

    async def type_at_once(pilot) -> None:  # an auto pilot starts before the screen is mounted
        await pilot.press("slash", *"byzantine machines")
        await settle(pilot)
        screen = main(pilot.app)
        typed.append((screen.filter_bar.value, screen.filter_bar.has_focus_within))
        pilot.app.exit()

    await ReaderApp(library).run_async(headless=True, size=WIDE, auto_pilot=type_at_once)
    # a new library opens on the Inbox: the words refine it
    assert typed == [("status:unread byzantine machines", True)]


# ---------------------------------------------------------------- y


async def test_copy_says_what_it_did_not_that_it_copied(
    run_app: RunApp, library: Library, monkeypatch: pytest.MonkeyPatch
):
    # issue 15: y y copies the id; with no clipboard program it says so, not "Copied"
    monkeypatch.setenv("PATH", "/nonexistent")
    said: list[str] = []
    monkeypatch.setattr(ReaderApp, "notify", lambda self, message, **kw: said.append(message))
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        said.clear()
        await pilot.press("y", "y")
        arxiv_id = library.abstract_at(0).arxiv_id
        await until(lambda: bool(said), "the copy's message")
        assert app.clipboard == arxiv_id  # OSC 52
        assert said[0].startswith(f"Could not copy the id {arxiv_id}: no clipboard program")


# ---------------------------------------------------------------- the README


def test_the_readme_error_example_is_what_the_query_says():
    import re

    from reader.core.errors import QueryError
    from reader.core.search.query import parse

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    query, message = re.search(r"where \(`(.+?)`: `(.+?)`\)", readme).groups()  # type: ignore[union-attr]
    with pytest.raises(QueryError) as raised:
        parse(query)
    assert str(raised.value) == message


# ---------------------------------------------------------------- keys right after a dialog key


def dialog_text(app: ReaderApp) -> str:
    """What the open dialog's input (or note editor) holds."""
    return str(getattr(app.focused, "value", None) or getattr(app.focused, "text", ""))


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x40", "80x24"])
@pytest.mark.parametrize("key", ["t", "V", "n"])
async def test_keys_typed_right_after_a_dialog_key_reach_the_dialog(
    run_app: RunApp, library: Library, key: str, size: tuple[int, int]
):
    async with run_app(library, size=size) as pilot:
        app = pilot.app
        await pilot.pause()
        burst(app, key, "x", "y", "o", "s")  # one burst: `tmux send-keys -l txyos`
        await settle(pilot)
        assert not isinstance(app.screen, MainScreen), "the dialog did not open"
        assert dialog_text(app) == "xyos"  # o and s did not open a browser or the picker


async def test_a_title_typed_right_after_T_replaces_the_headline(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        first = library.abstract_at(0)
        burst(app, "T", "N", "e", "w", "enter")  # the prompt opens with the headline selected
        await settle(pilot)
        main(app)
        assert library.annotation(first.id).title == "New"


async def test_t_x_y_enter_in_one_burst_tags_xy(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        first = library.abstract_at(0).id
        burst(app, "t", "x", "y", "enter")
        await settle(pilot)
        screen = main(app)
        assert list(library.annotation(first).tags) == ["xy"]
        assert len(screen.history.done) == 1


async def test_a_status_picked_right_after_s_is_set(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        first = library.abstract_at(0).id
        burst(app, "s", "4")  # 4 in the picker: read
        await settle(pilot)
        main(app)
        assert library.annotation(first).status is Status.READ


async def test_dialog_keys_typed_in_the_filter_are_characters(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        burst(app, "/", "s", "t", "n", "T", "V")
        await settle(pilot)
        assert main(app).filter_bar.value == "stnTV"


async def test_a_dialog_keeps_the_keys_sent_before_anything_in_it_has_focus(
    run_app: RunApp, library: Library
):
    """What the app does with keys while a new dialog has no focused widget yet: it
    sends them to the screen (`App.on_event`); the dialog hands them to its input."""
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        prompt = PromptScreen("Tags")
        app.push_screen(prompt)
        assert prompt.focused is None  # not composed yet
        for key in "xy":
            prompt._forward_event(events.Key(key, key))
        await settle(pilot)
        assert prompt.query_one(Input).value == "xy"


# ---------------------------------------------------------------- a field's keys in order
# Textual runs a focused field's bindings (enter, backspace) only after the key has
# bubbled up to the app; the keys typed after it were inserted first (ordered_keys).


async def bursts(pilot, *keys: tuple[str, ...]) -> MainScreen:
    """Send each tuple of keys in one burst, waiting for the app to settle after each;
    the main screen, alone on the stack, after the last."""
    await pilot.pause()
    for burst_keys in keys:
        burst(pilot.app, *burst_keys)
        await settle(pilot)
    return main(pilot.app)


async def test_keys_after_enter_in_the_tag_prompt_are_not_part_of_the_tag(
    run_app: RunApp, library: Library
):
    async with run_app(library) as pilot:
        first = library.abstract_at(0).id
        await bursts(pilot, ("t",), ("x", "enter", "j", "j"))
        assert list(Library(library.data_dir).annotation(first).tags) == ["x"]


async def test_backspace_in_a_burst_in_the_filter_deletes_where_it_was_typed(
    run_app: RunApp, library: Library
):
    async with run_app(library) as pilot:
        typed = ("a", "b", "c", "backspace", "d", "e", "left", "backspace", "f")
        screen = await bursts(pilot, ("/",), typed)
        assert screen.filter_bar.value == "abfe"


async def test_backspace_in_a_burst_in_the_note_editor_saves_the_note_typed(
    run_app: RunApp, library: Library
):
    async with run_app(library) as pilot:
        first = library.abstract_at(0).id
        typed = ("h", "e", "l", "l", "o", "backspace", "backspace", "p", "left", "backspace")
        await bursts(pilot, ("n",), typed, ("escape",))
        assert Library(library.data_dir).annotation(first).note == "hep"


async def test_escape_in_a_burst_in_the_note_editor_saves_what_was_typed_before_it(
    run_app: RunApp, library: Library
):
    """`h i escape` in one burst (a fast typist over SSH): the escape closes the editor
    after the h and the i are in the note, not before (a priority escape closed it with
    the keys still queued in the editor, and the note typed was lost)."""
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        first = library.abstract_at(0).id
        burst(app, "n")
        await settle(pilot)
        burst(app, "h", "i", "escape", "j", "j")
        await settle(pilot)
        screen = main(app)
        assert Library(library.data_dir).annotation(first).note == "hi"
        assert screen.abstract_list.cursor == 2


@pytest.mark.parametrize("leave", ["escape", "enter"])
async def test_keys_after_leaving_the_filter_reach_the_list_not_the_query(
    run_app: RunApp, library: Library, leave: str
):
    async with run_app(library) as pilot:
        typed = ("-", "z", "z", leave, "j", "j", "k", "j")  # -zz: every row, in order
        screen = await bursts(pilot, ("/",), typed)
        assert screen.filter_bar.value == "-zz"
        assert screen.focused is screen.abstract_list
        assert screen.abstract_list.cursor == 2


async def test_slash_after_escape_in_one_burst_goes_back_to_the_filter(
    run_app: RunApp, library: Library
):
    """`a escape / b` in one burst: the `/` typed after escape reached the field, was
    held, and was handed on to the list as an ordinary key, so the app's priority
    binding (`/`: the filter) never ran: the `/` and the `b` were lost."""
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        burst(app, "/")
        await settle(pilot)
        burst(app, "a", "escape", "/", "b")
        await settle(pilot)
        screen = main(app)
        assert screen.filter_bar.value == "a b"
        assert screen.focused is screen.filter_bar.query_one(Input)


async def test_filter_then_tag_in_one_burst_tags_the_highlighted_match(
    run_app: RunApp, library: Library
):
    """`/quant enter t x enter` in one burst: the t after enter opens the tag prompt (a
    priority binding: it was lost when the key was handed on to the list, and x went
    to the list) and x is the tag, on the abstract highlighted in the rows of quant."""
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        burst(app, "/")
        await settle(pilot)
        burst(app, "q", "u", "a", "n", "t", "enter", "t", "x", "enter")
        await settle(pilot)
        screen = main(app)
        assert screen.filter_bar.value == "quant"
        highlighted = library.abstract_at(screen.abstract_list.row).id
        assert highlighted in library.search("quant").ids
        tagged = {k: a.tags for k, a in Library(library.data_dir).annotations().items() if a.tags}
        assert tagged == {highlighted: ("x",)}


async def test_keys_after_enter_wait_for_the_rows_a_search_thread_is_finding(
    run_app: RunApp, library: Library
):
    """The same burst while searches run in a thread (a large library): the t acts on
    the rows of quant once the thread has shown them, not on the abstract highlighted
    before (one that does not match quant)."""
    outside = [r for r in range(len(library)) if library.abstract_at(r).id not in
               set(library.search("quant").ids)][3]  # fmt: skip
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        screen = main(app)
        screen.abstract_list.move_to(outside)
        burst(app, "/")
        await settle(pilot)
        screen._slow_search = True  # each search from now on in a thread
        burst(app, "q", "u", "a", "n", "t", "enter", "t", "x", "enter")
        await settle(pilot)
        assert screen.filter_bar.value == "quant"
        tagged = [k for k, a in Library(library.data_dir).annotations().items() if a.tags]
        assert tagged == [library.abstract_at(screen.abstract_list.row).id]
        assert tagged[0] in library.search("quant").ids


async def test_ctrl_z_in_a_burst_undoes_what_was_typed_just_before_it(
    run_app: RunApp, library: Library
):
    """`x y ctrl+z z enter` in the tag prompt, `a b ctrl+z c` in the filter, each in one
    burst: ctrl+z runs in the order typed (ordered_keys), so the undo history must know
    the x y (the a b) by then; it was kept from the field's Changed messages, which
    come after the keys already queued, so ctrl+z found nothing to undo (tag `xyz`)."""
    async with run_app(library) as pilot:
        first = library.abstract_at(0).id
        screen = await bursts(pilot, ("t",), ("x", "y", "ctrl+z", "z", "enter"))
        assert list(Library(library.data_dir).annotation(first).tags) == ["z"]
        await bursts(pilot, ("/",), ("a", "b", "ctrl+z", "c"))
        assert screen.filter_bar.value == "c"


async def test_a_dialog_key_after_escape_in_the_note_editor_opens_its_dialog(
    run_app: RunApp, library: Library
):
    """`h i escape t x enter` in one burst in the note editor: the note is hi, and the t
    typed after its escape opens the tag prompt (a priority binding of the list's
    screen, which a key handed on as forwarded never ran: x and enter went to the list)."""
    async with run_app(library) as pilot:
        first = library.abstract_at(0).id
        await bursts(pilot, ("n",), ("h", "i", "escape", "t", "x", "enter"))
        saved = Library(library.data_dir).annotation(first)
        assert (saved.note, saved.tags) == ("hi", ("x",))


async def test_a_key_after_leaving_the_filter_acts_before_the_command_key_after_it(
    run_app: RunApp, library: Library
):
    """`j` handed on after enter waited in the list's queue while the `t` after it (a
    command key, run as the app takes it) opened the prompt on the row above."""
    async with run_app(library) as pilot:
        typed = ("-", "z", "z", "enter", "j", "t", "y", "enter")  # -zz: every row, in order
        screen = await bursts(pilot, ("/",), typed)
        second = screen.library.abstract_at(int(screen.abstract_list.rows[1])).id
        assert screen.abstract_list.cursor == 1
        assert Library(library.data_dir).annotation(second).tags == ("y",)
