"""Which known entities a message names, and which names it uses that the index does not know.

Semantic scores measure topic, not who: "Erdogan says PACE is biased" lands near the delegation's
claim that PACE is biased. So every answer by meaning is checked against the entities the query
names: each specific entity it names must belong to the candidate entry, and a name the index has
never seen blocks an answer by meaning altogether.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.normalize import skeleton, words
from bot.understand.morph import term_forms

_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


@dataclass(frozen=True)
class Mention:
    entity_id: str
    typed: str  # the words as the user wrote them (folded)
    start: int  # word offsets in the folded message
    end: int


def _fold_words(text: str) -> list[str]:
    return [skeleton(w) for w in words(text)]


class MentionFinder:
    """Alias phrases of actors and places, matched word by word against a message."""

    def __init__(self, aliases: Iterable[tuple[str, str]], stopwords: frozenset[str]) -> None:
        self.stopwords = frozenset(skeleton(w) for w in stopwords)
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        seen: set[tuple[tuple[str, ...], str]] = set()
        for entity_id, alias in aliases:
            ws = tuple(_fold_words(alias))
            if not ws or all(w in self.stopwords for w in ws) or (ws, entity_id) in seen:
                continue
            seen.add((ws, entity_id))
            self.by_first[ws[0]].append((ws, entity_id))
        for options in self.by_first.values():
            options.sort(key=lambda o: -len(o[0]))  # longest alias first
        self._found: dict[tuple[str, bool], tuple[Mention, ...]] = {}  # one answer asks 1-3 times per text

    def find(self, text: str, *, inflected: bool = True) -> list[Mention]:
        """Known entities named in `text`, longest alias first; inflected forms count ("в Карабахе").
        `inflected=False` (the corpus's own English texts) folds spelling and possessives only."""
        key = (text, inflected)
        found = self._found.get(key)
        if found is None:
            if len(self._found) > 20_000:
                self._found.clear()
            found = self._found[key] = tuple(self._find(text, inflected))
        return list(found)

    def _find(self, text: str, inflected: bool) -> list[Mention]:
        if inflected:
            terms = term_forms(text)
        else:
            terms = tuple((skeleton(w), frozenset()) for w in words(_POSSESSIVE.sub("", text)))
        folded = [typed for typed, _ in terms]
        forms = [alts | {typed} for typed, alts in terms]
        out: list[Mention] = []
        i = 0
        while i < len(folded):
            best: tuple[int, str] | None = None
            for first in forms[i]:
                for alias, entity_id in self.by_first.get(first, ()):
                    n = len(alias)
                    if i + n <= len(folded) and all(alias[k] in forms[i + k] for k in range(1, n)):
                        if best is None or n > best[0]:
                            best = (n, entity_id)
                        break
            if best:
                out.append(Mention(best[1], " ".join(folded[i : i + best[0]]), i, i + best[0]))
                i += best[0]
            else:
                i += 1
        return out


SPEECH = frozenset(  # "Erdogan says ...": the word before one of these is a name, even first in a message
    "says said claims claimed believes thinks thought calls called urges urged wants insists insisted told "
    "govorit skazal skazala zaiavil zaiavila schitaet utverzhdaet deyir dedi bildirib bildirdi hesab".split())


def proper_names(text: str, known_proper: frozenset[str] = frozenset()) -> list[str]:
    """Words written as names: capitalised after the first word, or acronyms anywhere ("NATO", "ОБСЕ").
    The first word counts when the message is a name or two, when a speech verb follows it, or
    when the corpus itself writes it as a name (`known_proper`, skeletons)."""
    tokens = _TOKEN.findall(text)
    out = []
    for n, token in enumerate(tokens):
        letters = [ch for ch in token if ch.isalpha()]
        acronym = len(letters) >= 2 and all(ch.isupper() for ch in letters)
        capital = token[:1].isupper()
        if n == 0 and capital and not acronym:
            following = words(tokens[1]) if len(tokens) > 1 else []
            first_is_name = (len(tokens) <= 3 or bool(following and following[0] in SPEECH)
                             or any(skeleton(w) in known_proper for w in words(token)))
            if not first_is_name:
                continue
        if acronym or capital:
            out.append(token)
    return out


def named_positions(mentions: Iterable[Mention]) -> set[int]:
    """The word offsets the mentions cover: what in a message is a name, not a word of its own."""
    return {i for m in mentions for i in range(m.start, m.end)}


def first_word(text: str) -> str:
    tokens = _TOKEN.findall(text)
    return tokens[0] if tokens else ""


def written_as_names(texts: list[str]) -> frozenset[str]:
    """Skeletons of words a text capitalises where a sentence does not begin: names, in that corpus."""
    out: set[str] = set()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?:;\n])\s+|\n", text):
            for token in _TOKEN.findall(sentence)[1:]:
                if token[:1].isupper():
                    out.update(skeleton(w) for w in words(token))
    return frozenset(out)
