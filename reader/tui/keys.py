"""Every binding of the app by id, with the user's `keys.toml` applied (`reader keys`),
and what a key name is: Textual's names, checked with Textual's public key helpers
(`textual.keys`), so that a name Textual renames or adds is known here too."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS, REPLACED_KEYS, Keys, key_to_character

from reader.core.keymap import keymap_path, load_keymap

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
"""What may come before a key name, joined with `+`: `ctrl+x`, `ctrl+shift+up`."""
SPECIAL_KEYS = frozenset(
    key.value for key in Keys if key.value.isidentifier() and "ctrl" not in key.value
) | {"newline"}
"""Textual's names of keys that type no character (`escape`, `pageup`, `f5`...)."""
_NAME = re.compile(r"[a-z0-9_]+")
"""How Textual writes a key name: `question_mark`, `latin_small_letter_e_with_acute`."""


def key_character(name: str) -> str | None:
    """The character the key `name` types (`question_mark` -> `?`, `slash` -> `/`), or
    None for a key that types none (`f5`, `ctrl+x`). Textual's `key_to_character`
    knows the Unicode names; the few it renames (`slash` for `solidus`) it maps back."""
    return key_to_character(REPLACED_KEYS.get(name, name))


def same_key(key: str) -> str:
    """One spelling per key, to compare keys: its character when it types one (`?` and
    `question_mark` are one key), else its name (`ctrl+r`, `f5`)."""
    return key if len(key) == 1 else key_character(key) or key


def valid_key(key: str) -> bool:
    """A single printable character, or a Textual key name with optional modifiers:
    `r`, `?`, `question_mark`, `f5`, `pageup`, `escape`, `ctrl+x`, `ctrl+shift+up`."""
    if len(key) == 1:
        return key.isprintable() and not key.isspace() and key != ","
    *mods, name = key.split("+")
    if any(m not in MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        return False
    if name in SPECIAL_KEYS:
        return True
    if not _NAME.fullmatch(name) or name in KEY_NAME_REPLACEMENTS:
        return False  # not Textual's spelling (it says `minus`, not `hyphen_minus`)
    character = key_character(name)
    return character is not None and character.isprintable() and not character.isspace()


APP_BINDINGS = [
    Binding("q", "quit", "Quit", id="quit"),
    Binding("question_mark", "help", "Help", id="help"),
]
"""The app's own bindings (ReaderApp.BINDINGS)."""

Chains = tuple[tuple[str, tuple[type[DOMNode], ...]], ...]


@cache
def chains() -> Chains:
    """Where the app takes keys, and whose bindings are active there (the app's as well):
    a key may do one thing in each. (Imported when asked for: the app asks only when
    there is a keys.toml, and at start most of these screens are not needed yet.)"""
    from reader.tui.screens.confirm import ConfirmScreen
    from reader.tui.screens.copy_menu import CopyMenu
    from reader.tui.screens.help import HelpScreen
    from reader.tui.screens.link_list import LinkList
    from reader.tui.screens.main import MainScreen
    from reader.tui.screens.note_editor import NoteEditor
    from reader.tui.screens.prompt import PromptInput, PromptScreen
    from reader.tui.screens.stats import StatsScreen
    from reader.tui.screens.status_picker import StatusPicker
    from reader.tui.widgets.abstract_list import AbstractList
    from reader.tui.widgets.detail import DetailPane
    from reader.tui.widgets.filter_bar import FilterBar, FilterInput
    from reader.tui.widgets.views_sidebar import ViewsSidebar

    return (
        ("the list", (AbstractList, MainScreen)),
        ("the detail pane", (DetailPane, MainScreen)),
        ("the views sidebar", (ViewsSidebar, MainScreen)),
        ("the filter", (FilterInput, FilterBar, MainScreen)),  # text.undo, text.redo
        ("the note editor", (NoteEditor,)),
        ("a prompt", (PromptInput, PromptScreen)),  # text.undo, prompt.apply
        ("a confirmation", (ConfirmScreen,)),
        ("the status picker", (StatusPicker,)),
        ("the copy menu", (CopyMenu,)),
        ("the link list", (LinkList,)),
        ("help", (HelpScreen,)),
        ("the stats screen", (StatsScreen,)),
    )


def owners() -> tuple[type[DOMNode], ...]:
    """Every class with bindings, each once."""
    return tuple(dict.fromkeys(owner for _, owners in chains() for owner in owners))


def _with_id(bindings: Iterable[BindingType]) -> list[Binding]:
    return [b for b in bindings if isinstance(b, Binding) and b.id]


def default_bindings() -> list[Binding]:
    """Every binding that has an id, the app's first."""
    found: dict[str, Binding] = {}
    for binding in _with_id([*APP_BINDINGS, *(b for owner in owners() for b in owner.BINDINGS)]):
        found.setdefault(binding.id or "", binding)
    return list(found.values())


def _keys_in(owners: tuple[type[DOMNode], ...], keymap: dict[str, str]) -> dict[str, list[str]]:
    """key -> the ids bound to it, where `owners` (and the app) take keys."""
    by_key: dict[str, list[str]] = {}
    for binding in _with_id([*(b for owner in owners for b in owner.BINDINGS), *APP_BINDINGS]):
        for key in keymap.get(binding.id or "", binding.key).split(","):
            key = key.strip()
            ids = by_key.setdefault(same_key(key), [])
            if binding.id not in ids:
                ids.append(binding.id or "")
    return by_key


def keymap_clashes(keymap: dict[str, str]) -> list[str]:
    """A message per key that `keymap` gives to two bindings active in the same place
    (one of them would never run); clashes the default keys have by design are not."""
    problems: dict[tuple[str, tuple[str, ...]], str] = {}
    for where, owners_there in chains():
        defaults = _keys_in(owners_there, {})
        for key, ids in _keys_in(owners_there, keymap).items():
            if len(ids) > 1 and ids != defaults.get(key):
                problems.setdefault((key, tuple(ids)), where)
    return [
        f"{keymap_path()}: {key!r} is bound to both {' and '.join(ids)} (in {where}); "
        "give one of them another key"
        for (key, ids), where in problems.items()
    ]


def _binding_ids() -> Iterator[str]:
    """The id of every binding (computed only when iterated: see `chains`)."""
    yield from (b.id for b in default_bindings() if b.id)


def user_keymap() -> tuple[dict[str, str], list[str]]:
    """The valid entries of keys.toml and the problems found in it (without a keys.toml,
    nothing is imported or compared: the default keys are known not to clash)."""
    keymap, problems = load_keymap(_binding_ids(), valid_key=valid_key)
    return keymap, problems + (keymap_clashes(keymap) if keymap else [])


def key_table() -> list[tuple[str, str, str]]:
    """(id, keys, description) of every binding, with keys.toml applied."""
    keymap, _ = user_keymap()
    return [
        (b.id or "", keymap.get(b.id or "", b.key), b.description or b.action)
        for b in default_bindings()
    ]
