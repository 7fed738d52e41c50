"""Dates in queries, in English, Russian and Azerbaijani: the range asked for and the topic left over."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import Engine
from bot.dates import DateQuery, extract_date
from bot.render import plain_text
from bot.understand import from_today, relative

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds")

OPEN_START = date.min.isoformat()
OPEN_END = date.max.isoformat()

# (text, first day, last day, topic). A month is the whole month, a year the whole year.
RANGES: list[tuple[str, str, str, str]] = [
    # English, as before
    ("2023", "2023-01-01", "2023-12-31", ""),
    ("September 2023", "2023-09-01", "2023-09-30", ""),
    ("2023-07-26", "2023-07-26", "2023-07-26", ""),
    ("10.11.2020", "2020-11-10", "2020-11-10", ""),
    ("PACE since 2024", "2024-01-01", OPEN_END, "PACE"),
    ("until 2025", OPEN_START, "2025-12-31", ""),
    ("before 2020", OPEN_START, "2019-12-31", ""),
    ("after 2020", "2021-01-01", OPEN_END, ""),
    ("Karabakh 2020-2023", "2020-01-01", "2023-12-31", "Karabakh"),
    ("late 1980s", "1987-01-01", "1989-12-31", ""),
    # quarters
    ("Q4 2024", "2024-10-01", "2024-12-31", ""),
    ("PACE Q1 2024", "2024-01-01", "2024-03-31", "PACE"),
    ("the fourth quarter of 2024", "2024-10-01", "2024-12-31", ""),
    ("IV квартал 2024 года", "2024-10-01", "2024-12-31", ""),
    ("Карабах в третьем квартале 2023", "2023-07-01", "2023-09-30", "Карабах"),
    # a third of a month
    ("mid-October 2023", "2023-10-11", "2023-10-20", ""),
    ("PACE late February 2024", "2024-02-21", "2024-02-29", "PACE"),
    ("the beginning of September 2023", "2023-09-01", "2023-09-10", ""),
    ("в конце сентября 2023", "2023-09-21", "2023-09-30", ""),
    ("Карабах в середине сентября 2023 года", "2023-09-11", "2023-09-20", "Карабах"),
    ("the 1990s", "1990-01-01", "1999-12-31", ""),
    ("September 2023 to February 2024", "2023-09-01", "2024-02-29", ""),
    ("PACE between 2020 and 2022", "2020-01-01", "2022-12-31", "PACE"),
    ("2024 to 2020", "2020-01-01", "2024-12-31", ""),
    ("PACE 2024", "2024-01-01", "2024-12-31", "PACE"),
    ("Prague summit 2022", "2022-01-01", "2022-12-31", "Prague summit"),
    ("İlham Əliyev 2023", "2023-01-01", "2023-12-31", "İlham Əliyev"),
    # English, new
    ("mines in 2023", "2023-01-01", "2023-12-31", "mines"),
    ("from 2020 to 2022", "2020-01-01", "2022-12-31", ""),
    ("Karabakh 2020 to now", "2020-01-01", OPEN_END, "Karabakh"),
    ("2020-present", "2020-01-01", OPEN_END, ""),
    ("2020 onwards", "2020-01-01", OPEN_END, ""),
    ("03/10/2024", "2024-10-03", "2024-10-03", ""),
    ("03.10.2024", "2024-10-03", "2024-10-03", ""),
    ("3-10-2024", "2024-10-03", "2024-10-03", ""),
    ("26/07/2023", "2023-07-26", "2023-07-26", ""),
    ("war 27/09/2020", "2020-09-27", "2020-09-27", "war"),
    ("10/27/2020", "2020-10-27", "2020-10-27", ""),
    ("the 3rd of October 2024", "2024-10-03", "2024-10-03", ""),
    ("October 3rd, 2024", "2024-10-03", "2024-10-03", ""),
    ("3rd October 2024", "2024-10-03", "2024-10-03", ""),
    ("Oct 15th 2023", "2023-10-15", "2023-10-15", ""),
    ("Oct 2024", "2024-10-01", "2024-10-31", ""),
    ("Sept. 2023", "2023-09-01", "2023-09-30", ""),
    ("Dec 2026", "2026-12-01", "2026-12-31", ""),
    ("protests 10.2024", "2024-10-01", "2024-10-31", "protests"),
    ("3-5 October 2024", "2024-10-03", "2024-10-05", ""),
    ("war from 27 September to 10 November 2020", "2020-09-27", "2020-11-10", "war"),
    ("27.09.2020-10.11.2020", "2020-09-27", "2020-11-10", ""),
    ("Baku may retaliate 2024", "2024-01-01", "2024-12-31", "Baku may retaliate"),
    ("Martin 2024", "2024-01-01", "2024-12-31", "Martin"),
    ("September to December 2023", "2023-09-01", "2023-12-31", ""),
    ("ceasefire mid-2023", "2023-05-01", "2023-08-31", "ceasefire"),
    ("the end of 2023", "2023-09-01", "2023-12-31", ""),
    # Russian
    ("3 октября 2024", "2024-10-03", "2024-10-03", ""),
    ("19 сентября 2023", "2023-09-19", "2023-09-19", ""),
    ("3-го октября 2024 года", "2024-10-03", "2024-10-03", ""),
    ("в октябре 2024", "2024-10-01", "2024-10-31", ""),
    ("октябрь 2024", "2024-10-01", "2024-10-31", ""),
    ("сентябрь 2023", "2023-09-01", "2023-09-30", ""),
    ("Карабах сентябрь 2023", "2023-09-01", "2023-09-30", "Карабах"),
    ("окт. 2024", "2024-10-01", "2024-10-31", ""),
    ("2020 год", "2020-01-01", "2020-12-31", ""),
    ("2021 год", "2021-01-01", "2021-12-31", ""),
    ("ПАСЕ в 2023 году", "2023-01-01", "2023-12-31", "ПАСЕ"),
    ("с 2023", "2023-01-01", OPEN_END, ""),
    ("санкции с 2023 года", "2023-01-01", OPEN_END, "санкции"),
    ("с 2023 по 2024", "2023-01-01", "2024-12-31", ""),
    ("с 2001 по 2020 год", "2001-01-01", "2020-12-31", ""),
    ("2020–2022 гг.", "2020-01-01", "2022-12-31", ""),
    ("до 2025", OPEN_START, "2025-12-31", ""),
    ("до 2025 года", OPEN_START, "2025-12-31", ""),
    ("после 2020 года", "2021-01-01", OPEN_END, ""),
    ("с 2020 по настоящее время", "2020-01-01", OPEN_END, ""),
    ("в 1990-х", "1990-01-01", "1999-12-31", ""),
    ("1990-е годы", "1990-01-01", "1999-12-31", ""),
    ("конец 1980-х", "1987-01-01", "1989-12-31", ""),
    ("начало 2020-х", "2020-01-01", "2022-12-31", ""),
    ("в конце 2023 года", "2023-09-01", "2023-12-31", ""),
    ("с сентября 2023 по февраль 2024", "2023-09-01", "2024-02-29", ""),
    ("с сентября по декабрь 2023", "2023-09-01", "2023-12-31", ""),
    ("с 3 по 5 октября 2024", "2024-10-03", "2024-10-05", ""),
    ("27 сентября - 10 ноября 2020", "2020-09-27", "2020-11-10", ""),
    ("между 2020 и 2022", "2020-01-01", "2022-12-31", ""),
    ("Карабах 10.11.2020", "2020-11-10", "2020-11-10", "Карабах"),
    ("мирный договор 01.12.2026", "2026-12-01", "2026-12-01", "мирный договор"),
    # Azerbaijani, and typed without Azerbaijani letters
    ("oktyabr 2024", "2024-10-01", "2024-10-31", ""),
    ("3 oktyabr 2024", "2024-10-03", "2024-10-03", ""),
    ("3 oktyabr 2024-cü il", "2024-10-03", "2024-10-03", ""),
    ("2024-cü il", "2024-01-01", "2024-12-31", ""),
    ("2024-cü ildə", "2024-01-01", "2024-12-31", ""),
    ("2024-cu ilde", "2024-01-01", "2024-12-31", ""),
    ("2020-ci il", "2020-01-01", "2020-12-31", ""),
    ("Qarabağ 2020-ci ildə", "2020-01-01", "2020-12-31", "Qarabağ"),
    ("22 noyabr 2020", "2020-11-22", "2020-11-22", ""),
    ("2020-ci il noyabrın 22-si", "2020-11-22", "2020-11-22", ""),
    ("2020-ci il 22 noyabr", "2020-11-22", "2020-11-22", ""),
    ("sentyabrdan dekabra qədər 2023", "2023-09-01", "2023-12-31", ""),
    ("sentyabr 2023", "2023-09-01", "2023-09-30", ""),
    ("2023-cü ilin sentyabrında", "2023-09-01", "2023-09-30", ""),
    ("2024-cü ilin oktyabrı", "2024-10-01", "2024-10-31", ""),
    ("2023-cü ildən", "2023-01-01", OPEN_END, ""),
    ("sanksiyalar 2023-cu ilden", "2023-01-01", OPEN_END, "sanksiyalar"),
    ("2023-cü ildən 2024-cü ilə qədər", "2023-01-01", "2024-12-31", ""),
    ("2020-ci ildən bu günə qədər", "2020-01-01", OPEN_END, ""),
    ("2025-ci ilə qədər", OPEN_START, "2025-12-31", ""),
    ("2020-ci ildən sonra", "2021-01-01", OPEN_END, ""),
    ("2020-ci ildən əvvəl", OPEN_START, "2019-12-31", ""),
    ("2020-2023-cü illər", "2020-01-01", "2023-12-31", ""),
    ("1990-cı illər", "1990-01-01", "1999-12-31", ""),
    ("1990-ci iller", "1990-01-01", "1999-12-31", ""),
    ("1990-cı illərin sonu", "1997-01-01", "1999-12-31", ""),
    ("2023-cü ilin sonu", "2023-09-01", "2023-12-31", ""),
    ("İlham Əliyev 2023-cü ildə", "2023-01-01", "2023-12-31", "İlham Əliyev"),
]

# (text, (month, day), topic): a day of the year, any year.
DAYS_OF_YEAR: list[tuple[str, tuple[int, int], str]] = [
    ("June 15", (6, 15), ""),
    ("October 3rd", (10, 3), ""),
    ("3rd October", (10, 3), ""),
    ("15 октября", (10, 15), ""),
    ("Бакы 9 мая", (5, 9), "Бакы"),
    ("noyabrın 22-si", (11, 22), ""),
    ("Milli Məclis noyabrin 22-si", (11, 22), "Milli Məclis"),
    ("22 noyabr", (11, 22), ""),
    ("martın 8-i", (3, 8), ""),
]

# Seasons (meteorological; winter takes the December before the year named).
RANGES += [
    ("summer 2023", "2023-06-01", "2023-08-31", ""),
    ("the autumn of 2023", "2023-09-01", "2023-11-30", ""),
    ("Karabakh fall 2023", "2023-09-01", "2023-11-30", "Karabakh"),
    ("winter 2024", "2023-12-01", "2024-02-29", ""),
    ("события лета 2023 года", "2023-06-01", "2023-08-31", "события"),
    ("летом 2023", "2023-06-01", "2023-08-31", ""),
    ("осенью 2023 года", "2023-09-01", "2023-11-30", ""),
    ("зимой 2024 года", "2023-12-01", "2024-02-29", ""),
    ("2023-cü ilin yayında", "2023-06-01", "2023-08-31", ""),
    ("Qarabağ 2023-cü ilin payızında", "2023-09-01", "2023-11-30", "Qarabağ"),
]

# Not dates: the text is the topic, untouched.
NOT_DATES = [
    "300 political prisoners",
    "4000 azerbaijanis",
    "Baku may retaliate",
    "Resolution 822",
    "Security Council resolution 2020",
    "31.02.2023",
    "February 30, 2024",
    "31/13/2024",
    "mart ayında seçkilər",
    "что было в октябре",
    "May Day parade",
]


@pytest.mark.parametrize(("text", "first", "last", "topic"), RANGES)
def test_a_date_gives_its_range_and_leaves_the_topic(text: str, first: str, last: str, topic: str) -> None:
    when, rest = extract_date(text)
    assert when is not None, text
    assert (when.start.isoformat(), when.end.isoformat(), rest) == (first, last, topic)
    assert when.month_day is None


@pytest.mark.parametrize(("text", "month_day", "topic"), DAYS_OF_YEAR)
def test_a_day_without_a_year_matches_that_day_in_any_year(text: str, month_day: tuple[int, int], topic: str) -> None:
    when, rest = extract_date(text)
    assert when is not None, text
    assert (when.month_day, rest) == (month_day, topic)


@pytest.mark.parametrize("text", NOT_DATES)
def test_what_is_not_a_date_stays_in_the_topic(text: str) -> None:
    assert extract_date(text) == (None, text)


def test_a_date_the_day_first_way_cannot_be_is_read_us_style_and_says_so() -> None:
    when, _ = extract_date("10/27/2020")
    assert when is not None and when.reading == "read as month/day: 27 October 2020"
    day_first, _ = extract_date("03/10/2024")
    assert day_first is not None and day_first.reading is None
    assert (day_first.start.month, day_first.start.day) == (10, 3)


def test_the_date_text_is_what_the_user_wrote() -> None:
    when, rest = extract_date("Карабах с сентября 2023 по февраль 2024")
    assert when == DateQuery(date(2023, 9, 1), date(2024, 2, 29), "с сентября 2023 по февраль 2024")
    assert rest == "Карабах"


def test_a_month_name_needs_a_day_or_a_year_next_to_it() -> None:
    when, rest = extract_date("Baku may retaliate in May 2024")
    assert when is not None and (when.start, when.end) == (date(2024, 5, 1), date(2024, 5, 31))
    assert rest == "Baku may retaliate"


@given(st.lists(st.sampled_from(["2023", "-", "по", "с", "ildən", "qədər", "мая", "may", "3", "31.02.2023", "to",
                                 "now", "between", "and", "1990-х", "oktyabrın", "22-si", "Baku", "İ", "ə", " "]),
                max_size=12).map(" ".join))
def test_any_text_gives_an_ordered_range_or_is_left_alone(text: str) -> None:
    when, rest = extract_date(text)
    if when is None:
        assert rest == text
    else:
        assert when.start <= when.end and when.text and when.text in text
        assert len(rest) < len(text)


def test_a_day_of_the_year_finds_a_short_range_that_holds_it_and_nothing_coarser() -> None:
    when, _ = extract_date("November 22")
    assert when is not None
    # "issued between 20 and 22 November 2024": it may have been the 22nd, so it is shown (with its range).
    assert when.overlaps(date(2024, 11, 20), date(2024, 11, 22), "range")
    assert not when.overlaps(date(2024, 11, 23), date(2024, 11, 30), "range")
    # A month or a long span is no answer to "which day".
    assert not when.overlaps(date(2024, 11, 1), date(2024, 11, 30), "month")
    assert not when.overlaps(date(2024, 1, 1), date(2024, 12, 31), "range")


# ---- dates relative to an event ("two days before the MPs wrote to Bayramov")

@pytest.mark.parametrize(("text", "days", "anchor"), [
    ("two days before the MPs wrote to Bayramov", -2, "the MPs wrote to Bayramov"),
    ("the day after the ceasefire", 1, "the ceasefire"),
    ("3 days after the war", 3, "the war"),
    ("на следующий день после начала антитеррористических мероприятий", 1, "начала антитеррористических мероприятий"),
    ("за два дня до обращения депутатов", -2, "обращения депутатов"),
    ("накануне прекращения огня", -1, "прекращения огня"),
    ("Bayramova müraciətdən iki gün əvvəl", -2, "Bayramova müraciət"),
])
def test_a_date_relative_to_an_event_is_an_offset_and_the_events_words(text: str, days: int, anchor: str) -> None:
    rel = relative.parse(text)
    assert rel is not None and (rel.days, rel.anchor) == (days, anchor)


@pytest.mark.parametrize("text", ["before the war", "days before the war", "PACE 2024", "Karabakh", "days of glory"])
def test_no_count_no_relative_date(text: str) -> None:
    assert relative.parse(text) is None


def test_a_relative_date_lists_that_days_events_and_says_what_it_counted_from(engine: Engine) -> None:
    reply = engine.answer("what happened two days before the MPs wrote to Bayramov?")
    assert reply.matched
    text = plain_text(reply.html)
    # The appeal is dated 5 October 2024 with its year inferred; the day counted from it is too.
    assert "5 October 2024 (year inferred)): 3 October 2024 (year inferred)" in text
    assert "Blinken" in text.split("\n")[2]  # the 3 October letter is the first event listed


def test_no_day_is_counted_from_an_event_known_only_to_the_year(engine: Engine) -> None:
    reply = engine.answer("/timeline the day after the ceasefire")
    assert not reply.matched
    assert "not to the day" in plain_text(reply.html)


FROM_TODAY = [  # (text, what it means on 1 December 2026, the rest)
    ("last year", "2025", ""),
    ("PACE last year", "PACE 2025", "last year"),
    ("since last year", "since 2025", "last year"),
    ("last September", "September 2026", "last September"),
    ("this December", "December 2026", "this December"),
    ("last December", "December 2025", "last December"),
    ("September of last year", "September 2025", "September of last year"),
    ("last month", "November 2026", "last month"),
    ("в прошлом году", "2025", "в прошлом году"),
    ("Карабах в сентябре прошлого года", "Карабах September 2025", "в сентябре прошлого года"),
    ("в прошлом сентябре", "September 2026", "в прошлом сентябре"),
    ("keçən il", "2025", "keçən il"),
    ("Qarabağ keçən ilin sentyabrı", "Qarabağ September 2025", "keçən ilin sentyabrı"),
    ("keçən sentyabr", "September 2026", "keçən sentyabr"),
]


@pytest.mark.parametrize(("text", "meant", "phrase"), FROM_TODAY)
def test_a_date_counted_from_today_is_the_date_it_means_today(text: str, meant: str, phrase: str) -> None:
    counted = from_today.anchor(text, date(2026, 12, 1))
    assert counted is not None and counted.text == meant
    assert counted.phrase == (phrase or text)


@pytest.mark.parametrize("text", ["the last time", "last week", "PACE this", "at last", "bu"])
def test_no_period_no_date_counted_from_today(text: str) -> None:
    assert from_today.anchor(text, date(2026, 12, 1)) is None


def test_a_timeline_counted_from_today_says_how_it_counted(engine: Engine) -> None:
    reply = engine.answer("/timeline PACE last year")
    text = plain_text(reply.html)
    assert f"“last year” read as {date.today().year - 1}, counted from today" in text
    assert not reply.matched  # the sources end in 2024
    assert "late 1980s" not in engine.answer("/timeline last September").html
