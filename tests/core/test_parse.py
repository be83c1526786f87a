"""Text files of abstracts -> Abstract records (reader.core.ingest.parse)."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.errors import ParseError
from reader.core.ingest import parse as parse_module
from reader.core.ingest.parse import (
    MAX_ABSTRACT_CHARS,
    MAX_VERSION,
    ParseResult,
    WarningKind,
    make_headline,
    parse_bytes,
    parse_file,
    parse_lines,
    parse_text,
    record_id,
)
from reader.core.models import Abstract
from reader.core.text import squash

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
P = Path("in/sample.txt")
"""The path parse_bytes/parse_text are told the data came from."""

LONG = (
    "Language models often achieve higher accuracy when reasoning step-by-step. "
    "However, their reasoning can be unsound, inconsistent, or rely on undesirable "
    "prior assumptions. To tackle these issues, we introduce a class of tools for "
    "language models called guides that use state and incremental constraints to guide "
    "generation. A guide can be invoked by the model to constrain its own generation."
)
"""A paragraph long enough (> 300 characters) to be an abstract, not a comment."""


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def parse(text: str) -> ParseResult:
    return parse_bytes(text.encode("utf-8"), P)


def texts(result: ParseResult) -> list[str]:
    """The warnings as printed: "file:line: what"."""
    return [str(w) for w in result.warnings]


# --- the seeds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "count"), [("000", 10), ("001", 9), ("002", 10), ("003", 10), ("004", 10)]
)
def test_every_seed_abstract_parses(prefix: str, count: int) -> None:
    result = parse_file(seed(prefix))
    assert len(result.abstracts) == count
    assert result.warnings == []
    assert [a.position for a in result.abstracts] == list(range(1, count + 1))
    assert {a.source for a in result.abstracts} == {seed(prefix).stem}
    assert all(a.headline and len(a.headline) <= 100 for a in result.abstracts)


def test_block_seed_has_ids_dates_and_comments() -> None:
    abstracts = parse_file(seed("000")).abstracts
    first = abstracts[0]
    assert (first.id, first.arxiv_id, first.version) == ("2306.10015", "2306.10015", None)
    assert (first.date, first.line, first.comments) == ("2023-06-16", 1, ())
    assert first.text.startswith("Language model training in distributed settings")
    assert first.text.endswith("memory-efficient training.")
    assert all(a.arxiv_id and a.date for a in abstracts)
    with_comments = {a.id: a.comments for a in abstracts if a.comments}
    assert with_comments == {
        "2305.11374": (
            "7 pages, 6 figures, to appear in Proceedings of the 45th Annual Conference "
            "of the Cognitive Science Society",
        ),
        "2305.08809": ("19 pages, 10 figures",),
        "2305.07151": (
            "7 pages, 2 figures, to appear in the Proceedings of the 45th Annual "
            "Conference of the Cognitive Science Society (2023)",
        ),
        "2304.03843": ("8 pages, 3 figures",),
    }
    last = abstracts[-1]  # the file does not end with a newline
    assert (last.id, last.date, last.line) == ("2303.02536", "2023-03-04", 54)


def test_line_seed_fields() -> None:
    abstracts = parse_file(seed("001")).abstracts
    first = abstracts[0]
    assert first.text.startswith("One way to address safety risks")
    assert first.id == record_id(first.text)
    assert re.fullmatch(r"[0-9a-f]{12}", first.id)
    assert (first.arxiv_id, first.date, first.comments) == (None, None, ())
    assert [a.line for a in abstracts] == list(range(1, 10))
    assert abstracts[-1].text.endswith("learning algorithm.")


def test_headlines_of_seeds() -> None:
    blocks = parse_file(seed("000")).abstracts
    assert blocks[1].headline == (
        "Language models often achieve higher accuracy when reasoning step-by-step in "
        "complex tasks."
    )
    assert blocks[0].headline == (
        "Language model training in distributed settings is limited by the communication "
        "cost of gradient…"
    )
    latex = parse_file(seed("003")).abstracts[8]
    assert r"\emph{language layers}" in latex.text  # the text keeps its LaTeX
    assert latex.headline.startswith("We view large language models (LLMs) as stochastic language")
    alpha = parse_file(seed("002")).abstracts[8]
    assert r"$\alpha$-fraction" in alpha.text
    assert "m machines" in alpha.headline


# --- tolerance -------------------------------------------------------------------

BLOCKS = f"""{LONG}

7 pages, 2 figures

arXiv:2306.04031v2
Created: 2023-06-06

Second abstract, old style id.
arXiv:hep-th/9901001v3
Created: 2023-5-4
"""


def test_blocks_with_versions_and_old_ids() -> None:
    first, second = parse(BLOCKS).abstracts
    assert (first.id, first.arxiv_id, first.version) == ("2306.04031", "2306.04031", 2)
    assert first.comments == ("7 pages, 2 figures",)
    assert (second.id, second.version, second.date) == ("hep-th/9901001", 3, "2023-05-04")
    assert (second.line, second.position) == (8, 2)


@pytest.mark.parametrize("arxiv", ["math/0601001", "math.GT/0309136", "0704.0001", "2401.12345"])
def test_arxiv_id_styles(arxiv: str) -> None:
    (abstract,) = parse(f"Some abstract.\narXiv:{arxiv}\n").abstracts
    assert abstract.id == abstract.arxiv_id == arxiv


def test_crlf_bom_tabs_and_trailing_spaces_change_nothing() -> None:
    messy = "\ufeff" + BLOCKS.replace("\n", " \t\r\n").replace("arXiv:", "arXiv:\t")
    assert parse(messy).abstracts == parse(BLOCKS).abstracts
    assert parse("\ufeffAbstract: x y\r\n").abstracts[0].text == "x y"
    old_mac = parse("Abstract: one\rAbstract: two\r").abstracts
    assert [(a.text, a.line) for a in old_mac] == [("one", 1), ("two", 2)]


def test_runs_of_blank_lines_and_no_final_newline() -> None:
    text = "\n\n\nAbstract: one\n\n\n\n\nAbstract:two  \t\n\n" + BLOCKS.rstrip("\n")
    abstracts = parse(text).abstracts
    assert [a.text[:6] for a in abstracts] == ["one", "two", LONG[:6], "Second"]
    assert [a.line for a in abstracts] == [4, 9, 11, 18]
    assert abstracts[-1].date == "2023-05-04"


@pytest.mark.parametrize("prefix", ["Abstract:", "abstract:", "ABSTRACT: ", "Abstract :\t"])
def test_abstract_prefix_in_any_case(prefix: str) -> None:
    (abstract,) = parse(f"{prefix}Text with $\\alpha$ and é.").abstracts
    assert abstract.text == "Text with $\\alpha$ and é."
    assert abstract.headline == "Text with α and é."


def test_wrapped_lines_are_joined_with_single_spaces() -> None:
    (abstract,) = parse("Abstract: first line\n  second   line\nthird\n").abstracts
    assert abstract.text == "first line second line third"


def test_mixed_formats_in_one_file() -> None:
    text = f"Abstract: A one-line abstract.\n\n{BLOCKS}\nABSTRACT: Another one.\n"
    abstracts = parse(text).abstracts
    assert [(a.position, a.line, a.arxiv_id) for a in abstracts] == [
        (1, 1, None),
        (2, 3, "2306.04031"),
        (3, 10, "hep-th/9901001"),
        (4, 14, None),
    ]
    assert abstracts[0].comments == abstracts[3].comments == ()
    assert abstracts[1].comments == ("7 pages, 2 figures",)


def test_abstract_line_never_takes_the_next_listing_paragraph() -> None:
    # issue 11: the listing paragraph became a "comment" of the `Abstract:` line, and
    # its arXiv/Created lines that record's id: 3 records instead of 4.
    text = (
        "Abstract: Line-style abstract one.\n"
        "Abstract:Line-style abstract about routing.\n\n"
        "Listing-style abstract two.\n\n"
        "arXiv:2402.00002\nCreated: 2024-02-02\n\n"
        "Abstract: Line-style abstract three.\n"
    )
    result = parse(text)
    assert [(a.text, a.arxiv_id, a.date, a.comments) for a in result.abstracts] == [
        ("Line-style abstract one.", None, None, ()),
        ("Line-style abstract about routing.", None, None, ()),
        ("Listing-style abstract two.", "2402.00002", "2024-02-02", ()),
        ("Line-style abstract three.", None, None, ()),
    ]
    assert [a.line for a in result.abstracts] == [1, 2, 4, 9]
    assert result.warnings == []


def test_explicit_comment_after_an_abstract_line_stays_its_comment() -> None:
    text = "Abstract: A one-line abstract.\n\n7 pages, 2 figures\n\narXiv:2301.00001\n"
    (abstract,) = parse(text).abstracts
    assert (abstract.arxiv_id, abstract.comments) == ("2301.00001", ("7 pages, 2 figures",))


def test_comments_next_to_the_paragraph_or_prefixed() -> None:
    text = f"{LONG}\n12 pages\nComments: accepted at ICML\narXiv:2301.00001\n"
    (abstract,) = parse(text).abstracts
    assert abstract.text == LONG
    assert abstract.comments == ("12 pages", "accepted at ICML")


def test_arxiv_lines_after_a_prefixed_abstract_attach_to_it() -> None:
    (abstract,) = parse("Abstract: text.\narXiv:2301.00001v4\nCreated: 2023-01-02").abstracts
    assert (abstract.id, abstract.version, abstract.date) == ("2301.00001", 4, "2023-01-02")


def test_not_utf8_is_decoded_with_a_warning() -> None:
    data = "Abstract: ok\nAbstract: Schrödinger’s café “quoted”\n".encode("cp1252")
    result = parse_bytes(data, P)
    assert result.abstracts[1].text == "Schrödinger’s café “quoted”"
    assert texts(result) == [f"{P}:2: not valid UTF-8; decoded as cp1252"]
    assert result.warnings[0].kind is WarningKind.DECODING
    latin = parse_bytes(b"Abstract: \x81 odd byte", P)  # 0x81 is not cp1252
    assert texts(latin) == [f"{P}:1: not valid UTF-8; decoded as latin-1"]
    assert latin.abstracts[0].text == "odd byte"  # the C1 control is dropped


def test_decoding_and_nul_lines_count_cr_line_ends() -> None:
    """A CR-only file's lines are numbered as the parser numbers them (not by LF)."""
    result = parse_bytes(b"Abstract: one\rAbstract: caf\xe9\r", P)
    assert [(a.text, a.line) for a in result.abstracts] == [("one", 1), ("café", 2)]
    assert texts(result) == [f"{P}:2: not valid UTF-8; decoded as cp1252"]
    with pytest.raises(ParseError, match="NUL bytes") as caught:
        parse_bytes(b"Abstract: one\r\rAbstract: two\x00\r", P)
    assert caught.value.line == 3


def test_control_characters_are_dropped() -> None:
    (abstract,) = parse("Abstract: red \x1b[31mtext\x07 here").abstracts
    assert abstract.text == "red [31mtext here"
    (lone,) = parse_text("Abstract: lone \ud800surrogate", P).abstracts
    assert lone.text == "lone surrogate"

    c1 = parse("Abstract: café \x85next \u200bline").abstracts[0]  # C1 control in UTF-8
    assert c1.text == "café next \u200bline"
    assert parse("Abstract: de\x7flete").abstracts[0].text == "delete"  # DEL, all ASCII


def test_stray_text_is_a_warning_not_an_error() -> None:
    text = f"Abstract: one\n\nsome stray note\n\n{LONG}\n\n{LONG}\narXiv:2301.00001\n"
    result = parse(text)
    assert [a.text for a in result.abstracts] == ["one", LONG]
    assert result.abstracts[1].line == 7  # the id goes to the paragraph next to it
    assert len(result.warnings) == 2
    assert texts(result)[0].startswith(f"{P}:3: line of text outside any abstract")
    assert texts(result)[1].startswith(f"{P}:5: line of text outside any abstract")
    assert {w.kind for w in result.warnings} == {WarningKind.STRAY}


def test_warnings_are_capped() -> None:
    notes = "\n\n".join(f"note {i}" for i in range(150))  # note i is on line 3 + 2i
    warnings = texts(parse(f"Abstract: real\n\n{notes}"))
    assert len(warnings) == 101
    assert warnings[-1] == f"{P}:203: 50 more warnings not shown"


def test_odd_metadata_is_a_warning() -> None:
    text = "Abstract: a\narXiv:not-an-id\nCreated: 2023-02-30\n\narXiv:2301.00002\n"
    result = parse(text)
    (abstract,) = result.abstracts
    assert (abstract.arxiv_id, abstract.date) == (None, None)
    assert [w.split(": ", 1)[0] for w in texts(result)] == [f"{P}:2", f"{P}:3", f"{P}:5"]
    kinds = [w.kind for w in result.warnings]
    assert kinds == [WarningKind.METADATA, WarningKind.METADATA, WarningKind.STRAY]


def test_an_arxiv_version_out_of_range_is_ignored_with_a_warning() -> None:
    text = f"Abstract: a\narXiv:2301.00001v{MAX_VERSION}\n\nAbstract: b\narXiv:2301.00002v"
    result = parse(text + "9" * 40 + "\n")
    first, second = result.abstracts
    assert (first.arxiv_id, first.version) == ("2301.00001", MAX_VERSION)
    assert (second.arxiv_id, second.version) == ("2301.00002", None)
    (warning,) = result.warnings
    assert (warning.line, warning.kind) == (5, WarningKind.METADATA)
    assert (
        str(warning) == f"{P}:5: arXiv version v{'9' * 19}… is over 9999, ignored (the id is kept)"
    )


def test_duplicates_are_kept() -> None:
    abstracts = parse("Abstract: same\nAbstract: Same \n").abstracts
    assert len(abstracts) == 2 and abstracts[0].id == abstracts[1].id


def test_too_long_abstract_is_skipped_with_a_warning() -> None:
    huge = "x" * 10_000_000
    result = parse(f"Abstract: before\nAbstract: {huge}\nAbstract: after")
    assert [a.text for a in result.abstracts] == ["before", "after"]
    assert [a.position for a in result.abstracts] == [1, 2]
    assert len(result.warnings) == 1
    assert texts(result)[0].startswith(f"{P}:2: abstract of 10,000,000 characters")
    assert result.warnings[0].kind is WarningKind.SKIPPED
    with pytest.raises(ParseError, match="no abstracts left") as caught:
        parse("\n" + "y" * (MAX_ABSTRACT_CHARS + 1) + "\narXiv:2301.00001")
    assert caught.value.line == 2


def test_skipped_abstracts_are_reported_past_the_warning_cap() -> None:
    notes = "\n\n".join(f"note {i}" for i in range(150))
    huge = "z" * (MAX_ABSTRACT_CHARS + 1)
    result = parse(f"Abstract: real\n\n{notes}\n\nAbstract: {huge}\n")
    assert [a.text for a in result.abstracts] == ["real"]
    assert [w.kind for w in result.warnings].count(WarningKind.SKIPPED) == 1


def test_records_are_made_as_the_lines_come_not_after_the_whole_file() -> None:
    """Each record is built once the line after it is read: the input is a stream."""
    lines = [
        "Abstract: a",  # closed by line 2
        "Abstract: b",
        "",
        f"{LONG}",  # its arXiv line closes b's group: line 5
        "arXiv:2301.00001",
        "Created: 2023-01-02",
        "",
        "Abstract: c",  # closes the block record; c itself is closed by the end
    ]
    consumed = 0

    def stream() -> Iterator[str]:
        nonlocal consumed
        for consumed, line in enumerate(lines, 1):  # noqa: B007 - read by made()
            yield line

    made_at: list[int] = []
    real = parse_module.Abstract

    def made(**fields: Any) -> Abstract:
        made_at.append(consumed)
        return real(**fields)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(parse_module, "Abstract", made)
        result = parse_lines(stream(), P)
    assert [a.text for a in result.abstracts] == ["a", "b", LONG, "c"]
    assert made_at == [2, 5, 8, 8]


# --- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b"", "empty file", None),
        (b"\xef\xbb\xbf", "empty file", None),
        (b"\n \n\t\r\n\n", "only blank lines", None),
        (b"Abstract: ok\nsome\x00binary", "NUL bytes", 2),
        ("Abstract: x".encode("utf-16"), "UTF-16", 1),
        (b"Just some text.\n\nAnd more text.\n", "no abstracts found", 1),
        (b"\n\narXiv:2301.00001\nCreated: 2023-01-01\n", "no abstracts found", 3),
    ],
)
def test_bad_content_is_a_parse_error(data: bytes, reason: str, line: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        parse_bytes(data, P)
    assert reason in caught.value.reason
    assert caught.value.line == line
    assert str(caught.value).startswith(str(P))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no such file"):
        parse_file(tmp_path / "nope.txt")
    with pytest.raises(ParseError, match="is a directory"):
        parse_file(tmp_path)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (OSError(errno.EIO, "Input/output error"), "cannot read the file: Input/output error"),
    ],
)
def test_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, reason: str
) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("Abstract: x")
    real_open = os.open

    def refuse(file: str | os.PathLike[str], *args: int) -> int:
        if Path(file) == path:
            raise error
        return real_open(file, *args)

    with monkeypatch.context() as patched, pytest.raises(ParseError, match=reason) as caught:
        patched.setattr(os, "open", refuse)  # chmod does not stop root
        parse_file(path)
    assert caught.value.path == str(path)


def test_parse_file_reads_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_bytes(b"\xef\xbb\xbfAbstract: hello\r\n")
    result = parse_file(path)
    assert result.path == path
    assert [(a.text, a.source) for a in result.abstracts] == [("hello", "mine")]


# --- headlines and ids -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        ("We extend work from Malladi et al. (2023) to SPSA. Second.", None),
        ("Models, e.g. GPT and i.e. LLaMA, reason. Second.", None),
        ("Accuracy rises by 3.5 points. Second.", "Accuracy rises by 3.5 points."),
        ("As Fig. 2 shows, it works. Second.", None),
        ("Short one? Yes.", "Short one?"),
        ('He said "stop." Then left.', 'He said "stop."'),
        ("J. Smith proved $x. Y$ holds. Next.", "J. Smith proved x. Y holds."),
    ],
)
def test_headline_sentence_ends(text: str, headline: str | None) -> None:
    expected = headline or text.removesuffix(" Second.")
    assert make_headline(text) == expected


def test_headline_cut_at_a_word_boundary() -> None:
    text = "word " * 50
    headline = make_headline(text)
    assert headline.endswith("word…") and len(headline) <= 100
    assert make_headline("x" * 300, limit=20) == "x" * 19 + "…"


def test_a_sentence_end_is_looked_for_only_within_the_headline_window() -> None:
    """The first sentence is searched for in `cap` + 200 characters: a stop whose next
    letter lies past them ends no sentence there (the text is cut at `cap` instead)."""
    text = "x" * 300 + ". Next"  # the stop's space ends at 302
    assert parse_module._first_sentence(text, cap=102) == "x" * 102
    assert parse_module._first_sentence(text, cap=103) == "x" * 300 + "."


def test_record_id_ignores_case_and_white_space() -> None:
    assert record_id("Deep  Learning\tworks.") == record_id(" deep learning works. ")
    assert record_id("Schrödinger") == record_id("schrodinger")
    assert record_id("a") != record_id("b")


WORDS = st.lists(
    st.sampled_from(["Deep", "learning", "$\\alpha$", "é", "3.5", "et al."]), min_size=1
)
SPACE = st.sampled_from([" ", "  ", "\t", " \t "])


@settings(max_examples=60, deadline=None)
@given(WORDS, st.data())
def test_ids_are_stable_under_white_space_changes(words: list[str], data: st.DataObject) -> None:
    spaced = "".join(w + data.draw(SPACE) for w in words)
    (a,) = parse("Abstract: " + " ".join(words)).abstracts
    (b,) = parse("abstract:\t" + spaced + "  \r\n").abstracts
    assert a.id == b.id == record_id(spaced)
    assert a.text == b.text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_parse_or_raise_parse_error(data: bytes) -> None:
    try:
        result = parse_bytes(data, P)
    except ParseError as error:
        assert str(error).startswith(str(P))
    else:
        assert result.abstracts


LINES = st.sampled_from(
    [
        "",
        "   ",
        "Abstract: A result.",
        "abstract:",
        "arXiv:2301.00001v2",
        "arXiv: bad",
        "Created: 2023-01-01",
        "Created: never",
        "7 pages",
        "Comments: hi",
        LONG,
        "Some text with $x^2$ and \\emph{y}.",
        "\t\x0c\u2003",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=12), st.sampled_from(["\n", "\r\n"])
)
def test_any_mix_of_lines_gives_consistent_records(lines: list[str], newline: str) -> None:
    try:
        result = parse_text(newline.join(lines), P)
    except ParseError:
        return
    positions = [a.position for a in result.abstracts]
    assert positions == list(range(1, len(positions) + 1))
    starts = [a.line for a in result.abstracts]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for abstract in result.abstracts:
        assert abstract.text and abstract.text == squash(abstract.text)
        assert len(abstract.headline) <= 100
        assert abstract.id in (abstract.arxiv_id, record_id(abstract.text))
    assert all(re.match(rf"{re.escape(str(P))}:\d+: \S", w) for w in texts(result))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fast_squash_agrees_with_the_regex(text: str) -> None:
    assert squash(text) == re.sub(r"\s+", " ", text).strip()


def _outcome(parse_it: Any) -> object:
    try:
        result = parse_it()
    except ParseError as error:
        return str(error), error.line
    return [(a, a.line) for a in result.abstracts], texts(result)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from([1 << 17, 16, 5]),
)
def test_a_file_read_in_blocks_parses_as_its_lines_one_by_one(
    lines: list[str], newline: str, block: int
) -> None:
    """Bytes are decoded a block at a time, and a block of printable lines skips their
    check for control characters: the same records, warnings and errors as the text
    split into lines and checked one by one."""
    text = newline.join(lines)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(parse_module, "_BLOCK", block)
        blocks = _outcome(lambda: parse(text))
    assert blocks == _outcome(lambda: parse_text(text, P))
