"""The command line, through its entry point: output, messages and exit status.

Exit status: 0 on success, 1 on a user error (one `reader: error:` line on stderr, no
traceback), 2 on a usage error.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader.cli import cli, transfer
from reader.core.library import Library
from reader.core.models import EMPTY, Annotation

SEEDS = 49


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library with the seeds imported once; each test gets a copy (fast)."""
    folder = tmp_path_factory.mktemp("template") / "lib"
    Library.open(folder).close()
    return folder


@pytest.fixture
def data_dir(tmp_path: Path, seeded_template: Path) -> Path:
    folder = tmp_path / "lib"
    shutil.copytree(seeded_template, folder)
    return folder


@pytest.fixture
def run(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """Run `reader --data-dir DATA ARGS...`; returns click's Result."""
    monkeypatch.setenv("COLUMNS", "80")

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], input=input)

    return invoke


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result


def user_error(result: Result, message: str) -> Result:
    """Exit 1, one `reader: error:` line holding `message`, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("reader: error: "), result.stderr
    assert message in last, last
    assert "Traceback" not in result.output
    return result


def ids(run, query: str = "") -> list[str]:
    return ok(run("list", *query.split(), "--format", "ids")).stdout.split()


def hash_ids(run) -> list[str]:
    return [i for i in ids(run) if "." not in i and "/" not in i]


# ----------------------------------------------------------------- entry points
def test_python_dash_m_reader_help_runs_in_a_subprocess():
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: reader [OPTIONS] [COMMAND]")
    for command in ("import", "list", "show", "tag", "status", "note", "export", "restore"):
        assert command in done.stdout


def test_first_run_imports_the_seeds_and_says_so(tmp_path: Path):
    result = ok(CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "new"), "list"]))
    assert "New library: imported 49 sample abstracts" in result.stderr
    assert len(result.stdout.splitlines()) == SEEDS


def test_reader_home_is_used_without_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("READER_HOME", str(tmp_path / "home"))
    ok(CliRunner().invoke(cli, ["stats"]))
    assert (tmp_path / "home" / "user.json").exists()


def test_no_command_outside_a_terminal_prints_the_list(run):
    assert len(ok(run()).stdout.splitlines()) == SEEDS


def test_usage_errors_exit_2(run):
    assert run("frobnicate").exit_code == 2
    assert run("list", "--sort", "sideways").exit_code == 2
    assert run("list", "--limt", "3").exit_code == 2
    assert run("show").exit_code == 2


# ----------------------------------------------------------------- list and show
def test_list_table_shows_id_status_date_title_within_the_width(run):
    lines = ok(run("list", "--width", "80")).stdout.splitlines()
    assert lines[0].startswith("2306.10015  unread   2023-06-16  Language model training")
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].endswith("…")


def test_list_into_a_pipe_prints_whole_headlines(run, library: Library):
    """A pipe (CliRunner's output is not a terminal) gets every headline whole."""
    lines = ok(run("list")).stdout.splitlines()
    headlines = [library.abstract(i).headline for i in library.ids()]
    assert [line.split("  ", 3)[-1].strip() for line in lines] == headlines
    assert max(len(line) for line in lines) > 100


def test_tag_without_a_plus_adds_like_the_app(run):
    result = ok(run("tag", "2306.10015", "llm", "Later"))
    assert result.stdout.strip() == "+llm +later on 1 abstract (1 changed)"
    assert ids(run, "tag:llm") == ["2306.10015"]
    ok(run("tag", "2306.10015", "2306.04031", "rl"))
    assert ids(run, "tag:rl") == ["2306.10015", "2306.04031"], "ids first, then tags"
    ok(run("tag", "2306.10015", "-llm", "more"))
    assert ids(run, "tag:llm") == [] and ids(run, "tag:more") == ["2306.10015"]
    ok(run("tag", "--query", "tag:rl", "both", "--yes"))
    assert ids(run, "tag:both") == ["2306.10015", "2306.04031"]


def test_list_query_sort_limit_and_formats(run):
    assert ids(run, "id:2306") == ["2306.10015", "2306.04031"]
    by_date = json.loads(ok(run("list", "--sort", "date", "--format", "json")).stdout)
    dates = [r["date"] for r in by_date if r["date"]]
    assert len(by_date) == SEEDS and dates == sorted(dates, reverse=True)
    limited = ok(run("list", "--limit", "3"))
    assert len(limited.stdout.splitlines()) == 3 and "46 more" in limited.stderr
    for fmt in ("ids", "json"):  # --limit holds in every format
        out = ok(run("list", "--limit", "2", "--format", fmt)).stdout
        assert len(out.split() if fmt == "ids" else json.loads(out)) == 2, fmt
    records = json.loads(ok(run("list", "id:2306.10015", "--format", "json")).stdout)
    assert [r["id"] for r in records] == ["2306.10015"] and records[0]["date"] == "2023-06-16"


@pytest.mark.parametrize("charset", ["utf-8", "latin-1"])
def test_list_ids_are_the_search_s_ids_one_a_line(data_dir: Path, charset: str):
    """Into a UTF-8 stdout the ids are written as the cache stores them (bytes, one
    write); into another encoding as text: the same lines, the same order, --limit."""
    library = Library.open(data_dir)
    expected = library.search("model", "date").ids
    library.close()
    assert len(expected) > 3

    def listed(*more: str) -> str:
        args = ["--data-dir", str(data_dir), "list", "model", "--sort", "date", "--format", "ids"]
        return ok(CliRunner(charset=charset).invoke(cli, [*args, *more])).stdout

    assert listed() == "".join(f"{i}\n" for i in expected)
    assert listed("--limit", "3") == "".join(f"{i}\n" for i in expected[:3])
    assert listed("--limit", "0") == ""


def test_list_takes_a_negated_word_as_part_of_the_query(run):
    assert len(ids(run, "language -model")) == len(ids(run, "language NOT model"))


def test_list_with_no_match_says_so_on_stderr(run):
    result = ok(run("list", "zzzzqqq"))
    assert result.stdout == "" and "no abstract matches 'zzzzqqq'" in result.stderr


def test_bad_query_is_a_one_line_error_with_its_column(run):
    user_error(run("list", 'tag:later "unclosed'), "(at column ")


def test_show_prints_every_field_and_the_note(run):
    ok(run("note", "2306.10015", "--set", "Read section 3."))
    out = ok(run("show", "2306.100")).stdout
    for text in ("id:       2306.10015", "date:     2023-06-16", "status:   unread"):
        assert text in out
    assert "https://arxiv.org/abs/2306.10015" in out and "source:   000_" in out
    assert "Language model training in distributed" in out
    assert out.rstrip().endswith("Note:\nRead section 3.")


def test_show_and_markdown_export_render_latex_unless_raw(run):
    # issue 11: `show` and the exports printed the source while the app rendered it.
    (record,) = ids(run, "context-free grammars")
    ok(run("tag", record, "+cfg"))
    shown = " ".join(ok(run("show", record)).stdout.split())
    assert "remarkable diversity" in shown and "textit" not in shown
    raw = " ".join(ok(run("show", "--raw", record)).stdout.split())
    assert r"remarkable $\textit{diversity}$" in raw
    markdown = ok(run("export", "tag:cfg", "--format", "markdown")).stdout
    assert "remarkable *diversity*" in markdown and "textit" not in markdown  # issue 15
    source = ok(run("export", "tag:cfg", "--format", "markdown", "--raw")).stdout
    assert r"remarkable $\textit{diversity}$" in " ".join(source.split())
    (exported,) = json.loads(ok(run("export", "tag:cfg")).stdout)["records"]
    assert r"$\textit{how}$" in exported["text"]  # JSON keeps the source, for restore


def test_a_hash_id_is_found_by_its_prefix(run):
    first = hash_ids(run)[0]
    assert f"id:       {first}" in ok(run("show", first[:6])).stdout


def test_unknown_id_is_a_user_error(run):
    user_error(run("show", "nope"), "no abstract with id 'nope'")


def test_ambiguous_prefix_lists_the_candidates(run):
    result = user_error(run("show", "2306"), "id '2306' is ambiguous")
    assert "2306.10015" in result.stderr and "2306.04031" in result.stderr


# ----------------------------------------------------------------- changes
def test_tag_adds_and_removes_normalised_tags(run):
    result = ok(run("tag", "2306.10015", "2306.04031", "+Later", "+#ml"))
    assert result.stdout.strip() == "+later +ml on 2 abstracts (2 changed)"
    assert ids(run, "tag:later") == ["2306.10015", "2306.04031"]
    ok(run("tag", "2306.04031", "-ml"))
    assert ids(run, "tag:ml") == ["2306.10015"]
    assert "#later #ml" in ok(run("list", "id:2306.10015")).stdout


def test_tag_errors(run):
    user_error(run("tag", "2306.10015", "+a,b"), "invalid tag 'a,b'")
    assert run("tag", "2306.10015").exit_code == 2  # no +TAG / -TAG
    assert run("tag", "+x").exit_code == 2  # neither ids nor --query
    assert run("tag", "2306.10015", "+x", "--query", "tag:y").exit_code == 2
    assert run("tag", "2306.10015", "+x", "--frob").exit_code == 2
    user_error(run("tag", "2306", "+x"), "ambiguous")
    assert ids(run, "has:tags") == []


def test_status_by_ids_and_by_query(run):
    assert "(2 changed)" in ok(run("status", "2306.10015", "2306.04031", "to_read")).stdout
    assert ids(run, "status:to-read") == ["2306.10015", "2306.04031"]
    result = ok(run("status", "--query", "status:to-read", "read"))
    assert "2 abstracts match 'status:to-read'." in result.stderr  # no prompt under 50
    assert ids(run, "status:read") == ["2306.10015", "2306.04031"]
    user_error(run("status", "2306.10015", "done"), "unknown status 'done'")
    assert run("status").exit_code == 2


@pytest.fixture
def more_than_50(run, tmp_path: Path) -> int:
    extra = tmp_path / "extra.txt"
    extra.write_text("".join(f"Abstract: extra abstract number {n}.\n" for n in range(5)))
    ok(run("import", str(extra)))
    return SEEDS + 5


def test_query_change_over_50_asks_first(run, more_than_50: int):
    refused = run("tag", "--query", "", "+all", input="n\n")
    assert refused.exit_code == 1 and f"Change all {more_than_50}?" in refused.stderr
    assert ids(run, "tag:all") == []
    agreed = ok(run("tag", "--query", "", "+all", input="y\n"))
    assert f"({more_than_50} changed)" in agreed.stdout
    quiet = ok(run("status", "--query", "tag:all", "skipped", "--yes"))
    assert "Change all" not in quiet.stderr and f"({more_than_50} changed)" in quiet.stdout


def test_note_set_append_and_clear(run):
    ok(run("note", "2306.10015", "--set", "first"))
    ok(run("note", "2306.10015", "--append", "second"))
    assert ok(run("show", "2306.10015")).stdout.endswith("Note:\nfirst\n\nsecond\n")
    assert ok(run("note", "2306.10015", "--set", "")).stdout.strip() == "note on 2306.10015 cleared"
    assert ids(run, "has:note") == []
    assert run("note", "2306.10015", "--set", "a", "--append", "b").exit_code == 2


def editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.sh"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_note_without_option_opens_the_editor(run, tmp_path: Path, monkeypatch):
    ok(run("note", "2306.10015", "--set", "old"))
    monkeypatch.setenv("EDITOR", editor(tmp_path, 'printf "\\nadded in editor\\n" >> "$1"'))
    assert "saved" in ok(run("note", "2306.10015")).stdout
    assert ok(run("show", "2306.10015")).stdout.endswith("Note:\nold\n\nadded in editor\n")
    monkeypatch.setenv("EDITOR", editor(tmp_path, "true"))
    assert ok(run("note", "2306.10015")).stdout.strip() == "note unchanged"


def test_title_sets_and_clears(run):
    assert "title of 2306.10015: My  own" not in ok(run("title", "2306.10015", "My  own")).stdout
    assert ok(run("list", "id:2306.10015")).stdout.split("  ")[3].startswith("My own")
    assert ok(run("title", "2306.10015", "")).stdout.strip() == "title of 2306.10015 cleared"
    assert ok(run("title", "2306.10015", "")).stdout.strip() == "title unchanged"


@pytest.mark.parametrize("word", ["+(x", "+x)", '+"q', "+a*b", "+red\x1b[31m", "+a\u202eb", "-(x"])
def test_tags_the_query_language_cannot_express_are_refused(run, word: str):
    # issue 11: `+(x` was stored, and then `tag:(x` was a parse error.
    result = user_error(run("tag", "2306.10015", "+ok", word), "invalid tag")
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert ids(run, "tag:ok") == []  # nothing was changed


BAD = "bad\udcff"
"""How Python hands over an argument holding the byte 0xff (not valid UTF-8)."""


@pytest.mark.parametrize(
    "args",
    [
        ("note", "2306.10015", "--set", BAD),
        ("note", "2306.10015", "--append", BAD),
        ("title", "2306.10015", BAD),
        ("tag", "2306.10015", "+" + BAD),
        ("tag", "2306.10015", "-" + BAD),
        ("view", "add", "v", BAD),
        ("view", "add", BAD, "tag:x"),
        ("list", BAD),
        ("tag", "--query", BAD, "+x"),
    ],
)
def test_arguments_that_are_not_utf8_are_a_one_line_error(run, args: tuple[str, ...]):
    # issue 11: each of these ended in a traceback (UnicodeEncodeError on save).
    user_error(run(*args), "is not valid UTF-8")
    assert ok(run("show", "2306.10015")).stdout.count("bad") == 0


def test_a_real_process_reports_a_bad_argument_in_one_line(data_dir: Path):
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir), "title", "2306.10015"]
        + [b"bad\xff".decode("utf-8", "surrogateescape")],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().splitlines() == [
        "reader: error: the title 'bad\\xff' is not valid UTF-8"
    ]


def test_a_tag_an_older_release_let_in_still_loads():
    # Refusing it on load would make the whole user.json unreadable.
    assert Annotation.from_dict({"tags": ["(x", "ok"]}).tags == ("(x", "ok")


def test_every_tag_added_is_a_query_that_finds_it(run):
    for tag in ("c++", "a/b", "x:y", "r&d", "under_score", "-neg", "ok!", "日本"):
        ok(run("tag", "2306.10015", f"+{tag}"))
        assert ids(run, f"tag:{tag}") == ["2306.10015"], tag


def test_a_tag_starting_with_a_dash_is_removed_after_a_double_dash(run):
    ok(run("tag", "2306.10015", "+-neg", "+keep"))
    assert run("tag", "2306.10015", "--neg").exit_code == 2  # an unknown option
    result = ok(run("tag", "2306.10015", "--", "--neg"))
    assert result.stdout.startswith("--neg on 1 abstract (1 changed)")
    assert ids(run, "tag:keep") == ["2306.10015"] and ids(run, "tag:-neg") == []
    assert "reader tag ID -- --neg" in ok(run("tag", "--help")).stdout


def test_control_characters_are_not_printed(run, tmp_path: Path):
    # A restore can bring a title (and an old user.json tags) with terminal escapes.
    exported = json.loads(ok(run("export")).stdout)
    record = next(r for r in exported["records"] if r["id"] == "2306.10015")
    record["title"] = "evil\x1b]52;c;ZXZpbA==\x07title\x1b[2J"
    record["note"] = "line one\n\x1b[31mred\x1b[0m\ttab"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    ok(run("restore", str(path)))
    for args in (
        ("list",),
        ("show", "2306.10015"),
        ("export", "id:2306.10015", "--format", "markdown"),
        ("title", "2306.10015", "new\x1b[1m title"),
    ):
        out = ok(run(*args)).stdout
        assert "\x1b" not in out and "\x07" not in out, args
    out = ok(run("show", "2306.10015")).stdout
    assert "new[1m title" in out and "line one\n[31mred[0m\ttab" in out


def test_a_restored_title_on_several_lines_is_one_row_of_the_list(run, tmp_path: Path):
    # `reader title` squashes white space, but a restore puts a title as exported.
    exported = json.loads(ok(run("export")).stdout)
    record = next(r for r in exported["records"] if r["id"] == "2306.10015")
    record["title"] = "two\nlines\t and  a tab"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    ok(run("restore", str(path)))
    (line,) = ok(run("list", "id:2306.10015")).stdout.splitlines()
    assert line.endswith("  two lines and a tab")


@pytest.mark.parametrize(
    ("tag", "queries"),
    [
        ("café", ["tag:café", "tag:cafe", "tag:CAFE", "café", "cafe", "tag:caf*"]),
        ("naïve", ["tag:naïve", "tag:naive", "naive"]),
        ("straße", ["tag:straße", "tag:strasse", "strasse"]),
        ("äöü", ["tag:äöü", "tag:aou", "aou"]),
        ("İstanbul", ["tag:İstanbul", "tag:istanbul", "istanbul"]),
        ("søren", ["tag:søren", "tag:soren", "soren"]),
    ],
)
def test_accented_tags_are_found_as_queries_fold_them(run, tag: str, queries: list[str]):
    # issue 11: `tag ID +café` was stored but `tag:café`, `cafe`... found nothing.
    ok(run("tag", "2306.10015", f"+{tag}"))
    for query in queries:
        assert "2306.10015" in ids(run, query), query
    (stored,) = json.loads(ok(run("list", f"tag:{tag}", "--format", "json")).stdout)
    assert [t.casefold() for t in stored["tags"]] == [tag.lower().casefold()]  # as typed


# ----------------------------------------------------------------- export and restore
def test_export_wipe_restore_gives_back_every_annotation(run, data_dir: Path, tmp_path: Path):
    some = hash_ids(run)[:2]
    ok(run("tag", "2306.10015", some[0], "+later", "+ml"))
    ok(run("status", "2306.10015", "reading"))
    ok(run("status", some[1], "skipped"))
    ok(run("note", some[0], "--set", "# heading\n\n  indented *markdown*  \n\n\ttab"))
    ok(run("title", "2306.04031", "A title"))
    before = Library.open(data_dir).annotations()
    assert len(before) == 4
    out = tmp_path / "backup.json"
    assert "exported 49 abstracts to" in ok(run("export", "-o", str(out))).stderr

    library = Library.open(data_dir)
    library.put("wipe", {k: EMPTY for k in before})
    assert library.annotations() == {}
    library.close()

    result = ok(run("restore", str(out)))
    assert result.stdout.strip() == f"restored 49 records from {out}: 4 changed"
    after = Library.open(data_dir).annotations()
    assert after.keys() == before.keys()
    assert all(after[k].same_content(before[k]) for k in before)
    assert ok(run("restore", str(out))).stdout.strip().endswith(": 0 changed")


def test_restore_keeps_annotations_of_ids_not_in_the_library(run, tmp_path: Path):
    record = {"id": "9999.99999", "status": "read", "tags": ["x"], "note": "n", "title": ""}
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "reader-export", "version": 1, "records": [record]}))
    result = ok(run("restore", str(path)))
    assert "1 changed, 1 for abstracts not in this library (kept)" in result.stdout
    exported = json.loads(ok(run("export")).stdout)
    assert [r for r in exported["records"] if r["id"] == "9999.99999"][0]["tags"] == ["x"]
    assert len(exported["records"]) == SEEDS + 1


def test_export_of_a_query_as_markdown(run):
    ok(run("tag", "2306.10015", "+later"))
    out = ok(run("export", "tag:later", "--format", "markdown")).stdout
    assert out.startswith("# Abstracts\n\n1 abstract, exported ")
    assert "## Language model training" in out and "`later`" in out


def test_restore_of_a_bad_file_names_it(run, tmp_path: Path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}')
    user_error(run("restore", str(bad)), f"{bad} is not a reader export")
    user_error(run("restore", str(tmp_path / "gone.json")), "No such file or directory")


def test_export_to_an_unwritable_place_is_a_user_error(run, tmp_path: Path):
    out = tmp_path / "no" / "such" / "dir.json"
    user_error(run("export", "-o", str(out)), f"{out}: the folder {out.parent} does not exist")


# ----------------------------------------------------------------- stats and views
def test_stats_counts_status_tags_and_sources(run):
    ok(run("tag", "2306.10015", "+later"))
    ok(run("status", "2306.10015", "read"))
    out = ok(run("stats")).stdout
    assert out.startswith("49 abstracts, 0 with a note\n")
    assert "  unread       48" in out and "  read          1" in out
    assert "tags:\n  later       1" in out
    assert "sources:\n  000_90d3212f613ebdc9  " in out


def test_views_add_list_rm(run):
    assert ok(run("view")).stdout == ""
    ok(run("view", "add", "recent", "date:>=2023-06-01", "-survey"))
    listed = ok(run("view", "list")).stdout
    assert listed.startswith("recent") and listed.rstrip().endswith("date:>=2023-06-01 -survey")
    user_error(run("view", "add", "bad", "(open"), "column")
    user_error(run("view", "rm", "nope"), "no view named 'nope'")
    ok(run("view", "rm", "recent"))
    assert ok(run("view", "list")).stdout == ""


# ----------------------------------------------------------------- import
def test_import_of_a_folder_with_a_bad_file_imports_the_rest(run, tmp_path: Path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "a.txt").write_text("Abstract: first new one.\nAbstract: second new one.\n")
    (folder / "b.txt").write_bytes(b"\x00\x01binary\x00")
    result = run("import", str(folder))
    user_error(result, "1 of 2 files failed to import")
    assert f"{folder / 'a.txt'}: 2 added, 0 updated, 0 unchanged" in result.stdout
    assert f"{folder / 'b.txt'}: failed: " in result.stderr
    assert "2 files: 2 added, 0 updated, 0 unchanged, 1 failed" in result.stdout
    assert len(ids(run)) == SEEDS + 2


def test_a_huge_arxiv_version_is_a_warning_and_every_file_goes_in(run, tmp_path: Path):
    # issue 11: the version overflowed orjson's integers and aborted the whole import.
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Abstract: fine one.\n\nHuge version.\narXiv:9999.99999v99999999999999999999999\n"
    )
    (folder / "b.txt").write_text("Abstract: the other file.\n")
    result = ok(run("import", str(folder)))
    assert f"{folder / 'a.txt'}: 2 added, 0 updated, 0 unchanged" in result.stdout
    assert f"{folder / 'b.txt'}: 1 added" in result.stdout
    warning = f"  warning: {folder / 'a.txt'}:4: arXiv version v999999999999999999"
    assert warning in result.stderr
    assert "9999.99999" in ids(run)
    assert len(ids(run)) == SEEDS + 3


def test_only_skipped_records_count_as_failed(run, tmp_path: Path):
    path = tmp_path / "odd.txt"
    huge = "x" * 100_001
    path.write_text(f"Abstract: kept.\narXiv:2301.00001v2x\n\nstray\n\nAbstract: {huge}\n")
    result = ok(run("import", str(path)))
    assert f"{path}: 1 added, 0 updated, 0 unchanged, 1 failed" in result.stdout
    assert result.stderr.count("  warning: ") == 3


def test_import_of_a_missing_path_fails(run, tmp_path: Path):
    result = user_error(run("import", str(tmp_path / "nowhere")), "1 of 1 file failed")
    assert "nowhere: failed: no such file or folder" in result.stderr
    assert run("import").exit_code == 2


def test_reimport_changes_nothing_and_warnings_are_shown(run, tmp_path: Path):
    path = tmp_path / "w.txt"
    path.write_text("Abstract: one.\n\nstray text that is no record\n")
    first = ok(run("import", str(path)))
    assert "1 added" in first.stdout and "warning: " in first.stderr
    assert "0 added, 0 updated, 1 unchanged" in ok(run("import", str(path))).stdout


def test_import_of_many_files_shows_a_progress_bar_on_a_terminal(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(21):
        (folder / f"{n:02}.txt").write_text(f"Abstract: file number {n} of many.\n")
    result = ok(run("import", str(folder)))
    assert "Importing" not in result.stderr  # a pipe: no bar
    assert "21 files: 21 added" in result.stdout
    monkeypatch.setattr(transfer, "_on_terminal", lambda: True)
    result = ok(run("import", str(folder)))
    assert "Importing" in result.stderr
