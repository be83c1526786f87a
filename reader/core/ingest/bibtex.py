"""BibTeX files (as Zotero, JabRef, Mendeley and Google Scholar write them) -> `Abstract`s.

Parsed with bibtexparser (v2). Each entry becomes one record, known by its arXiv id
when it has one (an `eprint` or `arxiv` field, an arxiv.org URL, arXiv's DOI
`10.48550/arXiv.ID`, or Zotero's `arXiv:ID` note), so it merges with records fetched
from arXiv or listed in text files; else by its DOI (lower case); else by the hash of
its abstract, as the plain formats are. Title, authors (split at " and ") and journal
have their LaTeX rendered as Unicode; the abstract keeps it, as in the other formats.

Entries without an abstract are skipped with a warning naming their key and line:
reader is for reading abstracts, and an empty record could replace the text of a
record already known by the same arXiv id. A malformed entry is skipped with its
line; a key used twice is reported and both entries go in (the key is not what
reader knows them by). `keywords` and `note`/`annote` are suggestions
(`SourceResult.suggested`): the import applies them as tags and notes only when asked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.core.errors import ParseError
from reader.core.ingest.formats import SourceResult, Suggestion
from reader.core.ingest.latex import latex_to_unicode
from reader.core.ingest.parse import (
    MAX_ABSTRACT_CHARS,
    MAX_VERSION,
    ParseWarning,
    WarningKind,
    make_headline,
    record_id,
)
from reader.core.models import ARXIV_ID, TAG_EXCLUDED, Abstract, is_tag_char
from reader.core.text import squash

if TYPE_CHECKING:
    from bibtexparser.model import Entry

MAX_BIBTEX_BYTES = 64 << 20
"""Larger .bib files are refused (bibtexparser holds the whole file, and more)."""

_quiet = logging.getLogger("bibtexparser")
_quiet.addHandler(logging.NullHandler())  # its complaints become our warnings instead
_quiet.propagate = False

_ARXIV_IN = re.compile(
    r"arxiv\.org/(?:abs|pdf)/(?P<a>[^\s?#]+?)(?:\.pdf)?(?:[?#\s]|$)"
    r"|10\.48550/arxiv\.(?P<b>\S+)"
    r"|arxiv\s*:\s*(?P<c>\S+)",
    re.IGNORECASE,
)
_ZOTERO_NOTE = re.compile(r"arxiv\s*:\s*\S+(?:\s*\[[^\]]*\])?", re.IGNORECASE)
"""The note Zotero writes for every arXiv preprint (`arXiv:1706.03762 [cs]`): not the user's."""
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_CONCAT = re.compile(r'\s*("[^"]*"|\{(?:[^{}]|\{[^{}]*\})*\}|[^#\s][^#]*?)\s*(?:#|$)')
"""The parts of `a # "b" # {c}`."""
_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]*)")


def parse_bibtex(data: bytes, path: Path) -> SourceResult:
    """The records of the BibTeX file `data` (its bytes) read from `path`."""
    path = Path(path)
    result = SourceResult(path, [])
    text = _decode(data, path, result.warnings)
    import bibtexparser  # here: the CLI and the app start without it (~30 ms)

    try:
        library = bibtexparser.parse_string(text)
    except Exception as error:  # a bug of the parser's on odd input: one line, not a traceback
        raise ParseError(path, f"the BibTeX parser failed: {type(error).__name__}") from None
    first_line: dict[str, int] = {}
    strings = {key.lower(): str(s.value) for key, s in library.strings_dict.items()}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        entry = _entry_of(block, line, first_line, result)
        if entry is not None:
            first_line.setdefault(entry.key, line)
            _add(entry, line, result, strings)
    if not result.abstracts and not result.warnings:
        raise ParseError(path, "no BibTeX entries in the file")
    return result


def _decode(data: bytes, path: Path, warnings: list[ParseWarning]) -> str:
    if len(data) > MAX_BIBTEX_BYTES:
        raise ParseError(path, f"a BibTeX file over {MAX_BIBTEX_BYTES >> 20} MB is not read")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(path, "the file is UTF-16; save it as UTF-8", line=1)
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        what = f"not valid UTF-8; decoded as {encoding}"
        warnings.append(ParseWarning(path, line, WarningKind.DECODING, what))
        return text
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _entry_of(
    block: Any, line: int, first_line: dict[str, int], result: SourceResult
) -> Entry | None:
    """The entry a block holds (warning about what is odd), None for no entry."""
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        Entry,
        ParsingFailedBlock,
    )

    path, warnings = result.path, result.warnings
    if isinstance(block, Entry):
        return block
    if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, Entry):
        entry = block.ignore_error_block
        for field in entry.fields:
            field.value = _unenclosed(field.value)
        where = f" (first at line {first_line[entry.key]})" if entry.key in first_line else ""
        what = f"duplicate key {entry.key!r}{where}: both entries imported"
        warnings.append(ParseWarning(path, line, WarningKind.METADATA, what))
        return entry
    if isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
        entry = block.ignore_error_block
        names = ", ".join(sorted(block.duplicate_keys))
        what = f"entry {entry.key!r} gives {names} twice; the last one is kept"
        warnings.append(ParseWarning(path, line, WarningKind.METADATA, what))
        return entry
    if isinstance(block, ParsingFailedBlock):
        key = _KEY.match(block.raw or "")
        name = f"entry {key[1]!r}" if key and key[1] else "entry"
        reason = getattr(block.error, "abort_reason", "") or str(block.error)
        reason = squash(reason.split("\n")[0])[:120] or "malformed"
        what = f"malformed {name}, skipped: {reason}"
        warnings.append(ParseWarning(path, line, WarningKind.SKIPPED, what))
        result.failed += 1
    return None


def _joined(value: str, strings: dict[str, str]) -> str:
    """A value written without braces or quotes: `acl # " 2023"` (bibtexparser resolves
    a lone `@string` name, not a concatenation), each part resolved and joined."""
    parts = _CONCAT.findall(value)
    if "#" not in value or not parts:
        return value
    out = []
    for part in parts:
        part = part.strip()
        if part[:1] in '{"' and len(part) > 1:
            out.append(part[1:-1])
        else:
            out.append(strings.get(part.lower(), part))
    return "".join(out)


def _unenclosed(value: Any) -> Any:
    """`{text}` or `"text"` -> `text` (a block bibtexparser left as written)."""
    if not isinstance(value, str) or len(value) < 2:
        return value
    if value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    if value[0] == "{" and value[-1] == "}":
        depth = 0
        for i, char in enumerate(value):
            depth += (char == "{") - (char == "}")
            if depth == 0 and i < len(value) - 1:
                return value  # `{a} and {b}`: the braces are not one pair
        return value[1:-1]
    return value


def _add(entry: Entry, line: int, result: SourceResult, strings: dict[str, str]) -> None:
    from bibtexparser.middlewares.enclosing import REMOVED_ENCLOSING_KEY

    bare = entry.parser_metadata.get(REMOVED_ENCLOSING_KEY) or {}
    fields = {
        f.key.lower(): _joined(str(f.value), strings)
        if bare.get(f.key) == "no-enclosing"
        else str(f.value)
        for f in entry.fields
        if f.value is not None
    }
    key = entry.key
    text = squash(fields.get("abstract", ""))
    if not text:
        what = f"entry {key!r} has no abstract, skipped"
        result.warnings.append(ParseWarning(result.path, line, WarningKind.SKIPPED, what))
        result.failed += 1
        return
    if len(text) > MAX_ABSTRACT_CHARS:
        what = f"entry {key!r}: abstract of {len(text):,} characters, skipped"
        result.warnings.append(ParseWarning(result.path, line, WarningKind.SKIPPED, what))
        result.failed += 1
        return
    arxiv, version = _arxiv_id(fields)
    doi = _doi(fields.get("doi", ""))
    url = fields.get("url", "").strip()
    pdf = url if url.lower().endswith(".pdf") and "arxiv.org" not in url.lower() else None
    comments = tuple(
        c for c in (squash(fields.get("comments", "")), _url_comment(url, arxiv, pdf)) if c
    )
    record = Abstract(
        id=arxiv or (doi.lower() if doi else record_id(text)),
        text=text,
        headline=make_headline(text),
        source=result.path.stem,
        position=len(result.abstracts) + 1,
        line=line,
        arxiv_id=arxiv,
        version=version,
        date=_date(fields),
        comments=comments,
        title=latex_to_unicode(fields.get("title", "")),
        authors=tuple(_authors(fields.get("author", ""))),
        updated=None,
        doi=doi,
        journal_ref=_journal(fields),
        pdf=pdf,
    )
    result.abstracts.append(record)
    suggestion = Suggestion(tags=keyword_tags(fields.get("keywords", "")), note=_note(fields))
    if suggestion.tags or suggestion.note:
        result.suggested[record.id] = suggestion


def _arxiv_id(fields: dict[str, str]) -> tuple[str | None, int | None]:
    """The arXiv id (and version) an entry gives, where entries give it."""
    prefix = fields.get("archiveprefix", fields.get("eprinttype", "arxiv")).strip().lower()
    found = (fields.get("eprint", "") if prefix == "arxiv" else "") or fields.get("arxiv", "")
    found = re.sub(r"^arxiv\s*:\s*", "", found.strip(), flags=re.IGNORECASE)
    if not found:
        for name in ("url", "doi", "note", "journal", "howpublished", "eprint"):
            match = _ARXIV_IN.search(fields.get(name, ""))
            if match:
                found = match["a"] or match["b"] or match["c"]
                break
    if not found:
        return None, None
    match = ARXIV_ID.fullmatch(found.rstrip(".,;)]"))
    if not match:
        return None, None
    version = match["version"]
    number = int(version) if version and len(version) <= 4 else None
    return match["id"], number if number and number <= MAX_VERSION else None


def _doi(value: str) -> str | None:
    value = value.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    return value or None


def _url_comment(url: str, arxiv: str | None, pdf: str | None) -> str:
    """A URL the record does not otherwise keep (not arXiv's, not the PDF)."""
    if not url or url == pdf or (arxiv and "arxiv.org" in url.lower()):
        return ""
    return url


def _date(fields: dict[str, str]) -> str | None:
    """`date` (2017, 2017-12, 2017-12-06), else `year` and `month`, as an ISO date; a
    year alone is its first day, a month its first day."""
    match = _DATE.match(fields.get("date", "").strip())
    if match:
        year, month, day = match[1], match[2], match[3]
    else:
        year_match = re.search(r"\d{4}", fields.get("year", ""))
        if not year_match:
            return None
        year, month, day = year_match[0], _month(fields.get("month", "")), None
    try:
        return date(int(year), int(month or 1), int(day or 1)).isoformat()
    except ValueError:
        return None


def _month(value: str) -> str | None:
    value = value.strip().lower()
    if value.isdigit():
        return value
    for number, name in enumerate(_MONTH_NAMES, start=1):
        if value.startswith(name):
            return str(number)
    return None


def _authors(value: str) -> Iterator[str]:
    """The names of a BibTeX `author` field: split at " and " outside braces, LaTeX
    rendered, "others" (et al.) dropped."""
    depth = start = 0
    parts = []
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            parts.append(value[start : match.start()])
            start = match.end()
    parts.append(value[start:])
    for part in parts:
        name = latex_to_unicode(part)
        if name and name.lower() != "others":
            yield name


def _journal(fields: dict[str, str]) -> str | None:
    """The journal (or proceedings), volume, number and pages, as one line."""
    venue = fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle") or ""
    venue = latex_to_unicode(venue)
    if not venue or _ARXIV_IN.search(venue) or venue.lower() == "arxiv":
        return None
    volume, number = fields.get("volume", "").strip(), fields.get("number", "").strip()
    pages = fields.get("pages", "").strip().replace("--", "–")
    out = venue + (f" {volume}" if volume else "") + (f"({number})" if number else "")
    return out + (f", {pages}" if pages else "")


def keyword_tags(value: str) -> tuple[str, ...]:
    """BibTeX keywords (separated by `,` or `;`) as tags: lower case, spaces and
    characters a tag cannot hold made `-` ("Machine Learning" -> `machine-learning`)."""
    tags = []
    for keyword in re.split(r"[,;]", latex_to_unicode(value)):
        chars = ("-" if c.isspace() or c in TAG_EXCLUDED else c for c in keyword.lower())
        tag = re.sub(r"-{2,}", "-", "".join(c for c in chars if is_tag_char(c))).strip("-#")
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _note(fields: dict[str, str]) -> str:
    """The entry's `note` and `annote`, paragraphs kept, LaTeX rendered; Zotero's own
    `arXiv:ID [cs]` note is not the user's and is left out."""
    paragraphs = []
    for name in ("note", "annote"):
        value = fields.get(name, "").strip()
        if not value or _ZOTERO_NOTE.fullmatch(value):
            continue
        for paragraph in re.split(r"\n\s*\n", value):
            rendered = latex_to_unicode(paragraph)
            if rendered:
                paragraphs.append(rendered)
    return "\n\n".join(paragraphs)
