"""Files the user names on the command line or in a dialog: an export's output, an
export to restore, the key map.

Such a path may be anything: a FIFO (reading it blocks until someone writes), a device
(`/dev/zero` never ends; replacing `/dev/null` with a regular file breaks the system),
a folder, a symlink. Reading opens without blocking and accepts only a regular file,
with a size limit where one is given. Writing goes through symlinks to the file they
name (`storage.replace_file`, as for data files: a temporary file beside it, fsync,
rename, fsync of its folder), refuses anything
but a regular file or a missing one, and keeps an existing file's permission bits.
Every failure is a `ReaderError` naming the path the user gave and what is wrong.
"""

from __future__ import annotations

import contextlib
import os
import stat
from functools import partial
from pathlib import Path
from typing import Literal

from reader.core.errors import ReaderError
from reader.core.store.storage import CannotCreateTemp, NotRegularFile, open_regular, replace_file

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def user_dir(env: str, kind: Literal["data", "config", "cache"]) -> Path:
    """The folder named by the environment variable `env` when set, else the
    platform's user data, config or cache folder for reader."""
    named = os.environ.get(env)
    if named:
        return Path(named).expanduser()
    import platformdirs  # ~5 ms: not when the folder is named (`--data-dir`)

    if kind == "config":
        return Path(platformdirs.user_config_dir("reader", appauthor=False))
    if kind == "cache":
        return Path(platformdirs.user_cache_dir("reader", appauthor=False))
    return Path(platformdirs.user_data_dir("reader", appauthor=False))


def kind(mode: int) -> str:
    """What a file of this `st_mode` is, in words ("a FIFO (named pipe)")."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def read_regular(path: Path, *, limit: int | None = None, what: str = "file") -> bytes:
    """The bytes of the regular file at `path` (symlinks followed), at most `limit`.

    The open never blocks (a FIFO with no writer is refused, not waited on). Raises
    FileNotFoundError when nothing is there, ReaderError for anything else wrong.
    """
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        raise
    except NotRegularFile as error:
        raise ReaderError(f"cannot read {path}: it is {kind(error.mode)}, not a {what}") from None
    except OSError as error:
        raise ReaderError(f"cannot read {path}: {_reason(error)}") from None
    try:
        info = os.fstat(fd)
        if limit is not None and info.st_size > limit:
            raise ReaderError(
                f"cannot read {path}: {info.st_size:,} bytes is more than a {what} "
                f"may hold ({limit:,})"
            )
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:  # grew since the fstat
                raise ReaderError(f"cannot read {path}: more than a {what} may hold ({limit:,})")
        return b"".join(chunks)
    except OSError as error:
        raise ReaderError(f"cannot read {path}: {_reason(error)}") from None
    finally:
        os.close(fd)


def write_target(path: Path) -> Path:
    """Where writing `path` puts the bytes: the file a symlink (chain) names, or `path`.

    Raises ReaderError when that is not a regular file or a missing file in an
    existing folder.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        info = os.stat(target)
    except FileNotFoundError:
        folder = target.parent
        if not folder.is_dir():
            shown = "" if target == path else f" (the link's target {target})"
            raise ReaderError(
                f"cannot write {path}{shown}: the folder {folder} does not exist"
            ) from None
        return target
    except OSError as error:  # a symlink loop, a folder we may not search
        raise ReaderError(f"cannot write {path}: {_reason(error)}") from None
    if not stat.S_ISREG(info.st_mode):
        shown = "it" if target == path else f"its target {target}"
        raise ReaderError(
            f"cannot write {path}: {shown} is {kind(info.st_mode)}; give the path of a regular file"
        )
    return target


def write_through(path: Path, data: bytes) -> Path:
    """Replace the file at `path` (or the file its symlink names) with `data`, atomically.

    The temporary file sits beside the target, so the rename never crosses a file
    system and a symlink stays a symlink. An existing file keeps its permission bits
    (and, where allowed, its owner); a new one gets the umask's. Returns the file
    written.
    """
    target = write_target(path)
    try:
        replace_file(target, data, partial(_copy_mode, target))
    except CannotCreateTemp as error:
        raise ReaderError(
            f"cannot write {path}: cannot create a file in {target.parent} ({_reason(error)})"
        ) from None
    except OSError as error:
        raise ReaderError(f"cannot write {path}: {_reason(error)}") from None
    return target


def _copy_mode(target: Path, tmp: Path) -> None:
    """Give `tmp` the mode (and owner, if we may) of `target`, or a new file's mode."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(tmp, info.st_uid, info.st_gid)
    os.chmod(tmp, stat.S_IMODE(info.st_mode))  # after chown, which clears set-id bits
