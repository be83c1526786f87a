"""Your own keys: `keys.toml` maps binding ids to keys.

    [keys]
    "status.read" = "r"          # one key
    "undo" = "u,ctrl+z"          # several, comma-separated

The file lives in the platform's config folder (`~/.config/reader/keys.toml` on Linux;
`READER_CONFIG_DIR` overrides the folder). A bad entry (an id no binding has, a key
that is not a key) is reported and skipped; a file that is not TOML is reported with
its line, and so is one that is not a regular file (a FIFO, a device) or is larger
than `KEYMAP_LIMIT`: the default keys apply. None of these stops the app. The app
applies the map with `App.set_keymap`.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from reader.core.errors import ReaderError
from reader.core.userfiles import read_regular, user_dir

KEYMAP_LIMIT = 1_000_000
"""The largest keys.toml read, in bytes (a real one is a few hundred)."""
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
"""What may come before a key name, joined with `+`: `ctrl+x`, `ctrl+shift+up`."""
SPECIAL_KEYS = frozenset(
    {
        *("escape", "enter", "return", "tab", "space", "backspace", "delete", "insert"),
        *("home", "end", "pageup", "pagedown", "up", "down", "left", "right", "newline"),
        *(f"f{n}" for n in range(1, 25)),
    }
)
"""Textual's names of keys that type no character."""
_RENAMED = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def character_key(character: str) -> str:
    """Textual's name for the key that types `character` (`?` -> `question_mark`)."""
    if character.isalnum():
        return character
    name = unicodedata.name(character, character).lower().replace("-", "_").replace(" ", "_")
    return _RENAMED.get(name, name)


CHARACTER_KEYS = frozenset(
    character_key(chr(c)) for c in range(0x21, 0x250) if chr(c).isprintable()
)
"""Key names of the printable characters (`a`, `question_mark`, `slash`, `e_acute`...)."""


def config_dir() -> Path:
    """`READER_CONFIG_DIR` when set, else the platform's user config folder."""
    return user_dir("READER_CONFIG_DIR", "config")


def keymap_path() -> Path:
    return config_dir() / "keys.toml"


def valid_key(key: str) -> bool:
    """A single printable character, or a Textual key name with optional modifiers:
    `r`, `?`, `question_mark`, `f5`, `pageup`, `escape`, `ctrl+x`, `ctrl+shift+up`."""
    if len(key) == 1:
        return key.isprintable() and not key.isspace() and key != ","
    *mods, name = key.split("+")
    if any(m not in MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        return False
    return name in SPECIAL_KEYS or name in CHARACTER_KEYS


def load_keymap(
    known_ids: Iterable[str], path: Path | None = None
) -> tuple[dict[str, str], list[str]]:
    """The valid `id -> keys` entries of the keymap file, and a message per problem."""
    path = path or keymap_path()
    known = set(known_ids)
    try:
        raw = read_regular(path, limit=KEYMAP_LIMIT, what="key map").decode("utf-8")
    except FileNotFoundError:
        return {}, []
    except ReaderError as error:
        return {}, [f"{error}; default keys are used"]
    except UnicodeDecodeError as error:
        return {}, [f"{path}: cannot read the key map ({error}); default keys are used"]
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        return {}, [f"{path}: not valid TOML ({error}); default keys are used"]
    table = data.get("keys", {})
    if not isinstance(table, dict):
        return {}, [
            f"{path}: keys = {table!r} is not a table: write a [keys] header, then "
            'one binding id = "key" per line; default keys are used'
        ]
    problems = [
        f"{path}: {name!r} is outside the [keys] table; ignored" for name in data if name != "keys"
    ]
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        if binding_id not in known:
            problems.append(f"{path}: unknown binding id {binding_id!r} (see `reader keys`)")
            continue
        keys = [k.strip() for k in value.split(",")] if isinstance(value, str) else []
        bad = [k for k in keys if not valid_key(k)]
        if not keys or bad:
            which = "" if len(keys) < 2 else f" ({', '.join(map(repr, bad))})"
            problems.append(
                f"{path}: {binding_id} = {value!r} is not a key{which}: keys are one "
                'character or a key name, as in "r", "?", "f5", "pageup", "ctrl+r"'
            )
            continue
        keymap[binding_id] = ",".join(keys)
    return keymap, problems
