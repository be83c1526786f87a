"""The BibTeX, CSV, HTML, Markdown and notes-folder exports (issue 15), each read back
with a real parser: bibtexparser (and the `bibtex` program when installed), the csv
module, html.parser, markdown-it, PyYAML.

Two libraries: the seeds (no titles, no authors) with notes and tags, and fetched-style
records (titles, authors, categories, DOI) in the `FakeLibrary` of test_export.py.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest
import yaml
from markdown_it import MarkdownIt

from reader.core.export import (
    export_bibtex,
    export_csv,
    export_html,
    export_markdown,
    export_notes,
)
from reader.core.export.common import base_key, citation_keys, heading, load_records
from reader.core.export.notes import MANIFEST
from reader.core.library import Library
from reader.core.models import Abstract, Annotation, Record, Status
from tests.core.test_export import FakeLibrary

NOTE = """# Reading plan

Some *thoughts* on [the paper](https://example.org/paper) and `code()`.

- first point
- second point

| model | score |
| --- | --- |
| ours | 0.9 |

- [x] read it
- [ ] reproduce

Claim[^1].

[^1]: A footnote.

<script>alert("x")</script> and 50% & {braces} \\weird _ ^ ~ #

## Details

more
"""
"""A note with every kind of Markdown the exports must carry, and the characters
BibTeX and HTML must escape."""

VASWANI = Abstract(
    id="1706.03762",
    text=r"The dominant sequence transduction models are \emph{complex} ($O(n^2)$).",
    headline="The dominant sequence transduction models are complex.",
    source="arxiv-fetch",
    position=1,
    arxiv_id="1706.03762",
    version=7,
    date="2017-06-12",
    title="Attention Is All You Need",
    authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar"),
    categories=("cs.CL", "cs.LG"),
    updated="2023-08-02",
    doi="10.48550/arXiv.1706.03762",
    journal_ref="NeurIPS 2017",
)
SAME_KEY = Abstract(  # vaswani2017attention too: the keys must differ
    id="1706.99999",
    text="Another one { with an unbalanced brace.",
    headline="Another one.",
    source="arxiv-fetch",
    position=2,
    arxiv_id="1706.99999",
    date="2017-07-01",
    title="Attention, again",
    authors=("Vaswani, A.",),
    categories=("cs.LG",),
)
UNTITLED = Abstract(
    id="0123456789ab",
    text="Plain text, with a first sentence that is rather long and goes on past the "
    "hundred characters a headline keeps in the list of the app. Then more.",
    headline="Plain text, with a first sentence…",
    source="001_x",
    position=3,
)


@pytest.fixture
def fetched() -> FakeLibrary:
    annotations = {
        VASWANI.id: Annotation(status=Status.READ, tags=("attention", "c++"), note=NOTE),
        SAME_KEY.id: Annotation(tags=("attention",), note="short & sweet"),
    }
    return FakeLibrary([VASWANI, SAME_KEY, UNTITLED], annotations)


FETCHED_IDS = [VASWANI.id, SAME_KEY.id, UNTITLED.id]


@pytest.fixture
def seeded(library: Library) -> Library:
    """The seeds, two of them with the tricky note and tags."""
    first, second = library.ids()[:2]
    library.tag([first, second], add=("later", "r&d"))
    library.set_note(first, NOTE)
    library.set_note(second, "50% of {this} is `code`")
    return library


# ----------------------------------------------------------------- BibTeX
def parse_bibtex(text: str) -> bibtexparser.Library:
    bib = bibtexparser.parse_string(text)
    assert not bib.failed_blocks, [b.error for b in bib.failed_blocks]
    return bib


def run_bibtex(text: str, folder: Path) -> None:
    """Run the `bibtex` program over `text` citing every entry; fail on an error."""
    if shutil.which("bibtex") is None:
        return  # only this part needs the program (texlive); the parse above still ran
    (folder / "refs.bib").write_text(text, encoding="utf-8")
    (folder / "doc.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n")
    done = subprocess.run(
        ["bibtex", "doc"], cwd=folder, capture_output=True, text=True, timeout=60, check=False
    )
    # exit 1 is "warnings" (the seeds have no author); 2 and more are errors
    assert done.returncode < 2, done.stdout + done.stderr
    assert "error message" not in done.stdout, done.stdout


@pytest.mark.parametrize("which", ["seeds", "fetched"])
def test_bibtex_parses_back_with_unique_keys_tags_and_note(
    which: str, seeded: Library, fetched: FakeLibrary, tmp_path: Path
):
    source = seeded if which == "seeds" else fetched
    ids = seeded.ids() if which == "seeds" else FETCHED_IDS
    text = export_bibtex(source, ids)
    bib = parse_bibtex(text)
    keys = [e.key for e in bib.entries]
    assert len(keys) == len(ids) == len(set(keys))
    noted = [e for e in bib.entries if "annote" in e.fields_dict]
    assert noted, "no entry carries the note"
    annote = noted[0].fields_dict["annote"].value
    assert "Reading plan" in annote and r"50\% \& \textbraceleft{}braces" in annote
    keywords = [e.fields_dict["keywords"].value for e in bib.entries if "keywords" in e.fields_dict]
    assert keywords and ("r\\&d" in keywords[0] or "c++" in keywords[0])
    run_bibtex(text, tmp_path)


def test_bibtex_of_the_seeds_uses_the_ids_as_keys(seeded: Library):
    bib = parse_bibtex(export_bibtex(seeded, seeded.ids()))
    first = bib.entries[0]
    assert first.key == seeded.ids()[0] == first.fields_dict["eprint"].value
    assert first.entry_type == "misc" and first.fields_dict["archivePrefix"].value == "arXiv"


def test_bibtex_of_an_arxiv_paper_has_the_eprint_fields(fetched: FakeLibrary):
    bib = parse_bibtex(export_bibtex(fetched, FETCHED_IDS))
    by_key = {e.key: e.fields_dict for e in bib.entries}
    assert set(by_key) == {"vaswani2017attention", "vaswani2017attentiona", "0123456789ab"}
    paper = {k: f.value for k, f in by_key["vaswani2017attention"].items()}
    assert paper["eprint"] == "1706.03762" and paper["primaryClass"] == "cs.CL"
    assert paper["url"] == "https://arxiv.org/abs/1706.03762"
    assert paper["doi"] == "10.48550/arXiv.1706.03762"
    assert paper["author"] == "Ashish Vaswani and Noam Shazeer and Niki Parmar"
    assert paper["year"] == "2017" and paper["title"] == "{Attention Is All You Need}"
    assert r"\emph{complex}" in paper["abstract"]  # balanced LaTeX stays LaTeX
    # an unbalanced brace in an abstract is escaped, or BibTeX would read past the entry
    assert r"\textbraceleft{}" in by_key["vaswani2017attentiona"]["abstract"].value


def test_citation_keys_do_not_depend_on_the_export_order(fetched: FakeLibrary):
    records = load_records(fetched, FETCHED_IDS)
    assert citation_keys(records) == citation_keys(list(reversed(records)))


def test_a_key_needs_authors_and_a_title():
    untitled = Record(UNTITLED.id, UNTITLED)
    assert base_key(untitled) == "0123456789ab"
    old_style = Abstract(id="math/0601001", text="x", headline="x", source="s", position=1)
    assert base_key(Record(old_style.id, old_style)) == "math-0601001"
    accented = Abstract(
        id="1", text="x", headline="x", source="s", position=1, title="On Łódź graphs",
        authors=("Łukasz Kaiser",), date="2020-01-01",
    )  # fmt: skip
    assert base_key(Record("1", accented)) == "kaiser2020lodz"


# ----------------------------------------------------------------- CSV
def test_csv_reads_back_as_the_library(seeded: Library):
    text = export_csv(seeded, seeded.ids())
    assert text.startswith("\ufeffid,arxiv_id,")  # the BOM: spreadsheets read UTF-8 right
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == len(seeded)
    for row in rows:
        rec = seeded.record(row["id"])
        abstract, ann = rec.abstract, rec.annotation
        assert abstract is not None
        assert row["arxiv_id"] == (abstract.arxiv_id or "")
        assert row["date"] == (abstract.date or "")
        assert row["status"] == ann.status.value
        assert row["tags"] == "; ".join(ann.tags)
        assert row["note"] == ann.note  # newlines, quotes and commas survive
        assert row["abstract"] == abstract.text
        assert row["url"] == (rec.url or "")


def test_csv_of_fetched_records_has_authors_and_categories(fetched: FakeLibrary):
    rows = list(csv.DictReader(io.StringIO(export_csv(fetched, FETCHED_IDS)[1:])))
    assert rows[0]["title"] == "Attention Is All You Need"
    assert rows[0]["authors"] == "Ashish Vaswani; Noam Shazeer; Niki Parmar"
    assert rows[0]["categories"] == "cs.CL; cs.LG" and rows[0]["tags"] == "attention; c++"
    assert rows[0]["note"] == NOTE
    assert rows[2]["title"].startswith("Plain text, with a first sentence that is rather long")


# ----------------------------------------------------------------- HTML
class Page(HTMLParser):
    """What the checks need from a page: sections, tags met inside notes, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tags: list[str] = []
        self.scripts = 0
        self.links: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and found.get("class") == "record":
            self.sections.append(found.get("id") or "")
        if tag == "script":
            self.scripts += 1
        if tag == "a":
            self.links.append(found.get("href") or "")
        if tag in {"link", "img", "iframe"} or (tag == "script" and "src" in found):
            self.external.append(tag)
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("which", ["seeds", "fetched"])
def test_html_has_a_section_per_abstract_and_renders_the_note(
    which: str, seeded: Library, fetched: FakeLibrary
):
    source = seeded if which == "seeds" else fetched
    ids = seeded.ids() if which == "seeds" else FETCHED_IDS
    page = Page()
    page.feed(export_html(source, ids))
    assert len(page.sections) == len(ids) == len(set(page.sections))
    assert page.scripts == 0 and not page.external  # self-contained, nothing runs
    assert '<script>alert("x")</script>' in "".join(page.text)  # shown as text
    for tag in ("nav", "ul", "table", "code", "sup", "input", "style"):  # list, table, …
        assert tag in page.tags, tag
    assert "https://example.org/paper" in page.links
    assert sum(link == f"#{s}" for s in page.sections for link in page.links) == len(ids)


def test_html_renders_latex_as_the_app_does(fetched: FakeLibrary):
    html = export_html(fetched, [VASWANI.id])
    assert "<em>complex</em>" in html and '<span class="math">O(n²)</span>' in html
    assert "\\emph" not in html


# ----------------------------------------------------------------- Markdown
def outline(markdown: str) -> list[tuple[int, str]]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        (int(t.tag[1]), tokens[i + 1].content)
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]


def test_markdown_keeps_its_outline_with_headings_in_a_note(fetched: FakeLibrary):
    text = export_markdown(fetched, FETCHED_IDS)
    headings = outline(text)
    assert headings[:4] == [
        (1, "Abstracts"),
        (2, "Attention Is All You Need"),
        (3, "Note"),
        (4, "Reading plan"),
    ]
    assert (5, "Details") in headings  # `##` in the note: below the Note heading
    levels = [level for level, _ in headings]
    for previous, level in zip(levels, levels[1:], strict=False):
        assert level <= previous + 1, headings  # never skips down a level
    assert [h for h in headings if h[0] == 2] == [
        (2, "Attention Is All You Need"),
        (2, "Attention, again"),
        (2, UNTITLED.text.split(". ")[0]),  # untitled: the whole first sentence
    ]
    assert "models are *complex*" in text  # \emph


# ----------------------------------------------------------------- notes folder
def test_notes_folder_writes_front_matter_and_reruns_safely(fetched: FakeLibrary, tmp_path: Path):
    folder = tmp_path / "vault"
    report = export_notes(fetched, FETCHED_IDS, folder)
    assert sorted(report.written) == ["vaswani2017attention.md", "vaswani2017attentiona.md"]
    text = (folder / "vaswani2017attention.md").read_text()
    front, body = text.removeprefix("---\n").split("\n---\n", 1)
    meta = yaml.safe_load(front)
    assert meta["id"] == VASWANI.id and meta["title"] == "Attention Is All You Need"
    assert meta["authors"][0] == "Ashish Vaswani" and meta["tags"] == ["attention", "c++"]
    assert meta["status"] == "read" and meta["url"] == "https://arxiv.org/abs/1706.03762"
    assert outline(body)[:3] == [(1, "Attention Is All You Need"), (2, "Note"), (3, "Reading plan")]

    mine = folder / "my-own.md"
    mine.write_text("mine")
    (folder / "vaswani2017attentiona.md").write_text("edited by hand")
    fetched.annotations[VASWANI.id] = Annotation(tags=("attention",), note="changed")
    again = export_notes(fetched, FETCHED_IDS, folder)
    assert (
        again.updated == ["vaswani2017attention.md"]
        and "changed" in (folder / "vaswani2017attention.md").read_text()
    )
    assert again.kept == ["vaswani2017attentiona.md"]  # edited since: left alone
    assert (folder / "vaswani2017attentiona.md").read_text() == "edited by hand"

    assert export_notes(fetched, FETCHED_IDS, folder).unchanged == ["vaswani2017attention.md"]
    subset = export_notes(fetched, [UNTITLED.id], folder)  # another query: others stay
    assert subset.removed == [] and (folder / "vaswani2017attention.md").exists()

    del fetched.annotations[VASWANI.id]  # no note, no tags: its file goes, only that one
    last = export_notes(fetched, FETCHED_IDS, folder)
    assert last.removed == ["vaswani2017attention.md"]
    assert not (folder / "vaswani2017attention.md").exists()
    assert mine.read_text() == "mine" and (folder / MANIFEST).exists()
    assert (folder / "vaswani2017attentiona.md").read_text() == "edited by hand"


def test_notes_never_overwrite_a_file_they_did_not_write(fetched: FakeLibrary, tmp_path: Path):
    folder = tmp_path / "vault"
    folder.mkdir()
    (folder / "vaswani2017attention.md").write_text("the user's")
    report = export_notes(fetched, FETCHED_IDS, folder)
    assert report.kept == ["vaswani2017attention.md"]
    assert (folder / "vaswani2017attention.md").read_text() == "the user's"
    export_notes(fetched, [], folder)  # nothing wanted now: still not removed
    assert (folder / "vaswani2017attention.md").read_text() == "the user's"


def test_notes_of_the_seeds_are_named_by_id(seeded: Library, tmp_path: Path):
    report = export_notes(seeded, seeded.ids(), tmp_path / "notes")
    first, second = seeded.ids()[:2]
    assert sorted(report.written) == sorted([f"{first}.md", f"{second}.md"])


def test_headings_render_the_latex_of_a_source_title():
    abstract = Abstract(
        id="1", text="x", headline="x", source="s", position=1, title=r"On $\alpha$-nets"
    )
    rec = Record("1", abstract)
    assert heading(rec) == "On α-nets"
    assert heading(Record("1", abstract, Annotation(title="Mine: $x$"))) == "Mine: $x$"
