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
the UTF-8 bytes of all segments of a chunk of rows at once: token boundaries come
from a byte class table, and each token gets a 64-bit key (its bytes when it has at
most 8, else a hash of them), which a vectorised hash table maps to vocabulary ids.
Two different long words could share a hash (odds ~1e-8 at a million words); they
would then find each other's rows.

Within a chunk the words are renumbered from 0 (`_Vocabulary.add`), so that grouping the
tokens by word, and pairs by their two words, is a stable radix sort of 16-bit digits
(`_stable_order`): rows already ascend along the tokens, and stay so within a group.

Memory: the per-token arrays (keys, starts, ids, rows, sort orders, ~60 bytes a token)
exist for one chunk (~8M characters) at a time; what a chunk leaves is 2-3 bytes per
distinct (word, row) or (pair, row) entry. At 1M abstracts (~170M tokens) `build`
needs ~1 GB above its output, where one pass over the whole corpus needed ~15 GB.
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from reader.core.errors import IndexDamaged
from reader.core.store.records import ItemsOnRead
from reader.core.text import fold

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

_TOP = "\U0010ffff"
"""Above every character a word can hold: words with prefix p sort in [p, p + _TOP)."""

_ROWS = 1 << 16
"""Rows indexed at a time by `build` (at most 65536: a row within a chunk is a uint16)."""

_CHUNK_CHARS = 1 << 23
"""Characters of abstract text indexed at a time, at most (a chunk has at least a row)."""

_PART = 1 << 22
"""Bytes of text tokenised per numpy pass (bounds the temporary memory)."""

_PROBE = 1 << 20
"""Tokens looked up in the vocabulary hash table per numpy pass."""

_WORKERS = min(4, os.cpu_count() or 1)
"""Threads for the numpy work of `build`."""

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(slots=True)
class Postings:
    """The three inverted indexes of a corpus (see the module docstring)."""

    vocab: Sequence[str]
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
        arrays = {f.name: data[f.name] for f in fields(cls) if f.name != "vocab"}
        return cls(vocab=Vocab(data["vocab"]), **arrays)


class Vocab(ItemsOnRead[str]):
    """A saved vocabulary: its words, sorted and joined by newlines in one uint8 array
    (mapped from disk), each decoded when read. A search bisects it (~20 words read of
    a million), so loading costs one scan for the newlines, not a million strings
    (60 ms at a million abstracts)."""

    def __init__(self, blob: np.ndarray) -> None:
        self._blob = blob
        ends = np.flatnonzero(blob == 10)
        self._starts = np.concatenate(([0], ends + 1)) if blob.size else np.zeros(0, np.int64)
        self._ends = np.concatenate((ends, [blob.size])) if blob.size else np.zeros(0, np.int64)

    def __len__(self) -> int:
        return len(self._starts)

    def item(self, i: int) -> str:
        start, end = int(self._starts[i]), int(self._ends[i])
        return bytes(self._blob[start:end]).decode()


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


def checked_rows(rows: np.ndarray, n: int) -> np.ndarray:
    """`rows` read from saved postings, when each is a row of the `n`; else the saved
    index is damaged (IndexDamaged: the library rebuilds it). Costs what using them
    costs: every reader of saved rows checks them as it reads them."""
    if rows.size and (int(rows.max()) >= n or int(rows.min()) < 0):
        raise IndexDamaged(f"the search index is damaged (a row out of {n:,})")
    return rows


def build(
    texts: Sequence[str], headlines: Sequence[str], sizes: np.ndarray | None = None
) -> Postings:
    """The indexes of rows whose abstract is `texts[i]` and headline `headlines[i]`.

    Each is read a chunk of rows at a time (`texts[lo:hi]`), so they may be sequences
    that read their rows only then (a cache's rows: never every text in memory at
    once); `sizes` then gives each row's size for cutting the chunks (any measure near
    its text's length), instead of the length of every text.

    Rows are indexed a chunk at a time (`_chunks`), so the per-token arrays exist for
    one chunk only: each chunk leaves its distinct (word, row), headline (word, row) and
    (pair, row) entries, grouped by word or pair, with 2-3 bytes per entry. `_merge`
    then places the groups of every chunk into the CSR arrays. The result does not
    depend on where the chunks are cut.
    """
    n = len(texts)
    vocabulary = _Vocabulary()
    words: list[_Run] = []
    heads: list[_Run] = []
    pairs: list[_Run] = []
    lengths = np.zeros(n, np.int32)
    from concurrent.futures import ThreadPoolExecutor  # with logging: not for a search

    with ThreadPoolExecutor(_WORKERS) as pool:  # numpy releases the GIL: 2 cores help
        for lo, hi in _chunks(texts, sizes):
            chunk = _index_chunk(texts[lo:hi], headlines[lo:hi], lo, vocabulary, pool)
            words.append(chunk[0])
            heads.append(chunk[1])
            pairs.append(chunk[2])
            lengths[lo:hi] = chunk[3]
    vocab, rank = vocabulary.sorted()
    size = len(vocab)
    present, offsets, rows, tf = _merge(words, lambda run: rank[run.groups], tf=True)
    head_present, head_offsets, head_rows, _ = _merge(heads, lambda run: rank[run.groups])
    pair_keys, pair_offsets, pair_rows, _ = _merge(
        pairs, lambda run: rank[run.groups // run.base] * size + rank[run.groups % run.base]
    )
    return Postings(
        vocab=vocab,
        offsets=_all_offsets(present, offsets, size),
        rows=rows,
        tf=tf,
        head_offsets=_all_offsets(head_present, head_offsets, size),
        head_rows=head_rows,
        pair_keys=pair_keys,
        pair_offsets=pair_offsets,
        pair_rows=pair_rows,
        lengths=lengths,
    )


def _chunks(texts: Sequence[str], sizes: np.ndarray | None = None) -> list[tuple[int, int]]:
    """[lo, hi) row ranges of at most `_ROWS` rows and about `_CHUNK_CHARS` characters
    (each row's length, or its `sizes` entry)."""
    n = len(texts)
    lengths = np.fromiter(map(len, texts), np.int64, n) if sizes is None else sizes
    ends = np.cumsum(np.asarray(lengths, np.int64))
    cuts = [0]
    while cuts[-1] < n:
        lo = cuts[-1]
        budget = (ends[lo - 1] if lo else 0) + _CHUNK_CHARS
        hi = int(np.searchsorted(ends, budget, side="right"))
        cuts.append(min(max(hi, lo + 1), lo + _ROWS, n))
    return list(itertools.pairwise(cuts))


@dataclass(slots=True)
class _Run:
    """One chunk's distinct (key, row) entries, grouped by key (ascending within it).

    `groups[g]` is a key of the chunk's ids (`_Vocabulary` ids, or pairs of them as
    `a * base + b`), and its rows are `first + rows[starts[g]:starts[g] + sizes[g]]`.
    """

    groups: np.ndarray
    sizes: np.ndarray
    rows: np.ndarray
    """uint16 rows within the chunk (`_ROWS` <= 65536)."""
    tf: np.ndarray | None
    """uint8 occurrences (capped at 255), parallel to `rows`, or None when not kept."""
    first: int
    base: int = 0


class _Vocabulary:
    """The words seen so far, each with an id in order of first sight, found by their
    token keys (see `_keys`) in a hash table that lives across the chunks."""

    def __init__(self) -> None:
        self.table = _Table(16)
        self.slot_ids = np.full(self.table.size, -1, np.int32)
        """The id of the key in each slot of `table` (-1: free)."""
        self.words: list[str] = []
        """The word of each id."""
        self.size = 0
        """Ids given."""

    def add(
        self, keys: np.ndarray, blob: bytes, starts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """A chunk's token `keys` as chunk ids, and the vocabulary id of each chunk id;
        the new words are read from `blob` at their tokens' `starts`.

        The L words of the chunk are numbered 0..L-1 in the order of first sight
        (uint16 when L <= 65536, else uint32): small numbers make the sorts of the runs
        a 16-bit radix sort, one pass per 16 bits. The vocabulary ids are int64.

        The chunk's distinct keys are found first, in a table of the chunk's own (small:
        it stays in the CPU's cache), and only they are looked up in the vocabulary's
        table, which grows to tens of MB at a million words, where a lookup per token
        cost a cache miss per token (intern ~30 % faster at a million abstracts)."""
        seen, first_token = _intern(keys)  # chunk ids in order of first sight
        ids, reps = self.intern(keys[first_token])
        match = _TOKEN.match
        self.words.extend(
            match(blob, s).group().decode()  # type: ignore[union-attr]
            for s in starts[first_token[reps]].tolist()
        )
        dtype = np.uint16 if len(ids) <= 1 << 16 else np.uint32
        return seen.astype(dtype), ids.astype(np.int64)

    def intern(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The id (int32) of each of `keys`, new keys numbered on from the last id; and
        for each new id, the index of one token having it.

        The keys go into the open-addressing table `_PROBE` tokens at a time (every
        token of a slice probes in step, so the copies of a key claim the same free
        slot); the table doubles when a quarter full. Sorting the 17M keys of 100k
        abstracts first (for `np.unique`) cost ~1 s and a 130 MB copy; this needs neither.
        """
        table = self.table
        slots = np.empty(len(keys), np.int32)
        lo = 0
        while lo < len(keys):  # in slices: small temporaries, reused
            # a slice of distinct keys must not fill the table (a probe would never end)
            part = keys[lo : lo + min(_PROBE, table.size // 2 - table.used)]
            slots[lo : lo + len(part)] = table.insert(part)
            lo += len(part)
            while table.used * 4 > table.size:
                moved = table.grow()
                for at in range(0, lo, _PROBE):  # slices: numpy copies indexes to int64
                    done = slots[at : min(at + _PROBE, lo)]
                    done[:] = moved[done]
                old = self.slot_ids
                known = np.flatnonzero(old >= 0)
                self.slot_ids = np.full(table.size, -1, np.int32)
                self.slot_ids[moved[known]] = old[known]
                del old, known
        first = self.size
        # the slots this call filled, in slot order (a scan of the whole table was O(V)
        # a chunk: ~0.8 s of a million-abstract build)
        fresh = np.unique(slots[self.slot_ids[slots] < 0])
        self.slot_ids[fresh] = np.arange(first, first + len(fresh), dtype=np.int32)
        self.size += len(fresh)
        ids = self.slot_ids[slots]
        del slots
        new = np.flatnonzero(ids >= first)
        reps = np.empty(len(fresh), np.int64)
        reps[ids[new] - first] = new
        return ids, reps

    def sorted(self) -> tuple[list[str], np.ndarray]:
        """The words sorted, and the rank (int64) of each id in that order."""
        words = self.words
        order = sorted(range(len(words)), key=words.__getitem__)
        rank = np.empty(len(words), np.int64)
        rank[order] = np.arange(len(words))
        return [words[i] for i in order], rank


def _intern(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids (int32) for `keys`, and for each id the index of one token having it."""
    return _Vocabulary().intern(keys)


def _index_chunk(
    texts: Sequence[str],
    headlines: Sequence[str],
    first: int,
    vocabulary: _Vocabulary,
    pool: ThreadPoolExecutor,
) -> tuple[_Run, _Run, _Run, np.ndarray]:
    """The word, headline and pair runs of rows `first...` and their lengths."""
    m = len(texts)
    segments: list[str] = []
    for text, headline in zip(texts, headlines, strict=True):
        segments.append(clean(fold(text)))
        segments.append(clean(fold(headline)))
    keys, per_segment, blob, starts = _tokenise(segments, pool)
    del segments
    local, distinct = vocabulary.add(keys, blob, starts)
    del keys, blob, starts
    # Each token's row, whether it is in a headline, and whether the next token is
    # in its segment, made directly: every per-token temporary (a segment number per
    # token, the results of arithmetic) costs page faults.
    lengths = per_segment.reshape(m, 2).sum(axis=1)
    row = np.repeat(np.arange(m, dtype=np.uint16), lengths)  # m <= _ROWS = 65536
    head = np.repeat(np.tile(np.array([False, True]), m), per_segment)
    same = np.ones(max(len(local) - 1, 0), bool)
    ends = np.cumsum(per_segment)
    same[ends[(ends > 0) & (ends < len(local))] - 1] = False
    del ends
    words = pool.submit(_word_run, local, row, distinct, first)
    heads = pool.submit(_word_run, local[head], row[head], distinct, first, tf=False)
    pairs = _pair_run(local[:-1][same], local[1:][same], row[:-1][same], distinct, first,
                      vocabulary.size)  # fmt: skip
    return words.result(), heads.result(), pairs, lengths


# -- tokenising -------------------------------------------------------------------------

_LOW = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], np.uint64)
"""`_LOW[k]` keeps the first k bytes of a little-endian uint64."""
_TOKEN = re.compile(rb"[0-9A-Za-z\x80-\xff]+")


def _tokenise(
    segments: list[str], pool: ThreadPoolExecutor
) -> tuple[np.ndarray, np.ndarray, bytes, np.ndarray]:
    """Token keys (uint64), tokens per segment, the joined UTF-8 bytes and token starts."""
    # A segment that is not ASCII goes in as its UTF-8 bytes read as Latin-1: the
    # joined text stays one byte a character (not 2 or 4), its encoding is a copy of
    # it, and lengths count bytes. One join (" " + join + 9 spaces made two more copies).
    segments = [s if s.isascii() else s.encode().decode("latin-1") for s in segments]
    sizes = np.fromiter(map(len, segments), np.int64, len(segments))
    blob = (" ".join(["", *segments, " " * 8]) if segments else " " * 10).encode("latin-1")
    del segments
    seg_starts = np.cumsum(sizes + 1) - sizes  # a space before each segment
    end = len(blob) - 8
    cuts = [0]
    while cuts[-1] < end:
        cut = blob.find(b" ", min(cuts[-1] + _PART, end))  # no token spans a space
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
            free = np.flatnonzero(self.keys[slot] == 0)
            if free.size:
                # One of a slot's claimants wins: each writes its number + 1 (never 0,
                # the free mark) and the one whose number stays writes its key. So the
                # slots claimed are counted without a np.unique of them.
                claimed = slot[free]
                self.keys[claimed] = np.arange(1, free.size + 1, dtype=np.uint64)
                won = free[self.keys[claimed] == np.arange(1, free.size + 1, dtype=np.uint64)]
                self.keys[slot[won]] = wanted[won]
                self.used += won.size
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


# -- runs and their merge ---------------------------------------------------------------


_DIGIT = 16
"""Bits sorted per pass by `_stable_order` (numpy's stable argsort of uint16 is a radix
sort, ~7x faster on a chunk than sorting 64-bit keys)."""


def _stable_order(*columns: np.ndarray) -> np.ndarray:
    """The stable permutation that sorts by `columns` (unsigned ints, the first the most
    significant): a least-significant-digit radix sort of `_DIGIT`-bit digits."""
    mask = (1 << _DIGIT) - 1
    order: np.ndarray | None = None
    for column in reversed(columns):
        top = int(column.max()) if column.size else 0
        shift = 0
        while True:
            digit = column if order is None else column[order]
            if shift:
                digit = digit >> shift
            if mask < 0xFFFF or digit.dtype != np.uint16:
                digit = (digit & mask).astype(np.uint16)
            step = np.argsort(digit, kind="stable")
            order = step if order is None else order[step]
            del digit, step
            shift += _DIGIT
            if not top >> shift:
                break
    assert order is not None
    return order


def _word_run(
    local: np.ndarray, row: np.ndarray, distinct: np.ndarray, first: int, *, tf: bool = True
) -> _Run:
    """The distinct (word, row) entries of a chunk, with their counts: `local` are the
    tokens' chunk ids (`_Vocabulary.add`), `row` (uint16) ascends along them."""
    order = _stable_order(local)  # stable: rows still ascend within a word
    word, rows = local[order], row[order]
    del order
    firsts = _firsts(word, rows)
    counts = np.diff(firsts, append=len(word))
    word, rows = word[firsts], rows[firsts]
    del firsts
    groups, sizes = _groups(word)
    kept = np.minimum(counts, 255).astype(np.uint8) if tf else None
    return _Run(distinct[groups], sizes, rows, kept, first)


def _pair_run(
    left: np.ndarray, right: np.ndarray, row: np.ndarray, distinct: np.ndarray, first: int,
    base: int,
) -> _Run:  # fmt: skip
    """The distinct (pair, row) entries of a chunk, pairs keyed `a * base + b` by the
    vocabulary ids a and b of the chunk ids `left` and `right` (`base` above every id)."""
    order = _stable_order(left, right)
    left, right, rows = left[order], right[order], row[order]
    del order
    firsts = _firsts(left, right, rows)
    left, right, rows = left[firsts], right[firsts], rows[firsts]
    firsts = _firsts(left, right)
    sizes = np.diff(firsts, append=len(left)).astype(np.int32)
    groups = distinct[left[firsts]] * base
    groups += distinct[right[firsts]]
    return _Run(groups, sizes, rows, None, first, base)


def _groups(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of `sorted_keys` and how many times each is there."""
    firsts = _firsts(sorted_keys)
    return sorted_keys[firsts], np.diff(firsts, append=len(sorted_keys)).astype(np.int32)


def _merge(runs: list[_Run], final_keys: Any, *, tf: bool = False) -> tuple[Any, ...]:
    """Sorted distinct final keys, offsets (len K+1), rows (int32) and tf (uint8, empty
    unless `tf`) of the chunks' runs, each group's key mapped by `final_keys(run)` (int64).

    The groups are ordered by final key, ties in chunk order (a stable sort), so the
    rows of a key ascend; then each chunk's entries are put in place, and dropped.
    """
    if not runs:
        return (
            np.zeros(0, np.int64),
            np.zeros(1, np.int64),
            np.zeros(0, np.int32),
            np.zeros(0, np.uint8),
        )
    keys = np.concatenate([final_keys(run) for run in runs])
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    firsts = _firsts(keys)
    distinct = keys[firsts]
    del keys
    sizes = np.concatenate([run.sizes for run in runs])[order]
    starts = np.cumsum(sizes, dtype=np.int64)
    total = int(starts[-1]) if starts.size else 0
    starts -= sizes  # where the rows of each group go, in key order
    del sizes
    offsets = np.append(starts[firsts], total)
    del firsts
    place = np.empty(len(order), np.int64)
    place[order] = starts
    del order, starts
    rows = np.empty(total, np.int32)
    counts = np.empty(total if tf else 0, np.uint8)
    g = 0
    while runs:
        run = runs.pop(0)
        k = len(run.sizes)
        at = np.repeat(place[g : g + k] - (np.cumsum(run.sizes) - run.sizes), run.sizes)
        at += np.arange(len(at))
        rows[at] = run.rows + np.int32(run.first)
        if tf and run.tf is not None:
            counts[at] = run.tf
        g += k
        del run, at
    return distinct, offsets, rows, counts


def _all_offsets(present: np.ndarray, offsets: np.ndarray, size: int) -> np.ndarray:
    """Offsets (len size+1) over every id in [0, size) from those of the `present` ids."""
    counts = np.zeros(size, np.int64)
    counts[present] = np.diff(offsets)
    full = np.zeros(size + 1, np.int64)
    np.cumsum(counts, out=full[1:])
    return full


def _firsts(*sorted_columns: np.ndarray) -> np.ndarray:
    """Indexes where a new value (of any of the parallel columns) starts in sorted data."""
    size = len(sorted_columns[0])
    if not size:
        return np.zeros(0, np.int64)
    change = np.empty(size, bool)
    change[0] = True
    np.not_equal(sorted_columns[0][1:], sorted_columns[0][:-1], out=change[1:])
    for column in sorted_columns[1:]:
        change[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(change)
