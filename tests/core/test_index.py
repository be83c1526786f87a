"""The search index against a brute-force evaluation of the same query AST."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.errors import QueryError
from reader.core.models import Abstract, Annotation, Status
from reader.core.search import query as q
from reader.core.search.index import SearchIndex
from reader.core.text import fold

WORDS = [
    "reasoning",
    "reason",
    "language",
    "model",
    "models",
    "agent",
    "graph",
    "kernel",
    "Schrödinger",
    "naïve",
    "step",
]
AUTHORS = ["Ashish Vaswani", "Vaswani, Noam", "Jürgen Müller", "Søren Hauberg", "Łukasz Kaiser"]
CATEGORIES = ["cs.CL", "cs.LG", "stat.ML", "cond-mat.stat-mech", "hep-th"]


def make_library(n: int = 60, seed: int = 3) -> tuple[list[Abstract], dict[int, Annotation]]:
    rng = random.Random(seed)
    abstracts = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))) + "."
        abstracts.append(
            Abstract(
                id=f"23{i % 12:02d}.{i:05d}" if i % 3 else f"{i:012x}",
                text=text,
                headline=text[:40],
                source=f"src{i % 4}",
                position=i,
                arxiv_id=f"23{i % 12:02d}.{i:05d}" if i % 3 else None,
                date=f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}" if i % 5 else None,
                # a source title, authors and categories on some rows (as BibTeX and the
                # snapshot give them), none on the others (as the text formats)
                title=f"Kernel {rng.choice(WORDS)} study" if i % 7 == 1 else "",
                authors=tuple(rng.sample(AUTHORS, rng.randint(1, 3))) if i % 2 else (),
                categories=tuple(rng.sample(CATEGORIES, rng.randint(1, 2))) if i % 3 == 1 else (),
            )
        )
    notes = {}
    for i in range(0, n, 4):
        notes[i] = Annotation(
            status=list(Status)[i % 5],
            tags=tuple(sorted({rng.choice(["rl", "nlp", "later"]) for _ in range(2)})),
            note=f"check the {rng.choice(WORDS)} part" if i % 8 == 0 else "",
            title="A Graph Title" if i % 12 == 0 else "",
            updated=f"2026-01-{1 + i % 28:02d}T00:00:00Z",
        )
    return abstracts, notes


def has_words(text: str, words: tuple[str, ...]) -> bool:
    body = r"[\W_]+".join(re.escape(w) for w in words)
    return re.search(r"(?<![^\W_])" + body, fold(text)) is not None


def naive(node, a: Abstract, ann: Annotation) -> bool:  # noqa: C901 - one branch per node
    if isinstance(node, q.MatchAll):
        return True
    if isinstance(node, q.And):
        return all(naive(c, a, ann) for c in node.children)
    if isinstance(node, q.Or):
        return any(naive(c, a, ann) for c in node.children)
    if isinstance(node, q.Not):
        return not naive(node.child, a, ann)
    if isinstance(node, q.Tag):
        return any(t.startswith(node.name) if node.prefix else t == node.name for t in ann.tags)
    if isinstance(node, q.StatusIs):
        return ann.status is node.status
    if isinstance(node, q.IdPrefix):
        return fold(a.id).startswith(node.prefix)
    if isinstance(node, q.SourcePrefix):
        return fold(a.source).startswith(node.prefix)
    if isinstance(node, q.DateRange):
        d = int(a.date.replace("-", "")) if a.date else 0
        return bool(d) and node.lo <= d <= node.hi
    if isinstance(node, q.Has):
        return {
            "note": bool(ann.note),
            "tags": bool(ann.tags),
            "title": bool(ann.title),
            "id": a.arxiv_id is not None,
            "date": a.date is not None,
            "authors": bool(a.authors),
        }[node.what]
    if isinstance(node, q.Author):
        return any(
            all(
                any(w.startswith(x) for w in re.findall(r"[^\W_]+", fold(name))) for x in node.words
            )
            for name in a.authors
        )
    if isinstance(node, q.CategoryPrefix):
        return any(c.lower().startswith(node.prefix) for c in a.categories)
    if isinstance(node, q.Term):
        w = node.words
        if node.field == "note":
            return has_words(ann.note, w)
        if node.field == "title":
            return has_words(ann.title or a.title or a.headline, w)
        body = has_words(a.text, w) or has_words(a.title or a.headline, w)
        if node.field == "abstract":
            return body
        tags = len(w) == 1 and any(t.startswith(w[0]) for t in ann.tags)
        return body or tags or has_words(ann.note, w) or has_words(ann.title, w)
    raise TypeError(node)


@pytest.fixture(scope="module")
def lib():
    abstracts, notes = make_library()
    index = SearchIndex.build(abstracts)
    index.set_annotations(notes.items())
    return abstracts, notes, index


QUERIES = [
    "",
    "reason",
    "Reasoning",
    "schrodinger",
    "SCHRÖDINGER",
    "naive",
    "r",
    '"language model"',
    '"language mod"',
    '"reason language model"',
    "step-by-step",
    "model -agent",
    "NOT graph",
    "graph OR kernel",
    "(graph OR kernel) reason",
    "tag:rl",
    "tag:l*",
    "status:read",
    "status:unread",
    "id:2301",
    "source:src1",
    "year:2023",
    "date:>=2023-06-01",
    "date:2023-02..2023-04",
    "has:note",
    "has:tags",
    "has:title",
    "has:id",
    "has:date",
    "note:check",
    "title:graph",
    "abstract:kernel",
    "rl",
    "later",
    "graph title",
    "title:kernel",
    "title:study",
    '"kernel reasoning study"',
    "study",
    "author:vaswani",
    "author:vas",
    "author:muller",
    "AUTHOR:Müller",
    "author:lukasz",
    "author:soren",
    'author:"ashish vaswani"',
    'author:"vaswani ashish"',
    'author:"vaswani noam"',
    'author:"noam kaiser"',
    'author:"jurgen muller"',
    'author:"Łukasz KAISER"',
    "authors:kaiser",
    "author:zzz",
    "cat:cs",
    "cat:cs.CL",
    "cat:CS.cl",
    "cat:stat",
    "cat:cond-mat",
    "category:hep",
    "cat:cs -cat:cs.CL",
    "cat:cs.LG author:vaswani",
    "has:authors",
    "-has:authors",
]


@pytest.mark.parametrize("text", QUERIES)
def test_index_agrees_with_brute_force(lib, text):
    abstracts, notes, index = lib
    node = q.parse(text)
    expected = [i for i, a in enumerate(abstracts) if naive(node, a, notes.get(i, Annotation()))]
    assert index.search(node).tolist() == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*WORDS, "re", "mo", "-graph", "OR", "tag:rl", '"'])))
def test_random_word_queries_agree_with_brute_force(lib, parts):
    abstracts, notes, index = lib
    try:
        node = q.parse(" ".join(parts))
    except QueryError:
        return
    expected = [i for i, a in enumerate(abstracts) if naive(node, a, notes.get(i, Annotation()))]
    assert index.search(node).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_rows_or_a_query_error(lib, text):
    try:
        rows = lib[2].search(text)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
    else:
        assert rows.dtype == np.int32


def test_set_annotation_updates_search_without_rebuild(lib):
    abstracts, notes, _ = lib
    index = SearchIndex.build(abstracts)
    index.set_annotation(5, Annotation(status=Status.READING, tags=("fresh",), note="zebra"))
    assert index.search("status:reading tag:fresh zebra").tolist() == [5]
    index.set_annotation(5, Annotation())
    assert index.search("tag:fresh").tolist() == []
    assert index.search("zebra").tolist() == []
    assert "fresh" not in index.tags


def test_save_and_load_round_trip_and_stale_key(lib, tmp_path: Path):
    abstracts, _, index = lib
    folder = tmp_path / "index"
    index.save(folder, "gen-1")
    index.save(folder, "gen-1")  # replacing a saved index works too
    again = SearchIndex.load(folder, "gen-1", abstracts)
    assert again is not None
    for text in QUERIES[:15]:
        assert again.search(text).tolist() == SearchIndex.build(abstracts).search(text).tolist()
    assert list(again.postings.vocab) == list(index.postings.vocab)  # decoded when read
    assert again.postings.vocab[3:6] == list(index.postings.vocab)[3:6]
    assert SearchIndex.load(folder, "gen-2", abstracts) is None
    assert SearchIndex.load(folder, "gen-1", abstracts[:-1]) is None
    assert SearchIndex.load(tmp_path / "missing", "gen-1", abstracts) is None
    (folder / "rows.npy").write_bytes(b"garbage")
    assert SearchIndex.load(folder, "gen-1", abstracts) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]  # no temp folders left


def test_sort_orders(lib):
    abstracts, notes, index = lib
    rows = index.search("")
    by_date = index.order(rows, "date")
    dates = [abstracts[r].date or "" for r in by_date]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True) and dates[len(known) :] == [""] * (
        len(dates) - len(known)
    )
    by_status = index.order(rows, "status")
    codes = [list(Status).index(notes.get(r, Annotation()).status) for r in by_status]
    assert codes == sorted(codes)
    by_updated = index.order(rows, "updated")
    assert by_updated[0] == max(notes, key=lambda r: notes[r].updated)
    assert index.order(rows, "source").tolist() == rows.tolist()


def test_relevance_puts_more_matches_first():
    texts = ["kernel kernel kernel methods.", "a kernel once.", "nothing here."]
    abstracts = [
        Abstract(id=f"{i:012x}", text=t, headline=t, source="s", position=i)
        for i, t in enumerate(texts)
    ]
    index = SearchIndex.build(abstracts)
    node = q.parse("kernel")
    assert index.order(index.search(node), "relevance", node).tolist() == [0, 1]


def test_count_by_status(lib):
    abstracts, notes, index = lib
    counts = index.count_by_status()
    assert sum(counts.values()) == len(abstracts)
    assert counts[Status.READ] == sum(1 for a in notes.values() if a.status is Status.READ)


def test_word_interning_keeps_keys_apart_while_its_table_grows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The vocabulary's hash table starts small and doubles as slices of tokens go in;
    every token must keep the id of its key through the growths (small slices make
    a test corpus grow it many times)."""
    import numpy as np

    from reader.core.search import postings

    monkeypatch.setattr(postings, "_PROBE", 1000)
    rng = np.random.default_rng(3)
    for trial in range(60):
        distinct = rng.integers(1, 1 << 63, int(rng.integers(1, 40_000)), dtype=np.uint64)
        if trial % 3 == 0:  # keys that differ in their low bits only: long probe chains
            distinct = np.arange(1, len(distinct) + 1, dtype=np.uint64) << np.uint64(trial % 40)
        keys = distinct[rng.integers(0, len(distinct), int(rng.integers(0, 30_000)))]
        ids, reps = postings._intern(keys)
        assert ids.dtype == np.int32
        assert len(reps) == len(np.unique(keys))
        assert np.array_equal(keys[reps][ids], keys)


def test_an_empty_saved_vocabulary_has_no_words() -> None:
    from reader.core.search.postings import Vocab

    assert len(Vocab(np.zeros(0, np.uint8))) == 0
    assert list(Vocab(np.frombuffer(b"a\nbc\nd", np.uint8))) == ["a", "bc", "d"]


def test_an_index_rebuilt_from_the_cache_reads_a_chunk_of_rows_at_a_time(
    library, monkeypatch: pytest.MonkeyPatch
):
    """At a million abstracts every text read first made a rebuild peak at 4.9 GB."""
    from reader.core.search import index as index_module
    from reader.core.search import postings as post
    from reader.core.search.index import SearchIndex, title_segments

    abstracts = library._corpus.abstracts
    texts = [a.text for a in abstracts]
    shown = title_segments([a.title for a in abstracts], [a.headline for a in abstracts])
    whole = post.build(texts, shown).to_arrays()
    monkeypatch.setattr(post, "_ROWS", 8)
    read: list[tuple[int, int]] = []
    real = index_module._ChunkOfRows.rows

    def rows(self, lo: int, hi: int):  # type: ignore[no-untyped-def]
        read.append((lo, hi))
        return real(self, lo, hi)

    monkeypatch.setattr(index_module._ChunkOfRows, "rows", rows)
    rebuilt = SearchIndex.build(abstracts).main.to_arrays()
    assert read and max(hi - lo for lo, hi in read) <= 8
    assert sorted(set(read)) == [(lo, min(lo + 8, len(texts))) for lo in range(0, len(texts), 8)]
    assert rebuilt.keys() == whole.keys()
    for name, array in whole.items():
        np.testing.assert_array_equal(rebuilt[name], array, err_msg=name)
