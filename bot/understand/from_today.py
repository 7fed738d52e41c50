"""Dates counted from today: "last year", "в прошлом году", "keçən il", "last September",
"в сентябре прошлого года". Understanding only: the phrase becomes the absolute date it means (the
rest of the date reading, bot.dates, takes it from there: "since last year" is "since 2025"), and
the reply says how it was counted, from which day, since the same words mean another date tomorrow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml

from bot.dates import EN_MONTHS, MONTHS, _fold


@dataclass(frozen=True)
class FromToday:
    text: str  # the message with the phrase written as the date it means ("PACE 2025")
    phrase: str  # the phrase as typed ("last year")
    period: str  # "year" or "month"
    start: date  # the first day of the period
    begin: int  # where the phrase is in the message
    end: int


@cache
def _rules() -> list[tuple[re.Pattern[str], dict]]:
    data = yaml.safe_load(resources.files("bot.understand").joinpath("from_today.yaml").read_text("utf-8"))
    return [(re.compile(row["match"]), row) for rows in data.values() for row in rows]


def _month(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _period(row: dict, m: re.Match[str], today: date) -> tuple[str, date] | None:
    if row["period"] == "year":
        return "year", date(today.year + int(row["offset"]), 1, 1)
    if row["period"] == "month":
        return "month", _month(today.year, today.month + int(row["offset"]))
    month = MONTHS.get(m["mon"])
    if month is None:
        return None  # "last week", "this time": not a month
    if row.get("latest"):
        year = today.year if month < today.month else today.year - 1
        return "month", date(year, month, 1)
    return "month", date(today.year + int(row.get("year_offset", 0)), month, 1)


def anchor(text: str, today: date) -> FromToday | None:
    """The first phrase counted from today in `text`, as the date it means; None when there is none."""
    folded = _fold(text)
    if len(folded) != len(text):
        return None  # positions would not line up; never cut words at wrong places
    best: tuple[re.Match[str], tuple[str, date]] | None = None
    for pattern, row in _rules():
        for m in pattern.finditer(folded):  # the leftmost phrase, the longest there
            found = _period(row, m, today)
            if found is not None and (best is None or (m.start(), -m.end()) < (best[0].start(), -best[0].end())):
                best = (m, found)
    if best is not None:
        m, (period, start) = best
        absolute = str(start.year) if period == "year" else f"{EN_MONTHS[start.month][0].title()} {start.year}"
        rewritten = " ".join(f"{text[: m.start()]} {absolute} {text[m.end():]}".split())
        return FromToday(rewritten, text[m.start(): m.end()], period, start, m.start(), m.end())
    return None
