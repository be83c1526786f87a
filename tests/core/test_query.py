"""The query language's error contract: any malformed input is a `QueryError` that
names the column of the problem, never a `ValueError`, `RecursionError` or the like.

The table below has a row for every `raise QueryError` in query.py (a test checks
that no site is missing), and the property test draws queries from the grammar
(fields, values, operators, quotes, parentheses, deep nesting) rather than from
arbitrary text, which almost never spells a field name.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from random import Random

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from reader.core.errors import QueryError
from reader.core.models import Abstract
from reader.core.search import query as q
from reader.core.search.index import SearchIndex

DEEP = q.MAX_DEPTH + 1

# (query, words the message holds, 1-based column the message names)
TABLE: list[tuple[str, str, int]] = [
    ("graph colour:red", "unknown field 'colour'", 7),
    ("graph tag:", "tag: needs a value", 7),
    ('graph title:""', "title: needs a value", 7),
    ('graph status:"  "', "status: needs a value", 7),
    ('graph "open phrase', "unclosed quote", 7),
    ('graph note:"open', "unclosed quote", 12),
    ('graph "!! --"', "empty phrase: it has no word in it", 7),
    ('graph abstract:"!!"', "empty phrase: it has no word in it", 17),
    ("graph note:!!", "note: needs a word", 12),
    ("graph title:-", "title: needs a word", 13),
    ("graph status:done", "unknown status 'done'", 14),
    ("graph status:read,unread", "unknown status 'read,unread'", 14),
    ("graph has:bogus", "unknown has:bogus", 11),
    ("graph author:!!", "author: needs a name", 14),
    ('graph cat:"cs CL"', "invalid category 'cs CL': categories are single words", 12),
    ("graph tag:a,b", "invalid tag 'a,b': tags are single words", 11),
    ('graph tag:"a b"', "invalid tag 'a b': tags are single words", 12),
    ("graph tag:a*b", "invalid tag 'a*b'", 11),
    ("graph tag:#", "tag: needs a value", 11),
    ("graph date:..", "a range needs a start or an end", 12),
    ("graph date:abc", "invalid date 'abc': expected a date like 2023-05-01", 12),
    ("graph date:>", "invalid date ''", 13),
    ("graph date:2023..20x", "invalid date '20x'", 18),
    ("graph year:2023-01", "invalid year '2023-01': expected a year like 2023", 12),
    ("graph date:2023-13", "invalid date '2023-13'", 12),
    ("graph date:2023-02-30", "invalid date '2023-02-30'", 12),
    ("graph year:0000", "invalid date '0000'", 12),
    ("graph x)", "unmatched ')'", 8),
    ("graph )", "unmatched ')'", 7),
    (")", "unmatched ')'", 1),
    ("graph ()", "empty parentheses", 7),
    ("graph (", "unclosed '('", 7),
    ("graph (x OR y", "unclosed '('", 7),
    ("graph " + "(" * DEEP + "x" + ")" * DEEP, "parentheses nested too deeply", 7 + q.MAX_DEPTH),
    ("(" * 20_000 + "x", "parentheses nested too deeply", 1 + q.MAX_DEPTH),
    ("-(" * 20_000 + "x", "parentheses nested too deeply", 2 * q.MAX_DEPTH + 2),
    ("OR graph", "'OR' has nothing before it", 1),
    ("graph (AND x)", "'AND' has nothing before it", 8),
    ("graph OR", "'OR' has nothing after it", 7),
    ("graph AND", "'AND' has nothing after it", 7),
    ("graph NOT", "'NOT' has nothing after it", 7),
    ("graph -", "", 0),  # a lone dash is no word: dropped, not an error
]


@pytest.mark.parametrize(("text", "words", "column"), TABLE, ids=lambda v: str(v)[:40])
def test_each_malformed_query_is_a_query_error_naming_its_column(text, words, column):
    if not column:
        q.parse(text)
        return
    with pytest.raises(QueryError) as caught:
        q.parse(text)
    assert words in caught.value.reason
    assert caught.value.position == column - 1
    assert str(caught.value) == f"{caught.value.reason} (at column {column})"


def _raise_site(error: BaseException) -> int:
    """The line of query.py that raised `error`."""
    source = Path(inspect.getfile(q)).resolve()
    line = 0
    tb = error.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == source:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def test_the_table_reaches_every_query_error_site():
    lines = inspect.getsource(q).splitlines()
    sites = {
        number
        for number, line in enumerate(lines, 1)
        if "raise QueryError(" in line and "pragma: no cover" not in line
    }
    reached = set()
    for text, _, column in TABLE:
        if column:
            with pytest.raises(QueryError) as caught:
                q.parse(text)
            reached.add(_raise_site(caught.value))
    missing = {n: lines[n - 1].strip() for n in sites - reached}
    assert not missing, f"add a row to TABLE for each of these raise sites: {missing}"


# -------------------------------------------------------------- the grammar as a strategy

WORDS = st.sampled_from(
    ["graph", "reasoning", "Schrödinger", "naïve", "step-by-step", "ß", "x", "2023", "é"]
    + ["!!", "-", "--x", "*", "#", ",", "a,b", "OR", "AND", "NOT", "or", "not", "_", ":", "Ⅷ"]
)
NAMES = st.sampled_from([*q.FIELDS, *q.ALIASES, "TAG", "Status", "YEAR", "colour", "x", "a1"])
DAYS = st.sampled_from(["2023", "2023-05", "2023-5-1", "2023-05-01", "0001-01-01", "9999-12-31"])
BAD_DAYS = st.sampled_from(["2023-13", "2023-02-30", "0000", "20231", "abc", "", "١٢٣٤", "2023-"])
ONE_DAY = st.one_of(DAYS, BAD_DAYS)
DATES = st.one_of(
    DAYS,
    st.builds("{}{}".format, st.sampled_from([">=", "<=", ">", "<", "=", ">>", "<>"]), ONE_DAY),
    st.builds("{}..{}".format, ONE_DAY, ONE_DAY),
    st.builds("{}..{}".format, DAYS, DAYS),  # a good range, often enough in any process
    st.sampled_from(["..", "....", "2023...2024", "..2023..2024", ">=..", "2024..2023"]),
)
STATUSES = st.sampled_from(["unread", "to-read", "toread", "to_read", "READING", "done", ""])
HAS_VALUES = st.sampled_from([*q.HAS, "bogus", "NOTE", ""])
TAGS = st.sampled_from(["rl", "rl*", "*", "#rl", "#", "r*l", "rl,nlp", "ml**", "naïve", "a b"])
ANY_VALUE = st.one_of(WORDS, DATES, STATUSES, HAS_VALUES, TAGS, st.text(max_size=6))
CATS = st.sampled_from(["cs", "cs.CL", "CS.cl", "hep-th", "a b", "", "!!", "cs*"])
VALUES = {
    "date": DATES,
    "year": DATES,
    "status": STATUSES,
    "has": HAS_VALUES,
    "tag": TAGS,
    "cat": CATS,
}
"""The values each field expects (and some it does not); any value for other names."""


@st.composite
def field_terms(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    own = VALUES.get(name.lower(), ANY_VALUE)
    value = draw(st.one_of(own, own, own, ANY_VALUE))
    style = draw(st.sampled_from(["bare", "bare", "quoted", "unclosed"]))
    if style == "quoted":
        return f'{name}:"{value}"'
    if style == "unclosed":
        return f'{name}:"{value}'
    return f"{name}:{value}"


PHRASES = st.builds('"{}"'.format, st.lists(WORDS, max_size=3).map(" ".join))
ATOMS = st.one_of(WORDS, field_terms(), field_terms(), PHRASES)


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(" ".join),
        st.builds("{} {} {}".format, inner, st.sampled_from(["AND", "OR", "and"]), inner),
        st.builds("{}{}".format, st.sampled_from(["NOT ", "-", "--", "- ", "NOT -"]), inner),
        inner.map("({})".format),
    )


TREES = st.recursive(ATOMS, _compound, max_leaves=12)


@st.composite
def queries(draw: st.DrawFn) -> str:
    """A query from the grammar, often nested past MAX_DEPTH, sometimes with one
    stray character (parenthesis, quote, dash, colon, operator) inserted anywhere."""
    text = draw(TREES)
    if draw(st.booleans()):
        depth = draw(st.integers(0, 3 * q.MAX_DEPTH))
        opener = draw(st.sampled_from(["(", "-(", "NOT (", "( x OR "]))
        closed = draw(st.integers(max(0, depth - 1), depth + 1))
        text = opener * depth + text + ")" * closed
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        stray = draw(st.sampled_from(["(", ")", '"', "-", ":", " OR ", " NOT ", "tag:", "*"]))
        text = text[:at] + stray + text[at:]
    return text


def _depth(text: str) -> int:
    deepest = depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    texts = ["Graph reasoning with Schrödinger kernels.", "A naïve step by step model."]
    abstracts = [
        Abstract(
            id=f"2306.1001{i}",
            text=text,
            headline=text,
            source="seed",
            position=i,
            arxiv_id=f"2306.1001{i}",
            date=f"2023-06-0{i + 1}",
        )
        for i, text in enumerate(texts)
    ]
    return SearchIndex.build(abstracts)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_any_query_from_the_grammar_parses_or_is_a_query_error(index: SearchIndex, text: str):
    try:
        node = q.parse(text)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
        assert str(error).endswith(f"(at column {error.position + 1})")
    else:
        q.terms(node)
        index.search(node)  # what parses, the index can evaluate


REACHED = {
    **{f"the field {name}:": re.compile(f"(^|[ (-]){name}:").search for name in q.FIELDS},
    "a date after an operator": re.compile(r"(date|year):\"?(>=|<=|<|>)[0-9]{4}").search,
    "a date range": re.compile(r"(date|year):\"?[0-9]{4}\.\.[0-9]{4}").search,
    "nesting past the limit": lambda s: _depth(s) > q.MAX_DEPTH,
    "an operator inside parentheses": re.compile(r"\([^()]* (OR|AND) ").search,
}


@pytest.mark.parametrize("what", list(REACHED))
def test_the_strategy_reaches_the_grammar(what):
    """The strategy is worth its examples: it spells fields and nests past the limit
    (`st.text()` found one field name in 300 examples and never nested past 50)."""
    quick = settings(max_examples=2000, database=None, deadline=None, phases=[Phase.generate])
    find(queries(), REACHED[what], settings=quick, random=Random(11))
