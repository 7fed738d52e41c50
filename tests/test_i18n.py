"""The bot in Russian and Azerbaijani: every phrase translated, plurals and dates by CLDR (Babel),
replies that cite what the English cites, the language chosen per chat, user and message through the
real python-telegram-bot stack, and content translations that keep who-says-what."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from html import unescape
from pathlib import Path

import pytest
import yaml

from bot import i18n
from bot.check import run_check
from bot.core import Engine
from bot.corpus import BriefDate, CorpusError, load_corpus
from bot.dates import label
from bot.render import count, date_html, plain_text
from bot.translations import load_translations
from tests.conftest import ROOT, StartBot
from tests.fake_bot_api import FakeBotAPI, html_problems, parse_html
from tests.test_telegram_e2e import ask

PLACEHOLDER = re.compile(r"\{(\w+)\}")
TAG = re.compile(r"</?([a-z]+)[^>]*>")
OTHER = ("ru", "az")


def phrases() -> list[tuple[str, object]]:
    return list(i18n.flatten(i18n.english()))


# -- the wording --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", OTHER)
def test_every_phrase_has_a_reviewed_translation(lang: str) -> None:
    """Missing, fuzzy, or translated from English that has since changed: all count as untranslated."""
    missing = [k for k, _ in phrases() if i18n.translated(k, lang) is None]
    assert not missing, f"{lang}: run `python -m bot.i18n sync` and translate: {missing}"


@pytest.mark.parametrize("lang", OTHER)
def test_placeholders_and_tags_agree_with_the_english(lang: str) -> None:
    for key, english in phrases():
        forms = list(english.values()) if isinstance(english, dict) else [english]
        found = i18n.translated(key, lang)
        for text in (found if isinstance(found, tuple) else [found]):
            assert set(PLACEHOLDER.findall(str(text))) <= set(PLACEHOLDER.findall(" ".join(map(str, forms)))) | {
                "suffix"}, (lang, key)
            assert set(PLACEHOLDER.findall(str(forms[-1]))) - {"n"} <= set(PLACEHOLDER.findall(str(text))), (lang, key)
            if key.endswith("_html"):  # elsewhere "<name>" is text, escaped when sent
                assert set(TAG.findall(str(text))) == set(TAG.findall(str(forms[-1]))), (lang, key)


def test_azerbaijani_is_written_in_its_own_alphabet() -> None:
    text = " ".join(str(i18n.phrase(k, "az", 2)) for k, _ in phrases())
    for letter in "əğıöüşç":
        assert letter in text


@pytest.mark.parametrize(("n", "form"), [(1, "1 событие"), (2, "2 события"), (5, "5 событий"), (11, "11 событий"),
                                         (21, "21 событие"), (22, "22 события"), (25, "25 событий")])
def test_russian_plurals_follow_cldr(n: int, form: str) -> None:
    assert count("events", n, "ru") == form


def test_plurals_in_english_and_azerbaijani() -> None:
    assert [count("sources", n, "en") for n in (1, 2)] == ["1 source document", "2 source documents"]
    assert count("events", 5, "az") == "5 hadisə"  # a noun after a numeral stays singular in Azerbaijani


def d(value: str, precision: str, **extra: object) -> BriefDate:
    from bot.corpus import parse_date_value

    start, end, _ = parse_date_value(value)  # type: ignore[misc]
    return BriefDate(value=value, precision=precision, start=start, end=end, **extra)  # type: ignore[arg-type]


def test_dates_read_naturally_and_keep_precision_and_inference() -> None:
    with i18n.speaking("ru"):
        month = d("2023-09", "month", inferred="full", basis="x")
        assert plain_text(date_html(month)) == "сентябрь 2023 (дата выведена)"
        day = d("2024-10-03", "day", inferred="year", basis="x")
        assert plain_text(date_html(day)) == "3 октября 2024 (год выведен)"
        assert label(d("1980s", "decade", qualifier="late")) == "конец 1980-х"
        assert label(d("2026", "year", qualifier="late")) == "конец 2026 года"
        assert label(d("2024-11-22", "day", qualifier="by")) == "22 ноября 2024 или раньше"
    with i18n.speaking("az"):
        assert label(d("2023-09-19", "day")) == "19 sentyabr 2023"
        assert label(d("1990s", "decade", qualifier="early")) == "1990-cı illərin əvvəli"
        assert label(d("2026", "year", qualifier="late")) == "2026-cı ilin sonu"
        assert "tarix" in plain_text(date_html(d("2023-09", "month", inferred="full", basis="x")))
    assert label(d("2023-09-19", "day")) == "19 September 2023"  # English outside any language context
    assert label(d("1980s", "decade", qualifier="late")) == "late 1980s"
    assert label(d("2024-11-22", "day", qualifier="by")) == "by 22 November 2024"
    assert i18n.az_ordinal_suffix(2023) == "cü" and i18n.az_ordinal_suffix(2010) == "cu"


# -- replies ------------------------------------------------------------------------------------


def help_examples(lang: str) -> list[str]:
    return re.findall(r"<code>(.*?)</code>", i18n.phrase("help_html", lang))


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_help_example_works_in_its_language(engine: Engine, lang: str) -> None:
    examples = help_examples(lang)
    assert len(examples) >= 6
    for example in examples:
        if example.startswith("@"):
            assert engine.inline(example.split(" ", 1)[1], lang=lang), (lang, example)
            continue
        reply = engine.answer(example, lang=lang)
        assert reply.matched and reply.sources, (lang, example, plain_text(reply.html)[:200])
    for key in ("command_help.timeline", "command_help.actor", "command_help.claim"):
        for example in i18n.phrase(key, lang).split("Примеры:" if lang == "ru" else ":")[-1].split(" · "):
            example = example.strip()
            if example.startswith("/"):
                assert engine.answer(example, lang=lang).matched, (lang, example)


@pytest.mark.parametrize(("text", "lang", "wording"), [
    ("привет", "ru", "greeting_html"), ("salam", "az", "greeting_html"), ("hi", "en", "greeting_html"),
    # thanks is not a hello: "you're welcome", and the short help
    ("спасибо", "ru", "thanks_html"), ("sağ ol", "az", "thanks_html"), ("thanks", "en", "thanks_html"),
    ("ok thanks!", "en", "thanks_html")])
def test_greetings_get_help_in_their_language(engine: Engine, text: str, lang: str, wording: str) -> None:
    assert i18n.written_in(text) == lang
    reply = engine.answer(text, lang=lang)
    assert reply.matched and reply.html == i18n.phrase(wording, lang).format(bot=engine.bot_username)
    assert len(re.findall(r"<code>/", reply.html)) >= 2


def dev_messages() -> list[str]:
    from tests.test_dev_set import cases, message

    return [message(c) for c in cases("queries_dev.yaml")]


@pytest.mark.parametrize("lang", OTHER)
def test_dev_set_replies_are_valid_and_cite_what_the_english_cites(engine: Engine, lang: str) -> None:
    """Full replies (a private chat) cite exactly what the English cites, with the same buttons (a
    timeline may take one page more); a brief one (a group) has less room, so a longer language may
    show one line fewer, never another source."""
    for text in dev_messages():
        english = engine.answer(text, full=True)
        local = engine.answer(text, full=True, lang=lang)
        assert not html_problems(local.html), (lang, text, html_problems(local.html))
        assert local.sources == english.sources and local.matched == english.matched, (lang, text)
        # The same follow-ups; a timeline in a longer language may need one more page (its paging buttons).
        assert ([b.data for row in local.buttons for b in row if " page:" not in b.data]
                == [b.data for row in english.buttons for b in row if " page:" not in b.data]), (lang, text)
        brief = engine.answer(text, lang=lang)
        assert not html_problems(brief.html) and brief.matched == english.matched, (lang, text)
        assert brief.sources[:1] == engine.answer(text).sources[:1] and set(brief.sources) <= set(english.sources)


def test_answers_in_parallel_never_mix_languages(engine: Engine) -> None:
    def run(lang: str) -> str:
        return engine.answer("/actor aliev", full=True, lang=lang).html

    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(run, ["ru", "az", "en"] * 6))
    for lang, html in zip(["ru", "az", "en"] * 6, replies, strict=True):
        assert f"· {i18n.phrase('labels.actor', lang)}" in html
        assert html == run(lang)


def test_quotes_stay_verbatim_and_say_so_with_their_gloss(engine: Engine) -> None:
    claim = next(c for c in engine.corpus.claims.values() if c.claimant == "aliyev")
    en = engine.answer(f"/open c_{claim.id}").html
    ru = engine.answer(f"/open c_{claim.id}", lang="ru").html
    quote = " ".join(claim.quote.split())
    assert quote in plain_text(en) and quote in plain_text(ru)
    assert i18n.phrase("quote.mark", "ru") in plain_text(ru) and i18n.phrase("quote.mark", "en") not in plain_text(en)
    gloss = engine.translations.get("ru").entries.get("claims", {}).get(claim.id, {}).get("gloss")  # type: ignore[union-attr]
    if gloss:
        assert gloss in plain_text(ru)


def test_a_translated_entry_shows_its_translation_and_the_english_name_once(engine: Engine) -> None:
    given = yaml.safe_load((ROOT / "briefs" / "translations" / "ru.yaml").read_text(encoding="utf-8"))
    actor = given["actors"]["aliyev"]
    html = engine.answer("/actor Алиев", full=True, lang="ru").html
    text = parse_html(html).plain
    assert f"{actor['name']} (Ilham Aliyev)" in text.split("\n")[0]
    assert actor["role"] in text
    assert text.count("(Ilham Aliyev)") == 1


def test_an_untranslated_field_is_shown_in_english_and_said_once(tmp_path: Path) -> None:
    briefs = tmp_path / "briefs"
    shutil.copytree(ROOT / "briefs", briefs, ignore=shutil.ignore_patterns("translations"))
    (briefs / "translations").mkdir()
    (briefs / "translations" / "ru.yaml").write_text("language: ru\n", encoding="utf-8")
    engine = Engine.load(briefs, ROOT / "seeds", embedder=None)
    ru = plain_text(engine.answer("/actor aliev", lang="ru").html)
    assert engine.corpus.actors["aliyev"].role in ru
    assert ru.count(i18n.phrase("untranslated", "ru")) == 1
    assert i18n.phrase("untranslated", "en") not in plain_text(engine.answer("/actor aliev").html)


# -- the curators' check ------------------------------------------------------------------------


def briefs_with(tmp_path: Path, translation: str) -> Path:
    briefs = tmp_path / "briefs"
    shutil.copytree(ROOT / "briefs", briefs, ignore=shutil.ignore_patterns("translations"))
    (briefs / "translations").mkdir()
    (briefs / "translations" / "ru.yaml").write_text(translation, encoding="utf-8")
    return briefs


def test_check_fails_on_a_paraphrase_that_drops_its_claimant(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    corpus = load_corpus(ROOT / "briefs", ROOT / "seeds")
    claim = next(c for c in corpus.claims.values() if c.claimant == "karimli" and "Karimli" in c.paraphrase)
    dropped = f"language: ru\nclaims:\n  {claim.id}:\n    paraphrase: Депутатов назначил Ильхам Алиев.\n"
    assert run_check(briefs_with(tmp_path, dropped), ROOT / "seeds") == 1
    err = capsys.readouterr().err
    assert f"briefs/translations/ru.yaml:3: claims '{claim.id}'" in err and "Ali Karimli" in err
    # Any inflection of any of his names keeps the attribution.
    kept = dropped.replace("Депутатов назначил", "По словам Керимли, депутатов назначил")
    assert run_check(briefs_with(tmp_path / "2", kept), ROOT / "seeds") == 0
    out = capsys.readouterr()
    assert "ru: 275 entries" not in out.out or "missing" in out.out
    assert re.search(r"warning: briefs/actors\.yaml:\d+: actor 'gafarova' has no translation of role \(ru\)", out.err)


def test_check_reports_translations_of_unknown_entries_with_their_line(tmp_path: Path) -> None:
    corpus = load_corpus(ROOT / "briefs", ROOT / "seeds")
    bad = "language: ru\nactors:\n  nobody-at-all:\n    role: Никто\n  aliyev:\n    colour: красный\n"
    problems = load_translations(briefs_with(tmp_path, bad), corpus).problems
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(3, "actors"), (6, "actors")]


def test_the_shipped_translations_pass_the_check() -> None:
    corpus = load_corpus(ROOT / "briefs", ROOT / "seeds")
    translations = load_translations(ROOT / "briefs", corpus)
    assert not translations.problems
    assert set(translations.languages) == {"ru", "az"}


# -- Telegram: which language, menus, inline, buttons -------------------------------------------


async def test_a_russian_user_gets_russian_headings_labels_and_dates(fake_api: FakeBotAPI, start_bot: StartBot,
                                                                      engine: Engine) -> None:
    await start_bot(engine)
    user = fake_api.user(8101, "Ivan", language_code="ru")
    _, reply = await ask(fake_api, "/actor Алиев", user=user)
    assert i18n.phrase("analysis.said_by_them", "ru").split("(")[0] in reply.plain and "· участник" in reply.plain
    assert re.search(r"(январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[ьяе]? \d{4}",
                     reply.plain)
    assert "October" not in reply.plain and "What they said" not in reply.plain
    assert {b["text"] for b in reply.buttons if b.get("callback_data", "").startswith("/source")} <= {
        f"[{n}] источник" for n in range(1, 10)}
    _, hello = await ask(fake_api, "привет", user=fake_api.user(8102, "Kate", language_code="en"))
    assert hello.plain.startswith("Здравствуйте")
    _, salam = await ask(fake_api, "salam", user=fake_api.user(8103, "Aysel", language_code="ru"))
    assert salam.plain.startswith("Salam!")


async def test_a_group_admin_sets_the_language_for_the_group(fake_api: FakeBotAPI, start_bot: StartBot,
                                                            engine: Engine) -> None:
    await start_bot(engine, flood_burst=20)
    group = fake_api.group_chat()
    member, admin = fake_api.user(8201, "Member", language_code="en"), fake_api.user(8202, "Admin")
    fake_api.make_admin(group["id"], admin["id"])
    _, refused = await ask(fake_api, "/language az", chat=group, user=member)
    assert refused.plain == i18n.phrase("language.admins_only", "en")
    _, done = await ask(fake_api, "/language az", chat=group, user=admin)
    assert done.plain.startswith(i18n.phrase("language.changed", "az"))
    _, reply = await ask(fake_api, "/actor aliev", chat=group, user=member)
    assert "iştirakçı" in reply.plain and i18n.phrase("labels.sources", "az") in reply.plain
    # Buttons carry language-free data: tapped by an English user in a private chat, a button made in
    # Azerbaijani answers in English.
    button = next(b for b in reply.buttons if b.get("callback_data", "").startswith("/source"))
    private_user = fake_api.user(8203, "Eve", language_code="en")
    own = fake_api.private_chat(private_user)
    message = {**reply.result, "chat": own}
    mark = fake_api.mark()
    fake_api.push_callback_query(button["callback_data"], message, user=private_user)
    (edit,) = await fake_api.wait_for("editMessageText", since=mark)
    assert i18n.phrase("labels.perspective", "en") in edit.plain
    # Back to automatic from the menu's button: the member's own Telegram language again.
    mark = fake_api.mark()
    tap = fake_api.push_callback_query("/language auto", done.result, user=admin)
    (alert,) = await fake_api.wait_for("answerCallbackQuery", since=mark, where=lambda c: c.params[
        "callback_query_id"] == tap["callback_query"]["id"])
    assert alert.params.get("show_alert") is False
    _, again = await ask(fake_api, "/actor aliev", chat=group, user=member)
    assert "· actor" in again.plain


async def test_menus_and_descriptions_are_published_per_language(fake_api: FakeBotAPI, start_bot: StartBot,
                                                                engine: Engine) -> None:
    await start_bot(engine)
    private = '{"type": "all_private_chats"}'
    for lang in i18n.LANGS:
        code = "" if lang == "en" else lang
        commands = {c["command"]: c["description"] for c in fake_api.commands_by_lang[(private, code)]}
        assert commands == i18n.tree("commands", lang) | i18n.tree("reader_commands", lang)
        assert "language" in commands
        assert fake_api.descriptions[code] == i18n.phrase("telegram.description", lang).format(bot="BriefTestBot")
        assert fake_api.short_descriptions[code] == i18n.phrase("telegram.short_description", lang)


async def test_inline_answers_follow_the_asking_users_language(fake_api: FakeBotAPI, start_bot: StartBot,
                                                              engine: Engine) -> None:
    await start_bot(engine)
    for user, lang in ((fake_api.user(8301, "Ira", language_code="ru"), "ru"),
                       (fake_api.user(8302, "Ali", language_code="az"), "az"),
                       (fake_api.user(8303, "Ann", language_code="en-GB"), "en")):
        mark = fake_api.mark()
        fake_api.push_inline_query("gafarova", user=user)
        (answer,) = await fake_api.wait_for("answerInlineQuery", since=mark)
        first = answer.params["results"][0]
        body = parse_html(first["input_message_content"]["message_text"]).plain
        assert f"· {i18n.phrase('labels.actor', lang)}" in body, (lang, body[:80])
        assert answer.params["is_personal"] is True
        assert first["reply_markup"]["inline_keyboard"][0][0]["text"] == i18n.phrase("telegram.open_in_bot", lang)


def test_a_day_in_every_language_is_the_same_day() -> None:
    day = date(2020, 11, 10)
    assert [i18n.month_date(day, "day", lang) for lang in i18n.LANGS] == [
        "10 November 2020", "10 ноября 2020", "10 noyabr 2020"]


def test_check_names_translations_whose_english_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    briefs = tmp_path / "briefs"
    shutil.copytree(ROOT / "briefs", briefs)
    assert run_check(briefs, ROOT / "seeds") == 0
    assert "changed since it was translated" not in capsys.readouterr().err  # the shipped stamps are current
    corpus = load_corpus(ROOT / "briefs", ROOT / "seeds")
    claim = corpus.claims["majlis-luxembourg-resolution-biased"]
    brief = next(p for p in (briefs / "sources").glob("*.yaml") if claim.paraphrase in p.read_text(encoding="utf-8"))
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        claim.paraphrase, claim.paraphrase.replace("is biased", "is partial")), encoding="utf-8")
    assert run_check(briefs, ROOT / "seeds") == 0  # still valid: the translation shows until reviewed
    err = capsys.readouterr().err
    assert re.search(rf"warning: briefs/sources/{brief.name}:\d+: the English of claim '{claim.id}' \(paraphrase\) "
                     "changed since it was translated", err)


@pytest.mark.parametrize(("message", "lang"), [
    ("/claim армяне покинули Карабах добровольно", "ru"),
    ("/claim Milli Məclis Lüksemburq parlamentinin qətnaməsini qərəzli adlandırdı", "az"),
])
def test_the_how_it_matched_note_shows_words_as_written(engine: Engine, message: str, lang: str) -> None:
    """The note names the entry's word as the entry writes it ("Люксембург"), never the index's
    folded spelling ("lyuksemburg", "armyan"), and says nothing of a word merely inflected."""
    text = unescape(re.sub(r"<[^>]+>", "", engine.answer(message, lang=lang).html))
    notes = [line for line in text.splitlines() if "→" in line]
    for folded in ("armyan", "lyuksemburg", "maktub"):
        assert folded not in " ".join(notes).lower(), notes
    assert "«армяне» →" not in text and "“армяне” →" not in text


def test_the_bot_refuses_a_translation_that_drops_its_claimant_on_every_start(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The attribution check is remembered only for files that passed it: a start after a good one
    still refuses a changed translation that drops who said it (the bot never serves it)."""
    monkeypatch.setenv("BRIEFBOT_CACHE_DIR", str(tmp_path / "cache"))
    corpus = load_corpus(ROOT / "briefs", ROOT / "seeds")
    claim = next(c for c in corpus.claims.values() if c.claimant == "karimli" and "Karimli" in c.paraphrase)
    kept = (f"language: ru\nclaims:\n  {claim.id}:\n"
            "    paraphrase: По словам Керимли, депутатов назначил Ильхам Алиев.\n")
    good = briefs_with(tmp_path / "a", kept)
    Engine.load(good, ROOT / "seeds", embedder=None)
    Engine.load(good, ROOT / "seeds", embedder=None)  # remembered: the check is skipped, nothing changed
    assert list((tmp_path / "cache" / "checked").iterdir())
    dropped = kept.replace("По словам Керимли, депутатов", "Депутатов")
    (good / "translations" / "ru.yaml").write_text(dropped, encoding="utf-8")
    with pytest.raises(CorpusError):
        Engine.load(good, ROOT / "seeds", embedder=None)


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_a_date_and_its_inference_mark_share_one_pair_of_brackets(engine: Engine, lang: str) -> None:
    """"январь 2024 – февраль 2024 (точнее неизвестно) (дата выведена)" read as two afterthoughts."""
    from bot.render import date_text

    with i18n.speaking(lang):
        stacked = [text for e in engine.corpus.events.values() if (text := date_text(e.date)).count("(") > 1]
    assert not stacked, stacked[:3]
