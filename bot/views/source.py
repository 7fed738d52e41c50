"""A source document: its card (outlet, date, perspective, what the index takes from it), and the list."""

from __future__ import annotations

from bot.corpus import Source
from bot.dates import label
from bot.render import Builder, count, esc, quote_html, say, source_line
from bot.views.base import Reply, Views, button, short
from bot.views.entry import EntryView, entry_type


@entry_type
class SourceView(EntryView[Source]):
    kind = "source"
    cites_buttons = False  # the card is itself what a source button opens

    def get(self, entry_id: str) -> Source:
        return self.corpus.sources[entry_id]

    def blocks(self, b: Builder, entry: Source, full: bool, typed: str | None) -> None:
        source = entry
        b.add(lambda bb: f"<b>{source.number}. {esc(source.title)}</b> {bb.ref(source.file)}", force=True)
        b.add(lambda bb: source_line(self.corpus, source.file, key=True), force=True)
        text = self.corpus.texts.get(source.file, "")
        if opening := first_lines(text):
            more = " …" if len(opening) < len(" ".join(text.split())) else ""
            b.add(f"<i>{say('analysis.opening')}:</i>\n{quote_html(opening)}{more}", force=True)
        b.add(f"<i>{say('labels.perspective')}:</i> {esc(source.perspective)}", force=True)
        if source.published.basis:
            b.add(f"<i>{say('labels.inferred_how')}:</i> {esc(source.published.basis)}")
        if source.language_note:
            b.add(f"<i>{say('labels.note')}:</i> {esc(source.language_note)}")
        counts = (sum(1 for c in self.corpus.claims.values() if c.source == source.file),
                  sum(1 for e in self.corpus.events.values() if any(c.source == source.file for c in e.cite)))
        b.add(esc(f"{count('claims', counts[0])}, {count('events', counts[1])}"))

        if full and source.note:
            b.add(f"<i>{say('labels.note')}:</i> {esc(source.note)}")

    def labels(self, entry: Source) -> tuple[str, str]:
        return short(f"{entry.number}. {entry.title}", 90), f"{entry.outlet}, {label(entry.published)}"


def first_lines(text: str, limit: int = 280) -> str:
    """The document's opening words, verbatim, cut at a word before `limit` characters."""
    opening = " ".join(text.split())
    return opening if len(opening) <= limit else opening[:limit].rsplit(" ", 1)[0]


def source_list(v: Views) -> Reply:
    """/sources: every document, numbered, with a button for each card (the number shown, the stable id inside)."""
    corpus = v.corpus
    lines = [f"<b>{say('labels.sources')}</b>"]
    for s in corpus.sources_in_order():
        lines.append(f"{s.number}. {source_line(corpus, s.file, key=True)}")
    buttons = tuple(
        tuple(b for b in (button(str(s.number), f"/source {s.id}"),) if b)
        for s in corpus.sources_in_order()
    )
    row = tuple(b[0] for b in buttons if b)
    return Reply("/sources", "sources", True, "\n".join(lines),
                 sources=tuple(s.file for s in corpus.sources_in_order()),
                 buttons=(row,) if row else (), best_score=100.0)
