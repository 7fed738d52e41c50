"""The views as a reader meets them, on the real corpus: every kind of entry renders itself in the
brief and full registers within Telegram's limits and cites its sources; the argument around a
claim keeps the other side; timeline pages never drop an event; misses offer at most three ways on."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from bot.core import Engine
from bot.corpus import Corpus
from bot.render import BRIEF_LIMIT, FULL_LIMIT, TELEGRAM_LIMIT, Builder, plain_length, say, wording
from bot.views import (
    ENTRY_TYPES,
    KIND_LETTER,
    MAX_CALLBACK,
    Reply,
    Views,
    decode_query,
    encode_query,
    outcomes,
    payload,
)
from bot.views import claims as claim_views
from bot.views import source as source_views
from bot.views import timeline as timeline_views
from tests.eval.score import check_telegram_html

ROOT = Path(__file__).resolve().parents[2]
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds")


@pytest.fixture(scope="module")
def views(engine: Engine) -> Views:
    return engine.views


def text_of(markup: str) -> str:
    return html.unescape(TAG.sub("", markup))


def all_entries(corpus: Corpus) -> list[tuple[str, str]]:
    tables: dict[str, Mapping[str, object]] = {
        "actor": corpus.actors, "place": corpus.places, "event": corpus.events, "claim": corpus.claims,
        "source": corpus.sources}
    return [(kind, entry_id) for kind, table in tables.items() for entry_id in table]


def assert_telegram_ok(reply: Reply) -> None:
    problems, plain = check_telegram_html(reply.html)
    assert problems == [], (problems, reply.html)
    assert len(plain) <= TELEGRAM_LIMIT
    for row in reply.buttons:
        assert row, "no empty button rows"
        for button in row:
            assert button.text
            assert len(button.data.encode()) <= MAX_CALLBACK, button.data


def button_data(reply: Reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row]


# ------------------------------------------------------------------ entry types


def test_every_kind_of_entry_has_a_view() -> None:
    assert set(ENTRY_TYPES) == set(KIND_LETTER)


@pytest.mark.parametrize("full", [False, True], ids=["brief", "full"])
def test_every_entry_renders_within_limits_and_cites_a_source(engine: Engine, views: Views, full: bool) -> None:
    limit = FULL_LIMIT if full else BRIEF_LIMIT
    for kind, entry_id in all_entries(engine.corpus):
        reply = views.view(kind, entry_id, full=full)
        assert_telegram_ok(reply)
        assert reply.matched
        assert reply.sources, (kind, entry_id, "every entry cites a source")
        assert "[1]" in reply.html and say("labels.sources") in reply.html, (kind, entry_id)
        # Only the blocks an entry cannot go without (its heading, its claim and quote) may overflow
        # the register's budget; Telegram's own limit always holds.
        assert plain_length(reply.html) <= max(limit, TELEGRAM_LIMIT - 1), (kind, entry_id)
        if kind == "place" and (stands := views.stands_in(entry_id)):
            kind, entry_id = "actor", stands  # "Washington", named nowhere, opens the United States
        assert reply.share_payload == payload(kind, entry_id)


def test_a_brief_reply_is_never_longer_than_the_full_one(engine: Engine, views: Views) -> None:
    for kind, entry_id in all_entries(engine.corpus):
        brief = views.view(kind, entry_id, full=False)
        full = views.view(kind, entry_id, full=True)
        assert plain_length(brief.html) <= plain_length(full.html), (kind, entry_id)


def test_source_buttons_open_the_cited_documents_in_order(engine: Engine, views: Views) -> None:
    for kind, entry_id in all_entries(engine.corpus):
        if kind == "source":
            continue
        reply = views.view(kind, entry_id, full=False)
        opened = [d for d in button_data(reply) if d.startswith("/source ")]
        assert opened == [f"/source {engine.corpus.sources[f].id}" for f in reply.sources], (kind, entry_id)
        for data, file in zip(opened, reply.sources, strict=True):
            assert engine.answer(data).sources == (file,), (kind, entry_id, "the button opens that document")


def test_the_share_payload_reopens_the_same_answer(engine: Engine, views: Views) -> None:
    for kind, entry_id in all_entries(engine.corpus)[::7]:
        reply = views.view(kind, entry_id, full=False)
        again = engine.answer(f"/start {reply.share_payload}")
        assert again.html == reply.html, (kind, entry_id)


def test_every_entry_describes_itself_in_one_short_line(engine: Engine, views: Views) -> None:
    for kind, entry_id in all_entries(engine.corpus):
        title, description = views.inline_labels(kind, entry_id)
        assert title and "\n" not in title and len(title) <= 90, (kind, entry_id, title)
        assert isinstance(description, str)
        assert views.title(kind, entry_id) == title


def test_inline_items_fit_telegram(engine: Engine, views: Views) -> None:
    for kind, entry_id in all_entries(engine.corpus)[::5]:
        item = views.inline_item(kind, entry_id)
        assert len(item.id.encode()) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", item.id)
        assert check_telegram_html(item.html)[0] == []
        assert item.sources


# ------------------------------------------------------------------ actor, place, event


def test_an_actor_written_another_way_says_how_it_was_matched(views: Views) -> None:
    reply = views.view("actor", "aliyev", full=False, typed="Алиев")
    text = text_of(reply.html)
    assert text.startswith(views.name("aliyev"))
    assert "Алиев" in text
    assert "Алиев" not in text_of(views.view("actor", "aliyev", full=False).html)


def test_full_actor_lists_aliases_and_more_of_what_they_said(engine: Engine, views: Views) -> None:
    actor = engine.corpus.actors["aliyev"]
    brief = text_of(views.view("actor", actor.id, full=False).html)
    full = text_of(views.view("actor", actor.id, full=True).html)
    assert say("labels.aliases") in full and say("labels.aliases") not in brief
    said = sum(1 for c in engine.corpus.claims.values() if c.claimant == actor.id) + len(actor.record)
    assert say("analysis.said_by_them", n=said) in brief
    assert full.count("• ") > brief.count("• ")


def test_a_region_lists_the_events_of_the_places_within_it(engine: Engine, views: Views) -> None:
    corpus = engine.corpus
    for region in {p.within for p in corpus.places.values() if p.within}:
        inside = {region} | {p.id for p in corpus.places.values() if p.within == region}
        events = [e for e in engine.timeline if inside & set(e.places)]
        if not events:
            continue
        text = text_of(views.view("place", region, full=True).html)
        assert events[0].title in text, (region, events[0].id)


def test_an_event_quotes_one_source_brief_and_up_to_three_full(engine: Engine, views: Views) -> None:
    event = next(e for e in engine.corpus.events.values() if len(e.cite) >= 3)
    assert views.view("event", event.id, full=False).html.count("<blockquote>") == 1
    assert views.view("event", event.id, full=True).html.count("<blockquote>") == 3


# ------------------------------------------------------------------ claims


def test_a_disputed_claim_shows_who_disputes_it_with_a_button_each(engine: Engine, views: Views) -> None:
    for claim in (c for c in engine.corpus.claims.values() if c.disputes):
        for full in (False, True):
            reply = views.view("claim", claim.id, full=full)
            assert say("labels.disputed_by") in reply.html, claim.id
            disputers = [d for d in button_data(reply) if d.startswith("/open c_")]
            assert disputers == [f"/open c_{i}" for i in claim.disputes[:3]], claim.id


def test_the_other_side_survives_a_full_reply(engine: Engine, views: Views) -> None:
    """Even with no room left, a disputed claim still names who disputes it."""
    claim = next(c for c in engine.corpus.claims.values() if c.disputes)
    b = Builder(engine.corpus, 1)
    views.entries["claim"].blocks(b, claim, False, None)
    other = engine.corpus.claims[claim.disputes[0]]
    assert f"{say('labels.disputed_by')}:</b>" in b.html()
    assert views.name(other.claimant) in text_of(b.html())


def test_the_argument_view_leads_with_the_best_claim_and_lists_other_voices(engine: Engine, views: Views) -> None:
    corpus = engine.corpus
    best = next(c for c in corpus.claims.values() if c.disputes)
    by_claimant = {c.claimant: c for c in corpus.claims.values()
                   if c.claimant != best.claimant and c.id not in best.disputes and c.id not in best.supports}
    others = list(by_claimant.values())[:2]  # one voice per party
    reply = claim_views.argument(views, "anything", [best], True, None, others)
    assert_telegram_ok(reply)
    text = text_of(reply.html)
    assert text.startswith(f"{say('labels.claimant')}: {views.name(best.claimant)}")
    assert say("labels.other_voices") in text
    for c in others:
        assert views.name(c.claimant) in text
        assert f"/open c_{c.id}" in button_data(reply)
    assert reply.share_payload == f"c_{best.id}"


def test_what_someone_said_quotes_the_newest_claim_first(engine: Engine, views: Views) -> None:
    corpus = engine.corpus
    actor = corpus.actors["aliyev"]
    claims = sorted((c for c in corpus.claims.values() if c.claimant == actor.id),
                    key=lambda c: (c.date.start, c.id), reverse=True)
    reply = claim_views.said(views, "aliyev", actor, claims, None, True, False, 90.0)
    assert reply.matched and reply.command == "said"
    assert reply.html.count("<blockquote>") == 1, "brief: the first claim is quoted"
    assert text_of(reply.html).find(claims[0].paraphrase) > 0
    missed = claim_views.said(views, "aliyev", actor, claims, "bananas", False, False, 90.0)
    assert say("said_nothing_about", name=actor.name, topic="bananas") in text_of(missed.html)
    silent = claim_views.said(views, "x", actor, [], None, True, False, 90.0)
    assert not silent.matched and say("said_none", name=actor.name) in silent.html


# ------------------------------------------------------------------ timeline


@pytest.mark.parametrize("full", [False, True], ids=["brief", "full"])
def test_timeline_pages_never_drop_or_repeat_an_event(engine: Engine, views: Views, full: bool) -> None:
    events = list(engine.timeline)
    pages = timeline_views.paginate(views, "", events, full, "")
    assert [e.id for page in pages for e in page] == [e.id for e in events]
    assert all(0 < len(page) <= (10 if full else 5) for page in pages)


def test_walking_the_later_buttons_visits_every_event_once(engine: Engine) -> None:
    seen: list[str] = []
    message: str | None = "/timeline"
    pages = 0
    while message is not None and pages < 100:
        reply = engine.answer(message)
        assert_telegram_ok(reply)
        seen += [d.removeprefix("/open e_") for d in button_data(reply) if d.startswith("/open e_")]
        text = text_of(reply.html)
        pages += 1
        later = [d for d in button_data(reply) if d.startswith("/timeline") and f"page:{pages + 1}" in d]
        message = later[0] if later else None
        if pages == 1:
            assert say("labels.page", page=1, pages="").split("/")[0] in text
    every = text_of("\n".join(engine.answer(f"/timeline page:{n}").html for n in range(1, pages + 1)))
    for event in engine.timeline:
        assert event.title in every, event.id
    assert len(seen) == len(set(seen)), "no event is offered on two pages"


def test_a_single_page_has_no_page_numbers_and_no_paging(engine: Engine, views: Views) -> None:
    reply = timeline_views.timeline(views, "x", list(engine.timeline)[:2], 1, False, "", 100.0)
    assert say("labels.page", page=1, pages=1) not in reply.html
    assert not any(" page:" in d for d in button_data(reply))
    assert decode_query(reply.share_payload or "") == "/timeline x"


def test_a_timeline_shown_inline_lists_its_events(engine: Engine) -> None:
    reply = engine.answer("/timeline 2023")
    item = timeline_views.inline_item("2023", reply)
    assert item.id.startswith("t_") and len(item.id) <= 64
    assert item.html == reply.html
    lines = " · ".join(line[2:] for line in text_of(reply.html).split("\n") if line.startswith("• "))
    assert 0 < len(item.description) <= 120
    assert lines.startswith(item.description.rstrip("…")), "the description is the page's events, in order"


# ------------------------------------------------------------------ outcomes


def test_did_you_mean_offers_up_to_three_buttons_that_open_real_entries(engine: Engine, views: Views) -> None:
    hits = engine.index.search("Karabakh peace", limit=8)
    assert len(hits) > 3
    reply = outcomes.suggest(views, "Karabakh peace", "search", hits[:3], hits[0].score)
    assert not reply.matched
    assert say("did_you_mean", query="Karabakh peace") in reply.html
    assert len(reply.buttons) == 3 and all(len(row) == 1 for row in reply.buttons)
    for data in button_data(reply):
        assert engine.answer(data).matched, data


def test_nothing_matches_says_what_the_index_covers_and_at_most_three_closest(engine: Engine,
                                                                             views: Views) -> None:
    hits = engine.index.search("Karabakh peace", limit=8)
    reply = outcomes.nothing(views, "Karabakh peace", "search", hits)
    assert not reply.matched
    assert views.coverage_hint in reply.html and say("closest") in reply.html
    assert 0 < len(reply.buttons) <= 3
    bare = outcomes.nothing(views, "zzz", "search", [])
    assert say("closest") not in bare.html and not bare.buttons and bare.best_score == 0.0


def test_an_unknown_command_lists_every_command() -> None:
    listed = outcomes.command_list()
    for name in wording()["commands"]:
        assert f"/{name} — " in listed


def test_sources_list_has_a_line_and_a_button_per_document(engine: Engine, views: Views) -> None:
    reply = source_views.source_list(views)
    assert_telegram_ok(reply)
    shown = engine.corpus.sources_in_order()
    assert button_data(reply) == [f"/source {s.id}" for s in shown]  # stable ids, not positions
    assert [b.text for row in reply.buttons for b in row] == [str(n) for n in range(1, len(shown) + 1)]
    for n, source in enumerate(shown, 1):
        assert f"\n{n}. " in reply.html
        assert engine.answer(f"/source {n}").sources == (source.file,)  # the number shown still works


def test_about_says_whether_meaning_is_matched(views: Views) -> None:
    off = outcomes.about(views, None, "no model here")
    assert "no model here" in off.html
    on = outcomes.about(views, "some-model", "")
    assert "some-model" in on.html and off.html != on.html


def test_a_query_too_long_for_a_deep_link_gets_none() -> None:
    assert decode_query(encode_query("/timeline Karabakh") or "") == "/timeline Karabakh"
    assert encode_query("/timeline " + "x" * 100) is None


def test_inline_results_are_kept_per_language_and_never_mix() -> None:
    """Inline results are rendered once per entry and language: the same query answers the same,
    in the asker's language, however the queries before it were asked."""
    from bot import i18n

    engine = Engine.load(Path(__file__).resolve().parents[2] / "briefs",
                         Path(__file__).resolve().parents[2] / "seeds", embedder=None)
    with i18n.speaking("ru"):
        russian = engine.inline("aliyev")
    english = engine.inline("aliyev")
    with i18n.speaking("ru"):
        again = engine.inline("aliyev")
    assert russian == again
    assert [i.id for i in russian] == [i.id for i in english]
    assert "Алиев" in russian[0].html and "Алиев" not in english[0].html


@pytest.mark.parametrize("message", ["/actor Azerbaijani delegation to PACE", "/actor Gafarova", "/actor ICRC",
                                     "/actor US Congress members", "/actor Armenian leadership"])
@pytest.mark.parametrize("full", [True, False])
def test_a_section_with_no_room_for_an_item_says_the_button_lists_it(engine: Engine, message: str,
                                                                     full: bool) -> None:
    # A card whose earlier sections fill it must not show a heading that reads as empty, nor promise a
    # button it does not have.
    reply = engine.answer(message, full=full)
    lines = html.unescape(re.sub(r"<[^>]+>", "", reply.html)).split("\n")
    headings = [n for n, line in enumerate(lines)
                if re.match(r"^(Events|What others say about them|What they said(?: and did)?) \(\d+\)", line)]
    assert headings, reply.html[:200]
    labels = {b.text for row in reply.buttons for b in row}
    for n in headings:
        line, following = lines[n], (lines[n + 1] if n + 1 < len(lines) else "")
        promised = "button below lists them" in line
        assert following.startswith("•") or promised, line
        if promised:
            assert line.split(" (")[0] in {t.split(" (")[0] for t in labels}, (line, labels)


def test_a_timeline_of_one_or_two_events_quotes_them_and_a_longer_one_does_not(engine: Engine, views: Views) -> None:
    """Two events leave room for the sources' own words under each; five one-line events do not."""
    events = [e for e in engine.timeline if e.cite]
    def quoted(shown: list, e: object) -> bool:
        html = " ".join(timeline_views.timeline(views, "x", shown, 1, False, "", 100.0).html.split())
        return " ".join(e.cite[0].quote.split())[:40] in html  # type: ignore[attr-defined]
    assert all(quoted(events[:2], e) for e in events[:2])
    assert not any(quoted(events[:5], e) for e in events[:5])
