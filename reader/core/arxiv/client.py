"""Talking to the arXiv API politely: one request at a time, paged, throttled, retried.

arXiv's terms for the API: at most one request every 3 seconds, a User-Agent that
says who is asking, slices of at most 2000 results. `Client` keeps to them: every
request waits until `interval` seconds have passed since the previous one started;
a 429 or 503 (the API is busy) is tried again after a growing pause (the server's
Retry-After, else the interval, doubled each time), up to `retries` times; then, as
for every other failure (no network, a name that does not resolve, no answer within
`timeout` seconds, another HTTP error, a cut-off body), one `ApiError` line says
what happened. The HTTP is the standard library's (urllib); the Atom is feedparser's
(`atom.parse_page`).

The spacing holds across processes too (a cron job's `reader fetch` beside the app's):
`SharedTurns` keeps the start of the last request to each API address in a file of the
user's cache folder (READER_CACHE_DIR, else the platform's), read and written under
`flock`, so every reader process of the user on this machine waits its turn.

Settings come from the caller (`--api-url`) or the environment: READER_ARXIV_API (the
base URL: tests point it at a local server), READER_ARXIV_INTERVAL (seconds between
requests; tests shrink it), READER_ARXIV_TIMEOUT.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import http.client
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from reader.core.arxiv.atom import FeedError, Page, parse_page
from reader.core.errors import ReaderError

DEFAULT_API = "https://export.arxiv.org/api/query"
INTERVAL = 3.0
"""Seconds between the starts of two requests: arXiv asks for at least 3."""
TIMEOUT = 30.0
"""Seconds without an answer (to connect, or between bytes) before a request fails."""
RETRIES = 3
"""Tries after the first on a busy API (429, 503) or an empty page mid-result."""
PAGE_SIZE = 200
"""Results per request (the API allows 2000; smaller slices answer faster)."""
MAX_BACKOFF = 60.0
"""The longest pause before a retry, whatever Retry-After says."""
BUSY = frozenset({429, 503})
"""HTTP statuses that mean "try again later"."""


def user_agent() -> str:
    """Who is asking: this program and its version, as arXiv's terms want."""
    try:
        release = version("reader")
    except PackageNotFoundError:
        release = "dev"
    return f"reader/{release} (a terminal app for triaging arXiv abstracts; Python urllib)"


class ApiError(ReaderError):
    """The API could not be reached or would not answer: one line saying why."""


@dataclass(frozen=True)
class Settings:
    """Where the API is and how politely to ask it."""

    api_url: str = DEFAULT_API
    interval: float = INTERVAL
    timeout: float = TIMEOUT
    retries: int = RETRIES
    page_size: int = PAGE_SIZE

    @classmethod
    def from_env(
        cls, api_url: str | None = None, environ: Mapping[str, str] = os.environ
    ) -> Settings:
        """`api_url` (`--api-url`), else READER_ARXIV_API, else the real API; the
        interval and timeout from READER_ARXIV_INTERVAL and READER_ARXIV_TIMEOUT.
        ReaderError (one line) for a value that cannot be used."""
        url = api_url or environ.get("READER_ARXIV_API") or DEFAULT_API
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ReaderError(f"the arXiv API address {url!r} is not an http(s) URL")
        return cls(
            api_url=url,
            interval=_seconds(environ, "READER_ARXIV_INTERVAL", INTERVAL),
            timeout=_seconds(environ, "READER_ARXIV_TIMEOUT", TIMEOUT, low=0.01),
        )


def _seconds(environ: Mapping[str, str], name: str, default: float, low: float = 0.0) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not low <= value <= 3600:
        raise ReaderError(f"{name}={text!r} is not a number of seconds (from {low} to 3600)")
    return value


class SharedTurns:
    """The start of the last request to one API address, shared by the user's reader
    processes on this machine: a file holding a time (`time.time()`), read and
    rewritten under `flock` while a request waits its turn, so two processes asking at
    once are spaced as one process's requests are."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_api(cls, api_url: str) -> SharedTurns:
        from reader.core.userfiles import user_dir

        key = hashlib.sha256(urlsplit(api_url).netloc.encode()).hexdigest()[:16]
        return cls(user_dir("READER_CACHE_DIR", "cache") / f"arxiv-turn-{key}")

    def wait(self, interval: float, sleep: Callable[[float], None]) -> float | None:
        """Sleep until `interval` seconds have passed since any process's last request
        to this address started, and mark a new start: returns the time marked; None
        (nothing waited, nothing marked) when the file cannot be used: the caller's
        own spacing still holds."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # another process waiting its turn holds it
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                last = float(os.pread(fd, 64, 0).decode())
                # a clock set back (last in the future) waits one interval, not hours
                left = min(interval - (time.time() - last), interval)
                if left > 0:
                    sleep(left)
            now = time.time()
            os.ftruncate(fd, 0)
            os.pwrite(fd, repr(now).encode(), 0)
            return now
        except OSError:
            return None
        finally:
            os.close(fd)  # releases the flock


class Client:
    """Requests to the API, one at a time, at least `settings.interval` seconds apart
    (from this client's previous request, and with `shared`, from any process's)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedTurns | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._sleep = sleep
        self._clock = clock
        self._shared = shared
        self._last: float | None = None
        """When the previous request started (`clock()`), None before the first."""
        self.requests = 0
        """How many requests were sent (retries included)."""

    @property
    def where(self) -> str:
        """The API as messages name it."""
        return f"the arXiv API ({self.settings.api_url})"

    def _wait_turn(self) -> None:
        """Sleep until `interval` seconds have passed since the last request started
        (this client's, and with `shared`, any process's)."""
        if self._last is not None:
            left = self.settings.interval - (self._clock() - self._last)
            if left > 0:
                self._sleep(left)
        if self._shared is not None:
            self._shared.wait(self.settings.interval, self._sleep)
        self._last = self._clock()

    def get(self, params: Mapping[str, str | int]) -> bytes:
        """The body of one API request; busy answers are retried (see the module)."""
        settings = self.settings
        url = f"{settings.api_url}?{urlencode(params)}"
        request = urllib.request.Request(url, headers={"User-Agent": user_agent()})
        for attempt in range(settings.retries + 1):
            self._wait_turn()
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=settings.timeout) as response:
                    return bytes(response.read())
            except urllib.error.HTTPError as error:
                if error.code in BUSY and attempt < settings.retries:
                    self._sleep(self._backoff(attempt, error.headers.get("Retry-After")))
                    continue
                tries = f" (after {attempt + 1} tries)" if attempt else ""
                raise ApiError(
                    f"{self.where} answered HTTP {error.code} {error.reason}{tries}"
                ) from None
            except http.client.IncompleteRead as error:
                raise FeedError(
                    f"{self.where} cut the response off ({len(error.partial):,} bytes "
                    f"of {len(error.partial) + (error.expected or 0):,})"
                ) from None
            except TimeoutError:
                raise ApiError(self._timed_out()) from None
            except urllib.error.URLError as error:
                raise ApiError(self._unreachable(error.reason)) from None
            except (http.client.HTTPException, OSError) as error:
                raise ApiError(f"{self.where} failed: {_describe(error)}") from None
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        """The pause before try `attempt + 2`: Retry-After, else the interval, doubled
        each time, at most MAX_BACKOFF."""
        try:
            base = float(retry_after) if retry_after else self.settings.interval
        except ValueError:  # an HTTP date: not worth parsing, wait the interval
            base = self.settings.interval
        return float(min(max(base, 0.0) * 2**attempt, MAX_BACKOFF))

    def _timed_out(self) -> str:
        return f"{self.where} did not answer within {self.settings.timeout:g} s"

    def _unreachable(self, reason: object) -> str:
        if isinstance(reason, TimeoutError):
            return self._timed_out()
        if isinstance(reason, socket.gaierror):
            host = urlsplit(self.settings.api_url).hostname
            return f"cannot reach {self.where}: the name {host!r} does not resolve (offline?)"
        return f"cannot reach {self.where}: {_describe(reason)}"

    def pages(self, params: Mapping[str, str | int], limit: int) -> Iterator[Page]:
        """The pages of a query (`search_query` and/or `id_list`, sort), up to `limit`
        results in all, each parsed as it arrives. An empty page before the end the
        feed announced is asked for again (the API sometimes sends one), up to
        `retries` times."""
        start, position, empty = 0, 1, 0
        while start < limit:
            size = min(self.settings.page_size, limit - start)
            body = self.get({**params, "start": start, "max_results": size})
            try:
                page = parse_page(body, position=position)
            except FeedError as error:
                raise FeedError(f"{self.where} sent {error}") from None
            if page.entries == 0 and start < page.total:
                empty += 1
                if empty > self.settings.retries:
                    raise ApiError(
                        f"{self.where} sent empty pages at result {start + 1:,} of "
                        f"{page.total:,}; what came before is kept (run it again later)"
                    )
                continue
            empty = 0
            yield page
            start += page.entries
            position += len(page.abstracts)
            if page.entries == 0 or start >= page.total:
                return


def _describe(error: object) -> str:
    """An OS or HTTP error in a few words: `connection refused`, not its repr."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    text = str(error) or type(error).__name__
    return text
