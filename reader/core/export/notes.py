"""The notes export: a folder of Markdown files, one per abstract with a note or tags,
for Obsidian, Logseq or a git repository.

Each file (`vaswani2017attention.md`, named by the citation key) starts with YAML front
matter (id, arXiv id, title, authors, date, status, tags, URL), then the title, the
abstract and the note (its headings moved below the file's own).

The folder is the user's too: a manifest (`.reader-notes.json`) lists the files this
export wrote, with the record and a hash of what it wrote. A re-run writes new files,
rewrites the ones whose content changed, and removes its own files of the records it
exports that no longer get one (their note and tags were cleared, or their name
changed); files of records outside the export (another query) stay. It never touches
a file it did not write or one edited since it wrote it: those are reported as kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import yaml

from reader.core.errors import ReaderError
from reader.core.export.common import (
    Source,
    citation_keys,
    demote_headings,
    heading,
    latex_markdown,
    load_records,
)
from reader.core.models import Record
from reader.core.userfiles import kind, read_regular, write_through

MANIFEST = ".reader-notes.json"
"""The file in the folder that lists what the export wrote (name -> sha256)."""
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class NotesReport:
    """What a notes export did, file names by outcome."""

    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Files of this export's names that it did not write (or that were edited since):
    left as they are."""

    @property
    def count(self) -> int:
        """How many abstracts the folder now holds a current file for."""
        return len(self.written) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        parts = [
            f"{len(self.written)} new",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        if self.kept:
            shown = ", ".join(self.kept[:3]) + (", …" if len(self.kept) > 3 else "")
            parts.append(f"{len(self.kept)} kept as you left them ({shown})")
        return ", ".join(parts)


def wanted(rec: Record) -> bool:
    """Whether the record gets a file: it has a note or tags."""
    return bool(rec.annotation.note.strip() or rec.annotation.tags)


def file_name(key: str) -> str:
    return (_FILE_UNSAFE.sub("-", key).strip("-.") or "record") + ".md"


def note_file(rec: Record) -> str:
    """The Markdown file of `rec`: front matter, title, abstract, note."""
    abstract, ann = rec.abstract, rec.annotation
    front: dict[str, object] = {"id": rec.id}
    if abstract and abstract.arxiv_id:
        front["arxiv"] = rec.arxiv_label
    front["title"] = heading(rec)
    if abstract and abstract.authors:
        front["authors"] = list(abstract.authors)
    if abstract and abstract.date:
        front["date"] = abstract.date
    front["status"] = ann.status.value
    front["tags"] = list(ann.tags)
    if rec.url:
        front["url"] = rec.url
    if abstract and abstract.doi:
        front["doi"] = abstract.doi
    matter = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10_000)
    parts = [f"---\n{matter}---\n", f"# {heading(rec)}\n"]
    parts.append((latex_markdown(abstract.text) if abstract else "*(not in this library)*") + "\n")
    if ann.note.strip():
        parts.append("## Note\n\n" + demote_headings(ann.note.strip(), 2) + "\n")
    return "\n".join(parts)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folder(path: Path) -> Path:
    """The export folder, created if missing (its parent must exist)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        try:
            path.mkdir()
        except OSError as error:
            raise ReaderError(f"cannot create the folder {path}: {error.strerror}") from None
        return path
    except OSError as error:
        raise ReaderError(f"cannot write {path}: {error.strerror}") from None
    if not path.is_dir():
        raise ReaderError(
            f"cannot write notes to {path}: it is {kind(info.st_mode)}; give a folder"
        )
    return path


def _manifest(folder: Path) -> dict[str, tuple[str, str]]:
    """What earlier runs wrote: file name -> (record id, sha256 of what was written).
    Empty when there is none, or when it is unreadable: then every existing file
    counts as the user's and is kept."""
    try:
        data = orjson.loads(read_regular(folder / MANIFEST, limit=50_000_000, what="manifest"))
    except (FileNotFoundError, ReaderError, orjson.JSONDecodeError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {
        name: (entry["id"], entry["sha256"])
        for name, entry in files.items()
        if isinstance(name, str)
        and isinstance(entry, dict)
        and isinstance(entry.get("id"), str)
        and isinstance(entry.get("sha256"), str)
    }


def _on_disk(path: Path) -> bytes | None:
    try:
        return read_regular(path, what="note file")
    except FileNotFoundError:
        return None


def export_notes(library: Source, ids: Iterable[str], folder: Path) -> NotesReport:
    """Write the notes of `ids` (those with a note or tags) into `folder`."""
    folder = _folder(folder)
    everything = load_records(library, ids)
    keys = citation_keys(everything)  # over all of them: a note's name does not change
    records = [r for r in everything if wanted(r)]  # when another record loses its note
    before = _manifest(folder)
    after: dict[str, tuple[str, str]] = {}
    report = NotesReport()
    for rec in records:
        name = file_name(keys[rec.id])
        data = note_file(rec).encode()
        digest = _digest(data)
        path = folder / name
        current = _on_disk(path)
        if current is None:
            write_through(path, data)
            report.written.append(name)
        elif _digest(current) == digest:
            report.unchanged.append(name)
        elif name in before and before[name][1] == _digest(current):
            write_through(path, data)
            report.updated.append(name)
        else:  # not ours, or edited by hand since we wrote it
            report.kept.append(name)
            continue
        after[name] = (rec.id, digest)
    exported = {r.id for r in everything}
    for name, (record_id, digest) in before.items():
        if name in after or "/" in name or name.startswith("."):
            continue
        if record_id not in exported:  # outside this export (another query): keep it
            after[name] = (record_id, digest)
            continue
        path = folder / name
        current = _on_disk(path)
        if current is not None and _digest(current) == digest and path.is_file():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            report.removed.append(name)
    files = {name: {"id": i, "sha256": d} for name, (i, d) in sorted(after.items())}
    manifest = {"format": "reader-notes", "version": 1, "files": files}
    write_through(folder / MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return report
