"""What users asked that the index could not answer, with the nearest entries: the curators' to-do list.

Shared by `briefbot gaps` and the admins' `/gaps` command.
"""

from __future__ import annotations

from bot.core import Engine
from bot.render import esc, fit
from bot.storage import Storage


async def gaps_report(storage: Storage, engine: Engine, *, limit: int = 20, since_days: int | None = None) -> str:
    """Telegram HTML: each frequent unanswered query, how often, when last, and its nearest entries."""
    gaps = await storage.gaps(limit=limit, since_days=since_days)
    if not gaps:
        return "No unanswered queries logged."
    lines = [f"<b>Most frequent unanswered queries</b> ({len(gaps)})"]
    for gap in gaps:
        kinds = {"actor": ("actor",), "claim": ("claim",), "timeline": ("event",)}.get(gap.command)
        near = engine.index.search(gap.query, kinds=kinds, limit=3)
        nearest = ", ".join(f"{esc(engine.title(h.kind, h.entry_id))} ({h.score:.0f})" for h in near) or "none"
        lines.append(f"• {gap.count}× /{esc(gap.command)} {esc(gap.query)} "
                     f"<i>(last {gap.last_seen:%Y-%m-%d})</i> — nearest: {nearest}")
    return fit("\n".join(lines))
