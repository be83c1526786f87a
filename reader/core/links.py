"""The links of a record (its pages, and every address in its abstract and note), the
arXiv search for a record without an id, and opening an address in a browser when
the machine has one.

`open_in_browser` never claims what it cannot know: it returns False when there is
no browser to start (an SSH session: no display, no `$BROWSER`), when the only one is
a text-mode browser (it would draw over the app), or when the browser command fails.
The caller then shows the address and copies it instead.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import webbrowser
from dataclasses import dataclass
from urllib.parse import quote_plus

from reader.core.models import Record

BROWSER_WAIT = 5.0
"""Seconds to wait for a `$BROWSER` command: one still running then has opened."""
TEXT_BROWSERS = frozenset({"www-browser", "links", "elinks", "lynx", "w3m"})
"""What Python's webbrowser finds without a display: they would take the app's terminal."""

_URL = re.compile(r"""\b(?:https?|ftp)://[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)
_ARXIV = re.compile(r"\barXiv:\s?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.I)
_DOI = re.compile(r"\b(?:doi:\s?)(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_TRAILING = ".,;:!?*_~'\""


@dataclass(frozen=True)
class Link:
    """One address and where it came from ("PDF", "note", "abstract")."""

    url: str
    where: str


def _clean(url: str) -> str:
    """An address as found in prose, without the punctuation after it (a closing
    parenthesis only when it has no opening one in the address: Wikipedia's `_(x)`)."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def found_in(text: str) -> list[str]:
    """Every address in `text`, in order: URLs, `arXiv:ID` and `doi:10.x/y` mentions."""
    hits: list[tuple[int, str]] = [(m.start(), _clean(m.group())) for m in _URL.finditer(text)]
    hits += [(m.start(), f"https://arxiv.org/abs/{m.group(1)}") for m in _ARXIV.finditer(text)]
    hits += [(m.start(), f"https://doi.org/{_clean(m.group(1))}") for m in _DOI.finditer(text)]
    return [url for _, url in sorted(hits)]


def record_links(rec: Record) -> list[Link]:
    """The record's own pages (abstract page, PDF, DOI), then every address in its
    abstract, comments and note, each once."""
    links: list[Link] = []
    abstract = rec.abstract
    if abstract is not None:
        if abstract.url:
            links.append(Link(abstract.url, "abstract page"))
        if abstract.pdf_url:
            links.append(Link(abstract.pdf_url, "PDF"))
        if abstract.doi:
            links.append(Link(f"https://doi.org/{abstract.doi}", "DOI"))
        for text in (abstract.text, *abstract.comments):
            links += [Link(u, "abstract") for u in found_in(text)]
    links += [Link(u, "note") for u in found_in(rec.annotation.note)]
    unique: dict[str, Link] = {}
    for link in links:
        unique.setdefault(link.url, link)  # each once, where first found
    return list(unique.values())


def page_url(rec: Record) -> str | None:
    """The record's page: arXiv's abstract page, else its DOI's."""
    if rec.abstract is None:
        return None
    if rec.abstract.url:
        return rec.abstract.url
    return f"https://doi.org/{rec.abstract.doi}" if rec.abstract.doi else None


def arxiv_search_url(text: str) -> str:
    """arXiv's search for `text` (a record without an id: its headline)."""
    return f"https://arxiv.org/search/?query={quote_plus(text[:300])}&searchtype=all"


def open_in_browser(url: str) -> bool:
    """Open `url` in a browser; False when there is none or it failed (never raises).

    `$BROWSER` (commands separated by `:`, `%s` for the address) is honoured as
    Python's webbrowser does, read at each call; its command's exit status counts.
    """
    commands = [c for c in os.environ.get("BROWSER", "").split(os.pathsep) if c.strip()]
    if commands:
        return any(_run_browser(c, url) for c in commands)
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False  # over SSH, in a console: nothing to show a page on
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if getattr(browser, "name", "") in TEXT_BROWSERS:
        return False
    try:
        return bool(browser.open(url))
    except Exception:  # a browser's failure of any kind is "not opened"
        return False


def _run_browser(command: str, url: str) -> bool:
    try:
        argv = shlex.split(command)
    except ValueError:
        return False
    if not argv:
        return False
    argv = [a.replace("%s", url) for a in argv] if "%s" in command else [*argv, url]
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    try:
        return process.wait(timeout=BROWSER_WAIT) == 0
    except subprocess.TimeoutExpired:
        return True  # still running: a browser that stays open
