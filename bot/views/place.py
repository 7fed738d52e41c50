"""A place: its names, where it lies, and the events there or inside it."""

from __future__ import annotations

from bot.corpus import Place
from bot.render import Builder, esc, say
from bot.views.entry import EntryView, entry_type


@entry_type
class PlaceView(EntryView[Place]):
    kind = "place"

    def get(self, entry_id: str) -> Place:
        return self.corpus.places[entry_id]

    def blocks(self, b: Builder, entry: Place, full: bool, typed: str | None) -> None:
        v = self.views
        place = entry
        b.add(f"<b>{esc(place.name)}</b> · {say('labels.place')}", force=True)
        if line := v.matched_line(typed, place.name):
            b.add(line, force=True)
        if place.aliases:
            b.add(f"<i>{say('labels.aliases')}:</i> {esc(', '.join(place.aliases[: 12 if full else 6]))}", force=True)
        if place.within and place.within in self.corpus.places:
            region = self.corpus.places[place.within].name
            if place.within_by:
                # One side's administrative geography is shown as theirs, never in the bot's own voice.
                b.add(say("analysis.within_by", who=v.name(place.within_by), region=region))
            else:
                b.add(f"{say('labels.within')} {esc(region)}")
        if place.note:
            b.add(lambda bb: esc(place.note or "") + (f" {bb.ref(place.cite)}" if place.cite else ""))
        inside = {place.id} | {p.id for p in self.corpus.places.values() if p.within == place.id}
        events = [e for e in v.timeline if inside & set(e.places)]
        v.section(b, say("labels.events_at_place"), [v.event_line(e) for e in events], 12 if full else 4)

    def labels(self, entry: Place) -> tuple[str, str]:
        return entry.name, ", ".join(entry.aliases[:4])
