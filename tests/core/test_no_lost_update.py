"""Changes cannot overwrite newer work: field edits, refused undos, merged notes, drafts.

Each test has a second `Library` (another window or a CLI call) write between the
moment the first one read and the moment it writes, and checks a fresh `Library` on
disk afterwards.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reader.core.changes import Change, ConflictError, Edit
from reader.core.library import Library
from reader.core.merge import MINE, THEIRS, merge_note
from reader.core.models import Status


def fresh(data_dir: Path, record: str):
    return Library(data_dir).annotation(record)


@pytest.fixture
def first(library: Library) -> str:
    return library.ids()[0]


# ---------------------------------------------------------------- merge


def test_merge_keeps_edits_to_different_lines():
    base = "one\ntwo\nthree"
    merged = merge_note(base, "one\ntwo\nthree\nfour", "ONE\ntwo\nthree")
    assert merged.text == "ONE\ntwo\nthree\nfour"
    assert merged.outcome == "merged"


def test_merge_keeps_both_insertions_at_one_place_theirs_first():
    merged = merge_note("a", "a\n\ntheirs", "a\n\nmine")
    assert merged.clean
    assert merged.text.index("theirs") < merged.text.index("mine")
    assert merged.text.startswith("a\n")


def test_merge_of_overlapping_edits_keeps_both_between_markers():
    merged = merge_note("the line", "the line, theirs", "the line, mine")
    assert merged.outcome == "conflict"
    lines = merged.text.split("\n")
    assert lines == [MINE, "the line, mine", "=======", "the line, theirs", THEIRS]


def test_merge_when_nobody_else_changed_it_is_a_plain_save():
    assert merge_note("a", "a", "b").outcome == "saved"
    assert merge_note("a", "b", "b").text == "b"
    assert merge_note("a", "b", "a").text == "b"  # mine unchanged: theirs stands


# ---------------------------------------------------------------- field edits


def test_a_tag_change_never_rewrites_the_note_or_status(library: Library, data_dir, first):
    other = Library(data_dir)
    other.set_note(first, "written elsewhere")
    other.set_status([first], Status.READING)
    library.tag([first], add=["mine"])
    now = fresh(data_dir, first)
    assert now.note == "written elsewhere"
    assert now.status is Status.READING
    assert now.tags == ("mine",)


def test_undo_reverts_only_the_fields_its_change_touched(library: Library, data_dir, first):
    # Loss 2: tag here, note and status from a shell, then undo here.
    change = library.tag([first], add=["later"])
    shell = Library(data_dir)
    shell.set_note(first, "X")
    shell.set_status([first], Status.READ)
    undone = library.undo(change)
    now = fresh(data_dir, first)
    assert now.tags == ()
    assert now.note == "X"
    assert now.status is Status.READ
    assert [(e.field, e.before, e.after) for e in undone.edits] == [("#later", True, False)]


def test_undo_is_refused_when_its_field_changed_since(library: Library, data_dir, first):
    change = library.set_status([first], Status.READ)
    Library(data_dir).set_status([first], Status.SKIPPED)
    with pytest.raises(ConflictError, match=rf"the status of {first} is now skipped"):
        library.undo(change)
    assert fresh(data_dir, first).status is Status.SKIPPED


def test_undo_of_a_note_edit_is_refused_when_the_note_changed(library, data_dir, first):
    change = library.set_note(first, "mine")
    Library(data_dir).append_note(first, "appended elsewhere")
    with pytest.raises(ConflictError, match="the note of"):
        library.undo(change)
    assert fresh(data_dir, first).note == "mine\n\nappended elsewhere"


def test_redo_is_refused_when_its_field_changed_after_the_undo(library, data_dir, first):
    change = library.set_title(first, "Mine")
    library.undo(change)
    Library(data_dir).set_title(first, "Theirs")
    with pytest.raises(ConflictError):
        library.redo(change)
    assert fresh(data_dir, first).title == "Theirs"


def test_a_refused_change_writes_nothing(library: Library, data_dir, first):
    second = library.ids()[1]
    Library(data_dir).set_status([first], Status.READING)
    stamp = library.user_path.stat().st_mtime_ns
    with pytest.raises(ConflictError):
        library.set_status([second, first], Status.READ)  # stale for `first` only
    assert library.user_path.stat().st_mtime_ns == stamp
    assert fresh(data_dir, second).status is Status.UNREAD
    assert library.annotation(first).status is Status.READING  # memory caught up


def test_status_set_from_a_stale_screen_is_refused(library: Library, data_dir, first):
    Library(data_dir).set_status([first], Status.SKIPPED)
    with pytest.raises(ConflictError, match="changed elsewhere"):
        library.set_status([first], Status.READ)  # this process still showed unread
    library.set_status([first], Status.READ)  # now it has seen skipped: applies
    assert fresh(data_dir, first).status is Status.READ


def test_the_same_value_set_elsewhere_is_not_a_conflict(library: Library, data_dir, first):
    Library(data_dir).set_status([first], Status.READ)
    change = library.set_status([first], Status.READ)
    assert change.edits == ()


def test_folded_changes_keep_the_first_before_and_the_last_after():
    one = Change("note", (Edit("a", "note", "", "x"),))
    two = Change("note", (Edit("a", "note", "x", "xy"),))
    assert one.then(two).edits == (Edit("a", "note", "", "xy"),)
    back = Change("note", (Edit("a", "note", "xy", ""),))
    assert one.then(two).then(back).edits == ()


# ---------------------------------------------------------------- notes


def test_a_note_saved_from_an_old_base_merges_with_an_append(library, data_dir, first):
    # Loss 3: the editor began on an empty note; meanwhile `reader note ID --append Y`.
    Library(data_dir).append_note(first, "Y from the shell")
    change = library.set_note(first, "typed in the editor", base="")
    note = fresh(data_dir, first).note
    assert "Y from the shell" in note and "typed in the editor" in note
    assert "merged" in change.notice


def test_two_editors_on_one_note_keep_both_versions(library, data_dir, first):
    library.set_note(first, "shared line")
    other = Library(data_dir)
    other.set_note(first, "shared line, edited there", base="shared line")
    change = library.set_note(first, "shared line, edited here", base="shared line")
    note = fresh(data_dir, first).note
    assert "edited there" in note and "edited here" in note
    assert MINE in note and THEIRS in note
    assert "both versions are kept" in change.notice


def test_a_note_saved_from_the_current_base_is_not_marked(library, data_dir, first):
    library.set_note(first, "v1")
    change = library.set_note(first, "v2", base="v1")
    assert fresh(data_dir, first).note == "v2"
    assert change.notice == ""


# ---------------------------------------------------------------- drafts


def _die_with_draft(data_dir: Path, record: str, text: str, base: str) -> None:
    code = (
        "import os; from reader.core.library import Library; "
        f"lib = Library({str(data_dir)!r}); "
        f"lib.journal_draft({record!r}, {text!r}, {base!r}); os._exit(9)"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)
    assert done.returncode == 9, done.stderr.decode()


def test_a_stale_draft_merges_with_a_newer_note(library: Library, data_dir, first):
    # Loss 4: app A types and is killed; app B writes a later note; A's draft comes back.
    _die_with_draft(data_dir, first, "draft typed in A", "")
    Library(data_dir).set_note(first, "note saved later by B")
    reopened = Library.open(data_dir)
    note = reopened.annotation(first).note
    assert "note saved later by B" in note and "draft typed in A" in note
    assert any("Recovered" in m and "merged" in m for m in reopened.messages)
    assert list((data_dir / "drafts").glob("*.jsonl")) == []


def test_a_draft_over_its_own_base_is_applied_as_typed(library: Library, data_dir, first):
    library.set_note(first, "before")
    _die_with_draft(data_dir, first, "before, and more", "before")
    assert Library.open(data_dir).annotation(first).note == "before, and more"


def test_a_conflicting_draft_keeps_both_versions(library: Library, data_dir, first):
    library.set_note(first, "the line")
    _die_with_draft(data_dir, first, "the line, draft", "the line")
    Library(data_dir).set_note(first, "the line, later")
    reopened = Library.open(data_dir)
    note = reopened.annotation(first).note
    assert "the line, draft" in note and "the line, later" in note
    assert any("both versions are kept" in m for m in reopened.messages)


def test_journal_records_the_base(library: Library, data_dir, first):
    from reader.core.store.journal import read_journal

    library.journal_draft(first, "text", "base")
    journal = library._journal
    assert journal is not None and journal.path is not None
    drafts = read_journal(journal.path)
    assert drafts[first].text == "text" and drafts[first].base == "base"
    library.close()
