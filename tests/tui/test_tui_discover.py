"""Discovery in the app: `m` (more like this), the "for you" sort, "Might also be
tagged" in the palette, and the stats screen (`%`)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable

from reader.core.discover import rank
from reader.core.discover.stats import today
from reader.core.discover.vectors import UserData
from reader.core.library import Library
from reader.core.models import Status
from reader.tui.screens.main import MainScreen
from reader.tui.screens.stats import StatsScreen
from tests.topics import build, of_topic
from tests.tui.conftest import NARROW, RunApp
from tests.waiting import run_from_palette, settle, until


@pytest.fixture
def topical(tmp_path: Path) -> tuple[Library, dict[str, str]]:
    return build(tmp_path)


def main(pilot) -> MainScreen:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


def shown_ids(screen: MainScreen) -> list[str]:
    return [screen.library.abstract_at(r).id for r in screen.abstract_list.rows.tolist()]


async def test_m_lists_the_most_similar_and_escape_leaves(run_app: RunApp, topical):
    library, topic_of = topical
    first = library.abstract_at(0)
    assert topic_of[first.id] == "a"
    async with run_app(library) as pilot:
        screen = main(pilot)
        await pilot.press("m")
        await until(lambda: "similar to" in str(screen.abstract_list.border_title), "the ranking")
        ids = shown_ids(screen)
        assert first.id not in ids
        assert [topic_of[i] for i in ids[:8]] == ["a"] * 8
        assert str(screen.abstract_list.border_title).startswith(f"{len(ids)} similar to ")
        assert screen.abstract_list.cursor == 0
        await pilot.press("slash", *"item", "escape")  # the filter narrows the ranking
        await settle(pilot)
        assert shown_ids(screen) == ids
        await pilot.press("escape")  # leaves the ranking, keeps the filter
        await settle(pilot)
        assert str(screen.abstract_list.border_title).startswith("36 of 36")
        assert screen.filter_bar.value == "item"


async def test_m_on_a_narrow_terminal(run_app: RunApp, topical):
    library, topic_of = topical
    async with run_app(library, size=NARROW) as pilot:
        screen = main(pilot)
        await pilot.press("m")
        await until(lambda: "similar to" in str(screen.abstract_list.border_title), "the ranking")
        await pilot.press("escape")
        await settle(pilot)
        assert "similar" not in str(screen.abstract_list.border_title)


async def test_the_for_you_sort_learns_and_relearns_in_a_worker(run_app: RunApp, topical):
    library, topic_of = topical
    library.set_status(of_topic(topic_of, "a")[:6], Status.READ)
    library.set_status(of_topic(topic_of, "b")[:6], Status.SKIPPED)
    async with run_app(library) as pilot:
        screen = main(pilot)
        await pilot.press("S")  # source order -> for you
        assert screen.sort == "for-you"
        await until(lambda: "6 kept · 6 skipped" in str(screen.abstract_list.border_title),
                    "the model")  # fmt: skip
        await settle(pilot)  # the list re-sorts (maybe in a thread, on a loaded machine)
        unread = [i for i in shown_ids(screen) if library.annotation(i).status is Status.UNREAD]
        topics = [topic_of[i] for i in unread]
        assert topics[:6] == ["a"] * 6 and "b" not in topics[: topics.count("a")]
        await pilot.press("g", "5")  # skip the top one: the order is learned again
        await until(lambda: "6 kept · 7 skipped" in str(screen.abstract_list.border_title),
                    "the model to relearn")  # fmt: skip


async def test_for_you_with_too_few_decisions_says_so(run_app: RunApp, topical):
    library, topic_of = topical
    library.set_status(of_topic(topic_of, "a")[:2], Status.READ)
    async with run_app(library) as pilot:
        screen = main(pilot)
        await pilot.press("S")
        await until(lambda: "by date" in str(screen.abstract_list.border_title), "the fallback")
        await until(
            lambda: any("needs 5 kept" in str(n.message) for n in pilot.app._notifications),
            "the notification",
        )
        await settle(pilot)
        assert shown_ids(screen) == library.search("", "date").ids


async def test_might_also_be_tagged_from_the_palette(run_app: RunApp, topical):
    library, topic_of = topical
    c = of_topic(topic_of, "c")
    library.tag(c[:6], add=["compilers"])
    async with run_app(library) as pilot:
        screen = main(pilot)
        await run_from_palette(pilot, "Might also be tagged compilers")
        await until(lambda: "#compilers" in str(screen.abstract_list.border_title), "the ranking")
        ids = shown_ids(screen)
        assert not set(ids) & set(c[:6])
        assert [topic_of[i] for i in ids[:6]] == ["c"] * 6


async def test_the_stats_screen_has_every_number_in_a_table(run_app: RunApp, library: Library):
    ids = library.ids()
    library.set_status(ids[:4], Status.READ)
    library.set_status(ids[4:6], Status.SKIPPED)
    library.tag(ids[:3], add=["llm"])
    async with run_app(library) as pilot:
        await pilot.press("percent_sign")
        await until(lambda: isinstance(pilot.app.screen, StatsScreen), "the stats screen")
        screen = pilot.app.screen
        tags = screen.query_one("#table-tags", DataTable)
        await until(lambda: tags.row_count > 0, "the tables to fill (on mount)")
        days = screen.query_one("#table-days", DataTable)
        assert days.row_count == 1
        assert days.get_row_at(0) == [today().isoformat(), 0, 0, 4, 2, 6]
        assert tags.get_row_at(0) == ["#llm", 3]
        months = screen.query_one("#table-months", DataTable)
        assert sum(row[-1] for row in map(months.get_row_at, range(months.row_count))) == 10
        assert "Inbox: 43 of 49" in str(screen.query_one("#stats-summary").render())
        await pilot.press("escape")
        await until(lambda: isinstance(pilot.app.screen, MainScreen), "the main screen")


async def test_fast_triage_trains_one_model_at_a_time_and_ends_fresh(
    run_app: RunApp, topical, monkeypatch: pytest.MonkeyPatch
):
    library, topic_of = topical
    library.set_status(of_topic(topic_of, "a")[:6], Status.READ)
    library.set_status(of_topic(topic_of, "b")[:6], Status.SKIPPED)
    discover_type = type(library.discover)
    train = discover_type.train_for_you
    active, most = [0], [0]
    lock = threading.Lock()

    def counted(self, data=None):  # type: ignore[no-untyped-def]
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            time.sleep(0.5)  # a slow training (not a wait): the keys below overlap it
            return train(self, data)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(discover_type, "train_for_you", counted)
    before = [set(rows) for rows in rank.decisions(UserData.of(library.index))]
    async with run_app(library) as pilot:
        screen = main(pilot)
        await pilot.press("S")
        await pilot.press("g", "5", "5", "5", "4", "4")
        await until(lambda: library.discover.for_you_fresh, "a model of the last decision")
        await settle(pilot)
        assert most[0] == 1
        model = library.discover.for_you_model
        # (which rows the keys hit depends on when the list re-sorted: count them now)
        after = [set(rows) for rows in rank.decisions(UserData.of(library.index))]
        kept, skipped = (len(rows) for rows in after)
        assert model is not None and (model.positives, model.negatives) == (kept, skipped)
        # the keys did change the decisions (which ones depends on when the list
        # re-sorted: a 4 may land on a skipped row, so the counts alone may not grow)
        assert after != before
        assert f"{kept} kept · {skipped} skipped" in str(screen.abstract_list.border_title)
