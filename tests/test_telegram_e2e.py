"""The bot as Telegram users meet it: the real python-telegram-bot Application, the real Engine on
the real corpus, and a fake Bot API (tests/fake_bot_api.py) that fails the test on any request
Telegram would refuse. Assertions are about what a person in the chat would see.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Config, ConfigError
from bot.core import Engine
from bot.render import say
from bot.telegram_app import (
    FloodControl,
    TokenRedactor,
    briefbot_of,
    command_text,
    deliverable,
    query_part,
)
from tests.conftest import ADMIN_ID, StartBot
from tests.fake_bot_api import (
    TOKEN,
    Call,
    FakeBotAPI,
    html_problems,
    parse_html,
    settle,
    stop_app,
)

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
SORRY = "Sorry, something went wrong; please try again."
FLOOD = "Too many requests here; I'll answer again in a few seconds."


def replies_in(api: FakeBotAPI, chat_id: int, since: int = 0) -> list[Call]:
    return api.calls_of("sendMessage", since=since, where=lambda c: c.params["chat_id"] == chat_id)


async def ask(api: FakeBotAPI, text: str, chat: dict[str, Any] | None = None,
              user: dict[str, Any] | None = None) -> tuple[dict[str, Any], Call]:
    """Send `text` as a user and return (the user's message, the bot's one reply to it)."""
    mark = api.mark()
    update = api.push_message(text, chat=chat, user=user)
    message = update["message"]
    (reply,) = await api.wait_for("sendMessage", since=mark,
                                  where=lambda c: c.params["chat_id"] == message["chat"]["id"])
    return message, reply


def deliverable_plain(markup: str) -> str:
    return parse_html(deliverable(markup)).plain


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- commands in private chats and groups ------------------------------------------------------


async def test_private_command_gets_a_full_cited_answer(fake_api: FakeBotAPI, start_bot: StartBot,
                                                        engine: Engine) -> None:
    await start_bot(engine)
    _, reply = await ask(fake_api, "/actor aliev")
    assert reply.plain.startswith("Ilham Aliyev")
    assert "Sources" in reply.plain and "[1" in reply.plain  # cited, with the source list
    assert reply.params["parse_mode"] == "HTML"
    assert reply.params["link_preview_options"] == {"is_disabled": True}
    assert "reply_parameters" not in reply.params  # no threading needed in a private chat
    share = [b["url"] for b in reply.buttons if "url" in b]
    assert share == ["https://t.me/BriefTestBot?start=a_aliyev"]
    assert reply.plain == fake_api.messages[(reply.params["chat_id"], reply.result["message_id"])]["text"]


async def test_group_command_with_botname_is_answered_briefly_under_the_question(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    await start_bot(engine)
    _, private = await ask(fake_api, "/actor aliev")
    group = fake_api.group_chat()
    asked, reply = await ask(fake_api, "/actor@BriefTestBot aliev", chat=group, user=fake_api.user(2002, "Bea"))
    assert "Ilham Aliyev" in reply.plain and "Sources" in reply.plain
    assert reply.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert reply.result["reply_to_message"]["message_id"] == asked["message_id"]
    assert len(reply.plain) < len(private.plain)  # brief in groups, full in private


async def test_a_tap_in_a_group_opens_a_new_reply_and_keeps_the_answer(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    await start_bot(engine)
    group = fake_api.group_chat()
    _, answer = await ask(fake_api, "/actor@BriefTestBot aliev", chat=group, user=fake_api.user(2002, "Bea"))
    source = next(b for b in answer.buttons if b["text"].startswith("[1]"))
    mark = fake_api.mark()
    fake_api.push_callback_query(source["callback_data"], answer.result, user=fake_api.user(2003, "Cem"))
    (card,) = await fake_api.wait_for("sendMessage", since=mark)
    await fake_api.wait_for("answerCallbackQuery", since=mark)
    assert "Perspective" in card.plain
    assert card.params["reply_parameters"]["message_id"] == answer.result["message_id"]
    assert fake_api.calls_of("editMessageText", since=mark) == []  # Bea's answer stays for everyone


async def test_commands_for_other_bots_and_chatter_in_groups_get_no_reply(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    app = await start_bot(engine)
    group = fake_api.group_chat()
    chatter = ["/weather Baku", "/gaps", "just chatting about aliev", "/settings@OtherBot"]
    for text in ["/actor@OtherBot aliev"] * 6 + chatter:
        fake_api.push_message(text, chat=group)
    await settle(app, fake_api)
    assert replies_in(fake_api, group["id"]) == []
    _, reply = await ask(fake_api, "/help@BriefTestBot", chat=group)  # listening, and not counted as flooded
    assert "How to ask" in reply.plain


async def test_private_chat_unknown_command_lists_commands_and_text_searches(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    await start_bot(engine)
    _, unknown = await ask(fake_api, "/weather Baku")
    assert "/timeline" in unknown.plain and "/actor" in unknown.plain
    _, search = await ask(fake_api, "gafarova")
    assert search.plain.startswith("Sahiba Gafarova")


# -- inline mode -------------------------------------------------------------------------------


async def test_inline_query_results_are_valid_articles(fake_api: FakeBotAPI, start_bot: StartBot,
                                                       engine: Engine, tmp_path: Path) -> None:
    app = await start_bot(engine)
    update = fake_api.push_inline_query("gafarova")
    (answer,) = await fake_api.wait_for("answerInlineQuery")
    results = answer.params["results"]
    assert answer.params["inline_query_id"] == update["inline_query"]["id"]
    assert 1 <= len(results) <= 50
    assert results[0]["title"] == "Sahiba Gafarova"
    assert "Sahiba Gafarova" in results[0]["input_message_content"]["message_text"]
    assert results[0]["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://t.me/BriefTestBot?start=a_gafarova"
    # personal: results are in the asking user's language, so Telegram must not share its cache across users
    assert answer.params["is_personal"] is True and answer.params["cache_time"] <= 60

    fake_api.push_chosen_inline_result(results[0]["id"], "gafarova")
    await settle(app, fake_api)
    # The query log is written in batches: the row is in the file within half a second, bot still running.
    deadline = time.monotonic() + 3.0
    while True:
        rows = sqlite3.connect(tmp_path / "briefbot.sqlite3").execute(
            "SELECT command, query FROM query_log WHERE command = 'inline'").fetchall()
        if rows or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert rows == [("inline", "gafarova")]


async def test_inline_results_cite_their_sources_in_each_askers_language_every_time(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    # Inline answers are kept, serialised, per query and language: the second English asker gets the same
    # cited results as the first, the Russian one gets Russian ones, not the English ones kept.
    await start_bot(engine)
    answers = []
    for user in (fake_api.user(5101, "En1"), fake_api.user(5102, "Ru", language_code="ru"),
                 fake_api.user(5103, "En2")):
        since = fake_api.mark()
        fake_api.push_inline_query("gafarova", user=user)
        (answer,) = await fake_api.wait_for("answerInlineQuery", since=since)
        answers.append(answer.params["results"])
    english, russian, again = answers
    assert again == english
    for results, sources in ((english, "<b>Sources</b>"), (russian, "<b>Источники</b>")):
        text = results[0]["input_message_content"]["message_text"]
        assert "Gafarova" in text and sources in text and "[1]" in text  # each statement cites a source
        assert results[0]["reply_markup"]["inline_keyboard"][0][0]["url"].endswith("?start=a_gafarova")
    assert russian[0]["input_message_content"]["message_text"] != english[0]["input_message_content"]["message_text"]


async def test_empty_inline_query_offers_a_starting_list_and_a_miss_offers_help(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    await start_bot(engine)
    fake_api.push_inline_query("")
    (empty,) = await fake_api.wait_for("answerInlineQuery")
    assert 3 <= len(empty.params["results"]) <= 50
    mark = fake_api.mark()
    fake_api.push_inline_query("qqqzzzxxwv")
    (miss,) = await fake_api.wait_for("answerInlineQuery", since=mark)
    assert miss.params["results"] == []
    assert miss.params["button"]["start_parameter"] == "help"


# -- buttons, deep links, restarts --------------------------------------------------------------


async def test_paging_button_edits_the_message(fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    await start_bot(engine)
    _, first = await ask(fake_api, "/timeline")
    assert "page 1/" in first.plain
    later = next(b for b in first.buttons if b["text"].startswith("Later"))
    mark = fake_api.mark()
    update = fake_api.push_callback_query(later["callback_data"], first.result)
    (edit,) = await fake_api.wait_for("editMessageText", since=mark)
    (answered,) = await fake_api.wait_for("answerCallbackQuery", since=mark)
    assert answered.params["callback_query_id"] == update["callback_query"]["id"]
    assert edit.params["message_id"] == first.result["message_id"]
    assert "page 2/" in edit.plain
    assert any(b["text"].startswith("◀") for b in edit.buttons)
    assert fake_api.calls_of("sendMessage", since=mark) == []  # edited in place, no new message

    mark = fake_api.mark()
    fake_api.push_callback_query(later["callback_data"], edit.result)  # the same page again
    await fake_api.wait_for("answerCallbackQuery", since=mark)
    await fake_api.wait_for("editMessageText", since=mark, ok=False)  # "not modified", quietly ignored
    assert fake_api.calls_of("sendMessage", since=mark) == []


async def test_did_you_mean_button_opens_the_entry(fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    candidates = ["/timeline karabak", "/actor gafarva", "/timeline luxemburgg", "/claim prisonners", "/actor ilhm"]
    query = next(q for q in candidates if not engine.answer(q).matched and engine.answer(q).buttons)
    await start_bot(engine)
    _, suggestion = await ask(fake_api, query)
    assert "Did you mean" in suggestion.plain
    first = suggestion.buttons[0]
    mark = fake_api.mark()
    fake_api.push_callback_query(first["callback_data"], suggestion.result)
    (edit,) = await fake_api.wait_for("editMessageText", since=mark)
    opened = engine.answer(first["callback_data"], full=True)
    assert opened.matched and "Did you mean" not in edit.plain
    assert edit.plain.splitlines()[0] == deliverable_plain(opened.html).splitlines()[0]
    assert "Sources" in edit.plain


async def test_deep_link_start_payload_reopens_the_answer(fake_api: FakeBotAPI, start_bot: StartBot,
                                                          engine: Engine) -> None:
    await start_bot(engine)
    _, timeline = await ask(fake_api, "/timeline PACE")
    for reply in (timeline, (await ask(fake_api, "/actor aliev"))[1]):
        url = next(b["url"] for b in reply.buttons if "url" in b)
        payload = parse_qs(urlsplit(url).query)["start"][0]
        _, reopened = await ask(fake_api, f"/start {payload}", user=fake_api.user(3003, "Cem"))
        assert reopened.plain.splitlines()[0] == reply.plain.splitlines()[0]
    _, plain_start = await ask(fake_api, "/start", user=fake_api.user(3004, "Dara"))
    assert "How to ask" in plain_start.plain


async def test_buttons_from_before_a_restart_still_work(fake_api: FakeBotAPI, start_bot: StartBot,
                                                        engine: Engine) -> None:
    first_app = await start_bot(engine)
    _, old = await ask(fake_api, "/timeline")
    await stop_app(first_app)

    await start_bot(Engine.load(ROOT / "briefs", ROOT / "seeds"))  # a new process, a freshly loaded index
    for button in old.buttons[:2]:
        mark = fake_api.mark()
        fake_api.push_callback_query(button["callback_data"], old.result)
        (edit,) = await fake_api.wait_for("editMessageText", since=mark)
        assert edit.params["message_id"] == old.result["message_id"]
        assert edit.plain != old.plain


# -- load, faults and hostile input ----------------------------------------------------------


async def test_a_flooding_chat_gets_bounded_replies_and_one_notice(fake_api: FakeBotAPI, start_bot: StartBot,
                                                                   engine: Engine) -> None:
    app = await start_bot(engine)
    noisy, calm = fake_api.group_chat(-1001, "Noisy"), fake_api.group_chat(-1002, "Calm")
    for _ in range(12):
        fake_api.push_message("/help", chat=noisy)
    await settle(app, fake_api)
    replies = replies_in(fake_api, noisy["id"])
    notices = [c for c in replies if c.plain == FLOOD]
    assert len(notices) == 1
    assert len(replies) == 5 + 1
    _, calm_reply = await ask(fake_api, "/help", chat=calm)
    assert "How to ask" in calm_reply.plain


async def test_a_429_from_telegram_is_waited_out_and_the_reply_delivered(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    await start_bot(engine)
    fake_api.fail_next("sendMessage", retry_after=1)
    _, reply = await ask(fake_api, "/actor aliev")
    assert "Ilham Aliyev" in reply.plain
    attempts = fake_api.calls_of("sendMessage", ok=None)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # honoured retry_after


async def test_a_slow_telegram_times_out_without_killing_the_bot(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    await start_bot(engine, request_timeout=0.5)
    fake_api.delay_next("sendMessage", 1.0)
    fake_api.push_message("/about")
    await asyncio.sleep(0.8)
    _, reply = await ask(fake_api, "/help", user=fake_api.user(5005, "Eli"))
    assert "How to ask" in reply.plain
    assert "network trouble" in caplog.text


@pytest.mark.parametrize("text", [
    "/actor",  # empty command
    "/actor " + "x" * 4089,  # the longest message Telegram delivers
    "/claim " + "я" * 4089,
    "😀🇦🇿👍🏽",
    "/actor 👨‍👩‍👧‍👦 Алиев",
    "/actor עליאב علييف",  # RTL
    "/actor \u200b\u200c\u200d\u2060\ufeff",  # zero-width only
    "\u200b",
    "<b>x</i>",
    "/claim <script>alert(1)</script> & &amp; &nbsp;",
    "/timeline 31.02.2023 page:999999999999",
    "/start " + "q" * 64,
    "/source -1",
])
async def test_any_input_gets_a_valid_reply(fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine,
                                            text: str) -> None:
    await start_bot(engine)
    _, reply = await ask(fake_api, text)  # the fixture fails the test if the reply is not valid Telegram
    assert reply.plain.strip() and len(reply.plain) <= 4096
    assert reply.plain != SORRY
    if text == "<b>x</i>":
        assert "<b>x</i>" in reply.plain  # shown literally, not interpreted
    if text.startswith("/"):  # and the same in a group, where replies are brief and threaded
        group = fake_api.group_chat()
        _, in_group = await ask(fake_api, text.replace(" ", "@BriefTestBot ", 1), chat=group)
        assert in_group.plain.strip() and in_group.plain != SORRY


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.text(alphabet="<>&;/#@ab\u200b\u202e😀", max_size=60),
       command=st.sampled_from(["", "/actor ", "/claim ", "/timeline ", "/start ", "/source ", "/open "]),
       full=st.booleans())
def test_whatever_is_typed_the_adapter_sends_valid_telegram_html(engine: Engine, text: str, command: str,
                                                                  full: bool) -> None:
    """The property behind the e2e garbage test, over many more inputs (no server needed)."""
    message = command_text(command + text)
    reply = engine.answer(message, full=full)
    assert html_problems(deliverable(reply.html)) == [], (message, reply.html)
    for item in engine.inline(text, 20):
        assert html_problems(deliverable(item.html)) == [] and len(item.id.encode()) <= 64


async def test_an_internal_error_becomes_an_apology_and_the_bot_goes_on(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    class Exploding:
        def answer(self, message: str, *, full: bool = False) -> Any:
            if "boom" in message:
                raise RuntimeError("index exploded while answering " + message)
            return engine.answer(message, full=full)

        def inline(self, query: str, limit: int = 20) -> list[Any]:
            return engine.inline(query, limit)

    await start_bot(Exploding())
    secret = "boom " + "private words " * 40
    update = fake_api.push_message(f"/actor {secret}")
    (sorry,) = await fake_api.wait_for("sendMessage")
    assert sorry.plain == SORRY
    _, reply = await ask(fake_api, "/actor aliev")
    assert "Ilham Aliyev" in reply.plain
    assert f"update {update['update_id']} failed" in caplog.text
    assert "private words " * 20 not in caplog.text  # user text is cut at 200 characters
    assert TOKEN.partition(":")[2] not in caplog.text


# -- settings, admins, query log, menus ---------------------------------------------------------


async def test_settings_switch_reply_length_per_chat(fake_api: FakeBotAPI, start_bot: StartBot,
                                                     engine: Engine) -> None:
    app = await start_bot(engine, flood_burst=20)
    _, full = await ask(fake_api, "/actor aliev")
    _, menu = await ask(fake_api, "/settings")
    assert "automatic" in menu.plain
    brief_button = next(b for b in menu.buttons if b["callback_data"] == "/settings brief")
    mark = fake_api.mark()
    fake_api.push_callback_query(brief_button["callback_data"], menu.result)
    (answered,) = await fake_api.wait_for("answerCallbackQuery", since=mark)
    assert "now brief" in answered.params["text"]
    (edit,) = await fake_api.wait_for("editMessageText", since=mark)
    assert "Replies in this chat: brief" in edit.plain
    _, brief = await ask(fake_api, "/actor aliev")
    assert "Ilham Aliyev" in brief.plain and len(brief.plain) < len(full.plain)
    assert await briefbot_of(app).storage.get_settings(fake_api.user()["id"]) == {"length": "brief"}


async def test_only_group_admins_change_group_settings(fake_api: FakeBotAPI, start_bot: StartBot,
                                                       engine: Engine) -> None:
    await start_bot(engine)
    group = fake_api.group_chat()
    member, admin = fake_api.user(6001, "Member"), fake_api.user(6002, "Admin")
    fake_api.make_admin(group["id"], admin["id"])
    _, brief = await ask(fake_api, "/actor aliev", chat=group, user=member)
    _, refused = await ask(fake_api, "/settings full", chat=group, user=member)
    assert refused.plain == "Only group admins can change settings here."
    _, done = await ask(fake_api, "/settings full", chat=group, user=admin)
    assert "now full" in done.plain
    mark = fake_api.mark()
    fake_api.push_callback_query("/settings brief", done.result, user=member)
    (alert,) = await fake_api.wait_for("answerCallbackQuery", since=mark)
    assert alert.params["show_alert"] is True and "Only group admins" in alert.params["text"]
    _, full = await ask(fake_api, "/actor aliev", chat=group, user=admin)
    assert len(full.plain) > len(brief.plain)


async def test_gaps_for_admins_only_and_the_log_holds_no_identities(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, tmp_path: Path) -> None:
    app = await start_bot(engine)
    user = fake_api.user(7007, "Fay", username="fay_the_asker", last_name="Zed")
    await ask(fake_api, "/actor qqqzzz", user=user)
    _, refused = await ask(fake_api, "/gaps", user=user)
    assert refused.plain == "This command is for the bot's administrators."
    _, report = await ask(fake_api, "/gaps", user=fake_api.user(ADMIN_ID, "Admin"))
    assert "qqqzzz" in report.plain
    await settle(app, fake_api)  # an update's content stays in the inbox until its handler has finished
    db = sqlite3.connect(tmp_path / "briefbot.sqlite3")
    rows = db.execute("SELECT * FROM query_log").fetchall()
    assert ("private", "actor", "qqqzzz") in {(r[2], r[3], r[4]) for r in rows}
    dump = "\n".join(db.iterdump())
    for identity in ("7007", "fay_the_asker", "Fay", "Zed", str(ADMIN_ID)):
        assert identity not in dump


async def test_menus_and_descriptions_are_published(fake_api: FakeBotAPI, start_bot: StartBot,
                                                    engine: Engine) -> None:
    fake_api.private_chat(fake_api.user(ADMIN_ID, "Admin"))  # an admin who has talked to the bot
    await start_bot(engine)
    private = fake_api.commands['{"type": "all_private_chats"}']
    group = fake_api.commands['{"type": "all_group_chats"}']
    admin = fake_api.commands[f'{{"chat_id": {ADMIN_ID}, "type": "chat"}}']
    assert {"timeline", "actor", "claim", "settings"} <= {c["command"] for c in private}
    assert {"timeline", "actor", "claim"} <= {c["command"] for c in group}
    assert "gaps" in {c["command"] for c in admin} and "gaps" not in {c["command"] for c in private}
    assert "@BriefTestBot" in fake_api.description and fake_api.short_description


# -- webhook mode ---------------------------------------------------------------------------------


async def test_webhook_mode_answers_and_refuses_a_wrong_secret(fake_api: FakeBotAPI, start_bot: StartBot,
                                                                engine: Engine) -> None:
    port = free_port()
    app = await start_bot(engine, webhook_port=port, secret="s3cret_T0ken")
    (hook,) = fake_api.calls_of("setWebhook")
    assert hook.params["secret_token"] == "s3cret_T0ken"
    assert fake_api.webhook == {"url": f"http://127.0.0.1:{port}/hook", "secret_token": "s3cret_T0ken"}
    _, reply = await ask(fake_api, "/actor aliev")  # delivered by POST to the bot's webhook
    assert "Ilham Aliyev" in reply.plain
    assert fake_api.deliveries[-1][1] == 200

    forged = {"update_id": 1, "message": fake_api.message("/actor aliev", user=fake_api.user(8008, "Mallory"))}
    async with httpx.AsyncClient() as client:
        for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
            response = await client.post(f"http://127.0.0.1:{port}/hook", json=forged, headers=headers)
            assert response.status_code == 403
    await settle(app, fake_api)
    assert replies_in(fake_api, 8008) == []


# -- the command line entry point ------------------------------------------------------------------


RUN = "import sys; from bot.telegram_app import run; sys.exit(run())"  # what `briefbot run` calls


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BRIEFBOT_"))}
    return env | {"BRIEFBOT_DB": str(tmp_path / "db.sqlite3")}


async def _run_briefbot(env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", RUN, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, err.decode()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_run_answers_and_stops_cleanly_on_sigterm(fake_api: FakeBotAPI, tmp_path: Path, mode: str) -> None:
    """The production entry point: config from the environment, corpus, storage, menus, signals."""
    env = clean_env(tmp_path) | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{fake_api.port}"}
    if mode == "webhook":
        port = free_port()
        env |= {"BRIEFBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/tg/hook", "BRIEFBOT_WEBHOOK_LISTEN": "127.0.0.1",
                "BRIEFBOT_WEBHOOK_PORT": str(port)}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", RUN, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake_api.wait_for("setWebhook" if mode == "webhook" else "getUpdates", timeout=30)
        if mode == "webhook":
            assert fake_api.webhook is not None and fake_api.webhook["secret_token"]  # generated when not configured
        _, reply = await ask(fake_api, "/actor aliev")
        assert "Ilham Aliyev" in reply.plain
    finally:
        if proc.returncode is None:
            proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert "Traceback" not in err.decode() and TOKEN.partition(":")[2] not in err.decode()
    assert sqlite3.connect(tmp_path / "db.sqlite3").execute("SELECT query FROM query_log").fetchall() == [("aliev",)]


async def test_a_rejected_or_missing_token_is_one_line_and_exit_2(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    base = clean_env(tmp_path)
    fake_api.revoke_token()
    code, err = await _run_briefbot(base | {"TELEGRAM_BOT_TOKEN": TOKEN,
                                            "TELEGRAM_API_URL": f"http://127.0.0.1:{fake_api.port}"})
    assert code == 2
    assert err.strip().count("\n") == 0 and "rejected the bot token" in err, err
    assert "Traceback" not in err and TOKEN.partition(":")[2] not in err
    code, err = await _run_briefbot(base)
    assert code == 2 and err.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in err, err


# -- the small pieces ------------------------------------------------------------------------------


def test_flood_control_allows_a_burst_then_one_notice_then_refills() -> None:
    now = [0.0]
    flood = FloodControl(burst=5, refill_seconds=3.0, clock=lambda: now[0])
    assert [flood.check(1) for _ in range(8)] == ["ok"] * 5 + ["notify", "drop", "drop"]
    assert flood.check(2) == "ok"  # other chats unaffected
    now[0] = 3.0
    assert [flood.check(1) for _ in range(3)] == ["ok", "notify", "drop"]
    now[0] = 100.0
    assert [flood.check(1) for _ in range(6)] == ["ok"] * 5 + ["notify"]


def test_flood_control_memory_is_bounded() -> None:
    now = [0.0]
    flood = FloodControl(burst=2, refill_seconds=1.0, clock=lambda: now[0], max_chats=100)
    for chat in range(1000):
        flood.check(chat)
        now[0] += 0.001
    assert len(flood._buckets) <= 100


def test_command_text_and_query_part() -> None:
    assert command_text("/actor@BriefTestBot aliev") == "/actor aliev"
    assert command_text("/actor aliev") == "/actor aliev"
    assert command_text("plain @BriefTestBot text") == "plain @BriefTestBot text"
    assert query_part("/actor@BriefTestBot  Ilham  Aliyev ") == "Ilham  Aliyev"
    assert query_part("gafarova") == "gafarova"


def test_deliverable_never_exceeds_the_limit_or_sends_nothing() -> None:
    assert deliverable("<b>ok</b>") == "<b>ok</b>"
    long = deliverable("<b>" + "&lt;" * 5000 + "</b>")
    assert len(long) < 4096 * 4 and long.endswith("…") and "<b>" not in long
    assert deliverable("<b> </b>") == "Send a command such as /actor aliev, or /help for examples."


def test_token_is_redacted_from_log_records() -> None:
    redactor = TokenRedactor(TOKEN)
    handler = logging.StreamHandler()
    handler.addFilter(redactor)
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError as exc:
        record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: %s", (f"/bot{TOKEN}/x",),
                                   (type(exc), exc, exc.__traceback__))
    assert handler.filter(record)
    text = logging.Formatter().format(record)
    assert TOKEN.partition(":")[2] not in text and "<token>" in text


async def test_httpx_request_logs_never_show_the_token(fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await start_bot(engine)
    logging.getLogger("httpx").setLevel(logging.INFO)  # as a careless deployer might
    try:
        await ask(fake_api, "/help")
    finally:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    assert "HTTP Request" in caplog.text and "<token>" in caplog.text
    assert TOKEN.partition(":")[2] not in caplog.text


def test_config_from_env() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://localhost:8081", "BRIEFBOT_ADMINS": "1, 22",
           "BRIEFBOT_WEBHOOK_URL": "https://bot.example.org/tg/hook", "BRIEFBOT_QUERY_LOG": "off",
           "BRIEFBOT_LOG_RETENTION_DAYS": "7", "BRIEFBOT_DB": "/var/lib/briefbot/db.sqlite3"}
    config = Config.from_env(env)
    assert config.base_url == "http://localhost:8081/bot"
    assert config.base_file_url == "http://localhost:8081/file/bot"
    assert config.admins == frozenset({1, 22}) and config.query_log is False and config.log_retention_days == 7
    assert config.webhook_path == "tg/hook" and config.db_path == Path("/var/lib/briefbot/db.sqlite3")
    assert TOKEN not in repr(config)
    for bad in ({}, {"TELEGRAM_BOT_TOKEN": "nonsense"}, {"TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_ADMINS": "bob"},
                {"TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_WEBHOOK_PORT": "http"},
                {"TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_WEBHOOK_SECRET": "has spaces"},
                {"TELEGRAM_BOT_TOKEN_FILE": "/nonexistent/token"}):
        with pytest.raises(ConfigError) as err:
            Config.from_env(bad)
        assert "\n" not in str(err.value) and TOKEN not in str(err.value)


def test_config_token_file(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    assert Config.from_env({"TELEGRAM_BOT_TOKEN_FILE": str(path)}).token == TOKEN


def test_flood_notice_matches_the_wording() -> None:
    assert say("errors.flood") == FLOOD
    assert say("errors.generic") == SORRY
