"""The answer core: one function from a user's message to a cited reply.

Telegram, inline mode and the command line are thin adapters around `Engine`:
they pass what the user typed (or a button's data, or a deep-link payload) to
`Engine.answer` and send back `Reply.html`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path

import yaml

from bot.corpus import Actor, Claim, Corpus, Event, Place, Source, load_corpus
from bot.dates import DateQuery, effective_span, extract_date, label, timeline_order
from bot.index import STOPWORDS, Doc, Hit, SearchIndex, Tiers, query_words
from bot.normalize import key, to_ascii
from bot.render import (
    BRIEF_LIMIT,
    FULL_LIMIT,
    Builder,
    date_html,
    esc,
    fit,
    plain_text,
    quote_html,
    say,
    source_line,
    wording,
)
from bot.retrieve import entries
from bot.retrieve.mentions import MentionFinder, written_as_names
from bot.retrieve.rank import Candidate, Ranker, Ranking, Thresholds
from bot.retrieve.semantic import Embedder, SemanticIndex, default_cache_dir, load_embedder
from bot.understand.intent import Intent, understand

MAX_MESSAGE = 512  # characters of a message the core reads; Telegram allows 4096
ECHO_LIMIT = 80  # characters of the user's query repeated back in a reply
MAX_CALLBACK = 64  # bytes Telegram allows in callback data and deep-link payloads
PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KIND_LETTER = {"actor": "a", "place": "p", "event": "e", "claim": "c", "source": "s"}
LETTER_KIND = {v: k for k, v in KIND_LETTER.items()}


@dataclass(frozen=True)
class Button:
    """A tap-able follow-up. `data` is itself a message the core answers (at most 64 bytes),
    so a button keeps working after a restart or an index reload."""

    text: str
    data: str


@dataclass(frozen=True)
class Reply:
    query: str
    command: str  # "actor", "timeline", "claim", "sources", "source", "help", "start", "about", "open", ...
    matched: bool  # False for "did you mean" and "nothing matches"
    html: str  # Telegram HTML, at most 4096 characters after parsing
    sources: tuple[str, ...] = ()  # seed file names cited
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    best_score: float = 0.0  # 0..100, for the query log
    share_payload: str | None = None  # deep-link payload ([A-Za-z0-9_-]{1,64}) that reopens this answer


@dataclass(frozen=True)
class InlineItem:
    id: str  # at most 64 bytes
    title: str
    description: str
    html: str  # the message posted when chosen
    sources: tuple[str, ...] = field(default_factory=tuple)


def _button(text: str, data: str) -> Button | None:
    """A button only if its data fits Telegram's 64 bytes; otherwise no button rather than a broken one."""
    return Button(text, data) if len(data.encode()) <= MAX_CALLBACK else None


def encode_query(message: str) -> str | None:
    """Deep-link payload for an arbitrary message ('q' + base64url), if it fits."""
    payload = "q" + base64.urlsafe_b64encode(message.encode()).decode().rstrip("=")
    return payload if len(payload) <= MAX_CALLBACK else None


def decode_query(payload: str) -> str | None:
    body = payload[1:]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _synonyms() -> dict[str, tuple[str, ...]]:
    path = Path(__file__).with_name("synonyms.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, tuple[str, ...]] = {}
    for group in data.get("groups", []):
        words = [str(w) for w in group]
        for w in words:
            out[w] = tuple(x for x in words if x != w)
    return out


class Engine:
    """Loads and validates the corpus once; answers messages."""

    def __init__(self, corpus: Corpus, tiers: Tiers | None = None, *, embedder: Embedder | str | None = "env",
                 cache_dir: Path | None = None) -> None:
        self.corpus = corpus
        self.tiers = tiers or Tiers()
        self.index = SearchIndex(self._docs(), synonyms=_synonyms())
        self.bot_username = "yourbot"  # the Telegram adapter sets the real one, for the inline example in /help
        self.timeline = sorted(corpus.events.values(), key=timeline_order)
        self.semantic_off_reason = ""
        if isinstance(embedder, str):
            embedder, self.semantic_off_reason = load_embedder(None if embedder == "env" else embedder)
        self.semantic: SemanticIndex | None = None
        if embedder is not None:
            self.semantic = SemanticIndex(entries.passages(corpus), embedder,
                                          cache_dir if cache_dir is not None else default_cache_dir())
        self.mentions = MentionFinder(entries.aliases(corpus), STOPWORDS)
        self.ranker = Ranker(self.index, self.semantic, self.mentions, entries.related(corpus, self.mentions),
                             entries.links(corpus), Thresholds(lexical=self.tiers), entries.texts(corpus),
                             written_as_names(list(corpus.texts.values())))

    @classmethod
    def load(cls, briefs_dir: Path, seeds_dir: Path, **options: object) -> Engine:
        """Raises CorpusError (with every problem) on an invalid corpus: the bot never starts on one."""
        return cls(load_corpus(Path(briefs_dir), Path(seeds_dir)), **options)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ index

    def _names(self, ids: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for i in ids:
            entry = self.corpus.entry(i)
            if isinstance(entry, Actor | Place):
                out.append(entry.name)
        return out

    def _aliases(self, ids: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for i in ids:
            entry = self.corpus.entry(i)
            if isinstance(entry, Actor | Place):
                out.extend(entry.aliases)
        return out

    def _docs(self) -> list[Doc]:
        c = self.corpus
        docs: list[Doc] = []
        for a in c.actors.values():
            docs.append(Doc(a.id, "actor", names=[a.name, *a.aliases], titles=[a.role],
                            texts=[*(r.summary for r in a.record), *([a.note] if a.note else [])]))
        for p in c.places.values():
            docs.append(Doc(p.id, "place", names=[p.name, *p.aliases], texts=[p.note] if p.note else []))
        for e in c.events.values():
            docs.append(Doc(e.id, "event", titles=[e.title, *self._names(e.places), *self._aliases(e.places)],
                            texts=[e.summary, *e.tags, *self._names(e.actors), *self._aliases(e.actors),
                                   *(q.quote for q in e.cite)]))
        for cl in c.claims.values():
            docs.append(Doc(cl.id, "claim", titles=[cl.paraphrase, *cl.asked_as],
                            texts=[cl.quote, *cl.tags, *self._names((cl.claimant, *cl.about))]))
        return docs

    # ------------------------------------------------------------------ entry point

    def answer(self, message: str, *, full: bool = False) -> Reply:
        """`message` is what the user typed ("/actor aliev", "/start a_aliyev", a button's data)."""
        text = " ".join(_visible(message or "")[:MAX_MESSAGE].split())
        if not text:
            return self._plain(text, "help", say("empty_message"))
        reply = self._dispatch(text, full)
        return replace(reply, query=text, html=fit(reply.html))

    def _dispatch(self, text: str, full: bool) -> Reply:
        intent = understand(text)
        if intent.greeting:
            return self._plain(text, "help", say("greeting_html", bot=self.bot_username), matched=True)
        if not text.startswith("/"):
            return self._question(intent, text, full)
        head, _, rest = text.partition(" ")
        command = head[1:].split("@", 1)[0].lower()
        rest = rest.strip()
        if command in ("actor", "claim") and intent.subject:
            rest = intent.subject  # "/actor кто такая Гафарова" asks for Гафарова
        if command == "actor" and intent.question and intent.command == "said":
            return self.said(intent.subject, intent.about, full)
        handlers: dict[str, Callable[[str, bool], Reply]] = {
            "timeline": self.cmd_timeline, "actor": self.cmd_actor, "claim": self.cmd_claim,
            "sources": self.cmd_sources, "source": self.cmd_source, "about": self.cmd_about,
            "help": self.cmd_help, "start": self.cmd_start, "open": self.cmd_open,
        }
        handler = handlers.get(command)
        if handler is None:
            return self._plain(text, "unknown", say("unknown_command") + "\n" + self._command_list())
        return handler(rest, full)

    def _question(self, intent: Intent, text: str, full: bool) -> Reply:
        """A plain message: a question ("кто такая Гафарова?", "what did Karimli say?") or words to search."""
        subject = intent.subject
        if intent.command in ("help", "sources", "about"):
            return {"help": self.cmd_help, "sources": self.cmd_sources, "about": self.cmd_about}[intent.command](
                "", full)
        if not subject:
            return self._plain(text, "help", say("empty_message"))
        if intent.command == "who":
            return self._search_command(subject, "actor", ("actor", "place"), full)
        if intent.command == "said":
            return self.said(subject, intent.about, full)
        if intent.command == "timeline":
            return self.cmd_timeline(subject, full)
        if intent.command == "claim":
            return self.cmd_claim(subject, full)
        return self.search_any(text, full=full)  # no question recognised: the words as typed

    def inline(self, query: str, limit: int = 20) -> list[InlineItem]:
        """Entries for inline mode: the best matches of any kind, or a starting list for an empty query."""
        query = " ".join(_visible(query)[:MAX_MESSAGE].split())
        items: list[InlineItem] = []
        when, topic = extract_date(query) if query else (None, "")
        if when is not None:
            # "PACE 2024": the timeline of that topic and window first, then its events one by one.
            reply = self.cmd_timeline(query, False)
            if reply.matched:
                items.append(InlineItem(id="t_" + hashlib.sha1(query.encode()).hexdigest()[:20],
                                        title=say("labels.inline_timeline", query=_short(query, 60)),
                                        description=_short(" · ".join(
                                            line[2:] for line in plain_text(reply.html).split("\n")
                                            if line.startswith("• ")), 120),
                                        html=reply.html, sources=reply.sources))
        if query:
            hits = [h for h in self.index.search(topic or query, limit=limit) if h.score >= self.tiers.near]
            if not hits:
                ranking = self.ranker.rank(topic or query)
                hits = ranking.candidates[:5] if ranking.outcome == "answer" else []
            ids = [(h.kind, h.entry_id) for h in hits]
            if when is not None:
                ids = [(k, i) for k, i in ids if k != "event" or self._in_range(self.corpus.events[i], when)]
        else:
            ids = [("actor", a.id) for a in self._prominent_actors()[:6]]
            ids += [("event", e.id) for e in self.timeline[-4:][::-1]]
            ids += [("source", s.file) for s in self.corpus.sources_in_order()]
        for kind, entry_id in ids[: limit - len(items)]:
            reply = self.view(kind, entry_id, full=False)
            title, description = self._inline_labels(kind, entry_id)
            items.append(InlineItem(id=self._payload(kind, entry_id), title=title, description=description,
                                    html=reply.html, sources=reply.sources))
        return items

    # ------------------------------------------------------------------ commands

    def cmd_help(self, rest: str, full: bool) -> Reply:
        return self._plain("/help", "help", say("help_html", bot=self.bot_username), matched=True)

    def cmd_start(self, rest: str, full: bool) -> Reply:
        if rest and PAYLOAD_RE.match(rest):
            if rest.startswith("q"):
                message = decode_query(rest)
                if message and message.startswith("/") and not message.startswith("/start"):
                    return self.answer(message, full=full)
            elif rest[:2] in {f"{letter}_" for letter in LETTER_KIND}:
                return self.cmd_open(rest, full)
        intro = say("start_html", sources=len(self.corpus.sources))
        return self._plain("/start", "start", intro + "\n\n" + say("help_html", bot=self.bot_username), matched=True)

    def cmd_about(self, rest: str, full: bool) -> Reply:
        first, last = self._source_span()
        text = say("about_html", sources=len(self.corpus.sources), actors=len(self.corpus.actors),
                   events=len(self.corpus.events), claims=len(self.corpus.claims), places=len(self.corpus.places),
                   first=first, last=last)
        if self.semantic is None:
            text += "\n" + say("about_lexical_only", reason=self.semantic_off_reason)
        else:
            text += "\n" + say("about_semantic", model=self.semantic.embedder.name)
        return self._plain("/about", "about", text, matched=True)

    def cmd_sources(self, rest: str, full: bool) -> Reply:
        lines = [f"<b>{say('labels.sources')}</b>"]
        for s in self.corpus.sources_in_order():
            lines.append(f"{s.number}. {source_line(self.corpus, s.file)}")
        buttons = tuple(
            tuple(b for b in (_button(str(s.number), f"/source {s.number}"),) if b)
            for s in self.corpus.sources_in_order()
        )
        row = tuple(b[0] for b in buttons if b)
        return Reply("/sources", "sources", True, "\n".join(lines),
                     sources=tuple(s.file for s in self.corpus.sources_in_order()),
                     buttons=(row,) if row else (), best_score=100.0)

    def cmd_source(self, rest: str, full: bool) -> Reply:
        sources = self.corpus.sources_in_order()
        if not rest:
            return self._plain(rest, "source", say("command_help.source"))
        try:
            number = int(rest.strip().lstrip("#"))
        except ValueError:
            number = 0
        match = next((s for s in sources if s.number == number or s.file == rest or s.file.split(".")[0] == rest),
                     None)
        if match is None:
            return self._plain(rest, "source", say("errors.bad_source_number", n=rest, count=len(sources)))
        return self.view("source", match.file, full=True)

    def cmd_open(self, rest: str, full: bool) -> Reply:
        letter, _, entry_id = rest.partition("_")
        kind = LETTER_KIND.get(letter)
        if kind == "source":
            entry_id = next((f for f in self.corpus.sources if f.split(".")[0] == entry_id), "")
        if kind is None or not self._exists(kind, entry_id):
            return self._plain(rest, "open", say("errors.gone"))
        return self.view(kind, entry_id, full=full)

    def cmd_actor(self, rest: str, full: bool) -> Reply:
        if not rest:
            return self._plain(rest, "actor", say("command_help.actor"))
        return self._search_command(rest, "actor", ("actor",), full)

    def cmd_claim(self, rest: str, full: bool) -> Reply:
        if not rest:
            return self._plain(rest, "claim", say("command_help.claim"))
        return self._search_command(rest, "claim", ("claim",), full)

    def said(self, who: str, about: str | None, full: bool) -> Reply:
        """"What did Karimli say (about Y)?": the actor's own claims, newest first, or those on Y."""
        ranking = self.ranker.rank(who, ("actor",), semantic=False)
        best = ranking.best
        if ranking.outcome != "answer" or best is None:
            return self._search_command(who, "actor", ("actor",), full)
        actor = self.corpus.actors[best.entry_id]
        claims = sorted((c for c in self.corpus.claims.values() if c.claimant == actor.id),
                        key=lambda c: (c.date.start, c.id), reverse=True)
        notice = ""
        if about and claims:
            topic = self.ranker.rank(about, ("claim",))
            on_topic = [c for c in topic.candidates if c.entry_id in {x.id for x in claims}
                        and (c.lexical >= self.tiers.near or c.semantic >= self.ranker.t.sem_answer_wide)]
            if on_topic:
                chosen = {c.entry_id for c in on_topic}
                claims = [c for c in claims if c.id in chosen]
            else:
                notice = say("said_nothing_about", name=actor.name, topic=_short(about, ECHO_LIMIT))
        b = Builder(self.corpus, FULL_LIMIT if full else BRIEF_LIMIT)
        title = say("said_title_about", name=actor.name, topic=_short(about, ECHO_LIMIT)) if about and not notice \
            else say("said_title", name=actor.name)
        b.add(f"<b>{title}</b>", force=True)
        if line := self._matched_line(who, actor.name):
            b.add(line, force=True)
        if notice:
            b.add(f"<i>{notice}</i>", force=True)
        if not claims:
            b.add(say("said_none", name=actor.name), force=True)
        for n, c in enumerate(claims):
            if not b.add(self._claim_line(c, quote=full or n == 0), force=n == 0):
                b.add(say("labels.more", n=len(claims) - n))
                break
        buttons = [(btn,) for c in claims[:3] if (btn := _button(_short(self._name(c.claimant) + ": " + c.paraphrase),
                                                                   f"/open c_{c.id}"))]
        buttons.extend(self._source_buttons(b.cited))
        return Reply(who, "said", bool(claims), b.html(), sources=tuple(b.cited), buttons=tuple(buttons),
                     best_score=best.score, share_payload=self._payload("actor", actor.id))

    def search_any(self, text: str, *, full: bool) -> Reply:
        """Plain text without a command: the best entry of any kind."""
        return self._search_command(text, "search", None, full)

    def _search_command(self, query: str, command: str, kinds: tuple[str, ...] | None, full: bool) -> Reply:
        if kinds == ("claim",) and (entity := self._only_entity(query)):
            # "/claim Luxembourg", "/claim Люксембург", "/claim Lüksemburq": the same claims, in the
            # same order, whatever the spelling: by the entity first, newest first, then about it.
            by = sorted((c for c in self.corpus.claims.values() if c.claimant == entity),
                        key=lambda c: (c.date.start, c.id), reverse=True)
            about = sorted((c for c in self.corpus.claims.values() if c.claimant != entity
                            and entity in self.ranker.related.get(("claim", c.id), frozenset())),
                           key=lambda c: (-len(c.disputes) - len(c.supports), c.date.start, c.id))
            if by or about:
                ordered = [*by, *about]
                return self._claims_view(query, ordered[:1], full, None, ordered[1:], entity=entity)
        ranking = self.ranker.rank(query, kinds)
        hits = ranking.candidates
        outcome = ranking.outcome
        best = ranking.best
        if (outcome == "answer" and ranking.basis == "lexical" and best is not None
                and best.kind in ("actor", "place") and best.named < 0.5
                and (best.coverage < 0.85 or self._alias_owner(query) not in (None, best.entry_id))):
            # An actor or place is answered by its name, or by a description of it that is not itself
            # another entry's name: "/actor Khankendi" must not open the EU, whose role mentions the
            # Aghdam-Khankendi road.
            outcome = "suggest"
        if outcome == "answer" and best is not None:
            if best.kind == "claim":
                claims = [best, *(h for h in hits[1:] if h.kind == "claim" and self._confident(h, ranking))]
                on_topic = [self.corpus.claims[c.entry_id] for c in ranking.candidates
                            if c.kind == "claim" and self._on_topic(c)]
                return self._claims_view(query, [self.corpus.claims[c.entry_id] for c in claims], full, ranking,
                                         on_topic, score=best.score)
            reply = self.view(best.kind, best.entry_id, full=full, typed=query, via=best.via)
            return Reply(**{**reply.__dict__, "command": command, "best_score": best.score})
        if kinds is not None and ranking.basis != "unknown-name":
            # Nothing of the asked kind; an entry of another kind may be what the user meant.
            other = [h for h in self.index.search(query, limit=8) if h.kind not in kinds]
            if other and self.tiers.outcome(other) == "answer":
                return self._suggest(query, command, other[:3], hits[0].score if hits else 0.0)
        if outcome == "suggest":
            return self._suggest(query, command, hits[:3], hits[0].score)
        return self._nothing(query, command, hits)

    def _confident(self, c: Candidate, ranking: Ranking) -> bool:
        if c.lexical >= self.tiers.confident:
            return True
        t = self.ranker.t
        lead = ranking.best.semantic if ranking.best else 1.0
        return ranking.basis == "semantic" and c.consistent and c.semantic >= max(t.sem_answer_wide, lead - 0.015)

    def cmd_timeline(self, rest: str, full: bool) -> Reply:
        page = 1
        if m := re.search(r"\s*\bpage:(\d+)\s*$", rest):
            page = max(1, int(m[1]))
            rest = rest[: m.start()].strip()
        when, topic = extract_date(rest)
        notice = say("date_reading", reading=when.reading) if when is not None and when.reading else ""
        best = 100.0
        if topic:
            chosen, best, hits = self._topic_events(topic)
            events = [e for e in self.timeline if e.id in chosen]
            if when is not None:
                dated = self._in_window(events, when)
                if not dated:
                    # "mines produced in 2021": the year may be part of the topic, not a filter.
                    chosen_all, _, _ = self._topic_events(rest)
                    events = [e for e in self.timeline if e.id in chosen_all]
                    if events:
                        notice = say("date_ignored", topic=_short(topic, ECHO_LIMIT), range=when.text,
                                     full=_short(rest, ECHO_LIMIT))
                else:
                    events = dated
            if not events and when is not None and chosen:
                # The topic is in the index, just not at that date: say so, and offer it at any date.
                text = say("no_events_in_range", topic_part=f"about “{_short(topic, ECHO_LIMIT)}” ",
                           range=when.text)
                button = _button(say("buttons.any_date"), f"/timeline {topic}")
                return Reply(rest, "timeline", False, esc(text), buttons=((button,),) if button else (),
                             best_score=best)
            if not events:
                if hits and hits[0].score >= self.tiers.near:
                    return self._suggest(topic, "timeline", hits[:3], best)
                other = [h for h in self.index.search(topic, limit=8) if h.kind != "event"]
                if other and self.tiers.outcome(other) == "answer" and other[0].kind in ("actor", "place"):
                    return self._suggest(topic, "timeline", other[:3], best)
                return self._nothing(rest, "timeline", hits)
        elif when is not None:
            events = self._in_window(list(self.timeline), when)
            if not events:
                text = say("no_events_in_range", topic_part="", range=when.text)
                return self._plain(rest, "timeline", f"{text}\n{self._coverage_hint}")
        else:
            events = list(self.timeline)
        if topic and (name := self._alias_names.get(key(topic))) and key(name) != key(topic):
            via = say("matched_via", typed=_short(topic, ECHO_LIMIT), name=name)
            notice = f"{via}\n{notice}" if notice else via
        overlapping = self._window_only(events, when)
        if when is not None and events and len(overlapping) == len(events):
            about = f"about “{_short(topic, ECHO_LIMIT)}” " if topic else ""
            only = say("only_overlapping", topic_part=about, range=when.text)
            notice = f"{notice}\n{only}" if notice else only
        return self._timeline_view(rest, events, page, full, notice, best, overlapping,
                                   paging=self._paging_query(rest, topic, when))

    def _paging_query(self, rest: str, topic: str, when: DateQuery | None) -> str:
        """The query paging buttons carry: as typed when it fits Telegram's 64 bytes, else the entity's
        own name, else the words transliterated (the index folds them alike), so a long Cyrillic topic
        still has its "Later" button."""
        if len(f"/timeline {rest} page:999".encode()) <= MAX_CALLBACK:
            return rest
        date_text = f" {when.text}" if when is not None else ""
        if topic and (entity := self._only_entity(topic)):
            return f"{self._name(entity)}{date_text}".strip()
        return f"{to_ascii(topic)}{date_text}".strip()

    def _topic_events(self, topic: str) -> tuple[set[str], float, list[Candidate]]:
        """Events about a topic, the best score, and the candidates (for "did you mean").

        A topic that names entities ("Karabakh", "Qarabağ", "Карабах", "PACE Karabakh") gives the
        events those entities are part of, whatever the spelling: every alias gives the same set.
        Other topics are matched by words, and by meaning when words find nothing confidently."""
        mentions = self.mentions.find(topic)
        named_words = sum(m.end - m.start for m in mentions)
        content = [w for w in query_words(topic)]
        if mentions and named_words >= len(content):
            wanted = {m.entity_id for m in mentions}
            chosen = {e.id for e in self.timeline if wanted <= self.ranker.related.get(("event", e.id), frozenset())}
            if chosen:
                return chosen, 100.0, []
        ranking = self.ranker.rank(topic, ("event",))
        hits = ranking.candidates
        best = hits[0].score if hits else 0.0
        if ranking.outcome != "answer":
            return set(), best, hits
        lexical = {c.entry_id for c in self.index.search(topic, kinds=("event",), limit=500)
                   if c.score >= self.tiers.confident}
        if ranking.basis == "lexical":
            consistent = {c.entry_id for c in hits if c.consistent}
            return {i for i in lexical if i in consistent or i not in {c.entry_id for c in hits}}, best, hits
        top = hits[0].semantic
        t = self.ranker.t
        near = {c.entry_id for c in hits if c.consistent and c.semantic >= max(t.sem_answer_wide, top - 0.02)}
        return near | {hits[0].entry_id}, best, hits

    def _in_window(self, events: list[Event], when: DateQuery) -> list[Event]:
        """Events inside the asked window first, then those that only overlap it (long spans, dates
        known only to a coarser period), each group in date order."""
        inside = [e for e in events if self._in_range(e, when)]
        if when.month_day is not None:
            return inside
        overlapping = [e for e in events if e not in inside and self._overlaps(e, when)]
        return inside + overlapping

    def _window_only(self, events: list[Event], when: DateQuery | None) -> set[str]:
        """Ids of the events that merely overlap the window (they are never its key events)."""
        if when is None:
            return set()
        return {e.id for e in events if not self._in_range(e, when)}

    def _importance(self, e: Event) -> tuple[int, int, str]:
        """Most important first: cited by more sources, then day-dated and not inferred."""
        sources = len({c.source for c in e.cite})
        exact = (e.date.precision == "day") + (e.date.inferred == "none") + (e.end is None and not e.date.latest)
        return -(3 * sources + exact), -len(e.actors) - len(e.places), e.id

    @staticmethod
    def _overlaps(event: Event, when: DateQuery) -> bool:
        first, last = effective_span(event.date)
        if event.end is not None:
            last = effective_span(event.end)[1]
        return first <= when.end and last >= when.start

    @staticmethod
    def _in_range(event: Event, when: DateQuery) -> bool:
        """A dated event must fall inside the range asked for; an event known only to the decade
        ("early 2020s") is not shown as if it were in 2023. Periods count when they overlap."""
        first, last = effective_span(event.date)
        if event.end is not None:
            last = effective_span(event.end)[1]
            if when.month_day is not None:
                return when.overlaps(first, last, "period")
            return when.start <= first and last <= when.end
        if when.month_day is not None:
            precision = "range" if event.date.latest else event.date.precision
            return when.overlaps(first, last, precision)
        return when.start <= first and last <= when.end

    # ------------------------------------------------------------------ views

    def view(self, kind: str, entry_id: str, *, full: bool, typed: str | None = None, via: str | None = None) -> Reply:
        """The reply for one entry, as opened from a search, a button, a deep link or inline mode."""
        b = Builder(self.corpus, FULL_LIMIT if full else BRIEF_LIMIT)
        buttons: list[tuple[Button, ...]] = []
        if kind == "actor":
            self._actor_blocks(b, self.corpus.actors[entry_id], full, typed)
        elif kind == "place":
            self._place_blocks(b, self.corpus.places[entry_id], full, typed)
        elif kind == "event":
            self._event_blocks(b, self.corpus.events[entry_id], full)
        elif kind == "claim":
            claim = self.corpus.claims[entry_id]
            self._claim_blocks(b, claim, full)
            buttons.extend(self._link_buttons(claim))
        elif kind == "source":
            self._source_blocks(b, self.corpus.sources[entry_id])
        if kind != "source":
            buttons.extend(self._source_buttons(b.cited))
        payload = self._payload(kind, entry_id)
        return Reply(f"/open {payload}", "open", True, b.html(), sources=tuple(b.cited),
                     buttons=tuple(buttons), best_score=100.0, share_payload=payload)

    @staticmethod
    def _section(b: Builder, heading: str, blocks: list[Callable[[Builder], str]], limit: int) -> None:
        """A heading and as many of its items as fit; no heading left dangling without items."""
        for shown, block in enumerate(blocks[:limit]):
            first: Callable[[Builder], str] = lambda bb, block=block: f"<b>{heading}</b>\n" + block(bb)  # noqa: E731
            if not b.add(first if shown == 0 else block):
                break

    def _matched_line(self, typed: str | None, name: str) -> str:
        if typed and key(typed) != key(name):
            return f"<i>{say('matched_via', typed=_short(typed, ECHO_LIMIT), name=name)}</i>"
        return ""

    def _actor_blocks(self, b: Builder, actor: Actor, full: bool, typed: str | None) -> None:
        b.add(f"<b>{esc(actor.name)}</b> · {say('labels.' + 'actor')}", force=True)
        if line := self._matched_line(typed, actor.name):
            b.add(line, force=True)
        b.add(lambda bb: f"{esc(actor.role)} {bb.ref(actor.cite)}", force=True)
        if full and actor.aliases:
            b.add(f"<i>{say('labels.aliases')}:</i> {esc(', '.join(actor.aliases[:12]))}")
        claims = sorted((c for c in self.corpus.claims.values() if c.claimant == actor.id),
                        key=lambda c: (c.date.start, c.id))
        items: list[tuple[date, Callable[[Builder], str]]] = []
        for c in claims:
            items.append((c.date.start, self._claim_line(c, quote=True)))
        for r in actor.record:
            items.append((r.date.start if r.date else date.min, self._record_line(r)))
        events = [e for e in self.timeline if actor.id in e.actors]
        ordered = [block for _, block in sorted(items, key=lambda kv: kv[0])]
        self._section(b, say("labels.said_or_did"), ordered, 12 if full else 3)
        about = [c for c in self.corpus.claims.values() if actor.id in c.about and c.claimant != actor.id]
        self._section(b, say("labels.claims_about"),
                      [self._claim_line(c, quote=False, with_claimant=True) for c in about], 6 if full else 2)
        self._section(b, say("labels.events"), [self._event_line(e) for e in events], 10 if full else 3)

    def _place_blocks(self, b: Builder, place: Place, full: bool, typed: str | None) -> None:
        b.add(f"<b>{esc(place.name)}</b> · {say('labels.place')}", force=True)
        if line := self._matched_line(typed, place.name):
            b.add(line, force=True)
        if place.aliases:
            b.add(f"<i>{say('labels.aliases')}:</i> {esc(', '.join(place.aliases[: 12 if full else 6]))}", force=True)
        if place.within and place.within in self.corpus.places:
            b.add(f"{say('labels.within')} {esc(self.corpus.places[place.within].name)}")
        if place.note:
            b.add(lambda bb: esc(place.note or "") + (f" {bb.ref(place.cite)}" if place.cite else ""))
        inside = {place.id} | {p.id for p in self.corpus.places.values() if p.within == place.id}
        events = [e for e in self.timeline if inside & set(e.places)]
        self._section(b, say("labels.events_at_place"), [self._event_line(e) for e in events], 12 if full else 4)

    def _event_blocks(self, b: Builder, event: Event, full: bool) -> None:
        when = date_html(event.date) + (f" – {date_html(event.end)}" if event.end else "")
        b.add(f"<b>{when}</b> · <b>{esc(event.title)}</b>", force=True)
        b.add(lambda bb: f"{esc(event.summary)} {bb.ref(event.cite)}", force=True)
        for citation in event.cite[: (3 if full else 1)]:
            b.add(quote_html(citation.quote))
        people = self._names(event.actors)
        places = self._names(event.places)
        if people:
            b.add(f"<i>{say('labels.actor')}:</i> {esc(', '.join(people))}")
        if places:
            b.add(f"<i>{say('labels.place')}:</i> {esc(', '.join(places))}")
        if full and event.date.basis:
            b.add(f"<i>{say('labels.inferred_how')}:</i> {esc(event.date.basis)}")
        if full and event.note:
            b.add(f"<i>{say('labels.note')}:</i> {esc(event.note)}")

    def _claim_blocks(self, b: Builder, claim: Claim, full: bool, *, heading: bool = True) -> None:
        claimant = self._name(claim.claimant)
        if heading:
            b.add(f"<b>{say('labels.claimant')}:</b> {esc(claimant)} · {date_html(claim.date)}", force=True)
        b.add(lambda bb: f"{esc(claim.paraphrase)} {bb.ref(claim.source)}", force=True)
        b.add(quote_html(claim.quote), force=True)
        if full and claim.note:
            b.add(f"<i>{say('labels.note')}:</i> {esc(claim.note)}")
        if full and claim.date.basis:
            b.add(f"<i>{say('labels.inferred_how')}:</i> {esc(claim.date.basis)}")
        disputed = [self.corpus.claims[i] for i in claim.disputes if i in self.corpus.claims]
        self._section(b, say("labels.disputed_by"),
                      [self._claim_line(o, quote=full, with_claimant=True) for o in disputed], 6 if full else 2)
        if disputed and say("labels.disputed_by") not in b.html():
            # The other side must never vanish for lack of room: at least say who disputes it.
            names = ", ".join(dict.fromkeys(self._name(o.claimant) for o in disputed))
            b.add(f"<b>{say('labels.disputed_by')}:</b> {esc(names)}", force=True)
            return
        supported = [self.corpus.claims[i] for i in claim.supports if i in self.corpus.claims]
        self._section(b, say("labels.supported_by"),
                      [self._claim_line(o, quote=full, with_claimant=True) for o in supported], 6 if full else 2)

    def _source_blocks(self, b: Builder, source: Source) -> None:
        b.add(lambda bb: f"<b>{source.number}. {esc(source.title)}</b> {bb.ref(source.file)}", force=True)
        b.add(lambda bb: source_line(self.corpus, source.file), force=True)
        b.add(f"<i>{say('labels.perspective')}:</i> {esc(source.perspective)}", force=True)
        if source.published.basis:
            b.add(f"<i>{say('labels.inferred_how')}:</i> {esc(source.published.basis)}")
        if source.language_note:
            b.add(f"<i>{say('labels.note')}:</i> {esc(source.language_note)}")
        counts = (sum(1 for c in self.corpus.claims.values() if c.source == source.file),
                  sum(1 for e in self.corpus.events.values() if any(c.source == source.file for c in e.cite)))
        b.add(f"{counts[0]} {say('labels.claims_by').lower()}, {counts[1]} {say('labels.events').lower()}")

    def _only_entity(self, query: str) -> str | None:
        """The entity a query consists of, if it names exactly one and nothing else."""
        mentions = self.mentions.find(query)
        if len({m.entity_id for m in mentions}) != 1:
            return None
        return mentions[0].entity_id if sum(m.end - m.start for m in mentions) >= len(query_words(query)) else None

    def _claims_view(self, query: str, claims: list[Claim], full: bool, ranking: Ranking | None,
                     on_topic: list[Claim], *, score: float = 100.0, entity: str | None = None) -> Reply:
        """The best claim with the claims disputing or supporting it, then what else its claimant says
        on the topic, then one line for each other party with claims on it (the rest as buttons)."""
        b = Builder(self.corpus, FULL_LIMIT if full else BRIEF_LIMIT)
        best = claims[0]
        if entity is not None:
            if line := self._matched_line(query, self._name(entity)):
                b.add(line, force=True)
        elif ranking is not None and (line := self._match_line(query, "claim", best.id, ranking)):
            b.add(f"<i>{line}</i>", force=True)
        self._claim_blocks(b, best, full)
        shown = {best.id, *best.disputes, *best.supports}
        same = [c for c in [*claims[1:], *on_topic] if c.id not in shown and c.claimant == best.claimant]
        same = list({c.id: c for c in same}.values())
        self._section(b, say("labels.also_by", name=self._name(best.claimant)),
                      [self._claim_line(c, quote=False) for c in same], 3 if full else 1)
        shown |= {c.id for c in same[: 3 if full else 1]}
        voices: dict[str, Claim] = {}
        for claim in on_topic:
            if claim.id not in shown and claim.claimant != best.claimant and claim.claimant not in voices:
                voices[claim.claimant] = claim
        self._section(b, say("labels.other_voices"),
                      [self._claim_line(c, quote=False, with_claimant=True) for c in voices.values()],
                      6 if full else 3)
        voice_buttons = [(btn,) for c in list(voices.values())[:3]
                         if (btn := _button(_short(f"{self._name(c.claimant)}: {c.paraphrase}"), f"/open c_{c.id}"))]
        buttons = [*self._link_buttons(best), *voice_buttons, *self._source_buttons(b.cited)]
        payload = self._payload("claim", best.id)
        return Reply(query, "claim", True, b.html(), sources=tuple(b.cited), buttons=tuple(buttons),
                     best_score=score, share_payload=payload)

    def _on_topic(self, c: Candidate) -> bool:
        """Close enough to the question to be another side of it (not an answer by itself)."""
        return c.consistent and (c.lexical >= self.tiers.confident or c.semantic >= self.ranker.t.sem_answer)

    def _match_line(self, query: str, kind: str, entry_id: str, ranking: Ranking) -> str:
        """Why this entry: the words typed in another spelling or language ("“выборы” → elections"),
        and whether it was matched by meaning."""
        pairs = [(typed, found) for typed, found in self.index.evidence(query, kind, entry_id)
                 if key(typed) != key(found)][:3]
        parts = [say("matched_via", typed=_short(t, 30), name=f) for t, f in pairs]
        if ranking.basis == "semantic":
            parts.append(say("matched_meaning"))
        return "; ".join(parts)

    def _timeline_view(self, query: str, events: list[Event], page: int, full: bool, notice: str,
                       best: float, overlapping: set[str] | None = None, paging: str | None = None) -> Reply:
        per_page = 10 if full else 5
        if len(events) > per_page:
            # The first page shows the window's key events (cited by most sources, dated most
            # precisely, inside the window), in date order; the rest follow in date order.
            rank = sorted(events, key=lambda e: (e.id in (overlapping or ()), self._importance(e)))
            key_ids = {e.id for e in rank[:per_page]}
            events = [e for e in events if e.id in key_ids] + [e for e in events if e.id not in key_ids]
            lead = say("key_events_first", n=len(events) - per_page)
            notice = f"{notice}\n{lead}" if notice else lead
        pages = self._timeline_pages(query, events, full, notice)
        page = min(page, len(pages))
        chunk = pages[page - 1]
        b = self._timeline_page(query, chunk, full, notice, page, len(pages))
        nav = []
        base = f"/timeline {query if paging is None else paging}".strip()
        if page > 1 and (btn := _button(say("buttons.earlier"), f"{base} page:{page - 1}")):
            nav.append(btn)
        if page < len(pages) and (btn := _button(say("buttons.later"), f"{base} page:{page + 1}")):
            nav.append(btn)
        opens = tuple(btn for e in chunk[:3] if (btn := _button(_short(e.title), f"/open e_{e.id}")))
        buttons = tuple(row for row in (tuple(nav), opens, *self._source_buttons(b.cited)) if row)
        share = encode_query(f"{base} page:{page}" if page > 1 else base)
        return Reply(query, "timeline", True, b.html(), sources=tuple(b.cited), buttons=buttons,
                     best_score=best, share_payload=share)

    def _timeline_pages(self, query: str, events: list[Event], full: bool, notice: str) -> list[list[Event]]:
        """Pages filled greedily with what fits (and at most 5 or 10 events), so no event is ever skipped
        between one page and the next, however long its sources make the reply."""
        per_page = 10 if full else 5
        pages: list[list[Event]] = []
        rest = list(events)
        while rest:
            b = self._timeline_page(query, [], full, notice, 999, 999)
            chunk: list[Event] = []
            for e in rest[:per_page]:
                if not b.add(self._event_line(e, quote=full), force=not chunk):
                    break
                chunk.append(e)
            pages.append(chunk)
            rest = rest[len(chunk):]
        return pages or [[]]

    def _timeline_page(self, query: str, chunk: list[Event], full: bool, notice: str, page: int,
                       pages: int) -> Builder:
        b = Builder(self.corpus, FULL_LIMIT if full else BRIEF_LIMIT)
        title = esc(_short(query, ECHO_LIMIT)) if query else say("labels.timeline_all")
        head = f"<b>{say('labels.timeline_title')}: {title}</b>"
        if pages > 1:
            head += f" · {say('labels.page', page=page, pages=pages)}"
        b.add(head, force=True)
        if notice:
            b.add(f"<i>{notice}</i>", force=True)
        for e in chunk:
            b.add(self._event_line(e, quote=full), force=True)
        return b

    # ------------------------------------------------------------------ lines

    def _claim_line(self, c: Claim, *, quote: bool, with_claimant: bool = False) -> Callable[[Builder], str]:
        def block(b: Builder) -> str:
            who = f"{esc(self._name(c.claimant))}, " if with_claimant else ""
            line = f"• {who}{date_html(c.date)}: {esc(c.paraphrase)} {b.ref(c.source)}"
            return line + ("\n" + quote_html(c.quote) if quote else "")
        return block

    def _record_line(self, r: object) -> Callable[[Builder], str]:
        def block(b: Builder) -> str:
            when = f"{date_html(r.date)}: " if r.date else ""  # type: ignore[attr-defined]
            return f"• {when}{esc(r.summary)} {b.ref(r.cite)}"  # type: ignore[attr-defined]
        return block

    def _event_line(self, e: Event, *, quote: bool = False) -> Callable[[Builder], str]:
        def block(b: Builder) -> str:
            when = date_html(e.date) + (f" – {date_html(e.end)}" if e.end else "")
            line = f"• <b>{when}</b> — {esc(e.title)} {b.ref(e.cite)}"
            return line + ("\n" + quote_html(e.cite[0].quote) if quote else "")
        return block

    # ------------------------------------------------------------------ outcomes

    def _suggest(self, query: str, command: str, hits: list[Hit] | list[Candidate], best: float) -> Reply:
        lines = [say("did_you_mean", query=_short(query, ECHO_LIMIT))]
        buttons = []
        for h in hits:
            title = self.title(h.kind, h.entry_id)
            lines.append(f"• {esc(title)} <i>({say('labels.' + h.kind)})</i>")
            if btn := _button(_short(title), f"/open {self._payload(h.kind, h.entry_id)}"):
                buttons.append((btn,))
        return Reply(query, command, False, "\n".join(lines), buttons=tuple(buttons), best_score=best)

    def _nothing(self, query: str, command: str, hits: list[Hit] | list[Candidate]) -> Reply:
        lines = [say("no_match", query=_short(query, ECHO_LIMIT)), self._coverage_hint]
        close = [h for h in hits if h.score >= 40][:3]
        buttons = []
        if close:
            lines.append(say("closest"))
            for h in close:
                title, _ = self._inline_labels(h.kind, h.entry_id)
                lines.append(f"• {esc(title)} <i>({say('labels.' + h.kind)})</i>")
                if btn := _button(_short(title), f"/open {self._payload(h.kind, h.entry_id)}"):
                    buttons.append((btn,))
        best = hits[0].score if hits else 0.0
        return Reply(query, command, False, "\n".join(lines), buttons=tuple(buttons), best_score=best)

    def _plain(self, query: str, command: str, html_text: str, *, matched: bool = False) -> Reply:
        return Reply(query, command, matched, html_text)

    # ------------------------------------------------------------------ helpers

    def _command_list(self) -> str:
        return "\n".join(f"/{name} — {esc(text)}" for name, text in wording()["commands"].items())

    def _name(self, entry_id: str) -> str:
        entry = self.corpus.entry(entry_id)
        return entry.name if isinstance(entry, Actor | Place) else entry_id

    def _exists(self, kind: str, entry_id: str) -> bool:
        table = {"actor": self.corpus.actors, "place": self.corpus.places, "event": self.corpus.events,
                 "claim": self.corpus.claims, "source": self.corpus.sources}[kind]
        return entry_id in table

    def _payload(self, kind: str, entry_id: str) -> str:
        if kind == "source":
            entry_id = entry_id.split(".")[0]
        return f"{KIND_LETTER[kind]}_{entry_id}"

    def _source_buttons(self, cited: list[str]) -> list[tuple[Button, ...]]:
        """One row: '[1] source', '[2] source'… opening each cited document's card (outlet, date, perspective)."""
        row = tuple(btn for n, file in enumerate(cited, 1)
                    if (btn := _button(say("buttons.source_n", n=n), f"/source {self.corpus.sources[file].number}")))
        return [row] if row else []

    def _link_buttons(self, claim: Claim) -> list[tuple[Button, ...]]:
        rows = []
        for other_id in claim.disputes[:3]:
            other = self.corpus.claims.get(other_id)
            if other and (btn := _button(f"{say('buttons.disputed_by')}: {_short(self._name(other.claimant), 30)}",
                                         f"/open c_{other.id}")):
                rows.append((btn,))
        return rows

    def title(self, kind: str, entry_id: str) -> str:
        """A one-line name for an entry of any kind (buttons, inline results, curator reports)."""
        return self._inline_labels(kind, entry_id)[0]

    def _inline_labels(self, kind: str, entry_id: str) -> tuple[str, str]:
        if kind == "actor":
            a = self.corpus.actors[entry_id]
            return a.name, a.role
        if kind == "place":
            p = self.corpus.places[entry_id]
            return p.name, ", ".join(p.aliases[:4])
        if kind == "event":
            e = self.corpus.events[entry_id]
            return _short(f"{label(e.date)}: {e.title}", 90), e.summary
        if kind == "claim":
            c = self.corpus.claims[entry_id]
            return _short(f"{self._name(c.claimant)}: {c.paraphrase}", 90), c.quote
        s = self.corpus.sources[entry_id]
        return _short(f"{s.number}. {s.title}", 90), f"{s.outlet}, {label(s.published)}"

    def _alias_owner(self, text: str) -> str | None:
        return self._alias_ids.get(key(text))

    @cached_property
    def _alias_ids(self) -> dict[str, str]:
        ids: dict[str, str] = {}
        for entry in (*self.corpus.actors.values(), *self.corpus.places.values()):
            for alias in (entry.name, *entry.aliases):
                ids.setdefault(key(alias), entry.id)
        return ids

    @cached_property
    def _alias_names(self) -> dict[str, str]:
        """Folded alias -> canonical name, to show "Stepanakert → Khankendi" on a timeline."""
        return {alias: self._name(entry_id) for alias, entry_id in self._alias_ids.items()}

    @cached_property
    def _coverage_hint(self) -> str:
        """What the index does cover, from the corpus itself (so it stays true as documents are added)."""
        tags = Counter(t for x in (*self.corpus.events.values(), *self.corpus.claims.values()) for t in x.tags
                       if not any(ch.isdigit() for ch in t))
        topics = ", ".join(t.replace("-", " ") for t, _ in tags.most_common(6))
        first, last = self._source_span()
        return say("no_match_hint", sources=len(self.corpus.sources), first=first, last=last, topics=topics or "-")

    def _source_span(self) -> tuple[str, str]:
        sources = list(self.corpus.sources.values())
        if not sources:
            return "-", "-"
        return (label(min(sources, key=lambda s: s.published.start).published),
                label(max(sources, key=lambda s: s.published.end).published))

    @cached_property
    def _citation_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.corpus.claims.values():
            counts[c.claimant] = counts.get(c.claimant, 0) + 1
        for e in self.corpus.events.values():
            for a in e.actors:
                counts[a] = counts.get(a, 0) + 1
        return counts

    def _prominent_actors(self) -> list[Actor]:
        return sorted(self.corpus.actors.values(), key=lambda a: (-self._citation_counts.get(a.id, 0), a.name))


def _visible(text: str) -> str:
    """Drop invisible format characters (zero-width, bidi overrides) that would garble echoed text."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch == "\u200d")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
