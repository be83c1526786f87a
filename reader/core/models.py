"""The records: an `Abstract` from the corpus and the user's `Annotation` on it.

Abstracts come from parsing files and change only on import. Annotations are the
user's work (status, tags, note, title) and live in a separate file, keyed by the
record id, so a tag change never rewrites the corpus.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from reader.core.text import fold

FIELDS = ("status", "tags", "note", "title")
"""The fields of an annotation the user edits, in the order they are shown and checked."""

PLAIN_FIELDS = tuple(name for name in FIELDS if name != "tags")
"""The fields that hold one value (tags are a set, edited one by one as `#name`)."""


class Status(StrEnum):
    """Where an abstract stands in the user's reading; every record starts `UNREAD`."""

    UNREAD = "unread"
    TO_READ = "to-read"
    READING = "reading"
    READ = "read"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return self.value

    @classmethod
    def parse(cls, text: str) -> Status:
        """The status named by `text` (case-insensitive; `toread`, `to_read` accepted)."""
        key = text.strip().lower().replace("_", "-")
        if key == "toread":
            key = "to-read"
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown status {text!r} (expected one of: {names})") from None


TAG_EXCLUDED = '(),"*'
"""Characters no tag may hold, beside white space and unprintable characters: the
query language could not say `tag:NAME` (parentheses and quotes end the word, `*`
makes a prefix, a comma separates tags)."""

_TAG = re.compile(r"^[^\s,]+$")
"""What a tag read from the user's file must be (older releases let in the rest)."""


def is_tag_char(char: str) -> bool:
    """Whether `char` may be in a tag: the tag alphabet is every printable character
    but white space and `TAG_EXCLUDED` (so letters of any script, digits, `-_./:+&`,
    symbols; no control or bidi-format characters, which would reach the terminal)."""
    return char.isprintable() and not char.isspace() and char not in TAG_EXCLUDED


def normalize_tag(text: str) -> str:
    """A tag as typed by the user, as stored: stripped, lower-case, no leading `#`.

    Raises ValueError, with a one-line message, for an empty tag or one with a
    character outside the tag alphabet (`is_tag_char`).
    """
    tag = text.strip().lstrip("#").lower()
    if not tag or not all(map(is_tag_char, tag)):
        raise ValueError(
            f"invalid tag {text!r}: a tag is one word without spaces, commas, quotes, "
            "parentheses, * or control characters"
        )
    return tag


def _stored_tag(text: str) -> str:
    """A tag read from the user's file: normalised, but only checked as older
    releases checked it, so a file they wrote still loads (and stays editable)."""
    tag = text.strip().lstrip("#").lower()
    if not tag or not _TAG.match(tag):
        raise ValueError(f"invalid tag {text!r}: tags are single words without commas")
    return tag


def format_tags(tags: Iterable[str]) -> str:
    """Tags as the user reads and types them: `#method #ml`."""
    return " ".join(f"#{t}" for t in tags)


ARXIV_ID = re.compile(
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z-]+)?/\d{7})(?:v(?P<version>\d+))?",
    re.IGNORECASE,
)
"""An arXiv identifier, new (`2306.10015`) or old style (`math/0601001`), with an
optional version (`v2`)."""

_ID_VERSION = re.compile(r"(?<=[0-9])[vV][0-9]+$")


def normalize_id(text: str) -> str:
    """A record id as the user may give it, as records are keyed: stripped, without an
    `arXiv:` prefix or a trailing version (`arXiv:2306.10015v2` -> `2306.10015`).

    Case is kept (lookups compare folded); used by id resolution and the query
    language's `id:`.
    """
    text = text.strip()
    if text[:6].lower() == "arxiv:":
        text = text[6:]
    return _ID_VERSION.sub("", text)


def tag_key(tag: str) -> str:
    """A tag as search compares it, in the query (`tag:Café`) and in the index alike:
    folded as query words are, so `tag:cafe`, `tag:café` and `cafe` find `#café`."""
    return fold(tag.strip().lstrip("#"))


_normalized = functools.lru_cache(maxsize=8192)(_stored_tag)
"""`_stored_tag`, cached: the same few tags recur on thousands of records."""


def now_iso() -> str:
    """The current UTC time, to the second, as stored in annotations."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def surname(name: str) -> str:
    """The family name in an author's name as sources write it: the part before the
    comma in "Vaswani, Ashish", else the last word ("Ashish Vaswani")."""
    name = name.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    words = name.split()
    return words[-1] if words else ""


def short_authors(authors: Iterable[str], shown: int = 2) -> str:
    """`Vaswani, Shazeer, … +6`: the surnames of the first `shown` authors, then how
    many more; all of them when there are at most `shown` + 1."""
    names = [surname(a) for a in authors if a.strip()]
    if len(names) <= shown + 1:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f", … +{len(names) - shown}"


@dataclass(frozen=True, slots=True)
class Abstract:
    """One abstract as parsed from a source file."""

    id: str
    """Record id: the arXiv id without version when known, else a 12-hex hash of the text."""
    text: str
    """The abstract as written, LaTeX kept, its lines joined with single spaces."""
    headline: str
    """Display line when no title is known: first sentence, LaTeX as Unicode, <= ~100 chars."""
    source: str
    """Stem of the file it came from."""
    position: int
    """1-based ordinal of the abstract within its source file."""
    line: int = 0
    """1-based line of the file where the abstract starts."""
    arxiv_id: str | None = None
    """arXiv identifier without version, e.g. "2306.10015" or "math/0601001"."""
    version: int | None = None
    """arXiv version number when the id carried one ("v2" -> 2)."""
    date: str | None = None
    """ISO date (YYYY-MM-DD) from a `Created:` line."""
    comments: tuple[str, ...] = ()
    """Comment lines such as "7 pages, 6 figures"."""
    title: str = ""
    """The title the source gives (arXiv, BibTeX, the snapshot); empty for the seed
    formats, which carry none. The user's own title (`Annotation.title`) overrides it."""
    authors: tuple[str, ...] = ()
    """Author names as the source writes them ("Ashish Vaswani" or "Vaswani, Ashish")."""
    categories: tuple[str, ...] = ()
    """arXiv categories, the primary one first ("cs.CL", "cs.LG")."""
    updated: str | None = None
    """ISO date (YYYY-MM-DD) of the latest version, when the source gives it; `date`
    is the first version's (arXiv's "published")."""
    doi: str | None = None
    journal_ref: str | None = None
    pdf: str | None = None
    """The PDF's address when the source gives one (else derived from the arXiv id)."""
    replaced_version: int | None = None
    """The arXiv version the library held before a fetch or import brought a newer one
    (`version`): the detail pane notes "v3, replaces v2". None when no newer version
    ever replaced one here."""

    @property
    def url(self) -> str | None:
        """The arXiv abstract page, when the id is known."""
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else None

    @property
    def pdf_url(self) -> str | None:
        """The PDF: the source's address, else arXiv's for the id (and its version)."""
        if self.pdf:
            return self.pdf
        return f"https://arxiv.org/pdf/{self.arxiv_label}" if self.arxiv_id else None

    @property
    def short_authors(self) -> str:
        """The authors as a list row shows them: `Vaswani, Shazeer, … +6` (surnames of
        the first two, then how many more); empty when none are known."""
        return short_authors(self.authors)

    @property
    def arxiv_label(self) -> str | None:
        """The arXiv id with its version as the paper gives it (`2306.10015v2`)."""
        if not self.arxiv_id:
            return None
        return f"{self.arxiv_id}v{self.version}" if self.version else self.arxiv_id

    def to_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies every field (17 s of a 100k import)
        return {
            "id": self.id,
            "text": self.text,
            "headline": self.headline,
            "source": self.source,
            "position": self.position,
            "line": self.line,
            "arxiv_id": self.arxiv_id,
            "version": self.version,
            "date": self.date,
            "comments": list(self.comments),
            **{
                name: value
                for name, value in (
                    ("title", self.title),
                    ("authors", list(self.authors)),
                    ("categories", list(self.categories)),
                    ("updated", self.updated),
                    ("doi", self.doi),
                    ("journal_ref", self.journal_ref),
                    ("pdf", self.pdf),
                    ("replaced_version", self.replaced_version),
                )
                if value
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Abstract:
        return cls(
            id=data["id"],
            text=data["text"],
            headline=data["headline"],
            source=data["source"],
            position=data["position"],
            line=data.get("line", 0),
            arxiv_id=data.get("arxiv_id"),
            version=data.get("version"),
            date=data.get("date"),
            comments=tuple(data.get("comments") or ()),
            title=data.get("title") or "",
            authors=tuple(data.get("authors") or ()),
            categories=tuple(data.get("categories") or ()),
            updated=data.get("updated"),
            doi=data.get("doi"),
            journal_ref=data.get("journal_ref"),
            pdf=data.get("pdf"),
            replaced_version=data.get("replaced_version"),
        )


@dataclass(frozen=True, slots=True)
class Annotation:
    """The user's data on one record. The default value means "nothing said yet"."""

    status: Status = Status.UNREAD
    tags: tuple[str, ...] = ()
    """Sorted, normalised tags (see `normalize_tag`)."""
    note: str = ""
    """Markdown note."""
    title: str = ""
    """The user's title for the record; empty means use the headline."""
    created: str = ""
    updated: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Fields written by a later release, kept so a round trip does not drop them."""

    @property
    def is_empty(self) -> bool:
        """True when the annotation says nothing beyond the defaults."""
        return self.same_content(EMPTY)

    def same_content(self, other: Annotation) -> bool:
        """Equal in every field the user edits (`FIELDS`; timestamps ignored)."""
        return all(getattr(self, name) == getattr(other, name) for name in FIELDS)

    def with_tags(self, add: tuple[str, ...] = (), remove: tuple[str, ...] = ()) -> Annotation:
        tags = (set(self.tags) | set(add)) - set(remove)
        return replace(self, tags=tuple(sorted(tags)))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data.update(
            status=self.status.value,
            tags=list(self.tags),
            note=self.note,
            title=self.title,
            created=self.created,
            updated=self.updated,
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        """Read a stored annotation; raises ValueError/TypeError/KeyError on a bad shape."""
        known = _KNOWN
        tags = data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ValueError("tags must be a list of strings")
        for key in ("note", "title", "created", "updated"):
            if not isinstance(data.get(key, ""), str):
                raise ValueError(f"{key} must be a string")
        return cls(
            status=_STATUSES.get(data.get("status", "unread")) or Status(data["status"]),
            tags=tuple(sorted({_normalized(t) for t in tags})) if tags else (),
            note=data.get("note", ""),
            title=data.get("title", ""),
            created=data.get("created", ""),
            updated=data.get("updated", ""),
            extra={} if data.keys() <= known else {k: v for k, v in data.items() if k not in known},
        )


_KNOWN = frozenset({*FIELDS, "created", "updated"})
_STATUSES = {s.value: s for s in Status}

EMPTY = Annotation()
"""The annotation of a record the user has not touched."""

IndexedFields = tuple[str, Sequence[str], str, str, str]
"""What the search index reads of an annotation: status, tags, note, title, updated.
Taken from the stored form, undecoded, when the index is first filled: a status is
its value (a `Status` is a str), tags may be as stored (search folds them as
`normalize_tag` would: `tag_key`)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One record as the list, the detail pane, the CLI and the exports read it: the
    abstract (None when the library holds only an annotation for the id) and the
    user's annotation on it."""

    id: str
    abstract: Abstract | None
    annotation: Annotation = EMPTY

    @property
    def title(self) -> str:
        """The user's title when set, else the headline (else the id)."""
        if self.annotation.title:
            return self.annotation.title
        if self.abstract:
            return self.abstract.title or self.abstract.headline or self.id
        return self.id

    @property
    def url(self) -> str | None:
        """The arXiv abstract page, when the arXiv id is known."""
        return self.abstract.url if self.abstract else None

    @property
    def arxiv_label(self) -> str | None:
        """`2306.10015v2`: the arXiv id with its version, when known."""
        return self.abstract.arxiv_label if self.abstract else None

    @property
    def replaced_version(self) -> int | None:
        """The arXiv version a newer one replaced here (`Abstract.replaced_version`)."""
        return self.abstract.replaced_version if self.abstract else None

    @property
    def tags(self) -> str:
        """The tags as the user reads them: `#method #ml` (empty when none)."""
        return format_tags(self.annotation.tags)

    def fields(self) -> dict[str, Any]:
        """The user's fields (`FIELDS`), as stored: status by name, tags as a list."""
        ann = self.annotation
        return {
            "status": ann.status.value,
            "tags": list(ann.tags),
            "note": ann.note,
            "title": ann.title,
        }
