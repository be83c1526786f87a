"""The Library: the one API the CLI and the TUI use to read and change data.

Rows: the abstracts are held in corpus order (the order they were first imported);
row `i` of the search index is `abstracts[i]`. The UI works with row numbers (numpy
arrays, cheap at 100k); the CLI with record ids.

Every change goes through `_update`, which takes the user-data lock, reloads what
another process may have written, applies the change to the fresh state, writes once
(atomically, durably) and only then updates memory. So a change is on disk when the
call returns, two processes never lose each other's updates, and a failed write
(disk full, read-only folder) leaves memory and disk as they were.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import itertools
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from tinydb.table import Document

from reader.core import importer
from reader.core.corpus import Corpus, column
from reader.core.errors import (
    AmbiguousIdError,
    ReadOnlyError,
    StoreError,
    UnknownIdError,
)
from reader.core.index import SearchIndex
from reader.core.journal import DraftJournal, orphaned_drafts
from reader.core.models import EMPTY, Abstract, Annotation, Status, normalize_tag, now_iso
from reader.core.query import Node, parse
from reader.core.store import (
    bundled_seeds,
    check_schema,
    default_data_dir,
    open_data_file,
)
from reader.core.views import View, ViewsMixin

_VERSION = re.compile(r"(?<=\d)v\d+$")

SORTS = ("source", "date", "status", "updated", "relevance")
"""The orders `rows()` accepts."""


@dataclass(frozen=True)
class Change:
    """One user action, as the annotations before and after it (for undo and redo)."""

    label: str
    before: dict[str, Annotation]
    after: dict[str, Annotation]

    @property
    def count(self) -> int:
        return len(self.after)

    def inverse(self) -> Change:
        return Change(self.label, self.after, self.before)


class Library(ViewsMixin):
    """Abstracts, the user's annotations on them, search, and every change to them."""

    def __init__(self, data_dir: Path, *, read_only: bool = False, backups: bool = True):
        """Open the library in `data_dir` (created if missing). Prefer `Library.open`."""
        with _no_gc():
            self._open(Path(data_dir), read_only)

    def _open(self, data_dir: Path, read_only: bool) -> None:
        self.data_dir = data_dir
        self.messages: list[str] = []
        """Things the user should be told after opening (recoveries, read-only mode)."""
        if not read_only:
            try:
                self.data_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create {self.data_dir}: {error.strerror}") from None
        self.corpus_path = self.data_dir / "corpus.json"
        self.user_path = self.data_dir / "user.json"
        self.index_dir = self.data_dir / "index"
        self._corpus = open_data_file(self.corpus_path, read_only=read_only, backups=False)
        self._user = open_data_file(self.user_path, read_only=read_only, backups=True)
        self.messages += self._corpus.messages + self._user.messages
        if not check_schema(self._user):
            read_only = True
            self._user.storage.read_only = True
        self.messages += [m for m in self._user.messages if m not in self.messages]
        self.read_only = read_only
        self._abstracts: Sequence[Abstract] = []
        self._rows: dict[str, int] = {}
        self._ids: list[str] = []
        self._ann: dict[str, Annotation] = {}
        self._index = SearchIndex.build([])
        self._sorted_ids: list[tuple[str, str]] | None = None
        self._journal: DraftJournal | None = None
        self._corpus_generation = -1
        self._user_generation = -1
        self._load_corpus()
        self._load_user()

    @classmethod
    def open(
        cls, data_dir: Path | str | None = None, *, seed: bool = True, read_only: bool = False
    ) -> Library:
        """Open the library at `data_dir` (else READER_HOME, else the platform data dir).

        With `seed`, an empty library imports the bundled sample abstracts.
        """
        library = cls(Path(data_dir) if data_dir else default_data_dir(), read_only=read_only)
        if seed and not library.read_only and len(library) == 0:
            seeds = bundled_seeds()
            if seeds is not None:
                report = library.import_paths([seeds])
                library.messages.append(
                    f"New library: imported {report.added} sample abstracts from {seeds}."
                )
        if not library.read_only:
            library.recover_drafts()
        return library

    # ----------------------------------------------------------------- loading
    def _load_corpus(self) -> None:
        storage = self._corpus.storage
        with _no_gc():
            data = storage.read() or {}
            table = data.get("abstracts", {})
            records = list(table.values())
            try:
                if records:
                    Abstract.from_dict(records[0])  # the shape check; rows are made lazily
            except (KeyError, TypeError, ValueError) as error:
                raise StoreError(
                    f"{self.corpus_path} does not hold abstracts as this release writes them "
                    f"({error!r}); re-import your files into a new data folder"
                ) from None
            abstracts = Corpus(records)
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
        self._abstracts = abstracts
        self._ids = column(abstracts, "id")
        self._rows = {key: i for i, key in enumerate(self._ids)}
        self._sorted_ids = None
        self._index = index
        self._corpus_generation = self._corpus.storage.generation
        index.set_annotations((self._rows[k], a) for k, a in self._ann.items() if k in self._rows)

    def _load_user(self) -> None:
        storage = self._user.storage
        data = storage.read() or {}
        fresh: dict[str, Annotation] = {}
        for key, doc in data.get("annotations", {}).items():
            try:
                fresh[key] = Annotation.from_dict(doc)
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise StoreError(
                    f"{self.user_path}: the annotation of {key!r} is malformed ({error})"
                ) from None
        changed = [k for k in fresh.keys() | self._ann.keys() if fresh.get(k) != self._ann.get(k)]
        self._ann = fresh
        self._index.set_annotations(
            (self._rows[k], fresh.get(k, EMPTY)) for k in changed if k in self._rows
        )
        self._user_generation = storage.generation

    def refresh(self) -> bool:
        """Pick up changes another process wrote; returns True when anything changed."""
        changed = False
        if self._corpus.storage.changed_on_disk():
            self._corpus.storage.read()
            if self._corpus.storage.generation != self._corpus_generation:
                self._load_corpus()
                changed = True
        if self._user.storage.changed_on_disk():
            self._user.storage.read()
            if self._user.storage.generation != self._user_generation:
                self._load_user()
                changed = True
        return changed

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
        self._corpus.db.close()
        self._user.db.close()

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        return len(self._abstracts)

    @property
    def index(self) -> SearchIndex:
        return self._index

    def ids(self) -> list[str]:
        """Every record id, in corpus order."""
        return column(self._abstracts, "id")

    def row_of(self, record_id: str) -> int:
        return self._rows[record_id]

    def abstract_at(self, row: int) -> Abstract:
        return self._abstracts[row]

    def abstract(self, record_id: str) -> Abstract:
        try:
            return self._abstracts[self._rows[record_id]]
        except KeyError:
            raise UnknownIdError(record_id) from None

    def annotation(self, record_id: str) -> Annotation:
        return self._ann.get(record_id, EMPTY)

    def annotation_at(self, row: int) -> Annotation:
        return self._ann.get(self._ids[row], EMPTY)

    def title(self, record_id: str) -> str:
        """The user's title when set, else the headline."""
        return self.annotation(record_id).title or self.abstract(record_id).headline

    def annotations(self) -> dict[str, Annotation]:
        """Every non-empty annotation, by record id (including ids not in the corpus)."""
        return dict(self._ann)

    def resolve(self, prefix: str) -> str:
        """The record id that `prefix` names: an id, an arXiv id, or a unique prefix."""
        text = prefix.strip()
        if text.lower().startswith("arxiv:"):
            text = text[6:]
        text = _VERSION.sub("", text)  # 2306.10015v2, as copied from a paper
        if text in self._rows:
            return text
        ids = self._ids_with_prefix(text) if text else []
        if not ids:
            raise UnknownIdError(prefix)
        if len(ids) > 1:
            raise AmbiguousIdError(prefix, ids)
        return ids[0]

    def _ids_with_prefix(self, prefix: str) -> list[str]:
        """Record ids that start with `prefix` (case-insensitive), by bisecting a sorted list."""
        if self._sorted_ids is None:
            self._sorted_ids = sorted((k.lower(), k) for k in column(self._abstracts, "id"))
        key = prefix.lower()
        start = bisect.bisect_left(self._sorted_ids, (key, ""))
        found = []
        for low, original in itertools.islice(self._sorted_ids, start, None):
            if not low.startswith(key):
                break
            found.append(original)
        return found

    def resolve_many(self, prefixes: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(self.resolve(p) for p in prefixes))

    def parse_query(self, query: str) -> Node:
        """The query's AST; raises QueryError with a position."""
        return parse(query)

    def rows(self, query: str | Node = "", sort: str = "source") -> np.ndarray:
        """Rows matching `query`, in the order `sort` (one of SORTS). Raises QueryError."""
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r} (expected one of: {', '.join(SORTS)})")
        node = parse(query) if isinstance(query, str) else query
        found = self._index.search(node)
        return self._index.order(found, sort, node)

    def search(self, query: str | Node = "", sort: str = "source") -> list[str]:
        """Record ids matching `query`, in the order `sort`."""
        return [self._ids[r] for r in self.rows(query, sort)]

    def count(self, query: str | Node) -> int:
        node = parse(query) if isinstance(query, str) else query
        return int(self._index.mask(node).sum())

    def status_counts(self, rows: np.ndarray | None = None) -> dict[Status, int]:
        return self._index.count_by_status(rows)

    def tag_counts(self) -> Counter[str]:
        """How many abstracts in the corpus carry each tag."""
        counts: Counter[str] = Counter()
        for key, ann in self._ann.items():
            if key in self._rows:
                counts.update(ann.tags)
        return counts

    def source_counts(self) -> Counter[str]:
        return Counter(column(self._abstracts, "source"))

    # ----------------------------------------------------------------- changes
    def _update(
        self, label: str, ids: Sequence[str], change: Callable[[str, Annotation], Annotation]
    ) -> Change:
        """Apply `change` to the current annotation of each id, write once, return it."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; the change was not made")
        user = self._user
        with user.lock:
            self._sync_user()
            stamp = now_iso()
            before: dict[str, Annotation] = {}
            after: dict[str, Annotation] = {}
            for key in dict.fromkeys(ids):
                old = self._ann.get(key, EMPTY)
                new = change(key, old)
                if new.same_content(old):
                    continue
                if new.is_empty:
                    new = EMPTY
                else:
                    new = replace(new, created=old.created or stamp, updated=stamp)
                before[key], after[key] = old, new
            if after:
                self._write_annotations(after)
        return Change(label, before, after)

    def _sync_user(self) -> None:
        storage = self._user.storage
        storage.read()
        if storage.generation != self._user_generation:
            self._load_user()

    def _write_annotations(self, after: dict[str, Annotation]) -> None:
        table = self._user.db.table("annotations")
        storage = self._user.storage
        with storage.batch():
            present = [k for k in after if k in self._ann]
            if present:
                table.remove(doc_ids=present)  # type: ignore[arg-type]  # str ids: KeyedTable
            table.insert_multiple(
                Document(a.to_dict(), doc_id=k)  # type: ignore[arg-type]
                for k, a in after.items()
                if a is not EMPTY
            )
        self._user_generation = storage.generation
        for key, ann in after.items():
            if ann is EMPTY:
                self._ann.pop(key, None)
            else:
                self._ann[key] = ann
            row = self._rows.get(key)
            if row is not None:
                self._index.set_annotation(row, ann)

    def set_status(self, ids: Sequence[str], status: Status) -> Change:
        return self._update(
            f"status {status.value} on {_n(ids)}", ids, lambda _, a: replace(a, status=status)
        )

    def tag(
        self, ids: Sequence[str], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> Change:
        """Add and remove tags (normalised; ValueError for an invalid tag)."""
        plus = tuple(normalize_tag(t) for t in add)
        minus = tuple(normalize_tag(t) for t in remove)
        words = [f"+{t}" for t in plus] + [f"-{t}" for t in minus]
        return self._update(
            f"{' '.join(words)} on {_n(ids)}", ids, lambda _, a: a.with_tags(plus, minus)
        )

    def set_note(self, record_id: str, text: str) -> Change:
        return self._update(f"note on {record_id}", [record_id], lambda _, a: replace(a, note=text))

    def append_note(self, record_id: str, text: str) -> Change:
        def add(_: str, a: Annotation) -> Annotation:
            joined = f"{a.note.rstrip()}\n\n{text}" if a.note.strip() else text
            return replace(a, note=joined)

        return self._update(f"note on {record_id}", [record_id], add)

    def set_title(self, record_id: str, text: str) -> Change:
        title = " ".join(text.split())
        label = f"title on {record_id}"
        return self._update(label, [record_id], lambda _, a: replace(a, title=title))

    def put(self, label: str, annotations: dict[str, Annotation]) -> Change:
        """Set whole annotations (status, tags, note, title) at once: restore, undo, redo."""

        def take(key: str, old: Annotation) -> Annotation:
            new = annotations[key]
            return replace(old, status=new.status, tags=new.tags, note=new.note, title=new.title)

        return self._update(label, list(annotations), take)

    def undo(self, change: Change) -> Change:
        """Put back the annotations from before `change`; returns the change made."""
        return self.put(f"undo {change.label}", change.before)

    def redo(self, change: Change) -> Change:
        return self.put(f"redo {change.label}", change.after)

    # ----------------------------------------------------------------- drafts
    def journal_draft(self, record_id: str, text: str) -> None:
        """Journal an unsaved note draft so a crash before the next save keeps it."""
        if self._journal is None:
            self._journal = DraftJournal(self.data_dir / "drafts")
        try:
            self._journal.record(record_id, text)
        except OSError as error:
            raise StoreError(f"cannot journal the draft: {error.strerror}") from None

    def clear_draft(self, record_id: str) -> None:
        """The draft of `record_id` reached the library: drop it from the journal."""
        if self._journal is not None:
            with contextlib.suppress(OSError):
                self._journal.clear(record_id)

    def recover_drafts(self) -> list[str]:
        """Save the drafts that processes killed while editing left behind.

        Returns the ids whose note changed, and tells the user in `messages`.
        """
        recovered: list[str] = []
        for path, drafts in orphaned_drafts(self.data_dir / "drafts"):
            for record_id, text in drafts.items():
                if self.annotation(record_id).note != text:
                    self.set_note(record_id, text)
                    recovered.append(record_id)
            with contextlib.suppress(OSError):
                path.unlink()
        for record_id in recovered:
            self.messages.append(f"Recovered an unsaved draft of the note on {record_id}.")
        return recovered

    # ----------------------------------------------------------------- import
    def import_paths(
        self, paths: Iterable[Path | str], progress: Callable[[int, int], None] | None = None
    ) -> importer.ImportReport:
        """Import files and folders; see `importer.run`. Annotations are never touched."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; nothing was imported")
        parsed = importer.parse_paths([Path(p) for p in paths], progress)
        with self._corpus.lock:
            storage = self._corpus.storage
            storage.read()
            if storage.generation != self._corpus_generation:
                self._load_corpus()
            report, merged = importer.merge(self._abstracts, self._rows, parsed)
            if report.added or report.updated:
                key = uuid.uuid4().hex
                data = {
                    "abstracts": {a.id: a.to_dict() for a in merged},
                    "meta": {"corpus": {"generation": key}},
                }
                storage.write(data)
                index = SearchIndex.build(merged)
                with contextlib.suppress(OSError):
                    index.save(self.index_dir, key)
                self._install(merged, index)
        return report


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Load without the cyclic GC, then freeze what was loaded.

    At 100k records the collector ran again and again over the just-loaded corpus
    (about a second of a cold start); the loaded objects live as long as the library,
    so `gc.freeze` moves them out of every later collection too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def _n(ids: Sequence[str]) -> str:
    return ids[0] if len(ids) == 1 else f"{len(ids)} abstracts"


__all__ = ["SORTS", "Change", "Library", "View"]
