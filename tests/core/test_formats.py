"""Importing BibTeX (a Zotero export) and the arXiv metadata snapshot, and telling the
formats apart by their content (issue 14)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.ingest import importer
from reader.core.ingest.detect import Format, sniff
from reader.core.ingest.formats import ImportOptions
from reader.core.library import Library
from tests.snapshot_sample import BAD_LINES, write_snapshot

ZOTERO = Path(__file__).resolve().parent.parent / "data" / "zotero.bib"
MB = 1 << 20


def parse(path: Path, options: ImportOptions | None = None) -> importer.FileReport:
    (report,) = importer.parse_paths([path], options=options)
    return report


def by_id(report: importer.FileReport) -> dict[str, Any]:
    return {a.id: a for a in report.abstracts}


# ------------------------------------------------------------------------- BibTeX


def test_zotero_export_keys_entries_by_arxiv_id_else_doi_else_hash():
    report = parse(ZOTERO)
    assert report.error is None
    found = by_id(report)
    # arXiv id from the URL / arXiv's DOI / Zotero's note, and from eprint (with its version)
    assert found["1706.03762"].arxiv_id == "1706.03762"
    assert found["2305.11374"].version == 2
    assert "10.1000/jkm.2021.42" in found  # a DOI, lower case
    hashed = [key for key in found if len(key) == 12 and "." not in key]
    assert len(hashed) == 2  # no id and no DOI: the abstract's hash, as the text formats
    assert len(found) == 5


def test_zotero_fields_are_mapped_with_latex_as_unicode():
    found = by_id(parse(ZOTERO))
    attention = found["1706.03762"]
    assert attention.title == "Attention Is All You Need"
    assert attention.authors[0] == "Vaswani, Ashish"
    assert "Kaiser, Łukasz" in attention.authors and len(attention.authors) == 8
    assert attention.date == "2017-12-01"  # year and month: the month's first day
    assert attention.doi == "10.48550/arXiv.1706.03762"
    assert attention.source == "zotero" and attention.line == 2
    kernel = found["10.1000/jkm.2021.42"]
    assert kernel.title == "Kernel methods for Schrödinger operators"
    # " and " inside braces is one (corporate) author
    assert kernel.authors == ("Müller, Jürgen", "Barnes and Noble Research")
    assert kernel.journal_ref == "Journal of Kernel Methods 12(3), 101–120"
    assert kernel.date == "2021-06-01"
    graphs = next(a for a in found.values() if a.title == "Graphs all the way down")
    assert graphs.authors == ("Doe, Jane",)  # "and others" is et al., not a name
    assert graphs.date == "2020-12-06"  # biblatex `date`
    assert graphs.text.startswith("Graphs are everywhere")


def test_zotero_problems_are_warnings_with_lines_and_the_good_entries_go_in():
    report = parse(ZOTERO)
    said = {w.line: w.what for w in report.warnings}
    assert said[33] == "entry 'lee_no_abstract_2022' has no abstract, skipped"
    assert said[53].startswith("duplicate key 'muller_kernel_2021' (first at line 17)")
    assert said[62].startswith("malformed entry 'broken_2023', skipped")
    assert report.failed == 2  # the entry without abstract and the malformed one
    # both entries of the duplicated key, and the entry after the malformed one, are in
    titles = {a.title for a in report.abstracts}
    assert {"A second paper with the same key", "Chain of thought, again"} <= titles
    assert all(str(w).startswith(f"{ZOTERO}:{w.line}: ") for w in report.warnings)


def test_keywords_and_notes_are_only_suggestions():
    report = parse(ZOTERO)
    kernel = report.suggested["10.1000/jkm.2021.42"]
    assert kernel.tags == ("kernels", "quantum-physics")
    assert kernel.note == "Read this for the proof in section 3."
    # Zotero's own "arXiv:1706.03762 [cs]" note is not the user's
    assert report.suggested["1706.03762"].note == ""
    graphs = next(s for s in report.suggested.values() if s.note.startswith("Oral"))
    assert graphs.note == "Oral presentation.\n\nCode at the authors' page."


def test_a_bibtex_entry_merges_with_the_listed_record_and_keeps_its_annotations(
    library: Library, tmp_path: Path
):
    library.tag(["2305.11374"], add=["cot"])
    report = library.import_paths([ZOTERO])
    assert report.updated == 1  # 2305.11374 was a seed: now with the entry's text
    assert library.abstract("2305.11374").title == "Chain of thought, again"
    assert library.annotation("2305.11374").tags == ("cot",)
    assert report.added == 4


def test_adopting_tags_and_notes_never_replaces_a_note(library: Library):
    report = library.import_paths([ZOTERO])
    suggested = {k: s for f in report.files for k, s in f.suggested.items()}
    library.set_note("10.1000/jkm.2021.42", "my own note")
    change, adopted = library.adopt(suggested, tags=True, notes=True)
    assert library.annotation("10.1000/jkm.2021.42").note == "my own note"
    assert adopted.kept_notes == ["10.1000/jkm.2021.42"]
    assert library.annotation("10.1000/jkm.2021.42").tags == ("kernels", "quantum-physics")
    graphs = next(k for k, s in suggested.items() if s.note.startswith("Oral"))
    assert library.annotation(graphs).note.startswith("Oral presentation.")
    assert adopted.noted == [graphs]
    # one change, undoable like any other
    library.undo(change)
    assert library.annotation(graphs).note == ""
    assert library.annotation("10.1000/jkm.2021.42").tags == ()


def test_adopting_only_tags_leaves_notes_alone(library: Library):
    report = library.import_paths([ZOTERO])
    suggested = {k: s for f in report.files for k, s in f.suggested.items()}
    library.adopt(suggested, tags=True, notes=False)
    assert all(library.annotation(k).note == "" for k in suggested)
    assert library.annotation("1706.03762").tags == (
        "computer-science-computation-and-language",
        "computer-science-machine-learning",
    )


def test_adopting_checks_the_note_on_disk_not_the_one_in_memory(library: Library, data_dir):
    report = library.import_paths([ZOTERO])
    suggested = {k: s for f in report.files for k, s in f.suggested.items()}
    Library(data_dir).set_note("10.1000/jkm.2021.42", "written by another window")
    library.adopt(suggested, tags=False, notes=True)
    assert library.annotation("10.1000/jkm.2021.42").note == "written by another window"


@pytest.mark.parametrize(
    ("data", "line", "what"),
    [
        (b"\xff\xfe@\x00", 1, "UTF-16"),
        (b"% only a comment\n", None, "no BibTeX entries"),
    ],
)
def test_a_bibtex_file_with_nothing_to_import_is_one_error(tmp_path: Path, data, line, what):
    path = tmp_path / "refs.bib"
    path.write_bytes(data)
    report = parse(path)
    assert report.error is not None and what in report.error
    assert (line is None) or report.error.startswith(f"line {line}: ")


def test_a_latin1_bibtex_file_is_read_with_a_warning(tmp_path: Path):
    path = tmp_path / "old.bib"
    path.write_bytes(b"@article{k, title={Caf\xe9}, abstract={Un caf\xe9 noir.}}\n")
    report = parse(path)
    assert report.abstracts[0].title == "Café"
    assert "not valid UTF-8; decoded as cp1252" in report.warnings[0].what


# ------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("head", "suffix", "expected"),
    [
        (b'{"id": "0704.0001"}\n', ".json", Format.SNAPSHOT),
        (b'\n\n  {"id": "0704.0001"}\n', "", Format.SNAPSHOT),
        (b"\xef\xbb\xbf@article{key,\n", ".txt", Format.BIBTEX),
        (b"% Encoding: UTF-8\n\n@Misc (key,\n", "", Format.BIBTEX),
        (b"Automatically generated by Mendeley Desktop.\n@article{k,", ".bib", Format.BIBTEX),
        (b"Abstract: an abstract\n", ".bib", Format.BIBTEX),
        (b"Abstract: an abstract\n", ".json", Format.PLAIN),
        (b"@ the start of a sentence, not an entry\n", ".txt", Format.PLAIN),
        (b"An abstract paragraph.\narXiv:2306.10015\n", "", Format.PLAIN),
        (b"", "", Format.PLAIN),
    ],
)
def test_the_format_is_told_by_content(head: bytes, suffix: str, expected: Format):
    assert sniff(head, suffix) is expected


def test_a_snapshot_named_txt_and_bibtex_named_json_are_read_by_content(tmp_path: Path):
    snapshot = write_snapshot(tmp_path / "listing.txt", 3)
    bib = tmp_path / "refs.json"
    bib.write_bytes(ZOTERO.read_bytes())
    assert len(parse(snapshot).abstracts) == 3
    assert len(parse(bib).abstracts) == 5


# ------------------------------------------------------------------------- snapshot


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 snapshot records with the 5 kinds of bad line among them."""
    return write_snapshot(tmp_path_factory.mktemp("snap") / "snapshot.json", 300, bad=5)


def test_snapshot_sample_good_lines_go_in_bad_ones_are_named(sample: Path):
    report = parse(sample)
    assert report.error is None
    assert len(report.abstracts) == 300
    assert report.failed == 5
    lines = sample.read_text(encoding="utf-8").splitlines()
    bad = [n for n, line in enumerate(lines, 1) if line in BAD_LINES]
    assert [w.line for w in report.warnings] == bad
    whats = [w.what for w in report.warnings]
    assert whats[0].startswith("not a JSON object (unexpected end of data")
    assert whats[1].startswith("not a JSON object")
    assert whats[2] == "not a JSON object but list, skipped"
    assert whats[3] == "no arXiv id, skipped"
    assert whats[4] == "2301.00001: no abstract, skipped"


def test_snapshot_fields(sample: Path):
    found = by_id(parse(sample))
    first = found["2101.00000"]
    assert first.text.startswith("To address this gap") and "\n" not in first.text
    assert first.date == "2021-01-01" and first.updated == "2021-01-07" and first.version == 3
    assert first.categories == ("q-bio.NC", "math.CO")
    assert first.comments == ("7 pages, 6 figures",)
    assert first.doi == "10.1103/PhysRevD.0" and first.journal_ref == "Phys. Rev. D 0, 0 (2021)"
    assert first.authors == ("Søren Hauberg", "Noam Hauberg")
    assert first.line == 1 and first.source == "snapshot"
    latex = next(a for a in found.values() if "Müller" in " ".join(a.authors))
    assert 'M\\"uller' not in " ".join(latex.authors)
    assert any(a.title.endswith("with α-divergence") for a in found.values())


def test_snapshot_filters_by_category_prefix_and_date(sample: Path):
    everything = parse(sample).abstracts
    cl = parse(sample, ImportOptions(categories=("cs.CL",))).abstracts
    assert cl and all("cs.CL" in a.categories for a in cl)
    assert len(cl) == sum("cs.CL" in a.categories for a in everything)
    cs = parse(sample, ImportOptions(categories=("CS", "hep-th"))).abstracts
    expected = [a for a in everything if any(c.startswith(("cs", "hep-th")) for c in a.categories)]
    assert [a.id for a in cs] == [a.id for a in expected] and len(cs) > len(cl)
    recent = parse(sample, ImportOptions(since="2021-06-01")).abstracts
    assert recent and all(a.date >= "2021-06-01" for a in recent)
    assert len(recent) == sum(a.date >= "2021-06-01" for a in everything)
    both = parse(sample, ImportOptions(categories=("cs.CL",), since="2021-06-01")).abstracts
    assert {a.id for a in both} == {a.id for a in cl} & {a.id for a in recent}


def test_a_file_of_json_that_is_not_json_lines_is_one_error(tmp_path: Path):
    path = tmp_path / "export.json"
    path.write_text('{\n  "format": "reader-export",\n  "records": []\n}\n')
    report = parse(path)
    assert report.error is not None and report.error.startswith("line 1: not a JSON object")
    assert "reader restore" in report.error


def test_a_big_snapshot_is_streamed_not_read_whole(tmp_path: Path, monkeypatch):
    path = write_snapshot(tmp_path / "big.json", 8000)
    assert path.stat().st_size > 8 * MB
    calls: list[tuple[int, int]] = []

    def whole(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an import read a file whole")

    monkeypatch.setattr(Path, "read_bytes", whole)
    monkeypatch.setattr(Path, "read_text", whole)
    tracemalloc.start()
    try:
        (report,) = importer.parse_paths(
            [path],
            lambda done, total: calls.append((done, total)),
            ImportOptions(categories=("no-such-category",)),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.error is None and report.abstracts == []
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB while importing an 8 MB snapshot"
    size = path.stat().st_size
    assert len(calls) >= 8 and calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_snapshot_reimport_updates_a_new_version_and_keeps_annotations(
    library: Library, tmp_path: Path
):
    path = write_snapshot(tmp_path / "a.json", 20)
    assert library.import_paths([path]).added == 20
    library.set_note("2101.00001", "mine")
    text = path.read_text(encoding="utf-8").replace('"v1", "created"', '"v9", "created"', 1)
    path.write_text(text, encoding="utf-8")
    report = library.import_paths([path])
    assert report.updated == 1 and report.unchanged == 19
    assert library.abstract("2101.00000").version == 9
    assert library.annotation("2101.00001").note == "mine"


def test_an_older_snapshot_reimported_keeps_the_newer_version(library: Library, tmp_path: Path):
    """Last month's snapshot imported after this month's (or after a fetch): an id whose
    stored version is newer keeps its text and version; the older one replaced them,
    reported as updated, and the newer text was gone from the library."""
    path = write_snapshot(tmp_path / "a.json", 20)
    newer = path.read_text(encoding="utf-8").replace('"v1", "created"', '"v9", "created"', 1)
    newer = newer.replace('"abstract": "', '"abstract": "Corrected. ', 1)
    (tmp_path / "new.json").write_text(newer, encoding="utf-8")
    library.import_paths([tmp_path / "new.json"])
    kept = library.abstract("2101.00000")
    assert kept.version == 9 and kept.text.startswith("Corrected.")
    report = library.import_paths([path])  # the versions before
    assert (report.updated, report.unchanged) == (0, 20)
    assert library.abstract("2101.00000") == kept


def test_queries_over_imported_snapshot_and_bibtex(library: Library, sample: Path):
    library.import_paths([sample, ZOTERO])
    muller = library.search("author:müller").ids
    assert muller and "10.1000/jkm.2021.42" in muller
    assert library.search("author:muller").ids == muller  # accents ignored
    both = library.search('author:"jurgen muller"').ids  # both words in one author
    assert "10.1000/jkm.2021.42" in both and set(both) < set(muller)
    for key in both:
        assert any("Jürgen" in a and "Müller" in a for a in library.abstract(key).authors)
    cs = set(library.search("cat:cs").ids)
    cl = set(library.search("cat:cs.cl").ids)
    assert cl and cl < cs
    assert library.search("title:schrodinger").ids == ["10.1000/jkm.2021.42"]
    assert "1706.03762" in library.search("attention need").ids  # bare words: the title
    assert library.count("has:authors") == 300 + 5


def test_reimporting_a_bibtex_entry_with_a_corrected_title_updates_it(library: Library, tmp_path):
    bib = tmp_path / "one.bib"
    bib.write_text("@article{k, title={Teh title}, abstract={An abstract.}, doi={10.1/x}}\n")
    library.import_paths([bib])
    bib.write_text("@article{k, title={The title}, abstract={An abstract.}, doi={10.1/x}}\n")
    assert library.import_paths([bib]).updated == 1
    assert library.abstract("10.1/x").title == "The title"


def test_the_snapshot_parse_gives_the_garbage_collector_back(tmp_path: Path):
    import gc

    good = write_snapshot(tmp_path / "good.json", 3)
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": \n')
    assert gc.isenabled()
    assert len(parse(good).abstracts) == 3
    assert gc.isenabled()
    assert parse(bad).error is not None  # a ParseError on the first line
    assert gc.isenabled()


def test_jabref_strings_comments_and_concatenation(tmp_path: Path):
    bib = tmp_path / "jabref.bib"
    bib.write_text(
        "% This file was created with JabRef.\n"
        '@string{acl = "Proceedings of ACL"}\n'
        "@comment{jabref-meta: databaseType:bibtex;}\n"
        "@inproceedings{a,\n"
        '  booktitle = acl # " 2023",\n'
        "  title = {C# {and} F# for parsing},\n"
        "  abstract = {Text A.},\n"
        "}\n"
    )
    (record,) = parse(bib).abstracts
    assert record.journal_ref == "Proceedings of ACL 2023"
    assert record.title == "C# and F# for parsing"  # a braced value is never split at #
    assert record.line == 4


def test_a_bibtex_parser_failure_is_one_line(tmp_path: Path, monkeypatch):
    import bibtexparser

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("internal state")

    monkeypatch.setattr(bibtexparser, "parse_string", broken)
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{k, abstract={x}}\n")
    assert parse(bib).error == "the BibTeX parser failed: RuntimeError"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    head=st.sampled_from(["@article{k,", "@misc(", "{", '{"id": "2301.00001", ', "% x\n@a{"]),
    body=st.text(alphabet=st.sampled_from('{}"@#,=\n \\$abc1:[]v.'), max_size=80),
)
def test_any_bibtex_or_json_lines_gives_a_report_never_an_exception(tmp_path: Path, head, body):
    path = tmp_path / "odd.bib"
    path.write_text(head + body, encoding="utf-8")
    report = parse(path)  # anything but a ParseError would escape here
    assert all(str(w).startswith(f"{path}:") for w in report.warnings)
