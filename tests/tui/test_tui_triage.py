"""Triage power in the app: undo and redo, marks, views, sort orders, your own keys.

Each change is checked on disk with a fresh `Library(data_dir)` (what the CLI would see).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from reader.core.library import Library
from reader.core.models import Annotation, Status
from reader.tui.app import ReaderApp
from reader.tui.commands import screen_commands
from reader.tui.keys import keymap_clashes, valid_key
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.prompt import PromptScreen
from reader.tui.widgets.views_sidebar import ViewsSidebar
from tests.tui.conftest import NARROW, WIDE, RunApp
from tests.waiting import run_from_palette, settle, until

KNOWN = """\
Graph neural networks learn the shapes of molecules from their bonds.

arXiv:2301.00001
Created: 2023-01-10

Robots learn to walk over rough ground, climb stairs, open doors, carry boxes and recover \
from falls in a large simulated house; one part of the training uses reinforcement learning \
from sparse rewards, the rest imitates human demonstrations recorded with motion capture \
suits over many weeks of work.

arXiv:2303.00002
Created: 2023-03-05

Reinforcement learning, reinforcement learning: reward models for reinforcement learning.

arXiv:2302.00003
Created: 2023-02-20

Abstract: An undated study of reinforcement learning with sparse graph rewards.
Abstract: An undated survey of sparse attention in transformers.
"""
"""Five abstracts A B C D E (source order): three dated, two not; C is the most about
reinforcement learning, then D (short), then B (long)."""


# ---------------------------------------------------------------- helpers


def main(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def on_disk(data_dir: Path, record: str) -> Annotation:
    return Library(data_dir).annotation(record)


def notices(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def keymap_notices(app: ReaderApp) -> list[str]:
    """The notifications about keys.toml: title and text."""
    return [f"{n.title}\n{n.message}" for n in app._notifications if "keys.toml" in n.title]


def shown_ids(app: ReaderApp) -> list[str]:
    screen = main(app)
    return [screen.library.abstract_at(r).id for r in screen.abstract_list.rows.tolist()]


def sidebar_lines(app: ReaderApp) -> list[str]:
    sidebar = app.screen.query_one(ViewsSidebar)
    return [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]


async def set_filter(pilot, text: str) -> None:
    """Open the filter, put `text` in it (as a paste would) and go back to the list."""
    await pilot.press("slash")
    pilot.app.screen.filter_bar.value = text
    await pilot.press("escape")
    await settle(pilot)  # the search may have gone to a thread
    assert main(pilot.app).query_text == text


async def answer(pilot, text: str) -> None:
    """Type `text` into the open prompt and press enter."""
    await pilot.pause()
    assert isinstance(pilot.app.screen, PromptScreen)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The READER_CONFIG_DIR conftest points at, created (for a keys.toml)."""
    folder = tmp_path / "reader-config"
    folder.mkdir()
    return folder


@pytest.fixture
def known(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """KNOWN imported, with A read, then C reading, then E to-read, a second apart."""
    source = tmp_path / "known.txt"
    source.write_text(KNOWN)
    library = Library.open(data_dir, seed=False)
    library.import_paths([source])
    a, _, c, _, e = library.ids()
    stamps: Iterator[str] = iter(f"2024-01-01T00:00:0{n}Z" for n in range(1, 10))
    monkeypatch.setattr("reader.core.library.now_iso", lambda: next(stamps))
    library.set_status([a], Status.READ)
    library.set_status([c], Status.READING)
    library.set_status([e], Status.TO_READ)
    monkeypatch.undo()
    return library


# ---------------------------------------------------------------- undo and redo


async def _status(pilot) -> None:
    await pilot.press("4")


async def _tags(pilot) -> None:
    await pilot.press("t")
    await answer(pilot, "rl, later")


async def _title(pilot) -> None:
    await pilot.press("T")
    await answer(pilot, "A title of my own")


async def _note(pilot) -> None:
    """Two autosaves and the save on close: one editing session, one undo step."""
    app = pilot.app
    record = main(app).library.ids()[0]
    await pilot.press("n")
    await until(lambda: isinstance(app.screen, NoteEditor), "the note editor")
    await pilot.press(*"first")
    await until(lambda: on_disk(app.library.data_dir, record).note == "first", "autosave 1")
    await pilot.press(*" second")
    await until(lambda: on_disk(app.library.data_dir, record).note == "first second", "autosave 2")
    await pilot.press(*" third")
    assert pilot.app.screen.query_one(TextArea).text == "first second third"
    await pilot.press("escape")  # saves the rest
    await pilot.pause()


async def _bulk(pilot) -> None:
    await pilot.press("space", "space", "space", "2")


KINDS: dict[str, tuple[Callable[..., Awaitable[None]], Callable[[Annotation], object], str]] = {
    "status": (_status, lambda a: a.status is Status.READ, "status read on {id}"),
    "tags": (_tags, lambda a: a.tags == ("later", "rl"), "+rl +later on {id}"),
    "title": (_title, lambda a: a.title == "A title of my own", "title on {id}"),
    "note": (_note, lambda a: a.note == "first second third", "note on {id}"),
    "bulk": (_bulk, lambda a: a.status is Status.TO_READ, "status to-read on 3 abstracts"),
}


@pytest.mark.parametrize("kind", list(KINDS))
async def test_undo_and_redo_each_kind_of_change_on_disk(
    run_app: RunApp, kind: str, library: Library, data_dir: Path
):
    make, changed, label = KINDS[kind]
    touched = library.ids()[: 3 if kind == "bulk" else 1]
    async with run_app(library) as pilot:
        app = pilot.app
        await make(pilot)
        assert all(changed(on_disk(data_dir, r)) for r in touched)
        assert on_disk(data_dir, library.ids()[len(touched)]) == Annotation()  # only those
        assert len(main(app).history.done) == 1  # one step, however many saves or rows

        await pilot.press("z")
        await pilot.pause()
        assert all(on_disk(data_dir, r) == Annotation() for r in touched)
        assert f"Undid: {label.format(id=touched[0])}" in notices(app)

        await pilot.press("Z")
        await pilot.pause()
        assert all(changed(on_disk(data_dir, r)) for r in touched)
        assert f"Redid: {label.format(id=touched[0])}" in notices(app)

        await pilot.press("ctrl+z")  # the other keys do the same
        assert all(on_disk(data_dir, r) == Annotation() for r in touched)
        await pilot.press("ctrl+y")
        assert all(changed(on_disk(data_dir, r)) for r in touched)


async def test_undo_walks_back_through_the_session_and_a_new_change_drops_redo(
    run_app: RunApp, library: Library, data_dir: Path
):
    first, second = library.ids()[:2]
    async with run_app(library) as pilot:
        app = pilot.app
        main(app).auto_advance = False
        await pilot.press("2", "3", "4")  # three changes to the first abstract
        await pilot.press("z", "z")
        assert on_disk(data_dir, first).status is Status.TO_READ
        await pilot.press("j", "5")  # a new change: the redo history goes
        await pilot.press("Z")
        await pilot.pause()
        assert "Nothing to redo." in notices(app)
        assert on_disk(data_dir, first).status is Status.TO_READ
        assert on_disk(data_dir, second).status is Status.SKIPPED
        await pilot.press("z", "z", "z")
        await pilot.pause()
        assert on_disk(data_dir, first) == on_disk(data_dir, second) == Annotation()
        assert "Nothing to undo." in notices(app)


# ---------------------------------------------------------------- marks


async def test_marks_show_and_bulk_status_applies_to_the_marked_rows(
    run_app: RunApp, library: Library, data_dir: Path
):
    ids = library.ids()
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        assert not screen.check_action("back", ())  # nothing to go back from yet
        await pilot.press("space", "j", "space")  # marks rows 0 and 2, cursor on 3
        await pilot.pause()
        assert screen.abstract_list.marked == {0, 2}
        assert screen.abstract_list.cursor == 3
        assert screen.abstract_list.border_subtitle == "2 marked"
        assert screen.check_action("back", ())  # escape now clears the marks
        lines = [screen.abstract_list.render_line(y).text for y in range(4)]
        assert [line[1] for line in lines] == ["▌", " ", "▌", " "]
        await pilot.press("space", "space")  # marks 3, then 4 ...
        await pilot.press("k", "space")  # ... and unmarks 4
        assert screen.abstract_list.marked == {0, 2, 3}

        await pilot.press("s")
        await pilot.pause()
        assert "3 marked abstracts" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("4")  # the picker: read
        await pilot.pause()
        fresh = Library(data_dir)
        assert [fresh.annotation(i).status for i in ids[:5]] == [
            Status.READ,
            Status.UNREAD,
            Status.READ,
            Status.READ,
            Status.UNREAD,
        ]
        assert screen.abstract_list.marked == {0, 2, 3}  # the marks stay for the next key


async def test_mark_all_shown_tag_them_even_when_filtered_out_then_escape(
    run_app: RunApp, library: Library, data_dir: Path
):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        await set_filter(pilot, "source:001")
        await pilot.press("asterisk")
        marked = shown_ids(app)
        assert len(marked) == 9 and len(screen.abstract_list.marked) == 9
        await set_filter(pilot, "source:002")
        assert screen.abstract_list.border_subtitle == "9 marked (9 not shown)"

        await pilot.press("t")
        await pilot.pause()
        assert "Tags: 9 marked abstracts" in str(app.screen.query_one(".dialog-title").render())
        await answer(pilot, "batch")
        assert Library(data_dir).search("tag:batch").ids == marked
        await pilot.press("z")  # all nine in one step
        assert Library(data_dir).search("tag:batch").ids == []

        await pilot.press("escape")  # first the marks ...
        await pilot.pause()
        assert not screen.abstract_list.marked and screen.query_text == "source:002"
        assert screen.abstract_list.border_subtitle == ""
        await pilot.press("escape")  # ... then the filter
        await settle(pilot)
        assert screen.query_text == ""


async def test_marks_stay_when_another_process_imports_and_go_when_it_removes(
    run_app: RunApp, library: Library, data_dir: Path, tmp_path: Path
):
    ids = library.ids()
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("space", "space")
        other = tmp_path / "more.txt"
        other.write_text("Abstract: A brand new abstract from another process.\n")
        Library(data_dir).import_paths([other])  # an import adds at the end: rows stay
        await pilot.press("ctrl+r")
        await settle(pilot)  # the reload searches again, maybe in a thread
        assert main(app).abstract_list.marked == {0, 1}
        assert main(app)._targets() == ids[:2]  # the same records
        assert len(main(app).abstract_list.rows) == len(ids) + 1
        Library(data_dir).remove([ids[0]])  # another reader removes one: rows move
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not main(app).abstract_list.marked
        assert "Abstracts were removed elsewhere; the marks are cleared." in notices(app)
        assert len(main(app).abstract_list.rows) == len(ids)


# ---------------------------------------------------------------- views


async def test_views_sidebar_counts_follow_the_triage(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        await pilot.press("v")
        await pilot.pause()
        sidebar = app.screen.query_one(ViewsSidebar)
        assert app.focused is sidebar and sidebar.highlighted == 0  # on Inbox
        lines = sidebar_lines(app)
        assert lines[:6] == [
            "Inbox 49",
            "To read 0",
            "Reading 0",
            "Read 0",
            "Skipped 0",
            "With notes 0",
        ]
        assert "sources" in lines and "000_90d3212f613ebdc9 10" in lines

        await pilot.press("escape")  # back to the list, the sidebar stays
        await pilot.press("2", "2", "t")
        await answer(pilot, "fresh")
        lines = sidebar_lines(app)
        assert {"Inbox 47", "To read 2", "#fresh 1"} <= set(lines)

        await pilot.click(ViewsSidebar, offset=(3, 2))  # "To read"
        await pilot.pause()
        assert screen.query_text == "status:to-read"
        assert screen.filter_bar.value == "status:to-read"
        assert len(shown_ids(app)) == 2 and app.focused is screen.abstract_list
        assert sidebar.active == "status:to-read"  # drawn bold: the view shown


async def test_a_view_saved_from_the_filter_is_there_after_a_restart(
    run_app: RunApp, library: Library, data_dir: Path
):
    async with run_app(library) as pilot:
        app = pilot.app
        await set_filter(pilot, "reasoning")
        await pilot.press("V")
        await answer(pilot, "Reasoning")
        assert "Saved the view 'Reasoning': reasoning" in notices(app)
    expected = Library(data_dir).count("reasoning")

    again = ReaderApp(Library(data_dir))
    async with again.run_test(size=WIDE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        lines = sidebar_lines(again)
        assert lines[-2:] == ["saved", f"Reasoning {expected}"]
        sidebar = again.screen.query_one(ViewsSidebar)
        sidebar.highlighted = len(lines) - 1
        await pilot.press("enter")
        await settle(pilot)  # the view's search may have gone to a thread
        assert main(again).query_text == "reasoning"
        assert len(shown_ids(again)) == expected


async def test_narrow_terminals_reach_the_views_through_the_palette(
    run_app: RunApp, library: Library
):
    library.save_view("Mine", "tag:mine")
    async with run_app(library, size=NARROW) as pilot:
        app = pilot.app
        screen = main(app)
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.query_one(ViewsSidebar).region.width == 0
        assert app.focused is screen.abstract_list
        assert any("ctrl+p then 'show view'" in n for n in notices(app))
        commands = {c.title: c for c in screen_commands(screen)}
        assert {"Show view Inbox", "Show view Mine", "Show view #mine"} - set(commands) == {
            "Show view #mine"  # no abstract has the tag: no tag view
        }
        await run_from_palette(pilot, "Show view Read")
        await settle(pilot)
        assert screen.query_text == "status:read"


# ---------------------------------------------------------------- sorting


async def test_each_sort_order_on_a_known_library(run_app: RunApp, known: Library):
    a, b, c, d, e = known.ids()
    async with run_app(known) as pilot:
        app = pilot.app
        screen = main(app)
        assert shown_ids(app) == [a, b, c, d, e]
        await pilot.press("S")  # for you: too few decisions yet, so by date
        await settle(pilot)
        assert "sorted by for you (needs 5 kept" in str(screen.abstract_list.border_title)
        assert shown_ids(app) == [b, c, a, d, e]
        expected = [
            ("date", [b, c, a, d, e]),  # newest first, undated last
            ("status", [b, d, e, c, a]),  # unread, to-read, reading, read; then by date
            ("recently changed", [e, c, a, b, d]),  # changed last first; never changed last
            ("source order", [a, b, c, d, e]),
        ]
        for label, order in expected:
            await pilot.press("S")
            await settle(pilot)
            assert str(screen.abstract_list.border_title).endswith(f"sorted by {label}")
            assert shown_ids(app) == order, label

        await set_filter(pilot, "reinforcement learning")
        await settle(pilot)  # the query has words now: relevance, by itself
        assert screen.abstract_list.border_title == "3 of 5 · sorted by relevance"
        assert shown_ids(app) == [c, d, b]
        await set_filter(pilot, "")  # no words to rank by: back to the order picked
        assert screen.abstract_list.border_title == "5 of 5 · sorted by source order"
        assert shown_ids(app) == [a, b, c, d, e]
        await set_filter(pilot, "reinforcement learning")
        await settle(pilot)
        assert screen.sort == "relevance"
        await pilot.press("S")  # round to date again
        await settle(pilot)
        assert shown_ids(app) == [b, c, d]


# ---------------------------------------------------------------- your own keys


async def test_keys_toml_remaps_keys_and_help_shows_them(
    run_app: RunApp, config: Path, library: Library, data_dir: Path
):
    (config / "keys.toml").write_text(
        '[keys]\nmark = "x"\nundo = "u,ctrl+z"\n"status.read" = "r"\n'
    )
    first, second = library.ids()[:2]
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("x", "x", "r")  # marks two rows, sets both read
        assert on_disk(data_dir, first).status is on_disk(data_dir, second).status
        assert on_disk(data_dir, second).status is Status.READ
        await pilot.press("z")  # no longer undo
        assert on_disk(data_dir, first).status is Status.READ
        await pilot.press("u")
        assert on_disk(data_dir, first).status is Status.UNREAD
        assert not keymap_notices(app)  # a valid file: nothing to report

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {binding_id: key for key, _, binding_id in app.screen.rows}
        assert (keys["mark"], keys["undo"], keys["status.read"]) == ("x", "u, ^z", "r")
        guide = app.screen.guide().plain
        assert "x marks or unmarks" in guide and "u, ^z undoes" in guide


@pytest.mark.parametrize(
    ("content", "reported"),
    [
        (
            '[keys]\nnope = "x"\nredo = "retrun"\n"status.read" = "t"\nmark = "x"\n',
            [
                "3 problem(s)",
                "unknown binding id 'nope'",
                "redo = 'retrun' is not a key",
                "'t' is bound to both status.read and tags",
            ],
        ),
        ('[keys]\nmark = "x"\nundo = \n', ["not valid TOML", "line 3"]),
    ],
    ids=["bad entries", "not toml"],
)
async def test_a_bad_keys_toml_is_reported_and_the_app_still_works(
    run_app: RunApp,
    content: str,
    reported: list[str],
    config: Path,
    library: Library,
    data_dir: Path,
):
    (config / "keys.toml").write_text(content)
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        [text] = keymap_notices(app)  # one notification for the whole file
        assert all(part in text for part in reported), text
        await pilot.press("2")  # the default keys still work
        assert on_disk(data_dir, library.ids()[0]).status is Status.TO_READ


@pytest.mark.parametrize("key", ["question_mark", "comma", "f12", "shift+tab", "ctrl+alt+x"])
def test_textual_key_names_are_keys(key: str):
    assert valid_key(key)


@pytest.mark.parametrize("key", ["retrun", "Escape", "hyphen_minus", "ctrl+ctrl+x", "f25"])
def test_unknown_key_names_are_not(key: str):
    assert not valid_key(key)


def test_only_clashes_a_keymap_makes_are_reported():
    assert keymap_clashes({}) == []  # escape in the list and in the filter: by design
    assert keymap_clashes({"undo": "u", "mark": "x"}) == []
    [clash] = keymap_clashes({"list.down": "n"})
    assert "'n' is bound to both list.down and note (in the list)" in clash
