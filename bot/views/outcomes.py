"""Replies that are not an entry: "did you mean", "nothing matches", and plain text."""

from __future__ import annotations

from bot import i18n
from bot.index import Hit
from bot.render import count, esc, say
from bot.retrieve.rank import Candidate
from bot.views.base import ECHO_LIMIT, Button, Reply, Views, button, payload, short


def suggest(v: Views, query: str, command: str, hits: list[Hit] | list[Candidate], best: float,
            lead: str | None = None) -> Reply:
    """Did you mean: one line and one button for each entry offered (the caller offers up to three),
    after `lead` when the caller says why first."""
    lines = [lead or say("did_you_mean", query=short(query, ECHO_LIMIT))]
    buttons: list[tuple[Button, ...]] = []
    for h in hits:
        title = v.title(h.kind, h.entry_id)
        lines.append(f"• {esc(title)} <i>({say('labels.' + h.kind)})</i>")
        if btn := button(short(title), f"/open {payload(h.kind, h.entry_id)}"):
            buttons.append((btn,))
    return Reply(query, command, False, "\n".join(lines), buttons=tuple(buttons), best_score=best)


def nothing(v: Views, query: str, command: str, hits: list[Hit] | list[Candidate]) -> Reply:
    """Nothing matches: what the index covers, and the closest entries if any come near."""
    lines = [say("no_match", query=short(query, ECHO_LIMIT)), v.coverage_hint]
    close = [h for h in hits if h.score >= 40][:3]
    buttons: list[tuple[Button, ...]] = []
    if close:
        lines.append(say("closest"))
        for h in close:
            title, _ = v.inline_labels(h.kind, h.entry_id)
            lines.append(f"• {esc(title)} <i>({say('labels.' + h.kind)})</i>")
            if btn := button(short(title), f"/open {payload(h.kind, h.entry_id)}"):
                buttons.append((btn,))
    best = hits[0].score if hits else 0.0
    return Reply(query, command, False, "\n".join(lines), buttons=tuple(buttons), best_score=best)


def start(v: Views, bot: str) -> Reply:
    """/start without a payload: what the index holds, then /help."""
    intro = say("start_html", sources=count("curated_sources", len(v.corpus.sources)))
    return plain("/start", "start", intro + "\n\n" + say("help_html", bot=bot), matched=True)


def about(v: Views, model: str | None, off_reason: str) -> Reply:
    """/about: what the index covers, and whether matching by meaning is on (`model`), or why not."""
    corpus = v.corpus
    first, last = v.source_span()
    text = say("about_html", sources=count("sources", len(corpus.sources)), actors=count("actors", len(corpus.actors)),
               events=count("events", len(corpus.events)), claims=count("claims", len(corpus.claims)),
               places=count("places", len(corpus.places)), first=first, last=last)
    if model is None:
        text += "\n" + say("about_lexical_only", reason=off_reason)
    else:
        text += "\n" + say("about_semantic", model=model)
    return plain("/about", "about", text, matched=True)


def plain(query: str, command: str, html_text: str, *, matched: bool = False) -> Reply:
    return Reply(query, command, matched, html_text)


def command_list() -> str:
    """'/actor — …' for every command, as /help words them."""
    return "\n".join(f"/{name} — {esc(text)}" for name, text in i18n.tree("commands").items())
