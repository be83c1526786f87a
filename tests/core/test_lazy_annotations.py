"""The annotations of user.json are decoded one at a time, when asked for (issue 13): a
command that changes one record does not decode the other 10k; a reload still tells
the index exactly which annotations another process changed."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest

from reader.core.errors import StoreError
from reader.core.library import Library
from reader.core.models import EMPTY, Annotation, Status
from reader.core.store.folder import SCHEMA_VERSION
from reader.core.store.userdata import Annotations


@pytest.fixture
def annotated(library: Library) -> Path:
    """The seeds, every one of them tagged, the first two with notes."""
    ids = library.ids()
    library.put(
        "setup",
        {i: Annotation(tags=("seen",), note="n" if k < 2 else "") for k, i in enumerate(ids)},
    )
    library.close()
    return library.data_dir


def count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    decoded: list[dict] = []
    real = Annotation.from_dict

    def counted(data: dict) -> Annotation:
        decoded.append(data)
        return real(data)

    monkeypatch.setattr(Annotation, "from_dict", staticmethod(counted))
    return decoded


def test_changing_one_record_decodes_only_its_annotation(annotated: Path, monkeypatch):
    decoded = count_decodes(monkeypatch)
    lib = Library(annotated)
    first = lib.ids()[0]
    lib.tag([first], ["more"])
    assert [d["tags"] for d in decoded] in (
        [["seen"]],
        [["seen"], ["seen"]],  # the state seen, and the state just read under the lock
    )
    again = Library(annotated)
    assert again.annotation(first).tags == ("more", "seen")
    assert len(again.annotations()) == len(again) > 40


def test_opening_and_showing_one_record_decodes_one(annotated: Path, monkeypatch):
    decoded = count_decodes(monkeypatch)
    lib = Library(annotated)
    record = lib.record(lib.ids()[3])
    assert record.annotation.tags == ("seen",)
    assert len(decoded) == 1


def test_a_reload_reports_exactly_the_annotations_another_process_changed(annotated: Path):
    mine = Library(annotated)
    ids = mine.ids()
    assert mine.count("tag:seen") == len(ids)  # the index is loaded, and follows reloads
    told: list[dict[str, Annotation]] = []
    follow = mine._annotate
    mine._user._on_change = lambda changed: (told.append(dict(changed)), follow(changed))

    other = Library(annotated)
    other.tag([ids[0]], ["hot"])
    other.set_status([ids[1]], Status.READ)
    other.put("clear", {ids[2]: EMPTY})
    other.close()

    assert mine.refresh().annotations
    assert len(told) == 1 and set(told[0]) == {ids[0], ids[1], ids[2]}
    assert told[0][ids[2]] is EMPTY and told[0][ids[1]].status is Status.READ
    assert mine.count("tag:hot") == 1 and mine.count("tag:seen") == len(ids) - 1
    assert mine.count("status:read") == 1


def test_a_stored_form_that_says_the_same_is_not_a_change(annotated: Path):
    mine = Library(annotated)
    first = mine.ids()[0]
    mine.tag([first], ["b-tag", "a-tag"])
    told: list[dict[str, Annotation]] = []
    mine._user._on_change = lambda changed: told.append(dict(changed))

    path = annotated / "user.json"
    data = orjson.loads(path.read_bytes())
    doc = data["annotations"][first]
    data["annotations"][first] = dict(reversed(doc.items())) | {"tags": doc["tags"][::-1]}
    data["views"] = {"mine": {"query": "tag:a-tag"}}  # the file did change
    path.write_bytes(orjson.dumps(data))

    assert mine.refresh().views
    assert told == []
    assert mine.annotation(first).tags == ("a-tag", "b-tag", "seen")


def test_a_malformed_annotation_is_a_one_line_error_naming_it_when_decoded(tmp_path: Path):
    annotations = Annotations({"ok": {"status": "read"}, "bad": {"tags": "x"}}, tmp_path)
    assert annotations["ok"].status is Status.READ
    with pytest.raises(StoreError, match="'bad' is malformed"):
        annotations["bad"]


def test_the_index_reads_stored_annotations_as_decoded_ones(annotated: Path):
    """The index is filled from the stored forms, undecoded: what a hand-edited file
    holds (a tag in capitals, with its #) is found as the decoded annotation says."""
    path = annotated / "user.json"
    data = orjson.loads(path.read_bytes())
    first, second = list(data["annotations"])[:2]
    data["annotations"][first] |= {"tags": ["ML", "#Deep"], "status": "read", "title": "Café"}
    data["annotations"][second] |= {"note": "Über alles", "updated": "2099-01-01T00:00:00Z"}
    path.write_bytes(orjson.dumps(data))

    lib = Library(annotated)
    assert lib.annotation(first).tags == ("deep", "ml")
    for query, rows in [
        ("tag:ml", {first}),
        ("tag:deep", {first}),
        ("status:read", {first}),
        ("title:cafe", {first}),
        ("note:uber", {second}),
    ]:
        assert set(lib.search(query).ids) == rows, query
    assert lib.search("", "updated").ids[0] == second


@pytest.mark.parametrize(
    "stored",
    [
        {"tags": ["seen"], "note": {"markdown": "n"}},
        {"tags": ["seen"], "title": 3},
        {"tags": ["seen"], "updated": 20240101},
        {"tags": ["seen", 7]},
        {"tags": ["seen"], "status": ["read"]},
        ["seen"],
    ],
)
def test_a_newer_release_annotation_of_another_shape_is_a_one_line_error(annotated: Path, stored):
    """A newer release's file is not checked record by record (it opens read-only): an
    annotation the index cannot read is the StoreError naming it, as when it is
    decoded, never a traceback (the index read it undecoded: AttributeError,
    TypeError)."""
    path = annotated / "user.json"
    data = orjson.loads(path.read_bytes())
    first = next(iter(data["annotations"]))
    data["meta"]["schema"] = {"version": SCHEMA_VERSION + 1}
    data["annotations"][first] = stored
    path.write_bytes(orjson.dumps(data))

    lib = Library(annotated)
    assert lib.read_only
    with pytest.raises(StoreError, match=f"{first!r} is malformed"):
        lib.count("tag:seen")


def test_an_older_file_open_read_only_is_decoded_for_the_index(annotated: Path):
    """A schema 0 file open read-only is not migrated, and its tags were not checked
    one by one (older releases wrote nulls): the index decodes it, and a null tag is
    the StoreError naming the record, not a traceback."""
    path = annotated / "user.json"
    data = orjson.loads(path.read_bytes())
    first = next(iter(data["annotations"]))
    del data["meta"]["schema"]
    data["annotations"][first]["tags"] = ["seen", None]
    path.write_bytes(orjson.dumps(data))

    lib = Library(annotated, read_only=True)
    with pytest.raises(StoreError, match=f"{first!r} is malformed"):
        lib.count("tag:seen")


def test_an_index_filled_in_a_thread_while_a_change_removes_an_annotation(
    annotated: Path, monkeypatch: pytest.MonkeyPatch
):
    """The app searches in a thread once searches are slow, so the index may be filled
    there (after an import elsewhere) while a key on the UI thread clears an annotation:
    the fill reads annotations one by one, so the one removed meanwhile is not a KeyError
    (which killed the app), and the index ends as the file says."""
    lib = Library(annotated)
    ids = lib.ids()
    real = Annotations.indexed
    filling, written = threading.Event(), threading.Event()

    def indexed(self: Annotations, key: str):
        if not filling.is_set():
            filling.set()
            written.wait(10)
        return real(self, key)

    monkeypatch.setattr(Annotations, "indexed", indexed)
    failed: list[BaseException] = []

    def search() -> None:
        try:
            lib.count("tag:seen")
        except BaseException as error:  # noqa: BLE001 - the thread's failure is the finding
            failed.append(error)

    thread = threading.Thread(target=search)
    thread.start()
    assert filling.wait(10)
    lib.put("clear", {ids[-1]: EMPTY})
    written.set()
    thread.join(10)
    assert failed == []
    assert lib.count("tag:seen") == len(ids) - 1
    assert Library(annotated).count("tag:seen") == len(ids) - 1


def test_a_later_release_field_survives_a_change_that_empties_the_annotation(annotated: Path):
    path = annotated / "user.json"
    data = orjson.loads(path.read_bytes())
    first = next(iter(data["annotations"]))
    data["annotations"][first]["stars"] = 5  # a field this release does not know
    path.write_bytes(orjson.dumps(data))

    mine = Library(annotated)
    mine.set_note(first, "")
    change = mine.tag([first], remove=["seen"])  # says nothing any more, but for the stars
    assert mine.annotation(first).is_empty
    stored = orjson.loads(path.read_bytes())["annotations"][first]
    assert stored["stars"] == 5
    mine.undo(change)
    assert orjson.loads(path.read_bytes())["annotations"][first]["stars"] == 5
    assert Library(annotated).annotation(first).tags == ("seen",)
