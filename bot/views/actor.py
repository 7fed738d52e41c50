"""An actor: who they are, what they said, what others say about them, and their events, each counted
and each listed in full behind a button (`/open a_<id> said:1`, `about:1`, `events:1`, paged)."""

from __future__ import annotations

from datetime import date

from bot.corpus import Actor, Claim, Event
from bot.render import Builder, esc, say
from bot.views.base import Block, Button, Reply, Views, button, payload
from bot.views.entry import EntryView, entry_type

LISTS = ("said", "about", "events")

_BUTTON_AFTER = 2  # a section of more items than this gets a button that lists them all


def said_by(v: Views, actor: Actor) -> list[Claim]:
    """What the actor said: their own claims and those of the groups the sources name them among the
    authors of (Gafarova and the appeal's other authors), newest first."""
    authors = {actor.id, *actor.part_of}
    return sorted((c for c in v.corpus.claims.values() if c.claimant in authors),
                  key=lambda c: (c.date.start, c.id), reverse=True)


def said_about(v: Views, actor: Actor) -> list[Claim]:
    """What others say about the actor: claims by others about them or about what they said, newest first."""
    authors = {actor.id, *actor.part_of}
    theirs = {c.id for c in v.corpus.claims.values() if c.claimant in authors}
    return sorted((c for c in v.corpus.claims.values() if c.claimant not in authors
                   and (actor.id in c.about or theirs & set(c.about))),
                  key=lambda c: (c.date.start, c.id), reverse=True)


def their_events(v: Views, actor: Actor) -> list[Event]:
    return [e for e in v.timeline if actor.id in e.actors]


def _said_line(v: Views, actor: Actor, c: Claim, *, quote: bool) -> Block:
    """A claim of theirs; one made with a group names the group ("with Heads of …")."""
    line = v.claim_line(c, quote=quote)
    if c.claimant == actor.id:
        return line
    return lambda b: line(b).replace("• ", f"• <i>{say('analysis.said_with')}</i>, ", 1)


def _items(v: Views, actor: Actor, which: str, full: bool) -> list[Block]:
    if which == "said":
        dated: list[tuple[date, Block]] = [(c.date.start, _said_line(v, actor, c, quote=full))
                                           for c in said_by(v, actor)]
        dated += [(r.date.start if r.date else date.min, v.record_line(r)) for r in actor.record]
        return [block for _, block in sorted(dated, key=lambda kv: kv[0], reverse=True)]
    if which == "about":
        return [v.claim_line(c, quote=False, with_claimant=True) for c in said_about(v, actor)]
    return [v.event_line(e) for e in their_events(v, actor)]


def _counts(v: Views, actor: Actor) -> dict[str, int]:
    return {"said": len(said_by(v, actor)) + len(actor.record), "about": len(said_about(v, actor)),
            "events": len(their_events(v, actor))}


def list_buttons(v: Views, actor: Actor, counts: dict[str, int], shown: dict[str, int]) -> list[tuple[Button, ...]]:
    """A button to the full list of each section that shows fewer items than it has."""
    labels = {"said": "analysis.all_said", "about": "analysis.all_about", "events": "analysis.all_events"}
    opened = f"/open {payload('actor', actor.id)}"
    row = tuple(btn for which in LISTS if counts[which] > shown.get(which, 0)
                if (btn := button(say(labels[which], n=counts[which]), f"{opened} {which}:1")))
    return [row] if row else []


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
        if actor.part_of:
            b.add(f"<i>{say('analysis.part_of', groups=', '.join(v.name(g) for g in actor.part_of))}</i>", force=True)
        if full and actor.aliases:
            b.add(f"<i>{say('labels.aliases')}:</i> {esc(', '.join(actor.aliases[:12]))}")
        counts = _counts(v, actor)
        limits = {"said": 8 if full else 2, "about": 6 if full else 2, "events": 8 if full else 2}
        # An actor's record holds what they did as well as said ("was the addressee of the appeal").
        said = "analysis.said_did_by_them" if actor.record else "analysis.said_by_them"
        headings = {"said": said, "about": "analysis.about_them", "events": "analysis.their_events"}
        for which in LISTS:
            if not counts[which]:
                continue
            heading = f"<b>{say(headings[which], n=counts[which])}</b>"
            added = 0
            for block in _items(v, actor, which, full)[: limits[which]]:
                first = added == 0
                if not b.add((lambda bb, blk=block, h=heading: h + "\n" + blk(bb)) if first else block):
                    break
                added += 1
            if not added and counts[which] > _BUTTON_AFTER:
                # No room for an item: the count still shows, with the button that opens the list
                # (`buttons` below offers one for a section of more than two). A shorter section with no
                # room is left out rather than shown as an empty heading.
                b.add(f"{heading} <i>({say('analysis.listed_by_button')})</i>", force=True)

    def buttons(self, entry: Actor) -> list[tuple[Button, ...]]:
        # A section longer than a brief reply shows opens in full, page by page.
        shown = dict.fromkeys(("said", "about", "events"), _BUTTON_AFTER)
        return list_buttons(self.views, entry, _counts(self.views, entry), shown)

    def labels(self, entry: Actor) -> tuple[str, str]:
        return entry.name, entry.role


def listing(v: Views, actor_id: str, which: str, page: int, full: bool) -> Reply:
    """One page of an actor's statements, of what others say about them, or of their events, with
    Earlier/Later buttons: every item is reachable and none is skipped between pages."""
    actor = v.corpus.actors[actor_id]
    items = _items(v, actor, which, full)
    per_page = 8 if full else 4
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    said = "analysis.list_said_did" if actor.record else "analysis.list_said"
    titles = {"said": said, "about": "analysis.list_about", "events": "analysis.their_events"}
    title = say(titles[which], name=actor.name, n=len(items))
    if pages > 1:
        title += f" · {say('labels.page', page=page, pages=pages)}"
    b = v.builder(full)
    b.add(f"<b>{title}</b>", force=True)
    if not items:
        b.add(say("analysis.list_none"), force=True)
    for block in items[(page - 1) * per_page: page * per_page]:
        b.add(block, force=True)  # a page shows all of its items: paging never drops one
    base = f"/open {payload('actor', actor.id)} {which}"
    nav = [btn for btn in (button(say("buttons.earlier"), f"{base}:{page - 1}") if page > 1 else None,
                           button(say("buttons.later"), f"{base}:{page + 1}") if page < pages else None) if btn]
    back = button(actor.name[:40], f"/open {payload('actor', actor.id)}")
    buttons = [row for row in (tuple(nav), (back,) if back else (), *v.source_buttons(b.cited)) if row]
    return Reply(f"{base}:{page}", "open", True, b.html(), sources=tuple(b.cited), buttons=tuple(buttons),
                 best_score=100.0, share_payload=payload("actor", actor.id))
