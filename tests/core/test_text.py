"""Folding for search (reader.core.text) and what the search index makes of it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.ingest.parse import record_id
from reader.core.models import Abstract
from reader.core.search.index import SearchIndex
from reader.core.text import fold, id_fold, word_pattern, words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Schrödinger", "schrodinger"),
        ("naïve café", "naive cafe"),
        # issue 11: letters NFKD cannot decompose were left as they are
        ("Søren", "soren"),
        ("Łukasz", "lukasz"),
        ("Æther", "aether"),
        ("Đorđe", "dorde"),
        ("Straße", "strasse"),
        ("İstanbul", "istanbul"),
        ("Œuvre", "oeuvre"),
        ("Þór", "thor"),
    ],
)
def test_fold_strips_accents_and_transliterates_latin_letters(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_keeps_other_scripts() -> None:
    # Greek and CJK are words of their own: α is not the prefix "a" of every word.
    assert fold("Αλφα β-decay 日本") == "αλφα β-decay 日本"
    assert words(fold("α-fraction")) == ["α", "fraction"]


def test_record_ids_do_not_change_with_the_search_folding() -> None:
    # Ids are in the user's annotations: the search folding must never move them.
    assert record_id("Søren Kierkegaard and Łukasz wrote æther đ") == "80ac5512f860"
    assert record_id("Straße İstanbul") == "58aa7a156aed"


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("aZ …ﬁ²ｆöŒß\u0301\u0300İ\u2003Σς"), max_size=12) | st.text())
def test_id_fold_is_nfkd_without_combining_marks_case_folded(text: str) -> None:
    """Record ids hash `id_fold`: its shortcuts (ASCII text; text NFKD makes ASCII)
    give exactly what the whole rule gives."""
    decomposed = unicodedata.normalize("NFKD", text)
    marks = "".join(c for c in decomposed if unicodedata.combining(c) and c <= "\uffff")
    expected = decomposed.translate(dict.fromkeys(map(ord, marks))).casefold()
    assert id_fold(text) == expected


def _abstract(i: int, text: str) -> Abstract:
    return Abstract(id=f"id{i}", text=text, headline=text, source="s", position=i + 1)


def test_search_finds_names_written_without_their_letters() -> None:
    abstracts = [
        _abstract(0, "Work by Søren Hauberg on geometry."),
        _abstract(1, "Łukasz Kaiser on attention."),
        _abstract(2, "Plain soren lowercase."),
        _abstract(3, "Nothing here."),
    ]
    index = SearchIndex.build(abstracts)
    assert index.search("soren").tolist() == [0, 2]
    assert index.search("Søren").tolist() == [0, 2]
    assert index.search("lukasz").tolist() == [1]
    assert index.search('"soren hauberg"').tolist() == [0]


def test_an_index_saved_with_the_old_folding_is_rebuilt(tmp_path: Path) -> None:
    abstracts = [_abstract(0, "Søren")]
    folder = tmp_path / "index"
    SearchIndex.build(abstracts).save(folder, "k")
    assert SearchIndex.load(folder, "k", abstracts) is not None
    key = (folder / "key").read_text()
    (folder / "key").write_text("1:" + key.split(":", 1)[1])  # format 1 folded "søren"
    assert SearchIndex.load(folder, "k", abstracts) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_fold_is_idempotent_and_lower_case(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.lower() or not once.isascii()


def _check_first(words: list[str]) -> re.Pattern[str]:
    """The rule `word_pattern` implements, written the plain way (the check before)."""
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in words))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["ab", "a", "b", "é", "1", " ", "_", "-", "ba", "aab"]), max_size=12),
    st.lists(st.sampled_from(["a", "ab", "b", "1", "é", "a.b"]), min_size=1, max_size=3),
)
def test_word_pattern_matches_where_the_plain_rule_does(
    pieces: list[str], query: list[str]
) -> None:
    text = "".join(pieces)
    found = [m.span() for m in word_pattern(query).finditer(text)]
    assert found == [m.span() for m in _check_first(query).finditer(text)]
    assert [m.span() for m in word_pattern(query).finditer(text, 1)] == [
        m.span() for m in _check_first(query).finditer(text, 1)
    ]
