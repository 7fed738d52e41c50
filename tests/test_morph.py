"""bot.understand.morph: inflected words typed by users → candidate base forms, without over-stripping."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.understand.morph import base_forms, phrase_base_forms, script_lang

# inflected word → a base form that must be among its candidates
RUSSIAN: list[tuple[str, str]] = [
    ("Гафаровой", "Гафарова"), ("Гафарову", "Гафарова"), ("Гафаровым", "Гафаров"), ("Алиеву", "Алиев"),
    ("Алиева", "Алиев"), ("Алиевым", "Алиев"), ("Алиевой", "Алиева"), ("Байрамова", "Байрамов"),
    ("Байрамову", "Байрамов"), ("Пашиняна", "Пашинян"), ("Пашиняном", "Пашинян"), ("Мустафы", "Мустафа"),
    ("Карабаха", "Карабах"), ("Карабахе", "Карабах"), ("Карабахом", "Карабах"), ("Азербайджана", "Азербайджан"),
    ("Азербайджане", "Азербайджан"), ("Армении", "Армения"), ("Арменией", "Армения"), ("России", "Россия"),
    ("Ирана", "Иран"), ("Лачина", "Лачин"), ("Шуше", "Шуша"), ("Шуши", "Шуша"), ("Люксембурга", "Люксембург"),
    ("Меджлиса", "Меджлис"), ("Меджлисе", "Меджлис"), ("парламента", "парламент"), ("парламенту", "парламент"),
    ("Народного", "Народный"), ("фронта", "фронт"), ("выборы", "выборы"), ("выборов", "выборы"),
    ("выборах", "выборы"), ("политзаключённых", "политзаключённый"), ("политзаключенных", "политзаключенный"),
    ("заключённых", "заключённый"), ("резолюции", "резолюция"), ("резолюцию", "резолюция"),
    ("миротворцев", "миротворец"), ("армян", "армянин"), ("оппозиции", "оппозиция"), ("делегации", "делегация"),
    ("Совета", "совет"), ("Европы", "Европа"), ("ассамблеи", "ассамблея"), ("пограничников", "пограничник"),
    ("министерства", "министерство"), ("заявлениях", "заявление"), ("Гафарова", "Гафарова"),
    # not in the dictionary: guessed from the ending
    ("Зангезура", "Зангезур"), ("Ходжавенда", "Ходжавенд"), ("Ханкенди", "Ханкенди"),
]
AZERBAIJANI: list[tuple[str, str]] = [
    ("Qarabağda", "Qarabağ"), ("Qarabağdan", "Qarabağ"), ("Qarabağın", "Qarabağ"), ("Qarabağa", "Qarabağ"),
    ("Əliyevin", "Əliyev"), ("Əliyevə", "Əliyev"), ("Əliyevi", "Əliyev"), ("Əliyevlə", "Əliyev"),
    ("Məclisin", "Məclis"), ("Məclisində", "Məclis"), ("Məclisdə", "Məclis"), ("Məclisi", "Məclis"),
    ("Bakıdan", "Bakı"), ("Bakıda", "Bakı"), ("Bakıya", "Bakı"), ("Bakının", "Bakı"), ("Bakını", "Bakı"),
    ("Bakı'da", "Bakı"), ("Bakı’dan", "Bakı"), ("Laçından", "Laçın"), ("Laçına", "Laçın"),
    ("Şuşada", "Şuşa"), ("Şuşanın", "Şuşa"), ("Xankəndidə", "Xankəndi"), ("Ermənistana", "Ermənistan"),
    ("Ermənistanın", "Ermənistan"), ("Azərbaycanın", "Azərbaycan"), ("Azərbaycanda", "Azərbaycan"),
    ("seçkilər", "seçki"), ("seçkilərdə", "seçki"), ("seçkilərin", "seçki"), ("məhbusların", "məhbus"),
    ("məhbuslar", "məhbus"), ("deputatları", "deputat"), ("qətnaməsi", "qətnamə"), ("qətnaməni", "qətnamə"),
    ("İrana", "İran"), ("İlhamın", "İlham"), ("Bakıdakı", "Bakı"), ("Qarabağdakı", "Qarabağ"),
    ("Qafarovanın", "Qafarova"), ("Bayramovun", "Bayramov"),
    # typed on an ASCII keyboard
    ("Qarabagda", "Qarabag"), ("Aliyevin", "Aliyev"), ("Meclisin", "Meclis"), ("Bakidan", "Baki"),
    ("Qarabaga", "Qarabag"),
]
ENGLISH: list[tuple[str, str]] = [
    ("Aliyev's", "Aliyev"), ("Aliyev’s", "Aliyev"), ("prisoners", "prisoner"), ("Armenians", "Armenian"),
    ("elections", "election"), ("parties", "party"), ("ministries", "ministry"), ("peacekeepers", "peacekeeper"),
    ("resolutions", "resolution"), ("Azerbaijan's", "Azerbaijan"), ("guards", "guard"), ("Ministers'", "Minister"),
]
# Written after the rules, as a check on them (names from briefs/ and everyday words); the first run
# missed Зангезура and İrana, since fixed. Also the lists the pymorphy3/snowballstemmer comparison used.
HELD_OUT_RU: list[tuple[str, str]] = [
    ("Керимли", "Керимли"), ("Мамедли", "Мамедли"), ("Ханкенди", "Ханкенди"), ("Агдама", "Агдам"),
    ("Физули", "Физули"), ("Кельбаджара", "Кельбаджар"), ("Зангезура", "Зангезур"), ("Мустафе", "Мустафа"),
    ("Байрамовым", "Байрамов"), ("Гафаровою", "Гафарова"), ("Ильхама", "Ильхам"), ("Сахибы", "Сахиба"),
    ("Джейхуна", "Джейхун"), ("Ходжавенда", "Ходжавенд"), ("Сарсангского", "сарсангский"),
    ("водохранилища", "водохранилище"),
    ("Евросоюза", "Евросоюз"), ("Госдепартамента", "госдепартамент"), ("Конгресса", "конгресс"), ("США", "США"),
    ("Красного", "красный"), ("Креста", "крест"), ("Совбеза", "совбез"), ("ООН", "ООН"),
    ("миротворческого", "миротворческий"), ("контингента", "контингент"), ("пограничниками", "пограничник"),
    ("вооружённых", "вооружённый"), ("сил", "сила"), ("депутатов", "депутат"), ("делегацией", "делегация"),
    ("санкциях", "санкция"), ("резолюциями", "резолюция"), ("заявлением", "заявление"), ("переговорах", "переговоры"),
    ("коридора", "коридор"), ("Лачинского", "лачинский"), ("беженцев", "беженец"), ("армянами", "армянин"),
    ("оппозиционной", "оппозиционный"), ("партии", "партия"), ("нон", "нон"), ("грата", "грата"),
    ("Люксембургской", "люксембургский"), ("палаты", "палата"), ("депутатов", "депутат"),
]
HELD_OUT_AZ: list[tuple[str, str]] = [
    ("Ağdamda", "Ağdam"), ("Füzuliyə", "Füzuli"), ("Kəlbəcərdən", "Kəlbəcər"), ("Xocavəndin", "Xocavənd"),
    ("Sərsəngə", "Sərsəng"), ("Zəngəzurun", "Zəngəzur"), ("Kərimlinin", "Kərimli"), ("Məmmədliyə", "Məmmədli"),
    ("Bayramova", "Bayramov"), ("Qafarovaya", "Qafarova"), ("Lüksemburqun", "Lüksemburq"), ("Avropada", "Avropa"),
    ("parlamentin", "parlament"), ("deputatlar", "deputat"), ("nümayəndə", "nümayəndə"), ("heyətinin", "heyət"),
    ("qətnamələr", "qətnamə"), ("sanksiyalar", "sanksiya"), ("sülhməramlıların", "sülhməramlı"), ("ordusu", "ordu"),
    ("sərhədçilər", "sərhədçi"), ("müxalifətin", "müxalifət"), ("partiyası", "partiya"), ("seçkidən", "seçki"),
    ("bəyanatında", "bəyanat"), ("Rusiyanın", "Rusiya"), ("İrana", "İran"), ("Amerikadan", "Amerika"),
    ("Ermənistanla", "Ermənistan"), ("Şuşaya", "Şuşa"),
]


# Words whose own form must come first, and that must not be cut down.
WHOLE: list[tuple[str, set[str]]] = [
    ("Laçın", {"Laç"}), ("Baku", {"Bak"}), ("Bakı", {"Bak"}), ("Gafarova", set()), ("Qafarova", set()),
    ("Şuşa", {"Şuş"}), ("Xocalı", {"Xocal"}), ("Əliyev", set()), ("Azərbaycan", set()), ("Fuzuli", {"Fuzul"}),
    ("ana", set()), ("Laçin", {"Laç"}), ("Milli", {"Mill"}), ("news", {"new"}), ("Congress", {"Congres"}),
    ("ПАСЕ", {"ПАС"}), ("ООН", set()), ("Baku's", set()), ("Paris", {"Pari"}), ("Belarus", {"Belaru"}),
]


@pytest.mark.parametrize(("word", "base"), RUSSIAN + AZERBAIJANI + ENGLISH + HELD_OUT_RU + HELD_OUT_AZ)
def test_base_among_candidates(word: str, base: str) -> None:
    forms = base_forms(word)
    assert forms[0] == word
    assert base in forms or base.lower() in [f.lower() for f in forms], forms


def test_enough_rows() -> None:
    assert len(RUSSIAN) >= 40 and len(AZERBAIJANI) >= 40


@pytest.mark.parametrize(("word", "never"), WHOLE)
def test_no_over_stripping(word: str, never: set[str]) -> None:
    forms = base_forms(word)
    assert forms[0] == word
    assert not never & set(forms), forms
    assert all(len(f) >= 3 for f in forms[1:]), forms


def test_short_words_stay() -> None:
    for word in ("da", "də", "in", "Aı", "ЕС", "в", "abc", "Bakı"):
        assert base_forms(word) == (word,)


def test_both_readings_of_alieva() -> None:
    """Алиева is the genitive of Алиев and also the female surname: both, the typed one first."""
    assert base_forms("Алиева")[:2] == ("Алиева", "Алиев")
    assert "Гафарова" in base_forms("Гафаровой") and base_forms("Гафаровой").index("Гафарова") == 1


def test_longest_ending_first() -> None:
    assert base_forms("seçkilərdə")[1] == "seçki"
    assert base_forms("Qarabağda") == ("Qarabağda", "Qarabağ")


def test_no_plural_of_first_names() -> None:
    assert base_forms("Алиев") == ("Алиев",)  # not also "Алий", a first name in the genitive plural


def test_case_kept() -> None:
    assert base_forms("İrana") == ("İrana", "İran")
    assert base_forms("İLHAMIN") == ("İLHAMIN", "İLHAM")
    assert base_forms("КАРАБАХА")[1] == "КАРАБАХ"
    assert base_forms("карабаха")[1] == "карабах"
    assert base_forms("QARABAĞDA")[1] == "QARABAĞ"


def test_lang_hint() -> None:
    assert base_forms("Qarabagda", "en") == ("Qarabagda",)  # English rules only: no Azerbaijani endings
    assert "Qarabag" in base_forms("Qarabagda", "az")
    assert base_forms("prisoners", "en") == ("prisoners", "prisoner")


def test_phrases() -> None:
    assert phrase_base_forms("в Карабахе") == [("в",), ("Карабахе", "Карабах")]
    forms = phrase_base_forms("Народного фронта")
    assert "Народный" in forms[0] and "фронт" in forms[1]
    assert phrase_base_forms("Milli Məclisin") == [("Milli",), ("Məclisin", "Məclis")]
    assert phrase_base_forms("Aliyev's statements") == [("Aliyev's", "Aliyev"), ("statements", "statement")]
    assert phrase_base_forms("") == []
    assert phrase_base_forms("?!") == []


def test_script_lang() -> None:
    assert (script_lang("Алиев"), script_lang("Əliyev"), script_lang("Aliyev")) == ("ru", "az", "")


def test_import_is_cheap() -> None:
    """Importing the module must not load the Russian dictionary; the first Cyrillic word does."""
    code = ("import sys, bot.understand.morph as m; assert 'pymorphy3' not in sys.modules; "
            "m.base_forms('Qarabağda'); assert 'pymorphy3' not in sys.modules; "
            "m.base_forms('Карабаха'); assert 'pymorphy3' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_never_raises(word: str) -> None:
    forms = base_forms(word)
    assert isinstance(forms, tuple)
    if word.strip():
        assert forms and forms[0]
    assert isinstance(phrase_base_forms(word), list)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАГКəığşçöüaeiklmnrsdyz'", min_size=1, max_size=20))
def test_never_raises_on_letters(word: str) -> None:
    forms = base_forms(word)
    assert forms[0] == word.strip() or not word.strip()


@pytest.mark.parametrize(("word", "place"), [
    ("украинского", "украина"), ("армянские", "армения"), ("азербайджанская", "азербайджан"),
    ("российских", "россия"), ("люксембургском", "люксембург"), ("турецкие", "турция"),
    ("бакинский", "баку"), ("türk", "türkiyə"), ("ermənilər", "ermənistan"), ("ukraynalı", "ukrayna"),
])
def test_a_place_written_as_an_adjective_or_nationality_gives_its_name(word: str, place: str) -> None:
    """Russian writes places as lowercase adjectives ("армянские силы"), Azerbaijani as nationality
    words ("türk əsgərləri"): the place's name is among the candidates the index looks up."""
    assert place in [f.lower() for f in base_forms(word)]


def test_a_plain_adjective_gives_no_place() -> None:
    assert not {"политика", "политикия"} & set(base_forms("политический"))
    assert base_forms("Того") == ("Того", "Тот")  # "of that", not Togo


def test_the_stored_country_names_are_cldrs() -> None:
    """countries.json keeps Babel's CLDR names for start-up; rewrite it with
    `python -m bot.understand.places` when Babel's data changes."""
    from bot.understand import places

    for lang in places.LANGS:
        assert sorted(places.countries(lang)) == places.from_cldr(lang), lang


def test_an_acronyms_plural_gives_the_acronym() -> None:
    assert "mp" in [f.lower() for f in base_forms("MPs")]
    assert "ngo" in [f.lower() for f in base_forms("NGOs")]
    assert base_forms("US") == ("US",) and base_forms("PACE") == ("PACE",)


@pytest.mark.parametrize(("word", "place"), [("American", "america"), ("Armenian", "armenia"), ("Iranian", "iran"),
                                             ("Turkish", "turkey"), ("Ukrainian", "ukraine")])
def test_an_english_nationality_word_names_its_country(word: str, place: str) -> None:
    assert place in [f.lower() for f in base_forms(word, "en")]


@pytest.mark.parametrize("word", ["humanitarian", "civilian", "guardian"])
def test_an_english_word_ending_like_a_nationality_is_no_country(word: str) -> None:
    assert base_forms(word, "en") == (word,)


@pytest.mark.parametrize(("word", "denied"), [("неподходящий", "подходящий"), ("незаконно", "законно"),
                                              ("недобровольно", "добровольно"), ("несправедливо", "справедливо"),
                                              ("несколько", None), ("некоторые", None), ("необходимо", None),
                                              ("немедленно", None)])
def test_a_russian_ne_word_denies_the_word_it_is_built_on(word: str, denied: str | None) -> None:
    from bot.understand.morph import russian_negated

    assert russian_negated(word) == denied
