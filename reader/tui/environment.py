"""Where the app is drawn: a terminal, or a browser tab served by `reader serve`.

One place to ask, so that the keys that reach outside the app (open a link, copy to the
clipboard) can say what they did in the words that fit. In a browser, textual-serve's
driver forwards `App.open_url` to the page (`window.open`: a new tab) and the page's
terminal (xterm.js) turns the OSC 52 of `App.copy_to_clipboard` into the browser's
clipboard; what does not work there is listed in the README (`reader serve`).
"""

from __future__ import annotations

from typing import Any

from textual.app import App


def in_browser(app: App[Any]) -> bool:
    """True when `app` runs under textual-serve's web driver (a browser tab)."""
    return app.is_web
