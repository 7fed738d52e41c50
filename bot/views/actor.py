"""An actor: who they are, what they said or did, what others claim about them, their events."""

from __future__ import annotations

from datetime import date

from bot.corpus import Actor
from bot.render import Builder, esc, say
from bot.views.base import Block
from bot.views.entry import EntryView, entry_type


@entry_type
class ActorView(EntryView[Actor]):
    kind = "actor"

    def get(self, entry_id: str) -> Actor:
        return self.corpus.actors[entry_id]

    def blocks(self, b: Builder, entry: Actor, full: bool, typed: str | None) -> None:
        v = self.views
        actor = entry
        b.add(f"<b>{esc(actor.name)}</b> · {say('labels.' + 'actor')}", force=True)
        if line := v.matched_line(typed, actor.name):
            b.add(line, force=True)
        b.add(lambda bb: f"{esc(actor.role)} {bb.ref(actor.cite)}", force=True)
        if full and actor.aliases:
            b.add(f"<i>{say('labels.aliases')}:</i> {esc(', '.join(actor.aliases[:12]))}")
        claims = sorted((c for c in self.corpus.claims.values() if c.claimant == actor.id),
                        key=lambda c: (c.date.start, c.id))
        items: list[tuple[date, Block]] = []
        for c in claims:
            items.append((c.date.start, v.claim_line(c, quote=True)))
        for r in actor.record:
            items.append((r.date.start if r.date else date.min, v.record_line(r)))
        events = [e for e in v.timeline if actor.id in e.actors]
        ordered = [block for _, block in sorted(items, key=lambda kv: kv[0])]
        v.section(b, say("labels.said_or_did"), ordered, 12 if full else 3)
        about = [c for c in self.corpus.claims.values() if actor.id in c.about and c.claimant != actor.id]
        v.section(b, say("labels.claims_about"),
                  [v.claim_line(c, quote=False, with_claimant=True) for c in about], 6 if full else 2)
        v.section(b, say("labels.events"), [v.event_line(e) for e in events], 10 if full else 3)

    def labels(self, entry: Actor) -> tuple[str, str]:
        return entry.name, entry.role
