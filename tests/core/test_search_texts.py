"""Query-time shortcuts of the search index give what the plain way gives: notes and
titles searched in one pass (`JoinedTexts`), distinct rows counted by a scatter."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from reader.core.models import Abstract, Annotation
from reader.core.search.index import SearchIndex, _distinct
from reader.core.search.texts import SEPARATOR, JoinedTexts
from reader.core.text import word_pattern

WORDS = ["a", "ab", "abc", "b", "ba", "z", "zz", "0", "x0", "Z"]
"""Few, short and sharing prefixes: phrases and prefixes meet at every text's edges.
(A query word is folded, never `Z`; one here makes matches run into the separator.)"""
PIECES = [*WORDS, " ", "-", "_", "  ", ".", "\x00", "Z", SEPARATOR, "é"]

texts = st.dictionaries(
    st.integers(0, 50),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join),
    max_size=12,
)
queries = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)


def one_by_one(table: dict[int, str], words: list[str]) -> list[int]:
    pattern = word_pattern(words)
    return [row for row, text in table.items() if pattern.search(text)]


@given(texts, queries)
@example({1: "a b a", 2: "b"}, ["a"])  # a text matched twice is one row
@example({1: "x", 2: "Z", 3: "x Z"}, ["x", "Z"])  # a match running into the separator
def test_one_pass_finds_what_a_search_per_text_finds(table, words):
    """The same rows, each once, in the table's order."""
    assert list(JoinedTexts(table).rows_matching(word_pattern(words))) == one_by_one(table, words)


def test_a_phrase_does_not_run_from_one_text_into_the_next():
    table = {1: "the language", 2: "model of it", 3: "a language model"}
    assert list(JoinedTexts(table).rows_matching(word_pattern(["language", "model"]))) == [3]


def test_a_match_running_into_the_separator_is_no_texts():
    table = {1: "ab x", 2: "Zed", 3: "x"}
    assert list(JoinedTexts(table).rows_matching(word_pattern(["x", "Z"]))) == []


def test_a_changed_note_or_title_is_searched_as_it_is_now():
    abstracts = [
        Abstract(id=f"{i}", text=f"Text {i}.", headline=f"Text {i}.", source="s", position=i)
        for i in range(4)
    ]
    index = SearchIndex.build(abstracts)
    index.set_annotation(1, Annotation(note="zebra crossing", title="Stripes"))
    index.set_annotation(2, Annotation(note="a horse"))
    assert index.search("zebra").tolist() == [1]
    assert index.search("title:stripes").tolist() == [1]
    index.set_annotation(1, Annotation(note="a donkey", title="Plain"))
    index.set_annotation(3, Annotation(note="zebra"))
    assert index.search("zebra").tolist() == [3]
    assert index.search("note:donkey").tolist() == [1]
    assert index.search("title:stripes").tolist() == []


@given(st.lists(st.integers(0, 40), max_size=200))
def test_distinct_rows_of_postings_are_counted_as_np_unique_counts_them(rows):
    """The document frequency of a prefix's words (relevance order): rows counted once."""
    postings = np.array(rows, dtype=np.int32)
    assert _distinct(postings, 41) == len(np.unique(postings))
