"""reader.core.clipboard (which programs are tried, what the message says) and
reader.core.links (addresses in text, a record's links, no browser over SSH)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from reader.core import clipboard, links
from reader.core.models import Abstract, Annotation, Record


def program(folder: Path, name: str, body: str = "/bin/cat > /dev/null") -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_only_programs_the_session_can_use_are_tried(tmp_path: Path):
    for name in ("wl-copy", "xclip", "tmux"):
        program(tmp_path, name)
    env = {"PATH": str(tmp_path)}
    assert clipboard.available(env) == []  # no display, not in tmux
    names = [t.name for t in clipboard.available(env | {"DISPLAY": ":0", "TMUX": "x"})]
    assert names == ["xclip", "tmux", "tmux"]


def test_a_failing_program_is_named_and_the_next_one_tried(tmp_path: Path):
    program(tmp_path, "xclip", "exit 1")
    program(tmp_path, "xsel")
    done = clipboard.copy("text", {"PATH": str(tmp_path), "DISPLAY": ":0"})
    assert done.tool is not None and done.tool.name == "xsel"
    assert done.problems == ["xclip failed (exit 1)"]
    assert done.message("the id").startswith("Copied the id to the clipboard with xsel")


def test_with_no_program_the_message_says_it_could_not():
    done = clipboard.copy("text", {"PATH": "/nonexistent"})
    assert not done.ok
    assert done.message("the id").startswith("Could not copy the id: no clipboard program")


def test_addresses_are_found_without_the_punctuation_around_them():
    text = "See (https://x.org/a_(b)), https://y.com/p?q=1. arXiv:2306.10015v2, doi:10.1000/xy."
    assert links.found_in(text) == [
        "https://x.org/a_(b)",
        "https://y.com/p?q=1",
        "https://arxiv.org/abs/2306.10015v2",
        "https://doi.org/10.1000/xy",
    ]


def test_a_record_lists_its_pages_then_text_then_note_links_once():
    abstract = Abstract(
        id="1", text="Code at https://g.com/a.", headline="x", source="s", position=1,
        arxiv_id="2306.10015", doi="10.1/x",
    )  # fmt: skip
    rec = Record("1", abstract, Annotation(note="[again](https://g.com/a) https://n.org"))
    assert [(x.url, x.where) for x in links.record_links(rec)] == [
        ("https://arxiv.org/abs/2306.10015", "abstract page"),
        ("https://arxiv.org/pdf/2306.10015", "PDF"),
        ("https://doi.org/10.1/x", "DOI"),
        ("https://g.com/a", "abstract"),
        ("https://n.org", "note"),
    ]


def test_no_display_and_no_browser_variable_means_no_browser(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(links.sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    assert links.open_in_browser("https://example.org") is False  # SSH: nothing to show on


def test_a_browser_variable_that_is_not_a_command_fails_cleanly(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BROWSER", "no-such-browser-here")
    assert links.open_in_browser("https://example.org") is False
    monkeypatch.setenv("BROWSER", 'unclosed "quote')
    assert links.open_in_browser("https://example.org") is False
