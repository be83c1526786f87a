"""The JSON and Markdown exports, and reading a JSON export back (`load_export`).

These use a small in-memory stand-in for the Library; the round trip through a real
library is in test_cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.core.errors import ReaderError, UnknownIdError
from reader.core.export import FORMAT, RECORD_FIELDS, export_json, export_markdown, load_export
from reader.core.models import EMPTY, Abstract, Annotation, Status

A = Abstract(
    id="2306.10015",
    text="We study $\\alpha$ things.",
    headline="We study α things.",
    source="000_seed",
    position=1,
    line=1,
    arxiv_id="2306.10015",
    version=2,
    date="2023-06-16",
    comments=("7 pages",),
)
B = Abstract(
    id="0123456789ab", text="Plain text.", headline="Plain text.", source="001_x", position=3
)


class FakeLibrary:
    """The two reading methods the exporters use."""

    def __init__(self, abstracts: list[Abstract], annotations: dict[str, Annotation]) -> None:
        self.abstracts = {a.id: a for a in abstracts}
        self.annotations = annotations

    def abstract(self, record_id: str) -> Abstract:
        try:
            return self.abstracts[record_id]
        except KeyError:
            raise UnknownIdError(record_id) from None

    def annotation(self, record_id: str) -> Annotation:
        return self.annotations.get(record_id, EMPTY)


NOTED = Annotation(
    status=Status.READING,
    tags=("later", "ml"),
    note="# Thoughts\n\nline two",
    title="My title",
    created="2024-01-01T00:00:00Z",
    updated="2024-01-02T00:00:00Z",
)


@pytest.fixture
def library() -> FakeLibrary:
    orphan = Annotation(status=Status.READ, tags=("old",), note="kept")
    return FakeLibrary([A, B], {A.id: NOTED, "9999.00001": orphan})


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_json_export_has_a_versioned_envelope_and_every_field(library: FakeLibrary):
    data = json.loads(export_json(library, [A.id, B.id]))
    assert data["format"] == FORMAT and data["version"] == 1
    assert data["exported"].endswith("Z")
    first, second = data["records"]
    assert tuple(first) == RECORD_FIELDS
    assert first["tags"] == ["later", "ml"] and first["status"] == "reading"
    assert first["version"] == 2 and first["comments"] == ["7 pages"]
    assert second["status"] == "unread" and second["note"] == "" and second["arxiv_id"] is None


def test_json_round_trip_gives_back_the_annotations(library: FakeLibrary, tmp_path: Path):
    ids = [A.id, B.id, "9999.00001"]
    path = write(tmp_path, export_json(library, ids))
    loaded = load_export(path)
    assert list(loaded) == ids
    for key in ids:
        assert loaded[key] == library.annotation(key)


def test_export_of_an_id_without_abstract_keeps_its_annotation(library: FakeLibrary):
    (record,) = json.loads(export_json(library, ["9999.00001"]))["records"]
    assert record["text"] is None and record["note"] == "kept" and record["tags"] == ["old"]


def test_markdown_shows_title_metadata_tags_abstract_and_note(library: FakeLibrary):
    text = export_markdown(library, [A.id, B.id])
    assert text.startswith("# Abstracts\n\n2 abstracts, exported ")
    assert "## My title" in text and "\n## Plain text\n" in text  # no full stop: a heading
    assert "[arXiv:2306.10015v2](https://arxiv.org/abs/2306.10015)" in text
    assert "2023-06-16" in text and "from 000_seed" in text
    assert "**Status:** reading" in text and "`later`, `ml`" in text
    assert "\n\nWe study α things.\n" in text  # LaTeX rendered, as in the app
    assert "We study $\\alpha$ things." in export_markdown(library, [A.id], raw=True)
    assert "### Note\n\n#### Thoughts\n\nline two" in text  # below the Note heading
    assert text.count("### Note") == 1  # B has no note


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json {", "is not a reader export: not JSON"),
        ([1, 2], "is not a reader export"),
        ({"format": "other"}, "is not a reader export"),
        ({"format": FORMAT, "version": 2, "records": []}, "newer reader (export version 2)"),
        ({"format": FORMAT, "version": "1", "records": []}, "no valid version"),
        ({"format": FORMAT, "version": 1}, "no list of records"),
        ({"format": FORMAT, "version": 1, "records": [5]}, "record 1 is not an object"),
        ({"format": FORMAT, "version": 1, "records": [{"status": "read"}]}, "record 1 has no id"),
    ],
)
def test_load_rejects_what_is_not_an_export(tmp_path: Path, content: object, message: str):
    path = write(tmp_path, content)
    with pytest.raises(ReaderError, match="^" + str(path).replace(".", r"\.")) as caught:
        load_export(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def record(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {"id": "x1", "status": "read", "tags": [], "note": "", "title": ""}
    base.update(fields)
    return base


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (record(status="done"), "record 2 (x1): unknown status 'done'"),
        (record(tags="a,b"), "record 2 (x1): tags is not a list of strings"),
        (record(tags=["two words"]), "record 2 (x1): invalid tag 'two words'"),
        (record(note=3), "record 2 (x1): note is not a string"),
        ({"id": "x1", "status": "read"}, "record 2 (x1) lacks tags, note, title"),
        (record(id="2306.10015"), "record 2 repeats the id '2306.10015'"),
    ],
)
def test_load_names_the_bad_record(tmp_path: Path, bad: dict[str, object], message: str):
    good = record(id="2306.10015")
    path = write(tmp_path, {"format": FORMAT, "version": 1, "records": [good, bad]})
    with pytest.raises(ReaderError) as caught:
        load_export(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_load_of_a_missing_file_says_so(tmp_path: Path):
    with pytest.raises(ReaderError, match="cannot read .*missing.json: No such file"):
        load_export(tmp_path / "missing.json")


def test_load_normalises_tags_and_accepts_liberal_status(tmp_path: Path):
    path = write(
        tmp_path,
        {"format": FORMAT, "version": 1, "records": [record(status="To_Read", tags=["#ML", "a"])]},
    )
    assert load_export(path)["x1"] == Annotation(status=Status.TO_READ, tags=("a", "ml"))
