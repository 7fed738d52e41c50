"""Figures in a text, as digits or words, in English, Russian and Azerbaijani: "1,000", "140 тысяч",
"ten thousand", "bir milyon"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import pairwise

from bot.dates import MONTHS
from bot.normalize import skeleton, words
from bot.understand.intent import guess_lang

_ONE = frozenset(words("one a an один одна одного bir"))  # before a magnitude word: "one million", "bir milyon"
_DECIMAL = re.compile(r"\d+[.,]\d{1,2}")  # "1.5 million", "1,5 миллиона" (before a magnitude word only)
_FIGURE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[,\u00a0 ]\d{3})+(?![\d.,]\d)|\d+[.,]\d{1,2}(?!\d)|\d+(?:\.\d+)?)")
_NUMBER = re.compile(r"\d{1,3}(?:[,\u00a0 ]\d{3})+(?![\d.,])|\d+(?:\.\d+)?")
NUMBER_WORDS = {  # a figure written out is still a figure: "two million" is not "one million" ("one",
    # "один" and "bir" are left out: "no one", "heç bir" are no figures)
    **dict.fromkeys(words("two два iki"), "2"), **dict.fromkeys(words("three три üç"), "3"),
    **dict.fromkeys(words("four четыре dörd"), "4"), **dict.fromkeys(words("five пять beş"), "5"),
    **dict.fromkeys(words("six шесть altı"), "6"), **dict.fromkeys(words("seven семь yeddi"), "7"),
    **dict.fromkeys(words("eight восемь səkkiz"), "8"), **dict.fromkeys(words("nine девять doqquz"), "9"),
    **dict.fromkeys(words("ten десять on"), "10"),
    **dict.fromkeys(words("twenty двадцать iyirmi"), "20"), **dict.fromkeys(words("thirty тридцать otuz"), "30"),
    **dict.fromkeys(words("forty сорок qırx"), "40"), **dict.fromkeys(words("fifty пятьдесят əlli"), "50"),
    **dict.fromkeys(words("sixty шестьдесят altmış"), "60"), **dict.fromkeys(words("seventy семьдесят yetmiş"), "70"),
    **dict.fromkeys(words("eighty восемьдесят səksən"), "80"), **dict.fromkeys(words("ninety девяносто doxsan"), "90"),
    **dict.fromkeys(words("half полмиллиона половина полтысячи yarım"), "1/2"),  # "half a million" is not one
    **dict.fromkeys(words("hundred сто сотни yüz"), "x100"),
    **dict.fromkeys(words("thousand thousands тысяча тысячи тысяч min"), "x1000"),
    **dict.fromkeys(words("million millions миллион миллиона миллионов milyon"), "x1000000"),
    **dict.fromkeys(words("billion billions миллиард миллиарда миллиардов milyard"), "x1000000000"),
}


YEAR = re.compile(r"1[89]\d\d|20\d\d")  # a figure that reads as a year
# A figure that names a length of time in days or weeks as part of a name: "the 44-day war", "44 günlük
# müharibə", "44-дневная война". It says which thing is meant, not how many.
_SPAN = re.compile(r"(?<![\d.,])(\d+)(?:-|\s)?(?:days?|weeks?|günlük|gunluk|həftəlik|дневн|недельн)", re.IGNORECASE)
# ... and one in years or decades tells a length: "the 30-year occupation", "30-летняя".
_ROUGH_SPAN = re.compile(r"(?<![\d.,])(\d+)-?(?:years?|illik|летн|-?х?летн)",
                         re.IGNORECASE)


_DECADES = frozenset(words("decade decades десятилетие десятилетия десятилетий десятилетиями "
                           "onillik onilliyi onillikdir"))
_PERIODS = frozenset(words("year years лет года годы il ildir ilə illik illiyi"))
_MONTHS = frozenset(words("month months месяц месяца месяцев ay aylıq"))
_DAYS = frozenset(words("day days дней дня день gün günlük"))
_RANGE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)\s*(?:-|–|—|to|and|until|till|до|по"
                    r"|-?(?:dan|dən|ci|cü|cı|cu)?\s*(?:qədər|dək))\s*(1[89]\d\d|20\d\d)(?!\d)", re.IGNORECASE)


def lengths(text: str) -> dict[str, float]:
    return dict(_lengths(text))


@lru_cache(maxsize=4096)
def _lengths(text: str) -> tuple[tuple[str, float], ...]:
    """Figures a text gives as a length of time, with the years each stands for: "for 19 years",
    "for almost two decades" (20), "почти два десятилетия", "около 20 лет", "the 30-year
    occupation", "30-летняя". Such a figure is held by an entry giving about as long (see `near`):
    the delegation's "19 years" are "almost two decades", not "25 years"."""
    ws = words(text)
    out: dict[str, float] = {m.group(1): float(m.group(1)) for m in _ROUGH_SPAN.finditer(text)}
    for n, w in enumerate(ws[1:], 1):
        figure = NUMBER_WORDS.get(ws[n - 1], ws[n - 1] if ws[n - 1].isdigit() else "")
        if not figure or figure.startswith("x") or "/" in figure or float(figure) >= 200:
            continue  # ("2024 il" is a year, no length)
        if w in _DECADES:
            out[figure] = 10.0 * float(figure)
        elif w in _PERIODS:
            out[figure] = float(figure)
        elif w in _MONTHS:
            out[figure] = float(figure) / 12
        elif w in _DAYS:
            out[figure] = float(figure) / 365
    return tuple(out.items())


def durations(text: str) -> frozenset[float]:
    """The lengths of time an entry's text gives, in years: its own ("for almost 30 years", "the past
    three years") and the spans of its ranges ("from 2001 to 2020": 19)."""
    found = set(lengths(text).values())
    found |= {float(int(b) - int(a)) for a, b in _RANGE.findall(text) if int(b) > int(a)}
    return frozenset(found)


def near(years: float, held: frozenset[float]) -> bool:
    """Whether an entry gives about as long (within a tenth): "almost two decades" is 19 years, "four
    years" is not three."""
    return any(abs(h - years) <= 0.1 * years + 1e-9 for h in held)


@lru_cache(maxsize=4096)
def spans(text: str) -> frozenset[str]:
    """The figures of a text that name a length of time ("44-day war"): never the asker's guess."""
    return frozenset(m.group(1) for m in _SPAN.finditer(text))


def numbers(text: str) -> set[str]:
    """Figures in a text, separators dropped ("1,000" and "1 000" are "1000"), a figure with its
    magnitude word as one ("140 тысяч", "1.5 million", "ten thousand", "a million"); a magnitude with
    no count is no figure ("thousands of refugees"); "one billion" is not "one million"."""
    found: set[str] = set()
    spent: set[str] = set()
    for m in _FIGURE.finditer(text):
        raw = m.group(1)
        after = words(text[m.end():m.end() + 24])
        magnitude = NUMBER_WORDS.get(after[0], "") if after else ""
        if magnitude.startswith("x"):
            if _DECIMAL.fullmatch(raw) or re.fullmatch(r"\d+\.\d+", raw):  # "1.5 million", "1.234 million"
                value: float = float(raw.replace(",", "."))
            else:
                value = int(re.sub(r"[,\u00a0 ]", "", raw))
            product = value * int(magnitude[1:])
            if product == int(product):
                found.add(str(int(product)))
                spent.add(after[0])
                continue
        for part in _NUMBER.findall(raw):
            found.add(re.sub(r"[,\u00a0 ]", "", part).lstrip("0") or "0")
    ws = words(text)
    # "on" is Azerbaijani ten and an English word ("walked out on PACE"): ten only in Azerbaijani
    # text or beside another number word ("on min", "on iki")
    azerbaijani = "on" in ws and guess_lang(text) == "az"
    found |= {NUMBER_WORDS[w] for n, w in enumerate(ws) if w in NUMBER_WORDS and w not in spent
              and (w not in _ENGLISH_TOO or azerbaijani or _beside_number(ws, n))}
    # "ten thousand", "два миллиона", "one million": the one figure they make ("one" and "a" count only
    # here: "no one", "heç bir" are no figures)
    for before, w in pairwise(ws):
        magnitude = NUMBER_WORDS.get(w, "")
        count = "1" if before in _ONE else NUMBER_WORDS.get(before, "")
        if magnitude.startswith("x") and count.isdigit():
            found -= {count, magnitude}
            found.add(str(int(count) * int(magnitude[1:])))
    # A magnitude without a count is no figure: "thousands of refugees", "сколько тысяч семей?"
    return {f for f in found if not f.startswith("x")}


_ENGLISH_TOO = frozenset(words("on"))


def _beside_number(ws: list[str], n: int) -> bool:
    return any(0 <= m < len(ws) and ws[m] in NUMBER_WORDS and ws[m] not in _ENGLISH_TOO for m in (n - 1, n + 1))


def figure_positions(folded: Sequence[str]) -> set[int]:
    """Which of these words (skeletons, as term_forms folds them) are figures: digits that are not a
    year ("since November 2020, 303 Azerbaijanis") nor a day ("19 September"), numbers written out
    ("four resolutions"), and a magnitude after a figure, "one" or "a" ("one million"). "on" and
    "min" (Azerbaijani ten and thousand) are English words too: they count only as a magnitude after
    another figure."""
    spelled, one, ambiguous = _skeleton_words()
    months = _months()
    out: set[int] = set()
    for n, w in enumerate(folded):
        value = spelled.get(w, "")
        day = w.isdigit() and int(w) <= 31 and ((n and folded[n - 1] in months)
                                               or (n + 1 < len(folded) and folded[n + 1] in months))
        if (w[:1].isdigit() and _NUMBER.fullmatch(w.replace(",", "")) and not YEAR.fullmatch(w) and not day) \
                or (value.isdigit() and w not in ambiguous):
            out.add(n)
        elif value.startswith("x") and n and (n - 1 in out or folded[n - 1] in one):
            out |= {n, n - 1}
    return out


@cache
def _months() -> frozenset[str]:
    """Month names in every language and case, folded: a day next to one is a date ("19 September")."""
    return frozenset(skeleton(w) for form in MONTHS for w in words(form))


@cache
def _skeleton_words() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    return ({skeleton(k): v for k, v in NUMBER_WORDS.items()}, frozenset(skeleton(w) for w in _ONE),
            frozenset(skeleton(w) for w in words("on min")))


def magnitude(word: str) -> int:
    """What a magnitude word, folded as term_forms folds it, multiplies by ("thousand", "тысяч",
    "min": 1000); 0 for any other word."""
    value = _skeleton_words()[0].get(word, "")
    return int(value[1:]) if value.startswith("x") else 0
