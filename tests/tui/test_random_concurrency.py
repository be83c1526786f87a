"""Randomized: the app under random triage keys while another process runs random CLI
changes on the same library. Afterwards every change either side acknowledged is on
disk (or was refused with a message), and nothing else changed: `audit.check`
replays the two logs of writes against the disk.

`READER_STRESS_STEPS` sets the app's steps (CI: 200; `make stress`: thousands) and
`READER_STRESS_SEED` the seed (printed on failure, to replay a run).
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.note_editor import NoteEditor
from tests import audit
from tests.tui.conftest import NARROW

STEPS = int(os.environ.get("READER_STRESS_STEPS", "200"))
SEED = int(os.environ.get("READER_STRESS_SEED", str(random.randrange(1 << 30))))
ROOT = Path(__file__).resolve().parents[2]

MOVES = ["j", "k", "down", "up", "home"]
WORDS = ["a", "b", "c", "-a", "-b", "later"]


async def _note_session(pilot, app: ReaderApp, rng: random.Random) -> None:
    await pilot.press("n")
    await pilot.pause()
    if not isinstance(app.screen, NoteEditor):
        return
    area = app.screen.query_one(TextArea)
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        if roll < 0.6:
            area.insert(rng.choice(["word ", "line\n", "x", "y "]))
        elif roll < 0.75:
            await pilot.press("backspace")
        elif roll < 0.9:
            app.screen.save_now()  # an autosave
        else:
            await pilot.pause(0.05)  # the other process gets a turn
    await pilot.press("escape")
    await pilot.pause()


EDITOR = textwrap.dedent(
    """
    import random, sys, time
    path = sys.argv[-1]
    text = open(path, encoding="utf-8").read()
    time.sleep(random.random() / 20)  # the other process gets a turn
    roll = random.random()
    if roll < 0.6:
        text += random.choice(["\\nfrom e", " e-word", "\\n- e item"])
    elif roll < 0.8:
        text = text.replace("word", "WORD", 1)
    open(path, "w", encoding="utf-8").write(text)
    sys.exit(1 if roll > 0.95 else 0)  # a failing editor: what it saved still counts
    """
)
"""A scripted $EDITOR for `e`: appends, rewrites a word, or leaves the note as it is,
and now and then exits non-zero."""


@contextlib.contextmanager
def _handed_over() -> Iterator[None]:
    """Stands in for `App.suspend` under Pilot (no real terminal to hand over)."""
    yield


@pytest.fixture
def scripted_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")


async def _prompt(pilot, app: ReaderApp, key: str, text: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    inputs = app.screen.query(Input)
    if inputs:
        inputs.first().value = text
        await pilot.press("enter")
        await pilot.pause()


async def _step(pilot, app: ReaderApp, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.2:
        await pilot.press(rng.choice(MOVES))
    elif roll < 0.45:
        await pilot.press(rng.choice("12345"))
    elif roll < 0.5:
        await pilot.press(rng.choice(["space", "space", "asterisk", "escape"]))
    elif roll < 0.62:
        await _prompt(pilot, app, "t", " ".join(rng.sample(WORDS, rng.randint(1, 2))))
    elif roll < 0.67:
        await _prompt(pilot, app, "T", rng.choice(["", "app title", "other title"]))
    elif roll < 0.74:
        await _note_session(pilot, app, rng)
    elif roll < 0.77:
        await pilot.press("e")  # $EDITOR: the scripted one
    elif roll < 0.9:
        await pilot.press("z")
    elif roll < 0.97:
        await pilot.press("Z")
    else:
        await pilot.press("ctrl+r")
    while not isinstance(app.screen, MainScreen):  # a prompt left open: close it
        await pilot.press("escape")
        await pilot.pause()


async def test_random_keys_and_cli_changes_lose_nothing(
    library: Library, tmp_path: Path, scripted_editor: None
):
    data_dir = library.data_dir
    app_log, cli_log, stop = tmp_path / "app.jsonl", tmp_path / "cli.jsonl", tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    other = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "random_cli.py"),
            str(data_dir),
            str(cli_log),
            str(SEED),
            str(stop),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    uninstall = audit.install(app_log, "app")
    rng = random.Random(SEED)
    try:
        app = ReaderApp(library)
        app.suspend = _handed_over  # type: ignore[method-assign]
        async with app.run_test(size=NARROW) as pilot:  # narrow: fast to draw
            screen = app.screen
            assert isinstance(screen, MainScreen)
            for _ in range(STEPS):
                await _step(pilot, app, rng)
    finally:
        uninstall()
        stop.touch()
        out, err = other.communicate(timeout=120)
    assert other.returncode == 0, f"seed {SEED}: the CLI process failed:\n{err.decode()}"
    counts = audit.check(audit.read_logs([app_log, cli_log]), data_dir)
    print(f"seed {SEED}: {STEPS} app steps, {int(out)} CLI commands; {counts}")
    assert counts["app"] > 0 and counts["cli"] > 0, counts
