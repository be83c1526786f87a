"""`reader similar`, `reader list --sort for-you`, `reader stats --format json|--plot`."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from reader.cli import cli
from reader.core.models import Status
from tests.topics import build, of_topic


def invoke(data: Path, *args: str):
    return CliRunner().invoke(cli, ["--data-dir", str(data), *args])


def test_similar_lists_the_same_topic_in_every_format(tmp_path: Path):
    library, topic_of = build(tmp_path)
    key = of_topic(topic_of, "b")[0]
    library.close()
    data = tmp_path / "data"
    ids = invoke(data, "similar", key, "--limit", "4", "--format", "ids")
    assert ids.exit_code == 0, ids.output
    found = ids.output.split()
    assert len(found) == 4 and key not in found
    assert {topic_of[i] for i in found} == {"b"}
    as_json = orjson.loads(invoke(data, "similar", key[:6], "--format", "json").output)
    assert [r["id"] for r in as_json[:4]] == found
    assert as_json[0]["similarity"] >= as_json[1]["similarity"] > 0
    table = invoke(data, "similar", key, "--limit", "2")
    assert table.exit_code == 0 and len(table.output.splitlines()) == 2


def test_similar_to_an_unknown_id_is_a_one_line_error(tmp_path: Path):
    library, _ = build(tmp_path)
    library.close()
    result = invoke(tmp_path / "data", "similar", "nosuchid")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_list_for_you_puts_the_read_topic_first_and_says_why(tmp_path: Path):
    library, topic_of = build(tmp_path)
    library.set_status(of_topic(topic_of, "a")[:6], Status.READ)
    library.set_status(of_topic(topic_of, "c")[:6], Status.SKIPPED)
    library.close()
    result = invoke(tmp_path / "data", "list", "status:unread", "--sort", "for-you",
                    "--format", "ids")  # fmt: skip
    assert result.exit_code == 0
    found = result.stdout.split()
    assert [topic_of[i] for i in found[:6]] == ["a"] * 6
    assert "for you: 6 kept · 6 skipped" in result.stderr


def test_list_for_you_without_decisions_falls_back_to_date(tmp_path: Path):
    library, _ = build(tmp_path)
    library.close()
    data = tmp_path / "data"
    result = invoke(data, "list", "--sort", "for-you", "--format", "ids")
    assert "needs 5 kept and 5 skipped, has 0 and 0; by date" in result.stderr
    assert result.stdout == invoke(data, "list", "--sort", "date", "--format", "ids").stdout


def test_stats_json_and_plot(tmp_path: Path):
    library, topic_of = build(tmp_path)
    library.set_status(of_topic(topic_of, "a")[:3], Status.READ)
    library.tag(of_topic(topic_of, "b")[:2], add=["space"])
    library.close()
    data = tmp_path / "data"
    stats = orjson.loads(invoke(data, "stats", "--format", "json").output)
    assert stats["abstracts"] == 36 and stats["inbox"] == 33
    assert stats["tags"] == {"space": 2}
    assert stats["decisions_per_day"][-1]["read"] == 3
    assert len(stats["decisions_per_day"]) == 90
    plot = invoke(data, "stats", "--plot")
    assert plot.exit_code == 0
    assert "Decisions per day" in plot.output and "#space" in plot.output
    assert "Inbox: 33 of 36" in plot.output
