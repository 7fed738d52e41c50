"""Updates read in a batch (bot.intake.building_updates: PTB's attribute guard off while they are built) are
exactly what Update.de_json builds one at a time, and as read-only afterwards."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from telegram import Bot, TelegramObject, Update

from bot.intake import UNGUARDED_BATCH, building_updates
from tests.fake_bot_api import FakeBotAPI


def varied_updates() -> list[dict[str, Any]]:
    api = FakeBotAPI()
    user = api.user(7001, "Aynur", language_code="az", username="aynur")
    group = api.group_chat(-1001000000077, "Newsroom")
    asked = api.message("/timeline PACE", user=user)
    reply = api.message("an answer", chat=asked["chat"], user=user)
    reply["reply_to_message"] = copy.deepcopy(asked)
    topic = api.message("/actor aliev@BriefBot", chat=group, user=user)
    topic.update(message_thread_id=12, is_topic_message=True)
    unknown = api.message("кто такой Алиев", user=api.user(7002, "Олег", language_code="ru"))
    unknown["a_field_telegram_adds_later"] = {"x": 1}  # kept as api_kwargs
    raws = [{"message": asked}, {"message": reply}, {"message": topic}, {"message": unknown},
            {"callback_query": {"id": "55", "from": user, "message": reply, "chat_instance": "ci", "data": "/help"}},
            {"inline_query": {"id": "56", "from": user, "query": "gafarova", "offset": "", "chat_type": "sender"}},
            {"chosen_inline_result": {"result_id": "r1", "from": user, "query": "gafarova"}},
            {"edited_message": api.message("/claim political prisoners", user=user)}]
    return [{"update_id": 900 + i, **raw} for i, raw in enumerate(raws)]


def read_all(raws: list[dict[str, Any]], bot: Bot) -> list[Update | BaseException]:
    out: list[Update | BaseException] = []
    for raw in raws:
        try:
            update = Update.de_json(copy.deepcopy(raw), bot)
            assert update is not None
            out.append(update)
        except Exception as exc:
            out.append(exc)
    return out


def test_a_batch_reads_every_kind_of_update_as_one_at_a_time_does_and_leaves_them_read_only() -> None:
    bot = Bot("123:abc")
    poison = copy.deepcopy(varied_updates()[0])
    del poison["message"]["date"]  # Telegram has sent such; PTB cannot read it
    raws = [*varied_updates(), {**poison, "update_id": 999}]
    assert len(raws) >= UNGUARDED_BATCH
    one_by_one = read_all(raws, bot)
    guard = TelegramObject.__dict__["__setattr__"]
    with building_updates(len(raws)):
        assert "__setattr__" not in TelegramObject.__dict__  # the fast path is the one under test
        batched = read_all(raws, bot)
    assert TelegramObject.__dict__["__setattr__"] is guard
    for single, batch in zip(one_by_one, batched, strict=True):
        if isinstance(single, BaseException):
            assert type(batch) is type(single) and str(batch) == str(single)  # the poison is still poison
            continue
        assert isinstance(batch, Update)
        assert batch.to_dict() == single.to_dict()
        assert batch.to_json() == single.to_json()
        assert batch.effective_message == single.effective_message
        assert batch.effective_chat == single.effective_chat and batch.effective_user == single.effective_user
        if batch.effective_message is not None:
            assert batch.effective_message.api_kwargs == single.effective_message.api_kwargs
            assert batch.effective_message.get_bot() is bot
    assert batched[3].effective_message.api_kwargs == {"a_field_telegram_adds_later": {"x": 1}}  # type: ignore[union-attr]
    message = batched[2].effective_message  # type: ignore[union-attr]
    assert message is not None and message.is_topic_message and message.message_thread_id == 12
    for obj in (batched[0], message, message.chat, message.from_user):
        with pytest.raises(AttributeError, match="can't be set"):
            obj.text = "changed"  # type: ignore[union-attr]


def test_the_guard_comes_back_when_reading_fails_and_small_batches_keep_it() -> None:
    guard = TelegramObject.__dict__["__setattr__"]
    with pytest.raises(RuntimeError), building_updates(UNGUARDED_BATCH):
        raise RuntimeError("a bug while reading")
    assert TelegramObject.__dict__["__setattr__"] is guard
    with building_updates(1):  # a webhook's single update: not worth taking it off
        assert TelegramObject.__dict__["__setattr__"] is guard
    with building_updates(UNGUARDED_BATCH), building_updates(UNGUARDED_BATCH):  # nested: the outer restores
        pass
    assert TelegramObject.__dict__["__setattr__"] is guard
