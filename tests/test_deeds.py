"""Actors asked for by what they did or said ("who hoisted the flag in Khankendi"): whoever made the
matching claim, or the one actor of the matching event the description does not itself name."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Engine
from bot.render import plain_text
from bot.retrieve import deeds

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds")


def _lead(engine: Engine, message: str) -> str:
    reply = engine.answer(message)
    assert reply.matched, plain_text(reply.html)
    return plain_text(reply.html)


def test_a_deed_splits_at_the_relative_word() -> None:
    assert deeds.split("the commentator who spoke to Radio Azadlig") == ("the commentator", "spoke to Radio Azadlig")
    assert deeds.split("who hoisted the flag") == ("", "hoisted the flag")
    assert deeds.split("депутат, который вспомнил коренных американцев") == ("депутат", "вспомнил коренных американцев")
    assert deeds.split("Ilham Aliyev") == ("", "Ilham Aliyev")


def test_a_participle_opens_the_deed_as_a_relative_word_does() -> None:
    # Russian: an active participle after the noun; Azerbaijani: the participle before the noun.
    assert deeds.split("чиновники, подписавшие обращение спикера") == ("чиновники", "подписавшие обращение спикера")
    assert deeds.split("Radio Azadlığa danışan şərhçi") == ("şərhçi", "Radio Azadlığa danışan")
    assert deeds.split("Ermənistanı tənqid edən ölkə") == ("ölkə", "Ermənistanı tənqid edən")
    # A name, a role, or people the participle does not describe by kind are no deed.
    assert deeds.split("Azerbaycan deputati") == ("", "Azerbaycan deputati")
    assert deeds.split("Qarabağda yaşayan ermənilər") == ("", "Qarabağda yaşayan ermənilər")
    assert deeds.split("объявленные персонами нон грата депутаты") == ("", "объявленные персонами нон грата депутаты")


def test_a_deed_by_participle_names_the_event_it_matched(engine: Engine) -> None:
    text = _lead(engine, "/actor bayrağı qaldıran prezident")
    assert "Ilham Aliyev" in text and "flag" in text.split("\n")[0], text
    # the object's participle ("the minister the 43 MPs appealed to"), and one with no noun after it
    assert deeds.split("43 deputatın müraciət etdiyi nazir") == ("nazir", "43 deputatın müraciət etdiyi")
    for message, who in [("/actor 43 deputatın müraciət etdiyi nazir", "Jeyhun Bayramov"),
                         ("/actor Xankəndidə dövlət bayrağını qaldıran", "Ilham Aliyev")]:
        text = _lead(engine, message)
        assert who in text.split("\n")[1], text


def test_the_doer_is_who_the_event_names_first_not_whom_they_spoke_of(engine: Engine) -> None:
    """"MP Fazil Mustafa defends the MPs' appeal in comments to Turan": the deputy who spoke to Turan
    is Fazil Mustafa, not the 43 MPs whose appeal he spoke of."""
    text = _lead(engine, "/actor Turan agentliyinə müsahibə verən deputat")
    assert "Fazil Mustafa" in text.split("\n")[1] and "43" not in text.split("\n")[1], text


def test_who_did_it_is_the_event_s_actor_not_a_place_or_state(engine: Engine) -> None:
    flag = next(e for e in engine.corpus.events.values() if "flag" in e.title and "Khankendi" in e.title)
    people = [a for a in flag.actors if engine.corpus.actors[a].kind not in deeds.STATE_KINDS]
    assert len(people) == 1
    text = _lead(engine, "/actor who hoisted the flag in Khankendi")
    # The reply says which event the description matched, then the actor.
    assert flag.title[:40] in text.splitlines()[0]
    assert text.splitlines()[1].startswith(engine.corpus.actors[people[0]].name)


def test_the_entity_a_description_names_is_the_object_not_the_answer(engine: Engine) -> None:
    radio = engine.corpus.actors["radio-azadlig"]
    text = _lead(engine, "/actor the commentator who spoke to Radio Azadlig")
    lead = text.splitlines()[1]
    assert not lead.startswith(radio.name)
    assert "commentator" in engine.corpus.actors[next(a for a in engine.corpus.actors.values()
                                                      if lead.startswith(a.name)).id].role.lower()


def test_whoever_said_it_is_the_claimant_in_any_language(engine: Engine) -> None:
    for message in ("/actor who called the Luxembourg resolution biased",
                    "/actor депутат, который вспомнил коренных американцев"):
        reply = engine.answer(message)
        assert reply.matched, message
        claimants = {engine.corpus.actors[c.claimant].name for c in engine.corpus.claims.values()
                     if c.claimant in engine.corpus.actors}
        assert any(plain_text(reply.html).splitlines()[1].startswith(n) for n in claimants), message


def test_what_a_claim_is_about_is_not_who_made_it(engine: Engine) -> None:
    # A claim accusing others of ignoring the mines is not an answer to "which state ignored them".
    reply = engine.answer("/actor the state that ignored the mines")
    assert not reply.matched


@pytest.mark.parametrize("message", ["/actor who raised the flag in Yerevan", "/actor who bombed Stepanakert",
                                     "/actor кто поднял флаг в Ереване", "/actor who won Eurovision 2024"])
def test_a_deed_the_index_does_not_hold_is_not_answered(engine: Engine, message: str) -> None:
    assert not engine.answer(message).matched


@pytest.mark.parametrize("message", [
    "кто поднял государственный флаг в Ханкенди?",  # was answered with the European Union by meaning
    "кто поднял флаг в Ханкенди?",  # was "nothing"
    "/actor кто поднял флаг в Ханкенди",
])
def test_a_russian_who_question_with_a_verb_asks_for_whoever_did_it(engine: Engine, message: str) -> None:
    flag = next(e for e in engine.corpus.events.values() if "flag" in e.title and "Khankendi" in e.title)
    text = _lead(engine, message)
    assert flag.title[:40] in text.splitlines()[0]
    assert "European Union" not in text.splitlines()[1]
    assert text.splitlines()[1].startswith("Ilham Aliyev")


def test_a_russian_who_question_with_a_role_still_finds_the_holder(engine: Engine) -> None:
    assert _lead(engine, "кто возглавляет Партию Народный фронт Азербайджана?").startswith("Ali Karimli")


@pytest.mark.parametrize(("message", "who"), [
    ("/actor head of state of Azerbaijan", "Ilham Aliyev"),  # a person, not the state
    ("/actor Milli Majlis speaker", "Sahiba Gafarova"),  # not the parliament she speaks for
    ("/actor American aid agency the MPs wanted out of Azerbaijan", "U.S. Agency"),  # the agency comes first
    ("кто председатель Народного фронта Азербайджана?", "Ali Karimli"),  # names the party, asks for its chairman
    ("/actor foreign soldiers allowed to cross at Lachin", "Russian peacekeeping"),  # not the Red Cross
])
def test_a_word_asking_for_a_person_is_answered_with_a_person(engine: Engine, message: str, who: str) -> None:
    assert _lead(engine, message).startswith(who)


def test_a_person_the_sources_never_name_is_not_their_ministry(engine: Engine) -> None:
    """The sources name the Ministry of Defense but no defence minister: the ministry is no answer
    to who the minister is."""
    reply = engine.answer("кто министр обороны Азербайджана?")
    assert not reply.matched, plain_text(reply.html)


@pytest.mark.parametrize(("message", "lang"), [("кто объявил 76 депутатов ПАСЕ персонами нон грата?", "ru"),
                                             ("who declared 76 PACE members persona non grata?", "en")])
def test_who_did_what_the_sources_tell_without_a_doer_is_no_guess(engine: Engine, message: str, lang: str) -> None:
    """The sources say 76 PACE members "were declared persona non grata in Azerbaijan", not by whom:
    the event (or the members' own card) is the answer; the Luxembourg Chamber, among those the event
    involves, must not read as the one who did it."""
    reply = engine.answer(message, lang=lang)
    assert reply.share_payload in ("e_az-declares-76-pace-members-persona-non-grata", "a_pace-76-members"), \
        plain_text(reply.html)


def test_a_person_asked_for_by_a_deed_is_never_the_body_that_did_it(engine: Engine) -> None:
    """The Chamber adopted the resolution; the sources name no MP who sponsored it."""
    for message in ("/actor the Luxembourg MP who sponsored the resolution",
                    "who is the Luxembourg MP who wrote the resolution?"):
        reply = engine.answer(message)
        assert not reply.matched and reply.share_payload != "a_luxembourg-chamber", plain_text(reply.html)


@pytest.mark.parametrize(("message", "lang", "says"), [
    ("кто объявил 76 депутатов ПАСЕ персонами нон грата?", "ru", "источники не говорят"),
    ("кто будет председателем COP29?", "ru", "источники не говорят")])
def test_an_event_that_names_no_doer_is_shown_saying_the_sources_do_not_say_who(engine: Engine, message: str,
                                                                                  lang: str, says: str) -> None:
    reply = engine.answer(message, lang=lang)
    assert reply.matched and says in plain_text(reply.html).split("\n")[0]


@pytest.mark.parametrize("message", ["/actor the political commentator who spoke to Radio Azadlig",
                                     "/actor the political analyst who talked to Radio Azadlig"])
def test_an_actor_named_before_who_and_described_after_it_is_the_answer(engine: Engine, message: str) -> None:
    # "political commentator" names Mammadli; Radio Azadlig, named after "who", is his and not the answer.
    reply = engine.answer(message)
    assert reply.matched and reply.share_payload == "a_mammadli", plain_text(reply.html)[:200]


@pytest.mark.parametrize("message", ["/actor the MP who talked about Native Americans",
                                     "/actor the MP who mentioned Native Americans"])
def test_whoever_talked_about_something_is_who_said_it(engine: Engine, message: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and reply.share_payload == "a_fazil-mustafa", plain_text(reply.html)[:200]


@pytest.mark.parametrize(("message", "who"), [
    ("/actor US side of the 2013 equipment agreement", "U.S. Department of Defense"),
    ("/actor Azerbaijani side of the 2013 equipment agreement", "Ministry of Defense of the Republic of Azerbaijan"),
])
def test_the_state_named_picks_its_own_party_to_an_agreement(engine: Engine, message: str, who: str) -> None:
    """Both parties' roles name the agreement and each other: the state the question names is in the
    name of one of them only."""
    assert _lead(engine, message).startswith(who)
