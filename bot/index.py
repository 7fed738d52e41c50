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
import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from bot.normalize import key, skeleton, words
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
PHRASE_TRUSTED = 85.0  # whole-query likeness to one name or title that may decide a score by itself


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


def _deletions(word: str) -> set[str]:
    """The word with one letter left out, each way (only for words long enough to fuzz)."""
    if len(word) < 4:
        return set()
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class SearchIndex:
    """Vocabulary-level fuzzy matching with posting lists; see the module docstring."""

    def __init__(self, docs: Iterable[Doc], synonyms: dict[str, tuple[str, ...]] | None = None) -> None:
        self.docs: list[Doc] = []
        self.doc_words: list[dict[str, float]] = []  # per doc: word -> best field weight
        self.phrases: list[list[tuple[str, str, float]]] = []  # per doc: (phrase key, display, weight)
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.display: dict[str, str] = {}  # skeleton word -> a readable spelling of it, for evidence lines
        self._numbers: dict[tuple[str, str], int] = {}
        # Folded like queries, so a synonym may be written in its own script ("atəşkəs", "перемирие").
        fold = lambda w: " ".join(skeleton(x) for x in words(w))  # noqa: E731
        self.synonyms = {fold(k): tuple(fold(v) for v in vs) for k, vs in (synonyms or {}).items()}
        for doc in docs:
            self._add(doc)
        self.vocab = list(self.postings)
        self.sorted_vocab = sorted(self.vocab)
        # Symmetric-delete index: every vocabulary word under itself and its one-letter deletions,
        # so words one edit away are found by a few dictionary look-ups, whatever the corpus size.
        self.deletes: dict[str, int | list[int]] = {}
        for i, word in enumerate(self.vocab):
            for variant in {word} | _deletions(word):
                hit = self.deletes.get(variant)
                if hit is None:
                    self.deletes[variant] = i
                elif isinstance(hit, int):
                    self.deletes[variant] = [hit, i]
                else:
                    hit.append(i)
        n = max(len(self.docs), 1)
        self.idf = {w: math.log(1 + n / len(p)) for w, p in self.postings.items()}
        self.unseen_idf = math.log(1 + n)  # a word the index has never seen is as rare as it gets
        self._similar_cache: dict[str, list[tuple[str, float]]] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def _add(self, doc: Doc) -> None:
        number = len(self.docs)
        self.docs.append(doc)
        self._numbers[(doc.kind, doc.entry_id)] = number
        bag: dict[str, float] = {}
        phrases: list[tuple[str, str, float]] = []
        for strings, weight, phrase in ((doc.names, NAME, True), (doc.titles, TITLE, True), (doc.texts, TEXT, False)):
            for text in strings:
                plain = words(text)
                ws = [skeleton(w) for w in plain]
                for w, p in zip(ws, plain, strict=True):
                    self.display.setdefault(w, p)
                for w in ws:
                    if bag.get(w, 0.0) < weight:
                        bag[w] = weight
                if phrase and ws:
                    phrases.append((" ".join(ws), text, weight))
        self.doc_words.append(bag)
        self.phrases.append(phrases)
        for w in bag:
            self.postings[w].append(number)

    # ---- word level

    def similar_words(self, word: str, limit: int = 12) -> list[tuple[str, float]]:
        """Vocabulary words like `word`, with similarity 0..100 (exact, synonym, prefix or fuzzy)."""
        cached = self._similar_cache.get(word)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        if word in self.postings:
            found[word] = 100.0
        for syn in self.synonyms.get(word, ()):
            if syn in self.postings:
                found.setdefault(syn, 95.0)
        # A short word that is in the vocabulary as typed is taken as meant: its one-letter
        # neighbours ("bade" ~ "bode", "bide") would add noise and cost, not recall.
        fuzzable = 4 <= len(word) <= MAX_FUZZY_LENGTH and not any(ch.isdigit() for ch in word)
        if fuzzable and not (word in self.postings and len(word) <= 5):
            max_edits = 1 if len(word) < 8 else 2
            variants = {word} | _deletions(word)
            if max_edits == 2:
                variants |= {d2 for d1 in _deletions(word) for d2 in _deletions(d1)}
            pool: set[int] = set()
            for variant in variants:
                hit = self.deletes.get(variant)
                if hit is None:
                    continue
                if isinstance(hit, int):
                    pool.add(hit)
                else:
                    pool.update(hit)
            for i in pool:
                candidate = self.vocab[i]
                if candidate in found:
                    continue
                distance = Levenshtein.distance(word, candidate, score_cutoff=max_edits)
                if distance <= max_edits:
                    # Two edits apart is a guess ("germaniya" ~ "armenia"): never confident on its own.
                    found[candidate] = fuzz.ratio(word, candidate) if distance < 2 else 60.0
            # "peacekeep" -> "peacekeeping": longer words that start with the query word.
            at = bisect.bisect_left(self.sorted_vocab, word)
            for candidate in self.sorted_vocab[at : at + 20]:
                if not candidate.startswith(word):
                    break
                if len(candidate) > len(word) + 1:
                    found.setdefault(candidate, 90.0)
        result = sorted(found.items(), key=lambda kv: -kv[1])[:limit]
        if len(self._similar_cache) > 100_000:
            self._similar_cache.clear()
        self._similar_cache[word] = result
        return result

    def _phrase_keys(self, text: str) -> list[str]:
        """The query's key, and the key of its base forms ("Milli Məclisin" is also "Milli Məclis")."""
        typed = key(text)
        base = " ".join(next((a for a in sorted(alts) if a in self.postings), w) for w, alts in term_forms(text))
        return [typed] if base == typed else [typed, base]

    def _with_alternates(self, found: list[tuple[str, float]], alts: frozenset[str]) -> list[tuple[str, float]]:
        """Add the exact vocabulary hits of a word's base forms, just below an exact hit of the word."""
        best = dict(found)
        for a in alts:
            if a in self.postings and best.get(a, 0.0) < 98.0:
                best[a] = 98.0
            for syn in self.synonyms.get(a, ()):
                if syn in self.postings:
                    best.setdefault(syn, 93.0)
        return sorted(best.items(), key=lambda kv: -kv[1])

    def weight(self, word: str, matches: list[tuple[str, float]]) -> float:
        if not matches:
            return self.unseen_idf
        return max(self.idf[w] for w, _ in matches)

    # ---- entry level

    def _accumulate(self, text: str, max_candidates: int = 2000):
        """Query words, their weights and vocabulary matches, and per candidate entry the best match
        of each query word (weighted by the field it was found in)."""
        qwords = query_words(text)
        matches = {w: self.similar_words(w) for w in dict.fromkeys(qwords)}
        for w, alts in query_alternates(text).items():
            if w in matches:
                matches[w] = self._with_alternates(matches[w], alts)
        weights = {w: self.weight(w, m) for w, m in matches.items()}
        # Accumulate along posting lists, rarest query words first; a very common word (think
        # "Azerbaijan") only adds to entries already found rather than flooding in new ones.
        order = sorted(matches, key=lambda w: weights[w], reverse=True)
        found: dict[int, dict[str, float]] = {}
        doc_words = self.doc_words
        for w in order:
            for u, sim in matches[w]:
                posting = self.postings[u]
                if found and len(posting) > max_candidates:
                    for number, slots in found.items():
                        field_weight = doc_words[number].get(u)
                        if field_weight is not None and sim * field_weight > slots.get(w, 0.0):
                            slots[w] = sim * field_weight
                    continue
                for number in posting:
                    slots = found.get(number)
                    if slots is None:
                        if len(found) >= max_candidates:
                            continue
                        slots = found[number] = {}
                    score = sim * doc_words[number][u]
                    if score > slots.get(w, 0.0):
                        slots[w] = score
        return qwords, matches, weights, found

    def coverages(self, text: str, kinds: Iterable[str] | None = None) -> dict[tuple[str, str], float]:
        """Every entry sharing a word with `text`: the weighted share of the query's words it covers."""
        allowed = set(kinds) if kinds is not None else None
        qwords, _, weights, found = self._accumulate(text)
        total = sum(weights[w] for w in qwords) or 1.0
        out = {}
        for number, slots in found.items():
            doc = self.docs[number]
            if allowed is None or doc.kind in allowed:
                out[(doc.kind, doc.entry_id)] = sum(weights[w] * slots.get(w, 0.0) for w in qwords) / (100.0 * total)
        return out

    def bag(self, kind: str, entry_id: str) -> dict[str, float]:
        """An entry's words (skeletons) with the weight of the field each was found in."""
        number = self._numbers.get((kind, entry_id))
        return self.doc_words[number] if number is not None else {}

    def evidence(self, text: str, kind: str, entry_id: str) -> list[tuple[str, str]]:
        """(word as typed, the entry's word it matched) for each query word the entry contains:
        "выборы" → "elections", "Qarabağda" → "karabakh"."""
        number = self._numbers.get((kind, entry_id))
        if number is None:
            return []
        bag = self.doc_words[number]
        alternates = query_alternates(text)
        out = []
        for token in _TYPED.findall(text):
            pieces = words(token)
            if len(pieces) != 1 or pieces[0] in STOPWORDS:
                continue
            sk = skeleton(pieces[0])
            found = self._with_alternates(self.similar_words(sk), alternates.get(sk, frozenset()))
            for u, sim in found:
                if u in bag and sim >= 80:
                    out.append((token.strip(".'’"), self.display.get(u, u)))
                    break
        return out

    def search(self, text: str, kinds: Iterable[str] | None = None, limit: int = 10,
               max_candidates: int = 2000) -> list[Hit]:
        """Best entries for `text`, best first; scores say how confident (see `Tiers`)."""
        allowed = set(kinds) if kinds is not None else None
        qwords, matches, weights, found = self._accumulate(text, max_candidates)
        if not qwords:
            return []
        qkeys = self._phrase_keys(text)
        total = sum(weights[w] for w in qwords)
        doc_words = self.doc_words
        scored: list[tuple[float, int]] = []
        for number, slots in found.items():
            if allowed is not None and self.docs[number].kind not in allowed:
                continue
            coverage = sum(weights[w] * slots.get(w, 0.0) for w in qwords) / (100.0 * total)
            scored.append((coverage, number))
        hits: list[Hit] = []
        named_words = {w: [u for u, sim in matches[w] if sim >= 80] for w in dict.fromkeys(qwords)}
        for rank, (coverage, number) in enumerate(heapq.nlargest(max(limit * 4, 50), scored)):
            doc = self.docs[number]
            phrase_score, via = 0.0, doc.names[0] if doc.names else ""
            # The whole-phrase likeness decides a score only from 80% coverage on, and otherwise only
            # breaks ties near the top: a long list (a timeline's 500) needs it for those alone.
            if coverage >= 0.8 or rank < 50:
                for pkey, display, weight in self.phrases[number]:
                    for qkey in qkeys:
                        s = fuzz.ratio(qkey, pkey) * weight
                        if s > phrase_score:
                            phrase_score, via = s, display
            # A whole-phrase likeness counts only when it is close to exact: "Mehriban Aliyeva" looks
            # 58% like "Ilham Aliyev" letter by letter, yet shares only a surname stem with it.
            # ...and only when most of the query's words are in the entry too ("Armenian president" is
            # 94% like "Armenian residents" letter by letter).
            bag = doc_words[number]
            named = sum(weights[w] for w in qwords if any(bag.get(u) == NAME for u in named_words[w])) / total
            trusted = phrase_score >= PHRASE_TRUSTED and coverage >= 0.8
            score = max(phrase_score if trusted else 0.0, 100.0 * coverage)
            hits.append(Hit(doc.entry_id, doc.kind, round(score, 1), round(coverage, 3), via, round(phrase_score, 1),
                            round(named, 3)))
        # "PACE" must open PACE, not "the Azerbaijani delegation to PACE", which covers the word as fully.
        hits.sort(key=lambda h: (-h.score, -h.phrase, -h.coverage, h.entry_id))
        return hits[:limit]


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
