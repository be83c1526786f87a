"""Adding abstracts costs what it adds: unchanged records are copied, the index grows
by a delta, and a library grown import by import answers every query exactly as one
imported in one go."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pytest

from reader.core.library import Library
from reader.core.models import Abstract
from reader.core.search import delta as delta_module
from reader.core.search import index as index_module
from reader.core.search.index import SearchIndex

WORDS = (  # noqa: SIM905 (a sentence reads better than 29 quoted words)
    "model models modelling language reasoning graph neural network networks learning "
    "quantum field theory data robust transformer attention sparse dense kernel method "
    "zebra crossing pedestrian traffic large small deep shallow"
).split()


def block(i: int, version: int) -> str:
    """Abstract `i` as its `version`-th import writes it (a text of its own)."""
    rng = random.Random(i * 101 + version)
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 60)))
    if i < 40 and version == 0:  # two words of a prefix only the first import has
        body += f" alpha{i % 3} alpha{(i + 1) % 3}"
    return f"{body} w{i}x{version} ref{i}\narXiv:2401.{i:05d}\nCreated: 2024-01-{1 + i % 28:02d}\n"


BATCHES = [
    {i: 0 for i in range(40)},  # the first import
    {**{i: 0 for i in range(40, 45)}, 3: 1, 7: 1},  # five new, two updated
    {**{i: 0 for i in range(45, 50)}, 7: 2, 41: 1, 0: 1},  # again, one of them appended
    {49: 0, 3: 1},  # nothing changes
    {50: 0, 12: 1},
]

QUERIES = [
    "model", "mod", "l", "tra", "zebra", "alpha", "alpha1", "w7x0", "w7x2", "w7x", "w41x1", "ref4",
    '"language model"', '"neural net"', '"graph neural network"', '"deep shallow large"',
    "title:model", 'title:"language model"', "title:w3x", "note:zebra", "zebra OR quantum",
    "-model", "abstract:kernel method", "tag:x", "dense sparse",
]  # fmt: skip


def write(folder: Path, name: str, versions: dict[int, int]) -> Path:
    path = folder / name
    path.write_text("\n".join(block(i, v) for i, v in versions.items()))
    return path


def grown(tmp_path: Path) -> tuple[Library, Library]:
    """The same corpus twice: imported batch by batch, and in one go (same row order)."""
    src = tmp_path / "src"
    src.mkdir()
    one = Library.open(tmp_path / "grown", seed=False)
    final: dict[int, int] = {}
    for n, batch in enumerate(BATCHES):
        one.import_paths([write(src, f"batch{n}.txt", batch)])
        final.update(batch)
    whole = Library.open(tmp_path / "whole", seed=False)
    whole.import_paths([write(src, "whole.txt", dict(sorted(final.items())))])
    for lib in (one, whole):
        lib.set_note(lib.ids()[5], "a note on zebra crossings")
        lib.tag([lib.ids()[9]], add=["x"])
    return one, whole


def assert_same_answers(one: Library, whole: Library) -> None:
    assert one.ids() == whole.ids()
    for query in QUERIES:
        for sort in ("source", "relevance"):
            assert one.search(query, sort).ids == whole.search(query, sort).ids, (query, sort)
    for words in (["model"], ["mod", "language model"], ["l"], ["zebra crossing"], ["w7x"],
                  ["alpha"]):  # fmt: skip
        assert np.array_equal(one.index.scores(words), whole.index.scores(words)), words
    a, b = one.index.word_postings, whole.index.word_postings  # what discovery reads
    assert list(a.vocab) == list(b.vocab)
    for name in ("offsets", "rows", "tf", "lengths"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    a, b = one.index.postings, whole.index.postings  # every array of a full build
    assert list(a.vocab) == list(b.vocab)
    for name in a.ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for row in (3, 41, 45):
        alike, other = one.discover.similar(row, 5), whole.discover.similar(row, 5)
        assert alike.rows.tolist() == other.rows.tolist()
        assert np.array_equal(alike.scores, other.scores)


def test_a_library_grown_by_imports_answers_as_one_imported_at_once(tmp_path: Path, monkeypatch):
    """Every import after the first adds to a delta (never past its share here): words,
    prefixes, phrases, title:, notes, tags, relevance scores and discovery's postings
    are those of a full build, in this process and in the next one (loaded, not built)."""
    monkeypatch.setattr(index_module, "DELTA_SHARE", 1.0)
    monkeypatch.setattr(delta_module, "_CHUNK", 7)  # the merges for discovery, in pieces
    one, whole = grown(tmp_path)
    assert one.index.delta is not None and sorted(one.index.delta.rows.tolist()) == [
        0, 3, 7, 12, *range(40, 51)
    ]  # fmt: skip
    assert_same_answers(one, whole)
    one.close()

    def no_build(*args: object) -> None:
        raise AssertionError("the saved index and its delta were not used")

    monkeypatch.setattr(SearchIndex, "build", no_build)
    again = Library(tmp_path / "grown")
    assert again.index.delta is not None
    assert_same_answers(again, whole)


def test_past_its_share_the_delta_is_folded_into_a_full_build(tmp_path: Path, monkeypatch):
    """With the delta at most 3 % of the rows, each of these imports rebuilds the index
    whole (and drop the delta); the answers are the same either way."""
    monkeypatch.setattr(index_module, "DELTA_SHARE", 0.03)
    one, whole = grown(tmp_path)
    assert one.index.delta is None and not (tmp_path / "grown" / "index" / "delta").exists()
    assert_same_answers(one, whole)


def test_an_import_decodes_only_the_rows_of_the_ids_it_brings(tmp_path: Path, monkeypatch):
    """Adding to a library decodes no stored record but those of ids the import names
    (to compare them), and encodes only the changed and new ones."""
    monkeypatch.setattr(index_module, "DELTA_SHARE", 1.0)
    src = tmp_path / "src"
    src.mkdir()
    lib = Library.open(tmp_path / "lib", seed=False)
    lib.import_paths([write(src, "first.txt", {i: 0 for i in range(40)})])
    lib.close()
    lib = Library(tmp_path / "lib")
    decoded, encoded = [], []
    real_from, real_to = Abstract.from_dict, Abstract.to_dict

    def from_dict(data: dict) -> Abstract:
        decoded.append(data["id"])
        return real_from(data)

    def to_dict(self: Abstract) -> dict:
        encoded.append(self.id)
        return real_to(self)

    monkeypatch.setattr(Abstract, "from_dict", staticmethod(from_dict))
    monkeypatch.setattr(Abstract, "to_dict", to_dict)
    report = lib.import_paths([write(src, "more.txt", {40: 0, 41: 0, 5: 1, 6: 0})])
    assert (report.added, report.updated, report.unchanged) == (2, 1, 1)
    assert sorted(set(decoded)) == ["2401.00005", "2401.00006", "2401.00040", "2401.00041"]
    assert sorted(encoded) == ["2401.00005", "2401.00040", "2401.00041"]


@pytest.mark.parametrize(
    "damage",
    ["a-row-changed-in-place", "an-appended-row-missing", "another-base",
     "main-of-another-corpus", "cut-short"],
)  # fmt: skip
def test_a_damaged_delta_is_rebuilt_never_trusted(tmp_path: Path, monkeypatch, damage: str):
    """A delta whose rows were changed in place (same inode, size and mtime: the file
    stamps cannot tell: a row out of the corpus, or an appended row left out), whose
    key names another main index or that sits beside the main index of another corpus
    of as many rows, or whose files were cut short, is not used: the index is built
    whole again, and the answers stay right."""
    monkeypatch.setattr(index_module, "DELTA_SHARE", 1.0)
    one, whole = grown(tmp_path)
    one.close()
    delta = tmp_path / "grown" / "index" / "delta"
    rows_file = delta / f"{index_module.DELTA_ROWS}.npy"
    if damage in ("a-row-changed-in-place", "an-appended-row-missing"):
        st = os.stat(rows_file)
        rows = np.load(rows_file)
        assert rows.tolist()[4] == 40  # the first appended row
        at, row = (len(rows) - 1, 1000) if damage == "a-row-changed-in-place" else (4, 39)
        with open(rows_file, "r+b") as out:  # the same file, one row changed
            out.seek(st.st_size - rows.itemsize * (len(rows) - at))
            out.write(np.array([row], rows.dtype).tobytes())
        os.utime(rows_file, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif damage == "main-of-another-corpus":  # saved by another process, its delta kept
        os.rename(delta, tmp_path / "delta")
        other = [
            Abstract.from_dict(a.to_dict() | {"text": "other"})
            for a in whole._corpus.abstracts[:40]
        ]
        SearchIndex.build(other).save(tmp_path / "grown" / "index", "another")
        os.rename(tmp_path / "delta", delta)
    elif damage == "another-base":
        head, base, stamps = (delta / "key").read_text().split("\n")
        base = base.rpartition(":")[0] + ":39"
        (delta / "key").write_text("\n".join([head, base, stamps]))
    else:
        with open(delta / "rows.npy", "r+b") as out:
            out.truncate(os.stat(delta / "rows.npy").st_size - 4)
    again = Library(tmp_path / "grown")
    assert again.index.delta is None  # built whole
    assert_same_answers(again, whole)
    assert not delta.exists()  # the main index saved in its place, the delta gone


def test_an_import_never_copies_a_damaged_record_of_the_cache(tmp_path: Path, monkeypatch):
    """A record of the cache changed on disk, still valid JSON of its row (so decoding
    would not notice): the import's check of the records' CRC catches it, the cache is
    rebuilt from corpus.json, and corpus.json keeps the record as it was."""
    src = tmp_path / "src"
    src.mkdir()
    lib = Library.open(tmp_path / "lib", seed=False)
    lib.import_paths([write(src, "first.txt", {i: 0 for i in range(40)})])
    expected = [lib.abstract_at(r).to_dict() for r in range(len(lib))]
    lib.close()
    path = tmp_path / "lib" / "corpus.cache"
    raw = path.read_bytes()
    at = raw.index(b"w7x0")  # the unique word of row 7, in the records blob
    stamp = os.stat(path)
    path.write_bytes(raw[:at] + b"w7y0" + raw[at + 4 :])
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    lib = Library(tmp_path / "lib")
    assert lib.import_paths([write(src, "more.txt", {40: 0})]).added == 1
    data = orjson.loads((tmp_path / "lib" / "corpus.json").read_bytes())
    assert list(data["abstracts"].values())[:40] == expected
    assert Library(tmp_path / "lib").search("w7x0").ids == ["2401.00007"]


def test_a_crash_before_the_delta_is_saved_leaves_an_index_that_is_rebuilt(
    tmp_path: Path, monkeypatch
):
    """Killed after corpus.json and its cache are in place but before the delta is
    saved: the saved index and delta are keyed to the corpus before (the same number
    of rows: the import only updated), so the next start does not use them and builds
    the index again, with the new texts."""
    monkeypatch.setattr(index_module, "DELTA_SHARE", 1.0)
    one, whole = grown(tmp_path)
    one.close()

    class Killed(BaseException):
        pass

    def killed(*args: object) -> None:
        raise Killed

    monkeypatch.setattr(SearchIndex, "save", killed)
    lib = Library(tmp_path / "grown")
    with pytest.raises(Killed):
        lib.import_paths([write(tmp_path / "src", "late.txt", {5: 2, 12: 2})])
    monkeypatch.undo()
    monkeypatch.setattr(index_module, "DELTA_SHARE", 1.0)
    whole.import_paths([write(tmp_path / "src", "late.txt", {5: 2, 12: 2})])
    built = []
    real = SearchIndex.build.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        SearchIndex, "build", classmethod(lambda cls, a: built.append(1) or real(cls, a))
    )
    again = Library(tmp_path / "grown")
    assert_same_answers(again, whole)
    assert built == [1]


def test_the_main_key_beside_a_delta_names_the_corpus_it_was_built_for(tmp_path: Path):
    """The delta needs no new index version: the release before this one reads only the
    main key, finds it names an older corpus than its cache's, and rebuilds the index
    whole (its own answers); this release reads both."""
    one, _ = grown(tmp_path)
    index_dir = tmp_path / "grown" / "index"
    assert (index_dir / "delta" / "key").exists()
    main_head = (index_dir / "key").read_text().partition("\n")[0]
    generation = one._corpus.cache.generation
    assert main_head.startswith(f"{index_module.FORMAT}:")
    assert main_head != SearchIndex._key(generation, len(one))  # what the release before checks
    reopened = Library(tmp_path / "grown")
    assert reopened._corpus.index.delta is not None  # this release: loaded, not rebuilt


@pytest.mark.parametrize("delta", [False, True])
def test_a_corpus_json_edited_by_hand_is_searched_as_it_is_now(
    tmp_path: Path, monkeypatch, delta: bool
):
    """An abstract's text edited in corpus.json by hand (same generation, same number of
    rows): the cache is rebuilt from the file, and the index too (it answered the
    old text: `alpha3` found, `gamma3` not), with a delta beside it or not. A cache
    merely deleted (the same corpus.json) still reuses the saved index."""
    monkeypatch.setattr(index_module, "DELTA_SHARE", 1.0 if delta else 0.0)
    one, _ = grown(tmp_path)
    assert (one.index.delta is not None) == delta
    one.close()
    path = tmp_path / "grown" / "corpus.json"
    data = orjson.loads(path.read_bytes())
    record = data["abstracts"]["2401.00003"]
    word = "w3x1"  # the unique word of its last version
    assert word in record["text"]
    record["text"] = record["text"].replace(word, "gamma3")
    path.write_bytes(orjson.dumps(data))
    edited = Library(tmp_path / "grown")
    assert edited.search("gamma3").ids == ["2401.00003"]
    assert edited.search(word).ids == []
    edited.close()

    (tmp_path / "grown" / "corpus.cache").unlink()

    def no_build(*args: object) -> None:
        raise AssertionError("the index of this very corpus.json was built again")

    monkeypatch.setattr(SearchIndex, "build", no_build)
    again = Library(tmp_path / "grown")
    assert again.search("gamma3").ids == ["2401.00003"]


KILL_IN_SAVE = """
import os, sys
import numpy as np
from reader.core.library import Library
from reader.core.search import index

lib = Library(sys.argv[1])
when, calls = sys.argv[2], []
real_save, real_replace = np.save, os.replace

def save(*args, **kwargs):
    calls.append(1)
    if when == "writing" and len(calls) == 3:
        os._exit(9)  # killed with the new index half written
    return real_save(*args, **kwargs)

def replace(src, dst):
    if when == "swapping" and ".old-" in str(dst):
        real_replace(src, dst)
        os._exit(9)  # killed between moving the old index aside and the new one in
    return real_replace(src, dst)

index.np.save, index.os.replace = save, replace
lib.search("model")
"""


@pytest.mark.parametrize("when", ["writing", "swapping"])
def test_an_index_save_killed_midway_leaves_no_folder_behind(tmp_path: Path, when: str):
    """A process killed while it saved the index (kill -9, the OOM killer: at a million
    abstracts the index is a minute and gigabytes of files) left its half-written
    folder, or the old index moved aside, in the library for ever; the next start
    that can write removes the folders of writers that are gone."""
    src = tmp_path / "src"
    src.mkdir()
    lib = Library.open(tmp_path / "lib", seed=False)
    lib.import_paths([write(src, "first.txt", {i: 0 for i in range(40)})])
    expected = lib.search("model").ids
    lib.close()
    shutil.rmtree(tmp_path / "lib" / "index")  # the next search builds and saves it
    if when == "swapping":  # an old index to move aside
        SearchIndex.build(Library(tmp_path / "lib", read_only=True)._corpus.abstracts).save(
            tmp_path / "lib" / "index", "another"
        )
    killed = subprocess.run([sys.executable, "-c", KILL_IN_SAVE, str(tmp_path / "lib"), when])
    assert killed.returncode == 9
    left = sorted(p.name for p in (tmp_path / "lib").iterdir() if p.name.startswith(".index."))
    assert left, "the kill left nothing to clean (the test did not kill where it meant to)"
    live = tmp_path / "lib" / f".index.tmp-{os.getpid()}-saving"  # a live process's
    live.mkdir()
    again = Library(tmp_path / "lib")
    assert again.search("model").ids == expected
    assert [p for p in (tmp_path / "lib").iterdir() if p.name.startswith(".index.")] == [live]


@pytest.mark.parametrize("layer", ["main", "delta"])
def test_damaged_rows_are_index_damage_when_discovery_merges_the_layers(tmp_path: Path, layer):
    """Discovery merges a delta into the main words: a row out of range read there is
    IndexDamaged (the library rebuilds the index), not an IndexError."""
    from reader.core.errors import IndexDamaged

    one, _ = grown(tmp_path)
    one.close()
    folder = tmp_path / "grown" / "index"
    path = (folder / "delta" if layer == "delta" else folder) / "rows.npy"
    stamp = os.stat(path)
    rows = np.load(path, mmap_mode="r+")
    rows[0] = 10**6  # no such row, the file's identity kept
    rows.flush()
    del rows
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    index = Library(tmp_path / "grown")._corpus.index
    assert index.delta is not None
    with pytest.raises(IndexDamaged):
        index.word_postings  # noqa: B018 - reading it merges the layers
