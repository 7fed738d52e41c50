"""An event: its date and title, the summary with its sources' own words, who and where."""

from __future__ import annotations

from bot.corpus import Event
from bot.dates import label
from bot.render import Builder, date_html, esc, quote_html, say
from bot.views.base import short
from bot.views.entry import EntryView, entry_type


@entry_type
class EventView(EntryView[Event]):
    kind = "event"

    def get(self, entry_id: str) -> Event:
        return self.corpus.events[entry_id]

    def blocks(self, b: Builder, entry: Event, full: bool, typed: str | None) -> None:
        event = entry
        when = date_html(event.date) + (f" – {date_html(event.end)}" if event.end else "")
        b.add(f"<b>{when}</b> · <b>{esc(event.title)}</b>", force=True)
        b.add(lambda bb: f"{esc(event.summary)} {bb.ref(event.cite)}", force=True)
        for citation in event.cite[: (3 if full else 1)]:
            b.add(quote_html(citation.quote))
        if event.translation_note:
            b.add(self.views.translation_marker(event.translation_note), force=True)
        people = self.views.names(event.actors)
        places = self.views.names(event.places)
        if people:
            b.add(f"<i>{say('labels.actor')}:</i> {esc(', '.join(people))}")
        if places:
            b.add(f"<i>{say('labels.place')}:</i> {esc(', '.join(places))}")
        if full and event.date.basis:
            b.add(f"<i>{say('labels.inferred_how')}:</i> {esc(event.date.basis)}")
        if full and event.note:
            b.add(f"<i>{say('labels.note')}:</i> {esc(event.note)}")

    def labels(self, entry: Event) -> tuple[str, str]:
        return short(f"{label(entry.date)}: {entry.title}", 90), entry.summary
