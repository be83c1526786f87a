"""The corpus store: `corpus.json` (the abstracts), its cache, its search index, import.

The corpus is rewritten only by an import (and the other corpus writers). This store
owns the file, its lock and its reload: rows are the abstracts in corpus order (the
order they were first imported), and row `i` of the search index is `abstracts[i]`.

How the corpus reaches memory (issue 13): `corpus.json` stays the source of truth,
but a start reads its binary cache `corpus.cache` instead (`store/cache.py`): a `stat`
of `corpus.json`, a check of the cache's header, and an `mmap`. Records are decoded one
at a time when shown; ids, dates and sources are arrays. `corpus.json` is parsed (and
every record checked by `check_corpus`) only when the cache is missing, damaged,
foreign or stale, and then the cache is rebuilt atomically. Every write of
`corpus.json` goes through `write` or `write_changes`, which write the cache beside
it. A writer that forgets is still safe: the cache names the `corpus.json` it was made
from, so a stale one is rebuilt at the next open.

An import costs what it adds (`write_changes`): the merge reports the rows it updates
and the records it appends; both files are still replaced whole and atomically, but
every other record is copied as the bytes the cache holds, and the index grows by a
delta (`search/delta.py`). Only a removal (`remove`, `reinsert`: rows renumber) writes
through `write`, encoding every record and building the index whole.

The index is cached in `index/` under the corpus's key (its generation, kept in the
cache header too, with the CRC of its records: `CorpusCache.index_key`; a delta in
`index/delta/` under its own, naming the main index's), and
loaded only when something searches (`reader tag` and `reader show`
never import numpy). It also knows each row's annotation (status, tags, note, title)
so queries can ask for them; the store asks its owner for them (`annotations`)
whenever it loads or builds an index.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from reader.core.errors import AmbiguousIdError, ReadOnlyError, UnknownIdError
from reader.core.memory import gc_paused
from reader.core.models import Abstract, IndexedFields, normalize_id
from reader.core.store import cache as cachefile
from reader.core.store.cache import CachedAbstracts, CacheDamaged, CorpusCache, RowIds, RowsById
from reader.core.store.folder import (
    DataFile,
    check_corpus,
    has_records,
    open_data_file,
    remove_killed_temps,
    remove_orphan_folders,
)
from reader.core.store.records import ItemsOnRead
from reader.core.store.userdata import Annotations
from reader.core.text import fold

if TYPE_CHECKING:
    from reader.core.ingest import importer
    from reader.core.search.index import SearchIndex


_BATCH = 4096
"""Records copied into the new files per write (`CorpusStore.write_changes`)."""


class CorpusStore:
    """The abstracts of `corpus.json`, by row and by id, with their search index."""

    def __init__(
        self,
        data_dir: Path,
        *,
        read_only: bool,
        sibling: Path,
    ) -> None:
        """Open `data_dir/corpus.json` (recovering a damaged one); `sibling` is the
        user-data file (if it holds records, a missing corpus is damage, not a new
        library). `load` makes it the corpus in memory."""
        self.path = data_dir / "corpus.json"
        self.cache_path = data_dir / "corpus.cache"
        self.index_dir = data_dir / "index"
        self.read_only = read_only
        self._annotations: Callable[[], Annotations] = lambda: Annotations({}, self.path)
        self._cache = cachefile.open_cache(self.cache_path, cachefile.identity(self.path))
        self.file: DataFile = open_data_file(
            self.path,
            read_only=read_only,
            backups=True,
            link_backups=True,
            validate=check_corpus,
            sibling_has_records=lambda: has_records(sibling, "annotations"),
            load=self._cache is None,  # a valid cache: corpus.json is not read at all
        )
        if not read_only:  # the cache's drafts, as the file's own temp files above
            remove_killed_temps(self.cache_path, self.file.lock)
            remove_orphan_folders(data_dir, self.index_dir.name)  # and the index's
            remove_orphan_folders(self.index_dir, "delta")
        self.is_new = self.file.storage.may_be_missing
        """No corpus was ever written here: the only case where samples are imported."""
        self.abstracts: Sequence[Abstract] = []
        self.ids: Sequence[str] = []
        """Every record id, in row order (read from the cache one at a time)."""
        self.rows: Mapping[str, int] = {}
        """The row of each record id (a binary search in the cache)."""
        self._index: SearchIndex | None = None
        self._identity: cachefile.Identity | None = None
        """The `corpus.json` the corpus in memory was read from."""
        self.rows_kept = True
        """After a `refresh` that changed the corpus: every row still holds the record
        it held (an import or fetch updates in place and adds at the end); false after
        a removal, when row numbers held from before may name other records."""

    # ----------------------------------------------------------------- loading
    def load(self, annotations: Callable[[], Annotations] | None = None) -> None:
        """Open the corpus (from its cache when valid, else from `corpus.json`, then
        rebuilding the cache); `annotations` gives the user's annotations, put in
        every index this store loads or builds from now."""
        if annotations is not None:
            self._annotations = annotations
        source = cachefile.identity(self.path)
        cache, self._cache = self._cache, None
        if cache is None or cache.source != source:
            cache = cachefile.open_cache(self.cache_path, source)
        if cache is None:
            cache, source = self._rebuild_cache()
        self._install(cache, source)

    def _rebuild_cache(self) -> tuple[CorpusCache, cachefile.Identity | None]:
        """Read `corpus.json` (every record checked, damage recovered) and make its
        cache: written beside it when the folder can be written, else in memory.
        Returns the cache and the identity of the file it was read from: when the file
        changed while it was read (another process, a recovery), the cache is kept
        in memory only and that identity is the one before, so `refresh` reads again."""
        before = cachefile.identity(self.path)
        data = self.file.load()
        after = cachefile.identity(self.path)
        key = str(data.get("meta", {}).get("corpus", {}).get("generation", "none"))
        records = list(data.get("abstracts", {}).values())
        stable = after if after == before else None
        return self._make_cache(records, stable, key, self.file.storage.saves), before

    def _make_cache(
        self,
        records: list[dict[str, Any]],
        source: cachefile.Identity | None,
        key: str,
        saves: int,
    ) -> CorpusCache:
        raw = cachefile.build(records, source or (0, 0, 0, 0), key, saves)
        if source is not None and not self.read_only:
            with contextlib.suppress(OSError):  # a cache: the next open rebuilds it
                cachefile.write(self.cache_path, raw)
                opened = cachefile.open_cache(self.cache_path, source)
                if opened is not None:
                    return opened
        cache = cachefile.parse(raw, None)
        if cache is None:
            raise AssertionError("a cache just built does not read back")
        return cache

    def _install(
        self,
        cache: CorpusCache,
        source: cachefile.Identity | None,
        index: SearchIndex | None = None,
    ) -> None:
        """Make `cache` (read from the `corpus.json` of identity `source`, with its
        index when known) the corpus in memory."""
        self.cache = cache
        self.abstracts = _Abstracts(self, CachedAbstracts(cache))
        self.ids = RowIds(cache)
        self.rows = RowsById(cache)
        self._identity = source
        self._index = None
        if index is not None:
            self._set_index(index)

    def _set_index(self, index: SearchIndex) -> None:
        """Make `index` the index, and fill it with the annotations (read under its
        lock: a change another thread makes meanwhile follows the fill, see `fill`)."""
        self._index = index

        def annotated() -> tuple[list[int], list[IndexedFields]]:
            annotations = self._annotations()
            keys = list(annotations)
            rows = self.rows.rows_of(keys) if isinstance(self.rows, RowsById) else []
            found = [(row, key) for row, key in zip(rows, keys, strict=True) if row is not None]
            return [row for row, _ in found], [annotations.indexed(key) for _, key in found]

        index.fill(annotated)

    @property
    def index_loaded(self) -> bool:
        return self._index is not None

    @property
    def index(self) -> SearchIndex:
        """The search index, loaded (or built and saved) the first time it is asked for."""
        if self._index is None:
            from reader.core.search.index import SearchIndex

            key = self.cache.index_key
            abstracts = self.abstracts
            index = SearchIndex.load(self.index_dir, key, abstracts)
            if index is None:
                index = self._saved(SearchIndex.build(abstracts), key)
            self._set_index(index)
            assert self._index is not None
        return self._index

    def index_damaged(self) -> None:
        """The saved index proved damaged as a search read it: forget it, and its key
        so that no process loads it again; the next use rebuilds it."""
        with contextlib.suppress(OSError):
            (self.index_dir / "key").unlink()
        self._index = None

    def damaged(self) -> None:
        """A record of the cache did not decode: rebuild it from `corpus.json` (rows
        stay as they are: both come from the same file)."""
        old = self.cache
        cache, source = self._rebuild_cache()
        index = self._index
        self._install(cache, source)
        if index is not None:
            index.replace_abstracts(self.abstracts)
            self._index = index
        del old

    def refresh(self) -> bool:
        """Reload when another process wrote the corpus; True when it changed (then
        `rows_kept` says whether every row still holds the record it held)."""
        if cachefile.identity(self.path) == self._identity:
            return False
        before = self.cache.ids()
        self.load()
        self.rows_kept = self.cache.ids()[: len(before)] == before
        return True

    def close(self) -> None:
        self.file.db.close()

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        return len(self.abstracts)

    def abstract(self, record_id: str) -> Abstract:
        try:
            return self.abstracts[self.rows[record_id]]
        except KeyError:
            raise UnknownIdError(record_id) from None

    def rows_of(self, keys: Sequence[str]) -> list[int | None]:
        """The row of each record id (None when not in the corpus), in one pass."""
        rows = self.rows
        if isinstance(rows, RowsById):
            return rows.rows_of(keys)
        return [rows.get(k) for k in keys]

    def source_codes(self) -> tuple[list[str], Sequence[int]]:
        """The sorted source names and each row's code into them."""
        return self.cache.sources, self.cache._cast("source_codes", "i")

    def resolve(self, text: str) -> str:
        """The record id that `text` names: an id, an arXiv id (`arXiv:2306.10015v2`,
        as copied from a paper), or a unique prefix of one (case-insensitive)."""
        key = normalize_id(text)
        if key in self.rows:
            return key
        rows = self.cache.rows_with_fold_prefix(fold(key)) if key else []
        ids = [self.ids[r] for r in rows]
        exact = [i for i in ids if i.casefold() == key.casefold()]
        if len(exact) == 1:
            return exact[0]
        if not ids:
            raise UnknownIdError(text)
        if len(ids) > 1:
            raise AmbiguousIdError(text, sorted(ids, key=str.casefold))
        return ids[0]

    # ----------------------------------------------------------------- writing
    def write(self, merged: Sequence[Abstract]) -> None:
        """Make `merged` the corpus: `corpus.json` (atomically), then its cache and its
        search index, then memory. The one way to write the corpus: call it holding
        `self.file.lock`, after `_catch_up` (the save counter goes on from the file it
        replaces).

        Each record is encoded once, and its bytes go both into `corpus.json` and into
        the cache's temporary file as they are made: neither file is ever whole in
        memory (a million records make 1.3 GB of each)."""
        from reader.core.search import postings
        from reader.core.search.index import SearchIndex, title_segments

        key = uuid.uuid4().hex
        dumps = orjson.dumps
        cache, source = self._write_files(
            [cachefile.row_of(a) for a in merged],
            key,
            ((a.id, dumps(a.to_dict())) for a in merged),
        )
        shown = title_segments([a.title for a in merged], [a.headline for a in merged])
        built = postings.build([a.text for a in merged], shown)
        abstracts = CachedAbstracts(cache)
        index = SearchIndex(abstracts, built)
        with contextlib.suppress(OSError):
            index.save(self.index_dir, cache.index_key)
        self._install(cache, source, index)
        index.replace_abstracts(self.abstracts)

    def _write_files(
        self,
        rows: Sequence[cachefile.Row] | cachefile.Columns,
        key: str,
        records: Iterable[tuple[str, bytes | memoryview]],
    ) -> tuple[CorpusCache, cachefile.Identity | None]:
        """Replace `corpus.json` (atomically, generation `key`) and its cache with
        `records`: each row's id and the orjson of its stored dict, in row order, each
        written into both files as it comes, a batch of rows at a time (one write of
        each file per batch). Returns the new cache (made from the file when it could
        not be written) and the identity of the file."""
        with cachefile.Draft(self.cache_path, rows, key) as draft:

            def body(out: BinaryIO, meta: bytes) -> None:
                dumps = orjson.dumps
                out.write(b'{"abstracts":{')
                pieces: list[bytes | memoryview] = []
                batch: list[bytes | memoryview] = []
                for row, (record_id, record) in enumerate(records):
                    pieces += (b"%s%s:" % (b"," if row else b"", dumps(record_id)), record)
                    batch.append(record)
                    if len(batch) == _BATCH:
                        out.write(b"".join(pieces))
                        draft.add_many(batch)
                        pieces, batch = [], []
                out.write(b"".join(pieces))
                draft.add_many(batch)
                out.write(b'},"meta":%s}' % meta)

            self.file.storage.write_stream(body, {"corpus": {"generation": key}})
            source = cachefile.identity(self.path)
            cache = draft.commit(source, self.file.storage.saves)
        if cache is None:  # the cache could not be written: made from the file instead
            cache, source = self._rebuild_cache()
            self.file.storage.forget()
        return cache, source

    def write_changes(self, changes: importer.Changes) -> None:
        """Make the corpus what it is with `changes` (rows updated, records appended),
        with the guarantees of `write` (call it the same way), at the cost of what
        changed: unchanged records are copied into both new files as the bytes the cache
        holds (the orjson that `corpus.json` holds), never decoded nor encoded again;
        only changed and new records are encoded. The cache's records are checked
        whole first (their CRC32): a damaged cache is rebuilt from `corpus.json`, never
        copied from. The index grows by a delta (`SearchIndex.grown`) when it can."""
        if not self.cache.records_intact():
            self.damaged()
        old = self.cache
        before = (old.index_key, old.n)
        updated, appended = changes.updated, changes.appended
        key = uuid.uuid4().hex
        columns = cachefile.Columns.grown(old, updated, appended)

        def records() -> Iterator[tuple[str, bytes | memoryview]]:
            dumps, copy, ids = orjson.dumps, old.record_bytes, columns.ids
            for row in range(len(ids)):
                new = appended[row - old.n] if row >= old.n else updated.get(row)
                yield ids[row], copy(row) if new is None else dumps(new.to_dict())

        cache, source = self._write_files(columns, key, records())
        self._install(cache, source)
        self._grow_index(before, changes)

    def _grow_index(self, before: tuple[str, int], changes: importer.Changes) -> None:
        """The index after an import made `changes` to the corpus of generation and size
        `before`: the saved index and a delta, else built whole (the changed and new
        records read from memory: a first import decodes nothing); saved."""
        from reader.core.search.index import SearchIndex

        n0 = before[1]
        changed = [*changes.updated, *range(n0, n0 + len(changes.appended))]
        index = SearchIndex.grown(self.index_dir, before, self.abstracts, changed)
        if index is None:
            assert isinstance(self.abstracts, _Abstracts)  # as `_install` makes it
            index = SearchIndex.build(_Changed(self.abstracts, changes, n0))
            index.replace_abstracts(self.abstracts)
        self._set_index(self._saved(index, self.cache.index_key))

    def _saved(self, index: SearchIndex, key: str) -> SearchIndex:
        """`index` saved under `key` (a cache: when it cannot be, the next start builds
        it again) and, when built whole, mapped back from its files: the arrays built in
        memory are freed (1.2 GB at a million abstracts)."""
        from reader.core.search.index import SearchIndex

        if self.read_only:
            return index
        try:
            index.save(self.index_dir, key)
        except OSError:
            return index
        if index.delta is not None:
            return index
        return SearchIndex.load(self.index_dir, key, self.abstracts) or index

    def import_parsed(self, parsed: list[importer.FileReport]) -> importer.ImportReport:
        """Merge parsed files into the corpus under its lock (see `importer.merge`);
        the corpus and its index are written only when something was added or updated,
        and then at the cost of what changed (`write_changes`)."""
        from reader.core.ingest import importer

        if self.read_only:
            raise ReadOnlyError("this library is open read-only; nothing was imported")
        with self.file.lock, gc_paused():
            self._catch_up()
            report, changes = importer.merge(self.abstracts, self.rows_of, parsed)
            if changes:
                self.write_changes(changes)
        return report

    def remove(self, ids: Sequence[str]) -> list[tuple[int, Abstract]]:
        """Take the abstracts of `ids` out of the corpus (under its lock, one write);
        returns each with the row it had, for `reinsert`. Ids not in the corpus (any
        more) are left out. Annotations live elsewhere and are not touched."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; nothing was removed")
        with self.file.lock:
            self._catch_up()
            rows = sorted({r for r in self.rows_of(list(ids)) if r is not None})
            removed = [(row, self.abstracts[row]) for row in rows]
            if removed:
                gone = set(rows)
                self.write([a for r, a in enumerate(self.abstracts) if r not in gone])
        return removed

    def reinsert(self, removed: Sequence[tuple[int, Abstract]]) -> int:
        """Put removed abstracts back at their rows (an undo of `remove`); one whose id
        is in the corpus again (re-imported or fetched since) stays as it is now.
        Returns how many went back."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; nothing was put back")
        with self.file.lock:
            self._catch_up()
            present = self.rows_of([a.id for _, a in removed])
            merged = list(self.abstracts)
            back = 0
            for (row, abstract), now in sorted(zip(removed, present, strict=True), key=_row):
                if now is None:
                    merged.insert(min(row, len(merged)), abstract)
                    back += 1
            if back:
                self.write(merged)
        return back

    def _catch_up(self) -> None:
        """Under the lock, before a write: the corpus as another process may have left
        it, and the save counter of the file the write replaces (from the cache made
        from that very file, without parsing it; else read from the file)."""
        if cachefile.identity(self.path) != self._identity:
            self.load()
        if (
            self._identity is not None
            and self.cache.source == self._identity
            and self.cache.saves >= 0
        ):
            self.file.storage.assume_saves(self.cache.saves)
        else:
            self.file.load()


def _row(item: tuple[tuple[int, Abstract], int | None]) -> int:
    return item[0][0]


class _Changed(ItemsOnRead[Abstract]):
    """The abstracts an import just wrote: the changed and new ones as it has them in
    memory, the others read from the cache (what a full build of the index reads)."""

    def __init__(self, abstracts: _Abstracts, changes: importer.Changes, n0: int) -> None:
        self._abstracts = abstracts
        self._changes = changes
        self._n0 = n0

    def __len__(self) -> int:
        return len(self._abstracts)

    def item(self, row: int) -> Abstract:
        if row >= self._n0:
            return self._changes.appended[row - self._n0]
        return self._changes.updated.get(row) or self._abstracts[row]

    def index_columns(self) -> dict[str, Any]:
        return self._abstracts.index_columns()

    def record_sizes(self) -> Any:
        return self._abstracts.record_sizes()

    @property
    def inner(self) -> CachedAbstracts:
        return self._abstracts.inner


class _Abstracts(Sequence[Abstract]):
    """The store's abstracts: a cache-backed sequence that, when a record of the
    cache turns out damaged, has the store rebuild the cache and asks again."""

    def __init__(self, store: CorpusStore, inner: CachedAbstracts) -> None:
        self._store = store
        self.inner = inner

    def __len__(self) -> int:
        return len(self.inner)

    def __getitem__(self, row: Any) -> Any:
        try:
            return self.inner[row]
        except CacheDamaged:
            self._store.damaged()
            return self._store.abstracts.inner[row]  # type: ignore[attr-defined]

    def column(self, name: str) -> list[Any]:
        try:
            return self.inner.column(name)
        except CacheDamaged:
            self._store.damaged()
            return self._store.abstracts.inner.column(name)  # type: ignore[attr-defined]

    def index_columns(self) -> dict[str, Any]:
        return self.inner.cache.arrays()

    def record_sizes(self) -> Any:
        return self.inner.record_sizes()

    def rows_with_id_prefix(self, prefix: str) -> list[int]:
        return self.inner.cache.rows_with_fold_prefix(prefix)
