"""Actors by what they did or said: "who hoisted the flag in Khankendi", "депутат, который вспомнил
коренных американцев", "the commentator who spoke to Radio Azadlig".

A description like these names no role the index holds; it describes a deed. The deed is looked up
among claims (whoever made the matching claim is meant) and events (one of the event's actors is
meant), with the same evidence rules as any claim or event answer. Among an event's actors, the
ones the description itself names are the deed's object, not its doer ("Radio Azadlig" in "who spoke
to Radio Azadlig"), and states stand behind most events without being the one meant; words before
the relative word ("the news agency that …") choose among the rest. More than one left is a "did
you mean" list, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.corpus import Corpus
from bot.index import STOPWORDS
from bot.normalize import key, skeleton, words
from bot.retrieve.mentions import named_positions
from bot.retrieve.rank import (
    RELATIVE,
    Ranker,
    asked_kinds,
    body_words,
    outlet_words,
    person_words,
    state_words,
)
from bot.understand.intent import guess_lang
from bot.understand.morph import base_forms, russian_active_participle, script_lang, term_forms
from bot.understand.places import country_words

# "that" only here: in a claim or a topic it is as often a conjunction ("says that").
DEED_RELATIVE = RELATIVE | {skeleton("that")}
STOP = frozenset(skeleton(w) for w in STOPWORDS) | RELATIVE
STATE_KINDS = frozenset({"state"})
# A description names a claim's maker only when it says they said something: "who called the
# resolution biased", "депутат, который вспомнил коренных американцев". "The state that ignored the
# mines" describes what a claim is about, not who made it. English verbs as whole words (a stem
# would take "state" and "proposal" for speech); Russian and Azerbaijani by their verb stems.
SPEECH_WORDS = frozenset(skeleton(w) for w in words(
    "say says said claim claims claimed call calls called accuse accuses accused compare compares compared "
    "recall recalls recalled mention mentions mentioned argue argues argued insist insists insisted urge urges "
    "urged demand demands demanded warn warns warned describe describes described deny denies denied tell "
    "tells told stated declared asserted blamed praised condemned criticized criticised criticizes "
    "questioned asked wrote writes mocked ridiculed dismissed rejected responded replied answered stressed "
    "emphasized emphasised suggested appealed complained threatened promised admitted acknowledged "
    "announced explained predicted reminded spoke speaks commented comments talked talks talk discussed"))
SPEECH_STEMS = tuple(skeleton(w) for w in words(
    "сказа заяви назва называ обвини сравни вспомни упомяну призва утвержда счита говори критикова осуди "
    "предупреди потребова спроси написа высмея отверг ответи подчеркну предложи пригрози пообеща признал "
    "объясни "
    "dedi deyib deyir deyən bildir adlandır ittiham müqayisə xatırla çağır tənqid qınad tələb yazd"))
# Words that ask for a state itself: "which country", "какая страна", "hansı dövlət".
STATE_WORDS = frozenset(skeleton(w) for w in words(
    "state country government страна государство правительство dövlət ölkə hökumət"))


@dataclass(frozen=True)
class Deed:
    kind: str  # "claim" or "event": what the description matched
    entry_id: str
    actors: tuple[str, ...]  # who may be meant, best first; none: the event does not say who (show it)
    title: str  # the claim's paraphrase or the event's title, to explain the match


# An Azerbaijani participle ends so: the doer's ("danışan", "imzalayan", "edən") and the object's ("43
# deputatın müraciət etdiyi nazir": the minister they appealed to); the noun it describes follows it.
AZ_PARTICIPLE = ("an", "ən", "dığı", "diyi", "duğu", "düyü", "tığı", "tiyi", "tuğu", "tüyü",
                 "digi", "dugu", "tigi", "tugu")


def split(text: str) -> tuple[str, str]:
    """("the commentator", "spoke to Radio Azadlig") for "the commentator who spoke to Radio Azadlig";
    ("чиновники", "подписавшие обращение") for the Russian participle that does the same;
    ("deputat", "Turan agentliyinə danışan") for the Azerbaijani one, which comes before its noun;
    ("", text) when no relative word comes after the first word."""
    ws = text.split()
    for n, w in enumerate(ws):
        if n > 0 and skeleton("".join(words(w))) in DEED_RELATIVE:
            return " ".join(ws[:n]).rstrip(","), " ".join(ws[n + 1:])
        if n > 0 and russian_active_participle(w.strip(",.;:")):
            return " ".join(ws[:n]).rstrip(","), " ".join(ws[n:])
    kinds = person_words() | body_words() | outlet_words() | state_words()
    for n in (len(ws) - 2, len(ws) - 3) if guess_lang(text) == "az" else ():
        # "Turan agentliyinə danışan deputat", "… verən millət vəkili": the words after the participle
        # end with one naming the kind asked for
        if n >= 1 and _participle(ws[n]) \
                and (after := _forms(" ".join(ws[n + 1:]))) and after[-1][1] & kinds:
            return " ".join(ws[n + 1:]), " ".join(ws[:n + 1])
    if ws and skeleton("".join(words(ws[0]))) in RELATIVE:  # "who hoisted the flag"
        return "", " ".join(ws[1:])
    return "", text


def _forms(text: str) -> list[tuple[str, set[str]]]:
    return [(typed, {typed, *alts}) for typed, alts in term_forms(text)]


def _participle(word: str) -> bool:
    """An Azerbaijani participle: its ending, a lower-case word of its own (not "Ermənistan",
    "Azərbaycan", "İran", whose names end so too)."""
    word = word.strip(",.;:?!")
    return len(word) >= 4 and word[:1].islower() and word.lower().endswith(AZ_PARTICIPLE) \
        and not _is_country(word)


def _is_country(word: str) -> bool:
    folded = {skeleton(word), *(skeleton(f) for f in base_forms(word, "az"))}
    return bool(folded & country_words())


def _headless(text: str) -> bool:
    """An Azerbaijani description that ends with its participle, no noun after it: "Xankəndidə dövlət
    bayrağını qaldıran" (the one who raised the state flag in Khankendi)."""
    ws = text.rstrip("?.! ").split()
    return len(ws) >= 3 and len(ws[-1]) >= 5 and ws[-1].lower().endswith(("an", "ən")) \
        and script_lang(text) == "az" and _participle(ws[-1])


def find(ranker: Ranker, corpus: Corpus, text: str) -> Deed | None:
    head, deed = split(text)
    if deed == text and _headless(text):
        deed = text.rstrip("?.! ")  # the participle itself says what was done
    elif deed == text:
        return None  # no relative word: a role or a name ("head of state of Azerbaijan"), not a deed
    mentions = ranker.mentions.find(text)
    inside = named_positions(mentions)
    terms = [typed for typed, _ in term_forms(text)]
    if not deed.strip() or all(n in inside or w in STOP for n, w in enumerate(terms)):
        return None  # "Khankendi" names a place; it describes no one
    claim = ranker.rank(deed, ("claim",)) if _speaks(deed) else None
    if claim is not None and claim.outcome == "answer" and claim.best is not None and claim.best.consistent:
        c = corpus.claims[claim.best.entry_id]
        if c.claimant in corpus.actors:
            return Deed("claim", c.id, (c.claimant,), c.paraphrase)
    event = ranker.rank(deed, ("event",))
    if (event.outcome != "answer" or event.best is None) and head:
        # "the commentator who spoke to Radio Azadlig": the event's title may say "commentator".
        event = ranker.rank(text, ("event",))
    if event.outcome != "answer" or event.best is None or not event.best.consistent:
        return None
    e = corpus.events[event.best.entry_id]
    named = {m.entity_id for m in mentions}
    asks_state = bool({skeleton(w) for w in words(head or text)} & STATE_WORDS)
    actors = [a for a in e.actors if a in corpus.actors and a not in named
              and (asks_state or corpus.actors[a].kind not in STATE_KINDS)]
    if not head:
        # "who declared …", "кто объявил …": no words say what kind of actor is meant, so the doer is
        # whoever the title names first ("Ilham Aliyev raises the flag"). A title that names first
        # one the question itself names ("76 members of PACE … declared persona non grata") or none
        # does not say who did it: the event itself is the answer, never a guess among those it involves.
        first = _first_in_title(corpus, e.title, [a for a in e.actors if a in corpus.actors])
        return Deed("event", e.id, (first,) if first in actors else (), e.title)
    if wanted := asked_kinds(head, ranker.mentions.find(head)):
        # "the Luxembourg MP who sponsored the resolution": the Chamber that adopted it is no MP, and
        # the sources name none; no person here, no answer by this deed. "сайт, опубликовавший
        # обращение": the outlet among those who took part.
        actors = [a for a in actors if corpus.actors[a].kind in wanted]
    if not actors:
        return None
    if len(actors) > 1:
        # The title names the doer first ("MP Fazil Mustafa defends the MPs' appeal in comments to
        # Turan"): when the head fits them at all, they are meant, not the MPs they spoke of; when the
        # head fits only someone else, it describes no doer ("Radio Azadlığa müsahibə verən deputat":
        # the commentator spoke to the radio, about the deputies' appeal).
        doer = _first_in_title(corpus, e.title, actors)
        if doer is not None and ranker.lexical.coverages(head, ("actor",)).get(("actor", doer), 0.0) > 0.0:
            return Deed("event", e.id, (doer,), e.title)
        actors = _choose(ranker, head, actors)
        if len(actors) == 1 and doer is not None and actors[0] != doer:
            return None
    return Deed("event", e.id, tuple(actors), e.title)


def _first_in_title(corpus: Corpus, title: str, actors: list[str]) -> str | None:
    """The actor whose name (any spelling) comes first in the title, the longest name at that place."""
    folded = f" {key(title)} "
    found = [(at, -len(k), a) for a in actors for sp in corpus.actors[a].spellings
             if (k := key(sp)) and (at := folded.find(f" {k} ")) >= 0]
    return min(found)[2] if found else None


def _speaks(text: str) -> bool:
    return any(sk in SPEECH_WORDS or sk.startswith(SPEECH_STEMS) for sk in (skeleton(w) for w in words(text)))


def _choose(ranker: Ranker, head: str, actors: list[str]) -> list[str]:
    """The one actor whose own words hold the most of the head's ("the news agency that …" →
    AZERTAC, a news agency), else all of them, the closest in meaning first."""
    covered = ranker.lexical.coverages(head, ("actor",))
    best = max(covered.get(("actor", a), 0.0) for a in actors)
    leaders = [a for a in actors if covered.get(("actor", a), 0.0) == best]
    if best > 0.0 and len(leaders) == 1:
        return leaders
    if ranker.semantic is None:
        return actors
    close = {h.entry_id: h.score for h in ranker.semantic.search(head, ("actor",), limit=50)}
    return sorted(actors, key=lambda a: -close.get(a, 0.0))
