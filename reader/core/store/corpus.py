"""The corpus store: `corpus.json` (the abstracts), their search index, and import.

The corpus is rewritten only by an import. This store owns the file, its lock and
its reload: rows are the abstracts in corpus order (the order they were first
imported), and row `i` of the search index is `abstracts[i]`. The index is cached in
`index/` under the corpus's generation key, so a start without changes loads it
instead of rebuilding it.

The index also knows each row's annotation (status, tags, note, title) so queries
can ask for them; the store asks its owner for them (`annotations`) whenever it
builds a new index.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from reader.core.errors import AmbiguousIdError, ReadOnlyError, UnknownIdError
from reader.core.ingest import importer
from reader.core.models import Abstract, Annotation, normalize_id
from reader.core.search.index import SearchIndex
from reader.core.store.folder import DataFile, check_corpus, has_records, open_data_file
from reader.core.store.records import Corpus, column


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
        self.index_dir = data_dir / "index"
        self.read_only = read_only
        self._annotations: Callable[[], Mapping[str, Annotation]] = dict
        self.file: DataFile = open_data_file(
            self.path,
            read_only=read_only,
            backups=True,
            link_backups=True,
            validate=check_corpus,
            sibling_has_records=lambda: has_records(sibling, "annotations"),
        )
        self.is_new = self.file.storage.may_be_missing
        """No corpus was ever written here: the only case where samples are imported."""
        self.abstracts: Sequence[Abstract] = []
        self.ids: list[str] = []
        """Every record id, in row order."""
        self.rows: dict[str, int] = {}
        """The row of each record id."""
        self.index = SearchIndex.build([])
        self._generation = -1

    # ----------------------------------------------------------------- loading
    def load(self, annotations: Callable[[], Mapping[str, Annotation]] | None = None) -> None:
        """Read the corpus file and load (or build and cache) its index; `annotations`
        gives the user's annotations, put in every index this store builds from now."""
        if annotations is not None:
            self._annotations = annotations
        data = self.file.load()  # every record's shape is checked (check_corpus)
        abstracts = Corpus(list(data.get("abstracts", {}).values()))
        key = str(data.get("meta", {}).get("corpus", {}).get("generation", "none"))
        index = SearchIndex.load(self.index_dir, key, abstracts)
        if index is None:
            index = SearchIndex.build(abstracts)
            if not self.read_only:
                with contextlib.suppress(OSError):  # a cache: the next start rebuilds it
                    index.save(self.index_dir, key)
        self._install(abstracts, index)

    def _install(self, abstracts: Sequence[Abstract], index: SearchIndex) -> None:
        """Make `abstracts` (with their index) the corpus in memory."""
        self.abstracts = abstracts
        self.ids = column(abstracts, "id")
        self.rows = {key: i for i, key in enumerate(self.ids)}
        self.index = index
        self._generation = self.file.storage.generation
        rows = self.rows
        index.set_annotations((rows[k], a) for k, a in self._annotations().items() if k in rows)

    def refresh(self) -> bool:
        """Reload when another process wrote the corpus; True when it changed."""
        storage = self.file.storage
        if not storage.changed_on_disk():
            return False
        self.file.load()
        if storage.generation == self._generation:
            return False
        self.load()
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

    def resolve(self, text: str) -> str:
        """The record id that `text` names: an id, an arXiv id (`arXiv:2306.10015v2`,
        as copied from a paper), or a unique prefix of one (case-insensitive)."""
        key = normalize_id(text)
        if key in self.rows:
            return key
        rows = self.index.rows_with_id_prefix(key) if key else []
        ids = [self.ids[r] for r in rows]
        exact = [i for i in ids if i.casefold() == key.casefold()]
        if len(exact) == 1:
            return exact[0]
        if not ids:
            raise UnknownIdError(text)
        if len(ids) > 1:
            raise AmbiguousIdError(text, sorted(ids, key=str.casefold))
        return ids[0]

    # ----------------------------------------------------------------- import
    def import_parsed(self, parsed: list[importer.FileReport]) -> importer.ImportReport:
        """Merge parsed files into the corpus under its lock (see `importer.merge`);
        the corpus and its index are written only when something was added or updated."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; nothing was imported")
        with self.file.lock:
            self._catch_up()
            report, merged = importer.merge(self.abstracts, self.rows, parsed)
            if report.added or report.updated:
                self._write(merged)
        return report

    def remove(self, ids: Sequence[str]) -> list[tuple[int, Abstract]]:
        """Take the abstracts of `ids` out of the corpus (under its lock, one write);
        returns each with the row it had, for `reinsert`. Ids not in the corpus (any
        more) are left out. Annotations live elsewhere and are not touched."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; nothing was removed")
        with self.file.lock:
            self._catch_up()
            rows = sorted({self.rows[key] for key in ids if key in self.rows})
            removed = [(row, self.abstracts[row]) for row in rows]
            if removed:
                gone = set(rows)
                self._write([a for r, a in enumerate(self.abstracts) if r not in gone])
        return removed

    def reinsert(self, removed: Sequence[tuple[int, Abstract]]) -> int:
        """Put removed abstracts back at their rows (an undo of `remove`); one whose id
        is in the corpus again (re-imported or fetched since) stays as it is now.
        Returns how many went back."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; nothing was put back")
        with self.file.lock:
            self._catch_up()
            merged = list(self.abstracts)
            back = 0
            for row, abstract in sorted(removed, key=lambda item: item[0]):
                if abstract.id not in self.rows:
                    merged.insert(min(row, len(merged)), abstract)
                    back += 1
            if back:
                self._write(merged)
        return back

    def _catch_up(self) -> None:
        """Under the lock: load what another process wrote since this one read."""
        self.file.load()
        if self.file.storage.generation != self._generation:
            self.load()

    def _write(self, abstracts: list[Abstract]) -> None:
        """Make `abstracts` the corpus: one atomic, durable write, then a new index
        (under the lock). Memory changes only once the write is on disk."""
        key = uuid.uuid4().hex
        data = {
            "abstracts": {a.id: a.to_dict() for a in abstracts},
            "meta": {"corpus": {"generation": key}},
        }
        self.file.storage.write(data)
        index = SearchIndex.build(abstracts)
        with contextlib.suppress(OSError):
            index.save(self.index_dir, key)
        self._install(abstracts, index)
