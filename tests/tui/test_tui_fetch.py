"""The palette's "Fetch new abstracts" (against a local arXiv API) and "Remove marked
abstracts" (undone with z): what the list shows, what is on disk, what is said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reader.core.arxiv.client import Client, Settings
from reader.core.arxiv.fetch import fetch
from reader.core.arxiv.queries import id_searches
from reader.core.arxiv.subscriptions import Subscription
from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from tests.arxiv_server import FakeArxiv, paper
from tests.tui.conftest import NARROW, RunApp
from tests.waiting import run_from_palette, settle


def record_notices(app: ReaderApp) -> list[tuple[str, str, str]]:
    """Every notification the app shows from now on, as (title, message, severity):
    kept, unlike `app._notifications`, which drops them once they time out (on a
    loaded machine, before the test looks)."""
    said: list[tuple[str, str, str]] = []
    notify = app.notify

    def recorded(message: str, *, title: str = "", severity: str = "information", **kw: Any):
        said.append((title, str(message), severity))
        return notify(message, title=title, severity=severity, **kw)  # type: ignore[arg-type]

    app.notify = recorded  # type: ignore[method-assign]
    return said


async def test_fetch_new_abstracts_brings_them_into_the_inbox(
    run_app: RunApp, library: Library, arxiv: FakeArxiv, data_dir: Path
) -> None:
    arxiv.papers = [paper(n, categories=("cs.CL",)) for n in range(1, 6)]
    [search] = id_searches(["2611.00002"])
    fetch(library, Client(Settings(api_url=arxiv.url, interval=0)), search)
    library.tag(["2611.00002"], ["keep"])
    library.set_note("2611.00002", "read the proofs")
    arxiv.set_papers(paper(2, version=3, summary="Version three."))
    library.subscriptions.add([Subscription.category("cs.CL")])
    async with run_app(library) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, MainScreen)
        said = record_notices(app)
        screen.apply_view("status:unread")  # the Inbox
        await settle(pilot)
        assert len(screen.abstract_list.rows) == 50
        await run_from_palette(pilot, "Fetch new abstracts")
        await settle(pilot)  # the worker, and the reload it asks for
        assert len(screen.abstract_list.rows) == 54
        assert screen.abstract_list.border_title.startswith("54 of 54")
        assert len(library) == 54
        record = library.record("2611.00002")  # re-fetched: a new version, annotations kept
        assert (record.abstract.text, record.replaced_version) == ("Version three.", 1)
        assert (record.annotation.tags, record.annotation.note) == (("keep",), "read the proofs")
        assert library.abstract("2611.00003").title == "Paper number 3 on graph reasoning"
        assert any(
            m.startswith("Fetching cs.CL from arXiv (one request every 3 s)") for _, m, _ in said
        )
        assert ("Fetched", "cs.CL: 4 added, 1 updated, 0 unchanged", "information") in said
    assert Library(data_dir).subscriptions.all()[0].fetched is not None


async def test_a_failed_fetch_is_said_and_the_app_goes_on(
    run_app: RunApp, library: Library, arxiv: FakeArxiv
) -> None:
    arxiv.papers = [paper(1)]
    arxiv.faults = ["503"] * 4
    library.subscriptions.add([Subscription.category("cs.CL")])
    async with run_app(library, size=NARROW) as pilot:
        app = pilot.app
        said = record_notices(app)
        await run_from_palette(pilot, "Fetch new abstracts")
        await settle(pilot)
        title, message, severity = said[-1]
        assert (title, severity) == ("Fetch failed", "error")
        assert "answered HTTP 503 Service Unavailable (after 4 tries)" in message
        assert message.endswith("What came before the failure is kept.")
        assert len(library) == 49
        await pilot.press("j")  # still running, still triaging
        assert app.is_running


async def test_fetch_without_subscriptions_says_how_to_subscribe(
    run_app: RunApp, library: Library, arxiv: FakeArxiv
) -> None:
    async with run_app(library) as pilot:
        said = record_notices(pilot.app)
        await run_from_palette(pilot, "Fetch new abstracts")
        await settle(pilot)
        assert "reader subscribe cs.CL" in said[-1][1]
        assert arxiv.requests == []


async def test_remove_marked_abstracts_is_undone_with_z(
    run_app: RunApp, library: Library, data_dir: Path
) -> None:
    ids = library.ids()
    library.tag([ids[1]], ["keep"])
    async with run_app(library) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, MainScreen)
        said = record_notices(app)
        await pilot.press("j", "space", "space")  # marks rows 1 and 2
        assert screen.abstract_list.marked == {1, 2}
        await run_from_palette(pilot, "Remove marked abstracts")
        await settle(pilot)
        assert library.ids() == [ids[0], *ids[3:]]
        assert Library(data_dir).ids() == [ids[0], *ids[3:]]  # on disk
        assert library.annotations()[ids[1]].tags == ("keep",)  # kept aside
        assert len(screen.abstract_list.rows) == 47 and not screen.abstract_list.marked
        assert said[-1][1].startswith("Removed 2 (z undoes it")
        await pilot.press("z")
        await settle(pilot)
        assert library.ids() == ids and Library(data_dir).ids() == ids
        assert len(screen.abstract_list.rows) == 49
        assert said[-1][1] == "Undid: remove 2 abstracts"
        assert library.count("tag:keep") == 1
        await pilot.press("Z")
        await settle(pilot)
        assert len(library) == 47 and len(screen.abstract_list.rows) == 47


async def test_remove_without_marks_takes_the_highlighted_row(
    run_app: RunApp, library: Library
) -> None:
    first = library.ids()[0]
    async with run_app(library, size=NARROW) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        await run_from_palette(pilot, "Remove marked abstracts")
        await settle(pilot)
        assert first not in library.ids()
        assert screen.detail_open is False
        assert screen.abstract_list.row == 0  # the next abstract, at the top
