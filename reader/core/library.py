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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from tinydb.table import Document

from reader.core import changes
from reader.core.changes import Change, ConflictError, Edit, Plan, Want
from reader.core.errors import (
    AmbiguousIdError,
    ReadOnlyError,
    StoreError,
    UnknownIdError,
)
from reader.core.ingest import importer
from reader.core.merge import MINE, THEIRS, Merged, merge_note
from reader.core.models import EMPTY, Abstract, Annotation, Status, normalize_tag, now_iso
from reader.core.search.index import SearchIndex
from reader.core.search.query import Node, parse
from reader.core.store.corpus import Corpus, column
from reader.core.store.folder import (
    bundled_seeds,
    check_corpus,
    check_schema,
    check_user,
    default_data_dir,
    has_records,
    make_data_dir,
    open_data_file,
    probe_writable,
)
from reader.core.store.journal import DraftJournal, orphaned_drafts
from reader.core.views import View, ViewsMixin

_VERSION = re.compile(r"(?<=\d)v\d+$")

SORTS = ("source", "date", "status", "updated", "relevance")
"""The orders `rows()` accepts."""


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
        self.read_only_reason: str | None = None
        """Why the library is open read-only when nobody asked for it (read-only media)."""
        if not read_only:
            make_data_dir(self.data_dir)
            self.read_only_reason = probe_writable(self.data_dir)
            if self.read_only_reason:
                read_only = True
                self.messages.append(
                    f"{self.read_only_reason}: the library is open read-only (reading, "
                    "searching and exporting work; changes are refused)."
                )
        self.corpus_path = self.data_dir / "corpus.json"
        self.user_path = self.data_dir / "user.json"
        self.index_dir = self.data_dir / "index"
        self._corpus = open_data_file(
            self.corpus_path,
            read_only=read_only,
            backups=True,
            link_backups=True,
            validate=check_corpus,
            sibling_has_records=lambda: has_records(self.user_path, "annotations"),
        )
        self._user = open_data_file(
            self.user_path,
            read_only=read_only,
            backups=True,
            validate=check_user,
            sibling_has_records=lambda: has_records(self.corpus_path, "abstracts"),
        )
        self.corpus_is_new = self._corpus.storage.may_be_missing
        """No corpus was ever written here: the only case where samples are imported."""
        if not check_schema(self._user):
            read_only = True
            self._user.storage.read_only = True
        self.messages += self.take_notices()
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

        With `seed`, a new library (no corpus was ever written in the folder) imports
        the bundled sample abstracts; an existing one is never re-seeded.
        """
        library = cls(Path(data_dir) if data_dir else default_data_dir(), read_only=read_only)
        if seed and not library.read_only and library.corpus_is_new and len(library) == 0:
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
        with _no_gc():
            data = self._corpus.load()  # every record's shape is checked (check_corpus)
            records = list(data.get("abstracts", {}).values())
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
        data = self._user.load()
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
        """Pick up changes another process wrote; returns True when anything changed.

        A data file found damaged is recovered (see `store.DataFile.load`); what
        happened is in `take_notices()`.
        """
        changed = False
        if self._corpus.storage.changed_on_disk():
            self._corpus.load()
            if self._corpus.storage.generation != self._corpus_generation:
                self._load_corpus()
                changed = True
        if self._user.storage.changed_on_disk():
            self._user.load()
            if self._user.storage.generation != self._user_generation:
                self._load_user()
                changed = True
        return changed

    def take_notices(self) -> list[str]:
        """What the user should be told about the data files since the last call
        (a damaged file recovered while running); each is handed out once."""
        return self._corpus.pop_messages() + self._user.pop_messages()

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
    def _change(
        self,
        label: str,
        ids: Sequence[str],
        wants: Callable[[str, Annotation, Annotation], Iterable[Want]],
    ) -> Change:
        """Make the edits `wants` asks for, if they still hold; write once; return them.

        `wants(id, seen, now)` gets the annotation this process had in memory (what the
        caller saw) and the one just read from disk under the lock. A want whose
        `expect` no longer holds refuses the whole change with ConflictError, and
        nothing is written.
        """
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; the change was not made")
        keys = list(dict.fromkeys(ids))
        seen = {key: self._ann.get(key, EMPTY) for key in keys}
        with self._user.lock:
            self._sync_user()
            plan = Plan()
            for key in keys:
                now = self._ann.get(key, EMPTY)
                for want in wants(key, seen[key], now):
                    plan.add(want, changes.get(now, want.field))
            if plan.stale:
                raise ConflictError(label, plan.stale)
            if plan.edits:
                self._write_edits(plan.edits)
        return Change(label, tuple(plan.edits))

    def _sync_user(self) -> None:
        storage = self._user.storage
        self._user.load()
        if storage.generation != self._user_generation:
            self._load_user()

    def _write_edits(self, edits: Sequence[Edit]) -> None:
        """Apply `edits` to the annotations in memory and write them (under the lock)."""
        stamp = now_iso()
        after: dict[str, Annotation] = {}
        for edit in edits:
            old = after.get(edit.id) or self._ann.get(edit.id, EMPTY)
            after[edit.id] = changes.put(old, edit.field, edit.after)
        for key, new in after.items():
            old = self._ann.get(key, EMPTY)
            after[key] = (
                EMPTY if new.is_empty else replace(new, created=old.created or stamp, updated=stamp)
            )
        self._write_annotations(after)

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

    def set_status(
        self, ids: Sequence[str], status: Status, *, seen: Mapping[str, Status] | None = None
    ) -> Change:
        """Set the status, where it still is what the caller saw: `seen` (the statuses a
        picker showed when it opened), else what this process last read."""
        return self._change(
            f"status {status.value} on {_n(ids)}",
            ids,
            lambda key, last, _: [
                Want(key, "status", status, seen.get(key, last.status) if seen else last.status)
            ],
        )

    def tag(
        self, ids: Sequence[str], add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> Change:
        """Add and remove tags (normalised; ValueError for an invalid tag).

        Each tag is its own field: adding one never touches the others or the note.
        """
        plus = tuple(normalize_tag(t) for t in add)
        minus = tuple(normalize_tag(t) for t in remove)
        words = [f"+{t}" for t in plus] + [f"-{t}" for t in minus]

        def wants(key: str, _seen: Annotation, _now: Annotation) -> list[Want]:
            return [Want(key, f"#{t}", True) for t in plus] + [
                Want(key, f"#{t}", False) for t in minus if t not in plus
            ]

        return self._change(f"{' '.join(words)} on {_n(ids)}", ids, wants)

    def set_note(self, record_id: str, text: str, *, base: str | None = None) -> Change:
        """Save `text` as the note, made from `base` (default: the note last read).

        If the note on disk is no longer `base` (another window, command or draft
        saved meanwhile), the two are merged (see `merge.merge_note`): both edits are
        kept, and `Change.notice` tells the user. Never drops either side.
        """
        outcome: list[Merged] = []

        def wants(key: str, seen: Annotation, now: Annotation) -> list[Want]:
            merged = merge_note(seen.note if base is None else base, now.note, text)
            outcome.append(merged)
            return [Want(key, "note", merged.text)]

        change = self._change(f"note on {record_id}", [record_id], wants)
        return replace(change, notice=_merge_notice(record_id, outcome[0]))

    def append_note(self, record_id: str, text: str) -> Change:
        """Add `text` as a new paragraph at the end of the note as it is on disk."""

        def wants(key: str, _seen: Annotation, now: Annotation) -> list[Want]:
            joined = f"{now.note.rstrip()}\n\n{text}" if now.note.strip() else text
            return [Want(key, "note", joined)]

        return self._change(f"note on {record_id}", [record_id], wants)

    def set_title(self, record_id: str, text: str, *, seen: str | None = None) -> Change:
        """Set the user's title, where it still is what the caller saw: `seen` (the
        title a prompt showed when it opened), else what this process last read."""
        title = " ".join(text.split())
        return self._change(
            f"title on {record_id}",
            [record_id],
            lambda key, last, _: [Want(key, "title", title, last.title if seen is None else seen)],
        )

    def put(self, label: str, annotations: dict[str, Annotation]) -> Change:
        """Set whole annotations (status, tags, note, title) at once: a restore.

        Each field is set only where it still holds what this process last read.
        """

        def wants(key: str, seen: Annotation, now: Annotation) -> list[Want]:
            new = annotations[key]
            found = [Want(key, name, getattr(new, name), getattr(seen, name)) for name in _PLAIN]
            for tag in sorted(set(seen.tags) | set(now.tags) | set(new.tags)):
                found.append(Want(key, f"#{tag}", tag in new.tags, tag in seen.tags))
            return found

        return self._change(label, list(annotations), wants)

    def undo(self, change: Change) -> Change:
        """Put back what `change` found, in the fields it touched and only there.

        Refused (ConflictError, nothing written) when one of those fields was changed
        since by anything else.
        """
        return self._replay(f"undo {change.label}", change.undo_wants())

    def redo(self, change: Change) -> Change:
        """Make `change` again, where its fields still hold what the undo put back."""
        return self._replay(f"redo {change.label}", change.redo_wants())

    def _replay(self, label: str, wants: list[Want]) -> Change:
        by_id: dict[str, list[Want]] = {}
        for want in wants:
            by_id.setdefault(want.id, []).append(want)
        return self._change(label, list(by_id), lambda key, _s, _n: by_id[key])

    # ----------------------------------------------------------------- drafts
    def journal_draft(
        self, record_id: str, text: str, base: str, *, slot: str | None = None
    ) -> None:
        """Journal an unsaved note draft, made from the note `base`, so a crash before
        the next save keeps it. An editor other than the app's names its own `slot`
        (default: the record id), so no other editor's save clears its draft."""
        if self._journal is None:
            self._journal = DraftJournal(self.data_dir / "drafts")
        try:
            self._journal.record(record_id, text, base, slot)
        except OSError as error:
            raise StoreError(f"cannot journal the draft: {error.strerror}") from None

    def clear_draft(self, record_id: str, *, slot: str | None = None) -> None:
        """The draft of `record_id` (in `slot`) reached the library: drop it from the
        journal. Drafts in other slots stay."""
        if self._journal is not None:
            with contextlib.suppress(OSError):
                self._journal.clear(slot or record_id)

    def recover_drafts(self) -> list[str]:
        """Save the drafts that processes killed while editing left behind.

        A draft is applied as an edit made from the note it started from: if the note
        changed since (another window saved later), the two are merged or both kept.
        Returns the ids whose note changed, and tells the user in `messages`.
        """
        recovered: list[str] = []
        for path, drafts in orphaned_drafts(self.data_dir / "drafts"):
            for draft in drafts.values():
                record_id = draft.record_id
                if self.annotation(record_id).note == draft.text:
                    continue
                base = draft.base if draft.base is not None else ""  # unknown: keep both
                change = self.set_note(record_id, draft.text, base=base)
                if change.edits:
                    recovered.append(record_id)
                    message = f"Recovered an unsaved draft of the note on {record_id}."
                    self.messages.append(f"{message} {change.notice}".strip())
            with contextlib.suppress(OSError):
                path.unlink()
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
            self._corpus.load()
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


_PLAIN = ("status", "note", "title")
"""The fields that hold one value (tags are edited one by one)."""


def _merge_notice(record_id: str, merged: Merged) -> str:
    """What to tell the user after saving a note that was changed meanwhile."""
    if merged.outcome == "merged":
        return (
            f"The note on {record_id} was also changed elsewhere meanwhile; both edits were merged."
        )
    if merged.outcome == "conflict":
        return (
            f"The note on {record_id} was also changed elsewhere in the same lines; "
            f"both versions are kept in the note between '{MINE}' and '{THEIRS}'."
        )
    return ""


__all__ = ["SORTS", "Change", "ConflictError", "Library", "View"]
