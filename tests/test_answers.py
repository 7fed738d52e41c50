"""The answer core as a user meets it: any spelling finds the entry, misses are honest,
replies are cited, valid Telegram HTML, and within limits."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import Engine, decode_query
from bot.dates import extract_date
from bot.render import plain_text
from bot.retrieve.rank import NOT_PEOPLE, PEOPLE, asked_kinds
from tests.eval.score import check_telegram_html

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds")


def text_of(reply_html: str) -> str:
    return html.unescape(TAG.sub("", reply_html))


def assert_valid(reply_html: str) -> None:
    problems, plain = check_telegram_html(reply_html)
    assert problems == [], (problems, reply_html)
    assert len(plain) <= 4096


@pytest.mark.parametrize(
    ("spellings", "actor_id"),
    [
        (["aliyev", "Aliev", "Əliyev", "Алиев", "Ilham Aliyev", "ilham əliyev", "Ильхам Алиев"], "aliyev"),
        (["Gafarova", "Qafarova", "Гафарова", "Sahiba Gafarova", "Sahibə Qafarova"], "gafarova"),
        (["Milli Majlis", "Milli Məclis", "Милли Меджлис", "Azerbaijani parliament"], "milli-majlis"),
        (["PACE", "ПАСЕ", "AŞPA", "Parliamentary Assembly of the Council of Europe"], "pace"),
        (["Bayramov", "Jeyhun Bayramov", "Ceyhun Bayramov", "Байрамов"], "bayramov"),
        (["Karimli", "Kərimli", "Керимли", "Ali Karimli"], "karimli"),
        (["Blinken", "Blinkin", "Блинкен", "Antony Blinken"], "blinken"),
    ],
)
def test_any_spelling_finds_the_same_actor(engine: Engine, spellings: list[str], actor_id: str) -> None:
    name = engine.corpus.actors[actor_id].name
    for spelling in spellings:
        reply = engine.answer(f"/actor {spelling}")
        assert reply.matched, (spelling, reply.html)
        assert reply.share_payload == f"a_{actor_id}", (spelling, reply.html)
        assert text_of(reply.html).startswith(name)
        assert reply.sources, "every answer cites a source"


def test_every_curated_name_and_alias_opens_its_own_entry(engine: Engine) -> None:
    """The curated aliases are what users type; each must land on its own entry, never a neighbour."""
    wrong = []
    for table, kind in ((engine.corpus.actors, "actor"), (engine.corpus.places, "place")):
        for entry in table.values():
            for alias in (entry.name, *entry.aliases):
                hits = engine.index.search(alias, kinds=(kind,), limit=1)
                if not hits or hits[0].entry_id != entry.id:
                    wrong.append((alias, entry.id, hits[0].entry_id if hits else None))
    assert wrong == []


def test_a_variant_says_why_it_matched(engine: Engine) -> None:
    reply = engine.answer("/actor Алиев")
    assert "“Алиев” → Ilham Aliyev" in text_of(reply.html)
    assert "→" not in text_of(engine.answer("/actor Ilham Aliyev").html).split("\n")[1]


@pytest.mark.parametrize("place", ["Stepanakert", "Khankendi", "Xankəndi", "Степанакерт", "Ханкенди"])
def test_both_sides_names_for_a_place_find_the_same_events(engine: Engine, place: str) -> None:
    reply = engine.answer(f"/timeline {place}")
    assert reply.matched, reply.html
    assert "Khankendi" in text_of(reply.html)
    assert "15 October" in text_of(reply.html)


@pytest.mark.parametrize("karabakh", ["Karabakh", "Garabagh", "Qarabağ", "Карабах", "Nagorno-Karabakh"])
def test_karabakh_in_any_spelling(engine: Engine, karabakh: str) -> None:
    reply = engine.answer(f"/timeline {karabakh}")
    assert reply.matched, reply.html
    assert reply.command == "timeline"


@pytest.mark.parametrize(
    "message",
    [
        "/actor Mehriban Aliyeva",  # a different person: never answered with Ilham Aliyev
        "/actor Elon Musk",
        "/actor Ararat Mirzoyan",  # Armenia's foreign minister is never named in the sources
        "/claim Azerbaijan joined NATO",
        "/claim the Earth is flat",
        "/claim Luxembourg sent troops to Karabakh",
        "/claim Azerbaijan left the United Nations",
        "/timeline Olympic Games Paris 2024",
        "/timeline Azerbaijan EU membership talks",
        "/timeline Syrian civil war",
    ],
)
def test_no_invention_an_unrelated_entry_is_never_the_answer(engine: Engine, message: str) -> None:
    reply = engine.answer(message)
    assert not reply.matched, reply.html
    assert reply.sources == ()
    assert_valid(reply.html)


def test_nothing_close_says_so_and_hints_at_coverage(engine: Engine) -> None:
    reply = engine.answer("/claim the Earth is flat")
    text = text_of(reply.html)
    assert "Nothing in the index matches" in text
    assert "frequent topics: armenia, karabakh" in text.lower()  # what the index does cover, from the corpus


@pytest.mark.parametrize("lang, topics", [("ru", "частые темы: Армения, Карабах"),
                                          ("az", "mövzular: Ermənistan, Qarabağ")])
def test_the_coverage_hint_names_the_topics_in_the_readers_language(engine: Engine, lang: str, topics: str) -> None:
    """A Russian or Azerbaijani reader is not shown the curators' English tag slugs ("us relations")."""
    text = text_of(engine.answer("/claim the Earth is flat", lang=lang).html)
    assert topics in text and "us relations" not in text.lower(), text


def test_help_examples_all_work(engine: Engine) -> None:
    """/help promises examples that work; each one must be answered, not missed."""
    examples = re.findall(r"<code>(/[^<]+)</code>", engine.answer("/help").html)
    assert len(examples) >= 6
    for example in examples:
        assert engine.answer(html.unescape(example)).matched, example


def test_near_miss_offers_did_you_mean_buttons(engine: Engine) -> None:
    reply = engine.answer("/actor Mehriban Aliyeva")
    if "Did you mean" in reply.html:
        assert reply.buttons
        for row in reply.buttons:
            for button in row:
                assert len(button.data.encode()) <= 64
                assert engine.answer(button.data).matched  # a tap opens a real entry


def test_claim_shows_who_when_quote_and_the_other_side(engine: Engine) -> None:
    reply = engine.answer("/claim political prisoners")
    assert reply.matched
    assert "<blockquote>" in reply.html
    text = text_of(reply.html)
    assert "Disputed by" in text or "Supported by" in text
    assert re.search(r"\[1\] \w.+, .*\d{4}", text), "numbered sources: outlet and date"
    assert ".txt" not in text, "a reply names its sources by outlet and date; the file name is for /source"
    full = text_of(engine.answer("/claim political prisoners", full=True).html)
    assert re.search(r"\[\d\] .+, .*\d{4}.* — .+", full), "full replies name each source's title too"
    assert ".txt" in text_of(engine.answer("/source 1").html), "the source card gives its citation key"


def test_every_quote_shown_is_verbatim_from_a_cited_source(engine: Engine) -> None:
    from bot.normalize import fold_quote

    texts = {name: fold_quote(t) for name, t in engine.corpus.texts.items()}
    for message in ["/claim political prisoners", "/actor Fazil Mustafa", "/claim USAID", "/timeline PACE"]:
        reply = engine.answer(message, full=True)
        for quote in re.findall(r"<blockquote>(.*?)</blockquote>", reply.html, flags=re.S):
            q = fold_quote(html.unescape(quote))
            assert any(q in texts[s] for s in reply.sources), (message, q)


@pytest.mark.parametrize(
    ("query", "must"),
    [
        ("2013", "2013"),
        ("September 2023", "September 2023"),
        ("10.11.2020", "10 November 2020"),
        ("2020-2023", "2020"),
        ("since 2024", "2024"),
        ("late 1980s", "1980s"),
    ],
)
def test_timeline_dates(engine: Engine, query: str, must: str) -> None:
    reply = engine.answer(f"/timeline {query}")
    assert reply.matched, reply.html
    assert must in text_of(reply.html)


def test_timeline_is_in_date_order_and_marks_inferred_years(engine: Engine) -> None:
    reply = engine.answer("/timeline", full=True)
    assert reply.matched
    years = [int(y) for y in re.findall(r"^• (?:\w+ )*?(\d{4})", text_of(reply.html), flags=re.M)]
    assert years == sorted(years)
    page = engine.answer("/timeline Bayramov")
    assert "year inferred" in text_of(page.html)


def test_whole_timeline_pages_forward_and_back(engine: Engine) -> None:
    first = engine.answer("/timeline")
    later = [b for row in first.buttons for b in row if "Later" in b.text]
    assert later, "the whole timeline is paged"
    second = engine.answer(later[0].data)
    assert second.matched and second.html != first.html
    earlier = [b for row in second.buttons for b in row if "Earlier" in b.text]
    assert engine.answer(earlier[0].data).html == first.html


def test_deep_link_payload_reopens_the_same_answer(engine: Engine) -> None:
    reply = engine.answer("/actor aliev")
    assert reply.share_payload and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", reply.share_payload)
    reopened = engine.answer(f"/start {reply.share_payload}")
    assert reopened.matched
    assert text_of(reopened.html).split("\n")[0] == text_of(reply.html).split("\n")[0]
    timeline = engine.answer("/timeline PACE")
    assert decode_query(timeline.share_payload or "") == "/timeline PACE"
    assert engine.answer(f"/start {timeline.share_payload}").html == timeline.html


def test_sources_and_about(engine: Engine) -> None:
    sources = engine.answer("/sources")
    for name in engine.corpus.texts:
        assert name in text_of(sources.html)
    about = text_of(engine.answer("/about").html)
    assert f"{len(engine.corpus.sources)} source documents" in about and "does not verify" in about
    one = engine.answer("/source 1")
    assert one.matched and "Perspective" in text_of(one.html)
    assert not engine.answer(f"/source {len(engine.corpus.sources) + 1}").matched
    # digits of other scripts ("²", Arabic-Indic "٣") are no source numbers, and no traceback
    for odd in ("²", "٣"):
        assert "There is no source" in text_of(engine.answer(f"/source {odd}").html)


def test_empty_queries_get_help_for_that_command(engine: Engine) -> None:
    assert "Usage: /actor" in text_of(engine.answer("/actor").html)
    assert "Usage: /claim" in text_of(engine.answer("/claim   ").html)
    assert "/timeline" in text_of(engine.answer("/frobnicate").html)  # unknown command: the list


def test_group_replies_are_brief_and_private_ones_may_be_fuller(engine: Engine) -> None:
    brief = engine.answer("/actor aliev")
    full = engine.answer("/actor aliev", full=True)
    assert len(text_of(brief.html)) <= 1100 < 4096
    assert len(text_of(full.html)) >= len(text_of(brief.html))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["/actor", "/claim", "/timeline", "/source", "/start", "", "/open"]),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300,
    ),
    st.sampled_from(["", "<b>", "</i>", "&amp;", "\u200b", "\u202e", "ש", "😀", "@x", " page:9", " 2023", "<", "&"]),
)
def test_any_input_gets_a_valid_reply(engine: Engine, command: str, text: str, extra: str) -> None:
    reply = engine.answer(f"{command} {text}{extra}")
    assert_valid(reply.html)
    for row in reply.buttons:
        for button in row:
            assert len(button.data.encode()) <= 64


def test_a_4096_character_message_gets_a_valid_reply(engine: Engine) -> None:
    assert_valid(engine.answer("/claim " + "Karabakh " * 500).html)
    assert_valid(engine.answer("/timeline " + "<b>x</i> " * 400).html)


def test_inline_lists_entries_of_every_kind(engine: Engine) -> None:
    items = engine.inline("gafarova")
    assert items and "Gafarova" in items[0].title
    assert all(len(i.id.encode()) <= 64 for i in items)
    for item in items:
        assert_valid(item.html)
    start = engine.inline("")
    assert len(start) >= 5
    assert len(engine.inline("zzzqqq xyzzy")) == 0


@pytest.mark.parametrize(
    ("text", "start", "end", "rest"),
    [
        ("June 15", None, None, ""),
        ("PACE since 2024", "2024-01-01", "9999-12-31", "PACE"),
        ("Karabakh 2020-2023", "2020-01-01", "2023-12-31", "Karabakh"),
        ("29 July 2023", "2023-07-29", "2023-07-29", ""),
    ],
)
def test_date_queries_parse(text: str, start: str | None, end: str | None, rest: str) -> None:
    when, topic = extract_date(text)
    assert when is not None and topic == rest
    if start:
        assert (when.start.isoformat(), when.end.isoformat()) == (start, end)
    else:
        assert when.month_day == (6, 15)


@pytest.mark.parametrize("full", [False, True])
def test_paging_through_the_whole_timeline_shows_every_event_once(engine: Engine, full: bool) -> None:
    shown: list[str] = []
    message: str | None = "/timeline"
    while message:
        reply = engine.answer(message, full=full)
        assert_valid(reply.html)
        shown += [line for line in text_of(reply.html).split("\n") if line.startswith("• ")]
        later = [b.data for row in reply.buttons for b in row if "Later" in b.text]
        message = later[0] if later else None
    assert len(shown) == len(engine.corpus.events)
    assert len(set(shown)) == len(shown)


def test_a_month_range_query(engine: Engine) -> None:
    when, topic = extract_date("PACE between October 2023 and February 2024")
    assert topic == "PACE" and when is not None
    assert (when.start.isoformat(), when.end.isoformat()) == ("2023-10-01", "2024-02-29")
    reply = engine.answer("/timeline September 2023 to February 2024")
    assert reply.matched and "September 2023" in text_of(reply.html)


@pytest.mark.parametrize(
    ("message", "actor_id"),
    [("/actor who is Bayramov", "bayramov"), ("/actor MP who spoke to Turan", "fazil-mustafa"),
     ("/actor what about Gafarova", "gafarova")],
)
def test_question_words_do_not_derail_a_match(engine: Engine, message: str, actor_id: str) -> None:
    assert engine.answer(message).share_payload == f"a_{actor_id}"


@pytest.mark.parametrize("message", ["the", "no", "/claim a", "Германия", "/actor Khankendi",
                                     "/actor Armenian president", "/actor Germany"])
def test_a_wrong_entity_is_never_answered(engine: Engine, message: str) -> None:
    """Stop words alone, a two-edit lookalike (Германия ~ Armenia), a place asked as an actor, a title
    one letter-run away from another entry's alias: suggested at most, never answered."""
    assert not engine.answer(message).matched


def test_a_known_topic_at_a_date_without_events_says_exactly_that(engine: Engine) -> None:
    reply = engine.answer("/timeline PACE 1995")
    assert not reply.matched
    assert "No events about “PACE” are dated 1995" in text_of(reply.html)
    assert engine.answer(reply.buttons[0][0].data).matched  # "at any date"


def test_events_dated_only_roughly_are_offered_as_possibly_in_the_window(engine: Engine) -> None:
    """Reintegration steps known only as "between September 2023 and February 2024" may fall in 2024:
    shown, with their real date, after a line saying none is dated inside 2024."""
    text = text_of(engine.answer("/timeline reintegration 2024").html)
    assert "No event about “reintegration” is dated inside 2024" in text
    assert "between September 2023 and February 2024" in text


def test_reversed_ranges_and_azerbaijani_capitals_in_dates(engine: Engine) -> None:
    assert engine.answer("/timeline 2024 to 2020").html.split("\n")[1:] == \
        engine.answer("/timeline 2020-2024").html.split("\n")[1:]
    reply = engine.answer("/timeline İlham Əliyev 2023")
    assert reply.matched and "15 October 2023" in text_of(reply.html)


def test_one_enormous_word_gets_a_quick_valid_reply(engine: Engine) -> None:
    assert_valid(engine.answer("/claim " + "abcdefghij" * 400).html)
    assert_valid(engine.answer("aliev " * 680).html)


def test_a_disputed_claim_never_hides_the_other_side(engine: Engine) -> None:
    for claim in engine.corpus.claims.values():
        if claim.disputes:
            reply = engine.answer(f"/open c_{claim.id}")
            assert "Disputed by" in text_of(reply.html), claim.id


@pytest.mark.parametrize(("message", "speaker", "about"), [
    # a topic that is one place is headed by its name (in the reply's language)
    ("Xarici İşlər Nazirliyi Laçın sərhəd-buraxılış məntəqəsi haqqında nə dedi?",
     "Ministry of Foreign Affairs of Azerbaijan", "Lachin border crossing point"),
    ("Əli Kərimli siyasi məhbuslar haqqında nə dedi?", "Ali Karimli", "siyasi məhbuslar"),
])
def test_what_a_many_word_speaker_said_splits_where_the_name_ends(engine: Engine, message: str, speaker: str,
                                                                  about: str) -> None:
    """The question's pattern cannot tell where the speaker ends and the topic begins; the index
    can: the longest run of leading words that names one actor ("Xarici" alone was read as the
    foreign minister, who made no claims)."""
    reply = engine.answer(message)
    assert reply.matched, text_of(reply.html)
    heading = text_of(reply.html).splitlines()[0]
    assert speaker in heading and f"“{about}”" in heading


@pytest.mark.parametrize("message", [
    "what did the Luxembourg parliament adopt?", "что принял парламент Люксембурга?",
    "Lüksemburq parlamenti nə qəbul etdi?",
])
def test_what_someone_did_is_their_timeline(engine: Engine, message: str) -> None:
    """"What did X adopt/sign/do" asks for X's events, not for a claim (the resolution was the
    third of three did-you-mean items)."""
    reply = engine.answer(message)
    assert reply.matched, text_of(reply.html)
    assert "Luxembourg's Chamber of Deputies adopts a resolution" in text_of(reply.html)


def test_an_actors_record_of_deeds_is_not_called_what_they_said(engine: Engine) -> None:
    """Bayramov says nothing in the sources; his record ("was the addressee of the appeal") is what
    happened to him, and the heading says so."""
    text = text_of(engine.answer("/actor Bayramov").html)
    assert "What they said and did (1)" in text
    assert "What they said (" not in text


def test_what_someone_said_about_something_they_never_spoke_of_is_no_answer(engine: Engine) -> None:
    """Their other claims are shown, as context; the question is a gap, not a match."""
    reply = engine.answer("what did Karimli say about the Lachin checkpoint?")
    assert not reply.matched
    assert "Ali Karimli" in text_of(reply.html)


@pytest.mark.parametrize(("message", "matched"), [
    ("/timeline Dec 2026", True),  # "late 2026" may well be December: shown as an answer, with the notice
    ("/timeline March 2022", False),  # "between November 2020 and July 2023" says nothing of March 2022
])
def test_a_window_holding_only_vaguely_dated_events_is_answered_only_when_they_fit_it(
        engine: Engine, message: str, matched: bool) -> None:
    assert engine.answer(message).matched is matched


@pytest.mark.parametrize(("message", "expected"), [
    # found by the second blind session
    ("Bayramova müraciətdən iki gün əvvəl nə baş verdi?", "3 October 2024"),  # a relative date in a question
    ("what happened on 10/11/2020?", "10 November 2020"),  # a numeric date survives the question's cleaning
])
def test_second_blind_session_dates(engine: Engine, message: str, expected: str) -> None:
    reply = engine.answer(message)
    assert reply.matched, text_of(reply.html)
    assert expected in text_of(reply.html)


def test_what_someone_said_about_a_topic_in_azerbaijani_finds_their_claim_on_it(engine: Engine) -> None:
    reply = engine.answer("Əli Kərimli konqresmenlərin məktubu haqqında nə dedi?")
    assert reply.matched, text_of(reply.html)
    assert "no claim" not in text_of(reply.html)


@pytest.mark.parametrize(("message", "expected"), [
    # a two-word Azerbaijani verb ("elan etdi") stays with the subject
    ("separatçı rejim özünü buraxdığını nə vaxt elan etdi?", "28 September 2023"),
    # "Böyük Qayıdış" is a name the reviewed translation writes for the Great Return
    ("Böyük Qayıdış proqramının birinci mərhələsi nə vaxt başa çatacaq?", "late 2026"),
])
def test_azerbaijani_when_questions_of_the_second_blind_session(engine: Engine, message: str, expected: str) -> None:
    reply = engine.answer(message)
    assert reply.matched, text_of(reply.html)
    assert expected in text_of(reply.html)


@pytest.mark.parametrize(("message", "lang", "payload"), [
    # "what is" a programme the sources tell of in events and claims, not the people it is for
    ("what is the Great Return?", "en", "great-return"),
    ("что такое Великое возвращение?", "ru", "great-return"),
    ("Böyük Qayıdış nədir?", "az", "great-return"),
    # ... while a name is still its actor or place
    ("what is PACE?", "en", "a_pace"),
    ("что такое ПАСЕ?", "ru", "a_pace"),
])
def test_what_is_x_answers_with_what_x_names(engine: Engine, message: str, lang: str, payload: str) -> None:
    reply = engine.answer(message, lang=lang)
    assert reply.matched and payload in (reply.share_payload or ""), reply.html


def test_a_person_asked_for_by_their_party_is_its_leader_in_every_language(engine: Engine) -> None:
    for message, lang in [("/actor председатель Народного фронта", "ru"), ("/actor Xalq Cəbhəsinin sədri", "az")]:
        assert engine.answer(message, lang=lang).share_payload == "a_karimli", message


def test_a_word_asking_for_an_outlet_finds_the_outlet_not_who_spoke_to_it(engine: Engine) -> None:
    """"the radio station Mammadli talked to" is no state Mammadli named (Iran, Ukraine); "news agency"
    asks for an outlet even before "agency", which alone may be the U.S. aid agency."""
    for message, lang, payload in [
            ("/actor radio station Nasimi Mammadli talked to", "en", "a_radio-azadlig"),
            ("/actor news agency the signatory MP gave his interview to", "en", "a_turan"),
            ("/actor website that reported Gafarova's appeal", "en", "a_news-az"),
            ("/actor сайт, опубликовавший обращение Гафаровой", "ru", "a_news-az")]:
        reply = engine.answer(message, lang=lang)
        assert reply.share_payload == payload, (message, plain_text(reply.html))


def test_what_a_query_asks_for_is_its_first_kind_word_outside_names(engine: Engine) -> None:
    def kinds(text: str) -> frozenset[str]:
        return asked_kinds(text, tuple(engine.ranker.mentions.find(text)))
    assert kinds("the radio station Nasimi Mammadli talked to") == {"outlet"}
    assert kinds("the state news agency") == {"outlet"}  # "state" qualifies the agency
    assert kinds("which country backed the road") == {"state"}
    assert kinds("the country's leader") == PEOPLE
    assert kinds("the aid agency the MPs wanted out") == NOT_PEOPLE  # a body: anything but a person
    assert kinds("party leader") == PEOPLE and kinds("председатель партии") == PEOPLE
    assert kinds("Radio Azadlig") == frozenset()  # a name says nothing of the kind asked for


def test_a_persons_party_is_the_party_not_the_person(engine: Engine) -> None:
    """The last word of "Karimli's party" says what is asked for (Russian: the first, "партия Каримли");
    "party leader" still asks for the leader."""
    for message, lang, payload in [("/actor Karimli's party", "en", "a_apfp"),
                                   ("/actor партия Каримли", "ru", "a_apfp"),
                                   ("/actor party leader", "en", "a_karimli")]:
        assert engine.answer(message, lang=lang).share_payload == payload, message


def test_an_actor_of_one_state_is_not_asked_for_as_anothers(engine: Engine) -> None:
    """Bayramov is Azerbaijan's foreign minister: "the Armenian foreign minister" is not him (the
    sources name none), while a description naming his state, or two states, still finds its actor."""
    assert engine.answer("/actor Armenian foreign minister").share_payload != "a_bayramov"
    assert engine.answer("/actor Azerbaijan's foreign minister").share_payload == "a_bayramov"
    assert engine.answer("/actor American aid agency the MPs wanted out of Azerbaijan").share_payload == "a_usaid"


@pytest.mark.parametrize(("message", "lang", "payload"), [
    ("/actor Gafarova parliament", "en", "a_gafarova"),  # a body word beside a name asks for the name
    ("/actor Fazil Mustafa, member of parliament", "en", "a_fazil-mustafa"),
    ("who is Gafarova in parliament?", "en", "a_gafarova"),
    ("/actor Qafarova parlament", "az", "a_gafarova"),
    ("what is the state of the Lachin road?", "en", "p_lachin-khankendi-road"),  # "state of" asks for no state
    ("/actor страна, распавшаяся в 1991 году", "ru", "a_soviet-union"),  # the deed's list does not undo it
    ("/actor chairman of the popular front", "en", "a_karimli"),  # the name after "of" owns the role
])
def test_the_kind_asked_for_never_overrules_the_name_asked_for(engine: Engine, message: str, lang: str,
                                                               payload: str) -> None:
    assert engine.answer(message, lang=lang).share_payload == payload, message


def test_the_head_of_a_body_is_not_the_body(engine: Engine) -> None:
    """"the head of the foreign ministry" names the ministry as whose head is asked for: the ministry
    is no answer (the sources name no head of it; Bayramov is the foreign minister)."""
    assert engine.answer("who is the head of the foreign ministry?").share_payload != "a_az-foreign-ministry"


def test_a_word_ending_like_a_participle_is_not_one() -> None:
    from bot.retrieve import deeds

    for text in ("rəsmi Ermənistan rəhbəri", "the Armenian leader", "Azərbaycan deputatı"):
        assert deeds.split(text) == ("", text), text


def test_who_chairs_a_parliament_is_its_speaker(engine: Engine) -> None:
    for message, lang in [("who chairs the milli majlis?", "en"), ("/actor председатель Милли Меджлиса", "ru")]:
        assert engine.answer(message, lang=lang).share_payload == "a_gafarova", message
    # The Popular Front's chairman stays its chairman, not the Speaker.
    assert engine.answer("/actor chairman of the popular front").share_payload == "a_karimli"


def test_a_verb_finds_the_event_its_noun_names_in_every_language(engine: Engine) -> None:
    """"dissolve" and "dissolution" share no stem; the synonym table joins them (and "самороспуск",
    "buraxılması"), so "when did … dissolve?" is dated, not "no match"."""
    for message, lang in [("when did the separatist regime announce it was dissolving?", "en"),
                          ("/timeline seperatci rejimin buraxilmasi", "az"),
                          ("когда сепаратисты распустились?", "ru")]:
        reply = engine.answer(message, lang=lang)
        assert reply.matched and "28" in plain_text(reply.html) and "dissolution" in reply.html, (message, reply.html)


def test_walking_out_is_the_delegation_s_boycott(engine: Engine) -> None:
    reply = engine.answer("when did Azerbaijan walk out of PACE?")
    assert reply.matched and "suspends its cooperation with PACE" in plain_text(reply.html), reply.html


def test_a_speaker_and_whom_they_told_is_the_speaker(engine: Engine) -> None:
    """"Fazil Mustafa Turan agentliyinə nə dedi?" (what did he tell the Turan agency): his claims,
    not the agency's (it makes none)."""
    reply = engine.answer("Fazil Mustafa Turan agentliyinə nə dedi?", lang="az")
    assert reply.matched and "Fazil Mustafa" in text_of(reply.html).split("\n")[0], reply.html
