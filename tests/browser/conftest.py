"""Browser tests: `reader serve` on a free port, driven by headless Chromium (Playwright).

    tab = served.open(browser)            # a new page on the server, once the list shows
    tab.press("/"); tab.type("graph")     # keys as a user types them
    tab.wait_for(r"\\d+ of 49", "the count")  # what the app drew, read as text

The page draws the app on a canvas, so the test reads the screen the way the page
does: every byte the app sends over the websocket goes through a terminal emulator
(pyte), sized as the page sizes the app. Debian's Chromium is the browser
(`apt-get install chromium`; READER_CHROMIUM names another); the tests fail, not
skip, when it cannot start.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyte
import pytest
from playwright.sync_api import Browser, Page, WebSocket, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from reader.core.library import Library
from tests.waiting import TIMEOUT, until_sync

CHROMIUM = os.environ.get("READER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # as root (CI)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no calls home: the network is closed here
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "the browser tests need Chromium at {path}: install it (`sudo apt-get install chromium` "
    "on Debian/Ubuntu) or point READER_CHROMIUM at a Chromium or Chrome binary"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium; the test fails (never skips) when it cannot start."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(INSTALL_HINT.format(path=CHROMIUM), pytrace=False)
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            first = str(error).strip().splitlines()[0]
            pytest.fail(f"{INSTALL_HINT.format(path=CHROMIUM)} ({first})", pytrace=False)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page on `reader serve`, and the screen its app drew there."""

    page: Page
    screen: pyte.Screen = field(default_factory=lambda: pyte.Screen(80, 24))

    def __post_init__(self) -> None:
        self._stream = pyte.ByteStream(self.screen)
        self.page.on("websocket", self._socket)

    def _socket(self, socket_: WebSocket) -> None:
        query = parse_qs(urlsplit(socket_.url).query)
        self.screen.resize(int(query["height"][0]), int(query["width"][0]))
        socket_.on("framereceived", self._received)
        socket_.on("framesent", self._sent)

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):  # the app's output; text frames are the page's
            self._stream.feed(payload)

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.screen.resize(size["height"], size["width"])

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, pattern: str, what: str, timeout: float = TIMEOUT) -> re.Match[str]:
        """The first match of `pattern` on the screen, once there; fails naming `what`.

        Playwright delivers the websocket frames while it waits, so this polls in
        20 ms waits of the page until the screen shows it.
        """
        deadline = time.monotonic() + timeout
        while (found := re.search(pattern, self.text)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout:.0f} s waiting for {what} ({pattern!r}); "
                    f"the screen:\n{self.text}"
                )
            self.page.wait_for_timeout(20)
        return found

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        """Type at Playwright's default speed (no delay between keys)."""
        self.page.keyboard.type(text)


@dataclass
class Served:
    """A running `reader serve` on a library of the 49 sample abstracts."""

    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    log: Path
    seen: set[int] = field(default_factory=set)
    """Every app process `apps` found: killed at the end if still running (orphaned)."""

    def open(self, browser: Browser, **context: object) -> Tab:
        """A new page on the server, focused, once its app shows the list."""
        (tab,) = self.open_tabs(browser, 1, **context)
        return tab

    def open_tabs(self, browser: Browser, count: int, **context: object) -> list[Tab]:
        """`count` pages, each in a browser context of its own, their apps started at
        once (each takes a second or two), focused once each shows the list."""
        tabs = []
        for _ in range(count):
            size = {"width": 1280, "height": 800}
            tab = Tab(browser.new_context(viewport=size, **context).new_page())
            tab.page.goto(self.url, wait_until="commit")
            tabs.append(tab)
        for tab in tabs:
            tab.wait_for(r"\d+ of \d+", "the list")
            tab.page.focus(".xterm-helper-textarea")  # where xterm.js takes keys from
        return tabs

    def apps(self) -> list[int]:
        """The app processes the server runs (its children)."""
        found = children(self.process.pid)
        self.seen.update(found)
        return found

    def library(self) -> Library:
        """The library as on disk now, read by a fresh Library (no draft is replayed)."""
        return Library(self.data_dir)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            state, ppid = _stat(int(entry))
            if ppid == pid and state != "Z":
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, exited but not yet reaped, is not running)."""
    state, _ = _stat(pid)
    return state not in ("", "Z")


def _stat(pid: int) -> tuple[str, int]:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return "", 0
    return fields[0].decode(), int(fields[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`reader serve` on a free port and a new library; stopped (and its apps) at the end.

    It runs in a session of its own, so a test can send ctrl+c's SIGINT to its whole
    process group as a terminal would.
    """
    data_dir, log = tmp_path / "library", tmp_path / "serve.log"
    port = free_port()
    command = [sys.executable, "-m", "reader", "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--data-dir", str(data_dir)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "VISUAL": "true"},  # an editor that exists (for `e`)
        )
    served = Served(process, f"http://127.0.0.1:{port}/", data_dir, log)
    try:
        until_sync(lambda: _listening(port) or process.poll() is not None, "reader serve")
        assert process.poll() is None, f"reader serve exited:\n{log.read_text()}"
        yield served
    finally:
        served.apps()
        if process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(15)
        if process.poll() is None:
            process.kill()
        process.wait()
        for pid in served.seen:  # a test that failed may leave one: never the next test's
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
