"""`reader serve`: the app in a browser tab, one app process per tab, on one library.

Every tab runs `reader --data-dir DIR app` on the library this command opened, so tabs
and terminal apps on that library are separate reader processes, as two terminals are
(the store keeps their writes apart; each app picks up the others' within 2 s).
"""

from __future__ import annotations

import errno
import shlex
import sys
from pathlib import Path

import click

from reader.cli.common import State, data_dir_option, pass_state
from reader.core.library import Library

PUBLIC_WARNING = (
    "reader: warning: serving on {host}, which other machines may reach. reader serve has "
    "no password: anyone who can reach port {port} can read and change this library. "
    "Prefer --host 127.0.0.1 and SSH port forwarding (see the README)."
)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="The port."
)
@data_dir_option
@click.option(
    "--i-know-this-is-public",
    "public",
    is_flag=True,
    help="Allow a --host other than loopback (there is no password: see the README).",
)
@pass_state
def serve(state: State, host: str, port: int, data_dir: Path | None, public: bool) -> None:
    """Serve the app to a browser at http://HOST:PORT (one app per tab; ctrl+c stops).

    Only this machine can connect unless --host says otherwise; from another machine,
    forward the port over SSH: `ssh -L 8765:127.0.0.1:8765 HOST`, then open
    http://127.0.0.1:8765 there.
    """
    from reader.tui.server import ReaderServer, is_loopback

    if not is_loopback(host) and not public:
        raise click.UsageError(
            f"--host {host} lets other machines reach the library, with no password; "
            "add --i-know-this-is-public if that is what you want, or use SSH port "
            "forwarding (see `reader serve --help`)"
        )
    folder = _library_folder(data_dir or state.data_dir)
    _check_port(host, port)
    command = " ".join(
        ["exec", *map(shlex.quote, [sys.executable, "-m", "reader", "--data-dir", str(folder)])]
        + ["app"]
    )
    server = ReaderServer(command, host, port, title=f"reader: {folder.name}")
    if not is_loopback(host):
        click.echo(PUBLIC_WARNING.format(host=host, port=port), err=True)
    import socket  # here: every other command would pay its import

    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    click.echo(f"reader: serving {folder} at {url} (one app per browser tab; ctrl+c stops)")
    server.serve()


def _library_folder(data_dir: Path | None) -> Path:
    """Open the library once (a new one gets its sample abstracts here, not in every
    tab; a damaged one is recovered or refused now) and return its folder, absolute."""
    library = Library.open(data_dir)
    try:
        for message in library.messages:
            click.echo(message, err=True)
        return library.data_dir.resolve()
    finally:
        library.close()


def _check_port(host: str, port: int) -> None:
    """A port another server holds is a one-line error now, before the URL is printed."""
    import socket

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise click.UsageError(f"--host {host}: {error.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise click.UsageError(
                    f"port {port} on {host} is in use (another `reader serve`?); "
                    "pick another with --port"
                ) from None
            raise click.UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
