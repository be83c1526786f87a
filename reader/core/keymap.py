"""Your own keys: `keys.toml` maps binding ids to keys.

    [keys]
    "status.read" = "r"          # one key
    "undo" = "u,ctrl+z"          # several, comma-separated

The file lives in the platform's config folder (`~/.config/reader/keys.toml` on Linux;
`READER_CONFIG_DIR` overrides the folder). A bad entry (an id no binding has, a key
that is not a key) is reported and skipped; a file that is not TOML is reported with
its line. Neither stops the app. The app applies the map with `App.set_keymap`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

import platformdirs

_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def config_dir() -> Path:
    env = os.environ.get("READER_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir("reader", appauthor=False))


def keymap_path() -> Path:
    return config_dir() / "keys.toml"


def valid_key(key: str) -> bool:
    """A single printable character, or a key name with optional modifiers (ctrl+x)."""
    if len(key) == 1:
        return key.isprintable() and not key.isspace() and key != ","
    *mods, name = key.split("+")
    if any(m not in _MODIFIERS for m in mods):
        return False
    return len(name) == 1 and name.isprintable() or bool(_NAME.match(name))


def load_keymap(
    known_ids: Iterable[str], path: Path | None = None
) -> tuple[dict[str, str], list[str]]:
    """The valid `id -> keys` entries of the keymap file, and a message per problem."""
    path = path or keymap_path()
    known = set(known_ids)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as error:
        return {}, [f"{path}: cannot read the key map ({error}); default keys are used"]
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        return {}, [f"{path}: not valid TOML ({error}); default keys are used"]
    table = data.get("keys", {})
    if not isinstance(table, dict):
        return {}, [f'{path}: [keys] must be a table of binding id = "key"']
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in table.items():
        if binding_id not in known:
            problems.append(f"{path}: unknown binding id {binding_id!r} (see `reader keys`)")
            continue
        keys = [k.strip() for k in value.split(",")] if isinstance(value, str) else []
        bad = [k for k in keys if not valid_key(k)]
        if not keys or bad:
            problems.append(f'{path}: {binding_id} = {value!r} is not a key (like "r", "ctrl+r")')
            continue
        keymap[binding_id] = ",".join(keys)
    return keymap, problems
