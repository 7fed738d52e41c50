"""`briefbot draft seeds/<new>.txt`: a first brief for a new article, every guess marked TODO.

What the text itself settles is written as is: each quote is taken from the article and checked
verbatim (the same folding as `briefbot check`), actors and places already in the index are linked
by the bot's own matcher (`Qafarova` links to `gafarova`). What it cannot settle is a candidate on a
line holding `TODO`, with its basis written out: the outlet and date from the dateline and header
(a year inferred from the document says how), events from dated sentences, claimants of quoted and
reported speech, names the index does not know (new actor candidates), and dispute/support links to
existing claims found by meaning (`SemanticIndex`; by words when the model is off). `check` reports
each TODO line with file:line, so a draft never ships unreviewed.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from bot.corpus import MAX_ID, MAX_QUOTE, Corpus
from bot.dates import EN_MONTHS
from bot.index import STOPWORDS
from bot.normalize import fold_quote, key, skeleton, words
from bot.retrieve.mentions import Mention, written_as_names
from bot.retrieve.rank import opposed, stance
from bot.understand.morph import term_forms

# --------------------------------------------------------------------------- reading the text

_MONTH_NAMES = {name: n for n, names in EN_MONTHS.items() for name in names if len(name) > 3 or name == "may"}
_MON = r"(?P<mon>" + "|".join(sorted((m.capitalize() for m in _MONTH_NAMES), key=len, reverse=True)) + r")"
_MD = re.compile(_MON + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<year>(?:19|20)\d{2})(?!\d))?")
_DM = re.compile(r"(?<!\d)(?P<day>\d{1,2})\s+" + _MON + r"(?:,?\s+(?P<year>(?:19|20)\d{2})(?!\d))?")
_ISO = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)")
_YEAR = re.compile(r"(?<![\d-])(?P<year>(?:19|20)\d{2})(?!\d)")
_IN_YEAR = re.compile(r"^In (?P<year>(?:19|20)\d{2})\b")
_DATELINE = re.compile(r"^(?P<place>[A-Z][\w .'’-]{1,30}),\s+(?P<date>" + _MON + r"\s+\d{1,2}(?:,\s+\d{4})?|\d{1,2}\s+"
                       + _MON.replace("?P<mon>", "?:") + r"(?:\s+\d{4})?),\s+(?P<outlet>[^,]{2,60})$")
_SOURCE_LINE = re.compile(r"^(?:Source|Источник|Mənbə)\s*:\s*(?P<outlet>.{2,60})$", re.M)
_REPORTS = re.compile(r",\s+(?P<outlet>[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,3})\s+reports?\b")
_FUTURE = re.compile(r"\b(?:will|is to|are to|is due|are due|is expected|next|upcoming|plans? to)\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’]?\s+(?=[“\"A-Z0-9«])|(?<=[.!?][”\"’])\s+(?=[A-Z“\"«])")
_TOKEN = re.compile(r"[^\W_][\w'’.-]*[^\W_]|[^\W_]", re.UNICODE)

SPEECH_VERBS = ("said", "says", "stated", "states", "noted", "notes", "stressed", "stresses", "added", "adds",
                "told", "declared", "declares", "emphasized", "emphasised", "emphasizes", "emphasises", "wrote",
                "writes", "argued", "argues", "warned", "warns", "insisted", "insists", "claimed", "claims",
                "believes", "believe", "thinks", "think", "considers", "asserted", "asserts", "announced",
                "announces", "underlined", "underlines", "pointed out", "points out")
_VERBS = "|".join(v.replace(" ", r"\s+") for v in sorted(SPEECH_VERBS, key=len, reverse=True))
_QUOTED_THEN_WHO = re.compile(r"[“\"«](?P<q>[^”\"»]{15,}?)[,.]?[”\"»],?\s+(?P<who>[^.“\"]{2,90}?)\s+(?P<verb>"
                              + _VERBS + r")\b")
_WHO_THEN_QUOTED = re.compile(r"(?P<who>(?:[A-Z][\w'’.-]*|the|of|[a-z]+)(?:\s+[\w'’.-]+){0,8}?)\s+(?P<verb>"
                              + _VERBS + r")\b[^“\"«]{0,40}?[:,]?\s*[“\"«](?P<q>[^”\"»]{15,}?)[,.]?[”\"»]")
_NO_STOP = r"(?:[^.]|(?<=\b[A-Z])\.)"  # up to a full stop; "U.S." and "U.N." go on
_ACCORDING = re.compile(r"\b[Aa]ccording to (?P<who>[^,]{2,90}),\s+(?P<q>" + _NO_STOP + r"{15,})")
_REPORTED = re.compile(r"(?P<who>(?:[A-Z][\w'’.-]*)(?:\s+[\w'’.-]+){0,7}?)\s+(?P<verb>" + _VERBS
                       + r")\s+(?:that\s+)?(?P<q>[^“\"«]" + _NO_STOP + r"{14,})")
_DEMONYM = re.compile(r"(?:ian|ean|ani|ese|ish|ic)s?$")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "this", "that", "who"}
_TITLES = {"president", "prime", "minister", "foreign", "speaker", "deputy", "chairman", "chairwoman", "mr", "mrs",
           "ms", "dr", "ambassador", "spokesperson", "spokesman", "spokeswoman", "secretary", "general", "head",
           "mp", "senator", "congressman", "congresswoman", "analyst", "political", "expert", "professor"}
_BODY_WORDS = {"assembly", "party", "council", "union", "committee", "ministry", "chamber", "parliament", "wire",
               "news", "agency", "office", "service", "forces", "army", "bank", "court", "government", "commission",
               "organization", "organisation", "institute", "center", "centre", "foundation", "group", "front"}
_CONNECTORS = {"of", "the", "for", "and", "de", "on"}
_NOT_NAMES = {"on", "in", "the", "a", "an", "according", "source", "however", "meanwhile", "also", "this", "that",
              "these", "those", "it", "he", "she", "they", "we", "at", "as", "after", "before", "during", "since",
              "while", "but", "and", "or", "if", "when", "home", "blog", "news", "monday", "tuesday", "wednesday",
              "thursday", "friday", "saturday", "sunday", *_MONTH_NAMES}


def q(text: str) -> str:
    """A YAML scalar in double quotes (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def clip_words(text: str, limit: int) -> str:
    """A prefix of `text` of at most `limit` characters, ending at a word (still verbatim)."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:")


def slug(text: str, taken: set[str], limit: int = 40) -> str:
    parts = [w for w in words(text) if w not in STOPWORDS and not w.isdigit()][:5] or ["entry"]
    base = "-".join(parts)[:limit].strip("-")
    ident, n = base, 2
    while ident in taken:
        ident = f"{base}-{n}"[:MAX_ID]
        n += 1
    taken.add(ident)
    return ident


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int  # 1-based line of the seed it is on


_ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|No|Gen|Col|Lt|Prof|Jr|Sr|vs|etc)\.)$")


def sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        parts: list[str] = []
        for part in (p.strip() for p in _SENTENCE_END.split(line) if p.strip()):
            if parts and _ABBREVIATION.search(parts[-1]):
                parts[-1] = f"{parts[-1]} {part}"  # "U.S. Congressmen" goes on: the split was wrong
            else:
                parts.append(part)
        out.extend(Sentence(part, n) for part in parts)
    return out


@dataclass(frozen=True)
class DateDraft:
    value: str
    precision: str
    inferred: str = "none"
    basis: str | None = None
    written: str = ""  # as the text writes it

    @property
    def start(self) -> date:
        y, *rest = (int(x) for x in self.value.split("-"))
        return date(y, *(rest + [1] * (2 - len(rest))))

    def yaml(self) -> str:
        parts = [f"value: {self.value}", f"precision: {self.precision}"]
        if self.inferred != "none":
            parts += [f"inferred: {self.inferred}", f"basis: {q(self.basis or '')}"]
        return "{" + ", ".join(parts) + "}"


def _iso(y: int, m: int, d: int | None = None) -> str | None:
    try:
        date(y, m, d or 1)
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}" + (f"-{d:02d}" if d else "")


def full_dates(text: str) -> list[tuple[date, str]]:
    """Every date the text writes with day, month and year, and how it writes it."""
    out: list[tuple[date, str]] = []
    for pattern in (_MD, _DM):
        for m in pattern.finditer(text):
            if m["year"] and (v := _iso(int(m["year"]), _MONTH_NAMES[m["mon"].lower()], int(m["day"]))):
                out.append((date.fromisoformat(v), m[0]))
    for m in _ISO.finditer(text):
        if v := _iso(int(m["year"]), int(m["month"]), int(m["day"])):
            out.append((date.fromisoformat(v), m[0]))
    return out


def context(text: str, phrase: str, width: int = 50) -> str:
    i = text.find(phrase)
    if i < 0:
        return phrase
    start = max(0, text.rfind(" ", 0, max(0, i - width)) + 1)
    end = text.find(" ", min(len(text), i + len(phrase) + width))
    return text[start : end if end > 0 else len(text)].strip()


# --------------------------------------------------------------------------- what the draft holds


@dataclass
class SourceDraft:
    file: str
    title: str
    title_basis: str
    outlets: list[tuple[str, str]]  # (outlet, basis), best first
    published: DateDraft | None
    published_basis: str


@dataclass
class ActorCandidate:
    id: str
    name: str
    role: str | None
    aliases: list[str]
    quote: str
    count: int


@dataclass
class LinkCandidate:
    relation: str  # disputes | supports (a guess: review)
    claim_id: str
    score: float
    by: str  # "meaning" or "words"
    text: str


@dataclass
class EventDraft:
    id: str
    title: str
    date: DateDraft | None
    quote: str
    actors: list[str]
    places: list[str]


@dataclass
class ClaimDraft:
    id: str
    claimant: str | None
    claimant_basis: str
    quote: str
    speech: str  # "quoted" | "reported"
    paraphrase: str
    about: list[str]
    links: list[LinkCandidate] = field(default_factory=list)


@dataclass
class Draft:
    seed: str
    source: SourceDraft
    named: dict[str, str]  # entity id -> how the text names it (first time)
    new_actors: list[ActorCandidate]
    events: list[EventDraft]
    claims: list[ClaimDraft]
    links_by: str  # how link candidates were found: "meaning (<model>)" or "words (...)"

    def yaml(self) -> str:
        return render(self)


# --------------------------------------------------------------------------- the drafter


class Drafter:
    """Drafts a brief for one seed against a loaded engine (its corpus, matcher and indexes)."""

    def __init__(self, engine: object) -> None:
        from bot.core import Engine

        assert isinstance(engine, Engine)
        self.engine = engine
        self.corpus: Corpus = engine.corpus
        self.proper: frozenset[str] = frozenset()  # skeletons the article writes capitalised mid-sentence
        self.taken: set[str] = {*self.corpus.actors, *self.corpus.places, *self.corpus.events, *self.corpus.claims}

    # ---- names

    def mentions(self, text: str) -> tuple[list[Mention], list[tuple[str, int, int]]]:
        """Known entities `text` names (the bot's matcher; `typed` as the text writes it), without those that
        are part of a longer name the index does not know ("OSCE Parliamentary Assembly" is not PACE) or a
        description of a new name ("political analyst Elnur Tagiyev" is not the analyst the index knows);
        and the names (runs of capitalised words, word offsets) no known entity covers."""
        text = _POSSESSIVE.sub("", text)  # "the Milli Majlis's statement" names the Milli Majlis
        found = self.engine.mentions.find(text)
        tokens: list[tuple[str, str, int, int]] = []  # (token, folded word, start, end) per folded word
        for m in _TOKEN.finditer(text):
            tokens.extend((m[0], w, m.start(), m.end()) for w in words(m[0]))
        if len(tokens) != len(term_forms(text)):
            return found, []  # the two tokenisations disagree: link what the matcher found, guess no names
        caps = [t[:1].isupper() or (t.isupper() and len(t) > 1) for t, _, _, _ in tokens]

        def joined(a: int, b: int) -> bool:  # only spaces between two tokens (no comma, no full stop)
            return not text[tokens[a][3] : tokens[b][2]].strip()

        runs: list[tuple[int, int]] = []
        if sum(caps) > 0.6 * len(tokens) and len(tokens) >= 3:
            caps = [False] * len(tokens)  # a headline or a navigation line in Title Case: no names read from it
        i = 0
        while i < len(tokens):
            # A capitalised first word is a name only if the text writes it so elsewhere ("Following …").
            if caps[i] and tokens[i][1] not in _NOT_NAMES and (i > 0 or skeleton(tokens[i][1]) in self.proper):
                j = i + 1
                while j < len(tokens) and joined(j - 1, j) and (
                        caps[j] or (tokens[j][1] in _CONNECTORS and j + 1 < len(tokens) and caps[j + 1]
                                    and joined(j, j + 1))):
                    j += 1
                runs.append((i, j))
                i = j
            else:
                i += 1
        covered = {k for m in found for k in range(m.start, m.end)}
        kept: list[Mention] = []
        for m in found:
            run = next(((a, b) for a, b in runs if a <= m.start < b), None)
            lower = not any(caps[m.start : m.end])
            if run is not None and not lower and m.end == run[1] and any(
                    caps[k] and k not in covered and tokens[k][1] not in _TITLES for k in range(run[0], m.start)):
                continue  # a modifier the index does not know before the head: another entity
            if lower and m.end < len(tokens) and caps[m.end] and m.end not in covered:
                continue  # a description in apposition to a name the index does not know
            kept.append(replace(m, typed=text[tokens[m.start][2] : tokens[m.end - 1][3]]))
        covered = {k for m in kept for k in range(m.start, m.end)}
        unknown: list[tuple[str, int, int]] = []
        for a, b in runs:
            k = a
            while k < b:
                if k in covered:
                    k += 1
                    continue
                e = k
                while e < b and e not in covered:
                    e += 1
                first, last = k, e
                while first < last and tokens[first][1] in _TITLES | _CONNECTORS | _NOT_NAMES:
                    first += 1
                while last > first and tokens[last - 1][1] in _CONNECTORS:
                    last -= 1
                if last > first and not (last - first == 1 and first == 0 and tokens[first][1] in STOPWORDS):
                    unknown.append((text[tokens[first][2] : tokens[last - 1][3]], first, last))
                k = e
        return kept, unknown

    def split(self, ids: Iterable[str]) -> tuple[list[str], list[str]]:
        ids = list(dict.fromkeys(ids))
        return ([i for i in ids if i in self.corpus.actors], [i for i in ids if i in self.corpus.places])

    # ---- the source entry

    def source(self, file: str, text: str, outlet_names: list[str]) -> SourceDraft:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        head = lines[:4]
        outlets: list[tuple[str, str]] = []
        published: DateDraft | None = None
        published_basis = "no date in the header or a dateline"
        dates = full_dates(text)
        for line in head:
            if m := _DATELINE.match(line):
                outlets.append((m["outlet"].strip(), f"the dateline {q(line)}"))
                published = self.dateline_date(m["date"], line, dates)
                published_basis = f"the dateline {q(line)}"
                break
        if published is None:
            for line in head:
                found = [d for d in full_dates(line)]
                if found:
                    d, written = found[0]
                    published = DateDraft(d.isoformat(), "day", written=written)
                    published_basis = f"the header line {q(clip_words(line, 60))}"
                    break
        for m in _SOURCE_LINE.finditer(text):
            outlets.append((m["outlet"].strip(), f"the line {q(m[0].strip())}"))
        for m in _REPORTS.finditer(text):
            outlets.append((m["outlet"].strip(), f"the words {q(m[0].lstrip(', '))}"))
        for name in outlet_names:
            outlets.append((name, "an outlet in the index that the text names"))
        seen: set[str] = set()
        unique = [(o, b) for o, b in outlets if not (key(o) in seen or seen.add(key(o)))]  # type: ignore[func-returns-value]
        title, title_basis = "", "no line reads as a headline"
        for line in lines[:6]:
            tokens = line.split()
            navigation = "»" in line or (len(tokens) >= 5 and all(t[:1].isupper() for t in tokens))
            if (len(line) >= 20 and not _DATELINE.match(line) and not full_dates(line) and not navigation
                    and any(ch.islower() for ch in line)):
                title, title_basis = line.strip(), "the first line that reads as a headline"
                break
        return SourceDraft(file, title, title_basis, unique, published, published_basis)

    @staticmethod
    def dateline_date(written: str, line: str, dates: list[tuple[date, str]]) -> DateDraft | None:
        m = _MD.search(written) or _DM.search(written)
        if m is None:
            return None
        month, day = _MONTH_NAMES[m["mon"].lower()], int(m["day"])
        if m["year"]:
            value = _iso(int(m["year"]), month, day)
            return DateDraft(value, "day", written=written) if value else None
        if not dates:
            return None
        latest, how = max(dates)
        year = latest.year if (month, day) >= (latest.month, latest.day) else latest.year + 1
        value = _iso(year, month, day)
        if value is None:
            return None
        basis = (f"The dateline {q(line)} gives \"{written}\" without a year; the latest date the text names is "
                 f"{latest.day} {calendar.month_name[latest.month]} {latest.year} (\"{how}\"), so the article "
                 f"is no older than that: {year}, the earliest year that fits (a later one would fit too).")
        return DateDraft(value, "day", "year", basis, written)

    # ---- events

    def event_date(self, s: Sentence, published: DateDraft | None) -> DateDraft | None:
        text = s.text
        m = _MD.search(text) or _DM.search(text)
        if m:
            month, day = _MONTH_NAMES[m["mon"].lower()], int(m["day"])
            if m["year"]:
                value = _iso(int(m["year"]), month, day)
                return DateDraft(value, "day", written=m[0]) if value else None
            if published is None:
                return DateDraft("TODO", "day", written=m[0])
            p = published.start
            future = bool(_FUTURE.search(text))
            if future:
                year = p.year if (month, day) >= (p.month, p.day) else p.year + 1
                how = f"the sentence announces it as coming, so the first {m[0]} on or after that date"
            else:
                year = p.year if (month, day) <= (p.month, p.day) else p.year - 1
                how = f"the sentence reports it as past, so the latest {m[0]} on or before that date"
            value = _iso(year, month, day)
            if value is None:
                return None
            dated = f"{p.day} {calendar.month_name[p.month]} {p.year}"
            itself = " (itself inferred: see the source's date)" if published.inferred != "none" else ""
            basis = f"The text says \"{m[0]}\" without a year; the article is dated {dated}{itself}; {how}: {year}."
            return DateDraft(value, "day", "year", basis, m[0])
        if y := _IN_YEAR.match(text):
            return DateDraft(y["year"], "year", written=y[0])
        return None

    def events(self, sents: list[Sentence], published: DateDraft | None, skip_lines: set[int]) -> list[EventDraft]:
        out: list[EventDraft] = []
        for s in sents:
            if s.line in skip_lines:
                continue
            when = self.event_date(s, published)
            if when is None:
                continue
            quote = clip_words(s.text.rstrip(), MAX_QUOTE)
            clause = re.sub(r"^(?:On|In|By|Since)\s+" + re.escape(when.written) + r",?\s*", "", s.text).strip()
            clause = clause[:1].upper() + clause[1:]
            mentions, _ = self.mentions(s.text)
            actors, places = self.split(m.entity_id for m in mentions)
            title = re.split(r",\s+(?:which|who|where|while|as|after|saying)\b|;\s", clause)[0].rstrip(".")
            out.append(EventDraft(slug(title, self.taken), clip_words(title, 100), when, quote,
                                  actors, places))
        return out

    # ---- claims

    def claims(self, sents: list[Sentence], text: str, new: dict[str, ActorCandidate],
               source_file: str) -> list[ClaimDraft]:
        out: list[ClaimDraft] = []
        folded = fold_quote(text)
        for s in sents:
            found: list[tuple[str, str, str, str]] = []  # (who, verb, quote, speech)
            for m in _QUOTED_THEN_WHO.finditer(s.text):
                found.append((m["who"], m["verb"], m["q"], "quoted"))
            if not found:
                for m in _WHO_THEN_QUOTED.finditer(s.text):
                    found.append((m["who"], m["verb"], m["q"], "quoted"))
            if not found and (m := _ACCORDING.search(s.text)):
                found.append((m["who"], "according to", m["q"], "reported"))
            if not found and (m := _REPORTED.search(s.text)):
                found.append((m["who"], m["verb"], m["q"], "reported"))
            for who, verb, quote, speech in found:
                quote = clip_words(quote.strip().rstrip(".,;:").strip(), MAX_QUOTE)
                if len(quote) < 15 or fold_quote(quote) not in folded:
                    continue  # never a quote that is not the text's own words
                claimant, basis = self.claimant(who, verb, new)
                name = self.engine.views.name(claimant) if claimant in self.corpus.actors else (
                    new[claimant].name if claimant in new else "TODO (who)")
                first = quote.split(" ", 1)[0]
                told = quote[:1].lower() + quote[1:] if first.lower() in STOPWORDS else quote
                paraphrase = f"{name} says {told if speech == 'reported' else '…'}"
                mentions, _ = self.mentions(quote)
                about = [i for i in dict.fromkeys(m.entity_id for m in mentions) if i != claimant]
                ident = slug(f"{name if claimant else ''} {quote}", self.taken)
                claim = ClaimDraft(ident, claimant, basis, quote, speech, paraphrase, about)
                claim.links = self.links(claim, name, source_file)
                out.append(claim)
        return out

    def claimant(self, who: str, verb: str, new: dict[str, ActorCandidate]) -> tuple[str | None, str]:
        phrase = f"\"{who} {verb}\"" if verb != "according to" else f"\"according to {who}\""
        if words(who) and words(who)[-1] in _PRONOUNS | {"statement", "delegation"} and len(words(who)) == 1:
            return None, f"{phrase}: a pronoun; who it is must be read from the text"
        mentions, unknown = self.mentions(who)
        actors = [m for m in mentions if m.entity_id in self.corpus.actors]
        if actors:
            return actors[-1].entity_id, f"{phrase}: \"{actors[-1].typed}\" is an actor in the index"
        for name, _, _ in unknown:
            for cand in new.values():
                if key(name) in {key(cand.name), *(key(a) for a in cand.aliases)}:
                    return cand.id, f"{phrase}: a name the index does not know (new actor candidate)"
        return None, f"{phrase}: no actor in the index or new name found"

    def links(self, claim: ClaimDraft, name: str, source_file: str) -> list[LinkCandidate]:
        text = f"{name}: {claim.quote}"
        own = {c.id for c in self.corpus.claims.values() if c.source == source_file}
        hits: list[tuple[str, float, str]] = []
        semantic = self.engine.semantic
        if semantic is not None:
            threshold = self.engine.ranker.t.sem_answer_wide
            hits = [(h.entry_id, h.score, "meaning") for h in semantic.search(text, kinds=("claim",), limit=3)
                    if h.score >= threshold - 0.02]
        else:
            hits = [(h.entry_id, h.score, "words") for h in self.engine.index.search(claim.quote, kinds=("claim",),
                                                                                     limit=3)
                    if h.score >= self.engine.tiers.near]
        states = {a.id for a in self.corpus.actors.values() if a.kind == "state"}
        specific = set(claim.about) - states
        out = []
        for claim_id, score, by in hits:
            if claim_id in own:
                continue
            other = self.corpus.claims[claim_id]
            if specific and not specific & self.engine.ranker.related.get(("claim", claim_id), frozenset()):
                continue  # near in topic, but about none of the specific entities this claim names
            same_side = other.claimant == claim.claimant or (
                claim.claimant in self.corpus.actors and other.claimant in self.engine.ranker.related.get(
                    ("actor", claim.claimant), frozenset()))
            relation = "supports" if same_side and not opposed(stance(claim.quote), stance(other.quote)) else "disputes"
            out.append(LinkCandidate(relation, claim_id, score, by,
                                     f"{self.engine.views.name(other.claimant)}: {other.paraphrase}"))
        return out

    # ---- the whole draft

    def draft(self, seed: Path) -> Draft:
        text = seed.read_text(encoding="utf-8")
        sents = sentences(text)
        self.proper = written_as_names([text])
        named: dict[str, str] = {}
        unknown_names: dict[str, list[tuple[Sentence, str]]] = {}
        for s in sents:
            mentions, unknown = self.mentions(s.text)
            for m in mentions:
                named.setdefault(m.entity_id, m.typed)
            for name, _, _ in unknown:
                unknown_names.setdefault(name, []).append((s, name))
        outlet_ids = [i for i in named if i in self.corpus.actors and self.corpus.actors[i].kind == "outlet"]
        source = self.source(seed.name, text, [self.corpus.actors[i].name for i in outlet_ids])
        new = self.new_actors(unknown_names, source)
        head_lines = {s.line for s in sents[:4] if _DATELINE.match(s.text) or s.text == source.title}
        events = self.events(sents, source.published, head_lines)
        claims = self.claims(sents, text, new, seed.name)
        used = {c.claimant for c in claims}
        # Names used as a claimant, or named twice, or several words long, are worth an actor entry.
        new_actors = [a for a in new.values() if a.id in used or a.count > 1 or len(a.name.split()) > 1]
        semantic = self.engine.semantic
        links_by = (f"meaning ({semantic.embedder.name})" if semantic is not None else
                    f"words (matching by meaning is off: {self.engine.semantic_off_reason or 'no model'})")
        return Draft(seed.name, source, named, new_actors, events, claims, links_by)

    def new_actors(self, names: dict[str, list[tuple[Sentence, str]]],
                   source: SourceDraft) -> dict[str, ActorCandidate]:
        out: dict[str, ActorCandidate] = {}
        outlets = {key(o) for o, _ in source.outlets}
        # Drop single words that are the last word of a longer unknown name ("Tagiyev" of "Elnur Tagiyev").
        longer = [n for n in names if len(n.split()) > 1]
        for name, seen in sorted(names.items(), key=lambda kv: -len(kv[0])):
            if key(name) in outlets or any(skeleton(w) in {"source"} for w in words(name)):
                continue
            owner = next((c for c in out.values() if len(name.split()) == 1 and name in c.name.split()), None)
            if owner is not None:
                owner.count += len(seen)
                if name not in owner.aliases:
                    owner.aliases.append(name)
                continue
            if any(f" {name} " in f" {n} " for n in longer if n != name) or (
                    len(name.split()) == 1 and _DEMONYM.search(name)):
                continue  # part of a longer name, or an adjective of nationality ("Armenian", "Azerbaijanis")
            sentence = seen[0][0].text
            role = self.role_before(sentence, name)
            quote = f"{role} {name}" if role and f"{role} {name}" in sentence else name
            ident = slug(name, self.taken)
            parts = name.split()
            person_like = 2 <= len(parts) <= 3 and all(p[:1].isupper() and not p.isupper() for p in parts) and not (
                {w for p in parts for w in words(p)} & _BODY_WORDS)
            aliases = [parts[-1]] if person_like else []
            out[ident] = ActorCandidate(ident, name, role, aliases, quote, len(seen))
        return out

    @staticmethod
    def role_before(sentence: str, name: str) -> str | None:
        """The lowercase description just before a name ("political analyst" Elnur Tagiyev)."""
        i = sentence.find(name)
        if i <= 0:
            return None
        before = sentence[:i].rstrip().split()
        role: list[str] = []
        for w in reversed(before[-4:]):
            if w[:1].islower() and w.isalpha() and w not in ("to", "by", "of", "the", "a", "an", "and", "with",
                                                             "met", "said", "according"):
                role.insert(0, w)
            else:
                break
        return " ".join(role) or None


# --------------------------------------------------------------------------- writing the YAML


def render(d: Draft) -> str:
    s = d.source
    out: list[str] = [
        f"# Draft by `briefbot draft` from seeds/{d.seed}: {len(d.events)} event(s), {len(d.claims)} claim(s), "
        f"{len(d.new_actors)} new actor candidate(s).",
        "# Each line marked for review is a guess or a gap; `briefbot check` lists every one with file:line, and",
        "# the bot will not load this file until none is left. Quotes are the article's own words (checked).",
        f"# Dispute/support candidates found by {d.links_by}.",
    ]
    if d.named:
        out.append("# Named in the text and already in the index: "
                   + ", ".join(f"{i} (\"{typed}\")" for i, typed in d.named.items()) + ".")
    out += ["", "sources:", f"  - file: {s.file}"]
    title = s.title or "TODO"
    out.append(f"    title: {q(title)}  # TODO review: {s.title_basis}, or a neutral description in [brackets]")
    if s.outlets:
        outlet, basis = s.outlets[0]
        others = "; other candidates: " + "; ".join(f"{q(o)} ({b})" for o, b in s.outlets[1:]) if s.outlets[1:] else ""
        out.append(f"    outlet: {q(outlet)}  # TODO review: from {basis}{others}")
    else:
        out.append("    outlet: TODO  # as the text names it, or \"unknown\"")
    if s.published is not None:
        note = "year inferred, see basis" if s.published.inferred != "none" else "as written"
        out.append(f"    published: {s.published.yaml()}  # TODO review: from {s.published_basis} ({note})")
    else:
        out.append(f"    published: {{value: TODO, precision: day}}  # TODO: {s.published_basis}")
    out.append("    perspective: TODO  # from the text itself: whose view it reports and how")
    if d.new_actors:
        out += ["", "# New actor candidates: names the index does not know. Keep, merge or delete each; move to",
                "# briefs/actors.yaml those other documents name.", "actors:"]
        for a in d.new_actors:
            out += [f"  - id: {a.id}  # TODO review: new actor candidate, named {a.count} time(s)",
                    f"    name: {q(a.name)}",
                    "    kind: TODO  # person | body | state | outlet | group | organisation",
                    f"    role: {q('TODO: ' + (a.role or 'as the sources describe it'))}"]
            if a.aliases:
                out.append(f"    aliases: [{', '.join(q(x) for x in a.aliases)}]")
            out += ["    cite:", f"      - source: {d.seed}", f"        quote: {q(a.quote)}"]
    if d.events:
        out += ["", "events:"]
        for e in d.events:
            out += [f"  - id: {e.id}", f"    title: {q('TODO: ' + e.title)}"]
            if e.date is None or e.date.value == "TODO":
                out.append(f"    date: {{value: TODO, precision: day}}  # TODO: \"{e.date.written if e.date else ''}\""
                           " has no year and the article's date is unknown")
            elif e.date.inferred != "none":
                out.append(f"    date: {e.date.yaml()}  # TODO review: year inferred")
            else:
                out.append(f"    date: {e.date.yaml()}")
            outlet_name = s.outlets[0][0] if s.outlets else "the outlet"
            summary = f"TODO: one neutral line, saying who reports it ({outlet_name} reports that …)"
            out.append(f"    summary: {q(summary)}")
            if e.actors:
                out.append(f"    actors: [{', '.join(e.actors)}]")
            if e.places:
                out.append(f"    places: [{', '.join(e.places)}]")
            out += ["    cite:", f"      - source: {d.seed}", f"        quote: {q(e.quote)}"]
    if d.claims:
        out += ["", "claims:"]
        for c in d.claims:
            out.append(f"  - id: {c.id}")
            if c.claimant:
                out.append(f"    claimant: {c.claimant}  # TODO review: {c.claimant_basis}")
            else:
                out.append(f"    claimant: TODO  # {c.claimant_basis}")
            if s.published is not None and s.published.value != "TODO":
                said = s.published if s.published.inferred == "none" else replace(
                    s.published, basis="The article's date, itself inferred (see the sources entry).")
                out.append(f"    date: {said.yaml()}  # TODO review: the article's date; the day it was said"
                           " if the text gives it")
            else:
                out.append("    date: {value: TODO, precision: day}  # TODO: when it was said or published")
            out.append(f"    paraphrase: {q('TODO: ' + c.paraphrase)}")
            out.append(f"    quote: {q(c.quote)}  # {c.speech} speech, found verbatim")
            out.append(f"    source: {d.seed}")
            if c.about:
                out.append(f"    about: [{', '.join(c.about)}]")
            for relation in ("disputes", "supports"):
                chosen = [x for x in c.links if x.relation == relation]
                if chosen:
                    why = "; ".join(f"{x.claim_id} ({x.by} {x.score:.2f}): {x.text}" for x in chosen)
                    out.append(f"    {relation}: [{', '.join(x.claim_id for x in chosen)}]  # TODO review: candidate"
                               f" by {chosen[0].by}, disputes or supports? {why}")
    return "\n".join(out) + "\n"


def draft(seed: Path, engine: object) -> Draft:
    return Drafter(engine).draft(seed)
