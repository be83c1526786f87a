"""`reader fetch`, `subscribe`, `unsubscribe`, `subscriptions` and `rm` against a local
arXiv API (tests/arxiv_server.py on 127.0.0.1): what is in the library afterwards,
what the user is told, and that annotations survive a re-fetch and a removal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from reader.core.library import Library
from reader.core.models import Status
from tests.arxiv_server import FakeArxiv, paper

Run = Callable[..., Result]


def opened(data_dir: Path) -> Library:
    return Library.open(data_dir, seed=False)


def fetched_ids(data_dir: Path) -> list[str]:
    library = opened(data_dir)
    try:
        return [i for i in library.ids() if library.abstract(i).source == "arxiv"]
    finally:
        library.close()


def test_a_category_comes_in_pages_with_every_field(
    run: Run, arxiv: FakeArxiv, data_dir: Path
) -> None:
    arxiv.papers = [
        paper(n, comment="7 pages, 2 figures", doi="10.1000/x.1", journal_ref="J. Fake 1 (2026)")
        for n in range(450)
    ]
    result = run("fetch", "--category", "cs.CL", "--since", "2026-11-01", "--max", "1000")
    assert result.exit_code == 0, result.output
    assert "cs.CL since 2026-11-01: 450 added, 0 updated, 0 unchanged" in result.output
    starts = [(r["start"], r["max_results"]) for r in arxiv.requests]
    assert starts == [("0", "200"), ("200", "200"), ("400", "200")]  # pages within the limit
    query = arxiv.requests[0]["search_query"]
    assert query.startswith("cat:cs.CL AND submittedDate:[202611010000 TO ")
    assert all(agent.startswith("reader/") and "arXiv" in agent for agent in arxiv.agents)
    library = opened(data_dir)
    first = library.abstract("2611.00007")
    assert first.title == "Paper number 7 on graph reasoning"
    assert first.authors == ("Author7 One", "Ashish Vaswani", "Noam Shazeer")
    assert first.categories == ("cs.CL",)
    assert (first.version, first.date, first.updated) == (1, "2026-11-08", "2026-11-08")
    assert first.text == "We study problem 7. Our method improves reasoning on graphs."
    assert first.headline == "We study problem 7."
    assert first.comments == ("7 pages, 2 figures",)
    assert (first.doi, first.journal_ref) == ("10.1000/x.1", "J. Fake 1 (2026)")
    assert first.pdf == "https://arxiv.org/pdf/2611.00007v1"
    assert len(fetched_ids(data_dir)) == 450
    assert library.count("status:unread source:arxiv") == 450  # the Inbox


def test_max_stops_early_and_says_how_many_more(run: Run, arxiv: FakeArxiv) -> None:
    arxiv.papers = [paper(n) for n in range(30)]
    result = run("fetch", "--query", "all:graph", "--max", "12")
    assert result.exit_code == 0, result.output
    assert "query 'all:graph': 12 added" in result.output
    assert "18 more on arXiv: raise --max" in result.output
    assert [r["max_results"] for r in arxiv.requests] == ["12"]
    assert arxiv.requests[0]["sortBy"] == "relevance"


def test_ids_and_urls_are_looked_up_and_an_unknown_one_is_named(
    run: Run, arxiv: FakeArxiv, data_dir: Path
) -> None:
    arxiv.papers = [paper(1), paper(2), paper(3, version=3)]
    result = run(
        "fetch",
        "2611.00001",
        "arXiv:2611.00002v2",
        "https://arxiv.org/abs/2611.00003",
        "9999.99999",
    )
    assert result.exit_code == 1
    assert arxiv.requests[0]["id_list"] == "2611.00001,2611.00002v2,2611.00003,9999.99999"
    assert "3 added" in result.output
    assert result.output.strip().splitlines()[-1] == (
        "reader: error: not found on arXiv: 9999.99999"
    )
    library = opened(data_dir)
    assert library.abstract("2611.00002").version == 2  # the version asked for
    assert library.abstract("2611.00003").version == 3  # the latest
    assert "9999.99999" not in library.ids()


def test_an_id_the_api_refuses_is_named_with_its_error(run: Run, arxiv: FakeArxiv) -> None:
    arxiv.papers = [paper(1)]
    arxiv.rejected = {"2611.99999"}
    result = run("fetch", "2611.99999")
    assert result.exit_code == 1
    assert "  warning: incorrect id format for 2611.99999\n" in result.output
    assert result.output.endswith("reader: error: not found on arXiv: 2611.99999\n")
    assert "Traceback" not in result.output


def test_refetch_updates_text_and_version_and_keeps_annotations(
    run: Run, arxiv: FakeArxiv, data_dir: Path
) -> None:
    arxiv.papers = [paper(5), paper(6)]
    assert run("fetch", "2611.00005", "2611.00006").exit_code == 0
    assert run("tag", "2611.00005", "+later").exit_code == 0
    assert run("status", "2611.00005", "reading").exit_code == 0
    assert run("note", "2611.00005", "--set", "my note").exit_code == 0
    arxiv.set_papers(paper(5, version=2, summary="A revised abstract.", title="Revised"))
    result = run("fetch", "2611.00005", "2611.00006")
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated, 1 unchanged" in result.output
    library = opened(data_dir)
    revised = library.abstract("2611.00005")
    assert (revised.text, revised.title, revised.version) == ("A revised abstract.", "Revised", 2)
    assert revised.replaced_version == 1  # what the detail pane notes
    note = library.annotation("2611.00005")
    assert (note.status, note.tags, note.note) == (Status.READING, ("later",), "my note")
    assert library.ids().index("2611.00005") == library.ids().index("2611.00006") - 1  # its row


def test_an_empty_result_is_said_and_is_no_error(run: Run, arxiv: FakeArxiv) -> None:
    arxiv.papers = [paper(1, categories=("cs.LG",))]
    result = run("fetch", "--category", "math.CO", "--since", "2026-11-01")
    assert result.exit_code == 0, result.output
    assert "math.CO since 2026-11-01: 0 added, 0 updated, 0 unchanged" in result.output


@pytest.mark.parametrize("busy", ["503", "429"])
def test_a_busy_api_is_asked_again(run: Run, arxiv: FakeArxiv, busy: str) -> None:
    arxiv.papers = [paper(n) for n in range(3)]
    arxiv.faults = [busy, busy]
    result = run("fetch", "--query", "all:graph")
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output
    assert len(arxiv.requests) == 3


def test_a_busy_api_is_given_up_on_and_earlier_pages_are_kept(
    run: Run, arxiv: FakeArxiv, data_dir: Path
) -> None:
    arxiv.papers = [paper(n) for n in range(300)]
    arxiv.faults = ["ok", "503", "503", "503", "503"]
    result = run("fetch", "--query", "all:graph", "--max", "300")
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("reader: error: query 'all:graph': the arXiv API (http://127.0.0.1:")
    assert last.endswith("answered HTTP 503 Service Unavailable (after 4 tries)")
    assert "Traceback" not in result.output
    assert len(fetched_ids(data_dir)) == 200  # the first page


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("truncated", "cut the response off ("),
        ("cut", "sent a response that is not well-formed Atom (line"),
        ("html", "sent a response that is not an arXiv feed"),
    ],
)
def test_a_broken_response_is_one_line_and_keeps_what_came_before(
    run: Run, arxiv: FakeArxiv, data_dir: Path, fault: str, said: str
) -> None:
    arxiv.papers = [paper(n) for n in range(250)]
    arxiv.faults = ["ok", fault]
    result = run("fetch", "--query", "all:graph", "--max", "250")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("reader: error")]
    assert len(errors) == 1 and said in errors[0], result.output
    assert len(fetched_ids(data_dir)) == 200


def test_a_slow_api_times_out(run: Run, arxiv: FakeArxiv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_ARXIV_TIMEOUT", "0.3")
    arxiv.papers = [paper(1)]
    arxiv.faults = ["slow"]
    result = run("fetch", "2611.00001")
    assert result.exit_code == 1
    assert result.output.endswith("did not answer within 0.3 s\n")
    assert result.output.count("\n") == 1  # one line


def test_no_server_is_one_line(run: Run, arxiv: FakeArxiv) -> None:
    closed = "http://127.0.0.1:9/api/query"  # the discard port: nobody listens
    result = run("fetch", "--api-url", closed, "2611.00001")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith(f"reader: error: 2611.00001: cannot reach the arXiv API ({closed}): ")
    )


def test_a_name_that_does_not_resolve_is_one_line(
    run: Run, arxiv: FakeArxiv, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    result = run("fetch", "--api-url", "http://export.arxiv.org/api/query", "2611.00001")
    assert result.exit_code == 1
    assert result.output == (
        "reader: error: 2611.00001: cannot reach the arXiv API "
        "(http://export.arxiv.org/api/query): the name 'export.arxiv.org' does not resolve "
        "(offline?)\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["fetch", "not-an-id"], "'not-an-id' is not an arXiv id or arXiv URL"),
        (["fetch", "--category", "cs CL"], "'cs CL' is not an arXiv category"),
        (["fetch", "--query", "x", "--max", "0"], "--max must be from 1 to 30,000"),
        (["fetch", "--api-url", "ftp://x", "1"], "is not an http(s) URL"),
        (["fetch"], "no subscriptions: give ids, --query or --category"),
    ],
)
def test_bad_input_is_one_line(run: Run, arxiv: FakeArxiv, args: list[str], said: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and said in result.output, result.output
    assert arxiv.requests == []


def test_subscriptions_fetch_what_is_new_since_their_last_fetch(
    run: Run, arxiv: FakeArxiv, data_dir: Path
) -> None:
    arxiv.papers = [paper(1, categories=("cs.CL",)), paper(2, categories=("cs.LG", "cs.CL"))]
    assert run("subscribe", "cs.CL", "cs.LG").output == (
        "subscribed to cs.CL\nsubscribed to cs.LG\n"
    )
    assert run("subscribe", "--query", 'ti:"graph"').exit_code == 0
    assert "cs.CL (already)" in run("subscribe", "cs.CL").output
    assert run("subscriptions").output == (
        "cs.CL  (last fetched: never)\ncs.LG  (last fetched: never)\n"
        "query 'ti:\"graph\"'  (last fetched: never)\n"
    )
    result = run("fetch")
    assert result.exit_code == 0, result.output
    assert "cs.CL: 2 added" in result.output
    assert "cs.LG: 0 added, 0 updated, 1 unchanged" in result.output
    assert "in all: 2 added, 0 updated, 3 unchanged" in result.output
    today = datetime.now(UTC).date()
    first = (today - timedelta(days=7)).strftime("%Y%m%d")
    assert f"submittedDate:[{first}0000 TO" in arxiv.requests[0]["search_query"]
    assert arxiv.requests[2]["search_query"].startswith('(ti:"graph") AND submittedDate:')
    assert f"(last fetched: {today.isoformat()})" in run("subscriptions").output
    arxiv.requests.clear()
    assert run("fetch").exit_code == 0
    again = (today - timedelta(days=3)).strftime("%Y%m%d")  # the overlap
    assert f"submittedDate:[{again}0000 TO" in arxiv.requests[0]["search_query"]
    assert run("unsubscribe", "cs.LG").output == "unsubscribed from cs.LG\n"
    gone = run("unsubscribe", "cs.LG")
    assert gone.exit_code == 1 and "not subscribed to 'cs.LG'" in gone.output
    assert "cs.LG" not in run("subscriptions").output
    assert len(fetched_ids(data_dir)) == 2


def test_a_failed_subscription_keeps_its_last_fetch_day(run: Run, arxiv: FakeArxiv) -> None:
    assert run("subscribe", "cs.CL").exit_code == 0
    arxiv.faults = ["503"] * 4
    result = run("fetch")
    assert result.exit_code == 1 and "HTTP 503" in result.output
    assert "(last fetched: never)" in run("subscriptions").output


def test_rm_keeps_annotations_and_a_refetch_brings_them_back(
    run: Run, arxiv: FakeArxiv, data_dir: Path
) -> None:
    arxiv.papers = [paper(1), paper(2)]
    assert run("fetch", "2611.00001", "2611.00002").exit_code == 0
    assert run("tag", "2611.00001", "+keep").exit_code == 0
    result = run("rm", "2611.00001")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("removed 1 abstract (your annotations on 1 are kept")
    library = opened(data_dir)
    assert "2611.00001" not in library.ids()
    assert library.annotations()["2611.00001"].tags == ("keep",)  # kept aside
    library.close()
    assert run("fetch", "2611.00001").exit_code == 0
    library = opened(data_dir)
    assert library.annotation("2611.00001").tags == ("keep",)
    assert library.count("tag:keep") == 1


def test_rm_by_query_asks_above_50(run: Run, data_dir: Path) -> None:
    asked = run("rm", "--query", "")  # the 49 seeds: no question
    assert asked.exit_code == 0 and asked.output.endswith("removed 49 abstracts\n")
    assert len(opened(data_dir)) == 0


def test_rm_many_asks_first_and_yes_skips_the_question(
    run: Run, arxiv: FakeArxiv, data_dir: Path
) -> None:
    arxiv.papers = [paper(n) for n in range(60)]
    assert run("fetch", "--query", "all:graph").exit_code == 0
    refused = run("rm", "--query", "source:arxiv")
    assert refused.exit_code == 1 and "Remove all 60?" in refused.output
    assert len(fetched_ids(data_dir)) == 60
    assert run("rm", "--query", "source:arxiv", "--yes").exit_code == 0
    assert fetched_ids(data_dir) == []


def _reader(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


@pytest.mark.parametrize("how", ["kill -9", "ctrl+c"])
def test_an_interrupted_fetch_leaves_a_consistent_library(
    library: Library, arxiv: FakeArxiv, data_dir: Path, how: str
) -> None:
    library.close()
    arxiv.papers = [paper(n) for n in range(500)]
    arxiv.faults = ["ok", "hold"]  # the second page never comes
    child = _reader(data_dir, "fetch", "--query", "all:graph", "--max", "500")
    # the second request is sent only once the first page is on disk
    assert arxiv.reached.wait(60), "the fetch never asked for its second page"
    if how == "kill -9":
        child.kill()
    else:
        child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    if how == "ctrl+c":
        assert child.returncode == 130
        assert err.strip().endswith(
            "interrupted; kept what came before: 200 added, 0 updated, 0 unchanged"
        )
    assert len(fetched_ids(data_dir)) == 200  # whole pages only, and readable
    arxiv.release()
    arxiv.requests.clear()
    again = _reader(data_dir, "fetch", "--query", "all:graph", "--max", "500")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert "300 added, 0 updated, 200 unchanged" in out
