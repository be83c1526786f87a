"""Filling the index with many annotations at once (`SearchIndex.set_fields_many`, the
fill at open) gives the index that one `set_fields` per annotation gives."""

from __future__ import annotations

import threading
import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.models import Abstract, IndexedFields, Status
from reader.core.search.index import SearchIndex, _stamp_number, _stamp_numbers

N = 12

STAMPS = [
    "2026-11-28T19:19:00Z",
    "2025-03-14T15:26:57Z",
    "2026-11-28T19:19:00.123456+01:00",
    "2025-03-14519:26:57Z",  # a digit where the T goes: every digit counts
    "2025503-14T15:26:57Z",  # and where the first dash goes
    "2026-11-28T19:19:00",
    "2026-11-28T19:19:0",
    "2026-11-28 19:19:00Z",
    "2026-11-28",
    "",
    "yesterday",
    "2026-11-28T19:19:0xZ",
    "２０２６-11-28T19:19:00Z",  # full-width digits: not the usual form
    "٢٠٢٦-11-28T19:19:00Z",  # Arabic-Indic digits
    "2026-11-28T19:19:00Z and more text",
    "2026-11-28T19:19:0²Z",  # a digit int() does not read
]
TAGS = ["ml", "ML", "#Deep", "deep", " spaced ", "Café", "cafe", "x", "#", "a-b"]
TEXTS = ["", " ", "Zebra crossing", "Schrödinger's note", "ÆØÅ", "a\nb"]


def fields_of() -> st.SearchStrategy[IndexedFields]:
    """What the index reads of an annotation, in the forms user.json may hold: a status
    as the enum or its value, tags as stored or hand-edited, any stamp."""
    return st.tuples(
        st.sampled_from([*Status, *(s.value for s in Status)]),
        st.lists(st.sampled_from(TAGS), max_size=4),
        st.sampled_from(TEXTS),
        st.sampled_from(TEXTS),
        st.sampled_from(STAMPS) | st.text(max_size=24),
    )


def empty_index() -> SearchIndex:
    abstracts = [
        Abstract(id=f"r{i}", text="text", headline="text", source="s", position=i) for i in range(N)
    ]
    return SearchIndex.build(abstracts)


def state(index: SearchIndex) -> dict[str, object]:
    """Everything the user's data put in the index."""
    return {
        "status": index.status.tolist(),
        "updated": index.updated.tolist(),
        "tags": {key: sorted(rows) for key, rows in index.tags.items()},
        "row_tags": dict(index._row_tags),
        "notes": dict(index.notes),
        "titles": dict(index.titles),
    }


rows_and_fields = st.lists(st.tuples(st.integers(0, N - 1), fields_of()), max_size=20)


@settings(max_examples=300, deadline=None)
@given(before=rows_and_fields, changes=rows_and_fields)
def test_many_at_once_is_one_by_one(
    before: list[tuple[int, IndexedFields]], changes: list[tuple[int, IndexedFields]]
) -> None:
    """From an empty index (the fill at open) and over one already filled (a refresh:
    rows lose their old tags, notes and titles), with rows given twice."""
    bulk, single = empty_index(), empty_index()
    for step in (before, changes):
        bulk.set_fields_many([row for row, _ in step], [fields for _, fields in step])
        for row, fields in step:
            single.set_fields(row, fields)
        assert state(bulk) == state(single)


def test_a_fill_finds_what_one_by_one_finds() -> None:
    index = empty_index()
    index.set_fields_many(
        [1, 2, 3],
        [
            ("to-read", ["ML", "#Deep"], "Zebra crossing", "", "2026-11-28T19:19:00Z"),
            (Status.READ, ["deep"], "", "Schrödinger", "2026-11-29T08:00:00Z"),
            ("unread", [], "", "", ""),
        ],
    )
    assert index.search("tag:ml").tolist() == [1]
    assert index.search("tag:deep").tolist() == [1, 2]
    assert index.search("zebra").tolist() == [1]
    assert index.search("title:schrodinger").tolist() == [2]
    assert index.search("status:read").tolist() == [2]
    assert index.order(np.array([1, 2, 3]), "updated").tolist() == [2, 1, 3]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(STAMPS) | st.text(max_size=24), max_size=8))
def test_stamps_at_once_are_stamps_one_by_one(texts: list[str]) -> None:
    assert _stamp_numbers(texts).tolist() == [_stamp_number(t) for t in texts]


def test_a_stamp_with_any_digits_is_a_number() -> None:
    """A hand-edited stamp with a digit `int` does not read (`²`) made every search fail."""
    assert _stamp_number("²") == 0
    assert _stamp_number("2026-11-28T19:19:0²Z") == 2026112819190
    assert _stamp_number("٢٠٢٦-11-28T19:19:00Z") == 20261128191900


def test_a_change_made_during_a_fill_is_not_undone_by_it() -> None:
    """A fill reads the annotations, then writes them: a change another thread makes
    in between (the UI's, while a search thread fills the index) must land after the
    fill, not be overwritten by the value the fill had read."""
    index = empty_index()
    reading = threading.Event()

    def change() -> None:
        reading.wait()
        index.set_fields(1, ("read", ["new"], "", "", "2026-11-29T08:00:00Z"))

    other = threading.Thread(target=change)
    other.start()

    def annotations() -> tuple[list[int], list[IndexedFields]]:
        fields: IndexedFields = ("unread", ["old"], "", "", "2026-11-28T19:19:00Z")
        reading.set()
        time.sleep(0.1)  # the other thread tries its change now
        return [1], [fields]

    index.fill(annotations)
    other.join()
    assert index.search("tag:new").tolist() == [1]
    assert index.search("tag:old").tolist() == []
    assert index.search("status:read").tolist() == [1]
