"""y (the copy menu), o / p (pages), L (links), the palette's exports (issue 15).

The clipboard programs and the browser are fakes: shell scripts in a folder that is
the whole PATH, each writing what it was given to a file, so a test sees exactly what
reached which program, and that the message names it (or says nothing worked).
"""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import bibtexparser
import pytest

from reader.core.library import Library
from reader.tui.screens.copy_menu import CopyMenu
from reader.tui.screens.link_list import LinkList
from tests.tui.conftest import NARROW
from tests.waiting import run_from_palette, until

FIRST = "2306.10015"
"""The first seed: an arXiv id, so it has a page and a PDF."""


class Fakes:
    """A folder of fake programs that is the whole PATH."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        folder.mkdir()
        monkeypatch.setenv("PATH", str(folder))
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX", "BROWSER"):
            monkeypatch.delenv(name, raising=False)

    def add(self, name: str, exit_code: int = 0) -> Path:
        """A clipboard program `name` that saves its stdin and exits `exit_code`."""
        return self._script(name, "/bin/cat >", exit_code)

    def browser(self, exit_code: int = 0) -> Path:
        """A browser that saves its arguments; $BROWSER names it."""
        return self._script("browser", 'echo "$@" >', exit_code)

    def _script(self, name: str, save: str, exit_code: int) -> Path:
        out = self.folder / f"{name}.got"
        script = self.folder / name
        script.write_text(f"#!/bin/sh\n{save} {out}\nexit {exit_code}\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        return out


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fakes:
    return Fakes(tmp_path / "bin", monkeypatch)


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def told(app, words: str) -> str:
    """The first notification holding `words`, once it is there."""
    await until(lambda: any(words in m for m in messages(app)), f"a message with {words!r}")
    return next(m for m in messages(app) if words in m)


# ----------------------------------------------------------------- y
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("y", FIRST),
        ("u", f"https://arxiv.org/abs/{FIRST}"),
        ("m", f"](https://arxiv.org/abs/{FIRST})"),
        ("b", "@misc{2306.10015,"),
    ],
)
async def test_y_copies_each_target_with_the_clipboard_program(
    key: str, expected: str, run_app, library: Library, fakes: Fakes, monkeypatch
):
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    got = fakes.add("wl-copy")
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("y")
        await until(lambda: isinstance(app.screen, CopyMenu), "the copy menu")
        await pilot.press(key)
        message = await told(app, "with wl-copy")
        assert expected in got.read_text() and expected in app.clipboard  # OSC 52 too
        assert message.startswith("Copied ") and "OSC 52" in message
    if key == "b":
        (entry,) = bibtexparser.parse_string(got.read_text()).entries
        assert entry.key == FIRST and entry.fields_dict["eprint"].value == FIRST
    if key == "m":
        assert got.read_text().startswith("[Language model training in distributed settings")


@pytest.mark.parametrize(
    ("program", "env"),
    [("xclip", "DISPLAY"), ("xsel", "DISPLAY"), ("pbcopy", None), ("tmux", "TMUX")],
)
async def test_y_names_whichever_program_took_the_text(
    program: str, env: str | None, run_app, library: Library, fakes: Fakes, monkeypatch
):
    if env:
        monkeypatch.setenv(env, "set")
    got = fakes.add(program)
    async with run_app(library) as pilot:
        await pilot.press("y", "y")
        message = await told(pilot.app, f"with {program}")
        assert got.read_text() == FIRST
        assert ("tmux's paste buffer" in message) == (program == "tmux")


async def test_y_says_plainly_when_nothing_could_copy(
    run_app, library: Library, fakes, monkeypatch
):
    monkeypatch.setenv("DISPLAY", ":0")
    fakes.add("xclip", exit_code=1)  # there, but no X server answers
    async with run_app(library) as pilot:
        await pilot.press("y", "y")
        message = await told(pilot.app, "Could not copy")
        assert "xclip failed (exit 1)" in message and "OSC 52" in message
        assert "Copied" not in " ".join(messages(pilot.app))
        assert pilot.app.clipboard == FIRST  # OSC 52 was still sent


async def test_copy_menu_fits_a_narrow_terminal_and_escape_cancels(
    run_app, library: Library, fakes
):
    async with run_app(library, size=NARROW) as pilot:
        app = pilot.app
        await pilot.press("y")
        await until(lambda: isinstance(app.screen, CopyMenu), "the copy menu")
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, CopyMenu), "the menu to close")
        assert not messages(app) or "Copied" not in messages(app)[-1]


# ----------------------------------------------------------------- o, p
@pytest.mark.parametrize(("key", "url"), [("o", "abs"), ("p", "pdf")])
async def test_no_browser_shows_the_address_and_copies_it(
    key: str, url: str, run_app, library: Library, fakes: Fakes, monkeypatch
):
    address = f"https://arxiv.org/{url}/{FIRST}"
    browser = fakes.browser(exit_code=3)  # a $BROWSER that fails
    monkeypatch.setenv("BROWSER", str(fakes.folder / "browser"))
    monkeypatch.setenv("DISPLAY", ":0")
    clip = fakes.add("xclip")
    async with run_app(library) as pilot:
        await pilot.press(key)
        message = await told(pilot.app, "No browser opened")
        assert address in message and "with xclip" in message
        assert browser.read_text().strip() == address  # it was tried
        assert clip.read_text() == address and pilot.app.clipboard == address
        assert not any("Opening" in m or "Opened" in m for m in messages(pilot.app))


async def test_o_opens_the_page_when_the_browser_works(
    run_app, library: Library, fakes: Fakes, monkeypatch
):
    browser = fakes.browser()
    monkeypatch.setenv("BROWSER", f"{fakes.folder / 'browser'} %s")
    async with run_app(library) as pilot:
        await pilot.press("o")
        await told(pilot.app, "Opened the abstract page in the browser")
        assert browser.read_text().strip() == f"https://arxiv.org/abs/{FIRST}"


async def test_without_an_id_o_points_to_the_arxiv_search(
    run_app, library: Library, fakes: Fakes, monkeypatch
):
    browser = fakes.browser()
    monkeypatch.setenv("BROWSER", str(fakes.folder / "browser"))
    async with run_app(library) as pilot:
        app = pilot.app
        main = app.screen
        row = next(r for r in range(len(library)) if not library.abstract_at(r).arxiv_id)
        main.abstract_list.cursor = row  # the list is in source order: position = row
        await pilot.pause()
        await pilot.press("o")
        await told(app, "Search arXiv for the highlighted abstract")
        await run_from_palette(pilot, "Search arXiv for the highlighted abstract")
        await told(app, "Opened the arXiv search")
        headline = library.abstract_at(row).headline.split()[0]
        assert browser.read_text().startswith("https://arxiv.org/search/?query=" + headline)


# ----------------------------------------------------------------- L
async def test_L_lists_the_links_of_abstract_and_note_and_opens_one(
    run_app, library: Library, fakes: Fakes, monkeypatch
):
    library.set_note(FIRST, "See [code](https://github.com/x/y) and arXiv:1706.03762.")
    browser = fakes.browser()
    monkeypatch.setenv("BROWSER", str(fakes.folder / "browser"))
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("L")
        await until(lambda: isinstance(app.screen, LinkList), "the link list")
        urls = [link.url for link in app.screen.links]
        assert urls == [
            f"https://arxiv.org/abs/{FIRST}",
            f"https://arxiv.org/pdf/{FIRST}",
            "https://github.com/x/y",
            "https://arxiv.org/abs/1706.03762",
        ]
        await pilot.press("down", "down", "enter")
        await told(app, "Opened the link")
        assert browser.read_text().strip() == "https://github.com/x/y"


# ----------------------------------------------------------------- export
async def test_export_marked_from_the_palette_writes_the_default_file(
    run_app, library: Library, fakes, tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    library.tag([FIRST], add=("later",))
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.press("space", "space")  # mark the first two
        await run_from_palette(pilot, "Export marked as CSV")
        await until(lambda: app.screen.id == "export-prompt", "the file prompt")
        await pilot.press("enter")  # the offered name, in the current folder
        message = await told(app, "Exported 2 abstracts to")
        (written,) = tmp_path.glob("abstracts-*.csv")
        assert message.endswith(written.name)
        rows = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8-sig"))))
        assert [r["id"] for r in rows] == library.ids()[:2] and rows[0]["tags"] == "later"


async def test_export_to_a_bad_place_says_why(run_app, library: Library, fakes, tmp_path: Path):
    async with run_app(library) as pilot:
        app = pilot.app
        await run_from_palette(pilot, "Export shown as HTML")
        await until(lambda: app.screen.id == "export-prompt", "the file prompt")
        prompt = app.screen.query_one("#prompt-input")
        prompt.value = str(tmp_path / "missing" / "x.html")
        await pilot.press("enter")
        message = await told(app, "does not exist")
        assert message.startswith(f"cannot write {tmp_path / 'missing' / 'x.html'}")


async def test_export_onto_a_file_asks_first_and_n_keeps_it(
    run_app, library: Library, fakes, tmp_path: Path
):
    thesis = tmp_path / "thesis.bib"
    thesis.write_text("@article{mine, title={My own work}}\n")
    async with run_app(library) as pilot:
        app = pilot.app
        for answer in ("n", "y"):
            await run_from_palette(pilot, "Export shown as BibTeX")
            await until(lambda: app.screen.id == "export-prompt", "the file prompt")
            app.screen.query_one("#prompt-input").value = str(thesis)
            await pilot.press("enter")
            await until(lambda: app.screen.id == "export-replace", "the question")
            assert "thesis.bib" in str(app.screen.query_one("#confirm-body").render())
            await pilot.press(answer)
            if answer == "n":
                await pilot.pause()
                assert thesis.read_text() == "@article{mine, title={My own work}}\n"
        await told(app, "Exported")
        assert "My own work" not in thesis.read_text()  # y replaced it


async def test_yy_typed_at_once_copies_the_id(run_app, library: Library, fakes: Fakes, monkeypatch):
    # the second y of a fast `yy` (sent before the menu is up) reaches the copy menu
    # (this passes without y's priority=True too: it does not pin that)
    from tests.tui.test_views_replace import burst

    monkeypatch.setenv("TMUX", "set")
    got = fakes.add("tmux")
    async with run_app(library) as pilot:
        app = pilot.app
        burst(app, "y", "y")
        await told(app, "with tmux")
        assert got.read_text() == FIRST and len(app.screen_stack) == 1
