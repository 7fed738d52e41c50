"""What a party calls someone: "Armenia, which it calls "the aggressor state"" in a claim's paraphrase.

A user may ask for an actor by a party's epithet ("/actor təcavüzkar dövlət", "the aggressor
state"). The epithet is that party's word, never ours: the answer is the actor, under a line saying
who calls them so, in which claim. Epithets are read from the curated paraphrases, where the
curator has already attributed them ("X, which it calls "…""), and matched in the paraphrase's
reviewed translations too (the label in quotation marks there).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.corpus import Corpus
from bot.normalize import key
from bot.retrieve.mentions import MentionFinder

# "Armenia, which it calls "the aggressor state"", "…, whom the delegation calls "…""
_CALLED = re.compile(r"(?P<who>[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)*), (?:which|whom|who) "
                     r"(?:it|they|he|she|the [a-z]+) calls? \"(?P<label>[^\"]+)\"")
_QUOTED = re.compile(r"[«“\"]([^»”\"]{3,60})[»”\"]")
_ARTICLES = ("the ", "a ", "an ")
LIKENESS = 85  # fuzz.ratio of the folded query and a label ("государство-агрессор", "государством-агрессором")


@dataclass(frozen=True)
class Epithet:
    actor: str
    claim: str  # the claim whose paraphrase attributes it
    claimant: str
    label: str  # as the English paraphrase quotes it
    forms: tuple[str, ...]  # folded: the label and the labels quoted in the paraphrase's translations
    labels: tuple[str, ...] = ()  # the translations' labels as they write them ("государством-агрессором")

    def label_in(self, lang: str) -> str:
        """The label as the paraphrase in `lang` quotes it (Cyrillic for ru, the Azerbaijani letters
        or Latin for az), else the English one: always the curated words, never the user's."""
        for label in self.labels:
            cyrillic = bool(re.search("[а-яё]", label, re.IGNORECASE))
            if (lang == "ru" and cyrillic) or (lang == "az" and not cyrillic):
                return label
        return self.label


def _bare(text: str) -> str:
    folded = key(text)
    for article in _ARTICLES:
        if folded.startswith(article):
            return folded[len(article):]
    return folded


def epithets(corpus: Corpus, mentions: MentionFinder,
             translated: Callable[[str, str], list[str]] | None = None) -> list[Epithet]:
    """Every epithet an actor is given in a claim's paraphrase, with its translations' labels."""
    out: list[Epithet] = []
    for claim in corpus.claims.values():
        for m in _CALLED.finditer(claim.paraphrase):
            named = [x.entity_id for x in mentions.find(m.group("who")) if x.entity_id in corpus.actors]
            if len(named) != 1 or named[0] == claim.claimant:
                continue
            forms = {_bare(m.group("label"))}
            labels: list[str] = []
            for text in (translated("claim", claim.id) if translated else []):
                quoted = _QUOTED.findall(text)
                if len(quoted) == 1:  # the translation quotes one label: this one
                    forms.add(_bare(quoted[0]))
                    labels.append(quoted[0])
            out.append(Epithet(named[0], claim.id, claim.claimant, m.group("label"), tuple(sorted(forms)),
                               tuple(dict.fromkeys(labels))))
    return out


def find(found: list[Epithet], query: str) -> Epithet | None:
    """The one epithet the query is (in any of its languages, inflected, without an article)."""
    typed = _bare(query)
    if len(typed) < 4:
        return None
    hits = {e.actor: e for e in found if any(fuzz.ratio(typed, f) >= LIKENESS for f in e.forms)}
    return next(iter(hits.values())) if len(hits) == 1 else None
