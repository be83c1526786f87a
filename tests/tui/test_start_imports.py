"""What the app does before its first frame (issue 13: start-up time): what it imports,
and the cyclic GC paused until then.

Each screen and widget that the first frame does not show is imported when first
used: the stats screen (plotext), the note editor (TextArea, tree-sitter), the note's
Markdown (markdown-it), the exporters (bibtexparser), help and discover. Each is
checked in a fresh interpreter that opens the app headless on the sample abstracts,
so one import at module level anywhere on the start path fails it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from reader.core.library import Library

NOT_AT_START = (
    "markdown_it",
    "plotext",
    "textual_plotext",
    "bibtexparser",
    "tree_sitter",
    "textual.widgets._markdown",
    "textual.widgets._text_area",
    "reader.core.export.bibtex",
    "reader.core.export.common",
    "reader.core.discover.engine",
    "reader.tui.screens.stats",
    "reader.tui.screens.note_editor",
    "reader.tui.screens.help",
    "reader.tui.external_editor",
)

SCRIPT = """
import asyncio, sys
from reader.core.library import Library
from reader.tui.app import ReaderApp

async def main():
    app = ReaderApp(Library(sys.argv[1]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "of 49" in str(app.screen.query_one("#list").border_title)
    print(" ".join(m for m in sys.argv[2:] if m in sys.modules))

asyncio.run(main())
"""


def test_the_first_frame_imports_only_what_it_shows(library: Library, tmp_path: Path):
    env = {**os.environ, "READER_CONFIG_DIR": str(tmp_path / "config")}  # no keys.toml
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(library.data_dir), *NOT_AT_START],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def test_a_keys_toml_still_finds_clashes_in_every_screen(tmp_path: Path):
    """Without a keys.toml the screens are not imported to check it; with one, every
    screen's bindings are (the note editor's too, imported for it)."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "keys.toml").write_text('[keys]\n"note.discard" = "escape"\n')
    code = (
        "from reader.tui.keys import user_keymap; "
        "keymap, problems = user_keymap(); print(keymap); print(problems)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "READER_CONFIG_DIR": str(config)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "'note.discard': 'escape'" in done.stdout
    assert "is bound to both" in done.stdout and "the note editor" in done.stdout


GC_SCRIPT = """
import asyncio, gc, sys
from reader.core.library import Library
from reader.tui.app import ReaderApp

async def main():
    app = ReaderApp(Library(sys.argv[1]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        print(gc.isenabled(), gc.get_freeze_count() > 0)

gc.disable()  # as `reader` does before it imports the app (`reader.cli.app`)
asyncio.run(main())
"""


def test_the_collector_paused_for_the_start_runs_again_after_the_first_frame(
    library: Library, tmp_path: Path
):
    done = subprocess.run(
        [sys.executable, "-c", GC_SCRIPT, str(library.data_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "READER_CONFIG_DIR": str(tmp_path / "config")},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]  # running, over what the start froze


def test_the_command_line_pauses_the_collector_only_for_the_app(monkeypatch):
    import gc

    import reader.cli.app as cli_app

    seen: list[bool] = []
    monkeypatch.setattr(cli_app, "run_app", lambda state: seen.append(gc.isenabled()))
    try:
        assert cli_app.open_if_installed(None)  # type: ignore[arg-type]
        assert seen == [False], "paused before the app's imports"
        gc.enable()
        monkeypatch.setitem(sys.modules, "reader.tui.app", None)  # not installed
        assert not cli_app.open_if_installed(None)  # type: ignore[arg-type]
        assert gc.isenabled(), "the list is printed with the collector running"
    finally:
        gc.enable()


async def test_the_footer_is_made_once_or_twice_at_start_not_for_each_binding_change(
    run_app, library: Library, monkeypatch
):
    """A start changes the bindings about eight times before its first frames; each
    recompose remakes every key of the footer (~10 ms of styles): they are coalesced."""
    from reader.tui.screens.main import MainScreen
    from reader.tui.widgets.footer import ReaderFooter
    from tests.waiting import until

    made: list[int] = []
    real = ReaderFooter.recompose

    async def counted(self: ReaderFooter) -> None:
        made.append(1)
        await real(self)

    monkeypatch.setattr(ReaderFooter, "recompose", counted)
    async with run_app(library, fresh=True) as pilot:
        app = pilot.app
        await until(lambda: isinstance(app.screen, MainScreen), "the main screen")
        for _ in range(10):
            await pilot.pause(0.02)
        footer = app.screen.query_one(ReaderFooter)
        assert [getattr(k, "action", None) for k in footer.children][:2] == ["help", "quit"]
    assert 1 <= len(made) <= 3, made
