"""bot.understand.intent: plain messages in three languages read as commands, subjects and languages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.understand import Intent, understand
from bot.understand.intent import clean, compile_template, fold, rules

# message, command, subject, lang
CASES: list[tuple[str, str, str, str]] = [
    # English: who
    ("who is Aliyev?", "who", "Aliyev", "en"),
    # Azerbaijani hyphenates a case ending to an acronym
    ("2025-ci ildə AŞPA-da nə baş verib?", "timeline", "2025-ci ildə AŞPA", "az"),
    # what someone did on a date is their timeline in that window
    ("what did the Luxembourg parliament adopt on 20 Nov 2024?", "timeline", "Luxembourg parliament 20 Nov 2024", "en"),
    # why someone did something is what the parties say of it
    ("why did Azerbaijan stop cooperating with PACE?", "why", "Azerbaijan stop cooperating with PACE", "en"),
    ("почему Азербайджан прекратил сотрудничество с ПАСЕ?", "why",
     "Азербайджан прекратил сотрудничество с ПАСЕ", "ru"),
    ("niyə Azərbaycan AŞPA-dan çıxdı?", "why", "Azərbaycan AŞPA çıxdı", "az"),
    # whom they told is not the topic; what an outlet wrote is what it said
    ("what did Fazil Mustafa tell Turan?", "said", "Fazil Mustafa", "en"),
    ("what did the US Congress members ask Blinken to do?", "said", "US Congress members", "en"),
    ("what did Caspian News write about the Great Return?", "said", "Caspian News", "en"),
    # what someone asked for is what they said
    ("what did the 43 MPs demand?", "said", "43 MPs", "en"),
    ("what did the Congress members ask for", "said", "Congress members", "en"),
    ("что потребовали 43 депутата?", "said", "43 депутата", "ru"),
    ("чего хочет Керимли", "said", "Керимли", "ru"),
    ("43 deputat nə tələb etdi?", "said", "43 deputat", "az"),
    ("Who is Ilham Aliyev", "who", "Ilham Aliyev", "en"),
    ("who's Gafarova", "who", "Gafarova", "en"),
    ("Who’s Sahiba Gafarova?", "who", "Sahiba Gafarova", "en"),
    ("who was Nasimi Mammadli", "who", "Nasimi Mammadli", "en"),
    ("who are the Karabakh Armenians?", "who", "Karabakh Armenians", "en"),
    ("tell me about the Milli Majlis", "what", "Milli Majlis", "en"),
    ("Tell me more about PACE!", "what", "PACE", "en"),
    ("what is the Milli Majlis?", "what", "Milli Majlis", "en"),
    ("where is Lachin", "who", "Lachin", "en"),
    ("what's Khankendi", "what", "Khankendi", "en"),
    # English: said
    ("what did Aliyev say?", "said", "Aliyev", "en"),
    ("What did Aliyev say about Karabakh?", "said", "Aliyev", "en"),
    ("what does PACE say", "said", "PACE", "en"),
    ("what does the Milli Majlis claim", "said", "Milli Majlis", "en"),
    ("what does Bayramov think about the EU", "said", "Bayramov", "en"),
    ("what has Bayramov said", "said", "Bayramov", "en"),
    ("what did the U.S. say", "said", "U.S.", "en"),
    ("what is Armenia saying about the peacekeepers", "said", "Armenia", "en"),
    # English: timeline
    ("when did the PACE resolution pass?", "timeline", "PACE resolution", "en"),
    ("when was PACE 2023", "timeline", "PACE 2023", "en"),
    ("When were the anti-terror measures", "timeline", "anti-terror measures", "en"),
    ("timeline of the Lachin corridor", "timeline", "Lachin corridor", "en"),
    # English: claim
    ("who says there are political prisoners", "claim", "there are political prisoners", "en"),
    ("who claims that the elections were unfair", "claim", "elections were unfair", "en"),
    ("who disputes the election results?", "claim", "election results", "en"),
    ("is it true that Azerbaijan left PACE?", "claim", "Azerbaijan left PACE", "en"),
    ("Is it true Azerbaijan left PACE", "claim", "Azerbaijan left PACE", "en"),
    # English: plain search
    ("political prisoners", "search", "political prisoners", "en"),
    ("PACE 2023", "search", "PACE 2023", "en"),
    ("the Luxembourg resolution", "search", "Luxembourg resolution", "en"),
    ("help", "help", "", "en"),
    ("sources", "sources", "", "en"),
    # Russian: who
    ("кто такой Алиев?", "who", "Алиев", "ru"),
    ("кто такая Гафарова?", "who", "Гафарова", "ru"),
    ("Кто такие карабахские армяне", "who", "карабахские армяне", "ru"),
    ("кто это Байрамов", "who", "Байрамов", "ru"),
    ("кто это такая Гафарова", "who", "Гафарова", "ru"),
    ("что такое ПАСЕ?", "what", "ПАСЕ", "ru"),
    ("что такое «Милли Меджлис»?", "what", "Милли Меджлис", "ru"),
    ("где находится Лачин", "who", "Лачин", "ru"),
    ("расскажи про Народный фронт", "what", "Народный фронт", "ru"),
    ("расскажите мне о Гафаровой", "what", "Гафаровой", "ru"),
    # Russian: said
    ("что сказал Алиев?", "said", "Алиев", "ru"),
    ("что сказал Алиев о Карабахе", "said", "Алиев", "ru"),
    ("Что сказала Гафарова", "said", "Гафарова", "ru"),
    ("что говорит Байрамов про ПАСЕ", "said", "Байрамов", "ru"),
    ("что заявил МИД Азербайджана", "said", "МИД Азербайджана", "ru"),
    ("что заявила Гафарова об ПАСЕ", "said", "Гафарова", "ru"),
    ("что Алиев сказал о выборах", "said", "Алиев", "ru"),
    # Russian: timeline, claim, search
    ("когда была резолюция ПАСЕ?", "timeline", "резолюция ПАСЕ", "ru"),
    ("когда Азербайджан вышел из ПАСЕ", "timeline", "Азербайджан вышел из ПАСЕ", "ru"),
    ("кто утверждает, что в Азербайджане есть политзаключённые?", "claim",
     "в Азербайджане есть политзаключённые", "ru"),
    ("кто отрицает геноцид", "claim", "геноцид", "ru"),
    ("правда ли, что Азербайджан вышел из ПАСЕ?", "claim", "Азербайджан вышел из ПАСЕ", "ru"),
    ("Правда ли Азербайджан вышел из ПАСЕ", "claim", "Азербайджан вышел из ПАСЕ", "ru"),
    ("политзаключённые", "search", "политзаключённые", "ru"),
    ("«Народный фронт»", "search", "Народный фронт", "ru"),
    ("источники", "sources", "", "ru"),
    ("помощь", "help", "", "ru"),
    # Azerbaijani: who
    ("Əliyev kimdir?", "who", "Əliyev", "az"),
    ("İlham Əliyev kimdir", "who", "İlham Əliyev", "az"),
    ("kimdir Qafarova", "who", "Qafarova", "az"),
    ("Qafarova kim", "who", "Qafarova", "az"),
    ("Aliyev kimdir", "who", "Aliyev", "az"),
    ("Milli Məclis nədir?", "what", "Milli Məclis", "az"),
    ("Laçın haqqında", "what", "Laçın", "az"),
    ("Qarabağ haqqında məlumat", "what", "Qarabağ", "az"),
    ("Xankəndi haradadır", "who", "Xankəndi", "az"),
    # Azerbaijani: said
    ("Əliyev nə dedi?", "said", "Əliyev", "az"),
    ("Aliyev ne dedi", "said", "Aliyev", "az"),
    ("Bayramov nə deyir", "said", "Bayramov", "az"),
    ("Milli Məclis nə bəyan edib", "said", "Milli Məclis", "az"),
    ("Əliyev Qarabağ haqqında nə dedi?", "said", "Əliyev", "az"),
    ("nə dedi Əliyev", "said", "Əliyev", "az"),
    # Azerbaijani: timeline, claim, search
    ("PACE qətnaməsi nə vaxt qəbul edilib?", "timeline", "PACE qətnaməsi", "az"),
    ("seçkilər nə zaman", "timeline", "seçkilər", "az"),
    ("Qarabagda ne vaxt", "timeline", "Qarabagda", "az"),
    ("nə vaxt seçkilər olub", "timeline", "seçkilər olub", "az"),
    ("kim deyir ki, siyasi məhbuslar var", "claim", "siyasi məhbuslar var", "az"),
    ("Azərbaycanda siyasi məhbuslar var doğrudurmu?", "claim", "Azərbaycanda siyasi məhbuslar var", "az"),
    ("siyasi məhbuslar", "search", "siyasi məhbuslar", "az"),
    ("mənbələr", "sources", "", "az"),
]


@pytest.mark.parametrize(("message", "command", "subject", "lang"), CASES)
def test_message(message: str, command: str, subject: str, lang: str) -> None:
    intent = understand(message)
    assert (intent.command, intent.subject, intent.lang) == (command, subject, lang)
    assert intent.greeting is False
    assert (intent.question is None) == (command in {"search", "help", "sources", "about"})


def test_enough_rows() -> None:
    assert len(CASES) >= 60
    assert {lang for *_, lang in CASES} == {"en", "ru", "az"}


@pytest.mark.parametrize(
    ("message", "about"),
    [
        ("What did Aliyev say about Karabakh?", "Karabakh"),
        ("what does Bayramov think about the EU", "EU"),
        ("что сказал Алиев о Карабахе", "Карабахе"),
        ("что говорит Байрамов про ПАСЕ", "ПАСЕ"),
        ("что заявила Гафарова об ПАСЕ", "ПАСЕ"),
        ("Əliyev Qarabağ haqqında nə dedi?", "Qarabağ"),
        ("Əliyev nə dedi Qarabağ haqqında", "Qarabağ"),
        ("what did Aliyev say", None),
        ("что сказал Алиев", None),
        ("Əliyev nə dedi", None),
    ],
)
def test_said_about(message: str, about: str | None) -> None:
    intent = understand(message)
    assert intent.command == "said"
    assert intent.about == about


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        ("привет", "ru"), ("Привет!", "ru"), ("здравствуйте", "ru"), ("спасибо", "ru"), ("спасибо большое!", "ru"),
        ("hi", "en"), ("hello!", "en"), ("Hello there", "en"), ("thanks a lot", "en"), ("Thank you!", "en"),
        ("salam", "az"), ("Salam!", "az"), ("sağ ol", "az"), ("çox sağ olun", "az"), ("təşəkkür edirəm", "az"),
        ("təşəkkürlər", "az"), ("hi @briefbot", "en"),
    ],
)
def test_greeting_alone(message: str, lang: str) -> None:
    intent = understand(message)
    assert intent.greeting is True
    assert intent.subject == ""
    assert intent.lang == lang


@pytest.mark.parametrize(
    ("message", "command", "subject"),
    [
        ("привет, кто такая Гафарова?", "who", "Гафарова"),
        ("Hi! Who is Aliyev?", "who", "Aliyev"),
        ("hello, what did PACE say", "said", "PACE"),
        ("Salam, Əliyev kimdir?", "who", "Əliyev"),
        ("спасибо, а что такое ПАСЕ", "what", "ПАСЕ"),
        ("привет Алиев", "search", "Алиев"),
        ("кто такая Гафарова? спасибо", "who", "Гафарова"),
    ],
)
def test_greeting_then_question(message: str, command: str, subject: str) -> None:
    intent = understand(message)
    assert (intent.command, intent.subject, intent.greeting) == (command, subject, False)


@pytest.mark.parametrize(
    ("message", "command", "subject", "lang"),
    [
        ("/actor aliev", "actor", "aliev", "en"),
        ("/actor@briefbot Aliyev", "actor", "Aliyev", "en"),
        ("/ACTOR Aliyev", "actor", "Aliyev", "en"),
        ("/actor кто такая Гафарова", "actor", "Гафарова", "ru"),
        ("/actor кто такая Гафарова?", "actor", "Гафарова", "ru"),
        ("/actor Əliyev kimdir", "actor", "Əliyev", "az"),
        ("/claim political prisoners", "claim", "political prisoners", "en"),
        ("/claim правда ли, что Азербайджан вышел из ПАСЕ", "claim", "Азербайджан вышел из ПАСЕ", "ru"),
        ("/timeline PACE 2023", "timeline", "PACE 2023", "en"),
        ("/timeline когда была резолюция ПАСЕ", "timeline", "резолюция ПАСЕ", "ru"),
        ("/help", "help", "", "en"),
        ("/help@briefbot", "help", "", "en"),
        ("/sources", "sources", "", "en"),
        ("/about", "about", "", "en"),
        ("/source 3", "source", "3", "en"),
        ("/start q_abc-DEF", "start", "q_abc-DEF", "en"),
        ("/open a_gafarova", "open", "a_gafarova", "en"),
        ("/nonsense words", "nonsense", "words", "en"),
    ],
)
def test_explicit_command(message: str, command: str, subject: str, lang: str) -> None:
    intent = understand(message)
    assert (intent.command, intent.subject, intent.lang, intent.explicit) == (command, subject, lang, True)
    assert intent.greeting is False


def test_explicit_command_keeps_its_command_over_the_question() -> None:
    intent = understand("/actor what did Aliyev say about Karabakh")
    assert (intent.command, intent.subject, intent.about) == ("actor", "Aliyev", "Karabakh")


@pytest.mark.parametrize("message", ["who is", "кто такой", "что такое", "kimdir", "когда", "?", "", "   ", "/", "!!!"])
def test_question_words_alone_have_no_subject(message: str) -> None:
    intent = understand(message)
    assert intent.question is None
    assert intent.command in {"search", "help"}


def test_case_insensitive() -> None:
    assert understand("WHO IS ALIYEV").subject == "ALIYEV"
    assert understand("КТО ТАКАЯ ГАФАРОВА").command == "who"
    assert understand("ƏLİYEV KİMDİR").subject == "ƏLİYEV"


def test_punctuation_stripped() -> None:
    assert understand('who is "Aliyev"?!').subject == "Aliyev"
    assert understand("что такое «ПАСЕ»?..").subject == "ПАСЕ"
    assert understand("who is Aliyev — the president?").subject == "Aliyev the president"
    assert understand("Nagorno-Karabakh").subject == "Nagorno-Karabakh"


def test_long_paste_is_a_search() -> None:
    text = "who is " + " ".join(["word"] * 100)
    intent = understand(text)
    assert intent.command == "search"


def test_intent_is_frozen() -> None:
    intent = understand("who is Aliyev")
    assert isinstance(intent, Intent)
    with pytest.raises(dataclasses.FrozenInstanceError):
        intent.command = "claim"  # type: ignore[misc]


def test_fold_keeps_length() -> None:
    text = "İLHAM Əliyev ŞUŞA ёлка Straße ǅ’"
    assert len(fold(text)) == len(text)
    assert fold("Nə dedi") == "ne dedi"


def test_clean() -> None:
    assert clean("  «Народный   фронт»!  ") == "Народный фронт"
    assert clean("U.S. State Department.") == "U.S. State Department"
    assert clean("Bakı'da ’quoted’") == "Bakı'da quoted"


def test_template() -> None:
    regex = compile_template("who (is|was)? {subject}")
    assert regex.match("who is aliyev ").group("subject") == "aliyev"
    assert regex.match("who aliyev ").group("subject") == "aliyev"
    assert regex.match("whois aliyev ") is None


def test_rule_files_are_strings_only() -> None:
    """YAML reads bare yes/no/on/true as booleans: every rule must come back as text."""
    for path in Path(__file__).parents[1].joinpath("bot", "understand").glob("questions_*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        for key in ("greetings", "filler", "markers"):
            assert all(isinstance(w, str) for w in data[key]), (path.name, key)
        for phrases in data["keywords"].values():
            assert all(isinstance(w, str) for w in phrases)
        for row in data["patterns"]:
            assert set(row) == {"command", "match"} and "{subject}" in row["match"], row
    assert len(rules().patterns) > 40


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_never_raises(message: str) -> None:
    intent = understand(message)
    assert intent.lang in {"en", "ru", "az"}
    assert isinstance(intent.subject, str)


words = st.sampled_from(["who", "is", "кто", "такая", "что", "сказал", "о", "nə", "dedi", "haqqında", "kimdir",
                         "/actor", "@bot", "?", "«", "»", "'", "Əliyev", "Гафарова", "hi", "привет", "when", "did"])


@settings(max_examples=400, deadline=None)
@given(st.lists(words, max_size=12).map(" ".join))
def test_never_raises_on_rule_words(message: str) -> None:
    intent = understand(message)
    assert intent.command
    assert "?" not in intent.subject and "«" not in intent.subject


def test_an_azerbaijani_when_question_keeps_its_verb_with_the_subject() -> None:
    """"X nə vaxt dayandırdı?" asks when X *stopped*: the verb, at the end in Azerbaijani, stays
    with the subject as the English verb does in "when did X stop"."""
    intent = understand("Azərbaycan AŞPA ilə əməkdaşlığı nə vaxt dayandırdı?")
    assert (intent.command, intent.subject) == ("timeline", "Azərbaycan AŞPA ilə əməkdaşlığı dayandırdı")
    assert understand("Qarabağ müharibəsi nə vaxt olub?").subject == "Qarabağ müharibəsi"


@pytest.mark.parametrize(("text", "lang"), [
    ("konqresmenler siyasi mehbuslarin azad edilmesini istedi", "az"),  # Azerbaijani without its letters
    ("antiterror tedbirleri yalniz qanunsuz herbi birlesmelere qarsi yonelib", "az"),
    ("Ermenistan Azerbaycan erazilerinin nece faizini isgal etmisdi?", "az"),  # "nece" (neçə) marks it
    ("birinci Qarabag muharibesinde nece azerbaycanli olduruldu?", "az"),
    ("popular regular dollar solar", "en"),  # English words with Azerbaijani-looking endings
    ("the killer and the ruler were smaller", "en"),
    ("Ukraine China relations", "en"),  # names are no language ("-ine", "-ina", a q)
    ("Iraq Qatar", "en"),
    ("Lenin Stalin Hitler", "en"),
])
def test_azerbaijani_typed_in_ascii_is_read_as_azerbaijani(text: str, lang: str) -> None:
    from bot.understand.intent import guess_lang

    assert guess_lang(text) == lang
