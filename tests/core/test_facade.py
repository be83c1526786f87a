"""The Library as a facade: what refresh reports, search with its terms, restore, the
one id rule, the Record, the built-in views, and the stores keeping the index in step."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import reader
from reader.core import export
from reader.core.errors import ReaderError
from reader.core.library import Library, Refreshed
from reader.core.models import Abstract, Annotation, Record, Status, normalize_id
from reader.core.search.query import IdPrefix, parse
from reader.core.text import plural
from reader.core.views import BUILT_IN

FIRST = "2306.10015"  # the first abstract of seed 000


def test_refresh_says_nothing_changed_when_nothing_did(library: Library):
    assert library.refresh() == Refreshed()
    assert not library.refresh()


def test_refresh_reports_annotations_changed_elsewhere(library: Library, data_dir: Path):
    Library(data_dir).tag([FIRST], add=["elsewhere"])
    found = library.refresh()
    assert found == Refreshed(annotations=True)
    assert library.annotation(FIRST).tags == ("elsewhere",)
    assert library.search("tag:elsewhere").ids == [FIRST]


def test_refresh_reports_views_changed_elsewhere(library: Library, data_dir: Path):
    Library(data_dir).save_view("later", "status:to-read")
    assert library.refresh() == Refreshed(views=True)


def test_refresh_reports_an_import_elsewhere(library: Library, data_dir: Path, tmp_path: Path):
    extra = tmp_path / "extra.txt"
    extra.write_text("A new abstract about frogs and their songs.\n\narXiv:2501.00001\n")
    Library(data_dir).import_paths([extra])
    found = library.refresh()
    assert found.corpus and not found.annotations
    assert len(library) == 50
    assert len(library.search("frogs")) == 1


def test_search_gives_rows_ids_and_the_terms_to_highlight(library: Library):
    query = 'language -tag:x "chain of thought" status:unread'
    found = library.search(query, "relevance")
    assert found.terms == ("language", "chain of thought")
    assert len(found) > 0
    assert found.rows.tolist() == library.rows(query, "relevance").tolist()
    assert found.ids == [library.ids()[r] for r in found.rows]


def test_search_of_negated_words_highlights_nothing(library: Library):
    assert library.search("-language").terms == ()


def test_a_view_save_takes_in_annotations_written_elsewhere(library: Library, data_dir: Path):
    """The user-data store reloads under its lock for any write, and the index follows."""
    Library(data_dir).tag([FIRST], add=["fresh"])
    library.save_view("mine", "tag:fresh")
    assert library.search("tag:fresh").ids == [FIRST]


def test_restore_puts_back_an_export(library: Library, tmp_path: Path):
    library.set_status([FIRST], Status.READ)
    library.tag([FIRST], add=["kept"])
    path = tmp_path / "backup.json"
    path.write_text(export.export_json(library, [FIRST]))
    library.set_status([FIRST], Status.SKIPPED)
    library.tag([FIRST], remove=["kept"])
    restored = library.restore(path)
    assert restored.change.label == "restore backup.json"
    assert (restored.records, restored.change.count, restored.elsewhere) == (1, 1, 0)
    assert library.annotation(FIRST).status is Status.READ
    assert library.annotation(FIRST).tags == ("kept",)


def test_restore_of_a_bad_file_names_it(library: Library, tmp_path: Path):
    path = tmp_path / "nope.json"
    path.write_text("{}")
    with pytest.raises(ReaderError, match="nope.json"):
        library.restore(path)


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("2306.10015", "2306.10015"),
        ("  arXiv:2306.10015v2 ", "2306.10015"),
        ("ARXIV:2306.10015V12", "2306.10015"),
        ("math/0601001v1", "math/0601001"),
        ("2306.100", "2306.100"),
        ("a1b2c3", "a1b2c3"),
        ("review", "review"),  # a v after a letter is part of the word
    ],
)
def test_normalize_id(given: str, key: str):
    assert normalize_id(given) == key


def test_resolution_and_the_query_agree_on_ids(library: Library):
    for given in ("arXiv:2306.10015v3", "ARXIV:2306.10015V1", "2306.10015"):
        assert library.resolve(given) == FIRST
        node = parse(f"id:{given}")
        assert isinstance(node, IdPrefix)
        assert library.search(node).ids == [FIRST]


def _abstract(**fields: object) -> Abstract:
    base: dict[str, object] = {
        "id": "2306.10015",
        "text": "Text.",
        "headline": "A headline",
        "source": "s",
        "position": 1,
    }
    return Abstract(**(base | fields))  # type: ignore[arg-type]


def test_record_title_falls_back_to_the_headline_then_the_id():
    assert Record("x", _abstract(), Annotation(title="Mine")).title == "Mine"
    assert Record("x", _abstract()).title == "A headline"
    assert Record("x", None, Annotation(note="n")).title == "x"


def test_record_arxiv_label_url_and_tags():
    rec = Record("x", _abstract(arxiv_id="2306.10015", version=2), Annotation(tags=("a", "b")))
    assert rec.arxiv_label == "2306.10015v2"
    assert rec.url == "https://arxiv.org/abs/2306.10015"
    assert rec.tags == "#a #b"
    assert Record("x", _abstract(arxiv_id="2306.10015")).arxiv_label == "2306.10015"
    assert Record("x", None).url is None and Record("x", None).arxiv_label is None


def test_library_record_reads_both_stores(library: Library):
    library.set_title(FIRST, "  my   title ")
    rec = library.record(FIRST)
    assert rec.title == "my title" == library.title(FIRST)
    assert rec.abstract is library.abstract(FIRST)
    assert library.record_at(library.row_of(FIRST)) == rec


def test_every_library_has_the_built_in_views_first(library: Library):
    library.tag([FIRST], add=["rl"])
    library.save_view("later", "tag:rl status:unread")
    shown = library.all_views()
    assert [v for g, v in shown[: len(BUILT_IN)]] == list(BUILT_IN)
    assert ("tags", ("#rl", "tag:rl")) in [(g, (v.name, v.query)) for g, v in shown]
    assert shown[-1][0] == "saved" and shown[-1][1].name == "later"
    for _group, view in shown:
        library.count(view.query)  # every built-in query parses


def test_plural():
    assert (plural(1, "abstract"), plural(0, "file"), plural(3, "abstract")) == (
        "1 abstract",
        "0 files",
        "3 abstracts",
    )


def test_no_call_of_tinydbs_private_table_update():
    """TinyDB's private table update is overridden in one place (storage.KeyedTable)
    and called nowhere: the stores use its public operations. (No mixins: see
    test_tui_structure.)"""
    root = Path(reader.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "_update_table":
                pytest.fail(f"{path}:{node.lineno} calls TinyDB's private _update_table")


def test_imports_from_two_processes_keep_both(library: Library, data_dir: Path, tmp_path: Path):
    """The corpus store merges an import into the corpus as it is on disk (under its
    lock), not into the one it read at start."""
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("An abstract about owls at night.\n\narXiv:2501.00001\n")
    two.write_text("An abstract about bats at dusk.\n\narXiv:2501.00002\n")
    Library(data_dir).import_paths([one])
    library.import_paths([two])  # this process has not seen the first import
    fresh = Library(data_dir)
    assert len(fresh) == 51
    assert fresh.search("owls").ids == ["2501.00001"]
    assert fresh.search("bats").ids == ["2501.00002"]


def _one_abstract_files(folder: Path, n: int) -> Path:
    """`n` source files of one abstract each (the last holds three), in `folder`."""
    folder.mkdir()
    for i in range(n):
        entries = range(i, i + 3 if i == n - 1 else i + 1)
        folder.joinpath(f"s{i:04d}.txt").write_text(
            "\n".join(
                f"Abstract {j} on topic {j}.\n\narXiv:2301.{j:05d}\nCreated: 2023-01-01\n"
                for j in entries
            ),
            encoding="utf-8",
        )
    return folder


def test_all_views_with_500_sources_runs_no_query_per_source(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    """Issue 11: 10,000 imported files took 52 s to show the sidebar, one query per
    source view. The counts come from one pass (source_counts); only the views that are
    neither a status, a tag nor a source ("With notes", saved views) run a query."""
    library = Library.open(data_dir, seed=False)
    library.import_paths([_one_abstract_files(tmp_path / "files", 500)])
    library.tag([library.ids()[0]], add=["rl"])
    library.save_view("later", "tag:rl status:unread")
    queries: list[object] = []
    count, rows = Library.count, Library.rows
    monkeypatch.setattr(Library, "count", lambda s, q: queries.append(q) or count(s, q))
    monkeypatch.setattr(Library, "rows", lambda s, q="", *a: queries.append(q) or rows(s, q, *a))

    views = library.all_views()
    counted = library.counted_views()

    assert len(views) == len(counted) == len(BUILT_IN) + 1 + 500 + 1
    assert sorted(queries) == ["has:note", "tag:rl status:unread"]  # With notes, the saved view
    by_name = {c.view.name: c.count for c in counted}
    assert (by_name["s0499"], by_name["s0000"], by_name["#rl"], by_name["Inbox"]) == (3, 1, 1, 502)


def test_counted_views_count_what_their_query_shows(library: Library):
    library.tag(library.ids()[:4], add=["rl"])
    library.tag(library.ids()[2:3], add=["ml"])
    library.set_status(library.ids()[1:6], Status.READ)
    library.set_note(library.ids()[0], "a note")
    library.save_view("later", "status:read tag:rl")
    counted = library.counted_views()
    assert [(c.group, c.view) for c in counted] == library.all_views()
    for c in counted:
        assert c.count == library.count(c.view.query), c.view


def test_a_source_view_counts_what_its_prefix_query_shows(tmp_path: Path, data_dir: Path):
    """`source:` is a prefix: the view of `paper_1` also shows `paper_10`'s abstracts,
    and its count in the sidebar must say so."""
    folder = tmp_path / "files"
    folder.mkdir()
    for name, first in (("paper_1", 1), ("paper_10", 2), ("paper_2", 4)):
        folder.joinpath(f"{name}.txt").write_text(
            f"Abstract: one from {name}\nAbstract: another from {name} {first}\n"
        )
    library = Library.open(data_dir, seed=False)
    library.import_paths([folder])
    counted = {c.view.name: c.count for c in library.counted_views() if c.group == "sources"}
    assert counted == {"paper_1": 4, "paper_10": 2, "paper_2": 2}
    for name, count in counted.items():
        assert count == library.count(f"source:{name}")
