"""Fixtures every test folder shares: each test gets its own data and config folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from reader.core.library import Library
    from tests.arxiv_server import FakeArxiv


@pytest.fixture(autouse=True)
def _isolated_reader_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point READER_HOME at tmp_path so no test can touch the user's real library."""
    home = tmp_path / "reader-home"
    monkeypatch.setenv("READER_HOME", str(home))
    monkeypatch.setenv("READER_CONFIG_DIR", str(tmp_path / "reader-config"))  # no keys.toml
    monkeypatch.setenv("READER_CACHE_DIR", str(tmp_path / "reader-cache"))  # arXiv's turns
    return home


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder for a Library."""
    return tmp_path / "library"


@pytest.fixture
def library(data_dir: Path) -> Library:
    """A Library in `data_dir`, seeded with the bundled sample abstracts."""
    from reader.core.library import Library  # here: a conftest import error breaks every test

    return Library.open(data_dir, seed=True)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An existing, empty config folder (READER_CONFIG_DIR) for a test to write keys.toml in."""
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("READER_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArxiv]:
    """A local arXiv API (tests/arxiv_server.py) on 127.0.0.1, with READER_ARXIV_API
    pointing at it and no pause between requests (READER_ARXIV_INTERVAL=0)."""
    from tests.arxiv_server import FakeArxiv, serve

    for api in serve(FakeArxiv()):
        monkeypatch.setenv("READER_ARXIV_API", api.url)
        monkeypatch.setenv("READER_ARXIV_INTERVAL", "0")
        monkeypatch.setenv("READER_ARXIV_TIMEOUT", "10")
        yield api
