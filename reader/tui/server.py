"""`reader serve`: the app in a browser, one app process per tab (textual-serve).

textual-serve starts `command` (in a shell) for each browser tab that connects, and pipes
the app's screen and the tab's keys over a websocket. `ReaderServer` adds what reader
needs on top:

- **Which pages may drive an app.** A websocket is not bound by the browser's same-origin
  rule, so without a check any web page the user visits could open
  `ws://127.0.0.1:8765/ws` and type into the library. A socket is refused unless its
  Origin is the page this server served, and, when listening on loopback, unless the
  Host is a loopback name (which also stops DNS rebinding).
- **The address in the page.** The page is told to connect back to the address the
  browser used (its Host header), so `ssh -L 9000:127.0.0.1:8765` works on any local port.
- **Nothing from elsewhere.** textual-serve's page links a font from Google's servers:
  each tab opened would tell a third party, and offline the page waits for it. The page
  is served without that link (the terminal uses the browser's monospace font; the
  page's styles already fall back to it).
- **Shutdown.** On ctrl+c or SIGTERM textual-serve stops listening, but its open sockets
  would hold it for a minute and then leave the app processes behind. `on_shutdown` asks
  every app to quit (each saves what is pending as it exits), waits for them, and
  SIGKILLs any still there after `SHUTDOWN_GRACE` seconds, so none is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import re
import signal
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

log = logging.getLogger("reader.serve")

SHUTDOWN_GRACE = 5.0
"""Seconds the apps get to save and exit after ctrl+c or SIGTERM before they are killed."""
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
ELSEWHERE = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>\s*", re.IGNORECASE)
"""A `<link>` in textual-serve's page that loads something from another site (a font)."""


def is_loopback(host: str) -> bool:
    """True for a loopback address or name (`127.0.0.1`, `::1`, `localhost`)."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname(host_header: str) -> str:
    """The name part of a Host header (`127.0.0.1:8765`, `[::1]:8765`, `localhost`)."""
    return urlsplit(f"//{host_header}").hostname or ""


class ReaderServer(Server):
    """textual-serve's server, refusing foreign pages and leaving no app behind."""

    def __init__(self, command: str, host: str, port: int, *, title: str) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.loopback_only = is_loopback(host)
        """Listening on loopback only: then pages must also be addressed by a loopback name."""
        self.sessions: set[asyncio.Task[Any]] = set()
        """The task serving each open tab (it ends when the tab's app exits)."""

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # not a line a request

    async def on_startup(self, app: web.Application) -> None:
        # textual-serve prints a logo and its own line; `reader serve` prints the URL.
        pass

    def refused(self, request: web.Request) -> str | None:
        """Why a page may not open an app (None: it may)."""
        host = request.host
        if self.loopback_only and not is_loopback(_hostname(host)):
            return f"Host {host!r} is not a loopback name"
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return f"a page from {origin!r} may not open an app on {host!r}"
        return None

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        reason = self.refused(request)
        if reason is not None:
            raise web.HTTPForbidden(text=f"reader serve: {reason}\n")
        # The page connects back to where the browser found it. No await runs between
        # this and the template reading it, so tabs cannot see each other's address.
        self.public_url = f"{request.scheme}://{request.host}"
        response = await super().handle_index(request)  # the template, rendered
        if isinstance(response, web.Response) and response.text is not None:
            response.text = ELSEWHERE.sub("", response.text)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        reason = self.refused(request)
        if reason is not None:
            log.warning("refused a websocket: %s", reason)
            raise web.HTTPForbidden(text=f"reader serve: {reason}\n")
        task = asyncio.current_task()
        assert task is not None
        self.sessions.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions.discard(task)

    async def on_shutdown(self, app: web.Application) -> None:
        """Every app quits (saving as it goes), then the sockets close; none is left."""
        pids = _children()
        for pid in pids:  # the app saves and exits on SIGTERM (reader.tui.app), and
            with contextlib.suppress(ProcessLookupError):  # its tab's socket closes
                os.kill(pid, signal.SIGTERM)
        pending = set(self.sessions)
        if pids and pending:
            _, pending = await asyncio.wait(pending, timeout=SHUTDOWN_GRACE)
        for task in pending:  # textual-serve sends the app "quit" and waits for it to exit
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=SHUTDOWN_GRACE)
        for pid in _children():
            log.warning("app process %d did not exit in %.0f s: killed", pid, SHUTDOWN_GRACE)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _children() -> list[int]:
    """The process ids of this process's children (the apps: the command `exec`s them).

    Read from /proc (Linux); elsewhere, an empty list: the apps then quit on the
    message textual-serve sends them, and on their own when the server is gone.
    """
    me = str(os.getpid())
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if fields[1].decode() == me and fields[0] != b"Z":
                found.append(int(entry.name))
    return found
