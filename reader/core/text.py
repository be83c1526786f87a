"""Text normalisation shared by the index, the query language, tags and record ids.

`fold` makes matching case- and accent-insensitive; `words` splits folded text into
the tokens the index stores and the query language matches by prefix. `id_fold` is
the older, frozen folding that record ids are computed from.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+")


@functools.cache
def _combining() -> re.Pattern[str]:
    """Every combining mark of the Basic Multilingual Plane (what accents decompose to).

    Made on first use: scanning 65,000 characters costs ~40 ms, which every `reader`
    command paid at import although ASCII ids never need it."""
    marks = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.combining(chr(c)))
    return re.compile(f"[{marks}]")


def id_fold(text: str) -> str:
    """Lower-case `text` and strip the accents NFKD decomposes: "Schrödinger" ->
    "schrodinger", but "Søren" stays "søren".

    Record ids are hashes of this (`parse.record_id`) and users' annotations are
    keyed by them: it must never change. Search uses `fold`.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():  # "…" -> "...", "ﬁ" -> "fi": no marks, and casefold is lower
        return decomposed.lower()
    return _combining().sub("", decomposed).casefold()


class _Latin(dict[int, str]):
    """A Latin letter NFKD leaves alone -> its ASCII spelling
    from anyascii ("ø" -> "o", "ł" -> "l", "æ" -> "ae", "þ" -> "th"); every other
    character -> itself. Filled in as characters are met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = char
        if char.isalpha() and unicodedata.name(char, "").startswith("LATIN "):
            from anyascii import anyascii  # 3 ms of import: only when such a letter is met

            value = anyascii(char).lower() or char
        self[code] = value
        return value


_LATIN = _Latin()


def fold(text: str) -> str:
    """`text` as search compares it: lower case, accents stripped, Latin letters in
    ASCII: "Schrödinger" -> "schrodinger", "Søren" -> "soren", "Łukasz" -> "lukasz".

    Other scripts keep their letters (Greek α does not become the prefix "a" of every
    word). The search index stores folded words: a change here needs a new
    `index.FORMAT`, so that saved indexes are rebuilt.
    """
    folded = id_fold(text)
    return folded if folded.isascii() else _NON_ASCII.sub(_latin, folded)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _latin(match: re.Match[str]) -> str:
    # A substitution over the few non-ASCII characters is 4x faster than translate().
    return _LATIN[ord(match[0])]


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters but tab and newline (escape sequences, carriage returns, bells)
and the bidirectional controls that reorder what follows them on screen."""


def printable(text: str) -> str:
    """`text` safe to print on a terminal: without `_UNPRINTABLE` characters.

    The user's data keeps them (a restore may bring them); whatever prints it uses this.
    """
    return _UNPRINTABLE.sub("", text) if not text.isprintable() else text


def words(folded: str) -> list[str]:
    """The word tokens of already-folded text (letters and digits; `_` and punctuation split)."""
    return _WORD.findall(folded)


def plural(count: int, noun: str) -> str:
    """`1 abstract`, `3 abstracts`: a count with its noun (regular plurals only)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def squash(text: str) -> str:
    """Collapse every run of white space to one space and strip the ends.

    `str.split()` and the regex `\\s` agree on what white space is; this is several
    times faster than a regex substitution, most of all on text that is already clean.
    """
    if text.isascii():
        for space in _ASCII_SPACES:
            if space in text:
                break
        else:
            return text.strip()
    return " ".join(text.split())


_ASCII_SPACES = ("  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
"""What, beside single spaces, `str.split()` splits ASCII text on."""


def word_pattern(words: Sequence[str]) -> re.Pattern[str]:
    r"""A regex for consecutive folded words, each starting a word, the last a prefix:
    how the index matches a query's words, and how the app highlights them.

    That the first word does not follow a letter or a digit is checked after the word
    (`w(?<![^\W_]w)`: the same matches as `(?<![^\W_])w`), so that the pattern starts
    with text, which the regex engine finds by a fast substring search instead of
    trying the check at every position (40 times faster over 200 kB of notes)."""
    first, *rest = [re.escape(w) for w in words] or [""]
    tail = "".join(r"[\W_]+" + w for w in rest)
    return re.compile(rf"{first}(?<![^\W_]{first}){tail}")
