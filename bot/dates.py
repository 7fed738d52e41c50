"""Dates in queries and in replies.

Queries: "September 2023", "10.11.2020", "since 2024", "3 октября 2024", "с 2001 по 2020 год",
"noyabrın 22-si", "2020-2023-cü illər" (English, Russian, Azerbaijani, also typed without Azerbaijani
letters). `extract_date` finds the first date expression, widens it by range and bound words around it,
and hands back the rest of the text as the topic. A query date keeps its precision: a month is the
whole month, a year the whole year. Replies: a brief date keeps its precision; a label never shows a
day the source does not give.

The parser is table-driven (the tables below, then a few regular expressions built from them):
dateparser 1.5 was measured on the forms in tests/test_dates.py: it finds the range and the topic of
39 of 106 (this parser: all), cannot give ranges, bounds, decades or Azerbaijani year forms, and costs
~250 ms at start-up and ~1.7 ms a call (this: ~20 ms, ~0.05 ms); see the commit message.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.corpus import BriefDate, parse_date_value

# --------------------------------------------------------------------------- tables (data, not code)
# Every word is written as `_fold` leaves it: lower case, Azerbaijani letters as ASCII (ə→e, ı→i, ü→u,
# ö→o, ğ→g, ş→s, ç→c), ё→е. So "noyabrın" and "noyabrin" are one word.

EN_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan"), 2: ("february", "feb"), 3: ("march", "mar"), 4: ("april", "apr"),
    5: ("may",), 6: ("june", "jun"), 7: ("july", "jul"), 8: ("august", "aug"),
    9: ("september", "sept", "sep"), 10: ("october", "oct"), 11: ("november", "nov"), 12: ("december", "dec"),
}
# Russian: every case form, singular (a date never needs the plural), and the usual abbreviations.
RU_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("январь", "января", "январе", "январю", "январем", "янв"),
    2: ("февраль", "февраля", "феврале", "февралю", "февралем", "февр", "фев"),
    3: ("март", "марта", "марте", "марту", "мартом", "мар"),
    4: ("апрель", "апреля", "апреле", "апрелю", "апрелем", "апр"),
    5: ("май", "мая", "мае", "маю", "маем"),
    6: ("июнь", "июня", "июне", "июню", "июнем", "июн"),
    7: ("июль", "июля", "июле", "июлю", "июлем", "июл"),
    8: ("август", "августа", "августе", "августу", "августом", "авг"),
    9: ("сентябрь", "сентября", "сентябре", "сентябрю", "сентябрем", "сент", "сен"),
    10: ("октябрь", "октября", "октябре", "октябрю", "октябрем", "окт"),
    11: ("ноябрь", "ноября", "ноябре", "ноябрю", "ноябрем", "нояб", "ноя"),
    12: ("декабрь", "декабря", "декабре", "декабрю", "декабрем", "дек"),
}
# Azerbaijani: stems and the case endings a month name takes (-da/-də, -ın/-in/-un/-ün, -ı/-i/-u/-ü,
# -dan/-dən, -a/-ə, -ya/-yə, -dakı, -dək/-adək).
AZ_MONTHS: dict[int, str] = {
    1: "yanvar", 2: "fevral", 3: "mart", 4: "aprel", 5: "may", 6: "iyun",
    7: "iyul", 8: "avqust", 9: "sentyabr", 10: "oktyabr", 11: "noyabr", 12: "dekabr",
}
AZ_MONTH_ENDINGS = ("", "da", "de", "in", "un", "i", "u", "dan", "den", "a", "e", "ya", "ye", "daki", "dek",
                    "dak", "adek", "adak", "edek", "inda", "unda", "ina", "una", "indan", "undan", "ini", "unu")
# After a year: Azerbaijani ordinal endings ("2024-cü", "2020-ci", "1990-cı") and forms of "il" (year).
AZ_YEAR_ORDINAL = r"\s*-?\s*(?:c[iu]|[iu]?nc[iu])"
AZ_IL_FORMS = ("il", "ili", "ilin", "ilde", "ilda", "ilden", "ildan", "ile", "ila", "iledek", "iladak",
               "ilinde", "ilin", "ilinden")
AZ_IL_PLURAL_FORMS = ("iller", "illar", "illerde", "illarda", "illerin", "illarin", "illerden", "illardan",
                      "illere", "illara", "illeredek", "illaradak")
AZ_NUMBER_ENDINGS = ("den", "dan", "de", "da", "e", "a", "ye", "ya", "dek", "dak", "edek", "adak")
# Azerbaijani month forms that, typed without Azerbaijani letters, are names or other words ("Martin",
# "Maya", "Maydan"): months only when written with the letters ("martın").
AZ_ASCII_NOT_MONTHS = ("martin", "marta", "maya", "maydan")
RU_YEAR_WORDS = ("год", "года", "году", "годом", "годы", "годов", "годах", "годам", "гг", "гг.", "г.", "г")
RU_DECADE_ENDINGS = ("х", "е", "ые", "ых", "ми")

# Early / mid / late, as words before (English, Russian) or after (Azerbaijani) the year or decade.
QUALIFIER_SPAN = {"early": (0, 3), "mid": (3, 7), "late": (7, 10)}  # years of a decade
YEAR_QUALIFIER_MONTHS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}  # as in effective_span
MONTH_QUALIFIER_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}  # "mid-October 2023"
QUALIFIER_BEFORE: dict[str, str] = {
    "early": "early", "mid": "mid", "late": "late",
    "beginning of": "early", "start of": "early", "the beginning of": "early", "the start of": "early",
    "middle of": "mid", "the middle of": "mid", "end of": "late", "the end of": "late",
    "начало": "early", "начала": "early", "начале": "early", "началу": "early",
    "середина": "mid", "середины": "mid", "середине": "mid", "середину": "mid",
    "конец": "late", "конца": "late", "конце": "late", "концу": "late",
}
QUALIFIER_AFTER: dict[str, str] = {  # Azerbaijani, after "ilin"/"illərin": "2023-cü ilin sonu"
    "evveli": "early", "evvelinde": "early", "evvelleri": "early", "evvellerinde": "early",
    "ortasi": "mid", "ortasinda": "mid", "ortalari": "mid", "ortalarinda": "mid",
    "sonu": "late", "sonunda": "late", "sonlari": "late", "sonlarinda": "late",
}
QUALIFIER_WORDS = {**QUALIFIER_BEFORE, **QUALIFIER_AFTER}

# Words before a date that bound it; "between" needs a second date.
BOUND_BEFORE: dict[str, str] = {
    "since": "since", "from": "since", "starting": "since", "starting from": "since", "starting in": "since",
    "after": "after", "before": "before", "prior to": "before",
    "until": "until", "till": "until", "up to": "until", "up until": "until", "through": "until", "by": "until",
    "between": "between",
    "с": "since", "со": "since", "от": "since", "начиная с": "since", "после": "after", "ранее": "before",
    "до": "until", "по": "until", "вплоть до": "until", "к": "until", "между": "between",
}
# Words after a date that bound it ("2020 onwards").
BOUND_AFTER: dict[str, str] = {
    "onwards": "since", "onward": "since", "and later": "since", "or later": "since", "and after": "since",
    "and earlier": "until", "or earlier": "until", "and before": "until",
    "и позже": "since", "и позднее": "since", "и далее": "since", "и ранее": "until",
}
# Azerbaijani postpositions: after the from-case (-dan/-dən; alone it means "since") and the to-case (-a/-ə).
AZ_AFTER_ABLATIVE: dict[str, str] = {
    "sonra": "after", "evvel": "before", "qabaq": "before", "once": "before",
    "beri": "since", "etibaren": "since", "baslayaraq": "since",
}
AZ_AFTER_DATIVE: dict[str, str] = {"qeder": "until", "kimi": "until", "dek": "until"}
# Words between two dates of a range ("and"/"и" only after "between"/"между").
JOINERS = ("-", "–", "—", "to", "until", "till", "through", "thru", "and", "по", "до", "и")
# "... to now": the range stays open.
NOW_WORDS = ("now", "present", "the present", "present day", "the present day", "today", "date",
             "настоящее время", "наст. время", "наст. вр.", "сей день", "сегодняшний день", "сегодня",
             "наши дни", "наших дней", "сих пор",
             "indi", "indiye qeder", "indiyedek", "bu gune qeder", "bu gunedek", "bu gune kimi", "hazirda")
# Plain prepositions before a date: dropped from the topic, no effect on the range.
PREPOSITIONS = ("in", "on", "during", "throughout", "в", "во", "на", "за", "в течение")
# A number after these is a name, not a year ("Resolution 2020").
NOT_A_YEAR_AFTER = ("resolution", "no.", "nr.", "#", "№", "резолюция", "резолюции", "резолюцию",
                    "qetname", "qetnamesi")

# --------------------------------------------------------------------------- patterns built from the tables

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    for _form in (*EN_MONTHS[_number], *RU_MONTHS[_number]):
        MONTHS[_form] = _number
    for _ending in AZ_MONTH_ENDINGS:
        MONTHS.setdefault(AZ_MONTHS[_number] + _ending, _number)


def _words(words: tuple[str, ...] | list[str]) -> str:
    """An alternation of words, longest first, spaces matching any run of spaces."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_FOLD = str.maketrans({"ə": "e", "ı": "i", "ü": "u", "ö": "o", "ğ": "g", "ş": "s", "ç": "c", "ё": "е",
                       "İ": "i", "‐": "-", "‑": "-", "’": "'", "‘": "'", "\u00a0": " "})


def _fold(text: str) -> str:
    """Lower case and Azerbaijani letters as ASCII, one character for one ("İ".lower() is two)."""
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text.translate(_FOLD)).translate(_FOLD)


# Not glued to another number ("1.2.2023.4", "12:2023").
_NB = r"(?<![\d.,/:])"
# Any word in a month's place; `_span` looks it up in MONTHS (one big alternation compiled into every
# pattern cost 55 ms at start-up).
_MON = r"(?P<{0}>[^\W\d_]{{3," + str(max(map(len, MONTHS))) + r"}})\.?(?!\w)"
_DAY = r"(?P<{0}>\d{{1,2}})(?:st|nd|rd|th|-?(?:го|е|ое|ого)|-[a-z]{{1,6}})?(?!\w)"
_RU_YEAR = r"(?:-?(?:го|й|м))?\s*(?:" + _words(RU_YEAR_WORDS) + r")"
_YEAR = (_NB + r"(?P<{0}>(?:1[89]|20)\d{{2}})(?:(?:" + AZ_YEAR_ORDINAL + r")?\s+(?:" + _words(AZ_IL_FORMS)
         + r")|" + AZ_YEAR_ORDINAL + r"|-(?:" + _words(AZ_NUMBER_ENDINGS) + r")|" + _RU_YEAR + r")?(?!\w)")
_YEARS_SUFFIX = (r"(?:(?:" + AZ_YEAR_ORDINAL + r")?\s+(?:" + _words(AZ_IL_PLURAL_FORMS + AZ_IL_FORMS) + r")|"
                 + AZ_YEAR_ORDINAL + r"|" + _RU_YEAR + r")?(?!\w)")
_PRE_Q = r"(?P<q>" + _words(list(QUALIFIER_BEFORE)) + r")[\s-]+"
_AZ_Q = r"\s+(?P<qa>" + _words(list(QUALIFIER_AFTER)) + r")(?!\w)"
_DASH = r"\s*[-–—]\s*"
_DAY_JOIN = r"(?:\s*[-–—]\s*|\s+(?:по|до|to|until|till|through)\s+)"
_MONTH_JOIN = r"\s*(?:[-–—]|\s(?:to|until|till|through|по|до)\s)\s*"


# An Azerbaijani season noun and its case endings only ("yayında", "payızda", "qışı"), folded: "yazdı"
# (wrote), "yayımlanan" (published) and "qismən" (partly) begin the same way.
_AZ_SEASON_CASE = r"(?:i|in|inda|ında|da|de|dan|den|a|e)?(?!\w)"


def _p(kind: str, regex: str) -> tuple[str, re.Pattern[str]]:
    return kind, re.compile(regex.format(y=_YEAR.format("y"), y2=_YEAR.format("y2"), mon=_MON.format("mon"),
                                         mon2=_MON.format("mon2"), d=_DAY.format("d"), d2=_DAY.format("d2")))


# Kind, pattern. A query's date is the leftmost match, the longest at that place.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    _p("year_range", _NB + r"(?P<y1>(?:1[89]|20)\d{{2}})" + _DASH + r"(?P<y2>(?:1[89]|20)\d{{2}})"
       + _YEARS_SUFFIX),
    _p("iso", _NB + r"(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?!\d|[.,/:]\d)"),
    _p("numeric", _NB + r"(?P<d>\d{{1,2}})(?P<sep>[./-])(?P<m>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})"
       r"(?!\d|[.,/:]\d)(?:" + _RU_YEAR + r"(?!\w)|(?:" + AZ_YEAR_ORDINAL + r")?\s+(?:" + _words(AZ_IL_FORMS)
       + r")(?!\w))?"),
    _p("d_mon_y", r"\b(?:the\s+)?{d}(?:\s+of)?\s+{mon},?\s+{y}"),
    _p("mon_d_y", r"\b{mon}\s+(?:the\s+)?{d},?\s+{y}"),
    _p("y_mon_d", r"{y},?\s+{mon}\s+{d}"),
    _p("y_mon_d", r"{y},?\s+{d}\s+{mon}"),
    _p("days_mon_y", r"\b{d}" + _DAY_JOIN + r"{d2}\s+{mon},?\s+{y}"),
    _p("days_y", r"\b{d}(?:\s+of)?\s+{mon}" + _DAY_JOIN + r"{d2}(?:\s+of)?\s+{mon2},?\s+{y}"),
    _p("days_y", r"\b{mon}\s+{d}" + _DAY_JOIN + r"{mon2}\s+{d2},?\s+{y}"),
    _p("mon_days_y", r"\b{mon}\s+{d}" + _DASH + r"{d2},?\s+{y}"),
    _p("mon_mon_y", r"\b{mon}" + _MONTH_JOIN + r"{mon2},?\s+{y}"),
    _p("mon_mon_y", r"\b{mon}(?<=d[ae]n)\s+{mon2}(?:\s+(?:qeder|kimi))?,?\s+{y}"),  # "sentyabrdan dekabra qədər 2023"
    _p("mon_y_q", r"\b" + _PRE_Q + r"(?:of\s+)?{mon},?\s+(?:of\s+)?{y}"),  # "mid-October 2023", "в конце октября 2023"
    _p("mon_y", r"\b{mon},?\s+(?:of\s+)?{y}"),
    # "2024-cü ilin oktyabrı"
    _p("y_mon", _NB + r"(?P<y>(?:1[89]|20)\d{{2}})(?:" + AZ_YEAR_ORDINAL + r")?\s+ilin\s+{mon}"),
    _p("iso_month", _NB + r"(?P<y>(?:1[89]|20)\d{{2}})-(?P<m>\d{{1,2}})(?![\d.,/:-]?\d)"),
    _p("numeric_month", _NB + r"(?P<m>\d{{1,2}})[./-](?P<y>(?:1[89]|20)\d{{2}})(?![\d.,/:-]?\d)"),
    _p("d_mon", r"\b(?:the\s+)?{d}(?:\s+of)?\s+{mon}"),
    _p("mon_d", r"\b{mon}\s+(?:the\s+)?{d}"),
    _p("decade", r"\b(?:" + _PRE_Q + r")?(?:the\s+)?(?:(?P<dec>(?:1[89]|20)\d)0|'(?P<dd>[3-9])0)'?s\b"),
    _p("decade", r"(?:\b" + _PRE_Q + r")?" + _NB + r"(?:(?P<dec>(?:1[89]|20)\d)0|(?P<dd>[3-9])0)-?(?:"
       + _words(RU_DECADE_ENDINGS) + r")(?:\s+(?:годы|годов|годах|годам))?(?!\w)"),
    _p("decade", _NB + r"(?P<dec>(?:1[89]|20)\d)0(?:(?:" + AZ_YEAR_ORDINAL + r")\s+ill[ae]r|-?l[ae]r)"
       r"[a-z]*(?:" + _AZ_Q + r")?"),
    # quarters: "Q4 2024", "4Q 2024", "the fourth quarter of 2024", "4-й квартал 2024", "IV квартал 2024 года"
    _p("quarter", r"\b(?:q(?P<qn>[1-4])|(?P<qn2>[1-4])q)[\s-]*(?:of\s+)?{y}"),
    _p("quarter", r"\b(?:the\s+)?(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?{y}"),
    _p("quarter", r"(?<!\w)(?:(?P<qr>[1-4])(?:-?(?:й|ый|ий|ом|м))?|(?P<qrom>iv|iii|ii|i)"
                  r"|(?P<qrw>перв\w*|втор\w*|трет\w*|четв[её]рт\w*))\s+квартал\w*\s+{y}"),
    # seasons: "summer 2023", "the autumn of 2023", "летом 2023 года", "лета 2023", "2023-cü ilin yayında"
    _p("season", r"\b(?:the\s+)?(?P<season>summer|spring|autumn|fall|winter)\s+(?:of\s+)?{y}"),
    _p("season", r"(?<!\w)(?P<season>лет[оау]|летом|весн[аыуе]|весной|осен[ьи]|осенью|зим[аыуе]|зимой)\s+{y}"),
    _p("season", r"{y}\s+(?P<season>yay|yaz|payiz|qis)" + _AZ_SEASON_CASE),
    _p("season", r"\b(?P<season>yay|yaz|payiz|qis)" + _AZ_SEASON_CASE + r"\s+{y}"),
    _p("year_q", r"\b" + _PRE_Q + r"{y}"),
    _p("year_q", r"{y}" + _AZ_Q),
    _p("year", r"{y}"),
]
_SPAN_KINDS = ("year_range", "days_y", "days_mon_y", "mon_days_y", "mon_mon_y")  # a range in one expression
_DAY_OF_YEAR_KINDS = ("d_mon", "mon_d")  # "June 15": that day in any year
_NUMERIC_KINDS = ("iso", "numeric", "iso_month", "numeric_month")
_BOUND_BEFORE = re.compile(r"(?<!\w)(?P<b>" + _words(list(BOUND_BEFORE)) + r")\s+$")
_BOUND_AFTER = re.compile(r"\s*(?P<w>" + _words(list(BOUND_AFTER)) + r")(?!\w)")
_AZ_ABLATIVE_WORD = re.compile(r"\s*(?P<w>" + _words(list(AZ_AFTER_ABLATIVE)) + r")(?!\w)")
_AZ_DATIVE_WORD = re.compile(r"\s*(?P<w>" + _words(list(AZ_AFTER_DATIVE)) + r")(?!\w)")
_SPACES = re.compile(r"\s+")
_PREPOSITION = re.compile(r"(?<!\w)(?:" + _words(PREPOSITIONS) + r")\s+$")
_NOT_A_YEAR = re.compile(r"(?<!\w)(?:" + _words(NOT_A_YEAR_AFTER) + r")\s*$")
_JOINER = re.compile(r"\s*(?P<j>[-–—]|(?<=\s)(?:" + _words([j for j in JOINERS if j.isalpha()]) + r")(?=\s))\s*")
_NOW = re.compile(r"(?P<now>" + _words(NOW_WORDS) + r")(?!\w)")
_AZ_FROM = re.compile(r"d[ae]n$")  # ablative: "2023-cü ildən", "sentyabrdan"
_AZ_UNTIL = re.compile(r"(?:d[ae]k)$")  # "2025-ci ilədək"
_AZ_TO = re.compile(r"(?<!d)[ae]$")  # dative, before qədər/kimi: "2025-ci ilə qədər"


def _day_in(year: int, month: int, day: int, first: date, last: date) -> bool:
    try:
        return first <= date(year, month, day) <= last
    except ValueError:  # 29 February
        return False


@dataclass(frozen=True)
class DateQuery:
    """A date range asked for; `month_day` matches that day in any year ("June 15").

    `reading` is a short English note for the user when a numeric date could only be read month first
    ("10/27/2020": "read as month/day: 27 October 2020"); None otherwise."""

    start: date
    end: date
    text: str  # as the user wrote it
    month_day: tuple[int, int] | None = None
    reading: str | None = None

    def overlaps(self, first: date, last: date, precision: str = "day") -> bool:
        if self.month_day is not None:
            if precision == "range" and (last - first).days <= 31:
                # "issued between 20 and 22 November 2024" may be the 22nd: shown, with its range.
                return any(_day_in(y, *self.month_day, first, last) for y in range(first.year, last.year + 1))
            if precision != "day":
                return False
            return (first.month, first.day) == self.month_day
        return first <= self.end and last >= self.start


@dataclass(frozen=True)
class _Atom:
    """One date expression: its first and last day and where it is in the text."""

    first: date
    last: date
    begin: int
    finish: int
    kind: str
    month_day: tuple[int, int] | None = None
    reading: str | None = None


def _year_span(y: int) -> tuple[date, date]:
    return date(y, 1, 1), date(y, 12, 31)


def _month_span(y: int, m: int) -> tuple[date, date]:
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def _day_text(d: date) -> str:
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def _span(kind: str, m: re.Match[str]) -> tuple[date, date, tuple[int, int] | None, str | None]:
    """First day, last day, day of year (year-less kinds), reading note; ValueError when impossible."""
    g = m.groupdict()
    month = MONTHS[g["mon"]] if g.get("mon") else int(g.get("m") or 0)  # KeyError: not a month
    if kind == "year_range":
        first, last = sorted((int(g["y1"]), int(g["y2"])))
        return date(first, 1, 1), date(last, 12, 31), None, None
    if kind == "numeric":
        day, year = int(g["d"]), int(g["y"])
        if len(g["y"]) == 2:
            if g["sep"] == "-":
                raise ValueError("3-10-24 is too ambiguous")
            year += 2000 if year <= date.today().year % 100 + 5 else 1900
        try:
            d = date(year, month, day)
            return d, d, None, None
        except ValueError:
            d = date(year, day, month)  # day-first is impossible; month-first is the only reading left
            return d, d, None, f"read as month/day: {_day_text(d)}"
    if kind in ("iso", "d_mon_y", "mon_d_y", "y_mon_d"):
        d = date(int(g["y"]), month, int(g["d"]))
        return d, d, None, None
    if kind in ("days_y", "days_mon_y", "mon_days_y"):
        y, second_month = int(g["y"]), MONTHS[g["mon2"]] if g.get("mon2") else month
        first, last = sorted((date(y, month, int(g["d"])), date(y, second_month, int(g["d2"]))))
        return first, last, None, None
    if kind == "mon_mon_y":
        first_month, last_month = sorted((month, MONTHS[g["mon2"]]))
        return _month_span(int(g["y"]), first_month)[0], _month_span(int(g["y"]), last_month)[1], None, None
    if kind in ("mon_y", "y_mon", "iso_month", "numeric_month"):
        return (*_month_span(int(g["y"]), month), None, None)
    if kind in _DAY_OF_YEAR_KINDS:
        date(2000, month, int(g["d"]))  # validates the day (leap year allows 29 February)
        return date.min, date.max, (month, int(g["d"])), None
    quality = QUALIFIER_WORDS.get(" ".join((g.get("q") or g.get("qa") or "").split()), "")
    if kind == "mon_y_q":  # a third of the month: days 1-10, 11-20, 21 to its end
        first, last = _month_span(int(g["y"]), month)
        return (first.replace(day=MONTH_QUALIFIER_DAYS[quality][0]),
                last.replace(day=min(MONTH_QUALIFIER_DAYS[quality][1], last.day)), None, None)
    if kind == "decade":
        start = int(g["dec"]) * 10 if g.get("dec") else 1900 + int(g["dd"]) * 10
        lo, hi = QUALIFIER_SPAN.get(quality, (0, 10))
        return date(start + lo, 1, 1), date(start + hi - 1, 12, 31), None, None
    if kind == "quarter":
        q = _quarter(g)
        y = int(g["y"])
        return _month_span(y, 3 * q - 2)[0], _month_span(y, 3 * q)[1], None, None
    if kind == "season":
        y = int(g["y"])
        first_month, last_month = _SEASONS[(g["season"] or "")[:3]]
        if first_month > last_month:  # winter 2024: December 2023 to February 2024
            return _month_span(y - 1, first_month)[0], _month_span(y, last_month)[1], None, SEASON
        return _month_span(y, first_month)[0], _month_span(y, last_month)[1], None, SEASON
    if kind == "year_q":
        first_month, last_month = YEAR_QUALIFIER_MONTHS[quality]
        y = int(g["y"])
        return _month_span(y, first_month)[0], _month_span(y, last_month)[1], None, None
    return (*_year_span(int(g["y"])), None, None)


SEASON = "season"  # DateQuery.reading of a season: the reply names the months it read
# A season's months by the first three letters of its word (meteorological seasons; winter takes the
# December before the year named: "зимой 2024 года" is December 2023 to February 2024).
_SEASONS = {"sum": (6, 8), "лет": (6, 8), "yay": (6, 8), "spr": (3, 5), "вес": (3, 5), "yaz": (3, 5),
            "aut": (9, 11), "fal": (9, 11), "осе": (9, 11), "pay": (9, 11),
            "win": (12, 2), "зим": (12, 2), "qis": (12, 2)}

_QUARTER_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                  "i": 1, "ii": 2, "iii": 3, "iv": 4, "перв": 1, "втор": 2, "трет": 3, "четв": 4}


def _quarter(g: dict[str, str | None]) -> int:
    if digit := g.get("qn") or g.get("qn2") or g.get("qr"):
        return int(digit)
    word = (g.get("qw") or g.get("qrom") or g.get("qrw") or "").lower()
    return _QUARTER_WORDS.get(word) or _QUARTER_WORDS[word[:4]]


def _atoms(text: str, folded: str, position: int | None = None) -> list[_Atom]:
    """Every date expression in the text (or only those starting at `position`), impossible ones
    ("31.02.2023") left out together with anything inside them (its "2023")."""
    found: list[_Atom] = []
    impossible: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in _matches(pattern, folded, position):
            if "y" in m.groupdict() and m["y"] and _NOT_A_YEAR.search(folded, 0, m.start()):
                continue
            if any(m.groupdict().get(g) in AZ_ASCII_NOT_MONTHS and text[m.start(g):m.end(g)].isascii()
                   for g in ("mon", "mon2")):
                continue
            try:
                first, last, month_day, reading = _span(kind, m)
            except KeyError:
                continue  # a word in a month's place that is not a month ("Baku 2024")
            except ValueError:
                impossible.append(m.span())
                continue
            found.append(_Atom(first, last, m.start(), m.end(), kind, month_day, reading))
    return [a for a in found if not any(b < a.finish and a.begin < f for b, f in impossible)]


def _matches(pattern: re.Pattern[str], folded: str, position: int | None) -> Iterator[re.Match[str]]:
    """Matches anywhere, overlapping ones too (a failed "Baku 2024" must not hide "2024"), or at `position`."""
    if position is not None:
        if m := pattern.match(folded, position):
            yield m
        return
    at = 0
    while m := pattern.search(folded, at):
        yield m
        at = m.start() + 1


def _first(atoms: list[_Atom]) -> _Atom | None:
    return min(atoms, key=lambda a: (a.begin, -a.finish), default=None)


def extract_date(text: str) -> tuple[DateQuery | None, str]:
    """Split a query into a date range and the rest of the text (the topic)."""
    folded = _fold(text)
    atom = _first(_atoms(text, folded))
    if atom is None:
        return None, text
    span = _widen(text, folded, atom)
    query = DateQuery(span.start, span.end, text[span.begin:span.finish].strip(), atom.month_day, span.reading)
    return query, _rest(text, _drop_preposition(folded, span.begin), span.finish)


@dataclass
class _Span:
    """The range being built around the first date expression, and where it is in the text."""

    start: date
    end: date
    begin: int
    finish: int
    reading: str | None


def _widen(text: str, folded: str, atom: _Atom) -> _Span:
    """The date expression with the words around it that make it a range or bound it."""
    span = _Span(atom.first, atom.last, atom.begin, atom.finish, atom.reading)
    bound = _BOUND_BEFORE.search(folded, 0, atom.begin)
    before = BOUND_BEFORE[" ".join(bound["b"].split())] if bound else None
    opening = bound.start() if bound and before in ("since", "between") else None  # "from", "с", "между"
    if atom.month_day is not None:
        return span
    if atom.kind in _SPAN_KINDS:  # "с сентября по декабрь 2023"
        span.begin = atom.begin if opening is None else opening
        return span
    tail = folded[atom.begin:atom.finish]
    # A second date, or "now", closes a range: "2020 to 2022", "с 2023 по 2024", "between 2020 and 2022",
    # "2023-cü ildən 2024-cü ilə qədər" (from-case, then a date), "2020 to now".
    after: int | None = None
    if (joiner := _JOINER.match(folded, atom.finish)) and (joiner["j"] not in ("and", "и") or before == "between"):
        after = joiner.end()
    elif _AZ_FROM.search(tail) and (gap := _SPACES.match(folded, atom.finish)):
        after = gap.end()
    if after is not None:
        if now := _NOW.match(folded, after):
            span.end, span.finish = date.max, now.end()
            span.begin = atom.begin if opening is None else opening
            return span
        second = _first([a for a in _atoms(text, folded, after) if a.month_day is None])
        if second is not None:
            span.start, span.end = min(atom.first, second.first), max(atom.last, second.last)
            span.finish, span.reading = second.finish, atom.reading or second.reading
            if _AZ_TO.search(folded[second.begin:second.finish]) and (word := _AZ_DATIVE_WORD.match(folded,
                                                                                                  span.finish)):
                span.finish = word.end()
            span.begin = atom.begin if opening is None else opening
            return span
    # One date, bounded by an Azerbaijani case ending and postposition, or by a word after or before it.
    kind: str | None = None
    if _AZ_FROM.search(tail):  # "2023-cü ildən" (since), "2020-ci ildən sonra" (after)
        kind = "since"
        if word := _AZ_ABLATIVE_WORD.match(folded, atom.finish):
            kind, span.finish = AZ_AFTER_ABLATIVE[word["w"]], word.end()
    elif _AZ_UNTIL.search(tail):  # "2025-ci ilədək"
        kind = "until"
    elif _AZ_TO.search(tail) and (word := _AZ_DATIVE_WORD.match(folded, atom.finish)):  # "2025-ci ilə qədər"
        kind, span.finish = AZ_AFTER_DATIVE[word["w"]], word.end()
    elif word := _BOUND_AFTER.match(folded, atom.finish):  # "2020 onwards", "2020 и позже"
        kind, span.finish = BOUND_AFTER[" ".join(word["w"].split())], word.end()
    elif bound and before != "between":  # "since 2024", "до 2025 года"
        kind, span.begin = before, bound.start()
    if kind is not None:
        span.start, span.end = _bounded(kind, span.start, span.end)
    return span


def _bounded(kind: str, start: date, end: date) -> tuple[date, date]:
    """The range a bound word makes of a date: "since" keeps its first day, "until" its last;
    "after" and "before" leave the date itself out."""
    if kind == "since":
        return start, date.max
    if kind == "after":
        return (end + timedelta(days=1) if end < date.max else end), date.max
    if kind == "until":
        return date.min, end
    if kind == "before":
        return date.min, (start - timedelta(days=1) if start > date.min else start)
    return start, end


def _drop_preposition(folded: str, begin: int) -> int:
    """Where the date starts once a plain preposition before it ("in 2023", "в 2023 году") is counted in."""
    m = _PREPOSITION.search(folded, 0, begin)
    return m.start() if m else begin


def _rest(text: str, begin: int, finish: int) -> str:
    return " ".join((text[:begin] + " " + text[finish:]).strip(" ,;:-–—").split())


def effective_span(d: BriefDate) -> tuple[date, date]:
    """First and last day a date can mean, narrowed by its qualifier ("late 1980s": 1987-1989)."""
    if d.latest_end is not None:
        return d.start, d.latest_end
    if not d.qualifier:
        return d.start, d.end
    if d.qualifier == "by":  # "by 22 November 2024": filed at that date; the label says it may be earlier
        return d.start, d.end
    if d.precision == "decade":
        lo, hi = QUALIFIER_SPAN[d.qualifier]
        return date(d.start.year + lo, 1, 1), date(d.start.year + hi - 1, 12, 31)
    if d.precision == "year":
        months = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}[d.qualifier]
        return _month_span(d.start.year, months[0])[0], _month_span(d.start.year, months[1])[1]
    return d.start, d.end


def label(d: BriefDate, lang: str | None = None) -> str:
    """'19 September 2023', 'October 2024', '2023', 'late 1980s', 'between October 2023 and February 2024':
    never more precise than the source. In the answer's language (or `lang`): '19 сентября 2023',
    'сентябрь 2023', 'конец 1980-х'; '19 sentyabr 2023', '1980-ci illərin sonu'. Day and month names
    are Babel's (CLDR); the frames around years and decades are wording (`dates.*`)."""
    from bot import i18n

    lang = i18n.normalize(lang) or i18n.current()
    if d.latest:
        upper = parse_date_value(d.latest)
        assert upper is not None  # validated at load
        first = replace(d, latest=None, latest_end=None)
        last = BriefDate(value=d.latest, precision=upper[2], start=upper[0], end=upper[1])
        return i18n.phrase("dates.between", lang).format(first=label(first, lang), last=label(last, lang))
    year = d.start.year
    decade = year - year % 10
    if d.precision in ("day", "month"):
        text = i18n.month_date(d.start, d.precision, lang)
        frame = "other"
    elif d.precision == "year":
        text = str(year)
        frame = "year"
    else:
        text = i18n.phrase("dates.decade", lang).format(decade=decade, suffix=i18n.az_ordinal_suffix(decade))
        frame = "decades"
    if d.qualifier:
        number = decade if frame == "decades" else year
        text = i18n.phrase(f"dates.{frame}.{d.qualifier}", lang).format(
            year=year, decade=decade, text=text, suffix=i18n.az_ordinal_suffix(number))
    return text


PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "decade": 3}


def timeline_order(event: object) -> tuple[date, int, date, str]:
    """Where an event goes in a timeline. A date known only to its month, year or decade sorts at the
    end of that period, after the dated events it may follow ("September 2023" after 19 September
    2023: an effect is never listed before its cause); a period with an end sorts at its start."""
    d = event.date  # type: ignore[attr-defined]
    first, last = effective_span(d)
    spans = getattr(event, "end", None) is not None or d.latest
    anchor = last if (d.precision != "day" or d.qualifier == "by") and not spans else first
    return anchor, PRECISION_RANK.get(d.precision, 9), first, event.id  # type: ignore[attr-defined]
