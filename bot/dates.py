"""Dates in queries ("September 2023", "10.11.2020", "since 2024") and in replies ("19 September 2023").

A brief date keeps its precision; a label never shows a day the source does not give.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date

from bot.corpus import BriefDate, parse_date_value

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
MONTHS["sept"] = 9
_MONTH = r"(?P<{}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
QUALIFIER_SPAN = {"early": (0, 3), "mid": (3, 7), "late": (7, 10)}


@dataclass(frozen=True)
class DateQuery:
    """A date range asked for; `month_day` matches that day in any year ("June 15")."""

    start: date
    end: date
    text: str  # as the user wrote it
    month_day: tuple[int, int] | None = None

    def overlaps(self, first: date, last: date, precision: str = "day") -> bool:
        if self.month_day is not None:
            if precision != "day":
                return False
            return (first.month, first.day) == self.month_day
        return first <= self.end and last >= self.start


def _year_span(y: int) -> tuple[date, date]:
    return date(y, 1, 1), date(y, 12, 31)


def _month_span(y: int, m: int) -> tuple[date, date]:
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?P<y1>\d{4})\s*(?:-|–|—|to|until|till)\s*(?P<y2>\d{4})\b"), "year_range"),
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"), "iso"),
    (re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\b"), "dotted"),
    (re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.format("mon") + r",?\s+(?P<y>\d{4})\b"), "d_mon_y"),
    (re.compile(r"\b" + _MONTH.format("mon") + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b"), "mon_d_y"),
    (re.compile(r"\b" + _MONTH.format("mon") + r",?\s+(?P<y>\d{4})\b"), "mon_y"),
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})\b"), "iso_month"),
    (re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.format("mon") + r"(?!\w)"), "d_mon"),
    (re.compile(r"\b" + _MONTH.format("mon") + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b"), "mon_d"),
    (re.compile(r"\b(?:(?P<q>early|mid|late)\s+)?(?:the\s+)?(?P<dec>\d{3})0'?s\b"), "decade"),
    (re.compile(r"\b(?P<y>(?:1[89]|20)\d{2})\b"), "year"),
]
_JOINER = re.compile(r"\s*(?P<j>-|–|—|to|until|till|and)\s*")
_BETWEEN = re.compile(r"\bbetween\s*$")
_BOUND = re.compile(r"\b(?P<b>since|from|after|before|until|till|up to|by)\s*$")


def _span(kind: str, m: re.Match[str]) -> tuple[date, date, tuple[int, int] | None]:
    g = m.groupdict()
    month = MONTHS.get((g.get("mon") or "").lower().rstrip("."), 0) or int(g.get("m") or 0)
    if kind == "year_range":
        first, last = sorted((int(g["y1"]), int(g["y2"])))
        return date(first, 1, 1), date(last, 12, 31), None
    if kind in ("iso", "dotted", "d_mon_y", "mon_d_y"):
        d = date(int(g["y"]), month, int(g["d"]))
        return d, d, None
    if kind in ("mon_y", "iso_month"):
        return (*_month_span(int(g["y"]), month), None)
    if kind in ("d_mon", "mon_d"):
        date(2000, month, int(g["d"]))  # validates the day (leap year allows 29 February)
        return date.min, date.max, (month, int(g["d"]))
    if kind == "decade":
        start = int(g["dec"]) * 10
        lo, hi = QUALIFIER_SPAN.get(g.get("q") or "", (0, 10))
        return date(start + lo, 1, 1), date(start + hi - 1, 12, 31), None
    return (*_year_span(int(g["y"])), None)


def extract_date(text: str) -> tuple[DateQuery | None, str]:
    """Split a query into a date range and the rest of the text (the topic)."""
    # Lowercase letter by letter, keeping offsets ("İ".lower() is two characters).
    lowered = "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)
    for pattern, kind in _PATTERNS:
        m = pattern.search(lowered)
        if not m:
            continue
        try:
            start, end, month_day = _span(kind, m)
        except ValueError:
            continue  # "31.02.2023": not a date; leave the text alone
        if start > end:
            start, end = end, start
        begin, finish = m.start(), m.end()
        # "September 2023 to February 2024", "between 2020 and 2022": a second date closes the range.
        joiner = _JOINER.match(lowered, finish)
        second = _date_at(lowered, joiner.end()) if joiner and month_day is None else None
        if joiner and second and (joiner["j"] != "and" or _BETWEEN.search(lowered[:begin])):
            start, end, finish = min(start, second[0]), max(end, second[1]), second[2]
            if between := _BETWEEN.search(lowered[:begin]):
                begin = between.start()
            return DateQuery(start, end, text[begin:finish].strip()), _rest(text, begin, finish)
        bound = _BOUND.search(lowered[:begin])
        if bound and month_day is None:
            word = bound["b"]
            if word in ("since", "from", "after"):
                end = date.max
            else:
                start = date.min
            begin = bound.start()
        return DateQuery(start, end, text[begin:finish].strip(), month_day), _rest(text, begin, finish)
    return None, text


def _rest(text: str, begin: int, finish: int) -> str:
    return " ".join((text[:begin] + " " + text[finish:]).strip(" ,;:-–").split())


def _date_at(lowered: str, position: int) -> tuple[date, date, int] | None:
    """A date expression starting exactly at `position`: (first day, last day, end offset)."""
    for pattern, kind in _PATTERNS:
        m = pattern.match(lowered, position)
        if m and kind not in ("d_mon", "mon_d", "year_range"):
            try:
                start, end, _ = _span(kind, m)
            except ValueError:
                continue
            return start, end, m.end()
    return None


def effective_span(d: BriefDate) -> tuple[date, date]:
    """First and last day a date can mean, narrowed by its qualifier ("late 1980s": 1987-1989)."""
    if d.latest_end is not None:
        return d.start, d.latest_end
    if not d.qualifier:
        return d.start, d.end
    if d.precision == "decade":
        lo, hi = QUALIFIER_SPAN[d.qualifier]
        return date(d.start.year + lo, 1, 1), date(d.start.year + hi - 1, 12, 31)
    if d.precision == "year":
        months = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}[d.qualifier]
        return _month_span(d.start.year, months[0])[0], _month_span(d.start.year, months[1])[1]
    return d.start, d.end


def label(d: BriefDate) -> str:
    """'19 September 2023', 'October 2024', '2023', 'late 1980s', 'between October 2023 and February 2024':
    never more precise than the source."""
    if d.latest:
        upper = parse_date_value(d.latest)
        assert upper is not None  # validated at load
        first = replace(d, latest=None, latest_end=None)
        last = BriefDate(value=d.latest, precision=upper[2], start=upper[0], end=upper[1])
        return f"between {label(first)} and {label(last)}"
    if d.precision == "day":
        text = f"{d.start.day} {calendar.month_name[d.start.month]} {d.start.year}"
    elif d.precision == "month":
        text = f"{calendar.month_name[d.start.month]} {d.start.year}"
    elif d.precision == "year":
        text = str(d.start.year)
    else:
        text = f"{d.start.year}s"
    if d.qualifier:
        text = f"{d.qualifier} {text}"
    return text
