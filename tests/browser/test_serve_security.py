"""Which pages may drive an app of `reader serve`: a websocket is not bound by the
same-origin rule, so a page from another site (or a DNS-rebound name) must be refused
before any app starts."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp
import pytest

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


@pytest.mark.parametrize("websocket", [False, True], ids=["page", "socket"])
def test_a_name_that_is_not_loopback_is_refused(served: Served, websocket: bool):
    # DNS rebinding: evil.example resolved to 127.0.0.1, the browser sends its name
    port = urlsplit(served.url).port
    refused = status(served, websocket, Host=f"evil.example:{port}")
    assert refused == 403
    assert served.apps() == []


def test_a_socket_from_another_site_is_refused(served: Served):
    assert status(served, True, Origin="https://evil.example") == 403
    assert status(served, True, Origin="http://localhost:1") == 403  # another local port
    assert served.apps() == []


def test_the_page_itself_is_served(served: Served):
    assert status(served) == 200
    host = urlsplit(served.url).netloc
    assert status(served, True, Origin=f"http://{host}") == 101
