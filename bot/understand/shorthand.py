"""Chat shorthand ("ppl", "govt", "пр-во") read as the words it stands for (the table is data:
shorthand.yaml), so that the rest of the understanding sees ordinary words."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml


@cache
def _table() -> tuple[re.Pattern[str], dict[str, str]]:
    data = yaml.safe_load(Path(__file__).with_name("shorthand.yaml").read_text(encoding="utf-8")) or {}
    table = {str(short).lower(): str(full) for lang in data.values() for short, full in (lang or {}).items()}
    alternatives = "|".join(re.escape(s) for s in sorted(table, key=len, reverse=True))
    # a whole word: nothing word-like on either side (a shorthand may end in "/" or ".")
    return re.compile(rf"(?<![\w/'.-])(?:{alternatives})(?![\w/'-]|\.\w)", re.IGNORECASE), table


def expand(text: str) -> str:
    """The text with each shorthand word written out: "how many ppl" -> "how many people"."""
    pattern, table = _table()
    return pattern.sub(lambda m: table[m.group().lower()], text)
