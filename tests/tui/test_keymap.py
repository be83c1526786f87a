"""keys.toml: remapping keys by binding id, bad entries reported and skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.keymap import load_keymap
from reader.core.library import Library
from reader.core.models import Status
from reader.tui.keys import valid_key
from tests.tui.conftest import RunApp


@pytest.mark.parametrize("key", ["r", "R", "?", "ctrl+r", "f5", "pageup", "ctrl+shift+x"])
def test_valid_keys(key: str):
    assert valid_key(key)


@pytest.mark.parametrize("key", ["", " ", "ctl+r", "ctrl+", "two words", "Page Up", ","])
def test_malformed_keys(key: str):
    assert not valid_key(key)


def test_load_reports_unknown_ids_and_bad_keys(config: Path):
    (config / "keys.toml").write_text(
        '[keys]\n"status.read" = "r"\n"nope" = "x"\n"undo" = "ctl+u"\n"redo" = "u, ctrl+y"\n'
    )
    keymap, problems = load_keymap({"status.read", "undo", "redo"}, valid_key=valid_key)
    assert keymap == {"status.read": "r", "redo": "u,ctrl+y"}
    assert any("unknown binding id 'nope'" in p for p in problems)
    assert any("undo = 'ctl+u' is not a key" in p for p in problems)


def test_malformed_toml_is_reported_with_its_line(config: Path):
    (config / "keys.toml").write_text('[keys]\n"status.read" = "r"\nbroken = \n')
    keymap, problems = load_keymap({"status.read"}, valid_key=valid_key)
    assert keymap == {}
    assert len(problems) == 1 and "line 3" in problems[0]


async def test_a_remapped_key_works_in_the_app(
    run_app: RunApp, config: Path, library: Library, data_dir: Path
):
    (config / "keys.toml").write_text('[keys]\n"status.read" = "r"\n')
    first = library.ids()[0]
    async with run_app(library) as pilot:
        await pilot.press("r")
        assert Library(data_dir).annotation(first).status is Status.READ


async def test_the_text_fields_keys_can_be_remapped_too(
    run_app: RunApp, config: Path, library: Library, data_dir: Path
):
    """prompt.apply (the prompt's enter, shown as `⏎ Apply`) and text.undo have ids
    like every key, but `reader keys` did not list them and keys.toml refused them as
    unknown ids."""
    (config / "keys.toml").write_text('[keys]\n"prompt.apply" = "ctrl+s"\n"text.undo" = "ctrl+u"\n')
    first = library.ids()[0]
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        assert not [n for n in app._notifications if "keys.toml" in n.title]
        await pilot.press("t", "x", "space", "y", "ctrl+u", "ctrl+s")
        await pilot.pause()
        assert Library(data_dir).annotation(first).tags == ("x",)
    result = CliRunner().invoke(cli, ["keys"])
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["prompt.apply", "ctrl+s"] for line in lines)
    assert any(line.split()[:2] == ["text.undo", "ctrl+u"] for line in lines)


async def test_a_bad_keymap_is_reported_at_start_not_fatal(
    run_app: RunApp, config: Path, library: Library
):
    (config / "keys.toml").write_text('[keys]\n"no.such.binding" = "x"\n')
    async with run_app(library) as pilot:
        app = pilot.app
        await pilot.pause()
        shown = [str(n.message) for n in app._notifications]
        assert any("unknown binding id 'no.such.binding'" in m for m in shown)
        await pilot.press("4")  # the app works with its default keys
        assert Library(library.data_dir).annotation(library.ids()[0]).status is Status.READ


def test_reader_keys_prints_the_map_with_ids(config: Path, tmp_path: Path):
    (config / "keys.toml").write_text('[keys]\n"status.read" = "r"\n"bogus" = "x"\n')
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "keys"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["status.read", "r"] for line in lines)
    assert any(line.split()[:2] == ["undo", "z,ctrl+z"] for line in lines)
    assert "unknown binding id 'bogus'" in result.output
