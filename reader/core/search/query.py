"""The query language: text -> AST. The search index evaluates the AST (`index.py`).

    reasoning "language model" -survey          words (prefixes) and phrases, all required
    rl OR "reinforcement learning"              OR binds looser than AND
    NOT (survey OR review)   tag:llm*           NOT, parentheses; tag prefix with `*`
    status:to-read  id:2306  source:arxiv       fields (see FIELDS)
    author:vaswani  cat:cs.CL  cat:cs           the source's authors and categories
    year:2020..2022  date:>=2023-05  has:note   dates and ranges, presence tests

Words are folded (`text.fold`) and split with `text.words`: `reason` finds
"Reasoning"; a word such as `step-by-step` becomes the phrase "step by step". In a
phrase every word but the last is a whole word and the last is a prefix. Upper-case
`AND`, `OR`, `NOT` are operators (lower-case ones are words); `-x` is `NOT x`.

`parse` raises `QueryError` (with the 0-based position of the problem) for any
malformed input and never anything else; a blank query parses to `MatchAll()`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from reader.core.errors import QueryError
from reader.core.models import Status, normalize_id, tag_key
from reader.core.text import fold, words

FIELDS = (
    "tag",
    "status",
    "id",
    "source",
    "year",
    "date",
    "has",
    "note",
    "title",
    "abstract",
    "author",
    "cat",
)
"""The field names a query may use as `name:value`."""

ALIASES = {"arxiv": "id", "authors": "author", "category": "cat"}
"""Other names of fields."""

HAS = {
    "note": "note",
    "notes": "note",
    "tag": "tags",
    "tags": "tags",
    "title": "title",
    "id": "id",
    "arxiv": "id",
    "date": "date",
    "author": "authors",
    "authors": "authors",
}
"""Accepted `has:` values -> the canonical one."""

MAX_DEPTH = 50
"""Deepest parenthesis nesting accepted (deeper input is a `QueryError`, not a crash)."""

DATE_MIN = 1
DATE_MAX = 99_999_999
"""Bounds of `DateRange`: dates are `yyyymmdd` integers and 0 means unknown."""


# -- the AST ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchAll:
    """Every record (the blank query)."""


@dataclass(frozen=True, slots=True)
class Term:
    """Words to find: one word (a prefix) or a phrase of consecutive words.

    `field` is None for bare words (abstract, title, tags and note), else one of
    "abstract", "title", "note". `value` is the folded words joined by single spaces;
    the last word matches as a prefix, the others as whole words.
    """

    field: str | None
    value: str
    phrase: bool = False

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.value.split(" "))


@dataclass(frozen=True, slots=True)
class Tag:
    """`tag:name` (exact) or `tag:name*` (prefix; `tag:*` is any tag), as `tag_key`."""

    name: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class StatusIs:
    """`status:...`."""

    status: Status


@dataclass(frozen=True, slots=True)
class IdPrefix:
    """`id:...`: prefix of the record id or of the arXiv id (folded, no version)."""

    prefix: str


@dataclass(frozen=True, slots=True)
class SourcePrefix:
    """`source:...`: prefix of the source file stem (folded)."""

    prefix: str


@dataclass(frozen=True, slots=True)
class Author:
    """`author:name`: an author of the source has every word of `words` as a word
    prefix (folded: `author:muller` finds "Müller", `author:"vaswani a"` finds
    "Ashish Vaswani" and "Vaswani, A.")."""

    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CategoryPrefix:
    """`cat:cs.CL`: a category of the source starts with `prefix` (lower case), so
    `cat:cs` is every cs category."""

    prefix: str


@dataclass(frozen=True, slots=True)
class DateRange:
    """`year:` / `date:`: known dates `d` (as yyyymmdd) with `lo <= d <= hi`."""

    lo: int
    hi: int


@dataclass(frozen=True, slots=True)
class Has:
    """`has:what`, what in "note", "tags", "title", "id", "date", "authors"."""

    what: str


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = (
    MatchAll
    | Term
    | Tag
    | StatusIs
    | IdPrefix
    | SourcePrefix
    | Author
    | CategoryPrefix
    | DateRange
    | Has
    | Not
    | And
    | Or
)


# -- public functions -------------------------------------------------------------------


def parse(text: str) -> Node:
    """The AST of `text`; raises `QueryError` when it is malformed."""
    return _Parser(_lex(text), len(text)).parse()


def terms(node: Node) -> list[str]:
    """The folded words and phrases ("language model") the query looks for, to highlight.

    Only positive text terms count: those under an odd number of NOTs are left out.
    """
    found: list[str] = []

    def visit(n: Node, positive: bool) -> None:
        if isinstance(n, Term):
            if positive and n.value not in found:
                found.append(n.value)
        elif isinstance(n, Not):
            visit(n.child, not positive)
        elif isinstance(n, And | Or):
            for child in n.children:
                visit(child, positive)

    visit(node, True)
    return found


# -- lexing -----------------------------------------------------------------------------

_LPAREN, _RPAREN, _OR, _AND, _NOT, _NEG, _TERM, _END = range(8)
_KEYWORDS = {"OR": _OR, "AND": _AND, "NOT": _NOT}
_FIELD = re.compile(r"([A-Za-z]+):")
_STOP = frozenset('()"')


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: int
    pos: int
    node: Node | None = None


def _lex(text: str) -> list[_Tok]:
    """Tokens of `text`; words without any letter or digit (`!!`, `-`) are dropped."""
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "(":
            toks.append(_Tok(_LPAREN, i))
            i += 1
        elif c == ")":
            toks.append(_Tok(_RPAREN, i))
            i += 1
        elif c == '"':
            end = _closing_quote(text, i)
            toks.append(_Tok(_TERM, i, _phrase(None, text[i + 1 : end], i)))
            i = end + 1
        else:
            i = _lex_bare(text, i, toks)
    toks.append(_Tok(_END, n))
    return toks


def _lex_bare(text: str, i: int, toks: list[_Tok]) -> int:
    """Lex the token starting at `i` (leading `-`s negate it); return where it ends."""
    n = len(text)
    dashes = 0
    while i + dashes < n and text[i + dashes] == "-":
        dashes += 1
    start = i + dashes
    neg = [_Tok(_NEG, i)] if dashes % 2 else []
    if start < n and text[start] in '("':  # -( ... ) and -"phrase": the next token
        toks.extend(neg)
        return start
    end = start
    while end < n and not text[end].isspace() and text[end] not in _STOP:
        end += 1
    word = text[start:end]
    if not dashes and word in _KEYWORDS:
        toks.append(_Tok(_KEYWORDS[word], i))
        return end
    match = _FIELD.match(word)
    node: Node | None
    if match:
        node, end = _lex_field(text, start, match, end)
    else:
        node = _words_term(None, word, quoted=False)
    if node is not None:
        toks.extend(neg)
        toks.append(_Tok(_TERM, i, node))
    return end


def _lex_field(text: str, start: int, match: re.Match[str], end: int) -> tuple[Node, int]:
    """The node of `name:value` starting at `start`, and where it ends."""
    name = match.group(1).lower()
    name = ALIASES.get(name, name)
    if name not in FIELDS:
        raise QueryError(f"unknown field {match.group(1)!r} (fields: {', '.join(FIELDS)})", start)
    vpos = start + match.end()
    quoted = vpos == end and end < len(text) and text[end] == '"'
    if quoted:
        close = _closing_quote(text, end)
        value, vpos, end = text[end + 1 : close], end + 1, close + 1
    else:
        value = text[vpos:end]
    if not value.strip():
        raise QueryError(f"{name}: needs a value", start)
    return _field(name, value, vpos, quoted), end


def _closing_quote(text: str, i: int) -> int:
    end = text.find('"', i + 1)
    if end < 0:
        raise QueryError("unclosed quote", i)
    return end


def _words_term(field: str | None, raw: str, *, quoted: bool) -> Term | None:
    found = words(fold(raw))
    if not found:
        return None
    return Term(field, " ".join(found), phrase=quoted or len(found) > 1)


def _phrase(field: str | None, raw: str, pos: int) -> Term:
    term = _words_term(field, raw, quoted=True)
    if term is None:
        raise QueryError("empty phrase: it has no word in it", pos)
    return term


# -- fields -----------------------------------------------------------------------------


def _field(name: str, value: str, pos: int, quoted: bool) -> Node:
    """The node for `name:value`; `pos` is where the value starts."""
    if name in ("note", "title", "abstract"):
        if quoted:
            return _phrase(name, value, pos)
        term = _words_term(name, value, quoted=False)
        if term is None:
            raise QueryError(f"{name}: needs a word", pos)
        return term
    if name == "tag":
        return _tag(value, pos)
    if name == "status":
        try:
            return StatusIs(Status.parse(value))
        except ValueError as error:
            raise QueryError(str(error), pos) from None
    if name == "has":
        what = HAS.get(value.strip().lower())
        if what is None:
            expected = "note, tags, title, id, date or authors"
            raise QueryError(f"unknown has:{value} (expected {expected})", pos)
        return Has(what)
    if name in ("year", "date"):
        lo, hi = _date_value(value, pos, years=name == "year")
        return DateRange(lo, hi)
    if name == "source":
        return SourcePrefix(fold(value.strip()))
    if name == "author":
        found = words(fold(value))
        if not found:
            raise QueryError("author: needs a name", pos)
        return Author(tuple(found))
    if name == "cat":
        prefix = value.strip().lower()
        if any(c.isspace() for c in prefix):
            raise QueryError(f"invalid category {value!r}: categories are single words", pos)
        return CategoryPrefix(prefix)
    return IdPrefix(_id_prefix(value))


def _tag(value: str, pos: int) -> Tag:
    name = tag_key(value)
    prefix = name.endswith("*")
    name = name.rstrip("*")
    if any(c.isspace() or c in ",*" for c in name):
        raise QueryError(f"invalid tag {value!r}: tags are single words", pos)
    if not name and not prefix:
        raise QueryError("tag: needs a value", pos)
    return Tag(name, prefix)


def _id_prefix(value: str) -> str:
    """`value` as an id (see `normalize_id`: no `arxiv:`, no `v2`), folded."""
    return fold(normalize_id(value))


_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")
_YEAR = re.compile(r"([0-9]{4})()()")
_OPS = (">=", "<=", ">", "<", "=")


def _date_value(value: str, pos: int, *, years: bool) -> tuple[int, int]:
    """Inclusive yyyymmdd bounds for a `date:`/`year:` value (`A`, `A..B`, `>=A`, ...)."""
    text = value.strip()
    pos += len(value) - len(value.lstrip())
    for op in _OPS:
        if text.startswith(op):
            lo, hi = _date_bounds(text[len(op) :], pos + len(op), years)
            return {
                ">=": (lo, DATE_MAX),
                ">": (hi + 1, DATE_MAX),
                "<=": (DATE_MIN, hi),
                "<": (DATE_MIN, lo - 1),
                "=": (lo, hi),
            }[op]
    if ".." in text:
        first, _, last = text.partition("..")
        if not first and not last:
            raise QueryError("a range needs a start or an end", pos)
        lo = _date_bounds(first, pos, years)[0] if first else DATE_MIN
        hi = _date_bounds(last, pos + len(first) + 2, years)[1] if last else DATE_MAX
        return lo, hi
    return _date_bounds(text, pos, years)


def _date_bounds(text: str, pos: int, years: bool) -> tuple[int, int]:
    """First and last yyyymmdd of a year, month or day (`2023`, `2023-05`, `2023-05-01`)."""
    match = (_YEAR if years else _DATE).fullmatch(text)
    expected = "a year like 2023" if years else "a date like 2023-05-01, 2023-05 or 2023"
    if not match:
        what = "year" if years else "date"
        raise QueryError(f"invalid {what} {text!r}: expected {expected}", pos)
    year, month, day = (int(g) if g else 0 for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        raise QueryError(f"invalid date {text!r}", pos) from None
    base = year * 10_000 + month * 100
    if day:
        return base + day, base + day
    if month:
        return base, base + 99
    return base, base + 9_999


# -- parsing ----------------------------------------------------------------------------

_NAMES = {_OR: "'OR'", _AND: "'AND'", _NOT: "'NOT'", _NEG: "'-'"}
_OPERAND = frozenset({_LPAREN, _NOT, _NEG, _TERM})


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary (AND? unary)*;
    unary := (NOT | -)* atom; atom := ( or ) | term."""

    def __init__(self, toks: list[_Tok], length: int) -> None:
        self.toks = toks
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.peek().kind == _END:
            return MatchAll()
        node = self.parse_or()
        tok = self.peek()
        if tok.kind == _RPAREN:
            raise QueryError("unmatched ')'", tok.pos)
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.peek().kind == _OR:
            tok = self.take()
            self.need_operand(tok)
            items.append(self.parse_and())
        return _join(Or, items)

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while True:
            tok = self.peek()
            if tok.kind == _AND:
                self.take()
                self.need_operand(tok)
            elif tok.kind not in _OPERAND:
                return _join(And, items)
            items.append(self.parse_unary())

    def parse_unary(self) -> Node:
        negate = False
        while self.peek().kind in (_NOT, _NEG):
            tok = self.take()
            self.need_operand(tok)
            negate = not negate
        node = self.parse_atom()
        return Not(node) if negate else node

    def parse_atom(self) -> Node:
        tok = self.take()
        if tok.kind == _TERM:
            assert tok.node is not None
            return tok.node
        if tok.kind == _LPAREN:
            if self.peek().kind == _RPAREN:
                raise QueryError("empty parentheses", tok.pos)
            if self.peek().kind == _END:
                raise QueryError("unclosed '('", tok.pos)
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError("parentheses nested too deeply", tok.pos)
            node = self.parse_or()
            self.depth -= 1
            if self.peek().kind != _RPAREN:
                raise QueryError("unclosed '('", tok.pos)
            self.take()
            return node
        if tok.kind == _RPAREN:
            raise QueryError("unmatched ')'", tok.pos)
        if tok.kind in (_OR, _AND):
            raise QueryError(f"{_NAMES[tok.kind]} has nothing before it", tok.pos)
        raise QueryError("the query ends too early", tok.pos)  # pragma: no cover

    def need_operand(self, op: _Tok) -> None:
        """Raise unless an operand follows the operator `op` (just taken)."""
        if self.peek().kind not in _OPERAND:
            raise QueryError(f"{_NAMES[op.kind]} has nothing after it", op.pos)


def _join(kind: type[And] | type[Or], items: list[Node]) -> Node:
    """`kind` of `items`, nested nodes of the same kind flattened; one item alone."""
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, kind) else (item,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))
