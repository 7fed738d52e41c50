"""What retrieval needs to know about the corpus: the texts to embed, and who each entry involves."""

from __future__ import annotations

import re

from bot.corpus import Actor, Corpus, Place
from bot.normalize import skeleton, words
from bot.retrieve.mentions import MentionFinder
from bot.retrieve.semantic import Passage


def name_of(corpus: Corpus, entry_id: str) -> str:
    entry = corpus.entry(entry_id)
    return entry.name if isinstance(entry, Actor | Place) else entry_id


def passages(corpus: Corpus) -> list[Passage]:
    """Every text a user may mean an entry by: a claim's paraphrase and quote (with its claimant; the
    short `asked_as` phrasings stay lexical: as passages they lie near everything); an event's title
    and summary; an actor's role; a place's name and note."""
    out: list[Passage] = []
    for c in corpus.claims.values():
        who = name_of(corpus, c.claimant)
        out.append(Passage("claim", c.id, "paraphrase", f"{who}: {c.paraphrase}"))
        out.append(Passage("claim", c.id, "quote", f"{who}: {c.quote}"))
    for e in corpus.events.values():
        out.append(Passage("event", e.id, "title", e.title))
        out.append(Passage("event", e.id, "summary", e.summary))
    for a in corpus.actors.values():
        out.append(Passage("actor", a.id, "role", f"{a.name}: {a.role}"))
        if a.note:
            out.append(Passage("actor", a.id, "note", f"{a.name}: {a.note}"))
    for p in corpus.places.values():
        out.append(Passage("place", p.id, "name", p.name + (f": {p.note}" if p.note else "")))
    return out


def aliases(corpus: Corpus) -> list[tuple[str, str]]:
    return [(e.id, alias) for e in (*corpus.actors.values(), *corpus.places.values())
            for alias in e.spellings]


def related(corpus: Corpus, finder: MentionFinder) -> dict[tuple[str, str], frozenset[str]]:
    """(kind, id) -> the actors and places an entry is by, about, at, or names in its own text;
    a place brings the places it lies within ("Khankendi" is in Karabakh)."""

    def named(*texts: str | None) -> set[str]:
        return {m.entity_id for t in texts if t for m in finder.find(t, inflected=False)}

    capitals: dict[str, set[str]] = {}
    for p in corpus.places.values():
        if p.stands_for:
            capitals.setdefault(p.stands_for, set()).add(p.id)

    def widen(ids: set[str]) -> frozenset[str]:
        out = set(ids)
        for i in ids:
            out |= capitals.get(i, set())
        for i in ids:
            place = corpus.places.get(i)
            while place is not None and place.within and place.within not in out:
                out.add(place.within)
                place = corpus.places.get(place.within)
        return frozenset(out)

    out: dict[tuple[str, str], frozenset[str]] = {}
    for c in corpus.claims.values():
        ids = {c.claimant, *c.about} | named(c.paraphrase, c.quote, *c.asked_as, c.note)
        out[("claim", c.id)] = widen(ids)
    for e in corpus.events.values():
        ids = {*e.actors, *e.places} | named(e.title, e.summary, e.note, *(q.quote for q in e.cite))
        out[("event", e.id)] = widen(ids)
    for a in corpus.actors.values():
        out[("actor", a.id)] = widen({a.id} | named(a.role, a.note))
    # An actor is also related to what the events it takes part in are at and with ("who hoisted the
    # flag in Khankendi": Aliyev, through that event).
    for e in corpus.events.values():
        for a in e.actors:
            if ("actor", a) in out:
                out[("actor", a)] = out[("actor", a)] | widen({*e.actors, *e.places})
    # "Radio outlet to which Nasimi Mammadli spoke": the relation holds both ways.
    for a in corpus.actors.values():
        for other in out[("actor", a.id)] - {a.id}:
            if ("actor", other) in out:
                out[("actor", other)] = out[("actor", other)] | {a.id}
    for p in corpus.places.values():
        out[("place", p.id)] = widen({p.id} | named(p.note))
    return out


# Where a role's opening words end: a clause, an aside, or a relative clause about someone else.
_ROLE_END = re.compile(r"[;,(]|(?:^|\s)(?:which|who|whom|whose|that|to which|named|according|as)\b", re.IGNORECASE)
OPENING = 6  # words: "Addressee of the appeal of Azerbaijani parliamentary leaders" is of no state


def authors(corpus: Corpus) -> dict[str, tuple[str, ...]]:
    """Group -> the actors the sources name among the authors of its statements (their `part_of`), in
    the corpus's order: the appeal of the parliamentary leaders is Speaker Gafarova's too."""
    out: dict[str, list[str]] = {}
    for a in corpus.actors.values():
        for g in a.part_of:
            out.setdefault(g, []).append(a.id)
    return {g: tuple(ids) for g, ids in out.items()}


def role_states(corpus: Corpus) -> dict[str, frozenset[str]]:
    """The states each actor's role says it is of, in its opening words ("Foreign Minister of
    Azerbaijan", "Parliament of Luxembourg; adopted …"; not "organisation which Azerbaijan joined"):
    an actor of one state is not asked for as another's ("the Armenian foreign minister")."""
    states = {a.id for a in corpus.actors.values() if a.kind == "state"}
    finder = MentionFinder([(i, alias) for i, alias in aliases(corpus) if i in states], frozenset())
    out = {}
    for a in corpus.actors.values():
        if a.kind == "state":
            continue  # "Neighbour of Azerbaijan": a state is of no other state
        opening = " ".join(_ROLE_END.split(a.role, maxsplit=1)[0].split()[:OPENING])
        found = frozenset(m.entity_id for m in finder.find(opening)) - {a.id}
        if found:
            out[a.id] = found
    return out


def links(corpus: Corpus) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {c: set() for c in corpus.claims}
    for c in corpus.claims.values():
        for other in (*c.disputes, *c.supports):
            out[c.id].add(other)
            out.setdefault(other, set()).add(c.id)
    return {k: frozenset(v) for k, v in out.items()}


_YES_NO = frozenset("did does do is was were are has have had can could will would should".split())


def texts(corpus: Corpus) -> dict[tuple[str, str], str]:
    """The reader-facing text of each claim and event, for figure and stance checks."""
    out: dict[tuple[str, str], str] = {}
    for c in corpus.claims.values():
        # A yes-no question among the phrasings ("did Armenia comply with UN resolutions") asks,
        # it takes no side: its words say nothing of the claim's stance.
        asked = [a for a in c.asked_as if words(a)[:1] and words(a)[0] not in _YES_NO]
        out[("claim", c.id)] = " ".join([c.paraphrase, c.quote, *asked, *c.tags, c.date.value])
    for e in corpus.events.values():
        out[("event", e.id)] = " ".join([e.title, e.summary, *(q.quote for q in e.cite), *e.tags, e.date.value])
    return out


def statements(corpus: Corpus) -> dict[tuple[str, str], list[str]]:
    """What each claim and event says, in its own sentences (paraphrase and quote; title, summary and
    quotes): what it asserts and denies. Not its tags or the phrasings users ask it by, which name a
    topic ("democratic reforms") without asserting it."""
    out: dict[tuple[str, str], list[str]] = {}
    for c in corpus.claims.values():
        out[("claim", c.id)] = [c.paraphrase, c.quote]
    for e in corpus.events.values():
        out[("event", e.id)] = [e.title, e.summary, *(q.quote for q in e.cite)]
    return out


def topic_tags(corpus: Corpus, generic_share: float) -> dict[tuple[str, ...], frozenset[tuple[str, str]]]:
    """The curators' topic tags ("sanctions", "basic-law", "persona-non-grata") as folded word
    tuples, each with the claims and events tagged with it; without entity names ("karabakh"),
    figures, and tags so common they pin nothing down."""
    entity_words = {skeleton(w) for _, alias in aliases(corpus) for w in words(alias)}
    tagged: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    entries = [*(("claim", c) for c in corpus.claims.values()), *(("event", e) for e in corpus.events.values())]
    for kind, entry in entries:
        for tag in entry.tags:
            ws = tuple(skeleton(w) for w in words(tag.replace("-", " ")))
            if ws and not all(w in entity_words or w.isdigit() or len(w) < 4 for w in ws):
                tagged.setdefault(ws, set()).add((kind, entry.id))
    n = max(1, len(entries))
    return {t: frozenset(ids) for t, ids in tagged.items() if len(ids) >= 2 and len(ids) / n <= generic_share}
