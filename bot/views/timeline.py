"""Timeline pages: events in date order, the window's key events first, paged so none is skipped."""

from __future__ import annotations

import hashlib

from bot import i18n
from bot.corpus import Event
from bot.render import Builder, esc, plain_text, say
from bot.views.base import ECHO_LIMIT, InlineItem, Reply, Views, button, encode_query, short


def timeline(v: Views, query: str, events: list[Event], page: int, full: bool, notice: str,
             best: float, overlapping: set[str] | None = None, paging: str | None = None,
             within: set[str] | None = None) -> Reply:
    """Page `page` of the events chosen (in date order), with Earlier/Later buttons carrying `paging`
    (the query as typed when None); events in `overlapping` are never among the key events, and
    those `within` the window (wholly inside it, not a span that begins or ends there) lead them."""
    per_page = 10 if full else 5
    overlapping, within = overlapping or set(), within or set()

    def tier(e: Event) -> int:
        return 2 if e.id in overlapping else 0 if e.id in within else 1

    if len(events) > per_page:
        # The first page shows the window's key events (cited by most sources, dated most
        # precisely, inside the window): those wholly inside it first, then the spans that begin or
        # end in it, then those that merely overlap it, each in date order; the rest follow in date
        # order. "10 November 2020" leads with the statement of that day, not the war ending then.
        rank = sorted(events, key=lambda e: (e.id in overlapping, importance(e)))
        key_ids = {e.id for e in rank[:per_page]}
        key = sorted((e for e in events if e.id in key_ids), key=tier)  # stable: date order within a tier
        events = key + [e for e in events if e.id not in key_ids]
        lead = say("key_events_first", n=len(events) - per_page)
        notice = f"{notice}\n{lead}" if notice else lead
    # A timeline of one or two events has room for their quotes: the sources' own words under each;
    # so have the one or two events of a window that holds many spans ("what happened on 10 November
    # 2020?": the statement of that day, in the source's words).
    quote = full or len(events) <= FEW
    quoted = frozenset(within) if not quote and 0 < len(within) <= FEW else frozenset()
    pages = paginate(v, query, events, quote, notice, per_page=10 if full else 5, brief=not full, quoted=quoted)
    page = min(page, len(pages))
    chunk = pages[page - 1]
    b = timeline_page(v, query, chunk, quote, notice, page, len(pages), brief=not full, quoted=quoted)
    nav = []
    base = f"/timeline {query if paging is None else paging}".strip()
    if page > 1 and (btn := button(say("buttons.earlier"), f"{base} page:{page - 1}")):
        nav.append(btn)
    if page < len(pages) and (btn := button(say("buttons.later"), f"{base} page:{page + 1}")):
        nav.append(btn)
    opens = tuple(btn for e in chunk[:3] if (btn := button(short(e.title), f"/open e_{e.id}")))
    buttons = tuple(row for row in (tuple(nav), opens, *v.source_buttons(b.cited)) if row)
    share = encode_query(f"{base} page:{page}" if page > 1 else base)
    return Reply(query, "timeline", True, b.html(), sources=tuple(b.cited), buttons=buttons,
                 best_score=best, share_payload=share, events=tuple(e.id for e in events))


FEW = 2  # events few enough for a brief timeline to quote them


def importance(e: Event) -> tuple[int, int, str]:
    """Most important first: cited by more sources, then day-dated and not inferred."""
    sources = len({c.source for c in e.cite})
    bounded = e.date.latest or e.date.qualifier == "by"  # known only between or before dates
    exact = (e.date.precision == "day" and not bounded) + (e.date.inferred == "none") + (e.end is None and not bounded)
    return -(3 * sources + exact), -len(e.actors) - len(e.places), e.id


def paginate(v: Views, query: str, events: list[Event], full: bool, notice: str,
             per_page: int | None = None, brief: bool | None = None,
             quoted: frozenset[str] = frozenset()) -> list[list[Event]]:
    """Pages filled greedily with what fits (and at most 5 or 10 events), so no event is ever skipped
    between one page and the next, however long its sources make the reply. `full` shows quotes."""
    per_page = per_page or (10 if full else 5)
    pages: list[list[Event]] = []
    rest = list(events)
    while rest:
        b = timeline_page(v, query, [], full, notice, 999, 999, brief=brief)
        chunk: list[Event] = []
        for e in rest[:per_page]:
            if not b.add(v.event_line(e, quote=full or e.id in quoted), force=not chunk):
                break
            chunk.append(e)
        pages.append(chunk)
        rest = rest[len(chunk):]
    return pages or [[]]


def timeline_page(v: Views, query: str, chunk: list[Event], full: bool, notice: str, page: int,
                  pages: int, brief: bool | None = None, quoted: frozenset[str] = frozenset()) -> Builder:
    """A page; `full` shows each event's quotes (else only those `quoted`), `brief` (default: not
    `full`) keeps the brief length."""
    b = v.builder(not brief if brief is not None else full)
    title = esc(short(query, ECHO_LIMIT)) if query else say("labels.timeline_all")
    head = f"<b>{say('labels.timeline_title')}: {title}</b>"
    if pages > 1:
        head += f" · {say('labels.page', page=page, pages=pages)}"
    b.add(head, force=True)
    if notice:
        b.add(f"<i>{notice}</i>", force=True)
    for e in chunk:
        b.add(v.event_line(e, quote=full or e.id in quoted), force=True)
    return b


def not_at_that_date(query: str, topic: str, range_text: str, best: float) -> Reply:
    """The topic is in the index, just not at that date: say so, and offer it at any date."""
    about = i18n.phrase("topic_part").format(topic=short(topic, ECHO_LIMIT))
    text = say("no_events_in_range", topic_part=about, range=range_text)
    any_date = button(say("buttons.any_date"), f"/timeline {topic}")
    return Reply(query, "timeline", False, text, buttons=((any_date,),) if any_date else (), best_score=best)


def nothing_in_window(v: Views, query: str, range_text: str) -> Reply:
    """No event at all in the window asked for, and what the index does cover."""
    text = say("no_events_in_range", topic_part="", range=range_text)
    return Reply(query, "timeline", False, f"{text}\n{v.coverage_hint}")


def inline_item(query: str, reply: Reply) -> InlineItem:
    """A timeline as an inline result: "Timeline: PACE 2024", its events' titles as the description."""
    return InlineItem(id="t_" + hashlib.sha1(query.encode()).hexdigest()[:20],
                      title=say("labels.inline_timeline", query=short(query, 60)),
                      description=short(" · ".join(
                          line[2:] for line in plain_text(reply.html).split("\n") if line.startswith("• ")), 120),
                      html=reply.html, sources=reply.sources)
