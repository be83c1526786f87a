"""The part of the main screen that triages: marks, status, tags, title and note.

An action applies to the marked rows when there are any, else to the highlighted row
(`_targets`). Every change goes through `ChangesMixin._try`, so it is on disk and in
the undo history when the key press returns.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from reader.core.errors import ReaderError
from reader.core.library import Change, Library
from reader.core.models import Abstract, Status
from reader.tui.external_editor import edit_note_in_terminal
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.status_picker import StatusPicker
from reader.tui.suggesters import TagSuggester, split_tags
from reader.tui.widgets.abstract_list import AbstractList


class TriageMixin:
    """Marking rows and the keys that change annotations, for `MainScreen`."""

    library: Library
    auto_advance: bool
    app: Any
    notify: Callable[..., None]
    refresh: Callable[..., Any]
    refresh_bindings: Callable[[], None]
    _current: Callable[[], Abstract | None]
    _changed: Callable[[], None]
    _update_border: Callable[[], None]
    _try: Callable[..., bool]
    _record: Callable[..., None]

    if TYPE_CHECKING:

        @property
        def abstract_list(self) -> AbstractList: ...

    # ---------------------------------------------------------------- marks
    def _targets(self) -> list[str]:
        """What an action applies to: the marked rows (in list order), else the cursor's."""
        marked = self.abstract_list.marked
        if marked:
            rows = [r for r in self.abstract_list.rows.tolist() if r in marked]
            rows += sorted(marked - set(rows))  # marked, then filtered out: still marked
            return [self.library.abstract_at(r).id for r in rows]
        abstract = self._current()
        return [] if abstract is None else [abstract.id]

    def action_toggle_mark(self) -> None:
        self.abstract_list.toggle_mark()
        self.abstract_list.action_cursor_down()

    def action_mark_all(self) -> None:
        self.abstract_list.mark_all()

    def on_abstract_list_marks_changed(self) -> None:
        # a named handler: `@on` is not collected from a mixin
        self._update_border()
        self.refresh_bindings()  # escape (clear the marks) comes and goes

    # ---------------------------------------------------------------- status
    def action_set_status(self, value: str) -> None:
        ids = self._targets()
        if not ids:
            return
        status = Status(value)
        done = self._try("set the status", lambda: self.library.set_status(ids, status))
        if done and self.auto_advance and not self.abstract_list.marked:
            self.abstract_list.action_cursor_down()

    def action_pick_status(self) -> None:
        ids = self._targets()
        if not ids:
            return

        shown = {key: self.library.annotation(key).status for key in ids}

        def picked(status: Status | None) -> None:
            if status is not None:
                self._try(
                    "set the status", lambda: self.library.set_status(ids, status, seen=shown)
                )

        subject = f"{len(ids)} marked abstracts" if len(ids) > 1 else ""
        current = shown[ids[0]]
        self.app.push_screen(StatusPicker(current, subject), picked)

    # ---------------------------------------------------------------- tags
    def action_tag(self) -> None:
        ids = self._targets()
        if not ids:
            return
        if len(ids) == 1:
            heading = self.library.title(ids[0])
            now = " ".join(f"#{t}" for t in self.library.annotation(ids[0]).tags) or "none"
        else:
            heading = f"{len(ids)} marked abstracts"
            now = self._tags_of_many(ids)

        def entered(text: str | None) -> None:
            if not text or not text.strip():
                return
            add, remove = split_tags(text)
            self._try("tag", lambda: self.library.tag(ids, add=add, remove=remove))

        self.app.push_screen(
            PromptScreen(
                f"Tags: {heading}",
                placeholder="tag, other-tag, -tag-to-remove",
                hint=f"Now: {now}.  Several at once (commas or spaces); -name removes; "
                "→ completes.",
                suggester=TagSuggester(self.library.tag_counts()),
                id="tag-prompt",
            ),
            entered,
        )

    def _tags_of_many(self, ids: list[str]) -> str:
        """`#rl on all, #later on 2`: the tags the marked abstracts carry."""
        counts: dict[str, int] = {}
        for record in ids:
            for tag in self.library.annotation(record).tags:
                counts[tag] = counts.get(tag, 0) + 1
        if not counts:
            return "no tags"
        parts = [
            f"#{tag} on {'all' if n == len(ids) else n}"
            for tag, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        return ", ".join(parts[:6]) + (", …" if len(parts) > 6 else "")

    # ---------------------------------------------------------------- title and note
    def action_set_title(self) -> None:
        abstract = self._current()
        if abstract is None:
            return
        old = self.library.annotation(abstract.id).title

        def entered(text: str | None) -> None:
            if text is None or (not old and text.strip() == abstract.headline):
                return
            self._try("set the title", lambda: self.library.set_title(abstract.id, text, seen=old))

        self.app.push_screen(
            PromptScreen(
                "Title",
                value=old or abstract.headline,
                hint="Empty to go back to the headline.",
                id="title-prompt",
            ),
            entered,
        )

    def action_edit_note(self) -> None:
        abstract = self._current()
        if abstract is None:
            return
        record = abstract.id
        session: Hashable = ("note", record, object())  # this editor's saves: one undo step

        def save(text: str, base: str) -> str | None:
            change: Callable[[], Change] = lambda: self.library.set_note(  # noqa: E731
                record, text, base=base
            )
            if not self._try("save the note", change, merge=session):
                return None
            self.library.clear_draft(record)
            return self.library.annotation(record).note

        def draft(text: str, base: str) -> None:
            try:
                self.library.journal_draft(record, text, base)
            except ReaderError as error:
                self.notify(str(error), severity="warning")

        editor = NoteEditor(
            self.library.title(record), self.library.annotation(record).note, save, draft
        )
        self.app.push_screen(editor, lambda _: self._changed())

    def action_edit_note_in_editor(self) -> None:
        """The note in $EDITOR: saved as an edit of the note as it was when the editor
        opened (merged if it changed meanwhile); kept as a draft if it cannot be saved.
        A terminal closed while the editor runs ends the app once the text is safe."""
        abstract = self._current()
        if abstract is None:
            return
        try:
            edit = edit_note_in_terminal(self.app, self.library, abstract.id)
        except ReaderError as error:
            self.notify(f"{error}; the note is unchanged.", title="Cannot edit", severity="error")
            return
        finally:
            self.refresh(layout=True)
        if edit.change is not None and edit.saved:
            self._record(edit.change)
            if edit.change.notice:
                self.notify(edit.change.notice, severity="warning", timeout=12)
        for problem in edit.problems:
            self.notify(problem, title="Editor", severity="warning", timeout=12)
        if edit.signal is not None:
            self.app.save_and_exit()
