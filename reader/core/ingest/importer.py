"""Importing files of abstracts: which files, what each one added, what failed.

`parse_paths` expands folders and parses every file, turning each failure into a
per-file report line; `merge` works out what the parsed abstracts change in the corpus
(rows updated, records appended), reading only the rows of the ids it brings. Re-importing
adds new records, updates the text of known ids whose text changed, and leaves the
rest alone; annotations are never touched (they live in another file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from reader.core.errors import ParseError
from reader.core.ingest import detect
from reader.core.ingest.formats import ImportOptions, SourceResult, Suggestion
from reader.core.ingest.parse import ParseWarning, WarningKind
from reader.core.models import Abstract


@dataclass
class FileReport:
    """What importing one file did."""

    path: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    """Records skipped (see warnings), or 1 when the whole file failed."""
    error: str | None = None
    """Why the whole file could not be imported."""
    warnings: list[ParseWarning] = field(default_factory=list)
    abstracts: list[Abstract] = field(default_factory=list, repr=False)
    suggested: dict[str, Suggestion] = field(default_factory=dict, repr=False)
    """Tags and notes the file suggests, by record id (BibTeX keywords and notes)."""

    def summary(self) -> str:
        if self.error:
            return f"{self.path}: failed: {self.error}"
        parts = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        if self.failed:
            parts += f", {self.failed} failed"
        return f"{self.path}: {parts}"


@dataclass
class ImportReport:
    """The per-file reports of one import, with totals."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def failed(self) -> int:
        return sum(f.failed for f in self.files)

    @property
    def errors(self) -> list[FileReport]:
        return [f for f in self.files if f.error]


def expand(paths: Sequence[Path]) -> list[tuple[Path, str | None]]:
    """Files to import, in order; a path that cannot be used carries its error instead.

    Folders are walked recursively in name order, skipping hidden files and folders.
    Everything in a folder that is not a folder is listed, so a FIFO, socket or device
    there gets its one-line failure from the parser (which reads regular files only)
    rather than vanishing from the report.
    """
    found: list[tuple[Path, str | None]] = []
    for path in paths:
        if path.is_dir():
            try:
                children = sorted(
                    p for p in path.rglob("*") if not p.is_dir() and not _hidden(p, path)
                )
            except OSError as error:
                found.append((path, f"cannot read folder: {error.strerror}"))
                continue
            if not children:
                found.append((path, "the folder holds no files"))
            found.extend((child, None) for child in children)
        elif path.exists():
            found.append((path, None))
        else:
            found.append((path, "no such file or folder"))
    return found


def parse_paths(
    paths: Sequence[Path],
    progress: Callable[[int, int], None] | None = None,
    options: ImportOptions | None = None,
) -> list[FileReport]:
    """Parse every file under `paths`, each in the format its content shows (see
    `detect`); each failure becomes that file's report. `progress(done, total)`
    counts bytes of the files to read."""
    files = expand(paths)
    sizes = [_size(path) if problem is None else 0 for path, problem in files]
    total, base = sum(sizes), 0
    reports: list[FileReport] = []
    for (path, problem), size in zip(files, sizes, strict=True):
        report = FileReport(path)
        if problem:
            report.error, report.failed = problem, 1
        else:
            within = None if progress is None else _within(progress, base, size, total)
            try:
                result = detect.parse_path(path, options, within)
            except ParseError as error:
                report.error, report.failed = error.reason, 1
                if error.line is not None:
                    report.error = f"line {error.line}: {error.reason}"
            else:
                report.abstracts = result.abstracts
                report.warnings = list(result.warnings)
                if isinstance(result, SourceResult):
                    report.failed, report.suggested = result.failed, result.suggested
                else:
                    report.failed = sum(1 for w in result.warnings if w.kind is WarningKind.SKIPPED)
        reports.append(report)
        base += size
        if progress is not None:
            progress(base, total)
    return reports


def _within(
    progress: Callable[[int, int], None], base: int, size: int, total: int
) -> Callable[[int], None]:
    """Progress of the whole import from the bytes read of one file."""
    return lambda done: progress(base + min(done, size), total)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass
class Changes:
    """What a merge changes in the corpus: records replaced at their rows, and records
    added after the last row. Rows not named are unchanged (and were never decoded)."""

    updated: dict[int, Abstract] = field(default_factory=dict)
    appended: list[Abstract] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.updated or self.appended)


def merge(
    corpus: Sequence[Abstract],
    rows_of: Callable[[Sequence[str]], list[int | None]],
    reports: list[FileReport],
) -> tuple[ImportReport, Changes]:
    """What folding parsed abstracts into `corpus` changes; fills in each file's counts.

    A known id keeps its row; its record is replaced when anything parsed differs
    (text, date, comments, version, the richer fields), keeping what the new source
    leaves out and noting a version it replaces (`succeeding`). An id seen twice in
    one import counts once. `rows_of` gives the row of each id (None when not in the
    corpus) in one pass; only the rows of known ids are read from `corpus`, so adding
    50 abstracts to a million decodes none.
    """
    parsed = [a for report in reports for a in report.abstracts]
    known = dict(zip((a.id for a in parsed), rows_of([a.id for a in parsed]), strict=True))
    changes = Changes()
    seen: set[str] = set()
    for report in reports:
        for abstract in report.abstracts:
            if abstract.id in seen:
                report.unchanged += 1
                continue
            seen.add(abstract.id)
            row = known[abstract.id]
            if row is None:
                changes.appended.append(abstract)
                report.added += 1
                continue
            old = corpus[row]
            content = _content(old)
            if _content(abstract) == content:  # the same: nothing for `succeeding` to do
                report.unchanged += 1
                continue
            new = succeeding(old, abstract)
            if _content(new) != content:
                changes.updated[row] = new
                report.updated += 1
            else:
                report.unchanged += 1
        report.abstracts = []
    return ImportReport(reports), changes


KEPT_WHEN_MISSING = ("arxiv_id", "date", "title", "authors", "categories", "doi",
                     "journal_ref", "pdf")  # fmt: skip
"""What a record keeps from the one it replaces when the new source leaves it out: a
plain-text file re-imported after a fetch has no title or authors, and an import adds
what it knows without erasing what the library knew."""

SAME_VERSION_FIELDS = ("version", "updated", "replaced_version", "comments")
"""Kept too, but only when the text is the same (then it is the same version): a new
version's text may come with no comments because it has none."""


def succeeding(old: Abstract, new: Abstract) -> Abstract:
    """`new` in the place of `old` (same id): the fields `new` leaves empty are kept
    from `old` (`KEPT_WHEN_MISSING`), a newer arXiv version records the one it
    replaces (`Abstract.replaced_version`), and a record of the same version keeps
    what its predecessor had noted. An older arXiv version than `old` changes nothing."""
    if old.version and new.version and new.version < old.version:
        return old  # an older version (last month's snapshot): the newer one stays
    fields = KEPT_WHEN_MISSING + (SAME_VERSION_FIELDS if new.text == old.text else ())
    kept = {f: getattr(old, f) for f in fields if not getattr(new, f) and getattr(old, f)}
    if kept:
        new = replace(new, **kept)
    if old.version and new.version and new.version > old.version:
        return replace(new, replaced_version=old.version)
    if new.version == old.version and new.replaced_version is None:
        return replace(new, replaced_version=old.replaced_version)
    return new


def _content(a: Abstract) -> tuple[object, ...]:
    """What an import compares: every field a source gives (not where it came from)."""
    return (
        a.text,
        a.arxiv_id,
        a.version,
        a.date,
        a.comments,
        a.title,
        a.authors,
        a.categories,
        a.updated,
        a.doi,
        a.journal_ref,
        a.pdf,
    )


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
