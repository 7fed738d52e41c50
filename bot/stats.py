"""Usage numbers for the admins' `/stats`, from the query log: answers per day, the share matched, the
most used commands, and answer time (p50, p99). Nothing in it says who asked or what."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.render import esc, fit, say


@dataclass(frozen=True)
class Usage:
    days: int
    total: int
    matched: int
    per_day: tuple[tuple[date, int], ...]
    commands: tuple[tuple[str, int], ...]
    p50_ms: float | None
    p99_ms: float | None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (the value below which `share` of the answers fall); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def usage(rows: Sequence[tuple[datetime, str, bool, float]], days: int) -> Usage:
    per_day = Counter(ts.date() for ts, _, _, _ in rows)
    commands = Counter(command or "search" for _, command, _, _ in rows)
    latencies = [latency for *_, latency in rows]
    return Usage(days, len(rows), sum(1 for _, _, matched, _ in rows if matched),
                 tuple(sorted(per_day.items())), tuple(commands.most_common(8)),
                 percentile(latencies, 0.50), percentile(latencies, 0.99))


def stats_html(u: Usage) -> str:
    if not u.total:
        return say("stats.empty")
    lines = [f"<b>{say('stats.title', days=u.days)}</b>",
             say("stats.matched", share=f"{100 * u.matched / u.total:.0f}%", total=u.total),
             say("stats.latency", p50=_ms(u.p50_ms), p99=_ms(u.p99_ms)),
             f"<b>{say('stats.per_day')}</b>"]
    lines += [f"{day.isoformat()}: {n}" for day, n in u.per_day[-14:]]
    lines.append(f"<b>{say('stats.commands')}</b>")
    lines += [f"/{esc(command)}: {n}" for command, n in u.commands]
    return fit("\n".join(lines))


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
