"""Inverted indexes over the corpus text, built with numpy in a few seconds at 100k.

Each row has two segments, its abstract text and its headline, folded with
`text.fold` and split into the same tokens as `text.words`. Three CSR structures
are kept, each a sorted key array with offsets into an int32 array of rows:

- words: for each vocabulary word (sorted), the rows whose text or headline has
  it, with the number of occurrences (`tf`, capped at 255) for ranking. All words
  with a given prefix are one vocabulary range, so their rows are one slice.
- headline words: the same for the headline segment alone (`title:` searches).
- word pairs: for each pair of adjacent words (a, b), keyed `rank(a) * V + rank(b)`,
  the rows where they are adjacent. A pair "a b*" (b a prefix) is one key range, so
  a two-word phrase is a slice too; longer phrases AND their pairs and are then
  checked on the text.

Tokenising 100k abstracts word by word in Python takes ~10 s, so `build` works on
the UTF-8 bytes of all segments at once: token boundaries come from a byte class
table, and each token gets a 64-bit key (its bytes when it has at most 8, else a
hash of them), which a vectorised hash table maps to vocabulary ids. Two
different long words could share a hash (odds ~1e-8 at a million words); they would
then find each other's rows.
"""

from __future__ import annotations

import bisect
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from reader.core.text import fold

_TOP = "\U0010ffff"
"""Above every character a word can hold: words with prefix p sort in [p, p + _TOP)."""

_CHUNK = 1 << 22
"""Bytes of text tokenised per numpy pass (bounds the temporary memory)."""

_PROBE = 1 << 20
"""Tokens looked up in the vocabulary hash table per numpy pass."""

_WORKERS = min(4, os.cpu_count() or 1)
"""Threads for the numpy work of `build`."""

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(slots=True)
class Postings:
    """The three inverted indexes of a corpus (see the module docstring)."""

    vocab: list[str]
    """Every folded word of the corpus, sorted."""
    offsets: np.ndarray
    """int64, len V+1: rows of `vocab[i]` are `rows[offsets[i]:offsets[i + 1]]`."""
    rows: np.ndarray
    """int32 rows, ascending within each word."""
    tf: np.ndarray
    """uint8, parallel to `rows`: occurrences of the word in the row (capped at 255)."""
    head_offsets: np.ndarray
    head_rows: np.ndarray
    """Headline-only index, over the same vocabulary."""
    pair_keys: np.ndarray
    """int64 sorted `rank(a) * V + rank(b)` of every adjacent word pair in the corpus."""
    pair_offsets: np.ndarray
    pair_rows: np.ndarray
    lengths: np.ndarray
    """int32 words per row (abstract and headline), for ranking."""

    ARRAYS = ("offsets", "rows", "tf", "head_offsets", "head_rows", "pair_keys",
              "pair_offsets", "pair_rows", "lengths")  # fmt: skip

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self.ARRAYS)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """The vocabulary range [lo, hi) of the words that start with `prefix`."""
        lo = bisect.bisect_left(self.vocab, prefix)
        return lo, bisect.bisect_left(self.vocab, prefix + _TOP, lo)

    def word_range(self, word: str) -> tuple[int, int]:
        """The vocabulary range of `word` alone (empty when it is not in the corpus)."""
        lo = bisect.bisect_left(self.vocab, word)
        found = lo < len(self.vocab) and self.vocab[lo] == word
        return lo, lo + found

    def word_rows(self, lo: int, hi: int, *, headline: bool = False) -> np.ndarray:
        """Rows (with repeats) having a word of the vocabulary range [lo, hi)."""
        if headline:
            return self.head_rows[self.head_offsets[lo] : self.head_offsets[hi]]
        return self.rows[self.offsets[lo] : self.offsets[hi]]

    def pair_rows_of(self, first: int, lo: int, hi: int) -> np.ndarray:
        """Rows (with repeats) where word `first` is followed by a word in [lo, hi)."""
        size = len(self.vocab)
        a, b = np.searchsorted(self.pair_keys, [first * size + lo, first * size + hi])
        return self.pair_rows[self.pair_offsets[a] : self.pair_offsets[b]]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save; `from_arrays` reverses it."""
        data = {name: getattr(self, name) for name in self.ARRAYS}
        data["vocab"] = np.frombuffer("\n".join(self.vocab).encode(), np.uint8)
        return data

    @classmethod
    def from_arrays(cls, data: Any) -> Postings:
        blob = bytes(data["vocab"]).decode()
        vocab = blob.split("\n") if blob else []
        arrays = {f.name: data[f.name] for f in fields(cls) if f.name != "vocab"}
        return cls(vocab=vocab, **arrays)


def clean(folded: str) -> str:
    """`folded` with every non-ASCII character that is not a letter or digit made a space.

    After this, a token is a run of bytes that are ASCII letters/digits or >= 0x80,
    which is what `text.words` finds.
    """
    if folded.isascii():
        return folded
    return _NON_ASCII.sub(_keep_alnum, folded)


def _keep_alnum(match: re.Match[str]) -> str:
    char = match.group()
    return char if char.isalnum() else " "


def build(texts: list[str], headlines: list[str]) -> Postings:
    """The indexes of rows whose abstract is `texts[i]` and headline `headlines[i]`."""
    n = len(texts)
    segments: list[str] = []
    for text, headline in zip(texts, headlines, strict=True):
        segments.append(clean(fold(text)))
        segments.append(clean(fold(headline)))
    with ThreadPoolExecutor(_WORKERS) as pool:  # numpy releases the GIL: 2 cores help
        keys, per_segment, blob, starts = _tokenise(segments, pool)
        del segments
        ids, reps = _intern(keys)
        del keys
        match = _TOKEN.match
        words = [match(blob, s).group().decode() for s in starts[reps].tolist()]  # type: ignore[union-attr]
        del blob, starts
        order = sorted(range(len(words)), key=words.__getitem__)
        vocab = [words[i] for i in order]
        rank = np.empty(len(words), np.int32)
        rank[order] = np.arange(len(words), dtype=np.int32)
        tokens = rank[ids]
        del ids
        # Each token's row, whether it is in a headline, and whether the next token is
        # in its segment, made directly: every 16M-long temporary (a segment number
        # per token, the results of arithmetic) costs ~0.1 s of page faults.
        lengths = per_segment.reshape(n, 2).sum(axis=1)
        row = np.repeat(np.arange(n, dtype=np.int32), lengths)
        head = np.repeat(np.tile(np.array([False, True]), n), per_segment)
        same = np.ones(max(len(tokens) - 1, 0), bool)
        ends = np.cumsum(per_segment)
        same[ends[(ends > 0) & (ends < len(tokens))] - 1] = False
        del ends
        size = len(vocab)
        pairs = tokens[:-1][same].astype(np.int64)
        pairs *= size
        pairs += tokens[1:][same]
        word_csr = pool.submit(_csr, tokens, row, n, size)
        head_csr = pool.submit(_csr, tokens[head], row[head], n, size)
        pair_keys, pair_offsets, pair_rows = _pair_csr(pairs, row[:-1][same], n)
        del pairs
        offsets, rows, counts = word_csr.result()
        head_offsets, head_rows, _ = head_csr.result()
    return Postings(
        vocab=vocab,
        offsets=offsets,
        rows=rows,
        tf=np.minimum(counts, 255).astype(np.uint8),
        head_offsets=head_offsets,
        head_rows=head_rows,
        pair_keys=pair_keys,
        pair_offsets=pair_offsets,
        pair_rows=pair_rows,
        lengths=lengths.astype(np.int32),
    )


# -- tokenising -------------------------------------------------------------------------

_LOW = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], np.uint64)
"""`_LOW[k]` keeps the first k bytes of a little-endian uint64."""
_TOKEN = re.compile(rb"[0-9A-Za-z\x80-\xff]+")


def _tokenise(
    segments: list[str], pool: ThreadPoolExecutor
) -> tuple[np.ndarray, np.ndarray, bytes, np.ndarray]:
    """Token keys (uint64), tokens per segment, the joined UTF-8 bytes and token starts."""
    # one join (" " + join + 9 spaces made two more copies of ~100 MB at 100k)
    text = " ".join(["", *segments, " " * 8]) if segments else " " * 10
    blob = text.encode()
    sizes = np.fromiter(map(len, segments), np.int64, len(segments))
    if len(blob) != len(text):  # some segments are not ASCII: count their bytes
        for i, segment in enumerate(segments):
            if not segment.isascii():
                sizes[i] = len(segment.encode())
    del text
    seg_starts = np.cumsum(sizes + 1) - sizes  # a space before each segment
    end = len(blob) - 8
    cuts = [0]
    while cuts[-1] < end:
        cut = blob.find(b" ", min(cuts[-1] + _CHUNK, end))  # no token spans a space
        cuts.append(end if cut < 0 or cut > end else cut)
    spans = range(len(cuts) - 1)
    parts = list(pool.map(lambda i: _tokenise_part(blob, cuts[i], cuts[i + 1]), spans))
    keys = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.uint64)
    starts = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    bounds = np.searchsorted(starts, np.append(seg_starts, end))
    return keys, np.diff(bounds), blob, starts


def _tokenise_part(blob: bytes, begin: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys and starts of the tokens in blob[begin:stop] (both ends are non-word bytes)."""
    is_word = _word_bytes(np.frombuffer(blob, np.uint8, stop + 1 - begin, begin))
    starts = np.flatnonzero(is_word[1:] > is_word[:-1]) + (begin + 1)
    ends = np.flatnonzero(is_word[1:] < is_word[:-1]) + (begin + 1)
    words8 = np.ndarray((len(blob) - 7,), "<u8", blob, 0, (1,))  # 8 bytes at every offset
    return _keys(words8, starts, ends - starts), starts


def _word_bytes(data: np.ndarray) -> np.ndarray:
    """True for the bytes tokens are made of: ASCII letters and digits, and >= 0x80."""
    letter = data | np.uint8(0x20)
    letter -= np.uint8(97)
    is_word = letter < 26
    digit = data - np.uint8(48)
    is_word |= digit < 10
    is_word |= data >= 128
    return is_word


def _keys(words8: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A key per token: its bytes (up to 8), else a hash of all its bytes (never 0)."""
    keys = words8[starts] & _LOW[np.minimum(lengths, 8)]
    long = np.flatnonzero(lengths > 8)
    acc = keys[long]
    offset = 8
    while long.size:
        rest = lengths[long] - offset
        part = words8[starts[long] + offset] & _LOW[np.minimum(rest, 8)]
        acc = _mix(acc * np.uint64(0x9E3779B97F4A7C15) ^ part)
        done = rest <= 8
        keys[long[done]] = acc[done] | np.uint64(1)
        long, acc = long[~done], acc[~done]
        offset += 8
    return keys


def _mix(x: np.ndarray) -> np.ndarray:
    """The 64-bit finaliser of MurmurHash3 (wrapping uint64 arithmetic)."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def _intern(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids (int32) for `keys`, and for each id the index of one token having it.

    The keys go into an open-addressing table `_PROBE` tokens at a time (every token
    of a slice probes in step, so the copies of a key claim the same free slot); the
    table doubles when a quarter full. Sorting the 17M keys of 100k abstracts first
    (for `np.unique`) cost ~1 s and a 130 MB copy; this needs neither.
    """
    table = _Table(16)
    slots = np.empty(len(keys), np.int32)
    for lo in range(0, len(keys), _PROBE):  # in slices: small temporaries, reused
        part = keys[lo : lo + _PROBE]
        slots[lo : lo + _PROBE] = table.insert(part)
        if table.used * 4 > table.size:
            moved = table.grow()
            for at in range(0, lo + len(part), _PROBE):  # slices: numpy copies indexes
                done = slots[at : min(at + _PROBE, lo + len(part))]  # to int64 first
                done[:] = moved[done]
    dense = np.full(table.size, -1, np.int32)
    filled = np.flatnonzero(table.keys)
    dense[filled] = np.arange(len(filled), dtype=np.int32)
    ids = dense[slots]
    del slots
    reps = np.empty(len(filled), np.int64)
    reps[ids] = np.arange(len(ids))
    return ids, reps


class _Table:
    """An open-addressing hash set of non-zero uint64 keys (0 marks a free slot)."""

    def __init__(self, bits: int) -> None:
        self._empty(bits)

    def _empty(self, bits: int) -> None:
        self.bits = bits
        self.size = 1 << bits
        self.keys = np.zeros(self.size, np.uint64)
        self.used = 0
        """Slots taken."""

    def insert(self, keys: np.ndarray) -> np.ndarray:
        """The slot of each of `keys`, adding those not in the table yet."""
        found = _slot(keys, self.bits)
        mask = self.size - 1
        todo = np.arange(len(keys))
        while todo.size:
            slot = found[todo]
            wanted = keys[todo]
            free = self.keys[slot] == 0
            if free.any():
                self.keys[slot[free]] = wanted[free]  # one of a slot's claimants wins
                self.used += len(np.unique(slot[free]))
            miss = self.keys[slot] != wanted
            todo = todo[miss]
            found[todo] = (slot[miss] + 1) & mask
        return found

    def grow(self) -> np.ndarray:
        """Double the table; returns the new slot of each old slot (of its key)."""
        old = self.keys
        filled = np.flatnonzero(old)
        self._empty(self.bits + 1)
        moved = np.zeros(len(old), np.int32)
        moved[filled] = self.insert(old[filled])
        return moved


def _slot(keys: np.ndarray, bits: int) -> np.ndarray:
    """Fibonacci hashing: the top `bits` bits of key * 2^64/phi, as int64."""
    slot = keys * np.uint64(0x9E3779B97F4A7C15)
    slot >>= np.uint64(64 - bits)
    return slot.view(np.int64)


# -- CSR --------------------------------------------------------------------------------


def _csr(tokens: np.ndarray, row: np.ndarray, n: int, size: int) -> tuple[np.ndarray, ...]:
    """Offsets (len size+1), rows and counts of the distinct (token, row) pairs."""
    key = tokens.astype(np.int64)
    key *= max(n, 1)
    key += row
    key.sort()
    first = _firsts(key)
    counts = np.diff(first, append=len(key))
    key = key[first]
    word, rows = np.divmod(key, max(n, 1))
    del key
    offsets = np.zeros(size + 1, np.int64)
    np.cumsum(np.bincount(word, minlength=size), out=offsets[1:])
    return offsets, rows.astype(np.int32), counts


def _pair_csr(pairs: np.ndarray, row: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Sorted distinct pair keys, offsets (len P+1) and rows of (pair, row) pairs."""
    if pairs.size and int(pairs.max()) >= (1 << 62) // max(n, 1):
        order = np.lexsort((row, pairs))  # pair * n would overflow: slower, exact
        pairs, row = pairs[order], row[order]
        keep = np.ones(len(pairs), bool)
        keep[1:] = (pairs[1:] != pairs[:-1]) | (row[1:] != row[:-1])
        pairs, row = pairs[keep], row[keep].astype(np.int32)
    else:
        key = pairs * max(n, 1)
        key += row
        key.sort()
        key = key[_firsts(key)]
        pairs, row = np.divmod(key, max(n, 1))
        del key
        row = row.astype(np.int32)
    first = _firsts(pairs)
    offsets = np.append(first, len(pairs)).astype(np.int64)
    return pairs[first], offsets, row


def _firsts(sorted_keys: np.ndarray) -> np.ndarray:
    """Indexes where a new value starts in a sorted array."""
    if not sorted_keys.size:
        return np.zeros(0, np.int64)
    change = np.empty(len(sorted_keys), bool)
    change[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=change[1:])
    return np.flatnonzero(change)
