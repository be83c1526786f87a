"""Your own keys: `keys.toml` maps binding ids to keys.

    [keys]
    "status.read" = "r"          # one key
    "undo" = "u,ctrl+z"          # several, comma-separated

The file lives in the platform's config folder (`~/.config/reader/keys.toml` on Linux;
`READER_CONFIG_DIR` overrides the folder). A bad entry (an id no binding has, a key
that is not a key) is reported and skipped; a file that is not TOML is reported with
its line, and so is one that is not a regular file (a FIFO, a device) or is larger
than `KEYMAP_LIMIT`: the default keys apply. None of these stops the app. The app
applies the map with `App.set_keymap`; what a key name is, is the app's to say
(`reader.tui.keys`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from reader.core.errors import ReaderError
from reader.core.userfiles import read_regular, user_dir

KEYMAP_LIMIT = 1_000_000
"""The largest keys.toml read, in bytes (a real one is a few hundred)."""


def config_dir() -> Path:
    """`READER_CONFIG_DIR` when set, else the platform's user config folder."""
    return user_dir("READER_CONFIG_DIR", "config")


def keymap_path() -> Path:
    return config_dir() / "keys.toml"


def load_keymap(
    known_ids: Iterable[str],
    path: Path | None = None,
    *,
    valid_key: Callable[[str], bool] = bool,
) -> tuple[dict[str, str], list[str]]:
    """The valid `id -> keys` entries of the keymap file, and a message per problem.

    Which names are keys is the UI's to say (`valid_key`; the app passes
    `reader.tui.keys.valid_key`): the core knows the file, not the terminal. Without
    it, any non-empty key is taken. `known_ids` is iterated only when there is a file
    (the app passes a generator that imports every screen to list their bindings)."""
    path = path or keymap_path()
    try:
        raw = read_regular(path, limit=KEYMAP_LIMIT, what="key map").decode("utf-8")
    except FileNotFoundError:
        return {}, []
    except ReaderError as error:
        return {}, [f"{error}; default keys are used"]
    except UnicodeDecodeError as error:
        return {}, [f"{path}: cannot read the key map ({error}); default keys are used"]
    import tomllib  # (only when there is a file: not at every start)

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
    known = set(known_ids)
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
