"""Which format a file of abstracts is in, by its content, and the parser for it.

The first non-blank bytes decide: `{` is the arXiv metadata snapshot (JSON lines),
an `@type{` entry (after any `%` comment lines) is BibTeX, anything else the plain
formats of `parse.py`. A `.bib` file whose content says nothing else is BibTeX, so
its parse says what is wrong with it; no other extension matters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from reader.core.ingest import bibtex, snapshot
from reader.core.ingest.formats import ImportOptions
from reader.core.ingest.parse import ParseResult, parse_file, parse_stream

SNIFF_BYTES = 1 << 20
"""How far into a file to look for its first non-blank line."""

_ENTRY = re.compile(rb"@\s*[A-Za-z]+\s*[{(]")


class Format(StrEnum):
    PLAIN = "plain"
    BIBTEX = "bibtex"
    SNAPSHOT = "snapshot"


def sniff(head: bytes, suffix: str = "") -> Format:
    """The format of a file that starts with `head` and has the extension `suffix`."""
    for line in head.removeprefix(b"\xef\xbb\xbf").splitlines():
        line = line.strip()
        if not line or line.startswith(b"%"):
            continue
        if line.startswith(b"{"):
            return Format.SNAPSHOT
        if _ENTRY.match(line):
            return Format.BIBTEX
        break
    return Format.BIBTEX if suffix.lower() == ".bib" else Format.PLAIN


def parse_path(
    path: Path,
    options: ImportOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> ParseResult:
    """Parse the file at `path` in the format its content shows; `progress(bytes)` is
    called as a snapshot is read. Raises `ParseError` as `parse.parse_file` does."""

    def read(file: BinaryIO, where: Path) -> ParseResult:
        start = file.tell()
        head = file.read(SNIFF_BYTES)
        file.seek(start)
        found = sniff(head, where.suffix)
        if found is Format.SNAPSHOT:
            return snapshot.parse_snapshot(file, where, options, progress)
        if found is Format.BIBTEX:
            return bibtex.parse_bibtex(file.read(bibtex.MAX_BIBTEX_BYTES + 1), where)
        return parse_stream(file, where)

    return parse_file(path, read)
