"""A claim: who says it, when, in their words, and the claims disputing or supporting it."""

from __future__ import annotations

from bot.corpus import BriefDate, Claim
from bot.render import Builder, esc, quote_html, say
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
        if authors := v.authors.get(claim.claimant):
            # "the appeal of Speaker Sahiba Gafarova, the heads of the working groups and …": she is
            # among its authors, the sources say, so the line names her too
            claimant = say("labels.claimant_with", claimant=claimant, authors=", ".join(v.name(a) for a in authors))
        if heading:
            b.add(f"<b>{say('labels.claimant')}:</b> {esc(claimant)} · {v.claim_when(claim)}", force=True)
        b.add(lambda bb: f"{esc(claim.paraphrase)} {bb.ref(claim.source)}", force=True)
        b.add(quote_html(claim.quote), force=True)
        if claim.translation_note:
            b.add(v.translation_marker(claim.translation_note), force=True)
        if line := v.no_response_line(claim):
            b.add(line, force=True)
        if full and claim.note:
            b.add(f"<i>{say('labels.note')}:</i> {esc(claim.note)}")
        if full and claim.date.basis:
            b.add(f"<i>{say('labels.inferred_how')}:</i> {esc(claim.date.basis)}")
        if full and isinstance(claim.said, BriefDate) and claim.said.basis and claim.said.basis != claim.date.basis:
            b.add(f"<i>{say('labels.inferred_how')} ({say('analysis.said')}):</i> {esc(claim.said.basis)}")
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
