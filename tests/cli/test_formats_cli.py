"""`reader import` of BibTeX and the arXiv snapshot, its options, and the new query
fields from the command line (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.cli import transfer
from tests.snapshot_sample import write_snapshot

ZOTERO = Path(__file__).resolve().parent.parent / "data" / "zotero.bib"


def test_import_zotero_with_tags_and_notes(run):
    first = run("note", "2305.11374", "--set", "already mine")
    assert first.exit_code == 0, first.output
    result = run("import", str(ZOTERO), "--tags", "--notes")
    assert result.exit_code == 0, result.output
    assert f"{ZOTERO}: 4 added, 1 updated, 0 unchanged, 2 failed" in result.stdout
    assert f"  warning: {ZOTERO}:33: entry 'lee_no_abstract_2022' has no abstract" in (
        result.stderr
    )
    assert f"  warning: {ZOTERO}:62: malformed entry 'broken_2023', skipped" in result.stderr
    assert "added tags on 3 abstracts and notes on 2 abstracts" in result.stdout
    tags = run("list", "tag:kernels", "--format", "ids")
    assert tags.stdout.split() == ["10.1000/jkm.2021.42", "46609b0a8520"]
    shown = run("show", "10.1000/jkm")
    assert "Read this for the proof in section 3." in shown.stdout


def test_import_without_tags_or_notes_leaves_annotations_alone(run):
    assert run("import", str(ZOTERO)).exit_code == 0
    assert run("list", "has:tags OR has:note", "--format", "ids").stdout == ""


def test_bibtex_notes_never_replace_a_note(run, tmp_path: Path):
    bib = tmp_path / "one.bib"
    bib.write_text("@article{k, abstract={An abstract.}, doi={10.1/x}, note={from zotero}}\n")
    assert run("import", str(bib)).exit_code == 0
    assert run("note", "10.1/x", "--set", "mine").exit_code == 0
    result = run("import", str(bib), "--notes")
    assert "note of 10.1/x kept: it already has one" in result.stdout
    assert "mine" in run("show", "10.1/x").stdout


def test_import_snapshot_with_filters(run, tmp_path: Path):
    sample = write_snapshot(tmp_path / "arxiv-metadata-oai-snapshot.json", 200, bad=2)
    result = run("import", str(sample), "--category", "cs.CL", "--since", "2021-04-01")
    assert result.exit_code == 0, result.output
    assert "failed" in result.stdout
    assert f"  warning: {sample}:2: not a JSON object (unexpected end of data" in result.stderr
    listed = run("list", "cat:cs.CL", "--format", "ids").stdout.split()
    assert listed and all(key.startswith("21") for key in listed)
    assert run("list", "cat:cs.CL date:<2021-04-01", "--format", "ids").stdout == ""
    everything = run("list", "--format", "ids").stdout.split()
    assert set(listed) <= set(everything)
    assert len(everything) == 49 + len(listed)  # the seeds and the kept records only


def test_import_since_must_be_a_date(run, tmp_path: Path):
    result = run("import", str(ZOTERO), "--since", "last week")
    assert result.exit_code == 2
    assert "--since" in result.output


def test_a_snapshot_shows_progress_on_a_terminal_only(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    sample = write_snapshot(tmp_path / "big.json", 30)
    monkeypatch.setattr(transfer, "PROGRESS_BYTES", 1000)
    assert "Importing" not in run("import", str(sample)).stderr
    monkeypatch.setattr(transfer, "_on_terminal", lambda: True)
    assert "Importing" in run("import", str(sample)).stderr


def test_author_and_cat_queries_from_the_command_line(run, tmp_path: Path):
    assert run("import", str(ZOTERO)).exit_code == 0
    listed = run("list", "author:muller", "--format", "ids").stdout.split()
    assert listed == ["10.1000/jkm.2021.42", "46609b0a8520"]
    assert run("list", "author:kaiser title:attention", "--format", "ids").stdout.split() == [
        "1706.03762"
    ]
    bad = run("list", "author:")
    assert bad.exit_code == 1 and "author: needs a value" in bad.output
