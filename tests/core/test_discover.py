"""Discovery on small constructed libraries: similar abstracts, the "for you" order,
tag suggestions, the change log and the stats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from reader.core.discover import changelog, rank
from reader.core.discover.changelog import Log
from reader.core.discover.vectors import UserData
from reader.core.library import Library
from reader.core.models import Status
from tests.topics import build, of_topic


@pytest.fixture
def topical(tmp_path: Path) -> tuple[Library, dict[str, str]]:
    return build(tmp_path)


def test_similar_to_a_topic_a_abstract_are_topic_a(topical):
    library, topic_of = topical
    for key in of_topic(topic_of, "a")[:4]:
        found = library.discover.similar(library.row_of(key), limit=5)
        ids = [library.abstract_at(r).id for r in found.rows.tolist()]
        assert len(ids) == 5
        assert key not in ids
        assert [topic_of[i] for i in ids] == ["a"] * 5
        assert list(found.scores) == sorted(found.scores, reverse=True)


@pytest.mark.parametrize("shared", ["tag", "note", "title"])
def test_similarity_counts_the_users_tags_note_and_title(topical, shared: str):
    library, topic_of = topical
    a, b = of_topic(topic_of, "a")[0], of_topic(topic_of, "b")[0]
    before = library.discover.similar(library.row_of(a), limit=40)
    rank_before = before.rows.tolist().index(library.row_of(b))
    for key in (a, b):
        if shared == "tag":
            library.tag([key], add=["zymurgy", "quokka"])
        elif shared == "note":
            library.set_note(key, "xylophone quokka zymurgy")
        else:
            library.set_title(key, "Xylophone quokka zymurgy")
    after = library.discover.similar(library.row_of(a), limit=40)
    rank_after = after.rows.tolist().index(library.row_of(b))
    assert rank_before >= 11  # behind every other topic-a abstract
    assert rank_after < 6  # now ahead of most of them


def decide(library: Library, topic_of: dict[str, str], read: str, skip: str, n: int) -> None:
    library.set_status(of_topic(topic_of, read)[:n], Status.READ)
    library.set_status(of_topic(topic_of, skip)[:n], Status.SKIPPED)


def test_for_you_ranks_unread_of_the_read_topic_above_the_skipped_one(topical):
    library, topic_of = topical
    decide(library, topic_of, "a", "b", 6)
    rows = library.search("", "for-you").rows.tolist()
    ids = [library.abstract_at(r).id for r in rows]
    unread = [i for i in ids if library.annotation(i).status is Status.UNREAD]
    assert ids[: len(unread)] == unread  # the unread first, then the decided
    first_a = [i for i in unread if topic_of[i] == "a"]
    first_b = [i for i in unread if topic_of[i] == "b"]
    assert max(map(unread.index, first_a)) < min(map(unread.index, first_b))
    model = library.discover.for_you_model
    assert model is not None and (model.positives, model.negatives) == (6, 6)


def test_for_you_with_too_few_decisions_says_so_and_sorts_by_date(topical):
    library, topic_of = topical
    decide(library, topic_of, "a", "b", 4)
    ranked = library.discover.order_for_you(library.rows(""))
    assert ranked.note == "needs 5 kept and 5 skipped, has 4 and 4; by date"
    assert ranked.rows.tolist() == library.rows("", "date").tolist()


def test_tags_and_notes_count_as_kept_and_skipped_wins(topical):
    library, topic_of = topical
    a = of_topic(topic_of, "a")
    library.tag(a[:2], add=["good"])
    library.set_note(a[2], "nice")
    library.set_status([a[3]], Status.TO_READ)
    library.set_status([a[0]], Status.SKIPPED)
    pos, neg = rank.decisions(UserData.of(library.index))
    assert sorted(library.abstract_at(r).id for r in pos) == sorted(a[1:4])
    assert [library.abstract_at(r).id for r in neg] == [a[0]]


def test_for_you_retrains_when_the_decisions_change(topical):
    library, topic_of = topical
    decide(library, topic_of, "a", "b", 6)
    library.search("", "for-you")
    first = library.discover.for_you_model
    library.set_status([of_topic(topic_of, "c")[0]], Status.SKIPPED)
    assert not library.discover.for_you_fresh
    library.search("", "for-you")
    again = library.discover.for_you_model
    assert again is not first and again is not None and again.negatives == 7


def test_in_the_background_mode_an_order_never_trains(topical):
    library, topic_of = topical
    decide(library, topic_of, "a", "b", 6)
    library.discover.background = True
    ranked = library.discover.order_for_you(library.rows(""))
    assert ranked.model is None and "learning" in ranked.note
    library.discover.train_for_you(library.discover.snapshot())
    assert library.discover.order_for_you(library.rows("")).model is not None


def test_might_also_be_tagged_ranks_untagged_of_the_tags_topic_first(topical):
    library, topic_of = topical
    c = of_topic(topic_of, "c")
    library.tag(c[:6], add=["Compilers"])
    ranked = library.discover.might_be_tagged("compilers", limit=6)
    ids = [library.abstract_at(r).id for r in ranked.rows.tolist()]
    assert len(ids) == 6
    assert not set(ids) & set(c[:6])
    assert {topic_of[i] for i in ids} == {"c"}


def test_a_tag_on_too_few_abstracts_has_no_model(topical):
    library, topic_of = topical
    library.tag(of_topic(topic_of, "c")[:4], add=["compilers"])
    ranked = library.discover.might_be_tagged("compilers")
    assert len(ranked.rows) == 0
    assert ranked.model is not None and "needs 5 abstracts tagged #compilers" in ranked.model.reason


# ---------------------------------------------------------------- the change log
def test_every_change_is_logged_in_the_same_write(library: Library):
    ids = library.ids()
    library.set_status(ids[:3], Status.READ)
    library.tag(ids[:2], add=["x", "y"])
    library.set_note(ids[0], "hi")
    kinds = [(k, n) for _, k, n in library.changelog().lines]
    assert kinds == [("status:read", 3), ("tags", 2), ("note", 1)]
    on_disk = orjson.loads(library.user_path.read_bytes())["changelog"]["log"]
    assert [line[1] for line in on_disk["lines"]] == ["status:read", "tags", "note"]
    fresh = Library(library.data_dir)
    assert fresh.changelog() == library.changelog()


def test_a_refused_change_logs_nothing(library: Library):
    other = Library(library.data_dir)
    key = library.ids()[0]
    other.set_status([key], Status.READ)
    with pytest.raises(Exception, match="changed elsewhere"):
        library.set_status([key], Status.SKIPPED)
    assert [k for _, k, _ in library.changelog().lines] == ["status:read"]


def test_compaction_keeps_the_log_small_and_the_counts_right():
    log = Log()
    day = date(2026, 1, 1)
    for i in range(1000):
        stamp = f"{day.fromordinal(day.toordinal() + i // 4).isoformat()}T10:00:00Z"
        log = log.append([(stamp, "status:read", 2)], keep=10)
    assert len(log.lines) <= changelog.KEEP_MIN
    assert len(log.days) <= changelog.DAYS_KEPT + 1
    total = sum(sum(c.values()) for c in (*log.days.values(), *log.months.values()))
    assert total + sum(n for *_, n in log.lines) == 2000
    assert sum(log.months["2026-01"].values()) == 31 * 4 * 2
    assert len(orjson.dumps(log.to_doc())) < 12_000


def test_a_malformed_log_is_read_as_far_as_it_goes():
    doc = {"lines": [["2026-01-01T00:00:00Z", "note", 1], ["bad"], 3], "days": [], "months": {}}
    assert Log.from_doc(doc).lines == (("2026-01-01T00:00:00Z", "note", 1),)
    assert Log.from_doc("nonsense") == Log()


def test_the_log_of_many_changes_stays_small_in_the_file(library: Library):
    key = library.ids()[0]
    for i in range(160):
        library.set_status([key], Status.READ if i % 2 else Status.SKIPPED)
    log = library.changelog()
    assert len(log.lines) <= changelog.KEEP_MIN
    counted = sum(n for *_, n in log.lines) + sum(sum(c.values()) for c in log.days.values())
    assert counted == 160
    on_disk = orjson.loads(library.user_path.read_bytes())["changelog"]["log"]
    assert len(on_disk["lines"]) == len(log.lines)


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_vectors_worked_a_chunk_of_postings_at_a_time_are_the_whole_arrays(
    library: Library, monkeypatch: pytest.MonkeyPatch, chunk: int
):
    """At a million abstracts the weights, the ranking and a model's matrix go a chunk
    of postings at a time (whole-array temporaries made the app's peak 3.8 GB)."""
    import numpy as np

    from reader.core.discover import vectors

    library.set_note(library.ids()[3], "a note on gradient descent")
    library.tag([library.ids()[5]], ["llm"])
    index = library._corpus.index
    monkeypatch.setattr(vectors, "CHUNK", 10**9)  # one chunk: the whole arrays
    whole = vectors.Vectors(index, library._corpus.abstracts)
    monkeypatch.setattr(vectors, "CHUNK", chunk)
    chunked = vectors.Vectors(index, library._corpus.abstracts)
    assert whole.weights.size > 1000
    np.testing.assert_allclose(chunked.weights, whole.weights, rtol=1e-6)
    block = whole.block()
    dense = np.linspace(0.1, 2.0, block.size)
    np.testing.assert_allclose(
        chunked.dot_dense(dense, block), whole.dot_dense(dense, block), rtol=1e-5
    )
    rows = np.array([0, 3, 5, 17], np.int64)
    for got, want in zip(chunked.matrix(rows, block), whole.matrix(rows, block), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
