"""Candidate base forms of inflected words, for matching what users type against an index of names.

`base_forms("Гафаровой")` → ("Гафаровой", "Гафарова", "Гафаров"): the word itself first, then the
forms an index is likely to hold, in the word's own script. The index folds both sides (see
`bot.normalize`), so a caller looks every candidate up and keeps the best hit.

* Russian (Cyrillic): pymorphy3 with its OpenCorpora dictionary, which knows surnames and place
  names (a female surname keeps its gender: Гафаровой → Гафарова; Алиева is both the genitive of
  Алиев and the female surname, so both come back). Loaded lazily on the first Cyrillic word,
  so importing this module stays cheap: that first call costs 55-80 ms and 25 MB of memory,
  later words 0.15 ms each uncached (measured on this project's 2-core machine).
  Why not snowballstemmer (Russian): it gives stems, not base forms, so the index would have to be
  stemmed too; on 99 inflected forms (names, places, plain words) it gave the base form for 42%
  and the same stem as the base for 74-89%, mangling names (Алиев → ал, Карабах → караб), where
  pymorphy3 with the unknown-name fallback below has the base among its candidates for all.
  Its Turkish stemmer does not know ə and found the base of 32-50% of Azerbaijani forms.
* Unknown Russian names (Зангезура): a short table of case endings, for words the dictionary lacks.
* Azerbaijani: no kept morphology library exists, so endings come from `az_suffixes.yaml`,
  stripped longest first, with vowel harmony and buffer consonants checked, never leaving fewer
  than three letters, and never touching names listed there as whole (Laçın, Bakı). Candidates
  after the first are looser than pymorphy3's (partiya → parti, part): look them up exactly, not fuzzily.
* English (and ASCII-typed Azerbaijani, which looks the same): plural and possessive only
  (Aliyev's → Aliyev, prisoners → prisoner), plus the Azerbaijani endings in ASCII spelling
  (Qarabagda → Qarabag) when the language is not known to be English.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import product
from typing import Any

import yaml

from bot.understand.places import azerbaijani_place, english_place, russian_place

logging.getLogger("pymorphy3").setLevel(logging.WARNING)  # it logs where its dictionary lies, at INFO

Lang = str  # "en" | "ru" | "az" | "" (unknown: guessed from the word)

MAX_WORD = 40  # longer "words" are pasted junk, not names: returned as they are
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_AZ_ONLY = re.compile(r"[əƏıİğĞ]")  # letters no English or Russian word has
_AZ_LETTERS = re.compile(r"[əƏıİğĞşŞçÇöÖüÜ]")
_APOSTROPHES = "'\u2019\u2018\u02bc`"
_TOKEN = re.compile(r"[^\W_]+(?:[-'\u2019\u02bc][^\W_]+)*")


def script_lang(word: str) -> Lang:
    """The language a word's letters point to: "ru" for Cyrillic, "az" for Azerbaijani letters, else ""."""
    if _CYRILLIC.search(word):
        return "ru"
    if _AZ_LETTERS.search(word):
        return "az"
    return ""


def _lower(word: str) -> str:
    """Lowercase that keeps Azerbaijani İ/I apart from English i (İlham → ilham)."""
    return word.replace("İ", "i").lower()


def _recase(template: str, form: str) -> str:
    """`form` written in the case pattern of the word the user typed."""
    if template.isupper() and len(template) > 1:
        return form.replace("i", "İ").upper() if _AZ_LETTERS.search(template) else form.upper()
    if template[:1].isupper():
        head = "İ" if template[0] == "İ" and form[:1] == "i" else form[:1].upper()
        return head + form[1:]
    return form


# ------------------------------------------------------------------ Russian (pymorphy3)

_morph: Any = None
_morph_lock = threading.Lock()
_NOUNISH = {"NOUN", "ADJF", "PRTF", "NUMR", "NPRO"}
_PERSONAL = frozenset({"Name", "Surn", "Patr"})
MIN_SCORE = 0.05  # parses less likely than this are noise ("Керимли" read as a verb)


def _analyzer() -> Any:
    """The pymorphy3 analyzer, made on first use (about 0.1 s and 30 MB; see the module docstring)."""
    global _morph
    if _morph is None:
        with _morph_lock:
            if _morph is None:
                import pymorphy3

                _morph = pymorphy3.MorphAnalyzer(lang="ru")
    return _morph


# For names the dictionary does not know (Зангезура): case endings → the masculine and feminine
# nominative stems they may come from. Only for unknown words, and never below three letters.
_UNKNOWN_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ом", ("",)), ("ем", ("",)), ("ой", ("а",)), ("ою", ("а",)), ("ей", ("я",)),
    ("а", ("",)), ("у", ("", "а")), ("е", ("", "а")), ("ы", ("а",)), ("ю", ("я",)), ("я", ("",)),
)
_CONSONANT = re.compile(r"[бвгджзйклмнпрстфхцчшщ]$")


def _guess_russian(low: str) -> list[str]:
    for ending, replacements in _UNKNOWN_ENDINGS:
        stem = low[: -len(ending)]
        if low.endswith(ending) and len(stem) >= 3 and _CONSONANT.search(stem):
            return [stem + r for r in replacements]
    return []


def _russian(word: str) -> list[str]:
    low = _lower(word)
    if len(low) < 3 or (word.isupper() and len(word) <= 6):
        return []  # short words and abbreviations (ПАСЕ, ООН) are not inflected as typed
    forms: list[str] = []
    parses = _analyzer().parse(low)
    if not any(p.is_known for p in parses):
        forms = _guess_russian(low)
    for parse in parses:
        if parse.score < MIN_SCORE and forms:
            continue
        pos = parse.tag.POS
        known = parse.is_known
        if "plur" in parse.tag and _PERSONAL & parse.tag.grammemes:
            continue  # "Алиев" read as the plural of a first name Алий: no one asks for that
        if not known and pos != "NOUN":
            continue  # a guessed verb or adjective for an unknown name is noise
        if pos == "NOUN":
            # The nominative of the same gender and number: Гафаровой → гафарова, not гафаров.
            nominative = parse.inflect({"nomn"})
            if nominative is not None:
                forms.append(nominative.word)
        elif pos in {"ADJF", "PRTF"}:
            masculine = parse.inflect({"masc", "sing", "nomn"})
            if masculine is not None:
                forms.append(masculine.word)
            if known and pos == "ADJF":
                forms.extend(russian_place(parse.normal_form))  # армянские → армения
        if known or pos in _NOUNISH:
            forms.append(parse.normal_form)
    forms.extend(_combining_place(low))
    if "ё" not in low:
        forms = [f.replace("ё", "е") for f in forms]  # keep the user's spelling: заключенных → заключенный
    return forms


def _combining_place(low: str) -> list[str]:
    """The place in the first part of a compound adjective: "российско-украинский" (Russia),
    "армяно-азербайджанский" (Armenia), "американо-азербайджанские" (America)."""
    if len(low) < 5 or not low.endswith("о"):
        return []
    adjective = low[:-1] + "ий" if low.endswith(("ско", "цко")) else low[:-1] + "ский"
    if not any(p.is_known and p.tag.POS == "ADJF" for p in _analyzer().parse(adjective)):
        return []
    return russian_place(adjective)


def russian_verb(word: str, *, active: bool = False) -> bool:
    """Whether a Russian word is most likely a verb ("поднял", "заявила"): "кто поднял флаг" asks
    for whoever did something, not for someone named "поднял флаг". `active`: a finite or infinitive
    verb only, not a short passive participle ("предложена") or a gerund."""
    if not _CYRILLIC.search(word) or len(word) < 3:
        return False
    parses = _analyzer().parse(_lower(word))
    kinds = {"VERB", "INFN"} if active else {"VERB", "INFN", "PRTS", "GRND"}
    if not parses or not parses[0].is_known or parses[0].tag.POS not in kinds:
        return False
    return not active or word.lower() not in ("был", "была", "было", "были", "будет", "будут")


def russian_active_participle(word: str) -> bool:
    """Whether a Russian word is an active participle ("подписавшие", "опубликовавший"): after a noun
    it opens what the noun's referent did, as "who" does ("чиновники, подписавшие обращение")."""
    if not _CYRILLIC.search(word) or len(word) < 5:
        return False
    parses = _analyzer().parse(_lower(word))
    # the likeliest reading only: "действующего" is an adjective first ("the acting government")
    return bool(parses) and parses[0].is_known and parses[0].tag.POS == "PRTF" and "actv" in parses[0].tag


_QUALITY = frozenset({"ADJF", "ADJS", "PRTF", "PRTS", "ADVB"})
# "не-" words that negate nothing: "несколько" is no "not how many", "некоторые" no "not which"
_NOT_NEGATIONS = frozenset({"несколько", "немного", "немало", "недавно", "нередко", "немедленно", "незадолго",
                            "некоторый", "некий", "неужели", "нечто", "некогда", "недалеко", "нежели",
                            "необходимый", "необходимо"})


@lru_cache(maxsize=4096)
def russian_negated(word: str) -> str | None:
    """The word a Russian "не-" adjective or adverb denies: "неподходящий" → "подходящий",
    "незаконно" → "законно" (both known to the dictionary as the same part of speech); else None."""
    low = _lower(word)
    if len(low) < 7 or not low.startswith("не") or not _CYRILLIC.search(low):
        return None
    whole = _analyzer().parse(low)
    rest = _analyzer().parse(low[2:])
    if not whole or not rest or not rest[0].is_known or whole[0].normal_form in _NOT_NEGATIONS:
        return None
    if whole[0].tag.POS in _QUALITY and rest[0].tag.POS == whole[0].tag.POS:
        return low[2:]
    # a word the dictionary only guesses ("недобровольно") or reads as another part of speech
    # ("несправедливо"): the word it is built on must still be a known adjective or adverb
    if rest[0].tag.POS in _QUALITY | {"PRED"} and whole[0].tag.POS in _QUALITY | {"PRED", None}:
        return low[2:]
    return None


# ------------------------------------------------------------------ Azerbaijani (suffix table)


@dataclass(frozen=True)
class _Suffixes:
    native: frozenset[str]  # in Azerbaijani letters
    ascii: frozenset[str]  # the same endings as typed on an ASCII keyboard (and not native)
    longest: int
    min_stem: int
    buffers: frozenset[str]
    vowels: frozenset[str]
    harmony: dict[str, frozenset[str]]
    after_possessive: frozenset[str]  # endings whose stem ends in one of possessive_vowels
    possessive_vowels: frozenset[str]
    keep: frozenset[str]  # native and ASCII spellings
    last: frozenset[str]  # the last letter of every one-letter ending (native or ASCII)
    last_two: frozenset[str]  # the last two letters of every longer ending (native or ASCII)


def _fold_az(text: str, table: dict[str, list[str]]) -> set[str]:
    """Every ASCII spelling of `text` (ə may be typed e or a)."""
    options = [table.get(ch, [ch]) for ch in text]
    return {"".join(p) for p in product(*options)}


@cache
def _az_table() -> _Suffixes:
    data = yaml.safe_load(resources.files("bot.understand").joinpath("az_suffixes.yaml").read_text("utf-8"))
    slots = [["", *data["slots"][name]] for name in ("plural", "possessive", "case", "relative")]
    native = {"".join(parts) for parts in product(*slots)} | set(data.get("extra", []))
    native.discard("")
    table = {k: list(v) for k, v in data["ascii_letters"].items()}
    ascii_forms: set[str] = set()
    for suffix in native:
        ascii_forms |= _fold_az(suffix, table)
    keep: set[str] = set()
    for name in data.get("keep_whole", []):
        keep |= {name} | _fold_az(name, table)
    return _Suffixes(
        native=frozenset(native),
        ascii=frozenset(ascii_forms - native),
        longest=max(map(len, native | ascii_forms)),
        min_stem=int(data["min_stem"]),
        buffers=frozenset(data["buffer_consonants"]),
        vowels=frozenset(data["vowels"]),
        harmony={k: frozenset(v) for k, v in data["harmony"].items()},
        after_possessive=frozenset(s for x in data["after_possessive"] for s in {x} | _fold_az(x, table)),
        possessive_vowels=frozenset(data["possessive_vowels"]) | {"i", "u"},
        keep=frozenset(keep),
        last=frozenset(s for s in native | ascii_forms if len(s) == 1),
        last_two=frozenset(s[-2:] for s in native | ascii_forms if len(s) > 1),
    )


def _fits(stem: str, suffix: str, table: _Suffixes, check_harmony: bool) -> bool:
    """Whether `suffix` can follow `stem`: buffer consonants after vowels only, vowels after consonants
    only, and (in Azerbaijani letters) the ending's first vowel in harmony with the stem's last."""
    ends_in_vowel = stem[-1] in table.vowels
    if suffix[0] in table.vowels and ends_in_vowel:
        return False  # Bakı-ya, not Bakı-a
    if suffix[0] in table.buffers and not ends_in_vowel:
        return False  # Məclis-in, not Məclis-nin
    if suffix in table.after_possessive and stem[-1] not in table.possessive_vowels:
        return False  # Ermənistan-a, not Ermənista-na
    if check_harmony:
        first = next((ch for ch in suffix if ch in table.harmony), None)
        last = next((ch for ch in reversed(stem) if ch in table.vowels), None)
        if first is not None and last is not None and last not in table.harmony[first]:
            return False
    return True


def _azerbaijani(word: str, ascii_typed: bool) -> list[str]:
    table = _az_table()
    # In Azerbaijani letters, I is the capital of ı (QARABAĞIN, İLHAMIN); typed in ASCII it is i.
    low = word.replace("I", "I" if ascii_typed else "ı").replace("İ", "i").lower()
    for mark in _APOSTROPHES:  # Bakı'da: the apostrophe marks where a proper name's ending starts
        if mark in low:
            stem = low.split(mark, 1)[0]
            return [stem] if len(stem) >= 2 else []
    # Typed in ASCII, a word may as well be English: a three-letter stem ("Putin" → "put" + genitive
    # "-in") is more often an English word than an Azerbaijani one, so such stems need four letters.
    min_stem = table.min_stem + (1 if ascii_typed else 0)
    if low in table.keep or len(low) <= min_stem:
        return []
    if low[-1] not in table.last and low[-2:] not in table.last_two:
        return []  # no ending of the table ends the word (the loop below would find none)
    stems: list[str] = []
    for length in range(min(table.longest, len(low) - min_stem), 0, -1):  # longest ending first
        stem, suffix = low[:-length], low[-length:]
        native = suffix in table.native
        if not native and not (ascii_typed and suffix in table.ascii):
            continue
        if _fits(stem, suffix, table, check_harmony=native and not ascii_typed):
            stems.append(stem)
    # Qarabağd (-a) beside Qarabağ (-da): a stem that is another plus the first consonant of an ending
    # is the same split done wrong, so it goes.
    shorter = set(stems)
    stems = [s for s in stems if not (s[:-1] in shorter and s[-1] in "dt")]
    # A stem that is a known whole name (Laçından → Laçın) goes first, and nothing shorter of it follows.
    for stem in stems:
        if stem in table.keep:
            return [stem] + [s for s in stems if len(s) > len(stem)]
    return stems


# ------------------------------------------------------------------ English


_NOT_PLURAL = frozenset({"news", "series", "species", "means", "politics", "economics", "headquarters", "always",
                         "perhaps", "whereas", "towards", "afterwards", "yes", "this", "has", "was", "does"})


_ACRONYM_PLURAL = re.compile(r"^[A-Z]{2,}s$")  # MPs, NGOs


_ENGLISH_LAST = frozenset("s" + _APOSTROPHES)  # every form below strips an "s" or an apostrophe at the end


def _english(word: str) -> list[str]:
    low = word.lower()
    if low[-1:] not in _ENGLISH_LAST:
        return []
    forms: list[str] = [low[:-1]] if _ACRONYM_PLURAL.match(word) else []
    for mark in _APOSTROPHES:  # Aliyev's, ministers'
        for tail in (mark + "s", mark):
            if low.endswith(tail) and len(low) > len(tail) + 1:
                low = low[: -len(tail)]
                forms.append(low)
                break
    if len(low) <= 3 or low in _NOT_PLURAL or not low.endswith("s") or low.endswith(("ss", "us", "is", "os")):
        return forms
    if low.endswith("ies") and len(low) > 4:
        return [*forms, low[:-3] + "y", low[:-1]]
    if low.endswith(("ches", "shes", "xes", "zes", "sses")):
        return [*forms, low[:-2], low[:-1]]
    return [*forms, low[:-1]]


# ------------------------------------------------------------------ public


@cache
def _country_stems() -> frozenset[str]:
    """Every word `azerbaijani_place(word, of_place=False)` has a place for: a word of its table or the
    start of a country's name (what it adds an ending to), kept if it does give one. A word not in
    here needs no call."""
    from bot.understand import places

    words = set(places._table().get("az", {}))
    words |= {name[:i] for name in places.countries("az") for i in range(1, len(name))}
    return frozenset(w for w in words if azerbaijani_place(w, of_place=False))


@lru_cache(maxsize=50_000)
def base_forms(word: str, lang: Lang = "") -> tuple[str, ...]:
    """Candidate base forms of one word, the word itself first, in its own script and case pattern.

    `lang` ("en", "ru", "az") narrows the rules when the caller knows the message's language;
    without it the word's letters decide (Cyrillic → Russian; ə, ğ, ı → Azerbaijani; ASCII Latin
    → English and ASCII-typed Azerbaijani both). Never raises; an empty string gives ().
    """
    word = word.strip() if isinstance(word, str) else ""
    if not word.isascii():  # (ASCII is its own NFC and has no Cyrillic or Azerbaijani letter)
        word = unicodedata.normalize("NFC", word)
    if not word:
        return ()
    if len(word) > MAX_WORD:
        return (word,)
    script = script_lang(word) if not word.isascii() else ""
    forms: list[str] = []
    try:
        if script == "ru":
            forms = _russian(word)
        elif script == "az" or lang == "az":
            forms = _azerbaijani(word, ascii_typed=not _AZ_ONLY.search(word) and script != "az")
            low = _lower(word)
            forms += [p for stem in (low, *forms) for p in azerbaijani_place(stem)]  # türk → türkiyə
        elif lang == "en":
            forms = _english(word)
            forms += english_place(_lower(word))  # american → america
        else:
            forms = _english(word) + _azerbaijani(word, ascii_typed=True)
            forms += english_place(_lower(word))
            stems = _country_stems()
            forms += [p for stem in (_lower(word), *forms) if stem in stems  # almanlar → almaniya
                      for p in azerbaijani_place(stem, of_place=False)]
    except Exception:  # a dictionary edge case must never cost the user an answer
        forms = []
    out = [word]
    seen = {_lower(word)}
    for form in forms:
        if form and form not in seen:
            seen.add(form)
            out.append(_recase(word, form))
    return tuple(out)


def phrase_base_forms(text: str, lang: Lang = "") -> list[tuple[str, ...]]:
    """`base_forms` of every word of a phrase, in order ("в Карабахе" → [("в",), ("Карабахе", "Карабах")]).

    Without `lang`, the phrase's letters decide once for all its words, so "Qarabagda" in an
    Azerbaijani sentence is read as Azerbaijani even where it has no ə or ı of its own.
    """
    if not isinstance(text, str):
        return []
    tokens = _TOKEN.findall(unicodedata.normalize("NFC", text))
    if not lang:
        langs = {script_lang(t) for t in tokens} - {""}
        lang = langs.pop() if len(langs) == 1 else ""
    return [base_forms(t, lang) for t in tokens]


_TERM_SPLIT = re.compile(r"[^\w.'\u2019]+")


@cache
def _folding() -> tuple[Any, Any]:
    """bot.normalize's skeleton and words, imported late: normalize is the lower layer, kept import-light."""
    from bot.normalize import skeleton, words

    return skeleton, words


@lru_cache(maxsize=20_000)
def term_forms(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each word of `text` as the index folds it (a skeleton), with the skeletons of its other base
    forms ("Гафаровой" → "gafarovoi", {"gafarova", "gafarov"}), in order. For matching only: the
    other forms are to be looked up exactly, never fuzzily."""
    skeleton, words = _folding()
    out: list[tuple[str, frozenset[str]]] = []
    for raw in _TERM_SPLIT.split(text):
        token = raw.strip(".'\u2019")
        pieces = words(raw)  # as the index folds it: "U.S." is one word, "us"
        if not pieces:
            continue
        if len(pieces) != 1:
            out.extend((skeleton(p), frozenset()) for p in pieces)
            continue
        typed = skeleton(pieces[0])
        alts = set()
        for form in base_forms(token)[1:]:
            folded = words(form)
            if len(folded) == 1 and len(folded[0]) >= 3:
                alts.add(skeleton(folded[0]))
        alts.discard(typed)
        out.append((typed, frozenset(alts)))
    return tuple(out)
