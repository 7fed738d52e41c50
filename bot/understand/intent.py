"""What a message asks for: `understand("кто такая Гафарова?")` → Intent(command="who", subject="Гафарова", lang="ru").

The rules are data, one YAML file per language (`questions_en.yaml`, `questions_ru.yaml`,
`questions_az.yaml`): greetings, edge filler words, one-word keywords, and question patterns in a
small template language (see questions_en.yaml). This module only compiles and applies them.

Commands returned:
    who       who is / where is X: an actor or a place (the caller looks up both)
    what      what is X / tell me about X: the actor or place X names, else the best entry of any kind
    said      what X said, optionally `about` Y
    timeline  when X happened
    claim     who says X, is it true that X
    help, sources, about   from a one-word request ("help", "источники", "mənbələr")
    search    plain text with no recognisable question: search everything for `subject`
    any /command typed explicitly, as typed ("/actor кто такая Гафарова" → actor, "Гафарова")
A greeting or thanks alone gives greeting=True (command "help", so the caller shows short help);
a greeting before a question is dropped and the question read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

LANGS = ("en", "ru", "az")
MAX_WORDS = 40  # a pasted paragraph is not a question: it is searched as it is
RAW_COMMANDS = frozenset({"start", "open", "source"})  # their argument is a payload or a file name, kept as typed
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@[A-Za-z0-9_]{0,64})?$")

# Folding for matching only; every replacement is one character for one, so spans found in the
# folded text cut the same words out of the user's text.
_MATCH_FOLD = str.maketrans({
    "ə": "e", "ı": "i", "ğ": "g", "ş": "s", "ç": "c", "ö": "o", "ü": "u", "ё": "е",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'",
})
_QUOTES = str.maketrans({ch: " " for ch in "«»\u201c\u201d\u201e\u201f\"‹›"} | {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00a0": " ",
})
_DATE_SLASH = re.compile(r"(?<=\d)/(?=\d)")
_PUNCT = re.compile(r"[?!¿¡,;:()\[\]{}…<>*~|\\/=+#№^%$&]+|\s[-–—]+(?=\s)|^[-–—]+\s|\s[-–—]+$|[–—]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-ZəƏıİğĞşŞçÇöÖüÜ]")
_AZ_LETTERS = re.compile(r"[əƏıİğĞşŞçÇöÖüÜ]")


@dataclass(frozen=True)
class Intent:
    command: str  # see the module docstring
    subject: str  # what to look up, question words removed, in the user's spelling and case
    lang: str  # "en" | "ru" | "az"
    question: str | None = None  # the pattern that matched ("кто {subject}"), or None
    greeting: bool = False  # a greeting or thanks with nothing else: show short help
    thanks: bool = False  # ... and it was a thanks: say "you're welcome", not "hello"
    about: str | None = None  # for "said": what about ("о Карабахе" → "Карабахе")
    explicit: bool = False  # typed as a /command


@dataclass(frozen=True)
class _Pattern:
    lang: str
    command: str
    template: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class _Rules:
    patterns: tuple[_Pattern, ...]
    greetings: tuple[tuple[str, str], ...]  # (folded phrase, lang), longest first (thanks too)
    thanks: frozenset[str]  # the folded phrases among them that thank
    openers: frozenset[str]  # folded words dropped before a question
    filler: dict[str, frozenset[str]]  # lang -> folded words
    all_filler: frozenset[str]
    keywords: dict[str, tuple[str, str]]  # folded phrase -> (command, lang)
    markers: dict[str, frozenset[str]]
    question_words: frozenset[str]  # every word the patterns spell out: a subject of these alone is none
    timeline_words: frozenset[str] = frozenset()  # folded words that name no topic in a timeline ("events")
    count_words: tuple[str, ...] = ()  # phrases asking for a figure ("how many", "сколько"), as written
    count_any: tuple[str, ...] = ()  # counted words any figure of people answers ("people", "nəfər")


@lru_cache(maxsize=8192)  # one message is folded whole, in pieces and word by word, several times over
def fold(text: str) -> str:
    """Lowercase (Azerbaijani İ → i), ə/ı/ğ/ş/ç/ö/ü and ё folded, typographic apostrophes plain;
    the same length as `text`, character for character."""
    out = []
    for ch in text:
        low = "i" if ch == "İ" else ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out).translate(_MATCH_FOLD)


def clean(text: str) -> str:
    """The message with punctuation, quotes and @mentions removed and spaces collapsed; words,
    hyphens inside words, apostrophes inside words (who's, Bakı'da) and dots inside words (U.S.) kept."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _PUNCT.sub(" ", _DATE_SLASH.sub("\x00", text)).replace("\x00", "/")  # 10/11/2020 stays a date
    tokens = []
    for token in text.split():
        if token.startswith("@"):
            continue
        inner_dot = "." in token.strip(".")
        token = token.strip("'-").rstrip(".") if not inner_dot else token.strip("'-")
        token = token.lstrip(".")
        token = _ACRONYM_CASE.sub(r"\1", token)  # "AŞPA-da", "ABŞ-ın": the acronym itself
        if token and any(ch.isalnum() for ch in token):
            tokens.append(token)
    return " ".join(tokens)


def bare_acronyms(text: str) -> str:
    """"AŞPA-da 2024" → "AŞPA 2024": an acronym without the case ending Azerbaijani hyphenates to it."""
    return " ".join(_ACRONYM_CASE.sub(r"\1", t) for t in text.split())


# Azerbaijani writes a case ending after an acronym with a hyphen ("AŞPA-da" in PACE, "ABŞ-a" to the US).
_ACRONYM_CASE = re.compile(r"^([A-ZƏÜÖĞIİŞÇ]{2,})-(?:da|də|ta|tə|dan|dən|tan|tən|a|ə|ya|yə|ın|in|un|ün|nın|nin|nun|"
                           r"nün|ı|i|u|ü|yı|yi|yu|yü|nı|ni|nu|nü|la|lə|dakı|dəki|takı|təki)$")


def _split_template(template: str) -> list[str]:
    tokens, depth, current = [], 0, ""
    for ch in template:
        depth += ch == "("
        depth -= ch == ")"
        if ch == " " and depth == 0:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += ch
    if current:
        tokens.append(current)
    return tokens


def compile_template(template: str) -> re.Pattern[str]:
    """`who (is|was) {subject}` → a regex over folded text with a space after every word."""
    pieces = []
    for token in _split_template(template):
        optional = token.endswith("?") and len(token) > 1
        body = token[:-1] if optional else token
        if body == "{verb}":
            piece = r"(?P<verb>\S+(?: \S+)?) "  # a word or two, kept with the subject ("… nə vaxt elan etdi")
        elif body.startswith("{") and body.endswith("}"):
            piece = f"(?P<{body[1:-1]}>.+?) "
        elif body.startswith("(") and body.endswith(")"):
            alternatives = sorted((fold(a.strip()) for a in body[1:-1].split("|")), key=len, reverse=True)
            piece = "(?:" + "|".join(re.escape(a) for a in alternatives) + ") "
        else:
            piece = re.escape(fold(body)) + " "
        pieces.append(f"(?:{piece})?" if optional else piece)
    return re.compile("^" + "".join(pieces) + "$")


def _read(lang: str) -> dict:
    text = resources.files("bot.understand").joinpath(f"questions_{lang}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def rules() -> _Rules:
    patterns, greetings, keywords, thanks = [], [], {}, set()
    filler, markers, question_words, openers = {}, {}, set(), set()
    timeline_words: set[str] = set()
    count_words: list[str] = []
    count_any: list[str] = []
    for lang in LANGS:
        data = _read(lang)
        for row in data["patterns"]:
            patterns.append(_Pattern(lang, row["command"], row["match"], compile_template(row["match"])))
            question_words |= {w for w in re.split(r"[\s(|)?]+", fold(row["match"])) if w and "{" not in w}
        greetings += [(fold(g), lang) for g in (*data.get("greetings", []), *data.get("thanks", []))]
        thanks |= {fold(g) for g in data.get("thanks", [])}
        filler[lang] = frozenset(fold(w) for w in data.get("filler", []))
        openers |= {fold(w) for w in data.get("openers", [])}
        timeline_words |= {fold(w) for w in data.get("timeline_words", [])}
        count_words += [str(w) for w in data.get("count_words", [])]
        count_any += [str(w) for w in data.get("count_any", [])]
        markers[lang] = frozenset(fold(w) for w in data.get("markers", []))
        for command, phrases in (data.get("keywords") or {}).items():
            for phrase in phrases:
                keywords.setdefault(fold(phrase), (command, lang))
    greetings.sort(key=lambda g: len(g[0]), reverse=True)
    return _Rules(
        patterns=tuple(patterns), greetings=tuple(greetings), thanks=frozenset(thanks), openers=frozenset(openers),
        filler=filler,
        all_filler=frozenset().union(*filler.values()), keywords=keywords, markers=markers,
        question_words=frozenset(question_words), timeline_words=frozenset(timeline_words),
        count_words=tuple(count_words), count_any=tuple(count_any),
    )


@lru_cache(maxsize=1)
def _count_words() -> frozenset[str]:
    return frozenset(w for phrase in rules().count_words for w in fold(phrase).split())


@lru_cache(maxsize=1)
def _interrogatives() -> frozenset[str]:
    """The words the question patterns open or close with ("who", "кто", "kimdir"), not their
    articles and fillers ("the" alone asks nothing)."""
    out: set[str] = set()
    for p in rules().patterns:
        parts = [w for w in re.split(r"[\s(|)?]+", fold(p.template)) if w]
        for end in (parts[:1], parts[-1:]):
            out |= {w for w in end if "{" not in w}
    return frozenset(out) - {"the", "a", "an"}


def timeline_topic(topic: str) -> str:
    """A timeline's topic without the words that only say it is a timeline: "события лета 2023 года"
    is the summer's events, "Karabakh events" Karabakh's."""
    kept = [w for w in topic.split() if fold(w).strip(".,?!") not in rules().timeline_words]
    return " ".join(kept)


def guess_lang(text: str) -> str:
    """Russian for mostly Cyrillic text; Azerbaijani for Azerbaijani letters or words; else English."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic and cyrillic >= latin:
        return "ru"
    if _AZ_LETTERS.search(text):
        return "az"
    words = set(fold(text).split())
    az, en = len(words & rules().markers["az"]), len(words & rules().markers["en"])
    if az == en == 0 and _typed_azerbaijani([w for w in text.split() if w[:1].islower()]):
        # lowercase words only: names ("Ukraine China relations", "Lenin Stalin") are no language
        return "az"
    return "az" if az > en else "en"


# Azerbaijani typed on a keyboard without its letters ("konqresmenler siyasi mehbuslarin azad
# edilmesini istedi"): its endings and a "q" not before "u" mark most of its longer words.
_AZ_ENDING = re.compile(r"(?:lar|ler|lari|leri|larin|lerin|larini|lerini|nin|nun|dir|dur|dirler|ib|ub|edib|olub|"
                        r"medi|madi|mesi|masi|mesini|masini|meli|mali|ecek|acaq|ndan|nden|inda|inde|ine|ina)$")
_AZ_Q = re.compile(r"q(?!u)")
_EN_LAR = ("ular", "ilar", "llar", "olar", "ller", "rler")  # popular, similar, dollar, solar, killer, ruler


def _typed_azerbaijani(words: list[str]) -> bool:
    long = [w for w in (fold(w).strip(".,?!:;\"'()") for w in words) if len(w) >= 4 and w.isascii() and w.isalpha()]
    hits = sum(1 for w in long if (_AZ_ENDING.search(w) and not w.endswith(_EN_LAR)) or _AZ_Q.search(w))
    return hits >= 2 and hits >= 0.4 * len(long)


def _strip_greetings(text: str, folded: str) -> tuple[str, str, str | None, bool]:
    """The text with greetings (and openers: "а", "so") removed from its start and greetings from its
    end, the language of the last greeting removed, if any, and whether any of them thanked."""
    greeted: str | None = None
    thanked = False
    changed = True
    while changed and folded:
        changed = False
        first = folded.split(" ", 1)[0]
        if first in rules().openers:
            text, folded = text[len(first) :].lstrip(), folded[len(first) :].lstrip()
            changed = True
            continue
        for phrase, lang in rules().greetings:
            if folded == phrase or folded.startswith(phrase + " "):
                text, folded = text[len(phrase) :].lstrip(), folded[len(phrase) :].lstrip()
                greeted, changed, thanked = lang, True, thanked or phrase in rules().thanks
                break
            if folded.endswith(" " + phrase):
                text, folded = text[: -len(phrase)].rstrip(), folded[: -len(phrase)].rstrip()
                greeted, changed, thanked = lang, True, thanked or phrase in rules().thanks
                break
    return text, folded, greeted, thanked


def _trim(text: str, filler: frozenset[str]) -> str:
    """`text` without filler words at either end ("please", "the", "пожалуйста")."""
    words = text.split()
    while words and fold(words[0]) in filler:
        words.pop(0)
    while words and fold(words[-1]) in filler:
        words.pop()
    return " ".join(words)


def _match(text: str, folded: str, lang: str) -> tuple[_Pattern, str, str | None] | None:
    """The first pattern that matches, the guessed language's first; with subject and about cut from `text`."""
    order = sorted(rules().patterns, key=lambda p: p.lang != lang)
    for pattern in order:
        m = pattern.regex.match(folded + " ")
        if m is None:
            continue
        filler = rules().filler[pattern.lang]
        subject = _trim(text[m.start("subject") : m.end("subject")], filler)
        if "verb" in pattern.regex.groupindex:
            # The verb says what is asked about the subject ("when did X stop …"): it stays with it.
            subject = f"{subject} {text[m.start('verb') : m.end('verb')]}".strip()
        about = None
        if "about" in pattern.regex.groupindex:
            about = _trim(text[m.start("about") : m.end("about")], filler) or None
            if pattern.command == "timeline" and about:  # "… adopt on 20 Nov 2024": when, with the subject
                subject, about = f"{subject} {about}", None
        if subject and not set(fold(subject).split()) <= rules().question_words:
            return pattern, subject, about
    return None


@dataclass(frozen=True)
class _Reading:
    command: str
    subject: str
    lang: str
    about: str | None = None
    question: str | None = None
    greeting: bool = False
    thanks: bool = False


def _read_text(raw: str) -> _Reading:
    """What a message without a slash command asks."""
    text = clean(raw)
    folded = fold(text)
    if len(folded) != len(text):  # cannot happen by construction; never cut words at wrong places
        folded = text.lower()
    lang = guess_lang(text)
    text, folded, greeted, thanked = _strip_greetings(text, folded)
    if not text:
        return _Reading("help", "", greeted or lang, greeting=greeted is not None, thanks=thanked)
    lang = guess_lang(text)
    keyword = rules().keywords.get(folded)
    if keyword is not None:
        return _Reading(keyword[0], "", keyword[1] if lang != "ru" else lang)
    asked = set(folded.split())
    if asked <= rules().question_words | _count_words() and asked & (_interrogatives() | _count_words()):
        # "кто?", "how many?", "neçə?": a question word alone asks about nothing yet; the help says how
        return _Reading("help", "", lang)
    if len(text.split()) <= MAX_WORDS:
        found = _match(text, folded, lang)
        if found is not None:
            pattern, subject, about = found
            # A pattern tells the language, unless the words are Cyrillic (only Russian patterns are).
            return _Reading(pattern.command, subject, "ru" if lang == "ru" else pattern.lang, about, pattern.template)
    return _Reading("search", _trim(text, rules().filler[lang]) or text, lang)


def understand(message: str) -> Intent:
    """Read a message (see the module docstring). Never raises: anything odd is a plain search."""
    try:
        return _understand(message if isinstance(message, str) else str(message))
    except Exception:  # a rule edge case must never cost the user an answer
        text = message if isinstance(message, str) else ""
        return Intent(command="search", subject=" ".join(text.split()), lang="en")


def _understand(message: str) -> Intent:
    message = message.strip()
    head, _, rest = message.partition(" ")
    slash = _COMMAND.match(head) if head.startswith("/") else None
    if slash is None:
        r = _read_text(message)
        return Intent(command=r.command, subject=r.subject, lang=r.lang, question=r.question,
                      greeting=r.greeting, thanks=r.thanks, about=r.about)
    command = slash.group(1).lower()
    rest = rest.strip()
    if command in RAW_COMMANDS:
        return Intent(command=command, subject=rest, lang=guess_lang(rest), explicit=True)
    r = _read_text(rest)
    subject = r.subject if r.question is not None else _trim(clean(rest), rules().all_filler)
    lang = r.lang if r.question is not None else guess_lang(clean(rest))
    return Intent(command=command, subject=subject, lang=lang, question=r.question, about=r.about, explicit=True)
