"""`postings.build` indexes a corpus a chunk of rows at a time: the result must not
depend on where the chunks are cut, and must be what a word-by-word Python pass finds."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.search import postings as post
from reader.core.text import fold, words

WORDS = [
    "model",
    "models",
    "a",
    "b",
    "reasoning",  # 9 bytes: a hashed key
    "extraordinarily",  # two 8-byte words
    "pneumonoultramicroscopicsilicovolcanoconiosis",  # several rounds of the hash
    "Schrödinger",
    "naïve",
    "Łukasz",
    "αβγ",  # other scripts keep their letters
    "東京",
    "x2",
    "2024",
    "end",
    "start",
]


def corpus(n: int, seed: int) -> tuple[list[str], list[str]]:
    """Texts and headlines: empty ones, repeated words (one past tf's cap of 255),
    punctuation and underscores between words."""
    rng = random.Random(seed)
    texts, heads = [], []
    for i in range(n):
        picks = [rng.choice(WORDS) for _ in range(rng.randint(0, 14))]
        if i % 7 == 3:
            picks = []
        if i % 11 == 5:
            picks += ["model"] * 300
        texts.append(rng.choice([" ", ", ", "-", "_", " (", "; "]).join(picks))
        heads.append("" if i % 5 == 0 else " ".join(rng.sample(WORDS, 3)))
    return texts, heads


def build(texts: list[str], heads: list[str], rows: int, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(post, "_ROWS", rows)
    return post.build(texts, heads)


def assert_same(a: post.Postings, b: post.Postings) -> None:
    assert a.vocab == b.vocab
    for name in post.Postings.ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert np.array_equal(x, y), name


def reference(texts: list[str], heads: list[str]) -> dict[str, object]:
    """The indexes computed word by word with `text.words`."""
    segments = [[words(fold(t)), words(fold(h))] for t, h in zip(texts, heads, strict=True)]
    vocab = sorted({w for row in segments for seg in row for w in seg})
    rank = {w: i for i, w in enumerate(vocab)}
    size = len(vocab)
    postings: dict[int, list[tuple[int, int]]] = {}
    head: dict[int, list[int]] = {}
    pairs: dict[int, set[int]] = {}
    for row, (text, headline) in enumerate(segments):
        for word, count in sorted(Counter(text + headline).items()):
            postings.setdefault(rank[word], []).append((row, min(count, 255)))
        for word in sorted(set(headline)):
            head.setdefault(rank[word], []).append(row)
        for seg in (text, headline):
            for a, b in itertools.pairwise(seg):
                pairs.setdefault(rank[a] * size + rank[b], set()).add(row)
    return {
        "vocab": vocab,
        "postings": postings,
        "head": head,
        "pairs": {k: sorted(v) for k, v in sorted(pairs.items())},
        "lengths": [len(t) + len(h) for t, h in segments],
    }


def as_reference(p: post.Postings) -> dict[str, object]:
    size = len(p.vocab)
    postings = {
        w: list(zip(p.rows[lo:hi].tolist(), p.tf[lo:hi].tolist(), strict=True))
        for w, (lo, hi) in enumerate(zip(p.offsets[:-1], p.offsets[1:], strict=True))
        if hi > lo
    }
    head = {
        w: p.head_rows[lo:hi].tolist()
        for w, (lo, hi) in enumerate(zip(p.head_offsets[:-1], p.head_offsets[1:], strict=True))
        if hi > lo
    }
    pairs = {
        int(key): p.pair_rows[lo:hi].tolist()
        for key, lo, hi in zip(p.pair_keys, p.pair_offsets[:-1], p.pair_offsets[1:], strict=True)
    }
    assert len(p.offsets) == len(p.head_offsets) == size + 1
    return {
        "vocab": p.vocab,
        "postings": postings,
        "head": head,
        "pairs": pairs,
        "lengths": p.lengths.tolist(),
    }


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 64])
def test_chunked_build_is_the_single_chunk_build(rows, monkeypatch):
    texts, heads = corpus(150, seed=rows)
    whole = build(texts, heads, 1 << 16, monkeypatch)
    assert_same(build(texts, heads, rows, monkeypatch), whole)


def test_build_finds_what_a_word_by_word_pass_finds(monkeypatch):
    texts, heads = corpus(120, seed=1)
    for rows in (1 << 16, 4):
        assert as_reference(build(texts, heads, rows, monkeypatch)) == reference(texts, heads)


def test_no_pair_spans_two_rows_or_a_text_and_its_headline(monkeypatch):
    texts = ["one start", "end", "start two", "end"]
    heads = ["start", "x", "", "y"]
    for rows in (1, 2, 1 << 16):
        p = build(texts, heads, rows, monkeypatch)
        end, _ = p.word_range("end")
        start = p.word_range("start")
        assert p.pair_rows_of(end, *start).tolist() == []  # rows 1 -> 2, 3 -> no row 4
        one = p.word_range("one")[0]
        assert p.pair_rows_of(one, *start).tolist() == [0]
        assert p.pair_rows_of(p.word_range("start")[0], *p.word_range("start")).tolist() == []


def test_chunks_are_cut_by_text_size_too(monkeypatch):
    monkeypatch.setattr(post, "_CHUNK_CHARS", 10)
    texts = ["a" * 25, "b", "c", "d" * 8, "e" * 3, ""]
    assert post._chunks(texts) == [(0, 1), (1, 4), (4, 6)]
    texts, heads = corpus(80, seed=9)
    small = post.build(texts, heads)
    monkeypatch.setattr(post, "_CHUNK_CHARS", 1 << 26)
    assert_same(small, post.build(texts, heads))


@pytest.mark.parametrize("texts", [[], [""], ["", ""]])
def test_empty_corpora(texts, monkeypatch):
    p = build(texts, texts, 1, monkeypatch)
    assert p.vocab == []
    assert p.offsets.tolist() == p.head_offsets.tolist() == [0]
    assert p.rows.dtype == np.int32 and p.tf.dtype == np.uint8 and p.pair_keys.dtype == np.int64
    assert p.lengths.tolist() == [0] * len(texts)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), max_size=8), min_size=1, max_size=30),
    st.integers(1, 8),
)
def test_any_chunking_agrees_with_the_reference(rows_words, rows):
    texts = [" ".join(w) for w in rows_words]
    heads = [" ".join(reversed(w[:3])) for w in rows_words]
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(post, "_ROWS", rows)
        assert as_reference(post.build(texts, heads)) == reference(texts, heads)


def test_word_ids_survive_the_vocabulary_table_growing_between_chunks(monkeypatch):
    """The vocabulary's hash table outlives the chunks and doubles as words come in:
    a word seen in an early chunk must keep its id after the table has grown."""
    monkeypatch.setattr(post, "_PROBE", 500)
    rng = random.Random(5)
    many = [f"w{i}" for i in range(40_000)] + [f"longer{i}word" for i in range(10_000)]
    texts = [" ".join(rng.choices(many, k=120)) + " model" for _ in range(500)]
    heads = [" ".join(rng.choices(WORDS, k=3)) for _ in range(500)]
    whole = build(texts, heads, 1 << 16, monkeypatch)
    assert as_reference(whole) == reference(texts, heads)
    assert_same(build(texts, heads, 37, monkeypatch), whole)


def test_a_first_slice_with_more_distinct_words_than_the_table_holds_is_interned():
    """The vocabulary's table starts with 65536 slots and a slice of tokens goes in
    before it grows: a slice of more distinct keys than free slots used to probe for
    ever (a corpus of Zipf-distributed words hung the build). Run in a child process,
    so that a regression fails on its timeout instead of hanging the suite."""
    code = (
        "import numpy as np\n"
        "from reader.core.search.postings import _intern\n"
        "keys = np.arange(1, 300_001, dtype=np.uint64)[::-1].copy()\n"
        "ids, reps = _intern(keys)\n"
        "assert len(reps) == len(keys) and np.array_equal(keys[reps][ids], keys)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("digit", [1, 3, 5])
def test_radix_sorts_of_narrow_digits_agree_with_the_reference(digit, monkeypatch):
    """The runs are sorted by an LSD radix sort of `_DIGIT`-bit digits: with narrow
    digits every sort takes several passes, which must give the same indexes."""
    monkeypatch.setattr(post, "_DIGIT", digit)
    texts, heads = corpus(120, seed=digit)
    for rows in (1 << 16, 5):
        assert as_reference(build(texts, heads, rows, monkeypatch)) == reference(texts, heads)


def test_a_chunk_of_more_than_65536_distinct_words_is_indexed(monkeypatch):
    """A chunk's word ids are renumbered as uint16 up to 65536 words, uint32 past them
    (two radix passes per id); both agree with the reference."""
    many = [f"w{i}" for i in range(70_000)]
    texts = [" ".join(many[i : i + 700]) for i in range(0, 70_000, 700)]
    texts[3] += " w5 w5 zz"
    heads = [many[-1 - i] + " zz" for i in range(len(texts))]
    assert as_reference(build(texts, heads, 1 << 16, monkeypatch)) == reference(texts, heads)


def test_the_vocabulary_table_counts_each_slot_it_fills_once():
    """Copies of a key, and keys with the same home slot, claim a free slot together:
    one wins, and `used` (which decides when the table doubles) counts the slot once."""
    rng = np.random.default_rng(2)
    distinct = rng.integers(1, 1 << 62, 12, dtype=np.int64).astype(np.uint64)
    keys = rng.permutation(np.repeat(distinct, 3))
    table = post._Table(4)  # 16 slots for 12 keys: home slots are shared
    homes = post._slot(distinct, 4)
    assert len(set(homes.tolist())) < len(distinct)
    slots = table.insert(keys)
    assert table.used == np.count_nonzero(table.keys) == len(distinct)
    assert np.array_equal(table.keys[slots], keys)
    assert np.array_equal(table.keys[table.insert(distinct)], distinct)  # found again
    assert table.used == len(distinct)
