"""The corpus cache: `corpus.cache`, a binary copy of `corpus.json` that opens in a `stat`.

`corpus.json` is the source of truth (TinyDB, written only by imports and the other
corpus writers). Parsing it whole costs ~1 s and ~400 MB at 100,000 abstracts, so
every start and every CLI command would pay for the whole library. The cache is
derived from it and opened instead:

    magic (8 bytes) | header length (u64) | header (JSON) | sections, 8-byte aligned

The header names the `corpus.json` it was made from by identity (device, inode, size,
mtime: every write of the corpus is an atomic rename, so a new inode), its generation
key (which keys the search index), the row count, and where each section is. The
sections are columns in row order (the order of `corpus.json`), stored as native
arrays so that the stdlib (`memoryview.cast`) and numpy (`frombuffer`) read them in
place from one `mmap`:

- `offsets` (int64, n+1) into `records`: each record is the orjson of its
  `Abstract.to_dict()` (every field survives), decoded only when a row is shown;
- `ids` (fixed width, NUL-padded): the record id of each row;
- `fold_ids` / `fold_rows`: `fold(id)` sorted, with its row, for id lookup and
  prefix resolution by binary search (no 100k-entry dict at start);
- `dates` (int32 YYYYMMDD, 0 = none), `has_id` (uint8), `source_codes` (int32, into
  the header's sorted `sources`): what the index and the views need for every row.

Trust: `open_cache` uses the file only when its magic, format, byte order, size and
section bounds are right, the corpus identity is the one on disk now, and a CRC32 of
the header and every column matches (a few ms at 100k). The records blob is too big to
checksum at every start, so each record is checked as it is decoded (valid JSON, an
object, the id of its row); a record that fails raises `CacheDamaged`, and the store
then rebuilds from `corpus.json`. The header also keeps a CRC32 of the whole records
blob, checked before an import copies records from it into a new `corpus.json`
(`records_intact`): a record changed on disk, even into valid JSON, is never copied.
A cache that fails any check is never used: it is rebuilt from `corpus.json`
(validated by `check_corpus` then, and only then), written to a temporary file and
renamed over the old one, so a crash leaves the old cache, the new one, or none. A
library that cannot be written keeps the cache in memory.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import mmap
import os
import stat
import sys
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import orjson

from reader.core.models import Abstract
from reader.core.store.records import ItemsOnRead
from reader.core.store.storage import Replacement, atomic_write_bytes, kept_mode
from reader.core.text import fold

if TYPE_CHECKING:
    import numpy as np

MAGIC = b"RDRCACH1"
FORMAT = 3
"""Version of the cache layout this release writes (3: the header holds a CRC32 of the
records, checked before an import copies them into a new `corpus.json`)."""
READ_FORMATS = (2, 3)
"""Versions it reads; another is rebuilt. A cache of version 2 (the release before)
differs only in having no records CRC: reading it costs nothing, where rebuilding a
million records from `corpus.json` took 29 s and 4.9 GB at the first start of this
release, and `records_intact` checks its records one by one instead, once (the cache an
import writes next is of version 3)."""
_PREFIX = len(MAGIC) + 8

Identity = tuple[int, int, int, int]
"""(device, inode, size, mtime_ns) of a file."""


class CacheDamaged(Exception):
    """A record of the cache does not decode as the record of its row."""


def identity(path: Path) -> Identity | None:
    """The identity of the regular file at `path` (symlinks followed), None when it
    is missing or not a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def date_number(text: str | None) -> int:
    """`2023-06-16` -> 20230616 (0 when there is none or it is odd)."""
    if not text:
        return 0
    digits = text.replace("-", "")
    return int(digits) if digits.isdigit() and len(digits) <= 9 else 0


def _align(n: int) -> int:
    return (n + 7) & ~7


# ---------------------------------------------------------------------- building
Row = tuple[str, str, "str | None", bool]
"""What the columns hold of a record: its id, source, date and whether it has an
arXiv id (`row_of` makes one from an `Abstract` or a stored dict)."""


def row_of(record: Abstract | dict[str, Any]) -> Row:
    if isinstance(record, Abstract):
        return record.id, record.source, record.date, record.arxiv_id is not None
    return record["id"], record["source"], record.get("date"), record.get("arxiv_id") is not None


@dataclass
class Columns:
    """What the columns of a cache hold, row by row: made from each record's `Row`
    (`of_rows`), or from an open cache and what an import changes (`grown`), so that
    unchanged records are never decoded for them."""

    ids: list[str]
    sources: list[str]
    dates: Sequence[int]
    """YYYYMMDD numbers (`date_number`)."""
    has_id: Sequence[bool]
    folded: tuple[bytes, int, bytes] | None = None
    """The `fold_ids` section, its width and the `fold_rows` section, when known (from
    the cache the rows grew from): else made by sorting every folded id."""

    @classmethod
    def of_rows(cls, rows: Sequence[Row]) -> Columns:
        return cls(
            [r[0] for r in rows],
            [r[1] for r in rows],
            [date_number(r[2]) for r in rows],
            [r[3] for r in rows],
        )

    @classmethod
    def grown(
        cls, cache: CorpusCache, updated: Mapping[int, Abstract], appended: Sequence[Abstract]
    ) -> Columns:
        """The columns of `cache` with rows `updated` replaced and `appended` added."""
        names = cache.sources
        dates = array("i")
        dates.frombytes(cache._section("dates"))
        columns = cls(
            cache.ids(),
            [names[c] for c in cache._cast("source_codes", "i")],
            dates,
            list(map(bool, bytes(cache._section("has_id")))),
        )
        for row, abstract in updated.items():
            columns.put(row, row_of(abstract))  # the same id: its place in `folded` holds
        for abstract in appended:
            columns.put(len(columns.ids), row_of(abstract))
        columns.folded = _folded_with(cache, [a.id for a in appended])
        return columns

    def fold_sections(self) -> tuple[bytes, int, bytes]:
        """`folded`, made when not known: every `fold(id)` sorted (ties by row)."""
        if self.folded is not None:
            return self.folded
        folded = sorted((fold(i).encode(), row) for row, i in enumerate(self.ids))
        width = max((len(f) for f, _ in folded), default=1) or 1
        return (
            b"".join(f.ljust(width, b"\0") for f, _ in folded),
            width,
            array("i", [row for _, row in folded]).tobytes(),
        )

    def put(self, row: int, values: Row) -> None:
        """Row `row` holds `values` (a row just after the last is added)."""
        record_id, source, date, has_id = values
        if row == len(self.ids):
            self.ids.append(record_id)
            self.sources.append(source)
            self.dates.append(date_number(date))  # type: ignore[attr-defined]
            self.has_id.append(has_id)  # type: ignore[attr-defined]
        else:
            self.ids[row], self.sources[row] = record_id, source
            self.dates[row] = date_number(date)  # type: ignore[index]
            self.has_id[row] = has_id  # type: ignore[index]


class Builder:
    """A cache written into `out` a record at a time, so the records are never all in
    memory at once (a million records: 1.3 GB).

    The columns are known before any record is encoded (from each row's `Row`), so
    they are written first, after room left for the header; each record's JSON is
    appended as it is `add`ed; `finish` writes the offsets and the header in place.
    `out` must be seekable (a temporary file, or a BytesIO for a cache kept in memory).
    """

    def __init__(self, out: BinaryIO, rows: Sequence[Row] | Columns, generation: str) -> None:
        self._out = out
        columns = rows if isinstance(rows, Columns) else Columns.of_rows(rows)
        self.n = n = len(columns.ids)
        ids = [i.encode() for i in columns.ids]
        self._width = width = max(map(len, ids), default=1) or 1
        fold_ids, self._fold_width, fold_rows = columns.fold_sections()
        self._sources = sources = sorted(set(columns.sources))
        codes = {name: i for i, name in enumerate(sources)}
        self._sections: dict[str, bytes] = {
            "offsets": bytes(8 * (n + 1)),  # written by `finish`
            "ids": b"".join(i.ljust(width, b"\0") for i in ids),
            "fold_ids": fold_ids,
            "fold_rows": fold_rows,
            "dates": array("i", columns.dates).tobytes(),
            "has_id": bytes(columns.has_id),
            "source_codes": array("i", map(codes.__getitem__, columns.sources)).tobytes(),
        }
        del ids, fold_ids, fold_rows
        self._generation = generation
        self._place: dict[str, list[int]] = {}
        rel = 0
        for name, data in self._sections.items():
            self._place[name] = [rel, len(data)]
            rel = _align(rel + len(data))
        self._records_at = rel
        big = 10**19  # more digits than any offset, identity or count will have
        widest = self._header(
            (big, big, big, big), crc=big, saves=big, records=big, records_crc=big
        )
        self._room = _align(_PREFIX + len(orjson.dumps(widest | {"base": big}))) - _PREFIX
        self._base = _PREFIX + self._room
        out.write(bytes(self._base))
        for name, data in self._sections.items():
            out.write(bytes(self._base + self._place[name][0] - out.tell()))
            out.write(data)
        out.write(bytes(self._base + self._records_at - out.tell()))
        self._offsets = array("q", [0])
        self._size = 0
        self._records_crc = 0

    def _header(
        self, source: Identity, *, crc: int, saves: int, records: int, records_crc: int
    ) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "byteorder": sys.byteorder,
            "corpus": list(source),
            "generation": self._generation,
            "saves": saves,
            "n": self.n,
            "id_width": self._width,
            "fold_width": self._fold_width,
            "sources": self._sources,
            "sections": self._place | {"records": [self._records_at, records]},
            "crc": crc,
            "records_crc": records_crc,
        }

    def add(self, record: bytes | memoryview) -> None:
        """Append the next row's record (the orjson of its stored dict)."""
        self.add_many([record])

    def add_many(self, records: Sequence[bytes | memoryview]) -> None:
        """Append the next rows' records, in one write."""
        joined = b"".join(records)
        self._out.write(joined)
        self._records_crc = zlib.crc32(joined, self._records_crc)
        offsets, size = self._offsets, self._size
        for record in records:
            size += len(record)
            offsets.append(size)
        self._size = size

    def finish(self, source: Identity, saves: int = -1) -> None:
        """Write the offsets and the header, naming `source` (the identity of the
        `corpus.json` these records are) and its save counter `saves`."""
        if len(self._offsets) != self.n + 1:
            raise AssertionError(f"{len(self._offsets) - 1} records added for {self.n} rows")
        self._sections["offsets"] = self._offsets.tobytes()
        crc = 0
        for data in self._sections.values():
            crc = zlib.crc32(data, crc)
        header = self._header(
            source, crc=crc, saves=saves, records=self._size, records_crc=self._records_crc
        )
        head = orjson.dumps(header | {"base": self._base}).ljust(self._room, b" ")
        if len(head) != self._room:
            raise AssertionError("cache header does not fit")
        out = self._out
        out.seek(0)
        out.write(MAGIC + self._room.to_bytes(8, "little") + head)
        out.seek(self._base + self._place["offsets"][0])
        out.write(self._sections["offsets"])
        out.seek(0, os.SEEK_END)


def _folded_with(cache: CorpusCache, appended: Sequence[str]) -> tuple[bytes, int, bytes]:
    """The `fold_ids` and `fold_rows` sections of `cache` with the ids `appended` after
    its rows: each new folded id placed after the equal ones (its row is larger), by a
    binary search into the sorted column, not a sort of them all."""
    import numpy as np

    arrays = cache.arrays()
    new = sorted((fold(i).encode(), cache.n + k) for k, i in enumerate(appended))
    width = max([cache._fold_width, *(len(f) for f, _ in new)])
    folds = arrays["fold_ids"].astype(f"S{width}")
    news = np.array([f for f, _ in new], f"S{width}")
    at = np.searchsorted(folds, news, side="right")
    rows = np.insert(arrays["fold_rows"], at, np.array([r for _, r in new], np.int32))
    return np.insert(folds, at, news).tobytes(), width, rows.astype(np.int32).tobytes()


def build(
    records: Sequence[dict[str, Any]], source: Identity, generation: str, saves: int = -1
) -> bytes:
    """The cache of `records` (stored dicts of `corpus.json`, in its order), in memory."""
    out = io.BytesIO()
    builder = Builder(out, [row_of(r) for r in records], generation)
    dumps = orjson.dumps
    for record in records:
        builder.add(dumps(record))
    builder.finish(source, saves)
    return out.getvalue()


class Draft:
    """A new cache for `path`, written record by record into its `Replacement` (a
    temporary file beside it, through a `Builder`) while the corpus is written, then
    put in place by `commit`. Used as a context manager: the temporary file never
    outlives the block. When no temporary file can be made (or its columns written),
    records are dropped and `commit` returns None (the caller makes the cache some
    other way)."""

    def __init__(self, path: Path, rows: Sequence[Row] | Columns, generation: str) -> None:
        self.path = path
        self._new: Replacement | None = None
        self._builder: Builder | None = None
        try:
            self._new = Replacement(path)
            self._builder = Builder(self._new.file, rows, generation)
        except OSError:  # a full disk: no draft
            self.__exit__()
            self._new, self._builder = None, None
        except BaseException:
            self.__exit__()
            raise

    def __enter__(self) -> Draft:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._new is not None:
            self._new.__exit__()

    def add_many(self, records: Sequence[bytes | memoryview]) -> None:
        if self._builder is not None:
            self._builder.add_many(records)

    def commit(self, source: Identity | None, saves: int) -> CorpusCache | None:
        """Put the cache in place, naming `source` (the `corpus.json` just written) and
        its save counter, with the permission bits of the cache it replaces, and open
        it; None when that could not be done."""
        if self._builder is None or self._new is None or source is None:
            return None
        try:
            self._builder.finish(source, saves)
            self._new.commit(lambda tmp: os.chmod(tmp, kept_mode(self.path)))
        except OSError:
            return None
        return open_cache(self.path, source)


def write(path: Path, data: bytes | bytearray) -> None:
    """Replace the cache at `path` atomically (no `.prev`, no backups: it is derived)."""
    atomic_write_bytes(path, data)


# ---------------------------------------------------------------------- reading
@dataclass(frozen=True)
class _Column:
    offset: int
    length: int


class CorpusCache:
    """An open cache (mapped file or bytes): the columns, and records by row."""

    def __init__(self, buffer: mmap.mmap | bytes | bytearray, header: dict[str, Any]) -> None:
        self._buffer = buffer
        self._view = memoryview(buffer)
        self.header = header
        self.n: int = header["n"]
        self.generation: str = header["generation"]
        self.source: Identity = tuple(header["corpus"])  # type: ignore[assignment]
        self.sources: list[str] = header["sources"]
        self.saves: int = header.get("saves", -1)
        """The save counter of the `corpus.json` it was made from (-1: not known)."""
        base = header["base"]
        self._at = {k: _Column(base + o, length) for k, (o, length) in header["sections"].items()}
        self._width: int = header["id_width"]
        self._fold_width: int = header["fold_width"]
        self._offsets = self._cast("offsets", "q")
        self._fold_rows = self._cast("fold_rows", "i")

    def _section(self, name: str) -> memoryview:
        col = self._at[name]
        return self._view[col.offset : col.offset + col.length]

    def _cast(self, name: str, code: Literal["q", "i"]) -> memoryview[int]:
        return self._section(name).cast(code)

    def close(self) -> None:
        """Release the mapping (the columns and records must no longer be used)."""
        self._offsets.release()
        self._fold_rows.release()
        self._view.release()
        if isinstance(self._buffer, mmap.mmap):
            with contextlib.suppress(BufferError):
                self._buffer.close()

    # ------------------------------------------------------------------ records
    def record(self, row: int) -> dict[str, Any]:
        """The stored dict of row `row`; raises CacheDamaged when it is not one."""
        if not 0 <= row < self.n:
            raise IndexError(row)
        base = self._at["records"].offset
        lo, hi = self._offsets[row], self._offsets[row + 1]
        try:
            data = orjson.loads(self._view[base + lo : base + hi])
        except orjson.JSONDecodeError:
            raise CacheDamaged(f"record {row} is not JSON") from None
        if type(data) is not dict or data.get("id") != self.id_at(row):
            raise CacheDamaged(f"record {row} is not the record of its row")
        return data

    @property
    def index_key(self) -> str:
        """What the search index of this corpus is saved under: its generation, with the
        CRC of its records when the cache keeps one (version 3). A `corpus.json` edited
        by hand keeps its generation (the meta the writer put in it), so its cache,
        rebuilt, names another CRC and the index is built again; a cache merely rebuilt
        from the same file has the same records, and its index is used as saved."""
        crc = self.header.get("records_crc")
        return self.generation if crc is None else f"{self.generation}-{crc:08x}"

    def record_bytes(self, row: int) -> memoryview:
        """The stored bytes of row `row`'s record, undecoded (a view into the cache).
        Trust them only after `records_intact`."""
        base = self._at["records"].offset
        return self._view[base + self._offsets[row] : base + self._offsets[row + 1]]

    def records_intact(self) -> bool:
        """Whether the records blob is the one the cache was written with (its CRC32,
        kept in the header; ~0.1 s at 100k): the check before its bytes are copied into
        a new `corpus.json`, since a record is otherwise checked only when decoded. A
        cache of version 2 has no CRC of its records: each is checked as `record`
        checks it (JSON, the record of its row), ~1 s at 100k, once."""
        crc = self.header.get("records_crc")
        if crc is not None:
            return zlib.crc32(self._section("records")) == crc
        try:
            for row in range(self.n):
                self.record(row)
        except CacheDamaged:
            return False
        return True

    def id_at(self, row: int) -> str:
        w = self._width
        col = self._at["ids"].offset + row * w
        return bytes(self._view[col : col + w]).rstrip(b"\0").decode()

    def _fold_at(self, i: int) -> bytes:
        w = self._fold_width
        col = self._at["fold_ids"].offset + i * w
        return bytes(self._view[col : col + w]).rstrip(b"\0")

    def rows_with_fold_prefix(self, prefix: str) -> list[int]:
        """Rows whose folded id starts with `prefix` (already folded), by binary search."""
        key = prefix.encode()
        lo = bisect.bisect_left(range(self.n), key, key=self._fold_at)
        found = []
        for i in range(lo, self.n):
            if not self._fold_at(i).startswith(key):
                break
            found.append(self._fold_rows[i])
        return found

    def row_of(self, record_id: str) -> int | None:
        """The row of `record_id` (exactly), or None."""
        key = fold(record_id).encode()
        i = bisect.bisect_left(range(self.n), key, key=self._fold_at)
        while i < self.n and self._fold_at(i) == key:
            row = self._fold_rows[i]
            if self.id_at(row) == record_id:
                return row
            i += 1
        return None

    def ids(self) -> list[str]:
        """Every id in row order (builds n strings: for whole-corpus work only)."""
        w = self._width
        raw = bytes(self._section("ids"))
        return [raw[i : i + w].rstrip(b"\0").decode() for i in range(0, len(raw), w)]

    def source_at(self, row: int) -> str:
        return self.sources[self._cast("source_codes", "i")[row]]

    # ------------------------------------------------------------------ numpy
    def arrays(self) -> dict[str, np.ndarray]:
        """The columns as numpy arrays over the mapping (no copy)."""
        import numpy as np

        def col(name: str, dtype: Any) -> np.ndarray:
            c = self._at[name]
            return np.frombuffer(
                self._buffer, dtype, c.length // np.dtype(dtype).itemsize, c.offset
            )

        return {
            "dates": col("dates", np.int32),
            "has_id": col("has_id", np.uint8).view(bool),
            "source_codes": col("source_codes", np.int32),
            "fold_ids": col("fold_ids", f"S{self._fold_width}"),
            "fold_rows": col("fold_rows", np.int32),
            "ids": col("ids", f"S{self._width}"),
        }


def parse(buffer: mmap.mmap | bytes | bytearray, source: Identity | None) -> CorpusCache | None:
    """The cache in `buffer` when every check passes (see the module docstring), else None."""
    try:
        size = len(buffer)
        if size < _PREFIX or buffer[: len(MAGIC)] != MAGIC:
            return None
        head_len = int.from_bytes(buffer[len(MAGIC) : _PREFIX], "little")
        if head_len > size - _PREFIX:
            return None
        header = orjson.loads(buffer[_PREFIX : _PREFIX + head_len])
        if (
            type(header) is not dict
            or header.get("format") not in READ_FORMATS
            or header.get("byteorder") != sys.byteorder
            or (source is not None and header.get("corpus") != list(source))
            or header.get("base") != _PREFIX + head_len
        ):
            return None
        n, base, sections = header["n"], header["base"], header["sections"]
        end = 0
        for name in ("offsets", "ids", "fold_ids", "fold_rows", "dates", "has_id",
                     "source_codes", "records"):  # fmt: skip
            offset, length = sections[name]
            if offset < 0 or length < 0:
                return None
            end = max(end, base + offset + length)
        if end != size:
            return None
        expected = {
            "offsets": 8 * (n + 1),
            "ids": n * header["id_width"],
            "fold_ids": n * header["fold_width"],
            "fold_rows": 4 * n,
            "dates": 4 * n,
            "has_id": n,
            "source_codes": 4 * n,
        }
        crc = 0
        view = memoryview(buffer)
        for name, length in expected.items():
            offset, stored = sections[name]
            if stored != length:
                return None
            crc = zlib.crc32(view[base + offset : base + offset + length], crc)
        view.release()
        if crc != header["crc"]:
            return None
        cache = CorpusCache(buffer, header)
        if cache._offsets[0] != 0 or cache._offsets[n] != sections["records"][1]:
            cache.close()
            return None
        return cache
    except (ValueError, KeyError, TypeError, IndexError, orjson.JSONDecodeError):
        return None


def open_cache(path: Path, source: Identity | None) -> CorpusCache | None:
    """The cache at `path` mapped, when it was made from the corpus file `source` and
    passes every check; None otherwise (then rebuild it)."""
    if source is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < _PREFIX:
            return None
        buffer = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    cache = parse(buffer, source)
    if cache is None:
        buffer.close()
    return cache


class CachedAbstracts(ItemsOnRead[Abstract]):
    """The abstracts of a cache by row, each decoded (and kept) the first time it is
    asked for; whole columns come from the cache's arrays."""

    KEPT = 4096
    """Decoded abstracts kept (the most recently used): a screenful, a search's checks."""

    def __init__(self, cache: CorpusCache) -> None:
        self.cache = cache
        self._made: OrderedDict[int, Abstract] = OrderedDict()

    def __len__(self) -> int:
        return self.cache.n

    def item(self, row: int) -> Abstract:
        made = self._made.get(row)
        if made is None:
            made = self._made[row] = Abstract.from_dict(self.cache.record(row))
            if len(self._made) > self.KEPT:
                self._made.popitem(last=False)
        else:
            self._made.move_to_end(row)
        return made

    def __iter__(self) -> Iterator[Abstract]:
        return (self[i] for i in range(len(self)))

    def column(self, name: str) -> list[Any]:
        """Field `name` of every row (from the columns when the cache has it)."""
        cache = self.cache
        if name == "id":
            return cache.ids()
        if name == "source":
            codes = cache._cast("source_codes", "i")
            return [cache.sources[c] for c in codes]
        return [cache.record(i).get(name) for i in range(cache.n)]

    def index_columns(self) -> dict[str, Any]:
        """The columns the search index needs, as numpy arrays (see `SearchIndex`)."""
        return self.cache.arrays()

    def record_sizes(self) -> np.ndarray:
        """Each row's stored record size in bytes (near its text's length): how the
        index build cuts its chunks of rows without reading every text first."""
        import numpy as np

        return np.diff(np.frombuffer(self.cache._section("offsets"), np.int64))

    def rows_with_id_prefix(self, prefix: str) -> list[int]:
        return self.cache.rows_with_fold_prefix(prefix)

    @property
    def inner(self) -> CachedAbstracts:
        return self

    def records(self) -> Iterator[dict[str, Any]]:
        """Every stored dict, in row order."""
        return (self.cache.record(i) for i in range(self.cache.n))


class RowIds(ItemsOnRead[str]):
    """Record ids by row, read from the cache one at a time."""

    def __init__(self, cache: CorpusCache) -> None:
        self._cache = cache

    def __len__(self) -> int:
        return self._cache.n

    def item(self, row: int) -> str:
        return self._cache.id_at(row)

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache.ids())

    def take(self, rows: np.ndarray) -> list[str]:
        """The ids of `rows` (a numpy array of rows), read at once from the id column:
        a search's 50k matches in a few ms, not one slice of the cache each."""
        return [raw.decode() for raw in self._cache.arrays()["ids"][rows].tolist()]

    def lines(self, rows: np.ndarray) -> bytes:
        """The ids of `rows`, one a line, in UTF-8 as the cache stores them: the id
        column's fixed-width cells with a newline after each, the NULs that pad them
        dropped (450k ids at 1M in 4 ms; a bytes object and a join of each took 40)."""
        import numpy as np

        cells = self._cache.arrays()["ids"][rows]
        width = cells.dtype.itemsize
        grid = np.empty((len(cells), width + 1), np.uint8)
        grid[:, :width] = cells.view(np.uint8).reshape(len(cells), width)
        grid[:, width] = ord("\n")
        pad = grid[:, :width] == 0
        if (pad[:, :-1] & ~pad[:, 1:]).any():  # a NUL inside an id: keep it, as stored
            return b"".join(cell + b"\n" for cell in cells.tolist())
        return grid.tobytes().replace(b"\0", b"")


class RowsById(Mapping[str, int]):
    """The row of each record id, by binary search in the cache (no dict of n ids)."""

    def __init__(self, cache: CorpusCache) -> None:
        self._cache = cache

    def __getitem__(self, key: str) -> int:
        row = self._cache.row_of(key) if isinstance(key, str) else None
        if row is None:
            raise KeyError(key)
        return row

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._cache.row_of(key) is not None

    def __len__(self) -> int:
        return self._cache.n

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache.ids())

    def rows_of(self, keys: Sequence[str]) -> list[int | None]:
        """The row of each key (None when absent): one vectorised search when many."""
        if len(keys) < 64:
            return [self._cache.row_of(k) for k in keys]
        import numpy as np

        arrays = self._cache.arrays()
        folds, fold_rows, ids = arrays["fold_ids"], arrays["fold_rows"], arrays["ids"]
        n = self._cache.n
        if n == 0:
            return [None] * len(keys)
        folded = [fold(k).encode() for k in keys]
        wanted = np.array(folded, dtype=folds.dtype)
        raw = np.array([k.encode() for k in keys], dtype=ids.dtype)
        at = np.minimum(np.searchsorted(folds, wanted), n - 1)
        rows = fold_rows[at]
        hit = (folds[at] == wanted) & (ids[rows] == raw)
        out: list[int | None] = [
            r if h else None for r, h in zip(rows.tolist(), hit.tolist(), strict=True)
        ]
        for i in np.flatnonzero(~hit & (folds[at] == wanted)).tolist():
            out[i] = self._cache.row_of(keys[i])  # ids that fold alike: check one by one
        for i, (key, key_fold) in enumerate(zip(keys, folded, strict=True)):
            if len(key.encode()) > ids.itemsize or len(key_fold) > folds.itemsize:
                out[i] = self._cache.row_of(key)  # longer than any id: the arrays cut it
        return out
