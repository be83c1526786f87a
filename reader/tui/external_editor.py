"""Hand the terminal to the user's editor for a note (`e`).

The editing itself (which editor, the temporary file, signals, saving with the note's
base) is `reader.core.editor.edit_note`, shared with `reader note ID`. Here: the
command is resolved before the app lets go of the terminal, so an editor that cannot
start is an error message, not a blank screen; and nothing that goes wrong inside
escapes the suspended block, because Textual's `App.suspend` does not give the
terminal back to the app when its body raises.
"""

from __future__ import annotations

from textual.app import App, SuspendNotSupported

from reader.core.editor import EditorError, NoteEdit, edit_note, editor_command
from reader.core.library import Library
from reader.tui.environment import in_browser


def edit_note_in_terminal(app: App[object], library: Library, record_id: str) -> NoteEdit:
    """Run the editor on the note of `record_id` with the terminal handed over, and
    give the terminal back to the app whatever happens. Raises ReaderError (the note
    is then unchanged, unless the error says where the text was kept)."""
    command = editor_command()
    done: NoteEdit | None = None
    failure: Exception | None = None
    try:
        with app.suspend():
            try:
                done = edit_note(library, record_id, command=command)
            except Exception as error:  # noqa: BLE001  # re-raised below, once resumed
                failure = error
    except SuspendNotSupported:
        if in_browser(app):  # the editor would run on the server, with no screen
            raise EditorError("a browser tab cannot run $EDITOR: n edits the note here") from None
        raise EditorError("this terminal cannot hand over to an editor") from None
    if failure is not None:
        raise failure
    if done is None:  # the body did not run: nothing was edited
        raise EditorError("this terminal cannot hand over to an editor")
    return done
