"""Views of several claims: the whole argument around one claim, and "what did X say"."""

from __future__ import annotations

from bot.corpus import Actor, Claim
from bot.render import say
from bot.retrieve.rank import Ranking
from bot.views.base import ECHO_LIMIT, Reply, Views, button, payload, short


def argument(v: Views, query: str, claims: list[Claim], full: bool, ranking: Ranking | None,
             on_topic: list[Claim], *, score: float = 100.0, entity: str | None = None) -> Reply:
    """The best claim with the claims disputing or supporting it, then what else its claimant says
    on the topic, then one line for each other party with claims on it (the rest as buttons)."""
    b = v.builder(full)
    best = claims[0]
    if entity is not None:
        if line := v.matched_line(query, v.name(entity)):
            b.add(line, force=True)
    elif ranking is not None and (line := v.match_line(query, "claim", best.id, ranking)):
        b.add(f"<i>{line}</i>", force=True)
    v.entries["claim"].blocks(b, best, full, None)
    shown = {best.id, *best.disputes, *best.supports}
    same = [c for c in [*claims[1:], *on_topic] if c.id not in shown and c.claimant == best.claimant]
    same = list({c.id: c for c in same}.values())
    v.section(b, say("labels.also_by", name=v.name(best.claimant)),
              [v.claim_line(c, quote=False) for c in same], 3 if full else 1)
    shown |= {c.id for c in same[: 3 if full else 1]}
    voices: dict[str, Claim] = {}
    for claim in on_topic:
        if claim.id not in shown and claim.claimant != best.claimant and claim.claimant not in voices:
            voices[claim.claimant] = claim
    v.section(b, say("labels.other_voices"),
              [v.claim_line(c, quote=False, with_claimant=True) for c in voices.values()], 6 if full else 3)
    buttons = [*v.link_buttons(best), *v.open_buttons(list(voices.values())[:3]), *v.source_buttons(b.cited)]
    return Reply(query, "claim", True, b.html(), sources=tuple(b.cited), buttons=tuple(buttons),
                 best_score=score, share_payload=payload("claim", best.id))


def said(v: Views, who: str, actor: Actor, claims: list[Claim], about: str | None, found_about: bool,
         full: bool, score: float) -> Reply:
    """An actor's own claims as chosen (newest first, or those on `about`), the first with its quote.
    `found_about` is False when the actor has claims but none on `about`: then all are shown, and said so."""
    notice = "" if found_about else say("said_nothing_about", name=actor.name, topic=short(about or "", ECHO_LIMIT))
    b = v.builder(full)
    title = say("said_title_about", name=actor.name, topic=short(about or "", ECHO_LIMIT)) if about and not notice \
        else say("said_title", name=actor.name)
    b.add(f"<b>{title}</b>", force=True)
    if line := v.matched_line(who, actor.name):
        b.add(line, force=True)
    if notice:
        b.add(f"<i>{notice}</i>", force=True)
    if not claims:
        b.add(say("said_none", name=actor.name), force=True)
    shown = len(claims)
    for n, c in enumerate(claims):
        if not b.add(v.claim_line(c, quote=full or n == 0), force=n == 0):
            b.add(say("labels.more", n=len(claims) - n))
            shown = n
            break
    buttons = [*v.open_buttons(claims[:3]), *v.source_buttons(b.cited)]
    if shown < len(claims) and (everything := button(say("analysis.all_said", n=len(claims)),
                                                     f"/open {payload('actor', actor.id)} said:1")):
        buttons.insert(0, (everything,))  # the whole list, page by page
    # Their claims on nothing else are context, not an answer to "what did X say about Y" (and the
    # query log counts the question as a gap).
    return Reply(who, "said", bool(claims) and found_about, b.html(), sources=tuple(b.cited), buttons=tuple(buttons),
                 best_score=score, share_payload=payload("actor", actor.id))
