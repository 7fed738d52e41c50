"""Fuzzy search over curated entries that stays fast as the corpus grows.

A query is folded to skeleton words (see `bot.normalize`). Each word is matched
against the index's vocabulary, not against every entry: exact hits, synonyms,
prefixes, and words one or two edits away found through a symmetric-delete table
(dictionary look-ups, not a scan), checked with rapidfuzz's Levenshtein. Those
words lead, through posting lists, to candidate entries, which are scored by how much
of the query they cover. Rare query words weigh more than common ones, so one shared
word ("Azerbaijan", "Armenia") never decides a match, and a query word the index has
never seen ("NATO", "Musk") counts against every entry.
"""

from __future__ import annotations

import bisect
import ctypes
import gc
import heapq
import math
import re
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain, combinations
from operator import mul

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.normalize import fold_many, key, skeleton, words
from bot.understand.morph import term_forms

# Words that carry no meaning for search ("the president of Azerbaijan" ~ "president Azerbaijan").
STOPWORDS = frozenset(
    "a an the of to in on at by for from with and or but is are was were be been being it its this that these "
    "those who whom what which when where why how did do does done has have had about into than then there their "
    "they them he she his her him we our you your i me my as not no so if any all some s de la le les du des "
    "v na po ot".split(" ")
)
# An entry's fields do not weigh the same: a name is stronger evidence than a word in a summary.
NAME, TITLE, TEXT = 1.0, 0.9, 0.8
_TYPED = re.compile(r"[^\W_][\w'’.-]*")
MAX_QUERY_WORDS = 24  # a pasted paragraph is not a query; its first words are enough to search
MAX_FUZZY_LENGTH = 24  # longer "words" are not names anyone types; match them exactly only
DENSE_FROM = 1000  # posting entries a query walks from which its candidates are kept in numpy arrays
WALK_IN_NUMPY_FROM = 64  # posting entries from which (up to DENSE_FROM) the walk itself is done in numpy
MIN_RUN_ON_PART = 3  # "uszuenvakaza" is "uszu envakaza"; shorter pieces would split words by chance
LOOSE_BELOW = 0.78  # best coverage under which a query is searched again, loosely (Tiers.confident needs it)
LOOSE_WORDS = 3  # ...if it is as short as a name (a sentence has words to spare for a typo)
TRIM_FROM = 10_000  # entries from which the build hands its freed memory back (see _give_back_memory)
SLIP_FROM = 1000  # entries holding the rest of the query above which a slip is not looked for
SLIP_IN_PYTHON = 100  # entries holding the rest up to which the slip check loops in Python (numpy costs more)
PHRASE_TRUSTED = 85.0  # whole-query likeness to one name or title that may decide a score by itself
LIKENESS_IN_ONE_CALL = 8  # candidates from which phrase likeness is one rapidfuzz call (cdist), not a loop


@dataclass
class Doc:
    """One searchable entry: its id, kind, and the strings that describe it, each with a weight."""

    entry_id: str
    kind: str
    names: list[str] = field(default_factory=list)  # canonical name and aliases (phrase match + words)
    titles: list[str] = field(default_factory=list)  # titles, asked_as phrasings (phrase match + words)
    texts: list[str] = field(default_factory=list)  # summaries, quotes, tags (words only)


@dataclass(frozen=True)
class Hit:
    entry_id: str
    kind: str
    score: float  # 0..100
    coverage: float  # 0..1, weighted share of the query's words found in the entry
    via: str  # the name or title that matched best (to show "Алиев → Ilham Aliyev")
    phrase: float = 0.0  # how closely the whole query matches one name or title (breaks ties)
    named: float = 0.0  # weighted share of the query's words found in the entry's names and aliases


def query_words(text: str) -> list[str]:
    """Skeleton words of a query, stop words dropped before folding ("who" is not the unseen word "vho").
    A query of stop words only ("the", "no") has nothing to search for."""
    return [skeleton(w) for w in words(text) if w not in STOPWORDS][:MAX_QUERY_WORDS]


def query_alternates(text: str) -> dict[str, frozenset[str]]:
    """Other base forms of the query's inflected words ("Гафаровой" → Гафарова, "Qarabağda" → Qarabağ)."""
    return {typed: alts for typed, alts in term_forms(text) if alts}


_FIELD = (NAME, TITLE, TEXT)  # a field code (0, 1, 2) -> its weight; 0 is a name
_FIELD_NP = np.array(_FIELD, dtype=np.float64)
_PHRASES_APART = "\n"  # between the phrase keys of one entry (keys are [a-z0-9 ] only)


# The deletion table's keys: a polynomial hash of a string's code points (mod 2**64), its high 32 bits
# after a multiplicative mix. Computed in numpy for all of a word's deletions at once (and, building,
# for all words of one length at once); a collision only adds a candidate the edit-distance check drops.
_BASE = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=64)
def _powers(m: int) -> np.ndarray:
    """_BASE ** (m - 1 - j) for j < m, mod 2**64."""
    base = int(_BASE)
    return np.array([pow(base, m - 1 - j, 2**64) for j in range(m)], dtype=np.uint64)


def _row_hashes(rows: np.ndarray) -> np.ndarray:
    """The key of each row of a (strings x code points) uint64 matrix."""
    h = (rows * _powers(rows.shape[1])).sum(axis=1, dtype=np.uint64)
    return ((h * _MIX) >> np.uint64(32)).astype(np.uint32)


@lru_cache(maxsize=64)
def _left_out(n: int, edits: int) -> np.ndarray:
    """Positions kept, one row per way of leaving `edits` of `n` letters out."""
    return np.array([[j for j in range(n) if j not in gone] for gone in combinations(range(n), edits)],
                    dtype=np.intp).reshape(-1, n - edits)


@lru_cache(maxsize=64)
def _variant_weights(n: int, edits: int) -> np.ndarray:
    """For a word of `n` letters: one row per variant (the word itself and every way of leaving out one
    letter, then, for 2 edits, two), the power of _BASE each letter is multiplied by in that variant's
    hash (0 for a letter left out; the variant hashes as the shorter string it is), times _MIX. The hash
    is linear in the letters, so a word's keys are one matrix product and a shift (mod 2**64 throughout).
    Built in numpy (the first word of a length would otherwise wait a fifth of a millisecond)."""
    kept = np.ones((1 + n + (n * (n - 1) // 2 if edits >= 2 else 0), n), dtype=bool)
    kept[1 + np.arange(n), np.arange(n)] = False
    if edits >= 2:
        first, second = np.triu_indices(n, 1)
        rows = 1 + n + np.arange(len(first))
        kept[rows, first] = False
        kept[rows, second] = False
    place = np.cumsum(kept, axis=1) - 1  # a kept letter's place in the shorter string
    exponent = np.clip(kept.sum(axis=1, keepdims=True) - 1 - place, 0, None)
    powers = np.array([pow(int(_BASE), k, 2**64) for k in range(n)], dtype=np.uint64)
    return np.where(kept, powers[exponent], np.uint64(0)) * _MIX


def _fuzzy_edits(n: int) -> int:
    """How many edits a word of `n` letters is looked up with (two are a guess for shorter ones)."""
    return 1 if n < 8 else 2


def _variant_hashes(word: str, edits: int) -> np.ndarray:
    """Keys of the word itself and of every way of leaving out up to `edits` letters of it."""
    points = np.frombuffer(word.encode(), dtype=np.uint8) if word.isascii() else \
        np.array([ord(c) for c in word], dtype=np.uint64)
    return ((_variant_weights(len(word), edits) @ points) >> np.uint64(32)).astype(np.uint32)


def _vocabulary_hashes(vocab: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(keys, word numbers) of every vocabulary word under itself and, from 4 letters on, each of its
    one-letter deletions: words of one length at a time, as a matrix of their letters."""
    keys, owners = [], []
    lengths = np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab))
    for n in np.unique(lengths).tolist():
        numbers = np.flatnonzero(lengths == n)
        letters = np.frombuffer("".join([vocab[i] for i in numbers.tolist()]).encode("ascii"),
                                dtype=np.uint8).reshape(len(numbers), n).astype(np.uint64)
        keys.append(_row_hashes(letters))
        owners.append(numbers)
        if n >= 4:
            for kept in _left_out(n, 1):
                keys.append(_row_hashes(letters[:, kept]))
                owners.append(numbers)
    if not keys:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int32)
    return np.concatenate(keys), np.concatenate(owners).astype(np.int32)


def _shared(values: np.ndarray, code: str) -> tuple[array, np.ndarray]:
    """A copy of `values` as an `array.array`, and a numpy view of that copy."""
    plain = array(code, values.tobytes())
    return plain, (np.frombuffer(plain, dtype=values.dtype) if len(plain) else values[:0].copy())


def _covered(found: dict[int, list[float]] | _Dense, qwords: list[str], weights: dict[str, float],
             slot: dict[str, int]) -> Iterator[tuple[int, float]]:
    """(entry number, sum of weight x best match over the query's words) for each candidate, the sum
    added left to right over the query's words, as `sum` adds (so every score is what it always was)."""
    if isinstance(found, _Dense):
        yield from zip(found.numbers.tolist(), found.numerators(qwords, weights, slot).tolist(), strict=True)
        return
    cws = [weights[w] for w in qwords]
    if len(set(qwords)) == len(qwords):  # slots are in query order: multiply them pairwise
        for number, slots in found.items():
            yield number, sum(map(mul, cws, slots))
    else:
        at = [slot[w] for w in qwords]
        for number, slots in found.items():
            yield number, sum([c * slots[j] for c, j in zip(cws, at, strict=True)])


@dataclass
class _Dense:
    """Candidates of a query of common words: entry numbers in the order admitted, and per entry the
    best match of each distinct query word."""

    numbers: np.ndarray
    best: np.ndarray

    def numerators(self, qwords: list[str], weights: dict[str, float], slot: dict[str, int]) -> np.ndarray:
        """Weight x best match summed left to right over the query's words, elementwise (as `sum`)."""
        total = weights[qwords[0]] * self.best[:, slot[qwords[0]]]
        for w in qwords[1:]:
            total = total + weights[w] * self.best[:, slot[w]]
        return total

    def top(self, coverage: np.ndarray, keep: int, allowed: list[bool] | None) -> list[tuple[float, int]]:
        """The `keep` best (coverage, number) pairs, best first, as `sorted(..., reverse=True)` orders them."""
        numbers = self.numbers
        if allowed is not None:
            mask = np.array(allowed, dtype=bool)
            coverage, numbers = coverage[mask], numbers[mask]
        order = np.lexsort((numbers, coverage))[::-1][:keep]
        return list(zip(coverage[order].tolist(), numbers[order].tolist(), strict=True))


class _Walked(_Dense):
    """The candidates of a query of middling posting volume, walked in numpy: the same entries in the
    same order of first appearance, the same best match per word, as `_gather`'s loop gives them (no
    candidate cap can apply: there are fewer postings than it). Scored as `_Dense` is; `as_dict` gives
    the loop's own form for the slip check."""

    def as_dict(self) -> dict[int, list[float]]:
        return dict(zip(self.numbers.tolist(), self.best.tolist(), strict=True))


def _give_back_memory() -> None:
    """Hand the build's freed temporaries back to the operating system: glibc keeps freed heap memory
    for reuse, which at 1M entries is ~150 MB of resident memory nothing uses again (536 -> 381 MB)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to do
        return
    libc.malloc_trim(0)


def _folded(docs: list[Doc], chunk: int = 20_000) -> Iterator[tuple[int, list[list[str]], list[int], list[int]]]:
    """Many entries at a time (`fold_many`): how many entries, the skeleton words of each of
    their names, titles and texts (entry by entry, in that order), each text's field code and the
    entry it belongs to (counted from the first). The cyclic garbage collector waits meanwhile (the
    build makes millions of lists, none of them cyclic garbage)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for start in range(0, len(docs), chunk):
            texts: list[str] = []
            codes: list[int] = []
            owner: list[int] = []
            part = docs[start : start + chunk]
            for k, d in enumerate(part):
                for strings, code in ((d.names, 0), (d.titles, 1), (d.texts, 2)):
                    texts.extend(strings)
                    codes.extend([code] * len(strings))
                    owner.extend([k] * len(strings))
            yield len(part), fold_many(texts), codes, owner
    finally:
        if was_enabled:
            gc.enable()

class _Postings(Mapping[str, list[int]]):
    """The vocabulary as a read-only mapping: word -> numbers of the entries that contain it."""

    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._index._word_id(word) is not None

    def __getitem__(self, word: str) -> list[int]:
        i = self._index._word_id(word)
        if i is None:
            raise KeyError(word)
        off = self._index._word_off
        return self._index._post_docs_a[off[i] : off[i + 1]].tolist()

    def __len__(self) -> int:
        return len(self._index.vocab)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.vocab)


def _merge_slots(updates: dict[int, list[float]], old: list[float] | None, number: int, row: list[float]) -> None:
    """A candidate's best match per query word after a slip check: a new one only if it matched at all."""
    if old is None:
        if any(row):
            updates[number] = row
    else:
        updates[number] = [max(a, b) for a, b in zip(old, row, strict=True)]


class SearchIndex:
    """Vocabulary-level fuzzy matching with posting lists; see the module docstring.

    Memory layout (flat arrays, no per-entry dicts, so a million entries fit in a few hundred MB):
    the vocabulary is one sorted list of skeleton words, a word's number is its place in it; each
    entry's words are a slice of `_fwd_words` (with their field codes in `_fwd_codes`), each word's
    entries a slice of `_post_docs` (ascending, codes in `_post_codes`); the phrase keys of an
    entry's names and titles are a slice of one string; the one-letter-deletion table is a sorted
    array of string hashes beside the word numbers they lead to (a hash collision only adds a
    candidate that the edit-distance check then drops).
    """

    def __init__(self, docs: Iterable[Doc], synonyms: dict[str, tuple[str, ...]] | None = None) -> None:
        self.docs: list[Doc] = list(docs)
        # Folded like queries, so a synonym may be written in its own script ("atəşkəs", "перемирие").
        fold = lambda w: " ".join(skeleton(x) for x in words(w))  # noqa: E731
        self.synonyms = {fold(k): tuple(fold(v) for v in vs) for k, vs in (synonyms or {}).items()}
        first_seen: dict[str, int] = {}  # word -> number in order of first appearance; only while building
        fwd_parts: list[tuple[np.ndarray, np.ndarray]] = []
        lengths_parts: list[np.ndarray] = []
        phrase_keys: list[str] = []
        phrase_off = array("q", [0])
        for entries, folded, text_code, text_doc in _folded(self.docs):
            # Entry by entry, its names' (0), titles' (1) then texts' (2) words, each word once, with the
            # field it first came in (fields come strongest first: the first one is the best).
            count = len(text_code)
            keys: list[list[str]] = [[] for _ in range(entries)]
            for k in range(count):
                if text_code[k] < 2:
                    keys[text_doc[k]].append(" ".join(folded[k]))  # "" for a name with no words: skipped
            # One string per chunk (a million small strings held to the end would stay as scattered
            # memory the allocator cannot give back).
            joined = [_PHRASES_APART.join(ks) for ks in keys]
            at = phrase_off[-1]
            phrase_off.extend(at + n for n in accumulate(map(len, joined)))
            phrase_keys.append("".join(joined))
            del joined
            flat = list(chain.from_iterable(folded))
            for w in dict.fromkeys(flat):
                if w not in first_seen:
                    first_seen[w] = len(first_seen)
            ids = np.fromiter(map(first_seen.__getitem__, flat), dtype=np.int64, count=len(flat))
            per_text = np.fromiter(map(len, folded), dtype=np.int64, count=count)
            word_doc = np.repeat(np.asarray(text_doc, dtype=np.int64), per_text)
            word_code = np.repeat(np.asarray(text_code, dtype=np.int8), per_text)
            _, first = np.unique(word_doc * (1 << 32) + ids, return_index=True)
            first.sort()  # each (entry, word) at its first appearance, in the order of appearance
            fwd_parts.append((ids[first].astype(np.int32), word_code[first]))
            lengths_parts.append(np.bincount(word_doc[first], minlength=len(keys)))
        fwd_words = np.concatenate([w for w, _ in fwd_parts]) if fwd_parts else np.zeros(0, dtype=np.int32)
        fwd_codes = np.concatenate([c for _, c in fwd_parts]) if fwd_parts else np.zeros(0, dtype=np.int8)
        del fwd_parts
        doc_off = np.zeros(len(self.docs) + 1, dtype=np.int64)
        if lengths_parts:
            np.cumsum(np.concatenate(lengths_parts), out=doc_off[1:])
        del lengths_parts
        self._phrase_keys_all = "".join(phrase_keys)
        del phrase_keys
        self._phrase_off = phrase_off
        # How many of an entry's phrase keys are names (the rest are titles): their weights, in `_likeness`.
        self._name_count_a, self._name_count = _shared(
            np.fromiter(map(len, (d.names for d in self.docs)), dtype=np.int32, count=len(self.docs)), "i")
        # Word numbers are places in the sorted vocabulary: a look-up is a bisection, with no dict.
        self.vocab: list[str] = sorted(first_seen)
        self.sorted_vocab = self.vocab
        by_text = np.fromiter(map(first_seen.__getitem__, self.vocab), dtype=np.int32, count=len(self.vocab))
        del first_seen
        remap = np.empty(len(by_text), dtype=np.int32)
        remap[by_text] = np.arange(len(by_text), dtype=np.int32)
        del by_text
        # Fuzzy candidates are tried in the order of a set of first-seen numbers, as they always were,
        # so that equally close words keep their order (a word's place in the sorted vocabulary would not).
        self._by_seen = remap
        seen = np.empty_like(remap)
        seen[remap] = np.arange(len(remap), dtype=np.int32)
        self._by_seen_a, self._by_seen = _shared(remap, "i")
        self._seen_a, self._seen = _shared(seen, "i")
        del seen
        self._fwd_words = remap[fwd_words] if len(fwd_words) else remap[:0]
        self._fwd_codes = fwd_codes
        self._doc_off = doc_off
        del fwd_words, fwd_codes, doc_off
        lengths = np.diff(self._doc_off)
        by_word = np.argsort(self._fwd_words, kind="stable")  # entries stay in ascending order per word
        self._post_docs = np.repeat(np.arange(len(self.docs), dtype=np.int32), lengths)[by_word]
        self._post_codes = self._fwd_codes[by_word]
        del by_word
        # Plain arrays beside numpy views of the same memory: slicing an array gives Python ints fast,
        # the views serve the vectorised look-ups.
        self._fwd_words_a, self._fwd_words = _shared(self._fwd_words, "i")
        self._fwd_codes_a, self._fwd_codes = _shared(self._fwd_codes, "b")
        self._doc_off_a, self._doc_off = _shared(self._doc_off, "q")
        self._post_docs_a, self._post_docs = _shared(self._post_docs, "i")
        self._post_codes_a, self._post_codes = _shared(self._post_codes, "b")
        counts = np.bincount(self._fwd_words, minlength=len(self.vocab))
        word_off = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=word_off[1:])
        self._word_off = array("q", word_off.tobytes())  # plain ints, fast to index
        self.postings = _Postings(self)
        lengths = np.fromiter(map(len, self.vocab), dtype=np.int64, count=len(self.vocab))
        self._word_len_a, self._word_len = _shared(lengths.clip(0, 255).astype(np.uint8), "B")  # (slip check)
        del lengths
        # Symmetric-delete index: every vocabulary word under itself and its one-letter deletions,
        # so words one edit away are found by a few look-ups, whatever the corpus size.
        h, owners = _vocabulary_hashes(self.vocab)
        by_hash = np.argsort(h, kind="stable")
        self._del_hash_a, self._del_hash = _shared(h[by_hash], "I")
        self._del_word_a, self._del_word = _shared(owners[by_hash], "i")
        del h, owners, by_hash
        # Entry id -> number, as sorted hashes of the ids (the entry itself settles a collision).
        ids = np.fromiter((hash(d.entry_id) for d in self.docs), dtype=np.int64, count=len(self.docs))
        self._id_number = np.argsort(ids, kind="stable").astype(np.int32)
        self._id_hash = ids[self._id_number]
        del ids
        if len(self.docs) >= TRIM_FROM:
            _give_back_memory()
        for n in range(4, MAX_FUZZY_LENGTH + 1):  # made once per process (~4 ms), not at some query
            _variant_weights(n, _fuzzy_edits(n))
        self._n = max(len(self.docs), 1)
        self.unseen_idf = math.log(1 + self._n)  # a word the index has never seen is as rare as it gets
        self._similar_cache: dict[str, list[tuple[str, float, int]]] = {}
        self._bags: dict[int, dict[str, float]] = {}
        self._phrase_cache: dict[int, list[tuple[str, str, float]]] = {}
        self._last: tuple | None = None  # (text, max_candidates, what _accumulate found)
        self._covered_memo: dict[int, tuple] = {}  # id(candidates) -> (candidates, weights, _covered of them)

    def __len__(self) -> int:
        return len(self.docs)

    def memory(self) -> dict[str, int]:
        """Bytes held by each part of the index (not the entries themselves; not the query caches)."""
        size = sys.getsizeof
        return {
            "vocabulary (sorted words)": size(self.vocab) + sum(size(w) for w in self.vocab) + self._word_len.nbytes,
            "posting lists (entry numbers, fields)": self._post_docs_a.itemsize * len(self._post_docs_a)
            + len(self._post_codes_a) + self._word_off.itemsize * len(self._word_off),
            "entries' words (word numbers, fields)": self._fwd_words_a.itemsize * len(self._fwd_words_a)
            + len(self._fwd_codes_a) + self._doc_off_a.itemsize * len(self._doc_off_a),
            "one-letter deletions (hashes, words)": self._del_hash.nbytes + self._del_word.nbytes
            + self._seen.nbytes + self._by_seen.nbytes,
            "phrase keys of names and titles": size(self._phrase_keys_all) + self._phrase_off.itemsize
            * len(self._phrase_off) + self._name_count.nbytes,
            "entry id -> number (sorted id hashes)": self._id_hash.nbytes + self._id_number.nbytes,
        }

    # ---- compact storage, read back

    def _word_id(self, word: str) -> int | None:
        vocab = self.vocab
        i = bisect.bisect_left(vocab, word)
        return i if i < len(vocab) and vocab[i] == word else None

    def _idf(self, i: int) -> float:
        off = self._word_off
        return math.log(1 + self._n / (off[i + 1] - off[i]))

    def _number(self, kind: str, entry_id: str) -> int | None:
        h = hash(entry_id)
        lo, hi = np.searchsorted(self._id_hash, [h, h + 1]).tolist() if h < 2**63 - 1 else (0, len(self.docs))
        for number in reversed(self._id_number[lo:hi].tolist()):  # the last one, as a dict would keep
            doc = self.docs[number]
            if doc.entry_id == entry_id and doc.kind == kind:
                return number
        return None

    def _id_bag(self, number: int) -> dict[int, int]:
        """An entry's word numbers with their field codes."""
        a, b = self._doc_off_a[number], self._doc_off_a[number + 1]
        return dict(zip(self._fwd_words_a[a:b], self._fwd_codes_a[a:b], strict=True))

    def _name_words(self, number: int) -> set[int]:
        """The numbers of the words of an entry's names (they come first among its words)."""
        a, b = self._doc_off_a[number], self._doc_off_a[number + 1]
        k = self._fwd_codes_a[a:b].count(0)  # names (0) first, then titles (1), texts (2)
        return set(self._fwd_words_a[a : a + k])

    def _phrases(self, number: int) -> list[tuple[str, str, float]]:
        """(phrase key, display, weight) of each of an entry's names and titles that has words."""
        cached = self._phrase_cache.get(number)
        if cached is not None:
            return cached
        doc = self.docs[number]
        a, b = self._phrase_off[number], self._phrase_off[number + 1]
        keys = self._phrase_keys_all[a:b].split(_PHRASES_APART)
        shown = [(t, NAME) for t in doc.names] + [(t, TITLE) for t in doc.titles]
        phrases = [(k, t, weight) for k, (t, weight) in zip(keys, shown, strict=False) if k]
        if len(self._phrase_cache) > 20_000:
            self._phrase_cache.clear()
        self._phrase_cache[number] = phrases
        return phrases

    def _display(self, word: str) -> str:
        """A readable spelling of a skeleton word: as first written in the first entry that has it."""
        i = self._word_id(word)
        if i is None:
            return word
        doc = self.docs[self._post_docs_a[self._word_off[i]]]
        found = []
        for text in (*doc.names, *doc.titles, *doc.texts):
            for token in _TYPED.findall(text):  # as written ("армян"), not as folded ("armyan")
                pieces = words(token)
                if len(pieces) == 1 and skeleton(pieces[0]) == word:
                    if token.isascii():
                        return token.strip(".'’")  # the entry's English spelling, where it has one
                    found.append(token.strip(".'’"))
        return found[0] if found else word

    # ---- word level

    def _similar(self, word: str, limit: int = 12) -> list[tuple[str, float, int]]:
        cached = self._similar_cache.get(word)
        if cached is not None:
            return cached
        vocab = self.vocab
        at = bisect.bisect_left(vocab, word)  # (its place, and where longer words that start with it are)
        own = at if at < len(vocab) and vocab[at] == word else None
        found: dict[str, tuple[float, int]] = {}
        if own is not None:
            found[word] = (100.0, own)
        for syn in self.synonyms.get(word, ()):
            i = self._word_id(syn)
            if i is not None:
                found.setdefault(syn, (95.0, i))
        # A short word that is in the vocabulary as typed is taken as meant: its one-letter
        # neighbours ("bade" ~ "bode", "bide") would add noise and cost, not recall.
        fuzzable = 4 <= len(word) <= MAX_FUZZY_LENGTH and (word.isalpha() or not any(ch.isdigit() for ch in word))
        if fuzzable and not (own is not None and len(word) <= 5):
            max_edits = _fuzzy_edits(len(word))
            if max_edits == 1:  # a few keys: bisections in Python cost less than numpy calls
                table, owner, seen = self._del_hash_a, self._del_word_a, self._seen_a
                end, sequence = len(table), []
                for h in sorted(_variant_hashes(word, 1).tolist()):
                    r = bisect.bisect_left(table, h)
                    while r < end and table[r] == h:
                        sequence.append(seen[owner[r]])
                        r += 1
                by_seen = self._by_seen_a
                numbers = [by_seen[k] for k in set(sequence)]
            else:
                # sorted needles: each bisection starts where the last ended
                hashes = np.sort(_variant_hashes(word, max_edits))
                lo = np.searchsorted(self._del_hash, hashes, "left")
                counts = np.searchsorted(self._del_hash, hashes, "right") - lo
                total = int(counts.sum())
                # Every (hash -> word) row of every variant at once: row positions lo..lo+count, concatenated.
                starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
                rows = starts + np.arange(total, dtype=starts.dtype)
                pool = set(self._seen[self._del_word[rows]].tolist())
                numbers = self._by_seen[np.fromiter(pool, dtype=np.int64, count=len(pool))].tolist()
            vocab = self.vocab
            strings = [vocab[i] for i in numbers]
            if len(strings) > 4:  # (one rapidfuzz call for all of them; the same distances and ratios)
                distances = process.cdist((word,), strings, scorer=Levenshtein.distance, score_cutoff=max_edits,
                                          dtype=np.int32)[0].tolist()
                near = [k for k, d in enumerate(distances) if d <= max_edits and strings[k] not in found]
                ratios = process.cdist((word,), [strings[k] for k in near], scorer=fuzz.ratio,
                                       dtype=np.float64)[0].tolist() if near else []
                for k, ratio in zip(near, ratios, strict=True):
                    # Two edits apart is a guess ("germaniya" ~ "armenia"): never confident on its own.
                    found[strings[k]] = (ratio if distances[k] < 2 else 60.0, numbers[k])
            else:
                for i, candidate in zip(numbers, strings, strict=True):
                    if candidate in found:
                        continue
                    distance = Levenshtein.distance(word, candidate, score_cutoff=max_edits)
                    if distance <= max_edits:
                        found[candidate] = (fuzz.ratio(word, candidate) if distance < 2 else 60.0, i)
            # "peacekeep" -> "peacekeeping": longer words that start with the query word.
            for i in range(at, min(at + 20, len(vocab))):
                candidate = vocab[i]
                if not candidate.startswith(word):
                    break
                if len(candidate) > len(word) + 1:
                    found.setdefault(candidate, (90.0, i))
        result = [(u, sim, i) for u, (sim, i) in sorted(found.items(), key=lambda kv: -kv[1][0])[:limit]]
        if len(self._similar_cache) > 100_000:
            self._similar_cache.clear()
        self._similar_cache[word] = result
        return result

    def similar_words(self, word: str, limit: int = 12) -> list[tuple[str, float]]:
        """Vocabulary words like `word`, with similarity 0..100 (exact, synonym, prefix or fuzzy)."""
        return [(u, sim) for u, sim, _ in self._similar(word, limit)]

    def _phrase_keys(self, text: str) -> list[str]:
        """The query's key, and the key of its base forms ("Milli Məclisin" is also "Milli Məclis")."""
        typed = key(text)
        base = " ".join(next((a for a in sorted(alts) if self._word_id(a) is not None), w)
                        for w, alts in term_forms(text))
        return [typed] if base == typed else [typed, base]

    def _with_alternates(self, found: list[tuple[str, float, int]],
                         alts: frozenset[str]) -> list[tuple[str, float, int]]:
        """Add the exact vocabulary hits of a word's base forms, just below an exact hit of the word."""
        best = {u: (sim, i) for u, sim, i in found}
        for a in alts:
            i = self._word_id(a)
            if i is not None and best.get(a, (0.0,))[0] < 98.0:
                best[a] = (98.0, i)
            for syn in self.synonyms.get(a, ()):
                j = self._word_id(syn)
                if j is not None:
                    best.setdefault(syn, (93.0, j))
        return [(u, sim, i) for u, (sim, i) in sorted(best.items(), key=lambda kv: -kv[1][0])]

    def weight(self, word: str, matches: list[tuple[str, float, int]]) -> float:
        if not matches:
            return self.unseen_idf
        off = self._word_off  # the rarest match weighs most: one logarithm, of the shortest posting list
        return math.log(1 + self._n / min(off[i + 1] - off[i] for _, _, i in matches))

    # ---- entry level

    def _accumulate(self, text: str, max_candidates: int = 2000):
        """Query words, their weights and vocabulary matches, and per candidate entry the best match
        of each query word (weighted by the field it was found in). The ranker asks `search` and then
        `coverages` of the same text: the last result is kept for that second call (it is not changed)."""
        last = self._last
        if last is not None and last[0] == text and last[1] == max_candidates:
            return last[2]
        result = self._accumulate_new(text, max_candidates)
        self._last = (text, max_candidates, result)
        return result

    def _accumulate_new(self, text: str, max_candidates: int):
        """As `_gather`; where no entry covers enough of a short query for a confident answer, and the
        index has every word of it as typed but one, that one is looked for as a slip of one letter
        among the words of the entries that have all the others ("Loata Ovri" ~ "Lota Ovri": a typo
        that makes another word the index has, which is never fuzzed; "Tai Zaba" ~ "Tasi Zaba": three
        letters, never fuzzed). That is kept only if some entry then has something for every word of
        the query, covers enough of it for a confident answer and has a name or title that looks like
        the whole query. A query with a confident answer is never searched again: it finds what it
        always found; nor is a sentence (it has words to spare for a typo), nor two slips (a guess)."""
        first = self._gather(text, max_candidates)
        matches = first[1]
        if not 1 < len(matches) <= LOOSE_WORDS or self._best_coverage(first) >= LOOSE_BELOW:
            return first
        exact = {w: next((i for u, sim, i in m if sim >= 100), None) for w, m in matches.items()}
        chosen, best = first, LOOSE_BELOW
        for w in matches:
            others = [i for v, i in exact.items() if v != w]
            if None in others or len(w) < 3:
                continue  # another word is not as typed either
            if not (len(w) == 3 or (exact[w] is not None and len(w) <= 5) or len(matches[w]) >= 12):
                continue  # fuzzed as usual, nothing cut off: a slip would have been found
            slips, entries = self._slips(w, others)
            if not slips or type(first[3]) is _Dense:
                continue
            if isinstance(first[3], _Walked):  # the loop's own form, for the slip's candidates to merge into
                first = chosen = (first[0], first[1], first[2], first[3].as_dict(), first[4])
            slipped, updates = self._slipped(first, w, slips, entries)
            # Only the entries that hold the rest can have changed, and none of the others was enough.
            covered = self._best_coverage((first[0], slipped, first[2], updates, first[4]), like=text)
            if covered > best or (covered == best and chosen is first):
                chosen, best = (slipped, updates), covered
        if chosen is first:
            return first
        qwords, _, weights, found, slot = first
        return qwords, chosen[0], weights, {**found, **chosen[1]}, slot

    def _slips(self, word: str, others: list[int]) -> tuple[list[tuple[str, float, int]], np.ndarray]:
        """Words one edit from `word` in the entries that have all the words numbered `others`, as
        `_similar` gives them (word, similarity, number), the word itself first if the index has it;
        and those of the entries that have one of them other than the word itself."""
        off = self._word_off
        lists = sorted(((off[i], off[i + 1]) for i in others), key=lambda ab: ab[1] - ab[0])
        if lists[0][1] - lists[0][0] > SLIP_FROM:
            return [], self._post_docs[:0]
        if lists[0][1] - lists[0][0] <= SLIP_IN_PYTHON:
            return self._slips_few(word, lists)
        entries = self._post_docs[lists[0][0] : lists[0][1]]
        for a, b in lists[1:]:
            entries = np.intersect1d(entries, self._post_docs[a:b], assume_unique=True)
        # Their words of about the word's length, each once, as strings; those one edit from `word`
        # (rapidfuzz, in C); and the entries that have one of those (other than the word itself).
        starts, ends = self._doc_off[entries], self._doc_off[entries + 1]
        counts = ends - starts
        rows = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        row_words = self._fwd_words[rows]
        near = np.abs(self._word_len[row_words].astype(np.int64) - len(word)) <= 1
        numbers = np.unique(row_words[near]).tolist()
        vocab = self.vocab
        strings = [vocab[i] for i in numbers]
        distances = process.cdist([word], strings, scorer=Levenshtein.distance, score_cutoff=1, dtype=np.int32)[0]
        found = {numbers[k]: 100.0 if strings[k] == word else fuzz.ratio(word, strings[k])
                 for k in np.flatnonzero(distances <= 1).tolist()}
        slipped = [i for i, sim in found.items() if sim < 100]
        if not slipped:
            return [], entries[:0]
        has = row_words == slipped[0]
        for i in slipped[1:]:
            has |= row_words == i
        owners = np.repeat(entries, counts)[has]  # ascending (as the entries are): each one once
        owners = owners[np.concatenate(([True], owners[1:] != owners[:-1]))] if len(owners) else owners
        return [(vocab[i], sim, i) for i, sim in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))], owners

    def _slips_few(self, word: str, lists: list[tuple[int, int]]) -> tuple[list[tuple[str, float, int]], np.ndarray]:
        """`_slips` where few entries hold the rest of the query (`lists`: their posting lists, the
        shortest first), in plain Python over the index's arrays."""
        post, doc_off, fwd, length = self._post_docs_a, self._doc_off_a, self._fwd_words_a, self._word_len_a
        entries = post[lists[0][0] : lists[0][1]].tolist()
        for a, b in lists[1:]:
            among = set(post[a:b])
            entries = [e for e in entries if e in among]
        n = len(word)
        near = {i for e in entries for i in fwd[doc_off[e] : doc_off[e + 1]] if abs(length[i] - n) <= 1}
        vocab = self.vocab
        found = {}
        for i in near:
            candidate = vocab[i]
            if Levenshtein.distance(word, candidate, score_cutoff=1) <= 1:
                found[i] = 100.0 if candidate == word else fuzz.ratio(word, candidate)
        slipped = {i for i, sim in found.items() if sim < 100}
        if not slipped:
            return [], self._post_docs[:0]
        owners = [e for e in entries if not slipped.isdisjoint(fwd[doc_off[e] : doc_off[e + 1]])]
        return ([(vocab[i], sim, i) for i, sim in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))],
                np.array(owners, dtype=np.int32))

    def _slipped(self, gathered, word: str, slips: list[tuple[str, float, int]], entries: np.ndarray):
        """The matches of `gathered` with `word` matched by `slips` too, and the candidates that changes:
        the entries that have the rest of the query (`entries`) scored as the posting-list walk would
        score them (best sim x field weight per word)."""
        _, matches, _, found, slot = gathered
        merged = {u: (sim, i) for u, sim, i in matches[word]}
        for u, sim, i in slips:
            if sim > merged.get(u, (-1.0, 0))[0]:
                merged[u] = (sim, i)
        matches = {**matches, word: [(u, sim, i) for u, (sim, i) in sorted(merged.items(), key=lambda kv: -kv[1][0])]}
        if len(entries) <= SLIP_IN_PYTHON:
            return matches, self._slipped_few(matches, found, slot, entries.tolist())
        starts = self._doc_off[entries]
        counts = self._doc_off[entries + 1] - starts
        rows = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        owner = np.repeat(np.arange(len(entries)), counts)
        row_words, row_field = self._fwd_words[rows], _FIELD_NP[self._fwd_codes[rows]]
        best = np.zeros((len(entries), len(slot)), dtype=np.float64)
        for w, k in slot.items():
            ids = np.array([i for _, _, i in matches[w]], dtype=np.int64)
            sims = np.array([sim for _, sim, _ in matches[w]], dtype=np.float64)
            if not len(ids):
                continue
            by_id = np.argsort(ids)
            ids, sims = ids[by_id], sims[by_id]
            at = np.minimum(np.searchsorted(ids, row_words), len(ids) - 1)
            hit = ids[at] == row_words
            column = best[:, k]
            np.maximum.at(column, owner[hit], sims[at[hit]] * row_field[hit])
            best[:, k] = column
        updates: dict[int, list[float]] = {}
        for number, row in zip(entries.tolist(), best.tolist(), strict=True):
            _merge_slots(updates, found.get(number), number, row)
        return matches, updates

    def _slipped_few(self, matches: dict[str, list[tuple[str, float, int]]], found: dict[int, list[float]],
                     slot: dict[str, int], entries: list[int]) -> dict[int, list[float]]:
        """The candidates `_slipped` gives, for few entries, in plain Python (the same floats)."""
        doc_off, fwd, codes = self._doc_off_a, self._fwd_words_a, self._fwd_codes_a
        sims = [(k, {i: sim for _, sim, i in matches[w]}) for w, k in slot.items()]
        width = len(slot)
        updates: dict[int, list[float]] = {}
        for number in entries:
            row = [0.0] * width
            a, b = doc_off[number], doc_off[number + 1]
            for i, code in zip(fwd[a:b], codes[a:b], strict=True):
                for k, of in sims:
                    sim = of.get(i)
                    if sim is not None:
                        v = sim * _FIELD[code]
                        if v > row[k]:
                            row[k] = v
            _merge_slots(updates, found.get(number), number, row)
        return updates

    def _covered_list(self, found, qwords: list[str], weights: dict[str, float],
                      slot: dict[str, int]) -> list[tuple[int, float]]:
        """`_covered` as a list, kept for the last candidates asked about (deciding whether to look for
        a slip, `search` and `coverages` all need it)."""
        memo = self._covered_memo.get(id(found))
        if memo is not None and memo[0] is found and memo[1] is weights:
            return memo[2]
        out = list(_covered(found, qwords, weights, slot))
        if len(self._covered_memo) >= 4:
            self._covered_memo.clear()
        self._covered_memo[id(found)] = (found, weights, out)
        return out

    def _best_coverage(self, gathered, like: str | None = None) -> float:
        """The largest share of the query's words one candidate covers (0 without candidates). `like`:
        among the candidates that have something for each of the query's words, cover enough of it for
        a confident answer and have a name or title that looks like the whole query (`PHRASE_TRUSTED`)."""
        qwords, _, weights, found, slot = gathered
        total = 100.0 * (sum(weights[w] for w in qwords) or 1.0)
        if isinstance(found, _Dense):
            numbers, covered = found.numbers, found.numerators(qwords, weights, slot)
            if like is None:
                return float(covered.max()) / total if len(covered) else 0.0
            keep = (found.best > 0).all(axis=1)
            pairs = list(zip(covered[keep].tolist(), numbers[keep].tolist(), strict=True))
        elif like is None:
            return max((c for _, c in self._covered_list(found, qwords, weights, slot)), default=0.0) / total
        else:
            pairs = [(c, n) for n, c in self._covered_list(found, qwords, weights, slot) if all(found[n])]
        qkeys = self._phrase_keys(like)
        for covered, number in sorted(pairs, reverse=True):
            if covered / total < LOOSE_BELOW:
                break
            phrases = self._phrases(number)
            if any(fuzz.ratio(q, k) * weight >= PHRASE_TRUSTED for k, _, weight in phrases for q in qkeys):
                return covered / total
        return 0.0

    def _gather(self, text: str, max_candidates: int):
        """Query words, their weights and matches, and the candidates' best match per word (see
        `_accumulate`)."""
        qwords = query_words(text)
        matches = {w: self._similar(w) for w in dict.fromkeys(qwords)}
        if not all(any(sim >= 80 for _, sim, _ in m) for m in matches.values()):
            qwords, matches = self._split_run_ons(qwords, matches)
        for w, alts in query_alternates(text).items():
            if w in matches:
                matches[w] = self._with_alternates(matches[w], alts)
        weights = {w: self.weight(w, m) for w, m in matches.items()}
        # Accumulate along posting lists, rarest query words first; a very common word (think
        # "Azerbaijan") only adds to entries already found rather than flooding in new ones.
        order = sorted(matches, key=lambda w: weights[w], reverse=True)
        # Per candidate entry, one slot per distinct query word (in query order): its best match.
        slot = {w: j for j, w in enumerate(matches)}
        width = len(slot)
        off, post_docs, post_codes = self._word_off, self._post_docs_a, self._post_codes_a
        volume = sum(off[u + 1] - off[u] for m in matches.values() for _, _, u in m)
        if volume > DENSE_FROM:
            return qwords, matches, weights, self._accumulate_dense(order, matches, slot, max_candidates), slot
        if WALK_IN_NUMPY_FROM <= volume <= max_candidates:
            return qwords, matches, weights, self._walk(order, matches, slot), slot
        found: dict[int, list[float]] = {}
        for w in order:
            j = slot[w]
            for _, sim, u in matches[w]:
                a, b = off[u], off[u + 1]
                if found and b - a > max_candidates:
                    self._only_found(found, j, sim, a, b)
                    continue
                if not found:
                    b = min(b, a + max_candidates)  # all of them new: the first ones fill the list
                numbers = post_docs[a:b]
                if b - a > 64:
                    scores = (_FIELD_NP[self._post_codes[a:b]] * sim).tolist()  # sim * field weight
                else:
                    scores = [sim * _FIELD[code] for code in post_codes[a:b]]
                get = found.get
                for number, score in zip(numbers, scores, strict=True):
                    slots = get(number)
                    if slots is None:
                        if len(found) < max_candidates:
                            slots = found[number] = [0.0] * width
                            slots[j] = score
                    elif score > slots[j]:
                        slots[j] = score
        return qwords, matches, weights, found, slot

    def _walk(self, order: list[str], matches: dict[str, list[tuple[str, float, int]]],
              slot: dict[str, int]) -> _Walked:
        """`_gather`'s loop in numpy, for fewer postings than the candidate cap: every posting of every
        match, scored sim x field weight (the same floats), the best per entry and word."""
        off = self._word_off
        starts, counts, sims, columns = [], [], [], []
        for w in order:
            j = slot[w]
            for _, sim, u in matches[w]:
                a = off[u]
                starts.append(a)
                counts.append(off[u + 1] - a)
                sims.append(sim)
                columns.append(j)
        sizes = np.array(counts, dtype=np.int64)
        ends = np.cumsum(sizes)
        rows = np.repeat(np.array(starts, dtype=np.int64) - (ends - sizes), sizes) + np.arange(int(ends[-1]))
        numbers = self._post_docs[rows]
        scores = np.repeat(np.array(sims, dtype=np.float64), sizes) * _FIELD_NP[self._post_codes[rows]]
        by = np.argsort(numbers, kind="stable")  # each entry's postings together, in walk order
        ordered = numbers[by]
        head = np.empty(len(ordered), dtype=bool)  # an entry's first posting
        head[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=head[1:])
        entry = np.cumsum(head) - 1
        best = np.zeros((int(entry[-1]) + 1, len(slot)), dtype=np.float64)
        np.maximum.at(best, (entry, np.repeat(np.array(columns, dtype=np.int64), sizes)[by]), scores[by])
        admitted = np.argsort(by[head])  # in the order the loop meets them
        return _Walked(ordered[head][admitted], best[admitted])

    def _accumulate_dense(self, order: list[str], matches: dict[str, list[tuple[str, float, int]]],
                          slot: dict[str, int], max_candidates: int) -> _Dense:
        """What the loop in `_accumulate_new` does, in numpy, for queries of common words: the same
        candidates admitted in the same order, the same best match per word (as the same floats)."""
        off = self._word_off
        numbers = np.empty(max_candidates, dtype=np.int32)  # in the order they were admitted
        best = np.zeros((max_candidates, len(slot)), dtype=np.float64)
        count = 0
        ordered = numbers[:0]  # numbers[:count], sorted, and where each one is in `numbers`
        where = np.zeros(0, dtype=np.int64)
        for w in order:
            j = slot[w]
            for _, sim, u in matches[w]:
                a, b = off[u], off[u + 1]
                if b == a:
                    continue
                if count == 0:
                    b = min(b, a + max_candidates)  # all of them new: the first ones fill the list
                posting = self._post_docs[a:b]
                if count and b - a > max_candidates:  # only adds to the candidates: look each one up
                    at = np.searchsorted(posting, ordered)
                    np.minimum(at, len(posting) - 1, out=at)
                    there = posting[at] == ordered
                    rows = where[there]
                    scores = _FIELD_NP[self._post_codes[a:b][at[there]]] * sim  # (only where they are)
                    best[rows, j] = np.maximum(best[rows, j], scores)
                    continue
                scores = _FIELD_NP[self._post_codes[a:b]] * sim
                if count:
                    at = np.searchsorted(ordered, posting)
                    np.minimum(at, count - 1, out=at)
                    old = ordered[at] == posting
                    rows = where[at[old]]
                    best[rows, j] = np.maximum(best[rows, j], scores[old])
                    new = ~old
                    fresh, fresh_scores = posting[new][: max_candidates - count], scores[new][: max_candidates - count]
                else:
                    fresh, fresh_scores = posting, scores
                if len(fresh):
                    numbers[count : count + len(fresh)] = fresh
                    best[count : count + len(fresh), j] = fresh_scores
                    count += len(fresh)
                    where = np.argsort(numbers[:count], kind="stable")
                    ordered = numbers[:count][where]
        return _Dense(numbers[:count], best[:count])

    def _split_run_ons(self, qwords: list[str], matches: dict[str, list[tuple[str, float, int]]]):
        """A word the index has never seen (nor any word like it, but for two-edit guesses) that is two
        words of a name run together ("uszuenvakaza", a space left out) is searched as those two words."""
        out: list[str] = []
        for w in qwords:
            if any(sim >= 80 for _, sim, _ in matches[w]) or len(w) < 2 * MIN_RUN_ON_PART:
                out.append(w)
                continue
            cut = next((i for i in range(MIN_RUN_ON_PART, len(w) - MIN_RUN_ON_PART + 1)
                        if self._in_a_name(w[:i], w[i:])), None)
            out.extend((w,) if cut is None else (w[:cut], w[cut:]))
        if len(out) == len(qwords):
            return qwords, matches
        out = out[:MAX_QUERY_WORDS]
        return out, {w: matches[w] if w in matches else self._similar(w) for w in dict.fromkeys(out)}

    def _in_a_name(self, left: str, right: str) -> bool:
        """Whether some entry's name has the word `left` followed by the word `right` (among the first 50
        entries of the rarer word; one whose name lacks that word, as its field says, is not read)."""
        i, j = self._word_id(left), self._word_id(right)
        if i is None or j is None:
            return False
        off = self._word_off
        shorter = i if off[i + 1] - off[i] <= off[j + 1] - off[j] else j
        pair = f" {left} {right} "
        post, codes, allkeys, poff, named = (self._post_docs_a, self._post_codes_a, self._phrase_keys_all,
                                            self._phrase_off, self._name_count_a)
        for r in range(off[shorter], min(off[shorter + 1], off[shorter] + 50)):
            if codes[r] != 0:  # the word is in none of this entry's names
                continue
            number = post[r]
            names = named[number]
            keys = allkeys[poff[number] : poff[number + 1]].split(_PHRASES_APART, names)[:names]
            if any(pair in f" {k} " for k in keys):
                return True
        return False

    def _only_found(self, found: dict[int, list[float]], j: int, sim: float, a: int, b: int) -> None:
        """A posting list longer than the candidate list adds only to entries already found: look
        each of them up in it (a bisection each) rather than walking it."""
        numbers = np.fromiter(found, dtype=np.int32, count=len(found))
        posting = self._post_docs[a:b]
        at = np.searchsorted(posting, numbers)
        np.minimum(at, len(posting) - 1, out=at)
        there = posting[at] == numbers
        codes = self._post_codes[a:b][at[there]]
        for number, code in zip(numbers[there].tolist(), codes.tolist(), strict=True):
            slots = found[number]
            score = sim * _FIELD[code]
            if score > slots[j]:
                slots[j] = score

    def coverages(self, text: str, kinds: Iterable[str] | None = None) -> dict[tuple[str, str], float]:
        """Every entry sharing a word with `text`: the weighted share of the query's words it covers."""
        allowed = set(kinds) if kinds is not None else None
        qwords, _, weights, found, slot = self._accumulate(text)
        total = sum(weights[w] for w in qwords) or 1.0
        out = {}
        docs = self.docs
        for number, covered in self._covered_list(found, qwords, weights, slot):
            doc = docs[number]
            if allowed is None or doc.kind in allowed:
                out[(doc.kind, doc.entry_id)] = covered / (100.0 * total)
        return out

    def bag(self, kind: str, entry_id: str) -> dict[str, float]:
        """An entry's words (skeletons) with the weight of the field each was found in."""
        number = self._number(kind, entry_id)
        if number is None:
            return {}
        bag = self._bags.get(number)
        if bag is None:
            if len(self._bags) > 50_000:
                self._bags.clear()
            vocab = self.vocab
            bag = self._bags[number] = {vocab[i]: _FIELD[c] for i, c in self._id_bag(number).items()}
        return bag

    def evidence(self, text: str, kind: str, entry_id: str) -> list[tuple[str, str]]:
        """(word as typed, the entry's word it matched) for each query word the entry contains:
        "выборы" → "elections", "Qarabağda" → "karabakh"."""
        number = self._number(kind, entry_id)
        if number is None:
            return []
        bag = self.bag(kind, entry_id)
        alternates = query_alternates(text)
        out = []
        for token in _TYPED.findall(text):
            pieces = words(token)
            if len(pieces) != 1 or pieces[0] in STOPWORDS:
                continue
            sk = skeleton(pieces[0])
            found = self._with_alternates(self._similar(sk), alternates.get(sk, frozenset()))
            for u, sim, _ in found:
                if u in bag and sim >= 80:
                    out.append((token.strip(".'’"), self._display(u)))
                    break
        return out

    def _likeness(self, numbers: list[int], qkeys: list[str]) -> dict[int, tuple[float, int]]:
        """Per entry: the best fuzz.ratio(query key, phrase key) x the phrase's weight over its names and
        titles (0.0 without any), and which of them (in names + titles) is the first that good (-1: none).
        The phrase keys are read straight from the index's one string; many entries (ties at the cut, a
        common surname) are compared in one rapidfuzz call (the same floats as one pair at a time)."""
        allkeys, off, named = self._phrase_keys_all, self._phrase_off, self._name_count_a
        out: dict[int, tuple[float, int]] = {}
        if len(numbers) < LIKENESS_IN_ONE_CALL:
            ratio = fuzz.ratio
            for number in numbers:
                best, at, names = 0.0, -1, named[number]
                for k, pkey in enumerate(allkeys[off[number] : off[number + 1]].split(_PHRASES_APART)):
                    if pkey:
                        weight = NAME if k < names else TITLE
                        for qkey in qkeys:
                            s = ratio(qkey, pkey) * weight
                            if s > best:
                                best, at = s, k
                out[number] = (best, at)
            return out
        pieces = [allkeys[off[n] : off[n + 1]] for n in numbers]
        keys = _PHRASES_APART.join(pieces).split(_PHRASES_APART)
        counts = np.fromiter([p.count(_PHRASES_APART) + 1 for p in pieces], dtype=np.int64, count=len(pieces))
        starts = np.cumsum(counts) - counts
        ratios = process.cdist(qkeys, keys, scorer=fuzz.ratio, dtype=np.float64)
        ratios = ratios[0] if len(qkeys) == 1 else ratios.max(axis=0)
        # A key's place among its entry's keys: names first (weight NAME), then titles (TITLE).
        place = np.arange(len(keys)) - np.repeat(starts, counts)
        scores = ratios * np.where(place < np.repeat(self._name_count[numbers], counts), NAME, TITLE)
        best = np.maximum.reduceat(scores, starts)
        # (an empty key scores 0 and a best of 0 shows no phrase, so an empty key is never the one shown)
        first = np.minimum.reduceat(np.where(scores == np.repeat(best, counts), place, len(keys)), starts)
        for number, score, k in zip(numbers, best.tolist(), first.tolist(), strict=True):
            out[number] = (score, k if score > 0.0 else -1)
        return out

    def _via(self, number: int, at: int) -> str:
        """An entry's name or title number `at` (names first, then titles); its first name for -1."""
        doc = self.docs[number]
        if at >= 0:
            return doc.names[at] if at < len(doc.names) else doc.titles[at - len(doc.names)]
        return doc.names[0] if doc.names else ""

    def search(self, text: str, kinds: Iterable[str] | None = None, limit: int = 10,
               max_candidates: int = 2000) -> list[Hit]:
        """Best entries for `text`, best first; scores say how confident (see `Tiers`)."""
        allowed = set(kinds) if kinds is not None else None
        qwords, matches, weights, found, slot = self._accumulate(text, max_candidates)
        if not qwords:
            return []
        total = sum(weights[w] for w in qwords)
        denominator = 100.0 * total
        docs = self.docs
        keep = max(limit * 4, 50)
        if isinstance(found, _Dense):
            top = found.top(found.numerators(qwords, weights, slot) / denominator, keep,
                            None if allowed is None else [docs[n].kind in allowed for n in found.numbers.tolist()])
        else:
            covered_list = self._covered_list(found, qwords, weights, slot)
            scored = [(covered / denominator, number) for number, covered in covered_list
                      if allowed is None or docs[number].kind in allowed]
            # (as nlargest: (coverage, number) pairs never tie; a C sort is quicker on short lists)
            top = sorted(scored, reverse=True)[:keep] if len(scored) <= 8 * keep else heapq.nlargest(keep, scored)
        # A candidate below 80% coverage scores its coverage exactly; one that scores below `limit`
        # others' certain scores cannot be among the first `limit`, so its phrases are not compared.
        # (`top` is best first, so its `limit`-th score is the floor, and the first candidate below it
        # and below 80% is followed by no other that is not.)
        floor = round(100.0 * top[limit - 1][0], 1) if len(top) > limit else -1.0
        qkeys = self._phrase_keys(text)
        kept = 0
        for coverage, _ in top:
            if coverage < 0.8 and round(100.0 * coverage, 1) < floor:
                break
            kept += 1
        # The whole-phrase likeness decides a score only from 80% coverage on, and otherwise only
        # breaks ties near the top: a long list (a timeline's 500) needs it for those alone.
        likeness = self._likeness([number for rank, (coverage, number) in enumerate(top[:kept])
                                   if coverage >= 0.8 or rank < 50], qkeys)
        ranked: list[tuple[float, float, float, str, int]] = []
        for coverage, number in top[:kept]:
            phrase_score = likeness[number][0] if number in likeness else 0.0
            # A whole-phrase likeness counts only when it is close to exact: "Mehriban Aliyeva" looks
            # 58% like "Ilham Aliyev" letter by letter, yet shares only a surname stem with it.
            # ...and only when most of the query's words are in the entry too ("Armenian president" is
            # 94% like "Armenian residents" letter by letter).
            trusted = phrase_score >= PHRASE_TRUSTED and coverage >= 0.8
            score = max(phrase_score if trusted else 0.0, 100.0 * coverage)
            ranked.append((round(score, 1), round(phrase_score, 1), round(coverage, 3), docs[number].entry_id, number))
        # "PACE" must open PACE, not "the Azerbaijani delegation to PACE", which covers the word as fully.
        ranked.sort(key=lambda r: (-r[0], -r[1], -r[2], r[3]))
        named_words = {w: [u for _, sim, u in matches[w] if sim >= 80] for w in dict.fromkeys(qwords)}
        hits: list[Hit] = []
        for score, phrase, coverage, entry_id, number in ranked[:limit]:
            via = self._via(number, likeness[number][1] if number in likeness else -1)
            names = self._name_words(number)
            named = sum(weights[w] for w in qwords if any(u in names for u in named_words[w])) / total
            hits.append(Hit(entry_id, docs[number].kind, score, coverage, via, phrase, round(named, 3)))
        return hits


@dataclass(frozen=True)
class Tiers:
    """Score thresholds: answer, suggest ("did you mean"), or say nothing matches."""

    confident: float = 78.0
    near: float = 55.0

    def outcome(self, hits: list[Hit]) -> str:
        if hits and hits[0].score >= self.confident:
            return "answer"
        if hits and hits[0].score >= self.near:
            return "suggest"
        return "none"
