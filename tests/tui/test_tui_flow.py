"""The daily triage flow (issue 12): keys in every pane, the detail pane's layout,
reopening where the user left, the filter's history, sorting both ways, undo of typing,
dialog footers, the footer at 80 columns."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Footer, Input, Static

from reader.core.library import Library
from reader.core.models import Abstract, Status
from reader.core.store import uistate
from reader.tui.app import ReaderApp
from reader.tui.render import Hanging
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.status_picker import StatusPicker
from reader.tui.widgets.detail import DetailPane
from reader.tui.widgets.views_sidebar import ViewsSidebar
from tests.tui.conftest import NARROW, WIDE, RunApp
from tests.waiting import settle, until


def main(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def footer_keys(app: ReaderApp) -> list[str]:
    """The descriptions the footer of the top screen shows, in order."""
    footer = app.screen.query_one(Footer)
    return [str(getattr(key, "description", "")) for key in footer.children]


def meta_of(detail: DetailPane) -> Hanging:
    content = detail.query_one("#detail-meta", Static).content
    assert isinstance(content, Hanging)
    return content


def list_text(app: ReaderApp) -> str:
    """The lines the list shows, as text."""
    abstract_list = main(app).abstract_list
    height = abstract_list.scrollable_content_region.height
    return "\n".join(abstract_list.render_line(y).text for y in range(height))


# ---------------------------------------------------------------- reading keys


async def test_detail_keys_scroll_and_step(run_app: RunApp, library: Library, monkeypatch):
    async with run_app(library, size=(120, 20)) as pilot:
        screen = main(pilot.app)
        await pilot.press("enter")  # wide: enter focuses the detail pane
        await until(lambda: screen.focused is screen.detail, "the detail pane focused")
        await pilot.press("j", "j")
        assert screen.detail.scroll_y == 2, "j scrolls the detail pane"
        await pilot.press("k")
        assert screen.detail.scroll_y == 1
        first = screen.abstract_list.row
        await pilot.press("J")
        await pilot.pause()
        assert screen.abstract_list.row == library.row_of(library.ids()[1])
        assert screen.focused is screen.detail, "J stays in the detail pane"
        assert screen.detail.scroll_y == 0, "the next abstract opens at its top"
        await pilot.press("K")
        assert screen.abstract_list.row == first


async def test_status_key_in_detail_applies_and_advances(run_app: RunApp, library: Library):
    async with run_app(library, size=NARROW) as pilot:
        screen = main(pilot.app)
        ids = library.ids()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.detail_open and screen.focused is screen.detail
        await pilot.press("4")
        await pilot.pause()
        assert Library(library.data_dir).annotation(ids[0]).status is Status.READ
        assert screen.detail_open, "the detail pane stays open"
        assert screen.abstract_list.row == library.row_of(ids[1]), "and shows the next one"
        body = screen.detail.query_one("#detail-abstract", Static)
        assert str(body.content).startswith(library.abstract(ids[1]).text[:30])


async def test_remapped_list_keys_work_in_every_pane(
    run_app: RunApp, library: Library, config: Path
):
    (config / "keys.toml").write_text('[keys]\n"list.down" = "down,ctrl+n"\n')
    async with run_app(library, size=(120, 20)) as pilot:
        screen = main(pilot.app)
        await pilot.press("ctrl+n")
        assert screen.abstract_list.cursor == 1, "the list"
        await pilot.press("enter", "ctrl+n")
        assert screen.detail.scroll_y == 1, "the detail pane"
        await pilot.press("escape", "v")
        sidebar = screen.query_one(ViewsSidebar)
        before = sidebar.highlighted
        await pilot.press("ctrl+n")
        assert sidebar.highlighted != before, "the views sidebar"


async def test_sidebar_takes_j_and_k(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        screen = main(pilot.app)
        await pilot.press("v")
        sidebar = screen.query_one(ViewsSidebar)
        assert screen.focused is sidebar
        start = sidebar.highlighted
        await pilot.press("j")
        assert sidebar.highlighted is not None and start is not None
        assert sidebar.highlighted > start
        await pilot.press("k")
        assert sidebar.highlighted == start


async def test_help_starts_with_the_keys_and_scrolls_with_j(run_app: RunApp, library: Library):
    async with run_app(library, size=NARROW) as pilot:
        await pilot.press("question_mark")
        await until(lambda: isinstance(pilot.app.screen, HelpScreen), "the help screen")
        help_screen = pilot.app.screen
        await until(
            lambda: (
                help_screen.query("#help-guide") and help_screen.query_one("#help-guide").region
            ),
            "the help laid out",
        )
        body = help_screen.query_one("#help-body")
        keys, guide = help_screen.query_one("#help-keys"), help_screen.query_one("#help-guide")
        assert keys.region.y < guide.region.y, "the key table first, the prose after"
        await pilot.press("j", "j", "j")
        assert body.scroll_y == 3
        await pilot.press("k")
        assert body.scroll_y == 2
        await pilot.press("G")
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        assert body.scroll_y == 0


# ---------------------------------------------------------------- the detail pane


async def test_detail_opens_with_the_abstract(run_app: RunApp, library: Library):
    """Untitled seed: no title line, one line of metadata, the link, then the abstract."""
    async with run_app(library, size=WIDE) as pilot:
        detail = main(pilot.app).detail
        first = library.abstract(library.ids()[0])
        assert not detail.query_one("#detail-title").display, "no title: nothing repeated"
        lines = [line.plain for line in meta_of(detail).lines(56)]
        meta = "\n".join(lines)
        assert lines[0].startswith("2306.10015 · 2023-06-16 · 000") and "unread" in lines[0]
        assert lines[-1] == "https://arxiv.org/abs/2306.10015", "the link whole, on its line"
        assert len(lines) <= 3
        for empty in ("authors", "doi", "pdf", "none"):
            assert empty not in meta, f"no empty label ({empty}) for a seed"
        body = detail.query_one("#detail-abstract", Static)
        meta_region = detail.query_one("#detail-meta").region
        assert meta_region.height == len(lines), "every line of the metadata is drawn"
        assert body.region.y == meta_region.bottom + 1, "the abstract comes next"
        assert str(body.content).startswith(first.text[:40])


async def test_detail_shows_the_richer_fields(run_app: RunApp, library: Library):
    """A record as a richer source (arXiv) gives it: every field the source has shows."""
    record = library.ids()[0]
    rich_abstract = Abstract.from_dict(
        {
            **library.abstract(record).to_dict(),
            "comments": [],
            "title": "Attention Is All You Need",
            "authors": [f"Author{n}, A." for n in range(8)],
            "categories": ["cs.CL", "cs.LG"],
            "updated": "2017-12-06",
            "doi": "10.1/xyz",
            "journal_ref": "NeurIPS 2017",
            "pdf": "https://arxiv.org/pdf/1706.03762v7",
        }
    )
    async with run_app(library) as pilot:
        screen = main(pilot.app)
        screen.detail.show(rich_abstract, library.annotation(record))
        title = screen.detail.query_one("#detail-title", Static)
        assert title.display and str(title.content) == "Attention Is All You Need"
        meta = " ".join(meta_of(screen.detail).text.plain.split())
        for shown in (
            "2023-06-16 (updated 2017-12-06)",
            "Author0, Author1, … +6",
            "cs.CL cs.LG",
            "NeurIPS 2017",
            "doi:10.1/xyz",
            "https://arxiv.org/pdf/1706.03762v7",
        ):
            assert shown in meta


async def test_note_is_below_the_abstract(run_app: RunApp, library: Library):
    library.set_note(library.ids()[0], "my note")
    async with run_app(library) as pilot:
        await pilot.pause()  # the first note is made once the first frame is drawn
        detail = main(pilot.app).detail
        order = [c.id for c in detail.children if c.display]
        assert order.index("detail-abstract") < order.index("detail-note")


# ---------------------------------------------------------------- list rows


async def test_rows_use_a_short_source_label_and_mark_notes(run_app: RunApp, library: Library):
    undated = next(i for i in library.ids() if not library.abstract(i).date)
    library.set_note(undated, "a note")
    async with run_app(library) as pilot:
        text = list_text(pilot.app)
        assert "90d3212f" not in text and "eff0ef8c" not in text, "no hashed file names"
        line = next(t for t in text.splitlines() if "✎" in t)
        assert "001" in line or "000" in line


# ---------------------------------------------------------------- remembering


async def test_new_library_opens_on_the_inbox_by_date(run_app: RunApp, library: Library):
    async with run_app(library, fresh=True) as pilot:
        screen = main(pilot.app)
        assert screen.query_text == "status:unread"
        assert screen.sort == "date"


async def test_reopens_where_left(run_app: RunApp, library: Library):
    ids = library.ids()
    async with run_app(library, fresh=True) as pilot:
        screen = main(pilot.app)
        await pilot.press("slash", "ctrl+u", *"tag:x OR status:unread", "escape")
        await settle(pilot)
        await pilot.press("S", "j", "j", "j", "v")
        await settle(pilot)
        sort, row = screen.sort, screen.abstract_list.row
        assert sort == "status"
    saved = uistate.load(library.data_dir)
    assert saved.query == "tag:x OR status:unread" and saved.sidebar
    async with run_app(Library.open(library.data_dir)) as pilot:
        screen = main(pilot.app)
        assert screen.filter_bar.value == "tag:x OR status:unread"
        assert screen.query_text == "tag:x OR status:unread"
        assert screen.sort == sort
        assert screen.show_views
        assert screen.abstract_list.row == row
        assert ids  # (the library did not change)


async def test_a_damaged_ui_file_opens_on_the_defaults(run_app: RunApp, library: Library):
    (library.data_dir / "ui.json").write_text("{not json")
    async with run_app(library, fresh=True) as pilot:
        assert main(pilot.app).query_text == "status:unread"
    assert (library.data_dir / "user.json").exists()


def test_two_windows_keep_both_histories(library: Library):
    first = uistate.save(library.data_dir, uistate.UIState(), ["graph"])
    second = uistate.save(library.data_dir, uistate.UIState(query="x"), ["robot"])
    assert first.history == ("graph",)
    assert second.history == ("graph", "robot"), "the other window's query stays"
    third = uistate.save(library.data_dir, second, ["graph"])
    assert third.history == ("robot", "graph"), "once, at its latest place"
    assert uistate.load(library.data_dir).query == "x"
    many = uistate.remember((), *(f"q{n}" for n in range(150)))
    assert len(many) == uistate.HISTORY and many[-1] == "q149"


async def test_filter_history_up_and_down(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        screen = main(pilot.app)
        for query in ("graph", "robot", "graph"):
            await pilot.press("slash", "ctrl+u", *query, "enter")
            await settle(pilot)
        await pilot.press("slash", "ctrl+u", *"new")
        await pilot.press("up")
        assert screen.filter_bar.value == "graph", "the newest first"
        await pilot.press("up")
        assert screen.filter_bar.value == "robot", "each query once"
        await pilot.press("up")
        assert screen.filter_bar.value == "robot", "the oldest stays"
        await pilot.press("down")
        assert screen.filter_bar.value == "graph"
        await pilot.press("down")
        assert screen.filter_bar.value == "new", "back to what was being typed"
        await settle(pilot)
    history = uistate.load(library.data_dir).history
    assert history[-2:] == ("robot", "graph")


# ---------------------------------------------------------------- sorting


async def test_sort_both_ways_and_relevance_by_itself(run_app: RunApp, library: Library):
    async with run_app(library, fresh=True) as pilot:
        screen = main(pilot.app)
        assert screen.sort == "date"
        await pilot.press("S")
        assert screen.sort == "status"
        await pilot.press("ctrl+s")
        assert screen.sort == "date"
        await pilot.press("ctrl+s")
        assert screen.sort == "for-you", "backwards wraps to the last order"
        await pilot.press("slash", "ctrl+u", *"language model")
        await settle(pilot)
        assert screen.sort == "relevance", "words sort by relevance by themselves"
        await pilot.press("escape", "S")
        await settle(pilot)
        assert screen.sort == "date", "the user picks another order"
        await pilot.press("slash", "backspace")
        await settle(pilot)
        assert screen.sort == "date", "it stays picked while the query has words"
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert screen.sort == "date"


# ---------------------------------------------------------------- keys and messages


async def test_ctrl_z_in_the_filter_undoes_typing(run_app: RunApp, library: Library):
    record = library.ids()[0]
    async with run_app(library, fresh=True) as pilot:
        screen = main(pilot.app)
        await pilot.press("ctrl+u")  # (nothing: the list has focus)
        await pilot.press("3")  # a triage change that ctrl+z must not undo
        await pilot.press("slash", "ctrl+u", *"graph", "space", *"robot")
        assert screen.filter_bar.value == "graph robot"
        await pilot.press("ctrl+z")
        assert screen.filter_bar.value == "graph", "one word at a time"
        await pilot.press("ctrl+z")
        assert screen.filter_bar.value == ""
        await pilot.press("ctrl+z")
        assert screen.filter_bar.value == "status:unread ", "ctrl+u undone (/ added the space)"
        await pilot.press("ctrl+z")
        assert screen.filter_bar.value == "status:unread", "the space / added, undone"
        await pilot.press("ctrl+z")
        assert screen.filter_bar.value == "status:unread", "nothing more: nothing else undone"
        await pilot.press("ctrl+y", "ctrl+y", "ctrl+y")
        assert screen.filter_bar.value == "graph", "ctrl+y redoes"
        await settle(pilot)
    assert Library(library.data_dir).annotation(record).status is Status.READING


async def test_ctrl_z_in_a_prompt_undoes_typing(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        await pilot.press("3", "t")
        await until(lambda: isinstance(pilot.app.screen, PromptScreen), "the tag prompt")
        await pilot.press(*"llm")
        await pilot.press("ctrl+z")
        assert pilot.app.screen.query_one(Input).value == ""
        assert Library(library.data_dir).annotation(library.ids()[0]).status is Status.READING


async def test_dialogs_show_their_own_keys(run_app: RunApp, library: Library):
    app = None

    async def footer_shows(*wanted: str) -> list[str]:
        assert app is not None
        await until(lambda: all(w in footer_keys(app) for w in wanted), f"{wanted} in the footer")
        return footer_keys(app)

    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("t")
        await until(lambda: isinstance(app.screen, PromptScreen), "the tag prompt")
        assert (await footer_shows("Apply", "Cancel"))[:2] == ["Apply", "Cancel"]
        await pilot.press("escape", "s")
        await until(lambda: isinstance(app.screen, StatusPicker), "the status picker")
        assert (await footer_shows("Apply", "Cancel"))[:2] == ["Apply", "Cancel"]
        await pilot.press("escape", "n")
        await until(lambda: isinstance(app.screen, NoteEditor), "the note editor")
        keys = await footer_shows("Save and close", "Discard this session")
        assert "Mark" not in keys and "Quit" not in keys


async def test_footer_keeps_help_and_quit_at_80_columns(run_app: RunApp, library: Library):
    async with run_app(library, size=NARROW) as pilot:
        footer = pilot.app.screen.query_one(Footer)

        def shown() -> list[str]:
            keys = [k for k in footer.children if k.region and k.region.right <= NARROW[0] - 12]
            return [str(getattr(k, "description", "")) for k in keys]

        await until(lambda: "Help" in shown() and "Quit" in shown(), "? Help and q Quit shown")


async def test_o_without_an_id_says_so(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        screen = main(pilot.app)
        undated = next(i for i in library.ids() if not library.abstract(i).arxiv_id)
        screen.abstract_list.move_to(library.row_of(undated))
        await pilot.press("o")
        await pilot.pause()
        assert any("no arXiv id" in str(n.message) for n in pilot.app._notifications)  # noqa: SLF001


async def test_bulk_tag_counts_hidden_marks(run_app: RunApp, library: Library):
    async with run_app(library) as pilot:
        screen = main(pilot.app)
        await pilot.press("space", "space", "space")
        await pilot.press("slash", "ctrl+u", *"id:2306", "escape")
        await settle(pilot)
        assert "3 marked (1 not shown)" in screen.abstract_list.border_subtitle
        await pilot.press("t")
        await until(lambda: isinstance(pilot.app.screen, PromptScreen), "the tag prompt")
        title = pilot.app.screen.query_one(".dialog-title", Static)
        assert "3 marked abstracts, 1 not shown" in str(title.content)


# ---------------------------------------------------------------- the note editor


async def test_note_editor_beside_the_abstract(run_app: RunApp, library: Library):
    record = library.ids()[0]
    library.set_note(record, "before")
    async with run_app(library) as pilot:
        await pilot.press("n")
        await until(lambda: isinstance(pilot.app.screen, NoteEditor), "the note editor")
        editor = pilot.app.screen
        await until(
            lambda: editor.query("#note-text") and editor.query_one("#note-text").region,
            "the editor laid out",
        )
        abstract = editor.query_one("#note-abstract")
        area = editor.query_one("#note-text")
        assert abstract.region.right <= area.region.x, "side by side"
        assert area.language == "markdown", "Markdown highlighting (tree-sitter)"
        await pilot.press("home", "tab")
        assert area.text.startswith("  before"), "tab indents"
        await pilot.press(*" more")
        await pilot.press("ctrl+g")
        await until(lambda: isinstance(pilot.app.screen, MainScreen), "the editor to close")
    assert Library(library.data_dir).annotation(record).note == "before"


async def test_note_editor_above_the_abstract_when_narrow(run_app: RunApp, library: Library):
    async with run_app(library, size=NARROW) as pilot:
        await pilot.press("n")
        await until(lambda: isinstance(pilot.app.screen, NoteEditor), "the note editor")
        editor = pilot.app.screen
        await until(
            lambda: editor.query("#note-text") and editor.query_one("#note-text").region,
            "the editor laid out",
        )
        abstract, area = editor.query_one("#note-abstract"), editor.query_one("#note-text")
        assert abstract.region.bottom <= area.region.y
        await pilot.press("x", "escape")  # escape saves and closes, though tab indents
        await until(lambda: isinstance(pilot.app.screen, MainScreen), "the editor to close")
    assert Library(library.data_dir).annotation(library.ids()[0]).note == "x"
