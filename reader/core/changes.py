"""Changes as field edits: what a change touched, what it found, what it left.

A change to the user's data is a list of `Edit`s, one per field of one record: the
status, the title, the note, or one tag (`#name`, present or not). Each edit says the
value it found (`before`) and the value it set (`after`). That is all undo needs: it
puts back `before` only where the field still holds `after`, so an undo never reverts
what another window or command changed since, and never touches a field the change
did not.

A change is planned against what its caller saw (`Want`): a status key sets the
status only if the status is still the one on screen; a tag add or a note append
expects nothing. `Library` checks the wants under the lock, against the data just
read from disk, and refuses the whole change when one does not hold
(`ConflictError`, naming what changed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from reader.core.errors import ReaderError
from reader.core.models import FIELDS, PLAIN_FIELDS, Abstract, Annotation, Status
from reader.core.text import squash

ANY = object()
"""A `Want.expect` that accepts whatever the field holds (tag adds, note appends)."""


def get(annotation: Annotation, name: str) -> Any:
    """The value of field `name` (`status`, `note`, `title` or `#tag`)."""
    if name.startswith("#"):
        return name[1:] in annotation.tags
    if name in PLAIN_FIELDS:
        return getattr(annotation, name)
    raise KeyError(name)


def put(annotation: Annotation, name: str, value: Any) -> Annotation:
    """`annotation` with field `name` set to `value`."""
    if name.startswith("#"):
        tag = name[1:]
        return annotation.with_tags(add=(tag,)) if value else annotation.with_tags(remove=(tag,))
    return replace(annotation, **{name: value})


def describe(name: str) -> str:
    """How a field is named to the user: `the status`, `the note`, `tag #x`."""
    return f"tag {name}" if name.startswith("#") else f"the {name}"


def show(value: Any) -> str:
    """A field value as the user reads it in a message."""
    if isinstance(value, Status):
        return value.value
    if isinstance(value, bool):
        return "set" if value else "removed"
    if isinstance(value, str):
        text = squash(value)
        if not text:
            return "empty"
        return repr(text if len(text) <= 40 else text[:39] + "…")
    return repr(value)


@dataclass(frozen=True)
class Want:
    """One field a change wants to set: to `value`, if it still holds `expect`."""

    id: str
    field: str
    value: Any
    expect: Any = ANY


@dataclass(frozen=True)
class Edit:
    """One field of one record, changed from `before` to `after`."""

    id: str
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    """One user action, as the field edits it made (for undo and redo)."""

    label: str
    edits: tuple[Edit, ...] = ()
    notice: str = ""
    """What the user should be told beyond the label (a merged or conflicting note)."""
    removed: tuple[tuple[int, Abstract], ...] = ()
    """Abstracts this change took out of the library, each with the row it had (a
    removal has no edits: the annotations stay; undo puts these back)."""

    @property
    def ids(self) -> list[str]:
        """The records the change touched, in order."""
        return list(dict.fromkeys([e.id for e in self.edits] + [a.id for _, a in self.removed]))

    @property
    def empty(self) -> bool:
        """It changed nothing: there is nothing to undo."""
        return not self.edits and not self.removed

    @property
    def count(self) -> int:
        """How many records changed."""
        return len(self.ids)

    def undo_wants(self) -> list[Want]:
        """Put back each `before`, only where the field still holds the `after`."""
        return [Want(e.id, e.field, e.before, e.after) for e in reversed(self.edits)]

    def redo_wants(self) -> list[Want]:
        """Set each `after` again, only where the field still holds the `before`."""
        return [Want(e.id, e.field, e.after, e.before) for e in self.edits]

    def then(self, later: Change) -> Change:
        """This change followed by `later`, as one step (a note-editing session).

        A field both touched keeps the first `before` and the last `after`.
        """
        merged: dict[tuple[str, str], Edit] = {(e.id, e.field): e for e in self.edits}
        for edit in later.edits:
            first = merged.get((edit.id, edit.field))
            merged[(edit.id, edit.field)] = replace(edit, before=first.before) if first else edit
        kept = tuple(e for e in merged.values() if e.before != e.after)
        return Change(self.label, kept, later.notice or self.notice)


@dataclass
class Plan:
    """The edits a change will make, built under the lock against fresh data."""

    edits: list[Edit] = field(default_factory=list)
    stale: list[tuple[Want, Any]] = field(default_factory=list)
    """Wants whose field no longer held what the caller saw, with what it holds now."""

    def add(self, want: Want, now: Any) -> None:
        if now == want.value:
            return  # already so: nothing to do, nothing to undo
        if want.expect is not ANY and now != want.expect:
            self.stale.append((want, now))
            return
        self.edits.append(Edit(want.id, want.field, now, want.value))


class ConflictError(ReaderError):
    """A change was refused: a field it touches was changed since the caller read it."""

    def __init__(self, what: str, stale: Iterable[tuple[Want, Any]]) -> None:
        self.stale = list(stale)
        parts = [f"{describe(w.field)} of {w.id} is now {show(now)}" for w, now in self.stale[:3]]
        more = f" and {len(self.stale) - 3} more" if len(self.stale) > 3 else ""
        super().__init__(
            f"{what} was not made: changed elsewhere since you saw it "
            f"({'; '.join(parts)}{more}); nothing was changed"
        )


__all__ = ["ANY", "FIELDS", "Change", "ConflictError", "Edit", "Plan", "Want", "get", "put"]
