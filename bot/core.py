"""The answer core: one function from a user's message to a cited reply.

Telegram, inline mode and the command line are thin adapters around `Engine`:
they pass what the user typed (or a button's data, or a deep-link payload) to
`Engine.answer` and send back `Reply.html`.

The flow runs one way: `understand` reads the message (intent, subject, date), the ranker and the
indexes choose the entries that answer it (here, in the `cmd_*` methods), and `bot.views` renders
them: each kind of entry renders itself, so nothing here formats an answer.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from bot import i18n
from bot.corpus import Actor, Claim, Corpus, CorpusError, Event, Place, load_corpus
from bot.dates import SEASON, DateQuery, effective_span, extract_date, timeline_order
from bot.index import STOPWORDS, Doc, Hit, SearchIndex, Tiers, query_words
from bot.normalize import key, to_ascii, words
from bot.provenance import Provenance, provenance
from bot.render import date_text, esc, fit, say, window_label
from bot.retrieve import counts, deeds, entries, epithets
from bot.retrieve.mentions import MentionFinder, named_positions, written_as_names
from bot.retrieve.rank import Candidate, Ranker, Ranking, Thresholds
from bot.retrieve.semantic import Embedder, SemanticIndex, default_cache_dir, load_embedder
from bot.translations import Translations, load_translations, localize
from bot.understand import from_today, relative, shorthand
from bot.understand.intent import Intent, bare_acronyms, guess_lang, timeline_topic, understand
from bot.understand.morph import russian_verb
from bot.views import ENTRY_TYPES, outcomes
from bot.views import actor as actor_views
from bot.views import claims as claim_views
from bot.views import source as source_views
from bot.views import timeline as timeline_views
from bot.views.base import (
    ECHO_LIMIT,
    LETTER_KIND,
    MAX_CALLBACK,
    PAYLOAD_RE,
    Button,
    InlineItem,
    Reply,
    Views,
    button,
    decode_query,
    encode_query,
    entry_names,
    short,
)

# Re-exported: the adapters and tests take the reply types from here.
__all__ = ["MAX_CALLBACK", "PAYLOAD_RE", "Button", "Engine", "InlineItem", "Reply", "decode_query", "encode_query"]

MAX_MESSAGE = 512  # characters of a message the core reads; Telegram allows 4096
PAGE = re.compile(r"\s*\bpage:(\d+)\s*$")  # "/timeline PACE page:2": the page asked for, at the end


def _synonyms() -> dict[str, tuple[str, ...]]:
    path = Path(__file__).with_name("synonyms.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    # A word in several groups stands for the words of its last one: the union widened "stop" to
    # every war's end ("full stop" answered with the disarmament) and "heads" to "chief" (measured).
    out: dict[str, tuple[str, ...]] = {}
    for group in data.get("groups", []):
        words = [str(w) for w in group]
        for w in words:
            out[w] = tuple(x for x in words if x != w)
    return out


def _name_synonyms(corpus: Corpus) -> dict[str, tuple[str, ...]]:
    """A one-word alias in another script stands for the name's words in entries that only use the
    name: "украинский конфликт" (Украина) finds the claim about "the Russia-Ukraine conflict"."""
    out: dict[str, tuple[str, ...]] = {}
    for entity in [*corpus.actors.values(), *corpus.places.values()]:
        name = tuple(query_words(entity.name))
        if len(name) != 1:
            continue
        for alias in entity.aliases:
            said = query_words(alias)
            if len(said) == 1 and said[0] != name[0]:
                out.setdefault(said[0], name)
    return out


def _checked_mark(corpus_version: str) -> Path | None:
    """Where a passed attribution check of the translations is remembered: keyed by the corpus (every
    brief and seed) and by the code that checks it (a new rule checks again)."""
    code = hashlib.sha256()
    here = Path(__file__).parent
    for part in ("translations.py", "normalize.py", "retrieve/mentions.py", "understand/morph.py"):
        try:
            code.update((here / part).read_bytes())
        except OSError:
            return None
    return default_cache_dir() / "checked" / f"translations-{corpus_version}-{code.hexdigest()[:12]}"


NAMED = 0.5  # the share of an entry's name a query must hold for "what is X" to be that actor or place


class Engine:
    """Loads and validates the corpus once; answers messages."""

    def __init__(self, corpus: Corpus, tiers: Tiers | None = None, *, embedder: Embedder | str | None = "env",
                 cache_dir: Path | None = None, translations: Translations | None = None) -> None:
        self.corpus = corpus
        self.translations = translations or Translations()
        self.tiers = tiers or Tiers()
        self.index = SearchIndex(self._docs(), synonyms={**_name_synonyms(corpus), **_synonyms()})
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
                             written_as_names(list(corpus.texts.values())),
                             claimants={c.id: c.claimant for c in corpus.claims.values()},
                             states=frozenset(a.id for a in corpus.actors.values() if a.kind == "state"),
                             actor_kinds={a.id: a.kind for a in corpus.actors.values()},
                             authors={g: frozenset(ids) for g, ids in entries.authors(corpus).items()},
                             capitals=frozenset(p.id for p in corpus.places.values() if p.stands_for),
                             topics=entries.topic_tags(corpus, Thresholds().generic_share),
                             translated=self._translated_index, translated_texts=self._translated_texts,
                             statements=entries.statements(corpus), role_states=entries.role_states(corpus))
        self._views = {i18n.DEFAULT: Views(corpus, self.timeline, self.index, ENTRY_TYPES)}
        self.provenance: Provenance | None = None  # set by `load`: the index version and "curated as of"
        self.warming: threading.Thread | None = None  # set by `load`: builds what first answers would pay for

    @classmethod
    def load(cls, briefs_dir: Path, seeds_dir: Path, **options: object) -> Engine:
        """Raises CorpusError (with every problem) on an invalid corpus or translation: the bot never
        starts on one."""
        version = provenance(Path(briefs_dir), Path(seeds_dir))  # hashed first: what was read is at least this new
        corpus = load_corpus(Path(briefs_dir), Path(seeds_dir))
        mark = _checked_mark(version.version)
        checked = mark is not None and mark.exists()
        translations = load_translations(Path(briefs_dir), corpus, attribution_checked=checked)
        if translations.problems:
            raise CorpusError(translations.problems)
        if mark is not None and not checked:
            try:
                mark.parent.mkdir(parents=True, exist_ok=True)
                mark.touch()
            except OSError:
                pass  # a read-only cache folder costs start-up time, nothing else
        engine = cls(corpus, translations=translations, **options)  # type: ignore[arg-type]
        engine.provenance = version
        engine.warming = threading.Thread(target=engine.ranker.warm, name="warm-polarity", daemon=True)
        engine.warming.start()
        return engine

    # ------------------------------------------------------------------ languages

    @property
    def views(self) -> Views:
        """The views of the answer's language: the corpus as its readers see it (bot.translations)."""
        lang = i18n.current()
        views = self._views.get(lang)
        if views is None:
            local = localize(self.corpus, self.translations.get(lang))
            timeline = [local.events[e.id] for e in self.timeline]
            views = self._views.setdefault(lang, Views(local, timeline, self.index, ENTRY_TYPES))
        return views

    def _local(self, items: list[Any]) -> list[Any]:
        """Entries chosen from the (English) corpus, as the answer's language shows them."""
        corpus = self.views.corpus
        return items if corpus is self.corpus else [corpus.entry(x.id) for x in items]


    # ------------------------------------------------------------------ index

    def _aliases(self, ids: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for i in ids:
            entry = self.corpus.entry(i)
            if isinstance(entry, Actor | Place):
                out.extend(entry.spellings[1:])
        return out

    def _docs(self) -> list[Doc]:
        c = self.corpus
        docs: list[Doc] = []
        for a in c.actors.values():
            docs.append(Doc(a.id, "actor", names=list(a.spellings), titles=[a.role],
                            texts=[*(r.summary for r in a.record), *([a.note] if a.note else [])]))
        for p in c.places.values():
            docs.append(Doc(p.id, "place", names=list(p.spellings), texts=[p.note] if p.note else []))
        for e in c.events.values():
            docs.append(Doc(e.id, "event", titles=[e.title, *entry_names(c, e.places), *self._aliases(e.places)],
                            texts=[e.summary, *e.tags, *entry_names(c, e.actors), *self._aliases(e.actors),
                                   *(q.quote for q in e.cite)]))
        for cl in c.claims.values():
            docs.append(Doc(cl.id, "claim", titles=[cl.paraphrase, *cl.asked_as],
                            texts=[cl.quote, *cl.tags, *entry_names(c, (cl.claimant, *cl.about))]))
        return docs

    def _translated_index(self) -> SearchIndex | None:
        docs = self._translated_docs()
        return SearchIndex(docs, synonyms=_synonyms()) if docs else None

    def _translated_texts(self, kind: str, entry_id: str) -> list[str]:
        """An entry's reviewed Russian and Azerbaijani paraphrase, quote gloss, title and summary."""
        fields = {"event": ("title", "summary", "glosses"), "claim": ("paraphrase", "gloss")}.get(kind, ())
        return self._translated_fields(kind + "s", entry_id, fields)

    def _translated_fields(self, section: str, entry_id: str, fields: tuple[str, ...]) -> list[str]:
        """These fields of an entry in every language's translation file (a list field item by item)."""
        out: list[str] = []
        for language in self.translations.languages.values():
            got = language.entries.get(section, {}).get(entry_id) or {}
            for f in fields:
                value = got.get(f)
                if isinstance(value, list):
                    out.extend(str(v) for v in value if v)
                elif value:
                    out.append(str(value))
        return out

    def _translated_docs(self) -> list[Doc]:
        """Each entry's reviewed Russian and Azerbaijani texts, for the words a question in either
        language shares with the entry it means ("трёхстороннее заявление"). Evidence beside a
        match by meaning only: a name is still found by the main index, and a question's words
        all found in a translation never make an answer by words alone (its one verb may say the
        opposite: "Milli Məclis Lüksemburq qətnaməsini alqışlayıb")."""
        fields = {"events": ("title", "summary"), "claims": ("paraphrase", "quote"), "actors": ("role", "note"),
                  "places": ("note",)}
        docs: list[Doc] = []
        for section, names in fields.items():
            for entry_id in getattr(self.corpus, section):
                texts = self._translated_fields(section, entry_id, names)
                if texts:
                    docs.append(Doc(entry_id, section[:-1], texts=texts))
        return docs

    # ------------------------------------------------------------------ entry point

    def answer(self, message: str, *, full: bool = False, lang: str | None = None) -> Reply:
        """`message` is what the user typed ("/actor aliev", "/start a_aliyev", a button's data); the reply
        speaks `lang` (when None, the language the caller set with `i18n.speaking`, else English)."""
        if lang is not None:
            with i18n.speaking(lang):
                return self.answer(message, full=full)
        text = " ".join(_visible(message or "")[:MAX_MESSAGE].split())
        if not text:
            return outcomes.plain(text, "help", say("empty_message"))
        reply = self._dispatch(shorthand.expand(text), full)
        html = reply.html
        if full and reply.sources and self.provenance is not None:
            # Full replies name the index they came from, so two answers from two versions can be told apart.
            html += "\n" + say("provenance.footer", version=self.provenance.version,
                                curated=self.provenance.curated_text)
        return replace(reply, query=text, html=fit(html))

    def _dispatch(self, text: str, full: bool) -> Reply:
        intent = understand(text)
        if intent.greeting:
            wording = "thanks_html" if intent.thanks else "greeting_html"
            return outcomes.plain(text, "help", say(wording, bot=self.bot_username), matched=True)
        if not text.startswith("/"):
            return self._question(intent, text, full)
        head, _, rest = text.partition(" ")
        command = head[1:].split("@", 1)[0].lower()
        rest = rest.strip()
        if command in ("actor", "claim") and intent.subject:
            rest = intent.subject  # "/actor кто такая Гафарова" asks for Гафарова
        if command == "timeline":
            # "/timeline what happened on 20 November 2024" asks for that day (a page asked for stays)
            page = PAGE.search(rest)
            asked = understand(f"/timeline {rest[:page.start()]}") if page else intent
            if asked.question and asked.subject:
                rest = f"{asked.subject} {page[0].strip()}" if page else asked.subject
        if command == "actor" and intent.question and intent.command == "said":
            return self.said(intent.subject, intent.about, full)
        handlers: dict[str, Callable[[str, bool], Reply]] = {
            "timeline": self.cmd_timeline, "actor": self.cmd_actor, "claim": self.cmd_claim,
            "sources": self.cmd_sources, "source": self.cmd_source, "about": self.cmd_about,
            "help": self.cmd_help, "start": self.cmd_start, "open": self.cmd_open,
        }
        handler = handlers.get(command)
        if handler is None:
            return outcomes.plain(text, "unknown", say("unknown_command") + "\n" + outcomes.command_list())
        return handler(rest, full)

    def _question(self, intent: Intent, text: str, full: bool) -> Reply:
        """A plain message: a question ("кто такая Гафарова?", "what did Karimli say?") or words to search."""
        subject = intent.subject
        if intent.command in ("help", "sources", "about"):
            return {"help": self.cmd_help, "sources": self.cmd_sources, "about": self.cmd_about}[intent.command](
                "", full)
        if not subject:
            return outcomes.plain(text, "help", say("empty_message"))
        if intent.command == "who":
            return self._search_command(subject, "actor", ("actor", "place"), full)
        if intent.command == "what":
            # "what is PACE" is the assembly; "what is the Great Return" a programme the sources tell of in
            # events and claims, not the people it is for: a name or alias answers as an actor or place,
            # anything else is the best entry of any kind.
            named = self.index.search(subject, kinds=("actor", "place"), limit=1)
            if named and named[0].named >= NAMED:
                return self._search_command(subject, "actor", ("actor", "place"), full)
            return self.search_any(subject, full=full)
        if intent.command == "said":
            return self.said(subject, intent.about, full)
        if intent.command == "timeline":
            return self.cmd_timeline(subject, full)
        if intent.command == "why":
            return self._why(f"{subject} {intent.about}" if intent.about else subject, full)
        if intent.command == "claim":
            return self.cmd_claim(subject, full)
        return self.search_any(text, full=full)  # no question recognised: the words as typed

    def _why(self, subject: str, full: bool) -> Reply:
        """"why did Azerbaijan stop cooperating with PACE?": the reason is what a party says of it (the
        delegation's "atmosphere of racism …"). Where no claim answers, the entry that does is shown
        under a line saying the sources give no reason ("why was COP29 held in Baku?")."""
        said = self.cmd_claim(subject, full)
        payload = said.share_payload or ""
        if said.matched and payload.startswith("c_"):
            return said
        if said.matched:  # an event, under the claim command's "no party's claim matches" line: one line is enough
            found = replace(said, html=said.html.partition("\n")[2])
        else:
            found = self.search_any(subject, full=full)
            if not found.matched:
                return said
        return replace(found, html=f"<i>{say('why_unsaid')}</i>\n{found.html}")

    def inline(self, query: str, limit: int = 20, lang: str | None = None) -> list[InlineItem]:
        """Entries for inline mode: the best matches of any kind, or a starting list for an empty query."""
        if lang is not None:
            with i18n.speaking(lang):
                return self.inline(query, limit)
        query = shorthand.expand(" ".join(_visible(query)[:MAX_MESSAGE].split()))
        items: list[InlineItem] = []
        when, topic = extract_date(query) if query else (None, "")
        if when is not None:
            # "PACE 2024": the timeline of that topic and window first, then its events one by one.
            reply = self.cmd_timeline(query, False)
            if reply.matched:
                items.append(timeline_views.inline_item(query, reply))
        if query:
            hits: list[Hit] | list[Candidate] = [h for h in self.index.search(topic or query, limit=limit)
                                                 if h.score >= self.tiers.near]
            if not hits:
                ranking = self.ranker.rank(topic or query)
                hits = ranking.candidates[:5] if ranking.outcome == "answer" else []
            ids = [(h.kind, h.entry_id) for h in hits]
            if when is not None:
                ids = [(k, i) for k, i in ids if k != "event" or self._in_range(self.corpus.events[i], when)]
        else:
            ids = [("actor", a.id) for a in self.views.prominent_actors()[:6]]
            ids += [("event", e.id) for e in self.timeline[-4:][::-1]]
            ids += [("source", s.file) for s in self.corpus.sources_in_order()]
        items.extend(self.views.inline_item(kind, entry_id) for kind, entry_id in ids[: limit - len(items)])
        return items

    def view(self, kind: str, entry_id: str, *, full: bool, typed: str | None = None, via: str | None = None) -> Reply:
        """The reply for one entry, as opened from a search, a button, a deep link or inline mode."""
        return self.views.view(kind, entry_id, full=full, typed=typed)

    def title(self, kind: str, entry_id: str) -> str:
        """A one-line name for an entry of any kind (buttons, inline results, curator reports)."""
        return self.views.title(kind, entry_id)

    # ------------------------------------------------------------------ commands

    def cmd_help(self, rest: str, full: bool) -> Reply:
        return outcomes.plain("/help", "help", say("help_html", bot=self.bot_username), matched=True)

    def cmd_start(self, rest: str, full: bool) -> Reply:
        if rest and PAYLOAD_RE.match(rest):
            if rest.startswith("q"):
                message = decode_query(rest)
                if message and message.startswith("/") and not message.startswith("/start"):
                    return self.answer(message, full=full)
            elif rest[:2] in {f"{letter}_" for letter in LETTER_KIND}:
                return self.cmd_open(rest, full)
        return outcomes.start(self.views, self.bot_username)

    def cmd_about(self, rest: str, full: bool) -> Reply:
        model = self.semantic.embedder.name if self.semantic is not None else None
        reply = outcomes.about(self.views, model, self.semantic_off_reason)
        if self.provenance is None:
            return reply
        line = say("provenance.about", version=self.provenance.version, curated=self.provenance.curated_text)
        return replace(reply, html=f"{reply.html}\n{line}")

    def cmd_sources(self, rest: str, full: bool) -> Reply:
        return source_views.source_list(self.views)

    def cmd_source(self, rest: str, full: bool) -> Reply:
        """`/source <id>` (what buttons carry; a file stem or a declared short id), or `/source 2`, the
        number shown by /sources, as a convenience."""
        if not rest:
            return outcomes.plain(rest, "source", say("command_help.source"))
        match = self.corpus.source_by_ref(rest)
        if match is None:
            return outcomes.plain(rest, "source", say("errors.bad_source_number", n=rest,
                                                      count=len(self.corpus.sources)))
        return self.view("source", match.file, full=True)

    def cmd_open(self, rest: str, full: bool) -> Reply:
        rest, _, listing = rest.partition(" ")  # "a_gafarova said:2": a page of one of an actor's lists
        letter, _, entry_id = rest.partition("_")
        kind = LETTER_KIND.get(letter)
        if kind == "source":
            # A stable id or, for links made before ids, a file stem; never a position.
            found = None if entry_id.isdigit() else self.corpus.source_by_ref(entry_id)
            entry_id = found.file if found else ""
        if kind is None or not self._exists(kind, entry_id):
            return outcomes.plain(rest, "open", say("errors.gone"))
        if kind == "actor" and (m := re.fullmatch(r"(said|about|events):(\d{1,4})", listing.strip())):
            return actor_views.listing(self.views, entry_id, m[1], int(m[2]), full)
        return self.view(kind, entry_id, full=full)

    def cmd_actor(self, rest: str, full: bool) -> Reply:
        if not rest:
            return outcomes.plain(rest, "actor", say("command_help.actor"))
        return self._search_command(rest, "actor", ("actor",), full)

    def cmd_claim(self, rest: str, full: bool) -> Reply:
        if not rest:
            return outcomes.plain(rest, "claim", say("command_help.claim"))
        return self._search_command(rest, "claim", ("claim",), full)

    def said(self, who: str, about: str | None, full: bool) -> Reply:
        """"What did Karimli say (about Y)?": the actor's own claims, newest first, or those on Y."""
        if about:
            who, about = self._split_speaker(who, about)
        elif len(who.split()) > 1 and self._only_entity(who) is None:
            # "Fazil Mustafa Turan agentliyinə nə dedi?": the speaker, then whom they told (dropped).
            parts = who.split()
            for k in range(len(parts) - 1, 0, -1):
                if self._only_entity(" ".join(parts[:k])) in self.corpus.actors and \
                        self._only_entity(" ".join(parts[k:])) is not None:
                    who = " ".join(parts[:k])
                    break
        ranking = self.ranker.rank(who, ("actor",), semantic=False)
        best = ranking.best
        if ranking.outcome != "answer" or best is None:
            return self._search_command(who, "actor", ("actor",), full)
        actor = self.corpus.actors[best.entry_id]
        authors = {actor.id, *actor.part_of}  # Gafarova said what the appeal she adopted says
        claims = sorted((c for c in self.corpus.claims.values() if c.claimant in authors),
                        key=lambda c: (c.date.start, c.id), reverse=True)
        found_about = True
        if about and claims:
            topic = self.ranker.rank(about, ("claim",))
            t = self.ranker.t
            # A topic in Russian or Azerbaijani lies further from English claims: the same offset as answers.
            offset = t.offset(guess_lang(about))
            theirs = {x.id for x in claims}
            on_topic = [c for c in topic.candidates if c.entry_id in theirs
                        and (c.lexical >= self.tiers.near or c.semantic + offset >= t.sem_answer_wide)]
            if on_topic:
                # The claims closest to the topic first: "what did the Milli Majlis say about the
                # Luxembourg parliament" leads with what it said of that parliament, not its latest words.
                order = {c.entry_id: n for n, c in enumerate(on_topic)}
                claims = sorted((c for c in claims if c.id in order), key=lambda c: order[c.id])
            else:
                found_about = False
        if about and (entity := self._only_entity(about)):
            about = self.views.name(entity)  # "о Госдепе" is headed by its name: "Госдепартамент США"
        return claim_views.said(self.views, who, self._local([actor])[0], self._local(claims), about, found_about,
                                full, best.score)

    def _split_speaker(self, who: str, about: str) -> tuple[str, str]:
        """Where the speaker's name ends: "Xarici İşlər Nazirliyi Laçın … haqqında nə dedi" reads as
        "Xarici" and "İşlər Nazirliyi Laçın …" by its pattern; the longest run of leading words that
        names one actor is the speaker."""
        parts = f"{who} {about}".split()
        for k in range(len(parts) - 1, len(who.split()), -1):
            entity = self._only_entity(" ".join(parts[:k]))
            if entity in self.corpus.actors:
                return " ".join(parts[:k]), " ".join(parts[k:])
        return who, about

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
                ordered = self._local(ordered)
                return claim_views.argument(self.views, query, ordered[:1], full, None, ordered[1:], entity=entity)
        ranking = self.ranker.rank(query, kinds)
        hits = ranking.candidates
        outcome = ranking.outcome
        best = ranking.best
        if kinds != ("claim",) and (shared := self._generic_word(query)):
            # "/actor parliament": a word in the names of several entries is never answered with one guess.
            word, owners = shared
            order = {o: n for n, o in enumerate(owners)}  # names first, then event titles, then roles
            closest = {h.entry_id: n for n, h in enumerate([*self.index.search(query, limit=50), *hits])}
            word_key = query_words(word)[0]
            tier = {o: next(n for n, t in enumerate(self._name_words) if word_key in t.get(o, ())) for o in owners}
            ranked = [self._candidate(o) for o in sorted(owners, key=lambda o: (tier[o], closest.get(o, 999),
                                                                                 order[o]))]
            reply = outcomes.suggest(self.views, query, command, ranked[:3], hits[0].score if hits else 0.0)
            why = say("analysis.generic_word", word=short(word, ECHO_LIMIT), n=len(owners))
            rest = reply.html.partition("\n")[2]
            return replace(reply, html=f"{why}\n{rest}" if rest else why)
        if command == "actor" and (epithet := epithets.find(self._epithets, query)):
            # "/actor the aggressor state", "государство-агрессор": a party's word for an actor, never
            # an answer by the words "state" or "государство" alone.
            return self._epithet_reply(query, epithet, full)
        if (outcome == "answer" and ranking.basis == "lexical" and best is not None
                and best.kind in ("actor", "place") and best.named < 0.5
                and (best.coverage < 0.85 or self._alias_owner(query) not in (None, best.entry_id))
                and not self._named_side(query, hits)):
            # An actor or place is answered by its name, or by a description of it that is not itself
            # another entry's name: "/actor Khankendi" must not open the EU, whose role mentions the
            # Aghdam-Khankendi road. The entries its words describe are offered, not entries of another kind.
            return outcomes.suggest(self.views, query, command, hits[:3], best.score)
        deed_text = _deed_or_name(query) if command == "actor" else query
        if (outcome == "answer" and ranking.basis == "semantic" and command == "actor"
                and (deed := deeds.find(self.ranker, self.corpus, deed_text))
                and not (best is not None and len(deed.actors) > 1 and best.entry_id in deed.actors)):
            # (one of several the deed may mean, and the answer by meaning: that answer stands, "страна,
            # распавшаяся в 1991 году" is the Soviet Union, not a list with Azerbaijan first)
            # A description of a deed ("кто поднял флаг в Ханкенди") lies near many roles by meaning;
            # the event or claim it describes names who did it.
            return self._deed_reply(query, deed, hits, command, full)
        if outcome == "answer" and best is not None:
            if best.kind == "claim":
                claims = [best, *(h for h in hits[1:] if h.kind == "claim" and self._confident(h, ranking))]
                on_topic = [self.corpus.claims[c.entry_id] for c in ranking.candidates
                            if c.kind == "claim" and self._on_topic(c)]
                chosen = [self.corpus.claims[c.entry_id] for c in claims]
                chosen, on_topic = self._local(chosen), self._local(on_topic)
                reply = claim_views.argument(self.views, query, chosen, full, ranking, on_topic, score=best.score)
            else:
                reply = self.view(best.kind, best.entry_id, full=full, typed=query, via=best.via)
                reply = Reply(**{**reply.__dict__, "command": command, "best_score": best.score})
            if ranking.basis in ("count", "semantic", "lexical") and (figure := self._figure(query, best)):
                # "how many congressmen signed the letter?": the figure first, in the source's own words.
                reply = replace(reply, html=f"<i>{say('figure_found', figure=esc(figure))}</i>\n{reply.html}")
            return reply
        if command == "actor" and ranking.basis != "unknown-name" and (deed := deeds.find(self.ranker, self.corpus,
                                                                                          deed_text)):
            # "who hoisted the flag in Khankendi": whoever made the claim or took part in the event described.
            return self._deed_reply(query, deed, hits, command, full)
        if command == "claim" and ranking.basis != "unknown-name":
            # "/claim Baku held three meetings with Karabakh Armenians": no party claims it, the
            # sources report it as an event. The event answers, under a line saying so, when its own
            # words do: by meaning alone, an event is a topic, and "Armenia withdrew all its troops"
            # lies as near the disarmament event as a true paraphrase does (measured: 9 negatives).
            events = self.ranker.rank(query, ("event",))
            if events.outcome == "answer" and (event := events.best) is not None \
                    and (events.basis == "lexical" or self._translation_words(query, event.entry_id)) \
                    and not self.ranker.denied_by(query, (c.entry_id for c in hits[:5] if c.kind == "claim")):
                reply = self.view("event", event.entry_id, full=full, typed=query, via=event.via)
                note = say("claim_is_event", query=short(query, ECHO_LIMIT))
                return replace(reply, html=f"<i>{note}</i>\n{reply.html}", command=command, best_score=event.score)
        if kinds is not None and ranking.basis != "unknown-name":
            # Nothing of the asked kind; an entry of another kind may be what the user meant.
            other = [h for h in self.index.search(query, limit=8) if h.kind not in kinds]
            if other and self.tiers.outcome(other) == "answer":
                return outcomes.suggest(self.views, query, command, other[:3], hits[0].score if hits else 0.0)
        if outcome == "suggest":
            return outcomes.suggest(self.views, query, command, hits[:3], hits[0].score)
        return outcomes.nothing(self.views, query, command, hits)

    @cached_property
    def _epithets(self) -> list[epithets.Epithet]:
        return epithets.epithets(self.corpus, self.ranker.mentions, self.ranker.translated_texts)

    def _epithet_reply(self, query: str, epithet: epithets.Epithet, full: bool) -> Reply:
        """"/actor təcavüzkar dövlət": the actor a party calls so, under a line saying it is that
        party's word, with a button to the claim that says it."""
        reply = self.view("actor", epithet.actor, full=full)
        label = epithet.label_in(i18n.current())  # the curated words in the reply's language, never the user's
        note = say("epithet_of", label=esc(short(label, ECHO_LIMIT)), who=esc(self.views.name(epithet.claimant)),
                   name=esc(self.views.name(epithet.actor)))
        claim = self.views.corpus.entry(epithet.claim)
        row = tuple(b for b in (button(short(claim.paraphrase), f"/open c_{epithet.claim}"),) if b)
        return replace(reply, html=f"<i>{note}</i>\n{reply.html}", command="actor",
                       buttons=(row, *reply.buttons) if row else reply.buttons)

    def _deed_reply(self, query: str, deed: deeds.Deed, hits: list[Candidate], command: str, full: bool) -> Reply:
        if len(deed.actors) <= 1:
            reply = self.view("actor", deed.actors[0], full=full) if deed.actors else \
                self.view(deed.kind, deed.entry_id, full=full)  # the event, which does not say who did it
            local = self.views.corpus.entry(deed.entry_id)  # the title as the answer's language reads it
            title = getattr(local, "title", None) or getattr(local, "paraphrase", None) or deed.title
            via = say("matched_via", typed=short(query, ECHO_LIMIT), name=short(title, ECHO_LIMIT))
            if not deed.actors:
                # "кто объявил 76 депутатов ПАСЕ персонами нон грата?": the event is what the sources
                # hold, and they do not say who; the reply says so before showing it.
                via = f"{say('deed_nobody')}\n{via}"
            return replace(reply, html=f"<i>{via}</i>\n{reply.html}", command=command,
                           best_score=hits[0].score if hits else 0.0)
        offered = [Hit(a, "actor", hits[0].score if hits else 0.0, 0.0, "") for a in deed.actors[:3]]
        return outcomes.suggest(self.views, query, command, offered, offered[0].score)

    def _figure(self, query: str, best: Candidate) -> str | None:
        """The words of the entry's quotes (verbatim, so in the source's words in every language)
        that give the figure a count question asks for."""
        stop = self.ranker.stopwords()
        count = self.ranker.count_given(query, best)
        if count is None:
            return None  # an entry that gives no figure of what is asked shows none
        entry = self.corpus.entry(best.entry_id)
        quotes = [entry.quote] if isinstance(entry, Claim) else [c.quote for c in getattr(entry, "cite", ())]
        # "went missing": what the question says of them places the figure ("died" as "killed" too)
        synonyms = self.index.synonyms
        said = tuple(frozenset({*f, *(syn for w in f for syn in synonyms.get(w, ()))}) for f in count.rest)
        found = [f for q in quotes if (f := counts.figure_phrase(q, count.counted, said))]
        english = max(found, key=lambda f: f[1]) if found else None
        if english and (english[1] or not said):
            return english[0]
        # "сколько политзаключённых назвал Каримли?", "… пропали без вести": found in the reviewed
        # translation, shown as the source words the same figure.
        for text in self.ranker.translated_texts(best.kind, best.entry_id):
            got = counts.figure_phrase(text, count.counted, said)
            value = counts.figure_value(got[0]) if got and (got[1] or not english) else ""
            if value and counts.occurrences(text, value) > 1:
                continue  # "34 500 семьям … 34 500 квартир": the quote's one 34,500 is the families
            if value and (shown := next((f for q in quotes if (f := counts.figure_at(q, value, stop))), None)):
                return shown
        return english[0] if english else None

    def _confident(self, c: Candidate, ranking: Ranking) -> bool:
        if c.lexical >= self.tiers.confident:
            return True
        t = self.ranker.t
        lead = ranking.best.semantic if ranking.best else 1.0
        return ranking.basis == "semantic" and c.consistent and c.semantic >= max(t.sem_answer_wide, lead - 0.015)

    def cmd_timeline(self, rest: str, full: bool, *, counted_from_today: bool = False) -> Reply:
        today = date.today()
        if not counted_from_today and (counted := from_today.anchor(rest, today)) is not None:
            # "last year", "в прошлом сентябре": the date it means today, in the reader's language, and
            # the reply says so (the same words mean another date next year).
            period = str(counted.start.year) if counted.period == "year" else i18n.month_date(counted.start, "month")
            note = say("date_from_today", phrase=short(counted.phrase, ECHO_LIMIT), date=period,
                       today=i18n.month_date(today, "day"))
            written = " ".join(f"{rest[:counted.begin]} {period} {rest[counted.end:]}".split())
            if extract_date(written)[0] is None:
                written = counted.text  # the English form is always read
            reply = self.cmd_timeline(written, full, counted_from_today=True)
            return replace(reply, html=f"<i>{note}</i>\n{reply.html}")
        page = 1
        if m := PAGE.search(rest):
            page = max(1, int(m[1]))
            rest = rest[: m.start()].strip()
        when, topic = extract_date(rest)
        topic = timeline_topic(topic)
        if when is None and (rel := relative.parse(rest)) is not None:
            return self._relative_timeline(rest, rel, page, full)
        notice = ""
        if when is not None and when.reading == SEASON:  # "“winter 2024” read as December 2023 – February 2024"
            notice = say("date_season", phrase=short(when.text, ECHO_LIMIT),
                         range=window_label(when.start, when.end, ""))
        elif when is not None and when.reading:  # "read as month/day: 3 October 2024", in the answer's language
            reading = i18n.phrase("dates.read_month_first").format(date=i18n.month_date(when.start, "day"))
            notice = say("date_reading", reading=reading)
        best = 100.0
        shown = window_label(when.start, when.end, when.text) if when is not None else ""
        if topic:
            chosen, best, hits = self._topic_events(topic)
            if not chosen and (bare := bare_acronyms(topic)) != topic:  # "AŞPA-da": PACE, in Azerbaijani
                chosen, best, hits = self._topic_events(bare)
            events = [e for e in self.timeline if e.id in chosen]
            if when is not None:
                dated = self._in_window(events, when)
                if not dated and not counted_from_today and not when.text.strip().isdigit() \
                        and when.month_day is None and (when.start, when.end) == (
                            date(when.start.year, 1, 1), date(when.start.year, 12, 31)):
                    # "когда закончилась война 2020 года?": meaning chose the war the topic alone is
                    # nearest (1994); with its year the topic means the 2020 war and its end.
                    chosen_year, _, _ = self._topic_events(rest)
                    dated = self._in_window([e for e in self.timeline if e.id in chosen_year], when)
                if not dated and not counted_from_today and when.text.strip().isdigit():
                    # "mines produced in 2021": a bare year may be part of the topic, not a filter
                    # ("2025-ci ildə", "в 2019 году", "May 2021" are dates, said as dates).
                    chosen_all, _, _ = self._topic_events(rest)
                    events = [e for e in self.timeline if e.id in chosen_all]
                    if events:
                        notice = say("date_ignored", topic=short(topic, ECHO_LIMIT), range=shown,
                                     full=short(rest, ECHO_LIMIT))
                else:
                    events = dated
            if not events and when is not None and chosen:
                return timeline_views.not_at_that_date(rest, topic, shown, best)
            if not events and when is None:
                # "/timeline Russia-Ukraine conflict": no event is about it, but a party's claim is;
                # the claims answer, under a line saying there are no events.
                said = self._search_command(topic, "claim", ("claim",), full)
                if said.matched:
                    note = say("timeline_claims_only", topic=short(topic, ECHO_LIMIT))
                    return replace(said, html=f"<i>{note}</i>\n{said.html}", command="timeline")
            if not events:
                if hits and hits[0].score >= self.tiers.near:
                    return outcomes.suggest(self.views, topic, "timeline", hits[:3], best)
                other = [h for h in self.index.search(topic, limit=8) if h.kind != "event"]
                if other and self.tiers.outcome(other) == "answer" and other[0].kind in ("actor", "place"):
                    return outcomes.suggest(self.views, topic, "timeline", other[:3], best)
                return outcomes.nothing(self.views, rest, "timeline", hits)
        elif when is not None:
            events = self._in_window(list(self.timeline), when)
            if not events:
                return timeline_views.nothing_in_window(self.views, rest, shown)
            if said := self._said_in_event(rest):
                # "/timeline until 2025": a window, and also the words of an event ("… would deprive it
                # of the right to vote until 2025"), which may be what was meant.
                notice = f"{notice}\n{said}" if notice else said
        else:
            events = list(self.timeline)
        if topic and (name := self._alias_names.get(key(topic))) and key(name) != key(topic):
            via = say("matched_via", typed=short(topic, ECHO_LIMIT), name=name)
            notice = f"{via}\n{notice}" if notice else via
        overlapping = self._window_only(events, when)
        only_overlapping = when is not None and bool(events) and len(overlapping) == len(events)
        # An event known only to a coarser period ("late 2026" for "Dec 2026") may fall in the window:
        # an answer, with the notice. Spans that merely hold the window are context only.
        spans_only = only_overlapping and all(e.end is not None for e in events)
        if when is not None and only_overlapping:
            about = i18n.phrase("topic_part").format(topic=short(topic, ECHO_LIMIT)) if topic else ""
            only = say("spans_only" if spans_only else "only_overlapping", topic_part=about, range=shown)
            notice = f"{notice}\n{only}" if notice else only
        reply = timeline_views.timeline(self.views, rest, self._local(events), page, full, notice, best, overlapping,
                                        paging=self._paging_query(rest, topic, when),
                                        within=self._wholly_within(events, when))
        # Nothing is dated in the window asked for: the spans around it are context, not an answer
        # (and the query log counts the question as a gap); so are events whose date is known only
        # to a period far longer than the window ("between November 2020 and July 2023" for March
        # 2022). "late 2026" for "Dec 2026" is a plausible answer.
        vague = only_overlapping and when is not None and not any(
            e.end is None and _span_days(e) <= 4 * ((when.end - when.start).days + 1) for e in events)
        return replace(reply, matched=False) if spans_only or vague else reply

    def _said_in_event(self, text: str) -> str:
        """'“until 2025” also occurs in: <event title>' when the words typed, two or more, occur as
        they are in one event's title or summary (the first such event); else ''."""
        typed = key(text)
        if len(typed.split()) < 2:
            return ""
        for event in self.timeline:
            local = self.views.corpus.entry(event.id)
            if any(f" {typed} " in f" {key(t)} " for t in (event.title, event.summary or "", local.title,
                                                           getattr(local, "summary", None) or "")):
                return say("words_in_event", words=short(text, ECHO_LIMIT), title=esc(short(local.title, 90)))
        return ""

    def _relative_timeline(self, rest: str, rel: relative.Relative, page: int, full: bool) -> Reply:
        """"two days before the MPs wrote to Bayramov": the events of the day counted from the event
        the words describe, saying which event and date the count started from. An event known only
        to the month or the year gives no day: said so, and it is offered."""
        ranking = self.ranker.rank(rel.anchor, ("event",))
        hits = ranking.candidates
        if not hits or (ranking.outcome == "none" and hits[0].score < self.tiers.near):
            return outcomes.nothing(self.views, rest, "timeline", hits)
        anchor = self.corpus.events[hits[0].entry_id]
        title = self._local([anchor])[0].title
        if anchor.date.precision != "day":
            text = say("relative_imprecise", anchor=title, anchor_date=date_text(anchor.date))
            return outcomes.suggest(self.views, rest, "timeline", hits[:3], hits[0].score, lead=text)
        day = anchor.date.start + timedelta(days=rel.days)
        when = DateQuery(day, day, i18n.month_date(day, "day"))
        # A day counted from an inferred date is as inferred as the date it was counted from.
        counted = date_text(replace(anchor.date, start=day, end=day, value=day.isoformat()))
        notice = say("relative_reading", anchor=title, anchor_date=date_text(anchor.date), date=counted)
        events = [e for e in self._in_window(list(self.timeline), when) if e.id != anchor.id]
        if not events:
            reply = timeline_views.nothing_in_window(self.views, rest, when.text)
            return replace(reply, html=f"<i>{notice}</i>\n{reply.html}")
        return timeline_views.timeline(self.views, rest, self._local(events), page, full, notice, hits[0].score,
                                       self._window_only(events, when), paging=self._paging_query(rest, "", None))

    def _paging_query(self, rest: str, topic: str, when: DateQuery | None) -> str:
        """The query paging buttons carry: as typed when it fits Telegram's 64 bytes, else the entity's
        own name, else the words transliterated (the index folds them alike), so a long Cyrillic topic
        still has its "Later" button."""
        if len(f"/timeline {rest} page:999".encode()) <= MAX_CALLBACK:
            return rest
        date_text = f" {when.text}" if when is not None else ""
        if topic and (entity := self._only_entity(topic)):
            return f"{self._views[i18n.DEFAULT].name(entity)}{date_text}".strip()  # the English: fewer bytes
        return f"{to_ascii(topic)}{date_text}".strip()

    def _topic_events(self, topic: str) -> tuple[set[str], float, list[Candidate]]:
        """Events about a topic, the best score, and the candidates (for "did you mean").

        A topic that names entities ("Karabakh", "Qarabağ", "Карабах", "PACE Karabakh") gives the
        events those entities are part of, whatever the spelling: every alias gives the same set.
        Other topics are matched by words, and by meaning when words find nothing confidently."""
        if wanted := self._only_entities(topic):
            chosen = {e.id for e in self.timeline if wanted <= self.ranker.related.get(("event", e.id), frozenset())}
            if chosen:
                return chosen, 100.0, []
        ranking = self.ranker.rank(topic, ("event",))
        hits = ranking.candidates
        best = hits[0].score if hits else 0.0
        t = self.ranker.t
        if ranking.outcome != "answer" and ranking.basis == "margin" and hits and hits[0].consistent:
            # A timeline lists every event the topic means: two events equally near ("the Luxembourg
            # parliament adopted the resolution": the resolution, and the Majlis's answer to it) are
            # both listed, where a claim question would have to choose. Each must clear the full bar.
            offset = t.offset(guess_lang(topic))
            top = hits[0].semantic
            near = {c.entry_id for c in hits if c.kind == "event" and c.consistent
                    and c.semantic + offset >= t.sem_answer and c.semantic >= top - 0.02}
            if near:
                return near | self._translated_topic(topic, hits), best, hits
        if ranking.outcome != "answer":
            return self._translated_topic(topic, hits), best, hits
        # Every event the words cover confidently (a score of 78 needs a coverage of 0.78: the phrase
        # likeness only counts from 0.8 on), without ranking them all.
        lexical = {entry_id for (_, entry_id), coverage in self.index.coverages(topic, ("event",)).items()
                   if 100.0 * coverage >= self.tiers.confident}
        if ranking.basis == "lexical":
            consistent = {c.entry_id for c in hits if c.consistent}
            return {i for i in lexical if i in consistent or i not in {c.entry_id for c in hits}}, best, hits
        top = hits[0].semantic
        near = {c.entry_id for c in hits if c.consistent and c.semantic >= max(t.sem_answer_wide, top - 0.02)}
        return near | {hits[0].entry_id} | self._translated_topic(topic, hits), best, hits

    def _translation_words(self, text: str, event_id: str, share: float = 0.6) -> bool:
        """A Russian or Azerbaijani question whose words the event's reviewed translation holds, more of
        them than any other event's: "в 1993 году Совбез ООН принял четыре резолюции" (0.67). By meaning
        alone, made-up events sit as near ("Люксембург отозвал своего посла": 0.27 at best)."""
        translated = self.ranker.translated
        if translated is None or guess_lang(text) == "en":
            return False
        shares = translated.coverages(text, ("event",))
        best = max(shares.items(), key=lambda kv: kv[1], default=(("", ""), 0.0))
        return best[0] == ("event", event_id) and best[1] >= share

    def _translated_topic(self, topic: str, hits: list[Candidate]) -> set[str]:
        """A Russian or Azerbaijani topic no English title holds, found word for word in the events'
        reviewed translations: "/timeline Böyük Qayıdış" lists both Great Return events (by meaning,
        neither leads the other far enough to answer). Events the topic contradicts stay out."""
        translated = self.ranker.translated
        if translated is None or guess_lang(topic) == "en":
            return set()
        inconsistent = {c.entry_id for c in hits if not c.consistent}
        return {entry_id for (_, entry_id), share in translated.coverages(topic, ("event",)).items()
                if 100.0 * share >= self.tiers.confident and entry_id not in inconsistent}

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

    @staticmethod
    def _wholly_within(events: list[Event], when: DateQuery | None) -> set[str]:
        """Ids of the events that lie wholly inside the window, not spans that begin or end in it."""
        if when is None or when.month_day is not None:
            return set()
        return {e.id for e in events if when.start <= (span := _event_span(e))[0] and span[1] <= when.end}

    @staticmethod
    def _overlaps(event: Event, when: DateQuery) -> bool:
        first, last = _event_span(event)
        return first <= when.end and last >= when.start

    @staticmethod
    def _in_range(event: Event, when: DateQuery) -> bool:
        """A dated event must fall inside the range asked for; an event known only to the decade
        ("early 2020s") is not shown as if it were in 2023. Periods count when they overlap."""
        first, last = effective_span(event.date)
        if event.end is not None:
            end_first, end_last = effective_span(event.end)
            if when.month_day is not None:
                return when.overlaps(first, end_last, "period")
            # Inside when it lies wholly in the window, or begins or ends there: the 2020 war
            # (27 September – 10 November 2020) is an event of 27/09/2020 and of November 2020.
            return any(when.start <= a and b <= when.end for a, b in ((first, end_last), (first, last),
                                                                   (end_first, end_last)))
        if when.month_day is not None:
            precision = "range" if event.date.latest else event.date.precision
            return when.overlaps(first, last, precision)
        return when.start <= first and last <= when.end

    def _only_entities(self, query: str) -> set[str]:
        """The entities a query consists of, if it names nothing else ("PACE Karabakh"); else none."""
        mentions = self.mentions.find(query)
        if not mentions:
            return set()
        # (a name's own small words count as the name's: "Council of Europe"; the query's do not:
        # "Armenia join the Council of Europe" has a word of its own)
        inside = named_positions(mentions)
        if any(w not in STOPWORDS for n, w in enumerate(words(query)) if n not in inside):
            return set()
        return {m.entity_id for m in mentions}

    def _only_entity(self, query: str) -> str | None:
        """The entity a query consists of, if it names exactly one and nothing else."""
        named = self._only_entities(query)
        return next(iter(named)) if len(named) == 1 else None

    def _on_topic(self, c: Candidate) -> bool:
        """Close enough to the question to be another side of it (not an answer by itself)."""
        return c.consistent and (c.lexical >= self.tiers.confident or c.semantic >= self.ranker.t.sem_answer)

    def _exists(self, kind: str, entry_id: str) -> bool:
        tables: dict[str, Mapping[str, object]] = {
            "actor": self.corpus.actors, "place": self.corpus.places, "event": self.corpus.events,
            "claim": self.corpus.claims, "source": self.corpus.sources}
        return entry_id in tables[kind]

    def _generic_word(self, query: str) -> tuple[str, list[str]] | None:
        """(word, ids) when the query is one word that is no entry's whole name but is a word of the names,
        event titles or actor roles of several entries ("parliament", "The parliament", "ministry", "war"):
        the entries whose names hold it first, then events, then actors whose role mentions it."""
        typed = [w for w in query.split() if query_words(w)]
        words = query_words(query)
        if len(words) != 1 or len(typed) != 1 or self._alias_owner(query) or self._alias_owner(typed[0]):
            return None
        owners: list[str] = []
        for tier in self._name_words:
            owners += [i for i, held in tier.items() if words[0] in held and i not in owners]
        return (typed[0], owners) if len(owners) >= 2 else None

    @cached_property
    def _name_words(self) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
        """The words of (names and aliases of actors and places, event titles, actor roles), by entry."""
        names: dict[str, set[str]] = {}
        for entry in (*self.corpus.actors.values(), *self.corpus.places.values()):
            if isinstance(entry, Place) and self.views.stands_in(entry.id):
                continue  # an uncited capital opens its state: not an entry of its own
            names[entry.id] = {w for alias in entry.spellings for w in query_words(alias)}
        titles = {e.id: set(query_words(e.title)) for e in self.corpus.events.values()}
        roles = {a.id: set(query_words(a.role)) for a in self.corpus.actors.values()}
        return names, titles, roles

    def _candidate(self, entry_id: str) -> Hit:
        kind = "actor" if entry_id in self.corpus.actors else "place" if entry_id in self.corpus.places else "event"
        return Hit(entry_id, kind, 0.0, 0.0, "")

    def _named_side(self, query: str, hits: list[Candidate]) -> bool:
        """"US side of the 2013 equipment agreement": the description fits both parties to it, and
        the state the question names is in the name of the best one only (the U.S. Department of
        Defense, not Azerbaijan's ministry, whose role names the U.S. only as the other party)."""
        if len(hits) < 2 or hits[0].kind != "actor" or hits[1].kind != "actor" or hits[0].coverage < 0.5:
            return False
        states = {m.entity_id for m in self.ranker.mentions.find(query)} & self.ranker.states
        if len(states) != 1:
            return False
        (state,) = states
        spelled = [query_words(s) for s in self.corpus.actors[state].spellings] if state in self.corpus.actors else []

        def own(actor_id: str) -> bool:
            names = [query_words(n) for n in self.corpus.actors[actor_id].spellings]
            return any(sp and any(n[i:i + len(sp)] == sp for n in names for i in range(len(n))) for sp in spelled)
        return own(hits[0].entry_id) and not own(hits[1].entry_id) and hits[0].coverage - hits[1].coverage < 0.1

    def _alias_owner(self, text: str) -> str | None:
        return self._alias_ids.get(key(text))

    @cached_property
    def _alias_ids(self) -> dict[str, str]:
        ids: dict[str, str] = {}
        named: list[Actor | Place] = [*self.corpus.actors.values(), *self.corpus.places.values()]
        for entry in named:
            for alias in entry.spellings:
                ids.setdefault(key(alias), entry.id)
        return ids

    @cached_property
    def _alias_names(self) -> dict[str, str]:
        """Folded alias -> canonical name, to show "Stepanakert → Khankendi" on a timeline."""
        return {alias: self.views.name(entry_id) for alias, entry_id in self._alias_ids.items()}


def _event_span(event: Event) -> tuple[date, date]:
    """The first and last day an event may cover: its date's span, to its end's when it has one."""
    first, last = effective_span(event.date)
    return first, effective_span(event.end)[1] if event.end is not None else last


def _span_days(event: Event) -> int:
    """How many days the event's date could be on (its effective span)."""
    first, last = effective_span(event.date)
    return (last - first).days + 1


def _deed_or_name(subject: str) -> str:
    """A subject that begins with a verb ("кто поднял флаг в Ханкенди" asks for "поднял флаг в
    Ханкенди") describes whoever did it: given back as a "кто …" description for bot.retrieve.deeds."""
    return f"кто {subject}" if russian_verb(subject.split(" ", 1)[0]) else subject


def _visible(text: str) -> str:
    """Drop invisible format characters (zero-width, bidi overrides) that would garble echoed text."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch == "\u200d")
