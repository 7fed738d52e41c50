"""Dates given relative to an event: "two days before the MPs wrote to Bayramov", "на следующий день
после начала антитеррористических мероприятий", "Bayramova müraciətdən iki gün əvvəl".

Understanding only: the text gives an offset in days and the words that describe the event it
counts from. Finding the event and its date is retrieval's (the timeline command), and so is the
honesty about it: an event known only to the month gives no day two days before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_PLURAL = frozenset({"days", "weeks", "дня", "дней", "недели", "недель"})


@dataclass(frozen=True)
class Relative:
    days: int  # negative: before the event
    anchor: str  # the words describing the event, as typed
    text: str  # the relative phrase as typed ("two days before")


@cache
def _rules() -> tuple[dict[str, dict[str, int]], list[tuple[str, re.Pattern[str]]]]:
    data = yaml.safe_load(resources.files("bot.understand").joinpath("relative.yaml").read_text("utf-8"))
    words: dict[str, dict[str, int]] = {}
    for table in ("numbers", "units", "directions"):
        words[table] = {str(k).lower(): int(v) for lang in data[table].values() for k, v in lang.items()}
    patterns = [(lang, re.compile(p, re.IGNORECASE)) for lang, ps in data["patterns"].items() for p in ps]
    return words, patterns


def parse(text: str) -> Relative | None:
    """The offset and the event a phrase counts from, or None when it is no relative date."""
    clean = " ".join(text.strip().rstrip("?!.").split())
    words, patterns = _rules()
    for _, pattern in patterns:
        m = pattern.match(clean)
        if not m or not m.group("event").strip():
            continue
        groups = m.groupdict()
        raw_n = (groups.get("n") or "").lower()
        n = int(raw_n) if raw_n.isdigit() else words["numbers"].get(raw_n, 1 if not raw_n else 0)
        if n <= 0 or n > 366:
            continue  # "before the war" with a word that is no number: not a relative date
        if not raw_n and (groups.get("unit") or "").lower() in _PLURAL:
            continue  # "days before the war": how many is not said
        unit = words["units"].get((groups.get("unit") or "день").lower(), 1)
        direction = words["directions"].get((groups.get("dir") or "до").lower(), -1)
        event = m.group("event").strip()
        start, end = m.span("event")
        phrase = (clean[:start] + clean[end:]).strip()
        return Relative(direction * n * unit, event, phrase)
    return None
