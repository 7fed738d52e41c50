"""The fake Bot API refuses what Telegram refuses and accepts what it accepts.

The end-to-end tests are only as trustworthy as this server: if it let a malformed request
through, a bot that breaks in production would pass. So each rule is shown both ways.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, InvalidToken, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from tests.fake_bot_api import TOKEN, FakeBotAPI, Validator, html_problems, parse_html

V = Validator()
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


def problems(method: str, **params: Any) -> list[str]:
    return V.validate(method, params)[1]


def article(i: int, text: str = "<b>ok</b>", **extra: Any) -> dict[str, Any]:
    return {"type": "article", "id": f"r{i}", "title": f"Result {i}",
            "input_message_content": {"message_text": text, "parse_mode": "HTML"}, **extra}


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


# -- the validator, rule by rule -------------------------------------------------------------


def test_a_good_message_is_accepted() -> None:
    assert problems("sendMessage", chat_id=42, text="<b>Ilham Aliyev</b> · actor\n<blockquote>quote</blockquote>",
                    parse_mode="HTML", link_preview_options={"is_disabled": True},
                    reply_parameters={"message_id": 3, "allow_sending_without_reply": True},
                    reply_markup=keyboard({"text": "Later ▶", "callback_data": "/timeline page:2"},
                                          {"text": "Share", "url": "https://t.me/BriefTestBot?start=a_aliyev"})) == []


def test_missing_chat_id_is_refused() -> None:
    assert problems("sendMessage", text="hello") == ["sendMessage: missing required parameter 'chat_id'"]


def test_unknown_method_and_unknown_parameter_are_refused() -> None:
    assert problems("sendMesage", chat_id=1, text="x") == ["unknown method 'sendMesage'"]
    assert any("unknown parameter 'quote'" in p for p in problems("sendMessage", chat_id=1, text="x", quote=True))


def test_wrong_types_are_refused() -> None:
    assert problems("sendMessage", chat_id=True, text="x")
    assert problems("sendMessage", chat_id=1, text=5)
    assert problems("sendMessage", chat_id="not-a-username", text="x")
    assert problems("sendMessage", chat_id="@channel", text="x") == []
    assert problems("sendMessage", chat_id=1, text="x", reply_parameters={"message_id": "3"})


def test_text_length_counts_after_parsing() -> None:
    assert problems("sendMessage", chat_id=1, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML") == []
    assert problems("sendMessage", chat_id=1, text="&lt;" * 4096, parse_mode="HTML") == []
    over = problems("sendMessage", chat_id=1, text="<b>" + "x" * 4097 + "</b>", parse_mode="HTML")
    assert any("4097 characters" in p for p in over)
    assert problems("sendMessage", chat_id=1, text="x" * 4097)  # and without a parse mode
    assert problems("sendMessage", chat_id=1, text="<b> </b>", parse_mode="HTML")  # empty after parsing


@pytest.mark.parametrize("bad", [
    "<b>x</i>",  # unbalanced
    "<b>x",  # unclosed
    "x</b>",  # closes nothing
    "<div>x</div>",  # unknown tag
    "<br/>",  # not a Telegram tag either
    "<a>link</a>",  # a without href
    '<span class="red">x</span>',  # span is only a spoiler
    '<b class="x">x</b>',  # attributes Telegram does not know
    "1 < 2",  # unescaped <
    "fish &chips",  # bare &
    "&nbsp;",  # unsupported named entity
    "<blockquote>a<blockquote>b</blockquote></blockquote>",  # nested quotes
    "<code><b>x</b></code>",  # nothing inside code
])
def test_bad_html_is_refused(bad: str) -> None:
    assert problems("sendMessage", chat_id=1, text=bad, parse_mode="HTML"), bad


@pytest.mark.parametrize("good", [
    "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del>",
    '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
    '<a href="https://example.org/?a=1&amp;b=2">link</a>',
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    '<pre><code class="language-python">print(1 &lt; 2)</code></pre>',
    "<blockquote expandable>long quote</blockquote>",
    '<tg-time unix="1700000000" format="wDT">Nov 14</tg-time>',
    "&lt;b&gt; &amp; &quot; &#39; &#x1F600; 2 > 1",
    "<B>upper case tags</B>",
])
def test_telegram_html_is_accepted(good: str) -> None:
    assert problems("sendMessage", chat_id=1, text=good, parse_mode="HTML") == [], good


def test_parsed_text_and_entities_are_what_a_client_shows() -> None:
    parsed = parse_html('<b>Aliyev</b> said &lt;no&gt; 😀 <a href="https://x.org">here</a>')
    assert parsed.plain == "Aliyev said <no> 😀 here"
    assert parsed.entities[0] == {"type": "bold", "offset": 0, "length": 6}
    assert parsed.entities[1] == {"type": "text_link", "offset": 20, "length": 4, "url": "https://x.org"}  # UTF-16
    assert html_problems("<b>x</i>") and html_problems("") and not html_problems("fine")


def test_callback_data_is_at_most_64_bytes() -> None:
    def with_data(data: str) -> list[str]:
        return problems("sendMessage", chat_id=1, text="x", reply_markup=keyboard({"text": "b", "callback_data": data}))

    assert with_data("x" * 64) == []
    assert with_data("é" * 32) == []  # 64 bytes
    assert any("65 bytes" in p for p in with_data("x" * 65))
    assert with_data("é" * 33)  # 66 bytes, though only 33 characters
    assert with_data("")


def test_buttons_need_exactly_one_action_and_sane_limits() -> None:
    assert problems("sendMessage", chat_id=1, text="x", reply_markup=keyboard({"text": "no action"}))
    assert problems("sendMessage", chat_id=1, text="x",
                    reply_markup=keyboard({"text": "two", "callback_data": "a", "url": "https://t.me/x"}))
    assert problems("sendMessage", chat_id=1, text="x", reply_markup=keyboard({"text": "u", "url": "javascript:x"}))
    nine = [{"text": str(i), "callback_data": str(i)} for i in range(9)]
    assert problems("sendMessage", chat_id=1, text="x", reply_markup={"inline_keyboard": [nine]})
    assert problems("sendMessage", chat_id=1, text="x", reply_markup={"inline_keyboard": [[{"txt": "typo"}]]})


def test_inline_answers_are_at_most_50_valid_results() -> None:
    assert problems("answerInlineQuery", inline_query_id="1", results=[article(i) for i in range(50)]) == []
    assert any("51 results" in p for p in problems("answerInlineQuery", inline_query_id="1",
                                                  results=[article(i) for i in range(51)]))
    assert problems("answerInlineQuery", inline_query_id="1", results=[article(1), article(1)])  # duplicate ids
    long_id = article(1) | {"id": "x" * 65}
    assert problems("answerInlineQuery", inline_query_id="1", results=[long_id])
    assert problems("answerInlineQuery", inline_query_id="1", results=[article(1, "<i>unclosed")])
    no_title = {k: v for k, v in article(1).items() if k != "title"}
    assert problems("answerInlineQuery", inline_query_id="1", results=[no_title])
    assert problems("answerInlineQuery", inline_query_id="1", results=[article(1) | {"type": "artikel"}])


def test_commands_menus_follow_botfather_rules() -> None:
    good = [{"command": "timeline", "description": "Events in date order"}]
    assert problems("setMyCommands", commands=good, scope={"type": "all_group_chats"}) == []
    assert problems("setMyCommands", commands=[{"command": "Timeline", "description": "x"}])
    assert problems("setMyCommands", commands=[{"command": "timeline", "description": ""}])
    assert problems("setMyCommands", commands=good, scope={"type": "all_groups"})
    assert problems("setMyShortDescription", short_description="x" * 121)


def test_form_bodies_are_read_per_field_type() -> None:
    """PTB posts form data: JSON for objects, plain strings otherwise; Telegram reads them by field type."""
    markup = json.dumps(keyboard({"text": "a", "callback_data": "b"}))
    params, errors = V.validate("sendMessage", {"chat_id": "-1001", "text": "42", "disable_notification": "true",
                                                "reply_markup": markup}, form=True)
    assert errors == []
    assert params["chat_id"] == -1001 and params["text"] == "42" and params["disable_notification"] is True
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
    assert V.validate("sendMessage", {"chat_id": "1", "text": "x", "reply_markup": "{not json"}, form=True)[1]


# -- the server, through python-telegram-bot --------------------------------------------------


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=0.5, connect_timeout=1.0)
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url, request=request) as b:
        yield b


async def test_getme_and_a_good_send(api: FakeBotAPI, bot: Bot) -> None:
    assert bot.username == "BriefTestBot"
    chat = api.private_chat(api.user())
    sent = await bot.send_message(chat["id"], "<b>hi</b> &amp; bye", parse_mode="HTML",
                                  reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="d")]]))
    assert sent.text == "hi & bye" and sent.entities[0].type == "bold"
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "d"
    assert api.violations == []


async def test_invalid_requests_get_400_and_are_recorded(api: FakeBotAPI, bot: Bot) -> None:
    chat = api.private_chat(api.user())
    with pytest.raises(BadRequest, match="4097 characters"):
        await bot.send_message(chat["id"], "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(chat["id"], "<b>x</i>", parse_mode="HTML")
    assert len(api.violations) >= 2
    async with httpx.AsyncClient() as client:
        unknown = await client.post(api.url("sendMessages"), json={"chat_id": 1, "text": "x"})
        missing = await client.post(api.url("sendMessage"), json={"text": "x"})
    assert unknown.status_code == 404 and unknown.json()["ok"] is False
    assert missing.status_code == 400 and "chat_id" in missing.json()["description"]


async def test_updates_are_served_once_confirmed(api: FakeBotAPI, bot: Bot) -> None:
    first = api.push_message("/help")
    second = api.push_inline_query("gafarova")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [first["update_id"], second["update_id"]]
    assert updates[0].message.entities[0].type == "bot_command"
    assert len(await bot.get_updates(offset=second["update_id"] + 1, timeout=0)) == 0
    assert api.pending_updates == 0


async def test_runtime_refusals_are_not_violations_but_protocol_misuse_is(api: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "nobody here")
    chat = api.private_chat(api.user())
    sent = await bot.send_message(chat["id"], "same")
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("same", chat_id=chat["id"], message_id=sent.message_id)
    assert api.violations == []
    update = api.push_callback_query("/help", sent.to_dict())
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query_id)  # Telegram refuses a second answer
    assert api.violations == [f"callback query {query_id} is unknown or was already answered"]


async def test_faults_429_timeout_and_rejected_token(api: FakeBotAPI, bot: Bot) -> None:
    chat = api.private_chat(api.user())
    api.fail_next("sendMessage", retry_after=1)
    with pytest.raises(RetryAfter):
        await bot.send_message(chat["id"], "x")
    api.delay_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(chat["id"], "slow")
    assert (await bot.send_message(chat["id"], "fine")).text == "fine"
    api.revoke_token()
    with pytest.raises(InvalidToken):
        await bot.get_me()
