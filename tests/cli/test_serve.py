"""`reader serve` before it serves: who may listen where, a taken port, and the command
each browser tab runs (quoted for the shell, on the same library)."""

from __future__ import annotations

import shlex
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reader.cli import cli
from reader.tui.server import ReaderServer

Served = list[ReaderServer]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Served:
    """The servers `reader serve` would have started (none is started)."""
    started: Served = []
    monkeypatch.setattr(ReaderServer, "serve", lambda self, debug=False: started.append(self))
    return started


@pytest.fixture
def serve(data_dir: Path) -> Callable[..., Result]:
    def invoke(*args: str, folder: Path = data_dir) -> Result:
        return CliRunner().invoke(cli, ["serve", "--data-dir", str(folder), *args])

    return invoke


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "example.org"])
def test_a_public_host_needs_the_flag(serve: Callable[..., Result], served: Served, host: str):
    result = serve("--host", host)
    assert result.exit_code == 2, result.output
    assert "--i-know-this-is-public" in result.output
    assert "no password" in result.output
    assert served == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.8.9.10"])
def test_loopback_needs_no_flag_and_prints_the_url(
    serve: Callable[..., Result], served: Served, host: str
):
    result = serve("--host", host, "--port", "8799")
    assert result.exit_code == 0, result.output
    shown = f"[{host}]" if ":" in host else host
    assert f"at http://{shown}:8799 " in result.stdout
    assert "warning" not in result.stderr
    assert [(s.host, s.port) for s in served] == [(host, 8799)]


def test_the_flag_serves_a_public_host_with_a_warning(serve: Callable[..., Result], served: Served):
    result = serve("--host", "0.0.0.0", "--i-know-this-is-public", "--port", "8799")
    assert result.exit_code == 0, result.output
    assert "anyone who can reach port 8799 can read and change this library" in result.stderr
    assert f"at http://{socket.gethostname()}:8799 " in result.stdout
    assert served[0].host == "0.0.0.0"


def test_each_tab_runs_the_app_on_the_same_library_quoted_for_the_shell(
    serve: Callable[..., Result], served: Served, tmp_path: Path
):
    folder = tmp_path / "it's a $HOME `rm -rf x` ; library"
    result = serve(folder=folder)
    assert result.exit_code == 0, result.output
    words = shlex.split(served[0].command)
    assert words == ["exec", sys.executable, "-m", "reader", "--data-dir", str(folder), "app"]
    assert (folder / "corpus.json").is_file()  # the new library was seeded once, here


def test_data_dir_given_to_reader_is_used_by_serve(served: Served, tmp_path: Path):
    folder = tmp_path / "lib"
    result = CliRunner().invoke(cli, ["--data-dir", str(folder), "serve"])
    assert result.exit_code == 0, result.output
    assert shlex.split(served[0].command)[5] == str(folder)


def test_a_taken_port_is_a_one_line_error(serve: Callable[..., Result], served: Served):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve("--port", str(port))
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.output
    assert "Traceback" not in result.output
    assert served == []


def test_app_is_hidden_from_help():
    result = CliRunner().invoke(cli, ["--help"])
    commands = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines()[1:]]
    assert "serve" in commands
    assert "app" not in commands
