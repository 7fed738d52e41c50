"""The careful reader's rules (issue 9): every side linked or its silence said, said-when apart from
reported-when, one side's geography attributed, doubtful translations marked wherever a quote goes,
no curator id in a reply, and actor views that separate what someone said from what others say."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.check import run_check
from bot.core import Engine
from bot.corpus import CorpusError, Problem, load_corpus
from bot.render import plain_text, say

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "mini")
    return tmp_path / "mini"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> list[Problem]:
    with pytest.raises(CorpusError) as info:
        load_corpus(root / "briefs", root / "seeds")
    return info.value.problems


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def unlinked(mini: Path) -> Path:
    """The fixture with Roe's claim about Doe and no dispute between the two claims."""
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    disputes: [doe-report-fair]\n", "    about: [doe]\n")
    edit(brief, "    disputes: [roe-report-biased]\n", "")
    return brief


def text(markup: str) -> str:
    return plain_text(markup)


# ---------------------------------------------------------------- every side linked


def test_a_claim_about_another_party_with_no_answer_is_warned_at_its_line(mini: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    brief = unlinked(mini)
    corpus = load_corpus(mini / "briefs", mini / "seeds")
    [w] = corpus.warnings
    assert "'roe-report-biased' is about doe" in w.message and "no_response_in_corpus" in w.message
    assert w.line == line_of(brief, "id: roe-report-biased")
    assert run_check(mini / "briefs", mini / "seeds") == 0  # a warning, not a refusal to start
    err = capsys.readouterr().err
    assert "alpha.yaml" in err and "(warning)" in err


def test_saying_whose_answer_is_missing_clears_the_warning_and_the_reply_says_it(mini: Path) -> None:
    brief = unlinked(mini)
    edit(brief, "    about: [doe]\n", "    about: [doe]\n    no_response_in_corpus: [doe]\n")
    corpus = load_corpus(mini / "briefs", mini / "seeds")
    assert corpus.warnings == []
    views = Engine(corpus, embedder=None).views
    for full in (False, True):
        reply = text(views.view("claim", "roe-report-biased", full=full).html)
        assert say("analysis.no_response", names="John Doe") in reply


def test_no_response_from_someone_whose_claim_disputes_it_is_an_error(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    disputes: [doe-report-fair]\n",
         "    disputes: [doe-report-fair]\n    no_response_in_corpus: [doe]\n")
    [p] = problems(mini)
    assert "names 'doe', but a claim by 'doe' disputes it" in p.message


def test_no_response_must_name_a_known_actor(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    disputes: [doe-report-fair]\n",
         "    disputes: [doe-report-fair]\n    no_response_in_corpus: [nobody]\n")
    [p] = problems(mini)
    assert "unknown actor id 'nobody'" in p.message


def test_the_real_corpus_links_or_marks_every_contested_claim(engine: Engine) -> None:
    assert engine.corpus.warnings == [], "\n".join(map(str, engine.corpus.warnings))
    # The examples: the Luxembourg resolution's points are answered by "biased" and "interference".
    for point in ("luxembourg-resolution-arbitrary-arrests", "luxembourg-resolution-political-prisoners"):
        disputes = set(engine.corpus.claims[point].disputes)
        assert {"majlis-luxembourg-resolution-biased", "majlis-resolution-interference-internal-affairs"} <= disputes
    # The PACE delegation's claims about PACE say PACE's answer is not in the corpus.
    delegation = [c for c in engine.corpus.claims.values() if c.claimant == "az-pace-delegation"]
    assert len(delegation) == 11 and all(c.no_response_in_corpus for c in delegation)
    assert all("pace" in c.no_response_in_corpus for c in delegation if "pace" in c.about)
    reply = text(engine.views.view("claim", delegation[0].id, full=False).html)
    assert say("analysis.no_response", names=engine.views.name("pace")) in reply


# ---------------------------------------------------------------- said when, reported when


def test_a_said_date_after_its_report_is_an_error(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    paraphrase: Jane Roe says",
         "    said: {value: 2024-04, precision: month}\n    paraphrase: Jane Roe says")
    [p] = problems(mini)
    assert "said 2024-04, after its source was published (2024-03-03)" in p.message


def test_a_position_known_only_from_a_report_reads_reported_and_a_dated_one_said(engine: Engine) -> None:
    views = engine.views
    # Armenia's position reaches the corpus only through the Foreign Ministry's statement of 29 July 2023.
    heading = text(views.view("claim", "armenia-tense-humanitarian-situation", full=False).html).split("\n")[0]
    assert "said between November 2020 and 29 July 2023" in heading and "reported 29 July 2023" in heading
    # A ministry claim with no said date of its own would read only "reported"; the outlet's own words a date.
    mfa = text(views.view("claim", "az-mfa-303-mine-victims", full=False).html).split("\n")[0]
    assert "said between 26 July 2023 and 29 July 2023" in mfa
    karimli = text(views.view("claim", "karimli-ruling-camp-alarmed", full=False).html).split("\n")[0]
    assert "reported October 2024" in karimli and "said" not in karimli
    # Dated apart from its report (the 43 MPs' appeal of 5 October, in an article of October 2024): both.
    mps = text(views.view("claim", "az-mps-43-halt-usaid-projects", full=False).html).split("\n")[0]
    assert "said 5 October 2024" in mps and "reported October 2024" in mps
    caspian = text(views.view("claim", "caspian-armenia-shelled-first-2020", full=False).html).split("\n")[0]
    assert "reported" not in caspian and "said" not in caspian


# ---------------------------------------------------------------- translations, ids, places


def test_a_quote_holding_a_flagged_translation_needs_a_marker_shown_in_every_register(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    perspective: A test wire report quoting both sides.\n",
         "    perspective: A test wire report quoting both sides.\n"
         "    language_note: 'Translated; \"entirely biased\" may render a milder word.'\n")
    flagged = problems(mini)  # the claim quoting it, and the event quoting it too
    named = {m for p in flagged for m in re.findall(r"'([a-z-]+)'", p.message)}
    assert {"roe-report-biased", "report-remarks"} <= named and len(flagged) == 2
    assert all("entirely biased" in p.message and "translation_note" in p.message for p in flagged)
    note = "    translation_note: The word rendered \"entirely biased\" may be milder.\n"
    edit(brief, "    asked_as: [report biased]\n", "    asked_as: [report biased]\n" + note)
    edit(brief, "    actors: [roe]\n", "    actors: [roe]\n" + note)
    views = Engine(load_corpus(mini / "briefs", mini / "seeds"), embedder=None).views
    marker = "The word rendered \"entirely biased\" may be milder."
    for full in (False, True):
        assert marker in text(views.view("claim", "roe-report-biased", full=full).html)
        # ... and in the line of the claim it disputes, where its paraphrase is shown.
        assert marker in text(views.view("claim", "doe-report-fair", full=full).html)


def test_004s_inverted_translation_is_marked_in_a_supported_by_line(engine: Engine) -> None:
    reply = text(engine.views.view("claim", "caspian-armenia-ignored-unsc-resolutions", full=False).html)
    assert say("labels.supported_by") in reply and "did not ignore" in reply and "⚠" in reply


def test_a_curator_id_in_a_note_is_an_error_at_the_entry(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    actors: [roe]\n", "    actors: [roe]\n    note: See claim doe-report-fair.\n")
    [p] = problems(mini)
    assert "curator id 'doe-report-fair'" in p.message
    assert p.line == line_of(brief, "id: report-remarks")


def test_no_reply_shows_a_curator_id(engine: Engine) -> None:
    ids = {i for table in (engine.corpus.claims, engine.corpus.events) for i in table if i.count("-") >= 2}
    for kind, table in (("event", engine.corpus.events), ("claim", engine.corpus.claims)):
        for entry_id in table:
            shown = text(engine.views.view(kind, entry_id, full=True).html)
            leaked = {t for t in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", shown) if t in ids}
            assert not leaked, f"{kind} {entry_id} shows {leaked}"


def test_one_sides_administrative_geography_is_attributed(engine: Engine) -> None:
    views = engine.views
    for place, region in (("aghdam", "Karabakh"), ("lachin", "East Zangezur")):
        reply = text(views.view("place", place, full=True).html)
        assert say("analysis.within_by", who="Azerbaijan", region=region) in reply
        assert f"\n{say('labels.within')} {region}\n" not in reply
    assert f"{say('labels.within')} Karabakh" in text(views.view("place", "khankendi", full=True).html)


def test_nagorno_karabakh_is_its_own_entry_and_karabakh_keeps_its_spellings(engine: Engine) -> None:
    for name in ("Artsakh", "Nagorno-Karabakh", "Нагорный Карабах"):
        assert engine.answer(f"who is {name}?").share_payload == "p_nagorno-karabakh"
    for name in ("Karabakh", "Qarabağ", "Карабах"):
        assert engine.answer(f"who is {name}?").share_payload == "p_karabakh"


# ---------------------------------------------------------------- actor views


def test_an_actors_view_separates_what_they_said_from_what_others_say(engine: Engine) -> None:
    corpus = engine.corpus
    reply = engine.views.view("actor", "gafarova", full=False)
    shown = text(reply.html)
    appeal = [c for c in corpus.claims.values() if c.claimant == "az-parliamentary-leaders"]
    assert say("analysis.said_by_them", n=len(appeal)) in shown
    assert say("analysis.about_them", n=0).split(" (")[0] not in shown
    pace = text(engine.views.view("actor", "pace", full=False).html)
    about_pace = [c for c in corpus.claims.values() if "pace" in c.about]
    assert say("analysis.about_them", n=len(about_pace)) in pace


def test_every_statement_of_an_actor_is_reachable_page_by_page(engine: Engine) -> None:
    corpus = engine.corpus
    reply = engine.answer("/actor Gafarova")
    [data] = [b.data for row in reply.buttons for b in row if b.data.endswith(" said:1")]
    expected = [c for c in corpus.claims.values() if c.claimant == "az-parliamentary-leaders"]
    seen: list[str] = []
    while True:
        page = engine.answer(data)
        seen += [line for line in page.html.split("\n") if line.startswith("• ")]
        later = [b.data for row in page.buttons for b in row if b.text == say("buttons.later")]
        if not later:
            break
        data = later[0]
    assert len(seen) == len(expected) == len(set(seen))
    for c in expected:
        assert any(c.paraphrase[:60] in text(line) for line in seen), c.id


# ---------------------------------------------------------------- generic words


@pytest.mark.parametrize("message", ["/actor parliament", "/actor The parliament", "/actor ministry",
                                     "who is the ministry?", "/actor war", "/actor resolution"])
def test_a_word_shared_by_several_names_is_a_ranked_did_you_mean_never_one_guess(engine: Engine,
                                                                                  message: str) -> None:
    reply = engine.answer(message)
    assert not reply.matched
    word = message.rstrip("?").split()[-1]
    assert text(reply.html).startswith(f"“{word}” is in the names or titles of")
    opened = [engine.answer(b.data) for row in reply.buttons for b in row]
    assert len(opened) >= 2 and all(r.matched for r in opened)
    assert len({r.share_payload for r in opened}) == len(opened)


@pytest.mark.parametrize("message,payload", [("/actor Milli Majlis", "a_milli-majlis"),
                                             ("/actor speaker", "a_gafarova"),
                                             ("/actor Foreign Ministry", "a_az-foreign-ministry")])
def test_a_whole_name_still_opens_its_entry(engine: Engine, message: str, payload: str) -> None:
    assert engine.answer(message).share_payload == payload


@pytest.mark.parametrize("message", ["/timeline Ukraine", "/timeline российско-украинский конфликт",
                                     "/timeline украинский конфликт", "/timeline Russia-Ukraine conflict"])
def test_a_country_named_only_inside_a_quote_has_no_timeline_of_its_own(engine: Engine, message: str) -> None:
    # Ukraine is named only in "the Russia-Ukraine conflict": no event is about it. The reply says so
    # and gives the claim that names it, never an event.
    reply = engine.answer(message)
    assert reply.matched and not reply.events
    assert text(reply.html).startswith("No event matches")
    assert "Mammadli" in text(reply.html) and "Russia-Ukraine conflict" in text(reply.html)


def test_what_someone_said_includes_what_they_said_jointly_with_the_whole_list_a_tap_away(engine: Engine) -> None:
    reply = engine.answer("what did Gafarova say?")
    assert reply.matched and "The appeal" in text(reply.html)
    assert any(b.data == "/open a_gafarova said:1" for row in reply.buttons for b in row)


@pytest.mark.parametrize("message", ["/claim Baku held three meetings with Karabakh Armenians",
                                     "/claim Azerbaijan held three meetings with the Karabakh Armenian residents",
                                     "/claim Баку провёл три встречи с армянами Карабаха"])
def test_a_claim_question_the_sources_report_as_an_event_gets_the_event_saying_so(engine: Engine,
                                                                                  message: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and text(reply.html).startswith("No party's claim matches")
    assert "Three meetings" in text(reply.html) and "003_4c6558f46b133d32.txt" in reply.sources


def test_a_translated_topic_lists_every_event_its_translation_names(engine: Engine) -> None:
    # Neither Great Return event leads the other by meaning; their reviewed translations name it.
    reply = engine.answer("/timeline Böyük Qayıdış")
    assert reply.matched and "reconstruction projects" in reply.html and "First stage" in reply.html


def test_what_someone_said_about_a_topic_leads_with_the_claims_on_it(engine: Engine) -> None:
    reply = engine.answer("Milli Məclis Lüksemburq parlamenti haqqında nə dedi?")
    # Newest first, its call to drop "aggressive rhetoric" led; what it says of the parliament comes first now.
    first = text(reply.html).split("•")[1]
    assert reply.matched and any(w in first for w in ("biased", "adventurism", "baseless"))


@pytest.mark.parametrize(("message", "shown"), [
    ("Lüksemburq parlamenti qətnaməni nə vaxt qəbul edib?", "adopts a resolution"),  # "qəbul" is no acceptance
    ("separatçı rejim nə vaxt özünü buraxdı?", "self-dissolution"),
    ("/timeline события лета 2023 года", "15 June 2023"),  # a season, and "события" names no topic
    ("/claim konqresmenler siyasi mehbuslarin azad edilmesini istedi", "Congress"),  # ASCII Azerbaijani
])
def test_azerbaijani_and_russian_questions_the_sources_answer_are_answered(engine: Engine, message: str,
                                                                           shown: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and shown in reply.html, reply.html[:300]


@pytest.mark.parametrize("message", ["why did Azerbaijan stop cooperating with PACE?",
                                     "почему Азербайджан прекратил сотрудничество с ПАСЕ?",
                                     "Azərbaycan niyə AŞPA ilə əməkdaşlığı dayandırdı?"])
def test_why_someone_did_something_is_answered_with_the_reason_they_give(engine: Engine, message: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and "racism" in reply.html and "Azerbaijani delegation" in reply.html


@pytest.mark.parametrize("message", ["why did Aliyev raise the flag in Khankendi?",
                                     "почему Алиев поднял флаг в Ханкенди?", "why was COP29 held in Baku?"])
def test_why_nobody_explains_shows_the_event_saying_no_stated_reason_matched(engine: Engine, message: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and text(reply.html).startswith("No party's stated reason matched")
    assert reply.share_payload.startswith("e_")


@pytest.mark.parametrize(("message", "months"), [("/timeline winter 2024", "December 2023 – February 2024"),
                                                 ("/timeline 2024-cü ilin qışında", "December 2023 – February 2024"),
                                                 ("/timeline летом 2023", "June 2023 – August 2023")])
def test_a_season_says_which_months_it_was_read_as(engine: Engine, message: str, months: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and f"read as {months}" in text(reply.html)


@pytest.mark.parametrize(("message", "figure"), [
    ("how many congressmen signed the letter to Blinken?", "nearly 60 U.S. Congressmen"),
    ("how many political prisoners did Karimli mention?", "over 300 political prisoners"),
    ("How many people have been hit by mines since November 2020, three hundred or so?", "303 Azerbaijanis"),
    ("how many Azerbaijanis went missing in the war?", "nearly 4,000 went missing"),
    ("сколько политзаключённых назвал Каримли?", "over 300 political prisoners"),
])
def test_a_figure_asked_for_leads_the_answer_in_the_sources_words(engine: Engine, message: str, figure: str) -> None:
    reply = engine.answer(message)
    assert reply.matched
    assert text(reply.html).splitlines()[0].endswith(f"“{figure}”"), reply.html[:200]


@pytest.mark.parametrize("message", [
    "how many Azerbaijanis live in Armenia?",  # near the 30,000 killed: a figure of something else
    "how many MPs are in the Milli Majlis?",  # the 43 MPs are not the Majlis's size
    "how many journalists are in prison in Azerbaijan?",  # two journalists among the mine victims
    "how many civilians were killed in the September 19 provocation?",  # "19 September" is a date
    "how many thousand political prisoners are there according to Karimli?",  # he says over 300
    "how many Azerbaijanis were killed in the 44-day war?",  # the 30,000 are the early 1990s war's
    "44 günlük müharibədə neçə azərbaycanlı şəhid oldu?",
])
def test_a_figure_the_sources_do_not_give_is_not_answered(engine: Engine, message: str) -> None:
    assert not engine.answer(message).matched


def test_a_length_of_time_naming_the_war_is_no_guess_of_the_figure(engine: Engine) -> None:
    reply = engine.answer("how many Azerbaijanis were killed in the war of the early 1990s?")
    assert reply.matched and "30,000" in text(reply.html).splitlines()[0]


@pytest.mark.parametrize("message", ["/timeline parliamentary elections", "when were the parliamentary elections?",
                                     "когда прошли выборы в Милли Меджлис?", "Milli Məclisə seçkilər nə vaxt olub?"])
def test_an_election_of_another_office_is_no_answer(engine: Engine, message: str) -> None:
    """The only Azerbaijani election in the sources is the presidential one: a question about the
    parliament's gets a did-you-mean, never that election (or PACE, the "Parliamentary" Assembly)."""
    assert not engine.answer(message).matched


@pytest.mark.parametrize(("message", "lang"), [("когда прошли президентские выборы в Азербайджане?", "ru"),
                                               ("/claim prezident seçkiləri qanuna uyğun keçirilib", "az")])
def test_the_presidential_election_is_still_found_in_every_language(engine: Engine, message: str, lang: str) -> None:
    reply = engine.answer(message, lang=lang)
    assert reply.matched and "000_ff9566f581219d8c.txt" in reply.sources


def test_only_a_question_asks_for_a_figure() -> None:
    from bot.retrieve.counts import count_question
    from bot.retrieve.figures import figure_positions
    from bot.understand.morph import term_forms

    assert count_question("the world has acknowledged how much the elections improved", frozenset()) is None
    assert count_question("Minalardan neçə nəfər zərər çəkib?", frozenset()) is not None
    # "how many thousand …" asks for thousands: a figure below a thousand is no answer
    assert [count_question(q, frozenset()).least for q in ("сколько тысяч семей вернутся?",  # type: ignore[union-attr]
                                                           "neçə min azərbaycanlı ölüb?", "how many families?")] \
        == [1000, 1000, 0]
    folded = [w for w, _ in term_forms("on 19 September, one million people and COP29 in 2023")]
    assert [folded[n] for n in sorted(figure_positions(folded))] == [folded[3], folded[4]]  # "one million"


@pytest.mark.parametrize(("message", "lang"), [("/timeline until 2025", "en"), ("/timeline до 2025 года", "ru")])
def test_a_date_typed_as_an_event_words_it_names_that_event_too(engine: Engine, message: str, lang: str) -> None:
    """"until 2025" is a window, and the words of the credentials initiative ("… the right to vote until
    2025"): the timeline says so above its events."""
    reply = engine.answer(message, lang=lang)
    second = text(reply.html).splitlines()[1]
    assert reply.matched and ("PACE" in second or "ПАСЕ" in second), second
    assert text(engine.answer("/timeline 2023").html).splitlines()[1].startswith("Key events first")


@pytest.mark.parametrize(("message", "lang", "who"), [("/actor the aggressor state", "en", "Azerbaijani delegation"),
                                                      ("/actor təcavüzkar dövlət", "az", "AŞPA"),
                                                      ("кто такое государство-агрессор?", "ru", "ПАСЕ")])
def test_a_partys_epithet_finds_the_actor_as_that_partys_word(engine: Engine, message: str, lang: str,
                                                              who: str) -> None:
    """The delegation calls Armenia "the aggressor state": asked for by that word, the answer is
    Armenia under a line saying whose word it is, with a button to the claim, never the bot's own."""
    reply = engine.answer(message, lang=lang)
    first = text(reply.html).splitlines()[0]
    assert reply.matched and reply.share_payload == "a_armenia" and who in first, first
    assert any(b.data == "/open c_az-delegation-pace-failed-armenia-accountable" for row in reply.buttons for b in row)


@pytest.mark.parametrize(("message", "claimant"), [
    ("/claim Luxembourg doesn't care about Azerbaijan's national security", "Milli Majlis"),  # "indifference"
    ("/claim the elections were held in line with the law", "Milli Majlis"),
    ("/claim the Karabakh Armenians left of their own free will", "Caspian News"),
])
def test_a_side_only_one_near_entry_takes_answers_a_thin_lead(engine: Engine, message: str, claimant: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and claimant in text(reply.html).split("\n")[1], reply.html[:300]


@pytest.mark.parametrize("message", ["/claim the Azerbaijanis left Armenia voluntarily",
                                     "/claim PACE doesn't care about Azerbaijani refugees",
                                     "/claim the Milli Majlis praised the Luxembourg parliament"])
def test_the_side_taken_is_no_answer_about_someone_else(engine: Engine, message: str) -> None:
    assert not engine.answer(message).matched


def test_a_phrase_of_the_entrys_own_words_answers_a_thin_lead(engine: Engine) -> None:
    """Karimli's "потеряли чувство реальности" (in the reviewed translation of "they've lost their
    sense of reality"): three words in a row no other near entry holds."""
    reply = engine.answer("/claim правящий лагерь потерял чувство реальности", lang="ru")
    assert reply.matched and reply.share_payload == "c_karimli-ruling-camp-alarmed", reply.html[:200]


@pytest.mark.parametrize(("message", "lang"), [
    ("/claim Gafarova's appeal insists civilians are not being targeted", "en"),
    ("/claim в обращении Сахибы Гафаровой говорится, что мирное население не является целью", "ru"),
])
def test_a_statement_is_also_its_named_authors(engine: Engine, message: str, lang: str) -> None:
    """The sources name Speaker Gafarova among the authors of the parliamentary leaders' appeal
    (`part_of`): "Gafarova's appeal says …" is that appeal's claim."""
    reply = engine.answer(message, lang=lang)
    assert reply.matched and reply.share_payload == "c_appeal-civilians-not-a-target", reply.html[:200]


@pytest.mark.parametrize("message", [
    "how many Armenians were expelled?",  # the one million expelled are Azerbaijanis
    "how many political prisoners are there in Armenia?",  # Karimli's 300 are in Azerbaijan
    "how many PACE members did Luxembourg expel?",  # Azerbaijan declared the 76 persona non grata
])
def test_a_figure_of_another_group_or_place_is_no_answer(engine: Engine, message: str) -> None:
    assert not engine.answer(message).matched


def test_a_figure_line_never_shows_another_things_figure(engine: Engine) -> None:
    """The quote gives 34,500 twice (families and apartments): a figure matched in a translation is
    shown only when the source's words are sure, and a decimal before "million" is a figure."""
    for message in ("how many apartments will be built?", "сколько квартир построят?"):
        first = text(engine.answer(message).html).splitlines()[0]
        assert "families" not in first, first
    assert not engine.answer("how many refugees, 1.234 million?").matched


def test_an_epithet_is_quoted_as_the_curated_translation_writes_it(engine: Engine) -> None:
    first = text(engine.answer("/actor государства-агрессоры", lang="ru").html).splitlines()[0]
    assert "государства-агрессоры" not in first and "государством-агрессором" in first


@pytest.mark.parametrize("message", ["how many?", "кто?", "сколько?", "neçə?", "what?"])
def test_a_question_word_alone_gets_the_help_not_an_entry(engine: Engine, message: str) -> None:
    """"кто?" used to answer a Caspian News claim; it asks about nothing yet."""
    reply = engine.answer(message)
    assert reply.command == "help" and not reply.sources


@pytest.mark.parametrize(("message", "lang"), [("/timeline 10 November 2020", "en"),
                                               ("что произошло 10 ноября 2020 года?", "ru"),
                                               ("/timeline what happened on 10 November 2020", "en")])
def test_a_day_leads_with_its_own_event_in_the_sources_words(engine: Engine, message: str, lang: str) -> None:
    """The 2020 war and the capture of the districts end on 10 November 2020, but the day's own event
    is the statement signed that day: it comes first, quoted, above the spans that end then."""
    lines = text(engine.answer(message, lang=lang).html).splitlines()
    events = [n for n, line in enumerate(lines) if line.startswith("• ")]
    day = "10 ноября 2020 —" if lang == "ru" else "10 November 2020 —"
    assert lines[events[0]].startswith(f"• {day}") and "tripartite statement" in lines[events[0] + 1], lines
    # the spans are listed, not quoted: each line after one is the next event or the end of the list
    assert all(not lines[n + 1].strip() or lines[n + 1].startswith("• ") for n in events[1:]), lines


def test_a_timeline_question_inside_the_command_asks_for_its_subject(engine: Engine) -> None:
    lines = text(engine.answer("/timeline what happened on 20 November 2024").html).splitlines()
    assert lines[0].endswith("20 November 2024") and "Luxembourg" in lines[1], lines
    paged = text(engine.answer("/timeline what happened in September 2023?page:2").html).splitlines()
    assert paged[0].startswith("Timeline: September 2023 · page 2/"), paged[0]  # the page stays a page


@pytest.mark.parametrize(("message", "lang", "event"), [
    ("когда закончились бои в Карабахе в сентябре 2023?", "ru", "karabakh-hostilities-cease-2023-09-20"),
    ("когда закончилась война 2020 года?", "ru", "statement-2020-11-10"),
])
def test_when_something_ended_is_dated_in_every_language(engine: Engine, message: str, lang: str, event: str) -> None:
    """"закончились бои" is the fighting's end ("hostilities cease"), and a year said as words ("2020
    года") that leaves no event of the topic alone still picks the topic's event of that year."""
    reply = engine.answer(message, lang=lang)
    assert reply.matched and event in reply.events, (reply.events, text(reply.html)[:300])


@pytest.mark.parametrize(("message", "answered"), [("когда Армения вступила в ПАСЕ?", False),
                                                   ("when did Armenia join the Council of Europe?", False),
                                                   ("when did Azerbaijan join the Council of Europe?", True)])
def test_the_state_a_question_says_did_something_must_be_the_one_that_did_it(engine: Engine, message: str,
                                                                             answered: bool) -> None:
    """The sources tell only of Azerbaijan's accession: Armenia "joining" is not it, however near."""
    reply = engine.answer(message)
    assert reply.matched is answered
    if answered:
        assert "2001" in text(reply.html)


@pytest.mark.parametrize(("message", "answered"), [("/claim Armenia set up the Lachin border crossing point", False),
                                                   ("/claim Azerbaijan set up the Lachin border crossing point", True),
                                                   ("/claim Azerbaijan rotated its forces through the Lachin road",
                                                    False),
                                                   ("/claim Armenia rotated its forces through the Lachin road", True),
                                                   ("/timeline Armenia mines", True)])
def test_a_claim_says_which_state_did_it(engine: Engine, message: str, answered: bool) -> None:
    """The ministry says Azerbaijan set up the crossing point and Armenia rotated its forces: the same
    deed asked of the other state is no answer. A state followed by a topic ("Armenia mines") is two
    topics, not a deed."""
    assert engine.answer(message).matched is answered


@pytest.mark.parametrize("message", ["Xankəndi hava limanı nə vaxt açılıb?", "когда открылся аэропорт Ханкенди?",
                                     "/claim the Milli Majlis admitted there are political prisoners in Azerbaijan"])
def test_a_place_alone_or_a_concession_nobody_made_is_no_answer(engine: Engine, message: str) -> None:
    """No source tells of an airport in Khankendi (only of a flag raised there), and the Milli Majlis
    admitted nothing: it calls the political-prisoner assertions a campaign against Azerbaijan."""
    assert not engine.answer(message).matched


@pytest.mark.parametrize(("message", "lang"), [("чего конгрессмены хотели от Блинкена", "ru"),
                                               ("Xankəndidə bayraq nə vaxt qaldırılıb?", "az")])
def test_a_verb_the_entries_do_not_use_is_no_unknown_topic(engine: Engine, message: str, lang: str) -> None:
    assert engine.answer(message, lang=lang).matched


def test_chat_shorthand_is_read_as_the_words_it_stands_for(engine: Engine) -> None:
    from bot.understand.shorthand import expand

    typed = engine.answer("how many ppl will the great return bring back by 2026?")
    spelled = engine.answer("how many people will the great return bring back by 2026?")
    assert typed.matched and text(typed.html).splitlines()[0] == text(spelled.html).splitlines()[0]
    assert expand("сколько чел и w/o пр-во, apple, /open c_ppl") \
        == "сколько человек и without правительство, apple, /open c_ppl"


@pytest.mark.parametrize(("message", "lang"), [
    # "но" once folded to the English "no" and read as "there is none"
    ("/claim Баку открыт к диалогу с Люксембургом, но при условии взаимного уважения", "ru"),
    # "illegal armed formations" names the formations: no side on lawfulness
    ("/claim antiterror tədbirlərinin hədəfi yalnız qanunsuz hərbi birləşmələrdir, dinc əhali hədəf deyil", "az"),
    # "almost two decades" is the delegation's 2001-2020, roughly
    ("/claim PACE failed to hold Armenia accountable for almost two decades", "en"),
])
def test_words_that_take_no_side_do_not_refuse_a_paraphrase(engine: Engine, message: str, lang: str) -> None:
    assert engine.answer(message, lang=lang).matched


def test_a_groups_claim_names_the_authors_the_sources_name_with_it(engine: Engine) -> None:
    """The appeal is Speaker Gafarova's, the working groups' and the delegations': its claims say so."""
    reply = engine.answer("/claim the appeal urges the world to support the anti-terror measures")
    assert reply.matched and "with Sahiba Gafarova" in text(reply.html).splitlines()[1]
    ru = engine.answer("/claim the appeal urges the world to support the anti-terror measures", lang="ru")
    assert "вместе с: Сахиба Гафарова" in text(ru.html)


@pytest.mark.parametrize("message", [
    # both states that open a title did it
    "US signed a defense declaration with Azerbaijan in 1997",
    "Когда США подписали совместную декларацию с Азербайджаном?",
    "ABŞ Azərbaycanla birgə bəyannaməni nə vaxt imzalayıb?",
    # the passive names no doer
    "Armenia was offered a peace treaty by Azerbaijan after the 2020 war",
    # who speaks is no doer of what they report
    "Azerbaijan said Armenia resisted the alternative roads",
    "Азербайджан заявил, что Армения стремится сорвать мирный процесс",
    "Azərbaycan bildirib ki, Ermənistan 2021-ci ildə istehsal olunmuş minaları basdırıb",
    # in Azerbaijani the case endings say which state is the subject
    "Azərbaycan ərazilərində Ermənistan 2021-ci ildə istehsal olunmuş minaları basdırıb",
    # "agreement with" is no deed
    "America agreement with Azerbaijan in 1997",
    # a length in years is rough; one word the entries do not use beside one they do is no unknown topic
    "Сколько азербайджанцев стали беженцами за 30-летнюю оккупацию?",
    "How many families will return in the 3-year first stage of the Great Return?",
    "Когда Азербайджан начал контртеррористическую операцию в Карабахе?",
    # the entry's own "acknowledges", "recognized" is what was admitted
    "/claim Mustafa admits the U.S. is a great power whose sanctions may have repercussions",
    "/claim прогресс Азербайджана в избирательной практике признается на международном уровне",
])
def test_the_doer_and_figure_checks_leave_true_paraphrases_answered(engine: Engine, message: str) -> None:
    """Messages a reviewer found refused by the first version of these checks (review-stop21)."""
    assert engine.answer(message).matched


@pytest.mark.parametrize("message", ["Did Armenia join the Council of Europe?", "Has Armenia joined PACE?",
                                     "Armenia signed a defense declaration with the US in 1997",
                                     # Ilham Aliyev raised it: a person holding Azerbaijan's office acts for it
                                     "Armenia raised its flag in Khankendi", "Армения подняла флаг в Ханкенди"])
def test_a_deed_asked_of_a_state_that_did_not_do_it_is_refused(engine: Engine, message: str) -> None:
    assert not engine.answer(message).matched


@pytest.mark.parametrize("message", [
    "/claim армения приостановила работу в пасе изза расизма",  # the Azerbaijani delegation did, it says
    "/claim Armenia rejects the resolution's accusations",  # the Milli Majlis says it rejects them
    "türkiyə qarabağa humanitar yardım göndərib?",  # a country typed in lowercase the sources never name
    "/claim xin deyir ki ermənistan bütün qoşunlarını qarabağdan tam çıxarıb",  # the ministry says "not completely"
])
def test_blind10_negatives_are_refused(engine: Engine, message: str) -> None:
    assert not engine.answer(message).matched


def test_a_body_a_state_owns_acts_for_it(engine: Engine) -> None:
    """"Azerbaijan's delegation suspends its cooperation with PACE": asked of Azerbaijan, it answers."""
    assert engine.answer("/claim Azerbaijan suspended its work in PACE over racism").matched


@pytest.mark.parametrize(("message", "answered"), [
    # a length of time is held by an entry giving about as long: the delegation's 19 years
    ("/claim PACE failed to hold Armenia accountable for 19 years", True),
    ("/claim PACE failed to hold Armenia accountable for almost two decades", True),
    ("/claim PACE failed to hold Armenia accountable for 25 years", False),
    ("/claim PACE failed to hold Armenia accountable for almost three decades", False),
    ("/claim Armenia blocked communications for 12 yrs", False),  # the ministry says three years
    ("/claim Armenia blocked communications for the past four years", False),
    ("/claim Armenia blocked communications for the past three years", True),
    ("/claim PACE failed to hold Armenia accountable for 2 years", False),  # not any small figure of the entry
    ("/claim PACE failed to hold Armenia accountable for 19 months", False),  # months are no years
    # a speaker reporting their own deed is its doer; another actor after "that" is
    ("Armenia stated that it joined the Council of Europe in 2001", False),
    ("Армения заявила, что построила новую Лачинскую дорогу", False),
    ("Ermənistan bildirib ki, Laçın sərhəd-keçid məntəqəsini yaradıb", False),
    ("Azerbaijan said Armenia resisted the alternative roads", True),
    # the Azerbaijani subject is the state without a case ending, not one in an izafet
    ("Ermənistan Azərbaycana Ağdam-Xankəndi yolunu təklif edib", False),
    ("Ermənistan Azərbaycan ərazisində Laçın sərhəd-keçid məntəqəsini yaradıb", False),
    ("Azərbaycan Ermənistanın təbii sərvətlərini talayıb", False),
    ("Azərbaycan Laçın sərhəd-keçid məntəqəsini yaradıb", True),
    # "dinc əhali … hədəfidir" ("the civilians are the target") is what the appeal denies
    ("/claim dinc əhali tədbirlərin hədəfidir", False),
    # "recognised" is a concession only as one: "recognized internationally", not "mutual recognition"
    ("/claim Armenia acknowledged Azerbaijan's territorial integrity", False),
    ("When did Armenia accede to the Council of Europe?", False),
    # third review: a joint subject, the agent of a passive, Russian "признала, что"
    ("The United States and Armenia signed a defense declaration in 1997", False),
    ("The Lachin border crossing point was established by Armenia", False),
    ("The Lachin border crossing point was established by Azerbaijan", True),
    ("/claim Армения признала, что минировала территории Азербайджана", False),
    # a claim's doer after the phrase that opens what it reports: "says that after …, Armenia launched …"
    ("Azerbaijan launched a military campaign against Armenia after 1991", False),
    ("Armenia launched a military campaign against Azerbaijan after 1991", True),
    ("Azerbaijan destroyed Armenian cultural heritage", False),
    # a Russian verb-first question, a body the state owns in the query
    ("Вступила ли Армения в Совет Европы?", False),
    ("Вступил ли Азербайджан в Совет Европы?", True),
    ("Armenia's delegation suspended cooperation with PACE", False),
    ("Azerbaijan's delegation suspended cooperation with PACE", True),
])
def test_second_review_cases(engine: Engine, message: str, answered: bool) -> None:
    """Messages a second reviewer found answered or refused wrongly (review-stop22)."""
    assert engine.answer(message).matched is answered


@pytest.mark.parametrize("message", ["how many people died in the war of the early 1990s?",
                                     "сколько чел погибло в войне начала 90-х?"])
def test_died_finds_the_killed_not_the_missing(engine: Engine, message: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and "30,000" in text(reply.html).splitlines()[0]
