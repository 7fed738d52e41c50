"""What every view shares: the reply types, Telegram's limits, and `Views`, the rendering context.

A view turns entries the engine has already chosen into a `Reply`; it never decides which entries
answer. `Views` holds what rendering needs (the corpus, the sorted timeline, the lexical index for
"matched via" evidence) and the lines, sections and buttons the entry types are made of.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from bot import i18n
from bot.corpus import Actor, BriefDate, Claim, Corpus, Event, Place, Record
from bot.dates import label
from bot.index import SearchIndex
from bot.normalize import key
from bot.render import BRIEF_LIMIT, FULL_LIMIT, Builder, count, date_html, esc, quote_html, say
from bot.retrieve import entries
from bot.retrieve.rank import Ranking
from bot.understand.morph import term_forms

if TYPE_CHECKING:
    from bot.views.entry import EntryView

ECHO_LIMIT = 80  # characters of the user's query repeated back in a reply
MAX_CALLBACK = 64  # bytes Telegram allows in callback data and deep-link payloads
PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KIND_LETTER = {"actor": "a", "place": "p", "event": "e", "claim": "c", "source": "s"}
LETTER_KIND = {v: k for k, v in KIND_LETTER.items()}

Block = Callable[[Builder], str]


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
    events: tuple[str, ...] = ()  # a timeline's events, all pages (the picture draws the same ones)


@dataclass(frozen=True)
class InlineItem:
    id: str  # at most 64 bytes
    title: str
    description: str
    html: str  # the message posted when chosen
    sources: tuple[str, ...] = field(default_factory=tuple)


def button(text: str, data: str) -> Button | None:
    """A button only if its data fits Telegram's 64 bytes; otherwise no button rather than a broken one."""
    return Button(text, data) if len(data.encode()) <= MAX_CALLBACK else None


def short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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


def payload(kind: str, entry_id: str) -> str:
    """The deep-link payload and `/open` argument of an entry: 'a_aliyev', 's_000_ff95…'."""
    if kind == "source":
        entry_id = entry_id.split(".")[0]
    return f"{KIND_LETTER[kind]}_{entry_id}"


def entry_names(corpus: Corpus, ids: tuple[str, ...]) -> list[str]:
    """The names of the actors and places among `ids`, in order."""
    out: list[str] = []
    for i in ids:
        entry = corpus.entry(i)
        if isinstance(entry, Actor | Place):
            out.append(entry.name)
    return out


def section(b: Builder, heading: str, blocks: list[Block], limit: int) -> None:
    """A heading and as many of its items as fit; no heading left dangling without items."""
    for shown, block in enumerate(blocks[:limit]):
        if not b.add(partial(_headed, heading, block) if shown == 0 else block):
            break


def _headed(heading: str, block: Block, b: Builder) -> str:
    return f"<b>{heading}</b>\n" + block(b)


class Views:
    """The rendering context: what views need to render, and the pieces they share."""

    def __init__(self, corpus: Corpus, timeline: list[Event], index: SearchIndex,
                 entry_types: Mapping[str, type[EntryView[Any]]]) -> None:
        self.corpus = corpus
        self.timeline = timeline  # every event, in timeline order
        self.index = index  # for the evidence of a match ("“выборы” → elections")
        self.entries: dict[str, EntryView[Any]] = {kind: cls(self) for kind, cls in entry_types.items()}
        # Inline results, rendered once per entry and language: a views object lives as long as its
        # corpus (a reload builds new ones), and an inline query lists up to 20 entries each time.
        self._inline: dict[tuple[str, str, str], InlineItem] = {}

    # ------------------------------------------------------------------ entries

    def view(self, kind: str, entry_id: str, *, full: bool, typed: str | None = None) -> Reply:
        """The reply for one entry, as opened from a search, a button, a deep link or inline mode.
        A capital the sources never name opens the state it stands for ("Washington" → United States)."""
        if kind == "place" and (redirect := self.stands_in(entry_id)):
            return self.view("actor", redirect, full=full, typed=typed)
        b = self.builder(full)
        entry_view = self.entries[kind]
        entry = entry_view.get(entry_id)
        entry_view.blocks(b, entry, full, typed)
        buttons = entry_view.buttons(entry)
        if entry_view.cites_buttons:
            buttons.extend(self.source_buttons(b.cited))
        share = self.payload(kind, entry_id)
        return Reply(f"/open {share}", "open", True, b.html(), sources=tuple(b.cited),
                     buttons=tuple(buttons), best_score=100.0, share_payload=share)

    def stands_in(self, place_id: str) -> str | None:
        """The actor an uncited capital stands for: it has no card of its own (nothing to cite)."""
        place = self.corpus.places[place_id]
        return place.stands_for if place.stands_for in self.corpus.actors and not place.cite else None

    def inline_item(self, kind: str, entry_id: str) -> InlineItem:
        """An entry as an inline result: its title and description, and its brief reply. Each result is
        a message of its own, so each is rendered as a reply of its own (names given in full once)."""
        lang = i18n.current()
        cached = self._inline.get((kind, entry_id, lang))
        if cached is not None:
            return cached
        with i18n.speaking(lang):
            reply = self.view(kind, entry_id, full=False)
            title, description = self.inline_labels(kind, entry_id)
        item = InlineItem(id=self.payload(kind, entry_id), title=title, description=description,
                          html=reply.html, sources=reply.sources)
        if len(self._inline) < 5_000:
            self._inline[(kind, entry_id, lang)] = item
        return item

    def payload(self, kind: str, entry_id: str) -> str:
        """The deep-link payload of an entry; a source's carries its stable id ('s_<id>'), never its position."""
        if kind == "source":
            return f"{KIND_LETTER[kind]}_{self.corpus.sources[entry_id].id}"
        return payload(kind, entry_id)

    def title(self, kind: str, entry_id: str) -> str:
        """A one-line name for an entry of any kind (buttons, inline results, curator reports)."""
        return self.inline_labels(kind, entry_id)[0]

    def inline_labels(self, kind: str, entry_id: str) -> tuple[str, str]:
        entry_view = self.entries[kind]
        return entry_view.labels(entry_view.get(entry_id))

    # ------------------------------------------------------------------ names

    def name(self, entry_id: str) -> str:
        entry = self.corpus.entry(entry_id)
        return entry.name if isinstance(entry, Actor | Place) else entry_id

    def names(self, ids: tuple[str, ...]) -> list[str]:
        return entry_names(self.corpus, ids)

    # ------------------------------------------------------------------ blocks

    def builder(self, full: bool) -> Builder:
        return Builder(self.corpus, FULL_LIMIT if full else BRIEF_LIMIT)

    section = staticmethod(section)

    def matched_line(self, typed: str | None, name: str) -> str:
        """'<i>“Алиев” → Ilham Aliyev</i>' when the user wrote the name another way, else ''."""
        if typed and key(typed) != key(name):
            return f"<i>{say('matched_via', typed=short(typed, ECHO_LIMIT), name=name)}</i>"
        return ""

    def match_line(self, query: str, kind: str, entry_id: str, ranking: Ranking) -> str:
        """Why this entry: the words typed in another spelling or language ("“выборы” → elections"),
        and whether it was matched by meaning."""
        lang = i18n.current()
        pairs = [(typed, found) for typed, found in self.index.evidence(query, kind, entry_id)
                 if key(typed) != key(found) and not _inflection(typed, found) and not _other_script(found, lang)][:3]
        parts = [say("matched_via", typed=short(t, 30), name=f) for t, f in pairs]
        if ranking.basis == "semantic":
            parts.append(say("matched_meaning"))
        return "; ".join(parts)

    # ------------------------------------------------------------------ lines

    def claim_line(self, c: Claim, *, quote: bool, with_claimant: bool = False) -> Block:
        def block(b: Builder) -> str:
            who = f"{esc(self.name(c.claimant))}, " if with_claimant else ""
            line = f"• {who}{self.claim_when(c, short=True)}: {esc(c.paraphrase)} {b.ref(c.source)}"
            line += "\n" + quote_html(c.quote) if quote else ""
            # The paraphrase leans on the translation's evident meaning: the marker goes wherever it goes.
            return line + (f"\n{self.translation_marker(c.translation_note)}" if c.translation_note else "")
        return block

    def claim_when(self, c: Claim, *, short: bool = False) -> str:
        """'19 September 2023', or 'reported 29 July 2023' when only the report is dated, or
        'said … · reported …' when both are known ('said …' alone in a short line)."""
        said = self.corpus.said_when(c)
        source = self.corpus.sources.get(c.source)
        if source is None:
            return date_html(c.date)
        if said is None:
            # Dated apart from its report: the date is when it was said; a heading says both.
            own = key(self.name(c.claimant)) == key(source.outlet)
            if short or own:
                return date_html(c.date)
            said = c.date
        reported = f"{say('analysis.reported')} {date_html(source.published)}"
        if said == "unknown" or not isinstance(said, BriefDate):
            return reported
        stated = f"{say('analysis.said')} {date_html(said)}"
        return stated if short else f"{stated} · {reported}"

    @staticmethod
    def translation_marker(note: str | None) -> str:
        return f"<i>⚠ {esc(note)}</i>" if note else ""

    def no_response_line(self, c: Claim) -> str:
        """'These sources hold no response from PACE.' for a claim whose other side is not in the corpus."""
        if not c.no_response_in_corpus:
            return ""
        names = ", ".join(self.name(a) for a in c.no_response_in_corpus)
        return f"<i>{say('analysis.no_response', names=names)}</i>"

    @staticmethod
    def record_line(r: Record) -> Block:
        def block(b: Builder) -> str:
            when = f"{date_html(r.date)}: " if r.date else ""
            return f"• {when}{esc(r.summary)} {b.ref(r.cite)}"
        return block

    @staticmethod
    def event_line(e: Event, *, quote: bool = False) -> Block:
        def block(b: Builder) -> str:
            when = date_html(e.date) + (f" – {date_html(e.end)}" if e.end else "")
            line = f"• <b>{when}</b> — {esc(e.title)} {b.ref(e.cite)}"
            return line + ("\n" + quote_html(e.cite[0].quote) if quote else "")
        return block

    # ------------------------------------------------------------------ buttons

    def source_buttons(self, cited: list[str]) -> list[tuple[Button, ...]]:
        """One row: '[1] source', '[2] source'… opening each cited document's card (outlet, date, perspective),
        by the document's stable id, so adding a document changes no existing button."""
        row = tuple(btn for n, file in enumerate(cited, 1)
                    if (btn := button(say("buttons.source_n", n=n), f"/source {self.corpus.sources[file].id}")))
        return [row] if row else []

    def link_buttons(self, claim: Claim) -> list[tuple[Button, ...]]:
        """A row for each of the first three claims disputing this one."""
        rows: list[tuple[Button, ...]] = []
        for other_id in claim.disputes[:3]:
            other = self.corpus.claims.get(other_id)
            if other and (btn := button(f"{say('buttons.disputed_by')}: {short(self.name(other.claimant), 30)}",
                                        f"/open c_{other.id}")):
                rows.append((btn,))
        return rows

    def open_buttons(self, claims: list[Claim]) -> list[tuple[Button, ...]]:
        """A row for each claim, 'Claimant: paraphrase', opening it."""
        return [(btn,) for c in claims
                if (btn := button(short(f"{self.name(c.claimant)}: {c.paraphrase}"), f"/open c_{c.id}"))]

    # ------------------------------------------------------------------ what the corpus covers

    @cached_property
    def coverage_hint(self) -> str:
        """What the index does cover, from the corpus itself (so it stays true as documents are added)."""
        # The places and actors the entries are most about, by their names: in the reader's language,
        # where a tag slug ("us-relations") would be English in every reply.
        corpus = self.corpus
        about: Counter[str] = Counter()
        for e in corpus.events.values():
            about.update(dict.fromkeys((*e.places, *e.actors, *e.tags), 1))
        for c in corpus.claims.values():
            about.update(dict.fromkeys((c.claimant, *c.about, *c.tags), 1))
        named = [i for i, _ in about.most_common() if i in corpus.places or i in corpus.actors]
        topics = ", ".join([n for n in map(self.name, named) if len(n.split()) <= 6][:6])  # long titles are not topics
        first, last = self.source_span()
        return say("no_match_hint", sources=count("sources", len(self.corpus.sources)), first=first, last=last,
                   topics=topics or "-")

    def source_span(self) -> tuple[str, str]:
        sources = list(self.corpus.sources.values())
        if not sources:
            return "-", "-"
        return (label(min(sources, key=lambda s: s.published.start).published),
                label(max(sources, key=lambda s: s.published.end).published))

    @cached_property
    def authors(self) -> Mapping[str, tuple[str, ...]]:
        """Group -> the actors the sources name among its authors (see `entries.authors`)."""
        return entries.authors(self.corpus)

    @cached_property
    def _citation_counts(self) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        for c in self.corpus.claims.values():
            counts[c.claimant] = counts.get(c.claimant, 0) + 1
        for e in self.corpus.events.values():
            for a in e.actors:
                counts[a] = counts.get(a, 0) + 1
        return counts

    def prominent_actors(self) -> list[Actor]:
        """Actors by how often the corpus cites them: the starting list of inline mode."""
        return sorted(self.corpus.actors.values(), key=lambda a: (-self._citation_counts.get(a.id, 0), a.name))


def _other_script(found: str, lang: str) -> bool:
    """A word of the entry in a script the reader does not read here: "“Lüksemburq” → Люксембург"
    explains nothing in an Azerbaijani or English reply (the entry's Russian alias matched)."""
    return lang != "ru" and any("\u0400" <= ch <= "\u04ff" for ch in found)


def _inflection(typed: str, found: str) -> bool:
    """"армяне" found as "армян": the same word inflected, no news for the reader."""
    a, b = term_forms(typed), term_forms(found)
    return len(a) == len(b) == 1 and bool({a[0][0], *a[0][1]} & {b[0][0], *b[0][1]})
