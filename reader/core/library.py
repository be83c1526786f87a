"""The Library: the one API the CLI and the TUI use to read and change data.

A facade over the two files of the data folder, each with its store: the corpus
(`store/corpus.py`: the abstracts, their search index, import) and the user's data
(`store/userdata.py`: annotations, saved views). The Library wires them together (the
index follows the annotations), plans every change and journals note drafts.

Rows: the abstracts are held in corpus order (the order they were first imported);
row `i` of the search index is `abstracts[i]`. The UI works with row numbers (numpy
arrays, cheap at 100k); the CLI with record ids.

Every change goes through `_change`, which takes the user-data lock, reloads what
another process may have written, plans the change against the fresh state
(`changes.Want`), writes once (atomically, durably) and only then updates memory. So
a change is on disk when the call returns, two processes never lose each other's
updates, and a failed write (disk full, read-only folder) leaves memory and disk as
they were.
"""

from __future__ import annotations

import contextlib
import itertools
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.core import changes
from reader.core.changes import Change, ConflictError, Edit, Plan, Want
from reader.core.discover import changelog
from reader.core.errors import IndexDamaged, QueryError, ReadOnlyError, StoreError
from reader.core.memory import gc_paused
from reader.core.merge import MINE, THEIRS, Merged, merge_note
from reader.core.models import (
    EMPTY,
    PLAIN_FIELDS,
    Abstract,
    Annotation,
    Record,
    Status,
    normalize_tag,
    now_iso,
)
from reader.core.store import uistate
from reader.core.store.cache import RowIds
from reader.core.store.corpus import CorpusStore
from reader.core.store.folder import (
    bundled_seeds,
    default_data_dir,
    make_data_dir,
    probe_writable,
)
from reader.core.store.journal import DraftJournal, orphaned_drafts
from reader.core.store.subscriptions import SubscriptionStore
from reader.core.store.userdata import UserData
from reader.core.text import fold, plural, squash
from reader.core.views import BUILT_IN, CountedView, Replace, View

if TYPE_CHECKING:
    import numpy as np

    from reader.core.discover.engine import Discover
    from reader.core.ingest import importer
    from reader.core.ingest.formats import Adopted, ImportOptions, Suggestion
    from reader.core.search.index import SearchIndex
    from reader.core.search.query import Node

T = TypeVar("T")

SORTS = ("source", "date", "status", "updated", "relevance", "for-you")
"""The orders `rows()` accepts."""


@dataclass(frozen=True)
class Refreshed:
    """What `Library.refresh` found changed by another process (false when nothing)."""

    corpus: bool = False
    """The abstracts (an import): rows may have moved, the index is new."""
    annotations: bool = False
    views: bool = False
    rows_moved: bool = False
    """With `corpus`: a row may now hold another record (a removal); false when the
    records were only updated in place or added at the end (an import, a fetch), so
    row numbers held from before still name the same records."""

    def __bool__(self) -> bool:
        return self.corpus or self.annotations or self.views


@dataclass(frozen=True)
class Restored:
    """What `Library.restore` did."""

    change: Change
    """The change it made (undoable); `change.count` records changed."""
    records: int
    """How many records the export holds."""
    elsewhere: int
    """How many of them are for abstracts not in this library (their annotations are
    kept, for a later import)."""


@dataclass(frozen=True)
class Found:
    """The result of a search: the rows that match, in order, and the words to
    highlight; `ids` gives their record ids (made only when asked for: the app's
    filter at 100k needs the rows alone)."""

    rows: np.ndarray
    """The rows of the matches, in order (numpy: cheap at 100k)."""
    terms: tuple[str, ...]
    """The folded words and phrases the query looks for (`query.terms`)."""
    _all_ids: Sequence[str] = field(repr=False, compare=False)

    @property
    def ids(self) -> list[str]:
        """The matching record ids, in order."""
        ids = self._all_ids
        if isinstance(ids, RowIds):
            return ids.take(self.rows)
        return [ids[r] for r in self.rows.tolist()]

    def id_lines(self, limit: int | None = None) -> bytes:
        """The first `limit` matching ids (all by default), one a line, in UTF-8:
        `reader list --format ids` prints them so, without a str made of each id
        (450k of them for a common word at 1M abstracts)."""
        rows = self.rows[:limit]
        ids = self._all_ids
        if isinstance(ids, RowIds):
            return ids.lines(rows)
        return b"".join(f"{ids[r]}\n".encode() for r in rows.tolist())

    def __len__(self) -> int:
        return len(self.rows)


class Library:
    """Abstracts, the user's annotations on them, search, and every change to them."""

    def __init__(self, data_dir: Path, *, read_only: bool = False, backups: bool = True):
        """Open the library in `data_dir` (created if missing). Prefer `Library.open`."""
        with gc_paused(freeze=True):  # the loaded library lives as long as the process
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
        self._corpus = CorpusStore(data_dir, read_only=read_only, sibling=self.user_path)
        self._user = UserData(data_dir, read_only=read_only, sibling=self.corpus_path)
        self.corpus_is_new = self._corpus.is_new
        """No corpus was ever written here: the only case where samples are imported."""
        self.read_only = read_only or self._user.read_only
        self._corpus.read_only = self.read_only
        self.messages += self.take_notices()
        self._journal: DraftJournal | None = None
        self.subscriptions = SubscriptionStore(self._user)
        """The arXiv categories and queries `reader fetch` brings in (user data)."""
        self._discover: Discover | None = None
        self._corpus.load(annotations=self._user.all)
        self._user.load(on_change=self._annotate)

    def _annotate(self, changed: Mapping[str, Annotation]) -> None:
        """The annotations of `changed` are new in memory: the index follows."""
        if not self._corpus.index_loaded:
            return  # the index reads every annotation when it is loaded
        rows = self._corpus.rows
        self._corpus.index.set_annotations((rows[k], a) for k, a in changed.items() if k in rows)

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

    def refresh(self) -> Refreshed:
        """Pick up changes another process wrote, and say what changed.

        A data file found damaged is recovered (see `store.DataFile.load`); what
        happened is in `take_notices()`.
        """
        corpus = self._corpus.refresh()
        user = self._user.refresh()
        moved = corpus and not self._corpus.rows_kept
        return Refreshed(corpus, user.annotations, user.views, moved)

    def take_notices(self) -> list[str]:
        """What the user should be told about the data files since the last call
        (a damaged file recovered while running); each is handed out once."""
        return self._corpus.file.pop_messages() + self._user.file.pop_messages()

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
        self._corpus.close()
        self._user.close()

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        return len(self._corpus)

    @property
    def index(self) -> SearchIndex:
        return self._corpus.index

    @property
    def discover(self) -> Discover:
        """Similar abstracts and learned orders over the current index (`core.discover`)."""
        from reader.core.discover.engine import Discover  # numpy: only when asked for

        index = self._corpus.index
        if self._discover is None or self._discover.index is not index:
            old, self._discover = self._discover, Discover(index, self._corpus.abstracts)
            self._discover.background = old is not None and old.background
        return self._discover

    def ids(self) -> list[str]:
        """Every record id, in corpus order."""
        return list(self._corpus.ids)

    def row_of(self, record_id: str) -> int:
        return self._corpus.rows[record_id]

    def abstract_at(self, row: int) -> Abstract:
        return self._corpus.abstracts[row]

    def abstract(self, record_id: str) -> Abstract:
        return self._corpus.abstract(record_id)

    def annotation(self, record_id: str) -> Annotation:
        return self._user.get(record_id)

    def annotation_at(self, row: int) -> Annotation:
        return self._user.get(self._corpus.ids[row])

    def record(self, record_id: str) -> Record:
        """The abstract (None when only an annotation has this id) with its annotation."""
        row = self._corpus.rows.get(record_id)
        abstract = self._corpus.abstracts[row] if row is not None else None
        return Record(record_id, abstract, self._user.get(record_id))

    def record_at(self, row: int) -> Record:
        record_id = self._corpus.ids[row]
        return Record(record_id, self._corpus.abstracts[row], self._user.get(record_id))

    def title(self, record_id: str) -> str:
        """The user's title when set, else the headline."""
        return Record(record_id, self.abstract(record_id), self.annotation(record_id)).title

    def annotations(self) -> dict[str, Annotation]:
        """Every non-empty annotation, by record id (including ids not in the corpus)."""
        return dict(self._user.all())

    def resolve(self, prefix: str) -> str:
        """The record id that `prefix` names: an id, an arXiv id, or a unique prefix."""
        return self._corpus.resolve(prefix)

    def resolve_many(self, prefixes: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(self.resolve(p) for p in prefixes))

    def search(self, query: str | Node = "", sort: str = "source") -> Found:
        """The rows matching `query`, in the order `sort` (one of SORTS), with the words
        to highlight. Raises QueryError (with a position) for a malformed query."""
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r} (expected one of: {', '.join(SORTS)})")
        from reader.core.search.query import parse, terms  # ~12 ms: not for a tag change

        node = parse(query) if isinstance(query, str) else query
        words = tuple(terms(node))

        def found(index: SearchIndex) -> Found:
            if sort == "for-you":
                rows = self.discover.order_for_you(index.search(node)).rows
                return Found(rows, words, self._corpus.ids)
            return Found(index.order(index.search(node), sort, words), words, self._corpus.ids)

        return self._indexed(found)

    def _indexed(self, use: Callable[[SearchIndex], T]) -> T:
        """`use(index)`; when the saved index turns out damaged as it is read, it is
        rebuilt from the corpus (as a damaged index found at load is) and used again."""
        try:
            return use(self._corpus.index)
        except IndexDamaged:
            self.index_damaged()
            return use(self._corpus.index)

    def index_damaged(self) -> None:
        """The saved search index proved damaged as it was read: it is dropped and
        rebuilt from the corpus when next used (`discover` follows the new index)."""
        self._corpus.index_damaged()

    def rows(self, query: str | Node = "", sort: str = "source") -> np.ndarray:
        """Rows matching `query`, in the order `sort` (one of SORTS). Raises QueryError."""
        return self.search(query, sort).rows

    def count(self, query: str | Node) -> int:
        from reader.core.search.query import parse

        node = parse(query) if isinstance(query, str) else query
        return self._indexed(lambda index: int(index.mask(node).sum()))

    def status_counts(self, rows: np.ndarray | None = None) -> dict[Status, int]:
        return self._corpus.index.count_by_status(rows)

    def tag_counts(self) -> Counter[str]:
        """How many abstracts in the corpus carry each tag."""
        counts: Counter[str] = Counter()
        tagged = [(key, ann) for key, ann in self._user.all().items() if ann.tags]
        found = self._corpus.rows_of([key for key, _ in tagged])
        for (_, ann), row in zip(tagged, found, strict=True):
            if row is not None:
                counts.update(ann.tags)
        return counts

    def changelog(self) -> changelog.Log:
        """The change log kept in the user's data (`core.discover.changelog`)."""
        return self._user.changelog()

    def source_counts(self) -> Counter[str]:
        names, codes = self._corpus.source_codes()
        per_code = Counter(codes)
        return Counter({names[code]: count for code, count in per_code.items()})

    # ----------------------------------------------------------------- views
    def views(self) -> list[View]:
        """The user's saved views, by name."""
        return self._user.views()

    def view(self, name: str) -> View | None:
        """The saved view called `name` (in any case), or None."""
        return self._user.view(name)

    def all_views(self) -> list[tuple[str, View]]:
        """(group, view) of every view to show, in order: the built-in ones (group ""),
        one per tag ("tags") and per source ("sources"), then the saved ones ("saved")."""
        return [(c.group, c.view) for c in self._views_of(self.tag_counts(), self.source_counts())]

    def counted_views(self) -> list[CountedView]:
        """`all_views` with how many abstracts each holds now, in one pass: the statuses,
        tags and sources are counted once each (`status_counts`, `tag_counts`,
        `source_counts`), never one query per view; only the other built-in views
        ("With notes") and the saved views run their query. A saved view whose query no
        longer parses has the count None."""
        by_query = {f"status:{s.value}": n for s, n in self.status_counts().items()}
        counted = []
        for found in self._views_of(self.tag_counts(), self.source_counts()):
            if found.count is None and found.view.query in by_query:
                found = replace(found, count=by_query[found.view.query])
            elif found.count is None:
                with contextlib.suppress(QueryError):
                    found = replace(found, count=self.count(found.view.query))
            counted.append(found)
        return counted

    def _views_of(self, tags: Counter[str], sources: Counter[str]) -> list[CountedView]:
        """The views in order (see all_views); the tag and source views counted."""
        found = [CountedView("", v) for v in BUILT_IN]
        found += [CountedView("tags", View(f"#{t}", f"tag:{t}"), tags[t]) for t in sorted(tags)]
        shows = _prefix_counts(sources)
        found += [CountedView("sources", View(s, f"source:{s}"), shows[s]) for s in sorted(sources)]
        return found + [CountedView("saved", v) for v in self.views()]

    def wait_for_writers(self, seconds: float) -> None:
        """Wait at most `seconds` for another process's write before a change or an
        import is refused with `BusyError` (the CLI waits LOCK_TIMEOUT; the app 0: it
        never waits on its UI thread, it queues the change and waits in a thread with
        `wait_until_free`)."""
        self._user.file.lock.timeout = seconds
        self._corpus.file.lock.timeout = seconds

    def wait_until_free(self, seconds: float) -> bool:
        """Wait at most `seconds` until no process holds the lock that changes take;
        True when it is free. Touches nothing else, so it may run in another thread
        while this one reads and changes the library."""
        return self._user.file.lock.wait_free(seconds)

    def save_view(self, name: str, query: str, *, replace: Replace = False) -> View:
        """Save `query` as the view `name` (see `UserData.save_view`)."""
        return self._user.save_view(name, query, replace=replace)

    def delete_view(self, name: str) -> None:
        self._user.delete_view(name)

    def rename_view(self, old: str, new: str, *, replace: Replace = False) -> View:
        """Rename the view `old` to `new` (see `UserData.rename_view`)."""
        return self._user.rename_view(old, new, replace=replace)

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
        user = self._user
        keys = list(dict.fromkeys(ids))
        seen = {key: user.get(key) for key in keys}
        with user.locked("the change was not made"):
            plan = Plan()
            for key in keys:
                now = user.get(key)
                for want in wants(key, seen[key], now):
                    plan.add(want, changes.get(now, want.field))
            if plan.stale:
                raise ConflictError(label, plan.stale)
            if plan.edits:
                self._write_edits(plan.edits)
        return Change(label, tuple(plan.edits))

    def _write_edits(self, edits: Sequence[Edit]) -> None:
        """Write what `edits` leave, stamped, in one durable write (under the lock),
        with their line in the change log."""
        self._user.write(_stamped(edits, self._user.get), log=changelog.entry(edits, now_iso()))

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
        title = squash(text)
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
            found = [
                Want(key, name, getattr(new, name), getattr(seen, name)) for name in PLAIN_FIELDS
            ]
            for tag in sorted(set(seen.tags) | set(now.tags) | set(new.tags)):
                found.append(Want(key, f"#{tag}", tag in new.tags, tag in seen.tags))
            return found

        return self._change(label, list(annotations), wants)

    def restore(self, path: Path | str) -> Restored:
        """Put back the annotations of the JSON export at `path` (see `put`), as one
        change; raises ReaderError naming the file and record when the export cannot be
        read (then nothing is changed)."""
        from reader.core.export import load_export

        path = Path(path)
        annotations = load_export(path)
        change = self.put(f"restore {path.name}", annotations)
        elsewhere = self._corpus.rows_of(list(annotations)).count(None)
        return Restored(change, len(annotations), elsewhere)

    def undo(self, change: Change) -> Change:
        """Put back what `change` found, in the fields it touched and only there.

        Refused (ConflictError, nothing written) when one of those fields was changed
        since by anything else. A removal's undo puts the abstracts back at their rows
        (those not in the library again by now).
        """
        if change.removed:
            self._corpus.reinsert(change.removed)
            return Change(f"undo {change.label}")
        return self._replay(f"undo {change.label}", change.undo_wants())

    def redo(self, change: Change) -> Change:
        """Make `change` again, where its fields still hold what the undo put back."""
        if change.removed:
            return self.remove([a.id for _, a in change.removed])
        return self._replay(f"redo {change.label}", change.redo_wants())

    def remove(self, ids: Sequence[str]) -> Change:
        """Take these abstracts out of the library (one write; undoable). Their
        annotations stay in the user data, keyed by id, so a re-import or re-fetch
        of the same id brings them back with the abstract."""
        removed = tuple(self._corpus.remove(ids))
        return Change(f"remove {_n([a.id for _, a in removed])}", removed=removed)

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

    # ----------------------------------------------------------------- where the app was
    def ui_state(self) -> uistate.UIState:
        """Where the app was left in this library (`store/uistate.py`; defaults: Inbox
        by date)."""
        return uistate.load(self.data_dir)

    def save_ui_state(self, state: uistate.UIState, added: Iterable[str] = ()) -> uistate.UIState:
        """Keep where the app is now, and the queries `added` to the filter history
        (not on a read-only library); returns the state as written."""
        if self.read_only:
            return replace(state, history=uistate.remember(state.history, *added))
        return uistate.save(self.data_dir, state, added)

    # ----------------------------------------------------------------- import
    def import_paths(
        self,
        paths: Iterable[Path | str],
        progress: Callable[[int, int], None] | None = None,
        options: ImportOptions | None = None,
    ) -> importer.ImportReport:
        """Import files and folders; see `importer.run`. Annotations are never touched
        (`adopt` applies what the files suggest, when the user asks)."""
        if self.read_only:
            raise ReadOnlyError("this library is open read-only; nothing was imported")
        from reader.core.ingest import importer  # the parser and LaTeX: only to import

        with gc_paused():  # parse to write: paused around the parse alone, the next
            # collection would scan every record parsed
            parsed = importer.parse_paths([Path(p) for p in paths], progress, options)
            return self._corpus.import_parsed(parsed)

    def adopt(
        self, suggested: Mapping[str, Suggestion], *, tags: bool, notes: bool
    ) -> tuple[Change, Adopted]:
        """Apply the tags and notes an import suggested (BibTeX keywords and notes), as
        one change; a note only where the record has none (checked under the lock)."""
        from reader.core.ingest.formats import Adopted, suggestion_wants

        adopted = Adopted()
        wants = suggestion_wants(suggested, tags=tags, notes=notes, adopted=adopted)
        return self._change(
            f"tags and notes from {_n(list(suggested))}", list(suggested), wants
        ), adopted

    def add_abstracts(self, abstracts: Iterable[Abstract], source: str) -> importer.FileReport:
        """Add or update records from elsewhere than a file (the arXiv API), as an import
        does: a known id keeps its row and annotations, its record is updated when it
        changed (a newer version notes the one it replaces). One durable write."""
        from reader.core.ingest import importer  # as in import_paths: only when used

        report = importer.FileReport(Path(source), abstracts=list(abstracts))
        return self._corpus.import_parsed([report]).files[0]


def _stamped(edits: Sequence[Edit], current: Callable[[str], Annotation]) -> dict[str, Annotation]:
    """The annotations `edits` leave, by id, with their created/updated stamps (EMPTY
    for one that says nothing any more, and keeps no field of a later release's)."""
    stamp = now_iso()
    after: dict[str, Annotation] = {}
    for edit in edits:
        old = after.get(edit.id) or current(edit.id)
        after[edit.id] = changes.put(old, edit.field, edit.after)
    for key, new in after.items():
        old = current(key)
        after[key] = (
            EMPTY
            if new.is_empty and not new.extra
            else replace(new, created=old.created or stamp, updated=stamp)
        )
    return after


def _prefix_counts(sources: Counter[str]) -> dict[str, int]:
    """How many abstracts the view `source:NAME` shows for each source NAME: `source:` is
    a prefix of the folded name, so `paper_1` also finds `paper_10`. Counted with
    bisection over the sorted names, not one query per source."""
    keyed = sorted((fold(name), n) for name, n in sources.items())
    names = [name for name, _ in keyed]
    sums = list(itertools.accumulate((n for _, n in keyed), initial=0))
    shows = {}
    for name in sources:
        key = fold(name)
        low, high = bisect_left(names, key), bisect_left(names, key + "\U0010ffff")
        shows[name] = sums[high] - sums[low]
    return shows


def _n(ids: Sequence[str]) -> str:
    return ids[0] if len(ids) == 1 else plural(len(ids), "abstract")


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


__all__ = ["SORTS", "Change", "ConflictError", "Found", "Library", "Refreshed", "Restored", "View"]
