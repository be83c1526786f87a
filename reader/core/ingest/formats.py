"""What the richer import formats (BibTeX, the arXiv snapshot) hand the importer.

Beside the abstracts and warnings of any file (`ParseResult`), these formats count the
entries they skipped (`failed`) and may suggest the user's data for a record: a BibTeX
entry's keywords (as tags) and its note, which the import applies only when asked
(`reader import --tags --notes`) and never over a note the user already has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reader.core.changes import Want
from reader.core.ingest.parse import ParseResult
from reader.core.models import Annotation


@dataclass(frozen=True)
class Suggestion:
    """The user's data a source suggests for one record."""

    tags: tuple[str, ...] = ()
    """Normalised tags (see `models.normalize_tag`)."""
    note: str = ""


@dataclass
class SourceResult(ParseResult):
    """A `ParseResult` with how many entries were skipped and what it suggests."""

    failed: int = 0
    suggested: dict[str, Suggestion] = field(default_factory=dict)
    """By record id."""


@dataclass(frozen=True)
class ImportOptions:
    """How `reader import` reads the richer formats."""

    categories: tuple[str, ...] = ()
    """Snapshot: keep records with a category starting with one of these (any case)."""
    since: str | None = None
    """Snapshot: keep records first published on or after this ISO date."""


@dataclass
class Adopted:
    """What applying suggestions did: per record id, beside the change itself."""

    tagged: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)
    kept_notes: list[str] = field(default_factory=list)
    """Records whose note was left alone: the user already had one."""


def suggestion_wants(
    suggested: Mapping[str, Suggestion], *, tags: bool, notes: bool, adopted: Adopted
) -> Callable[[str, Annotation, Annotation], list[Want]]:
    """The `Library._change` wants that apply `suggested`: each tag added (`tags`), the
    note set only where the note on disk is empty (`notes`); `adopted` is filled in
    as the wants are made (under the lock, against the data on disk)."""

    def wants(key: str, _seen: Annotation, now: Annotation) -> list[Want]:
        suggestion = suggested[key]
        found = []
        if tags and suggestion.tags:
            found += [Want(key, f"#{tag}", True) for tag in suggestion.tags]
            adopted.tagged.append(key)
        if notes and suggestion.note:
            if now.note.strip():
                adopted.kept_notes.append(key)
            else:
                found.append(Want(key, "note", suggestion.note, now.note))
                adopted.noted.append(key)
        return found

    return wants
