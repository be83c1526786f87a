"""CLI tests: `run` invokes `reader --data-dir DATA ARGS...` on the seeded `library`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader.cli import cli
from reader.core.library import Library


@pytest.fixture
def run(library: Library, data_dir: Path) -> Callable[..., Result]:
    """Run the CLI on the seeded library (closed first, as a second process would find it)."""
    library.close()

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])

    return invoke
