"""A local arXiv API for tests: http.server on 127.0.0.1 (an ephemeral port), in a thread.

It answers `/api/query` as the arXiv API user manual documents: an Atom feed with
`opensearch:totalResults`/`startIndex`/`itemsPerPage` and one `<entry>` per paper
(id as the abstract page with its version, published, updated, title, summary,
authors, categories with `arxiv:primary_category`, `arxiv:comment`,
`arxiv:journal_ref`, `arxiv:doi`, links rel=alternate and rel=related title=pdf).
`id_list` selects papers by id (a malformed id gets the API's error entry),
`search_query` by the `cat:` terms in it (else all papers), `start`/`max_results` page.

`faults` scripts the next responses, one per request: "503", "429" (busy), "truncated"
(a Content-Length longer than the body), "cut" (well-sized but cut-off XML), "html"
(a proxy's error page), "empty-page" (a page with no entries mid-result), "slow" (no
answer until the client has given up), "hold" (no answer until the test calls
`release()`; `reached` is set when it arrives).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from reader.core.models import ARXIV_ID


@dataclass(frozen=True)
class Paper:
    """One paper the fake API knows."""

    id: str
    version: int = 1
    title: str = "A title"
    summary: str = "An abstract."
    authors: tuple[str, ...] = ("Ada Lovelace",)
    categories: tuple[str, ...] = ("cs.CL",)
    published: str = "2026-11-20T10:00:00Z"
    updated: str = "2026-11-20T10:00:00Z"
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None


def paper(n: int, **fields: Any) -> Paper:
    """The n-th generated paper: id 2611.000nn, its own title and abstract."""
    values: dict[str, Any] = {
        "id": f"2611.{n:05d}",
        "title": f"Paper number {n} on graph reasoning",
        "summary": f"We study problem {n}. Our method improves reasoning on graphs.",
        "authors": (f"Author{n} One", "Ashish Vaswani", "Noam Shazeer"),
        "published": f"2026-11-{1 + n % 28:02d}T09:00:00Z",
        "updated": f"2026-11-{1 + n % 28:02d}T09:00:00Z",
    }
    values.update(fields)
    return Paper(**values)


@dataclass
class FakeArxiv:
    """The server's state: the papers it serves, the scripted faults, what it was asked."""

    papers: list[Paper] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    """The query parameters of every request, in order."""
    agents: list[str] = field(default_factory=list)
    """The User-Agent of every request."""
    arrived: list[float] = field(default_factory=list)
    """When each request arrived (`time.monotonic()`)."""
    reached: threading.Event = field(default_factory=threading.Event)
    """Set when a "hold" request arrived."""
    _released: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    rejected: set[str] = field(default_factory=set)
    """Ids answered with the API's error entry (as a malformed id is)."""

    def release(self) -> None:
        """Let "slow" and "hold" requests end (they answer 503 and the client has gone)."""
        self._released.set()

    def set_papers(self, *papers: Paper) -> None:
        """Serve these papers (replacing a paper of the same id)."""
        by_id = {p.id: p for p in self.papers}
        by_id.update({p.id: p for p in papers})
        self.papers = list(by_id.values())

    def answer(self, params: dict[str, str]) -> tuple[int, bytes]:
        """(status, body) for a request with these parameters."""
        start = int(params.get("start", "0"))
        size = int(params.get("max_results", "10"))
        errors: list[str] = []
        if "id_list" in params:
            found = []
            for word in params["id_list"].split(","):
                match = ARXIV_ID.fullmatch(word)
                if match is None or word in self.rejected:
                    errors.append(word)
                    continue
                for p in self.papers:
                    if p.id == match["id"]:
                        version = int(match["version"]) if match["version"] else p.version
                        found.append(replace(p, version=version))
        else:
            query = params.get("search_query", "")
            cats = [w.split(":", 1)[1].strip("()") for w in query.split() if w.startswith("(cat:")]
            cats += [w.split(":", 1)[1].strip("()") for w in query.split() if w.startswith("cat:")]
            found = [p for p in self.papers if not cats or set(cats) & set(p.categories)]
        if errors:
            return 200, feed([], total=1, start=0, errors=errors)
        return 200, feed(found[start : start + size], total=len(found), start=start)


def feed(papers: list[Paper], *, total: int, start: int, errors: list[str] = ()) -> bytes:  # type: ignore[assignment]
    """An Atom response in the API's documented format."""
    entries = "".join(_entry(p) for p in papers) + "".join(_error(e) for e in errors)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query</title>
  <updated>2026-12-01T00:00:00Z</updated>
  <link href="https://arxiv.org/api/query" type="application/atom+xml"/>
  <opensearch:itemsPerPage>{len(papers)}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
{entries}</feed>
""".encode()


def _entry(p: Paper) -> str:
    label = f"{p.id}v{p.version}"
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in p.authors)
    cats = "".join(
        f'<category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
        for c in p.categories
    )
    extra = ""
    if p.comment:
        extra += f"<arxiv:comment>{escape(p.comment)}</arxiv:comment>"
    if p.journal_ref:
        extra += f"<arxiv:journal_ref>{escape(p.journal_ref)}</arxiv:journal_ref>"
    if p.doi:
        extra += f"<arxiv:doi>{escape(p.doi)}</arxiv:doi>"
        extra += f'<link title="doi" href="https://doi.org/{escape(p.doi)}" rel="related"/>'
    return f"""  <entry>
    <id>http://arxiv.org/abs/{label}</id>
    <updated>{p.updated}</updated>
    <published>{p.published}</published>
    <title>{escape(p.title)}</title>
    <summary>  {escape(p.summary)}
    </summary>
    {authors}
    {extra}
    <link href="https://arxiv.org/abs/{label}" rel="alternate" type="text/html"/>
    <link title="pdf" href="https://arxiv.org/pdf/{label}" rel="related" type="application/pdf"/>
    <arxiv:primary_category term={quoteattr(p.categories[0])} scheme="http://arxiv.org/schemas/atom"/>
    {cats}
  </entry>
"""


def _error(word: str) -> str:
    url = f"http://arxiv.org/api/errors#incorrect_id_format_for_{escape(word)}"
    return f"""  <entry>
    <id>{url}</id>
    <title>Error</title>
    <summary>incorrect id format for {escape(word)}</summary>
    <updated>2026-12-01T00:00:00Z</updated>
    <link href="{url}" rel="alternate" type="text/html"/>
    <author><name>arXiv api core</name></author>
  </entry>
"""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        api = self.server.api
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        api.requests.append(params)
        api.agents.append(self.headers.get("User-Agent", ""))
        api.arrived.append(time.monotonic())
        fault = api.faults.pop(0) if api.faults else None
        if fault in ("slow", "hold"):
            if fault == "hold":
                api.reached.set()
            api._released.wait(60)
            fault = "503"
        if fault in ("503", "429"):
            self._send(int(fault), b"busy", "text/plain")
            return
        if fault == "html":
            self._send(200, b"<html><body><h1>Bad gateway</h1></body></html>", "text/html")
            return
        status, body = api.answer(params)
        if fault == "empty-page":
            body = feed([], total=10**6, start=int(params.get("start", "0")))
        if fault == "cut":
            body = body[: len(body) * 2 // 3]
        if fault == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        self._send(status, body, "application/atom+xml; charset=utf-8")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: FakeArxiv


def serve(api: FakeArxiv) -> Iterator[FakeArxiv]:
    """Run `api` on 127.0.0.1 on a free port while the generator is suspended (a
    fixture body: `yield from serve(api)`); `api.url` is its /api/query address."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.api = api
    api.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.release()
        server.shutdown()
        server.server_close()
        thread.join(10)
