"""The arXiv client's parts without a network: Atom entries to records, ids and URLs,
the 3-second interval and the backoff (a fake clock), subscriptions' dates, and the
library side (re-fetch merge, removal and its undo)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from reader.core.arxiv.atom import FeedError, parse_page
from reader.core.arxiv.client import ApiError, Client, Settings, SharedTurns
from reader.core.arxiv.fetch import fetch
from reader.core.arxiv.queries import category_search, id_searches, parse_id
from reader.core.arxiv.subscriptions import Subscription
from reader.core.errors import ReaderError
from reader.core.library import Library
from tests.arxiv_server import FakeArxiv, feed, paper

# The manual's sample response ("A Typical Atom Response"), with a second version, an
# ACM class among the categories, and a DOI.
SAMPLE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
 xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>ArXiv Query: search_query=all:electron</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2007-10-08T00:00:00-04:00</updated>
  <opensearch:totalResults>1000</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/abs/hep-ex/0307015v2</id>
    <published>2003-07-07T13:46:39-04:00</published>
    <updated>2003-08-01T10:00:00-04:00</updated>
    <title>Multi-Electron Production at High Transverse Momenta in ep Collisions at
      HERA</title>
    <summary>  Multi-electron production is studied at high electron transverse momentum
  in positron- and electron-proton collisions. Expectations of 0.30 \\pm 0.04.
    </summary>
    <author><name>H1 Collaboration</name></author>
    <author><name>J\xc3\xbcrgen M\xc3\xbcller</name>
      <arxiv:affiliation>NMSU</arxiv:affiliation></author>
    <arxiv:comment>23 pages, 8 figures and 4 tables</arxiv:comment>
    <arxiv:journal_ref>Eur.Phys.J. C31 (2003) 17-29</arxiv:journal_ref>
    <arxiv:doi>10.1140/epjc/s2003-01326-x</arxiv:doi>
    <link href="http://arxiv.org/abs/hep-ex/0307015v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/hep-ex/0307015v2" rel="related"
     type="application/pdf"/>
    <arxiv:primary_category term="hep-ex" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="hep-ex" scheme="http://arxiv.org/schemas/atom"/>
    <category term="I.2.6" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""


def test_an_entry_becomes_a_record_with_every_field() -> None:
    page = parse_page(SAMPLE, position=7)
    assert (page.total, page.start, page.entries) == (1000, 0, 1)
    [record] = page.abstracts
    assert (record.id, record.arxiv_id, record.version) == ("hep-ex/0307015",) * 2 + (2,)
    assert record.title == (
        "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    )
    assert record.text.startswith("Multi-electron production is studied at high electron")
    assert "momentum in positron-" in record.text  # lines joined with one space
    assert record.headline.startswith("Multi-electron production is studied")
    assert record.headline.endswith("…") and len(record.headline) <= 100  # as the importer
    assert record.authors == ("H1 Collaboration", "Jürgen Müller")
    assert record.categories == ("hep-ex", "cs.LG")  # primary first, each once, no ACM
    assert (record.date, record.updated) == ("2003-07-07", "2003-08-01")
    assert record.comments == ("23 pages, 8 figures and 4 tables",)
    assert record.journal_ref == "Eur.Phys.J. C31 (2003) 17-29"
    assert record.doi == "10.1140/epjc/s2003-01326-x"
    assert record.pdf == "http://arxiv.org/pdf/hep-ex/0307015v2"
    assert (record.source, record.position) == ("arxiv", 7)


def test_an_error_entry_is_reported_not_taken() -> None:
    body = feed([paper(1)], total=2, start=0, errors=["1234.12345"])
    page = parse_page(body)
    assert [a.id for a in page.abstracts] == ["2611.00001"]
    assert page.errors == ("incorrect id format for 1234.12345",)


def test_an_entry_without_an_arxiv_id_or_abstract_is_skipped_with_a_line() -> None:
    body = feed([paper(1), paper(2, summary="  ")], total=2, start=0)
    body = body.replace(b"http://arxiv.org/abs/2611.00001v1", b"http://example.org/x")
    page = parse_page(body)
    assert page.abstracts == [] and page.entries == 2
    assert page.skipped == (
        "an entry whose id is not an arXiv abstract page: http://example.org/x, skipped",
        "2611.00002: the entry has no abstract, skipped",
    )


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (SAMPLE[: len(SAMPLE) // 2], r"not well-formed Atom \(line"),
        (b"", "an empty response"),
        (b"<html><body>502 Bad Gateway</body></html>", "not an arXiv feed"),
    ],
)
def test_a_broken_feed_is_refused_whole(body: bytes, said: str) -> None:
    with pytest.raises(FeedError, match=said):
        parse_page(body)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("2306.10015", "2306.10015"),
        ("  arXiv:2305.11374v2 ", "2305.11374v2"),
        ("https://arxiv.org/abs/2306.10015v3", "2306.10015v3"),
        ("http://export.arxiv.org/abs/2306.10015", "2306.10015"),
        ("arxiv.org/pdf/2306.10015v1.pdf", "2306.10015v1"),
        ("https://arxiv.org/pdf/2306.10015", "2306.10015"),
        ("https://arxiv.org/abs/hep-th/9901001v1?context=cs", "hep-th/9901001v1"),
        ("math/0601001", "math/0601001"),
    ],
)
def test_ids_and_urls(text: str, found: str) -> None:
    assert parse_id(text) == found


@pytest.mark.parametrize("text", ["", "graph", "2306", "https://example.org/abs/2306.10015"])
def test_not_an_id(text: str) -> None:
    with pytest.raises(ValueError, match="is not an arXiv id or arXiv URL"):
        parse_id(text)


def test_many_ids_go_in_requests_of_200() -> None:
    searches = id_searches([f"2611.{n:05d}" for n in range(450)] + ["2611.00001v2"])
    assert [len(s.params["id_list"].split(",")) for s in searches] == [200, 200, 51]
    assert searches[-1].ids[-1] == "2611.00001"  # the version is asked for, the id compared


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def server(arxiv: FakeArxiv) -> FakeArxiv:
    arxiv.papers = [paper(n) for n in range(5)]
    return arxiv


def test_requests_are_three_seconds_apart(server: FakeArxiv) -> None:
    time = FakeTime()
    client = Client(Settings(api_url=server.url, page_size=2), sleep=time.sleep, clock=time.clock)
    pages = list(client.pages({"search_query": "all:graph"}, 5))
    assert [len(p.abstracts) for p in pages] == [2, 2, 1]
    assert time.slept == [3.0, 3.0]  # before the second and third requests, none before the first
    time.now += 1.0  # a second later, the next request waits out the rest
    client.get({"id_list": "2611.00001"})
    assert time.slept[-1] == 2.0


SPACED = """
import sys
from reader.core.arxiv.client import Client, Settings, SharedTurns
url = sys.argv[1]
turns = SharedTurns.for_api(url)
marks = [turns.wait(0.4, __import__("time").sleep) for _ in range(3)]
client = Client(Settings(api_url=url, interval=0.4), shared=turns)
client.get({"id_list": "2611.00001"})
print(*marks)
"""


def test_two_processes_asking_at_once_keep_the_interval_between_them(server: FakeArxiv) -> None:
    """A cron job's `reader fetch` beside the app's: their turns are spaced as one
    process's are (the turn is kept in the user's cache folder, under flock)."""
    children = [
        subprocess.Popen([sys.executable, "-c", SPACED, server.url], stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    marks = sorted(float(m) for child in children for m in child.communicate(timeout=60)[0].split())
    assert [child.returncode for child in children] == [0, 0] and len(marks) == 6
    assert min(b - a for a, b in itertools.pairwise(marks)) >= 0.4
    assert len(server.requests) == 2  # and a client asks through them


@pytest.mark.parametrize(
    ("content", "most"),
    [(b"", 0.0), (b"garbage", 0.0), (b"9999999999.0", 3.0)],  # none yet, damaged, clock set back
)
def test_a_shared_turn_file_never_makes_a_request_wait_more_than_one_interval(
    tmp_path: Path, content: bytes, most: float
) -> None:
    turns = SharedTurns(tmp_path / "turn")
    turns.path.write_bytes(content)
    slept: list[float] = []
    assert turns.wait(3.0, slept.append) is not None
    assert sum(slept) <= most and (most == 0 or slept)
    assert abs(float(turns.path.read_text()) - time.time()) < 60  # a new turn marked


def test_a_busy_api_is_retried_with_a_growing_pause_then_given_up(server: FakeArxiv) -> None:
    time = FakeTime()
    client = Client(Settings(api_url=server.url), sleep=time.sleep, clock=time.clock)
    server.faults = ["503", "429", "503"]
    client.get({"id_list": "2611.00001"})
    assert time.slept == [3.0, 6.0, 12.0]  # the interval, doubled each time
    assert client.requests == 4
    server.faults = ["503"] * 4
    with pytest.raises(ApiError, match=r"HTTP 503 Service Unavailable \(after 4 tries\)$"):
        client.get({"id_list": "2611.00001"})


def test_an_empty_page_mid_result_is_asked_for_again(server: FakeArxiv) -> None:
    client = Client(Settings(api_url=server.url, interval=0, page_size=2))
    server.faults = ["ok", "empty-page"]
    assert sum(len(p.abstracts) for p in client.pages({"search_query": "x"}, 5)) == 5
    server.faults = ["ok"] + ["empty-page"] * 4
    with pytest.raises(ApiError, match="sent empty pages at result 3 of 1,000,000"):
        list(client.pages({"search_query": "x"}, 5))


@pytest.mark.parametrize(
    ("value", "ok"), [("0", True), ("0.5", True), ("-1", False), ("soon", False)]
)
def test_the_interval_comes_from_the_environment(value: str, ok: bool) -> None:
    environ = {"READER_ARXIV_INTERVAL": value}
    if ok:
        assert Settings.from_env(environ=environ).interval == float(value)
    else:
        with pytest.raises(ReaderError, match="READER_ARXIV_INTERVAL"):
            Settings.from_env(environ=environ)


def test_the_defaults_are_arxivs_terms() -> None:
    settings = Settings.from_env(environ={})
    assert settings.api_url == "https://export.arxiv.org/api/query"
    assert settings.interval == 3.0 and settings.page_size <= 2000


def test_a_subscription_asks_from_its_last_fetch_with_an_overlap() -> None:
    today = date(2026, 12, 2)
    new = Subscription.category("cs.CL")
    assert new.since(today) == date(2026, 11, 25)  # the first time: a week
    fetched = Subscription("category", "cs.CL", "2026-11-30")
    assert fetched.since(today) == date(2026, 11, 27)
    query = fetched.search(today, 50).params["search_query"]
    assert query.startswith("cat:cs.CL AND submittedDate:[202611270000 TO ")
    with pytest.raises(ValueError, match="is not an arXiv category"):
        Subscription.category("cs CL")


def test_categories_are_or_ed() -> None:
    search = category_search(["cs.CL", "cs.LG", "cs.CL"], date(2026, 11, 20), 10)
    assert search.params["search_query"].startswith(
        "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202611200000 TO "
    )
    assert search.label == "cs.CL, cs.LG since 2026-11-20"


def test_a_newer_version_notes_the_one_it_replaces(server: FakeArxiv, data_dir: Path) -> None:
    library = Library.open(data_dir, seed=False)
    client = Client(Settings(api_url=server.url, interval=0))
    [search] = id_searches(["2611.00001"])
    assert fetch(library, client, search).added == 1
    library.set_note("2611.00001", "mine")
    server.set_papers(paper(1, version=2, summary="New text."))
    done = fetch(library, client, search)
    assert (done.added, done.updated) == (0, 1)
    record = library.abstract("2611.00001")
    assert (record.version, record.replaced_version, record.text) == (2, 1, "New text.")
    server.set_papers(paper(1, version=2, summary="New text.", doi="10.1/y"))
    assert fetch(library, client, search).updated == 1  # a new DOI is an update
    assert library.abstract("2611.00001").replaced_version == 1  # still noted
    assert library.annotation("2611.00001").note == "mine"
    reopened = Library.open(data_dir, seed=False)
    assert reopened.abstract("2611.00001").replaced_version == 1  # stored


def test_remove_keeps_annotations_and_undo_puts_rows_back(library: Library) -> None:
    ids = library.ids()
    library.tag([ids[3]], ["keep"])
    change = library.remove([ids[3], ids[5]])
    assert change.label == "remove 2 abstracts" and change.count == 2
    assert library.ids() == ids[:3] + [ids[4]] + ids[6:]
    assert library.annotations()[ids[3]].tags == ("keep",)
    assert library.count("tag:keep") == 0
    library.undo(change)
    assert library.ids() == ids  # back at their rows
    assert library.count("tag:keep") == 1
    library.redo(change)
    assert len(library) == len(ids) - 2
    other = Library.open(library.data_dir, seed=False)
    assert len(other) == len(ids) - 2  # on disk


def test_subscriptions_survive_a_change_made_elsewhere(data_dir: Path) -> None:
    one = Library.open(data_dir, seed=False)
    two = Library.open(data_dir, seed=False)
    one.subscriptions.add([Subscription.category("cs.CL")])
    two.subscriptions.add([Subscription.category("cs.LG")])
    two.save_view("later", "tag:later")
    one.subscriptions.mark_fetched(Subscription.category("cs.LG"), "2026-12-01")
    found = [(s.value, s.fetched) for s in one.subscriptions.all()]
    assert found == [("cs.CL", None), ("cs.LG", "2026-12-01")]
    assert [v.name for v in one.views()] == ["later"]


def test_a_plain_file_re_imported_after_a_fetch_keeps_what_the_fetch_knew(
    server: FakeArxiv, data_dir: Path, tmp_path: Path
) -> None:
    library = Library.open(data_dir, seed=False)
    client = Client(Settings(api_url=server.url, interval=0))
    [search] = id_searches(["2611.00001"])
    server.set_papers(paper(1, version=2, doi="10.1/x"))
    assert fetch(library, client, search).added == 1
    fetched = library.abstract("2611.00001")
    text = fetched.text
    plain = tmp_path / "plain.txt"
    plain.write_text(f"{text}\n\narXiv:2611.00001\n")  # no title, authors, version, date
    [report] = library.import_paths([plain]).files
    assert (report.added, report.updated, report.unchanged) == (0, 0, 1)
    assert library.abstract("2611.00001") == fetched
    # a new text in the file is an update, and still keeps the title and authors
    plain.write_text(f"{text} Revised.\n\narXiv:2611.00001\nCreated: 2026-11-02\n")
    [report] = library.import_paths([plain]).files
    assert report.updated == 1
    record = Library.open(data_dir, seed=False).abstract("2611.00001")
    assert record.text.endswith("Revised.")
    assert (record.title, record.authors, record.doi) == (
        fetched.title,
        fetched.authors,
        "10.1/x",
    )
    assert record.date == "2026-11-02"  # what the file says wins
    assert record.version is None  # the revised text is not claimed to be v2
