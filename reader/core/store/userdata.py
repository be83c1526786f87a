"""The user-data store: `user.json` (annotations, saved views, schema), its lock and reload.

Annotations are the user's work and are keyed by record id, so they survive a
re-import and a tag change never rewrites the corpus. Every write happens under the
file's lock, on what was just read from disk (`locked`), so two processes never lose
each other's updates; a failed write (disk full, read-only folder) leaves memory and
disk as they were.

Whenever the annotations in memory change (a reload or a write), the store tells its
owner which ones (`on_change`), so the owner (the Library's search index) follows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb.table import Document

from reader.core.discover.changelog import Line, Log
from reader.core.errors import ReaderError, ReadOnlyError, StoreError
from reader.core.models import EMPTY, Annotation, IndexedFields
from reader.core.store.folder import (
    SCHEMA_VERSION,
    DataFile,
    check_schema,
    check_user,
    has_records,
    open_data_file,
    schema_version,
)
from reader.core.views import Replace, View, ViewExistsError, clean_name, same_name


@dataclass(frozen=True)
class Reloaded:
    """What a reload of the user-data file brought in."""

    annotations: bool = False
    views: bool = False


class UserData:
    """The annotations and saved views of `user.json`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        read_only: bool,
        sibling: Path,
    ) -> None:
        """Open (recovering a damaged file, migrating an older schema) `data_dir/user.json`;
        `sibling` is the corpus file (if it holds records, a missing user file is
        damage). `load` makes it the state in memory."""
        self.path = data_dir / "user.json"
        self.file: DataFile = open_data_file(
            self.path,
            read_only=read_only,
            backups=True,
            validate=check_user,
            sibling_has_records=lambda: has_records(sibling, "abstracts"),
        )
        if not check_schema(self.file):
            read_only = True  # a newer release wrote it: nothing may be lost
            self.file.storage.read_only = True
        self.read_only = read_only
        self._on_change: Callable[[Mapping[str, Annotation]], None] = lambda _: None
        self._ann = Annotations({}, self.path)
        self._views: list[View] = []
        self._generation = -1

    @property
    def db(self) -> Any:
        return self.file.db

    # ----------------------------------------------------------------- loading
    def load(self, on_change: Callable[[Mapping[str, Annotation]], None] | None = None) -> Reloaded:
        """Read the file (recovering a damaged one) and make it the state in memory.

        `on_change` is told, from now on, of every annotation that changes in memory
        ({id: annotation}, EMPTY for one removed): a reload or a write.
        """
        if on_change is not None:
            self._on_change = on_change
        data = self.file.load()
        checked = schema_version(data) == SCHEMA_VERSION  # every record: see check_user
        fresh = Annotations(dict(data.get("annotations", {})), self.path, checked=checked)
        changed = fresh.changed_from(self._ann)
        views = _views(data)
        reloaded = Reloaded(bool(changed), views != self._views)
        self._ann, self._views = fresh, views
        self._generation = self.file.storage.generation
        if changed:
            self._on_change(changed)
        return reloaded

    def sync(self) -> Reloaded:
        """Take in what another process wrote since the last read (a stat when nothing)."""
        self.file.load()
        if self.file.storage.generation == self._generation:
            return Reloaded()
        return self.load()

    def refresh(self) -> Reloaded:
        """Like `sync`, but without reading when the file is unchanged on disk."""
        if not self.file.storage.changed_on_disk():
            return Reloaded()
        return self.sync()

    @contextlib.contextmanager
    def locked(self, what: str) -> Iterator[None]:
        """Hold the file's lock, with the state in memory just read from disk: plan
        and write a change inside. `what` names it in the read-only refusal."""
        if self.read_only:
            raise ReadOnlyError(f"this library is open read-only; {what}")
        with self.file.lock:
            self.sync()
            yield

    def close(self) -> None:
        self.file.db.close()

    # ----------------------------------------------------------------- annotations
    def get(self, record_id: str) -> Annotation:
        return self._ann.get(record_id, EMPTY)

    def all(self) -> Annotations:
        """Every non-empty annotation, by record id (including ids not in the corpus),
        each decoded when read."""
        return self._ann

    def write(self, after: Mapping[str, Annotation], log: Sequence[Line] = ()) -> None:
        """Write these annotations (EMPTY removes one) and the `log` lines of the change
        (see `changelog`) in one durable write; call it inside `locked`. Memory
        changes only once the write is on disk."""
        table = self.file.db.table("annotations")
        storage = self.file.storage
        with storage.batch():
            present = [k for k in after if k in self._ann]
            if present:
                table.remove(doc_ids=present)  # type: ignore[arg-type]  # str ids: KeyedTable
            table.insert_multiple(
                Document(a.to_dict(), doc_id=k)  # type: ignore[arg-type]
                for k, a in after.items()
                if a is not EMPTY
            )
            if log:
                logged = self.changelog().append(log, keep=len(self._ann))
                self.file.db.table("changelog").upsert(
                    Document(logged.to_doc(), doc_id="log")  # type: ignore[arg-type]
                )
        self._generation = storage.generation
        for key, ann in after.items():
            self._ann.put(key, ann)
        self._on_change(after)

    def changelog(self) -> Log:
        """The change log as it is in the file now."""
        table = (self.file.storage.read() or {}).get("changelog")
        return Log.from_doc(table.get("log") if isinstance(table, dict) else None)

    # ----------------------------------------------------------------- views
    def views(self) -> list[View]:
        """The user's saved views, by name (read from the file as it is now)."""
        return sorted(_views(self.file.storage.read() or {}), key=lambda v: v.name.lower())

    def view(self, name: str) -> View | None:
        """The saved view called `name` (in any case), or None."""
        return next((v for v in self.views() if same_name(v.name, name)), None)

    def save_view(self, name: str, query: str, *, replace: Replace = False) -> View:
        """Save `query` as the view `name`. Raises ViewExistsError when a view of that
        name (in any case) exists and `replace` does not allow replacing it."""
        from reader.core.search.query import parse  # ~12 ms: only to save a view

        name = clean_name(name)
        parse(query)
        with self.locked("the view was not saved"):
            table = self._view_table()
            self._put_views(remove=_allowed(table, name, replace), add=View(name, query))
        return View(name, query)

    def delete_view(self, name: str) -> None:
        with self.locked("the view was not saved"):
            found = [k for k in self._view_table() if same_name(k, name)]
            if not found:
                raise ReaderError(f"no view named {name!r}")
            self._put_views(remove=found)

    def rename_view(self, old: str, new: str, *, replace: Replace = False) -> View:
        """Rename the view `old` to `new` (a change of case only is a rename too).
        Raises ViewExistsError when another view is called `new` and `replace` does
        not allow replacing it."""
        new = clean_name(new)
        with self.locked("the view was not saved"):
            table = self._view_table()
            source = [k for k in table if same_name(k, old)]
            if not source:
                raise ReaderError(f"no view named {old!r}")
            others = {k: v for k, v in table.items() if not same_name(k, old)}
            renamed = View(new, table[source[0]])
            self._put_views(remove=[*source, *_allowed(others, new, replace)], add=renamed)
        return renamed

    def _view_table(self) -> dict[str, str]:
        """The saved views on disk now: {name: query}."""
        return {str(doc.doc_id): _query(doc) for doc in self.file.db.table("views")}

    def _put_views(self, *, remove: list[str], add: View | None = None) -> None:
        """Remove the views `remove` and add `add`, in one write (checks come first:
        nothing here raises but a failed write, which changes nothing)."""
        table = self.file.db.table("views")
        with self.file.storage.batch():
            if remove:
                table.remove(doc_ids=remove)  # type: ignore[arg-type]  # str ids: KeyedTable
            if add is not None:
                table.insert(Document({"query": add.query}, doc_id=add.name))  # type: ignore[arg-type]
        self._views = _views(self.file.storage.read() or {})
        self._generation = self.file.storage.generation


class Annotations(Mapping[str, Annotation]):
    """The annotations of `user.json` by record id, each decoded the first time it is
    asked for: a command that changes one record does not decode 10k of them.

    The file's shape was checked record by record when it was read (`check_user`),
    so decoding later cannot meet a malformed record unnoticed; if it does, it is a
    StoreError naming the record.
    """

    def __init__(self, docs: dict[str, Any], path: Path, *, checked: bool = True) -> None:
        self._docs = docs
        """The stored form of each annotation, as read or as written (a copy of the
        file's table: memory follows a write only once it is on disk)."""
        self._decoded: dict[str, Annotation] = {}
        self._path = path
        self._checked = checked
        """`check_user` checked the type of every field of every record (this release's
        schema): the index may read them undecoded. A file of another schema is not
        checked so (a newer release's, an older one open read-only): each is decoded,
        so one of another shape is the StoreError naming it."""

    def __getitem__(self, key: str) -> Annotation:
        found = self._decoded.get(key)
        if found is None:
            doc = self._docs[key]
            try:
                found = Annotation.from_dict(doc)
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise StoreError(
                    f"{self._path}: the annotation of {key!r} is malformed ({error})"
                ) from None
            self._decoded[key] = found
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._docs

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def indexed(self, key: str) -> IndexedFields:
        """What the search index reads of `key`'s annotation, from its stored form when
        it is not decoded yet (making 10k Annotations costs more than indexing them)."""
        found = self._decoded.get(key)
        if found is None:
            doc = self._docs.get(key)
            if doc is None:
                # Removed since the caller listed the keys: a change made on the UI
                # thread while a search thread fills the index.
                found = EMPTY
            elif self._checked:
                status, tags, note = doc.get("status", "unread"), doc.get("tags"), doc.get("note")
                return status, tags or [], note or "", doc.get("title", ""), doc.get("updated", "")
            else:
                found = self[key]  # decoded: StoreError when it is malformed
        return found.status, found.tags, found.note, found.title, found.updated

    def put(self, key: str, annotation: Annotation) -> None:
        """`annotation` was written for `key` (EMPTY: removed)."""
        if annotation is EMPTY:
            self._docs.pop(key, None)
            self._decoded.pop(key, None)
        else:
            self._docs[key] = annotation.to_dict()
            self._decoded[key] = annotation

    def changed_from(self, old: Annotations) -> Mapping[str, Annotation]:
        """The annotations that differ from `old` ({id: annotation}, EMPTY for one
        removed), decoded only when read: an unchanged stored form is not decoded."""
        keys = [
            k for k in self._docs.keys() | old._docs.keys() if self._docs.get(k) != old._docs.get(k)
        ]
        if old._docs:  # a stored form may differ and still say the same
            keys = [k for k in keys if self.get(k, EMPTY) != old.get(k, EMPTY)]
        return _Changed(dict.fromkeys(keys), self)


class _Changed(Mapping[str, Annotation]):
    """Some keys of an `Annotations`, their values (EMPTY when absent) decoded when read."""

    def __init__(self, keys: dict[str, None], annotations: Annotations) -> None:
        self._keys = keys
        self._annotations = annotations

    def __getitem__(self, key: str) -> Annotation:
        if key not in self._keys:
            raise KeyError(key)
        return self._annotations.get(key, EMPTY)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)


def _query(value: Any) -> str:
    return str(value.get("query", "")) if isinstance(value, dict) else ""


def _views(data: dict[str, Any]) -> list[View]:
    table = data.get("views", {})
    return [View(k, _query(v)) for k, v in table.items()] if isinstance(table, dict) else []


def _allowed(table: dict[str, str], name: str, replace: Replace) -> list[str]:
    """The names in `table` ({name: query}) that saving `name` replaces;
    ViewExistsError unless `replace` allows replacing them (see `Replace`)."""
    found = [k for k in table if same_name(k, name)]
    if not found or replace is True:
        return found
    existing = View(found[0], table[found[0]])
    if replace == existing and len(found) == 1:
        return found
    raise ViewExistsError(existing)
