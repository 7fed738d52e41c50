"""`briefbot check --report`: what a curator should look at next, as text or JSON.

- contested claims without a counter-claim: a claim about someone else, or taking a side in its own
  words, that no claim disputes (the index holds one side of that argument);
- events cited by one document only (nothing corroborates or contradicts them);
- entries no user has asked for (from the query log: no answered query led to them);
- the most frequent unanswered queries (the query log's gaps, as `briefbot gaps` lists them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.core import Engine
from bot.dates import extract_date, label
from bot.retrieve.rank import stance
from bot.storage import Storage
from bot.views.base import LETTER_KIND

KINDS_BY_COMMAND = {"actor": ("actor",), "claim": ("claim",), "timeline": ("event",)}


@dataclass
class CoverageReport:
    contested: list[dict[str, Any]]
    single_source_events: list[dict[str, Any]]
    unasked: list[dict[str, Any]] | None  # None: no query log to read
    gaps: list[dict[str, Any]] | None
    log: str  # where the query-log sections come from, or why they are missing
    asked_queries: int = 0
    totals: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2)

    def as_text(self, limit: int = 15) -> str:
        out: list[str] = []

        def section(title: str, rows: list[dict[str, Any]] | None, line: Any, empty: str) -> None:
            if rows is None:
                out.extend([f"{title}: not available ({self.log})", ""])
                return
            out.append(f"{title} ({len(rows)}):")
            out.extend(f"  {line(r)}" for r in rows[:limit])
            if len(rows) > limit:
                out.append(f"  … and {len(rows) - limit} more (--json lists all)")
            if not rows:
                out.append(f"  {empty}")
            out.append("")

        section(f"Contested claims without a counter-claim (of {self.totals.get('claims', 0)} claims)",
                self.contested,
                lambda r: f"{r['id']} — {r['claimant']}, {r['date']}: {r['paraphrase']} [{r['source']}]",
                "every contested claim has a counter-claim")
        section(f"Events cited by one document only (of {self.totals.get('events', 0)} events)",
                self.single_source_events,
                lambda r: f"{r['id']} — {r['date']}: {r['title']} [{r['source']}]", "none")
        section(f"Entries no user has asked for (of {self.totals.get('entries', 0)}; "
                f"{self.asked_queries} distinct answered queries read)", self.unasked,
                lambda r: f"{r['kind']} {r['id']} — {r['title']}", "users have asked for every entry")
        section("Most frequent unanswered queries", self.gaps,
                lambda r: f"{r['count']}× /{r['command']} {r['query']} (last {r['last_seen']}) — nearest: "
                          f"{', '.join(r['nearest']) or 'none'}", "no unanswered queries logged")
        return "\n".join(out).rstrip() + "\n"


def contested_without_counter(engine: Engine) -> list[dict[str, Any]]:
    corpus = engine.corpus
    out = []
    for c in sorted(corpus.claims.values(), key=lambda c: (c.claimant, c.date.start, c.id)):
        if c.disputes:
            continue
        about_others = any(i != c.claimant and i in corpus.actors for i in c.about)
        sided = any(axis == "stance" for axis, _ in stance(f"{c.paraphrase} {c.quote}"))
        if about_others or sided:
            out.append({"id": c.id, "claimant": engine.views.name(c.claimant), "date": label(c.date),
                        "paraphrase": c.paraphrase, "source": corpus.sources[c.source].id,
                        "why": "about " + ", ".join(i for i in c.about if i != c.claimant) if about_others
                        else "takes a side in its own words"})
    return out


def single_source_events(engine: Engine) -> list[dict[str, Any]]:
    corpus = engine.corpus
    return [{"id": e.id, "date": label(e.date), "title": e.title,
             "source": corpus.sources[e.cite[0].source].id}
            for e in engine.timeline if len({c.source for c in e.cite}) == 1]


def answered_entries(engine: Engine, command: str, query: str) -> set[tuple[str, str]]:
    """The entries a logged query led to: the card it opened, the entries a search answered with, the
    events of a timeline topic, and the actors and places it names."""
    corpus = engine.corpus
    found: set[tuple[str, str]] = set()
    if command == "open" or (command == "start" and query[:2] in {f"{k}_" for k in LETTER_KIND}):
        letter, _, entry_id = query.partition("_")
        kind = LETTER_KIND.get(letter)
        if kind == "source":
            source = corpus.source_by_ref(entry_id)
            return {("source", source.file)} if source else set()
        return {(kind, entry_id)} if kind and corpus.entry(entry_id) is not None else set()
    if command == "source":
        source = corpus.source_by_ref(query)
        return {("source", source.file)} if source else set()
    if command in ("sources", "help", "about", "start", "settings"):
        return found
    for m in engine.mentions.find(query):
        kind = "actor" if m.entity_id in corpus.actors else "place"
        found.add((kind, m.entity_id))
    if command == "timeline":
        _, topic = extract_date(query)
        if topic:
            chosen, _, _ = engine._topic_events(topic)
            found.update(("event", i) for i in chosen)
        return found
    ranking = engine.ranker.rank(query, KINDS_BY_COMMAND.get(command))
    if ranking.outcome == "answer" and ranking.best is not None:
        found.add((ranking.best.kind, ranking.best.entry_id))
        found.update((c.kind, c.entry_id) for c in ranking.candidates[1:5] if engine._confident(c, ranking))
    return found


def unasked_entries(engine: Engine, asked: Iterable[tuple[str, str, int]]) -> tuple[list[dict[str, Any]], int]:
    corpus = engine.corpus
    seen: set[tuple[str, str]] = set()
    n = 0
    for query, command, _count in asked:
        n += 1
        seen |= answered_entries(engine, command, query)
    tables = (("actor", corpus.actors), ("place", corpus.places), ("event", corpus.events), ("claim", corpus.claims))
    out = [{"kind": kind, "id": entry_id, "title": engine.title(kind, entry_id)}
           for kind, table in tables for entry_id in table if (kind, entry_id) not in seen]
    return out, n


async def build_report(engine: Engine, storage: Storage | None, *, limit: int = 20, since_days: int | None = None,
                       log: str = "") -> CoverageReport:
    corpus = engine.corpus
    totals = {"claims": len(corpus.claims), "events": len(corpus.events),
              "entries": len(corpus.actors) + len(corpus.places) + len(corpus.events) + len(corpus.claims)}
    report = CoverageReport(contested_without_counter(engine), single_source_events(engine), None, None,
                            log or "no query log", totals=totals)
    if storage is None:
        return report
    asked = await storage.asked(since_days=since_days)
    report.unasked, report.asked_queries = unasked_entries(engine, asked)
    gaps = []
    for gap in await storage.gaps(limit=limit, since_days=since_days):
        near = engine.index.search(gap.query, kinds=KINDS_BY_COMMAND.get(gap.command), limit=3)
        gaps.append({"query": gap.query, "command": gap.command, "count": gap.count,
                     "last_seen": f"{gap.last_seen:%Y-%m-%d}",
                     "nearest": [engine.title(h.kind, h.entry_id) for h in near]})
    report.gaps = gaps
    return report
