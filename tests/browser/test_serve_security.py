"""Which pages may drive an app of `reader serve`: a websocket is not bound by the
same-origin rule, so a page from another site (or a DNS-rebound name) must be refused
before any app starts; and the page connects back to the address the browser used."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp

from tests.browser.conftest import Served


async def _status(url: str, headers: dict[str, str], websocket: bool) -> int:
    async with aiohttp.ClientSession() as session:
        if not websocket:
            async with session.get(url, headers=headers) as response:
                return response.status
        try:
            async with session.ws_connect(url + "ws", headers=headers) as socket:
                await socket.close()
                return 101
        except aiohttp.WSServerHandshakeError as error:
            return error.status


def status(served: Served, websocket: bool = False, **headers: str) -> int:
    return asyncio.run(_status(served.url, headers, websocket))


async def _page(url: str, headers: dict[str, str]) -> str:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return await response.text()


def test_other_sites_and_other_names_are_refused(served: Served):
    # DNS rebinding: evil.example resolved to 127.0.0.1, the browser sends its name
    port = urlsplit(served.url).port
    assert status(served, False, Host=f"evil.example:{port}") == 403
    assert status(served, True, Host=f"evil.example:{port}") == 403
    # a page from another site (or another local port) opening the socket
    assert status(served, True, Origin="https://evil.example") == 403
    assert status(served, True, Origin="http://localhost:1") == 403
    assert served.apps() == []


def test_the_page_is_served_and_connects_back_where_the_browser_asked(served: Served):
    assert status(served) == 200
    host = urlsplit(served.url).netloc
    assert status(served, True, Origin=f"http://{host}") == 101
    # through `ssh -L 9000:127.0.0.1:8765` the browser asks for localhost:9000
    page = asyncio.run(_page(served.url, {"Host": "localhost:9000"}))
    assert 'data-session-websocket-url="ws://localhost:9000/ws"' in page
    # nothing loaded from another site (textual-serve's page linked a Google font)
    assert "googleapis" not in page
    assert "textual.js" in page  # its own scripts are still there
