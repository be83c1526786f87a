"""Importing files (reader.core.ingest.importer): streams, and regular files only.

Issue 11: a big file must not be read whole (memory), and an import path that is a
FIFO or a device must not hang: it fails on one line and the rest goes in.
"""

from __future__ import annotations

import os
import stat
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from reader.core.ingest import importer
from reader.core.ingest.parse import MAX_ABSTRACT_CHARS
from tests.waiting import no_hang

MB = 1024 * 1024


def by_name(reports: list[importer.FileReport]) -> dict[str, importer.FileReport]:
    return {report.path.name: report for report in reports}


def test_a_fifo_path_fails_on_one_line_and_the_rest_goes_in(tmp_path: Path) -> None:
    fifo, good = tmp_path / "pipe.txt", tmp_path / "good.txt"
    os.mkfifo(fifo)
    good.write_text("Abstract: one\nAbstract: two\n")
    reports = by_name(no_hang([fifo], lambda: importer.parse_paths([fifo, good])))
    assert reports["pipe.txt"].error == "is not a regular file"
    assert reports["pipe.txt"].summary() == f"{fifo}: failed: is not a regular file"
    assert [a.text for a in reports["good.txt"].abstracts] == ["one", "two"]
    assert reports["good.txt"].error is None


def test_a_fifo_in_a_folder_is_reported_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "a.txt").write_text("Abstract: first\n")
    os.mkfifo(folder / "b.txt")
    (folder / "c.txt").write_text("Abstract: third\n")
    reports = no_hang([folder / "b.txt"], lambda: importer.parse_paths([folder]))
    assert [(r.path.name, r.error) for r in reports] == [
        ("a.txt", None),
        ("b.txt", "is not a regular file"),
        ("c.txt", None),
    ]
    assert [a.text for r in reports for a in r.abstracts] == ["first", "third"]


def test_a_regular_file_swapped_for_a_fifo_after_the_check_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stat said "regular file"; by the open it is a FIFO: the open must not wait."""
    fifo = tmp_path / "swapped.txt"
    os.mkfifo(fifo)
    real_stat = Path.stat

    def looks_regular(self: Path, **kwargs: Any) -> os.stat_result:
        info = real_stat(self, **kwargs)
        if self == fifo:  # what a stat taken a moment earlier saw
            mode = stat.S_IFREG | stat.S_IMODE(info.st_mode)
            return os.stat_result((mode, *tuple(info)[1:]))
        return info

    monkeypatch.setattr(Path, "stat", looks_regular)
    (report,) = no_hang([fifo], lambda: importer.parse_paths([fifo]))
    assert report.error == "is not a regular file"


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_is_refused_without_reading_it(tmp_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    good = tmp_path / "good.txt"
    good.write_text("Abstract: kept\n")
    dev_report, good_report = importer.parse_paths([Path(device), good])
    assert dev_report.error == "is not a regular file"
    assert [a.text for a in good_report.abstracts] == ["kept"]


def big_file(path: Path, megabytes: int) -> int:
    """Write `megabytes` MB of records that are all dropped (too long), then one kept.

    Whatever the parse holds at its peak beyond one record is a copy of the file.
    """
    paragraph = "word " * ((MAX_ABSTRACT_CHARS + 5_000) // 5)
    count = megabytes * MB // len(paragraph) + 1
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            out.write("Abstract: " + paragraph + "\n")
        out.write("Abstract: the one that is kept\n")
    return count


def refuse_whole_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def whole(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an import read a file whole")

    monkeypatch.setattr(Path, "read_bytes", whole)
    monkeypatch.setattr(Path, "read_text", whole)


def test_importing_a_big_file_holds_one_record_not_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.txt"
    dropped = big_file(path, megabytes=8)
    refuse_whole_reads(monkeypatch)
    tracemalloc.start()
    try:
        (report,) = importer.parse_paths([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.error is None
    assert [a.text for a in report.abstracts] == ["the one that is kept"]
    assert report.failed == dropped
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB while importing an 8 MB file"
