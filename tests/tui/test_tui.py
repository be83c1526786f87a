"""The TUI driven by a Pilot: what each key shows, and what reached the disk."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, Markdown, Static

from reader.core.library import Library
from reader.core.models import Status
from reader.tui.app import ReaderApp
from reader.tui.commands import screen_commands
from reader.tui.render import glyph
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.status_picker import StatusPicker
from reader.tui.widgets.abstract_list import AbstractList
from reader.tui.widgets.detail import DetailPane
from tests.tui.conftest import NARROW, WIDE, RunApp
from tests.waiting import run_from_palette, settle, until


def main(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def shown_lines(app: ReaderApp) -> list[str]:
    """The text of the list's visible lines."""
    widget = main(app).abstract_list
    height = widget.scrollable_content_region.height
    return [widget.render_line(y).text.rstrip() for y in range(height)]


def text_of(app: ReaderApp, selector: str) -> str:
    """The text a Static (or the header) shows."""
    widget = app.screen.query_one(selector)
    content = widget.content if isinstance(widget, Static) else widget.render()
    return str(getattr(content, "plain", content))


def current_id(app: ReaderApp) -> str:
    screen = main(app)
    row = screen.abstract_list.row
    assert row is not None
    return screen.library.abstract_at(row).id


async def type_filter(pilot, text: str) -> None:
    """Focus the filter (unless it has focus) and type `text` in it."""
    if not isinstance(pilot.app.focused, Input):
        await pilot.press("slash")
    for char in text:
        await pilot.press(char)
    await settle(pilot)  # a search may have gone to a thread


# ---------------------------------------------------------------- layout and filter


async def test_main_screen_shows_header_list_and_detail(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        screen = main(app)
        header = text_of(app, "#header")
        assert "unread 49" in header and "read 0" in header and "49 abstracts" in header
        assert screen.abstract_list.border_title == "49 of 49 · sorted by source order"
        first = library.abstract_at(0)
        assert shown_lines(app)[0].startswith(f"●  {first.date} ")
        assert not app.screen.query_one("#detail-title").display, "untitled: no title line"
        meta = text_of(app, "#detail-meta")
        assert f"https://arxiv.org/abs/{first.arxiv_id}" in meta and "unread" in meta
        assert screen.focused is screen.abstract_list


async def test_filter_narrows_live_and_counts(run_app: RunApp, library: Library):
    expected = library.search("reasoning", "relevance").ids  # words: relevance by itself
    assert 0 < len(expected) < len(library)
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        await type_filter(pilot, "reas")
        partial = len(library.rows("reas"))
        assert screen.abstract_list.border_title.startswith(f"{partial} of 49")
        await type_filter(pilot, "oning")
        assert screen.abstract_list.border_title.startswith(f"{len(expected)} of 49")
        ids = [library.abstract_at(int(r)).id for r in screen.abstract_list.rows]
        assert ids == expected
        assert screen.terms == ("reasoning",)
        # escape in the input goes back to the list, the filter still applied
        await pilot.press("escape")
        assert screen.focused is screen.abstract_list
        assert len(screen.abstract_list.rows) == len(expected)
        # escape on the list clears the filter
        await pilot.press("escape")
        await settle(pilot)
        assert screen.filter_bar.value == ""
        assert screen.abstract_list.border_title.startswith("49 of 49")


async def test_terms_are_highlighted_in_list_and_detail(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        await type_filter(pilot, "reasoning")
        widget = screen.abstract_list
        marked = [
            segment.text.lower()
            for y in range(len(widget.rows))
            for segment in widget.render_line(y)
            if segment.style and segment.style.underline  # the match style (reader.tcss)
        ]
        assert "reasoning" in marked

        def detail_marks() -> list[str]:
            body = screen.query_one("#detail-abstract", Static).content
            return [body.plain[s.start : s.end].lower() for s in body.spans if s.style]

        # the detail follows once typing pauses (DETAIL_DELAY)
        await until(
            lambda: any(s.startswith("reasoning") for s in detail_marks()),
            "the detail to highlight the term",
        )


async def test_malformed_query_keeps_last_result_and_shows_message(
    run_app: RunApp, library: Library
):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        await type_filter(pilot, "reasoning")
        good = screen.abstract_list.rows.copy()
        await type_filter(pilot, " ")  # settled: the last query that parses
        await type_filter(pilot, "(")
        error = screen.query_one("#filter-error", Static)
        assert error.display and "unclosed '('" in text_of(app, "#filter-error")
        assert np.array_equal(screen.abstract_list.rows, good)
        assert screen.query_text == "reasoning "  # the last query that parsed
        await type_filter(pilot, "model OR")
        assert "nothing after it" in text_of(app, "#filter-error")
        # sorting while the input holds a malformed query sorts the last good result
        await pilot.press("escape", "S", "S")
        await settle(pilot)
        assert screen.filter_bar.value == "reasoning (model OR"
        assert screen.sort == "relevance"  # after for you, as the query has words
        assert list(screen.abstract_list.rows) == list(library.rows("reasoning", "relevance"))
        await type_filter(pilot, "planning)")  # `/` put a space after the query kept
        assert not error.display
        assert screen.query_text == "reasoning (model OR planning)"
        assert screen.sort == "relevance"


async def test_unknown_field_message(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await type_filter(pilot, "colour")  # settled: the last query that parses
        await type_filter(pilot, ":red")
        assert "unknown field 'colour'" in text_of(app, "#filter-error")
        assert main(app).query_text == "colour"  # the last query that parsed
        assert list(main(app).abstract_list.rows) == list(library.rows("colour"))


@pytest.mark.parametrize("next_search", ["in a thread", "on the UI thread"])
async def test_search_in_a_thread_drops_stale_results(
    run_app: RunApp, library: Library, monkeypatch, next_search: str
):
    """A slow search that finishes after a newer one must not replace its result.

    The first search ("language") is held in its thread until the second ("graph")
    has been shown; then it is let go and finishes with the stale result. The second
    runs in a thread too (the first is cancelled) or, once searches are fast again, on
    the UI thread (nothing cancels the first: only the check of what is latest does).
    """
    screen_class = MainScreen
    held, release = threading.Event(), threading.Event()
    real_evaluate = screen_class._evaluate

    def evaluate(self, text: str, sort: str):
        if text == "language":
            held.set()
            assert release.wait(20), "the test never let the first search go"
        return real_evaluate(self, text, sort)

    monkeypatch.setattr(screen_class, "_evaluate", evaluate)
    monkeypatch.setattr("reader.tui.screens.main.SLOW_SEARCH", -1.0)  # every search "slow"
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        screen.filter_bar.value = "language"
        await until(held.is_set, "the first search to start in its thread")
        if next_search == "on the UI thread":
            monkeypatch.setattr("reader.tui.screens.main.SLOW_SEARCH", 3600.0)
            screen._slow_search = False  # as after a fast search
        screen.filter_bar.value = "graph"
        await until(lambda: screen.query_text == "graph", "the second search's result")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_text == "graph"
        assert list(screen.abstract_list.rows) == list(library.rows("graph"))
        assert list(library.rows("graph")) != list(library.rows("language"))


# ---------------------------------------------------------------- triage keys


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("1", Status.UNREAD),
        ("2", Status.TO_READ),
        ("3", Status.READING),
        ("4", Status.READ),
        ("5", Status.SKIPPED),
    ],
)
async def test_status_key_sets_status_and_advances(
    run_app: RunApp, library: Library, key: str, status: Status
):
    library.set_status([library.abstract_at(0).id], Status.READING if key == "1" else Status.UNREAD)
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        first = current_id(app)
        await pilot.press(key)
        assert screen.abstract_list.cursor == 1
        assert shown_lines(app)[0].startswith(glyph(status))
        assert f"{status.label} " in text_of(app, "#header")
    assert Library(library.data_dir).annotation(first).status is status


async def test_status_keys_in_a_row_and_auto_advance_toggle(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        ids = [library.abstract_at(i).id for i in range(3)]
        await pilot.press("4", "2")
        assert screen.abstract_list.cursor == 2
        assert "read 1" in text_of(app, "#header") and "to-read 1" in text_of(app, "#header")
        # the palette turns auto-advance off
        await run_from_palette(pilot, "Toggle auto-advance")
        assert screen.auto_advance is False
        assert screen.abstract_list.border_subtitle == "auto-advance off"
        await pilot.press("5")
        assert screen.abstract_list.cursor == 2
    fresh = Library(library.data_dir)
    assert [fresh.annotation(i).status for i in ids] == [
        Status.READ,
        Status.TO_READ,
        Status.SKIPPED,
    ]


async def test_status_picker(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        record = current_id(app)
        await pilot.press("s")
        assert isinstance(app.screen, StatusPicker)
        await pilot.press("down", "down", "enter")
        assert isinstance(app.screen, MainScreen)
        assert "reading" in text_of(app, "#detail-meta")
        await pilot.press("s", "5")
        await pilot.pause()
    assert Library(library.data_dir).annotation(record).status is Status.SKIPPED


async def test_tags_added_with_completion_and_removed(run_app: RunApp, library: Library):
    other = library.abstract_at(5).id
    library.tag([other], add=["reasoning", "rl"])
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        record = current_id(app)
        await pilot.press("t")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"rea")
        await pilot.pause()
        await pilot.press("right")  # accept the suggestion
        assert app.screen.query_one(Input).value == "reasoning"
        await pilot.press(*", new-tag  #Third", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "#new-tag #reasoning #third" in text_of(app, "#detail-meta")
        assert "#new-tag #reasoning" in shown_lines(app)[0]
        assert screen.history.done[-1].label.startswith("+reasoning +new-tag +third")
        await pilot.press("t", *"-new")
        await pilot.pause()
        await pilot.press("right")
        assert app.screen.query_one(Input).value == "-new-tag"
        await pilot.press("enter")
        await pilot.pause()
    assert Library(library.data_dir).annotation(record).tags == ("reasoning", "third")


async def test_invalid_tag_is_reported_not_saved(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        record = current_id(app)
        await pilot.press("t")
        await until(lambda: isinstance(app.screen, PromptScreen), "the tag prompt")
        await pilot.press("#", "enter")
        await until(
            lambda: any("invalid tag" in n.message for n in app._notifications), "the message"
        )
        assert isinstance(app.screen, MainScreen)
    assert Library(library.data_dir).annotation(record).tags == ()


async def test_note_autosaves_while_typing_and_renders(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        record = current_id(app)
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        typed = "A *great* read\n\n- item"
        await pilot.press(*"A *great* read", "enter", "enter", "-", " ", *"item")
        # the autosave waits for a pause in typing: at most what was typed so far is saved
        assert typed.startswith(Library(library.data_dir).annotation(record).note)
        # the autosave fires AUTOSAVE_DELAY after the last key
        await until(
            lambda: Library(library.data_dir).annotation(record).note == typed, "the autosave"
        )
        await pilot.press(*" two")
        await pilot.press("escape")  # closing saves at once
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        note = app.screen.query_one("#detail-note", Markdown)
        assert note.display and note.source == "A *great* read\n\n- item two"
        assert "great" in " ".join(str(b.content) for b in note.query("MarkdownBlock"))
    assert Library(library.data_dir).annotation(record).note == "A *great* read\n\n- item two"


async def test_note_in_external_editor(library: Library, tmp_path: Path, monkeypatch):
    script = tmp_path / "fake-editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('written in the editor')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = ReaderApp(library)
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    async with app.run_test(size=WIDE) as pilot:
        record = current_id(app)
        await pilot.press("e")
        await pilot.pause()
        note = app.screen.query_one("#detail-note", Markdown)
        assert note.source == "written in the editor"
    assert Library(library.data_dir).annotation(record).note == "written in the editor"


async def test_title_is_set_and_cleared(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        record = current_id(app)
        headline = library.abstract(record).headline
        await pilot.press("T")
        prompt = app.screen.query_one(Input)
        assert prompt.value == headline
        await pilot.press("ctrl+u", *"Zeroth-order fine-tuning", "enter")
        await pilot.pause()
        assert text_of(app, "#detail-title") == "Zeroth-order fine-tuning"
        assert "Zeroth-order fine-tuning" in shown_lines(app)[0]
        assert Library(library.data_dir).title(record) == "Zeroth-order fine-tuning"
        await pilot.press("T", "ctrl+u", "enter")
        await pilot.pause()
        assert not app.screen.query_one("#detail-title").display, "back to no title line"
    assert Library(library.data_dir).annotation(record).title == ""


async def test_sort_cycles(run_app: RunApp, library: Library):
    library.set_status([library.abstract_at(3).id], Status.READ)
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        for sort, label in [
            ("for-you", "for you (needs 5 kept and 5 skipped, has 1 and 0; by date)"),
            ("date", "date"),
            ("status", "status"),
            ("updated", "recently changed"),
            ("source", "source order"),
        ]:
            await pilot.press("S")
            await settle(pilot)
            assert screen.abstract_list.border_title == f"49 of 49 · sorted by {label}"
            assert list(screen.abstract_list.rows) == list(library.rows("", sort))


async def test_help_screen_lists_bindings_with_ids(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.rows}
        assert {"status.read", "tags", "note", "sort", "filter", "list.down", "quit"} <= ids
        keys = {row[2]: row[0] for row in app.screen.rows}
        assert keys["list.down"] == "↓, j"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_palette_has_every_binding(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        titles = {c.title for c in screen_commands(screen)}
        described = {row[1] for row in screen.help_rows()}
        assert described <= titles
        assert {"Toggle auto-advance", "Sort by date", "Clear the filter"} <= titles


async def test_quit_with_q(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("4", "q")
    assert app.return_code == 0


# ---------------------------------------------------------------- narrow layout


async def test_narrow_layout_shows_one_pane(run_app: RunApp, library: Library):
    async with run_app(library, size=NARROW) as pilot:
        app = pilot.app
        screen = main(app)
        detail = screen.query_one(DetailPane)
        assert screen.has_class("-narrow")
        assert screen.abstract_list.display and not detail.display
        await pilot.press("j", "enter")
        await pilot.pause()
        assert detail.display and not screen.abstract_list.display
        assert screen.focused is detail
        assert not app.screen.query_one("#detail-title").display  # untitled: no title line
        assert text_of(app, "#detail-abstract").startswith(library.abstract_at(1).text[:40])
        await pilot.press("4")  # triage keys work from the detail too
        await pilot.press("escape")
        await pilot.pause()
        assert screen.abstract_list.display and not detail.display
        assert screen.focused is screen.abstract_list
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        assert not screen.has_class("-narrow") and detail.display
    assert Library(library.data_dir).annotation(library.abstract_at(1).id).status is Status.READ


# ---------------------------------------------------------------- a large library

WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "lambda", "sigma")


def write_synthetic(folder: Path, count: int, per_file: int = 2500) -> None:
    """`count` abstracts in the one-per-line format: record i has word `uniq{i}`."""
    folder.mkdir(parents=True)
    for start in range(0, count, per_file):
        lines = []
        for i in range(start, min(start + per_file, count)):
            a, b = WORDS[i % 10], WORDS[(i // 10) % 10]
            lines.append(f"Abstract: Study {i} of {a} and {b} methods, with uniq{i} results.")
        (folder / f"synthetic_{start // per_file:02d}.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def big_library_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("big")
    write_synthetic(root / "files", 10_000)
    data = root / "library"
    library = Library.open(data, seed=False)
    library.import_paths([root / "files"])
    assert len(library) == 10_000
    library.close()
    return data


async def test_ten_thousand_abstracts_scroll_and_filter(run_app: RunApp, big_library_dir: Path):
    library = Library(big_library_dir)
    started = time.process_time()  # CPU time: other processes' load does not count
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        widget = screen.query_one(AbstractList)
        assert widget.border_title.startswith("10000 of 10000")
        assert "Study 0 of alpha" in shown_lines(app)[0]
        await pilot.press("G")
        assert widget.cursor == 9999
        assert "Study 9999 of" in shown_lines(app)[-1]
        await pilot.press("pageup", "k")
        height = widget.scrollable_content_region.height
        assert widget.cursor == 9999 - (height - 1) - 1
        await pilot.press("g", "pagedown", "pagedown")
        assert widget.cursor == 2 * (height - 1)
        lines = shown_lines(app)
        first_shown = round(widget.scroll_y)
        assert f"Study {first_shown} of" in lines[0]
        await type_filter(pilot, "gamma delta")
        expected = library.rows("gamma delta")
        assert widget.border_title.startswith(f"{len(expected)} of 10000")
        assert len(expected) == 200  # "gamma and delta" and "delta and gamma"
        assert all("gamma" in line and "delta" in line for line in shown_lines(app))
        await type_filter(pilot, " uniq1732")
        assert [line.split(" of ")[0][14:] for line in shown_lines(app) if line] == ["Study 1732"]
        # clearing the filter keeps the cursor on the record
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert widget.border_title.startswith("10000 of 10000")
        assert widget.cursor == 1732
        # a mouse click selects (offset 4 is the fourth line under the border)
        top = round(widget.scroll_y)
        await pilot.click(AbstractList, offset=(5, 4))
        assert widget.cursor == top + 3
        assert text_of(app, "#detail-abstract").startswith(f"Study {top + 3} of")
    assert time.process_time() - started < 20
