"""Fuzzy search over curated entries that stays fast as the corpus grows.

A query is folded to skeleton words (see `bot.normalize`). Each word is matched
against the index's vocabulary, not against every entry: exact hits first, then
rapidfuzz on the few vocabulary words that share character trigrams with it. Those
words lead, through posting lists, to candidate entries, which are scored by how much
of the query they cover. Rare query words weigh more than common ones, so one shared
word ("Azerbaijan", "Armenia") never decides a match, and a query word the index has
never seen ("NATO", "Musk") counts against every entry.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from bot.normalize import key, skeleton, words

# Words that carry no meaning for search ("the president of Azerbaijan" ~ "president Azerbaijan").
STOPWORDS = frozenset(
    """a an the of to in on at by for from with and or but is are was were be been being it its this that these
    those who whom what which when where why how did do does done has have had about into than then there their
    they them he she his her him we our us you your i me my as not no so if any all some s de la le les du des
    v na i po ot""".split()
)
# An entry's fields do not weigh the same: a name is stronger evidence than a word in a summary.
NAME, TITLE, TEXT = 1.0, 0.9, 0.8
MIN_WORD_SIM = 80.0  # rapidfuzz ratio for two skeleton words to count as the same word


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


def query_words(text: str) -> list[str]:
    """Skeleton words of a query, stop words dropped (kept if nothing else is left)."""
    all_words = [skeleton(w) for w in words(text)]
    meaningful = [w for w in all_words if w not in STOPWORDS]
    return meaningful or all_words


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class SearchIndex:
    """Vocabulary-level fuzzy matching with posting lists; see the module docstring."""

    def __init__(self, docs: Iterable[Doc], synonyms: dict[str, tuple[str, ...]] | None = None) -> None:
        self.docs: list[Doc] = []
        self.doc_words: list[dict[str, float]] = []  # per doc: word -> best field weight
        self.phrases: list[list[tuple[str, str, float]]] = []  # per doc: (phrase key, display, weight)
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.synonyms = {skeleton(k): tuple(skeleton(v) for v in vs) for k, vs in (synonyms or {}).items()}
        for doc in docs:
            self._add(doc)
        self.vocab = list(self.postings)
        self.vocab_trigrams: dict[str, list[int]] = defaultdict(list)
        for i, word in enumerate(self.vocab):
            for gram in _trigrams(word):
                self.vocab_trigrams[gram].append(i)
        n = max(len(self.docs), 1)
        self.idf = {w: math.log(1 + n / len(p)) for w, p in self.postings.items()}
        self.unseen_idf = math.log(1 + n)  # a word the index has never seen is as rare as it gets

    def __len__(self) -> int:
        return len(self.docs)

    def _add(self, doc: Doc) -> None:
        number = len(self.docs)
        self.docs.append(doc)
        bag: dict[str, float] = {}
        phrases: list[tuple[str, str, float]] = []
        for strings, weight, phrase in ((doc.names, NAME, True), (doc.titles, TITLE, True), (doc.texts, TEXT, False)):
            for text in strings:
                ws = [skeleton(w) for w in words(text)]
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
        found: dict[str, float] = {}
        if word in self.postings:
            found[word] = 100.0
        for syn in self.synonyms.get(word, ()):
            if syn in self.postings:
                found.setdefault(syn, 95.0)
        if len(word) >= 4:
            counts: dict[int, int] = defaultdict(int)
            for gram in _trigrams(word):
                for i in self.vocab_trigrams.get(gram, ()):
                    counts[i] += 1
            need = max(1, len(word) // 3)
            ranked = sorted((c, i) for i, c in counts.items() if c >= need)[-200:]
            for _, i in ranked:
                candidate = self.vocab[i]
                if candidate in found:
                    continue
                if len(candidate) > len(word) + 1 and candidate.startswith(word):
                    found[candidate] = 90.0  # "peacekeep" -> "peacekeeping"
                    continue
                sim = fuzz.ratio(word, candidate, score_cutoff=MIN_WORD_SIM)
                if sim and Levenshtein.distance(word, candidate) <= max(1, len(word) // 4):
                    found[candidate] = sim
        return sorted(found.items(), key=lambda kv: -kv[1])[:limit]

    def weight(self, word: str, matches: list[tuple[str, float]]) -> float:
        if not matches:
            return self.unseen_idf
        return max(self.idf[w] for w, _ in matches)

    # ---- entry level

    def search(self, text: str, kinds: Iterable[str] | None = None, limit: int = 10,
               max_candidates: int = 2000) -> list[Hit]:
        """Best entries for `text`, best first; scores say how confident (see `Tiers`)."""
        allowed = set(kinds) if kinds is not None else None
        qwords = query_words(text)
        if not qwords:
            return []
        qkey = key(text)
        matches = {w: self.similar_words(w) for w in dict.fromkeys(qwords)}
        weights = {w: self.weight(w, m) for w, m in matches.items()}
        total = sum(weights[w] for w in qwords)
        # Candidates come from the rarest matched words first, so common words never flood the scan.
        order = sorted(matches, key=lambda w: weights[w], reverse=True)
        candidates: set[int] = set()
        for w in order:
            for u, _ in matches[w]:
                candidates.update(self.postings[u])
            if len(candidates) >= max_candidates:
                break
        hits: list[Hit] = []
        for number in candidates:
            doc = self.docs[number]
            if allowed is not None and doc.kind not in allowed:
                continue
            bag = self.doc_words[number]
            covered = 0.0
            for w in qwords:
                best = 0.0
                for u, sim in matches[w]:
                    field_weight = bag.get(u)
                    if field_weight is not None and sim * field_weight > best:
                        best = sim * field_weight
                covered += weights[w] * best / 100.0
            coverage = covered / total
            phrase_score, via = 0.0, doc.names[0] if doc.names else ""
            for pkey, display, weight in self.phrases[number]:
                s = fuzz.ratio(qkey, pkey) * weight
                if s > phrase_score:
                    phrase_score, via = s, display
            score = max(phrase_score, 100.0 * coverage)
            hits.append(Hit(doc.entry_id, doc.kind, round(score, 1), round(coverage, 3), via))
        hits.sort(key=lambda h: (-h.score, -h.coverage, h.entry_id))
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
