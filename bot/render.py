"""Telegram HTML for replies: escaped, cited, and never over the length limit.

A reply is assembled from blocks; a block goes in only if the whole reply, with its
numbered source list, still fits, so text is never cut in the middle of a tag.
"""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot import i18n
from bot.corpus import BriefDate, Citation, Corpus
from bot.dates import label

TELEGRAM_LIMIT = 4096
BRIEF_LIMIT = 1100  # a group chat wants a few lines
FULL_LIMIT = 3800  # headroom under Telegram's 4096 for the source list
# Russian and Azerbaijani take more characters than English to say the same, and their replies mark
# quotes as the source's words: they get this much more room, so a reply shows (and cites) what the
# English one does. Telegram's own limit stays the hard bound.
LOCAL_ROOM = 1.1  # measured on the public dev set: 1.0 drops a source from 3 of 124 brief replies, 1.1 none
_TAG = re.compile(r"<[^>]+>")


@cache
def wording() -> dict[str, Any]:
    """The English wording tree (bot/wording.yaml); `say` gives a phrase in the answer's language."""
    path = Path(__file__).with_name("wording.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def say(path: str, lang: str | None = None, **values: object) -> str:
    """A phrase in `lang` (the language of the answer being made when None), placeholders filled with
    escaped values (HTML-safe); a plural phrase takes the form for its `n`."""
    text = i18n.phrase(path, lang, values.get("n"))
    if path.endswith("_html"):
        return text.format(**{k: esc(str(v)) for k, v in values.items()})
    return esc(text.format(**{k: str(v) for k, v in values.items()}))


def count(what: str, n: int, lang: str | None = None) -> str:
    """'5 source documents', '5 источников', '5 mənbə sənədi' (plain text, for a placeholder)."""
    return i18n.phrase(f"counts.{what}", lang, n).format(n=n)


class LocalText(str):
    """Text of the curated content in the reply's language. `english` is set when it is a name in
    another script or spelling (shown with the English form in brackets on its first mention in a
    reply), `fallback` when no translation exists yet and this is the English."""

    english: str | None = None
    fallback: bool = False

    def __new__(cls, text: str, *, english: str | None = None, fallback: bool = False) -> LocalText:
        obj = super().__new__(cls, text)
        obj.english = english
        obj.fallback = fallback
        return obj


class Quote(str):
    """A verbatim quote (in the source's language) with a translated gloss for the reply's language."""

    gloss: str | None = None

    def __new__(cls, text: str, gloss: str | None) -> Quote:
        obj = super().__new__(cls, text)
        obj.gloss = gloss
        return obj


def esc(text: str) -> str:
    if isinstance(text, LocalText):
        state = i18n.answer_state()
        if text.fallback:
            state.fallback = True
        elif text.english and text.english not in state.named:
            state.named.add(text.english)
            return html.escape(f"{text} ({text.english})", quote=False)
    return html.escape(text, quote=False)


def plain_text(markup: str) -> str:
    """The text Telegram shows for this HTML (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", markup))


def plain_length(markup: str) -> int:
    """Characters Telegram counts after parsing the HTML."""
    return len(plain_text(markup))


_INFERRED = {"year": "labels.year_inferred", "full": "labels.date_inferred"}


def date_html(d: BriefDate) -> str:  # in the answer's language
    """A date at its real precision, with a visible mark when it was inferred (inside the label's own
    brackets when it ends with some: "январь 2024 – февраль 2024 (точнее неизвестно; дата выведена)")."""
    mark = _INFERRED.get(d.inferred)
    text = esc(label(d))
    if not mark:
        return text
    if text.endswith(")"):
        return f"{text[:-1]}; <i>{say(mark)}</i>)"
    return f"{text} <i>({say(mark)})</i>"


def date_text(d: BriefDate) -> str:
    """The same as plain text, for a sentence that is escaped as a whole ("5 October 2024 (year
    inferred)")."""
    mark = _INFERRED.get(d.inferred)
    text = label(d)
    if not mark:
        return text
    return f"{text[:-1]}; {say(mark)})" if text.endswith(")") else f"{text} ({say(mark)})"


def window_label(start: date, end: date, typed: str) -> str:
    """A date window asked for, as the reader's language writes it ("2025", "сентябрь 2023", "19
    sentyabr 2023"), for the sentences that name it; what the user typed when it is open-ended or
    a day of any year ("since 2023", "June 15"): their words then read best. The user's own words
    inside a sentence broke its grammar ("2025-ci ildə daxilində")."""
    if start == date.min or end == date.max:
        return typed
    whole_years = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    if whole_years:
        return str(start.year) if start.year == end.year else f"{start.year} – {end.year}"
    first_of_month = start.day == 1
    end_of_month = end.day == calendar.monthrange(end.year, end.month)[1]
    if first_of_month and end_of_month:
        first, last = i18n.month_date(start, "month"), i18n.month_date(end, "month")
        return first if (start.year, start.month) == (end.year, end.month) else f"{first} – {last}"
    if start == end:
        return i18n.month_date(start, "day")
    return f"{i18n.month_date(start, 'day')} – {i18n.month_date(end, 'day')}"


def quote_html(text: str) -> str:
    """The source's own words, verbatim. In a reply in another language than the source's, marked as
    such, with the brief's translated gloss when it gives one."""
    quoted = "<blockquote>" + html.escape(" ".join(text.split()), quote=False) + "</blockquote>"
    if i18n.current() == i18n.SOURCE_LANG:
        return quoted
    gloss = getattr(text, "gloss", None)
    state = i18n.answer_state()
    parts = [] if state.quote_marked else [say("quote.mark")]  # said once per reply
    state.quote_marked = True
    if gloss:
        parts.append(say("quote.gloss", gloss=" ".join(gloss.split())))
    return f"{quoted}<i>{' '.join(parts)}</i>" if parts else quoted


@dataclass
class Builder:
    """Collects blocks and numbered citations; `html()` adds the source list at the end."""

    corpus: Corpus
    limit: int
    blocks: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)  # seed file names in citation order

    budget: int = 0  # what `add` fills up to: `limit`, with room for a longer language

    def __post_init__(self) -> None:
        room = 1.0 if i18n.current() == i18n.SOURCE_LANG else LOCAL_ROOM
        self.budget = min(int(self.limit * room), TELEGRAM_LIMIT - 96)
        state = i18n.answer_state()  # a new reply: names get their English form on first mention again
        state.named.clear()
        state.fallback = state.quote_marked = False

    def ref(self, cites: tuple[Citation, ...] | Citation | str) -> str:
        """'[1]' or '[1, 3]' for the sources of these citations, numbering new ones."""
        if isinstance(cites, str):
            files = [cites]
        elif isinstance(cites, Citation):
            files = [cites.source]
        else:
            files = list(dict.fromkeys(c.source for c in cites))
        numbers = []
        for f in files:
            if f not in self.cited:
                self.cited.append(f)
            numbers.append(self.cited.index(f) + 1)
        return "[" + ", ".join(str(n) for n in sorted(numbers)) + "]"

    def add(self, block: str | Callable[[Builder], str], *, force: bool = False) -> bool:
        """Add a block if the reply still fits; a block may be a function that numbers citations."""
        saved = list(self.cited)
        text = block(self) if callable(block) else block
        if not force and plain_length(self.html(extra=text)) > self.budget:
            self.cited = saved
            return False
        self.blocks.append(text)
        return True

    def footer(self) -> str:
        note = f"<i>{say('untranslated')}</i>\n" if i18n.answer_state().fallback else ""
        if not self.cited:
            return note.rstrip("\n")
        lines = [f"{note}<b>{say('labels.sources')}</b>"]
        for n, file in enumerate(self.cited, 1):
            lines.append(f"[{n}] {source_line(self.corpus, file, title=self.limit > BRIEF_LIMIT)}")
        return "\n".join(lines)

    def html(self, extra: str | None = None) -> str:
        blocks = [*self.blocks, extra] if extra else list(self.blocks)
        body = "\n".join(b for b in blocks if b)
        foot = self.footer()
        return f"{body}\n\n{foot}" if foot else body


def source_line(corpus: Corpus, file: str, *, title: bool = True, key: bool = False) -> str:
    """'AZERTAC, 22 November 2024 — Title': outlet, date and title, the label a reader needs. Brief
    replies leave the title out: a group reply is for its lines, and the source button opens the card.
    The citation key (the seed's file name) shows only on the card itself (`key`)."""
    source = corpus.sources[file]
    outlet = source.outlet if source.outlet.lower() != "unknown" else say("labels.outlet_unknown")
    head = f"{esc(outlet)}, {date_html(source.published)}"
    line = f"{head} — {esc(source.title)}" if title else head
    return f"{line} <code>{esc(file)}</code>" if key else line


def fit(markup: str, limit: int = TELEGRAM_LIMIT) -> str:
    """Last-resort guard: a reply that still exceeds Telegram's limit loses whole lines from the end."""
    lines = markup.split("\n")
    while plain_length("\n".join(lines)) > limit and len(lines) > 1:
        lines.pop()
    return "\n".join(lines)
