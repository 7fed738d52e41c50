"""The bot's three languages: which one a reply speaks, its phrases, plurals and dates.

English is the source: `bot/wording.yaml`, as before (the other modules keep adding keys there).
Russian and Azerbaijani are gettext catalogs, `bot/locale/ru.po` and `bot/locale/az.po`, read with
Babel: each entry's `msgctxt` is the wording key ("labels.role"), its `msgid` the English text it
translates, so a translation whose English has since changed is known to be stale (it is not used:
the English shows until it is reviewed, and a test names it). `python -m bot.i18n sync` adds new
English keys to both catalogs and marks changed ones fuzzy, as `msgmerge` would.

Why gettext and not Fluent: the keys and `{placeholders}` of wording.yaml stay as they are (no
rewrite of every phrase and every caller into Fluent syntax while others add keys), one library
(Babel) gives catalogs, CLDR plural rules and dates, and a .po file is what translators' tools
(Poedit, Weblate) and reviewers already read, with fuzzy marks for stale entries. gettext's limit, one
number per plural message, is met by composing counts (`counts.*`) into the sentences that need several.

Which language a reply speaks is a per-answer context (`speaking(lang)`), set by the adapter or
`Engine.answer(lang=…)` around one answer: the views and renderers call `say()` as before and get the
language of the answer they are part of. A ContextVar is per thread and per asyncio task, so two
users answered at once in different languages never mix.
"""

from __future__ import annotations

import gettext
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

LANGS = ("en", "ru", "az")
DEFAULT = "en"
NAMES = {"en": "English", "ru": "Русский", "az": "Azərbaycanca"}  # each in its own language
SPOKEN_NAMES = {
    "en": ("english", "английский", "ingilis", "ingiliscə", "ingilisce", "inglizce"),
    "ru": ("russian", "русский", "по-русски", "rus", "rusca", "rusça"),
    "az": ("azerbaijani", "azeri", "азербайджанский", "azərbaycanca", "azerbaycanca", "azərbaycan", "azerbaycan"),
}
PLURAL_KEYS = frozenset(("zero", "one", "two", "few", "many", "other"))
SOURCE_LANG = "en"  # the language of every seed document, so of every quote (a source may declare another later)
LOCALE_DIR = Path(__file__).with_name("locale")
WORDING = Path(__file__).with_name("wording.yaml")

_current: ContextVar[str] = ContextVar("briefbot_lang", default=DEFAULT)


@dataclass
class AnswerState:
    """What one reply has said so far: names already given with their English form, and whether some
    content was shown in English for want of a translation."""

    named: set[str] = field(default_factory=set)
    fallback: bool = False
    quote_marked: bool = False  # the first quote says it is in the source's language


_state: ContextVar[AnswerState | None] = ContextVar("briefbot_answer", default=None)


def answer_state() -> AnswerState:
    state = _state.get()
    if state is None:
        state = AnswerState()
        _state.set(state)
    return state


# --------------------------------------------------------------------------- which language


def normalize(code: str | None) -> str | None:
    """'ru', 'ru-RU', 'AZ' -> one of LANGS, or None for a language the bot does not speak."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGS else None


def from_name(text: str) -> str | None:
    """'русский', 'english', 'azərbaycanca', 'az' … -> a language code, or None."""
    folded = text.strip().casefold()
    for lang, names in SPOKEN_NAMES.items():
        if folded in names:
            return lang
    return None


def written_in(text: str) -> str | None:
    """The language a message is written in, when it tells: a greeting or a question in any of the three
    languages, or words in Russian or Azerbaijani. None for a command, or Latin words that could be any
    language's names ("gafarova"): those leave the choice to the user's Telegram language."""
    if not text or text.lstrip().startswith("/"):
        return None
    from bot.understand.intent import understand

    intent = understand(text)
    if intent.greeting or intent.question is not None:
        return intent.lang
    return intent.lang if intent.lang != DEFAULT else None


def current() -> str:
    """The language of the answer being made."""
    return _current.get()


@contextmanager
def speaking(lang: str | None) -> Iterator[str]:
    """Within this block, `say()` and the date labels speak `lang` (English for anything unknown)."""
    chosen = normalize(lang) or DEFAULT
    token = _current.set(chosen)
    state = _state.set(AnswerState())
    try:
        yield chosen
    finally:
        _state.reset(state)
        _current.reset(token)


def in_lang(lang: str | None, call: Callable[[], Any]) -> Any:
    """`call()` speaking `lang`: for work handed to a worker thread, where the context does not follow."""
    with speaking(lang):
        return call()


# --------------------------------------------------------------------------- phrases


@cache
def english() -> dict[str, Any]:
    return yaml.safe_load(WORDING.read_text(encoding="utf-8"))


def is_plural(node: object) -> bool:
    return isinstance(node, dict) and "other" in node and set(node) <= PLURAL_KEYS


def flatten(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """('labels.role', 'Role'), …: every phrase of a wording tree by its key; a plural is one phrase."""
    if isinstance(node, dict) and not is_plural(node):
        for k, v in node.items():
            yield from flatten(v, f"{prefix}{k}.")
    else:
        yield prefix[:-1], node


def english_phrase(path: str) -> Any:
    node: Any = english()
    for part in path.split("."):
        node = node[part]
    return node


@cache
def catalog(lang: str) -> dict[str, tuple[Any, Any]]:
    """key -> (the English it translates, the translation: a string or, for a plural, a tuple of forms).
    Fuzzy and empty entries are left out: they are not reviewed translations."""
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / f"{lang}.po"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        cat = read_po(f, locale=lang)
    out: dict[str, tuple[Any, Any]] = {}
    for message in cat:
        if not message.id or message.fuzzy or not message.context:
            continue
        if isinstance(message.id, tuple | list):
            forms = tuple(str(s) for s in message.string)
            if all(forms):
                out[message.context] = (tuple(message.id), forms)
        elif message.string:
            out[message.context] = (message.id, str(message.string))
    return out


def _english_ids(node: Any) -> Any:
    """The msgid of an English phrase: its text, or (singular, plural) for a plural."""
    if is_plural(node):
        return (str(node.get("one", node["other"])), str(node["other"]))
    return str(node)


def translated(path: str, lang: str) -> Any | None:
    """The reviewed translation of `path` in `lang`, or None (missing, fuzzy, or its English changed)."""
    entry = catalog(lang).get(path)
    if entry is None or entry[0] != _english_ids(english_phrase(path)):
        return None
    return entry[1]


@cache
def _plural_index(lang: str) -> Callable[[int], int]:
    from babel.messages.plurals import get_plural

    return gettext.c2py(get_plural(lang).plural_expr)


def plural_category(n: int, lang: str) -> str:
    """CLDR's category of `n` in `lang` ('one', 'few', 'many', 'other'), from Babel."""
    from babel import Locale

    return Locale.parse(lang).plural_form(abs(n))


def phrase(path: str, lang: str | None = None, n: object = None) -> str:
    """The text of `path` in `lang` (the answer's language when None), the right plural form for `n`;
    English when the catalog has no reviewed translation."""
    lang = normalize(lang) or current()
    english_node = english_phrase(path)
    found = translated(path, lang) if lang != DEFAULT else None
    if not is_plural(english_node):
        return str(found) if found is not None else str(english_node)
    count = _count(n)
    if found is not None:
        return found[min(_plural_index(lang)(count), len(found) - 1)]
    return str(english_node.get(plural_category(count, "en"), english_node["other"]))


def _count(n: object) -> int:
    try:
        return int(str(n))
    except ValueError:
        return 0


def tree(path: str, lang: str | None = None) -> dict[str, str]:
    """A mapping of phrases (e.g. the command menu, `commands`) in `lang`, in the English order."""
    prefix = f"{path}."
    return {k[len(prefix):]: phrase(k, lang) for k, _ in flatten(english()) if k.startswith(prefix)}


# --------------------------------------------------------------------------- dates


def month_date(day: date, precision: str, lang: str | None = None) -> str:
    """'19 September 2023' / '19 сентября 2023' / '19 sentyabr 2023'; 'September 2023' / 'сентябрь 2023'
    (Babel's CLDR month names: genitive after a day, nominative alone)."""
    return _month_date(day, precision == "day", normalize(lang) or current())


@lru_cache(maxsize=8192)
def _month_date(day: date, with_day: bool, lang: str) -> str:
    from babel.dates import format_date

    return format_date(day, "d MMMM y" if with_day else "LLLL y", locale=lang)


def az_ordinal_suffix(number: int) -> str:
    """The Azerbaijani ordinal ending of a number written in digits (2023-cü, 2026-cı, 1990-cı, 2010-cu):
    it follows the vowel of the number's last spoken word, so it is a table, not a rule CLDR has."""
    endings = {1: "ci", 2: "ci", 3: "cü", 4: "cü", 5: "ci", 6: "cı", 7: "ci", 8: "ci", 9: "cu"}
    tens = {1: "cu", 2: "ci", 3: "cu", 4: "cı", 5: "ci", 6: "cı", 7: "ci", 8: "ci", 9: "cı"}
    if number % 10:
        return endings[number % 10]
    if number % 100:
        return tens[(number // 10) % 10]
    if number % 1000:
        return "cü"  # yüzüncü
    return "ci"  # mininci


# --------------------------------------------------------------------------- catalogs


def sync(langs: tuple[str, ...] = ("ru", "az")) -> dict[str, tuple[int, int, int]]:
    """Bring each catalog in line with wording.yaml: new keys added untranslated, entries whose English
    changed marked fuzzy (the old English kept as the previous msgid), removed keys dropped.
    Returns lang -> (translated, fuzzy, untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    counts: dict[str, tuple[int, int, int]] = {}
    LOCALE_DIR.mkdir(exist_ok=True)
    for lang in langs:
        path = LOCALE_DIR / f"{lang}.po"
        old: dict[str, Any] = {}
        created = None
        if path.exists():
            with path.open("rb") as f:
                before_catalog = read_po(f, locale=lang)
            old = {m.context: m for m in before_catalog if m.context}
            created = before_catalog.creation_date  # kept, so a sync without changes changes nothing
        new = Catalog(locale=lang, project="briefbot", version="", fuzzy=False, creation_date=created,
                      revision_date=created, language_team=f"briefbot {lang}", last_translator="briefbot",
                      header_comment=f"# briefbot: the {lang} translation of bot/wording.yaml (the key is msgctxt).\n"
                                     f"# After changing wording.yaml run `python -m bot.i18n sync`, then translate\n"
                                     f"# the new (empty) and fuzzy (English changed) entries.")
        done = fuzzy = empty = 0
        for key, node in flatten(english()):
            ids = _english_ids(node)
            before = old.get(key)
            string: Any = ("",) * _nplurals(lang) if isinstance(ids, tuple) else ""
            flags: set[str] = set()
            previous: list[str] = []
            if before is not None and _has_text(before.string):
                before_ids = tuple(before.id) if isinstance(before.id, tuple | list) else before.id
                if isinstance(before_ids, tuple) == isinstance(ids, tuple):
                    string = tuple(before.string) if isinstance(ids, tuple) else before.string
                    if before_ids != ids or before.fuzzy:
                        flags.add("fuzzy")
                        kept = before.previous_id if before.fuzzy and before.previous_id else before_ids
                        previous = list(kept) if isinstance(kept, tuple | list) else [kept]
            if not _has_text(string):
                empty += 1
            elif flags:
                fuzzy += 1
            else:
                done += 1
            new.add(ids, string, context=key, flags=flags, previous_id=previous or ())
        with path.open("wb") as f:
            write_po(f, new, width=0, include_previous=True, omit_header=False, sort_output=False)
        counts[lang] = (done, fuzzy, empty)
    return counts


def _has_text(string: Any) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


def _nplurals(lang: str) -> int:
    from babel.messages.plurals import get_plural

    return get_plural(lang).num_plurals


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["sync"]:
        print("usage: python -m bot.i18n sync   (update bot/locale/*.po from bot/wording.yaml)", file=sys.stderr)
        return 2
    for lang, (done, fuzzy, empty) in sync().items():
        print(f"{lang}: {done} translated, {fuzzy} fuzzy (English changed: review), {empty} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
