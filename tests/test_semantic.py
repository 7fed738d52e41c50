"""Matching by meaning: the on-disk embedding cache, the lexical fallback when the model is missing,
and answers by meaning that never stand on similarity alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core import Engine
from bot.render import plain_text

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds")


def _mini_copy(tmp_path: Path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def test_the_cache_embeds_each_text_once_and_only_changed_entries_again(tmp_path: Path) -> None:
    corpus = _mini_copy(tmp_path)
    cache = tmp_path / "cache"
    cold = Engine.load(corpus / "briefs", corpus / "seeds", cache_dir=cache)
    assert cold.semantic is not None
    passages = len(cold.semantic.passages)
    assert cold.semantic.cache.computed == passages > 0
    warm = Engine.load(corpus / "briefs", corpus / "seeds", cache_dir=cache)
    assert warm.semantic is not None and warm.semantic.cache.computed == 0  # a warm start embeds nothing
    brief = corpus / "briefs" / "alpha.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "John Doe says the report is fair and accurate.", "John Doe says the report is fair, accurate and balanced."),
        encoding="utf-8")
    edited = Engine.load(corpus / "briefs", corpus / "seeds", cache_dir=cache)
    assert edited.semantic is not None and edited.semantic.cache.computed == 1  # that paraphrase alone


def test_an_unreadable_cache_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    corpus = _mini_copy(tmp_path)
    cache = tmp_path / "cache"
    Engine.load(corpus / "briefs", corpus / "seeds", cache_dir=cache)
    for f in cache.iterdir():
        f.write_bytes(b"not a numpy archive")
    again = Engine.load(corpus / "briefs", corpus / "seeds", cache_dir=cache)
    assert again.semantic is not None and again.semantic.cache.computed == len(again.semantic.passages)
    assert again.answer("/claim the report is biased").matched


def test_without_the_model_the_bot_answers_by_words_and_says_so() -> None:
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds", embedder="sentence-transformers:/no/such/model")
    assert engine.semantic is None
    assert engine.answer("/actor aliev").matched
    assert engine.answer("/claim political prisoners").matched
    assert "Matching by meaning is off" in plain_text(engine.answer("/about").html)
    assert "matched by their words and by their meaning" in plain_text(
        Engine.load(ROOT / "briefs", ROOT / "seeds").answer("/about").html)


@pytest.mark.parametrize(("message", "claimant", "source"), [
    ("/claim Karimli says the ruling camp panicked", "Ali Karimli", "002_bf356d375fa915f2.txt"),
    ("/claim the world ignored Armenia cutting off communications for three years", "Foreign",
     "004_856f7c45f8c9dc7a.txt"),
    ("/claim America's attitude towards Azerbaijan has become a real problem", "Fazil Mustafa",
     "002_bf356d375fa915f2.txt"),
    ("/claim ABŞ Azərbaycanın təhlükəsizliyində müsbət rol oynayıb", "Mammadli", "002_bf356d375fa915f2.txt"),
    ("/claim около 4000 азербайджанцев пропали без вести", "Caspian News", "003_4c6558f46b133d32.txt"),
])
def test_a_claim_in_other_words_or_languages_finds_who_said_it(engine: Engine, message: str, claimant: str,
                                                              source: str) -> None:
    reply = engine.answer(message)
    assert reply.matched, plain_text(reply.html)
    assert claimant in plain_text(reply.html)
    assert source in reply.sources
    assert "matched by meaning" in plain_text(reply.html)  # the reader is told how it matched


@pytest.mark.parametrize("message", [
    "/claim Erdogan says PACE is biased",  # a person the sources never name
    "/claim Azerbaijan joined NATO",  # an organisation they never name
    "/claim the Milli Majlis thanked Luxembourg for its resolution",  # the opposite side
    "/claim over 500 Azerbaijanis were killed by landmines since 2020",  # a figure they do not give
    "/claim Mehriban Aliyeva says Azerbaijan is ready to sign peace",  # an unknown first name
    "/timeline Karabakh earthquake",  # a topic word no event holds
    "/timeline PACE gives Azerbaijan back its voting rights",  # the opposite direction
    "/claim Turkey sent troops to Karabakh in 2023",
    "/claim the US Congress imposed sanctions on Azerbaijan",  # a topic the curators tag, not this claim's
    "/claim ABŞ Konqresi Azərbaycana sanksiyalar tətbiq etdi",  # the same in Azerbaijani
    "/claim the European Union opposed the Aghdam-Khankendi road",  # the sources say it supported it
    "/claim Milli Məclis Lüksemburq parlamentinə qətnaməyə görə təşəkkür etdi",  # "thanked": the Majlis praised nothing
    "/claim Армения выполнила резолюции СБ ООН",  # they say it ignored them ("failed to comply")
    "/claim турецкие войска вошли в Карабах",  # a country named by an adjective the sources never name
    "/claim türk əsgərləri Qarabağa daxil oldu",  # the same by a nationality word, in Azerbaijani
    "/claim Azərbaycan ABŞ ilə hərbi əməkdaşlığı genişləndirdi",  # "expanded": the MPs asked to terminate it
    "/claim ПАСЕ восстановила полномочия азербайджанской делегации",  # "restored": PACE challenged them
    "/timeline землетрясение в Карабахе",  # a topic word no event or translation holds, in Russian
    "/claim Qarabağda zəlzələ",  # the same in Azerbaijani
    # a party the sources hold no claim by (the figure nearest by meaning is about displaced people)
    "сколько политзаключённых в Азербайджане по данным правозащитников?",
    "how many political prisoners are there according to rights groups?",
    # events by meaning alone are topics: a made-up event is as near as a true one
    "/claim США ввели санкции против Азербайджана",
    "/claim Люксембург отозвал своего посла из Баку",
    "/claim COP29 was moved out of Baku",
])
def test_close_in_topic_is_not_an_answer(engine: Engine, message: str) -> None:
    assert not engine.answer(message).matched


def test_a_semantic_near_miss_is_offered_not_asserted(engine: Engine) -> None:
    reply = engine.answer("/claim Luxembourg's deputies should drop their aggressive rhetoric")
    assert not reply.matched
    assert "Did you mean" in plain_text(reply.html)
    assert any("Milli Majlis" in b.text for row in reply.buttons for b in row)


def test_a_tagged_topic_the_question_names_is_held_by_the_answer(engine: Engine) -> None:
    """"Sanctions" is a topic the curators tag: a claim on sanctions is found, and whatever is
    answered holds the topic, however close another claim on the same parties lies."""
    reply = engine.answer("/claim Karimli says the MPs started threatening the US with sanctions")
    assert reply.matched, plain_text(reply.html)
    assert "sanction" in plain_text(reply.html).lower()
    assert "Karimli" in plain_text(reply.html)


@pytest.mark.parametrize(("message", "expected"), [
    ("/claim the EU supported the Aghdam road", "European Union"),  # the side the sources do give
    ("/claim Armenia ignored UN Security Council resolutions", "Armenia"),
])
def test_the_side_the_sources_take_is_still_answered(engine: Engine, message: str, expected: str) -> None:
    reply = engine.answer(message)
    assert reply.matched, plain_text(reply.html)
    assert expected in plain_text(reply.html)


@pytest.mark.parametrize(("message", "expected", "source"), [
    # The words are those of the entry's reviewed translation ("трёхсторонним заявлением", "Xalq
    # Cəbhəsi Partiyasının sədri"): they now count as evidence beside the meaning.
    ("когда было подписано трёхстороннее заявление?", "10 November 2020", "003_4c6558f46b133d32.txt"),
    ("/actor Xalq Cəbhəsi Partiyasının sədri", "Ali Karimli", "002_bf356d375fa915f2.txt"),
    # "Великого" is no name the index never heard of: the translations use it.
    ("сколько семей вернутся по программе Великого возвращения?", "34,500 families", "003_4c6558f46b133d32.txt"),
    # The ministry's claim and the event it is about tell the same thing: no rivals for the margin.
    ("minalardan neçə azərbaycanlı zərər çəkib?", "303", "004_856f7c45f8c9dc7a.txt"),
])
def test_a_question_in_the_words_of_an_entrys_translation_finds_it(engine: Engine, message: str, expected: str,
                                                                    source: str) -> None:
    reply = engine.answer(message)
    assert reply.matched, plain_text(reply.html)
    assert expected in plain_text(reply.html)
    assert source in reply.sources


def test_a_named_speaker_still_answers_a_figure_question(engine: Engine) -> None:
    # The control for "according to rights groups": a party the sources quote.
    reply = engine.answer("according to Karimli how many political prisoners are there")
    assert reply.matched and "Karimli" in reply.html and "300" in reply.html


@pytest.mark.parametrize(("one", "other", "same"), [
    ("140 тысяч человек", "140,000 people", True),
    ("140 min nəfər", "140 000 человек", True),
    ("ten thousand soldiers", "10,000 soldiers", True),
    ("one million displaced", "1 million displaced", True),
    ("two million displaced", "one million displaced", False),
    ("half a million", "a million", False),
    ("1.5 million", "1,500,000", True),
    ("1,5 миллиона", "1.5 million", True),
    ("1.5 million", "15 million", False),
    ("3,5 days", "35 days", False),
    ("thousands of refugees", "refugees", True),  # a magnitude without a count is no figure
    ("more than thirty thousand", "over 30,000", True),  # tens written out
    ("nearly sixty", "nearly 60", True),
    ("тридцать тысяч", "otuz min", True),
    ("the delegation walked out on PACE", "the delegation left PACE", True),  # English "on" is no ten
    ("Minalardan on nəfər zərər çəkib", "10 nəfər", True),  # Azerbaijani "on" is
])
def test_a_figure_is_the_same_however_it_is_written(one: str, other: str, same: bool) -> None:
    from bot.retrieve.rank import numbers

    assert (numbers(one) == numbers(other)) is same


def test_a_figure_written_with_a_magnitude_word_finds_its_claim(engine: Engine) -> None:
    reply = engine.answer("/claim по программе Великого возвращения на освобождённые земли вернутся 140 тысяч человек")
    assert reply.matched and "140,000" in reply.html and "Caspian News" in reply.html


@pytest.mark.parametrize(("message", "figure"), [
    ("сколько тысяч семей вернутся в Карабах?", "34,500"),  # "how many thousand" asks, it gives no figure
    ("Neçə min ailə Böyük Qayıdış proqramı ilə qayıdacaq?", "34,500"),
    ("Minalardan neçə nəfər zərər çəkib?", "303"),  # a known word in a case ending opens the question
    ("How many Azerbaijanis were killed in the war of the early 1990s - more than thirty thousand?", "30,000"),
])
def test_how_many_questions_find_the_figure(engine: Engine, message: str, figure: str) -> None:
    reply = engine.answer(message)
    assert reply.matched and figure in reply.html
