"""`reader export --format bibtex|csv|html|notes` (issue 15): what each writes and says."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import bibtexparser

from tests.cli.test_cli import ok, user_error


def test_every_format_prints_or_writes_the_query(run, tmp_path: Path):
    ok(run("tag", "2306.10015", "+later"))
    bib = ok(run("export", "tag:later", "--format", "bibtex")).stdout
    assert [e.key for e in bibtexparser.parse_string(bib).entries] == ["2306.10015"]
    rows = list(csv.DictReader(io.StringIO(ok(run("export", "--format", "csv")).stdout[1:])))
    assert len(rows) == 49 and rows[0]["tags"] == "later"
    out = tmp_path / "page.html"
    done = ok(run("export", "tag:later", "--format", "html", "-o", str(out)))
    assert done.stderr == f"exported 1 abstract to {out}\n"
    assert out.read_text().count('<section class="record"') == 1


def test_notes_need_a_folder_and_say_what_they_did(run, tmp_path: Path):
    user_error(run("export", "--format", "notes"), "give it with -o DIR")
    ok(run("note", "2306.10015", "--set", "# Idea\n\ntext"))
    folder = tmp_path / "vault"
    first = ok(run("export", "--format", "notes", "-o", str(folder)))
    assert first.stderr == f"exported 1 note to {folder}: 1 new, 0 updated, 0 unchanged\n"
    assert "#### Idea" not in (folder / "2306.10015.md").read_text()  # `# Idea` -> `###`
    assert "### Idea" in (folder / "2306.10015.md").read_text()
    again = ok(run("export", "--format", "notes", "-o", str(folder)))
    assert again.stderr.endswith(": 0 new, 0 updated, 1 unchanged\n")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    user_error(run("export", "--format", "notes", "-o", str(a_file)), "give a folder")
