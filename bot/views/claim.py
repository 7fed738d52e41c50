"""A claim: who says it, when, in their words, and the claims disputing or supporting it."""

from __future__ import annotations

from bot.corpus import Claim
from bot.render import Builder, date_html, esc, quote_html, say
from bot.views.base import Button, short
from bot.views.entry import EntryView, entry_type


@entry_type
class ClaimView(EntryView[Claim]):
    kind = "claim"

    def get(self, entry_id: str) -> Claim:
        return self.corpus.claims[entry_id]

    def blocks(self, b: Builder, entry: Claim, full: bool, typed: str | None = None, *,
               heading: bool = True) -> None:
        v = self.views
        claim = entry
        claimant = v.name(claim.claimant)
        if heading:
            b.add(f"<b>{say('labels.claimant')}:</b> {esc(claimant)} · {date_html(claim.date)}", force=True)
        b.add(lambda bb: f"{esc(claim.paraphrase)} {bb.ref(claim.source)}", force=True)
        b.add(quote_html(claim.quote), force=True)
        if full and claim.note:
            b.add(f"<i>{say('labels.note')}:</i> {esc(claim.note)}")
        if full and claim.date.basis:
            b.add(f"<i>{say('labels.inferred_how')}:</i> {esc(claim.date.basis)}")
        disputed = [self.corpus.claims[i] for i in claim.disputes if i in self.corpus.claims]
        v.section(b, say("labels.disputed_by"),
                  [v.claim_line(o, quote=full, with_claimant=True) for o in disputed], 6 if full else 2)
        if disputed and say("labels.disputed_by") not in b.html():
            # The other side must never vanish for lack of room: at least say who disputes it.
            names = ", ".join(dict.fromkeys(v.name(o.claimant) for o in disputed))
            b.add(f"<b>{say('labels.disputed_by')}:</b> {esc(names)}", force=True)
            return
        supported = [self.corpus.claims[i] for i in claim.supports if i in self.corpus.claims]
        v.section(b, say("labels.supported_by"),
                  [v.claim_line(o, quote=full, with_claimant=True) for o in supported], 6 if full else 2)

    def buttons(self, entry: Claim) -> list[tuple[Button, ...]]:
        return self.views.link_buttons(entry)

    def labels(self, entry: Claim) -> tuple[str, str]:
        return short(f"{self.views.name(entry.claimant)}: {entry.paraphrase}", 90), entry.quote
