"""Every binding of the app by id, with the user's `keys.toml` applied (`reader keys`)."""

from __future__ import annotations

from textual.binding import Binding

from reader.core.keymap import load_keymap
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note_editor import NoteEditor
from reader.tui.screens.prompt import PromptScreen
from reader.tui.screens.status_picker import StatusPicker
from reader.tui.widgets.abstract_list import AbstractList
from reader.tui.widgets.filter_bar import FilterBar

APP_BINDINGS = [
    Binding("q", "quit", "Quit", id="quit"),
    Binding("question_mark", "help", "Help", id="help"),
]
"""The app's own bindings (ReaderApp.BINDINGS)."""

OWNERS = (MainScreen, AbstractList, FilterBar, NoteEditor, PromptScreen, StatusPicker, HelpScreen)


def default_bindings() -> list[Binding]:
    """Every binding that has an id, the app's first."""
    found: list[Binding] = []
    for binding in [*APP_BINDINGS, *(b for owner in OWNERS for b in owner.BINDINGS)]:
        if isinstance(binding, Binding) and binding.id and binding.id not in {b.id for b in found}:
            found.append(binding)
    return found


def user_keymap() -> tuple[dict[str, str], list[str]]:
    """The valid entries of keys.toml and the problems found in it."""
    return load_keymap(b.id for b in default_bindings() if b.id)


def key_table() -> list[tuple[str, str, str]]:
    """(id, keys, description) of every binding, with keys.toml applied."""
    keymap, _ = user_keymap()
    return [
        (b.id or "", keymap.get(b.id or "", b.key), b.description or b.action)
        for b in default_bindings()
    ]
