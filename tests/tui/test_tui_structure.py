"""The shape of the TUI code (no mixins) and the screen's threaded-search edges."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input

import reader
import reader.tui.screens.main as main_module
from reader.core.errors import QueryError
from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.prompt import PromptScreen
from tests.tui.conftest import RunApp
from tests.waiting import settle, until

PACKAGE = Path(reader.__file__).parent


def mixins(folder: Path) -> list[str]:
    """Classes under `folder` named a mixin or built from one."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(base) for base in node.bases]
                if "mixin" in node.name.lower() or any("mixin" in b.lower() for b in bases):
                    found.append(f"{path.relative_to(PACKAGE)}: class {node.name}({bases})")
    return found


def test_no_class_in_the_tui_is_a_mixin():
    """Mixins hide the ties between parts behind `self`, and Textual ignores `@on` in
    them: no class is named one or built from one."""
    assert mixins(PACKAGE / "tui") == []


def test_no_class_in_reader_is_a_mixin():
    assert mixins(PACKAGE) == []


def main(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_a_search_result_after_the_app_quit_is_dropped(run_app: RunApp, library: Library):
    """A threaded search that ends once the app has quit must not crash it
    (`NoMatches('#filter-error')`): its result and its error are dropped."""
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        text, sort = screen._latest
    # the app has quit and its widgets are gone; the thread's callbacks arrive now
    screen._show_result(text, sort, (np.arange(3, dtype=np.int64), ("late",)))
    screen._show_error(text, QueryError("late", 0))
    assert screen.terms == ()  # nothing was shown


async def test_save_view_saves_the_query_typed_while_its_search_runs(
    run_app: RunApp, library: Library, monkeypatch: pytest.MonkeyPatch
):
    """V while the search for "reasoning" still runs in a thread saves "reasoning",
    not the query shown ("reasonin")."""
    monkeypatch.setattr(main_module, "SLOW_SEARCH", -1.0)  # every search in a thread
    release = threading.Event()
    async with run_app(library) as pilot:
        app = pilot.app
        screen = main(app)
        evaluate = screen._evaluate

        def held(text: str, sort: str) -> tuple[np.ndarray, tuple[str, ...]]:
            if text == "reasoning":
                release.wait(20)  # the search is slow: still running when V is pressed
            return evaluate(text, sort)

        monkeypatch.setattr(screen, "_evaluate", held)
        await pilot.press("slash", *"reasonin")
        await settle(pilot)
        assert screen.query_text == "reasonin"
        await pilot.press("g", "escape", "V")
        await until(lambda: isinstance(app.screen, PromptScreen), "the view prompt")
        assert screen.query_text == "reasonin"  # "reasoning" is still being searched
        app.screen.query_one(Input).value = "Mine"
        await pilot.press("enter")
        release.set()
        await settle(pilot)
        view = library.view("Mine")
        assert view is not None and view.query == "reasoning"
        assert screen.query_text == "reasoning"
